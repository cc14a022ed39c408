"""The losses workshop: three losses on one guess, slopes through a sigmoid, a training race, label smoothing.

numpy is the oracle for every loss, slope and trajectory the reader watches;
the mechanisms are checked as the chapter describes them.
"""
import json
import math

import numpy as np
import pytest

from llmviz.modes.part01_networks.losses import (PREDICTIONS, RACE_RUN_S, RACE_X, RACE_Y, SAT_Z, SMOOTH_RUN_S,
                                                 SMOOTH_STEPS, SUM_HOLD_S, SWEEP_S, TERM_S, TOP_HOLD_S, Z_HI, Z_LO,
                                                 LossesMode, first_all_right, race_run, race_window, smoothing_run)
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _rects(frame, label):
    return [it for it in frame["scene"]["items"] if it["k"] == "rect" and it.get("label") == label]


def np_softmax(z):
    e = np.exp(np.asarray(z, float) - np.max(z))
    return e / e.sum()


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- score ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pred", list(PREDICTIONS))
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_score_view_telemetry_is_numpys(pred, eps):
    m = LossesMode(submode="score", values={"pred": pred, "eps": eps})
    tel = _tel(m.frame(100.0))
    z = np.array(PREDICTIONS[pred])
    q = np_softmax(z)
    p = np.eye(6)[0]
    target = (1 - eps) * p + eps / 6
    assert tel["q"]["value"] == pytest.approx(q[0])
    assert tel["mse"]["value"] == pytest.approx(np.sum((q - p) ** 2))
    assert tel["ce"]["value"] == pytest.approx(-np.log(q[0]))
    assert tel["ls"]["value"] == pytest.approx(-(target * np.log(q)).sum())
    assert tel["g_ce"]["value"] == pytest.approx(q[0] - 1)
    # d/dz_mat of ‖q − p‖² through the softmax, by a central difference
    h = 1e-6

    def sq(u):
        zz = z.copy()
        zz[0] = u
        return np.sum((np_softmax(zz) - p) ** 2)

    assert tel["g_mse"]["value"] == pytest.approx((sq(z[0] + h) - sq(z[0] - h)) / (2 * h), abs=1e-8)


def test_score_bars_are_q_and_the_outline_is_the_one_hot():
    m = LossesMode(submode="score", values={"pred": "unsure"})
    f = m.frame(0.0)
    q = np_softmax(PREDICTIONS["unsure"])
    heights = [r["h"] for r in sorted((it for it in f["scene"]["items"] if it["k"] == "rect"
                                       and str(it.get("label", "")).startswith("q(")), key=lambda r: r["x"])]
    assert np.allclose(np.array(heights) / heights[0], q / q[0], rtol=1e-6)
    box = _rects(f, "one-hot target p")
    assert len(box) == 1 and box[0]["h"] == pytest.approx(heights[0] / q[0])


def test_the_cursor_adds_one_token_at_a_time_and_cross_entropy_charges_only_mat():
    m = LossesMode(submode="score", values={"pred": "uniform"})
    for k in range(6):
        f = m.frame(k * TERM_S + 0.1)
        segs = [it for it in f["scene"]["items"] if it["k"] == "rect" and str(it.get("label", "")).endswith("term")]
        by_row = {c: sum(1 for it in segs if it["fill"] == c) for c in ("accent", "accent2", "accent3")}
        # squared error and the smoothed loss add every token so far; cross-entropy only mat's
        assert by_row == {"accent": k + 1, "accent2": 1, "accent3": k + 1}
    done = m.frame(6 * TERM_S + 0.5)
    assert any(s.startswith("= ") for s in _texts(done))
    assert not any(s.startswith("so far") for s in _texts(done))


def test_squared_error_stays_under_2_while_cross_entropy_runs_off_the_scale():
    tel = _tel(LossesMode(submode="score", values={"pred": "surewrong"}).frame(50.0))
    assert tel["mse"]["value"] < 2 and tel["ce"]["value"] > 9
    assert abs(tel["g_ce"]["value"]) > 1000 * abs(tel["g_mse"]["value"])


def test_smoothing_never_changes_a_uniform_guess():
    a = _tel(LossesMode(submode="score", values={"pred": "uniform", "eps": 0.0}).frame(50.0))
    b = _tel(LossesMode(submode="score", values={"pred": "uniform", "eps": 0.4}).frame(50.0))
    assert a["ls"]["value"] == pytest.approx(math.log(6)) == pytest.approx(b["ls"]["value"])


