"""Scanning refuses unsafe uploads by their content and never runs what it scans."""

from __future__ import annotations

import gzip
import json
import pickle
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from catalog.inspect import inspect_file
from catalog.scanning import (
    SAFE,
    UNSCANNED,
    ScanLimits,
    ScanReport,
    UnsafeFileError,
    safe_torch_load,
    scan_file,
    scan_report,
    scan_upload,
)
from tests import malicious_corpus as mc
from tests.catalog import fixtures_files as ff


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """The file an exploit would create; it must never exist after a scan."""
    return tmp_path / "pwned"


def _reject(path: Path, repo_path: str, **kwargs: object) -> str:
    with pytest.raises(UnsafeFileError) as info:
        scan_file(path, repo_path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"{repo_path}: ")
    return message


# ------------------------------------------------------------------------- pickles

EXPLOITS = {
    "reduce_p2": (lambda m: ff.reduce_exploit(m, 2), "posix.system"),
    "reduce_p5": (lambda m: ff.reduce_exploit(m, 5), "posix.system"),
    "memo_stack_global": (ff.memo_stack_global_exploit, "os.system"),
    "getattr": (ff.getattr_exploit, "builtins.getattr"),
    "import_module": (ff.import_module_exploit, "operator.attrgetter"),
    "dotted_name": (ff.dotted_name_exploit, "torch.serialization.os.system"),
}


@pytest.mark.parametrize("name", EXPLOITS)
def test_fixture_exploits_are_real(tmp_path: Path, marker: Path, name: str) -> None:
    # Guard against a vacuous suite: loading each fixture really runs its payload.
    build, _ = EXPLOITS[name]
    path = tmp_path / "x.pkl"
    path.write_bytes(build(marker))
    _run_pickle_load(path)
    assert marker.read_text().strip() == "pwned"


def _run_pickle_load(path: Path) -> None:
    """pickle.load the file in a child process (only ever on our own payloads)."""
    code = "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))"
    subprocess.run([sys.executable, "-c", code, str(path)], check=False, capture_output=True)


@pytest.mark.parametrize("name", EXPLOITS)
@pytest.mark.parametrize("filename", ["model.bin", "model.pt", "weights.ckpt", "data.txt"])
def test_malicious_pickles_are_rejected_by_content(
    tmp_path: Path, marker: Path, name: str, filename: str
) -> None:
    build, offending = EXPLOITS[name]
    path = tmp_path / "upload"
    path.write_bytes(build(marker))
    message = _reject(path, filename)
    assert f"pickle imports {offending}, which is not allowed" in message
    assert "convert to safetensors" in message
    assert not marker.exists()


