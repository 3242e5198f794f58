""" "Use this model": code snippets for a model, as the Hugging Face Hub shows them.

Built from the format detected at publish (`version.metadata["format"]`) of the latest version:
the library decides the loader (transformers pipeline + Auto class, sentence-transformers,
peft, timm), any ONNX graph gets an onnxruntime snippet, and every model gets
`snapshot_download` and curl. Each snippet points the client at this hub first (HF_ENDPOINT),
because the libraries read it once, at import."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from adapters.formats import ModelFormat
from catalog.models import Model, Version

# Pipeline tag -> (transformers Auto class, example call on `pipe`).
TEXT = '"I love this movie!"'
AUTO_CLASSES = {
    "text-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "question-answering": "AutoModelForQuestionAnswering",
    "fill-mask": "AutoModelForMaskedLM",
    "text-generation": "AutoModelForCausalLM",
    "text2text-generation": "AutoModelForSeq2SeqLM",
    "image-classification": "AutoModelForImageClassification",
    "object-detection": "AutoModelForObjectDetection",
    "image-segmentation": "AutoModelForImageSegmentation",
    "audio-classification": "AutoModelForAudioClassification",
    "automatic-speech-recognition": "AutoModelForSpeechSeq2Seq",
    "feature-extraction": "AutoModel",
    "image-feature-extraction": "AutoModel",
}
PIPELINE_CALLS = {
    "text-classification": f"pipe({TEXT})",
    "token-classification": 'pipe("My name is Sarah and I live in London")',
    "question-answering": 'pipe(question="Where do I live?", context="I live in Paris.")',
    "fill-mask": 'pipe(f"Paris is the {pipe.tokenizer.mask_token} of France.")',
    "text-generation": 'pipe("Once upon a time", max_new_tokens=20)',
    "text2text-generation": 'pipe("translate English to German: Hello", max_new_tokens=20)',
    "feature-extraction": f"pipe({TEXT})[0][0][:5]",
    "image-classification": "pipe(image)",
    "image-feature-extraction": "pipe(image)[0][0][:5]",
    "object-detection": "pipe(image)",
    "image-segmentation": "pipe(image)",
}
IMAGE_INPUT = 'image = Image.new("RGB", (224, 224), "white")  # or Image.open("photo.jpg")'
PEFT_CLASSES = {
    "text-classification": "AutoPeftModelForSequenceClassification",
    "token-classification": "AutoPeftModelForTokenClassification",
    "question-answering": "AutoPeftModelForQuestionAnswering",
    "text-generation": "AutoPeftModelForCausalLM",
    "text2text-generation": "AutoPeftModelForSeq2SeqLM",
    "feature-extraction": "AutoPeftModelForFeatureExtraction",
}


@dataclass(frozen=True)
class Snippet:
    key: str
    title: str
    language: str  # "python" | "bash"
    code: str


def model_snippets(*, model: Model, version: Version | None, endpoint: str) -> list[Snippet]:
    """Snippets for `model` at `version` (its latest); [] before the first version."""
    if version is None:
        return []
    fmt = ModelFormat.from_dict(version.metadata.get("format") or {})
    ctx = _Context(model.full_name, endpoint.rstrip("/"), model.private, fmt)
    files = {row.path: row.metadata for row in version.files.all()}
    snippets: list[Snippet] = []
    if fmt.library == "transformers":
        snippets += _transformers(ctx)
    elif fmt.library == "sentence-transformers" and model.task == "text-classification":
        snippets.append(_sentence_transformers_classifier(ctx))
    elif fmt.library == "sentence-transformers":
        snippets.append(_sentence_transformers(ctx))
    elif fmt.library == "peft":
        snippets.append(_peft(ctx, _base_format(version)))
    elif fmt.library == "timm":
        snippets.append(_timm(ctx))
    onnx = _onnx_path(files)
    if onnx is not None:
        snippets.append(_onnxruntime(ctx, onnx, files[onnx].get("external_data") or []))
    snippets.append(_snapshot(ctx))
    snippets.append(_curl(ctx, "config.json" if "config.json" in files else min(files)))
    return snippets


@dataclass(frozen=True)
class _Context:
    repo: str
    endpoint: str
    private: bool
    fmt: ModelFormat

    def header(self, *imports: str) -> str:
        lines = ["import os", ""]
        lines.append(f'os.environ["HF_ENDPOINT"] = "{self.endpoint}"  # this hub, before imports')
        if self.private:
            tokens = f"{self.endpoint}/settings/tokens"
            lines.append(f"# Private model: export HF_TOKEN (a token from {tokens})")
        return "\n".join([*lines, "", *imports]) + "\n\n"

    @property
    def remote(self) -> str:
        return ", trust_remote_code=True" if self.fmt.custom_code else ""


def _transformers(ctx: _Context) -> list[Snippet]:
    fmt, out = ctx.fmt, []
    task = fmt.task
    if task in PIPELINE_CALLS:
        image = task.startswith(("image", "object"))
        imports = ["from transformers import pipeline"]
        if image:
            imports.insert(0, "from PIL import Image")
        body = f'pipe = pipeline("{task}", model="{ctx.repo}"{ctx.remote})\n'
        if image:
            body += IMAGE_INPUT + "\n"
        body += f"print({PIPELINE_CALLS[task]})\n"
        out.append(Snippet("transformers-pipeline", "Transformers: pipeline", "python",
                           ctx.header(*imports) + body))  # fmt: skip
    auto = AUTO_CLASSES.get(task or "", "AutoModel")
    if any(name.endswith("ForCTC") for name in fmt.architectures):
        auto = "AutoModelForCTC"
    processor = {"text": "AutoTokenizer", "image": "AutoImageProcessor", "audio": "AutoProcessor"}
    pre = processor.get(fmt.modality or "")
    if pre == "AutoTokenizer" and not fmt.has_tokenizer:
        pre = None
    if pre == "AutoImageProcessor" and not fmt.has_image_processor:
        pre = None
    names = ", ".join(name for name in (pre, auto) if name)
    body = ""
    if pre:
        var = "tokenizer" if pre == "AutoTokenizer" else "processor"
        body += f'{var} = {pre}.from_pretrained("{ctx.repo}"{ctx.remote})\n'
    body += f'model = {auto}.from_pretrained("{ctx.repo}"{ctx.remote})\n'
    out.append(Snippet("transformers-auto", f"Transformers: {auto}", "python",
                       ctx.header(f"from transformers import {names}") + body))  # fmt: skip
    return out


def _sentence_transformers(ctx: _Context) -> Snippet:
    body = (
        f'model = SentenceTransformer("{ctx.repo}"{ctx.remote})\n'
        'sentences = ["The weather is lovely today.", "It is so sunny outside!"]\n'
        "embeddings = model.encode(sentences)\n"
        "print(embeddings.shape)\n"
        "print(model.similarity(embeddings, embeddings))\n"
    )
    header = ctx.header("from sentence_transformers import SentenceTransformer")
    return Snippet("sentence-transformers", "sentence-transformers", "python", header + body)


def _sentence_transformers_classifier(ctx: _Context) -> Snippet:
    """A fine-tuned sentence-transformers classifier: its last Dense layer gives logits and
    config.json's id2label names them."""
    body = (
        f'model = SentenceTransformer("{ctx.repo}"{ctx.remote})\n'
        "labels = model[0].auto_model.config.id2label\n"
        f"logits = model.encode([{TEXT}])\n"
        "print([labels[int(i)] for i in logits.argmax(1)])\n"
    )
    header = ctx.header("from sentence_transformers import SentenceTransformer")
    return Snippet("sentence-transformers", "sentence-transformers", "python", header + body)