# -- slope and probe --------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 2.5, 6.0, 9.9, SWEEP_S + 1.0])
def test_the_sweep_moves_the_logit_and_the_readouts_are_numpys(t):
    m = LossesMode(submode="slope")
    tel = _tel(m.frame(t))
    z = tel["z"]["value"]
    assert z == pytest.approx(min(Z_HI, Z_LO + (Z_HI - Z_LO) * t / SWEEP_S), abs=1e-3)
    q = np_sigmoid(z)
    assert tel["q"]["value"] == pytest.approx(q)
    assert tel["bce"]["value"] == pytest.approx(-np.log(q))
    assert tel["g_bce"]["value"] == pytest.approx(q - 1)
    assert tel["mse"]["value"] == pytest.approx((q - 1) ** 2)
    assert tel["g_mse"]["value"] == pytest.approx(2 * (q - 1) * q * (1 - q))


def test_probe_holds_the_slider_and_the_target_flips_the_picture():
    one = _tel(LossesMode(submode="probe", values={"z": -6.0}).frame(7.0))
    assert one["z"]["value"] == -6.0
    assert one["ratio"]["value"] == pytest.approx(1 / (2 * np_sigmoid(-6.0) * (1 - np_sigmoid(-6.0))))
    zero = _tel(LossesMode(submode="probe", values={"z": 6.0, "y": "0"}).frame(7.0))
    # y = 0 at z = 6 is the mirror of y = 1 at z = −6
    for key in ("bce", "mse", "ratio"):
        assert zero[key]["value"] == pytest.approx(one[key]["value"])
    for key in ("g_bce", "g_mse"):
        assert zero[key]["value"] == pytest.approx(-one[key]["value"])


def test_saturated_wrong_end_is_named_on_the_right_side():
    for y, side in (("1", "left"), ("0", "right")):
        f = LossesMode(submode="probe", values={"y": y}).frame(0.0)
        wrong = next(it for it in f["scene"]["items"] if it["k"] == "text" and it["s"] == "wrong end")
        right = next(it for it in f["scene"]["items"] if it["k"] == "text" and it["s"] == "right end")
        assert (wrong["x"] < right["x"]) == (side == "left")


def test_the_sweep_reports_leaving_saturation_and_the_peak():
    m = LossesMode(submode="slope")
    lines = [e["text"] for e in m.frame(SWEEP_S + 0.5)["console"]]
    assert any("leaves the saturated wrong end" in s for s in lines)
    assert any("largest" in s for s in lines)
    assert any("enters the saturated right end" in s for s in lines)
    assert f"{SAT_Z:.2f}" in " ".join(lines)


# -- race ------------------------------------------------------------------------------------------


def np_step(w, b, loss, lr):
    x, y = np.array(RACE_X), np.array(RACE_Y)
    q = np_sigmoid(w * x + b)
    g = q - y if loss == "bce" else 2 * (q - y) * q * (1 - q)
    return w - lr * np.mean(g * x), b - lr * np.mean(g)


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_one_race_step_matches_numpy(loss):
    run = race_run(loss, -4.0, 1.0)
    assert run[0] == (-4.0, 0.0)
    assert run[1] == pytest.approx(np_step(-4.0, 0.0, loss, 1.0))
    assert run[7] == pytest.approx(np_step(*run[6], loss, 1.0))


def test_the_race_learns_cross_entropy_first():
    """Seedless and deterministic: from w = −4 the BCE loss falls by a factor of 50 within 100 steps."""
    x, y = np.array(RACE_X), np.array(RACE_Y)

    def bce(w, b):
        z = w * x + b
        return float(np.mean(np.logaddexp(0, z) - y * z))

    run = race_run("bce", -4.0, 1.0)
    assert bce(*run[100]) < bce(*run[0]) / 50
    for w0 in (-2.0, -4.0, -6.0, -7.0):
        ce, mse = first_all_right(race_run("bce", w0, 1.0)), first_all_right(race_run("mse", w0, 1.0))
        assert ce is not None and mse is not None and mse >= 5 * ce


