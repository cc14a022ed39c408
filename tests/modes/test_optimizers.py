"""The optimizers workshop: the race, the moving average, the schedule and the memory bill.

Each view is checked for what it claims to show: positions and losses against an
independent recomputation, the schedule against its formula, the bill against ZeRO's
16 bytes per parameter; and every frame stays bounded whatever t is.
"""
import json
import math

import numpy as np
import pytest

from llmviz.calc.optimizers import lr_schedule
from llmviz.calc.parallel import zero_model_state_bytes
from llmviz.catalog import get_model
from llmviz.calc.model_size import param_count
from llmviz.modes.part00_math.optimizers import (AVG_PACE, AVG_STEPS, FILL_S, LOSS_CHART, PLOT_H, PLOT_W, PLOT_X, PLOT_Y,
                                                 RACE_HOLD_S, RACE_PACE, RACE_STEPS, START, TRACE_S, WORLD_X,
                                                 WORLD_Y, OptimizersMode, crossings, cycle_position,
                                                 gaussian_noise, llama_batch_steps, moving_average_trace,
                                                 race_paths)
from tooling import label_problems

RUN_S = RACE_STEPS / RACE_PACE


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _ok(frame):
    problems = label_problems(frame)
    assert not problems, problems[:3]
    assert len(frame["scene"]["items"]) <= 500
    assert len(json.dumps(frame)) <= 64_000


def _world(px, py):
    return ((px - PLOT_X) / PLOT_W * 2 * WORLD_X - WORLD_X, WORLD_Y - (py - PLOT_Y) / PLOT_H * 2 * WORLD_Y)


# -- helpers ----------------------------------------------------------------------------


def test_noise_is_standard_normal_and_deterministic():
    z = np.array(gaussian_noise(0, 20_000))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    assert gaussian_noise(3, 10) == gaussian_noise(3, 10) != gaussian_noise(4, 10)


def test_paths_are_cut_at_the_frame_not_dragged_along_it():
    from llmviz.modes.part00_math.optimizers import clip_segment
    assert clip_segment(0, 0, 2, 0, 1, 1) == (0, 0, 1, 0)
    assert clip_segment(2, 0, 0, 0.5, 1, 1) == (1, 0.25, 0, 0.5)
    assert clip_segment(3, 3, 4, 4, 1, 1) is None
    m = OptimizersMode(submode="race", values={"tilt": 45})
    f = m.frame(RUN_S + 0.5)
    _ok(f)
    for it in f["scene"]["items"]:
        if it["k"] == "path" and it.get("lw") in (2.2, 1.2):
            xs, ys = it["pts"][0::2], it["pts"][1::2]
            assert min(xs) >= PLOT_X - 0.01 and max(xs) <= PLOT_X + PLOT_W + 0.01
            assert min(ys) >= PLOT_Y - 0.01 and max(ys) <= PLOT_Y + PLOT_H + 0.01
    # and the loss chart clips too: momentum's loss ends below its floor of 10⁻⁴, so its curve leaves
    # the chart through the bottom instead of running along it
    f = OptimizersMode(submode="race").frame(RUN_S + 0.5)
    x0, y0, x1, y1 = LOSS_CHART.box()
    loss_paths = [it for it in f["scene"]["items"] if it["k"] == "path" and it.get("lw") == 2]
    assert loss_paths
    for it in loss_paths:
        xs, ys = it["pts"][0::2], it["pts"][1::2]
        assert x0 - 0.5 <= min(xs) and max(xs) <= x1 + 0.5 and y0 - 0.5 <= min(ys) and max(ys) <= y1 + 0.5
    purple = [it for it in loss_paths if it["stroke"] == "accent3"]
    assert race_paths(25, 0, 0.1, 0.9, 4096)["momentum"]["loss"][-1] < 1e-4
    last = max(purple, key=lambda it: it["pts"][-2])
    assert last["pts"][-1] == pytest.approx(y1, abs=0.5)      # it ends on the floor, where it left


def test_cycles_and_crossings_never_loop():
    assert cycle_position(25.0, 10.0, 3.0) == (1, 12.0)
    assert crossings(0, 1e12, 10.0, 13.0) == math.floor((1e12 - 10) / 13) + 1
    assert crossings(10.0, 10.0, 10.0, 13.0) == 0
    assert crossings(9.9, 10.0, 10.0, 13.0) == 1


