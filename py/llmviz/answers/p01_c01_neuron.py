"""Answers for chapter p01-c01 (the artificial neuron and the perceptron).

Neuron arithmetic goes through :mod:`llmviz.calc.perceptron` (which takes
its dot product and sigmoid from the vectors and functions chapters), the
training runs through the same :func:`perceptron_run` the workshop plays,
on the workshop's own datasets, and the cost of a real layer through
:mod:`llmviz.calc.gemm` over the catalog.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..calc.functions import sigmoid
from ..calc.gemm import gemm_flops, layer_projections, linear_flops
from ..calc.perceptron import (augmented_margin, augmented_radius, mistake_bound, perceptron_run,
                               signed_distance, weighted_sum)
from ..catalog import get_model
from ..modes.part01_networks.neuron import (GATE_POINTS, GATE_SEPARATORS, GATES, LAYER_ROWS, MAX_VISITS, OFFSET,
                                            NeuronMode, separable_dataset)
from ..units import fmt_flops
from . import Answer

MODEL = "llama-3-8b"

# Exercise 1: one neuron, two inputs
EX1_W, EX1_B = (3.0, -2.0), 1.0
EX1_X1, EX1_X2 = (2.0, 1.0), (0.0, 1.0)
# Exercise 2: a boundary and two distances
EX2_W, EX2_B = (3.0, 4.0), -10.0
EX2_X = (2.0, 3.0)
# Exercise 3: three points by hand
EX3_POINTS = ((1.0, 2.0), (2.0, 0.0), (0.0, -1.0))
EX3_LABELS = (1, -1, -1)
# Exercise 5: the bound for a given R and γ
EX5_R, EX5_GAMMA = 3.0, 0.1
# Exercise 10: the workshop's default dataset, moved 10 units along both axes
SHIFT = 10.0


def _num(v: float, digits: int = 3) -> str:
    """A plain number: integers exactly (with separators), others to ``digits`` significant figures."""
    r = round(v, 9)
    if float(r).is_integer():
        return f"{int(r):,}".replace("-", "\u2212")
    return f"{v:.{digits}g}".replace("-", "\u2212")


def _plain(v: float, digits: int = 3) -> Answer:
    return Answer(v, _num(v, digits))


def _flops(v: float, digits: int = 3) -> Answer:
    # counts a reader can check by hand are printed exactly
    return Answer(v, f"{int(v):,} FLOP" if v < 1e6 else fmt_flops(v, digits))


def _updates(v: float) -> Answer:
    return Answer(v, f"{v:,.0f}")


def _bound(v: float) -> Answer:
    """A mistake bound: the whole number of updates (R/γ)² allows, rounded down."""
    n = math.floor(v + 1e-9)
    return Answer(n, f"{n:,}")


# -- the workshop's states --------------------------------------------------------------


def _preset(name: str) -> dict:
    return NeuronMode.submodes[name].values


def _neuron(**over) -> tuple:
    v = {**_preset("neuron"), **over}
    return (v["w1"], v["w2"]), v["b"], (v["x1"], v["x2"])


@lru_cache(maxsize=None)
def _train(margin: float | None = None, data: int | None = None) -> dict:
    """The default training run (or one with another margin or seed), with R, γ and the bound."""
    p = _preset("train")
    d = separable_dataset(p["data"] if data is None else data, p["points"],
                          p["margin"] if margin is None else margin)
    return _measured(d["points"], d["labels"], d["u"], d["c"])


def _measured(points, labels, u, c, cap: int = MAX_VISITS) -> dict:
    run = perceptron_run(points, labels, cap)
    radius = augmented_radius(points)
    gamma = augmented_margin(u, -c, points, labels)
    return {"R": radius, "gamma": gamma, "bound": mistake_bound(radius, gamma),
            "updates": run["visits"][-1]["updates"], "passes": len(run["passes"]), "status": run["status"]}


@lru_cache(maxsize=None)
def _shifted(centre: bool = False) -> dict:
    """The default dataset with every point moved by (SHIFT, SHIFT); optionally centred again on its mean."""
    p = _preset("train")
    d = separable_dataset(p["data"], p["points"], p["margin"])
    u, c = d["u"], d["c"]
    pts = [(x + SHIFT, y + SHIFT) for x, y in d["points"]]
    c = c + SHIFT * (u[0] + u[1])            # the same line, written in the moved coordinates
    if centre:
        mx = sum(x for x, _ in pts) / len(pts)
        my = sum(y for _, y in pts) / len(pts)
        pts = [(x - mx, y - my) for x, y in pts]
        c = c - (u[0] * mx + u[1] * my)
    return _measured(pts, d["labels"], u, c, cap=2_000_000)


@lru_cache(maxsize=None)
def _gate(name: str) -> dict:
    run = perceptron_run(GATE_POINTS, GATES[name], MAX_VISITS)
    out = {"updates": run["visits"][-1]["updates"], "passes": len(run["passes"]), "run": run}
    if name in GATE_SEPARATORS:
        w, b = GATE_SEPARATORS[name]
        out["R"] = augmented_radius(GATE_POINTS)
        out["gamma"] = augmented_margin(w, b, GATE_POINTS, GATES[name])
        out["bound"] = mistake_bound(out["R"], out["gamma"])
    return out


@lru_cache(maxsize=None)
def _separable_gates() -> int:
    """How many of the 16 two-input Boolean functions one neuron with a step can compute.

    Each labelling of the four corners is tried with the perceptron rule:
    a separable one converges, a non-separable one cycles (the state is
    whole numbers in a bounded range, so it must repeat).
    """
    count = 0
    for bits in range(16):
        labels = [1 if bits >> k & 1 else -1 for k in range(4)]
        if perceptron_run(GATE_POINTS, labels, MAX_VISITS)["status"] == "converged":
            count += 1
    return count


def _ex3() -> dict:
    return perceptron_run(EX3_POINTS, EX3_LABELS, 100)


ANSWERS = {
    # the neuron view's default: w = (2, −1), b = −0.5, x = (1, 1)
    "neuron_z": lambda: _plain(weighted_sum(_neuron()[0], _neuron()[2], _neuron()[1])),
    "neuron_sigma": lambda: _plain(sigmoid(weighted_sum(_neuron()[0], _neuron()[2], _neuron()[1]))),
    "neuron_norm": lambda: _plain(math.hypot(*_neuron()[0])),
    "neuron_dist": lambda: _plain(signed_distance(_neuron()[0], _neuron()[1], _neuron()[2])),
    "neuron_on_line_z": lambda: _plain(weighted_sum(_neuron()[0], (0.5, 0.5), _neuron()[1])),
    "neuron_far_z": lambda: _plain(weighted_sum(_neuron()[0], (-1.0, 1.0), _neuron()[1])),
    "neuron_far_sigma": lambda: _plain(sigmoid(weighted_sum(_neuron()[0], (-1.0, 1.0), _neuron()[1]))),
    "shifted_b_z": lambda: _plain(weighted_sum(_neuron()[0], _neuron()[2], 1.5)),
    "shifted_b_origin": lambda: _plain(abs(1.5) / math.hypot(*_neuron()[0])),
    "default_b_origin": lambda: _plain(abs(_neuron()[1]) / math.hypot(*_neuron()[0])),
    "rotated_z": lambda: _plain(weighted_sum((1.0, 2.0), _neuron()[2], _neuron()[1])),
    # the layer view
    "layer_z1": lambda: _plain(weighted_sum(LAYER_ROWS[0][0], (_preset("layer")["x1"], _preset("layer")["x2"]),
                                            LAYER_ROWS[0][1])),
    "layer_flops": lambda: _flops(gemm_flops(_preset("layer")["neurons"], 1, 2)),
    "llama_hidden": lambda: _plain(get_model(MODEL).hidden),
    "llama_ffn": lambda: _plain(layer_projections(MODEL)["gate"][1]),
    "llama_layers": lambda: _plain(get_model(MODEL).layers),
    "llama_gate_flops": lambda: _flops(linear_flops(*layer_projections(MODEL)["gate"])),
    "llama_neuron_flops": lambda: _flops(linear_flops(layer_projections(MODEL)["gate"][0], 1)),
    "llama_gate_all_layers": lambda: _flops(get_model(MODEL).layers * linear_flops(*layer_projections(MODEL)["gate"]),
                                            4),
    "llama_gate_neurons_all": lambda: _plain(get_model(MODEL).layers * layer_projections(MODEL)["gate"][1]),
    "llama_bias_share": lambda: Answer(layer_projections(MODEL)["gate"][1]
                                       / linear_flops(*layer_projections(MODEL)["gate"]),
                                       f"{100 * layer_projections(MODEL)['gate'][1] / linear_flops(*layer_projections(MODEL)['gate']):.3f} %"),
    # the training view's default run, and the margin slider at both ends
    "train_R": lambda: _plain(_train()["R"]),
    "train_gamma": lambda: _plain(_train()["gamma"]),
    "train_bound": lambda: _bound(_train()["bound"]),
    "train_updates": lambda: _updates(_train()["updates"]),
    "train_passes": lambda: _updates(_train()["passes"]),
    "wide_bound": lambda: _bound(_train(margin=0.3)["bound"]),
    "wide_updates": lambda: _updates(_train(margin=0.3)["updates"]),
    "narrow_bound": lambda: _bound(_train(margin=0.05)["bound"]),
    "narrow_updates": lambda: _updates(_train(margin=0.05)["updates"]),
    "offset": lambda: _plain(OFFSET),
    "offset_factor": lambda: _plain(1 / math.sqrt(1 + OFFSET ** 2)),
    # logic gates
    "and_updates": lambda: _updates(_gate("and")["updates"]),
    "and_passes": lambda: _updates(_gate("and")["passes"]),
    "and_bound": lambda: _bound(_gate("and")["bound"]),
    "and_gamma": lambda: _plain(_gate("and")["gamma"]),
    "or_updates": lambda: _updates(_gate("or")["updates"]),
    "xor_mistakes": lambda: _updates(_gate("xor")["run"]["passes"][0]),
    "separable_gates": lambda: _updates(_separable_gates()),
    # Exercise 1
    "ex1_z1": lambda: _plain(weighted_sum(EX1_W, EX1_X1, EX1_B)),
    "ex1_sig1": lambda: _plain(sigmoid(weighted_sum(EX1_W, EX1_X1, EX1_B)), 4),
    "ex1_z2": lambda: _plain(weighted_sum(EX1_W, EX1_X2, EX1_B)),
    "ex1_sig2": lambda: _plain(sigmoid(weighted_sum(EX1_W, EX1_X2, EX1_B))),
    # Exercise 2
    "ex2_cross1": lambda: _plain(-EX2_B / EX2_W[0]),
    "ex2_cross2": lambda: _plain(-EX2_B / EX2_W[1]),
    "ex2_origin": lambda: _plain(abs(signed_distance(EX2_W, EX2_B, (0.0, 0.0)))),
    "ex2_point": lambda: _plain(signed_distance(EX2_W, EX2_B, EX2_X)),
    "ex2_point_z": lambda: _plain(weighted_sum(EX2_W, EX2_X, EX2_B)),
    # Exercise 3: the three visits of the first pass, then the end state
    "ex3_z1": lambda: _plain(_ex3()["visits"][0]["z"]),
    "ex3_z2": lambda: _plain(_ex3()["visits"][1]["z"]),
    "ex3_z3": lambda: _plain(_ex3()["visits"][2]["z"]),
    "ex3_w1": lambda: _plain(_ex3()["w"][0]),
    "ex3_w2": lambda: _plain(_ex3()["w"][1]),
    "ex3_b": lambda: _plain(_ex3()["b"]),
    "ex3_updates": lambda: _updates(_ex3()["visits"][-1]["updates"]),
    # Exercise 5
    "ex5_bound": lambda: _bound(mistake_bound(EX5_R, EX5_GAMMA)),
    "ex5_half": lambda: _bound(mistake_bound(EX5_R, EX5_GAMMA / 2)),
    "ex5_double": lambda: _bound(mistake_bound(EX5_R, EX5_GAMMA * 2)),
    # Exercise 8: XOR's first pass
    "xor_z": lambda: _plain(_gate("xor")["run"]["visits"][3]["z"]),
    # Exercise 10: moving the data away from the origin, and centring it again
    "shift_bound": lambda: Answer(_shifted()["bound"], f"{_shifted()['bound'] / 1e6:.2f} million"),
    "shift_updates": lambda: _updates(_shifted()["updates"]),
    "shift_R": lambda: _plain(_shifted()["R"]),
    "shift_gamma": lambda: _plain(_shifted()["gamma"]),
    "shift_bound_factor": lambda: _updates(_shifted()["bound"] / _train()["bound"]),
    "shift_updates_factor": lambda: _updates(_shifted()["updates"] / _train()["updates"]),
    "centred_bound": lambda: _bound(_shifted(centre=True)["bound"]),
    "centred_updates": lambda: _updates(_shifted(centre=True)["updates"]),
}
