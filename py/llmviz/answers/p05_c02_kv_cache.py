"""Answers for chapter p05-c02 (the KV cache).

Every figure goes through the calculators over the catalog: bytes per token
and cache bytes (``calc.kv_cache``), weights (``calc.model_size``), what fits
beside them and the decode step's read floor (``calc.kv_fit``), and the
weight-matrix FLOPs of a forward pass (``calc.gemm``).
"""
from __future__ import annotations

import math
from dataclasses import replace

from ..calc.gemm import matmul_flops_per_token
from ..calc.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token
from ..calc.kv_fit import decode_step_floor, max_batch_that_fits, max_context_that_fits
from ..calc.model_size import weight_bytes
from ..catalog import get_gpu, get_model
from ..modes.part05_inference.kv_cache import COMPARE
from ..units import fmt_bytes, fmt_flops, fmt_rate, fmt_seconds
from . import Answer

GPU = "h100-sxm"
CONTEXT = 8192                 # Llama 3 8B's context at release
BATCH = 64                     # the batch of the simulation's memory view
DECODE_BATCH = 32
GENERATED = 4096               # tokens generated in the "no cache" exercise


def _bytes(n: float) -> Answer:
    return Answer(n, fmt_bytes(n))


def _kib(n: float) -> Answer:
    return Answer(n, fmt_bytes(n, binary=True))


def _int(n: float, unit: str = "") -> Answer:
    return Answer(n, f"{int(n):,}" + (f" {unit}" if unit else ""))


def _times(x: float) -> Answer:
    """A ratio: 8×, 2,048.5×."""
    if x < 100:
        return Answer(x, f"{x:.3g}×")
    return Answer(x, f"{x:,.0f}×" if x == int(x) else f"{x:,.1f}×")


def _pct(x: float) -> Answer:
    return Answer(x, f"{100 * x:.0f}%")


def _as_mha(name: str):
    """The same model with one KV head per query head (what it would cache without GQA)."""
    m = get_model(name)
    return replace(m, name=m.name + "-mha", kv_heads=m.heads)


def _l3_seq() -> float:
    return kv_cache_bytes("llama-3-8b", CONTEXT, 1)


def _nocache_passes() -> int:
    # Without a cache, step t runs the model over all t tokens so far.
    return GENERATED * (GENERATED + 1) // 2


def _floor(batch: int):
    return decode_step_floor("llama-3-8b", GPU, 1, CONTEXT, batch)


def _free(model: str, gpu: str, gpus: int) -> float:
    """HBM left beside the BF16 weights on ``gpus`` GPUs (bytes)."""
    return gpus * get_gpu(gpu).hbm_bytes - weight_bytes(model, "bf16")


def _ratio(x: float, digits: int = 3) -> Answer:
    """A plain ratio: 2.5, 14.96, 15."""
    return Answer(x, f"{x:.{digits}g}")


