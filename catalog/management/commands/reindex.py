from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.search import get_backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database (HUB_SEARCH_BACKEND decides which)."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = get_backend().rebuild()
        seconds = time.monotonic() - started
        backend = settings.HUB_SEARCH_BACKEND
        self.stdout.write(f"Indexed {count} models in {seconds:.1f} s ({backend}).")
