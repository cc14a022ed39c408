"""Training dynamics: held-out data, minibatches, AdamW on a small network, LayerNorm and RMSNorm, deep stacks.

Three pieces, each pure Python and deterministic from a seed.

The fitting task. Noisy samples of sin x on [−3, 3]: y = sin x + σ·z with z
a standard normal draw (σ = :data:`NOISE`). No network can predict the
noise, so σ² is the lowest average squared error any fit can reach on
fresh samples; a training loss below it means the fit has learned some of
its training points' noise. The network is chapter 1.2's one hidden layer
of ReLUs, ŷ(x) = c + Σ a_j·ReLU(w_j·x + b_j); its loss and gradient come
from :mod:`llmviz.calc.mlp`, and each step is :func:`llmviz.calc.optimizers.adamw_step`
on the gradient of one minibatch.

Minibatches. The training points are visited in a fresh random order every
epoch, without replacement, and cut into batches of B: step s reads
positions s·B … s·B + B − 1 of the endless sequence of shuffled epochs.

Normalization. For a vector x of d numbers,
LayerNorm(x)ᵢ = γᵢ·(xᵢ − μ)/√(σ² + ε) + βᵢ with μ and σ² its mean and
(biased) variance (Ba, Kiros and Hinton 2016; PyTorch's ``LayerNorm``), and
RMSNorm(x)ᵢ = gᵢ·xᵢ/√(mean(x²) + ε) (Zhang and Sennrich 2019; Llama 3's
reference code puts ε inside the root, ε = 1e-5).

Deep stacks. A scalar input x goes through a linear layer to ``width``
numbers h₀, then through L blocks, then a linear layer to one output. Block
l reads h, optionally normalizes it (RMSNorm with a gain per entry),
applies ReLU and a linear map, F(u) = W·ReLU(u) + b, and either replaces h
(plain) or adds to it (residual):

    plain     h ← F(h)            norm      h ← F(RMSNorm(h))
    residual  h ← h + F(h)        prenorm   h ← h + F(RMSNorm(h))

``prenorm`` is the arrangement of a Llama block. Weights and biases start as
PyTorch's ``nn.Linear`` does, uniform in ±1/√fan_in; the gains start at 1.
Activations are kept unit by unit, each a list over the batch, so that
every inner loop is a ``map`` over the batch.
"""
from __future__ import annotations

import math
from itertools import repeat
from operator import add, mul, sub, truediv
from typing import NamedTuple, Sequence

from ..core.rng import lcg_uniforms, normals
from ._checks import finite, positive, positive_int
from .mlp import _loss_and_gradient, initial_params
from .optimizers import _adam_update

#: the noise σ of the fitting task's targets (output units); σ² is the best possible held-out loss
NOISE = 0.3
X_LO, X_HI = -3.0, 3.0
#: the block kinds of a deep stack, in the order the chapter meets them
BLOCKS = ("plain", "norm", "residual", "prenorm")
#: the default ε of the norms here: PyTorch's ``LayerNorm`` default, and Llama 3's ``rms_norm_eps`` too
RMS_EPS = 1e-5


# -- data and minibatches ----------------------------------------------------------------------


def noisy_sine(n: int, seed: int, noise: float = NOISE) -> tuple[list[float], list[float]]:
    """``n`` samples (x, sin x + noise·z) with x spread over [−3, 3], sorted by x.

    x_i is drawn uniformly inside the i-th of n equal slices of the range,
    so the points cover it without large gaps; z is a standard normal draw.
    The same ``seed`` gives the same points on every machine. Units: x and y
    are plain numbers (y in the target's units).
    """
    positive_int("n", n)
    positive("noise", noise, allow_zero=True)
    u = lcg_uniforms(seed, n)
    z = normals(seed + 1, n)
    xs = [X_LO + (X_HI - X_LO) * (i + u[i]) / n for i in range(n)]
    return xs, [math.sin(x) + noise * e for x, e in zip(xs, z)]


