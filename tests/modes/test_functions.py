"""The functions workshop: family curves and their key points, the probe, composition, log axes.

numpy and closed forms are the oracles; the plot's own data→canvas map is
inverted to read back what the reader sees.
"""
import json
import math
import time

import numpy as np
import pytest

from llmviz.catalog import MODELS
from llmviz.calc.model_size import param_count
from llmviz.modes.part00_math.functions import (COMPOSE_LEG_S, FAMILIES, HOLD_S, LEG_S, LOG_STOPS, MOVE_S,
                                                FunctionsMode, arrivals, compose_expr, probe_at, probe_schedule)
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _static(mode, key):
    mode.frame(0.0)
    return mode._cache[key][2]


def _to_data(p, lx, ly):
    """Invert a plot's map: logical point → data point (log axes included)."""
    u = p._u[0] + (lx - p.x) / p.w * (p._u[1] - p._u[0])
    v = p._v[0] + (p.y + p.h - ly) / p.h * (p._v[1] - p._v[0])
    return (10 ** u if p.xlog else u), (10 ** v if p.ylog else v)


def _curve_points(frame, stroke="accent", lw=3):
    for it in frame["scene"]["items"]:
        if it["k"] == "path" and it.get("stroke") == stroke and it.get("lw") == lw and "dash" not in it:
            yield from zip(it["pts"][::2], it["pts"][1::2])


ORACLES = {
    "linear": lambda m: (lambda x: m["a"] * x + m["b"]),
    "polynomial": lambda m: (lambda x: m["a"] * x * x + m["b"] * x + m["c"]),
    "exponential": lambda m: (lambda x: m["amp"] * np.exp(m["k"] * x)),
    "logarithm": lambda m: (lambda x: np.log(x) / np.log(m["base"])),
    "sigmoid": lambda m: (lambda x: 1 / (1 + np.exp(-m["k"] * (x - m["x0"])))),
    "tanh": lambda m: (lambda x: m["cap"] * np.tanh(x / m["cap"])),
    "softplus": lambda m: (lambda x: np.logaddexp(0, m["beta"] * x) / m["beta"]),
}


# -- the family views ------------------------------------------------------------------


