from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from catalog.search import get_backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database (HUB_SEARCH_BACKEND decides which)."

    def handle(self, *args, **options):
        backend = get_backend()
        started = time.monotonic()
        count = backend.rebuild()
        seconds = time.monotonic() - started
        self.stdout.write(f"Indexed {count} models in {seconds:.1f} s ({backend.name}).")
