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
    "activation_slope": "activations",
    "activation_value": "activations",
    "active_param_count": "model_size",
    "adam_step": "optimizers",
    "adamw_step": "optimizers",
    "angle_between": "vectors",
    "attention_core_flops": "attention",
    "attention_crossover_tokens": "attention",
    "attention_projection_flops": "attention",
    "augmented_margin": "perceptron",
    "augmented_radius": "perceptron",
    "best_contraction_factor": "descent",
    "best_fixed_learning_rate": "descent",
    "bias_correction": "optimizers",
    "bowl_gd_iterate": "descent",
    "bowl_gradient": "descent",
    "bowl_hessian": "descent",
    "bowl_loss": "descent",
    "broadcast_report": "shapes",
    "broadcast_shape": "shapes",
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
    "fit_loss_and_gradient": "mlp",
    "fit_step": "mlp",
    "fit_trajectory": "mlp",
    "gated_width_for_same_params": "mlp",
    "gelu": "activations",
    "gelu_slope": "activations",
    "gemm_bytes": "gemm",
    "gemm_flops": "gemm",
    "gemm_intensity": "gemm",
    "gemm_macs": "gemm",
    "get_activation": "activations",
    "gradient_step": "descent",
    "gradient_step_flops": "descent",
    "hidden_unit_output": "mlp",
    "interpolation_error_bound": "mlp",
    "iteration_time_lower_bound": "batching",
    "kl_divergence": "information",
    "kv_cache_bytes": "kv_cache",
    "kv_cache_bytes_per_token": "kv_cache",
    "kv_elements_per_token_by_layer": "kv_cache",
    "layer_projections": "gemm",
    "linear_flops": "gemm",
    "llama_ffn_width": "mlp",
    "log_base": "functions",
    "log_of_product": "functions",
    "lr_schedule": "optimizers",
    "make_workload": "batching",
    "matmul_flops_per_token": "gemm",
    "matmul_report": "shapes",
    "matmul_shape": "shapes",
    "max_batch_that_fits": "kv_fit",
    "max_context_that_fits": "kv_fit",
    "mistake_bound": "perceptron",
    "mlp_flops_per_token": "mlp",
    "mlp_param_count": "model_size",
    "model_state_breakdown": "optimizers",
    "momentum_step": "optimizers",
    "neuron_output": "perceptron",
    "norm": "vectors",
    "normal_cdf": "activations",
    "normal_pdf": "activations",
    "numel": "shapes",
    "one_hidden_layer_output": "mlp",
    "optimizer_state_multiplier": "optimizers",
    "param_breakdown": "model_size",
    "param_count": "model_size",
    "perceptron_run": "perceptron",
    "perceptron_update": "perceptron",
    "perplexity": "information",
    "pieces_for_error": "mlp",
    "pipeline_bubble_fraction": "parallel",
    "power_law": "functions",
    "power_slope": "derivatives",
    "quadratic_gd_iterate": "descent",
    "quadratic_loss": "descent",
    "quadratic_slope": "descent",
    "random_cosine_std": "vectors",
    "random_cosine_tail": "vectors",
    "random_dot_std": "vectors",
    "relu": "activations",
    "relu_interpolant": "mlp",
    "relu_knot": "mlp",
    "relu_slope": "activations",
    "relu_sum": "mlp",
    "ridge_point": "roofline",
    "ring_allreduce_time": "parallel",
    "roofline_flops": "roofline",
    "rope_frequencies": "rope",
    "sampled_max_gap": "mlp",
    "scalar_projection": "vectors",
    "score_matrix_bytes": "attention",
    "score_matrix_elements": "attention",
    "secant_slope": "derivatives",
    "sgd_step": "optimizers",
    "sigmoid": "functions",
    "sigmoid_slope": "derivatives",
    "signed_distance": "perceptron",
    "silu": "activations",
    "silu_slope": "activations",
    "soft_cap": "functions",
    "softmax": "information",
    "softplus": "functions",
    "speculative_expected_tokens": "speculative",
    "speculative_speedup": "speculative",
    "ssm_state_bytes": "kv_cache",
    "static_batching_schedule": "batching",
    "step_function": "perceptron",
    "steps_to_shrink": "descent",
    "surprisal": "information",
    "tanh_slope": "activations",
    "tensor_bytes": "shapes",
    "training_flops": "training",
    "vector_projection": "vectors",
    "weight_bytes": "model_size",
    "weighted_sum": "perceptron",
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
