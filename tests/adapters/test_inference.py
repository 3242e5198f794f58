"""Which versions can be evaluated (JSON only) and the worker's predictions on tiny real
models saved by their own libraries."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import DatasetLimits
from adapters.demo_data import write_text_csv
from adapters.formats import model_format
from adapters.inference.evaluable import Classifier, NotEvaluable, classifier_of, label_mapping
from tests import standard_models as sm


def classify(folder: Path) -> Classifier:
    fmt = model_format(sm.files_in(folder), sm.read_json_in(folder)).to_dict()
    return classifier_of(fmt, sm.read_json_in(folder))


def test_a_sequence_classifier_is_evaluable_with_its_labels(tmp_path):
    found = classify(sm.bert_classifier(tmp_path / "cls"))
    assert found == Classifier("transformers", "text", ("negative", "neutral", "positive"))
    assert found.adapter_key == "text-classification"


def test_an_image_classifier_is_evaluable(tmp_path):
    assert classify(sm.vit_classifier(tmp_path / "vit")) == Classifier(
        "transformers", "image", ("cat", "dog")
    )


def test_a_lora_adapter_of_a_classifier_is_evaluable(tmp_path):
    folder = sm.peft_lora(tmp_path / "lora", base_repo="alice/base", work=tmp_path)
    # peft saves no config.json; fine-tunes made here add one with the labels.
    sm.bert_classifier(tmp_path / "cfg", tokenizer=True)
    (folder / "config.json").write_bytes((tmp_path / "cfg" / "config.json").read_bytes())
    sm.tokenizer_save(folder)
    found = classify(folder)
    assert found.loader == "peft" and found.labels == ("negative", "neutral", "positive")


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (sm.bert_base, "feature-extraction model, not a text or image classifier"),
        (sm.roberta_mlm, "fill-mask model"),
        (sm.distilbert_tokens, "token-classification model"),
        (sm.timm_folder, "cannot load timm classifiers"),
    ],
)
def test_other_models_are_refused_with_the_reason(tmp_path, build, words):
    with pytest.raises(NotEvaluable, match=words):
        classify(build(tmp_path / "m"))


def test_an_embedding_model_without_a_head_is_refused(tmp_path):
    folder = sm.sentence_transformer(tmp_path / "st", work=tmp_path)
    with pytest.raises(NotEvaluable, match="without a classification layer"):
        classify(folder)


def test_a_classifier_without_tokenizer_is_refused(tmp_path):
    with pytest.raises(NotEvaluable, match="no tokenizer"):
        classify(sm.bert_classifier(tmp_path / "cls", tokenizer=False))


def test_labels_map_exactly_or_ignoring_case_and_unknown_ones_are_named():
    model = ("NEGATIVE", "neutral", "positive")
    assert label_mapping(["negative", "positive"], model) == {
        "negative": "NEGATIVE",
        "positive": "positive",
    }
    with pytest.raises(NotEvaluable) as refused:
        label_mapping(["positive", "spam", "ham"], model)
    message = str(refused.value)
    assert "labels 'spam', 'ham' are not among" in message
    assert "'NEGATIVE', 'neutral', 'positive'" in message


def test_ambiguous_case_folding_is_not_guessed():
    with pytest.raises(NotEvaluable, match="label 'yes' is not among"):
        label_mapping(["yes"], ("Yes", "YES"))


def test_predictions_of_a_tiny_classifier_match_its_own_logits(tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from adapters.inference.predict import PredictRequest, predict_dataset

    folder = sm.bert_classifier(tmp_path / "cls")
    rows = [("good movie", "positive"), ("bad awful", "negative"), ("the movie", "neutral")] * 5
    data = write_text_csv(tmp_path / "data.csv", rows)
    progress: list[tuple[int, int]] = []
    request = PredictRequest(
        classifier=classify(folder),
        model_dir=folder,
        dataset_path=data,
        mapping={"positive": "positive", "negative": "negative", "neutral": "neutral"},
        limits=DatasetLimits(),
        device="cpu",
        batch_size=4,
    )
    out = predict_dataset(
        request, on_progress=lambda d, t: progress.append((d, t)), is_cancelled=bool
    )
    assert out.y_true == [label for _, label in rows]
    assert progress[-1] == (15, 15) and len(progress) == 4  # batches of 4
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        logits = model(**tokenizer([t for t, _ in rows], padding=True, return_tensors="pt")).logits
    assert out.y_pred == [model.config.id2label[int(i)] for i in logits.argmax(-1)]
