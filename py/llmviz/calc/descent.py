"""Gradient descent on quadratic losses, in closed form.

One parameter. The loss L(w) = ½·c·(w − w*)² has its minimum at w* and
curvature c (its second derivative, the rate at which its slope changes).
Its slope is L′(w) = c·(w − w*), so one step of gradient descent with
learning rate η,

    w ← w − η·L′(w),

multiplies the distance to the minimum by the contraction factor 1 − η·c.
After k steps, w_k − w* = (1 − η·c)^k · (w_0 − w*). The steps shrink to the
minimum exactly when |1 − η·c| < 1, that is when 0 < η < 2/c: the critical
learning rate is 2/c. Below 1/c the iterates approach from one side; at 1/c
one step lands on w*; between 1/c and 2/c they overshoot and alternate sides;
at 2/c they bounce between ±(w_0 − w*) for ever; above it they diverge.

Two parameters. The bowl L(w) = ½·(c₁·u₁² + c₂·u₂²), where (u₁, u₂) are the
coordinates of w − w* along the bowl's two axes (the w₁, w₂ axes turned by
``angle`` radians), has curvature c₁ along one axis and c₂ along the other.
Gradient descent treats the two axes independently: each is the
one-parameter case with its own curvature, under the same η. So η must stay
below 2/max(c₁, c₂), and the flatter axis then shrinks only by
1 − η·min(c₁, c₂) per step. The condition number κ = max/min of the
curvatures measures how badly one learning rate fits both.

Every function is pure and takes plain numbers; parameters, losses and
learning rates are unitless here (a learning rate has the units of w² per
unit of loss). Chapter 0.7 runs other optimizers on the same bowl through
:func:`bowl_loss` and :func:`bowl_gradient`.
"""
from __future__ import annotations

import math

from ._checks import finite, positive, positive_int

#: Names of the five behaviours of gradient descent on a quadratic, by η·c.
REGIMES = ("creeps", "one step", "overshoots", "bounces", "diverges")

# Boundaries η·c = 1 and η·c = 2 are met exactly only by a rounding accident;
# treat anything this close as on the boundary.
_EDGE = 1e-9


# -- one parameter -------------------------------------------------------------------


def quadratic_loss(w: float, curvature: float, minimum: float = 0.0) -> float:
    """L(w) = ½·c·(w − w*)² for curvature ``curvature`` = c > 0 and ``minimum`` = w*."""
    finite("w", w)
    positive("curvature", curvature)
    finite("minimum", minimum)
    return 0.5 * curvature * (w - minimum) ** 2


def quadratic_slope(w: float, curvature: float, minimum: float = 0.0) -> float:
    """L′(w) = c·(w − w*): the derivative of :func:`quadratic_loss` at ``w``."""
    finite("w", w)
    positive("curvature", curvature)
    finite("minimum", minimum)
    return curvature * (w - minimum)


def critical_learning_rate(curvature: float) -> float:
    """2/c: gradient descent on a quadratic of curvature c converges for 0 < η < 2/c and no larger η."""
    positive("curvature", curvature)
    return 2.0 / curvature


def contraction_factor(lr: float, curvature: float) -> float:
    """1 − η·c: what one gradient step multiplies the distance to the minimum by.

    Negative means the step overshoots to the other side; a magnitude above 1
    means the distance grows.
    """
    positive("lr", lr)
    positive("curvature", curvature)
    return 1.0 - lr * curvature


def descent_regime(lr: float, curvature: float) -> str:
    """Which of :data:`REGIMES` gradient descent is in for learning rate ``lr`` and curvature c.

    "creeps" (η·c < 1, from one side), "one step" (η·c = 1), "overshoots"
    (1 < η·c < 2, alternating sides but converging), "bounces" (η·c = 2,
    for ever between ±(w₀ − w*)), "diverges" (η·c > 2).
    """
    x = contraction_factor(lr, curvature)
    if abs(x) < _EDGE:
        return "one step"
    if abs(x + 1.0) < _EDGE:
        return "bounces"
    if x > 0:
        return "creeps"
    return "overshoots" if x > -1.0 else "diverges"


