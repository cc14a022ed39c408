"""The one-number functions and growth arithmetic of llmviz.calc.functions, and RoPE speeds, against numpy."""
import math

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc.functions import (decades, doubling_distance, log_base, log_of_product, power_law, sigmoid,
                                   soft_cap, softplus)
from llmviz.calc.rope import rope_frequencies

XS = np.linspace(-40, 40, 161)


def test_sigmoid_matches_numpy_and_never_overflows():
    for x in XS:
        assert sigmoid(float(x)) == pytest.approx(1 / (1 + np.exp(-x)), rel=1e-12, abs=1e-300)
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
    for x in (0.3, 2.0, 7.5):
        assert sigmoid(-x) == pytest.approx(1 - sigmoid(x))


def test_tanh_identity_through_the_sigmoid():
    for x in XS:
        assert 2 * sigmoid(2 * float(x)) - 1 == pytest.approx(np.tanh(x), abs=1e-12)


def test_softplus_matches_logaddexp_at_every_sharpness():
    for beta in (0.25, 1.0, 6.0):
        for x in XS:
            assert softplus(float(x), beta) == pytest.approx(np.logaddexp(0, beta * x) / beta, rel=1e-12, abs=1e-300)
    assert softplus(800.0) == pytest.approx(800.0)          # no overflow where e^800 would
    assert softplus(0.0, 4.0) == pytest.approx(math.log(2) / 4)
    for x in (0.5, 3.0):                                    # softplus(x) − softplus(−x) = x
        assert softplus(x) - softplus(-x) == pytest.approx(x)


def test_soft_cap_bounds_and_slope():
    for x in XS:
        assert abs(soft_cap(float(x), 30.0)) < 30.0
        assert soft_cap(float(x), 30.0) == pytest.approx(30 * np.tanh(x / 30))
    assert soft_cap(1e-3, 30.0) == pytest.approx(1e-3, rel=1e-6)   # slope 1 near 0


def test_logs_and_growth():
    assert log_base(8.0, 2.0) == pytest.approx(3.0)
    assert log_base(1000.0, 10.0) == pytest.approx(3.0)
    assert log_base(math.e, math.e) == pytest.approx(1.0)
    assert doubling_distance(1.0) == pytest.approx(np.log(2))
    assert np.exp(0.35 * doubling_distance(0.35)) == pytest.approx(2.0)
    assert decades(2.0, 2000.0) == pytest.approx(3.0)
    ps = np.array([0.5, 0.25, 0.9, 0.01])
    assert log_of_product(ps.tolist()) == pytest.approx(np.log(np.prod(ps)))
    assert log_of_product([0.5] * 2000) == pytest.approx(-2000 * np.log(2))   # the product itself underflows


def test_power_law_is_straight_on_log_log_axes():
    xs = np.logspace(6, 12, 7)
    ys = np.array([power_law(float(x), 8.8e13, 0.076) for x in xs])
    slope = np.polyfit(np.log(xs), np.log(ys), 1)[0]
    assert slope == pytest.approx(-0.076)


@pytest.mark.parametrize("call,arg", [
    (lambda: softplus(1.0, beta=0), "beta"), (lambda: soft_cap(1.0, cap=-1), "cap"),
    (lambda: log_base(-1.0, 2.0), "x"), (lambda: log_base(2.0, 1.0), "base"),
    (lambda: doubling_distance(0.0), "rate"), (lambda: decades(0.0, 1.0), "lo"),
    (lambda: log_of_product([0.5, 0.0]), "factors"), (lambda: log_of_product([]), "factors"),
    (lambda: power_law(0.0, 1.0, 1.0), "x"), (lambda: sigmoid(float("nan")), "x"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


def test_rope_frequencies_of_llama_3_8b():
    # config.json: rope_theta 500000, head_dim 128; Hugging Face: 1 / base ** (arange(0, d, 2) / d)
    got = np.array(rope_frequencies("llama-3-8b"))
    want = 1.0 / 500000.0 ** (np.arange(0, 128, 2) / 128)
    assert got.shape == (64,) and np.allclose(got, want, rtol=1e-12)
    with pytest.raises(ValueError, match="rotary"):
        rope_frequencies("mamba-2.8b")


def test_calculators_load_lazily_from_the_package():
    assert calc.sigmoid is sigmoid and calc.rope_frequencies is rope_frequencies
    for name in ("softplus", "soft_cap", "log_base", "doubling_distance", "decades", "log_of_product",
                 "power_law"):
        assert callable(getattr(calc, name))
