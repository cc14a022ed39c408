"""Speculative decoding's expected gain (Leviathan, Kalman and Matias, ICML 2023).

Source: Fast Inference from Transformers via Speculative Decoding,
https://arxiv.org/abs/2211.17192 — Equation 1 and Theorem 3.8.
"""
from __future__ import annotations

from ._checks import in_range, positive, positive_int


def speculative_expected_tokens(alpha: float, gamma: int) -> float:
    """Expected tokens per target-model call: (1 − α^(γ+1)) / (1 − α).

    ``alpha`` ∈ [0, 1) is the expected acceptance rate of a drafted token and
    ``gamma`` ≥ 1 the number of tokens drafted per call. Each call yields the
    accepted prefix plus one token from the target model, a capped geometric
    count (Equation 1).
    """
    in_range("alpha", alpha, 0.0, 1.0, hi_open=True)
    positive_int("gamma", gamma)
    return (1.0 - alpha ** (gamma + 1)) / (1.0 - alpha)


def speculative_speedup(alpha: float, gamma: int, c: float) -> float:
    """Expected walltime improvement: E / (γ·c + 1) (Theorem 3.8).

    ``c`` ≥ 0 is the cost of one draft-model run relative to one target-model
    run. Assumes the γ+1 parallel target evaluations cost one target step.
    """
    positive("c", c, allow_zero=True)
    return speculative_expected_tokens(alpha, gamma) / (gamma * c + 1.0)
