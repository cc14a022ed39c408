"""Does the KV cache fit? Weights plus cache against the HBM of some GPUs.

A server holds the model's weights once and one KV cache per sequence it is
decoding. The weights are fixed; the cache grows with every token of every
sequence. This module answers the capacity questions that follow: how many
bytes are left for the cache, the longest context or the largest batch that
still fits, and how the bytes one decode step must read split between weights
and cache.

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

from ..catalog.hardware import get_gpu
from ..catalog.models import get_model
from ._checks import positive_int
from .decode import decode_weight_bytes
from .kv_cache import kv_cache_bytes, ssm_state_bytes
from .model_size import weight_bytes


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
