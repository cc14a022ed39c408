"""Worked examples of appendix F (the cheatsheet), computed by the calculators the chapters use."""
from __future__ import annotations


from ..calc.decode import decode_step_lower_bound
from ..calc.gemm import gemm_flops, gemm_intensity
from ..calc.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token
from ..calc.model_size import param_count, weight_bytes
from ..calc.parallel import expert_capacity, pipeline_bubble_fraction, ring_allreduce_time, zero_model_state_bytes
from ..calc.roofline import ridge_point, roofline_flops
from ..calc.speculative import speculative_expected_tokens, speculative_speedup
from ..calc.training import chinchilla_optimal, training_flops
from ..catalog.hardware import get_gpu, get_interconnect
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_percent, fmt_rate, fmt_sci, fmt_seconds
from . import Answer

LLAMA3_TOKENS = 15e12          # Meta: Llama 3 was pretrained on over 15T tokens
GOPHER_BUDGET = 5.76e23        # Hoffmann et al. 2022: Gopher's and Chinchilla's training FLOPs
ZERO_PSI, ZERO_GPUS = 7.5e9, 64  # Rajbhandari et al. 2020, Figure 1
GEMM_SIDE = 4096
DECODE = dict(model="llama-3-70b", gpu="h200-sxm", dtype="fp8", batch=1, context=8192)
SPEC_ALPHA, SPEC_GAMMA, SPEC_C = 0.8, 5, 0.05
PIPE_P, PIPE_M = 8, 32
ALLREDUCE_RANKS = 8
MOE_TOKENS, MOE_EXPERTS, MOE_CF = 4096, 8, 1.25


def _big_flops(v: float) -> str:
    # Training budgets (1e23 and up) read better as powers of ten than as EFLOP.
    return fmt_flops(v) if v < 1e21 else fmt_sci(v, "FLOP")


def _answer(value: float, fmt) -> Answer:
    return Answer(value, fmt(value))


def _allreduce(link: str) -> Answer:
    grads = weight_bytes("llama-3-8b", "bf16")
    t = ring_allreduce_time(grads, ALLREDUCE_RANKS, get_interconnect(link).bytes_per_s)
    return _answer(t, fmt_seconds)


ANSWERS = {
    # parameters and bytes
    "llama3_8b_params": lambda: _answer(param_count("llama-3-8b"), fmt_count),
    "llama3_70b_bf16_bytes": lambda: _answer(weight_bytes("llama-3-70b", "bf16"), fmt_bytes),
    "llama3_70b_mxfp4_bytes": lambda: _answer(weight_bytes("llama-3-70b", "mxfp4"), fmt_bytes),
    "llama3_70b_kv_per_token": lambda: _answer(kv_cache_bytes_per_token("llama-3-70b", "bf16"), fmt_bytes),
    "llama3_70b_kv_8x8k": lambda: _answer(kv_cache_bytes("llama-3-70b", 8192, 8, "bf16"), fmt_bytes),
    # training compute
    "llama3_8b_training_flops": lambda: _answer(training_flops(param_count("llama-3-8b"), LLAMA3_TOKENS),
                                                _big_flops),
    "chinchilla_params": lambda: _answer(chinchilla_optimal(GOPHER_BUDGET)[0], fmt_count),
    "chinchilla_tokens": lambda: _answer(chinchilla_optimal(GOPHER_BUDGET)[1], fmt_count),
    # ZeRO
    **{f"zero_stage{s}": (lambda s=s: _answer(zero_model_state_bytes(ZERO_PSI, ZERO_GPUS, s), fmt_bytes))
       for s in range(4)},
    # roofline and GEMM
    "h100_bf16_peak": lambda: _answer(get_gpu("h100-sxm").peak_flops("bf16"), fmt_rate),
    "h100_ridge": lambda: _answer(ridge_point("h100-sxm", "bf16"), lambda v: fmt_rate(v, "FLOP/byte")),
    "h100_at_intensity_1": lambda: _answer(roofline_flops("h100-sxm", 1.0, "bf16"), fmt_rate),
    "gemm_flops": lambda: _answer(gemm_flops(GEMM_SIDE, GEMM_SIDE, GEMM_SIDE), fmt_flops),
    "gemm_intensity": lambda: _answer(gemm_intensity(GEMM_SIDE, GEMM_SIDE, GEMM_SIDE, 2),
                                      lambda v: fmt_rate(v, "FLOP/byte")),
    # decode floor
    "decode_step": lambda: _answer(decode_step_lower_bound(**DECODE), fmt_seconds),
    "decode_rate": lambda: _answer(1.0 / decode_step_lower_bound(**DECODE), lambda v: fmt_rate(v, "token/s")),
    # speculative decoding
    "spec_tokens": lambda: _answer(speculative_expected_tokens(SPEC_ALPHA, SPEC_GAMMA), fmt_count),
    "spec_speedup": lambda: _answer(speculative_speedup(SPEC_ALPHA, SPEC_GAMMA, SPEC_C),
                                    lambda v: fmt_count(v) + "×"),
    # parallelism
    "bubble": lambda: _answer(pipeline_bubble_fraction(PIPE_P, PIPE_M), fmt_percent),
    "allreduce_nvlink": lambda: _allreduce("nvlink-4"),
    "allreduce_ndr": lambda: _allreduce("ib-ndr"),
    "expert_capacity": lambda: _answer(expert_capacity(MOE_TOKENS, MOE_EXPERTS, MOE_CF), fmt_count),
}