def power(factor: float, steps: int) -> float:
    """``factor ** steps`` for a whole number of steps ≥ 0, ±inf instead of an overflow error."""
    finite("factor", factor)
    positive_int("steps", steps, allow_zero=True)
    if steps == 0:
        return 1.0
    a = abs(factor)
    if a == 0.0:
        return 0.0
    if steps * math.log(a) > 709.0:  # beyond the largest float
        return math.copysign(math.inf, factor if steps % 2 else 1.0)
    return factor ** steps


def quadratic_gd_iterate(w0: float, lr: float, curvature: float, steps: int,
                         minimum: float = 0.0) -> float:
    """w_k = w* + (1 − η·c)^k·(w₀ − w*): where gradient descent is after ``steps`` = k steps.

    Closed form, so any step count costs the same; a diverging run returns
    ±inf once the value leaves the floating-point range.
    """
    finite("w0", w0)
    finite("minimum", minimum)
    d = w0 - minimum
    p = power(contraction_factor(lr, curvature), steps)
    return minimum + (0.0 if d == 0 else p * d)


def steps_to_shrink(factor: float, ratio: float) -> float:
    """Fewest steps k with |factor|^k ≤ ``ratio``: how long a contraction takes to cut a distance.

    ``ratio`` in (0, 1], e.g. 0.01 for "to 1 % of the start". Returns
    ``math.inf`` when |factor| ≥ 1 and ratio < 1 (that run never gets there).
    """
    finite("factor", factor)
    finite("ratio", ratio)
    if not 0 < ratio <= 1:
        raise ValueError(f"ratio must be in (0, 1], got {ratio!r}")
    a = abs(factor)
    if ratio == 1:
        return 0
    if a == 0:
        return 1
    if a >= 1:
        return math.inf
    k = math.ceil(math.log(ratio) / math.log(a) - 1e-12)
    return max(k, 0)


# -- two parameters: the bowl --------------------------------------------------------


def condition_number(curvatures) -> float:
    """κ = largest curvature / smallest curvature, for a sequence of positive curvatures."""
    cs = list(curvatures)
    if not cs:
        raise ValueError("curvatures must not be empty")
    for i, c in enumerate(cs):
        positive(f"curvatures[{i}]", c)
    return max(cs) / min(cs)


def best_fixed_learning_rate(c_min: float, c_max: float) -> float:
    """2/(c_min + c_max): the one η that shrinks the worst axis of a quadratic fastest.

    With it, the steepest axis's factor is −(κ − 1)/(κ + 1) and the flattest
    axis's is +(κ − 1)/(κ + 1): both shrink at the same rate.
    """
    positive("c_min", c_min)
    positive("c_max", c_max)
    if c_min > c_max:
        raise ValueError(f"c_min must be <= c_max, got c_min={c_min!r}, c_max={c_max!r}")
    return 2.0 / (c_min + c_max)


def best_contraction_factor(kappa: float) -> float:
    """(κ − 1)/(κ + 1): the per-step factor of the slowest axis at :func:`best_fixed_learning_rate`."""
    positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    return (kappa - 1.0) / (kappa + 1.0)


def _axes(angle: float) -> tuple[float, float]:
    finite("angle", angle)
    return math.cos(angle), math.sin(angle)


def _to_bowl(w1: float, w2: float, angle: float, center) -> tuple[float, float]:
    """(u₁, u₂): the coordinates of w − w* along the bowl's axes."""
    co, si = _axes(angle)
    d1, d2 = finite("w1", w1) - center[0], finite("w2", w2) - center[1]
    return co * d1 + si * d2, -si * d1 + co * d2


def _from_bowl(u1: float, u2: float, angle: float, center) -> tuple[float, float]:
    co, si = _axes(angle)
    return center[0] + co * u1 - si * u2, center[1] + si * u1 + co * u2


def _curvatures(c1: float, c2: float) -> None:
    positive("c1", c1)
    positive("c2", c2)


