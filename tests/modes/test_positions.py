"""The positions chapter's workshop: what each view draws is RoPE's (or the sines') own arithmetic,
checked against numpy, and the one property the chapter proves is visible in the frames."""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.catalog import get_model
from llmviz.lm import model as lm
from llmviz.modes.part02_transformer import positions as pm
from llmviz.modes.part02_transformer.positions import PositionsMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def grids(frame):
    return [it for it in frame["scene"]["items"] if it["k"] == "grid" and it["rows"] > 1]


def texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def inv_freq(d, base):
    return 1.0 / base ** (np.arange(0, d, 2) / d)


# -- spin ----------------------------------------------------------------------------


def test_spin_score_is_constant_when_both_positions_move_and_swings_when_one_does():
    both = PositionsMode(submode="spin", values={"motion": "both", "pair": 0, "offset": 2})
    scores = [tel(both.frame(t))["score"]["value"] for t in np.arange(0.0, 24.0, 1.5)]
    ms = [tel(both.frame(t))["m"]["value"] for t in np.arange(0.0, 24.0, 1.5)]
    assert len(set(ms)) == len(ms)                       # the positions really move
    assert max(scores) - min(scores) < 1e-12             # the score does not
    # unit q at 20°, k at 75°, turned by m and m − 2 radians: cos of (2 rad − 55°)
    assert scores[0] == pytest.approx(math.cos(2.0 - math.radians(55.0)), abs=1e-12)
    one = PositionsMode(submode="spin", values={"motion": "query", "pair": 0, "offset": 2})
    swings = [tel(one.frame(t))["score"]["value"] for t in np.arange(0.0, 24.0, 1.5)]
    assert max(swings) - min(swings) > 1.0
    assert [tel(one.frame(t))["n"]["value"] for t in (0.0, 9.0, 21.0)] == [0, 0, 0]


def test_spin_angle_between_is_the_distance_times_the_speed():
    m = PositionsMode(submode="spin", values={"head_dim": "128", "base": 10000, "pair": 10, "offset": 5})
    th = 10000 ** (-20 / 128)
    for t in (0.0, 4.5, 13.5):
        e = tel(m.frame(t))
        assert e["theta"]["value"] == pytest.approx(th)
        want = math.degrees(5 * th + math.radians(20 - 75))
        assert e["between"]["value"] == pytest.approx(want, abs=1e-9)


def test_spin_tick_moves_a_slow_pair_by_about_thirty_degrees():
    m = PositionsMode(submode="spin", values={"head_dim": "128", "base": 500000, "pair": 63, "motion": "both"})
    a, b = tel(m.frame(0.0))["m"]["value"], tel(m.frame(1.5))["m"]["value"]
    th = 500000 ** (-126 / 128)
    assert math.degrees((b - a) * th) == pytest.approx(30, abs=0.01)


def test_spin_pair_beyond_the_head_is_shown_as_its_last_pair_and_says_so():
    m = PositionsMode(submode="spin", values={"head_dim": "16", "pair": 40})
    f = m.frame(1.0)
    assert tel(f)["theta"]["label"] == "θ_7"
    assert any("does not exist" in s for s in texts(f))


# -- angles --------------------------------------------------------------------------


