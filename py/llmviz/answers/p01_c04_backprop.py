"""Answers for chapter p01-c04 (backpropagation).

The neuron's numbers come from the simulation's own graph (the forward and
backward passes of :mod:`llmviz.calc.backprop`), the classifier's from its
training run, the secant errors from the check view's data, and every FLOP
count from :mod:`llmviz.calc.gemm` and :mod:`llmviz.calc.backprop` over the
catalog.
"""
from __future__ import annotations

from ..calc.backprop import (GraphNode, backward_matmul_flops_per_token, best_central_step,
                             central_difference_error_bound, graph_backward, graph_forward, mlp_backward_flops, mlp_forward_flops, relative_error, round_to_float32,
                             unit_roundoff)
from ..calc.gemm import gemm_flops, matmul_flops_per_token
from ..calc.model_size import param_count
from ..modes.part01_networks.backprop import (CLASSES, D_IN, H_EXPONENTS, LAMBDA, TRAIN_STEPS, BackpropMode,
                                              check_run, classifier_run, cost_numbers, graph_run,
                                              loss_third_derivative)
from ..catalog import get_model
from ..units import fmt_count, fmt_fixed, fmt_flops, fmt_sci
from . import Answer

MODEL = "llama-3-8b"

_DEF = {p.name: p.default for p in BackpropMode.params}
X0, W0, B0, Y0 = _DEF["x"], _DEF["w"], _DEF["b"], int(_DEF["y"])
BATCH0, HIDDEN0 = BackpropMode.submodes["matrix"].values["batch"], BackpropMode.submodes["matrix"].values["hidden"]
TOKENS0 = BackpropMode.submodes["cost"].values["tokens"]

# Exercise 1: the same neuron at other numbers, label 0
EX1 = dict(x=2.0, w=-0.5, b=0.5, y=0)
# Exercise 2: f = (a + b)·c, then g = (a + b)·a
EX2 = dict(a=2.0, b=-1.0, c=3.0)
# Exercise 4: a classifier for 28×28 images of ten digits, 32 to a batch
EX4 = dict(batch=32, d_in=784, hidden=256, classes=10)
# Exercise 5: Llama 3 8B's down matrix on a 4,096-token sequence
EX5_PROJ, EX5_TOKENS = "down", 4096
# Exercise 7: two steps for the secants
EX7_H = (1e-2, 1e-3)
# Exercise 10: the step a failing 32-bit check used
EX10_H = 1e-6


def _f3(v: float, digits: int = 3) -> Answer:
    return Answer(v, fmt_fixed(v, digits))


def _sci(v: float, digits: int = 3) -> Answer:
    return Answer(v, fmt_sci(v, "", digits))


def _flops(v: float) -> Answer:
    # counts a reader can check by hand are printed exactly
    return Answer(v, f"{int(v):,} FLOPs" if v < 1e9 else fmt_flops(v))


