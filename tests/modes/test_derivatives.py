"""The derivatives workshop: secants, the chain rule, 1-D descent, the gradient and the bowl.

numpy and step-by-step gradient descent are the oracles; the checks read the
scene a reader sees (positions of the ball and the path, bar widths, labels)
as well as the telemetry.
"""
import json
import math
import time

import numpy as np
import pytest

from llmviz.modes.part00_math.derivatives import (BH, BW, BX, BY, DP_H, DP_W, DP_X, DP_Y, HALF_S, HALVE_PERIOD_S,
                                                  HALVINGS, L_LIM, LEAD_S, PERIOD_1D, PERIOD_2D, PROBE_S, START_2D,
                                                  STEP2_S, STEP_S, STEPS_1D, STEPS_2D, UNIT, W0, W_LIM,
                                                  DerivativesMode, clip_polyline, halving_position, run_position)
from tooling import label_problems


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def row_time(n):
    """A time at which the secant/chain views show row n, settled."""
    return n * HALF_S + 0.9


def rest_time(k, step_s=STEP_S):
    """A time at which a descent run has taken k steps and is at rest."""
    return LEAD_S + (k - 1) * step_s + 0.9 * step_s if k else 0.5


# -- schedules --------------------------------------------------------------------------


def test_schedules_are_periodic():
    assert halving_position(row_time(3)) == (0, 3, 1.0)
    assert halving_position(row_time(3) + 5 * HALVE_PERIOD_S)[1:] == (3, 1.0)
    assert run_position(0.2, STEPS_1D, STEP_S) == (0, 0, 0.0)
    assert run_position(rest_time(4), STEPS_1D, STEP_S) == (0, 4, 0.0)
    _, k, hop = run_position(LEAD_S + 2 * STEP_S + 0.1, STEPS_1D, STEP_S)
    assert k == 2 and 0 < hop < 1
    assert run_position(rest_time(4) + 7 * PERIOD_1D, STEPS_1D, STEP_S)[1:] == (4, 0.0)


# -- secant ------------------------------------------------------------------------------


@pytest.mark.parametrize("fn,f,df", [("square", lambda x: x * x, lambda x: 2 * x),
                                     ("cube", lambda x: x ** 3, lambda x: 3 * x * x),
                                     ("exp", np.exp, np.exp),
                                     ("sigmoid", lambda x: 1 / (1 + np.exp(-x)),
                                      lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2)])
@pytest.mark.parametrize("n", [0, 3, HALVINGS - 1])
def test_secant_telemetry_is_rise_over_run(fn, f, df, n):
    m = DerivativesMode(submode="secant", values={"fn": fn, "x0": 0.5, "h": 1.2})
    t = tel(m.frame(row_time(n)))
    h = 1.2 / 2 ** n
    assert t["h"]["value"] == pytest.approx(h)
    assert t["secant"]["value"] == pytest.approx((f(0.5 + h) - f(0.5)) / h)
    assert t["true"]["value"] == pytest.approx(df(0.5))
    assert t["error"]["value"] == pytest.approx(t["secant"]["value"] - df(0.5))


def test_error_of_x_squared_is_h_and_halves():
    m = DerivativesMode(submode="secant")            # x² at 1 from h = 1
    errs = [tel(m.frame(row_time(n)))["error"]["value"] for n in range(HALVINGS)]
    assert errs == pytest.approx([1 / 2 ** n for n in range(HALVINGS)])
    last = m.frame(row_time(HALVINGS - 1))
    assert any(s.startswith("as h \u2192 0: secant slope \u2192 2") for s in texts(last))
    assert "each halving of h multiplies the error by 0.50" in texts(last)


def test_secant_line_in_the_plot_has_the_secant_slope():
    m = DerivativesMode(submode="secant")
    f = m.frame(row_time(2))
    st = m.cached("secant", m._secant_static)
    fx, fy = st["fx"], st["fy"]
    line = [it for it in f["scene"]["items"] if it["k"] == "line" and it.get("stroke") == "accent2"
            and it.get("lw") == 3 and abs(it["x2"] - it["x1"]) > 100][0]      # not the legend's swatch
    # back from canvas to data: slope = Δy / Δx in data units
    inv_x = lambda px: (px - fx(0)) / (fx(1) - fx(0))
    inv_y = lambda py: (py - fy(0)) / (fy(1) - fy(0))
    slope = (inv_y(line["y2"]) - inv_y(line["y1"])) / (inv_x(line["x2"]) - inv_x(line["x1"]))
    assert slope == pytest.approx(2.25)


