"""Speculative decoding against Leviathan et al. (2023) and a Monte Carlo of the accept/reject loop."""
import numpy as np
import pytest

from llmviz.calc.speculative import speculative_expected_tokens, speculative_speedup


def test_alpha_0_8_gamma_5():
    # Equation 1 at α = 0.8, γ = 5: (1 − 0.8⁶) / 0.2 ≈ 3.69 tokens per target call.
    assert speculative_expected_tokens(0.8, 5) == pytest.approx(3.69, abs=0.005)


def test_bigram_draft_example():
    # Leviathan et al. section 3.6: a bigram draft with α ≈ 0.2 and c = 0 gives 1.25x at γ = 3.
    assert speculative_speedup(0.2, 3, 0.0) == pytest.approx(1.25, abs=0.005)


@pytest.mark.parametrize("alpha,reported", [(0.75, 3.3), (0.8, 3.9), (0.87, 4.9)])
def test_lenience_examples_from_appendix_a5(alpha, reported):
    # Appendix A.5: α of 0.75, 0.8, 0.87 with c = 0.015 and γ = 8 give 3.3x, 3.9x, 4.9x.
    assert speculative_speedup(alpha, 8, 0.015) == pytest.approx(reported, abs=0.05)


def test_corollary_3_9_gamma_one():
    # Corollary 3.9: at γ = 1 the improvement is (1 + α) / (1 + c).
    for alpha, c in ((0.5, 0.0), (0.6, 0.05), (0.9, 0.2)):
        assert speculative_speedup(alpha, 1, c) == pytest.approx((1 + alpha) / (1 + c))


def test_large_gamma_approaches_one_over_one_minus_alpha():
    # Section 3.5: with an oracle (or unbounded γ) the expected count tends to 1 / (1 − α).
    assert speculative_expected_tokens(0.9, 400) == pytest.approx(10.0, rel=1e-9)


def test_series_sum():
    # E = Σ_{i=0}^{γ} α^i: the first token always comes, the i-th extra one with probability α^i.
    for alpha in np.linspace(0.0, 0.95, 20):
        for gamma in (1, 2, 5, 12):
            series = float(np.sum(alpha ** np.arange(gamma + 1)))
            assert speculative_expected_tokens(float(alpha), gamma) == pytest.approx(series, rel=1e-12)


def test_monte_carlo_of_the_accept_reject_loop():
    # Draft γ tokens, accept each with probability α until the first rejection; the target
    # then adds one token (the correction, or a bonus token if all γ were accepted).
    rng = np.random.default_rng(2023)
    alpha, gamma, calls = 0.8, 5, 200_000
    accepted = rng.random((calls, gamma)) < alpha
    prefix = np.where(accepted.all(axis=1), gamma, np.argmin(accepted, axis=1))
    produced = prefix + 1
    assert produced.mean() == pytest.approx(speculative_expected_tokens(alpha, gamma), rel=0.01)


def test_speedup_falls_with_draft_cost_and_has_an_interior_optimum():
    assert speculative_speedup(0.8, 5, 0.0) > speculative_speedup(0.8, 5, 0.05)
    gains = [speculative_speedup(0.8, g, 0.05) for g in range(1, 30)]
    best = int(np.argmax(gains)) + 1
    assert 1 < best < 29


@pytest.mark.parametrize("call,arg", [
    (lambda: speculative_expected_tokens(1.0, 5), r"alpha must be in \[0.0, 1.0\)"),
    (lambda: speculative_expected_tokens(-0.1, 5), "alpha"),
    (lambda: speculative_expected_tokens(0.5, 0), "gamma"),
    (lambda: speculative_expected_tokens(0.5, 2.0), "gamma"),
    (lambda: speculative_speedup(0.5, 2, -0.1), "c must be"),
])
def test_bad_input_names_the_argument_and_range(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