ANSWERS = {
    # the hardware
    "h100_hbm": lambda: _bytes(get_gpu(GPU).hbm_bytes),
    "h100_peak": lambda: Answer(get_gpu(GPU).peak_flops("bf16"), fmt_rate(get_gpu(GPU).peak_flops("bf16"))),
    "h200_hbm": lambda: _bytes(get_gpu("h200-sxm").hbm_bytes),
    "eight_h200_hbm": lambda: _bytes(8 * get_gpu("h200-sxm").hbm_bytes),
    "compare_models": lambda: Answer(len(COMPARE), f"{len(COMPARE)}"),

    # OPT-13B, the vLLM paper's example
    "opt13b_per_token_bytes": lambda: _int(kv_cache_bytes_per_token("opt-13b", "fp16"), "bytes"),
    "opt13b_per_token": lambda: _kib(kv_cache_bytes_per_token("opt-13b", "fp16")),
    "opt13b_request": lambda: _bytes(kv_cache_bytes("opt-13b", 2048, 1, "fp16")),
    "opt13b_request_gib": lambda: Answer(kv_cache_bytes("opt-13b", 2048, 1, "fp16"),
                                         fmt_bytes(kv_cache_bytes("opt-13b", 2048, 1, "fp16"), binary=True)),
    "opt13b_weights": lambda: _bytes(weight_bytes("opt-13b", "fp16")),
    "opt13b_requests_per_weights": lambda: _ratio(
        weight_bytes("opt-13b", "fp16") / kv_cache_bytes("opt-13b", 2048, 1, "fp16"), 2),

    # Llama 2 70B: grouped-query attention
    "l2_70b_per_token": lambda: _kib(kv_cache_bytes_per_token("llama-2-70b")),
    "l2_70b_as_mha": lambda: _kib(kv_cache_bytes_per_token(_as_mha("llama-2-70b"))),
    "l2_70b_gqa_saving": lambda: _times(kv_cache_bytes_per_token(_as_mha("llama-2-70b"))
                                        / kv_cache_bytes_per_token("llama-2-70b")),
    "l2_13b_per_token": lambda: _kib(kv_cache_bytes_per_token("llama-2-13b")),
    "l2_13b_over_70b": lambda: _ratio(kv_cache_bytes_per_token("llama-2-13b")
                                      / kv_cache_bytes_per_token("llama-2-70b")),
    "l2_70b_2gpu_free": lambda: _bytes(_free("llama-2-70b", GPU, 2)),
    "l2_70b_seq_4k": lambda: _bytes(kv_cache_bytes("llama-2-70b", 4096, 1)),
    "l2_70b_weights": lambda: _bytes(weight_bytes("llama-2-70b", "bf16")),
    "l2_70b_2gpu_batch": lambda: _int(max_batch_that_fits("llama-2-70b", GPU, 2, 4096), "sequences"),
    "l2_70b_2gpu_batch_fp8": lambda: _int(max_batch_that_fits("llama-2-70b", GPU, 2, 4096, "fp8"),
                                          "sequences"),

    # Llama 3 8B on one H100
    "l3_8b_per_token": lambda: _kib(kv_cache_bytes_per_token("llama-3-8b")),
    "l3_8b_seq": lambda: _bytes(_l3_seq()),
    "l3_8b_weights": lambda: _bytes(weight_bytes("llama-3-8b", "bf16")),
    "l3_8b_free": lambda: _bytes(get_gpu(GPU).hbm_bytes - weight_bytes("llama-3-8b", "bf16")),
    "l3_8b_batch_cache": lambda: _bytes(kv_cache_bytes("llama-3-8b", CONTEXT, BATCH)),
    "l3_8b_batch_total": lambda: _bytes(kv_cache_bytes("llama-3-8b", CONTEXT, BATCH)
                                        + weight_bytes("llama-3-8b", "bf16")),
    "l3_8b_max_batch": lambda: _int(max_batch_that_fits("llama-3-8b", GPU, 1, CONTEXT), "sequences"),
    "l3_8b_max_batch_fp8": lambda: _int(max_batch_that_fits("llama-3-8b", GPU, 1, CONTEXT, "fp8"),
                                        "sequences"),
    "l3_8b_edge_b64": lambda: _int(max_context_that_fits("llama-3-8b", GPU, 1, BATCH), "tokens"),
    "l3_8b_edge_exact": lambda: Answer(
        _free("llama-3-8b", GPU, 1) / (BATCH * kv_cache_bytes_per_token("llama-3-8b")),
        f"{_free('llama-3-8b', GPU, 1) / (BATCH * kv_cache_bytes_per_token('llama-3-8b')):,.1f}"),
    "l3_8b_weights_over_seq": lambda: _ratio(weight_bytes("llama-3-8b", "bf16") / _l3_seq(), 4),
    "l3_8b_cache_equals_weights": lambda: _int(
        math.ceil(weight_bytes("llama-3-8b", "bf16") / _l3_seq()), "sequences"),

    # decode reads
    "l3_8b_floor_b32": lambda: Answer(sum(_floor(DECODE_BATCH)), fmt_seconds(sum(_floor(DECODE_BATCH)))),
    "l3_8b_kv_share_b32": lambda: _pct(_floor(DECODE_BATCH)[1] / sum(_floor(DECODE_BATCH))),
    "l3_8b_floor_b1": lambda: Answer(sum(_floor(1)), fmt_seconds(sum(_floor(1)))),
    "l3_8b_kv_share_b1": lambda: _pct(_floor(1)[1] / sum(_floor(1))),

    # no cache
    "flops_per_pass": lambda: Answer(matmul_flops_per_token("llama-3-8b"),
                                     fmt_flops(matmul_flops_per_token("llama-3-8b"))),
    "nocache_passes": lambda: _int(_nocache_passes(), "token passes"),
    "nocache_ratio": lambda: _times(_nocache_passes() / GENERATED),
    "cache_flops": lambda: Answer(GENERATED * matmul_flops_per_token("llama-3-8b"),
                                  fmt_flops(GENERATED * matmul_flops_per_token("llama-3-8b"))),
    "nocache_flops": lambda: Answer(_nocache_passes() * matmul_flops_per_token("llama-3-8b"),
                                    fmt_flops(_nocache_passes() * matmul_flops_per_token("llama-3-8b"))),
    "nocache_seconds": lambda: Answer(
        _nocache_passes() * matmul_flops_per_token("llama-3-8b") / get_gpu(GPU).peak_flops("bf16"),
        fmt_seconds(_nocache_passes() * matmul_flops_per_token("llama-3-8b")
                    / get_gpu(GPU).peak_flops("bf16"))),

    # Mistral 7B's window
    "mistral_per_token": lambda: _kib(kv_cache_bytes_per_token("mistral-7b")),
    "mistral_32k_windowed": lambda: _bytes(kv_cache_bytes("mistral-7b", 32768, 1)),
    "mistral_32k_full": lambda: _bytes(kv_cache_bytes_per_token("mistral-7b") * 32768),
    "mistral_saving": lambda: _times(kv_cache_bytes_per_token("mistral-7b") * 32768
                                     / kv_cache_bytes("mistral-7b", 32768, 1)),

    # the long end
    "l405_per_token": lambda: _kib(kv_cache_bytes_per_token("llama-3.1-405b")),
    "l405_seq_128k": lambda: _bytes(kv_cache_bytes("llama-3.1-405b", 131072, 1)),
    "l405_weights": lambda: _bytes(weight_bytes("llama-3.1-405b", "bf16")),
    "l405_8h200_free": lambda: _bytes(_free("llama-3.1-405b", "h200-sxm", 8)),
    "l405_8h200_batch": lambda: _int(max_batch_that_fits("llama-3.1-405b", "h200-sxm", 8, 131072),
                                     "sequences"),
    "l405_8h200_batch_fp8": lambda: _int(
        max_batch_that_fits("llama-3.1-405b", "h200-sxm", 8, 131072, "fp8"), "sequences"),
    "dsv2_per_token": lambda: _kib(kv_cache_bytes_per_token("deepseek-v2")),
    "ds67b_per_token": lambda: _kib(kv_cache_bytes_per_token("deepseek-67b")),
}
