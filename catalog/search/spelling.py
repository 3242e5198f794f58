"""Spelling correction shared by the database backends: when the words of a search find
nothing (and the filters are not what ruled everything out), each unknown word is replaced by
the closest known name word and the search runs once more. The page says so ("Showing
results for ..."); a correction that finds nothing visible is never shown. Known words are
those of the names the user may see: a private name's words would tell that it exists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from catalog.search.base import SearchPage, SearchQuery
from catalog.search.text import tokens

MIN_WORD = 3  # shorter words are left alone: too many neighbours to guess from
WORD_SPLIT = re.compile(r"[^a-z0-9]+")  # as catalog_search_words() in migration 0004


def with_spelling_fallback(
    query: SearchQuery,
    search_once: Callable[[SearchQuery], SearchPage],
    words_match: Callable[[SearchQuery], bool],
    correct: Callable[[str, SearchQuery], str],  # (text, the query whose user it serves)
) -> SearchPage:
    page = search_once(query)
    if page.total or not tokens(query.text) or (query.filtered and words_match(query)):
        return page  # found something, or the filters (not the words) ruled everything out
    corrected = correct(query.text, query)
    if corrected == query.text.lower():
        return page
    retried = search_once(replace(query, text=corrected))
    if not retried.total:
        return page
    retried.corrected_text = corrected
    return retried


def name_words(names: Iterable[tuple[str, str]]) -> Counter[str]:
    """How many (owner, name) pairs use each name word."""
    counts: Counter[str] = Counter()
    for owner, name in names:
        words = WORD_SPLIT.split(f"{owner} {name}".lower())
        counts.update({word for word in words if len(word) >= MIN_WORD})
    return counts


def correct_from(text: str, known: Counter[str]) -> str:
    """`text`'s words, each unknown one replaced by its closest known word (if any is close)."""
    return " ".join(
        closest(word, [(k, n) for k, n in known.items() if abs(len(k) - len(word)) <= 2])
        for word in tokens(text)
    )


def closest(word: str, candidates: list[tuple[str, int]]) -> str:
    """`word`, or the (word, models) candidate nearest to it by edit distance (ties: the word
    more models use); only if it is close enough to be a typo of it."""
    if len(word) < MIN_WORD or any(candidate == word for candidate, _ in candidates):
        return word
    best = min(candidates, key=lambda c: (edit_distance(word, c[0]), -c[1], c[0]), default=None)
    if best is None or edit_distance(word, best[0]) > max(1, len(word) // 3):
        return word
    return best[0]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
