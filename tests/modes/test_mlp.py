"""The MLP workshop: a hidden layer trained live, ReLU pieces building a curve, activations, a real FFN.

Each view is checked for what the chapter says it shows: the drawn fit is the sum
of the drawn pieces, training really lowers the loss (and diverges when η is too
large), linear units give a straight line, the build's sum is the broken line, the
activation table reads the calculators, and the FFN numbers are the catalog's.
Every frame stays bounded whatever t is.
"""
import json
import math

import numpy as np
import pytest

from llmviz.calc.activations import ACTIVATIONS
from llmviz.calc.mlp import fit_trajectory, one_hidden_layer_output
from llmviz.calc.model_size import mlp_param_count, param_breakdown, param_count
from llmviz.catalog import get_model
from llmviz.core.plot import Plot
from llmviz.modes.part01_networks.mlp import (BUILD_HOLD_S, FIT_BOX, FIT_STEPS, PCS_BOX, PIECE_S, PROBE_X,
                                              SAMPLES, X_HI, X_LO, MLPMode, initial_params, samples, steps_at,
                                              time_of_step)
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _ok(frame):
    problems = label_problems(frame)
    assert not problems, problems[:3]
    assert len(frame["scene"]["items"]) <= 500
    assert len(json.dumps(frame)) <= 64_000


def _paths(frame, stroke, lw):
    return [it for it in frame["scene"]["items"] if it["k"] == "path" and it.get("stroke") == stroke
            and it["lw"] == lw]


def _data(plot, pts):
    """Logical path points back to data coordinates of ``plot``."""
    out = []
    for px, py in zip(pts[::2], pts[1::2]):
        x = plot.xlim[0] + (px - plot.x) / plot.w * (plot.xlim[1] - plot.xlim[0])
        y = plot.ylim[0] + (plot.y + plot.h - py) / plot.h * (plot.ylim[1] - plot.ylim[0])
        out.append((x, y))
    return out


FIT_PLOT = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-1.6, 1.6))
PCS_PLOT = Plot(*PCS_BOX, xlim=(X_LO, X_HI), ylim=(-2.4, 2.4))


# -- every view, every time ------------------------------------------------------------------------


@pytest.mark.parametrize("view", list(MLPMode.submodes))
def test_every_view_is_legible_and_small(view):
    m = MLPMode(submode=view)
    for t in (0.0, 0.3, 1.1, 2.7, 5.0, 12.0, 24.0, 60.0, 1e12):
        _ok(m.frame(t))


@pytest.mark.parametrize("values", [
    {"act": "linear"}, {"width": 1}, {"width": 12}, {"lr": 0.3}, {"lr": 0.003}, {"target": "zigzag", "width": 4},
    {"target": "bump", "seed": 20}])
def test_fit_variants_are_legible(values):
    m = MLPMode(submode="fit", values=values)
    for t in (0.0, 2.0, 9.0, 30.0, 1e12):
        _ok(m.frame(t))


@pytest.mark.parametrize("view,values", [
    ("build", {"pieces": 1}), ("build", {"pieces": 24, "target": "bump"}), ("build", {"target": "zigzag"}),
    ("shapes", {"x": -4, "focus": "tanh"}), ("shapes", {"x": 0, "focus": "relu"}), ("shapes", {"x": 4}),
    ("ffn", {"model": "opt-13b", "gated": False}), ("ffn", {"model": "opt-13b", "gated": True}),
    ("ffn", {"model": "llama-3.1-405b"}), ("ffn", {"gated": False}), ("ffn", {"model": "mistral-7b"})])
def test_other_variants_are_legible(view, values):
    m = MLPMode(submode=view, values=values)
    for t in (0.0, 1.5, 3.3, 5.9, 1e12):
        _ok(m.frame(t))


@pytest.mark.parametrize("view", list(MLPMode.submodes))
def test_a_jump_to_the_end_of_time_draws_a_valid_frame(view):
    m = MLPMode(submode=view)
    m.frame(1e12)                      # a fit run is computed once (bounded by FIT_STEPS) and kept
    for k in range(3):
        _ok(m.frame(1e12 - k))


# -- fit -------------------------------------------------------------------------------------------------


def test_time_to_steps_is_monotonic_and_capped():
    ks = [steps_at(t) for t in np.linspace(0, 40, 801)]
    assert ks[0] == 0 and ks == sorted(ks) and ks[-1] == FIT_STEPS
    for k in (1, 10, 100, 999):
        assert steps_at(time_of_step(k) + 1e-9) >= k > steps_at(time_of_step(k) - 1e-3)
    assert steps_at(1e12) == FIT_STEPS


