"""Chapter p00-c03's answers against independent oracles: numpy, closed forms and published configs."""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p00-c03-vectors")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text




def _angle(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.degrees(np.arccos(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))


def test_the_plane_pair():
    a, b = np.array([3.0, 1.0]), np.array([3.0, 4.0])
    assert val("geo_na") == pytest.approx(math.sqrt(10)) and text("geo_na") == "3.16"
    assert val("geo_nb") == 5
    assert val("geo_dot") == a @ b == 13
    assert val("geo_norms_product") == pytest.approx(np.linalg.norm(a) * 5)
    assert val("geo_cos") == pytest.approx(13 / (5 * math.sqrt(10)))
    assert val("geo_theta") == pytest.approx(_angle(a, b)) and text("geo_theta") == "34.7\u00b0"
    # θ is the difference of the two arrows' own angles
    assert val("geo_angle_b") - val("geo_angle_a") == pytest.approx(val("geo_theta"))
    assert val("geo_shadow") == pytest.approx(np.linalg.norm(a) * np.cos(np.radians(_angle(a, b))))
    proj = (a @ b) / (b @ b) * b
    assert (val("geo_p1"), val("geo_p2")) == pytest.approx(tuple(proj))
    rest = a - proj
    assert (val("geo_r1"), val("geo_r2")) == pytest.approx(tuple(rest))
    assert rest @ b == pytest.approx(0, abs=1e-12)
    u = a / np.linalg.norm(a)
    assert (val("geo_unit_a1"), val("geo_unit_a2")) == pytest.approx(tuple(u))


def test_the_obtuse_pair_is_the_reverse():
    a, b = np.array([-3.0, -1.0]), np.array([3.0, 4.0])
    assert val("obtuse_dot") == a @ b == -val("geo_dot")
    assert val("obtuse_cos") == pytest.approx(-val("geo_cos"))
    assert val("obtuse_theta") == pytest.approx(180 - val("geo_theta"))
    assert val("obtuse_shadow") == pytest.approx(a @ b / 5)


def test_ledger_sums():
    from llmviz.modes.part00_math.vectors import ledger_vectors

    a, b = (np.array(v) for v in ledger_vectors(0, 6, "random"))
    assert val("ledger_total") == a @ b
    assert val("ledger_square") == a @ a == 25
    assert val("ledger_norm") == pytest.approx(np.linalg.norm(a)) == 5


def test_llama_widths_from_the_published_config():
    # Meta-Llama-3-8B config.json: hidden_size 4096, 32 attention heads -> 128 per head
    assert val("llama_hidden") == 4096
    assert val("llama_head_dim") == 4096 // 32 == 128
    assert val("llama_dot_flops") == 2 * 4096 and text("llama_dot_flops") == "8,192 FLOP"
    assert val("llama_norm_of_ones") == np.linalg.norm(np.ones(4096)) == 64
    # one dot product per output of every weight matrix: q 4096, k and v 8·128, o 4096, gate and up
    # 14336, down 4096 per layer (config.json), 32 layers, then 128256 vocabulary scores
    per_layer = 4096 + 1024 + 1024 + 4096 + 14336 + 14336 + 4096
    assert val("llama_dots_per_token") == 32 * per_layer + 128256 == 1_504_512
    assert text("llama_dots_per_token") == "1.5 million"


def test_predicted_spreads_are_one_over_root_d():
    assert val("spread_2") == pytest.approx(2 ** -0.5) and text("spread_2") == "0.707"
    assert val("spread_3") == pytest.approx(3 ** -0.5)
    assert val("spread_64") == 0.125
    assert val("spread_llama") == 1 / 64 and text("spread_llama") == "0.0156"
    assert val("spread_llama_deg") == pytest.approx(np.degrees(np.arcsin(1 / 64)))
    assert val("head_cos_spread") == pytest.approx(1 / math.sqrt(128))
    assert val("head_dot_spread") == pytest.approx(math.sqrt(128)) and text("head_dot_spread") == "11.3"


def test_random_dot_spread_against_numpy_draws():
    rng = np.random.default_rng(7)
    q, k = rng.normal(size=(20000, 128)), rng.normal(size=(20000, 128))
    dots = np.einsum("ij,ij->i", q, k)
    assert dots.std() == pytest.approx(val("head_dot_spread"), rel=0.03)
    assert (dots / math.sqrt(128)).std() == pytest.approx(1, rel=0.03)


def _workshop_cosines(d, m):
    """Every pair's cosine at width d, by numpy, from the workshop's own random vectors."""
    from llmviz.modes.part00_math.vectors import VectorsMode

    mode = VectorsMode(submode="random", values={"dim": d, "vectors": m})
    V = np.array([mode._pool.components(j, d)[:d] for j in range(m)])
    U = V / np.linalg.norm(V, axis=1, keepdims=True)
    iu = np.triu_indices(m, 1)
    return (U @ U.T)[iu]


def test_measured_spreads_against_numpy():
    c32 = _workshop_cosines(4096, 32)
    assert val("pairs_32") == c32.size == 496
    assert val("measured_llama") == pytest.approx(c32.std(), rel=1e-9)
    assert val("measured_llama_ratio") == pytest.approx(c32.std() * 64, rel=1e-9)
    assert val("measured_llama_max") == pytest.approx(np.abs(c32).max(), rel=1e-9)
    assert val("measured_llama_band") == pytest.approx(np.degrees(np.arcsin(np.abs(c32).max())))
    c48 = _workshop_cosines(4096, 48)
    assert val("pairs_48") == c48.size == 1128
    assert val("measured_llama_48") == pytest.approx(c48.std(), rel=1e-9)
    assert val("measured_2") == pytest.approx(_workshop_cosines(2, 32).std(), rel=1e-9)
    # and the measurement agrees with the prediction to a few per cent
    assert val("measured_llama_ratio") == pytest.approx(1, abs=0.1)


def test_exercises_one_to_five():
    a = np.array([2, -1, 2])
    assert val("ex1_norm") == np.linalg.norm(a) == 3
    assert (val("ex1_u1"), val("ex1_u2")) == pytest.approx((2 / 3, -1 / 3))
    x, y = np.array([3, 4]), np.array([4, 3])
    assert val("ex2_dot") == x @ y == 24
    assert val("ex2_cos") == pytest.approx(0.96)
    assert val("ex2_theta") == pytest.approx(_angle(x, y)) and text("ex2_theta") == "16.3\u00b0"
    assert np.array([2, val("ex3_x"), 1]) @ np.array([1, 3, -5]) == 0
    a, b = np.array([1.0, 3.0]), np.array([4.0, 2.0])
    assert val("ex4_dot") == a @ b == 10
    assert val("ex4_shadow") == pytest.approx(10 / np.linalg.norm(b))
    p = (a @ b) / (b @ b) * b
    assert (val("ex4_p1"), val("ex4_p2")) == pytest.approx(tuple(p)) == (2, 1)
    assert (val("ex4_r1"), val("ex4_r2")) == pytest.approx(tuple(a - p))
    assert (a - p) @ b == 0
    v = np.array([1, 2, 3])
    assert val("ex5_dot_double") == v @ (2 * v) == 28
    assert val("ex5_cos_double") == pytest.approx(1)
    assert val("ex5_dot_negative") == v @ (-v) == -14
    assert val("ex5_cos_negative") == pytest.approx(-1)


def test_exercises_on_real_widths():
    def flops_of_dot(d):  # one multiply and one add per component, counted
        return sum(2 for _ in range(d))

    assert val("ex6_cosine_flops") == 3 * flops_of_dot(4096) == 24_576
    # Meta-Llama-3-70B config.json: hidden_size 8192
    assert val("ex7_hidden_70b") == 8192
    assert val("ex7_spread_70b") == pytest.approx(1 / math.sqrt(8192))
    assert val("ex7_sigmas") == pytest.approx(0.1 * 64) and text("ex7_sigmas") == "6.4"
    assert val("ex9_unit_flops") == 1_000_000 * flops_of_dot(4096)
    assert val("ex9_naive_flops") == 3 * val("ex9_unit_flops")
    assert text("ex9_unit_flops") == "8.19 GFLOP" and text("ex9_naive_flops") == "24.6 GFLOP"


def test_how_wide_is_wide_enough():
    from llmviz.catalog import MODELS

    assert val("ex10_min_width") == 10_000 and 1 / math.sqrt(10_000) == 0.01
    assert 1 / math.sqrt(9_999) > 0.01
    # Llama 3.1 405B config.json: hidden_size 16384; no catalog model sits between 10,000 and that
    assert text("ex10_model") == "Llama 3.1 405B" and val("ex10_model_width") == 16_384
    assert not [m for m in MODELS.values() if 10_000 <= m.hidden < 16_384]
    assert val("ex10_model_spread") == pytest.approx(1 / 128)
    assert val("ex10_halving") == 4
    assert 1 / math.sqrt(4 * 4096) == pytest.approx(0.5 / math.sqrt(4096))


def _tail_by_integration(d, c):
    """P(|cos| ≥ c) for random directions: the density (1 − x²)^((d−3)/2) integrated by numpy on a fine
    grid, in logs so that large powers do not underflow (an oracle independent of the incomplete beta)."""
    x = np.linspace(0.0, 1.0, 4_000_001)[:-1]
    logf = (d - 3) / 2 * np.log1p(-x * x)
    f = np.exp(logf - logf.max())
    whole = np.trapezoid(f, x)
    return np.trapezoid(np.where(x >= c, f, 0.0), x) / whole


def test_how_often_chance_gives_a_cosine():
    p_small = _tail_by_integration(4096, 0.05)
    assert val("small_cos_sigmas") == pytest.approx(0.05 * 64) and text("large_cos_sigmas") == "13"
    assert 1 / val("chance_small_one_in") == pytest.approx(p_small, rel=1e-3)
    assert text("chance_small_one_in") == "730"
    assert val("chance_small_store") == pytest.approx(1e6 * p_small, rel=1e-3) and text("chance_small_store") == "1,400"
    assert val("chance_large") == pytest.approx(_tail_by_integration(4096, 0.2), rel=1e-2)
    assert text("chance_large") == "3 \u00d7 10\u207b\u00b3\u2078"
    assert 1 / val("ex7_chance_one_in") == pytest.approx(_tail_by_integration(4096, 0.1), rel=1e-3)
    assert text("ex7_chance_one_in") == "7 billion"


def test_what_the_prose_says_about_the_sample_at_4096():
    """The chapter describes the workshop's own draw: check those words against it, by numpy."""
    c32 = _workshop_cosines(4096, 32)
    # "almost every pair lands in the two bars beside 0"
    assert np.mean(np.abs(c32) < 0.05) > 0.99
    c48 = _workshop_cosines(4096, 48)
    assert val("measured_llama_48_ratio") == pytest.approx(c48.std() * 64, rel=1e-9)
    # "the measurement wobbles by a few per cent"
    assert abs(val("measured_llama_ratio") - 1) < 0.1 and abs(val("measured_llama_48_ratio") - 1) < 0.1


def test_the_fill_time_the_prose_gives_is_what_the_workshop_takes():
    from llmviz.modes.part00_math.vectors import VectorsMode

    mode = VectorsMode(submode="random", values={"dim": 4096, "vectors": 48})
    t = 0.0
    while mode.arrived(t) < 1128:
        t += 0.25
    assert round(val("fill_llama_48")) == pytest.approx(t, abs=1)
