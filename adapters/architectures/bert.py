"""A BERT encoder in plain torch, with the key names of Hugging Face's BertModel.

Sentence embeddings follow sentence-transformers (all-MiniLM-L6-v2): mean pooling over the
attention mask, then L2 normalisation. Dropout is left out: we only run it in eval mode or
fine-tune without it (deterministic, and identical to the ONNX export).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .base import Backbone

HPARAMS = (
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
    "layer_norm_eps",
)


class Embeddings(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        h = p["hidden_size"]
        self.word_embeddings = nn.Embedding(p["vocab_size"], h)
        self.position_embeddings = nn.Embedding(p["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(p["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=p["layer_norm_eps"])

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)[None]
        # Single-segment input: token type 0 everywhere.
        x = x + self.token_type_embeddings.weight[0]
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        h = p["hidden_size"]
        self.heads = p["num_attention_heads"]
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        return x.view(b, n, self.heads, h // self.heads).transpose(1, 2)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(self.query(x)), self._split(self.key(x)), self._split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias
        out = scores.softmax(-1) @ v
        return out.transpose(1, 2).flatten(2)


class DenseNorm(nn.Module):
    """Hugging Face's BertSelfOutput / BertOutput: dense, residual, LayerNorm."""

    def __init__(self, d_in: int, d_out: int, eps: float):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        h = p["hidden_size"]
        self.self = SelfAttention(p)
        self.output = DenseNorm(h, h, p["layer_norm_eps"])

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        self.dense = nn.Linear(p["hidden_size"], p["intermediate_size"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))  # exact (erf) GELU, as BERT's "gelu"


class Layer(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        self.attention = Attention(p)
        self.intermediate = Intermediate(p)
        self.output = DenseNorm(p["intermediate_size"], p["hidden_size"], p["layer_norm_eps"])

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, bias)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, p: dict):
        super().__init__()
        self.layer = nn.ModuleList(Layer(p) for _ in range(p["num_hidden_layers"]))


def attention_bias(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    # Padded keys get a huge negative score so softmax ignores them.
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return F.normalize(summed, p=2.0, dim=1)


class BertEncoder(Backbone):
    """Inputs: (input_ids, attention_mask), both int64 [batch, seq]. Output: [batch, hidden]."""

    def __init__(self, params: dict):
        super().__init__()
        self.embeddings = Embeddings(params)
        self.encoder = Encoder(params)
        self.feature_dim = params["hidden_size"]
        self.n_units = params["num_hidden_layers"]

    def _run(self, x: torch.Tensor, mask: torch.Tensor, start: int, stop: int) -> torch.Tensor:
        bias = attention_bias(mask, x.dtype)
        for layer in self.encoder.layer[start:stop]:
            x = layer(x, bias)
        return x

    def prefix(self, inputs: tuple[torch.Tensor, ...], keep: int):
        input_ids, mask = inputs
        stop = self.n_units - keep
        hidden = self._run(self.embeddings(input_ids), mask, 0, stop)
        return mean_pool(hidden, mask) if keep == 0 else (hidden, mask)

    def suffix(self, state, keep: int) -> torch.Tensor:
        if keep == 0:
            return state
        hidden, mask = state
        return mean_pool(self._run(hidden, mask, self.n_units - keep, self.n_units), mask)

    def units(self, keep: int) -> list[nn.Module]:
        return list(self.encoder.layer[self.n_units - keep :]) if keep else []

    def split(self, state):
        if isinstance(state, torch.Tensor):
            return list(state.unbind(0))
        hidden, mask = state
        lengths = mask.sum(1).tolist()
        return [hidden[i, :n].clone() for i, n in enumerate(lengths)]

    def collate(self, items):
        if items[0].dim() == 1:
            return torch.stack(items)
        longest = max(t.shape[0] for t in items)
        hidden = items[0].new_zeros(len(items), longest, items[0].shape[1])
        mask = torch.zeros(len(items), longest, dtype=torch.long)
        for i, t in enumerate(items):
            hidden[i, : t.shape[0]] = t
            mask[i, : t.shape[0]] = 1
        return hidden, mask


def params_from_hf(hf_config: dict) -> dict:
    """The subset of a Hugging Face BertConfig that this encoder needs."""
    if hf_config.get("hidden_act", "gelu") != "gelu":
        raise ValueError("only BERT models with exact GELU are supported")
    return {k: hf_config[k] for k in HPARAMS}
