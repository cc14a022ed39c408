"""Backpropagation: the workshop of chapter p01-c04.

Four pictures, one idea each:

* graph (with two presets: backward, which opens on the finished forward
  pass, and fork, the same graph with a weight-decay penalty): one sigmoid
  neuron with its binary cross-entropy, as a computation graph of seven
  numbers. The forward pass fills each node's value left to right; the
  backward pass starts from ∂L/∂L = 1 and crosses one edge per step, right
  to left, multiplying the upstream gradient by the edge's local gradient.
  In the fork, w feeds two nodes and its gradient is the sum of two products.
* matrix: the MLP of chapter 1.2 as a classifier on a small batch, in row
  form. Each matrix is a heatmap labelled with its shape; the forward GEMMs
  light up, then the backward ones (dW2 = Hᵀ·dS, dH = dS·W2ᵀ, dW1 = Xᵀ·dZ1),
  each gradient drawn under the matrix whose shape it has. A ledger counts
  forward and backward FLOPs; each cycle shows a later step of training.
* check: gradient checking. The neuron's ∂L/∂w from the backward pass
  against central and one-sided secant slopes for h from 1 to 10⁻¹²:
  truncation error falls as h² (central) or h, then round-off rises as 1/h,
  in 64-bit or 32-bit arithmetic.
* cost: one weight matrix of Llama 3 8B on T tokens, drawn to scale: the
  forward GEMM, then the two backward GEMMs of the same size.

Every value, gradient and FLOP count comes from :mod:`llmviz.calc.backprop`
(and :mod:`llmviz.calc.gemm` over the catalog). The graph and check views
evaluate a few numbers per parameter change; the classifier's training run
(:data:`TRAIN_STEPS` steps) is computed once per parameter change and a frame
looks its step up, so frame(t) costs the same for every t.
"""
from __future__ import annotations

import math

from ...calc.backprop import (GraphNode, backward_matmul_flops_per_token, best_central_step, central_difference, central_difference_error_bound,
                              graph_backward, graph_forward, linear_backward_flops, mlp_backward_flops,
                              mlp_descent, mlp_forward_flops, mlp_passes, relative_error, round_to_float32,
                              unit_roundoff)
from ...calc.derivatives import secant_slope
from ...calc.gemm import gemm_flops, layer_projections, matmul_flops_per_token
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, fmt_tick
from ...core.rng import normals
from ...core.scene import Scene
from ...units import fmt_fixed, fmt_flops, fmt_sci
from ..part00_math.entropy import periodic_hits

MODEL = "llama-3-8b"
MINUS = "\u2212"

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, BODY, SMALL = 20, 17, 15

# -- the graph views ----------------------------------------------------------------------------
LAMBDA = 0.1             # the fork's penalty ½·λ·w²
STEP_S = 1.8             # seconds per step of either pass
TRAVEL = 0.45            # share of a step the moving dot takes to cross its edge
DONE_HOLD_S = 5.0        # the finished graph stays up this long before the passes start over
BOX_W, BOX_H = 124, 90
NODE = 16                # type size inside the node boxes
# box centres (the same place for a node in both graphs); the penalty's two nodes sit in the top row
POS = {"w": (86, 172), "x": (86, 326), "m": (284, 248), "b": (284, 402), "z": (482, 326),
       "q": (680, 248), "L": (878, 326), "r": (284, 112), "J": (878, 172)}
NARR_TOP = 462
LEAF_ROLE = {"w": "weight", "x": "input", "b": "bias"}

# -- the matrix view ----------------------------------------------------------------------------
D_IN, CLASSES = 2, 3     # each example is a point of the plane; three classes
LR = 0.5
TRAIN_STEPS = 100
SHOWN_STEPS = (0, 1, 2, 5, 10, 20, 50, 100)   # each cycle shows the passes at the next of these
OP_S = 1.6               # seconds per operation
CELL = 18                # heatmap cell, logical units

# -- the check view -----------------------------------------------------------------------------
H_EXPONENTS = [-k / 4 for k in range(49)]          # h = 10^0, 10^−0.25, …, 10^−12
PROBE_S = 0.36           # seconds per value of h
CHECK_HOLD_S = 4.0
ERR_LO, ERR_HI = 1e-14, 10.0
PRECISIONS = {"fp64": "64-bit (double)", "fp32": "32-bit (single)"}

# -- the cost view ------------------------------------------------------------------------------
GEMM_S = 3.0             # seconds per GEMM of the cost view
COST_HOLD_S = 4.0


def sig3(v: float) -> str:
    """Three significant figures with a real minus sign: 0.214, −3.23, 1.5; whole numbers from 100 up."""
    s = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
    if "e" in s:
        s = f"{v:.4f}"
    return s.replace("-", MINUS)


def grad_text(v: float) -> str:
    """A value or gradient in a node: three decimals, fewer as it grows, so it fits the box."""
    return fmt_fixed(v, 3) if abs(v) < 10 else (fmt_fixed(v, 1) if abs(v) < 100 else sig3(v))


def h_text(h: float) -> str:
    """A step h for a label: a power of ten as 10ⁿ (1 for 10⁰), anything else to two figures."""
    e = math.log10(h)
    return fmt_tick(h) if abs(e - round(e)) < 1e-9 else fmt_sci(h, "", 2)


def paren(s: str) -> str:
    """A factor as written in a product: negatives in parentheses."""
    return f"({s})" if s.startswith(MINUS) else s


def neuron_graph(y: int, decay: bool) -> list[GraphNode]:
    """The chapter's graph: m = w·x, z = m + b, q = σ(z), L = BCE(q, y); with ``decay``, J = L + ½λw²."""
    nodes = [GraphNode("w", "input"), GraphNode("x", "input"), GraphNode("b", "input"),
             GraphNode("m", "mul", ("w", "x")), GraphNode("z", "add", ("m", "b")),
             GraphNode("q", "sigmoid", ("z",)), GraphNode("L", "bce", ("q",), float(y))]
    if decay:
        nodes += [GraphNode("r", "half_sq", ("w",), LAMBDA), GraphNode("J", "add", ("L", "r"))]
    return nodes


def node_title(n: GraphNode) -> str:
    """How a node's box names it: its formula, or the leaf's name and role."""
    a = n.inputs
    if n.op == "input":
        return f"{n.name} ({LEAF_ROLE.get(n.name, 'input')})"
    if n.op == "mul":
        return f"{n.name} = {a[0]}\u00b7{a[1]}"
    if n.op == "add":
        return f"{n.name} = {a[0]} + {a[1]}"
    if n.op == "sigmoid":
        return f"{n.name} = \u03c3({a[0]})"
    if n.op == "bce":
        return f"{n.name} = BCE({a[0]}, {n.const:g})"
    return f"{n.name} = \u00bd\u03bb{a[0]}\u00b2"


def local_formula(n: GraphNode, i: int) -> str:
    """The local gradient ∂n/∂(input i) as a formula: "x" for m = w·x, "q(1 − q)" for q = σ(z)."""
    if n.op == "mul":
        return n.inputs[1 - i]
    if n.op == "add":
        return "1"
    if n.op == "sigmoid":
        return f"{n.name}(1 \u2212 {n.name})"
    if n.op == "bce":
        q = n.inputs[0]
        return f"\u22121/{q}" if n.const == 1 else f"1/(1 \u2212 {q})"
    if n.op == "half_sq":
        return f"\u03bb{n.inputs[0]}"
    return "?"


