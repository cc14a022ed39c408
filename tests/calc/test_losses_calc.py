"""Loss calculators against numpy, finite differences and closed forms written out by hand."""
import math

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc import (bce_slope, binary_cross_entropy, binary_cross_entropy_logit, gap_smoothed_cross_entropy,
                         mean_squared_error, negative_log_likelihood, neuron_descent, neuron_loss_gradient,
                         optimal_logit_gap, sigmoid_squared_error, sigmoid_squared_error_slope,
                         smoothed_cross_entropy, smoothed_cross_entropy_slope, smoothed_probs, smoothed_target,
                         smoothing_floor, smoothing_gap_descent, smoothing_gap_step, softmax_squared_error_slope,
                         squared_error)


def np_softmax(z):
    e = np.exp(np.asarray(z, float) - np.max(z))
    return e / e.sum()


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_every_loss_calculator_is_registered():
    for name in ("squared_error", "mean_squared_error", "negative_log_likelihood", "binary_cross_entropy",
                 "binary_cross_entropy_logit", "bce_slope", "sigmoid_squared_error",
                 "sigmoid_squared_error_slope", "softmax_squared_error_slope", "smoothed_probs",
                 "smoothed_target", "smoothed_cross_entropy", "smoothed_cross_entropy_slope",
                 "optimal_logit_gap", "smoothing_floor", "smoothing_gap_step", "smoothing_gap_descent",
                 "gap_smoothed_cross_entropy", "neuron_loss_gradient", "neuron_descent"):
        assert callable(getattr(calc, name))


# -- squared error ----------------------------------------------------------------------


def test_squared_error_of_numbers_and_vectors():
    assert squared_error(2.5, 3) == pytest.approx(0.25)
    q, p = [0.7, 0.2, 0.1], [1.0, 0.0, 0.0]
    assert squared_error(q, p) == pytest.approx(float(np.sum((np.array(q) - np.array(p)) ** 2)))
    # all of q on one wrong class: the ceiling of 2
    assert squared_error([0.0, 1.0, 0.0], p) == pytest.approx(2.0)


def test_mean_squared_error_is_numpys_mean():
    yhat, y = np.array([2.5, 0.0, 4.0]), np.array([3.0, -1.0, 2.0])
    assert mean_squared_error(yhat, y) == pytest.approx(float(np.mean((yhat - y) ** 2)))
    assert mean_squared_error([[1, 0], [0, 1]], [[1, 0], [1, 0]]) == pytest.approx(1.0)


# -- likelihood and binary cross-entropy -------------------------------------------------------


def test_negative_log_likelihood_is_minus_log_of_the_product():
    probs = [0.9, 0.6, 0.05, 0.8]
    assert negative_log_likelihood(probs) == pytest.approx(-np.log(np.prod(probs)))
    assert negative_log_likelihood([1.0]) == 0.0
    assert negative_log_likelihood([0.5, 0.0]) == math.inf
    # a product that underflows a double still has a finite NLL
    assert negative_log_likelihood([1e-200] * 5) == pytest.approx(1000 * math.log(10))


