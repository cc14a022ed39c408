"""Chapter p00-c07's answers against independent oracles: numpy re-implementations, closed forms
written out by hand, and the figures the Llama 3 and ZeRO papers publish."""
import math
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.modes.part00_math.optimizers import START, gaussian_noise

A = answers_for("p00-c07-optimizers")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p00-c07-optimizers.md"
GB, TB = 1e9, 1e12


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text




# -- an independent race: numpy optimizers on the same bowl and the same noise draws ---------


def np_race(kappa=25.0, tilt=0.0, lr=0.1, beta=0.9, batch=4096, steps=150):
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([1 / kappa, 1.0]) @ R.T
    noise = 2.0 / np.sqrt(batch) * np.array(gaussian_noise(0, 2 * steps)).reshape(steps, 2)
    loss = lambda th: 0.5 * th @ H @ th
    out = {}
    th = np.array(START, dtype=float)
    L = [loss(th)]
    for k in range(steps):
        th = th - lr * (H @ th + noise[k])
        L.append(loss(th))
    out["sgd"] = L
    out["sgd_end"] = th.copy()
    th, vel = np.array(START, dtype=float), np.zeros(2)
    L, pts = [loss(th)], [th.copy()]
    for k in range(steps):
        vel = beta * vel + H @ th + noise[k]
        th = th - lr * vel
        L.append(loss(th))
        pts.append(th.copy())
    out["momentum"] = L
    out["momentum_pts"] = pts
    th, m, v = np.array(START, dtype=float), np.zeros(2), np.zeros(2)
    L, pts = [loss(th)], [th.copy()]
    for t in range(1, steps + 1):
        g = H @ th + noise[t - 1]
        m = beta * m + (1 - beta) * g
        v = 0.999 * v + 0.001 * g * g
        th = th - lr * (m / (1 - beta ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        L.append(loss(th))
        pts.append(th.copy())
    out["adam"] = L
    out["adam_pts"] = pts
    return out


def test_the_race_course():
    # gradient of ½(x²/25 + y²) at (−4.2, 2) is (x/25, y)
    assert val("start_grad_x") == pytest.approx(-4.2 / 25)
    assert val("start_grad_y") == pytest.approx(2.0)
    assert val("start_grad_ratio") == pytest.approx(2.0 / (4.2 / 25))
    assert (val("sgd_first_dx"), val("sgd_first_dy")) == pytest.approx((0.1 * 4.2 / 25, 0.1 * 2.0))
    assert val("race_lr") == 0.1 and val("race_steps") == 150


def test_final_losses_of_the_race():
    r = np_race()
    for name in ("sgd", "momentum", "adam"):
        assert val(f"final_loss_{name}") == pytest.approx(r[name][-1], rel=1e-6)
    assert text("final_loss_sgd") == "0.1"
    # momentum and Adam end far closer to the minimum than SGD
    assert val("final_loss_momentum") < val("final_loss_sgd") / 100
    assert val("final_loss_adam") < val("final_loss_sgd") / 100


def test_adam_moves_each_coordinate_by_eta_at_first():
    r = np_race()
    step = r["adam_pts"][1] - r["adam_pts"][0]
    assert np.abs(step) == pytest.approx([0.1, 0.1], rel=1e-6)
    assert val("adam_first_step") == pytest.approx(0.1, rel=1e-6)


def test_tilting_the_bowl_takes_adams_lead():
    r = np_race(tilt=45)
    assert val("tilt_loss_adam") == pytest.approx(r["adam"][-1], rel=1e-6)
    assert val("tilt_loss_sgd") == pytest.approx(r["sgd"][-1], rel=1e-6)
    assert val("tilt_loss_adam") > val("tilt_loss_sgd")


def test_noise_and_its_floor():
    assert val("sigma_b8") == pytest.approx(2 / math.sqrt(8))
    assert val("race_sigma") == pytest.approx(2 / math.sqrt(4096)) and text("race_sigma") == "0.031"
    # after the noisy race SGD and Adam are still far along the valley (x)
    loud, slow = np_race(batch=8), np_race(lr=0.03, batch=8)
    assert val("noisy_sgd_dist") == pytest.approx(abs(loud["sgd_end"][0]), rel=1e-9)
    assert val("noisy_adam_dist") == pytest.approx(abs(loud["adam_pts"][-1][0]), rel=1e-9)
    assert val("noisy_adam_dist_small") == pytest.approx(abs(slow["adam_pts"][-1][0]), rel=1e-9)
    assert val("noisy_adam_dist") > 1 and val("noisy_adam_dist_small") > 2 * val("noisy_adam_dist")
    # momentum, in contrast, reaches the minimum and wanders around it over the last 50 steps
    xs = [abs(p[0]) for p in loud["momentum_pts"][100:]]
    assert min(xs) < 0.05 and max(xs) > 0.5
    floor = lambda lr: float(np.mean(np_race(lr=lr, batch=8)["momentum"][101:]))
    assert val("noise_floor_momentum") == pytest.approx(floor(0.1), rel=1e-6)
    assert val("noise_floor_momentum_small") == pytest.approx(floor(0.03), rel=1e-6)
    assert val("noise_floor_momentum_small") < val("noise_floor_momentum") / 2


def test_momentum_and_its_velocity():
    assert val("momentum_gain") == pytest.approx(10)
    # geometric series 1 + 0.9 + … + 0.9⁹, summed term by term
    assert val("ex1_v10") == pytest.approx(sum(0.9 ** k for k in range(10))) == pytest.approx(6.5132156)


def np_trace(beta, batch, steps=40):
    g = 1.0 + 2.0 / np.sqrt(batch) * np.array(gaussian_noise(7, steps))
    t = np.arange(1, steps + 1)
    # closed forms of the two averages started at zero: m_t = (1−β) Σ β^(t−k) g_k
    m = np.array([(1 - beta) * np.sum(beta ** (n - t[:n]) * g[:n]) for n in t])
    v = np.array([0.001 * np.sum(0.999 ** (n - t[:n]) * g[:n] ** 2) for n in t])
    return (m / (1 - beta ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)


def test_adams_step_shrinks_with_noise():
    assert val("ratio_b16") == pytest.approx(np.mean(np_trace(0.9, 16)[20:]), rel=1e-9)
    assert val("ratio_b1") == pytest.approx(np.mean(np_trace(0.9, 1)[20:]), rel=1e-9)
    assert val("ratio_b1") < val("ratio_b16") < 1


def test_bias_correction_numbers():
    assert val("sqrt_v1_share") == pytest.approx(math.sqrt(0.001))
    assert val("uncorrected_first") == pytest.approx(0.1 / math.sqrt(0.001))
    assert val("correction_t40") == pytest.approx(1 - 0.9 ** 40)
    assert val("correction_v_1000") == pytest.approx(1 - 0.999 ** 1000)
    assert text("correction_v_1000") == "0.632"


def np_adam_first(g, lr, b1=0.9, b2=0.999, eps=1e-8):
    m, v = (1 - b1) * g, (1 - b2) * g * g
    return -lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps), m, v


def test_exercise_2_adams_first_step():
    step, m, v = np_adam_first(0.5, 1e-3)
    assert val("ex2_m1") == pytest.approx(m) == pytest.approx(0.05)
    assert val("ex2_v1") == pytest.approx(v) == pytest.approx(0.00025)
    assert text("ex2_v1") == "0.00025"
    assert val("ex2_mhat") == pytest.approx(0.5)
    assert val("ex2_vhat") == pytest.approx(0.25)
    assert val("ex2_step") == pytest.approx(-step)
    assert val("ex2_uncorrected") == pytest.approx(1e-3 * 0.05 / math.sqrt(0.00025))


def test_exercise_3_one_rate_two_scales():
    assert val("ex3_sgd_big") == pytest.approx(0.1)
    assert val("ex3_sgd_small") == pytest.approx(1e-5)
    assert val("ex3_sgd_ratio") == pytest.approx(1e4)
    big, small = -np_adam_first(100.0, 1e-3)[0], -np_adam_first(0.01, 1e-3)[0]
    assert val("ex3_adam_big") == pytest.approx(big) and val("ex3_adam_small") == pytest.approx(small)
    assert val("ex3_adam_ratio") == pytest.approx(big / small)
    assert text("ex3_adam_small") == "0.000999999"


def test_exercise_4_noise_by_batch():
    assert val("ex4_sigma16") == 0.5 and val("ex4_sigma1024") == 0.0625
    assert val("ex4_halving_factor") == 4
    assert val("ex4_llama_ratio") == pytest.approx(math.sqrt(4e6 / 16e6))


def test_adamw_against_folded_decay():
    # two weights of 1.0, gradients 10 and 0, η = 0.01, λ = 0.1; at step 1 Adam's corrected ratio is 1
    lr, lam = 0.01, 0.1
    folded = np.array([1.0, 1.0]) - lr * np.array([10.1, 0.1]) / (np.abs([10.1, 0.1]) + 1e-8)
    decoupled = np.array([1.0, 1.0]) * (1 - lr * lam) - lr * np.array([10.0, 0.0]) / (np.array([10.0, 0.0]) + 1e-8)
    assert (val("ex9_l2_a"), val("ex9_l2_b")) == pytest.approx(tuple(folded))
    assert (val("ex9_adamw_a"), val("ex9_adamw_b")) == pytest.approx(tuple(decoupled))
    assert val("decay_intended") == pytest.approx(lr * lam)
    assert val("l2_step_a") == pytest.approx(1 - folded[0])
    assert val("l2_step_b") == pytest.approx(1 - folded[1]) == pytest.approx(10 * lr * lam, rel=1e-6)
    assert val("adamw_step_a") == pytest.approx(1 - decoupled[0])
    # PyTorch's defaults, lr 1e-3 and weight_decay 0.01: θ ← θ − γλθ shrinks a weight by γλ
    assert val("pytorch_default_decay") == pytest.approx(1e-3 * 0.01)


# -- Llama 3 405B's schedule: Dubey et al. 2024, section 3.4.1 -------------------------------


def cosine(step, peak=8e-5, warmup=8000, total=1_200_000, final=8e-7):
    if step < warmup:
        return peak * step / warmup
    p = (step - warmup) / (total - warmup)
    return final + (peak - final) * (1 + np.cos(np.pi * p)) / 2


def test_llama_schedule_readings():
    assert val("ex5_lr0") == 0 and text("ex5_lr0") == "0"
    assert val("ex5_lr2000") == pytest.approx(2e-5)
    assert val("ex5_lr8000") == pytest.approx(8e-5)              # the published peak
    assert val("llama_lr_4000") == pytest.approx(4e-5)
    assert val("llama_warmup_share") == pytest.approx(8000 / 1_200_000)
    assert text("llama_warmup_share") == "0.67 %"
    assert val("llama_lr_600k") == pytest.approx(cosine(600_000))
    assert text("llama_lr_600k") == "4.08 × 10⁻⁵"
    assert val("ex6_p") == pytest.approx(592_000 / 1_192_000)
    assert val("ex6_cos_factor") == pytest.approx((1 + np.cos(np.pi * 592_000 / 1_192_000)) / 2)
    assert val("ex6_half_step") == 604_000
    assert val("ex6_half_lr") == pytest.approx((8e-5 + 8e-7) / 2)
    v = A["schedule_default_at"]().value
    assert v == pytest.approx(cosine(50_000, 3e-4, 2000, 100_000, 3e-5))


def test_llama_batch_schedule_in_steps():
    # 4M-token batches until 252M tokens, 8M until 2.87T, then 16M; 15.6T tokens in all (section 1)
    assert val("llama_batch_step_8m") == 252e6 / 4e6 == 63
    phase2 = math.ceil((2.87e12 - 252e6) / 8e6)
    assert val("ex7_phase2_steps") == phase2 == 358_719
    assert val("llama_batch_step_16m") == 63 + phase2
    phase3 = math.ceil((15.6e12 - 2.87e12) / 16e6)
    assert val("ex7_phase3_steps") == phase3
    assert val("ex7_total_steps") == 63 + phase2 + phase3
    assert abs(val("ex7_total_steps") - 1_200_000) / 1_200_000 < 0.05


def test_a_shortened_run():
    old, new = cosine(300_000), cosine(300_000, total=600_000)
    assert val("ex10_old_lr") == pytest.approx(old)
    assert val("ex10_new_lr") == pytest.approx(new)
    assert val("ex10_drop") == pytest.approx(1 - new / old)


# -- the memory bill: ZeRO section 3.1 (16 bytes per parameter) over published parameter counts --


def test_adam_memory_for_llama_3():
    # Meta's model cards: 8.03B, 70.6B and 405B parameters; the H100 SXM holds 80 GB
    assert val("llama8_params") == pytest.approx(8.03e9, rel=1e-3)
    assert val("llama70_params") == pytest.approx(70.6e9, rel=1e-3)
    assert val("llama405_params") == pytest.approx(405e9, rel=3e-3)
    for k in ("llama8", "llama70", "llama405"):
        n = val(f"{k}_params")
        assert val(f"{k}_adam_bytes") == pytest.approx((2 + 2 + 4 + 4 + 4) * n)
        assert val(f"{k}_moment_bytes") == pytest.approx(8 * n)
        assert val(f"{k}_gpus") == math.ceil(16 * n / 80e9)
    assert text("llama8_adam_bytes") == "128 GB"
    assert val("llama8_gpus") == 2 and val("llama70_gpus") == 15 and val("llama405_gpus") == 82
    assert val("llama8_momentum_bytes") == pytest.approx(12 * val("llama8_params"))
    assert val("llama8_sgd_bytes") == pytest.approx(8 * val("llama8_params"))
    assert val("llama70_adam_bytes") / TB == pytest.approx(1.13, abs=0.005)
