"""The KV cache: what attention layers keep for every earlier token.

Per token, one attention layer caches

* multi-head, grouped-query and multi-query attention: a key and a value for
  each KV head, ``2 · kv_heads · head_dim`` elements;
* multi-head latent attention (DeepSeek-V2 Table 1): the compressed latent and
  the decoupled RoPE key shared by all heads, ``d_c + d_h^R`` elements;
* a Mamba layer caches nothing per token; its recurrent state has a fixed size
  (``ssm_state_bytes``).

A local layer (sliding window, or Llama 4's chunked attention) never holds more
than ``sliding_window`` tokens. An element costs the format's
``bits_per_param``: block-scaled formats such as NVFP4 pay for their scales.
"""
from __future__ import annotations

import math

from ..catalog.formats import get_format
from ..catalog.models import ATTN, ATTN_LOCAL, SSM, ModelConfig, get_model
from ._checks import positive_int


def kv_elements_per_token_by_layer(model: ModelConfig | str) -> tuple[int, ...]:
    """Elements each layer caches per token (0 for state-space layers), in layer order."""
    m = get_model(model)
    if m.mla is not None:
        per_layer = m.mla.cached_width
    else:
        per_layer = 2 * m.kv_heads * m.head_dim
    return tuple(per_layer if k in (ATTN, ATTN_LOCAL) else 0 for k in m.layer_kinds())


def kv_cache_bytes_per_token(model: ModelConfig | str, dtype: str = "bf16") -> int:
    """Bytes one more token adds to the cache while every window is still filling.

    Sums over all attention layers, local ones included; once a local layer's
    window is full it stops growing, which ``kv_cache_bytes`` accounts for.
    """
    m = get_model(model)
    bits = get_format(dtype).bits_per_param
    return math.ceil(sum(kv_elements_per_token_by_layer(m)) * bits / 8)


def kv_cache_bytes(model: ModelConfig | str, tokens: int, batch: int = 1,
                   dtype: str = "bf16") -> int:
    """Bytes of KV cache for ``batch`` sequences of ``tokens`` tokens each.

    Local layers hold ``min(tokens, sliding_window)`` tokens; global layers
    hold all of them.
    """
    m = get_model(model)
    positive_int("tokens", tokens)
    positive_int("batch", batch)
    bits = get_format(dtype).bits_per_param
    elements = 0
    for kind, per_token in zip(m.layer_kinds(), kv_elements_per_token_by_layer(m)):
        held = min(tokens, m.sliding_window) if kind == ATTN_LOCAL else tokens
        elements += per_token * held
    return math.ceil(elements * batch * bits / 8)


def ssm_state_bytes(model: ModelConfig | str, batch: int = 1, dtype: str = "bf16") -> int:
    """Bytes of recurrent state the Mamba layers keep per ``batch`` sequences, at any length.

    Each Mamba layer keeps its convolution window (``d_conv`` inputs) and its
    scan state (``d_state`` numbers) for every one of its ``expand · hidden``
    channels, as the reference implementation allocates them.
    """
    m = get_model(model)
    positive_int("batch", batch)
    bits = get_format(dtype).bits_per_param
    if not m.ssm_layers:
        return 0
    s = m.mamba
    per_layer = s.expand * m.hidden * (s.d_conv + s.d_state)
    layers = sum(1 for k in m.layer_kinds() if k == SSM)
    return math.ceil(per_layer * layers * batch * bits / 8)
