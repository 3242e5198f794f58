from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services.sweeper import requeue_stuck_jobs


class Command(BaseCommand):
    help = "Send the task again for fine-tune jobs stuck in queued (e.g. after a broker outage)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=settings.HUB_SWEEP_QUEUED_AFTER_SECONDS,
            help="seconds a job must have been queued (default HUB_SWEEP_QUEUED_AFTER_SECONDS)",
        )

    def handle(self, *args, **options) -> None:
        requeued = requeue_stuck_jobs(older_than=options["older_than"])
        self.stdout.write(f"Re-enqueued {len(requeued)} job(s).")
        for job_id in requeued:
            self.stdout.write(f"  {job_id}")
