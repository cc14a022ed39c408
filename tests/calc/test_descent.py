"""Slopes and gradient descent calculators against numpy: numerical derivatives,
descent run step by step, and the Hessian's eigenvalues."""
import math

import numpy as np
import pytest

from llmviz.calc import (best_contraction_factor, best_fixed_learning_rate, bowl_gd_iterate, bowl_gradient,
                         bowl_hessian, bowl_loss, chain_slope, condition_number, contraction_factor,
                         critical_learning_rate, curve, descent_regime, finite_difference_gradient_flops,
                         gradient_step, gradient_step_flops, power_slope, quadratic_gd_iterate, quadratic_loss,
                         quadratic_slope, secant_slope, sigmoid, sigmoid_slope, steps_to_shrink)
from llmviz.calc.derivatives import CURVES


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("name", list(CURVES))
@pytest.mark.parametrize("x", [-1.5, 0.0, 0.7, 2.0])
def test_curve_slopes_match_numerical_derivatives(name, x):
    c = curve(name)
    assert c.slope(x) == pytest.approx(central(c.f, x), rel=1e-6, abs=1e-8)
    # the secant closes in on it
    errs = [abs(secant_slope(c.f, x, h) - c.slope(x)) for h in (0.1, 0.01, 0.001)]
    assert errs[2] <= errs[1] <= errs[0] + 1e-15


def test_secant_slope_is_rise_over_run():
    assert secant_slope(lambda x: x * x, 1.0, 0.5) == 2.5
    assert secant_slope(lambda x: x * x, 1.0, -0.5) == 1.5
    with pytest.raises(ValueError, match="h"):
        secant_slope(lambda x: x, 1.0, 0.0)
    with pytest.raises(ValueError, match="x"):
        secant_slope(lambda x: x, float("nan"), 0.1)


def test_sigmoid_is_stable_and_its_slope_peaks_at_a_quarter():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(1000.0) == 1.0 and sigmoid(-1000.0) == 0.0
    assert sigmoid(-30.0) == pytest.approx(1 / (1 + np.exp(30.0)), rel=1e-12)
    xs = np.linspace(-8, 8, 1601)
    slopes = [sigmoid_slope(float(x)) for x in xs]
    assert max(slopes) == sigmoid_slope(0.0) == 0.25


def test_chain_and_power_rules():
    g, dg = (lambda x: 3 * x * x), (lambda x: 6 * x)
    f, df = math.sin, math.cos
    assert chain_slope(df, g, dg, 0.4) == pytest.approx(central(lambda x: f(g(x)), 0.4), rel=1e-7)
    assert power_slope(3, 2.0) == 12.0
    assert power_slope(-1, 2.0) == pytest.approx(central(lambda x: 1 / x, 2.0))
    assert power_slope(0.5, 4.0) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="x"):
        power_slope(0.5, -1.0)


@pytest.mark.parametrize("c,lr", [(2.0, 0.15), (2.0, 0.8), (2.0, 1.0), (2.0, 1.1), (0.5, 0.01), (4.0, 0.3)])
def test_closed_form_iterate_matches_stepping(c, lr):
    w = 2.0
    for k in range(25):
        assert quadratic_gd_iterate(2.0, lr, c, k) == pytest.approx(w, rel=1e-6, abs=1e-9)
        w = w - lr * central(lambda v: 0.5 * c * v * v, w)
    assert quadratic_slope(1.3, c) == pytest.approx(central(lambda v: quadratic_loss(v, c), 1.3))


def test_iterate_around_a_shifted_minimum():
    assert quadratic_gd_iterate(1.0, 0.1, 8.0, 1, minimum=1.5) == pytest.approx(1.4)
    assert quadratic_loss(1.0, 8.0, 1.5) == pytest.approx(1.0)


def test_critical_rate_is_where_the_run_stops_converging():
    c = 2.0
    crit = critical_learning_rate(c)
    assert crit == 1.0
    assert abs(quadratic_gd_iterate(2.0, 0.999 * crit, c, 2000)) < 2.0
    assert abs(quadratic_gd_iterate(2.0, 1.001 * crit, c, 2000)) > 2.0


def test_regimes():
    assert [descent_regime(lr, 2.0) for lr in (0.15, 0.5, 0.8, 1.0, 1.05)] == \
        ["creeps", "one step", "overshoots", "bounces", "diverges"]
    assert contraction_factor(0.8, 2.0) == pytest.approx(-0.6)