def test_sigmoid_at_zero_converges_four_times_per_halving():
    # σ − ½ is odd, so the secant's error shrinks with h², not h
    m = DerivativesMode(submode="secant", values={"fn": "sigmoid", "x0": 0.0})
    e = [tel(m.frame(row_time(n)))["error"]["value"] for n in (5, 6)]
    assert e[1] / e[0] == pytest.approx(0.25, abs=0.01)


# -- chain -------------------------------------------------------------------------------


def test_chain_ratios_converge_to_the_factors():
    m = DerivativesMode(submode="chain")             # σ(2x − 1) at 0.5
    first = tel(m.frame(row_time(0)))
    last = tel(m.frame(row_time(HALVINGS - 1)))
    assert last["rg"]["value"] == pytest.approx(2.0)
    assert abs(last["rf"]["value"] - 0.25) < abs(first["rf"]["value"] - 0.25)
    assert last["rf"]["value"] == pytest.approx(0.25, abs=1e-3)
    assert last["r"]["value"] == pytest.approx(last["rg"]["value"] * last["rf"]["value"])
    assert last["dydx"]["value"] == 0.5


@pytest.mark.parametrize("chain,x0,df_dx", [
    ("bell", 1.0, lambda x: -2 * x * np.exp(-x * x)),
    ("loss", 0.3, lambda x: 2 * (1 / (1 + np.exp(-x)) - 1) * np.exp(-x) / (1 + np.exp(-x)) ** 2),
])
def test_chain_rule_slope_matches_numpy(chain, x0, df_dx):
    m = DerivativesMode(submode="chain", values={"chain": chain, "x0": x0})
    assert tel(m.frame(1.0))["dydx"]["value"] == pytest.approx(df_dx(x0))


def test_bars_share_one_scale():
    m = DerivativesMode(submode="chain")
    f = m.frame(row_time(1))
    bars = [it for it in f["scene"]["items"] if it["k"] == "rect" and it.get("a") == 0.35]
    assert len(bars) == 3
    wx, wu, wy = (b["w"] for b in bars)
    t = tel(f)
    assert wu / wx == pytest.approx(t["rg"]["value"], rel=1e-3)
    assert wy / wu == pytest.approx(t["rf"]["value"], rel=1e-3)


# -- 1-D descent ----------------------------------------------------------------------------


def ball(frame):
    """(w, L) of the resting ball, read back from the canvas."""
    c = [it for it in frame["scene"]["items"] if it["k"] == "circle" and it.get("r") == 10][0]
    w = (c["x"] - DP_X) / DP_W * 2 * W_LIM - W_LIM
    loss = (DP_Y + DP_H - c["y"]) / DP_H * L_LIM
    return w, loss


@pytest.mark.parametrize("sub,lr", [("descent", 0.15), ("overshoot", 0.8), ("edge", 1.0)])
def test_ball_follows_gradient_descent(sub, lr):
    m = DerivativesMode(submode=sub)
    w = W0
    for k in range(8):
        f = m.frame(rest_time(k))
        bw, bl = ball(f)
        assert bw == pytest.approx(w, abs=1e-6)
        assert bl == pytest.approx(0.5 * 2 * w * w, abs=1e-6)
        assert tel(f)["w"]["value"] == pytest.approx(w)
        w = w - lr * 2 * w


def test_one_step_at_one_over_c():
    m = DerivativesMode(submode="descent", values={"lr": 0.5})
    assert tel(m.frame(rest_time(1)))["w"]["value"] == pytest.approx(0.0)
    assert any("lands exactly on the minimum" in s for s in texts(m.frame(rest_time(1))))


def test_edge_bounces_for_ever():
    m = DerivativesMode(submode="edge")
    ws = [tel(m.frame(rest_time(k)))["w"]["value"] for k in range(STEPS_1D + 1)]
    assert all(abs(abs(w) - 2) < 1e-9 for w in ws)
    assert tel(m.frame(rest_time(7)))["loss"]["value"] == pytest.approx(4.0)