def _times(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{v:.{digits}f}\u00d7")


def _count(v: float) -> Answer:
    return Answer(v, f"{int(v):,}")


def _run(**kw):
    k = dict(x=X0, w=W0, b=B0, y=Y0, decay=False)
    k.update(kw)
    return graph_run(k["x"], k["w"], k["b"], k["y"], k["decay"])


def _step(run: dict, node: str, to: str):
    return next(s for s in run["steps"] if s.node == node and s.to == to)


def _ex2(second: bool) -> dict[str, float]:
    """Gradients of f = (a + b)·c, or of g = (a + b)·a when ``second``, by the graph's backward pass."""
    nodes = [GraphNode("a", "input"), GraphNode("b", "input"), GraphNode("c", "input"),
             GraphNode("s", "add", ("a", "b")), GraphNode("f", "mul", ("s", "a" if second else "c"))]
    vals = graph_forward(nodes, EX2)
    grads, _ = graph_backward(nodes, vals)
    grads["value"] = vals["f"]
    return grads


def _mlp_params(batch, d_in, hidden, classes) -> int:
    return d_in * hidden + hidden + hidden * classes + classes


def _check(prec: str = "fp64") -> dict:
    return check_run(X0, W0, B0, Y0, prec)


def _nearest(d: dict, h: float) -> int:
    """The index of the check view's step closest to ``h``."""
    return min(range(len(d["hs"])), key=lambda j: abs(d["hs"][j] - h) / h)


def _err_at(h: float, key: str, prec: str = "fp64") -> float:
    d = _check(prec)
    return abs(d[key][_nearest(d, h)] - d["exact"])


def _near_closest64() -> float:
    """The mean central error at the two steps of the grid either side of the one closest to backprop (64-bit)."""
    d = _check()
    errs = [abs(c - d["exact"]) for c in d["central"]]
    i = min(range(len(errs)), key=errs.__getitem__)
    return (errs[i - 1] + errs[i + 1]) / 2


def _best_h(prec: str) -> float:
    run = _run()
    return best_central_step(run["values"]["L"], loss_third_derivative(X0, W0, B0, Y0), unit_roundoff(prec))


def _best_bound(prec: str) -> float:
    run = _run()
    return central_difference_error_bound(_best_h(prec), run["values"]["L"],
                                          loss_third_derivative(X0, W0, B0, Y0), unit_roundoff(prec))


def _ex10(prec: str) -> float:
    """Relative error of the central secant at h = 10⁻⁶ in ``prec`` arithmetic."""
    d = _check(prec)
    return relative_error(d["central"][_nearest(d, EX10_H)], d["exact"])


def _cost(proj: str, tokens: int) -> tuple[int, int, int]:
    """The cost view's three GEMMs for one projection: forward, dX and dW (FLOPs)."""
    n = cost_numbers(proj, tokens)
    return n["fwd"], n["dx"], n["dw"]


def _half_gap32(w: float) -> float:
    """Half the gap between the 32-bit float nearest ``w`` and the next one up: smaller nudges round back to w."""
    import struct
    bits = struct.unpack("<I", struct.pack("<f", w))[0]
    return (struct.unpack("<f", struct.pack("<I", bits + 1))[0] - round_to_float32(w)) / 2


def _unmultiplied() -> float:
    """Parameters no matrix product uses: all of them minus those the per-token matrix FLOPs count (2 per weight)."""
    return param_count(MODEL) - matmul_flops_per_token(MODEL) / 2


def _train():
    return classifier_run(BATCH0, HIDDEN0)


ANSWERS = {
    # -- the neuron's graph
    "q": lambda: _f3(_run()["values"]["q"]),
    "loss": lambda: Answer(_run()["values"]["L"], f"{fmt_fixed(_run()['values']['L'], 3)} nats"),
    "local_bce": lambda: _f3(_step(_run(), "L", "q").local),
    "local_sig": lambda: _f3(_step(_run(), "q", "z").local),
    "g_q": lambda: _f3(_run()["grads"]["q"]),
    "g_z": lambda: _f3(_run()["grads"]["z"]),
    "g_w": lambda: _f3(_run()["grads"]["w"]),
    "g_x": lambda: _f3(_run()["grads"]["x"]),
    "g_b": lambda: _f3(_run()["grads"]["b"]),
    "n_forward": lambda: _count(sum(1 for n in _run()["nodes"] if n.op != "input")),
    "n_products": lambda: _count(len(_run()["steps"])),
    "y0_g_z": lambda: _f3(_run(y=0)["grads"]["z"]),
    "y0_g_w": lambda: _f3(_run(y=0)["grads"]["w"]),
    # -- the fork
    "lam": lambda: Answer(LAMBDA, f"{LAMBDA:g}"),
    "fork_r": lambda: _f3(_run(decay=True)["values"]["r"]),
    "fork_j": lambda: _f3(_run(decay=True)["values"]["J"]),
    "fork_decay_part": lambda: _f3(_step(_run(decay=True), "r", "w").product),
    "fork_g_w": lambda: _f3(_run(decay=True)["grads"]["w"]),
    "fork_products": lambda: _count(len(_run(decay=True)["steps"])),
    # -- the classifier
    "mat_fwd": lambda: _flops(mlp_forward_flops(BATCH0, D_IN, HIDDEN0, CLASSES)),
    "mat_bwd": lambda: _flops(mlp_backward_flops(BATCH0, D_IN, HIDDEN0, CLASSES)),
    "mat_bwd_dx": lambda: _flops(mlp_backward_flops(BATCH0, D_IN, HIDDEN0, CLASSES, input_grad=True)),
    "mat_ratio": lambda: _times(mlp_backward_flops(BATCH0, D_IN, HIDDEN0, CLASSES)
                                / mlp_forward_flops(BATCH0, D_IN, HIDDEN0, CLASSES), 1),
    "train_steps": lambda: _count(TRAIN_STEPS),
    "train_loss0": lambda: Answer(_train()["losses"][0], f"{fmt_fixed(_train()['losses'][0], 3)} nats"),
    "train_loss_end": lambda: Answer(_train()["losses"][-1], f"{fmt_fixed(_train()['losses'][-1], 3)} nats"),
    # -- a real layer and a real model
    "tokens0": lambda: _count(TOKENS0),
    "q_fwd": lambda: _flops(_cost("q", TOKENS0)[0]),
    "q_bwd": lambda: _flops(cost_numbers("q", TOKENS0)["bwd"]),
    "model_fwd": lambda: _flops(matmul_flops_per_token(MODEL)),
    "model_bwd": lambda: _flops(backward_matmul_flops_per_token(MODEL)),
    "model_step": lambda: _flops(matmul_flops_per_token(MODEL) + backward_matmul_flops_per_token(MODEL)),
    # -- gradient checking
    "err_c_2": lambda: _sci(_err_at(1e-2, "central")),
    "err_o_2": lambda: _sci(_err_at(1e-2, "one_sided")),
    "l3": lambda: _f3(loss_third_derivative(X0, W0, B0, Y0)),
    "u64": lambda: _sci(unit_roundoff("fp64")),
    "u32": lambda: _sci(unit_roundoff("fp32")),
    "best_h64": lambda: _sci(_best_h("fp64")),
    "best_h32": lambda: _sci(_best_h("fp32")),
    "best_err64": lambda: _sci(_best_bound("fp64")),
    "best_err32": lambda: _sci(_best_bound("fp32")),
    "best_err_ratio": lambda: Answer(_best_bound("fp32") / _best_bound("fp64"),
                                     f"{round(_best_bound('fp32') / _best_bound('fp64'), -4):,.0f}"),
    "fp32_half_gap": lambda: _sci(_half_gap32(W0)),
    "closest64": lambda: _sci(min(abs(c - _check()["exact"]) for c in _check()["central"])),
    "near64": lambda: _sci(_near_closest64(), 2),
    "n_steps_h": lambda: _count(len(H_EXPONENTS)),
    # -- exercise 1
    "ex1_q": lambda: _f3(_run(**EX1)["values"]["q"]),
    "ex1_loss": lambda: _f3(_run(**EX1)["values"]["L"]),
    "ex1_g_q": lambda: _f3(_run(**EX1)["grads"]["q"]),
    "ex1_g_z": lambda: _f3(_run(**EX1)["grads"]["z"]),
    "ex1_g_w": lambda: _f3(_run(**EX1)["grads"]["w"]),
    "ex1_g_b": lambda: _f3(_run(**EX1)["grads"]["b"]),
    "ex1_g_x": lambda: _f3(_run(**EX1)["grads"]["x"]),
    # -- exercise 2
    "ex2_f": lambda: _f3(_ex2(False)["value"], 0),
    "ex2_da": lambda: _f3(_ex2(False)["a"], 0),
    "ex2_db": lambda: _f3(_ex2(False)["b"], 0),
    "ex2_dc": lambda: _f3(_ex2(False)["c"], 0),
    "ex2_g": lambda: _f3(_ex2(True)["value"], 0),
    "ex2_g_da": lambda: _f3(_ex2(True)["a"], 0),
    "ex2_g_db": lambda: _f3(_ex2(True)["b"], 0),
    # -- exercise 3: the λ at which the penalty's pull cancels the loss's
    "ex3_lambda": lambda: _f3(-_run()["grads"]["w"] / W0),
    # -- exercise 4
    "ex4_fwd": lambda: _flops(mlp_forward_flops(*EX4.values())),
    "ex4_first": lambda: _flops(gemm_flops(EX4["batch"], EX4["hidden"], EX4["d_in"])),
    "ex4_bwd": lambda: _flops(mlp_backward_flops(*EX4.values())),
    "ex4_ratio": lambda: _times(mlp_backward_flops(*EX4.values()) / mlp_forward_flops(*EX4.values())),
    "ex4_bwd_dx": lambda: _flops(mlp_backward_flops(*EX4.values(), input_grad=True)),
    # -- exercise 5
    "ex5_fwd": lambda: _flops(_cost(EX5_PROJ, EX5_TOKENS)[0]),
    "ex5_total": lambda: _flops(sum(_cost(EX5_PROJ, EX5_TOKENS))),
    # -- exercise 6
    "llama_params": lambda: Answer(param_count(MODEL), fmt_count(param_count(MODEL))),
    "llama_vocab": lambda: _count(get_model(MODEL).vocab),
    "llama_hidden": lambda: _count(get_model(MODEL).hidden),
    "unmultiplied_params": lambda: Answer(_unmultiplied(), fmt_count(_unmultiplied(), 4)),
    "six_n": lambda: _flops(6 * param_count(MODEL)),
    "six_n_gap": lambda: _flops(6 * param_count(MODEL) - matmul_flops_per_token(MODEL)
                                - backward_matmul_flops_per_token(MODEL)),
    # -- exercise 7
    "ex7_c_3": lambda: _sci(_err_at(EX7_H[1], "central")),
    "ex7_o_3": lambda: _sci(_err_at(EX7_H[1], "one_sided")),
    "ex7_c_ratio": lambda: Answer(_err_at(EX7_H[0], "central") / _err_at(EX7_H[1], "central"),
                                  f"{_err_at(EX7_H[0], 'central') / _err_at(EX7_H[1], 'central'):.0f}"),
    "ex7_o_ratio": lambda: Answer(_err_at(EX7_H[0], "one_sided") / _err_at(EX7_H[1], "one_sided"),
                                  f"{_err_at(EX7_H[0], 'one_sided') / _err_at(EX7_H[1], 'one_sided'):.0f}"),
    # -- exercise 9
    "ex9_params": lambda: _count(_mlp_params(*EX4.values())),
    "ex9_passes": lambda: _count(2 * _mlp_params(*EX4.values())),
    "ex9_fd_flops": lambda: _flops(2 * _mlp_params(*EX4.values()) * mlp_forward_flops(*EX4.values())),
    "ex9_bp_flops": lambda: _flops(mlp_forward_flops(*EX4.values()) + mlp_backward_flops(*EX4.values())),
    "ex9_ratio": lambda: Answer(2 * _mlp_params(*EX4.values()) * mlp_forward_flops(*EX4.values())
                                / (mlp_forward_flops(*EX4.values()) + mlp_backward_flops(*EX4.values())),
                                f"{2 * _mlp_params(*EX4.values()) * mlp_forward_flops(*EX4.values()) / (mlp_forward_flops(*EX4.values()) + mlp_backward_flops(*EX4.values())):,.0f}"),
    # -- exercise 10
    "ex10_rel32": lambda: _sci(_ex10("fp32")),
    "ex10_rel64": lambda: _sci(_ex10("fp64")),
}
