"""A recurrent network's step, its Jacobians, backpropagation through time, clipping, and its sequential cost.

An Elman network keeps a hidden state h_t of d numbers and updates it once
per input vector x_t (e numbers):

    h_t = tanh(W_h·h_{t−1} + W_x·x_t + b),

with W_h of shape d×d, W_x of shape d×e and b of d numbers. By the chain
rule the state at step T depends on the state at an earlier step t through
the product of one Jacobian per step in between,

    ∂h_T/∂h_t = J_T·J_{T−1}·…·J_{t+1},   J_s = ∂h_s/∂h_{s−1} = diag(1 − h_s²)·W_h,

because tanh′(z) = 1 − tanh²(z). Every factor is at most ‖W_h‖ in norm, and
tanh′ ≤ 1 only shrinks it, which is why the product shrinks (vanishes) or
grows (explodes) roughly geometrically in T − t.

Matrices are lists of rows (lists of floats); vectors are lists of floats.
Norms are Euclidean for vectors, spectral (the largest stretch of any unit
vector) for ``spectral_norm`` and Frobenius (√ of the sum of squared
entries) for a weight gradient, the norm gradient clipping uses on a whole
set of parameters. Everything is pure Python: the networks here are a few
units wide.

The last two functions price one recurrent layer on a GPU from the catalog:
N dependent matrix-vector products (each must wait for the previous state)
against one GEMM over all N positions, each at its roofline floor
(:mod:`llmviz.calc.roofline`).
"""
from __future__ import annotations

import math
from operator import mul
from typing import Sequence

from ._checks import positive, positive_int

Matrix = list[list[float]]
Vector = list[float]


def _matrix(name: str, m, rows: int | None = None, cols: int | None = None) -> Matrix:
    try:
        out = [[float(v) for v in row] for row in m]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a matrix (a list of rows of numbers)") from None
    if not out or not out[0] or any(len(r) != len(out[0]) for r in out):
        raise ValueError(f"{name} must be a non-empty matrix with rows of equal length")
    if any(not math.isfinite(v) for r in out for v in r):
        raise ValueError(f"{name} must hold finite numbers")
    if rows is not None and len(out) != rows:
        raise ValueError(f"{name} must have {rows} rows, got {len(out)}")
    if cols is not None and len(out[0]) != cols:
        raise ValueError(f"{name} must have {cols} columns, got {len(out[0])}")
    return out


def _vector(name: str, v, size: int | None = None) -> Vector:
    try:
        out = [float(x) for x in v]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a vector (a list of numbers)") from None
    if not out or any(not math.isfinite(x) for x in out):
        raise ValueError(f"{name} must be a non-empty list of finite numbers")
    if size is not None and len(out) != size:
        raise ValueError(f"{name} must have {size} entries, got {len(out)}")
    return out


def _matvec(m: Matrix, v: Vector) -> Vector:
    return [sum(map(mul, row, v)) for row in m]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    cols = list(zip(*b))
    return [[sum(map(mul, row, c)) for c in cols] for row in a]


def _frobenius(m: Matrix) -> float:
    return math.sqrt(sum(v * v for row in m for v in row))


def rnn_step(w_h, w_x, b, h_prev, x) -> Vector:
    """One step of an Elman network: h = tanh(W_h·h_prev + W_x·x + b), d numbers in (−1, 1).

    ``w_h`` is d×d, ``w_x`` is d×e, ``b`` and ``h_prev`` have d entries, ``x`` has e.
    """
    w_h = _matrix("w_h", w_h)
    d = len(w_h)
    _matrix("w_h", w_h, d, d)
    x = _vector("x", x)
    w_x = _matrix("w_x", w_x, d, len(x))
    b = _vector("b", b, d)
    h_prev = _vector("h_prev", h_prev, d)
    return [math.tanh(p + q + c) for p, q, c in zip(_matvec(w_h, h_prev), _matvec(w_x, x), b)]


def rnn_run(w_h, w_x, b, h0, xs: Sequence) -> list[Vector]:
    """The states h_0, h_1, …, h_T of an Elman network reading ``xs`` (T input vectors) from ``h0``.

    Each step is :func:`rnn_step`; step t needs h_{t−1}, so they run one after another.
    """
    if not len(xs):
        raise ValueError("xs must hold at least one input vector")
    states = [_vector("h0", h0)]
    for x in xs:
        states.append(rnn_step(w_h, w_x, b, states[-1], x))
    return states