def graph_run(x: float, w: float, b: float, y: int, decay: bool) -> dict:
    """Both passes of the neuron graph: nodes, values, gradients and the backward products in order."""
    nodes = neuron_graph(y, decay)
    values = graph_forward(nodes, {"w": w, "x": x, "b": b})
    grads, steps = graph_backward(nodes, values)
    return {"nodes": nodes, "values": values, "grads": grads, "steps": steps, "out": nodes[-1].name}


def graph_schedule(run: dict, forward: bool = True) -> list[tuple]:
    """The graph views' steps: the leaves alone, each forward node, the seed, each backward product, done.

    Without ``forward`` the schedule opens on the finished forward pass and
    spends its steps on the backward one.
    """
    if forward:
        sched = [("start",)]
        sched += [("fwd", n.name) for n in run["nodes"] if n.op != "input"]
    else:
        sched = [("filled",)]
    sched.append(("seed",))
    sched += [("bwd", j) for j in range(len(run["steps"]))]
    sched.append(("done",))
    return sched


def graph_position(t: float, n_steps: int) -> tuple[int, float]:
    """Which step of a graph schedule of ``n_steps`` shows at time ``t``, and how far into it (0–1)."""
    period = (n_steps - 1) * STEP_S + DONE_HOLD_S
    tc = t % period
    k = min(int(tc // STEP_S), n_steps - 1)
    u = 1.0 if k == n_steps - 1 else (tc - k * STEP_S) / STEP_S
    return k, u


def loss_of_w(x: float, b: float, y: int, rounding=None):
    """L as a function of w alone, the other leaves held fixed; ``rounding`` evaluates it in a narrower format."""
    nodes = neuron_graph(y, False)
    return lambda w: graph_forward(nodes, {"w": w, "x": x, "b": b}, rounding)["L"]


def loss_third_derivative(x: float, w: float, b: float, y: int) -> float:
    """d³L/dw³ of the neuron's binary cross-entropy: x³·q(1 − q)(1 − 2q) (the label drops out)."""
    q = graph_forward(neuron_graph(y, False), {"w": w, "x": x, "b": b})["q"]
    return x ** 3 * q * (1 - q) * (1 - 2 * q)


def check_run(x: float, w: float, b: float, y: int, prec: str) -> dict:
    """The check view's data: backprop's ∂L/∂w and both secant slopes at every h of :data:`H_EXPONENTS`."""
    run = graph_run(x, w, b, y, False)
    exact = run["grads"]["w"]
    f = loss_of_w(x, b, y, round_to_float32 if prec == "fp32" else None)
    hs = [10.0 ** e for e in H_EXPONENTS]
    central = [central_difference(f, w, h) for h in hs]
    one_sided = [secant_slope(f, w, h) for h in hs]
    u = unit_roundoff(prec)
    value, third = run["values"]["L"], loss_third_derivative(x, w, b, y)
    return {"exact": exact, "hs": hs, "central": central, "one_sided": one_sided, "u": u, "value": value,
            "third": third, "h_best": best_central_step(value, third, u) if third and value else None}


def classifier_data(batch: int, seed: int = 3) -> tuple[list[list[float]], list[int]]:
    """``batch`` points of the plane, class i mod 3 around one of three centres 120° apart (two decimals)."""
    n = normals(seed, 2 * batch)
    xs, ys = [], []
    for i in range(batch):
        k = i % CLASSES
        a = 2 * math.pi * k / CLASSES + 0.3
        xs.append([round(1.6 * math.cos(a) + 0.6 * n[2 * i], 2), round(1.6 * math.sin(a) + 0.6 * n[2 * i + 1], 2)])
        ys.append(k)
    return xs, ys


def classifier_init(hidden: int, seed: int = 7):
    """Starting weights: normal draws scaled by 1/√(fan-in), biases 0.1 (hidden) and 0 (output)."""
    n = normals(seed, D_IN * hidden + hidden * CLASSES)
    W1 = [[n[i * hidden + j] / math.sqrt(D_IN) for j in range(hidden)] for i in range(D_IN)]
    off = D_IN * hidden
    W2 = [[0.25 * n[off + j * CLASSES + c] / math.sqrt(hidden) for c in range(CLASSES)] for j in range(hidden)]
    return W1, [0.1] * hidden, W2, [0.0] * CLASSES


def classifier_run(batch: int, hidden: int) -> dict:
    """The classifier's data, its :data:`TRAIN_STEPS`-step training run, and both passes at each shown step."""
    X, labels = classifier_data(batch)
    states, losses = mlp_descent(X, labels, classifier_init(hidden), LR, TRAIN_STEPS)
    passes = {k: mlp_passes(X, labels, *states[k]) for k in SHOWN_STEPS}
    return {"X": X, "labels": labels, "states": states, "losses": losses, "passes": passes}


# the matrix view's operations: (name, result, operands, is a GEMM)
MATRIX_OPS = (
    ("Z1", "Z1", ("X", "W1"), True),
    ("H", "H", ("Z1",), False),
    ("S", "S", ("H", "W2"), True),
    ("P", "P", ("S",), False),
    ("dS", "dS", ("P",), False),
    ("dW2", "dW2", ("H", "dS"), True),
    ("dH", "dH", ("dS", "W2"), True),
    ("dZ1", "dZ1", ("dH", "Z1"), False),
    ("dW1", "dW1", ("X", "dZ1"), True),
    ("update", None, ("dW1", "dW2"), False),
)
N_FWD_OPS = 4


def op_flops(name: str, batch: int, hidden: int) -> int:
    """FLOPs of one GEMM of the matrix view (0 for the entry-by-entry operations)."""
    return {
        "Z1": gemm_flops(batch, hidden, D_IN),
        "S": gemm_flops(batch, CLASSES, hidden),
        "dW2": gemm_flops(hidden, CLASSES, batch),
        "dH": gemm_flops(batch, hidden, CLASSES),
        "dW1": gemm_flops(D_IN, hidden, batch),
    }.get(name, 0)


def cost_numbers(proj: str, tokens: int) -> dict:
    """One Llama 3 8B projection on ``tokens`` tokens: shapes, the three GEMMs' FLOPs, the whole model per token."""
    d_in, d_out = layer_projections(MODEL)[proj]
    fwd = gemm_flops(tokens, d_out, d_in)
    dx = gemm_flops(tokens, d_in, d_out)
    dw = gemm_flops(d_in, d_out, tokens)
    model_fwd = matmul_flops_per_token(MODEL)
    model_bwd = backward_matmul_flops_per_token(MODEL)
    return {"d_in": d_in, "d_out": d_out, "T": tokens, "fwd": fwd, "dx": dx, "dw": dw,
            "bwd": linear_backward_flops(d_in, d_out, tokens), "model_fwd": model_fwd, "model_bwd": model_bwd}


class BackpropMode(Mode):
    """A neuron's computation graph, both passes; the MLP's matrix form; gradient checking; a real layer's cost."""

    id = "p01-c04-backprop"
    chapter = "p01-c04-backprop"
    title = "Backpropagation"
    step_dt = STEP_S
    size = (960, 600)

    params = (
        Choice("graph", "graph", default="neuron",
               options=(("neuron", "neuron + loss"), ("decay", "neuron + loss + \u00bd\u03bbw\u00b2")),
               help="The plain neuron, or the same with a penalty \u00bd\u00b7\u03bb\u00b7w\u00b2 (\u03bb = 0.1) "
                    "that reads w a second time."),
        Number("x", "input x", lo=-2.0, hi=2.0, step=0.1, default=1.5, help="The neuron's one input."),
        Number("w", "weight w", lo=-2.0, hi=2.0, step=0.1, default=0.8, help="The weight that multiplies x."),
        Number("b", "bias b", lo=-2.5, hi=2.5, step=0.1, default=-2.0, help="The bias added to w\u00b7x."),
        Choice("y", "label y", default="1", options=(("1", "1 (yes)"), ("0", "0 (no)")),
               help="The answer the neuron's probability q should match."),
        Number("batch", "batch B", lo=3, hi=8, step=1, default=6, integer=True,
               help="Examples per step: the rows of X."),
        Number("hidden", "hidden width h", lo=2, hi=8, step=1, default=4, integer=True,
               help="Hidden units: the columns of W1 and the rows of W2."),
        Choice("prec", "arithmetic", default="fp64", options=tuple(PRECISIONS.items()),
               help="The number format every node of the graph is rounded to when the secants evaluate L."),
        Choice("proj", "matrix", default="q",
               options=tuple((p, f"{p}: {a:,} \u2192 {b:,}") for p, (a, b) in layer_projections(MODEL).items()),
               help="One of the seven weight matrices in each of Llama 3 8B's layers."),
        Number("tokens", "tokens T", lo=1, hi=8192, step=1, default=2048, integer=True, log=True,
               help="Tokens processed together: the rows of X."),
    )

    _GRAPH_CONTROLS = ("graph", "x", "w", "b", "y")
    # every view that draws the neuron opens on the chapter's numbers, whatever an earlier view left behind
    _NEURON = {"x": 1.5, "w": 0.8, "b": -2.0, "y": "1"}
    submodes = {
        "graph": Submode("Forward, then backward", {"graph": "neuron", **_NEURON},
                         "A neuron and its loss as a computation graph: values flow right, gradients flow left.",
                         _GRAPH_CONTROLS),
        "backward": Submode("Backward only", {"graph": "neuron", **_NEURON},
                            "The forward values in place; the backward pass crosses one edge per step.",
                            _GRAPH_CONTROLS),
        "fork": Submode("Two paths add", {"graph": "decay", **_NEURON},
                        "w feeds the neuron and a penalty \u00bd\u03bbw\u00b2: its gradient sums both products.",
                        _GRAPH_CONTROLS[1:]),
        "matrix": Submode("Matrices and shapes", {"batch": 6, "hidden": 4},
                          "The MLP on a batch: each gradient has its matrix's shape; backward costs two GEMMs per layer.",
                          ("batch", "hidden")),
        "check": Submode("Gradient checking", {"prec": "fp64", **_NEURON},
                         "Backprop's \u2202L/\u2202w against secant slopes as the step h shrinks.",
                         ("prec",)),
        "cost": Submode("A real layer's cost", {"proj": "q", "tokens": 2048},
                        "One Llama 3 8B matrix: the forward GEMM and the two backward GEMMs.",
                        ("proj", "tokens")),
    }
    default_submode = "graph"

    def view(self) -> str:
        """The picture the sub-mode shows: graph, matrix, check or cost."""
        return "graph" if self.submode in ("fork", "backward") else self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "matrix":
            return self._draw_matrix(t)
        if v == "check":
            return self._draw_check(t)
        if v == "cost":
            return self._draw_cost(t)
        return self._draw_graph(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "matrix":
            out = self._matrix_events(t0, t1)
        elif v == "check":
            out = self._check_events(t0, t1)
        elif v == "cost":
            out = self._cost_events(t0, t1)
        else:
            out = self._graph_events(t0, t1)
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SMALL, fill="muted")

    # -- graph views ---------------------------------------------------------------------------

    def _graph_data(self) -> dict:
        run = graph_run(self["x"], self["w"], self["b"], int(self["y"]), self["graph"] == "decay")
        run["sched"] = graph_schedule(run, forward=self.submode != "backward")
        run["lines"] = [self._narrate(run, s) for s in run["sched"]]
        return run

    def _narrate(self, run: dict, step: tuple) -> tuple[str, str]:
        """The two lines under the graph for one step of the schedule."""
        vals, out = run["values"], run["out"]
        nodes = {n.name: n for n in run["nodes"]}
        f3 = fmt_fixed
        if step[0] == "start":
            return (f"Leaves: w = {f3(vals['w'], 1)}, x = {f3(vals['x'], 1)}, b = {f3(vals['b'], 1)}, "
                    f"label y = {int(nodes['L'].const)}.",
                    "The forward pass fills in each node's value, left to right.")
        if step[0] == "fwd":
            n = nodes[step[1]]
            a = [vals[i] for i in n.inputs]
            v = vals[n.name]
            if n.op == "mul":
                calc = f"{f3(a[0], 3)} \u00d7 {paren(f3(a[1], 3))}"
            elif n.op == "add":
                calc = f"{f3(a[0], 3)} + {paren(f3(a[1], 3))}"
            elif n.op == "sigmoid":
                calc = f"\u03c3({f3(a[0], 3)})"
            elif n.op == "bce":
                calc = (f"\u2212ln {n.inputs[0]} = \u2212ln {f3(a[0], 3)}" if n.const == 1
                        else f"\u2212ln(1 \u2212 {n.inputs[0]}) = \u2212ln {f3(1 - a[0], 3)}")
            else:
                calc = f"\u00bd \u00d7 {LAMBDA:g} \u00d7 {paren(f3(a[0], 3))}\u00b2"
            second = {"mul": "Each node needs only the values of the nodes it reads.",
                      "add": "The bias shifts the weighted sum: z is the neuron's logit.",
                      "sigmoid": "q is the probability the neuron gives label 1.",
                      "bce": "The loss: one number at the end of the graph.",
                      "half_sq": f"A penalty on the weight's size, \u03bb = {LAMBDA:g}: w is read a second time.",
                      }[n.op]
            if n.op == "add" and n.name == "J":
                second = "The total the optimizer minimises: loss plus penalty."
            return f"Forward: {node_title(n)} = {calc} = {f3(v, 3)}", second
        if step[0] == "filled":
            return (f"The forward pass has filled every value: {out} = {f3(vals[out], 3)}.",
                    "The backward pass will now give every node \u2202" + out + "/\u2202(its value), right to left.")
        if step[0] == "seed":
            return (f"Backward starts at the output: \u2202{out}/\u2202{out} = 1.",
                    "Each step multiplies an upstream gradient by one edge's local gradient.")
        if step[0] == "bwd":
            s = run["steps"][step[1]]
            n = nodes[s.node]
            i = n.inputs.index(s.to)
            first = (f"Backward: \u2202{out}/\u2202{s.to} = upstream \u00d7 local = {paren(f3(s.upstream, 3))} "
                     f"\u00d7 {paren(sig3(s.local))} = {f3(s.product, 3)}")
            earlier = s.total - s.product
            if abs(earlier) > 0 and any(o.to == s.to for o in run["steps"][:step[1]]):
                second = (f"{s.to} already held {f3(earlier, 3)} from its other path: the two add, "
                          f"{f3(earlier, 3)} + {paren(f3(s.product, 3))} = {f3(s.total, 3)}.")
            elif n.op == "sigmoid":
                q = vals[n.name]
                y = nodes["L"].const
                second = (f"Upstream \u2202{out}/\u2202{n.name}, times local {local_formula(n, i)} = {sig3(s.local)}: "
                          f"together q \u2212 y = {f3(q - y, 3)}, as chapter 1.3 found.")
            else:
                formula = local_formula(n, i)
                value = sig3(s.local)
                local = value if formula == value else f"{formula} = {value}"
                second = (f"Upstream \u2202{out}/\u2202{s.node} arrives from {s.node}; the local gradient of "
                          f"{s.node}'s own formula in {s.to} is {local}.")
                paths = sum(1 for o in run["steps"] if o.to == s.to)
                if paths > 1:
                    rest = "other" if paths == 2 else "others"
                    second = (f"{s.to} is read by {paths} nodes; this product comes from {s.node} (local "
                              f"{local}). The {rest} will add to it.")
            return first, second
        g = run["grads"]
        return (f"Done: \u2202{out}/\u2202w = {f3(g['w'], 3)}, \u2202{out}/\u2202b = {f3(g['b'], 3)}, "
                f"\u2202{out}/\u2202x = {f3(g['x'], 3)}.",
                f"{len(run['steps'])} products, one per edge, in one backward pass.")

    @staticmethod
    def _anchor(src: str, dst: str) -> tuple[float, float, float, float]:
        """Where the edge src → dst leaves src's box and enters dst's."""
        (x1, y1), (x2, y2) = POS[src], POS[dst]
        if abs(x2 - x1) < 1:
            sgn = 1 if y2 > y1 else -1
            return x1, y1 + sgn * BOX_H / 2, x2, y2 - sgn * BOX_H / 2
        return x1 + BOX_W / 2, y1, x2 - BOX_W / 2, y2

    def _graph_static(self) -> dict:
        d = self._graph_data()
        sc = Scene(*self.size)
        decay = self["graph"] == "decay"
        self._header(sc, "One neuron and its loss as a computation graph" + (", plus a penalty" if decay else ""),
                     "Forward: values flow right (blue). Backward: gradients flow left (orange), "
                     "upstream \u00d7 local on every edge.")
        for n in d["nodes"]:
            for i in n.inputs:
                x1, y1, x2, y2 = self._anchor(i, n.name)
                sc.arrow(x1, y1, x2, y2, stroke="faint", lw=2, head=9)
        for n in d["nodes"]:
            cx, cy = POS[n.name]
            sc.rect(cx - BOX_W / 2, cy - BOX_H / 2, BOX_W, BOX_H, fill="panel", stroke="muted", lw=1.5, r=8,
                    label=f"node {n.name}")
            sc.text(cx, cy - 26, node_title(n), size=NODE, bold=True, align="c")
        sc.rect(16, NARR_TOP, 928, 128, stroke="faint", r=8, label="narration")
        return {"items": sc.items, "d": d}

    def _draw_graph(self, t: float):
        d = self.cached("graph", self._graph_static)["d"]
        k, u = graph_position(t, len(d["sched"]))
        phase = min(10, int(u / TRAVEL * 10)) if u < TRAVEL else 10
        return self.memo("graph", (k, phase), lambda: self._graph_frame(k, phase / 10))

    def _graph_frame(self, k: int, travel: float):
        st = self.cached("graph", self._graph_static)
        d = st["d"]
        sched, nodes = d["sched"], d["nodes"]
        out = d["out"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        step = sched[k]
        fwd_done = {n.name for n in nodes if n.op == "input" or sched[0][0] == "filled"}
        for j in range(1, k + 1):
            s = sched[j]
            if s[0] == "fwd" and (j < k or travel >= 1):
                fwd_done.add(s[1])
        grads: dict[str, float] = {}
        crossed = []
        if any(s[0] in ("seed", "bwd", "done") for s in sched[:k + 1]):
            grads[out] = 1.0
        for j in range(k + 1):
            s = sched[j]
            if s[0] == "bwd" and (j < k or travel >= 1):
                b = d["steps"][s[1]]
                grads[b.to] = b.total
                crossed.append(b)
        # edges crossed backwards: the local gradient above, the product below, in orange
        for b in crossed:
            x1, y1, x2, y2 = self._anchor(b.to, b.node)
            sc.arrow(x2, y2, x1, y1, stroke="accent2", lw=2.5, head=9, alpha=0.55)
            self._edge_label(sc, b.to, b.node, f"\u00d7{paren(sig3(b.local))}", grad_text(b.product))
        # the moving dot of the current step
        if step[0] == "fwd":
            n = next(n for n in nodes if n.name == step[1])
            for i in n.inputs:
                x1, y1, x2, y2 = self._anchor(i, n.name)
                sc.arrow(x1, y1, x2, y2, stroke="accent", lw=3, head=10)
                if travel < 1:
                    sc.circle(x1 + (x2 - x1) * travel, y1 + (y2 - y1) * travel, 7, fill="accent")
        elif step[0] == "bwd":
            b = d["steps"][step[1]]
            x1, y1, x2, y2 = self._anchor(b.to, b.node)
            sc.arrow(x2, y2, x1, y1, stroke="accent2", lw=4, head=11)
            if travel < 1:
                sc.circle(x2 + (x1 - x2) * travel, y2 + (y1 - y2) * travel, 7, fill="accent2")
                self._edge_label(sc, b.to, b.node, f"\u00d7{paren(sig3(b.local))}", None)
        # node contents: value (once computed) and gradient (once it arrived)
        vals = d["values"]
        for n in nodes:
            cx, cy = POS[n.name]
            active = (step[0] == "fwd" and step[1] == n.name) or (
                step[0] == "bwd" and d["steps"][step[1]].to == n.name)
            if active:
                colour = "accent" if step[0] == "fwd" else "accent2"
                sc.rect(cx - BOX_W / 2 - 3, cy - BOX_H / 2 - 3, BOX_W + 6, BOX_H + 6, stroke=colour, lw=3, r=10)
            if n.name in fwd_done:
                sc.text(cx, cy + 2, f"= {grad_text(vals[n.name])}", size=BODY, align="c", font="mono")
            else:
                sc.text(cx, cy + 2, "?", size=BODY, align="c", fill="muted", font="mono")
            if n.name in grads:
                sc.text(cx, cy + 28, f"\u2202{out}/\u2202{n.name} = {grad_text(grads[n.name])}", size=SMALL,
                        align="c", fill="accent2", bold=True)
        line1, line2 = d["lines"][k]
        tag = self._step_tag(d, k)
        sc.text(32, NARR_TOP + 20, tag, size=SMALL, fill="muted", bold=True, base="m")
        sc.text(32, NARR_TOP + 50, line1, size=BODY, bold=True, base="m")
        sc.text(32, NARR_TOP + 78, line2, size=SMALL, fill="muted", base="m")
        sc.text(32, NARR_TOP + 104, f"y = {int(next(n for n in nodes if n.name == 'L').const)} is the label: a constant, "
                         f"so the graph computes no gradient for it.", size=SMALL, fill="muted", base="m")
        # telemetry shows what the passes have computed by this step, nothing ahead of them
        def known(mid: str, label: str, table: dict, key: str, unit: str = "") -> dict:
            if key in table:
                return metric(mid, label, table[key], fmt_fixed(table[key], 4), unit)
            return metric(mid, label, 0.0, "not yet computed", unit)

        shown = {name: vals[name] for name in fwd_done}
        tel = [metric("step", "step", k, f"{k} of {len(sched) - 1}", ""),
               known("loss", f"{out} (the output)", shown, out, "nats"),
               known("q", "q = \u03c3(z)", shown, "q")]
        tel += [known(f"g_{v}", f"\u2202{out}/\u2202{v}", grads, v) for v in ("w", "b", "x")]
        return sc, tel

    @staticmethod
    def _step_tag(d: dict, k: int) -> str:
        s = d["sched"][k]
        n_f = sum(1 for e in d["sched"] if e[0] == "fwd")
        n_b = len(d["steps"])
        if s[0] == "start":
            return "BEFORE THE FORWARD PASS"
        if s[0] == "filled":
            return "AFTER THE FORWARD PASS"
        if s[0] == "fwd":
            j = [e for e in d["sched"] if e[0] == "fwd"].index(s) + 1
            return f"FORWARD PASS, NODE {j} OF {n_f}"
        if s[0] == "seed":
            return "BACKWARD PASS, THE SEED"
        if s[0] == "bwd":
            return f"BACKWARD PASS, EDGE {s[1] + 1} OF {n_b}"
        return "BOTH PASSES DONE"

    def _edge_label(self, sc: Scene, src: str, dst: str, local: str, product: str | None) -> None:
        """The local gradient above an edge's middle, the product under it."""
        x1, y1, x2, y2 = self._anchor(src, dst)
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if abs(x2 - x1) < 1:       # a vertical edge: labels to its left
            sc.text(mx - 10, my - 12, local, size=SMALL, fill="accent3", bold=True, align="r")
            if product:
                sc.text(mx - 10, my + 12, product, size=SMALL, fill="accent2", align="r")
            return
        for text, dy, colour in ((local, -18, "accent3"), (product, 18, "accent2")):
            if text:
                w = len(text) * SMALL * 0.56
                # a chip of background under the label, so the edge line never runs through it
                sc.rect(mx - w / 2 - 2, my + dy - 10, w + 4, 20, fill="bg", r=4)
                sc.text(mx, my + dy, text, size=SMALL, fill=colour, bold=True, align="c")

    def _graph_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("graph", self._graph_static)["d"]
        n = len(d["sched"])
        period = (n - 1) * STEP_S + DONE_HOLD_S
        out = []
        for k in range(1, n):
            f, l_ = periodic_hits(t0, t1, k * STEP_S, period)
            if l_ >= f:
                out.append((l_ * period + k * STEP_S, d["lines"][k][0]))
        return [s for _, s in sorted(out)]

    # -- matrix view ---------------------------------------------------------------------------

    # heatmap columns: forward matrices on top, each gradient under the matrix whose shape it has
    COLS = ("X", "W1", "Z1", "H", "W2", "S", "P")
    GRAD_OF = {"X": "dX", "W1": "dW1", "Z1": "dZ1", "H": "dH", "W2": "dW2", "S": "dS", "P": None}
    TOP_F, TOP_B = 124, 328

    def _matrix_data(self) -> dict:
        return classifier_run(self["batch"], self["hidden"])

    def _dims(self, name: str) -> tuple[int, int]:
        bsz, hid = self["batch"], self["hidden"]
        base = name[1:] if name.startswith("d") else name
        return {"X": (bsz, D_IN), "W1": (D_IN, hid), "Z1": (bsz, hid), "H": (bsz, hid),
                "W2": (hid, CLASSES), "S": (bsz, CLASSES), "P": (bsz, CLASSES)}[base]

    def _matrix_layout(self) -> dict[str, tuple[float, float]]:
        """Left x of each column and the gap between columns, so the row spans the canvas."""
        widths = [self._dims(c)[1] * CELL for c in self.COLS]
        gap = (940 - 24 - sum(widths)) / (len(widths) - 1)
        xs, x = {}, 24.0
        for c, w in zip(self.COLS, widths):
            xs[c] = x
            x += w + gap
        return xs

    def _matrix_static(self) -> dict:
        d = self.cached("matrix_data", self._matrix_data)
        sc = Scene(*self.size)
        bsz, hid = self["batch"], self["hidden"]
        self._header(sc, f"The MLP in matrix form: B = {bsz} examples, hidden width h = {hid}",
                     "Each gradient sits under the matrix whose shape it has. Blue > 0, red < 0, each on its own scale.")
        xs = self._matrix_layout()
        sc.text(24, self.TOP_F - 40, "FORWARD PASS", size=SMALL, fill="accent", bold=True)
        sc.text(24, self.TOP_B - 36, "BACKWARD PASS", size=SMALL, fill="accent2", bold=True)
        for c in self.COLS:
            r, k = self._dims(c)
            sc.text(xs[c], self.TOP_F - 8, f"{c}  {r}\u00d7{k}", size=SMALL, bold=True, base="b")
            g = self.GRAD_OF[c]
            if g:
                sc.text(xs[c], self.TOP_B - 8, f"{g}  {r}\u00d7{k}", size=SMALL, bold=True, base="b",
                        fill="muted" if g == "dX" else "ink")
        # ledger of FLOPs, fixed part
        fwd = mlp_forward_flops(bsz, D_IN, hid, CLASSES)
        bwd = mlp_backward_flops(bsz, D_IN, hid, CLASSES)
        bwd_dx = mlp_backward_flops(bsz, D_IN, hid, CLASSES, input_grad=True)
        return {"items": sc.items, "xs": xs, "d": d, "fwd": fwd, "bwd": bwd, "bwd_dx": bwd_dx}

    def _matrix_position(self, t: float) -> tuple[int, int, float]:
        """(cycle, operation index, progress in it) at time ``t``; a cycle is one training step's passes."""
        period = len(MATRIX_OPS) * OP_S + OP_S
        cyc = int(t // period)
        tc = t - cyc * period
        j = min(int(tc // OP_S), len(MATRIX_OPS))
        return cyc, j, (tc - j * OP_S) / OP_S

    def _draw_matrix(self, t: float):
        cyc, j, _ = self._matrix_position(t)
        step = SHOWN_STEPS[cyc % len(SHOWN_STEPS)]
        return self.memo("matrix", (step, j), lambda: self._matrix_frame(step, j))

    def _matrix_values(self, p, params) -> dict[str, list[list[float]]]:
        W1, _, W2, _ = params
        return {"X": None, "W1": W1, "Z1": p.Z1, "H": p.H, "W2": W2, "S": p.S, "P": p.P,
                "dS": p.dS, "dW2": p.dW2, "dH": p.dH, "dZ1": p.dZ1, "dW1": p.dW1, "dX": p.dX}

    def _heat(self, sc: Scene, name: str, x: float, y: float, m, outline: str | None, faint: bool) -> None:
        r, k = len(m), len(m[0])
        vmax = max(1e-12, max(abs(v) for row in m for v in row))
        sc.grid(x, y, k * CELL, r * CELL, r, k, [v for row in m for v in row], cmap="div", vmin=-vmax, vmax=vmax,
                stroke="bg", label=name)
        if faint:
            sc.rect(x, y, k * CELL, r * CELL, fill="bg", alpha=0.65)
        if outline:
            sc.rect(x - 3, y - 3, k * CELL + 6, r * CELL + 6, stroke=outline, lw=3, r=3)

    def _matrix_frame(self, step: int, j: int):
        st = self.cached("matrix", self._matrix_static)
        d, xs = st["d"], st["xs"]
        bsz, hid = self["batch"], self["hidden"]
        p = d["passes"][step]
        vals = self._matrix_values(p, d["states"][step])
        vals["X"] = d["X"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        done = {"X", "W1", "W2"} | {op[1] for op in MATRIX_OPS[:j] if op[1]}
        cur = MATRIX_OPS[j] if j < len(MATRIX_OPS) else None
        operands = set(cur[2]) if cur else set()
        result = cur[1] if cur else None
        for c in self.COLS:
            r, k = self._dims(c)
            for name, top, row in ((c, self.TOP_F, "f"), (self.GRAD_OF[c], self.TOP_B, "b")):
                if not name:
                    continue
                x = xs[c]
                outline = "accent2" if name == result else ("accent" if name in operands else None)
                if name == "dX":
                    # crossed out: X is data, so nothing upstream needs its gradient
                    sc.rect(x, top, k * CELL, r * CELL, stroke="faint", lw=1.5, label="dX (not needed)")
                    sc.line(x, top, x + k * CELL, top + r * CELL, stroke="faint", lw=1.5)
                    sc.line(x + k * CELL, top, x, top + r * CELL, stroke="faint", lw=1.5)
                    continue
                if name in done or name == result:
                    self._heat(sc, name, x, top, vals[name], outline, faint=False)
                else:
                    sc.rect(x, top, k * CELL, r * CELL, stroke="faint", lw=1.5, label=f"{name} (not yet)")
        # the true class of each row, marked in P and dS
        for col, top, name in (("P", self.TOP_F, "P"), ("S", self.TOP_B, "dS")):
            if name in done or name == result:
                for i, yv in enumerate(d["labels"]):
                    sc.rect(xs[col] + yv * CELL, top + i * CELL, CELL, CELL, stroke="ink", lw=1.5)
        losses = d["losses"]
        # this step's loss exists once its forward pass has reached P
        loss_known = "P" in done or result == "P"
        sc.text(940, self.TOP_F - 40, f"training step {step}" + (f": loss {fmt_fixed(losses[step], 3)} nats"
                                                                 if loss_known else ""),
                size=SMALL, bold=True, align="r", fill="accent3")
        # narration and ledger
        f_done = sum(op_flops(op[0], bsz, hid) for op in MATRIX_OPS[:min(j + 1, N_FWD_OPS)])
        b_done = sum(op_flops(op[0], bsz, hid) for op in MATRIX_OPS[N_FWD_OPS:j + 1])
        line1, line2 = self._matrix_lines(cur, p, step, d)
        y0 = 514
        sc.text(24, y0, line1, size=BODY, bold=True, base="m")
        sc.text(24, y0 + 24, line2, size=SMALL, fill="muted", base="m")
        fwd, bwd, bwd_dx = st["fwd"], st["bwd"], st["bwd_dx"]
        scale = 300 / bwd_dx
        for i, (label, total, done_v, colour) in enumerate((("forward GEMMs", fwd, f_done, "accent"),
                                                            ("backward GEMMs", bwd, b_done, "accent2"))):
            yy = y0 + 52 + 22 * i
            sc.text(24, yy, label, size=SMALL, fill=colour, bold=True, base="m")
            sc.rect(160, yy - 8, total * scale, 16, stroke=colour, lw=1.5)
            if done_v:
                sc.rect(160, yy - 8, done_v * scale, 16, fill=colour, alpha=0.85)
            sc.text(160 + bwd_dx * scale + 12, yy, f"{done_v:,} of {total:,} FLOPs", size=SMALL, base="m")
        sc.text(660, y0 + 52, f"backward / forward: {bwd / fwd:.2f}\u00d7", size=SMALL, bold=True, base="m")
        sc.text(660, y0 + 74, f"with dX too: {bwd_dx / fwd:.2f}\u00d7", size=SMALL, fill="muted", base="m")
        tel = [
            metric("train_step", "training step", step, f"{step} of {TRAIN_STEPS}", ""),
            metric("loss", "loss (mean cross-entropy)", losses[step] if loss_known else 0.0,
                   f"{fmt_fixed(losses[step], 4)} nats" if loss_known else "not yet", "nats"),
            metric("fwd_flops", "forward GEMM FLOPs", fwd, f"{fwd:,}", "FLOP"),
            metric("bwd_flops", "backward GEMM FLOPs", bwd, f"{bwd:,}", "FLOP"),
            metric("ratio", "backward / forward", bwd / fwd, f"{bwd / fwd:.2f}\u00d7", ""),
            metric("ratio_dx", "backward / forward with dX", bwd_dx / fwd, f"{bwd_dx / fwd:.2f}\u00d7", ""),
        ]
        return sc, tel

    def _matrix_lines(self, cur, p, step: int, d: dict) -> tuple[str, str]:
        bsz, hid = self["batch"], self["hidden"]
        losses = d["losses"]
        if cur is None:
            nxt = SHOWN_STEPS[(SHOWN_STEPS.index(step) + 1) % len(SHOWN_STEPS)]
            return (f"Training step {step}: loss {fmt_fixed(losses[step], 3)} nats.",
                    f"Next: the same two passes at step {nxt}" + (" (the run starts over)." if nxt == 0 else "."))
        name = cur[0]
        fl = op_flops(name, bsz, hid)
        t = {
            "Z1": (f"Z1 = X\u00b7W1 + b1: ({bsz}\u00d7{D_IN})\u00b7({D_IN}\u00d7{hid}) = {bsz}\u00d7{hid}",
                   f"A GEMM: 2\u00b7{bsz}\u00b7{D_IN}\u00b7{hid} = {fl:,} FLOPs. One row per example."),
            "H": (f"H = ReLU(Z1): {bsz}\u00d7{hid}, entry by entry",
                  "Negative entries become 0; the backward pass will need to know which."),
            "S": (f"S = H\u00b7W2 + b2: ({bsz}\u00d7{hid})\u00b7({hid}\u00d7{CLASSES}) = {bsz}\u00d7{CLASSES}",
                  f"A GEMM: 2\u00b7{bsz}\u00b7{hid}\u00b7{CLASSES} = {fl:,} FLOPs. One logit per class."),
            "P": (f"P = softmax of each row; loss = mean of \u2212ln P[true class] = {fmt_fixed(p.loss, 3)} nats",
                  "Outlined cells: each example's true class."),
            "dS": (f"dS = (P \u2212 Y)/B: {bsz}\u00d7{CLASSES}, the shape of S",
                   "Chapter 0.6's slope: each probability, minus 1 at the true class; over B, as the loss is a mean."),
            "dW2": (f"dW2 = H\u1d40\u00b7dS: ({hid}\u00d7{bsz})\u00b7({bsz}\u00d7{CLASSES}) = {hid}\u00d7{CLASSES}, "
                    "the shape of W2",
                    f"A GEMM: {fl:,} FLOPs, the same as S = H\u00b7W2. It sums over the batch: B is the inner size."),
            "dH": (f"dH = dS\u00b7W2\u1d40: ({bsz}\u00d7{CLASSES})\u00b7({CLASSES}\u00d7{hid}) = {bsz}\u00d7{hid}, "
                   "the shape of H",
                   f"The second GEMM for the same layer: another {fl:,} FLOPs."),
            "dZ1": (f"dZ1 = dH where Z1 > 0, else 0: {bsz}\u00d7{hid}",
                    "ReLU's local gradient is 1 or 0: it passes or blocks each entry."),
            "dW1": (f"dW1 = X\u1d40\u00b7dZ1: ({D_IN}\u00d7{bsz})\u00b7({bsz}\u00d7{hid}) = {D_IN}\u00d7{hid}, "
                    "the shape of W1",
                    f"A GEMM: {fl:,} FLOPs. dX = dZ1\u00b7W1\u1d40 would cost as much; X is data, so it is skipped."),
            "update": (f"Update: W \u2190 W \u2212 {LR:g}\u00b7dW for W1, b1, W2, b2",
                       "One step of gradient descent; the next cycle shows a later step."),
        }[name]
        return t

    def _matrix_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("matrix_data", self._matrix_data)
        period = len(MATRIX_OPS) * OP_S + OP_S
        phase = len(MATRIX_OPS) * OP_S
        f, l_ = periodic_hits(t0, t1, phase, period)
        out = []
        for c in range(max(f, l_ - 3), l_ + 1):
            step = SHOWN_STEPS[c % len(SHOWN_STEPS)]
            out.append(f"Training step {step}: forward, backward and update done; loss "
                       f"{fmt_fixed(d['losses'][step], 3)} nats (it started at {fmt_fixed(d['losses'][0], 3)}).")
        return out

    # -- check view ----------------------------------------------------------------------------

    PLOT = (96, 96, 500, 372)

    def _check_data(self) -> dict:
        return check_run(self["x"], self["w"], self["b"], int(self["y"]), self["prec"])

    def _check_static(self) -> dict:
        d = self._check_data()
        sc = Scene(*self.size)
        prec = self["prec"]
        self._header(sc, "Gradient checking: secant slopes against the backward pass",
                     f"\u2202L/\u2202w of the neuron at x = {fmt_fixed(self['x'], 1)}, w = {fmt_fixed(self['w'], 1)}, "
                     f"b = {fmt_fixed(self['b'], 1)}, y = {self['y']}; every node rounded to {PRECISIONS[prec]}.")
        p = Plot(*self.PLOT, xlim=(1e-12, 1.0), ylim=(ERR_LO, ERR_HI), xlog=True, ylog=True)
        p.frame(sc, xticks=[10.0 ** e for e in range(-12, 1, 2)], yticks=[10.0 ** e for e in range(-12, 1, 2)],
                size=SMALL, xlabel="step h (log scale)", ylabel="|secant slope \u2212 backprop| (log scale)",
                marks=False)
        # the error model for the central difference: truncation plus round-off
        bound = [(h, central_difference_error_bound(h, d["value"], d["third"], d["u"])) for h in d["hs"]]
        p.polyline(sc, bound, stroke="accent3", lw=2, dash=(6, 5))
        pts = {}
        for key, colour in (("central", "accent2"), ("one_sided", "accent")):
            errs = [(h, max(abs(v - d["exact"]), ERR_LO)) for h, v in zip(d["hs"], d[key])]
            p.polyline(sc, errs, stroke=colour, lw=2, alpha=0.3)
            pts[key] = errs
        hb = d["h_best"]
        if hb and 1e-12 <= hb <= 1:
            p.vline(sc, hb, stroke="accent3", lw=1.5, dash=(3, 4))
        # legend, right
        lx = 640
        sc.line(lx, 104, lx + 26, 104, stroke="accent2", lw=3)
        sc.text(lx + 34, 104, "central (f(w+h) \u2212 f(w\u2212h))/2h", size=SMALL, fill="accent2", bold=True)
        sc.line(lx, 130, lx + 26, 130, stroke="accent", lw=3)
        sc.text(lx + 34, 130, "one-sided (f(w+h) \u2212 f(w))/h", size=SMALL, fill="accent", bold=True)
        sc.line(lx, 156, lx + 26, 156, stroke="accent3", lw=2, dash=(6, 5))
        sc.text(lx + 34, 156, "|f\u2034|h\u00b2/6 + u|f|/h", size=SMALL, fill="accent3", bold=True)
        hb_txt = fmt_sci(hb, "", 2) if hb else "none"
        sc.text(lx, 186, f"u = {fmt_sci(d['u'], '', 3)}: best h \u2248 {hb_txt}", size=SMALL, fill="accent3")
        sc.text(lx, 222, f"backprop: \u2202L/\u2202w = {d['exact']:.10f}".replace("-", MINUS), size=SMALL,
                bold=True)
        sc.text(20, 560, "Right half: truncation, error \u221d h\u00b2 (central) or h (one-sided). "
                         "Left half: round-off, error \u221d 1/h.", size=SMALL, fill="muted", base="m")
        return {"items": sc.items, "d": d, "plot": p, "pts": pts}

    def _check_position(self, t: float) -> int:
        period = len(H_EXPONENTS) * PROBE_S + CHECK_HOLD_S
        tc = t % period
        return min(int(tc // PROBE_S), len(H_EXPONENTS) - 1)

    def _draw_check(self, t: float):
        i = self._check_position(t)
        return self.memo("check", i, lambda: self._check_frame(i))

    def _check_frame(self, i: int):
        st = self.cached("check", self._check_static)
        d, p = st["d"], st["plot"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        for key, colour in (("central", "accent2"), ("one_sided", "accent")):
            p.polyline(sc, st["pts"][key][:i + 1], stroke=colour, lw=3)
            h, e = st["pts"][key][i]
            if p.contains(h, e):
                sc.circle(p.fx(h), p.fy(e), 6, fill=colour, stroke="bg", lw=2)
        h = d["hs"][i]
        p.vline(sc, h, stroke="ink", lw=1, dash=(3, 4))
        c, o, g = d["central"][i], d["one_sided"][i], d["exact"]
        lx = 640
        rows = [
            (f"h = {h_text(h)}", "ink", True),
            (f"central    {c:.10f}".replace("-", MINUS), "accent2", True),
            (f"    off by {fmt_sci(abs(c - g), '', 2)}", "accent2", False),
            (f"one-sided  {o:.10f}".replace("-", MINUS), "accent", True),
            (f"    off by {fmt_sci(abs(o - g), '', 2)}", "accent", False),
        ]
        for j, (s, colour, bold) in enumerate(rows):
            sc.text(lx, 262 + 28 * j, s, size=SMALL, fill=colour, bold=bold, base="m")
        best = min(range(len(d["hs"])), key=lambda j: abs(d["central"][j] - g))
        sc.text(lx, 420, f"closest central: h = {h_text(d['hs'][best])},", size=SMALL, base="m")
        sc.text(lx, 444, f"error {fmt_sci(abs(d['central'][best] - g), '', 2)}", size=SMALL, base="m")
        sc.text(20, 530, "Backprop's number is exact to rounding; a secant is an estimate, best at a middle h.",
                size=SMALL, fill="muted", base="m")
        tel = [
            metric("h", "step h", h, h_text(h), ""),
            metric("central", "central secant", c, f"{c:.10f}".replace("-", MINUS), ""),
            metric("exact", "backprop \u2202L/\u2202w", g, f"{g:.10f}".replace("-", MINUS), ""),
            metric("err_central", "central error", abs(c - g), fmt_sci(abs(c - g), "", 2), ""),
            metric("err_one_sided", "one-sided error", abs(o - g), fmt_sci(abs(o - g), "", 2), ""),
            metric("rel_central", "central relative error", relative_error(c, g),
                   fmt_sci(relative_error(c, g), "", 2), ""),
        ]
        return sc, tel

    def _check_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("check", self._check_static)["d"]
        period = len(H_EXPONENTS) * PROBE_S + CHECK_HOLD_S
        out = []
        g = d["exact"]
        for i, e in enumerate(H_EXPONENTS):
            if e != int(e) or e % 2:
                continue
            ph = i * PROBE_S
            f, l_ = periodic_hits(t0, t1, ph, period)
            if l_ >= f:
                h = d["hs"][i]
                out.append((l_ * period + ph, f"h = {h_text(h)}: central error "
                                              f"{fmt_sci(abs(d['central'][i] - g), '', 2)}, one-sided "
                                              f"{fmt_sci(abs(d['one_sided'][i] - g), '', 2)}."))
        return [s for _, s in sorted(out)]

    # -- cost view -----------------------------------------------------------------------------

    ROW_TOP = (84, 212, 340)     # each row: a label line, then the matrices (at most RECT_MAX tall)
    SLOT_C = (340, 585, 830)     # centres of the three operands' slots
    RECT_MAX = 96

    def _cost_static(self) -> dict:
        n = cost_numbers(self["proj"], self["tokens"])
        sc = Scene(*self.size)
        d_in, d_out, T = n["d_in"], n["d_out"], n["T"]
        self._header(sc, f"Llama 3 8B's {self['proj']} matrix on T = {T:,} token{'' if T == 1 else 's'}",
                     f"Y = X\u00b7W with W {d_in:,}\u00d7{d_out:,}. Backward: two GEMMs of the same size. "
                     "All drawn to one scale.")
        rows = (("FORWARD", "Y = X\u00b7W", (("X", T, d_in), ("W", d_in, d_out), ("Y", T, d_out)), n["fwd"],
                 "accent", "M, N, K = T, d_out, d_in"),
                ("BACKWARD", "dX = dY\u00b7W\u1d40", (("dY", T, d_out), ("W\u1d40", d_out, d_in), ("dX", T, d_in)),
                 n["dx"], "accent2", "M, N, K = T, d_in, d_out"),
                ("BACKWARD", "dW = X\u1d40\u00b7dY", (("X\u1d40", d_in, T), ("dY", T, d_out), ("dW", d_in, d_out)),
                 n["dw"], "accent2", "M, N, K = d_in, d_out, T"))
        scale = self.RECT_MAX / max(d_in, d_out, T)
        geo = []
        for (kind, eq, mats, fl, colour, mnk), top in zip(rows, self.ROW_TOP):
            sc.text(24, top + 12, kind, size=SMALL, fill=colour, bold=True, base="m")
            sc.text(24, top + 40, eq, size=BODY, bold=True, base="m")
            sc.text(24, top + 66, f"2\u00b7M\u00b7N\u00b7K = {fmt_flops(fl)}", size=SMALL, fill=colour, bold=True,
                    base="m")
            sc.text(24, top + 90, mnk, size=SMALL, fill="muted", base="m")
            boxes = []
            for j, ((name, r, c), cx) in enumerate(zip(mats, self.SLOT_C)):
                w, h = max(2.0, c * scale), max(2.0, r * scale)
                x, y = cx - w / 2, top + 26
                grad = name.startswith("d")
                sc.rect(x, y, w, h, stroke=colour if grad else "muted", lw=1.5, fill="panel", label=name)
                sc.text(cx, top + 12, f"{name}  {r:,}\u00d7{c:,}", size=SMALL, bold=grad, align="c", base="m",
                        fill=colour if grad else "ink")
                boxes.append((x, y, w, h))
            for j, glyph in ((1, "\u00d7"), (2, "=")):
                gx = (self.SLOT_C[j - 1] + self.SLOT_C[j]) / 2
                sc.text(gx, top + 26 + self.RECT_MAX / 2, glyph, size=BODY, bold=True, align="c", base="m")
            geo.append((boxes, fl, colour))
        return {"items": sc.items, "n": n, "geo": geo}

    def _cost_position(self, t: float) -> tuple[int, float]:
        period = 3 * GEMM_S + COST_HOLD_S
        tc = t % period
        g = min(int(tc // GEMM_S), 3)
        return g, 1.0 if g == 3 else (tc - g * GEMM_S) / GEMM_S

    def _draw_cost(self, t: float):
        g, u = self._cost_position(t)
        key = (g, min(20, int(u * 20)))
        return self.memo("cost", key, lambda: self._cost_frame(g, key[1] / 20))

    def _cost_frame(self, g: int, u: float):
        st = self.cached("cost", self._cost_static)
        n = st["n"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        counts = []
        for i, (boxes, fl, colour) in enumerate(st["geo"]):
            frac = 1.0 if i < g else (u if i == g else 0.0)
            x, y, w, h = boxes[2]
            if frac > 0:
                sc.rect(x, y, max(1.0, w * frac), h, fill=colour, alpha=0.6)
            if i == g:
                for bx, by, bw, bh in boxes:
                    sc.rect(bx - 3, by - 3, bw + 6, bh + 6, stroke=colour, lw=2.5)
            counts.append(fl * frac)
        fwd_done, bwd_done = counts[0], counts[1] + counts[2]
        y0 = 490
        scale = 420 / (n["fwd"] + n["bwd"])
        sc.text(24, y0, "forward", size=SMALL, fill="accent", bold=True, base="m")
        sc.rect(120, y0 - 9, n["fwd"] * scale, 18, stroke="accent", lw=1.5)
        if fwd_done:
            sc.rect(120, y0 - 9, fwd_done * scale, 18, fill="accent", alpha=0.85)
        sc.text(120 + 420 + 12, y0, f"{fmt_flops(fwd_done)} of {fmt_flops(n['fwd'])}", size=SMALL, base="m")
        sc.text(24, y0 + 28, "backward", size=SMALL, fill="accent2", bold=True, base="m")
        sc.rect(120, y0 + 19, n["bwd"] * scale, 18, stroke="accent2", lw=1.5)
        if bwd_done:
            sc.rect(120, y0 + 19, bwd_done * scale, 18, fill="accent2", alpha=0.85)
        sc.text(120 + 420 + 12, y0 + 28, f"{fmt_flops(bwd_done)} of {fmt_flops(n['bwd'])}", size=SMALL, base="m")
        mf, mb = n["model_fwd"], n["model_bwd"]
        sc.text(24, y0 + 62, f"All of Llama 3 8B's weight matrices, per token: forward {fmt_flops(mf)}, "
                             f"backward {fmt_flops(mb)} ({mb / mf:.0f}\u00d7).", size=SMALL, base="m")
        sc.text(24, y0 + 86, f"One training step's matrix work: {fmt_flops(mf + mb)} per token, "
                             f"{(mf + mb) / mf:.0f}\u00d7 the forward pass.", size=SMALL, fill="muted", base="m")
        tel = [
            metric("fwd", "forward FLOPs", n["fwd"], fmt_flops(n["fwd"]), "FLOP"),
            metric("dx", "dX FLOPs", n["dx"], fmt_flops(n["dx"]), "FLOP"),
            metric("dw", "dW FLOPs", n["dw"], fmt_flops(n["dw"]), "FLOP"),
            metric("ratio", "backward / forward", n["bwd"] / n["fwd"], f"{n['bwd'] / n['fwd']:.2f}\u00d7", ""),
            metric("model_fwd", "model forward per token", mf, fmt_flops(mf), "FLOP"),
            metric("model_bwd", "model backward per token", mb, fmt_flops(mb), "FLOP"),
        ]
        return sc, tel

    def _cost_events(self, t0: float, t1: float) -> list[str]:
        n = self.cached("cost", self._cost_static)["n"]
        period = 3 * GEMM_S + COST_HOLD_S
        out = []
        for i, (label, fl) in enumerate((("forward Y = X\u00b7W", n["fwd"]), ("backward dX = dY\u00b7W\u1d40", n["dx"]),
                                         ("backward dW = X\u1d40\u00b7dY", n["dw"]))):
            ph = (i + 1) * GEMM_S
            f, l_ = periodic_hits(t0, t1, ph, period)
            if l_ >= f:
                out.append((l_ * period + ph, f"{label}: {fmt_flops(fl)} done."))
        return [s for _, s in sorted(out)]
