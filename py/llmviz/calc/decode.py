"""The memory-bandwidth floor on one decode step.

Generating one token per sequence must at least read, from HBM, every weight
the step uses and every sequence's cached keys and values. Dividing those
bytes by the HBM bandwidth gives a time no implementation can beat on that
GPU (arithmetic, kernel launches and communication only add to it).

What is counted:

* weights once per step for the whole batch (every sequence shares them);
* the input embedding table (and a learned position table) not at all when
  untied: a step reads one row per sequence, a rounding error next to the
  rest (a tied embedding table is read in full, as the output head);
* for mixture-of-experts models, only the experts one token activates
  (``active_experts`` routed plus the shared ones in each MoE layer). That is
  exact at batch 1; a larger batch touches more distinct experts, so it stays
  a lower bound;
* the KV cache of ``context`` tokens for each of ``batch`` sequences (local
  layers hold at most their window), and for state-space layers their
  fixed-size recurrent state per sequence.
"""
from __future__ import annotations

from ..catalog.formats import get_format
from ..catalog.hardware import get_gpu
from ..catalog.models import get_model
from ._checks import positive_int
from .kv_cache import kv_cache_bytes, ssm_state_bytes
from .model_size import active_param_count, param_breakdown


def decode_weight_bytes(model, dtype: str = "bf16", expert_dtype: str | None = None) -> float:
    """Weight bytes one decode step reads (bytes), per the rules in the module docstring.

    ``expert_dtype`` stores routed and shared experts in another format
    (gpt-oss ships its experts in MXFP4, the rest in BF16).
    """
    m = get_model(model)
    bits = get_format(dtype).bits_per_param
    expert_bits = get_format(expert_dtype).bits_per_param if expert_dtype else bits
    parts = param_breakdown(m)
    experts_read = parts["shared_experts"]
    if m.moe is not None:
        experts_read += parts["experts"] * m.moe.active_experts / m.moe.experts
    lookups = parts["positions"] + (0 if m.tied_embeddings else parts["embedding"])
    others = active_param_count(m) - experts_read - lookups
    return (others * bits + experts_read * expert_bits) / 8


def decode_step_bytes(model, dtype: str = "bf16", batch: int = 1, context: int = 0,
                      expert_dtype: str | None = None) -> float:
    """Bytes that must cross HBM in one decode step: weights once, plus per-sequence cache (bytes).

    ``dtype`` is the format of the weights and of the KV cache; ``context`` is
    the tokens already cached per sequence.
    """
    m = get_model(model)
    positive_int("batch", batch)
    positive_int("context", context, allow_zero=True)
    total = decode_weight_bytes(m, dtype, expert_dtype)
    if context:
        total += kv_cache_bytes(m, context, batch, dtype)
    total += ssm_state_bytes(m, batch, dtype)
    return total


def decode_step_lower_bound(model, gpu, dtype: str = "bf16", batch: int = 1, context: int = 0,
                            expert_dtype: str | None = None) -> float:
    """Seconds one decode step needs at least on ``gpu``: :func:`decode_step_bytes` ÷ HBM bytes/s.

    The model is assumed to fit on the one GPU; divide the bytes among GPUs
    yourself for a sharded model.
    """
    g = get_gpu(gpu)
    return decode_step_bytes(model, dtype, batch, context, expert_dtype) / g.hbm_bytes_per_s