def epoch_order(n: int, epoch: int, seed: int) -> list[int]:
    """The order in which epoch ``epoch`` (from 0) visits the indices 0 … n − 1: a shuffle per epoch."""
    positive_int("n", n)
    positive_int("epoch", epoch, allow_zero=True)
    keys = lcg_uniforms(seed * 1_000_003 + epoch, n)
    return sorted(range(n), key=keys.__getitem__)


def minibatch(n: int, batch: int, step: int, seed: int) -> list[int]:
    """Indices (sorted) of the ``batch`` training points step ``step`` (from 0) reads.

    Steps take consecutive slices of the shuffled epochs, so every point is
    read once per epoch; a batch that does not divide n straddles two epochs.
    """
    positive_int("n", n)
    positive_int("batch", batch)
    positive_int("step", step, allow_zero=True)
    if batch > n:
        raise ValueError(f"batch must be at most n = {n}, got {batch!r}")
    return _batch_indices(n, batch, step, seed, {})


def _batch_indices(n: int, batch: int, step: int, seed: int, orders: dict[int, list[int]]) -> list[int]:
    """:func:`minibatch` without the checks; ``orders`` keeps each epoch's order for the next call."""
    out = []
    for p in range(step * batch, (step + 1) * batch):
        e = p // n
        if e not in orders:
            orders[e] = epoch_order(n, e, seed)
        out.append(orders[e][p % n])
    return sorted(out)


def epochs_seen(steps: int, batch: int, n: int) -> float:
    """Passes over the training set after ``steps`` steps of ``batch`` points each: steps·B/n."""
    positive_int("steps", steps, allow_zero=True)
    positive_int("batch", batch)
    positive_int("n", n)
    return steps * batch / n


# -- training the one-hidden-layer network with AdamW ------------------------------------------------


class FitState(NamedTuple):
    """A training run's state: flat parameters θ = w + b + a + [c], Adam's m and v, and steps taken."""

    theta: list[float]
    m: list[float]
    v: list[float]
    step: int


def fit_start(width: int, seed: int) -> FitState:
    """The state before any step: chapter 1.2's starting weights (:func:`llmviz.calc.mlp.initial_params`)."""
    w, b, a, c = initial_params(width, seed, X_LO, X_HI)
    theta = w + b + a + [c]
    return FitState(theta, [0.0] * len(theta), [0.0] * len(theta), 0)


def unflatten(theta: Sequence[float]) -> tuple[list[float], list[float], list[float], float]:
    """θ = w + b + a + [c] back to ``(w, b, a, c)``; its length is 3·width + 1."""
    k, r = divmod(len(theta) - 1, 3)
    if r or k < 1:
        raise ValueError(f"theta must hold 3·width + 1 numbers, got {len(theta)}")
    return list(theta[:k]), list(theta[k:2 * k]), list(theta[2 * k:3 * k]), theta[3 * k]


def fit_loss(theta: Sequence[float], xs: Sequence[float], ys: Sequence[float]) -> float:
    """Average squared error of the network θ on the points (xs sorted), in squared output units."""
    w, b, a, c = unflatten(theta)
    return _loss_and_gradient(w, b, a, c, list(xs), list(ys), "relu")[0]


def adamw_fit_step(state: FitState, xs: Sequence[float], ys: Sequence[float], lr: float,
                   weight_decay: float) -> tuple[FitState, float]:
    """One AdamW step on the minibatch (xs sorted, ys): returns the new state and the batch's loss before it.

    The gradient is the average over the batch's points only; every
    parameter then shrinks by lr·λ and takes Adam's step (β₁ = 0.9,
    β₂ = 0.999, ε = 1e-8), exactly :func:`llmviz.calc.optimizers.adamw_step`.
    ``lr`` > 0, ``weight_decay`` λ ≥ 0 per unit of learning rate.
    """
    positive("lr", lr)
    positive("weight_decay", weight_decay, allow_zero=True)
    return _fit_step(state, list(xs), list(ys), lr, weight_decay)