@pytest.mark.parametrize("z", [-30.0, -6.0, -1.0, 0.0, 0.5, 3.0, 40.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_from_the_logit_matches_the_probability_form(z, y):
    q = float(np_sigmoid(z))
    direct = -(y * np.log(q) + (1 - y) * np.log1p(-q)) if 1e-12 < q < 1 - 1e-12 else None
    got = binary_cross_entropy_logit(z, y)
    if direct is not None:
        assert got == pytest.approx(direct, rel=1e-9, abs=1e-12)
        assert binary_cross_entropy(q, y) == pytest.approx(direct, rel=1e-9, abs=1e-12)
    assert math.isfinite(got)


def test_binary_cross_entropy_edges():
    assert binary_cross_entropy(0.8, 1) == pytest.approx(-math.log(0.8))
    assert binary_cross_entropy(0.8, 0) == pytest.approx(-math.log(0.2))
    assert binary_cross_entropy(1.0, 1) == 0.0
    assert binary_cross_entropy(0.0, 1) == math.inf
    # far out the logit form is linear: softplus(z) − z·y ≈ |z| when wrong
    assert binary_cross_entropy_logit(-800.0, 1.0) == pytest.approx(800.0)


# -- slopes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", [-9.0, -6.0, -2.0, -0.3, 0.0, 1.5, 7.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_slopes_through_the_sigmoid_match_finite_differences(z, y):
    bce = lambda u: float(np.logaddexp(0.0, u) - y * u)
    mse = lambda u: float((np_sigmoid(u) - y) ** 2)
    assert bce_slope(z, y) == pytest.approx(central(bce, z), abs=1e-7)
    assert sigmoid_squared_error_slope(z, y) == pytest.approx(central(mse, z), abs=1e-8)
    assert sigmoid_squared_error(z, y) == pytest.approx(mse(z))


def test_slope_ratio_is_one_over_twice_the_sigmoid_slope():
    for z in (-10.0, -6.0, -1.0, 2.0):
        q = float(np_sigmoid(z))
        assert bce_slope(z, 1) / sigmoid_squared_error_slope(z, 1) == pytest.approx(1 / (2 * q * (1 - q)))


def test_softmax_squared_error_slope_matches_finite_differences():
    z = np.array([-3.0, 6.0, 1.0, 0.5, 0.0, -0.5])
    p = np.eye(6)[0]
    got = softmax_squared_error_slope(list(z), 0)
    for j in range(6):
        def f(u, j=j):
            zz = z.copy()
            zz[j] = u
            return float(np.sum((np_softmax(zz) - p) ** 2))
        assert got[j] == pytest.approx(central(f, z[j]), abs=1e-8)
    assert sum(got) == pytest.approx(0.0, abs=1e-12)   # adding c to every logit changes nothing


# -- label smoothing ------------------------------------------------------------------------------


def test_smoothed_target_is_szegedys_mixture():
    t = smoothed_target(2, 5, 0.1)
    expected = 0.9 * np.eye(5)[2] + 0.1 / 5
    assert np.allclose(t, expected) and sum(t) == pytest.approx(1.0)
    assert smoothed_probs(1000, 0.1) == pytest.approx((0.9 + 1e-4, 1e-4))
    assert smoothed_target(0, 3, 0.0) == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.1, 0.4])
def test_smoothed_cross_entropy_and_its_slope(eps):
    z = np.array([2.0, 1.5, 1.0, 0.5, 0.0, -1.0])
    target = (1 - eps) * np.eye(6)[0] + eps / 6
    logq = np.log(np_softmax(z))
    assert smoothed_cross_entropy(list(z), 0, eps) == pytest.approx(float(-(target * logq).sum()))
    slope = smoothed_cross_entropy_slope(list(z), 0, eps)
    for j in range(6):
        def f(u, j=j):
            zz = z.copy()
            zz[j] = u
            return float(-(target * np.log(np_softmax(zz))).sum())
        assert slope[j] == pytest.approx(central(f, z[j]), abs=1e-7)


def test_szegedys_split_of_the_smoothed_loss():
    z, eps = [0.3, -1.2, 2.2, 0.0], 0.2
    logq = np.log(np_softmax(z))
    plain, uniform = -logq[1], -logq.mean()
    assert smoothed_cross_entropy(z, 1, eps) == pytest.approx((1 - eps) * plain + eps * uniform)


@pytest.mark.parametrize("v,eps", [(6, 0.1), (1000, 0.1), (128256, 0.1), (128256, 0.01), (3, 0.5)])
def test_the_best_gap_makes_the_softmax_equal_the_target(v, eps):
    gap = optimal_logit_gap(v, eps)
    assert gap == pytest.approx(math.log((1 - eps + eps / v) / (eps / v)))
    q_true = 1 / (1 + (v - 1) * math.exp(-gap))
    assert q_true == pytest.approx(smoothed_probs(v, eps)[0], rel=1e-9)
    # the loss along the gap is least there
    f = lambda g: gap_smoothed_cross_entropy(g, v, eps)
    assert f(gap) < f(gap - 0.05) and f(gap) < f(gap + 0.05)
    assert f(gap) == pytest.approx(smoothing_floor(v, eps), rel=1e-9)


