"""Turn a request's uploaded files into StagedFiles (already hashed by the upload handler)."""

from __future__ import annotations

from pathlib import Path

from catalog.blobs import StagedFile
from catalog.errors import InvalidInput
from catalog.uploads import HashedUpload


def staged_from_uploads(uploads: list, paths: list[str] | None = None) -> list[StagedFile]:
    paths = [p for p in (paths or []) if p != ""]
    if paths and len(paths) != len(uploads):
        raise InvalidInput(
            f"Got {len(uploads)} files but {len(paths)} paths; send one path per file or none."
        )
    staged = []
    for index, upload in enumerate(uploads):
        if not isinstance(upload, HashedUpload):
            raise InvalidInput("Uploads must be sent as multipart file parts.")
        staged.append(
            StagedFile(
                path=paths[index] if paths else (upload.client_name or upload.name),
                local_path=Path(upload.temporary_file_path()),
                sha256=upload.sha256,
                size=upload.size,
                upload=upload,
            )
        )
    return staged


def staged_dataset_file(upload) -> StagedFile:
    """One uploaded dataset file, named by its base name (a folder the client sent with it
    means nothing for a dataset)."""
    staged = staged_from_uploads([upload])[0]
    staged.path = staged.path.rsplit("/", 1)[-1]
    return staged