def _fit_step(state: FitState, xs: list[float], ys: list[float], lr: float,
              weight_decay: float) -> tuple[FitState, float]:
    w, b, a, c = unflatten(state.theta)
    loss, (gw, gb, ga, gc) = _loss_and_gradient(w, b, a, c, xs, ys, "relu")
    t = state.step + 1
    theta, m, v = _adam_update(state.theta, state.m, state.v, gw + gb + ga + [gc], t, lr, weight_decay,
                               0.9, 0.999, 1e-8)
    return FitState(theta, m, v, t), loss


def train_fit(width: int, lr: float, batch: int, weight_decay: float, steps: int, xs: Sequence[float],
              ys: Sequence[float], seed: int, start: FitState | None = None) -> list[FitState]:
    """``steps`` AdamW steps on minibatches of the points (xs sorted): the states after each step.

    Starts from ``start`` (a state of an earlier call, so a run can be
    extended) or from :func:`fit_start`. Step s reads the points
    :func:`minibatch` (n, batch, s, seed). A state whose parameters stop
    being finite ends the run early. Each step costs O(width + batch).
    """
    positive_int("steps", steps, allow_zero=True)
    positive("lr", lr)
    positive("weight_decay", weight_decay, allow_zero=True)
    xs, ys = list(map(float, xs)), list(map(float, ys))
    n = len(xs)
    positive_int("batch", batch)
    if batch > n:
        raise ValueError(f"batch must be at most the {n} points, got {batch!r}")
    state = start if start is not None else fit_start(width, seed)
    orders: dict[int, list[int]] = {}
    out = []
    for _ in range(steps):
        idx = _batch_indices(n, batch, state.step, seed, orders)
        state, _ = _fit_step(state, [xs[i] for i in idx], [ys[i] for i in idx], lr, weight_decay)
        if not all(map(math.isfinite, state.theta)):
            break
        out.append(state)
    return out


# -- normalization -------------------------------------------------------------------------------------


def _vec(name: str, x: Sequence[float]) -> list[float]:
    out = list(map(float, x))
    if not out or not all(map(math.isfinite, out)):
        raise ValueError(f"{name} must be a non-empty sequence of finite numbers")
    return out


def mean_and_variance(x: Sequence[float]) -> tuple[float, float]:
    """μ = mean(x) and the biased variance σ² = mean((x − μ)²) of one vector (σ² in x's units squared)."""
    x = _vec("x", x)
    mu = sum(x) / len(x)
    return mu, sum((v - mu) ** 2 for v in x) / len(x)


def root_mean_square(x: Sequence[float]) -> float:
    """RMS(x) = √(mean(x²)), in x's units; for a mean of 0 it equals the standard deviation."""
    x = _vec("x", x)
    return math.sqrt(sum(v * v for v in x) / len(x))


def layer_norm(x: Sequence[float], gain: Sequence[float] | None = None, bias: Sequence[float] | None = None,
               eps: float = RMS_EPS) -> list[float]:
    """LayerNorm(x)ᵢ = γᵢ·(xᵢ − μ)/√(σ² + ε) + βᵢ: mean 0 and variance about 1 before γ and β (unitless)."""
    x = _vec("x", x)
    positive("eps", eps, allow_zero=True)
    mu, var = mean_and_variance(x)
    if var + eps == 0:
        raise ValueError("a constant vector with eps = 0 has no scale to divide by")
    g = _vec("gain", gain) if gain is not None else [1.0] * len(x)
    b = _vec("bias", bias) if bias is not None else [0.0] * len(x)
    if len(g) != len(x) or len(b) != len(x):
        raise ValueError("gain and bias need one entry per entry of x")
    s = math.sqrt(var + eps)
    return [gi * (xi - mu) / s + bi for xi, gi, bi in zip(x, g, b)]