def _peft(ctx: _Context, base: ModelFormat | None) -> Snippet:
    fmt = ctx.fmt
    if fmt.task == "image-classification" and fmt.peft_base:
        return _peft_image(ctx)
    cls = PEFT_CLASSES.get(fmt.task or "", "AutoPeftModel")
    labels = fmt.labels or (base.labels if base else ())
    extra = ""
    if fmt.task == "text-classification" and labels:
        # The head must have as many outputs as the adapter was trained with, whatever the
        # base's own head had.
        extra = ", id2label=" + repr(dict(enumerate(labels))) + ", ignore_mismatched_sizes=True"
    body = f'model = {cls}.from_pretrained("{ctx.repo}"{extra})\n'
    imports = [f"from peft import {cls}"]
    if base is not None and base.has_tokenizer and fmt.task in PEFT_CLASSES:
        imports.append("from transformers import AutoTokenizer")
        body += (
            'base = model.peft_config["default"].base_model_name_or_path\n'
            "tokenizer = AutoTokenizer.from_pretrained(base)\n"
            f'inputs = tokenizer({TEXT}, return_tensors="pt")\n'
            "print(model(**inputs)[0])\n"
        )
    return Snippet("peft", f"PEFT: {cls}", "python", ctx.header(*imports) + body)


