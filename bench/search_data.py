"""Deterministic synthetic catalog for bench/search.py: namespaces and model rows that look like
a public model hub (architecture families with sizes and fine-tunes, skewed tasks, licenses,
languages, datasets, heavy-tailed downloads, a few private models, cards from templates).

Pure Python, no Django: `namespace_rows()` and `model_rows()` yield tuples in the column order
of `NAMESPACE_COLUMNS` / `MODEL_COLUMNS`, ready for PostgreSQL COPY. The same seed and sizes
always give the same rows, ids included."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from catalog.vocab import TASKS

NOW = datetime(2025, 6, 1, tzinfo=UTC)  # fixed, so runs compare
SPAN_DAYS = 3 * 365
PRIVATE_SHARE = 0.03

NAMESPACE_COLUMNS = ("id", "name", "kind", "created_at")
MODEL_COLUMNS = (
    "id",
    "namespace_id",
    "name",
    "card",
    "summary",
    "task",
    "source_domain",
    "library",
    "license",
    "datasets",
    "languages",
    "tags",
    "private",
    "created_at",
    "updated_at",
    "downloads",
    "likes",
    "base_model",
    "finetunable",
    "trending",
)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Family:
    """An architecture: its names, sizes and what models built on it are usually about."""

    name: str
    org: str
    sizes: tuple[str, ...]
    tasks: tuple[str, ...]  # most likely first
    domains: tuple[str, ...]
    libraries: tuple[str, ...]
    datasets: tuple[str, ...]
    variants: tuple[str, ...] = ()
    multilingual: bool = False


TEXT_DATA = words(
    "imdb sst2 squad glue conll2003 xsum cnn_dailymail ag_news yelp_review_full "
    "emotion tweet_eval wikiann mnli amazon_polarity pubmed financial_phrasebank "
    "snli wmt16 opus_books c4"
)
CHAT_DATA = words(
    "ultrachat_200k alpaca dolly-15k openassistant-guanaco slimorca gsm8k "
    "code_alpaca oasst1 sharegpt orca-math"
)
IMAGE_DATA = words(
    "imagenet-1k cifar10 cifar100 food101 beans oxford-pets coco eurosat chest-xray "
    "mnist fashion_mnist ade20k cityscapes"
)
AUDIO_DATA = words("common_voice librispeech speech_commands esc50 fleurs voxpopuli gtzan minds14")
TABLE_DATA = ("adult-census", "titanic", "california-housing", "wine-quality", "credit-default")

TEXT_DOMAINS = words("web-text news scientific-text biomedical-text legal-text code")
IMAGE_DOMAINS = ("natural-images", "medical-images", "satellite-images", "handwriting")
HF = ("transformers", "pytorch", "safetensors", "onnx")
ENC_TASKS = words(
    "text-classification token-classification fill-mask feature-extraction "
    "question-answering sentence-similarity zero-shot-classification"
)
GEN_TASKS = ("text-generation", "summarization", "translation", "question-answering")
EMB_TASKS = ("sentence-similarity", "feature-extraction", "text-classification")
IMG_TASKS = (
    "image-classification",
    "image-feature-extraction",
    "object-detection",
    "image-segmentation",
)
DET_TASKS = ("object-detection", "image-segmentation", "image-classification")
ASR_TASKS = ("automatic-speech-recognition", "audio-classification", "voice-activity-detection")
AUD_TASKS = ("audio-classification", "automatic-speech-recognition", "voice-activity-detection")
CHAT_VARIANTS = words("instruct chat gguf awq gptq lora dpo sft")
BERT_VARIANTS = ("uncased", "cased", "multilingual")


def _family(name, org, sizes, kind, **extra) -> Family:
    tasks, domains, libraries, datasets = KINDS[kind]
    return Family(name, org, tuple(sizes.split()), tasks, domains, libraries, datasets, **extra)


KINDS = {
    "enc": (ENC_TASKS, TEXT_DOMAINS, ("transformers", *HF), TEXT_DATA),
    "emb": (EMB_TASKS, TEXT_DOMAINS, ("sentence-transformers", *HF), TEXT_DATA),
    "gen": (GEN_TASKS, ("web-text", "code", "news", "scientific-text"), HF, CHAT_DATA),
    "s2s": (("summarization", "translation", "text-generation"), TEXT_DOMAINS, HF, TEXT_DATA),
    "img": (IMG_TASKS, IMAGE_DOMAINS, ("timm", "pytorch", "safetensors", "onnx"), IMAGE_DATA),
    "vit": (IMG_TASKS, IMAGE_DOMAINS, ("transformers", "timm", *HF), IMAGE_DATA),
    "det": (DET_TASKS, IMAGE_DOMAINS, ("transformers", "pytorch", "onnx"), IMAGE_DATA),
    "clip": (
        ("image-feature-extraction", "zero-shot-classification", "feature-extraction"),
        ("multimodal", "natural-images"),
        HF,
        IMAGE_DATA,
    ),
    "asr": (ASR_TASKS, ("speech",), HF, AUDIO_DATA),
    "aud": (AUD_TASKS, ("environmental-audio", "speech", "music"), HF, AUDIO_DATA),
    "tab": (
        ("tabular-classification", "tabular-regression"),
        ("tabular",),
        ("scikit-learn", "keras", "onnx", "other"),
        TABLE_DATA,
    ),
}

# Ordered by popularity: family i is drawn with weight 1/(i+1).
FAMILIES: tuple[Family, ...] = (
    _family("bert", "google", "base large tiny mini small medium", "enc", variants=BERT_VARIANTS),
    _family("llama-3", "meta-llama", "8b 70b 1b 3b", "gen", variants=CHAT_VARIANTS),
    _family("distilbert", "distilbert", "base", "enc", variants=BERT_VARIANTS),
    _family("roberta", "facebook", "base large", "enc"),
    _family("whisper", "openai", "tiny base small medium large-v3", "asr", multilingual=True),
    _family("vit", "google", "base-patch16-224 large-patch16-224 huge-patch14-224", "vit"),
    _family("resnet", "microsoft", "18 34 50 101 152", "img"),
    _family("t5", "google", "small base large 3b", "s2s"),
    _family("mistral", "mistralai", "7b", "gen", variants=CHAT_VARIANTS),
    _family("gpt2", "openai-community", "small medium large xl", "gen"),
    _family("qwen2", "qwen", "0.5b 1.5b 7b 72b", "gen", variants=CHAT_VARIANTS),
    _family("xlm-roberta", "facebook", "base large", "enc", multilingual=True),
    _family("deberta-v3", "microsoft", "xsmall small base large", "enc"),
    _family("efficientnet", "google", "b0 b1 b2 b3 b4 b7", "img"),
    _family("mobilenet-v2", "google", "1.0-224 0.75-160 0.35-96", "img"),
    _family("wav2vec2", "facebook", "base large-960h xls-r-300m", "asr", multilingual=True),
    _family("all-minilm", "sentence-transformers", "l6-v2 l12-v2", "emb"),
    _family("bge", "baai", "small-en base-en large-en m3", "emb"),
    _family("e5", "intfloat", "small base large mistral-7b", "emb", multilingual=True),
    _family("flan-t5", "google", "small base large xl", "s2s"),
    _family("bart", "facebook", "base large large-cnn", "s2s"),
    _family("phi-3", "microsoft", "mini medium", "gen", variants=CHAT_VARIANTS),
    _family("gemma-2", "google", "2b 9b 27b", "gen", variants=CHAT_VARIANTS),
    _family("convnext", "facebook", "tiny small base large", "img"),
    _family("swin", "microsoft", "tiny small base", "vit"),
    _family("deit", "facebook", "tiny small base", "vit"),
    _family("detr", "facebook", "resnet-50 resnet-101", "det"),
    _family("yolos", "hustvl", "tiny small base", "det"),
    _family("segformer", "nvidia", "b0 b2 b5", "det"),
    _family("clip", "openai", "vit-base-patch32 vit-large-patch14", "clip"),
    _family("dinov2", "facebook", "small base large giant", "vit"),
    _family("electra", "google", "small base large", "enc"),
    _family("albert", "albert", "base-v2 large-v2", "enc"),
    _family("mpnet", "microsoft", "base", "emb"),
    _family("hubert", "facebook", "base-ls960 large-ll60k", "asr"),
    _family("ast", "mit", "finetuned-audioset", "aud"),
    _family("wavlm", "microsoft", "base-plus large", "aud"),
    _family("falcon", "tiiuae", "7b 40b", "gen", variants=CHAT_VARIANTS),
    _family("pythia", "eleutherai", "70m 160m 410m 1b 2.8b", "gen"),
    _family("opt", "facebook", "125m 350m 1.3b 6.7b", "gen"),
    _family("tabnet", "dreamquark", "base", "tab"),
    _family("xgboost", "dmlc", "classifier regressor", "tab"),
)

LANGUAGES = words(
    "en zh fr de es ru ja ar pt ko it hi nl tr pl vi id sv fa uk cs th he el ro da "
    "fi hu bn ta ur sw ca no ms bg sk hr lt yo"
)
TAGS = words(
    "generated_from_trainer endpoints_compatible text-generation-inference "
    "autotrain_compatible region:us conversational lora peft gguf 4-bit quantized merge "
    "mteb sentence-embeddings vision audio medical legal finance biology chemistry code "
    "math education sentiment ner chatbot edge mobile distillation multilingual "
    "low-resource arxiv:1810.04805 arxiv:2106.09685 arxiv:2010.11929 custom_code "
    "tensorboard jax tf coreml"
)
LICENSE_ORDER = words(
    "apache-2.0 mit other unknown cc-by-4.0 llama3 openrail cc-by-nc-4.0 "
    "bsd-3-clause cc-by-sa-4.0 gpl-3.0 cc-by-nc-sa-4.0 mpl-2.0 cc0-1.0 "
    "bsd-2-clause lgpl-3.0 agpl-3.0"
)
EXTRA_ORGS = words(
    "huggingface nvidia stabilityai allenai bigscience helsinki-nlp thebloke unsloth timm "
    "keras-io speechbrain pyannote ibm amazon apple salesforce cohere databricks mosaicml laion"
)
ORGS = tuple(dict.fromkeys((*(f.org for f in FAMILIES), *EXTRA_ORGS)))
SYLLABLES = words("ka ri mo ta len zu an el vin do ra mi so ne ko lu sa pe ti ja ro bi na de ha")
WORDS = words(
    "robust efficient accurate multilingual domain adapted distilled quantized compact "
    "state-of-the-art benchmark evaluation reviews customer support tickets clinical "
    "notes radiology reports contracts patents tweets forum posts headlines recipes "
    "products satellite crops wildlife traffic signs invoices receipts podcasts meetings "
    "call-center lectures music genres birds emotions toxicity spam intent entities "
    "keywords captions retrieval reranking embeddings summaries dialogue instructions "
    "reasoning arithmetic python sql javascript proteins molecules genomics weather "
    "finance insurance legal medical education gaming"
)


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for random.choices(cum_weights=...)."""
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


