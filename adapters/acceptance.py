"""Can a model be fine-tuned here, and if not, why: answered from ModelFormat, JSON only.

Web processes call this for every model page and publish; it never imports torch."""

from __future__ import annotations

from .hf_tables import IMAGE_CLASSIFIER_TYPES, TEXT_ENCODER_TYPES

TRAINABLE_LIBRARIES = ("transformers", "sentence-transformers")
ONNX_REASON = (
    "ONNX graphs (int8 exports included) cannot be trained; fine-tune the PyTorch model "
    "they were exported from"
)


def common_refusal(fmt: dict) -> str | None:
    """Reasons that apply whatever the modality: format problems, code, pickles, shards."""
    library = fmt.get("library")
    if library == "hub-legacy":
        return (
            "stored in the hub's legacy format 1, which the fine-tuning libraries cannot "
            "load; publish it in a transformers layout"
        )
    if library == "onnx":
        return ONNX_REASON
    if library == "peft":
        return "this is an adapter; fine-tune its base model instead"
    if fmt.get("problems"):  # first: a broken config.json leaves the library unknown
        return fmt["problems"][0]
    if library not in TRAINABLE_LIBRARIES:
        return f"no fine-tuning adapter for {library or 'this kind of'} models"
    if fmt.get("custom_code"):
        return (
            "its config.json has auto_map (custom code); the hub never runs code from "
            "uploaded models"
        )
    if fmt.get("missing_shards"):
        return f"the sharded checkpoint is missing {', '.join(fmt['missing_shards'][:3])}"
    if not fmt.get("weights"):
        if fmt.get("pickle_only"):
            return (
                "its weights are a pickled pytorch_model.bin, which the hub never loads; "
                "convert them to safetensors (save_pretrained(..., safe_serialization=True))"
            )
        return "it has no safetensors weights"
    return None


def text_refusal(fmt: dict) -> str | None:
    reason = common_refusal(fmt)
    if reason:
        return reason
    if fmt.get("modality") not in (None, "text"):
        return f"not a text model ({fmt.get('modality')})"
    if fmt.get("model_type") not in TEXT_ENCODER_TYPES:
        return (
            f"model type {fmt.get('model_type')!r} is not a text encoder that transformers "
            "can give a sequence-classification head"
        )
    if not fmt.get("has_tokenizer"):
        return "it has no tokenizer files (tokenizer.json, or vocab.txt / sentencepiece)"
    return None


def image_refusal(fmt: dict) -> str | None:
    reason = common_refusal(fmt)
    if reason:
        return reason
    if fmt.get("library") != "transformers" or fmt.get("modality") == "text":
        return "not an image model"
    if fmt.get("model_type") not in IMAGE_CLASSIFIER_TYPES:
        return (
            f"model type {fmt.get('model_type')!r} has no image-classification head in transformers"
        )
    if not fmt.get("has_image_processor"):
        return (
            "it has no preprocessor_config.json, so the hub cannot tell how to resize and "
            "normalise images; add the image processor's config (processor.save_pretrained)"
        )
    return None
