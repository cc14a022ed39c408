"""A one-hidden-layer network on one input: its pieces, its fit, its gradient, and ReLU interpolation.

The network maps a number x to

    ŷ(x) = c + Σ_j a_j · f(w_j·x + b_j),

hidden unit j having input weight w_j, bias b_j and output weight a_j, and
c the output bias (a₀ in chapter 1.2's notation). With f = ReLU every term a_j·ReLU(w_j·x + b_j) is a
ramp: flat on one side of its bend (knot) at x = −b_j/w_j, straight with
slope a_j·w_j on the other. With f the identity ("linear") every term is a
straight line, and so is their sum.

Training minimises the average squared error L = (1/N)·Σ_i (ŷ(x_i) − y_i)²
over N samples by gradient descent. The chain rule gives, with
e_i = ŷ(x_i) − y_i and h_ij = f(w_j·x_i + b_j):

    ∂L/∂c   = (2/N)·Σ_i e_i
    ∂L/∂a_j = (2/N)·Σ_i e_i·h_ij
    ∂L/∂w_j = (2/N)·a_j·Σ_i e_i·f′(w_j·x_i + b_j)·x_i
    ∂L/∂b_j = (2/N)·a_j·Σ_i e_i·f′(w_j·x_i + b_j)

Why the step is cheap: on sorted samples a ReLU unit is on for one
contiguous run of them (all x_i past its knot, on the side w_j points to),
so every sum over the samples it sees is a difference of two prefix sums,
and the forward pass adds each unit's line to a difference array over its
run. One step then costs O(units + samples) instead of O(units × samples),
which is what lets a browser train the network live. The result equals
the direct sums up to float rounding (the tests check it against numpy).

ReLU interpolation (the constructive half of universal approximation): the
broken line through (x_0, y_0), …, (x_n, y_n) is exactly
y_0 + Σ_k (s_k − s_{k−1})·ReLU(x − x_k) on [x_0, x_n], with s_k the slope
of segment k and s_{−1} = 0. For a function with |f″| ≤ M, the broken line
through n equal segments of width h stays within M·h²/8 of it.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import mul
from typing import Callable, Sequence

from ..core.rng import lcg_ints
from ._checks import finite, positive, positive_int

#: hidden-unit functions the trainer supports: the ReLU ramp and the identity (no bend at all)
HIDDEN = ("relu", "linear")

Params = tuple[list[float], list[float], list[float], float]   # (w, b, a, c)


def _hidden(name: str) -> str:
    if name not in HIDDEN:
        raise ValueError(f"act must be one of {', '.join(HIDDEN)}; got {name!r}")
    return name


def _params(params) -> Params:
    w, b, a, c = params
    w, b, a = list(map(float, w)), list(map(float, b)), list(map(float, a))
    if not (len(w) == len(b) == len(a)) or not w:
        raise ValueError("params need w, b and a of one common, non-zero length (one entry per hidden unit)")
    if not all(map(math.isfinite, w + b + a)) or not math.isfinite(c):
        raise ValueError("params must hold finite numbers")
    return w, b, a, float(c)


def relu_knot(w: float, b: float) -> float | None:
    """Where a ReLU unit w·x + b bends: x = −b/w (same unit as x); ``None`` when w = 0 (no bend)."""
    finite("w", w)
    finite("b", b)
    return None if w == 0 else -b / w


def hidden_unit_output(x: float, w: float, b: float, a: float, act: str = "relu") -> float:
    """One hidden unit's contribution to the output, a·f(w·x + b) (output units)."""
    z = w * x + b
    if _hidden(act) == "relu":
        z = z if z > 0 else 0.0
    return a * z


def one_hidden_layer_output(x: float, params, act: str = "relu") -> float:
    """ŷ(x) = c + Σ_j a_j·f(w_j·x + b_j): the output bias plus every unit's piece."""
    w, b, a, c = _params(params)
    finite("x", x)
    return c + sum(hidden_unit_output(x, wj, bj, aj, act) for wj, bj, aj in zip(w, b, a))