# -- the race ---------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 0.5, 3.3, 8.0, RUN_S + 1])
def test_dots_sit_where_the_optimizers_are(t):
    m = OptimizersMode(submode="race")
    f = m.frame(t)
    k = min(RACE_STEPS, int(t * RACE_PACE))
    paths = race_paths(25, 0, 0.1, 0.9, 4096)
    dots = [it for it in f["scene"]["items"] if it["k"] == "circle" and it.get("r") == 6.5]
    assert len(dots) == 3
    tel = _tel(f)
    assert tel["step"]["value"] == k
    for dot, name in zip(dots, ("sgd", "momentum", "adam")):
        p = paths[name]["pts"]
        x, y = _world(dot["x"], dot["y"])
        phase = t * RACE_PACE - k if k < RACE_STEPS else 0
        want = np.array(p[k]) + phase * (np.array(p[min(k + 1, RACE_STEPS)]) - np.array(p[k]))
        assert (x, y) == pytest.approx(tuple(want), abs=1e-6)
        assert tel[f"loss_{name}"]["value"] == pytest.approx(paths[name]["loss"][k])


def test_beta_zero_turns_momentum_into_sgd():
    p = race_paths(25, 0, 0.1, 0.0, 64)
    assert p["momentum"]["pts"] == p["sgd"]["pts"]


def test_adam_goes_diagonal_and_ignores_curvature():
    p = race_paths(25, 0, 0.1, 0.9, 4096)["adam"]["pts"]
    dx, dy = p[1][0] - p[0][0], p[1][1] - p[0][1]
    assert abs(dx) == pytest.approx(0.1, rel=1e-5) and abs(dy) == pytest.approx(0.1, rel=1e-5)
    clean = race_paths(25, 0, 0.1, 0.9, 4096)
    assert clean["adam"]["loss"][-1] < clean["sgd"]["loss"][-1] / 100
    tilted = race_paths(25, 45, 0.1, 0.9, 4096)
    assert tilted["adam"]["loss"][-1] > tilted["sgd"]["loss"][-1]


def test_all_racers_see_the_same_minibatch_noise():
    """The noise added at each step is σ₁/√B times one shared draw: recompute SGD by hand."""
    kappa, lr, batch = 25, 0.1, 8
    z = np.array(gaussian_noise(0, 2 * RACE_STEPS)).reshape(RACE_STEPS, 2) * 2 / math.sqrt(batch)
    th = np.array(START)
    for k in range(RACE_STEPS):
        th = th - lr * (np.array([th[0] / kappa, th[1]]) + z[k])
    assert race_paths(kappa, 0, lr, 0.9, batch)["sgd"]["pts"][-1] == pytest.approx(tuple(th))


def test_a_huge_learning_rate_diverges_without_breaking_the_frame():
    m = OptimizersMode(submode="race", values={"lr": 2.5})
    f = m.frame(RUN_S + 0.5)
    _ok(f)
    assert "diverged" in _texts(f) or any(t.startswith("loss") for t in _texts(f))
    # SGD is stable only for η below 2 / (largest curvature) = 2
    assert race_paths(25, 0, 2.5, 0.9, 4096)["sgd"]["diverged"] is not None
    assert "diverged" in _texts(f)


def test_race_events_summarise_any_interval():
    m = OptimizersMode(submode="race")
    m.frame(0.0)
    ev = m.frame(RUN_S + 0.1)["console"]
    assert any(e["text"].startswith(f"Step {RACE_STEPS}: loss SGD") for e in ev)
    m.frame(RUN_S + 0.2)
    ev = m.frame(1e12)["console"]
    # one line for the jump (Mode.frame), then at most the mode's own summary of the last window
    assert ev[0]["text"].startswith("jumped") and len(ev) <= 3


# -- the moving average ------------------------------------------------------------------


def test_step_one_shows_the_bias_and_its_correction():
    m = OptimizersMode(submode="average")
    tel = _tel(m.frame(0.0))
    trace = moving_average_trace(0.9, 16)
    g1 = trace[0]["g"]
    assert tel["step"]["value"] == 1
    assert tel["m"]["value"] == pytest.approx(0.1 * g1)
    assert tel["correction"]["value"] == pytest.approx(0.1)
    assert tel["m_hat"]["value"] == pytest.approx(g1)
    assert tel["ratio"]["value"] == pytest.approx(1.0, abs=1e-6)


def test_the_correction_fades_and_noise_shrinks_adams_step():
    m = OptimizersMode(submode="average")
    tel = _tel(m.frame(AVG_STEPS / AVG_PACE + 0.5))
    assert tel["step"]["value"] == AVG_STEPS
    assert tel["correction"]["value"] == pytest.approx(1 - 0.9 ** AVG_STEPS)
    quiet = moving_average_trace(0.9, 4096)
    loud = moving_average_trace(0.9, 1)
    assert np.mean([e["ratio"] for e in quiet[20:]]) > 0.98
    assert np.mean([e["ratio"] for e in loud[20:]]) < 0.5


# -- the schedule ------------------------------------------------------------------------


