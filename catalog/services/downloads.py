from __future__ import annotations

from django.db.models import F

from catalog.models import Model

PRIMARY_SUFFIXES = (".safetensors", ".onnx", ".gguf", ".bin", ".pt", ".pth")


def is_primary_file(path: str) -> bool:
    """Files whose download means 'someone fetched this model' (as the HF Hub counts)."""
    return path == "config.json" or path.endswith(PRIMARY_SUFFIXES)


def download_record(*, model: Model, path: str) -> None:
    if is_primary_file(path):
        Model.objects.filter(pk=model.pk).update(downloads=F("downloads") + 1)