@pytest.mark.parametrize("d, base, start", [("128", 10000, 0), ("16", 10000, 0), ("128", 500000, 100000)])
def test_angles_heatmap_is_cos_of_position_times_speed(d, base, start):
    m = PositionsMode(submode="angles", values={"head_dim": d, "base": base, "start": start})
    f = m.frame(0.0)
    (g,) = grids(f)
    dd = int(d)
    assert (g["rows"], g["cols"]) == (dd // 2, pm.WINDOW)
    want = np.cos((start + np.arange(pm.WINDOW))[None, :] * inv_freq(dd, base)[:, None])
    assert all(isinstance(v, int) for v in g["v"]) and (g["vmin"], g["vmax"]) == (-pm.HEAT_STEPS, pm.HEAT_STEPS)
    got = np.array(g["v"]).reshape(dd // 2, pm.WINDOW) / pm.HEAT_STEPS
    assert np.allclose(got, want, atol=0.5 / pm.HEAT_STEPS + 1e-12)
    # the top row stripes, the bottom row hardly moves over the window
    assert got[0].std() > 0.6 and got[-1].std() < 0.05


def test_a_larger_base_leaves_pair_zero_and_slows_the_rest():
    lo = tel(PositionsMode(submode="angles", values={"base": 10000}).frame(1.0))
    hi = tel(PositionsMode(submode="angles", values={"base": 500000}).frame(1.0))
    assert lo["theta0"]["value"] == hi["theta0"]["value"] == 1.0
    assert hi["wave_last"]["value"] == pytest.approx(2 * math.pi * 500000 ** (126 / 128))
    assert hi["wave_last"]["value"] > 40 * lo["wave_last"]["value"]
    ctx = get_model(pm.CONTEXT_MODEL).max_context
    for e, base in ((lo, 10000), (hi, 500000)):
        waves = 2 * np.pi * base ** (np.arange(64) * 2 / 128)
        assert e["turning"]["value"] == int((waves <= ctx).sum())
    assert hi["turning"]["value"] < lo["turning"]["value"]


def test_at_the_tiny_models_width_the_reference_context_is_its_own():
    f = PositionsMode(submode="angles", values={"head_dim": "16", "base": 10000}).frame(1.0)
    n_ctx = lm.load().cfg.n_ctx
    waves = 2 * np.pi * 10000 ** (np.arange(8) * 2 / 16)
    assert tel(f)["turning"]["value"] == int((waves <= n_ctx).sum()) == 3
    assert f"{n_ctx}: tiny model" in texts(f) and f"once within {n_ctx} tokens" in texts(f)


def test_angles_cursor_walks_the_window_and_wraps():
    m = PositionsMode(submode="angles", values={"start": 5000})
    assert [tel(m.frame(t))["m"]["value"] for t in (0.0, pm.ANGLE_TICK_S * 10.5, pm.ANGLE_TICK_S * 130.5)] == \
        [5000, 5010, 5002]


# -- distance ------------------------------------------------------------------------


def _curves(frame):
    return [it for it in frame["scene"]["items"] if it["k"] == "path" and it.get("stroke") in ("accent", "accent2")
            and len(it["pts"]) > 40]


def test_distance_probe_values_match_numpy_for_every_choice():
    for kind in ("equal", "random", "bound"):
        m = PositionsMode(submode="distance", values={"vectors": kind, "head_dim": "64", "base": 10000,
                                                       "base2": 500000, "span": 4096})
        for t in (0.0, 3.3, 9.9):
            e = tel(m.frame(t))
            dist = e["distance"]["value"]
            for base, key in ((10000, "score_a"), (500000, "score_b")):
                th = inv_freq(64, base)
                if kind == "equal":
                    want = np.cos(dist * th).mean()
                elif kind == "bound":
                    want = np.abs(np.cumsum(np.exp(1j * dist * th))).mean() / ((32 + 1) / 2)
                else:
                    q, k = (np.array(v) for v in m._random_qk())
                    ang = np.repeat(dist * th, 2)
                    sw = np.empty_like(q)
                    sw[0::2], sw[1::2] = -q[1::2], q[0::2]
                    rq = q * np.cos(ang) + sw * np.sin(ang)            # q turned to position dist
                    want = rq @ k / (np.linalg.norm(q) * np.linalg.norm(k))
                assert e[key]["value"] == pytest.approx(want, abs=1e-9), (kind, base, dist)
        assert len(_curves(m.frame(1.0))) >= 2


def test_equal_pairs_keep_more_of_their_score_at_the_larger_base():
    m = PositionsMode(submode="distance", values={"vectors": "equal", "base": 10000, "base2": 500000,
                                                   "span": 8192})
    e = tel(m.frame(pm.DIST_SWEEP_S - 0.01))      # the probe at the far end
    assert e["distance"]["value"] == 8192
    assert e["score_b"]["value"] > 5 * e["score_a"]["value"] > 0
    words = " ".join(texts(m.frame(1.0)))
    assert "base 10,000: 46 tokens" in words and "base 500,000: 166 tokens" in words


# -- sinusoidal ------------------------------------------------------------------------


@pytest.mark.parametrize("d", ["64", "128", "512"])
def test_sinusoidal_table_is_vaswanis_formula(d):
    f = PositionsMode(submode="sinusoidal", values={"d_model": d}).frame(0.0)
    (g,) = grids(f)
    dd = int(d)
    pos = np.arange(pm.SIN_ROWS)[:, None]
    full = np.empty((pm.SIN_ROWS, dd))
    full[:, 0::2] = np.sin(pos / 10000 ** (np.arange(0, dd, 2) / dd))
    full[:, 1::2] = np.cos(pos / 10000 ** (np.arange(0, dd, 2) / dd))
    cols = np.arange(dd) if dd <= pm.SIN_COLS else np.array(
        [j for i in range(0, dd // 2, dd // pm.SIN_COLS) for j in (2 * i, 2 * i + 1)])
    assert g["cols"] == len(cols) <= pm.SIN_COLS
    got = np.array(g["v"]).reshape(pm.SIN_ROWS, len(cols)) / pm.HEAT_STEPS
    assert np.allclose(got, full[:, cols], atol=0.5 / pm.HEAT_STEPS + 1e-12)
    assert tel(f)["norm"]["value"] == pytest.approx(np.linalg.norm(full[0]))


def test_sinusoidal_cursor_walks_the_positions():
    m = PositionsMode(submode="sinusoidal")
    assert [tel(m.frame(t))["pos"]["value"] for t in (0.0, 2.6, 24.1)] == [0, 5, 0]


# -- trained ---------------------------------------------------------------------------


def _numpy_scores(query: str, key: str, head: int):
    """Layer-0 scores of `query` at position 127 against `key` at 0 … 126, from the numpy forward pass."""
    params, cfg, _ = numpy_lm.load_shipped(lm.HERE)
    tok = lm.load().tokenizer
    (qi,), (ki,) = tok.encode(query), tok.encode(key)
    ids = [ki] * 127 + [qi]
    s = numpy_lm.trace(params, ids, cfg)["layers"][0]["scores"][head]
    return s[127, :127][::-1]          # distance 1, 2, …, 127


@pytest.mark.parametrize("q, k, head", [("the", "of", 1), ("head", "the", 1), ("cache", "comma", 3)])
def test_trained_curve_is_the_models_forward_pass(q, k, head):
    words_q, words_k = dict(pm.LM_QUERIES)[q], dict(pm.LM_KEYS)[k]
    data = pm.lm_scores(words_q, words_k, head)
    np.testing.assert_allclose(data["curve"][1:], _numpy_scores(words_q, words_k, head), atol=1e-9)
    assert data["curve"][0] == pytest.approx(data["flat"], abs=1e-12)   # distance 0: no turn at all


def test_trained_probe_checks_three_pairs_of_positions_at_the_same_distance():
    m = PositionsMode(submode="trained", values={"lm_query": "the", "lm_key": "of", "lm_head": "1"})
    for t in (0.0, 20 * pm.LM_PROBE_S + 0.01, 100 * pm.LM_PROBE_S + 0.01, 120 * pm.LM_PROBE_S + 0.01):
        f = m.frame(t)
        e = tel(f)
        dist = e["distance"]["value"]
        pairs = m._lm_positions(dist)
        assert len(set(pairs)) == (3 if dist <= 125 else 2) and all(a - b == dist for a, b in pairs)
        assert all(0 <= b <= a <= 127 for a, b in pairs)
        assert e["spread"]["value"] < 1e-12
        assert e["score"]["value"] == pytest.approx(pm.lm_scores(" the", " of", 1)["curve"][dist])
    assert m.frame(20 * pm.LM_PROBE_S + 0.01)["telemetry"][0]["value"] == 20


def test_trained_view_lists_the_models_own_speeds():
    f = PositionsMode(submode="trained").frame(0.0)
    cfg = lm.load().cfg
    words = " ".join(texts(f))
    assert f"its {cfg.d_head // 2} pairs, base {cfg.rope_base:,.0f}" in words
    for i, th in enumerate(inv_freq(cfg.d_head, cfg.rope_base)):
        assert f"{i}   {th:<13.4g}" in words


def test_offered_words_are_single_tokens_and_head_widths_match_the_catalog():
    tok = lm.load().tokenizer
    for _, w in pm.LM_QUERIES + pm.LM_KEYS:
        assert len(tok.encode(w)) == 1, w
    assert lm.load().cfg.d_head == 16 and lm.load().cfg.rope_base == 10000
    assert get_model("gpt-oss-120b").head_dim == 64 and get_model("gpt-oss-120b").rope_theta
    assert get_model("llama-3-8b").head_dim == get_model("llama-2-7b").head_dim == 128
    assert [v for v, _ in pm.HEAD_DIMS] == ["16", "64", "128"]


# -- inputs and time -----------------------------------------------------------------------


def test_bad_values_clamp_or_fall_back_with_a_message():
    m = PositionsMode(submode="angles")
    assert "clamped" in m.set("base", 1)
    assert m["base"] == 100
    assert m.set("head_dim", "7")
    assert m["head_dim"] == "128"
    m.frame(0.0)
    assert m.set("start", -5) and m["start"] == 0


def test_far_times_reuse_the_periodic_state():
    for sub, period in (("angles", pm.ANGLE_TICK_S * pm.WINDOW), ("sinusoidal", pm.SIN_TICK_S * pm.SIN_ROWS),
                        ("distance", pm.DIST_SWEEP_S)):
        a = PositionsMode(submode=sub).frame(1.0)
        b = PositionsMode(submode=sub).frame(1.0 + 1000 * period)
        assert a["scene"] == b["scene"], sub
