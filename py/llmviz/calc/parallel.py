"""Parallelism arithmetic: ZeRO memory, pipeline bubbles, ring all-reduce, MoE capacity.

All sizes are bytes, times seconds, bandwidths bytes/second.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ._checks import positive, positive_int

ZERO_STAGES = (0, 1, 2, 3)


def zero_model_state_bytes(n_params: float, n_gpus: int, stage: int, k: float = 12) -> float:
    """Model-state bytes per GPU under ZeRO (Rajbhandari et al. 2020, section 5).

    Mixed-precision Adam keeps 2 bytes of fp16/bf16 parameters, 2 bytes of
    gradients and ``k`` bytes of optimizer state per parameter (k = 12: fp32
    master weights, momentum and variance). ``stage`` 0 is plain data
    parallelism (everything replicated); 1 partitions the optimizer state
    (P_os), 2 also the gradients (P_os+g), 3 also the parameters (P_os+g+p)
    across ``n_gpus``. Activations and buffers are not included.
    Source: https://arxiv.org/abs/1910.02054 (Figure 1).
    """
    positive("n_params", n_params)
    positive_int("n_gpus", n_gpus)
    if isinstance(stage, bool) or stage not in ZERO_STAGES:
        raise ValueError(f"stage must be one of 0, 1, 2, 3; got {stage!r}")
    positive("k", k)
    params, grads, optim = 2.0 * n_params, 2.0 * n_params, k * n_params
    if stage >= 1:
        optim /= n_gpus
    if stage >= 2:
        grads /= n_gpus
    if stage >= 3:
        params /= n_gpus
    return params + grads + optim


def pipeline_bubble_fraction(p: int, m: int) -> float:
    """Idle share of a GPipe step: (p−1)/(m+p−1) for ``p`` stages and ``m`` micro-batches.

    The step takes m+p−1 micro-batch slots per stage, of which p−1 are spent
    filling and draining the pipeline (Huang et al. 2019, section 2.3,
    https://arxiv.org/abs/1811.06965). Narayanan et al. (2021) quote the same
    bubble relative to ideal compute time instead, (p−1)/m.
    """
    positive_int("p", p)
    positive_int("m", m)
    return (p - 1) / (m + p - 1)


def ring_allreduce_time(n_bytes: float, n_ranks: int, link_bytes_per_s: float) -> float:
    """Bandwidth term of a ring all-reduce of ``n_bytes`` over ``n_ranks``: 2(n−1)/n · S / B.

    Reduce-scatter then all-gather, each moving (n−1)/n of the buffer through
    every rank's link at ``link_bytes_per_s`` per direction. Latency terms are
    ignored. Source: Patarasuk and Yuan, Bandwidth Optimal All-reduce
    Algorithms for Clusters of Workstations (2009),
    https://doi.org/10.1016/j.jpdc.2008.09.002; NCCL's bus-bandwidth factor
    2(n−1)/n, https://github.com/NVIDIA/nccl-tests/blob/master/doc/PERFORMANCE.md.
    """
    positive("n_bytes", n_bytes)
    positive_int("n_ranks", n_ranks)
    positive("link_bytes_per_s", link_bytes_per_s)
    return 2.0 * (n_ranks - 1) / n_ranks * n_bytes / link_bytes_per_s


def expert_capacity(tokens: int, n_experts: int, capacity_factor: float) -> int:
    """Tokens one expert may take: ⌊tokens / n_experts × capacity_factor⌋, at most ``tokens``.

    Fedus et al., Switch Transformers (2021), section 2.2, eq. 3,
    https://arxiv.org/abs/2101.03961. Rounding follows the Mesh TensorFlow code
    the paper was built on (truncate to an integer, cap at the group size).
    Tokens routed to a full expert overflow (are dropped or skip the layer).
    """
    positive_int("tokens", tokens)
    positive_int("n_experts", n_experts)
    positive("capacity_factor", capacity_factor)
    # Fractions keep 4096 × 1.25 / 8 = 640 exact instead of 639.999….
    cf = Fraction(capacity_factor).limit_denominator(10**6)
    return min(tokens, math.floor(tokens * cf / n_experts))