def rms_norm(x: Sequence[float], gain: Sequence[float] | None = None, eps: float = RMS_EPS) -> list[float]:
    """RMSNorm(x)ᵢ = gᵢ·xᵢ/√(mean(x²) + ε): root mean square about 1 before the gain; the mean is kept."""
    x = _vec("x", x)
    positive("eps", eps, allow_zero=True)
    ms = sum(v * v for v in x) / len(x)
    if ms + eps == 0:
        raise ValueError("a zero vector with eps = 0 has no scale to divide by")
    g = _vec("gain", gain) if gain is not None else [1.0] * len(x)
    if len(g) != len(x):
        raise ValueError("gain needs one entry per entry of x")
    r = math.sqrt(ms + eps)
    return [gi * xi / r for xi, gi in zip(x, g)]


def rms_norm_backward(x: Sequence[float], gain: Sequence[float], dy: Sequence[float],
                      eps: float = RMS_EPS) -> tuple[list[float], list[float]]:
    """The gradients (∂L/∂x, ∂L/∂g) of RMSNorm at x, given ∂L/∂y = ``dy``.

    With r = √(mean(x²) + ε), yᵢ = gᵢxᵢ/r, and d entries:
    ∂L/∂gᵢ = dyᵢ·xᵢ/r and ∂L/∂xᵢ = gᵢdyᵢ/r − xᵢ·Σₖ gₖdyₖxₖ / (d·r³).
    The second term is the norm's own doing: growing one entry grows r and
    so shrinks every output a little.
    """
    x, g, dy = _vec("x", x), _vec("gain", gain), _vec("dy", dy)
    positive("eps", eps, allow_zero=True)
    if not len(x) == len(g) == len(dy):
        raise ValueError("x, gain and dy need the same length")
    d = len(x)
    r = math.sqrt(sum(v * v for v in x) / d + eps)
    dot = sum(gi * di * xi for gi, di, xi in zip(g, dy, x))
    dx = [gi * di / r - xi * dot / (d * r ** 3) for gi, di, xi in zip(g, dy, x)]
    return dx, [di * xi / r for di, xi in zip(dy, x)]


# -- deep stacks ----------------------------------------------------------------------------------------


class DeepNet(NamedTuple):
    """A deep stack's parameters. Matrices are lists of rows; ``gains`` holds one RMSNorm gain vector per block."""

    w_in: list[float]             # width: the input layer's weights (one input)
    b_in: list[float]             # width
    w: list[list[list[float]]]    # depth × width × width: block l's matrix, row i = output unit i
    b: list[list[float]]          # depth × width
    gains: list[list[float]]      # depth × width (used by the norm and prenorm blocks)
    w_out: list[float]            # width: the output layer's weights
    b_out: float


def _block(kind: str) -> str:
    if kind not in BLOCKS:
        raise ValueError(f"block must be one of {', '.join(BLOCKS)}; got {kind!r}")
    return kind


def deep_init(depth: int, width: int, seed: int) -> DeepNet:
    """PyTorch's default start for every linear layer: weights and biases uniform in ±1/√fan_in; gains 1.

    The input layer has fan_in 1, the blocks and the output layer ``width``.
    One seed gives the same network on every machine.
    """
    positive_int("depth", depth)
    positive_int("width", width)
    n = 2 * width + depth * (width * width + width) + width + 1
    u = iter(lcg_uniforms(seed * 104_729 + depth, n))

    def draw(bound: float) -> float:
        return bound * (2.0 * next(u) - 1.0)

    k = 1.0 / math.sqrt(width)
    w_in = [draw(1.0) for _ in range(width)]
    b_in = [draw(1.0) for _ in range(width)]
    w = [[[draw(k) for _ in range(width)] for _ in range(width)] for _ in range(depth)]
    b = [[draw(k) for _ in range(width)] for _ in range(depth)]
    w_out = [draw(k) for _ in range(width)]
    return DeepNet(w_in, b_in, w, b, [[1.0] * width for _ in range(depth)], w_out, draw(k))


