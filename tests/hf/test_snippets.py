""" "Use this model" snippets, run for real: publish a tiny model of each kind, take the snippet
text the model page shows, and execute it in a fresh interpreter against the live hub."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from django.test import Client

from tests import standard_models as sm

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Use 'content=:DeprecationWarning"),
]
SNIPPET_RE = re.compile(
    r'<pre class="snippet" data-snippet="([\w-]+)"[^>]*><code>(.*?)</code>', re.S
)


def page_snippets(hub_url: str, repo: str, *, client: Client | None = None) -> dict[str, str]:
    if client is None:
        with urllib.request.urlopen(f"{hub_url}/{repo}") as response:
            text = response.read().decode()
    else:  # a private page: a logged-in client, addressed as the live server
        text = client.get(f"/{repo}", HTTP_HOST=urlparse(hub_url).netloc).content.decode()
    return {key: html.unescape(code) for key, code in SNIPPET_RE.findall(text)}


def run(code: str, hf_home: Path, *, bash: bool = False, token: str | None = None, cwd=None):
    env = {
        **os.environ,
        "HF_HOME": str(hf_home),
        "HF_HUB_CACHE": str(hf_home / "hub"),
        "HF_ENDPOINT": "http://wrong.invalid",  # the snippet must set it
        "TRANSFORMERS_VERBOSITY": "error",
    }
    env.pop("HF_TOKEN", None)
    if token:
        env["HF_TOKEN"] = token
    command = ["bash", "-euc", code] if bash else [sys.executable, "-c", code]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def upload(hf, repo: str, folder: Path, **kwargs) -> None:
    (folder / "README.md").unlink(missing_ok=True)
    hf.create_repo(repo, exist_ok=True, **kwargs)
    hf.upload_folder(folder_path=folder, repo_id=repo)


def test_transformers_text_pipeline_and_auto_class(hf, hub_url, hf_home, tmp_path):
    upload(hf, "alice/clf", sm.bert_classifier(tmp_path / "clf"))
    snippets = page_snippets(hub_url, "alice/clf")
    assert set(snippets) >= {"transformers-pipeline", "transformers-auto", "snapshot", "curl"}
    assert f'os.environ["HF_ENDPOINT"] = "{hub_url}"' in snippets["transformers-pipeline"]
    out = run(snippets["transformers-pipeline"], hf_home)
    assert re.search(r"'label': '(negative|neutral|positive)'", out), out
    auto = snippets["transformers-auto"]
    assert "AutoModelForSequenceClassification" in auto and "AutoTokenizer" in auto
    out = run(auto + "print(type(model).__name__, len(tokenizer))\n", hf_home)
    assert out.split() == ["BertForSequenceClassification", str(len(sm.WORDS) + 5)]


def test_transformers_image_pipeline(hf, hub_url, hf_home, tmp_path):
    upload(hf, "alice/vit", sm.vit_classifier(tmp_path / "vit"))
    snippets = page_snippets(hub_url, "alice/vit")
    out = run(snippets["transformers-pipeline"], hf_home)
    assert "'label': 'cat'" in out and "'label': 'dog'" in out


def test_sentence_transformers(hf, hub_url, hf_home, tmp_path):
    upload(hf, "alice/st", sm.sentence_transformer(tmp_path / "st", work=tmp_path))
    out = run(page_snippets(hub_url, "alice/st")["sentence-transformers"], hf_home)
    assert "(2, 16)" in out and "tensor" in out


def test_peft_adapter_with_labels_of_its_base(hf, hub_url, hf_home, tmp_path):
    upload(hf, "alice/base", sm.bert_classifier(tmp_path / "base"))
    upload(hf, "alice/lora", sm.peft_lora(tmp_path / "lora", base_repo="alice/base", work=tmp_path))
    code = page_snippets(hub_url, "alice/lora")["peft"]
    assert "AutoPeftModelForSequenceClassification" in code
    assert "id2label={0: 'negative', 1: 'neutral', 2: 'positive'}" in code
    out = run(code, hf_home)
    assert "tensor" in out and out.count(",") >= 2  # three logits


def test_onnx_with_external_data(hf, hub_url, hf_home, tmp_path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 3), dtype=np.float32), "weight")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "weight"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    folder = tmp_path / "onnx"
    folder.mkdir()
    onnx.save_model(
        model, str(folder / "model.onnx"), save_as_external_data=True,
        location="model.onnx.data", size_threshold=0,
    )  # fmt: skip
    upload(hf, "alice/graph", folder)
    code = page_snippets(hub_url, "alice/graph")["onnxruntime"]
    assert '"model.onnx.data"' in code
    out = run(code, hf_home)
    assert "('x', ['batch', 4], 'tensor(float)')" in out


def test_private_model_snapshot_and_curl(hf, hub_url, hf_home, tmp_path, alice, alice_token):
    upload(hf, "alice/secret", sm.bert_classifier(tmp_path / "m", tokenizer=False), private=True)
    client = Client()
    client.force_login(alice)
    snippets = page_snippets(hub_url, "alice/secret", client=client)
    assert "Authorization: Bearer $HF_TOKEN" in snippets["curl"]
    out = run(snippets["snapshot"], hf_home, token=alice_token)
    assert (Path(out.strip()) / "config.json").is_file()
    run(snippets["curl"], hf_home, bash=True, token=alice_token, cwd=tmp_path)
    assert '"model_type": "bert"' in (tmp_path / "config.json").read_text()


def test_timm_snippet(hf, hub_url, hf_home, tmp_path):
    upload(hf, "alice/timmy", sm.timm_folder(tmp_path / "t"))
    code = page_snippets(hub_url, "alice/timmy")["timm"]
    assert 'timm.create_model("hf-hub:alice/timmy", pretrained=True)' in code
    pytest.importorskip("timm")  # not installed here: the snippet text is checked above
    run(code, hf_home)
