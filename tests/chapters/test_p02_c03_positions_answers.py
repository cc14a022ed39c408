"""Chapter p02-c03's answers against independent oracles: numpy, closed forms written out, published
configuration values, and the tiny model's numpy forward pass."""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.lm import model as lm

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402

A = answers_for("p02-c03-positions")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def rot(phi):
    return np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])


def test_opt_learned_table():
    # facebook/opt-13b config.json: hidden_size 5120, max_position_embeddings 2048; the table has 2 more rows
    assert (val("opt_rows"), val("opt_width"), val("opt_ctx")) == (2050, 5120, 2048)
    assert val("opt_table") == 2050 * 5120 == 10_496_000
    # OPT paper Table 1: 13B parameters. Counted from config.json (vocab_size 50272, 40 layers, ffn_dim 20480,
    # biases on every matrix, two LayerNorms a layer and a final one, tied output): 12,853,473,280
    d, L, f, V = 5120, 40, 20480, 50272
    layer = 4 * (d * d + d) + 2 * d * f + f + d + 2 * 2 * d
    assert val("opt_total") == V * d + 2050 * d + L * layer + 2 * d == 12_853_473_280
    assert val("opt_share") == pytest.approx(10_496_000 / 12_853_473_280)
    assert text("opt_share") == "0.082 %"


def test_llama_3_speeds_and_wavelengths():
    # config.json: rope_theta 500000, head_dim 4096/32 = 128; the Transformer and RoFormer: 10000
    d = 128
    assert (val("l3_base"), val("b10k"), val("l3_head_dim"), val("l3_pairs"), val("l3_last")) == \
        (500000, 10000, 128, 64, 63)
    assert val("wave0") == pytest.approx(2 * np.pi) and text("wave0") == "6.28"
    assert val("l3_wave_last") == pytest.approx(2 * np.pi * 500000 ** (126 / d))
    assert val("b10k_wave_last") == pytest.approx(2 * np.pi * 10000 ** (126 / d))
    assert text("b10k_wave_last") == "54,410"
    assert val("wave_last_ratio") == pytest.approx(50 ** (126 / 128))       # (500000/10000)^(126/128)
    assert val("l3_theta_last") == pytest.approx(np.exp(-126 / 128 * np.log(500000)))
    assert val("l3_step") == pytest.approx(500000 ** (-1 / 64)) and val("b10k_step") == pytest.approx(0.1 ** (4 / 64))


def test_pairs_that_come_round_within_a_context():
    def count(ctx, d, base):
        return int((2 * np.pi * base ** (np.arange(0, d, 2) / d) <= ctx).sum())

    assert val("l3_turning") == count(8192, 128, 500000) == 35
    assert val("b10k_turning") == count(8192, 128, 10000) == 50
    assert val("tiny_turning") == count(128, 16, 10000) == 3 and val("tiny_not_turning") == 5
    assert val("long_turning") == count(131072, 128, 500000)
    for name, ctx, d, b in (("l3_bound", 8192, 128, 5e5), ("b10k_bound", 8192, 128, 1e4),
                            ("tiny_bound", 128, 16, 1e4), ("long_bound", 131072, 128, 5e5)):
        bound = (d / 2) * np.log(ctx / (2 * np.pi)) / np.log(b)
        assert val(name) == pytest.approx(bound)
        assert math.floor(bound) + 1 == count(ctx, d, b)


def test_base_for_a_longer_context():
    b = val("base_for_long")
    # pair 34 then needs exactly 131,072 tokens for one turn
    assert 2 * np.pi * b ** (68 / 128) == pytest.approx(131072)
    assert val("base_ratio_long") == pytest.approx(b / 500000) and text("base_ratio_long") == "270"
    assert text("base_for_long") == "1.35 × 10⁸"


def test_rotation_by_hand():
    q = rot(5) @ [1, 0]
    k = rot(3) @ [0, 1]
    assert (val("hand_qx"), val("hand_qy")) == pytest.approx(tuple(q))
    assert (val("hand_kx"), val("hand_ky")) == pytest.approx(tuple(k))
    assert val("hand_dot") == pytest.approx(q @ k) == pytest.approx(np.sin(2))
    assert val("hand_dot_shift") == pytest.approx((rot(15) @ [1, 0]) @ (rot(13) @ [0, 1]))
    assert val("hand_formula") == pytest.approx(np.sin(2))
    assert val("norm_q") == pytest.approx(5.0)


def test_sinusoidal_by_hand():
    pe = lambda p: np.array([np.sin(p), np.cos(p), np.sin(p / 100), np.cos(p / 100)])  # 10000^(-2/4) = 1/100
    assert [val(n) for n in ("sin_a", "sin_b", "sin_c", "sin_d")] == pytest.approx(list(pe(2)))
    assert val("sin_dot") == pytest.approx(pe(2) @ pe(1)) == pytest.approx(np.cos(1) + np.cos(0.01))
    assert (val("sin_cos1"), val("sin_cos2")) == pytest.approx((np.cos(1), np.cos(0.01)))


