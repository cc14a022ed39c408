"""Update rules, the warmup + cosine schedule and the optimizer-state bill, against numpy and the papers."""
import math

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc.optimizers import (adam_step, adamw_step, bias_correction, lr_schedule, model_state_breakdown,
                                    momentum_step, optimizer_state_multiplier, sgd_step)
from llmviz.calc.parallel import zero_model_state_bytes


def np_adam(theta, grads, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    """Kingma and Ba's Algorithm 1 over a list of gradients, vectorised; ``wd`` decays as AdamW does."""
    theta = np.array(theta, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=float)
        theta = theta - lr * wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return theta, m, v


def test_sgd_is_a_step_against_the_gradient():
    assert sgd_step([1.0, -2.0], [0.5, 4.0], 0.1) == pytest.approx([0.95, -2.4])


def test_momentum_is_the_heavy_ball():
    # v ← βv + g, θ ← θ − ηv is Polyak's θ_{t+1} = θ_t − ηg_t + β(θ_t − θ_{t−1})
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 3))
    th, v = [0.0] * 3, [0.0] * 3
    prev = cur = np.zeros(3)
    for g in grads:
        th, v = momentum_step(th, v, g, 0.05, 0.9)
        nxt = cur - 0.05 * g + 0.9 * (cur - prev)
        prev, cur = cur, nxt
        assert th == pytest.approx(cur.tolist())


def test_momentum_velocity_approaches_one_over_one_minus_beta():
    th, v = [0.0], [0.0]
    for _ in range(200):
        th, v = momentum_step(th, v, [1.0], 0.01, 0.9)
    assert v[0] == pytest.approx(10.0, rel=1e-6)
    assert momentum_step([1.0], [0.0], [2.0], 0.1, 0.0) == ([pytest.approx(0.8)], [2.0])


def test_adam_matches_algorithm_1():
    rng = np.random.default_rng(1)
    grads = rng.normal(scale=[1e-3, 1.0, 100.0], size=(30, 3))
    th, m, v = [0.5, -1.0, 2.0], [0.0] * 3, [0.0] * 3
    for t, g in enumerate(grads, start=1):
        th, m, v = adam_step(th, m, v, g, t, 1e-2)
    want_th, want_m, want_v = np_adam([0.5, -1.0, 2.0], grads, 1e-2)
    assert th == pytest.approx(want_th.tolist(), rel=1e-12)
    assert m == pytest.approx(want_m.tolist(), rel=1e-12)
    assert v == pytest.approx(want_v.tolist(), rel=1e-12)


def test_adam_first_step_is_the_learning_rate_whatever_the_gradient():
    for g in (1e-4, 0.5, 3.0, 1e4):
        # ε = 1e-8 next to |g| is the only departure from exactly lr
        th, _, _ = adam_step([0.0], [0.0], [0.0], [g], 1, 1e-3)
        assert th[0] == pytest.approx(-1e-3 * g / (g + 1e-8), rel=1e-12)
        th, _, _ = adam_step([0.0], [0.0], [0.0], [-g], 1, 1e-3)
        assert th[0] == pytest.approx(1e-3 * g / (g + 1e-8), rel=1e-12)


def test_bias_correction():
    assert bias_correction(0.9, 1) == pytest.approx(0.1)
    assert bias_correction(0.999, 1) == pytest.approx(0.001)
    assert bias_correction(0.9, 40) == pytest.approx(1 - 0.9 ** 40)


def test_adamw_decays_outside_the_adaptive_step():
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(10, 2))
    th, m, v = [1.0, -3.0], [0.0, 0.0], [0.0, 0.0]
    for t, g in enumerate(grads, start=1):
        th, m, v = adamw_step(th, m, v, g, t, 1e-2, 0.1)
    want, _, _ = np_adam([1.0, -3.0], grads, 1e-2, wd=0.1)
    assert th == pytest.approx(want.tolist(), rel=1e-12)
    # with no gradient at all, AdamW shrinks a weight by exactly lr·λ of itself
    th, _, _ = adamw_step([2.0], [0.0], [0.0], [0.0], 1, 0.01, 0.1)
    assert th[0] == pytest.approx(2.0 * (1 - 0.001))
    # λ = 0 is Adam
    assert adamw_step([1.0], [0.0], [0.0], [0.3], 1, 0.1, 0.0) == adam_step([1.0], [0.0], [0.0], [0.3], 1, 0.1)