def test_divergence_stops_the_drawing_and_says_so():
    m = DerivativesMode(submode="diverge")              # η = 1.05, c = 2: factor −1.1
    f = m.frame(rest_time(20))
    assert tel(f)["step"]["value"] == 5
    assert any(s.startswith("diverged: |w| passed 3 after 5 steps") for s in texts(f))
    assert not [it for it in f["scene"]["items"] if it["k"] == "circle" and it.get("r") == 10]
    assert any("farther out" in s for s in texts(f))


def test_strip_marks_one_over_c_and_two_over_c():
    for c in (0.5, 2.0, 4.0):
        f = DerivativesMode(submode="descent", values={"curv": c}).frame(1.0)
        labels = " ".join(texts(f))
        assert f"2/c = {2 / c:g}" in labels
        assert f"1/c = {1 / c:g}" in labels or 1 / c > 2.5
    assert tel(DerivativesMode(submode="descent", values={"curv": 4.0}).frame(0))["crit"]["value"] == 0.5


def test_console_narrates_steps_and_summarises_long_gaps():
    m = DerivativesMode(submode="descent")
    m.frame(0.0)
    ev = [e["text"] for e in m.frame(rest_time(1))["console"]]
    assert ev == ["Step 1: slope 4, w 2 \u2192 1.4 (\u00d70.70)."]
    ev = m.events(0.0, 1e9)
    assert len(ev) <= 6 and ev[0]["text"].startswith("\u2026")


def chart_path(frame, left):
    """Points of the loss-by-step line in the chart whose box starts at x = ``left``."""
    paths = [it["pts"] for it in frame["scene"]["items"] if it["k"] == "path" and it.get("stroke") == "accent2"
             and not it.get("fill") and it["pts"][0] >= left - 1e-6]
    assert len(paths) == 1
    p = paths[0]
    return [(p[i], p[i + 1]) for i in range(0, len(p), 2)]


def test_loss_chart_is_log_scale_and_leaves_through_the_floor():
    # the chart: steps 0..30 over x 628..928, log10 L from −6 to 2 over y 420..310
    m = DerivativesMode(submode="descent")             # c = 2, η = 0.15: L_k = 4·0.49^k
    pts = chart_path(m.frame(rest_time(STEPS_1D)), 628)
    exit_k = math.log(1e-6 / 4) / math.log(0.49)       # where L_k falls through 10⁻⁶
    for x, y in pts[:-1]:
        k = (x - 628) / 10
        assert y == pytest.approx(420 - (math.log10(4 * 0.49 ** k) + 6) / 8 * 110, abs=0.02)
    # no false floor: the line ends where it crosses the bottom edge, not along it
    assert pts[-1][1] == pytest.approx(420) and (pts[-1][0] - 628) / 10 == pytest.approx(exit_k, abs=0.01)
    assert sum(abs(y - 420) < 1e-6 for _, y in pts) == 1
    # the current loss, 2·10⁻⁹, is below the chart: a marker waits on its bottom edge
    marks = [it for it in m.frame(rest_time(STEPS_1D))["scene"]["items"]
             if it["k"] == "path" and it.get("fill") == "accent2" and it["pts"][0] > 900]
    assert len(marks) == 1 and max(marks[0]["pts"][1::2]) == pytest.approx(420)


def test_a_loss_of_zero_drops_out_of_the_chart():
    m = DerivativesMode(submode="descent", values={"lr": 0.5})      # η·c = 1: L = 0 after one step
    pts = chart_path(m.frame(rest_time(5)), 628)
    assert len(pts) == 2 and pts[1][1] == pytest.approx(420) and pts[1][0] - pts[0][0] < 0.5


# -- gradient --------------------------------------------------------------------------------


def canvas_to_w(x, y):
    return (x - BX) / UNIT - BW / (2 * UNIT), BH / (2 * UNIT) - (y - BY) / UNIT


