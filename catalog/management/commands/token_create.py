from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.errors import HubError
from catalog.services.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--scope", choices=["read", "write"], default="write")

    def handle(self, *args, username, name, scope, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            _, raw = token_create(user=user, name=name, scope=scope)
        except HubError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