def _check_samples(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    xs, ys = list(map(float, xs)), list(map(float, ys))
    if len(xs) != len(ys) or not xs:
        raise ValueError("xs and ys must be non-empty and of the same length")
    if not all(map(math.isfinite, xs + ys)):
        raise ValueError("xs and ys must hold finite numbers")
    if any(x1 > x2 for x1, x2 in zip(xs, xs[1:])):
        raise ValueError("xs must be sorted in increasing order")
    return xs, ys


def relu_fit_polyline(params, lo: float, hi: float) -> list[tuple[float, float]]:
    """The exact graph of a one-input ReLU network over [lo, hi]: its points at lo, at every bend inside, and at hi.

    Between two bends the network is a straight line, so these points joined
    by segments are the whole function. Sweeping the bends in order, each
    unit switches on (w > 0) or off (w < 0) at its own bend and changes the
    running slope and intercept: O(units · log units), not units × points.
    x and ŷ are in the network's input and output units.
    """
    w, b, a, c = _params(params)
    finite("lo", lo)
    finite("hi", hi)
    if hi <= lo:
        raise ValueError(f"need lo < hi, got lo={lo!r}, hi={hi!r}")
    slope = icpt = 0.0
    events = []
    for wj, bj, aj in zip(w, b, a):
        if wj == 0:
            icpt += aj * bj if bj > 0 else 0.0
            continue
        knot = -bj / wj
        # decided by the knot itself, so that a knot a rounding error from lo cannot be lost
        on_at_lo = knot < lo if wj > 0 else knot > lo
        if on_at_lo:
            slope += aj * wj
            icpt += aj * bj
        # a unit off at lo switches on at its knot (w > 0); one on at lo switches off there (w < 0)
        if lo <= knot < hi and (wj < 0) == on_at_lo:
            events.append((knot, aj * wj, aj * bj, -1.0 if on_at_lo else 1.0))
    events.sort()
    pts = [(lo, c + icpt + slope * lo)]
    for knot, ds, dk, sign in events:
        pts.append((knot, c + icpt + slope * knot))
        slope += sign * ds
        icpt += sign * dk
    pts.append((hi, c + icpt + slope * hi))
    return pts


def fit_loss_and_gradient(params, xs: Sequence[float], ys: Sequence[float],
                      act: str = "relu") -> tuple[float, Params]:
    """The average squared error L and its gradient (∂L/∂w, ∂L/∂b, ∂L/∂a, ∂L/∂c).

    ``xs`` must be sorted. L is in squared output units; each partial
    derivative is L's units per unit of its parameter.
    """
    w, b, a, c = _params(params)
    xs, ys = _check_samples(xs, ys)
    return _loss_and_gradient(w, b, a, c, xs, ys, _hidden(act))


def _loss_and_gradient(w, b, a, c, xs, ys, act):
    n = len(xs)
    slope_diff = [0.0] * (n + 1)
    icpt_diff = [0.0] * (n + 1)
    runs = []
    # forward: each unit adds the line a_j·(w_j·x + b_j) over its run of samples, through
    # difference arrays (the run logic of _active_run, inlined: this loop is the hot path)
    relu = act == "relu"
    for wj, bj, aj in zip(w, b, a):
        if not relu:
            lo, hi = 0, n
        elif wj > 0:
            lo, hi = bisect_right(xs, -bj / wj), n
        elif wj < 0:
            lo, hi = 0, bisect_left(xs, -bj / wj)
        else:
            lo, hi = (0, n) if bj > 0 else (0, 0)
        runs.append((lo, hi))
        if lo < hi:
            s, k = aj * wj, aj * bj
            slope_diff[lo] += s
            slope_diff[hi] -= s
            icpt_diff[lo] += k
            icpt_diff[hi] -= k
    # running sums, errors and prefix sums in C loops (accumulate, map): the step stays cheap in Pyodide
    errs = [c + s * x + k - y for s, k, x, y in zip(accumulate(slope_diff), accumulate(icpt_diff), xs, ys)]
    p0 = list(accumulate(errs, initial=0.0))
    p1 = list(accumulate(map(mul, errs, xs), initial=0.0))
    g = 2.0 / n
    gw, gb, ga = [], [], []
    for (lo, hi), wj, bj, aj in zip(runs, w, b, a):
        s0 = p0[hi] - p0[lo]       # Σ e_i over the unit's run (0 for a unit that is off everywhere)
        s1 = p1[hi] - p1[lo]       # Σ e_i·x_i over the run
        ga.append(g * (wj * s1 + bj * s0))
        gw.append(g * aj * s1)
        gb.append(g * aj * s0)
    return sum(map(mul, errs, errs)) / n, (gw, gb, ga, g * p0[n])


def fit_step(params, xs: Sequence[float], ys: Sequence[float], lr: float,
                          act: str = "relu") -> tuple[Params, float]:
    """One full-batch gradient-descent step: every parameter minus ``lr`` times its partial derivative.

    Returns the new parameters and the loss measured *before* the step (the
    loss whose gradient was followed). ``lr`` > 0 is the learning rate.
    """
    positive("lr", lr)
    w, b, a, c = _params(params)
    xs, ys = _check_samples(xs, ys)
    loss, (gw, gb, ga, gc) = _loss_and_gradient(w, b, a, c, xs, ys, _hidden(act))
    return ([p - lr * d for p, d in zip(w, gw)], [p - lr * d for p, d in zip(b, gb)],
            [p - lr * d for p, d in zip(a, ga)], c - lr * gc), loss


def fit_trajectory(params, xs: Sequence[float], ys: Sequence[float], lr: float, steps: int,
                   act: str = "relu", blowup: float = 1e6) -> tuple[list[Params], list[float], bool]:
    """Up to ``steps`` full-batch gradient-descent steps from ``params``.

    Returns ``(states, losses, diverged)``: ``states[k]`` are the parameters
    after k steps (``states[0]`` is the start) and ``losses[k]`` the average
    squared error there, so both lists have the same length. A run whose
    loss passes ``blowup`` (or whose parameters stop being finite) has
    diverged: it stops at its last finite state and ``diverged`` is True.
    One step costs one :func:`fit_loss_and_gradient`, O(units + samples).
    """
    positive("lr", lr)
    positive_int("steps", steps, allow_zero=True)
    act = _hidden(act)
    w, b, a, c = _params(params)
    xs, ys = _check_samples(xs, ys)
    loss, grad = _loss_and_gradient(w, b, a, c, xs, ys, act)
    states: list[Params] = [(w, b, a, c)]
    losses: list[float] = [loss]
    for _ in range(steps):
        if not loss <= blowup:
            return states, losses, True
        gw, gb, ga, gc = grad
        w = [p - lr * d for p, d in zip(w, gw)]
        b = [p - lr * d for p, d in zip(b, gb)]
        a = [p - lr * d for p, d in zip(a, ga)]
        c = c - lr * gc
        if not (all(map(math.isfinite, w)) and all(map(math.isfinite, b)) and all(map(math.isfinite, a))
                and math.isfinite(c)):
            return states, losses, True
        loss, grad = _loss_and_gradient(w, b, a, c, xs, ys, act)
        states.append((w, b, a, c))
        losses.append(loss)
    return states, losses, not loss <= blowup


def initial_params(width: int, seed: int, lo: float = -3.0, hi: float = 3.0) -> Params:
    """Starting weights ``(w, b, a, c)`` for ``width`` hidden units on inputs in [lo, hi]; the same on every
    machine for a seed.

    Unit j gets a random sign and an input weight of size 0.5–1.5, a bend
    placed at random inside the j-th of ``width`` equal slices of [lo, hi]
    (so the bends start spread over the data), and a small output weight in
    [−0.3, 0.3]. The output bias starts at 0.
    """
    positive_int("width", width)
    finite("lo", lo)
    finite("hi", hi)
    if hi <= lo:
        raise ValueError(f"need lo < hi, got lo={lo!r}, hi={hi!r}")
    scale = 1 << 20
    u = [v / scale for v in lcg_ints(7919 * seed + 17, 4 * width, 0, scale - 1)]
    w, b, a = [], [], []
    for j in range(width):
        sign = 1.0 if u[4 * j] < 0.5 else -1.0
        size = 0.5 + u[4 * j + 1]
        bend = lo + (hi - lo) * (j + u[4 * j + 2]) / width
        w.append(sign * size)
        b.append(-sign * size * bend)
        a.append(0.6 * (u[4 * j + 3] - 0.5))
    return w, b, a, 0.0


# -- building a curve from ReLU pieces --------------------------------------------------------


def relu_interpolant(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, list[tuple[float, float]]]:
    """The broken line through the points (xs[k], ys[k]) as ReLU pieces: ``(c, [(coef, knot), …])``.

    On [xs[0], xs[-1]] the line equals c + Σ coef·ReLU(x − knot), with
    c = ys[0], one knot at every point but the last, and coef the change
    of slope there (the first one is the first segment's slope itself).
    ``xs`` must be strictly increasing.
    """
    xs, ys = list(map(float, xs)), list(map(float, ys))
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("xs and ys need the same length, at least 2 points")
    if not all(map(math.isfinite, xs + ys)):
        raise ValueError("xs and ys must hold finite numbers")
    if any(x1 >= x2 for x1, x2 in zip(xs, xs[1:])):
        raise ValueError("xs must be strictly increasing")
    pieces, prev = [], 0.0
    for k in range(len(xs) - 1):
        s = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])
        pieces.append((s - prev, xs[k]))
        prev = s
    return ys[0], pieces