def test_gradient_arrow_is_the_gradient_and_crosses_the_contour_at_a_right_angle():
    m = DerivativesMode(submode="gradient")              # κ = 4 at (−2.5, 1)
    f = m.frame(0.0)
    t = tel(f)
    assert (t["g1"]["value"], t["g2"]["value"]) == (pytest.approx(-0.625), pytest.approx(1.0))
    blue = [it for it in f["scene"]["items"] if it["k"] == "arrow" and it["stroke"] == "accent"]
    arrow = [it for it in blue if not it.get("dash")][0]
    a, b = canvas_to_w(arrow["x1"], arrow["y1"]), canvas_to_w(arrow["x2"], arrow["y2"])
    g = np.subtract(b, a)
    assert np.allclose(g, (-0.625, 1.0))
    # the two dashed parts, head to tail, are the partial derivatives and add up to the arrow
    parts = [np.subtract(canvas_to_w(it["x2"], it["y2"]), canvas_to_w(it["x1"], it["y1"]))
             for it in blue if it.get("dash")]
    assert len(parts) == 2
    assert np.allclose(parts[0], (-0.625, 0.0)) and np.allclose(parts[1], (0.0, 1.0))
    # tangent of the ellipse 0.25·w1² + w2² = const at (−2.5, 1) is perpendicular to (0.25·w1, w2)
    tangent = np.array([1.0, 0.625])
    assert g @ tangent == pytest.approx(0, abs=1e-9)


def test_probe_slope_is_a_dot_product():
    m = DerivativesMode(submode="gradient")
    g = np.array([-0.625, 1.0])
    for t in (0.0, 1.3, 4.1, 7.7):
        ang = 2 * math.pi * (t % PROBE_S) / PROBE_S
        assert tel(m.frame(t))["probe"]["value"] == pytest.approx(g @ [math.cos(ang), math.sin(ang)])
    slopes = [tel(m.frame(t))["probe"]["value"] for t in np.linspace(0, PROBE_S, 400)]
    assert max(slopes) == pytest.approx(np.linalg.norm(g), rel=1e-3)


def test_valley_floor_gradient_points_along_the_valley():
    t = tel(DerivativesMode(submode="gradient", values={"p1": 2.4, "p2": 0.0}).frame(0))
    assert t["g2"]["value"] == 0 and t["norm"]["value"] == pytest.approx(0.6)


# -- the bowl ---------------------------------------------------------------------------------


def path_points(frame):
    pts = []
    for it in frame["scene"]["items"]:
        if it["k"] == "path" and it.get("stroke") == "accent2" and it["pts"][0] < BX + BW:  # not the chart
            p = it["pts"]
            pts += [canvas_to_w(p[i], p[i + 1]) for i in range(0, len(p), 2)]
    return pts


@pytest.mark.parametrize("sub,kappa,lr", [("bowl", 10.0, 1.6), ("round", 1.0, 0.6), ("crawl", 50.0, 1.9)])
def test_bowl_path_is_gradient_descent(sub, kappa, lr):
    m = DerivativesMode(submode=sub)
    k = 9
    f = m.frame(rest_time(k, STEP2_S))
    c = np.array([1 / kappa, 1.0])
    w = np.array(START_2D)
    want = [w.copy()]
    for _ in range(k):
        w = w - lr * c * w
        want.append(w.copy())
    got = path_points(f)
    assert len(got) == k + 1
    assert np.allclose(got, want, atol=0.01)          # the scene rounds to 0.01 canvas units
    assert tel(f)["kappa"]["value"] == pytest.approx(kappa)


def test_round_bowl_path_is_straight_and_ill_conditioned_path_zig_zags():
    pts = np.array(path_points(DerivativesMode(submode="round").frame(rest_time(6, STEP2_S))))
    d = pts - pts[0]
    assert np.allclose(d[:, 0] * START_2D[1] - d[:, 1] * START_2D[0], 0, atol=0.01)
    zig = np.array(path_points(DerivativesMode(submode="bowl").frame(rest_time(6, STEP2_S))))
    signs = np.sign(zig[:, 1])
    assert all(signs[i] != signs[i + 1] for i in range(6))      # w2 flips side every step
    assert all(zig[i, 0] < zig[i + 1, 0] < 0 for i in range(6))  # w1 creeps in from one side