def test_tiny_model_angles():
    cfg = lm.load().cfg
    assert (val("tiny_d_head"), val("tiny_pairs"), val("tiny_ctx"), val("tiny_base")) == (16, 8, 128, 10000)
    assert val("tiny_heads") == 4                  # tools/tiny_lm/README.md: 4 heads of 16
    assert val("tiny_params") == 139_584           # tools/tiny_lm/README.md
    assert val("tiny_theta_last") == pytest.approx(10 ** (-7 / 2))
    assert val("tiny_turns_100") == pytest.approx(100 / (2 * np.pi))
    assert val("tiny_rad_100_last") == pytest.approx(100 * 10 ** (-3.5))
    assert val("tiny_deg_100_last") == pytest.approx(np.degrees(100 * 10 ** (-3.5)))
    assert val("tiny_wave_last") == pytest.approx(2 * np.pi * 10 ** 3.5, abs=0.5)
    assert cfg.n_ctx == 128


def _numpy_scores(query, key, head=1):
    """The model's own numpy forward pass: query at position 127, the key at 0 … 126, layer 0."""
    params, cfg, _ = numpy_lm.load_shipped(lm.HERE)
    tok = lm.load().tokenizer
    (qi,), (ki,) = tok.encode(query), tok.encode(key)
    s = numpy_lm.trace(params, [ki] * 127 + [qi], cfg)["layers"][0]["scores"][head]
    far = s[127, :127][::-1]                         # distances 1 … 127
    # distance 0: the same two vectors unturned, from a two-token pass at positions 0 and 0 is impossible,
    # so take the plain dot product of the query and the key before RoPE
    h = numpy_lm.trace(params, [ki, qi], cfg)["layers"][0]["attn_in"]
    P = params
    dh = cfg.d_head
    qv = (h[1] @ P["layers.0.w_q"])[head * dh:(head + 1) * dh]
    kv = (h[0] @ P["layers.0.w_k"])[head * dh:(head + 1) * dh]
    return np.concatenate([[qv @ kv / np.sqrt(dh)], far])


def test_tiny_model_scores_are_the_forward_pass():
    c = _numpy_scores(" the", " of")
    assert val("lm_flat") == pytest.approx(c[0], abs=1e-9)
    assert val("lm_d1") == pytest.approx(c[1], abs=1e-9)
    assert val("lm_d10") == pytest.approx(c[10], abs=1e-9)
    assert val("lm_d20") == pytest.approx(c[20], abs=1e-9)
    assert val("lm_best") == int(np.argmax(c)) == 1
    assert val("lm_far_mean") == pytest.approx(c[8:].mean(), abs=1e-9)
    assert val("lm_gap_ratio") == pytest.approx(np.exp(c[1] - c[10]), rel=1e-9)
    assert 0 <= val("lm_probe_spread") < 1e-12
    h = _numpy_scores(" head", " the")
    assert val("lm_head_flat") == pytest.approx(h[0], abs=1e-9)
    assert val("lm_head_d1") == pytest.approx(h[1], abs=1e-9)
    assert val("lm_head_best") == int(np.argmax(h))
    assert val("lm_head_best_score") == pytest.approx(h.max(), abs=1e-9)


def test_half_distances_and_far_scores():
    th10, th500 = (1 / b ** (np.arange(0, 128, 2) / 128) for b in (1e4, 5e5))
    d = np.arange(1, 5000)
    for name, th in (("half_10k", th10), ("half_500k", th500)):
        mean = np.cos(d[:, None] * th[None, :]).mean(axis=1)
        assert val(name) == d[np.argmax(mean < 0.5)]
    assert val("equal_8k_10k") == pytest.approx(np.cos(8192 * th10).mean())
    assert val("equal_8k_500k") == pytest.approx(np.cos(8192 * th500).mean())
    assert (val("long_ctx"), val("long_base"), val("l3_ctx")) == (131072, 500000, 8192)


def test_catalog_count_of_rope_models():
    from llmviz.catalog import MODELS
    # OPT-13B learns its positions, Mamba has no attention, Jamba's attention layers use no encoding
    assert {n for n, m in MODELS.items() if not m.rope_theta} == {"opt-13b", "mamba-2.8b", "jamba-v0.1"}
    assert val("catalog_rope") == val("catalog_models") - 3 and val("catalog_models") == len(MODELS)


def test_window_is_the_heatmaps():
    from llmviz.modes.part02_transformer.positions import PositionsMode
    f = PositionsMode(submode="angles").frame(0.0)
    (g,) = [it for it in f["scene"]["items"] if it["k"] == "grid" and it["rows"] > 1]
    assert val("window") == g["cols"] == 64