class Skewed:
    """Draw from a sequence with Zipf-like weights (first items most likely)."""

    def __init__(self, items: Sequence, exponent: float = 1.0) -> None:
        self.items = list(items)
        self.cum = zipf_weights(len(self.items), exponent)

    def pick(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]

    def sample(self, rng: random.Random, count: int) -> list:
        return list(dict.fromkeys(rng.choices(self.items, cum_weights=self.cum, k=count)))


def namespace_count(models: int) -> int:
    return max(50, min(20_000, models // 5))


def namespace_names(count: int, seed: int) -> list[str]:
    rng = random.Random(f"{seed}-namespaces")
    names = list(ORGS)
    seen = set(names)
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        name = word if rng.random() < 0.5 else f"{word}{rng.randint(1, 999)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def namespace_rows(count: int, seed: int) -> Iterator[tuple]:
    rng = random.Random(f"{seed}-namespace-dates")
    for index, name in enumerate(namespace_names(count, seed), start=1):
        kind = "org" if index <= len(ORGS) or rng.random() < 0.1 else "user"
        created = NOW - timedelta(days=SPAN_DAYS + rng.uniform(0, 365))
        yield (index, name, kind, created)


class ModelMaker:
    """Makes model rows one by one; `seen` keeps names unique per namespace."""

    def __init__(self, namespaces: int, seed: int) -> None:
        self.rng = random.Random(f"{seed}-models")
        self.namespaces = Skewed(range(1, namespaces + 1), exponent=0.9)
        self.org_ids = {name: i for i, name in enumerate(ORGS, start=1)}
        self.families = Skewed(FAMILIES, exponent=0.9)
        self.licenses = Skewed(LICENSE_ORDER, exponent=1.3)
        self.languages = Skewed(LANGUAGES, exponent=1.4)
        self.tags = Skewed(TAGS, exponent=0.8)
        self.words = Skewed(WORDS, exponent=0.5)
        self.seen: set[tuple[int, str]] = set()

    def row(self, model_id: int) -> tuple:
        rng = self.rng
        family = self.families.pick(rng)
        official = rng.random() < 0.02
        namespace_id = self.org_ids[family.org] if official else self.namespaces.pick(rng)
        size = rng.choice(family.sizes)
        task = _skewed_choice(rng, family.tasks)
        dataset = _skewed_choice(rng, family.datasets)
        finetuned = not official and rng.random() < 0.7
        name = self._unique_name(namespace_id, family, size, dataset if finetuned else "")
        created, updated = _dates(rng)
        downloads = _downloads(rng, official)
        datasets = [dataset] if finetuned else []
        if rng.random() < 0.15:
            datasets.append(_skewed_choice(rng, family.datasets))
        base = f"{family.org}/{family.name}-{size}" if finetuned and rng.random() < 0.8 else ""
        return (
            model_id,
            namespace_id,
            name,
            self._card(name, family, size, task, datasets, base),
            _summary(rng, family, size, task, dataset, finetuned),
            task,
            _skewed_choice(rng, family.domains),
            _skewed_choice(rng, family.libraries),
            self._license(family),
            json.dumps(list(dict.fromkeys(datasets))),
            json.dumps(self._languages(family)),
            json.dumps(self.tags.sample(rng, rng.randint(0, 5))),
            rng.random() < PRIVATE_SHARE,
            created,
            updated,
            downloads,
            int(math.sqrt(downloads) * rng.random() * 0.4),
            base,
            task in {"text-classification", "image-classification"} and rng.random() < 0.6,
            int(downloads * rng.random() * 0.08) if rng.random() < 0.3 else 0,
        )

    def _unique_name(self, namespace_id: int, family: Family, size: str, dataset: str) -> str:
        rng = self.rng
        parts = [family.name, size]
        if family.variants and rng.random() < 0.4:
            parts.append(rng.choice(family.variants))
        if dataset:
            parts += ["finetuned", dataset.replace("_", "-")]
        if rng.random() < 0.25:
            parts.append(self.words.pick(rng))
        name = "-".join(parts)
        candidate, number = name, 1
        while (namespace_id, candidate) in self.seen:
            number += 1
            candidate = f"{name}-v{number}"
        self.seen.add((namespace_id, candidate))
        return candidate[:96]

    def _license(self, family: Family) -> str:
        if family.name.startswith("llama") and self.rng.random() < 0.7:
            return "llama3"
        return self.licenses.pick(self.rng)

    def _languages(self, family: Family) -> list[str]:
        rng = self.rng
        if family.datasets in (IMAGE_DATA, TABLE_DATA) or rng.random() < 0.25:
            return []
        count = rng.randint(3, 12) if family.multilingual and rng.random() < 0.5 else 1
        if count == 1 and rng.random() < 0.55:
            return ["en"]
        return self.languages.sample(rng, count)

    def _card(self, name, family, size, task, datasets, base) -> str:
        rng = self.rng
        label = TASKS[task].lower()
        words = " ".join(self.words.sample(rng, 6))
        data = ", ".join(datasets) or "a private corpus"
        origin = f"a fine-tuned version of [{base}](/{base})" if base else f"a {family.name} model"
        sections = [
            f"# {name}\n\nThis model is {origin} for {label}, trained on {data}.",
            f"It reaches competitive accuracy on {data} and is tuned for {words}.",
            "## Intended uses & limitations\n\n"
            f"Use it for {label} on {rng.choice(WORDS)} {rng.choice(WORDS)} data. "
            "It may reproduce biases of its training data; evaluate it before production use.",
            f"## Training procedure\n\nlearning_rate: {rng.choice(('2e-5', '5e-5', '1e-4'))}, "
            f"batch size {rng.choice((8, 16, 32, 64))}, {rng.randint(1, 10)} epochs, "
            f"{size} configuration, mixed precision.",
        ]
        if rng.random() < 0.5:
            sections.append(
                "## How to use\n\n```python\nfrom transformers import pipeline\n"
                f'pipe = pipeline("{task}", model="{name}")\n```'
            )
        return "\n\n".join(sections)


def _skewed_choice(rng: random.Random, items: Sequence[str]) -> str:
    """First items most likely (weights 1, 1/2, 1/3 ...), cheap for short tuples."""
    return rng.choices(items, cum_weights=_CUM[len(items)])[0]


_CUM = {n: zipf_weights(n) for n in range(1, 32)}


def _summary(rng, family: Family, size: str, task: str, dataset: str, finetuned: bool) -> str:
    label = TASKS[task].lower()
    if finetuned:
        return f"{family.name} {size} fine-tuned on {dataset} for {label}."
    return f"Pretrained {family.name} {size} checkpoint for {label} ({rng.choice(WORDS)})."


def _dates(rng: random.Random) -> tuple[datetime, datetime]:
    days_ago = SPAN_DAYS * rng.random() ** 1.6  # more models recently
    created = NOW - timedelta(days=days_ago)
    updated = created + timedelta(days=days_ago * rng.random() ** 2)
    return created, updated


def _downloads(rng: random.Random, official: bool) -> int:
    if not official and rng.random() < 0.35:
        return 0
    mean = 9.0 if official else 2.0
    return min(int(math.exp(rng.gauss(mean, 2.6))), 200_000_000)


def model_rows(count: int, namespaces: int, seed: int) -> Iterator[tuple]:
    maker = ModelMaker(namespaces, seed)
    for model_id in range(1, count + 1):
        yield maker.row(model_id)