def step_jacobian(w_h, h) -> Matrix:
    """∂h_t/∂h_{t−1} = diag(1 − h_t²)·W_h for a tanh step whose output is ``h`` (= h_t); d×d, no unit.

    Row i of W_h is scaled by tanh′ at unit i, 1 − h_i², which is at most 1
    and near 0 where the unit is saturated (|h_i| close to 1).
    """
    w_h = _matrix("w_h", w_h)
    d = len(w_h)
    _matrix("w_h", w_h, d, d)
    h = _vector("h", h, d)
    return [[(1.0 - hi * hi) * v for v in row] for hi, row in zip(h, w_h)]


def spectral_radius(m, squarings: int = 40) -> float:
    """The spectral radius ρ(M), the largest |λ| over M's eigenvalues, by the power method.

    ‖M^k‖^(1/k) tends to ρ(M) for any norm (Gelfand's formula), whatever the
    eigenvalues are (complex pairs included). Powers k = 2^j come from
    repeated squaring, rescaled each time so nothing overflows: with 40
    squarings k is about 10¹², and the answer is exact to rounding for the
    small matrices of this book. A square matrix; no unit.
    """
    a = _matrix("m", m)
    if len(a) != len(a[0]):
        raise ValueError(f"m must be square, got {len(a)}×{len(a[0])}")
    positive_int("squarings", squarings)
    log_scale = 0.0                       # M^(2^j) = e^log_scale · a
    for _ in range(squarings):
        n = _frobenius(a)
        if n == 0.0:
            return 0.0
        log_scale += math.log(n)
        a = [[v / n for v in row] for row in a]
        a = _matmul(a, a)
        log_scale *= 2.0
    n = _frobenius(a)
    if n == 0.0:
        return 0.0
    return math.exp((log_scale + math.log(n)) / 2.0 ** squarings)


def _top_singular(a: Matrix, v0: Vector | None, tol: float, max_iter: int) -> tuple[float, Vector]:
    """Largest singular value of ``a`` and its right singular vector, by power iteration on AᵀA."""
    n = len(a[0])
    ata = _matmul([list(c) for c in zip(*a)], a)
    # a fixed, uneven start: no real matrix's top singular vector is orthogonal to it except by design
    v = list(v0) if v0 is not None else [1.0 + 0.37 * i for i in range(n)]
    nv = math.sqrt(sum(x * x for x in v))
    if nv == 0.0:
        v, nv = [1.0] * n, math.sqrt(n)
    v = [x / nv for x in v]
    lam = 0.0
    for _ in range(max_iter):
        w = _matvec(ata, v)
        nw = math.sqrt(sum(x * x for x in w))
        if nw == 0.0:
            return 0.0, v
        new = sum(map(mul, v, w))          # the Rayleigh quotient vᵀ(AᵀA)v of a unit v
        v = [x / nw for x in w]
        if abs(new - lam) <= tol * new:
            lam = new
            break
        lam = new
    return math.sqrt(max(lam, 0.0)), v


def spectral_norm(m, tol: float = 1e-15, max_iter: int = 2000) -> float:
    """‖M‖₂, the largest factor by which M stretches a unit vector: the largest singular value. No unit.

    Power iteration on MᵀM, whose eigenvalues are the squared singular
    values: v ← MᵀM·v / ‖MᵀM·v‖ until the Rayleigh quotient vᵀMᵀMv changes
    by less than ``tol`` (relative), at most ``max_iter`` times.
    """
    a = _matrix("m", m)
    positive("tol", tol)
    positive_int("max_iter", max_iter)
    return _top_singular(a, None, tol, max_iter)[0]


def scale_to_spectral_radius(m, rho: float) -> Matrix:
    """M rescaled so that its spectral radius is ``rho`` (≥ 0): (rho / ρ(M))·M."""
    a = _matrix("m", m)
    positive("rho", rho, allow_zero=True)
    r = spectral_radius(a)
    if r == 0.0:
        raise ValueError("m has spectral radius 0 (it is nilpotent); no multiple of it has radius rho")
    s = rho / r
    return [[s * v for v in row] for row in a]


def jacobian_product_norms(w_h, states: Sequence) -> list[float]:
    """‖∂h_T/∂h_{T−k}‖₂ for k = 0, 1, …, T: how far a nudge at step T − k still moves the last state.

    ``states`` are h_0 … h_T from :func:`rnn_run`. The product grows one
    Jacobian at a time from the end, P_k = P_{k−1}·J_{T−k+1}, P_0 = I, exactly
    as backpropagation through time multiplies them. Entry k is the spectral
    norm of P_k (no unit); entry 0 is 1.
    """
    w_h = _matrix("w_h", w_h)
    d = len(w_h)
    hs = [_vector(f"states[{i}]", h, d) for i, h in enumerate(states)]
    if len(hs) < 2:
        raise ValueError("states must hold h_0 and at least one later state")
    p = [[1.0 if i == j else 0.0 for j in range(d)] for i in range(d)]
    out = [1.0]
    v = None
    for t in range(len(hs) - 1, 0, -1):
        p = _matmul(p, step_jacobian(w_h, hs[t]))
        # the top singular direction moves little from one product to the next: start from the last one
        sigma, v = _top_singular(p, v, 1e-15, 2000)
        out.append(sigma)
    return out


