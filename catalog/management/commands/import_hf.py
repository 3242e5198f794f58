from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from httpx2 import TransportError
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

from catalog.errors import HubError
from catalog.services.imports import model_import


class Command(BaseCommand):
    help = (
        "Import a model (files, card and card metadata) from a Hugging Face Hub-compatible "
        "endpoint through huggingface_hub's snapshot_download: a new model, or a new version "
        "of the local model when the upstream revision was not imported yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("repo_id", help="owner/name on the source endpoint")
        parser.add_argument("--endpoint", help="source hub URL (default: HF_ENDPOINT or hf.co)")
        parser.add_argument("--revision", help="branch, tag or commit sha (default: main)")
        parser.add_argument("--token", help="token for the source endpoint (private models)")
        parser.add_argument("--to", dest="target", help="local owner/name (default: repo_id)")
        parser.add_argument("--user", help="local user who imports (default: the owner)")
        parser.add_argument("--private", action="store_true", help="create the model private")

    def handle(self, *args, repo_id, endpoint, revision, token, target, user, private, **opts):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            result = model_import(
                repo_id=repo_id,
                endpoint=endpoint,
                revision=revision,
                token=token,
                target=target,
                user=actor,
                private=private,
                report=self.stdout.write,
            )
        except HubError as exc:
            raise CommandError(exc.message) from exc
        except (HfHubHTTPError, LocalEntryNotFoundError, TransportError) as exc:
            raise CommandError(f"{repo_id}: {exc}") from exc
        if result.skipped:
            self.stdout.write(f"skipped empty files: {', '.join(result.skipped)}")
