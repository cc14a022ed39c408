"""Calculators: pure functions over the catalog, in SI units.

Bytes, seconds, FLOPs, bytes/second. ``model`` and ``gpu`` arguments take a
catalog entry or its name; bad input raises ``ValueError`` naming the argument
and the allowed range. One module per topic; each formula lives in exactly
one of them.

Submodules load on first use (``from llmviz.calc import kv_cache_bytes``
imports only ``kv_cache``), so opening one simulation in the browser does not
compile every calculator of the book.
"""
import importlib

# public name -> the submodule that defines it
_WHERE = {
    "attention_core_flops": "attention",
    "attention_crossover_tokens": "attention",
    "attention_projection_flops": "attention",
    "score_matrix_bytes": "attention",
    "score_matrix_elements": "attention",
    "continuous_batching_schedule": "batching",
    "iteration_time_lower_bound": "batching",
    "make_workload": "batching",
    "static_batching_schedule": "batching",
    "decode_step_bytes": "decode",
    "decode_step_lower_bound": "decode",
    "decode_weight_bytes": "decode",
    "gemm_bytes": "gemm",
    "gemm_flops": "gemm",
    "gemm_intensity": "gemm",
    "gemm_macs": "gemm",
    "layer_projections": "gemm",
    "linear_flops": "gemm",
    "matmul_flops_per_token": "gemm",
    "kv_cache_bytes": "kv_cache",
    "kv_cache_bytes_per_token": "kv_cache",
    "kv_elements_per_token_by_layer": "kv_cache",
    "ssm_state_bytes": "kv_cache",
    "decode_step_floor": "kv_fit",
    "max_batch_that_fits": "kv_fit",
    "max_context_that_fits": "kv_fit",
    "active_param_count": "model_size",
    "param_breakdown": "model_size",
    "param_count": "model_size",
    "weight_bytes": "model_size",
    "expert_capacity": "parallel",
    "pipeline_bubble_fraction": "parallel",
    "ring_allreduce_time": "parallel",
    "zero_model_state_bytes": "parallel",
    "ridge_point": "roofline",
    "roofline_flops": "roofline",
    "broadcast_report": "shapes",
    "broadcast_shape": "shapes",
    "matmul_report": "shapes",
    "matmul_shape": "shapes",
    "numel": "shapes",
    "tensor_bytes": "shapes",
    "speculative_expected_tokens": "speculative",
    "speculative_speedup": "speculative",
    "chinchilla_optimal": "training",
    "training_flops": "training",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """Load the submodule that defines ``name`` on first use (PEP 562)."""
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'llmviz.calc' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