def _peft_image(ctx: _Context) -> Snippet:
    """peft has no auto class for image classifiers: load the base with the adapter's
    labels, then the adapter on top (as peft's own image-classification guide does)."""
    fmt = ctx.fmt
    revision = f', revision="{fmt.peft_base_revision}"' if fmt.peft_base_revision else ""
    labels = repr(dict(enumerate(fmt.labels)))
    body = (
        f"base = AutoModelForImageClassification.from_pretrained(\n"
        f'    "{fmt.peft_base}"{revision}, id2label={labels}, ignore_mismatched_sizes=True\n'
        ")\n"
        f'model = PeftModel.from_pretrained(base, "{ctx.repo}")\n'
        f'processor = AutoImageProcessor.from_pretrained("{ctx.repo}")\n'
        f"{IMAGE_INPUT}\n"
        'logits = model(**processor(images=image, return_tensors="pt")).logits\n'
        "print(base.config.id2label[int(logits.argmax(-1))])\n"
    )
    imports = [
        "from peft import PeftModel",
        "from PIL import Image",
        "from transformers import AutoImageProcessor, AutoModelForImageClassification",
    ]
    return Snippet("peft", "PEFT: PeftModel", "python", ctx.header(*imports) + body)


def _timm(ctx: _Context) -> Snippet:
    body = (
        f'model = timm.create_model("hf-hub:{ctx.repo}", pretrained=True)\n'
        "model.eval()\n"
        "print(model.pretrained_cfg)\n"
    )
    return Snippet("timm", "timm", "python", ctx.header("import timm") + body)


def _onnxruntime(ctx: _Context, path: str, external: list) -> Snippet:
    folder = posixpath.dirname(path)
    body = f'model_path = hf_hub_download("{ctx.repo}", "{path}")\n'
    for location in external:
        if isinstance(location, str) and location:
            data = posixpath.normpath(posixpath.join(folder, location))
            body += f'hf_hub_download("{ctx.repo}", "{data}")  # external weights, beside it\n'
    body += (
        "session = ort.InferenceSession(model_path)\n"
        "print([(i.name, i.shape, i.type) for i in session.get_inputs()])\n"
    )
    header = ctx.header("import onnxruntime as ort", "from huggingface_hub import hf_hub_download")
    return Snippet("onnxruntime", "ONNX Runtime", "python", header + body)


def _snapshot(ctx: _Context) -> Snippet:
    body = f'folder = snapshot_download("{ctx.repo}")\nprint(folder)\n'
    header = ctx.header("from huggingface_hub import snapshot_download")
    return Snippet("snapshot", "Download all files", "python", header + body)


def _curl(ctx: _Context, path: str) -> Snippet:
    auth = ' -H "Authorization: Bearer $HF_TOKEN"' if ctx.private else ""
    name = posixpath.basename(path)
    lines = [f"export HF_ENDPOINT={ctx.endpoint}"]
    if ctx.private:
        lines.append(
            "# Private model: HF_TOKEN must hold a token from $HF_ENDPOINT/settings/tokens"
        )
    lines.append(f'curl -fL{auth} "$HF_ENDPOINT/{ctx.repo}/resolve/main/{path}" -o {name}')
    return Snippet("curl", "curl", "bash", "\n".join(lines) + "\n")


def _onnx_path(files: dict[str, dict]) -> str | None:
    graphs = sorted(path for path in files if path.endswith(".onnx"))
    for preferred in ("model.onnx", "onnx/model.onnx"):
        if preferred in graphs:
            return preferred
    return graphs[0] if graphs else None


def _base_format(version: Version) -> ModelFormat | None:
    """The format of the model a peft adapter extends, when it is linked on this hub."""
    if version.metadata.get("base_model_relation") != "adapter" or version.parent is None:
        return None
    return ModelFormat.from_dict(version.parent.metadata.get("format") or {})
