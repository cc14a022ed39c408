"""Chapter p00-c05's answers against independent oracles: numpy, numerical differentiation,
gradient descent run step by step, and published figures."""
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p00-c05-derivatives")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p00-c05-derivatives.md"


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def central(f, x, h=1e-6):
    """A numerical derivative that shares no code with the book's secant."""
    return (f(x + h) - f(x - h)) / (2 * h)


def sigma(x):
    return 1 / (1 + np.exp(-x))


def run(w0, lr, grad, steps):
    """Gradient descent, one step at a time (the oracle for every closed form)."""
    w = np.array(w0, dtype=float)
    out = [w.copy()]
    for _ in range(steps):
        w = w - lr * grad(w)
        out.append(w.copy())
    return out




def test_secant_slopes_of_x_squared_at_one():
    # ((1 + h)² − 1)/h = 2 + h exactly
    for name, h in (("secant_h1", 1), ("secant_h_half", 0.5), ("secant_h_quarter", 0.25), ("secant_last", 1 / 128)):
        assert val(name) == pytest.approx(2 + h)
    assert text("secant_last") == "2.0078125"


def test_the_neuron_slope_at_its_default_point():
    assert val("chain_default") == pytest.approx(central(lambda x: sigma(2 * x - 1), 0.5), rel=1e-8)
    assert val("chain_default") == pytest.approx(0.5)


def test_gradient_of_the_bowl():
    L = lambda w1, w2: 0.5 * (0.25 * w1 ** 2 + w2 ** 2)
    g1 = central(lambda a: L(a, 1.0), -2.5)
    g2 = central(lambda b: L(-2.5, b), 1.0)
    assert (val("grad_g1"), val("grad_g2")) == (pytest.approx(g1), pytest.approx(g2))
    assert val("grad_norm") == pytest.approx(np.linalg.norm([g1, g2]))
    assert text("grad_norm") == "1.18"
    assert val("grad_floor_norm") == pytest.approx(np.linalg.norm([central(lambda a: L(a, 0.0), 2.4), 0.0]))


def test_the_diverging_ball_leaves_after_five_steps():
    ws = run([2.0], 1.05, lambda w: 2.0 * w, 10)
    first_out = next(k for k, w in enumerate(ws) if abs(w[0]) > 3)
    assert val("diverge_steps") == first_out == 5


def test_bowl_numbers():
    # κ = 10 (c1 = 0.1, c2 = 1), η = 1.6, from (−3, 1.5)
    c = np.array([0.1, 1.0])
    ws = run([-3.0, 1.5], 1.6, lambda w: c * w, 60)
    flat = [abs(w[0]) / 3 for w in ws]
    assert val("bowl_steps") == next(k for k, f in enumerate(flat) if f <= 0.01) == 27
    # the best single η minimises the slower of the two factors
    etas = np.linspace(0.01, 2.0, 199_001)
    worst = np.max(np.abs(1 - np.outer(etas, c)), axis=1)
    assert val("bowl_best_lr") == pytest.approx(etas[np.argmin(worst)], abs=1e-4)
    assert val("bowl_best_factor") == pytest.approx(worst.min(), abs=1e-4) == pytest.approx(9 / 11, abs=1e-4)


def test_narrow_valley():
    c = np.array([1 / 50, 1.0])
    ws = run([-3.0, 1.5], 1.9, lambda w: c * w, 200)
    assert val("crawl_factor") == pytest.approx(ws[1][0] / ws[0][0])
    assert val("crawl_steps") == next(k for k, w in enumerate(ws) if abs(w[0]) <= 0.03)


def test_exercise_1_cube():
    f = np.poly1d([1, 0, 0, 0])
    for name, h in (("ex1_secant_01", 0.1), ("ex1_secant_001", 0.01)):
        assert val(name) == pytest.approx((f(2 + h) - f(2)) / h)
        assert val(name) == pytest.approx(12 + 6 * h + h * h)
    assert val("ex1_true") == pytest.approx(np.polyder(f)(2)) == 12
    assert val("ex1_error_01") == pytest.approx(0.61)
    assert val("ex1_error_001") == pytest.approx(0.0601)
    assert text("ex1_secant_001") == "12.0601"


def test_exercise_2_neuron_at_one():
    assert val("ex2_sigma_slope") == pytest.approx(central(sigma, 1.0), rel=1e-7)
    assert val("ex2_dydx") == pytest.approx(central(lambda x: sigma(2 * x - 1), 1.0), rel=1e-7)
    assert text("ex2_sigma_slope") == "0.1966" and text("ex2_dydx") == "0.3932"