def _scale(v: list[float], s: float) -> list[float]:
    return list(map(mul, v, repeat(s)))


def _axpy(acc: list[float], s: float, v: list[float]) -> list[float]:
    return list(map(add, acc, map(mul, v, repeat(s))))


def _rms_rows(h: list[list[float]], eps: float) -> list[float]:
    """r[n] = √(mean over units of h[i][n]² + ε), one per sample."""
    d = len(h)
    sq = [0.0] * len(h[0])
    for hi in h:
        sq = list(map(add, sq, map(mul, hi, hi)))
    return [math.sqrt(s / d + eps) for s in sq]


def deep_forward_backward(net: DeepNet, xs: Sequence[float], ys: Sequence[float], block: str,
                          eps: float = RMS_EPS) -> dict:
    """One forward and backward pass of the stack over the batch (xs, ys), with the loss (1/N)·Σ(ŷ − y)².

    Returns ``loss``, ``grads`` (a :class:`DeepNet` of partial derivatives,
    same shapes), ``act_rms`` (the root mean square of h after the input
    layer and after each block, over units and samples: depth + 1 numbers)
    and ``grad_norms`` (the Frobenius norm √Σ(∂L/∂W)² of each block's
    matrix: depth numbers, block 1 first).
    """
    _block(block)
    positive("eps", eps, allow_zero=True)
    xs, ys = _vec("xs", xs), _vec("ys", ys)
    if len(xs) != len(ys):
        raise ValueError("xs and ys need the same length")
    nb, width, depth = len(xs), len(net.w_in), len(net.w)
    norm = block in ("norm", "prenorm")
    resid = block in ("residual", "prenorm")
    # forward, keeping what the backward pass reads
    h = [list(map(add, map(mul, xs, repeat(wi)), repeat(bi))) for wi, bi in zip(net.w_in, net.b_in)]
    hs, rs, us, acts = [h], [], [], []
    for l in range(depth):
        if norm:
            r = _rms_rows(h, eps)
            u = [_scale(list(map(truediv, hi, r)), gi) for hi, gi in zip(h, net.gains[l])]
        else:
            r, u = None, h
        a = [[v if v > 0 else 0.0 for v in ui] for ui in u]
        f = []
        for row, bi in zip(net.w[l], net.b[l]):
            acc = [bi] * nb
            for wij, aj in zip(row, a):
                acc = _axpy(acc, wij, aj)
            f.append(acc)
        h = [list(map(add, hi, fi)) for hi, fi in zip(h, f)] if resid else f
        rs.append(r)
        us.append(u)
        acts.append(a)
        hs.append(h)
    out = [net.b_out] * nb
    for wo, hi in zip(net.w_out, h):
        out = _axpy(out, wo, hi)
    err = list(map(sub, out, ys))
    loss = sum(map(mul, err, err)) / nb
    # backward: dout = 2e/N, then through the output layer, the blocks in reverse, the input layer
    dout = _scale(err, 2.0 / nb)
    gw_out = [sum(map(mul, dout, hi)) for hi in h]
    gb_out = sum(dout)
    dh = [_scale(dout, wo) for wo in net.w_out]
    gw, gb, gg = [None] * depth, [None] * depth, [None] * depth
    for l in reversed(range(depth)):
        a, u, r, h_in = acts[l], us[l], rs[l], hs[l]
        df = dh
        gw[l] = [[sum(map(mul, dfi, aj)) for aj in a] for dfi in df]
        gb[l] = [sum(dfi) for dfi in df]
        da = [[0.0] * nb for _ in range(width)]
        for row, dfi in zip(net.w[l], df):
            da = [_axpy(daj, wij, dfi) for daj, wij in zip(da, row)]
        du = [[g if v > 0 else 0.0 for g, v in zip(daj, uj)] for daj, uj in zip(da, u)]
        if norm:
            gains = net.gains[l]
            gg[l] = [sum(map(mul, dui, map(truediv, hi, r))) for dui, hi in zip(du, h_in)]
            # Σ_k g_k·du_k·h_k per sample, then the two terms of rms_norm_backward
            dot = [0.0] * nb
            for gk, duk, hk in zip(gains, du, h_in):
                dot = list(map(add, dot, map(mul, map(mul, duk, hk), repeat(gk))))
            coef = [dt / (width * ri ** 3) for dt, ri in zip(dot, r)]
            dh_in = [list(map(sub, map(truediv, _scale(dui, gi), r), map(mul, hi, coef)))
                     for dui, gi, hi in zip(du, gains, h_in)]
        else:
            gg[l] = [0.0] * width
            dh_in = du
        dh = [list(map(add, a1, a2)) for a1, a2 in zip(dh_in, dh)] if resid else dh_in
    gw_in = [sum(map(mul, dhi, xs)) for dhi in dh]
    gb_in = [sum(dhi) for dhi in dh]
    grads = DeepNet(gw_in, gb_in, gw, gb, gg, gw_out, gb_out)
    act_rms = [math.sqrt(sum(sum(map(mul, hi, hi)) for hi in hh) / (width * nb)) for hh in hs]
    grad_norms = [math.sqrt(sum(v * v for row in g for v in row)) for g in gw]
    return {"loss": loss, "grads": grads, "act_rms": act_rms, "grad_norms": grad_norms}