def bptt(w_h, states: Sequence, grad_last) -> tuple[list[Vector], list[Matrix]]:
    """Backpropagation through time of a loss L whose gradient at the last state is ``grad_last``.

    Returns ``(g, dw)``. ``g[k]`` is ∂L/∂h_{T−k} (d numbers, k = 0 … T):
    g_{t−1} = W_hᵀ·δ_t with δ_t = (1 − h_t²) ⊙ g_t, the transpose of one
    Jacobian per step. ``dw[k]`` is the running sum of W_h's gradient after
    the last k steps, Σ δ_t·h_{t−1}ᵀ over t = T−k+1 … T (d×d; dw[0] is zero):
    W_h is used at every step, so its gradient adds one outer product per step.
    """
    w_h = _matrix("w_h", w_h)
    d = len(w_h)
    hs = [_vector(f"states[{i}]", h, d) for i, h in enumerate(states)]
    if len(hs) < 2:
        raise ValueError("states must hold h_0 and at least one later state")
    g = _vector("grad_last", grad_last, d)
    w_t = [list(c) for c in zip(*w_h)]
    gs = [g]
    acc = [[0.0] * d for _ in range(d)]
    dws = [[row[:] for row in acc]]
    for t in range(len(hs) - 1, 0, -1):
        delta = [(1.0 - h * h) * gi for h, gi in zip(hs[t], g)]
        prev = hs[t - 1]
        acc = [[a + di * pj for a, pj in zip(row, prev)] for row, di in zip(acc, delta)]
        dws.append(acc)
        g = _matvec(w_t, delta)
        gs.append(g)
    return gs, dws


def clip_by_norm(grad, threshold: float) -> tuple[Matrix, float]:
    """Gradient norm clipping: if ‖G‖ > ``threshold``, G ← (threshold/‖G‖)·G (Pascanu et al. 2013).

    ``grad`` is a matrix (or a list of rows of any parameters); the norm is
    Frobenius, √ of the sum of every squared entry. Returns the clipped
    gradient and the factor applied (1 when no clipping was needed): the
    direction is kept, only the length is capped.
    """
    g = _matrix("grad", grad)
    positive("threshold", threshold)
    n = _frobenius(g)
    s = threshold / n if n > threshold else 1.0
    return [[s * v for v in row] for row in g], s


def recurrence_time_floor(d: int, steps: int, gpu, batch: int = 1, dtype: str = "bf16",
                          bytes_per_element: float = 2) -> float:
    """Least time (s) for ``steps`` dependent steps of W_h·h on ``gpu``, each at its roofline floor.

    One step multiplies the d×d recurrent matrix by the states of ``batch``
    sequences, the GEMM (d×d)·(d×batch); it cannot start before the previous
    step's states exist, so the steps add up: steps × max(FLOPs / peak,
    bytes / HBM bandwidth), with W_h read from HBM at every step. A kernel
    that keeps W_h on chip (Diamos et al. 2016) lowers the memory term, not
    the count of dependent steps.
    """
    from .gemm import gemm_flops, gemm_intensity
    from .roofline import roofline_flops

    positive_int("d", d); positive_int("steps", steps); positive_int("batch", batch)
    flops = gemm_flops(d, batch, d)
    rate = roofline_flops(gpu, gemm_intensity(d, batch, d, bytes_per_element), dtype)
    return steps * flops / rate


def parallel_time_floor(d: int, positions: int, gpu, batch: int = 1, dtype: str = "bf16",
                        bytes_per_element: float = 2) -> float:
    """Least time (s) for one d×d matrix applied to every position at once: one GEMM, (d×d)·(d×positions·batch).

    No position waits for another, so all of them form the columns of one
    product, priced at its roofline floor max(FLOPs / peak, bytes / HBM
    bandwidth). Same FLOPs as :func:`recurrence_time_floor` with
    ``steps = positions``; W_h is read once instead of once per step.
    """
    from .gemm import gemm_flops, gemm_intensity
    from .roofline import roofline_flops

    positive_int("d", d); positive_int("positions", positions); positive_int("batch", batch)
    n = positions * batch
    flops = gemm_flops(d, n, d)
    rate = roofline_flops(gpu, gemm_intensity(d, n, d, bytes_per_element), dtype)
    return flops / rate
