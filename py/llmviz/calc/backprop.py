"""Backpropagation: a computation graph of numbers, its two passes, gradient checks, and what a backward pass costs.

A computation graph lists a calculation one operation at a time: each node
names one value, the operation that made it and the earlier nodes it read.
The forward pass evaluates the nodes in that order. The backward pass walks
them in reverse: every node, once it holds ∂out/∂(its value) (the upstream
gradient), multiplies that by the local gradient of its operation with
respect to each input and adds the product to the input's total. An input
read by several nodes collects one product from each. This is the chain
rule of chapter 0.5, organised so that one backward pass gives the partial
derivative of one output with respect to every value in the graph.

Gradient checking compares those partial derivatives with secant slopes.
The central difference (f(x + h) − f(x − h))/(2h) is off by about
|f‴|·h²/6 (truncation), and rounding each evaluation of f to a relative
error u adds about u·|f|/h (round-off): the total is least near
h* = (3u|f|/|f‴|)^(1/3).

Matrix layers. In row form a linear layer computes Y = X·W (X is T×d_in,
W is d_in×d_out). Its backward pass is two GEMMs of the same size as the
forward one: dW = Xᵀ·dY and dX = dY·Wᵀ, so it costs twice the forward
FLOPs (once, if X needs no gradient). The one-hidden-layer classifier here
is chapter 1.2's MLP in that form, trained on chapter 0.6's softmax
cross-entropy.

Units: graph values and gradients are plain numbers (a gradient is the
output's units per unit of the input); steps h are in the input's units;
FLOPs are counts of floating-point operations.
"""
from __future__ import annotations

import math
import struct
from operator import mul
import sys
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from ._checks import finite, positive, positive_int
from .functions import sigmoid
from .gemm import gemm_flops, layer_projections
from .information import softmax


