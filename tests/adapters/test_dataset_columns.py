"""Which columns hold the text and the label: detected by name and said in the summary, or
named by the user; a few rows per class for the review; a two-column copy for training."""

from __future__ import annotations

import json

import pytest

from adapters.base import DatasetError, DatasetLimits
from adapters.datasets import load_text_dataset
from adapters.datasets.columns import SAMPLE_CHARS, ColumnsNotFound
from adapters.datasets.text import save_csv

LIMITS = DatasetLimits()
ROWS = [("a fine day", "joy"), ("a grim day", "gloom"), ("sunny", "joy"), ("rain", "gloom")]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sentence_and_category_are_taken_and_the_summary_says_so(tmp_path):
    body = "id,sentence,category\n" + "".join(f"{i},{t},{c}\n" for i, (t, c) in enumerate(ROWS))
    _, summary = load_text_dataset(write(tmp_path, "d.csv", body), LIMITS)
    assert summary.columns == ["sentence", "category"]
    assert summary.header == ["id", "sentence", "category"]
    assert summary.candidates == {"text": ["sentence"], "label": ["category"]}


def test_every_column_with_a_usual_name_is_a_candidate_and_the_first_wins(tmp_path):
    body = "sentence,text,label,category\n" + "".join(f"s{t},{t},{c},x{c}\n" for t, c in ROWS)
    ds, summary = load_text_dataset(write(tmp_path, "d.csv", body), LIMITS)
    assert summary.columns == ["text", "label"]
    assert summary.candidates == {"text": ["text", "sentence"], "label": ["label", "category"]}
    assert ds.texts[0] == "a fine day"


def test_named_columns_are_used_whatever_their_names(tmp_path):
    body = "review,stars\n" + "".join(f"{t},{c}\n" for t, c in ROWS)
    path = write(tmp_path, "d.csv", body)
    with pytest.raises(ColumnsNotFound) as refused:
        load_text_dataset(path, LIMITS)
    assert refused.value.found == ["review", "stars"]
    ds, summary = load_text_dataset(path, LIMITS, ("review", "Stars"))  # case is forgiven
    assert summary.columns == ["review", "stars"] and ds.labels[:2] == ["joy", "gloom"]
    with pytest.raises(DatasetError, match=r"no column 'rating'; its columns are"):
        load_text_dataset(path, LIMITS, ("review", "rating"))
    with pytest.raises(DatasetError, match="two different columns"):
        load_text_dataset(path, LIMITS, ("review", "review"))


def test_json_lines_keep_the_keys_of_the_first_line(tmp_path):
    lines = [json.dumps({"body": t, "mood": c}) for t, c in ROWS]
    ds, summary = load_text_dataset(
        write(tmp_path, "d.jsonl", "\n".join(lines)), LIMITS, ("body", "mood")
    )
    assert summary.columns == ["body", "mood"] and len(ds.texts) == 4
    lines.append(json.dumps({"text": "other keys", "mood": "joy"}))
    with pytest.raises(DatasetError, match="Line 5 has no 'body' key"):
        load_text_dataset(write(tmp_path, "e.jsonl", "\n".join(lines)), LIMITS, ("body", "mood"))


def test_samples_are_the_first_five_of_each_class_shortened(tmp_path):
    rows = [(f"joyful text {i}", "joy") for i in range(8)] + [("x" * 500, "gloom"), ("y", "gloom")]
    body = "text,label\n" + "".join(f"{t},{c}\n" for t, c in rows)
    _, summary = load_text_dataset(write(tmp_path, "d.csv", body), LIMITS)
    assert summary.samples["joy"] == [f"joyful text {i}" for i in range(5)]
    assert len(summary.samples["gloom"][0]) == SAMPLE_CHARS and summary.samples["gloom"][1] == "y"


def test_the_two_column_copy_reads_back_the_same_examples(tmp_path):
    tricky = [
        ('say "hi", then\nleave', "joy"),
        ("a;b|c\tд", "gloom"),
        ("ok", "joy"),
        ("no", "gloom"),
    ]
    body = "review,stars\n" + "".join(
        '"{}",{}\n'.format(t.replace('"', '""'), c) for t, c in tricky
    )
    ds, _ = load_text_dataset(write(tmp_path, "d.csv", body), LIMITS, ("review", "stars"))
    save_csv(ds, tmp_path / "two.csv")
    again, summary = load_text_dataset(tmp_path / "two.csv", LIMITS)
    assert (again.texts, again.labels) == (ds.texts, ds.labels)
    assert summary.columns == ["text", "label"]
