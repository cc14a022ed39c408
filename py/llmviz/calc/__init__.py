"""Calculators: pure functions over the catalog, in SI units.

Bytes, seconds, FLOPs, bytes/second. ``model`` and ``gpu`` arguments take a
catalog entry or its name; bad input raises ``ValueError`` naming the argument
and the allowed range. One module per topic; each formula lives in exactly
one of them.
"""
from .attention import (attention, attention_core_flops, attention_crossover_tokens,
                        attention_projection_flops, score_matrix_bytes, score_matrix_elements)
from .batching import (continuous_batching_schedule, iteration_time_lower_bound, make_workload,
                       static_batching_schedule)
from .decode import decode_step_bytes, decode_step_lower_bound, decode_weight_bytes
from .gemm import (gemm_bytes, gemm_flops, gemm_intensity, gemm_macs, layer_projections,
                   linear_flops, matmul_flops_per_token)
from .kv_cache import (kv_cache_bytes, kv_cache_bytes_per_token, kv_elements_per_token_by_layer,
                       ssm_state_bytes)
from .kv_fit import decode_step_floor, max_batch_that_fits, max_context_that_fits
from .model_size import active_param_count, param_breakdown, param_count, weight_bytes
from .parallel import (expert_capacity, pipeline_bubble_fraction, ring_allreduce_time,
                       zero_model_state_bytes)
from .roofline import ridge_point, roofline_flops
from .speculative import speculative_expected_tokens, speculative_speedup
from .training import chinchilla_optimal, training_flops

__all__ = [
    "attention", "attention_core_flops", "attention_crossover_tokens",
    "attention_projection_flops", "score_matrix_bytes", "score_matrix_elements",
    "continuous_batching_schedule", "iteration_time_lower_bound", "make_workload",
    "static_batching_schedule",
    "decode_step_bytes", "decode_step_lower_bound", "decode_weight_bytes",
    "gemm_bytes", "gemm_flops", "gemm_intensity", "gemm_macs", "layer_projections",
    "linear_flops", "matmul_flops_per_token",
    "kv_cache_bytes", "kv_cache_bytes_per_token", "kv_elements_per_token_by_layer",
    "ssm_state_bytes",
    "decode_step_floor", "max_batch_that_fits", "max_context_that_fits",
    "active_param_count", "param_breakdown", "param_count", "weight_bytes",
    "expert_capacity", "pipeline_bubble_fraction", "ring_allreduce_time",
    "zero_model_state_bytes",
    "ridge_point", "roofline_flops",
    "speculative_expected_tokens", "speculative_speedup",
    "chinchilla_optimal", "training_flops",
]