@pytest.mark.parametrize("fam", FAMILIES)
def test_drawn_curve_is_the_function(fam):
    m = FunctionsMode(submode=fam)
    f = m.frame(1.0)
    p = _static(m, "family_static")["plot"]
    oracle = ORACLES[fam](m)
    pts = list(_curve_points(f))
    assert len(pts) > 50
    # points where the curve is clipped at the window's edge are interpolated: check the interior ones
    checked = 0
    for lx, ly in pts:
        if p.y + 1 < ly < p.y + p.h - 1:
            x, y = _to_data(p, lx, ly)
            assert y == pytest.approx(oracle(x), abs=0.02 * (p.ylim[1] - p.ylim[0])), (fam, x, y)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("fam,values,expect", [
    ("linear", {"a": 0.5, "b": 1}, {"f(0) = 1": (0, 1), "root x = \u22122": (-2, 0)}),
    ("polynomial", {}, {"f(0) = \u22122": (0, -2), "root \u22121.24": (1 - 5 ** 0.5, 0), "root 3.24": (1 + 5 ** 0.5, 0),
                        "vertex": (1, -2.5)}),
    ("exponential", {}, {"f(0) = A = 1": (0, 1), "\u00d72": (math.log(2) / 0.7, 2), "\u00d74": (2 * math.log(2) / 0.7, 4)}),
    ("logarithm", {"base": 2}, {"log 1 = 0": (1, 0), "log_b b = 1": (2, 1)}),
    ("sigmoid", {"x0": 1.5}, {"\u03c3(0) = 0.5": (1.5, 0.5)}),
    ("softplus", {}, {"ln 2 = 0.693": (0, math.log(2))}),
])
def test_key_points_are_marked_where_they_belong(fam, values, expect):
    m = FunctionsMode(submode=fam, values=values)
    f = m.frame(0.3)
    p = _static(m, "family_static")["plot"]
    texts = _texts(f)
    dots = [(it["x"], it["y"]) for it in f["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "ink"]
    for label, (x, y) in expect.items():
        assert label in texts, (label, texts)
        assert any(abs(dx - p.fx(x)) < 0.5 and abs(dy - p.fy(y)) < 0.5 for dx, dy in dots), label


@pytest.mark.parametrize("fam", ["sigmoid", "tanh"])
def test_asymptotes_are_drawn_as_dashed_levels(fam):
    m = FunctionsMode(submode=fam, values={"cap": 2.0})
    f = m.frame(0.0)
    p = _static(m, "family_static")["plot"]
    levels = {0.0, 1.0} if fam == "sigmoid" else {2.0, -2.0}
    ys = {round(it["y1"], 6) for it in f["scene"]["items"]
          if it["k"] == "line" and it.get("dash") == [6, 5] and it["y1"] == it["y2"]}
    assert {round(p.fy(v), 6) for v in levels} <= ys


def test_probe_holds_on_each_stop_and_reads_the_function():
    m = FunctionsMode(submode="sigmoid")
    stops = m._family()["stops"]
    seq, period = probe_schedule(stops)
    assert period == len(seq) * LEG_S
    for j in range(len(seq)):
        t = j * LEG_S + MOVE_S + HOLD_S / 2            # holding after leg j
        tel = _tel(m.frame(t))
        x = seq[(j + 1) % len(seq)]
        assert tel["x"]["value"] == x
        assert tel["fx"]["value"] == pytest.approx(1 / (1 + math.exp(-x)))
        assert tel["gate"]["text"] == f"{100 / (1 + math.exp(-x)):.1f} %"


def test_probe_glides_between_stops_and_repeats():
    stops = (0.0, 1.0, 2.0)
    x, j, u = probe_at(MOVE_S / 2, stops)
    assert 0 < x < 1 and j == 0
    _, period = probe_schedule(stops)
    for t in (0.1, 0.9, 3.3):
        assert probe_at(t, stops) == pytest.approx(probe_at(t + 7 * period, stops))


@pytest.mark.parametrize("sub", list(FunctionsMode.submodes))
def test_frames_are_periodic_and_cheap_for_any_t(sub):
    a, b = FunctionsMode(submode=sub), FunctionsMode(submode=sub)
    a.frame(0.0)
    # CPU time of this thread: a busy machine's scheduling pauses are not the frame's cost
    t0 = time.thread_time()
    far = a.frame(1e12)
    cost = time.thread_time() - t0
    assert cost < 0.05
    # the same phase of the cycle gives the same picture
    if sub == "compose":
        _, period = probe_schedule((-2.0, -1.0, 0.0, 1.0, 2.0), COMPOSE_LEG_S)
    elif sub == "sizes":
        period = 1.5 * len(MODELS)
    elif sub == "logscale":
        period = probe_schedule(LOG_STOPS)[1]
    else:
        period = probe_schedule(a._family()["stops"])[1]
    t = 3.7
    assert json.dumps(a.frame(t)["scene"]) == json.dumps(b.frame(t + 50 * period)["scene"])
    assert json.dumps(far["scene"])


def test_events_over_a_huge_interval_are_summarised():
    m = FunctionsMode(submode="logarithm")
    m.frame(0.0)
    ev = m.frame(1e9)["console"]
    # the jump is one line (Mode.frame), then the last 30 s, themselves summarised
    assert 2 <= len(ev) <= 4
    assert ev[0]["text"].startswith("jumped") and "skipped" in ev[1]["text"]
    n, last = arrivals(0.0, 1e9)
    assert n > 1e8


def test_log_probe_doubles_x_and_adds_ln2():
    m = FunctionsMode(submode="logarithm")           # base 2.72 ≈ e
    m.frame(0.0)
    # the probe arrives at 1 (from 0.5) after the first glide, then at 2
    m.frame(MOVE_S - 0.01)
    ev = m.frame(LEG_S + MOVE_S + 0.01)["console"]
    assert ev[-1]["text"].startswith("x = 2: log_b x = 0.693")
    assert "\u00d72" in ev[-1]["text"] and "moved by 0.693" in ev[-1]["text"]


def test_the_default_base_is_e_itself():
    # the slider moves in steps of 0.01, so its 2.72 stands for e: the view is ln, not log base 2.72
    m = FunctionsMode(submode="logarithm")
    tel = _tel(m.frame(MOVE_S + 0.5))                 # holding at x = 1
    assert tel["lnb"]["value"] == 1.0
    f = m.frame(LEG_S + MOVE_S + 0.5)                 # holding at x = 2
    assert _tel(f)["fx"]["value"] == math.log(2.0)
    assert "f(x) = ln x" in _texts(f) and "b = e: the natural log, ln" in _texts(f)
    # any other base is taken as set
    g = FunctionsMode(submode="logarithm", values={"base": 2.7})
    assert _tel(g.frame(MOVE_S + 0.5))["lnb"]["value"] == pytest.approx(math.log(2.7))


def test_tanh_panel_reads_gemma_2s_caps_from_the_calculators():
    from llmviz.calc.functions import GEMMA2_SOFT_CAP_ATTENTION, GEMMA2_SOFT_CAP_FINAL
    m = FunctionsMode(submode="tanh", values={"cap": 2.0})
    f = m.frame(MOVE_S + 0.5)
    texts = " ".join(_texts(f))
    assert f"c = {GEMMA2_SOFT_CAP_FINAL:g}" in texts and f"c = {GEMMA2_SOFT_CAP_ATTENTION:g}" in texts
    # the probe's check writes out the whole identity c·(2σ(2x/c) − 1), equal to c·tanh(x/c)
    x = _tel(f)["x"]["value"]
    assert f"check: c\u00b7(2\u03c3(2x/c) \u2212 1) = {_tel(f)['fx']['text']}" in _texts(f)
    assert _tel(f)["fx"]["value"] == pytest.approx(2 * math.tanh(x / 2))


def test_exponential_panel_reads_the_doubling_distance():
    f = FunctionsMode(submode="exponential", values={"k": 0.35}).frame(1.0)
    assert _tel(f)["doubling"]["value"] == pytest.approx(math.log(2) / 0.35)
    assert "doubles every ln 2 / k = 1.98" in _texts(f)
    g = FunctionsMode(submode="exponential", values={"k": -0.7}).frame(1.0)
    assert "halves every ln 2 / |k| = 0.99" in _texts(g)


def test_softplus_gap_shrinks_with_sharpness():
    gaps = []
    for beta in (1, 6):
        m = FunctionsMode(submode="softplus", values={"beta": beta})
        tel = _tel(m.frame(probe_schedule(m._family()["stops"])[1] / 2 + 0.5 + MOVE_S))
        gaps.append(tel["f0"]["value"])
    assert gaps[0] == pytest.approx(math.log(2)) and gaps[1] == pytest.approx(math.log(2) / 6)


# -- composition ------------------------------------------------------------------------


@pytest.mark.parametrize("inner,outer", [("lin", "sigmoid"), ("lin", "sq"), ("sq", "lin"), ("exp", "ln"),
                                         ("tanh", "softplus"), ("softplus", "exp")])
def test_composition_values_follow_g_then_f(inner, outer):
    fns = {"lin": lambda u: 2 * u + 1, "sq": np.square, "exp": np.exp, "ln": np.log,
           "sigmoid": lambda u: 1 / (1 + np.exp(-u)), "tanh": np.tanh, "softplus": lambda u: np.logaddexp(0, u)}
    m = FunctionsMode(submode="compose", values={"inner": inner, "outer": outer})
    for t in (MOVE_S + 0.1, COMPOSE_LEG_S + MOVE_S + 0.1, 4 * COMPOSE_LEG_S + MOVE_S + 0.1):
        tel = _tel(m.frame(t))
        x = tel["x"]["value"]
        assert tel["u"]["value"] == pytest.approx(fns[inner](x))
        assert tel["fg"]["value"] == pytest.approx(fns[outer](fns[inner](x)))
        with np.errstate(invalid="ignore", divide="ignore"):
            other = fns[inner](fns[outer](x))
        if np.isfinite(other):
            assert tel["gf"]["value"] == pytest.approx(other)
        else:                                           # ln of a number ≤ 0: no value, and it says so
            assert tel["gf"]["text"] == "undefined"


def test_ln_after_exp_draws_the_identity():
    m = FunctionsMode(submode="compose", values={"inner": "exp", "outer": "ln"})
    f = m.frame(1.0)
    p3 = _static(m, "compose_static")["plots"][2]
    pts = [pt for pt in _curve_points(f) if p3.x <= pt[0] <= p3.x + p3.w]
    assert len(pts) > 50
    for lx, ly in pts:
        x, y = _to_data(p3, lx, ly)
        assert y == pytest.approx(x, abs=0.02)


def test_order_matters_in_the_titles():
    assert compose_expr("sq", compose_expr("lin", "x")) == "(2x + 1)\u00b2"
    assert compose_expr("lin", compose_expr("sq", "x")) == "2\u00b7x\u00b2 + 1"
    assert compose_expr("sigmoid", compose_expr("lin", "x")) == "\u03c3(2x + 1)"
    a = _texts(FunctionsMode(submode="compose", values={"inner": "lin", "outer": "sq"}).frame(1.0))
    b = _texts(FunctionsMode(submode="compose", values={"inner": "sq", "outer": "lin"}).frame(1.0))
    assert "f(g(x)) = (2x + 1)\u00b2" in a and "Other order, g(f(x)) = 2\u00b7x\u00b2 + 1" in a
    assert "f(g(x)) = 2\u00b7x\u00b2 + 1" in b and "Other order, g(f(x)) = (2x + 1)\u00b2" in b


def test_a_value_outside_the_domain_stops_the_chain():
    m = FunctionsMode(submode="compose", values={"inner": "lin", "outer": "ln"})
    # hold on the first stop x = -1 (arrived from -2): 2x + 1 = -1, and ln(-1) has no value
    f = m.frame(MOVE_S + 3 * 0.8 + 0.1)
    tel = _tel(f)
    assert tel["x"]["value"] == -1 and tel["fg"]["text"] == "undefined"
    assert any("has no value at u = \u22121" in s for s in _texts(f))


def test_the_token_travels_g_then_f():
    m = FunctionsMode(submode="compose")
    lit = []
    for dt in (0.3, 1.2, 2.0, 2.8):                     # gliding, through g, through f, done
        f = m.frame(dt)
        frames = [it for it in f["scene"]["items"] if it["k"] == "rect" and it.get("stroke") == "accent2"
                  and it.get("lw") == 2.5]
        lit.append(frames[0]["x"] if frames else None)
    assert lit[0] is None and lit[1] < lit[2] < lit[3]


# -- the log scale ----------------------------------------------------------------------


def _collinear(pts, tol=0.5):
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    return all(abs((y1 - y0) * (x - x0) - (x1 - x0) * (y - y0)) / math.hypot(x1 - x0, y1 - y0) < tol
               for x, y in pts)


@pytest.mark.parametrize("k", [0.3, 0.7, 1.5, -0.7])
def test_exponential_is_straight_only_on_the_log_axis(k):
    log = FunctionsMode(submode="logscale", values={"k": k, "log": True})
    lin = FunctionsMode(submode="logscale", values={"k": k, "log": False})
    pl = list(_curve_points(log.frame(1.0)))
    pn = list(_curve_points(lin.frame(1.0)))
    assert _collinear(pl)
    assert not _collinear(pn)
    # the slope, read back in data units, is k per unit of x in ln y
    p = _static(log, "logscale_static")["plot"]
    (xa, ya), (xb, yb) = _to_data(p, *pl[0]), _to_data(p, *pl[-1])
    assert (math.log(yb) - math.log(ya)) / (xb - xa) == pytest.approx(k, rel=1e-3)


def test_logscale_slope_triangle_says_e_to_the_k():
    f = FunctionsMode(submode="logscale", values={"k": 0.7, "log": True}).frame(1.0)
    assert "\u00d7e^k = \u00d72.01" in _texts(f)
    assert _tel(f)["slope"]["value"] == 0.7


def test_logscale_probe_reads_y_and_ln_y():
    m = FunctionsMode(submode="logscale", values={"k": 0.7})
    tel = _tel(m.frame(MOVE_S + 0.5))                  # holding at x = 2
    assert tel["x"]["value"] == 2.0
    assert tel["y"]["value"] == pytest.approx(math.exp(1.4))
    assert tel["lny"]["value"] == pytest.approx(1.4)


# -- model sizes --------------------------------------------------------------------------


@pytest.mark.parametrize("log", [False, True])
def test_every_catalog_model_is_placed_by_its_parameter_count(log):
    m = FunctionsMode(submode="sizes", values={"log": log})
    f = m.frame(0.0)
    p = _static(m, "sizes_static")["plot"]
    sizes = sorted(param_count(mm) for mm in MODELS.values())
    dots = sorted(it["x"] for it in f["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "accent")
    assert len(dots) == len(sizes)
    for x, n in zip(dots, sizes):
        want = p.x + (math.log10(n / 1e9) / math.log10(2000) if log else n / 1.2e12) * p.w
        assert x == pytest.approx(want)


def test_log_axis_separates_small_models():
    lin = _tel(FunctionsMode(submode="sizes", values={"log": False}).frame(0.0))
    log = _tel(FunctionsMode(submode="sizes", values={"log": True}).frame(0.0))
    assert lin["gap"]["value"] < 4 < 80 < log["gap"]["value"]
    assert lin["span"]["value"] == pytest.approx(log["span"]["value"])


def test_sizes_highlight_walks_through_the_rows():
    m = FunctionsMode(submode="sizes", values={"log": True})
    names = [_tel(m.frame(0.1 + 1.5 * i))["model"]["text"].split(":")[0] for i in range(3)]
    assert names[0] == "Mamba 2.8B" and len(set(names)) == 3


# -- controls and labels ----------------------------------------------------------------


def test_each_view_shows_only_its_own_controls():
    assert FunctionsMode.controls_of("linear") == ("a", "b")
    assert FunctionsMode.controls_of("polynomial") == ("a", "b", "c")
    assert FunctionsMode.controls_of("exponential") == ("amp", "k")
    assert FunctionsMode.controls_of("logarithm") == ("base",)
    assert FunctionsMode.controls_of("sigmoid") == ("k", "x0")
    assert FunctionsMode.controls_of("tanh") == ("cap",)
    assert FunctionsMode.controls_of("softplus") == ("beta",)
    assert FunctionsMode.controls_of("compose") == ("inner", "outer")
    assert FunctionsMode.controls_of("logscale") == ("k", "log")
    assert FunctionsMode.controls_of("sizes") == ("log",)


EXTREMES = {
    "linear": [{"a": -3, "b": 4}, {"a": 3, "b": -4}, {"a": 0, "b": 0}, {"a": 0.05, "b": 4}],
    "polynomial": [{"a": 3, "b": 4, "c": 4}, {"a": -3, "b": -4, "c": -4}, {"a": 0, "b": 0, "c": 0},
                   {"a": 0.05, "b": 0, "c": -4}],
    "exponential": [{"amp": 4, "k": 4}, {"amp": 0.25, "k": -4}, {"amp": 1, "k": 0}, {"amp": 4, "k": 0.05}],
    "logarithm": [{"base": 1.5}, {"base": 10}, {"base": 2}],
    "sigmoid": [{"k": 4, "x0": 4}, {"k": -4, "x0": -4}, {"k": 0, "x0": 0}, {"k": 0.05, "x0": 2}],
    "tanh": [{"cap": 0.5}, {"cap": 4}],
    "softplus": [{"beta": 0.25}, {"beta": 8}],
    "compose": [{"inner": a, "outer": b} for a in ("lin", "sq", "exp", "ln", "sigmoid", "tanh", "softplus")
                for b in ("lin", "sq", "exp", "ln", "sigmoid", "tanh", "softplus")],
    "logscale": [{"k": k, "log": lg} for k in (-4, -0.05, 0, 0.05, 4) for lg in (False, True)],
    "sizes": [{"log": False}, {"log": True}],
}


@pytest.mark.parametrize("sub", list(EXTREMES))
def test_labels_fit_at_extreme_settings(sub):
    for values in EXTREMES[sub]:
        m = FunctionsMode(submode=sub, values=values)
        for t in (0.0, 0.5, 1.3, 2.1, 3.0, 5.9, 11.4, 17.2):
            f = m.frame(t)
            problems = label_problems(f)
            assert not problems, (values, t, problems[:3])
            assert len(f["scene"]["items"]) <= 500
            assert len(json.dumps(f)) < 64_000


def test_frames_are_cheap():
    for sub in FunctionsMode.submodes:
        mode = FunctionsMode(submode=sub)
        mode.frame(0.0)
        t0 = time.thread_time()
        for i in range(120):
            mode.frame(i / 60)
        per_frame = (time.thread_time() - t0) / 120
        assert per_frame < 0.002, f"{sub}: {per_frame * 1e3:.2f} ms per frame"
