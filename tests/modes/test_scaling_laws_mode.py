"""The scaling-laws workshop: the frontier, real models on N against D, one budget's valley, the tiny model.

numpy is the oracle for the optimum (a brute-force minimisation of the fitted
loss along 6ND = C) and for the leader among the fixed sizes; the papers'
token counts and the tiny model's own JSON record check the data views.
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from tooling import label_problems
from llmviz.modes.part02_transformer.scaling_laws import (MOVE_S, ROLL_S, SIZES, SWEEP_S, TINY_S,
                                                          ScalingLawsMode)

ROOT = Path(__file__).resolve().parents[2]
# Hoffmann et al. 2022, appendix D.2, equation (10); Besiroglu et al. 2024's refit
FITS = {"hoffmann": (1.69, 406.4, 410.7, 0.34, 0.28),
        "besiroglu": (1.8172, 482.01, 2085.43, 0.3478, 0.3658)}


def _tel(frame):
    return {e["id"]: e["value"] for e in frame["telemetry"]}


def _np_loss(fit, n, d):
    e, a, b, al, be = FITS[fit]
    return e + a * np.power(n, -al) + b * np.power(d, -be)


def _np_opt(fit, c):
    n = np.logspace(6, 15, 400001)
    i = int(np.argmin(_np_loss(fit, n, c / (6 * n))))
    return n[i], c / (6 * n[i]), _np_loss(fit, n[i], c / (6 * n[i]))


@pytest.mark.parametrize("fit", ["hoffmann", "besiroglu"])
@pytest.mark.parametrize("budget", [20.0, 23.7604, 25.5])
def test_frontier_reads_off_the_optimum_numpy_finds(fit, budget):
    m = ScalingLawsMode(submode="frontier", values={"fit": fit, "budget": budget})
    tel = _tel(m.frame(SWEEP_S + 1.0))        # the cursor has reached the budget
    n, d, loss = _np_opt(fit, 10 ** budget)
    assert tel["n_opt"] == pytest.approx(n, rel=1e-3)
    assert tel["d_opt"] == pytest.approx(d, rel=1e-3)
    assert tel["loss"] == pytest.approx(loss, rel=1e-9, abs=1e-9)
    assert tel["cursor"] == pytest.approx(10 ** budget, rel=1e-9)


def test_the_cursor_sweeps_up_and_the_lead_passes_to_larger_models():
    m = ScalingLawsMode(submode="frontier", values={"budget": 25.0})
    cursors, leaders = [], []
    for t in np.linspace(0.0, SWEEP_S, 26):
        tel = _tel(m.frame(float(t)))
        cursors.append(tel["cursor"])
        leaders.append(tel["leader"])
        # the leader is the fixed size with the lowest loss at the cursor (numpy)
        c = tel["cursor"]
        losses = [float(_np_loss("hoffmann", n, c / (6 * n))) for n in SIZES]
        assert tel["leader"] == SIZES[int(np.argmin(losses))]
    assert cursors == sorted(cursors) and cursors[0] == pytest.approx(1e18)
    assert leaders == sorted(leaders) and leaders[0] == 1e8 and leaders[-1] >= 1e10


def test_the_console_names_each_overtaking_budget_as_the_cursor_passes_it():
    m = ScalingLawsMode(submode="frontier", values={"budget": 25.0})
    lines = []
    for t in np.arange(0.0, SWEEP_S + 0.5, 0.25):
        lines += [e["text"] for e in m.frame(float(t))["console"]]
    over = [s for s in lines if "overtakes" in s]
    assert [s.split(" the ")[1].split(" model")[0] for s in over] == ["1B", "10B", "100B"]
    assert any("best split is" in s for s in lines)


def _frontier_path(frame):
    paths = [it for it in frame["scene"]["items"] if it["k"] == "path" and it.get("stroke") == "accent"
             and it["lw"] == 4]
    pts = np.array(paths[0]["pts"]).reshape(-1, 2)
    return pts


def test_subtracting_e_makes_the_frontier_a_straight_line():
    """L* − E is a power law of C, so on log-log axes its points are collinear; L* itself bends."""
    def worst_residual(reducible):
        pts = _frontier_path(ScalingLawsMode(submode="frontier", values={"reducible": reducible}).frame(0.0))
        fit = np.polyfit(pts[:, 0], pts[:, 1], 1)
        return np.abs(np.polyval(fit, pts[:, 0]) - pts[:, 1]).max()
    assert worst_residual(True) < 0.1          # logical units: straight to a tenth of a pixel
    assert worst_residual(False) > 10


def test_the_refit_moves_the_optimum_to_chinchillas_size():
    a = _tel(ScalingLawsMode(submode="frontier", values={"fit": "hoffmann"}).frame(SWEEP_S + 1))
    b = _tel(ScalingLawsMode(submode="frontier", values={"fit": "besiroglu"}).frame(SWEEP_S + 1))
    assert a["n_opt"] < 40e9 < 60e9 < b["n_opt"] < 80e9
    assert a["ratio"] > 80 and 15 < b["ratio"] < 25


# -- models --------------------------------------------------------------------------------------

# Tokens as each paper states them.
PAPER_TOKENS = {"gpt-3": 300e9, "gopher": 300e9, "chinchilla": 1.4e12, "llama-2-7b": 2e12, "llama-2-70b": 2e12,
                "llama-3-8b": 15e12, "llama-3-70b": 15e12, "llama-3.1-405b": 15.6e12, "qwen2.5-72b": 18e12,
                "qwen3-32b": 36e12}
# Llama 3 8B from its config.json: vocab 128256, d 4096, 32 layers, KV width 1024, FFN 14336
LLAMA3_8B = 128256 * 4096 * 2 + 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336 + 2 * 4096) + 4096


def test_models_view_reports_the_papers_tokens_and_the_twin():
    m = ScalingLawsMode(submode="models", values={"run": "llama-3-8b"})
    tel = _tel(m.frame(0.0))
    assert tel["n"] == LLAMA3_8B and tel["d"] == 15e12
    assert tel["ratio"] == pytest.approx(15e12 / LLAMA3_8B)
    c = 6 * LLAMA3_8B * 15e12
    assert tel["flops"] == pytest.approx(c)
    # the twin: D = 20 N and 6ND = C, i.e. the positive root of 120 N² = C
    twin = max(np.roots([120.0, 0.0, -c]).real)
    assert tel["n_opt"] == pytest.approx(twin) and tel["d_opt"] == pytest.approx(20 * twin)
    assert tel["serve_ratio"] == pytest.approx(twin / LLAMA3_8B)


# Parameters as the papers and model cards round them.
NOMINAL_PARAMS = {"gpt-3": 175e9, "gopher": 280e9, "chinchilla": 70e9, "llama-2-7b": 6.74e9, "llama-2-70b": 69.0e9,
                  "llama-3-8b": 8.03e9, "llama-3-70b": 70.6e9, "llama-3.1-405b": 406e9, "qwen2.5-72b": 72.7e9,
                  "qwen3-32b": 32.8e9}


def _to_data(p, x, y):
    u = (x - p.x) / p.w * (math.log10(p.xlim[1]) - math.log10(p.xlim[0])) + math.log10(p.xlim[0])
    v = (p.y + p.h - y) / p.h * (math.log10(p.ylim[1]) - math.log10(p.ylim[0])) + math.log10(p.ylim[0])
    return 10 ** u, 10 ** v


@pytest.mark.parametrize("run", list(PAPER_TOKENS))
def test_every_run_is_drawn_where_its_paper_puts_it(run):
    m = ScalingLawsMode(submode="models", values={"run": run})
    f = m.frame(0.0)
    assert _tel(f)["d"] == PAPER_TOKENS[run]
    p = m.cached("models", m._models_data)["p"]
    dots = [_to_data(p, it["x"], it["y"]) for it in f["scene"]["items"]
            if it["k"] == "circle" and it.get("fill") in ("ink", "accent2")]
    assert len(dots) == len(PAPER_TOKENS)
    for name, d in PAPER_TOKENS.items():
        n = NOMINAL_PARAMS[name]
        assert any(abs(math.log10(x / n)) < 0.005 and abs(math.log10(y / d)) < 0.005 for x, y in dots), name


def _ring(frame):
    rings = [it for it in frame["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "bg"
             and it.get("stroke") == "accent2"]
    return rings[0]["x"], rings[0]["y"]


def test_the_ring_slides_along_the_flop_line_to_twenty_tokens_per_parameter():
    m = ScalingLawsMode(submode="models", values={"run": "gpt-3"})
    p = m.cached("models", m._models_data)["p"]

    def data(xy):
        return _to_data(p, *xy)

    c = 6 * 175e9 * 300e9
    for t in (0.0, MOVE_S / 2, MOVE_S + 0.5):
        n, d = data(_ring(m.frame(t)))
        assert 6 * n * d == pytest.approx(c, rel=0.02)          # on its own FLOP line all the way
    n0, d0 = data(_ring(m.frame(0.0)))
    n1, d1 = data(_ring(m.frame(MOVE_S + 0.5)))
    assert n0 == pytest.approx(175e9, rel=0.02) and d1 / n1 == pytest.approx(20, rel=0.03)


# -- valley --------------------------------------------------------------------------------------


def test_valley_orders_the_three_splits_and_the_ball_rolls_downhill():
    m = ScalingLawsMode(submode="valley")
    tel = _tel(m.frame(0.0))
    assert tel["loss_fit"] <= tel["loss_20"] < tel["loss_kaplan"]
    # Hoffmann et al., appendix D.4: Kaplan's law at 1e21 FLOPs is 4.68B; the line grows as C^0.73
    assert tel["n_kaplan"] == pytest.approx(4.68e9 * (10 ** 23.7604 / 1e21) ** 0.73, rel=1e-9)
    losses = [_tel(m.frame(float(t)))["ball_loss"] for t in np.linspace(0.0, ROLL_S, 21)]
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))
    end = _tel(m.frame(ROLL_S + 0.5))
    assert end["ball_n"] == pytest.approx(tel["n_fit"], rel=1e-9)
    assert end["ball_loss"] == pytest.approx(tel["loss_fit"], rel=1e-12)
    # the compute a compute-optimal run needs for Kaplan's loss, by numpy bisection on the frontier
    target = tel["loss_kaplan"]
    lo, hi = 18.0, 26.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _np_opt("hoffmann", 10 ** mid)[2] > target else (lo, mid)
    assert tel["compute_share"] == pytest.approx(10 ** lo / 10 ** 23.7604, rel=1e-3)


# -- tiny ----------------------------------------------------------------------------------------


def test_tiny_view_draws_the_models_own_record_as_it_trained():
    curve = json.loads((ROOT / "py/llmviz/lm/tiny_lm_curve.json").read_text())
    header = json.loads((ROOT / "py/llmviz/lm/tiny_lm.json").read_text())
    m = ScalingLawsMode(submode="tiny")
    early, late = m.frame(0.5), m.frame(TINY_S + 1.0)
    assert _tel(late)["held_out"] == curve[-1]["held_out"] and _tel(late)["train"] == curve[-1]["train"]
    assert _tel(late)["step"] == 1500 and _tel(late)["params"] == header["n_params"] == 139584
    seen = 1500 * 16 * 128
    assert _tel(late)["seen"] == seen and _tel(late)["flops"] == pytest.approx(6 * 139584 * seen)
    assert _tel(late)["passes"] == pytest.approx(seen / 31191)

    def drawn(f):
        return sum(len(it["pts"]) // 2 for it in f["scene"]["items"] if it["k"] == "path"
                   and it.get("stroke") in ("accent", "accent3") and it["lw"] >= 2.5)
    assert drawn(early) < drawn(late)


@pytest.mark.parametrize("upto", [50, 550, 1000])
def test_tiny_view_stops_at_the_chosen_step(upto):
    """The step slider: the record is drawn up to that step and rests there, with that step's losses."""
    curve = {p["step"]: p for p in json.loads((ROOT / "py/llmviz/lm/tiny_lm_curve.json").read_text())}
    m = ScalingLawsMode(submode="tiny", values={"upto": upto})
    tel = _tel(m.frame(TINY_S + 1.0))
    assert tel["step"] == upto
    assert tel["held_out"] == curve[upto]["held_out"] and tel["train"] == curve[upto]["train"]
    assert tel["seen"] == upto * 16 * 128
    assert not label_problems(m.frame(TINY_S + 1.0))
    lines = [e["text"] for e in m.events(0.0, TINY_S + 0.5)]
    assert any(f"Step {upto:,}:" in s for s in lines)


