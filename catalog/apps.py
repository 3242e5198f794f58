from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Model catalog"

    def ready(self) -> None:
        # Folders the defaults write to; creating them here lets a fresh checkout just run.
        folders = [settings.DATA_DIR, settings.FILE_UPLOAD_TEMP_DIR, settings.STATIC_ROOT]
        transport = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [
            transport[key]
            for key in ("data_folder_in", "processed_folder", "control_folder")
            if key in transport
        ]
        for folder in folders:
            Path(folder).mkdir(parents=True, exist_ok=True)