def test_race_frames_show_the_stored_trajectory():
    m = LossesMode(submode="race")
    st = m.cached("race", m._race_static)
    n = st["d"]["steps"]
    assert n == race_window([4, 54]) == 100
    for t in (0.0, 1.0, 5.0, RACE_RUN_S + 1):
        tel = _tel(m.frame(t))
        k = tel["step"]["value"]
        assert k == min(n, int((t % (RACE_RUN_S + 3.0)) / RACE_RUN_S * n))
        assert tel["w_ce"]["value"] == pytest.approx(st["d"]["runs"]["bce"][k][0])
        assert tel["w_mse"]["value"] == pytest.approx(st["d"]["runs"]["mse"][k][0])


def test_race_console_names_each_finish():
    m = LossesMode(submode="race")
    lines = [e["text"] for e in m.frame(RACE_RUN_S + 0.5)["console"]]
    assert any("Step 4:" in s and "cross-entropy" in s for s in lines)
    assert any("Step 54:" in s and "squared error" in s for s in lines)


def test_a_slow_race_says_it_did_not_finish():
    m = LossesMode(submode="race", values={"w0": -7.0, "lr": 0.1})
    texts = " ".join(_texts(m.frame(RACE_RUN_S)))
    assert "not all right within 1000 steps" in texts


# -- smooth ----------------------------------------------------------------------------------------


def test_smoothing_run_settles_on_the_best_gap_and_the_one_hot_run_keeps_climbing():
    m = LossesMode(submode="smooth")
    tel = _tel(m.frame(SMOOTH_RUN_S + 1.0))
    assert tel["step"]["value"] == SMOOTH_STEPS
    assert tel["gap"]["value"] == pytest.approx(math.log(55), abs=1e-9)
    assert tel["gap_star"]["value"] == pytest.approx(math.log(55))
    run0 = smoothing_run(6, 0.0)
    assert all(b > a for a, b in zip(run0[1:], run0[2:]))
    # growing like ln(steps): each tenfold of steps adds about ln 10
    assert run0[10_000] - run0[1_000] == pytest.approx(math.log(10), abs=0.05)
    assert tel["loss"]["value"] == pytest.approx(tel["floor"]["value"], abs=1e-9)


def test_model_bars_match_the_target_at_the_end():
    f = LossesMode(submode="smooth").frame(SMOOTH_RUN_S + 1.0)
    target = sorted(_rects(f, "smoothed target"), key=lambda r: r["x"])
    model = sorted(_rects(f, "model q"), key=lambda r: r["x"])
    assert len(target) == 2 and len(model) == 2
    for a, b in zip(target, model):
        assert a["h"] == pytest.approx(b["h"], rel=1e-6)


def test_llama_vocabulary_in_the_smoothing_view():
    tel = _tel(LossesMode(submode="smooth", values={"vocab": "llama3"}).frame(SMOOTH_RUN_S + 1.0))
    v = 128_256
    assert tel["gap_star"]["value"] == pytest.approx(math.log((0.9 + 0.1 / v) / (0.1 / v)))
    assert tel["gap"]["value"] == pytest.approx(tel["gap_star"]["value"], abs=1e-6)


def test_probe_step_follows_a_log_clock():
    m = LossesMode(submode="smooth")
    assert _tel(m.frame(0.0))["step"]["value"] == 1
    assert _tel(m.frame(SMOOTH_RUN_S / 2))["step"]["value"] == 100


# -- every view ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", list(LossesMode.submodes))
def test_far_future_frames_stay_cheap_and_legible(sub):
    m = LossesMode(submode=sub)
    m.frame(1.0)
    f = m.frame(1e12)
    assert not label_problems(f)
    assert len(f["scene"]["items"]) <= 500 and len(json.dumps(f)) < 64_000


@pytest.mark.parametrize("sub,values", [
    ("score", {"pred": "surewrong", "eps": 0.5}), ("score", {"pred": "confident", "eps": 0.0}),
    ("probe", {"z": 8.0, "y": "0"}), ("probe", {"z": -8.0}),
    ("race", {"w0": -1.0, "lr": 4.0}), ("race", {"w0": -7.0, "lr": 0.1}),
    ("smooth", {"eps": 0.0, "vocab": "llama3"}), ("smooth", {"eps": 0.5, "vocab": "imagenet"}),
])
def test_extreme_settings_draw_cleanly(sub, values):
    m = LossesMode(submode=sub, values=values)
    for t in (0.0, 3.3, 11.0, 40.0):
        f = m.frame(t)
        assert not label_problems(f), (t, label_problems(f)[:3])
        assert len(f["scene"]["items"]) <= 500
