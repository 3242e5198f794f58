"""Upload bodies are read in HUB_UPLOAD_CHUNK_SIZE pieces (bench/upload.py measures the
size): a multipart file arrives in a few large chunks, hashed and written as they come, with
the same bytes and sha256 whatever the chunk size; an LFS PUT body is read the same way."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from catalog.models import Blob
from catalog.services.lfs import lfs_stage
from catalog.uploads import ChunkSink, HashingUploadHandler
from tests.helpers import create_model, multipart, upload

pytestmark = pytest.mark.django_db
KIB = 1024


class RecordingHandler(HashingUploadHandler):
    """The real handler, keeping the size of each chunk the parser hands it."""

    chunks: list[int] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        RecordingHandler.chunks.append(len(raw_data))
        super().receive_data_chunk(raw_data, start)


@pytest.fixture
def recording(settings):
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingHandler"]
    RecordingHandler.chunks = []
    return RecordingHandler.chunks


def awkward_bytes(size: int) -> bytes:
    """Random bytes with CRLF and boundary-like dashes sprinkled in, so a chunk edge may fall
    inside something that looks like the start of a boundary."""
    data = bytearray(os.urandom(size))
    for offset in range(1000, size - 8, 9973):
        data[offset : offset + 6] = b"\r\n--\r\n"
    return bytes(data)


@pytest.mark.parametrize("chunk", [64 * KIB, 1024 * KIB + 7, 4096 * KIB])
def test_multipart_files_arrive_in_chunks_of_the_setting(api, settings, recording, chunk):
    settings.HUB_UPLOAD_CHUNK_SIZE = chunk
    big, small = awkward_bytes(2 * 1024 * KIB + 12345), b"tiny"
    create_model(api, "m")
    response = upload(api, "alice/m", [("big.raw", big), ("small.txt", small)])
    assert response.status_code == 201, response.content
    assert max(recording) <= chunk
    # Two files: the big one in about size/chunk reads (the parser holds back a boundary's
    # length at each edge), the small one in one.
    assert len(recording) <= -(-len(big) // (chunk - 100)) + 2
    for data in (big, small):
        blob = Blob.objects.get(sha256=hashlib.sha256(data).hexdigest())
        assert blob.size == len(data)


def test_default_chunk_is_large(settings):
    assert HashingUploadHandler().chunk_size == settings.HUB_UPLOAD_CHUNK_SIZE >= 256 * KIB


class RecordingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(size)
        return super().read(size)


def test_lfs_put_body_is_read_in_chunks_of_the_setting(settings, alice):
    settings.HUB_UPLOAD_CHUNK_SIZE = 300 * KIB
    data = os.urandom(1000 * KIB)
    stream = RecordingStream(data)
    oid = hashlib.sha256(data).hexdigest()
    staged = lfs_stage(user_id=alice.pk, oid=oid, size=len(data), stream=stream)
    assert staged.read_bytes() == data
    assert set(stream.sizes) == {300 * KIB}
    assert len(stream.sizes) == 5  # four reads with bytes, one that finds the end


def test_multipart_body_cut_short_with_large_chunks_is_a_400(api, settings):
    settings.HUB_UPLOAD_CHUNK_SIZE = 4096 * KIB
    create_model(api, "m")
    body, content_type = multipart([("w.raw", os.urandom(3000 * KIB))])
    cut = body[: len(body) // 2]
    response = api.generic("POST", "/api/models/alice/m/versions", cut, content_type=content_type)
    assert response.status_code == 400, response.content
    assert Blob.objects.count() == 0


def test_sink_hashes_and_writes_chunks_in_order(tmp_path):
    chunks = [os.urandom(n) for n in (1, 70_000, 64 * KIB, 200_001, 0, 3)]
    target = tmp_path / "out.bin"
    with target.open("wb") as out, ChunkSink(out) as sink:
        for chunk in chunks:
            sink.write(chunk)
        digest = sink.hexdigest()
    assert target.read_bytes() == b"".join(chunks)
    assert digest == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_sink_reports_a_failed_write(tmp_path):
    target = tmp_path / "read-only.bin"
    target.write_bytes(b"")
    with target.open("rb") as out:
        sink = ChunkSink(out)
        sink.write(b"x" * 100)
        with pytest.raises(OSError):
            sink.hexdigest()


def test_oversized_file_is_refused_mid_stream_and_leaves_nothing(api, settings, isolated_storage):
    settings.HUB_UPLOAD_CHUNK_SIZE = 1024 * KIB
    settings.HUB_MAX_FILE_SIZE = 1536 * KIB
    create_model(api, "m")
    response = upload(api, "alice/m", [("w.raw", os.urandom(3072 * KIB))])
    assert response.status_code == 413, response.content
    assert "w.raw is larger than" in response.json()["error"]
    assert not [p for p in isolated_storage["temp"].rglob("*") if p.is_file()]
