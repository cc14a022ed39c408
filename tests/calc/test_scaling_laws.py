"""Scaling-law calculators against numpy minimisation, closed forms written another way, and the papers' numbers."""
import math

import numpy as np
import pytest

from llmviz.calc.training import (KAPLAN_ALPHA_N, LOSS_FITS, PF_DAY, LossFit, chinchilla_crossover_flops,
                                  chinchilla_fit_optimal,
                                  chinchilla_flops_for_loss, chinchilla_frontier_loss, chinchilla_loss,
                                  chinchilla_tokens_for_loss, kaplan_loss_compute, kaplan_loss_params,
                                  kaplan_loss_tokens, kaplan_optimal, kaplan_table5_params, loss_fit, training_flops,
                                  training_run_flops, training_run_params)
from llmviz.catalog.training_runs import TRAINING_RUNS, TrainingRun, get_training_run

# Hoffmann et al.'s constants before the paper rounded them, as Besiroglu et al.'s analysis
# notebook recovers them from the paper's TeX source: log A, log B, log E, alpha, beta.
UNROUNDED = LossFit("tex", "Hoffmann et al., unrounded", E=math.exp(0.5267228), A=math.exp(6.0073404),
                    B=math.exp(6.0179186), alpha=0.33917084, beta=0.2849083, source="")
GOPHER_FLOPS = 5.76e23          # Hoffmann et al.: the budget Gopher and Chinchilla share


def numpy_loss(f, n, d):
    return f.E + f.A * np.power(n, -f.alpha) + f.B * np.power(d, -f.beta)


def numpy_argmin(f, flops):
    """Brute force: the loss along 6ND = C on a fine log grid of N, then a finer grid around the best."""
    n = np.logspace(4, 16, 200001)
    i = int(np.argmin(numpy_loss(f, n, flops / (6 * n))))
    n = np.linspace(n[max(i - 1, 0)], n[i + 1], 200001)
    i = int(np.argmin(numpy_loss(f, n, flops / (6 * n))))
    return n[i], flops / (6 * n[i])


@pytest.mark.parametrize("fit", ["hoffmann", "besiroglu"])
@pytest.mark.parametrize("flops", [1e18, 1e20, 5.76e23, 3.8e25, 1e27])
def test_closed_form_optimum_is_the_minimum_numpy_finds(fit, flops):
    f = LOSS_FITS[fit]
    n, d = chinchilla_fit_optimal(flops, fit)
    n_np, d_np = numpy_argmin(f, flops)
    assert n == pytest.approx(n_np, rel=1e-4) and d == pytest.approx(d_np, rel=1e-4)
    assert training_flops(n, d) == pytest.approx(flops, rel=1e-12)
    # the frontier formula is the loss at that point, and nothing on the isoFLOP line beats it
    assert chinchilla_frontier_loss(flops, fit) == pytest.approx(chinchilla_loss(n, d, fit), rel=1e-12)
    grid = np.logspace(math.log10(n) - 2, math.log10(n) + 2, 401)
    assert numpy_loss(f, grid, flops / (6 * grid)).min() >= chinchilla_frontier_loss(flops, fit) - 1e-12


def test_loss_is_the_three_terms():
    f = LOSS_FITS["hoffmann"]
    # written out by hand for Chinchilla (70B, 1.4T) and Gopher (280B, 300B)
    assert chinchilla_loss(70e9, 1.4e12) == pytest.approx(1.69 + 406.4 / 70e9 ** 0.34 + 410.7 / 1.4e12 ** 0.28)
    assert chinchilla_loss(280e9, 300e9) > chinchilla_loss(70e9, 1.4e12)
    assert chinchilla_loss(1e40, 1e40) == pytest.approx(f.E, abs=1e-6)