# -- the computation graph ---------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One kind of node: how many inputs it reads, its value, and its local gradients.

    ``forward(args, c)`` is the node's value from its inputs' values and its
    constant ``c``; ``local(args, out, c)`` is the tuple of partial
    derivatives ∂out/∂arg, one per input, at those values.
    """

    arity: int
    forward: Callable[[Sequence[float], float], float]
    local: Callable[[Sequence[float], float, float], tuple[float, ...]]


def _bce(q: float, y: float) -> float:
    total = 0.0
    for weight, share in ((y, q), (1.0 - y, 1.0 - q)):
        if weight:
            if share <= 0:
                raise ValueError("bce: the model gave probability 0 to an outcome the label allows")
            total -= weight * math.log(share)
    return total + 0.0


def _bce_local(q: float, y: float) -> float:
    if not 0 < q < 1:
        raise ValueError(f"bce: its slope in q needs 0 < q < 1, got {q!r}")
    return (q - y) / (q * (1.0 - q))


#: the operations a graph node may use; "input" nodes are leaves set from outside
OPS: dict[str, Op] = {
    "add": Op(2, lambda a, c: a[0] + a[1], lambda a, out, c: (1.0, 1.0)),
    "sub": Op(2, lambda a, c: a[0] - a[1], lambda a, out, c: (1.0, -1.0)),
    "mul": Op(2, lambda a, c: a[0] * a[1], lambda a, out, c: (a[1], a[0])),
    "sigmoid": Op(1, lambda a, c: sigmoid(a[0]), lambda a, out, c: (out * (1.0 - out),)),
    "relu": Op(1, lambda a, c: a[0] if a[0] > 0 else 0.0, lambda a, out, c: (1.0 if a[0] > 0 else 0.0,)),
    "square": Op(1, lambda a, c: a[0] * a[0], lambda a, out, c: (2.0 * a[0],)),
    # binary cross-entropy of a probability q against the label c (chapter 1.3)
    "bce": Op(1, lambda a, c: _bce(a[0], c), lambda a, out, c: (_bce_local(a[0], c),)),
    # ½·c·a², the penalty whose slope c·a is chapter 0.7's weight-decay shrink
    "half_sq": Op(1, lambda a, c: 0.5 * c * a[0] * a[0], lambda a, out, c: (c * a[0],)),
}


@dataclass(frozen=True)
class GraphNode:
    """One value of a computation graph: ``name = op(inputs…)`` with the constant ``const``.

    ``op`` is ``"input"`` for a leaf, whose value is given from outside, or
    one of :data:`OPS`. ``inputs`` name earlier nodes.
    """

    name: str
    op: str
    inputs: tuple[str, ...] = ()
    const: float = 0.0


@dataclass(frozen=True)
class BackwardStep:
    """One product of the backward pass: ``node`` sends ``upstream × local`` to its input ``to``.

    ``upstream`` is ∂out/∂node, ``local`` is ∂node/∂to, ``product`` their
    product, and ``total`` the gradient ``to`` holds after adding it.
    """

    node: str
    to: str
    upstream: float
    local: float
    product: float
    total: float


def check_graph(nodes: Sequence[GraphNode]) -> list[GraphNode]:
    """The nodes, checked: unique names, known operations, the right number of inputs, each defined earlier."""
    seen: set[str] = set()
    out = list(nodes)
    if not out:
        raise ValueError("a graph needs at least one node")
    for n in out:
        if n.name in seen:
            raise ValueError(f"node {n.name!r} is defined twice")
        if n.op == "input":
            if n.inputs:
                raise ValueError(f"input node {n.name!r} reads no other node")
        elif n.op not in OPS:
            raise ValueError(f"node {n.name!r}: op must be input or one of {', '.join(OPS)}; got {n.op!r}")
        elif len(n.inputs) != OPS[n.op].arity:
            raise ValueError(f"node {n.name!r}: {n.op} reads {OPS[n.op].arity} input(s), got {len(n.inputs)}")
        for i in n.inputs:
            if i not in seen:
                raise ValueError(f"node {n.name!r} reads {i!r}, which is not defined before it")
        finite(f"const of {n.name}", n.const)
        seen.add(n.name)
    return out


def graph_forward(nodes: Sequence[GraphNode], leaves: Mapping[str, float],
                  rounding: Callable[[float], float] | None = None) -> dict[str, float]:
    """The forward pass: every node's value, in the graph's order.

    ``leaves`` gives each input node's value. ``rounding``, if given, is
    applied to every value as it is made (leaves included), which evaluates
    the graph in a narrower number format, one rounding per operation.
    """
    values: dict[str, float] = {}
    for n in check_graph(nodes):
        if n.op == "input":
            if n.name not in leaves:
                raise ValueError(f"no value given for the input {n.name!r}")
            v = float(finite(n.name, leaves[n.name]))
        else:
            v = OPS[n.op].forward([values[i] for i in n.inputs], n.const)
        values[n.name] = rounding(v) if rounding else v
    return values


def local_gradients(node: GraphNode, values: Mapping[str, float]) -> tuple[float, ...]:
    """∂node/∂input for each of ``node``'s inputs, at the forward pass's ``values`` (empty for a leaf)."""
    if node.op == "input":
        return ()
    return OPS[node.op].local([values[i] for i in node.inputs], values[node.name], node.const)


def graph_backward(nodes: Sequence[GraphNode], values: Mapping[str, float],
                   output: str | None = None) -> tuple[dict[str, float], list[BackwardStep]]:
    """The backward pass from ``output`` (default: the last node): ∂output/∂v for every node v.

    Starts from ∂output/∂output = 1 and visits the nodes in reverse order.
    A node is visited only after every node that reads it, so its gradient
    is complete when it passes it on. Returns the gradients and the
    products in the order they were made (:class:`BackwardStep`).
    """
    nodes = check_graph(nodes)
    names = [n.name for n in nodes]
    output = names[-1] if output is None else output
    if output not in names:
        raise ValueError(f"output must name a node of the graph, got {output!r}")
    grads = {name: 0.0 for name in names}
    grads[output] = 1.0
    steps: list[BackwardStep] = []
    for n in reversed(nodes[:names.index(output) + 1]):
        up = grads[n.name]
        for to, local in zip(n.inputs, local_gradients(n, values)):
            product = up * local
            grads[to] += product
            steps.append(BackwardStep(n.name, to, up, local, product, grads[to]))
    return grads, steps


# -- secant slopes and their errors ------------------------------------------------------------


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """(f(x + h) − f(x − h)) / (2h): the slope of the secant through two points straddling x.

    Its error shrinks like h² (the forward secant of chapter 0.5 shrinks
    like h). ``h`` must be non-zero; the unit is f's output per unit of x.
    """
    finite("x", x)
    finite("h", h)
    if h == 0:
        raise ValueError("h must be non-zero: the two points would coincide")
    return (f(x + h) - f(x - h)) / (2.0 * h)


def numerical_gradient(f: Callable[[Sequence[float]], float], params: Sequence[float],
                       h: float = 1e-6) -> list[float]:
    """Every partial derivative of ``f`` at ``params`` by central differences: 2 evaluations each."""
    ps = [float(finite(f"params[{i}]", p)) for i, p in enumerate(params)]
    out = []
    for i in range(len(ps)):
        def along(v, i=i):
            q = list(ps)
            q[i] = v
            return f(q)
        out.append(central_difference(along, ps[i], h))
    return out


def relative_error(a: float, b: float) -> float:
    """|a − b| / max(|a|, |b|): 0 for equal numbers, 1 or more when they disagree in sign (pure number)."""
    finite("a", a)
    finite("b", b)
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def unit_roundoff(dtype: str) -> float:
    """The largest relative error of rounding a real number to ``dtype``: half its machine epsilon.

    "fp64" is Python's float (2⁻⁵³); "fp32" and narrower formats come from
    the catalog (FP32: 2⁻²⁴).
    """
    if dtype in ("fp64", "float64"):
        return sys.float_info.epsilon / 2
    from ..catalog import get_format
    fmt = get_format(dtype)
    if fmt.kind != "float":
        raise ValueError(f"dtype must be a floating-point format, got {dtype!r}")
    return fmt.epsilon / 2


def round_to_float32(x: float) -> float:
    """``x`` rounded to the nearest 32-bit float (ties to even), returned as a Python float."""
    finite("x", x)
    return struct.unpack("<f", struct.pack("<f", x))[0]


def central_difference_error_bound(h: float, value: float, third_derivative: float, u: float) -> float:
    """|f‴|·h²/6 + u·|f|/h: truncation plus round-off of a central difference (units of the slope).

    ``value`` is f near x, ``third_derivative`` f‴ there, ``u`` the unit
    round-off of each evaluation of f (:func:`unit_roundoff`). Large h: the
    first term, falling as h². Small h: the second, rising as 1/h.
    """
    positive("h", h)
    finite("value", value)
    finite("third_derivative", third_derivative)
    positive("u", u)
    return abs(third_derivative) * h * h / 6.0 + u * abs(value) / h


def best_central_step(value: float, third_derivative: float, u: float) -> float:
    """The h that minimises :func:`central_difference_error_bound`: (3u|f|/|f‴|)^(1/3) (units of x)."""
    finite("value", value)
    finite("third_derivative", third_derivative)
    positive("u", u)
    if third_derivative == 0 or value == 0:
        raise ValueError("the best step needs f and f‴ both non-zero")
    return (3.0 * u * abs(value) / abs(third_derivative)) ** (1.0 / 3.0)


# -- the matrix form: a one-hidden-layer classifier ---------------------------------------------

Matrix = list[list[float]]


def _shape(name: str, a: Matrix) -> tuple[int, int]:
    if not a or not a[0] or any(len(r) != len(a[0]) for r in a):
        raise ValueError(f"{name} must be a non-empty rectangular list of rows")
    return len(a), len(a[0])


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """The product of an M×K and a K×N matrix, as lists of rows; ``ValueError`` if K differs."""
    (m, k), (k2, _n) = _shape("a", a), _shape("b", b)
    if k != k2:
        raise ValueError(f"inner dimensions differ: ({m}×{k})·({k2}×{_n})")
    cols = list(zip(*b))
    return [[sum(map(mul, row, col)) for col in cols] for row in a]


def transpose(a: Matrix) -> Matrix:
    """Aᵀ, rows as columns: an M×K matrix becomes K×M."""
    _shape("a", a)
    return [list(c) for c in zip(*a)]


@dataclass(frozen=True)
class MLPPasses:
    """Every matrix of one forward and one backward pass of the classifier (lists of rows).

    Forward: Z1 = X·W1 + b1, H = ReLU(Z1), S = H·W2 + b2, P = softmax of each
    row of S, ``loss`` = mean over rows of −ln P[row, label]. Backward (each
    gradient has the shape of its matrix): dS = (P − Y)/B, dW2 = Hᵀ·dS,
    db2 = column sums of dS, dH = dS·W2ᵀ, dZ1 = dH where Z1 > 0 (else 0),
    dW1 = Xᵀ·dZ1, db1 = column sums of dZ1, dX = dZ1·W1ᵀ.
    """

    Z1: Matrix
    H: Matrix
    S: Matrix
    P: Matrix
    loss: float
    dS: Matrix
    dW2: Matrix
    db2: list[float]
    dH: Matrix
    dZ1: Matrix
    dW1: Matrix
    db1: list[float]
    dX: Matrix


def mlp_passes(X: Matrix, labels: Sequence[int], W1: Matrix, b1: Sequence[float],
               W2: Matrix, b2: Sequence[float]) -> MLPPasses:
    """Forward and backward pass of ŷ = softmax(ReLU(X·W1 + b1)·W2 + b2) on a batch, in nats.

    X is B×d_in (one example per row), W1 d_in×h, W2 h×C; ``labels`` holds
    each row's true class in [0, C). The loss is the mean cross-entropy;
    its slope in the logits is (P − Y)/B: per example, chapter 0.6's
    probabilities minus the one-hot target.
    """
    bsz, d_in = _shape("X", X)
    d1, hid = _shape("W1", W1)
    h2, ncls = _shape("W2", W2)
    if d1 != d_in or h2 != hid or len(b1) != hid or len(b2) != ncls:
        raise ValueError(f"shapes do not chain: X {bsz}×{d_in}, W1 {d1}×{hid}, b1 {len(b1)}, "
                         f"W2 {h2}×{ncls}, b2 {len(b2)}")
    labels = list(labels)
    if len(labels) != bsz or any(isinstance(y, bool) or not isinstance(y, int) or not 0 <= y < ncls
                                 for y in labels):
        raise ValueError(f"labels must hold {bsz} whole numbers in [0, {ncls - 1}]")
    Z1 = [[z + b for z, b in zip(row, b1)] for row in matmul(X, W1)]
    H = [[z if z > 0 else 0.0 for z in row] for row in Z1]
    S = [[s + b for s, b in zip(row, b2)] for row in matmul(H, W2)]
    P = [softmax(row) for row in S]
    loss = math.fsum(-math.log(P[i][y]) for i, y in enumerate(labels)) / bsz
    dS = [[(p - (1.0 if j == y else 0.0)) / bsz for j, p in enumerate(row)] for row, y in zip(P, labels)]
    dW2 = matmul(transpose(H), dS)
    db2 = [math.fsum(c) for c in zip(*dS)]
    dH = matmul(dS, transpose(W2))
    dZ1 = [[g if z > 0 else 0.0 for g, z in zip(grow, zrow)] for grow, zrow in zip(dH, Z1)]
    dW1 = matmul(transpose(X), dZ1)
    db1 = [math.fsum(c) for c in zip(*dZ1)]
    dX = matmul(dZ1, transpose(W1))
    return MLPPasses(Z1, H, S, P, loss, dS, dW2, db2, dH, dZ1, dW1, db1, dX)


MLPParams = tuple[Matrix, list[float], Matrix, list[float]]   # (W1, b1, W2, b2)


def mlp_descent(X: Matrix, labels: Sequence[int], params: MLPParams, lr: float,
                steps: int) -> tuple[list[MLPParams], list[float]]:
    """``steps`` full-batch gradient-descent steps on :func:`mlp_passes`'s loss.

    Returns the parameters after 0, 1, …, ``steps`` steps and the loss at
    each (nats): every step is one forward pass, one backward pass, and
    W ← W − ``lr``·dW for each of W1, b1, W2, b2.
    """
    positive("lr", lr)
    positive_int("steps", steps, allow_zero=True)
    W1, b1, W2, b2 = ([list(map(float, r)) for r in params[0]], list(map(float, params[1])),
                      [list(map(float, r)) for r in params[2]], list(map(float, params[3])))
    states: list[MLPParams] = [(W1, b1, W2, b2)]
    losses: list[float] = []
    for _ in range(steps + 1):
        p = mlp_passes(X, labels, W1, b1, W2, b2)
        losses.append(p.loss)
        if len(states) > steps:
            break
        W1 = [[w - lr * g for w, g in zip(r, gr)] for r, gr in zip(W1, p.dW1)]
        b1 = [w - lr * g for w, g in zip(b1, p.db1)]
        W2 = [[w - lr * g for w, g in zip(r, gr)] for r, gr in zip(W2, p.dW2)]
        b2 = [w - lr * g for w, g in zip(b2, p.db2)]
        states.append((W1, b1, W2, b2))
    return states, losses


# -- what the backward pass costs -------------------------------------------------------------------


def linear_backward_flops(d_in: int, d_out: int, tokens: int = 1, input_grad: bool = True) -> int:
    """FLOPs of the backward pass of Y = X·W for ``tokens`` rows: dW = Xᵀ·dY, and dX = dY·Wᵀ if wanted.

    dW is the GEMM (d_in×T)·(T×d_out), dX the GEMM (T×d_out)·(d_out×d_in):
    each costs 2·T·d_in·d_out, the forward product's FLOPs. So the backward
    pass costs twice the forward one, or the same when the input needs no
    gradient (it is data, not the output of an earlier layer).
    """
    dw = gemm_flops(d_in, d_out, tokens)
    return dw + (gemm_flops(tokens, d_in, d_out) if input_grad else 0)


def mlp_forward_flops(batch: int, d_in: int, hidden: int, classes: int) -> int:
    """FLOPs of the classifier's two matrix products on a batch: 2·B·d_in·h + 2·B·h·C.

    Counts the GEMMs only; biases, ReLU and softmax add O(B·(h + C)) more.
    """
    return gemm_flops(batch, hidden, d_in) + gemm_flops(batch, classes, hidden)


def mlp_backward_flops(batch: int, d_in: int, hidden: int, classes: int, input_grad: bool = False) -> int:
    """FLOPs of the classifier's backward GEMMs: dW2, dH and dW1, plus dX if ``input_grad``.

    The second layer always needs dH (the first layer's upstream gradient);
    the first layer's input is data, so dX is usually skipped.
    """
    return (linear_backward_flops(hidden, classes, batch, input_grad=True)
            + linear_backward_flops(d_in, hidden, batch, input_grad=input_grad))


def backward_matmul_flops_per_token(model) -> int:
    """FLOPs of the backward products of every weight matrix one token passes through, in FLOPs.

    Each projection of each layer (:func:`~llmviz.calc.gemm.layer_projections`)
    and the output matrix needs dW and dX: twice
    :func:`~llmviz.calc.gemm.matmul_flops_per_token`. The first layer's input
    is the embedding row, itself a parameter, so no dX can be skipped.
    """
    from ..catalog import get_model

    m = get_model(model)
    per_layer = sum(linear_backward_flops(d_in, d_out) for d_in, d_out in layer_projections(m).values())
    return m.layers * per_layer + linear_backward_flops(m.hidden, m.vocab)