def deep_flatten(net: DeepNet) -> list[float]:
    """All of a stack's numbers in one list, in :class:`DeepNet` field order."""
    out = list(net.w_in) + list(net.b_in)
    for m in net.w:
        for row in m:
            out += row
    for v in net.b:
        out += v
    for v in net.gains:
        out += v
    return out + list(net.w_out) + [net.b_out]


def deep_unflatten(flat: Sequence[float], depth: int, width: int) -> DeepNet:
    """The inverse of :func:`deep_flatten` for a stack of ``depth`` blocks of ``width``."""
    n = 2 * width + depth * (width * width + 2 * width) + width + 1
    if len(flat) != n:
        raise ValueError(f"a stack of depth {depth} and width {width} has {n} numbers, got {len(flat)}")
    it = iter(flat)
    take = lambda k: [next(it) for _ in range(k)]   # noqa: E731
    w_in, b_in = take(width), take(width)
    w = [[take(width) for _ in range(width)] for _ in range(depth)]
    b = [take(width) for _ in range(depth)]
    gains = [take(width) for _ in range(depth)]
    return DeepNet(w_in, b_in, w, b, gains, take(width), next(it))


def train_deep(depth: int, width: int, block: str, xs: Sequence[float], ys: Sequence[float], lr: float,
               steps: int, seed: int) -> list[float]:
    """Full-batch Adam on the stack from :func:`deep_init`: the loss before each step and after the last.

    Returns ``steps`` + 1 losses (squared output units), fewer if the loss
    stops being finite. Adam (β₁ = 0.9, β₂ = 0.999) without weight decay,
    the same learning rate ``lr`` for every block kind.
    """
    positive_int("steps", steps, allow_zero=True)
    positive("lr", lr)
    theta = deep_flatten(deep_init(depth, width, seed))
    m, v = [0.0] * len(theta), [0.0] * len(theta)
    losses = []
    for t in range(1, steps + 2):
        res = deep_forward_backward(deep_unflatten(theta, depth, width), xs, ys, block)
        losses.append(res["loss"])
        if t == steps + 1 or not math.isfinite(res["loss"]):
            break
        theta, m, v = _adam_update(theta, m, v, deep_flatten(res["grads"]), t, lr, 0.0, 0.9, 0.999, 1e-8)
    return losses