def test_exponents_of_the_split():
    # Table 2, approach 3: a = 0.46, b = 0.54, which the unrounded constants reproduce;
    # the printed, rounded ones give 0.28/0.62 = 0.45
    for f, a in ((UNROUNDED, 0.46), (LOSS_FITS["hoffmann"], 0.45)):
        n1, d1 = chinchilla_fit_optimal(1e21, f)
        n2, d2 = chinchilla_fit_optimal(1e23, f)
        assert round(math.log10(n2 / n1) / 2, 2) == a
        assert round(math.log10(d2 / d1) / 2, 2) == round(1 - a, 2)
    # Besiroglu et al.'s printed refit: a = beta/(alpha+beta) = 0.3658/0.7136 = 0.513
    n1, _ = chinchilla_fit_optimal(1e21, "besiroglu")
    n2, _ = chinchilla_fit_optimal(1e23, "besiroglu")
    assert math.log10(n2 / n1) / 2 == pytest.approx(0.513, abs=5e-4)


def test_the_papers_own_projections():
    # Figure 4: "We project the optimal model size given the Gopher FLOP budget to be 40B parameters."
    n, _ = chinchilla_fit_optimal(GOPHER_FLOPS, UNROUNDED)
    assert n == pytest.approx(40e9, rel=0.02)
    # Table A3, approach 3: parameters, FLOPs, tokens (within 10 %: the table rounds, the fit is unrounded)
    for params, flops, tokens in ((1e9, 1.62e20, 27.1e9), (10e9, 2.46e22, 410.1e9), (67e9, 1.71e24, 4.1e12)):
        n, d = chinchilla_fit_optimal(flops, UNROUNDED)
        assert n == pytest.approx(params, rel=0.1) and d == pytest.approx(tokens, rel=0.1)
    # Besiroglu et al.: their refit agrees with approaches 1 and 2, about 20 tokens per parameter
    # where Chinchilla was trained (70B on 1.4T)
    n, d = chinchilla_fit_optimal(training_flops(70e9, 1.4e12), "besiroglu")
    assert 15 < d / n < 25 and n == pytest.approx(70e9, rel=0.1)


def test_frontier_read_backwards():
    for fit in LOSS_FITS:
        for c in (1e19, 1e22, 1e25):
            loss = chinchilla_frontier_loss(c, fit)
            assert chinchilla_flops_for_loss(loss, fit) == pytest.approx(c, rel=1e-9)
        # numpy bisection on log C as an independent inverse
        target = 2.1
        lo, hi = 10.0, 40.0
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if chinchilla_frontier_loss(10 ** mid, fit) > target else (lo, mid)
        assert chinchilla_flops_for_loss(target, fit) == pytest.approx(10 ** lo, rel=1e-9)


def test_tokens_for_loss_inverts_the_loss():
    for n, d in ((1e9, 2e10), (8e9, 15e12), (70e9, 1.4e12)):
        loss = chinchilla_loss(n, d)
        assert chinchilla_tokens_for_loss(loss, n) == pytest.approx(d, rel=1e-9)
    with pytest.raises(ValueError, match="floor"):
        chinchilla_tokens_for_loss(1.70, 1e9)


def test_kaplan_laws():
    # section 1.2: "doubling the number of parameters yields a loss that is smaller by a factor 2^-alpha_N = 0.95"
    assert kaplan_loss_params(2e9) / kaplan_loss_params(1e9) == pytest.approx(0.95, abs=0.005)
    assert kaplan_loss_params(8.8e13) == pytest.approx(1.0)
    assert kaplan_loss_tokens(5.4e13) == pytest.approx(1.0)
    assert kaplan_loss_compute(3.1e8 * 8.64e19) == pytest.approx(1.0)
    assert PF_DAY == 8.64e19
    assert KAPLAN_ALPHA_N == 0.076
    # appendix D.4 of Hoffmann et al.: at 1e21 FLOPs Kaplan's law asks for 4.68B parameters
    n, d = kaplan_optimal(1e21)
    assert n == pytest.approx(4.68e9) and 6 * n * d == pytest.approx(1e21)
    # Kaplan's table 5 as printed, N = 1.3e9 * (C / PF-day)^0.73, written out by hand: it gives
    # Hoffmann et al.'s 4.68B at 5e20 FLOPs, half the budget they name, and 7.8B at 1e21
    assert kaplan_table5_params(5e20) == pytest.approx(4.68e9, rel=1e-3)
    assert kaplan_table5_params(1e21) == pytest.approx(1.3e9 * (1e21 / 8.64e19) ** 0.73)
    assert kaplan_table5_params(1e21) / 1e9 == pytest.approx(7.77, abs=0.01)
    # N grows as C^0.73, so D = C/6N grows as C^0.27
    n2, d2 = kaplan_optimal(1e23)
    assert math.log10(n2 / n) / 2 == pytest.approx(0.73) and math.log10(d2 / d) / 2 == pytest.approx(0.27)