def relu_sum(x: float, c: float, pieces: Sequence[tuple[float, float]]) -> float:
    """c + Σ coef·ReLU(x − knot): the value of a :func:`relu_interpolant` at x."""
    finite("x", x)
    return c + sum(coef * (x - k) for coef, k in pieces if x > k)


def interpolation_error_bound(width: float, curvature: float) -> float:
    """Largest gap between a curve and its broken line over segments of ``width``: M·h²/8.

    ``curvature`` M ≥ 0 bounds |f″| over the range (f's units per unit of x
    squared); the result is in f's units. The classic bound for linear
    interpolation; it is reached by a parabola.
    """
    positive("width", width)
    positive("curvature", curvature, allow_zero=True)
    return curvature * width * width / 8.0


def pieces_for_error(span: float, curvature: float, tolerance: float) -> int:
    """Fewest equal segments (ReLU pieces) over ``span`` that :func:`interpolation_error_bound` keeps
    within ``tolerance``: the smallest n with M·(span/n)²/8 ≤ tolerance (a count)."""
    positive("span", span)
    positive("curvature", curvature, allow_zero=True)
    positive("tolerance", tolerance)
    if curvature == 0:
        return 1
    n = math.ceil(span / math.sqrt(8.0 * tolerance / curvature) - 1e-12)
    return max(1, n)