def test_floor_is_the_targets_entropy():
    for v, eps in ((6, 0.1), (1000, 0.1), (128256, 0.1)):
        a, b = smoothed_probs(v, eps)
        t = np.full(v, b)
        t[0] = a
        assert smoothing_floor(v, eps) == pytest.approx(float(-(t * np.log(t)).sum()), rel=1e-9)
    assert smoothing_floor(50, 0.0) == 0.0
    assert smoothing_floor(50, 1.0) == pytest.approx(math.log(50))
    assert optimal_logit_gap(6, 0.0) == math.inf and optimal_logit_gap(6, 1.0) == 0.0


def test_gap_loss_matches_the_full_softmax_loss():
    for gap in (-3.0, 0.0, 2.5, 40.0):
        z = [gap] + [0.0] * 5
        assert gap_smoothed_cross_entropy(gap, 6, 0.1) == pytest.approx(smoothed_cross_entropy(z, 0, 0.1))


def test_gap_step_is_one_gradient_step_on_the_full_logits():
    v, eps, lr = 6, 0.1, 1.0
    z = np.array([0.7, 0.0, 0.0, 0.0, 0.0, 0.0])
    target = (1 - eps) * np.eye(v)[0] + eps / v
    z_next = z - lr * (np_softmax(z) - target)
    assert smoothing_gap_step(0.7, v, eps, lr) == pytest.approx(z_next[0] - z_next[1])
    run = smoothing_gap_descent(v, eps, lr, 5)
    g = 0.0
    for k in range(1, 6):
        g = smoothing_gap_step(g, v, eps, lr)
        assert run[k] == pytest.approx(g)


# -- the neuron ------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_neuron_gradient_and_descent_against_numpy(loss):
    xs, ys = np.array([-2.4, -1.0, 0.3, 1.7]), np.array([0.0, 0.0, 1.0, 1.0])
    w, b = -3.0, 0.4

    def mean_loss(w_, b_):
        z = w_ * xs + b_
        q = np_sigmoid(z)
        if loss == "bce":
            return float(np.mean(np.logaddexp(0.0, z) - ys * z))
        return float(np.mean((q - ys) ** 2))

    L, gw, gb = neuron_loss_gradient(w, b, xs, ys, loss)
    assert L == pytest.approx(mean_loss(w, b))
    assert gw == pytest.approx(central(lambda u: mean_loss(u, b), w), abs=1e-8)
    assert gb == pytest.approx(central(lambda u: mean_loss(w, u), b), abs=1e-8)
    run = neuron_descent(w, b, xs, ys, loss, 0.5, 3)
    assert run[1] == pytest.approx((w - 0.5 * gw, b - 0.5 * gb))
    assert len(run) == 4


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("call,name", [
    (lambda: squared_error([1, 2], [1]), "target"),
    (lambda: mean_squared_error([], []), "predictions"),
    (lambda: negative_log_likelihood([1.5]), "probs"),
    (lambda: binary_cross_entropy(1.2, 1), "prob"),
    (lambda: binary_cross_entropy(0.5, 2), "target"),
    (lambda: binary_cross_entropy_logit(math.nan, 1), "z"),
    (lambda: smoothed_target(5, 5, 0.1), "index"),
    (lambda: smoothed_probs(1, 0.1), "size"),
    (lambda: smoothed_probs(6, 1.5), "epsilon"),
    (lambda: smoothed_cross_entropy([1.0], 0, 0.1), "logits"),
    (lambda: smoothing_gap_step(0.0, 6, 0.1, 0.0), "lr"),
    (lambda: smoothing_gap_descent(6, 0.1, 1.0, -1), "steps"),
    (lambda: neuron_loss_gradient(0, 0, [1], [1], "hinge"), "loss"),
    (lambda: neuron_descent(0, 0, [1, 2], [1], "bce", 1.0, 3), "ys"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