def test_training_runs_against_published_compute():
    # Brown et al. 2020, table D.1: GPT-3 175B took 3.14e23 FLOPs
    assert training_run_flops("gpt-3") == pytest.approx(3.14e23, rel=0.01)
    # Chinchilla and Gopher share Gopher's 5.76e23 budget (6ND of either lies within 13 %)
    assert training_run_flops("chinchilla") == pytest.approx(GOPHER_FLOPS, rel=0.03)
    assert training_run_flops("gopher") == pytest.approx(GOPHER_FLOPS, rel=0.13)
    # Llama 3.1 405B: 3.8e25 FLOPs (Dubey et al. 2024, section 1)
    assert training_run_flops("llama-3.1-405b") == pytest.approx(3.8e25, rel=0.01)
    # catalog models take their parameters from the configuration
    assert training_run_params("llama-3-8b") == 8030261248
    assert training_run_params("gopher") == 280e9


def test_training_runs_are_well_formed():
    for r in TRAINING_RUNS.values():
        assert r.source.startswith("https://arxiv.org/abs/") and r.where and r.paper
    with pytest.raises(ValueError, match="exactly one"):
        TrainingRun("x", "X", 1e12, "https://example.org", "Nobody 2099", "here")
    with pytest.raises(ValueError, match="not in the catalog"):
        TrainingRun("x", "X", 1e12, "https://example.org", "Nobody 2099", "here", model="no-such-model")
    with pytest.raises(ValueError, match="training run must be one of"):
        get_training_run("gpt-5")


@pytest.mark.parametrize("call,arg", [
    (lambda: chinchilla_loss(0, 1e9), "n_params"),
    (lambda: chinchilla_loss(1e9, -1), "n_tokens"),
    (lambda: chinchilla_fit_optimal(float("inf")), "flops"),
    (lambda: chinchilla_frontier_loss(0), "flops"),
    (lambda: chinchilla_flops_for_loss(1.5), "irreducible"),
    (lambda: chinchilla_tokens_for_loss(2.0, 0), "n_params"),
    (lambda: kaplan_loss_params(-5), "n_params"),
    (lambda: kaplan_loss_tokens(0), "n_tokens"),
    (lambda: kaplan_loss_compute(float("nan")), "flops"),
    (lambda: kaplan_optimal(0), "flops"),
    (lambda: loss_fit("kaplan"), "fit must be one of"),
])
def test_bad_input_is_named(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


@pytest.mark.parametrize("fit", ["hoffmann", "besiroglu"])
def test_crossover_is_where_the_isoflop_losses_tie(fit):
    f = LOSS_FITS[fit]
    for small, large in ((1e8, 1e9), (1e9, 1e10), (3e10, 7e10)):
        c = chinchilla_crossover_flops(small, large, fit)
        # independent: numpy root of the loss difference on log C by bisection
        lo, hi = 10.0, 35.0
        diff = lambda lc: (numpy_loss(f, small, 10 ** lc / (6 * small)) - numpy_loss(f, large, 10 ** lc / (6 * large)))
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if diff(mid) > 0 else (mid, hi)
        assert c == pytest.approx(10 ** lo, rel=1e-8)
        # below it the small model is ahead, above it the large one
        assert chinchilla_loss(small, c / 2 / (6 * small), fit) < chinchilla_loss(large, c / 2 / (6 * large), fit)
        assert chinchilla_loss(small, 2 * c / (6 * small), fit) > chinchilla_loss(large, 2 * c / (6 * large), fit)
    with pytest.raises(ValueError, match="n_large"):
        chinchilla_crossover_flops(1e9, 1e9)