def sampled_max_gap(f: Callable[[float], float], g: Callable[[float], float], lo: float, hi: float,
                    samples: int = 601) -> float:
    """The largest |f(x) − g(x)| over ``samples`` evenly spaced x in [lo, hi] (f's units)."""
    finite("lo", lo)
    finite("hi", hi)
    if hi <= lo:
        raise ValueError(f"need lo < hi, got lo={lo!r}, hi={hi!r}")
    positive_int("samples", samples)
    if samples < 2:
        raise ValueError("samples must be at least 2")
    step = (hi - lo) / (samples - 1)
    return max(abs(f(lo + i * step) - g(lo + i * step)) for i in range(samples))


# -- the feed-forward block of a transformer ---------------------------------------------------


def mlp_flops_per_token(d_model: int, d_ff: int, gated: bool = True, tokens: int = 1) -> int:
    """Matrix FLOPs of one feed-forward block for ``tokens`` tokens: 2 per weight per token.

    Each matrix is the matrices chapter's GEMM, (d_ff × d_model) or
    (d_model × d_ff) times (· × tokens); three of them gated, two plain.
    Biases, the activation and the entry-by-entry product add a few FLOPs
    per hidden unit, about 1/d_model of this, and are left out.
    """
    from .gemm import linear_flops

    widen = linear_flops(d_model, d_ff, tokens)
    narrow = linear_flops(d_ff, d_model, tokens)
    return (2 if gated else 1) * widen + narrow


def gated_width_for_same_params(plain_width: float) -> float:
    """The hidden width d_ff of a gated (three-matrix) block with the parameters of a plain
    (two-matrix) block of width ``plain_width``: 3·d·d_ff = 2·d·plain, so d_ff = 2/3 · plain.

    Shazeer (GLU Variants Improve Transformer, arXiv 2002.05202) shrank
    3,072 to 2,048 this way; with the usual plain width 4·d it gives 8/3·d.
    """
    positive("plain_width", plain_width)
    return 2.0 * plain_width / 3.0


def llama_ffn_width(d_model: int, ffn_dim_multiplier: float | None = None, multiple_of: int = 256) -> int:
    """The FFN width d_ff that Llama's reference code builds from its checkpoint parameters (a count).

    Start from 4·d_model, keep 2/3 of it (rounded down), scale by
    ``ffn_dim_multiplier`` if given (rounded down), then round up to a
    multiple of ``multiple_of``: meta-llama/llama3, llama/model.py,
    FeedForward.__init__. Llama 3 8B's parameters (multiplier 1.3,
    multiple_of 1,024) give 14,336.
    """
    positive_int("d_model", d_model)
    positive_int("multiple_of", multiple_of)
    hidden = int(2 * (4 * d_model) / 3)
    if ffn_dim_multiplier is not None:
        positive("ffn_dim_multiplier", ffn_dim_multiplier)
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)
