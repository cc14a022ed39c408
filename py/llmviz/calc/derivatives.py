"""Slopes: the secant slope, the chain rule, and the few curves chapter 0.5 differentiates.

The derivative of f at x is the limit of the secant slope
(f(x + h) − f(x)) / h as the step h shrinks to 0. These functions compute
the secant slope for a given h, the chain-rule slope of a composition
f(g(x)), and the exact derivatives of the curves the book draws (x², x³,
eˣ and the sigmoid σ), so a simulation can put the secant next to the
exact answer it converges to.

Inputs and outputs are plain numbers without units: x and h are positions
on the input axis, slopes are output units per input unit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ._checks import finite
from .functions import sigmoid  # one formula, one function: the functions chapter's


def secant_slope(f: Callable[[float], float], x: float, h: float) -> float:
    """Slope of the line through (x, f(x)) and (x + h, f(x + h)): (f(x + h) − f(x)) / h.

    ``h`` may be negative but not 0 (the two points would coincide). As h
    shrinks to 0 the result tends to the derivative f′(x), for any f that has
    one. The unit is f's output per unit of x.
    """
    finite("x", x)
    finite("h", h)
    if h == 0:
        raise ValueError("h must be non-zero: a secant needs two different points")
    return (f(x + h) - f(x)) / h


def sigmoid_slope(x: float) -> float:
    """σ′(x) = σ(x)·(1 − σ(x)), by the chain rule on 1 / (1 + e^(−x)); at most 1/4, at x = 0."""
    s = sigmoid(x)
    return s * (1.0 - s)


def chain_slope(outer_slope: Callable[[float], float], inner: Callable[[float], float],
                inner_slope: Callable[[float], float], x: float) -> float:
    """Slope of the composition f(g(x)) at x by the chain rule: f′(g(x))·g′(x).

    ``outer_slope`` is f′, ``inner`` is g and ``inner_slope`` is g′. The
    inner slope says how much u = g(x) moves per unit of x; the outer slope
    says how much f moves per unit of u; the two rates multiply.
    """
    finite("x", x)
    return outer_slope(inner(x)) * inner_slope(x)


def power_slope(n: float, x: float) -> float:
    """Slope of xⁿ at x by the power rule: n·x^(n − 1) (x > 0 unless n is a whole number)."""
    finite("n", n)
    finite("x", x)
    if x <= 0 and not float(n).is_integer():
        raise ValueError(f"x must be > 0 when n is not a whole number, got x={x!r}, n={n!r}")
    return n * x ** (n - 1) if n != 0 else 0.0


@dataclass(frozen=True)
class Curve:
    """A function the book differentiates: its formula as text, f itself and its exact slope f′."""

    name: str
    label: str        # f(x) as a reader writes it
    slope_label: str  # f′(x) as a reader writes it
    f: Callable[[float], float]
    slope: Callable[[float], float]


CURVES: dict[str, Curve] = {
    "square": Curve("square", "x\u00b2", "2x", lambda x: x * x, lambda x: 2.0 * x),
    "cube": Curve("cube", "x\u00b3", "3x\u00b2", lambda x: x ** 3, lambda x: 3.0 * x * x),
    "exp": Curve("exp", "e\u02e3", "e\u02e3", math.exp, math.exp),
    "sigmoid": Curve("sigmoid", "\u03c3(x)", "\u03c3(x)(1 \u2212 \u03c3(x))", sigmoid, sigmoid_slope),
}


def curve(name: str) -> Curve:
    """The curve called ``name`` (one of :data:`CURVES`); ``ValueError`` naming the known ones."""
    try:
        return CURVES[name]
    except KeyError:
        raise ValueError(f"curve must be one of {', '.join(CURVES)}, got {name!r}") from None