def test_rejection_message_names_the_import(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(pickle.PROTO + b"\x02" + b"cos\nsystem\n" + pickle.STOP)
    assert _reject(path, "model.bin") == (
        "model.bin: pickle imports os.system, which is not allowed; "
        "only torch/numpy tensor data may be uploaded (convert to safetensors)"
    )


@pytest.mark.parametrize(
    ("module", "name", "shown"),
    [
        ("subprocess", "Popen", "subprocess.Popen"),
        ("subprocess", "check_output", "subprocess.check_output"),
        ("posix", "system", "posix.system"),
        ("nt", "system", "nt.system"),
        ("runpy", "run_path", "runpy.run_path"),
        ("webbrowser", "open", "webbrowser.open"),
        ("builtins", "eval", "builtins.eval"),
        ("__builtin__", "exec", "builtins.exec"),  # Python 2 spelling, mapped like pickle
        ("builtins", "__import__", "builtins.__import__"),
        ("importlib", "import_module", "importlib.import_module"),
        ("torch", "load", "torch.load"),
    ],
)
@pytest.mark.parametrize("opcode", ["GLOBAL", "STACK_GLOBAL"])
def test_dangerous_imports_are_named(
    tmp_path: Path, module: str, name: str, shown: str, opcode: str
) -> None:
    if opcode == "GLOBAL":
        body = pickle.PROTO + b"\x02" + f"c{module}\n{name}\n".encode()
    else:
        body = pickle.PROTO + b"\x04" + ff.push_str(module) + ff.push_str(name) + b"\x93"
        shown = f"{module}.{name}"  # protocol 4: no Python 2 name mapping
    path = tmp_path / "f"
    path.write_bytes(body + pickle.STOP)
    assert f"pickle imports {shown}, which is not allowed" in _reject(path, "m.bin")


def test_protocol0_inst_pickle_found_by_extension(tmp_path: Path, marker: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(ff.inst_exploit(marker))
    assert "pickle imports os.system" in _reject(path, "model.pkl")
    assert not marker.exists()


def test_pickle_polyglot_of_another_format_is_rejected(tmp_path: Path, marker: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(ff.gguf_pickle_polyglot(marker))
    assert inspect_file(path, "model.bin")["format"] == "gguf"
    assert "pickle imports os.system" in _reject(path, "model.bin")
    assert not marker.exists()
    _run_pickle_load(path)  # proof that the fixture is a working exploit
    assert marker.exists()


def test_safetensors_header_looking_like_proto_is_not_a_pickle(tmp_path: Path) -> None:
    # Header length 0x0280 begins with the bytes of PROTO 2.
    header = b'{"__metadata__": {"pad": "' + b"x" * (0x280 - 29) + b'"}}'
    assert len(header) == 0x280
    path = ff.safetensors_raw(tmp_path / "s", header)
    assert path.read_bytes()[:2] == b"\x80\x02"
    assert scan_file(path, "model.bin") == "safetensors"


def test_second_pickle_in_stream_is_scanned(tmp_path: Path, marker: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(pickle.dumps({"ok": 1}, protocol=2) + ff.reduce_exploit(marker))
    assert "posix.system" in _reject(path, "model.pkl")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (ff.unresolvable_stack_global(), "cannot verify import"),
        (ff.extension_registry_pickle(), "extension registry"),
        (ff.build_on_global(), "modifies attributes of an imported class"),
        (pickle.dumps({"a": [1, 2, 3]}, protocol=2)[:-5], "truncated"),
        (pickle.PROTO + b"\x02" + b"\xff" + pickle.STOP, "opcode b'\\xff' unknown"),
        (pickle.PROTO + b"\x02" + pickle.BINGET + b"\x03" + pickle.STOP, "memo slot 3"),
        (pickle.PROTO + b"\x02" + pickle.APPEND + pickle.STOP, "stack underflow"),
    ],
)
def test_unverifiable_pickles_are_rejected(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    assert expected in _reject(path, "model.bin")


def test_opcode_budget(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(pickle.dumps(list(range(1000)), protocol=2))
    assert "more than 100 opcodes" in _reject(
        path, "model.pkl", limits=ScanLimits(max_pickle_opcodes=100)
    )


def test_byte_budget_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "f"
    # BINBYTES8 claiming 2**40 bytes: refused as truncated, nothing is allocated.
    path.write_bytes(pickle.PROTO + b"\x04" + b"\x8e" + (2**40).to_bytes(8, "little"))
    assert "truncated" in _reject(path, "model.pkl")
    path.write_bytes(pickle.dumps(bytes(2 * 1024 * 1024), protocol=4))
    limits = ScanLimits(max_pickle_bytes=1024 * 1024)
    assert "larger than the 1048576-byte scan limit" in _reject(path, "model.pkl", limits=limits)


def test_plain_numpy_pickle_passes(tmp_path: Path) -> None:
    # Protocol 4 numpy pickles fetch "numpy" back from the memo for STACK_GLOBAL.
    for protocol in (2, 4, 5):
        path = tmp_path / f"arr{protocol}.pkl"
        path.write_bytes(pickle.dumps({"w": np.arange(6.0), "n": np.float32(2)}, protocol))
        assert scan_file(path, "arrays.pkl") == "pickle"


# --------------------------------------------------------------------- torch files


def test_real_torch_checkpoints_pass(tmp_path: Path) -> None:
    assert scan_file(ff.torch_zip_checkpoint(tmp_path / "a"), "pytorch_model.bin") == "pytorch"
    legacy = ff.torch_legacy_checkpoint(tmp_path / "b")
    assert scan_file(legacy, "model.pt") == "pytorch-legacy"


def test_torch_checkpoint_with_numpy_and_sets_passes(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.pt"
    torch.save({"w": torch.ones(2), "np": np.ones(3), "tags": {"a"}, "n": 3}, path)
    assert scan_file(path, "ckpt.pt") == "pytorch"


def test_malicious_torch_zip_and_legacy_are_rejected(tmp_path: Path, marker: Path) -> None:
    zipped = ff.torch_zip_exploit(tmp_path / "z", marker)
    assert "archive/data.pkl: pickle imports posix.system" in _reject(zipped, "model.bin")
    extra = ff.torch_zip_exploit(tmp_path / "e", marker, member="archive/extra.pkl")
    assert "archive/extra.pkl" in _reject(extra, "model.bin")
    legacy = ff.torch_legacy_exploit(tmp_path / "l", marker)
    assert "posix.system" in _reject(legacy, "model.pt")
    assert not marker.exists()


def test_torchscript_is_rejected(tmp_path: Path) -> None:
    path = ff.torchscript_archive(tmp_path / "traced.pt")
    message = _reject(path, "model.pt")
    assert "TorchScript archives contain code; upload safetensors or ONNX" in message


def test_truncated_torch_zip_is_rejected(tmp_path: Path) -> None:
    path = ff.truncate(ff.torch_zip_checkpoint(tmp_path / "t"))
    assert "truncated or corrupt zip" in _reject(path, "model.bin")


def test_crc_corrupted_torch_zip_is_rejected(tmp_path: Path) -> None:
    path = ff.corrupt_member(ff.torch_zip_checkpoint(tmp_path / "c"), "/data/0")
    message = _reject(path, "model.bin")
    assert "is corrupt or truncated" in message
    assert "CRC" in message


def test_duplicate_zip_members_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
        with pytest.warns(UserWarning):
            zf.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
    assert "more than once" in _reject(path, "model.bin")


def test_safe_torch_load(tmp_path: Path, marker: Path) -> None:
    loaded = safe_torch_load(ff.torch_zip_checkpoint(tmp_path / "ok.bin"))
    expected = ff.state_dict()
    assert loaded.keys() == expected.keys()
    assert all(torch.equal(loaded[k], expected[k]) for k in expected)
    legacy = safe_torch_load(ff.torch_legacy_checkpoint(tmp_path / "old"))
    assert torch.equal(legacy["steps"], expected["steps"])
    with pytest.raises(UnsafeFileError, match=r"posix\.system"):
        safe_torch_load(ff.torch_zip_exploit(tmp_path / "bad", marker), "bad.bin")
    assert not marker.exists()
    with pytest.raises(UnsafeFileError, match="not a torch checkpoint"):
        safe_torch_load(ff.safetensors_file(tmp_path / "x.safetensors"))


# ------------------------------------------------------------------ archives, numpy


def test_zip_bomb_costs_almost_nothing(tmp_path: Path) -> None:
    # Issue 12: 2 MB holding 2 x 1 GiB of zeros took 9 s. Members are inflated only as far
    # as their content needs: zeros are no format, so only their first bytes are read.
    path = mc.zip_of_zeros(tmp_path / "bomb.zip", ["a.bin", "b.bin"], 1024)
    assert path.stat().st_size < 3 * 1024 * 1024
    report, cpu = _timed(path, "bomb.zip")
    assert report == ScanReport("zip", UNSCANNED)
    assert cpu < 2.0, cpu  # measured 0.005 s here (before: 4.7 s)


def test_compressed_pickle_bombs_are_refused_within_budget(tmp_path: Path) -> None:
    big_bytes = b"\x80\x04\x8e" + (300 << 20).to_bytes(8, "little")  # BINBYTES8, 300 MiB
    zipped = mc.zip_of_zeros(tmp_path / "p.zip", ["archive/data.pkl"], 300, prefix=big_bytes)
    assert "scan limit" in _reject(zipped, "model.bin")  # the header says: nothing read
    gzipped = mc.gzip_of_zeros(tmp_path / "p.gz", 300, prefix=big_bytes)
    message, cpu = _timed_reject(gzipped, "model.joblib")
    assert "gzip-compressed content: decompresses to more than 256 MiB (possible zip bomb)" in (
        message
    )
    assert cpu < 2.0, cpu
    small = ScanLimits(max_inflated_bytes=1024 * 1024)
    assert "more than 1 MiB" in _reject(gzipped, "model.joblib", limits=small)
    header = tarfile.TarInfo("zeros.bin")
    header.size = 8 * 1024 * 1024
    tar_gz = mc.gzip_of_zeros(tmp_path / "t.tar.gz", 8, prefix=header.tobuf())
    assert "possible zip bomb" in _reject(tar_gz, "data.tar.gz", limits=small)


def _timed(path: Path, repo_path: str, **kwargs: object) -> tuple[ScanReport, float]:
    start = time.thread_time()
    report = scan_report(path, repo_path, **kwargs)  # type: ignore[arg-type]
    return report, time.thread_time() - start


def _timed_reject(path: Path, repo_path: str) -> tuple[str, float]:
    start = time.thread_time()
    message = _reject(path, repo_path)
    return message, time.thread_time() - start


def test_scan_time_budget(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(pickle.dumps(list(range(100_000)), protocol=2))
    message = _reject(path, "model.pkl", limits=ScanLimits(max_seconds=0.0))
    assert "scanning used more than 0 s of CPU and stopped" in message


def test_nesting_depth_limit(tmp_path: Path) -> None:
    data = pickle.dumps({"ok": 1}, protocol=2)
    for _ in range(3):
        data = gzip.compress(data)
    path = tmp_path / "f"
    path.write_bytes(data)
    assert scan_report(path, "x.gz") == ScanReport("gzip", SAFE)
    path.write_bytes(gzip.compress(data))
    assert "more than 3 levels deep" in _reject(path, "x.gz")


def test_zip_member_count_limit(tmp_path: Path) -> None:
    path = ff.many_members_zip(tmp_path / "many.zip", 50)
    message = _reject(path, "files.zip", limits=ScanLimits(max_members=10))
    assert "50 members, over the limit of 10" in message


def test_unopenable_compression_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"\x04\x22\x4d\x18" + bytes(32))  # an lz4 frame: joblib can load it
    assert _reject(path, "model.joblib") == (
        "model.joblib: is lz4-compressed, which the hub cannot look inside; upload it uncompressed"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"x^2 + y^2 = 1\n",  # starts like a zlib header
        b"]\x00\x00 not lzma" + bytes(20),  # starts like lzma-alone
        b"\x78\x01" + bytes(6) + b"{}",  # a safetensors length of 0x178 reads as zlib too
    ],
)
def test_weak_compression_magic_that_is_not_compressed_passes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    scan_report(path, "file.bin")  # no refusal: nothing decompresses


@pytest.mark.parametrize(
    "text",
    [
        b"cat\ndog\nbird\n",  # GLOBAL "at"."dog", then BUILD underflows: nothing runs
        b"import torch\nimport os\n\nclass Net:\n    pass\n",  # INST without a MARK
        b"col1,col2\n1,2\n",
        b"(cos\nsystem\n",  # a forbidden import the data ends after: never used
    ],
)
def test_text_that_parses_a_little_as_a_pickle_passes(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "f"
    path.write_bytes(text)
    assert scan_report(path, "labels.txt").status == SAFE


def test_forbidden_import_is_refused_once_used(tmp_path: Path, marker: Path) -> None:
    # Returned (STOP), passed (APPEND) or called (REDUCE): each refused, protocol 0.
    for tail in (b".", b"a.", b"(S'x'\ntR."):
        path = tmp_path / "f"
        path.write_bytes(b"(lp0\n" + b"csubprocess\nPopen\n" + tail)
        assert "pickle imports subprocess.Popen" in _reject(path, "labels.txt"), tail


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(gzip.compress(pickle.dumps(list(range(1000)), protocol=2))[:-40])
    assert "gzip data is corrupt or truncated" in _reject(path, "model.pkl.gz")


def test_pickle_inside_zip_after_other_bytes(tmp_path: Path, marker: Path) -> None:
    # Zip readers find the directory at the end, so bytes before it hide nothing.
    path = tmp_path / "f"
    path.write_bytes(b"GGUF" + bytes(60) + mc._zip({"x": mc.evil_pickle(marker)}))
    assert "x: pickle imports posix.system" in _reject(path, "model.gguf")


def test_a_directory_no_zip_reader_can_open_is_ignored(tmp_path: Path) -> None:
    # Random bytes that end like a zip (one member, at an offset past the end): zip readers
    # fail on it, so it hides nothing; a broken zip *inside* an archive is still refused.
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46, 10**6, 0)
    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * 8 + end)
    assert scan_report(path, "weights.raw") == ScanReport("unknown", UNSCANNED)
    path.write_bytes(mc._tar({"a.zip": b"PK\x03\x04" + bytes(60) + end, "b.txt": b"b"}))
    assert "a.zip: is a truncated or corrupt zip archive" in _reject(path, "x.tar")


def test_tar_member_anywhere_is_scanned(tmp_path: Path, marker: Path) -> None:
    members = {f"f{i}.txt": b"text" for i in range(5)} | {"deep/x": mc.evil_pickle(marker)}
    path = tmp_path / "t.tar"
    path.write_bytes(mc._tar(members))
    assert "deep/x: pickle imports posix.system" in _reject(path, "weights.tar")
    assert not marker.exists()


def test_archives_inside_a_tar_are_read_in_place(tmp_path: Path, marker: Path) -> None:
    checkpoint = ff.torch_zip_checkpoint(tmp_path / "c").read_bytes()
    keras_ok = mc.keras_h5(tmp_path, None)
    path = tmp_path / "t.tar"
    path.write_bytes(mc._tar({"ckpt/pytorch_model.bin": checkpoint, "k/model.h5": keras_ok}))
    limits = ScanLimits(max_spill_bytes=16)  # nothing is copied out of a tar on disk
    assert scan_report(path, "model.tar", limits=limits) == ScanReport("tar", SAFE)
    path.write_bytes(mc._tar({"k/model.h5": mc.keras_h5(tmp_path, marker)}))
    assert "k/model.h5: holds a Keras Lambda layer" in _reject(path, "model.tar", limits=limits)


def test_nested_archive_spill_limit(tmp_path: Path) -> None:
    path = tmp_path / "n.zip"
    path.write_bytes(mc._zip({"inner.zip": mc._zip({"a.txt": b"a" * 1000})}))
    assert "inner.zip: holds a nested archive larger than" in _reject(
        path, "n.zip", limits=ScanLimits(max_spill_bytes=100)
    )
    assert scan_report(path, "n.zip") == ScanReport("zip", SAFE)


def test_keras_config_importing_other_modules_is_refused(tmp_path: Path) -> None:
    config = mc.keras_config(None)
    config["config"]["layers"][1]["module"] = "os"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert "imports 'Dense' from module 'os'" in _reject(path, "config.json")


def test_deeply_nested_json_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"[" * 100_000)
    assert scan_report(path, "x.json").status == SAFE


def test_scan_status_of_formats(tmp_path: Path) -> None:
    assert scan_report(ff.gguf_file(tmp_path / "g"), "m.gguf") == ScanReport("gguf", UNSCANNED)
    torch_zip = ff.torch_zip_checkpoint(tmp_path / "t")
    assert scan_report(torch_zip, "pytorch_model.bin") == ScanReport("pytorch", SAFE)
    assert scan_upload([(torch_zip, "a.bin"), (ff.gguf_file(tmp_path / "h"), "b.gguf")]) == {
        "a.bin": SAFE,
        "b.gguf": UNSCANNED,
    }


def test_numpy_files(tmp_path: Path) -> None:
    assert scan_file(ff.npy_file(tmp_path / "a.npy"), "a.npy") == "npy"
    assert scan_file(ff.npz_file(tmp_path / "b.npz"), "b.npz") == "npz"
    objects = ff.npy_file(tmp_path / "o.npy", dtype="object")
    assert "numpy object array" in _reject(objects, "o.npy")


# ------------------------------------------------------------------------------ ONNX


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("../../etc/passwd", "climbs out of the model folder"),
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/win.ini", "drive letter"),
        ("..\\secrets.bin", "backslash"),
        ("weights/../../x.bin", "climbs out"),
        ("missing.bin", "not a file of this upload"),
    ],
)
def test_onnx_external_data_outside_upload_rejected(
    tmp_path: Path, location: str, expected: str
) -> None:
    path = ff.onnx_model(tmp_path / "m.onnx", external_location=location)
    message = _reject(path, "model.onnx", sibling_paths={"model.onnx", "weights.bin"})
    assert f"ONNX external data location {location!r}" in message
    assert expected in message


