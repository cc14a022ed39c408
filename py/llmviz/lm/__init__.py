"""A tiny language model trained on the book's own text, run in pure Python.

``tokenizer``: a byte-level BPE tokenizer whose merges were learned from the
chapters' prose. ``model``: a small decoder-only transformer (pre-norm
RMSNorm, RoPE, causal multi-head attention, SwiGLU) whose forward pass can
return every intermediate, with incremental decoding through a KV cache.

Nothing here is imported by ``llmviz`` itself or by the registry: a chapter
that uses the model imports it, and the weights are read from the package
data on first use (:func:`llmviz.lm.model.load`), so every other chapter's
first frame pays nothing for it. How the weights were trained is in
``tools/train_tiny_lm.py`` and ``tools/tiny_lm/README.md`` of the
repository.
"""
