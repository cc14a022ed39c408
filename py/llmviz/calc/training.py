"""Training compute: the 6·N·D rule and the Chinchilla compute-optimal split.

Sources: Kaplan et al., Scaling Laws for Neural Language Models (2020), section 2.1,
https://arxiv.org/abs/2001.08361 (C ≈ 6ND: 2 FLOPs per parameter per token forward,
4 backward); Hoffmann et al., Training Compute-Optimal Large Language Models (2022),
https://arxiv.org/abs/2203.15556.
"""
from __future__ import annotations

import math

from ._checks import positive

# Hoffmann et al. find N_opt and D_opt both grow as C^0.5 (Approaches 1-3, Table 2);
# their Table 3 projections sit at about 20 training tokens per parameter.
TOKENS_PER_PARAM = 20.0


def training_flops(n_params: float, n_tokens: float) -> float:
    """Training FLOPs ≈ 6·N·D for ``n_params`` parameters seen over ``n_tokens`` tokens."""
    positive("n_params", n_params)
    positive("n_tokens", n_tokens)
    return 6.0 * n_params * n_tokens


def chinchilla_optimal(flops: float) -> tuple[float, float]:
    """Compute-optimal ``(n_params, n_tokens)`` for a budget of ``flops`` FLOPs.

    The fit used is the rule of thumb read off Hoffmann et al. (2022): D = 20·N
    together with C = 6·N·D, so N = sqrt(C / 120) and D = 20·N. It reproduces the
    paper's Table 3 (Approach 1) within 8 %, and Chinchilla itself (70 B parameters,
    1.4 T tokens for Gopher's 5.76e23 FLOPs) within 2 %.
    """
    positive("flops", flops)
    n_params = math.sqrt(flops / (6.0 * TOKENS_PER_PARAM))
    return n_params, TOKENS_PER_PARAM * n_params
