"""Does the KV cache fit? Weights plus cache against the HBM of some GPUs.

A server holds the model's weights once and one KV cache per sequence it is
decoding. The weights are fixed; the cache grows with every token of every
sequence. This module answers the capacity questions that follow: how many
bytes are left for the cache, the longest context or the largest batch that
still fits, and how the bytes one decode step must read split between weights
and cache. :func:`kv_growth` gives the cache's growth with context as two
per-token rates and a window, cheap enough to evaluate every animation frame.

Conventions:

* ``gpus`` identical GPUs pool their HBM (tensor parallelism splits weights
  and cache evenly across them; their sum is what must fit).
* Only weights and cache are counted: activations, the runtime's own
  allocations and fragmentation come on top, so every "fits" here is an
  upper bound on what a real server achieves.
* ``weight_dtype`` and ``kv_dtype`` are number formats from
  :mod:`llmviz.catalog.formats`; servers often keep BF16 weights and an FP8
  cache.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..catalog.formats import get_format
from ..catalog.hardware import get_gpu
from ..catalog.models import ATTN_LOCAL, get_model
from ._checks import positive_int
from .decode import decode_weight_bytes
from .kv_cache import kv_cache_bytes, kv_elements_per_token_by_layer, ssm_state_bytes
from .model_size import weight_bytes


@dataclass(frozen=True)
class KVGrowth:
    """One sequence's cache as a function of its length ``T`` (tokens).

    ``global_bytes · T + local_bytes · min(T, window)``: global layers keep
    every token, local (sliding-window or chunked) layers at most ``window``.
    The same numbers :func:`llmviz.calc.kv_cache.kv_cache_bytes` adds up
    layer by layer, in a form cheap enough to evaluate every animation frame.
    """

    global_bytes: float      # bytes per token, global attention layers
    local_bytes: float       # bytes per token, local layers, while their window fills
    window: int | None       # tokens a local layer holds at most (None: no local layers)

    def bytes(self, tokens: int, batch: int = 1) -> float:
        """Cache bytes of ``batch`` sequences of ``tokens`` tokens each (bytes)."""
        held = min(tokens, self.window) if self.window else tokens
        return batch * (self.global_bytes * tokens + self.local_bytes * held)


def kv_growth(model, dtype: str = "bf16") -> KVGrowth:
    """How ``model``'s per-sequence cache grows with context in ``dtype`` (see :class:`KVGrowth`)."""
    m = get_model(model)
    bits = get_format(dtype).bits_per_param
    glob = loc = 0
    for kind, elements in zip(m.layer_kinds(), kv_elements_per_token_by_layer(m)):
        if kind == ATTN_LOCAL:
            loc += elements
        else:
            glob += elements
    return KVGrowth(glob * bits / 8, loc * bits / 8, m.sliding_window if loc else None)


def hbm_bytes(gpu, gpus: int = 1) -> float:
    """HBM capacity of ``gpus`` GPUs of kind ``gpu`` together (bytes)."""
    positive_int("gpus", gpus)
    return get_gpu(gpu).hbm_bytes * gpus


def kv_budget_bytes(model, gpu, gpus: int = 1, weight_dtype: str = "bf16") -> float:
    """HBM left for the KV cache once the weights are loaded (bytes; negative if they do not fit).

    State-space layers' fixed recurrent state is not counted here; it is per
    sequence but does not grow with context (see ``max_batch_that_fits``).
    """
    return hbm_bytes(gpu, gpus) - weight_bytes(model, weight_dtype)


def fits(model, gpu, gpus: int = 1, context: int = 1, batch: int = 1,
         kv_dtype: str = "bf16", weight_dtype: str = "bf16") -> bool:
    """True when weights, ``batch`` caches of ``context`` tokens and any SSM state fit in HBM."""
    need = (weight_bytes(model, weight_dtype) + kv_cache_bytes(model, context, batch, kv_dtype)
            + ssm_state_bytes(model, batch, kv_dtype))
    return need <= hbm_bytes(gpu, gpus)


def max_context_that_fits(model, gpu, gpus: int = 1, batch: int = 1, kv_dtype: str = "bf16",
                          weight_dtype: str = "bf16", limit: int | None = None) -> int:
    """Longest context (tokens per sequence, at most ``limit``) whose ``batch`` caches fit (tokens).

    ``limit`` defaults to the model's ``max_context``. Returns 0 when not even
    one token per sequence fits, and ``limit`` when the whole range fits (a
    sliding-window model's cache stops growing at its window, so it may fit
    at any length). The cache grows monotonically with context, so a binary
    search over ``kv_cache_bytes`` finds the edge exactly.
    """
    m = get_model(model)
    positive_int("batch", batch)
    hi = m.max_context if limit is None else positive_int("limit", limit)
    if not fits(m, gpu, gpus, 1, batch, kv_dtype, weight_dtype):
        return 0
    if fits(m, gpu, gpus, hi, batch, kv_dtype, weight_dtype):
        return hi
    lo = 1                              # fits; hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(m, gpu, gpus, mid, batch, kv_dtype, weight_dtype):
            lo = mid
        else:
            hi = mid
    return lo


def max_batch_that_fits(model, gpu, gpus: int = 1, context: int = 1, kv_dtype: str = "bf16",
                        weight_dtype: str = "bf16") -> int:
    """Most sequences of ``context`` tokens whose caches fit beside the weights (a count, ≥ 0)."""
    budget = kv_budget_bytes(model, gpu, gpus, weight_dtype)
    per_seq = kv_cache_bytes(model, context, 1, kv_dtype) + ssm_state_bytes(model, 1, kv_dtype)
    if budget <= 0:
        return 0
    return int(budget // per_seq)


def decode_read_split(model, context: int, batch: int = 1, weight_dtype: str = "bf16",
                      kv_dtype: str = "bf16") -> tuple[float, float]:
    """Bytes one decode step reads: ``(weights, cache)``, in bytes.

    Weights as :func:`llmviz.calc.decode.decode_weight_bytes` counts them
    (once per step, shared by the batch); cache: every sequence's ``context``
    cached tokens plus any SSM state. With one dtype for both, the sum is
    :func:`llmviz.calc.decode.decode_step_bytes`.
    """
    positive_int("context", context, allow_zero=True)
    positive_int("batch", batch)
    w = decode_weight_bytes(model, weight_dtype)
    kv = kv_cache_bytes(model, context, batch, kv_dtype) if context else 0
    return w, kv + ssm_state_bytes(model, batch, kv_dtype)


def decode_step_floor(model, gpu, gpus: int = 1, context: int = 1, batch: int = 1,
                      weight_dtype: str = "bf16", kv_dtype: str = "bf16") -> tuple[float, float]:
    """Lower bound on one decode step's time, split ``(weights, cache)`` (seconds each).

    Each of ``gpus`` GPUs reads its share of the bytes from its own HBM at the
    same time, so the floor is bytes ÷ (gpus × HBM bandwidth). For one GPU and
    one dtype the sum equals :func:`llmviz.calc.decode.decode_step_lower_bound`.
    """
    positive_int("gpus", gpus)
    rate = get_gpu(gpu).hbm_bytes_per_s * gpus
    w, kv = decode_read_split(model, context, batch, weight_dtype, kv_dtype)
    return w / rate, kv / rate
