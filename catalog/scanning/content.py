"""Scan one byte source by what it contains: the uploaded file, an archive member or the
output of a decompression layer, all alike.

Each source gets every view a loader could take of it:
- the pickle view, always: `pickle.load`, `np.load(allow_pickle=True)`, `joblib.load` and
  `torch.load` read any bytes as a pickle, whatever the name says;
- the format view: archives are opened and each member scanned, .npy headers and Keras
  configs checked, known data formats accepted, unknown binaries marked unscanned;
- the compression view, when the bytes start like gzip, bz2, xz, lzma, zlib or zstd: the
  decompressed stream is scanned like any other source, one level deeper.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import suppress

from catalog.inspect import InspectionError, sniff
from catalog.inspect.small_formats import NPY_PREFIX, read_npy_header
from catalog.scanning import archives, compression, keras
from catalog.scanning.context import ScanContext, Source, inside
from catalog.scanning.errors import SAFE, UNSCANNED, Malformed, Rejected, worst
from catalog.scanning.pickles import PickleScanner

ZIPS = frozenset({sniff.ZIP, sniff.PYTORCH, sniff.NPZ, sniff.KERAS, sniff.TORCHSCRIPT})
# ONNX is only recognised in a whole file, where scan_file checks its external data.
_CHECKED = frozenset(
    {sniff.PICKLE, sniff.PYTORCH_LEGACY, sniff.SAFETENSORS, sniff.ONNX, sniff.TEXT, sniff.JSON}
    | sniff.MEDIA
)
_LEGACY_PICKLES = 5  # magic, protocol, sys_info, the object, storage keys; then raw data


def read_head(source: Source, ctx: ScanContext) -> bytes:
    with ctx.open(source) as reader:
        return reader.read(sniff.HEAD_BYTES)


def scan_source(source: Source, ctx: ScanContext, *, fmt: str | None = None) -> str:
    """Refuse (Rejected) or return SAFE / UNSCANNED for everything the source holds."""
    return _scan(source, read_head(source, ctx), ctx, fmt)


def _scan(source: Source, head: bytes, ctx: ScanContext, fmt: str | None) -> str:
    fmt = fmt or sniff.sniff_head(head, source.size)
    scan_pickles(source, head, fmt, ctx)
    status = _format_view(source, head, fmt, ctx)
    # A file can be two formats at once (a PNG whose bytes are also a tar that torch.load
    # would open): the other readers' views are checked too.
    if fmt != sniff.TAR and sniff.is_tar_header(head):
        with suppress(archives.CorruptArchive):  # then no tar reader can open it either
            status = worst(status, _tar(source, head, ctx))
    if fmt != sniff.HDF5 and _holds_hdf5(source, head):
        status = worst(status, _hdf5(source, head, ctx))
    kind = sniff.compression_of(head)
    layer = None if kind is None else _scan_layer(source, kind, ctx)
    if layer is None:  # not compressed (or only weak magic that did not decompress)
        return UNSCANNED if fmt in sniff.COMPRESSED else status
    return worst(status, layer)


def scan_pickles(source: Source, head: bytes, fmt: str, ctx: ScanContext) -> None:
    scanner = PickleScanner(ctx.limits, ctx.tick)
    with ctx.open(source) as reader:
        if fmt in (sniff.PICKLE, sniff.PYTORCH_LEGACY) and sniff.announces_pickle(head):
            count = _LEGACY_PICKLES if fmt == sniff.PYTORCH_LEGACY else None
            scanner.scan_stream(reader, source.size, count=count)
        else:
            scanner.scan_lenient(reader, source.size)


def _format_view(source: Source, head: bytes, fmt: str, ctx: ScanContext) -> str:
    view = _VIEWS.get(fmt)
    if view is not None:
        return view(source, head, ctx)
    return SAFE if fmt in _CHECKED or fmt in sniff.COMPRESSED else UNSCANNED


def _zip(source: Source, _head: bytes, ctx: ScanContext) -> str:
    with ctx.deeper(), ctx.random_access(source) as f:
        return archives.scan_zip(f, ctx, _member_scanner(ctx))


def _tar(source: Source, _head: bytes, ctx: ScanContext) -> str:
    with ctx.deeper(), ctx.random_access(source) as f:
        return archives.scan_tar(f, ctx, _member_scanner(ctx))


def _member_scanner(ctx: ScanContext) -> Callable[[Source], str]:
    return lambda member: scan_source(member, ctx)


def _npy(source: Source, head: bytes, ctx: ScanContext) -> str:
    if len(head) < NPY_PREFIX and (source.size is None or len(head) < source.size):
        with ctx.open(source) as reader:
            head = reader.read(NPY_PREFIX)
    try:
        header = read_npy_header(head)
    except InspectionError as exc:
        raise Rejected(str(exc)) from None
    if header.dtype.hasobject:
        raise Rejected(
            f"holds a numpy object array (dtype {header.dtype}), whose data numpy "
            "stores as a pickle; save plain numeric arrays"
        )
    return SAFE


def _hdf5(source: Source, _head: bytes, ctx: ScanContext) -> str:
    cheap = source.path or source.seekable
    if not cheap and (source.size or 0) > ctx.limits.max_spill_bytes:
        return UNSCANNED  # too big to copy; a weights file in a .keras archive, most likely
    with ctx.random_access(source) as f:
        return keras.scan_hdf5(f)


def _text(source: Source, head: bytes, ctx: ScanContext) -> str:
    """JSON documents may be Keras configs (a .keras config.json, a keras-hub preset)."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return SAFE
    limit = ctx.limits.max_json_bytes
    if source.size is not None and source.size > limit:
        return SAFE  # too big to be a model config
    with ctx.open(source) as reader:
        data = reader.read(limit + 1)
    document = sniff.parse_json(data) if len(data) <= limit else None
    if document is not None:
        keras.check_keras_config(document)
    return SAFE


def _holds_hdf5(source: Source, head: bytes) -> bool:
    if source.path is None:
        return sniff.hdf5_signature_in(io.BytesIO(head), len(head))
    with source.path.open("rb") as f:
        return sniff.hdf5_signature_in(f, source.size or 0)


def _scan_layer(source: Source, kind: str, ctx: ScanContext) -> str | None:
    """The decompressed stream's status; None when weak magic turned out not to be."""
    compression.check_supported(kind)
    layer = compression.layer_source(source, kind, ctx)
    with ctx.deeper(), inside(f"{kind}-compressed content"):
        try:
            head = read_head(layer, ctx)
        except Malformed:
            if kind in compression.WEAK:
                return None
            raise
        return _scan(layer, head, ctx, None)


_VIEWS: dict[str, Callable[[Source, bytes, ScanContext], str]] = {
    **dict.fromkeys(ZIPS, _zip),
    sniff.TAR: _tar,
    sniff.NPY: _npy,
    sniff.HDF5: _hdf5,
    sniff.TEXT: _text,
    sniff.JSON: _text,
}
