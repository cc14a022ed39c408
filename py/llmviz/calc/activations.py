"""Activation functions and their slopes: ReLU, GELU, SiLU, the sigmoid and tanh.

An activation function is the fixed one-number function a layer applies to
every entry of its weighted sums. Inputs and outputs are pure numbers; a
slope is output per unit of input.

Definitions and sources:
- ReLU(x) = max(0, x): Nair and Hinton, Rectified Linear Units Improve
  Restricted Boltzmann Machines (ICML 2010); Glorot, Bordes and Bengio, Deep
  Sparse Rectifier Neural Networks (AISTATS 2011). Its slope is 1 for x > 0
  and 0 for x < 0; at the corner x = 0 it has no derivative, and this module
  (like PyTorch) uses 0 there.
- GELU(x) = x·Φ(x), Φ the standard normal's cumulative distribution:
  Hendrycks and Gimpel, Gaussian Error Linear Units (arXiv 1606.08415). The
  exact form with erf, not the tanh approximation.
- SiLU(x) = x·σ(x): Elfwing, Uchibe and Doya, Sigmoid-weighted linear units
  for neural network function approximation in reinforcement learning
  (Neural Networks 107, 2018; arXiv 1702.03118); Ramachandran, Zoph and Le's
  Swish x·σ(βx) (arXiv 1710.05941) with β = 1.
- The sigmoid and its slope are the functions and derivatives chapters'.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ._checks import finite
from .derivatives import sigmoid_slope
from .functions import sigmoid

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def relu(x: float) -> float:
    """ReLU(x) = max(0, x): keep a positive number, turn a negative one into 0."""
    finite("x", x)
    return x if x > 0 else 0.0


def relu_slope(x: float) -> float:
    """ReLU′(x): 1 for x > 0, 0 for x < 0, and 0 (by convention) at the corner x = 0."""
    finite("x", x)
    return 1.0 if x > 0 else 0.0


def normal_cdf(x: float) -> float:
    """Φ(x) = (1 + erf(x/√2)) / 2: the share of a standard normal distribution below x."""
    finite("x", x)
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def normal_pdf(x: float) -> float:
    """φ(x) = e^(−x²/2) / √(2π): the standard normal's bell curve, Φ's slope."""
    finite("x", x)
    return _INV_SQRT_2PI * math.exp(-0.5 * x * x)


def gelu(x: float) -> float:
    """GELU(x) = x·Φ(x): x weighted by the normal share below it (exact form, with erf)."""
    return x * normal_cdf(x)


def gelu_slope(x: float) -> float:
    """GELU′(x) = Φ(x) + x·φ(x), by the product rule. 0.5 at x = 0; dips below 0 left of about −0.75."""
    return normal_cdf(x) + x * normal_pdf(x)


def silu(x: float) -> float:
    """SiLU(x) = x·σ(x), also called Swish (β = 1). Its lowest value is about −0.278, near x = −1.278."""
    return x * sigmoid(x)


def silu_slope(x: float) -> float:
    """SiLU′(x) = σ(x)·(1 + x·(1 − σ(x))), by the product rule and σ′ = σ(1 − σ). 0.5 at x = 0."""
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def tanh(x: float) -> float:
    """tanh x, the sigmoid stretched to run from −1 to 1 (the functions chapter's)."""
    finite("x", x)
    return math.tanh(x)


def tanh_slope(x: float) -> float:
    """tanh′(x) = 1 − tanh²(x): 1 at x = 0, vanishing far from it."""
    t = tanh(x)
    return 1.0 - t * t


@dataclass(frozen=True)
class Activation:
    """One activation function as the book writes it: its formula, f itself and its slope f′."""

    name: str
    label: str
    formula: str
    slope_formula: str
    f: Callable[[float], float]
    slope: Callable[[float], float]


#: The activation functions the chapter compares, in the order it meets them.
ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", "ReLU", "max(0, x)", "1 if x > 0, else 0", relu, relu_slope),
    "gelu": Activation("gelu", "GELU", "x\u00b7\u03a6(x)", "\u03a6(x) + x\u00b7\u03c6(x)", gelu, gelu_slope),
    "silu": Activation("silu", "SiLU", "x\u00b7\u03c3(x)", "\u03c3(x)(1 + x(1 \u2212 \u03c3(x)))", silu,
                       silu_slope),
    "sigmoid": Activation("sigmoid", "sigmoid", "1 / (1 + e\u207b\u02e3)", "\u03c3(x)(1 \u2212 \u03c3(x))",
                          sigmoid, sigmoid_slope),
    "tanh": Activation("tanh", "tanh", "tanh x", "1 \u2212 tanh\u00b2x", tanh, tanh_slope),
}


def get_activation(name: str) -> Activation:
    """The entry of :data:`ACTIVATIONS` called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}") from None


def activation_value(name: str, x: float) -> float:
    """f(x) for the activation called ``name`` (pure number)."""
    return get_activation(name).f(x)


def activation_slope(name: str, x: float) -> float:
    """f′(x) for the activation called ``name`` (output per unit of input)."""
    return get_activation(name).slope(x)
