"""The index: one document per model (id = model pk), its analyzers and field types, defined
with elasticsearch-dsl objects and sent as plain bodies by whichever client is configured."""

from __future__ import annotations

from typing import Any

from elasticsearch.dsl import Index, Mapping, analyzer, token_filter, tokenizer
from elasticsearch.dsl.field import Boolean, Date, Integer, Keyword, Long, Text

from catalog.models import Model
from catalog.vocab import SOURCE_DOMAINS, TASKS

CARD_CHARS = 10_000  # the database backend indexes the same prefix of a card

# Words are runs of letters/digits, so "bert_base-uncased" is bert, base, uncased (as the
# database backend splits names). Written as "the matches are the tokens" (group 0) rather
# than "split on the gaps": osmem-server ignores the split mode at index time.
WORDS = tokenizer("hub_words", "pattern", pattern=r"[\p{L}\p{N}]+", group=0)
FOLD = ["lowercase", "asciifolding"]
PLAIN = analyzer("hub_plain", tokenizer=WORDS, filter=FOLD)
# Every prefix of 2..20 characters of each word, for as-you-type matches on names.
PREFIX = analyzer(
    "hub_prefix",
    tokenizer=WORDS,
    filter=[*FOLD, token_filter("hub_edge", "edge_ngram", min_gram=2, max_gram=20)],
)


def _text(**extra: Any) -> Text:
    return Text(analyzer=PLAIN, **extra)


def _keyword_with_text() -> Keyword:
    """Exact values for filters and facets, plus words for the text query."""
    return Keyword(fields={"text": _text()})


def model_mapping() -> Mapping:
    mapping = Mapping()
    mapping.meta("dynamic", "strict")  # a typo in a document field fails loudly
    fields = {
        "id": Long(),
        "namespace_id": Integer(),
        "owner": _keyword_with_text(),
        "name": _text(fields={"prefix": Text(analyzer=PREFIX, search_analyzer=PLAIN)}),
        "summary": _text(),
        "card": _text(),
        "task": Keyword(),
        "task_text": _text(),
        "source_domain": Keyword(),
        "source_domain_text": _text(),
        "library": _keyword_with_text(),
        "license": Keyword(),
        "datasets": Keyword(),
        "languages": Keyword(),
        "tags": _keyword_with_text(),
        "base_model": Keyword(),
        "finetunable": Boolean(),
        "private": Boolean(),
        "created_at": Date(),
        "updated_at": Date(),
        "downloads": Long(),
        "likes": Long(),
        "trending": Long(),
    }
    for name, field in fields.items():
        mapping.field(name, field)
    return mapping


def index_body(name: str) -> dict[str, Any]:
    """Settings (analysis included) and mappings for `indices.create`."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0)  # one shard: exact scores, counts
    index.mapping(model_mapping())
    return index.to_dict()


def model_document(model: Model) -> dict[str, Any]:
    """The indexed form of a model; `model.namespace` should be loaded (select_related)."""
    return {
        "id": model.pk,
        "namespace_id": model.namespace_id,
        "owner": model.namespace.name,
        "name": model.name,
        "summary": model.summary,
        "card": model.card[:CARD_CHARS],
        "task": model.task,
        "task_text": _label_text(model.task, TASKS),
        "source_domain": model.source_domain,
        "source_domain_text": _label_text(model.source_domain, SOURCE_DOMAINS),
        "library": model.library,
        "license": model.license,
        "datasets": list(model.datasets or []),
        "languages": list(model.languages or []),
        "tags": list(model.tags or []),
        "base_model": model.base_model,
        "finetunable": model.finetunable,
        "private": model.private,
        "created_at": model.created_at.isoformat(),
        "updated_at": model.updated_at.isoformat(),
        "downloads": model.downloads,
        "likes": model.likes,
        "trending": model.trending,
    }


def _label_text(value: str, labels: dict[str, str]) -> str:
    """Slug and label, so both "automatic speech" and "speech recognition" find the task."""
    return f"{value} {labels.get(value, '')}".strip()