def test_the_drawn_fit_is_the_sum_of_the_drawn_pieces():
    m = MLPMode(submode="fit")
    f = m.frame(6.0)
    k, run = m._state(steps_at(6.0))
    params = run["states"][k]
    (fit_path,) = _paths(f, "ink", 3)
    for x, y in _data(FIT_PLOT, fit_path["pts"]):
        assert y == pytest.approx(one_hidden_layer_output(x, params), abs=0.02)
    # the pieces plot: one path per unit, whose values at x = X_HI add up (with a0) to the fit there
    pieces = [p for p in f["scene"]["items"] if p["k"] == "path" and p.get("stroke") in ("accent", "accent2", "muted")
              and p["lw"] in (2.2, 1.5)]
    assert len(pieces) == 8
    tel = _tel(f)
    w, b, a, c = params
    assert tel["fit_probe"]["value"] == pytest.approx(c + sum(aj * max(0.0, wj * PROBE_X + bj)
                                                              for wj, bj, aj in zip(w, b, a)))
    assert tel["on"]["value"] == sum(1 for wj, bj in zip(w, b) if wj * PROBE_X + bj > 0)


def test_training_learns_by_a_stated_factor_on_the_default_seed():
    m = MLPMode(submode="fit")
    start = _tel(m.frame(0.0))["loss"]["value"]
    end = _tel(m.frame(30.0))["loss"]["value"]
    # seed 4, 8 units, η = 0.03, 1,000 steps on 25 points of sin x: the loss falls more than 500 times
    assert end < start / 500
    assert _tel(m.frame(30.0))["step"]["value"] == FIT_STEPS


def test_one_step_against_a_numpy_gradient_step():
    xs, ys = map(np.asarray, samples("sine"))
    w, b, a = (np.asarray(v, dtype=float) for v in initial_params(8, 4)[:3])
    c = 0.0
    z = np.outer(xs, w) + b
    on = (z > 0).astype(float)
    e = c + (z * on) @ a - ys
    n = len(xs)
    lr = 0.03
    expect = (w - lr * 2 / n * a * (e[:, None] * on * xs[:, None]).sum(0),
              b - lr * 2 / n * a * (e[:, None] * on).sum(0),
              a - lr * 2 / n * e @ (z * on), c - lr * 2 / n * e.sum())
    m = MLPMode(submode="fit")
    k, run = m._state(1)
    got = run["states"][1]
    for g, x in zip(got[:3], expect[:3]):
        assert g == pytest.approx(x, abs=1e-12)
    assert got[3] == pytest.approx(expect[3], abs=1e-12)
    assert len(xs) == SAMPLES


def test_runs_are_deterministic_and_independent_of_the_frames_asked():
    a, b = MLPMode(submode="fit"), MLPMode(submode="fit")
    for t in np.linspace(0, 25, 120):
        a.frame(t)
    b.frame(25.0)
    assert a._run()["states"][FIT_STEPS] == b._run()["states"][FIT_STEPS]
    assert a._run()["losses"] == b._run()["losses"]


def test_without_a_bend_the_fit_is_a_straight_line():
    m = MLPMode(submode="fit", values={"act": "linear"})
    f = m.frame(30.0)
    (fit_path,) = _paths(f, "ink", 3)
    pts = _data(FIT_PLOT, fit_path["pts"])
    assert len(pts) == 2           # two ends: no corner anywhere
    assert "No bend" in _texts(f)[0]
    # the best a line can do on 25 points of sin x
    xs, ys = samples("sine")
    A = np.vstack([xs, np.ones(len(xs))]).T
    coef, *_ = np.linalg.lstsq(A, ys, rcond=None)
    assert _tel(f)["loss"]["value"] == pytest.approx(np.mean((A @ coef - ys) ** 2), rel=0.02)


def test_a_large_learning_rate_diverges_and_says_so():
    m = MLPMode(submode="fit", values={"lr": 0.3})
    f = m.frame(30.0)
    assert any("diverged" in s for s in _texts(f))
    assert _tel(f)["loss"]["text"] == "diverged" or _tel(f)["loss"]["value"] > 1e6
    m2 = MLPMode(submode="fit", values={"lr": 0.3})
    lines = [e["text"] for e in m2.frame(0.0)["console"] + m2.frame(2.0)["console"]]
    assert any("diverged" in s for s in lines)


def test_one_unit_draws_one_bend():
    m = MLPMode(submode="fit", values={"width": 1})
    f = m.frame(30.0)
    (fit_path,) = _paths(f, "ink", 3)
    assert len(fit_path["pts"]) // 2 <= 3
    assert _tel(f)["loss"]["value"] > 0.1


def test_events_summarise_a_jump():
    m = MLPMode(submode="fit")
    m.frame(0.0)
    lines = [e["text"] for e in m.frame(25.0)["console"]]
    assert 1 <= len(lines) <= 4       # milestones crossed, the last three only
    assert "training stops here" in lines[-1] and "step 1,000" in lines[-1]
    lines = m.frame(1e9)["console"]   # the window is the last 30 s: nothing new, one line says so
    assert len(lines) == 1 and "jumped" in lines[0]["text"]


# -- build -------------------------------------------------------------------------------------------------


