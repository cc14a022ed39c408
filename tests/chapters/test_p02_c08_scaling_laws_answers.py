"""Chapter p02-c08's answers against independent oracles: numpy minimisation and root finding,
closed forms written another way, the tiny model's JSON record, and the papers' own numbers."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p02-c08-scaling-laws")
ROOT = Path(__file__).resolve().parents[2]

# Hoffmann et al. 2022, appendix D.2, equation (10)
E, AA, BB, AL, BE = 1.69, 406.4, 410.7, 0.34, 0.28
# Besiroglu et al. 2024, their refit as the paper prints it (E, A, B, alpha, beta)
BES = (1.8172, 482.01, 2085.43, 0.3478, 0.3658)
# config.json shapes: Llama 3 8B, Llama 2 7B, Llama 3.1 405B
L3_8B = 128256 * 4096 * 2 + 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336 + 2 * 4096) + 4096
L2_7B = 32000 * 4096 * 2 + 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096) + 4096
L31_405B = 128256 * 16384 * 2 + 126 * (2 * 16384 * 16384 + 2 * 16384 * 1024 + 3 * 16384 * 53248 + 2 * 16384) + 16384
GOPHER = 5.76e23


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def loss(n, d, c=(E, AA, BB, AL, BE)):
    e, a, b, al, be = c
    return e + a * np.power(n, -al) + b * np.power(d, -be)


def argmin_split(c, consts=(E, AA, BB, AL, BE)):
    """Brute force over N on a log grid, refined once: the compute-optimal split of c FLOPs."""
    n = np.logspace(6, 15, 300001)
    i = int(np.argmin(loss(n, c / (6 * n), consts)))
    n = np.linspace(n[i - 1], n[i + 1], 300001)
    i = int(np.argmin(loss(n, c / (6 * n), consts)))
    return n[i], c / (6 * n[i]), float(loss(n[i], c / (6 * n[i]), consts))


def test_the_opening_example_is_llama_3_8bs_config_and_paper():
    assert val("l3_params") == L3_8B and text("l3_params") == "8.03 B"
    assert val("l3_tokens") == 15e12
    assert val("l3_flops") == pytest.approx(6 * L3_8B * 15e12)
    assert val("l3_ratio") == pytest.approx(15e12 / L3_8B) and text("l3_ratio") == "1,868"
    twin = math.sqrt(6 * L3_8B * 15e12 / 120)
    assert val("l3_twin_n") == pytest.approx(twin) and val("l3_twin_d") == pytest.approx(20 * twin)
    assert val("l3_serve_ratio") == pytest.approx(twin / L3_8B)
    assert val("l3_loss") == pytest.approx(loss(L3_8B, 15e12))
    assert val("l3_twin_loss") == pytest.approx(loss(twin, 20 * twin))
    assert val("l3_loss_gap") == pytest.approx(loss(L3_8B, 15e12) - loss(twin, 20 * twin))


def test_kaplan_factors():
    # Kaplan et al. section 1.2: doubling N multiplies the loss by 2^-alpha_N = 0.95
    assert val("kaplan_double") == pytest.approx(np.exp(-0.076 * np.log(2))) and text("kaplan_double") == "0.949"
    assert val("kaplan_10x_n") == pytest.approx(np.exp(-0.076 * np.log(10)))
    assert np.exp(-0.076 * np.log(val("kaplan_halve_n"))) == pytest.approx(0.5)
    assert val("kaplan_10x_c") == pytest.approx(np.exp(-0.05 * np.log(10)))
    assert val("kaplan_10x_params") * val("kaplan_10x_tokens") == pytest.approx(10.0)


def test_six_nd_against_published_budgets():
    assert val("gpt3_flops") == pytest.approx(3.14e23, rel=0.01)       # Brown et al. 2020, table D.1
    assert val("chinchilla_flops") == pytest.approx(GOPHER, rel=0.03)  # Hoffmann et al.: Gopher's budget
    assert val("gopher_flops") == pytest.approx(6 * 280e9 * 300e9)
    assert val("l2_7b_params") == L2_7B
    assert val("l2_7b_flops") == pytest.approx(6 * L2_7B * 2e12)
    assert val("l405_flops") == pytest.approx(3.8e25, rel=0.01)        # Dubey et al. 2024, section 1
    assert val("l405_flops") == pytest.approx(6 * L31_405B * 15.6e12)
    assert val("l405_over_l3") == pytest.approx(L31_405B * 15.6 / (L3_8B * 15))
    assert val("l3_over_l2") == pytest.approx(L3_8B * 15 / (L2_7B * 2))


def test_tokens_per_parameter_of_the_runs():
    assert val("gpt3_ratio") == pytest.approx(300 / 175)
    assert val("gopher_ratio") == pytest.approx(300 / 280)
    assert val("chinchilla_ratio") == pytest.approx(20.0)
    assert val("l2_7b_ratio") == pytest.approx(2e12 / L2_7B)
    assert val("l405_ratio") == pytest.approx(15.6e12 / L31_405B)
    assert 1000 < val("qwen3_ratio") < 1200          # 36T tokens on a 32.8B model card


def test_gopher_against_chinchilla_by_the_fit():
    assert val("loss_gopher") == pytest.approx(loss(280e9, 300e9))
    assert val("loss_chinchilla") == pytest.approx(loss(70e9, 1.4e12))
    assert val("loss_chinchilla") < val("loss_gopher")
    assert val("gopher_n_term") + val("gopher_d_term") + E == pytest.approx(val("loss_gopher"))
    assert val("chinchilla_n_term") + val("chinchilla_d_term") + E == pytest.approx(val("loss_chinchilla"))
    assert val("chinchilla_n_term") / val("gopher_n_term") == pytest.approx(val("quarter_n_factor"))
    assert val("gopher_d_term") / val("chinchilla_d_term") == pytest.approx(val("chinchilla_d_factor"))
    assert val("chinchilla_token_factor") == pytest.approx(1400 / 300)


def test_the_split_is_the_minimum_numpy_finds():
    n, d, _ = argmin_split(1e22)
    assert val("opt22_n") == pytest.approx(n, rel=1e-4) and val("opt22_d") == pytest.approx(d, rel=1e-4)
    assert val("opt22_ratio") == pytest.approx(d / n, rel=1e-3)
    for c, name in ((1e20, "opt20_ratio"), (1e25, "opt25_ratio")):
        n, d, _ = argmin_split(c)
        assert val(name) == pytest.approx(d / n, rel=1e-3)
    # the exponents, read off two optima a hundredfold apart
    n1, d1, _ = argmin_split(1e21)
    n2, d2, _ = argmin_split(1e23)
    assert val("exp_a") == pytest.approx(np.log10(n2 / n1) / 2, abs=1e-4)
    assert val("exp_b") == pytest.approx(np.log10(d2 / d1) / 2, abs=1e-4)
    assert val("exp_g") == pytest.approx(n1 / (1e21 / 6) ** val("exp_a"), rel=1e-3)


def test_the_frontier_exponent_and_halving():
    l1 = argmin_split(1e20)[2] - E
    l2 = argmin_split(1e22)[2] - E
    assert val("frontier_exp") == pytest.approx(-np.log10(l2 / l1) / 2, rel=1e-3)
    # 91 times the compute halves the reducible loss
    l3 = argmin_split(1e20 * val("halve_reducible"))[2] - E
    assert l3 / l1 == pytest.approx(0.5, rel=0.01)


def test_gophers_budget_three_ways():
    n, d, l_opt = argmin_split(GOPHER)
    assert val("gopher_opt_n") == pytest.approx(n, rel=1e-4) and val("gopher_opt_d") == pytest.approx(d, rel=1e-4)
    assert val("gopher_opt_loss") == pytest.approx(l_opt)
    # 20 tokens per parameter: Hoffmann et al. table 3 gives 67B and 1.5T for this budget
    assert val("gopher_20_n") == pytest.approx(67e9, rel=0.05) and val("gopher_20_d") == pytest.approx(1.5e12, rel=0.08)
    assert val("gopher_20_loss") == pytest.approx(loss(val("gopher_20_n"), val("gopher_20_d")))
    # Kaplan: 4.68B at 1e21 FLOPs (Hoffmann et al. appendix D.4), growing as C^0.73
    nk = 4.68e9 * (GOPHER / 1e21) ** 0.73
    assert val("gopher_kaplan_n") == pytest.approx(nk) and val("gopher_kaplan_d") == pytest.approx(GOPHER / (6 * nk))
    assert val("gopher_kaplan_loss") == pytest.approx(loss(nk, GOPHER / (6 * nk)))
    # the budget a compute-optimal run needs for Kaplan's loss, by bisection on log C
    lo, hi = 18.0, 26.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if argmin_split(10 ** mid)[2] > val("gopher_kaplan_loss") else (lo, mid)
    assert val("gopher_kaplan_share") == pytest.approx(10 ** lo / GOPHER, rel=1e-3)


def test_besiroglus_refit_puts_the_optimum_at_chinchilla():
    n, d, _ = argmin_split(GOPHER, BES)
    assert val("besiroglu_n") == pytest.approx(n, rel=1e-4) and val("besiroglu_d") == pytest.approx(d, rel=1e-4)
    assert val("besiroglu_ratio") == pytest.approx(d / n, rel=1e-3)
    assert val("besiroglu_n") == pytest.approx(70e9, rel=0.05)      # Chinchilla: 70B on 1.4T
    assert val("besiroglu_a") == pytest.approx(0.3658 / (0.3478 + 0.3658))   # beta/(alpha+beta), 0.513


def test_kaplan_against_approach_1_at_1e21():
    # Hoffmann et al. appendix D.4: Kaplan 4.68B, their approach 1 2.86B
    assert val("k21_n") == pytest.approx(4.68e9)
    # Kaplan et al.'s table 5, N = 1.3e9 * C_min^0.73 with C_min in PF-days (8.64e19 FLOPs), by hand
    assert val("k21_table5_n") == pytest.approx(1.3e9 * np.exp(0.73 * np.log(1e21 / 8.64e19)))
    assert val("k21_table5_half_n") == pytest.approx(4.68e9, rel=1e-3)   # D.4's figure sits at 5e20
    assert val("k21_d") == pytest.approx(1e21 / (6 * 4.68e9)) and val("k21_ratio") == pytest.approx(val("k21_d") / 4.68e9)
    assert val("c21_n") == pytest.approx(2.86e9, rel=0.02)
    assert val("c21_loss") < val("k21_loss")                          # as their trained pair found
    assert val("k21_loss") == pytest.approx(loss(4.68e9, val("k21_d")))


def test_design_exercise_by_root_finding():
    n_opt, d_opt, target = argmin_split(1e23)
    assert val("design_n") == pytest.approx(n_opt, rel=1e-4) and val("design_loss") == pytest.approx(target)
    for frac, d_name in ((0.5, "design_half_d"), (0.25, "design_quarter_d")):
        n = frac * n_opt
        lo, hi = 9.0, 16.0                        # log10 tokens, bisection on the loss
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if loss(n, 10 ** mid) > target else (lo, mid)
        assert val(d_name) == pytest.approx(10 ** lo, rel=1e-3)
    n = 0.5 * n_opt
    d = val("design_half_d")
    extra = 6 * n * d - 1e23
    assert val("design_half_extra") == pytest.approx(extra / 1e23, rel=1e-3)
    assert val("design_half_extra_flops") == pytest.approx(extra, rel=1e-3)
    assert val("design_half_saving") == pytest.approx(2 * (n_opt - n), rel=1e-3)
    assert val("design_half_breakeven") == pytest.approx(extra / (2 * (n_opt - n)), rel=1e-3)
    assert val("design_half_ratio") == pytest.approx(d / n)
    nq = 0.25 * n_opt
    assert val("design_quarter_extra") == pytest.approx(6 * nq * val("design_quarter_d") / 1e23, rel=1e-3)
    assert val("design_quarter_breakeven") == pytest.approx((6 * nq * val("design_quarter_d") - 1e23)
                                                            / (2 * (n_opt - nq)), rel=1e-3)


def test_the_tiny_model_from_its_own_record():
    header = json.loads((ROOT / "py/llmviz/lm/tiny_lm.json").read_text())
    curve = json.loads((ROOT / "py/llmviz/lm/tiny_lm_curve.json").read_text())
    n = header["n_params"]
    seen = header["training"]["schedule"]["steps"] * header["training"]["schedule"]["batch"] * header["config"]["n_ctx"]
    assert val("tiny_params") == n == 139584
    assert val("tiny_train_tokens") == header["training"]["tokens"]["train"] == 31191
    assert val("tiny_steps") == 1500 and val("tiny_per_step") == 2048
    assert val("tiny_seen") == seen == 3_072_000
    assert val("tiny_passes") == pytest.approx(seen / 31191)
    assert val("tiny_flops") == pytest.approx(6 * n * seen)
    assert val("tiny_seen_ratio") == pytest.approx(seen / n) and val("tiny_unique_ratio") == pytest.approx(31191 / n)
    assert val("tiny_final_held") == curve[-1]["held_out"] == header["training"]["loss_nats_per_token"]["held_out_fp32"]
    assert val("tiny_final_train") == curve[-1]["train"]
    at550 = next(p for p in curve if p["step"] == 550)
    assert val("tiny_550_held") == at550["held_out"] and val("tiny_550_train") == at550["train"]
    assert val("tiny_uniform") == pytest.approx(np.log(512))
    assert val("tiny_fit_loss") == pytest.approx(loss(n, seen))
    assert val("tiny_fit_loss") > np.log(512)                        # the fit is out of its range
    assert val("tiny_20_flops") == pytest.approx(6 * n * 20 * n)
    assert val("tiny_vs_70m") == pytest.approx(70e6 / n) and val("tiny_vs_l3") == pytest.approx(L3_8B / n)
    assert val("l3_vs_tiny") == pytest.approx(6 * L3_8B * 15e12 / (6 * n * seen))
