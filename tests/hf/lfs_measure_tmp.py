"""Figures for issue 13 item 2 (not a CI test): bytes on the wire for a second upload_folder
whose one small file changed, and staging bytes left after the commits."""

import os
import time
from pathlib import Path

import pytest
from huggingface_hub import HfApi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings("ignore")]
MB = int(os.environ.get("MEASURE_MB", "200"))


def staged_bytes(isolated_storage):
    root = Path(isolated_storage["temp"]) / "lfs"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def test_measure(hf, alice_token, proxy, tmp_path, isolated_storage):
    folder = tmp_path / "model"
    folder.mkdir()
    header = b'{"w":{"dtype":"U8","shape":[%d],"data_offsets":[0,%d]}}' % (MB << 20, MB << 20)
    header += b" " * (-len(header) % 8)
    with open(folder / "model.safetensors", "wb") as out:
        out.write(len(header).to_bytes(8, "little") + header)
        for _ in range(MB):
            out.write(os.urandom(1 << 20))
    (folder / "config.json").write_text('{"model_type": "bert"}')
    (folder / "notes.txt").write_text("first")
    hf.create_repo("alice/m")
    wire = HfApi(endpoint=proxy.url, token=alice_token)
    t = time.perf_counter()
    wire.upload_folder(folder_path=folder, repo_id="alice/m")
    first, t1 = sum(e.sent for e in proxy.log), time.perf_counter() - t
    (folder / "notes.txt").write_text("second, changed")
    mark = len(proxy.log)
    t = time.perf_counter()
    wire.upload_folder(folder_path=folder, repo_id="alice/m")
    second, t2 = sum(e.sent for e in proxy.log[mark:]), time.perf_counter() - t
    left2 = staged_bytes(isolated_storage)
    mark = len(proxy.log)
    wire.create_repo("alice/other")
    wire.upload_file(path_or_fileobj=folder / "model.safetensors", path_in_repo="model.safetensors", repo_id="alice/other")
    third = sum(e.sent for e in proxy.log[mark:])
    left3 = staged_bytes(isolated_storage)
    print(f"\nFIGURES MB={MB} first_upload_sent={first} ({t1:.2f}s) second_upload_sent={second} "
          f"({t2:.2f}s) staging_left_after_second={left2} same_file_other_repo_sent={third} "
          f"staging_left_after_that={left3}")
