"""llmviz.calc.rope against numpy: rotation speeds, wavelengths, the rotation itself, the relative
score, RoFormer's decay bound and Vaswani's sinusoidal table, each written out independently."""
import math

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc.rope import (pairs_turning_within, rope_angles, rope_decay_bound, rope_frequencies,
                              rope_half_distance, rope_inverse_frequencies, rope_mean_cosine, rope_relative_score,
                              rope_rotate, rope_wavelengths, rotate_pair, sinusoidal_encoding)


def np_inv_freq(d, base):
    # Hugging Face's Llama: inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    return 1.0 / base ** (np.arange(0, d, 2, dtype=np.float64) / d)


def np_rope(x, pos, base):
    """RoFormer equation 34: x ⊗ cos + (−x₂, x₁, −x₄, x₃, …) ⊗ sin, angles repeated per pair."""
    x = np.asarray(x, dtype=np.float64)
    ang = np.repeat(pos * np_inv_freq(len(x), base), 2)
    swapped = np.empty_like(x)
    swapped[0::2], swapped[1::2] = -x[1::2], x[0::2]
    return x * np.cos(ang) + swapped * np.sin(ang)


def np_block_rotation(d, pos, base):
    """RoFormer equation 15: the block-diagonal d×d matrix R^d_{Θ,pos}."""
    r = np.zeros((d, d))
    for i, t in enumerate(np_inv_freq(d, base)):
        c, s = np.cos(pos * t), np.sin(pos * t)
        r[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[c, -s], [s, c]]
    return r