def test_frames_cost_the_same_far_ahead():
    for sub in ScalingLawsMode.submodes:
        m = ScalingLawsMode(submode=sub)
        f = m.frame(1e12)
        assert f["scene"]["items"] and f["telemetry"]


def test_budget_out_of_range_is_clamped_with_a_message():
    m = ScalingLawsMode(submode="frontier")
    msg = m.set("budget", 40)
    assert msg and "training budget" in msg and m["budget"] == 26.0
    assert m.set("fit", "kaplan") and m["fit"] == "hoffmann"


@pytest.mark.parametrize("values", [
    {"budget": 18.0}, {"budget": 21.0}, {"budget": 26.0}, {"budget": 18.0, "reducible": True},
    {"budget": 26.0, "fit": "besiroglu", "reducible": True}, {"fit": "besiroglu"},
])
@pytest.mark.parametrize("view", ["frontier", "valley"])
def test_labels_fit_across_budgets_and_fits(view, values):
    m = ScalingLawsMode(submode=view, values=values)
    for t in (0.0, 2.0, 9.0):
        assert not label_problems(m.frame(t))


@pytest.mark.parametrize("run", list(PAPER_TOKENS))
def test_model_labels_fit_for_every_choice(run):
    m = ScalingLawsMode(submode="models", values={"run": run})
    for t in (0.0, MOVE_S + 0.5):
        assert not label_problems(m.frame(t))
