"""Upload handling: every uploaded file is written to a temp file and hashed in the same pass,
so the blob store never reads it again and memory stays bounded whatever the size.

The body is read in large chunks (HUB_UPLOAD_CHUNK_SIZE: fewer copies in gunicorn and
Django's parser); each chunk is hashed and written on a helper thread while the request
thread reads the next one (sha256 and write(2) release the GIL, so on two cores they overlap
the reading instead of adding to it), and written in 64 KiB slices. bench/upload.py has the
figures."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat

from catalog.errors import InvalidInput, PayloadTooLarge

# Page-cache writes of 1 MiB cost up to 9x the CPU of 64 KiB ones on the benchmark VM (the
# kernel gives large writes large folios, made of the high-order free pages the VM returns to
# its host, and each is faulted back in); elsewhere the slice costs a few thousand syscalls.
WRITE_SLICE = 64 * 1024
# Shared by the request threads of a process; an upload has at most one chunk in it.
_ABSORB = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upload-hash")


class ChunkSink:
    """Hashes and writes chunks in order on a helper thread, one chunk behind the caller.
    Use it as a context manager, or call `hexdigest()` before closing `out`."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.hasher = hashlib.sha256()
        self._pending: Future | None = None

    def __enter__(self) -> ChunkSink:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.wait()
            return
        with suppress(Exception):  # an error is already on its way: that one is reported
            self.wait()

    def write(self, chunk: bytes) -> None:
        self.wait()
        self._pending = _ABSORB.submit(self._absorb, chunk)

    def wait(self) -> None:
        """Until every chunk given is hashed and written; raises the helper's error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def hexdigest(self) -> str:
        self.wait()
        return self.hasher.hexdigest()

    def _absorb(self, chunk: bytes) -> None:
        self.hasher.update(chunk)
        view = memoryview(chunk)
        for start in range(0, len(view), WRITE_SLICE):
            self.out.write(view[start : start + WRITE_SLICE])


class UploadInterrupted(InvalidInput):
    pass


class HashedUpload(TemporaryUploadedFile):
    """A temp-file upload that knows its sha256 and the name exactly as the client sent it
    (`name` is trimmed to a basename by Django; `client_name` is what we validate)."""

    sha256: str = ""
    client_name: str = ""


class HashingUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        # Django's parser reads the body in the smallest chunk any handler asks for (64 KiB
        # by default), and each read re-copies gunicorn's read-ahead: larger chunks copy less.
        self.chunk_size = settings.HUB_UPLOAD_CHUNK_SIZE

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.HUB_MAX_REQUEST_SIZE:
            limit = filesizeformat(settings.HUB_MAX_REQUEST_SIZE)
            raise PayloadTooLarge(f"The request is larger than the {limit} limit per upload.")
        return None  # let Django's parser do the multipart work

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file = HashedUpload(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )
        self.file.client_name = self.file_name or ""
        self.sink = ChunkSink(self.file)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > settings.HUB_MAX_FILE_SIZE:
            self._drop_partial()
            limit = filesizeformat(settings.HUB_MAX_FILE_SIZE)
            raise PayloadTooLarge(f"{self.file_name} is larger than the {limit} limit per file.")
        self.sink.write(raw_data)

    def upload_interrupted(self) -> None:
        # The body ended before the file did (client gone): drop the partial temp file.
        if getattr(self, "file", None) is not None:
            self._drop_partial()
        raise UploadInterrupted(
            f"The upload of {self.file_name} was cut off before it finished; send it again."
        )

    def _drop_partial(self) -> None:
        with suppress(OSError):  # the refusal is the error to report, not a failed write
            self.sink.wait()
        self.file.close()  # deletes the partial temp file at once

    def file_complete(self, file_size: int) -> HashedUpload:
        self.file.sha256 = self.sink.hexdigest()
        self.file.seek(0)
        self.file.size = file_size
        return self.file