def bowl_loss(w1: float, w2: float, c1: float, c2: float, angle: float = 0.0,
              center: tuple[float, float] = (0.0, 0.0)) -> float:
    """L(w) = ½·(c₁·u₁² + c₂·u₂²), with (u₁, u₂) = w − ``center`` on axes turned by ``angle`` radians.

    With ``angle`` 0 and the centre at the origin this is ½·(c₁·w₁² + c₂·w₂²).
    """
    _curvatures(c1, c2)
    u1, u2 = _to_bowl(w1, w2, angle, center)
    return 0.5 * (c1 * u1 * u1 + c2 * u2 * u2)


def bowl_gradient(w1: float, w2: float, c1: float, c2: float, angle: float = 0.0,
                  center: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """∇L = (∂L/∂w₁, ∂L/∂w₂) of :func:`bowl_loss`; with ``angle`` 0 it is (c₁·w₁, c₂·w₂)."""
    _curvatures(c1, c2)
    u1, u2 = _to_bowl(w1, w2, angle, center)
    g1, g2 = _from_bowl(c1 * u1, c2 * u2, angle, (0.0, 0.0))
    return g1, g2


def bowl_hessian(c1: float, c2: float, angle: float = 0.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """The bowl's 2×2 matrix of second derivatives (its curvatures c₁, c₂ turned by ``angle``)."""
    _curvatures(c1, c2)
    co, si = _axes(angle)
    h11 = c1 * co * co + c2 * si * si
    h22 = c1 * si * si + c2 * co * co
    h12 = (c1 - c2) * co * si
    return (h11, h12), (h12, h22)


def gradient_step(params, grads, lr: float) -> tuple[float, ...]:
    """One step of gradient descent: each parameter minus ``lr`` times its partial derivative."""
    positive("lr", lr)
    ps, gs = tuple(params), tuple(grads)
    if len(ps) != len(gs):
        raise ValueError(f"params and grads must have the same length, got {len(ps)} and {len(gs)}")
    return tuple(p - lr * g for p, g in zip(ps, gs))


def bowl_gd_iterate(w1: float, w2: float, lr: float, c1: float, c2: float, steps: int,
                    angle: float = 0.0, center: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """Where gradient descent from (w₁, w₂) is after ``steps`` steps on :func:`bowl_loss`, in closed form.

    Along each axis of the bowl the distance to the centre is multiplied by
    1 − η·cᵢ per step, so step k costs the same for any k. Coordinates that
    leave the floating-point range come back as ±inf
    (as (inf, inf) for a turned bowl, whose axes mix both coordinates).
    """
    _curvatures(c1, c2)
    u1, u2 = _to_bowl(w1, w2, angle, center)
    p1 = power(contraction_factor(lr, c1), steps)
    p2 = power(contraction_factor(lr, c2), steps)
    v1 = 0.0 if u1 == 0 else p1 * u1
    v2 = 0.0 if u2 == 0 else p2 * u2
    if angle == 0.0:
        return center[0] + v1, center[1] + v2
    if not (math.isfinite(v1) and math.isfinite(v2)):
        return math.inf, math.inf  # a turned bowl mixes the axes: both coordinates overflow
    return _from_bowl(v1, v2, angle, center)


# -- costs on a real model ---------------------------------------------------------------


def gradient_step_flops(n_params: float) -> float:
    """FLOPs of one plain gradient step w ← w − η·g over ``n_params`` parameters: one multiply and one subtract each."""
    positive("n_params", n_params)
    return 2.0 * n_params


def finite_difference_gradient_flops(n_params: float, flops_per_loss: float) -> float:
    """FLOPs to estimate a gradient by secants: the loss once as it is, then once per nudged parameter.

    (N + 1)·``flops_per_loss`` for N = ``n_params``, ignoring the N
    subtractions and divisions, which are negligible beside the evaluations.
    """
    positive("n_params", n_params)
    positive("flops_per_loss", flops_per_loss)
    return (n_params + 1.0) * flops_per_loss
