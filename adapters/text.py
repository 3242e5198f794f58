"""Tokenisation for text models: tokenizer.json (Hugging Face tokenizers), no transformers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
from tokenizers import Tokenizer


class TextEncoder:
    """Turns texts into padded (input_ids, attention_mask) batches, shortest first."""

    def __init__(self, tokenizer_path: Path, max_length: int):
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length)
        self.max_length = max_length

    def ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def batches(
        self, ids: list[list[int]], batch_size: int
    ) -> Iterator[tuple[list[int], tuple[torch.Tensor, torch.Tensor]]]:
        """Yields (example indices, (input_ids, attention_mask)).

        Sorting by length keeps padding (wasted compute) small when encoding many texts.
        """
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            yield chunk, pad([ids[i] for i in chunk])


def pad(rows: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(r) for r in rows)
    input_ids = torch.full((len(rows), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), longest), dtype=torch.long)
    for i, r in enumerate(rows):
        input_ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return input_ids, mask