def test_bowl_step_limit_is_set_by_the_steep_curvature():
    for kappa in (1.0, 10.0, 50.0):
        m = DerivativesMode(submode="bowl", values={"kappa": kappa, "lr": 2.1})
        f = m.frame(rest_time(STEPS_2D, STEP2_S))
        assert tel(f)["limit"]["value"] == 2.0
        assert any(s.startswith("diverged after") for s in texts(f))
    f = DerivativesMode(submode="bowl", values={"kappa": 50.0, "lr": 1.95}).frame(rest_time(STEPS_2D, STEP2_S))
    assert not any(s.startswith("diverged") for s in texts(f))


def test_bowl_steps_to_one_percent():
    assert tel(DerivativesMode(submode="bowl").frame(0))["steps"]["value"] == 27
    assert tel(DerivativesMode(submode="crawl").frame(0))["steps"]["value"] == 119


# -- controls, labels, cost ------------------------------------------------------------------------


def test_each_view_shows_only_its_own_controls():
    c = DerivativesMode.controls_of
    assert c("secant") == ("fn", "x0", "h")
    assert c("chain") == ("chain", "x0", "h")
    assert c("descent") == c("diverge") == ("curv", "lr")
    assert c("gradient") == ("kappa", "p1", "p2")
    assert c("bowl") == c("crawl") == ("lr", "kappa")


@pytest.mark.parametrize("sub,values", [
    ("secant", {"fn": "cube", "x0": 2.0, "h": 1.5}), ("secant", {"fn": "exp", "x0": -2.0, "h": 0.1}),
    ("secant", {"fn": "sigmoid", "x0": 2.0, "h": 1.5}), ("secant", {"fn": "square", "x0": -2.0, "h": 1.5}),
    ("chain", {"chain": "bell", "x0": 2.0, "h": 1.5}), ("chain", {"chain": "loss", "x0": -2.0, "h": 0.1}),
    ("chain", {"chain": "neuron", "x0": -2.0, "h": 1.5}),
    ("descent", {"curv": 4.0, "lr": 2.5}), ("descent", {"curv": 0.5, "lr": 0.01}),
    ("descent", {"curv": 0.5, "lr": 2.5}), ("descent", {"curv": 4.0, "lr": 0.01}),
    ("gradient", {"kappa": 1.0, "p1": 3.5, "p2": 2.5}), ("gradient", {"kappa": 50.0, "p1": 0.0, "p2": 0.0}),
    ("gradient", {"kappa": 100.0, "p1": -3.5, "p2": -2.5}),
    ("bowl", {"kappa": 1.0, "lr": 2.5}), ("bowl", {"kappa": 100.0, "lr": 0.01}), ("bowl", {"kappa": 100.0, "lr": 1.99}), ("bowl", {"kappa": 1.0, "lr": 1.0}),
])
def test_labels_fit_at_the_extremes(sub, values):
    m = DerivativesMode(submode=sub, values=values)
    for t in (0.0, 0.3, 2.2, 5.5, 11.9, 19.0, 30.0, 1e7):
        problems = label_problems(m.frame(t))
        assert not problems, (t, problems[:3])


@pytest.mark.parametrize("sub", list(DerivativesMode.submodes))
def test_frames_cost_the_same_at_any_time(sub):
    m = DerivativesMode(submode=sub)
    m.frame(0.0)

    def cost(t0):
        # CPU time of this thread, so a busy machine does not fail the test
        start = time.thread_time()
        for i in range(60):
            m.frame(t0 + i / 60)
        return (time.thread_time() - start) / 60

    early, late = cost(1.0), cost(1e12)
    assert late < 0.004 and early < 0.004
    f = m.frame(1e12 + 0.5)
    assert len(f["scene"]["items"]) <= 500 and len(json.dumps(f)) <= 64_000


def test_clip_polyline_keeps_the_inside():
    pieces = clip_polyline([(-2, 0), (0, 0), (2, 0), (2, 5), (0, 5)], (-1, 1, -1, 1))
    assert pieces == [[(-1, 0), (0, 0), (1, 0)]]
    assert clip_polyline([(5, 5), (6, 6)], (0, 1, 0, 1)) == []


def test_periods_are_what_the_runs_need():
    assert PERIOD_1D == pytest.approx(LEAD_S + STEPS_1D * STEP_S + 4.0)
    assert PERIOD_2D == pytest.approx(LEAD_S + STEPS_2D * STEP2_S + 4.0)