def test_build_adds_one_piece_per_beat_and_repeats():
    m = MLPMode(submode="build", values={"pieces": 5})
    shown = [_tel(m.frame(PIECE_S * (k + 0.5)))["shown"]["value"] for k in range(5)]
    assert shown == [1, 2, 3, 4, 5]
    period = 5 * PIECE_S + BUILD_HOLD_S
    assert _tel(m.frame(period + 0.1))["shown"]["value"] == 1
    assert _tel(m.frame(1e12))["shown"]["value"] in range(1, 6)


def test_build_sum_is_the_broken_line_and_its_gap_is_measured():
    m = MLPMode(submode="build", values={"pieces": 5, "target": "sine"})
    f = m.frame(5 * PIECE_S - 0.1)           # all five pieces
    (line,) = _paths(f, "ink", 3)
    knots = np.linspace(-3, 3, 6)
    pts = _data(FIT_PLOT, line["pts"])
    assert [y for _, y in pts] == pytest.approx(np.sin(knots), abs=0.01)
    grid = np.linspace(-3, 3, 601)
    gap = np.max(np.abs(np.interp(grid, knots, np.sin(knots)) - np.sin(grid)))
    tel = _tel(f)
    assert tel["gap"]["value"] == pytest.approx(gap, abs=1e-9)
    assert tel["bound"]["value"] == pytest.approx(1.2 ** 2 / 8)


def test_zigzag_from_four_pieces_has_no_gap_and_no_bound():
    f = MLPMode(submode="build", values={"pieces": 4, "target": "zigzag"}).frame(3.5)
    tel = _tel(f)
    assert tel["gap"]["value"] < 1e-12 and "bound" not in tel
    assert any("multiple of 4" in s for s in _texts(f))


# -- shapes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-2.0, -0.75, 0.0, 1.0, 3.0])
def test_shapes_telemetry_reads_the_calculators(x):
    f = MLPMode(submode="shapes", values={"x": x, "focus": "gelu"}).frame(0.5)
    tel = _tel(f)
    for name, a in ACTIVATIONS.items():
        assert tel[f"{name}_f"]["value"] == pytest.approx(a.f(x))
        assert tel[f"{name}_slope"]["value"] == pytest.approx(a.slope(x))


def test_shapes_focus_changes_the_bold_curve_and_the_tangent():
    m = MLPMode(submode="shapes", values={"focus": "silu", "x": -1.28})
    f = m.frame(0.0)
    bold = [p for p in f["scene"]["items"] if p["k"] == "path" and p["lw"] == 3.5]
    assert bold and all(p["stroke"] == "good" for p in bold)
    # the dashed tangent on the left plot is flat at SiLU's minimum
    (tangent,) = [p for p in f["scene"]["items"] if p["k"] == "path" and p.get("dash") == [6, 4]]
    ys = tangent["pts"][1::2]
    assert max(ys) - min(ys) < 1.0


# -- ffn ---------------------------------------------------------------------------------------------------


def test_ffn_numbers_are_the_catalogs():
    f = MLPMode(submode="ffn").frame(0.0)
    tel = _tel(f)
    m = get_model("llama-3-8b")
    assert tel["per_layer"]["value"] == mlp_param_count(4096, 14336) == 3 * 4096 * 14336
    assert tel["ffn_total"]["value"] == param_breakdown(m)["ffn"]
    assert tel["share"]["value"] == pytest.approx(param_breakdown(m)["ffn"] / param_count(m))
    assert tel["flops"]["value"] == 2 * tel["per_layer"]["value"]
    assert tel["model_flops"]["value"] == 32 * tel["flops"]["value"]


def test_without_the_gate_two_thirds_remain():
    gated = _tel(MLPMode(submode="ffn").frame(0.0))
    plain_frame = MLPMode(submode="ffn", values={"gated": False}).frame(0.0)
    plain = _tel(plain_frame)
    assert plain["per_layer"]["value"] * 3 == gated["per_layer"]["value"] * 2
    assert any("what-if" in s for s in _texts(plain_frame))


def test_opt_is_plain_with_biases():
    f = MLPMode(submode="ffn", values={"model": "opt-13b", "gated": False}).frame(0.0)
    tel = _tel(f)
    assert tel["per_layer"]["value"] == 2 * 5120 * 20480 + 20480 + 5120
    assert tel["ffn_total"]["value"] == param_breakdown("opt-13b")["ffn"]
    assert not any("what-if" in s for s in _texts(f))


def test_the_flop_counter_climbs_as_the_token_flows():
    m = MLPMode(submode="ffn")
    seen = []
    for t in np.linspace(0, 7.0, 60):
        texts = [s for s in _texts(m.frame(float(t))) if s.startswith("this token so far")]
        seen.append(texts[0])
    assert seen[0].startswith("this token so far: 0 FLOP")
    assert any("352 MFLOP of 352 MFLOP" in s for s in seen)
