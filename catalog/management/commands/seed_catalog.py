from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from catalog.services.namespaces import namespace_for_user
from catalog.services.seeding import seed_catalog


class Command(BaseCommand):
    help = "Load the starter catalog (real pretrained models from pip packages). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="starter keys to load (default: all)")
        parser.add_argument(
            "--demo-user",
            action="store_true",
            help="also create the user demo / demo-password (local use only)",
        )

    def handle(self, *args, only=None, demo_user=False, **options):
        cache = Path(settings.DATA_DIR) / "starters"
        seed_catalog(cache_dir=cache, only=only, report=lambda line: self.stdout.write(line))
        if demo_user:
            self._demo_user()

    def _demo_user(self) -> None:
        users = get_user_model()
        user, created = users.objects.get_or_create(username="demo")
        if created:
            user.set_password("demo-password")
            user.save()
        namespace_for_user(user=user)
        self.stdout.write("Log in as demo / demo-password" if created else "demo user exists")
