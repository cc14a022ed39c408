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
    "active_param_count": "model_size",
    "adam_step": "optimizers",
    "adamw_step": "optimizers",
    "angle_between": "vectors",
    "attention_core_flops": "attention",
    "attention_crossover_tokens": "attention",
    "attention_projection_flops": "attention",
    "bce_slope": "losses",
    "best_contraction_factor": "descent",
    "best_fixed_learning_rate": "descent",
    "bias_correction": "optimizers",
    "binary_cross_entropy": "losses",
    "binary_cross_entropy_logit": "losses",
    "bowl_gd_iterate": "descent",
    "bowl_gradient": "descent",
    "bowl_hessian": "descent",
    "bowl_loss": "descent",
    "chain_slope": "derivatives",
    "chinchilla_optimal": "training",
    "condition_number": "descent",
    "continuous_batching_schedule": "batching",
    "contraction_factor": "descent",
    "cosine_similarity": "vectors",
    "critical_learning_rate": "descent",
    "cross_entropy": "information",
    "curve": "derivatives",
    "decades": "functions",
    "decode_step_bytes": "decode",
    "decode_step_floor": "kv_fit",
    "decode_step_lower_bound": "decode",
    "decode_weight_bytes": "decode",
    "descent_regime": "descent",
    "dot": "vectors",
    "doubling_distance": "functions",
    "entropy": "information",
    "expert_capacity": "parallel",
    "finite_difference_gradient_flops": "descent",
    "gap_smoothed_cross_entropy": "losses",
    "gemm_bytes": "gemm",
    "gemm_flops": "gemm",
    "gemm_intensity": "gemm",
    "gemm_macs": "gemm",
    "gradient_step": "descent",
    "gradient_step_flops": "descent",
    "iteration_time_lower_bound": "batching",
    "kl_divergence": "information",
    "kv_cache_bytes": "kv_cache",
    "kv_cache_bytes_per_token": "kv_cache",
    "kv_elements_per_token_by_layer": "kv_cache",
    "layer_projections": "gemm",
    "linear_flops": "gemm",
    "log_base": "functions",
    "log_of_product": "functions",
    "lr_schedule": "optimizers",
    "make_workload": "batching",
    "matmul_flops_per_token": "gemm",
    "max_batch_that_fits": "kv_fit",
    "max_context_that_fits": "kv_fit",
    "mean_squared_error": "losses",
    "model_state_breakdown": "optimizers",
    "momentum_step": "optimizers",
    "negative_log_likelihood": "losses",
    "neuron_descent": "losses",
    "neuron_loss_gradient": "losses",
    "norm": "vectors",
    "optimal_logit_gap": "losses",
    "optimizer_state_multiplier": "optimizers",
    "param_breakdown": "model_size",
    "param_count": "model_size",
    "perplexity": "information",
    "pipeline_bubble_fraction": "parallel",
    "power_law": "functions",
    "power_slope": "derivatives",
    "quadratic_gd_iterate": "descent",
    "quadratic_loss": "descent",
    "quadratic_slope": "descent",
    "random_cosine_std": "vectors",
    "random_dot_std": "vectors",
    "ridge_point": "roofline",
    "ring_allreduce_time": "parallel",
    "roofline_flops": "roofline",
    "rope_frequencies": "rope",
    "scalar_projection": "vectors",
    "score_matrix_bytes": "attention",
    "score_matrix_elements": "attention",
    "secant_slope": "derivatives",
    "sgd_step": "optimizers",
    "sigmoid": "functions",
    "sigmoid_slope": "derivatives",
    "sigmoid_squared_error": "losses",
    "sigmoid_squared_error_slope": "losses",
    "smoothed_cross_entropy": "losses",
    "smoothed_cross_entropy_slope": "losses",
    "smoothed_probs": "losses",
    "smoothed_target": "losses",
    "smoothing_floor": "losses",
    "smoothing_gap_descent": "losses",
    "smoothing_gap_step": "losses",
    "soft_cap": "functions",
    "softmax": "information",
    "softmax_squared_error_slope": "losses",
    "softplus": "functions",
    "speculative_expected_tokens": "speculative",
    "speculative_speedup": "speculative",
    "squared_error": "losses",
    "ssm_state_bytes": "kv_cache",
    "static_batching_schedule": "batching",
    "steps_to_shrink": "descent",
    "surprisal": "information",
    "training_flops": "training",
    "vector_projection": "vectors",
    "weight_bytes": "model_size",
    "zero_model_state_bytes": "parallel",
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
