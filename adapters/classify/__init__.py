"""The training side of fine-tuning (torch, transformers, peft, sentence-transformers).

Imported only in the worker, when a job trains. ``text.train`` and ``image.train`` are the
entry points the adapters name; the rest is shared:

- ``network``: load the base as a transformers classifier, freeze by strategy, wrap LoRA;
- ``loop``: the epochs, with frozen features computed once for head-only;
- ``layouts``: write the result as its ecosystem publishes it (sharded transformers
  checkpoint sharing the base's weight file, peft adapter, sentence-transformers + Dense);
- ``onnx``: export, link weights into the safetensors files beside it, verify;
- ``card``: README.md with the Hub's YAML front matter.
"""
