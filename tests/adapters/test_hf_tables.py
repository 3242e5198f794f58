"""The static model-type tables match the installed transformers (they are a snapshot)."""

from transformers.models.auto.modeling_auto import (
    MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES,
    MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
    MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES,
)

from adapters.hf_tables import IMAGE_CLASSIFIER_TYPES, TEXT_ENCODER_TYPES


def test_text_encoders_are_the_installed_seq_cls_and_mlm_types():
    live = set(MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES) & set(
        MODEL_FOR_MASKED_LM_MAPPING_NAMES
    ) - set(MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES)
    assert live == TEXT_ENCODER_TYPES
    assert {"bert", "roberta", "distilbert", "deberta-v2"} <= TEXT_ENCODER_TYPES
    assert "gpt2" not in TEXT_ENCODER_TYPES and "bart" not in TEXT_ENCODER_TYPES


def test_image_classifiers_are_the_installed_types():
    assert set(MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES) == IMAGE_CLASSIFIER_TYPES
    assert {"vit", "convnext", "resnet", "mobilenet_v2"} <= IMAGE_CLASSIFIER_TYPES