def test_onnx_external_data_inside_subgraph_constant_rejected(tmp_path: Path) -> None:
    path = ff.onnx_model(tmp_path / "m.onnx", external_location="/etc/shadow", in_constant=True)
    assert "'/etc/shadow' is absolute" in _reject(path, "model.onnx")


def test_onnx_external_data_sibling_accepted(tmp_path: Path) -> None:
    path = ff.onnx_model(tmp_path / "m.onnx", external_location="model.onnx_data")
    siblings = {"onnx/model.onnx", "onnx/model.onnx_data"}
    assert scan_file(path, "onnx/model.onnx", sibling_paths=siblings) == "onnx"
    data = tmp_path / "d"
    data.write_bytes(bytes(48))
    scan_upload([(path, "onnx/model.onnx"), (data, "onnx/model.onnx_data")])
    with pytest.raises(UnsafeFileError, match="not a file of this upload"):
        scan_upload([(path, "onnx/model.onnx")])
    scan_upload([(path, "onnx/model.onnx")], kept_paths=["onnx/model.onnx_data"])


# ----------------------------------------------------------------------- safetensors


def test_safetensors(tmp_path: Path) -> None:
    assert scan_file(ff.safetensors_file(tmp_path / "m"), "model.bin") == "safetensors"
    broken = ff.safetensors_raw(tmp_path / "b", b'{"a": {"dtype": "F32", "shape": [2]}}')
    assert "bad shape or data_offsets" in _reject(broken, "model.safetensors")


def test_upload_stops_at_first_unsafe_file(tmp_path: Path, marker: Path) -> None:
    good = ff.safetensors_file(tmp_path / "good")
    bad = tmp_path / "bad"
    bad.write_bytes(ff.reduce_exploit(marker))
    with pytest.raises(UnsafeFileError, match=r"^extra\.bin: pickle imports posix\.system"):
        scan_upload([(good, "model.safetensors"), (bad, "extra.bin")])
    assert not marker.exists()
