"""Controlled vocabularies: tasks (Hugging Face pipeline tags), source domains, licenses."""

TASKS: dict[str, str] = {
    "feature-extraction": "Feature extraction",
    "sentence-similarity": "Sentence similarity",
    "text-classification": "Text classification",
    "token-classification": "Token classification",
    "zero-shot-classification": "Zero-shot classification",
    "question-answering": "Question answering",
    "fill-mask": "Fill mask",
    "summarization": "Summarization",
    "translation": "Translation",
    "text-generation": "Text generation",
    "image-classification": "Image classification",
    "image-feature-extraction": "Image feature extraction",
    "object-detection": "Object detection",
    "image-segmentation": "Image segmentation",
    "automatic-speech-recognition": "Speech recognition",
    "audio-classification": "Audio classification",
    "voice-activity-detection": "Voice activity detection",
    "tabular-classification": "Tabular classification",
    "tabular-regression": "Tabular regression",
    "other": "Other",
}

# What the weights learned from: the domain of the training data, not the task.
SOURCE_DOMAINS: dict[str, str] = {
    "web-text": "Web text",
    "news": "News articles",
    "scientific-text": "Scientific text",
    "biomedical-text": "Biomedical text",
    "legal-text": "Legal text",
    "code": "Source code",
    "natural-images": "Natural photos",
    "medical-images": "Medical images",
    "satellite-images": "Satellite images",
    "handwriting": "Handwriting and documents",
    "speech": "Speech audio",
    "music": "Music",
    "environmental-audio": "Environmental audio",
    "tabular": "Tabular records",
    "multimodal": "Mixed modalities",
    "other": "Other",
}

# SPDX identifiers, lower-cased as the Hugging Face Hub writes them.
LICENSES: dict[str, str] = {
    "apache-2.0": "Apache 2.0",
    "mit": "MIT",
    "bsd-2-clause": "BSD 2-Clause",
    "bsd-3-clause": "BSD 3-Clause",
    "cc0-1.0": "CC0 1.0",
    "cc-by-4.0": "CC BY 4.0",
    "cc-by-sa-4.0": "CC BY-SA 4.0",
    "cc-by-nc-4.0": "CC BY-NC 4.0",
    "cc-by-nc-sa-4.0": "CC BY-NC-SA 4.0",
    "gpl-3.0": "GPL 3.0",
    "lgpl-3.0": "LGPL 3.0",
    "agpl-3.0": "AGPL 3.0",
    "mpl-2.0": "MPL 2.0",
    "openrail": "OpenRAIL",
    "llama3": "Llama 3 Community",
    "other": "Other",
    "unknown": "Unknown",
}

LIBRARIES: tuple[str, ...] = (
    "pytorch",
    "safetensors",
    "onnx",
    "transformers",
    "sentence-transformers",
    "timm",
    "keras",
    "scikit-learn",
    "other",
)