def np_schedule(step, peak, warmup, total, final):
    """The schedule written the other way round: a cosine in the decay's progress, clipped to [0, 1]."""
    step = np.asarray(step, dtype=float)
    ramp = peak * step / max(warmup, 1e-300)
    p = np.clip((step - warmup) / (total - warmup), 0.0, 1.0)
    decay = final + (peak - final) * (np.cos(np.pi * p) + 1) / 2
    return np.where(step < warmup, ramp, decay)


def test_schedule_against_numpy_and_llama_3():
    steps = np.linspace(0, 1_300_000, 2601)
    got = [lr_schedule(s, 8e-5, 8000, 1_200_000, 8e-7) for s in steps]
    assert got == pytest.approx(np_schedule(steps, 8e-5, 8000, 1_200_000, 8e-7).tolist(), rel=1e-12, abs=1e-20)
    # Dubey et al. 2024, section 3.4.1: 0 → 8e-5 over 8,000 steps, 8e-7 at step 1,200,000
    assert lr_schedule(0, 8e-5, 8000, 1_200_000, 8e-7) == 0
    assert lr_schedule(4000, 8e-5, 8000, 1_200_000, 8e-7) == pytest.approx(4e-5)
    assert lr_schedule(8000, 8e-5, 8000, 1_200_000, 8e-7) == pytest.approx(8e-5)
    assert lr_schedule(1_200_000, 8e-5, 8000, 1_200_000, 8e-7) == pytest.approx(8e-7)
    assert lr_schedule(604_000, 8e-5, 8000, 1_200_000, 8e-7) == pytest.approx((8e-5 + 8e-7) / 2)
    # no warmup, and a warmup as long as the run
    assert lr_schedule(0, 1e-3, 0, 100, 0) == pytest.approx(1e-3)
    assert lr_schedule(100, 1e-3, 100, 100, 0) == pytest.approx(1e-3)


def test_schedule_is_continuous_and_decreasing_after_warmup():
    xs = np.arange(2000, 100_001, 97)
    ys = np.array([lr_schedule(int(s), 3e-4, 2000, 100_000, 3e-5) for s in xs])
    assert np.all(np.diff(ys) <= 1e-18)
    assert lr_schedule(1999.999, 3e-4, 2000, 100_000, 3e-5) == pytest.approx(3e-4, rel=1e-5)


def test_state_bytes_agree_with_zero():
    # ZeRO section 3.1: mixed-precision Adam keeps 2 + 2 + 12 = 16 bytes per parameter (K = 12)
    assert optimizer_state_multiplier("adam") == 12
    assert optimizer_state_multiplier("momentum") == 8
    assert optimizer_state_multiplier("sgd") == 4
    for opt in ("sgd", "momentum", "adam"):
        parts = model_state_breakdown(1.5e9, opt)
        assert sum(parts.values()) == zero_model_state_bytes(1.5e9, 1, 0, optimizer_state_multiplier(opt))
    parts = model_state_breakdown(1.5e9, "adam")
    assert list(parts) == ["weights", "gradients", "master", "m", "v"]
    assert sum(parts.values()) == 24e9        # ZeRO's GPT-2 example: 1.5B parameters, at least 24 GB
    assert parts["m"] + parts["v"] == 8 * 1.5e9


def test_calculators_are_reachable_lazily():
    assert calc.lr_schedule is lr_schedule
    assert calc.adam_step is adam_step
    assert calc.model_state_breakdown is model_state_breakdown


@pytest.mark.parametrize("call,name", [
    (lambda: sgd_step([1.0], [1.0], 0), "lr"),
    (lambda: sgd_step([1.0], [1.0, 2.0], 0.1), "grad"),
    (lambda: sgd_step([math.nan], [1.0], 0.1), "theta"),
    (lambda: momentum_step([1.0], [0.0], [1.0], 0.1, 1.0), "beta"),
    (lambda: adam_step([1.0], [0.0], [0.0], [1.0], 0, 0.1), "t"),
    (lambda: adam_step([1.0], [0.0], [0.0, 0.0], [1.0], 1, 0.1), "v"),
    (lambda: adamw_step([1.0], [0.0], [0.0], [1.0], 1, 0.1, -0.1), "weight_decay"),
    (lambda: bias_correction(1.2, 3), "beta"),
    (lambda: lr_schedule(-1, 1e-3, 10, 100, 0), "step"),
    (lambda: lr_schedule(5, 1e-3, 200, 100, 0), "warmup"),
    (lambda: lr_schedule(5, 1e-3, 10, 100, 2e-3), "final"),
    (lambda: lr_schedule(5, 0, 10, 100, 0), "peak"),
    (lambda: optimizer_state_multiplier("lion"), "optimizer"),
    (lambda: model_state_breakdown(0, "adam"), "n_params"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
