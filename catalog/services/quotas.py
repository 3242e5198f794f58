"""Per-user quotas, set in env (0 turns one off):

- HUB_QUOTA_BYTES, bytes stored: the distinct blobs of every version the user authored
  (uploads, commits, forks, fine-tunes, imports) plus their datasets' blobs, in one query.
  A version is a whole snapshot, so its author answers for all of its files, inherited ones
  included; deleting the model (versions go only with it) or the dataset frees them.
  Counting by author rather than by namespace keeps organizations, which anyone may create,
  from multiplying the quota.
- HUB_QUOTA_LFS_STAGING_BYTES: bytes in the user's LFS staging folder (objects sent but not
  committed yet, partial uploads included).
- HUB_QUOTA_JOBS: fine-tune jobs queued or running.

Over a byte quota the answer is 413, over the job quota 429; the message says the limit and
the current use. Checks read, then the caller writes: requests racing each other can pass
together, so a quota may be overrun by what the concurrent requests of one user carry."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, Sum

from catalog.errors import PayloadTooLarge, TooManyRequests
from catalog.models import Blob, Dataset, FineTuneJob, VersionFile
from catalog.services.lfs import lfs_user_dir

ACTIVE_JOBS = (FineTuneJob.Status.QUEUED, FineTuneJob.Status.RUNNING)


def usage_bytes_stored(*, user: AbstractBaseUser) -> int:
    """Bytes of the distinct blobs in the user's versions and datasets."""
    in_versions = VersionFile.objects.filter(version__author=user).values("blob_id")
    in_datasets = Dataset.objects.filter(owner=user).values("blob_id")
    blobs = Blob.objects.filter(Q(sha256__in=in_versions) | Q(sha256__in=in_datasets))
    return blobs.aggregate(total=Sum("size"))["total"] or 0


def usage_lfs_staging(*, user_id: int) -> int:
    """Bytes in the user's LFS staging folder."""
    total = 0
    try:
        entries = list(os.scandir(lfs_user_dir(user_id)))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            total += entry.stat().st_size if entry.is_file() else 0
        except FileNotFoundError:  # committed or swept meanwhile
            continue
    return total


def usage_jobs(*, user: AbstractBaseUser) -> int:
    return FineTuneJob.objects.filter(owner=user, status__in=ACTIVE_JOBS).count()


def quota_check_bytes(*, user: AbstractBaseUser, adding: int) -> None:
    """Refuse (413) adding `adding` bytes when the user's stored bytes would pass the quota."""
    limit = settings.HUB_QUOTA_BYTES
    if limit <= 0:
        return
    used = usage_bytes_stored(user=user)
    if used + adding > limit:
        raise PayloadTooLarge(
            f"Storage quota: you store {_size(used)} of your {_size(limit)} "
            f"(HUB_QUOTA_BYTES) and this adds {_size(adding)}. Delete models or datasets you "
            "no longer need, or ask an administrator for a larger quota."
        )


def quota_check_staging(*, user_id: int, adding: int) -> None:
    """Refuse (413) staging `adding` more LFS bytes past the user's staging quota."""
    limit = settings.HUB_QUOTA_LFS_STAGING_BYTES
    if limit <= 0:
        return
    used = usage_lfs_staging(user_id=user_id)
    if used + adding > limit:
        raise PayloadTooLarge(
            f"LFS staging quota: {_size(used)} of your {_size(limit)} "
            f"(HUB_QUOTA_LFS_STAGING_BYTES) wait uncommitted and this adds {_size(adding)}. "
            "Commit what you uploaded first; uncommitted objects are deleted once you "
            f"have sent nothing for {settings.HUB_LFS_STAGING_SECONDS // 60} min."
        )


def quota_check_upload(*, user: AbstractBaseUser, adding: int) -> None:
    """Both byte quotas, for LFS objects announced in a batch: refused before they are sent."""
    quota_check_staging(user_id=user.pk, adding=adding)
    quota_check_bytes(user=user, adding=adding)


def quota_check_jobs(*, user: AbstractBaseUser) -> None:
    """Refuse (429) one more fine-tune job while the user has the quota queued or running."""
    limit = settings.HUB_QUOTA_JOBS
    if limit <= 0:
        return
    active = usage_jobs(user=user)
    if active >= limit:
        raise TooManyRequests(
            f"Job quota: you have {active} fine-tune job(s) queued or running and may have "
            f"{limit} (HUB_QUOTA_JOBS). Wait for one to finish, or cancel one."
        )


def _size(value: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:,} bytes"