def test_huge_step_counts_do_not_overflow():
    assert quadratic_gd_iterate(2.0, 1.1, 2.0, 10 ** 9) in (math.inf, -math.inf)
    assert quadratic_gd_iterate(2.0, 0.15, 2.0, 10 ** 9) == 0.0
    assert quadratic_gd_iterate(2.0, 1.0, 2.0, 10 ** 9 + 1) == -2.0


def test_steps_to_shrink():
    assert steps_to_shrink(0.5, 0.25) == 2
    assert steps_to_shrink(-0.5, 0.25) == 2
    assert steps_to_shrink(0.84, 0.01) == 27
    assert steps_to_shrink(1.0, 0.5) == math.inf
    assert steps_to_shrink(0.0, 0.5) == 1
    assert steps_to_shrink(0.9, 1.0) == 0
    with pytest.raises(ValueError, match="ratio"):
        steps_to_shrink(0.5, 0.0)


def test_best_fixed_rate_balances_the_two_ends():
    c_min, c_max = 0.1, 1.0
    eta = best_fixed_learning_rate(c_min, c_max)
    assert 1 - eta * c_min == pytest.approx(-(1 - eta * c_max))
    assert abs(1 - eta * c_min) == pytest.approx(best_contraction_factor(condition_number((c_min, c_max))))
    with pytest.raises(ValueError, match="c_min"):
        best_fixed_learning_rate(2.0, 1.0)
    with pytest.raises(ValueError, match="kappa"):
        best_contraction_factor(0.5)


@pytest.mark.parametrize("angle", [0.0, 0.4, -1.1])
def test_bowl_gradient_and_hessian_against_numpy(angle):
    c1, c2, center = 0.3, 2.0, (0.5, -0.25)
    L = lambda a, b: bowl_loss(a, b, c1, c2, angle, center)
    w = (1.2, -0.7)
    g = bowl_gradient(*w, c1, c2, angle, center)
    assert g[0] == pytest.approx(central(lambda a: L(a, w[1]), w[0]), rel=1e-6)
    assert g[1] == pytest.approx(central(lambda b: L(w[0], b), w[1]), rel=1e-6)
    H = np.array(bowl_hessian(c1, c2, angle))
    assert np.allclose(H, H.T)
    assert np.allclose(sorted(np.linalg.eigvalsh(H)), sorted((c1, c2)))
    # the loss is ½ (w − w*)ᵀ H (w − w*)
    d = np.array(w) - np.array(center)
    assert L(*w) == pytest.approx(0.5 * d @ H @ d)


@pytest.mark.parametrize("angle", [0.0, 0.5])
def test_bowl_iterate_matches_stepping(angle):
    c1, c2, lr = 0.1, 1.0, 1.6
    w = (-3.0, 1.5)
    for k in range(30):
        assert np.allclose(bowl_gd_iterate(-3.0, 1.5, lr, c1, c2, k, angle), w, atol=1e-10)
        w = gradient_step(w, bowl_gradient(*w, c1, c2, angle), lr)


def test_bowl_iterate_overflows_cleanly():
    a, b = bowl_gd_iterate(-3.0, 1.5, 2.5, 0.1, 1.0, 10 ** 6)
    assert b in (math.inf, -math.inf) and math.isfinite(a)
    assert bowl_gd_iterate(-3.0, 1.5, 2.5, 0.1, 1.0, 10 ** 6, angle=0.3) == (math.inf, math.inf)


def test_costs_on_a_model():
    assert gradient_step_flops(8.03e9) == 2 * 8.03e9
    assert finite_difference_gradient_flops(10, 7) == 77


@pytest.mark.parametrize("call,arg", [
    (lambda: critical_learning_rate(0), "curvature"),
    (lambda: contraction_factor(-0.1, 2.0), "lr"),
    (lambda: quadratic_loss(1.0, -2.0), "curvature"),
    (lambda: condition_number([]), "curvatures"),
    (lambda: condition_number([1.0, 0.0]), r"curvatures\[1\]"),
    (lambda: bowl_loss(0.0, 0.0, 0.0, 1.0), "c1"),
    (lambda: bowl_gradient(float("inf"), 0.0, 1.0, 1.0), "w1"),
    (lambda: gradient_step((1.0, 2.0), (1.0,), 0.1), "params"),
    (lambda: gradient_step_flops(0), "n_params"),
    (lambda: curve("tanh"), "curve"),
    (lambda: quadratic_gd_iterate(1.0, 0.1, 1.0, -1), "steps"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