@pytest.mark.parametrize("d, base", [(16, 1e4), (64, 1.5e5), (128, 1e4), (128, 5e5), (2, 7.0)])
def test_inverse_frequencies_match_hugging_face(d, base):
    got = np.array(rope_inverse_frequencies(d, base))
    assert got.shape == (d // 2,)
    assert np.allclose(got, np_inv_freq(d, base), rtol=1e-13, atol=0)
    assert got[0] == 1.0
    # each speed is the one before times the same factor base^(-2/d)
    assert np.allclose(got[1:] / got[:-1], base ** (-2 / d), rtol=1e-12)


def test_model_frequencies_go_through_the_general_function():
    assert rope_frequencies("llama-3-8b") == rope_inverse_frequencies(128, 500000.0)
    assert rope_frequencies("llama-2-7b") == rope_inverse_frequencies(128, 10000.0)
    with pytest.raises(ValueError, match="rotary"):
        rope_frequencies("opt-13b")


@pytest.mark.parametrize("d, base", [(0, 1e4), (-4, 1e4), (7, 1e4), (2.0, 1e4), (True, 1e4),
                                     (16, 1.0), (16, 0.5), (16, -3.0), (16, math.inf), (16, math.nan),
                                     (16, "10000"), (16, True)])
def test_bad_head_dim_or_base_raise(d, base):
    with pytest.raises(ValueError, match="head_dim|base"):
        rope_inverse_frequencies(d, base)


def test_wavelengths_are_two_pi_base_to_the_2i_over_d():
    d, base = 128, 500000.0
    got = np.array(rope_wavelengths(d, base))
    assert np.allclose(got, 2 * np.pi * base ** (2 * np.arange(d // 2) / d), rtol=1e-12)
    # Vaswani et al. 3.5: "a geometric progression from 2π to 10000 · 2π" (approached, not reached)
    w = rope_wavelengths(512, 10000.0)
    assert w[0] == pytest.approx(2 * math.pi) and w[-1] < 2 * math.pi * 10000 < w[-1] * 10000 ** (2 / 512) * 1.0001


def test_pairs_turning_within_counts_wavelengths_by_hand():
    for d, base, ctx in ((128, 5e5, 8192), (128, 1e4, 4096), (16, 1e4, 128), (128, 5e5, 131072)):
        # solve 2π·base^(2i/d) ≤ ctx for i: i ≤ (d/2)·ln(ctx/2π)/ln(base)
        i_max = math.floor((d / 2) * math.log(ctx / (2 * math.pi)) / math.log(base))
        assert pairs_turning_within(ctx, d, base) == min(d // 2, i_max + 1)
    assert pairs_turning_within(6.0, 128, 1e4) == 0
    with pytest.raises(ValueError, match="context"):
        pairs_turning_within(0, 128, 1e4)


def test_rotate_pair_is_the_rotation_matrix():
    rng = np.random.default_rng(3)
    for x, y, a in rng.normal(size=(20, 3)) * [2, 2, 7]:
        r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        assert np.allclose(rotate_pair(float(x), float(y), float(a)), r @ [x, y], atol=1e-14)
    assert rotate_pair(1.0, 0.0, math.pi / 2) == pytest.approx((0.0, 1.0), abs=1e-15)
    with pytest.raises(ValueError, match="angle"):
        rotate_pair(1.0, 0.0, math.nan)


@pytest.mark.parametrize("d, base", [(16, 1e4), (128, 5e5)])
def test_rope_rotate_matches_equation_34_and_the_block_matrix(d, base):
    rng = np.random.default_rng(d)
    x = rng.normal(size=d)
    for pos in (0, 1, 7, 1000, 131071, -5):
        got = np.array(rope_rotate(x.tolist(), pos, base))
        assert np.allclose(got, np_rope(x, pos, base), atol=1e-12)
        assert np.allclose(got, np_block_rotation(d, pos, base) @ x, atol=1e-12)
        assert np.linalg.norm(got) == pytest.approx(np.linalg.norm(x), rel=1e-12)   # a rotation keeps lengths
    assert rope_rotate(x.tolist(), 0, base) == pytest.approx(x.tolist(), abs=0)
    with pytest.raises(ValueError, match="even"):
        rope_rotate([1.0, 2.0, 3.0], 1, base)


@pytest.mark.parametrize("d, base", [(16, 1e4), (64, 1.5e5), (128, 5e5)])
def test_relative_score_is_the_rotated_dot_product_at_every_pair_of_positions(d, base):
    rng = np.random.default_rng(11 + d)
    q, k = rng.normal(size=d), rng.normal(size=d)
    for m, n in ((5, 3), (1005, 1003), (3, 5), (0, 0), (8191, 17), (17, 8191)):
        # RoFormer equation 16: (R_m q)ᵀ(R_n k) = qᵀ R_{n−m} k
        want = np_rope(q, m, base) @ np_rope(k, n, base)
        assert rope_relative_score(q.tolist(), k.tolist(), m - n, base) == pytest.approx(want, abs=1e-10)
        assert want == pytest.approx(q @ np_block_rotation(d, n - m, base) @ k, abs=1e-10)
    # the same distance at another pair of positions gives the same score
    a = np_rope(q, 40, base) @ np_rope(k, 30, base)
    b = np_rope(q, 90010, base) @ np_rope(k, 90000, base)
    assert a == pytest.approx(b, abs=1e-9)
    assert rope_relative_score(q.tolist(), k.tolist(), 0, base) == pytest.approx(q @ k, abs=1e-12)
    with pytest.raises(ValueError, match="same length"):
        rope_relative_score([1.0, 0.0], [1.0, 0.0, 0.0, 1.0], 1, base)


def test_mean_cosine_is_rope_with_q_equal_to_k():
    d, base = 128, 1e4
    q = np.ones(d)
    for dist in (0, 1, 10, 100, 1000, 54321):
        score = np_rope(q, dist, base) @ np_rope(q, 0, base)
        assert rope_mean_cosine(dist, d, base) == pytest.approx(score / (q @ q), abs=1e-12)
    assert rope_mean_cosine(0, d, base) == 1.0


def test_decay_bound_is_roformer_equation_37():
    for d, base in ((128, 1e4), (64, 5e5)):
        th = np_inv_freq(d, base)
        for dist in (0, 1, 30, 250, 4000):
            s = np.cumsum(np.exp(1j * dist * th))          # S_1 … S_{d/2}
            assert rope_decay_bound(dist, d, base) == pytest.approx(np.abs(s).mean(), rel=1e-12)
        assert rope_decay_bound(0, d, base) == (d / 2 + 1) / 2
    # Figure 2: the bound falls with distance (on average over a window, it wiggles)
    near = np.mean([rope_decay_bound(x, 128, 1e4) for x in range(1, 20)])
    far = np.mean([rope_decay_bound(x, 128, 1e4) for x in range(200, 250)])
    assert far < 0.5 * near


def test_sinusoidal_encoding_is_vaswani_section_3_5():
    d = 512
    for pos in (0, 1, 37, 1023):
        i = np.arange(d // 2)
        want = np.empty(d)
        want[0::2] = np.sin(pos / 10000 ** (2 * i / d))
        want[1::2] = np.cos(pos / 10000 ** (2 * i / d))
        assert np.allclose(sinusoidal_encoding(pos, d), want, atol=1e-12)
    # PE(m)·PE(n) = Σ cos((m−n)ω_i): it depends on m − n only (and equals RoPE's q = k curve)
    a = np.dot(sinusoidal_encoding(100, 64), sinusoidal_encoding(90, 64))
    b = np.dot(sinusoidal_encoding(510, 64), sinusoidal_encoding(500, 64))
    assert a == pytest.approx(b, abs=1e-10) == pytest.approx(32 * rope_mean_cosine(10, 64, 1e4), abs=1e-10)
    with pytest.raises(ValueError, match="d_model"):
        sinusoidal_encoding(3, 5)


def test_angles_are_position_times_speed():
    assert np.allclose(rope_angles(100, 16, 1e4), 100 * np_inv_freq(16, 1e4), rtol=1e-13)
    with pytest.raises(ValueError, match="position"):
        rope_angles(math.inf, 16, 1e4)


def test_new_calculators_are_registered():
    for name in ("rope_inverse_frequencies", "rope_wavelengths", "rope_angles", "pairs_turning_within", "rope_half_distance",
                 "rotate_pair", "rope_rotate", "rope_relative_score", "rope_mean_cosine", "rope_decay_bound",
                 "sinusoidal_encoding"):
        assert callable(getattr(calc, name))


def test_half_distance_walks_every_distance():
    for d, base in ((128, 1e4), (128, 5e5), (16, 1e4), (64, 1.5e5)):
        dist = np.arange(1, 20000)
        mean = np.cos(dist[:, None] * np_inv_freq(d, base)[None, :]).mean(axis=1)
        assert rope_half_distance(d, base) == dist[np.argmax(mean < 0.5)]
    # a level the curve never reaches within the limit
    assert rope_half_distance(128, 1e4, level=-0.99, limit=200) is None
    with pytest.raises(ValueError, match="level"):
        rope_half_distance(128, 1e4, level=2.0)
