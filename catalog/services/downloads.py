from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import DownloadDay, Model
from catalog.ratelimit import first_in_window
from catalog.search import search_models_changed

PRIMARY_SUFFIXES = (".safetensors", ".onnx", ".gguf", ".bin", ".pt", ".pth")


def is_primary_file(path: str) -> bool:
    """Files whose download means 'someone fetched this model' (as the HF Hub counts)."""
    return path == "config.json" or path.endswith(PRIMARY_SUFFIXES)


def download_record(*, model: Model, path: str, client: str) -> None:
    """Count a download of a primary file; one client's repeats within a short window are
    the same download (resumed chunks, retries), so they count once."""
    window = settings.HUB_DOWNLOAD_DEDUP_SECONDS
    if not is_primary_file(path) or not first_in_window(f"dl:{model.pk}:{client}", window=window):
        return
    Model.objects.filter(pk=model.pk).update(
        downloads=F("downloads") + 1, trending=F("trending") + 1
    )
    today = timezone.now().date()
    updated = DownloadDay.objects.filter(model=model, day=today).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                DownloadDay.objects.create(model=model, day=today, count=1)
        except IntegrityError:  # another request created today's row first
            DownloadDay.objects.filter(model=model, day=today).update(count=F("count") + 1)


def trending_refresh(*, days: int = 7) -> int:
    """Recompute `trending` = downloads in the last `days` days (the running +1 drifts as
    days pass out of the window); drop older daily rows. Returns models changed."""
    since = timezone.now().date() - timedelta(days=days - 1)
    recent = DownloadDay.objects.filter(model=OuterRef("pk"), day__gte=since).order_by()
    totals = recent.values("model").annotate(total=Sum("count")).values("total")[:1]
    stale = Model.objects.exclude(trending=Coalesce(Subquery(totals), 0))
    with transaction.atomic():
        # Counters that downloads changed reach a search engine's index here, in one batch,
        # rather than as one index task per download.
        touched = set(stale.values_list("id", flat=True)) | set(
            DownloadDay.objects.filter(day__gte=since).values_list("model_id", flat=True)
        )
        changed = stale.update(trending=Coalesce(Subquery(totals), 0))
        search_models_changed(sorted(touched))
    DownloadDay.objects.filter(day__lt=since - timedelta(days=30)).delete()
    return changed