def test_exercise_3_one_weight():
    L = lambda w: (2 * w - 3) ** 2
    assert val("ex3_loss0") == L(1) == 1
    assert val("ex3_slope") == pytest.approx(central(L, 1.0))
    assert val("ex3_w1") == pytest.approx(1 - 0.1 * central(L, 1.0))
    assert val("ex3_loss1") == pytest.approx(L(1.4))
    curvature = (L(1 + 1e-3) - 2 * L(1) + L(1 - 1e-3)) / 1e-6
    assert val("ex3_curvature") == pytest.approx(curvature, rel=1e-6)
    # 1/c lands on the minimum in one step
    assert L(1 - val("ex3_one_step_lr") * central(L, 1.0)) == pytest.approx(0, abs=1e-12)
    assert val("ex3_critical") == pytest.approx(2 / curvature, rel=1e-6)
    assert val("ex3_w1_bad") == pytest.approx(1 - 0.3 * central(L, 1.0))
    assert val("ex3_loss1_bad") == pytest.approx(L(2.2)) == pytest.approx(1.96)


def test_exercise_4_partial_derivatives():
    f = lambda a, b: a * a + 3 * a * b
    g = np.array([central(lambda a: f(a, 2.0), 1.0), central(lambda b: f(1.0, b), 2.0)])
    assert (val("ex4_g1"), val("ex4_g2")) == (pytest.approx(g[0]), pytest.approx(g[1]))
    assert val("ex4_norm") == pytest.approx(np.linalg.norm(g))
    u = np.array([0.6, 0.8])
    assert val("ex4_directional") == pytest.approx(central(lambda s: f(1 + s * u[0], 2 + s * u[1]), 0.0))
    assert val("ex4_cos") == pytest.approx(g @ u / np.linalg.norm(g))
    assert val("ex4_angle") == pytest.approx(np.degrees(np.arccos(g @ u / np.linalg.norm(g))))


def test_exercise_5_ten_sigmoids():
    assert val("ex5_sigma_max") == pytest.approx(max(central(sigma, x) for x in np.linspace(-5, 5, 1001)), rel=1e-6)
    assert val("ex5_bound") == 0.25 ** 10 == 1 / 2 ** 20
    # and no chain of ten sigmoids gets near it: the slope at the best start is far smaller
    def stack(x):
        for _ in range(10):
            x = sigma(x)
        return x
    assert max(central(stack, x) for x in np.linspace(-6, 6, 241)) < val("ex5_bound")


def test_exercise_6_overshoot():
    ws = [w[0] for w in run([2.0], 0.8, lambda w: 2.0 * w, 20)]
    assert val("ex6_w5") == pytest.approx(ws[5])
    assert val("ex6_loss5") == pytest.approx(0.5 * 2 * ws[5] ** 2)
    assert val("ex6_steps") == next(k for k, w in enumerate(ws) if abs(w) < 0.01) == 11


def test_exercise_7_narrow_valley():
    c = np.array([50.0, 0.5])
    assert val("ex7_limit") == pytest.approx(2 / c.max())
    assert val("ex7_kappa") == 100
    eta = val("ex7_best_lr")
    assert np.abs(1 - eta * c).max() == pytest.approx(val("ex7_best_factor"))
    ws = run([1.0, 1.0], eta, lambda w: c * w, 400)
    assert val("ex7_steps") == next(k for k, w in enumerate(ws) if np.abs(w).max() <= 0.01) == 231


def test_exercise_8_reading_the_curvature():
    # 1 − 0.3·c = −0.5
    c = np.roots([-0.3, 1.5])[0]
    assert val("ex8_curvature") == pytest.approx(c) == pytest.approx(5)
    assert val("ex8_critical") == pytest.approx(2 / c)
    assert val("ex8_one_step") == pytest.approx(1 / c)
    assert val("ex8_w2") == pytest.approx(run([1.0], 0.3, lambda w: c * w, 2)[2][0])


# Meta reports 8.03B parameters for Llama 3 8B; NVIDIA's H100 SXM datasheet gives 989.4 dense BF16 TFLOPS
LLAMA_N = 8.03e9
H100_BF16 = 989.4e12


def test_exercise_9_llama_gradient():
    assert val("llama_params") == pytest.approx(LLAMA_N, rel=1e-3)
    g = np.zeros(1, dtype=np.float32)
    assert val("ex9_bytes_4") == val("llama_params") * g.itemsize
    assert val("ex9_bytes_2") == val("llama_params") * np.zeros(1, dtype=np.float16).itemsize
    assert text("ex9_bytes_4") == "32.1 GB" and text("ex9_bytes_2") == "16.1 GB"
    assert val("ex9_update_flops") == 2 * val("llama_params")


def test_exercise_10_secant_gradient_on_an_h100():
    n = val("llama_params")
    assert val("h100_bf16") == pytest.approx(H100_BF16)
    assert val("ex10_fd_flops") == pytest.approx((n + 1) * 2 * n)
    assert val("ex10_fd_seconds") == pytest.approx((n + 1) * 2 * n / H100_BF16)
    assert val("ex10_fd_hours") == pytest.approx(val("ex10_fd_seconds") / 3600)
    assert 36 <= val("ex10_fd_hours") < 37
    assert val("ex10_backprop_flops") == 6 * n
    assert val("ex10_ratio") == pytest.approx((n + 1) / 3)