def test_crosshair_reads_the_schedule_and_writes_the_formula():
    m = OptimizersMode(submode="llama")
    f = m.frame(TRACE_S + 1)
    tel = _tel(f)
    assert tel["at"]["value"] == 600_000
    assert tel["lr_at"]["value"] == pytest.approx(lr_schedule(600_000, 8e-5, 8000, 1_200_000, 8e-7))
    texts = _texts(f)
    assert any("= 4.08 × 10⁻⁵" in s for s in texts)
    assert any("step 63" in s and f"step {llama_batch_steps()[2]:,}" in s for s in texts)
    m.set("at", 4000)
    assert _tel(m.frame(TRACE_S + 1))["lr_at"]["value"] == pytest.approx(4e-5)


def test_curve_traces_the_formula():
    m = OptimizersMode(submode="schedule")
    f = m.frame(TRACE_S + 1)
    curves = [it for it in f["scene"]["items"] if it["k"] == "path" and it.get("stroke") == "accent"]
    main = max(curves, key=lambda it: len(it["pts"]))
    x0, y0, w, h, top = 96.0, 100.0, 500.0, 250.0, 3e-4 * 1.12
    for i in range(0, len(main["pts"]), 20):
        px, py = main["pts"][i], main["pts"][i + 1]
        step = (px - x0) / w * 100_000
        assert (1 - (py - y0) / h) * top == pytest.approx(lr_schedule(step, 3e-4, 2000, 100_000, 3e-5), abs=2e-6)
    # halfway through the trace only half the run is drawn
    half = OptimizersMode(submode="schedule").frame(TRACE_S / 2)
    assert _tel(half)["tip"]["value"] == pytest.approx(50_000)


def test_a_warmup_longer_than_the_run_is_cut_not_an_error():
    m = OptimizersMode(submode="schedule", values={"warmup": 100_000, "total": 1000})
    f = m.frame(2.0)
    _ok(f)
    assert any("warmup cut" in s for s in _texts(f))


# -- the memory bill ------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["llama-3-8b", "llama-3-70b", "llama-3.1-405b"])
@pytest.mark.parametrize("opt,per", [("sgd", 8), ("momentum", 12), ("adam", 16)])
def test_bill_matches_zero(model, opt, per):
    m = OptimizersMode(submode="memory", values={"model": model, "optimizer": opt})
    f = m.frame(FILL_S * 6 + 0.5)
    _ok(f)
    tel = _tel(f)
    n = param_count(get_model(model))
    assert tel["per_param"]["value"] == per
    assert tel["total"]["value"] == zero_model_state_bytes(n, 1, 0, per - 4)
    gpus = math.ceil(per * n / 80e9)
    assert tel["gpus"]["value"] == gpus
    boxes = [it for it in f["scene"]["items"] if it["k"] == "rect" and it.get("stroke") == "faint"
             and it.get("lw") == 1 and it["w"] == it["h"]]
    assert len(boxes) == gpus


def test_bill_adds_up_array_by_array():
    m = OptimizersMode(submode="memory")
    n = param_count(get_model("llama-3-8b"))
    seen = [_tel(m.frame(FILL_S * i + 0.1))["added"]["value"] for i in range(5)]
    assert seen == pytest.approx([2 * n, 4 * n, 8 * n, 12 * n, 16 * n])


# -- every view, any time -------------------------------------------------------------------


@pytest.mark.parametrize("sub", list(OptimizersMode.submodes))
def test_frames_are_bounded_for_any_t(sub):
    m = OptimizersMode(submode=sub)
    m.frame(1.0)
    _ok(m.frame(1e12))


@pytest.mark.parametrize("values", [
    {"kappa": 1}, {"kappa": 100, "tilt": 45}, {"lr": 0.01, "batch": 1}, {"lr": 2.5, "beta": 0.99},
    {"beta": 0, "batch": 1},
])
def test_race_labels_fit_for_extreme_knobs(values):
    m = OptimizersMode(submode="race", values=values)
    for t in (0.0, 2.0, 7.7, RUN_S + 0.5, RUN_S + RACE_HOLD_S + 0.1):
        _ok(m.frame(t))


@pytest.mark.parametrize("values", [
    {"peak": 1e-2, "warmup": 0, "total": 1000, "final": 0, "at": 0},
    {"peak": 1e-5, "warmup": 100_000, "total": 2_000_000, "final": 1, "at": 2_000_000},
    {"warmup": 500, "total": 1000, "final": 0.5, "at": 250},
])
def test_schedule_labels_fit_for_extreme_knobs(values):
    m = OptimizersMode(submode="schedule", values=values)
    for t in (0.0, 1.0, TRACE_S - 0.01, TRACE_S + 1):
        _ok(m.frame(t))


@pytest.mark.parametrize("values", [{"beta": 0}, {"beta": 0.99, "batch": 1}, {"batch": 4096}])
def test_average_labels_fit_for_extreme_knobs(values):
    m = OptimizersMode(submode="average", values=values)
    for t in (0.0, 3.0, AVG_STEPS / AVG_PACE + 1):
        _ok(m.frame(t))
