"""What kind of model a folder holds, read from its small JSON files only.

`model_format(paths, read_json)` looks at the file list and a few JSON files (config.json,
modules.json, adapter_config.json, the safetensors index, tokenizer/preprocessor configs) and
says which library saved it, its task (pipeline tag), labels, weights and problems. Pure JSON:
no torch, no Django. transformers' config table (`auto_mappings`, importable without torch) is
used when installed to tell known model types; the head-class -> task table is our own
because importing transformers' `modeling_auto` imports torch (checked with 5.24)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from posixpath import dirname

CONFIG = "config.json"
INDEX = "model.safetensors.index.json"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
PRIMARY_WEIGHTS = ("model.safetensors", "adapter_model.safetensors")
SENTENCEPIECE = ("spiece.model", "sentencepiece.bpe.model", "tokenizer.model")
JSON_KINDS = {dict: "object", list: "list"}  # what a JSON file must hold, in messages

# Head-class suffix -> pipeline tag, longest first; mirrors transformers' MODEL_FOR_*_MAPPING
# tables (audio and vision variants are picked by modality below).
HEAD_TASKS: tuple[tuple[str, str], ...] = (
    ("ForImageClassificationWithTeacher", "image-classification"),
    ("ForAudioFrameClassification", "audio-frame-classification"),
    ("ForZeroShotImageClassification", "zero-shot-image-classification"),
    ("ForUniversalSegmentation", "image-segmentation"),
    ("ForSemanticSegmentation", "image-segmentation"),
    ("ForInstanceSegmentation", "image-segmentation"),
    ("ForSequenceClassification", "text-classification"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForImageClassification", "image-classification"),
    ("ForAudioClassification", "audio-classification"),
    ("ForVideoClassification", "video-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForImageSegmentation", "image-segmentation"),
    ("ForObjectDetection", "object-detection"),
    ("ForDepthEstimation", "depth-estimation"),
    ("ForMultipleChoice", "multiple-choice"),
    ("ForSpeechSeq2Seq", "automatic-speech-recognition"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForPreTraining", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCTC", "automatic-speech-recognition"),
)
# The same head on an audio model means an audio task (Wav2Vec2ForSequenceClassification).
AUDIO_TASKS = {
    "text-classification": "audio-classification",
    "text2text-generation": "automatic-speech-recognition",
}
CLASSIFICATION_TASKS = frozenset(
    {"text-classification", "token-classification", "image-classification", "audio-classification"}
)
PEFT_TASKS = {
    "SEQ_CLS": "text-classification",
    "TOKEN_CLS": "token-classification",
    "CAUSAL_LM": "text-generation",
    "SEQ_2_SEQ_LM": "text2text-generation",
    "QUESTION_ANS": "question-answering",
    "FEATURE_EXTRACTION": "feature-extraction",
}
# Used when transformers is not installed (a web-only deployment).
VISION_TYPES = frozenset(
    {"vit", "deit", "beit", "convnext", "convnextv2", "resnet", "swin", "swinv2", "regnet",
     "efficientnet", "mobilenet_v1", "mobilenet_v2", "mobilevit", "dinov2", "levit", "poolformer",
     "van", "bit", "dit", "detr", "yolos", "segformer", "clip_vision_model", "siglip_vision_model"}
)  # fmt: skip
AUDIO_TYPES = frozenset(
    {"wav2vec2", "wav2vec2-conformer", "hubert", "wavlm", "whisper", "data2vec-audio", "sew",
     "sew-d", "unispeech", "unispeech-sat", "audio-spectrogram-transformer", "speech_to_text",
     "speecht5", "clap", "encodec", "mimi"}
)  # fmt: skip


@dataclass(frozen=True)
class ModelFormat:
    library: str | None = None
    task: str | None = None
    model_type: str | None = None
    architectures: tuple[str, ...] = ()
    modality: str | None = None
    labels: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    sharded_index: str | None = None
    missing_shards: tuple[str, ...] = ()
    pickle_only: bool = False
    has_tokenizer: bool = False
    has_image_processor: bool = False
    custom_code: bool = False
    peft_base: str | None = None
    peft_base_revision: str | None = None
    problems: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> ModelFormat:
        """Tolerant: unknown keys are dropped, missing ones take their defaults."""
        values = {}
        for spec in fields(cls):
            if spec.name in data:
                value = data[spec.name]
                values[spec.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


def model_format(paths: Iterable[str], read_json: Callable[[str], object]) -> ModelFormat:
    """Describe the model whose repository holds `paths`; `read_json(path)` parses one file."""
    return _Detector(paths, read_json).run()


class _Detector:
    def __init__(self, paths: Iterable[str], read_json: Callable[[str], object]) -> None:
        self.paths = frozenset(paths)
        self.root = frozenset(p for p in self.paths if "/" not in p)
        self.read_json = read_json
        self.problems: list[str] = []
        self.out: dict = {}

    def run(self) -> ModelFormat:
        config = self._json(CONFIG)
        adapter = self._json("adapter_config.json")
        self.out["has_tokenizer"] = self._has_tokenizer()
        self.out["has_image_processor"] = "preprocessor_config.json" in self.root
        if adapter is not None:
            self._peft(adapter, config)
        elif "modules.json" in self.root:
            self._sentence_transformers(config)
        elif config is not None and config.get("hub_format") == 1:
            self._hub_legacy(config)
        elif config is not None and "architecture" in config and "pretrained_cfg" in config:
            self._timm(config)
        elif config is not None and "model_type" in config:
            self._transformers(config)
        elif config is not None and "architectures" in config:
            self.problems.append("config.json names architectures but no model_type.")
        if "library" not in self.out and any(p.endswith(".onnx") for p in self.paths):
            self.out["library"] = "onnx"
        self._weights()
        self.out["custom_code"] = self._custom_code(config)
        return ModelFormat(**self.out, problems=tuple(dict.fromkeys(self.problems)))

    def _json(self, path: str, kind: type = dict) -> dict | list | None:
        """The file's JSON object (or list, with ``kind=list``); None, with the problem
        noted, when it cannot be read or holds something else; None when it is absent."""
        if path not in self.paths:
            return None
        try:
            data = self.read_json(path)
        except (ValueError, OSError) as exc:
            self.problems.append(f"{path} could not be read: {exc}")
            return None
        if not isinstance(data, kind):
            self.problems.append(f"{path} must hold a JSON {JSON_KINDS[kind]}.")
            return None
        return data

    def _has_tokenizer(self) -> bool:
        root = self.root
        return bool(
            {"tokenizer.json", "vocab.txt", *SENTENCEPIECE} & root
            or {"vocab.json", "merges.txt"} <= root
        )

    def _transformers(self, config: dict) -> None:
        model_type = config.get("model_type")
        if not isinstance(model_type, str) or not model_type:
            self.problems.append("config.json has an empty or non-string model_type.")
            return
        known = _transformers_tables()["model_types"]
        if known is not None and model_type not in known:
            self.problems.append(
                f"config.json model_type {model_type!r} is unknown to the installed "
                "transformers; it may need custom code or a newer release."
            )
        architectures = _strings(config.get("architectures"))
        modality = self._modality(config, model_type)
        task = _head_task(architectures[0] if architectures else "", modality)
        self.out.update(
            library="transformers",
            model_type=model_type,
            architectures=architectures,
            modality=modality,
            task=task,
            labels=_id2label(config) if task in CLASSIFICATION_TASKS else (),
        )

    def _modality(self, config: dict, model_type: str | None) -> str | None:
        tables = _transformers_tables()
        preprocessor = self._json("preprocessor_config.json") or {}
        if model_type in tables["audio_types"] or "sampling_rate" in preprocessor:
            return "audio"
        if (
            self.out["has_image_processor"]
            or model_type in tables["vision_types"]
            or "num_channels" in config
        ):
            return "image"
        if self.out["has_tokenizer"] or "vocab_size" in config:
            return "text"
        return None

    def _sentence_transformers(self, config: dict | None) -> None:
        modules = self._json("modules.json", list)
        if modules is not None and not any(
            isinstance(m, dict) and str(m.get("type", "")).startswith("sentence_transformers.")
            for m in modules
        ):
            self.problems.append("modules.json lists no sentence_transformers module.")
        for module in modules or ():
            self._module_path_check(module)
        model_type = config.get("model_type") if config else None
        self.out.update(
            library="sentence-transformers",
            task="sentence-similarity",
            model_type=model_type if isinstance(model_type, str) else None,
            architectures=_strings(config.get("architectures")) if config else (),
            modality=self._modality(config or {}, model_type) or "text",
        )

    def _module_path_check(self, module: object) -> None:
        """A module folder must be a relative folder of this repository (or its root; a
        module with no weights, like Normalize, has no files there): a path written in an
        uploaded file never decides what the worker reads."""
        path = module.get("path", "") if isinstance(module, dict) else None
        if not isinstance(path, str):
            self.problems.append("modules.json: a module's path must be a string.")
            return
        parts = path.replace("\\", "/").split("/")
        if path.startswith(("/", "\\")) or ".." in parts or ":" in path or "\\" in path:
            self.problems.append(
                f"modules.json: module path {path[:100]!r} is not a folder of this repository."
            )

    def _peft(self, adapter: dict, config: dict | None) -> None:
        base = adapter.get("base_model_name_or_path")
        revision = adapter.get("revision")
        task_type = adapter.get("task_type")
        task = PEFT_TASKS.get(task_type) if isinstance(task_type, str) else None
        self.out.update(
            library="peft",
            task=task,
            peft_base=base if isinstance(base, str) and base else None,
            peft_base_revision=revision if isinstance(revision, str) and revision else None,
            modality="text" if task in PEFT_TASKS.values() else None,
        )
        if config is not None:  # a saved base config beside the adapter names the labels
            model_type = config.get("model_type")
            self.out["model_type"] = model_type if isinstance(model_type, str) else None
            self.out["architectures"] = _strings(config.get("architectures"))
            if task is None and any(
                a.endswith("ForImageClassification") for a in self.out["architectures"]
            ):
                # peft has no task type for images: the head class in config.json says it.
                task = "image-classification"
                self.out.update(task=task, modality="image")
            if task in CLASSIFICATION_TASKS:
                self.out["labels"] = _id2label(config)

    def _timm(self, config: dict) -> None:
        architecture = config.get("architecture")
        labels = config.get("label_names")
        self.out.update(
            library="timm",
            task="image-classification",
            architectures=(architecture,) if isinstance(architecture, str) else (),
            modality="image",
            labels=_strings(labels),
        )

    def _hub_legacy(self, config: dict) -> None:
        preprocessing = config.get("preprocessing")
        kind = preprocessing.get("type") if isinstance(preprocessing, dict) else None
        task = config.get("task")
        architecture = config.get("architecture")
        self.out.update(
            library="hub-legacy",
            task=task if isinstance(task, str) else None,
            model_type=architecture if isinstance(architecture, str) else None,
            architectures=(architecture,) if isinstance(architecture, str) else (),
            modality=kind if kind in ("text", "image", "audio") else None,
            labels=_strings(config.get("labels")),
        )

    def _weights(self) -> None:
        indexes = sorted(p for p in self.root if p.endswith(".safetensors.index.json"))
        index = INDEX if INDEX in indexes else (indexes[0] if indexes else None)
        weights: tuple[str, ...] = ()
        if index is not None:
            weights = self._shards(index)
        else:
            named = [n for n in PRIMARY_WEIGHTS if n in self.root]
            weights = tuple(named[:1]) or tuple(
                sorted(p for p in self.root if p.endswith(".safetensors"))
            )
        pickles = [p for p in self.root if p.endswith(PICKLE_SUFFIXES) or ".bin.index" in p]
        self.out["weights"] = weights
        self.out["pickle_only"] = not weights and bool(pickles) and index is None

    def _shards(self, index: str) -> tuple[str, ...]:
        data = self._json(index)
        weight_map = data.get("weight_map") if data else None
        if not isinstance(weight_map, dict) or not all(
            isinstance(v, str) for v in weight_map.values()
        ):
            if data is not None:
                self.problems.append(f"{index} has no weight_map of tensor -> file name.")
            return ()
        folder = dirname(index)
        shards = tuple(sorted({f"{folder}/{v}" if folder else v for v in weight_map.values()}))
        missing = tuple(s for s in shards if s not in self.paths)
        self.out["sharded_index"] = index
        self.out["missing_shards"] = missing
        for shard in missing:
            self.problems.append(f"{index} names {shard}, which is not in this version.")
        return shards

    def _custom_code(self, config: dict | None) -> bool:
        if config is not None and "auto_map" in config:
            return True
        tokenizer = self._json("tokenizer_config.json")
        return bool(tokenizer and "auto_map" in tokenizer)


def _head_task(architecture: str, modality: str | None) -> str | None:
    for suffix, task in HEAD_TASKS:
        if architecture.endswith(suffix):
            return AUDIO_TASKS.get(task, task) if modality == "audio" else task
    if architecture.endswith("Model") and "For" not in architecture:
        return "image-feature-extraction" if modality == "image" else "feature-extraction"
    return None


def _id2label(config: dict) -> tuple[str, ...]:
    id2label = config.get("id2label")
    if id2label is None:
        # save_pretrained leaves out transformers' default: num_labels=2 named LABEL_i.
        count = config.get("num_labels", 2)
        return tuple(f"LABEL_{i}" for i in range(count)) if type(count) is int else ()
    if not isinstance(id2label, dict):
        return ()
    try:
        ordered = sorted(id2label.items(), key=lambda kv: int(kv[0]))
    except (TypeError, ValueError):
        return ()
    return tuple(str(label) for _, label in ordered)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


@functools.cache
def _transformers_tables() -> dict:
    """Model types from transformers' generated `auto_mappings` (no torch import); None
    for model_types when transformers is not installed, so nothing is called unknown."""
    try:
        from transformers.models.auto import auto_mappings
    except ImportError:
        return {"model_types": None, "vision_types": VISION_TYPES, "audio_types": AUDIO_TYPES}
    # configuration_auto adds a few names by hand; they are listed here to avoid its torch import.
    extra = {"gpt-sw3", "mimi_decoder", "mimi_encoder", "mlcd", "parakeet_tdt"}
    vision = frozenset(auto_mappings.IMAGE_PROCESSOR_MAPPING_NAMES)
    # Multimodal models (gemma3n, phi4) have both; their text heads are not audio tasks.
    audio = frozenset(auto_mappings.FEATURE_EXTRACTOR_MAPPING_NAMES) - vision
    return {
        "model_types": frozenset(auto_mappings.CONFIG_MAPPING_NAMES) | extra,
        "vision_types": VISION_TYPES | vision,
        "audio_types": AUDIO_TYPES | audio,
    }
