from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services.blob_gc import blobs_collect


class Command(BaseCommand):
    help = (
        "Delete stored bytes nothing references: blobs of deleted models, versions and "
        "datasets, and objects a failed publish left behind."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--grace",
            type=float,
            default=settings.HUB_BLOB_GC_GRACE_SECONDS,
            help="seconds a blob must have gone unused (default HUB_BLOB_GC_GRACE_SECONDS)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")

    def handle(self, *args, **options) -> None:
        collected = blobs_collect(grace_seconds=options["grace"], dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"{verb} {len(collected.blobs)} unreferenced blob(s) and "
            f"{len(collected.orphans)} orphaned object(s): {collected.bytes_freed:,} bytes."
        )
