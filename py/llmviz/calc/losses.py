"""Loss functions: squared error, negative log-likelihood, binary cross-entropy, label smoothing.

Notation (chapter 1.3). A model turns a logit z into a probability: q = σ(z)
for one yes-or-no output, q = softmax(z) for V classes. The target y is 0 or
1 for one output, and the index of the true class for V classes, whose
one-hot vector is the target distribution p. Label smoothing with strength
ε replaces p by p^ε = (1 − ε)·p + ε/V (Szegedy et al., Rethinking the
Inception Architecture for Computer Vision, CVPR 2016, section 7, who used
ε = 0.1 over the 1,000 ImageNet classes).

Units. Losses built on logarithms are in nats (natural logarithm), as
language-model papers report them; the squared error of probabilities is a
pure number; a slope is loss units per unit of logit. Every function here is
one example's loss unless its name says mean.

Why the logit forms exist. −ln σ(z) = ln(1 + e^(−z)) is softplus(−z), so
binary cross-entropy can be computed from z without ever forming a
probability that rounds to 0 or 1; the same holds for the softmax, whose
log-probabilities are z_i − ln Σ_j e^(z_j).
"""
from __future__ import annotations

import math
from typing import Sequence

from ._checks import finite, in_range, positive
from .derivatives import sigmoid_slope
from .functions import sigmoid, softplus
from .information import softmax

#: the two losses :func:`neuron_loss_gradient` can train a sigmoid neuron with
NEURON_LOSSES = ("bce", "mse")


def _numbers(name: str, xs) -> list[float]:
    try:
        out = list(xs)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of numbers, got {xs!r}") from None
    if not out:
        raise ValueError(f"{name} must hold at least one number, got an empty sequence")
    for i, x in enumerate(out):
        finite(f"{name}[{i}]", x)
    return [float(x) for x in out]


def _size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise ValueError(f"size must be a whole number of classes >= 2, got {size!r}")
    return size


def _index(index: int, size: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
        raise ValueError(f"index must be a whole number in [0, {size - 1}], got {index!r}")
    return index


def _epsilon(epsilon: float) -> float:
    return in_range("epsilon", epsilon, 0.0, 1.0)


def _log_softmax(logits: Sequence[float]) -> list[float]:
    """ln q_i = z_i − m − ln Σ_j e^(z_j − m), m the largest logit: no probability is formed."""
    zs = _numbers("logits", logits)
    m = max(zs)
    lse = m + math.log(math.fsum(math.exp(z - m) for z in zs))
    return [z - lse for z in zs]


# -- squared error -------------------------------------------------------------------


def squared_error(prediction, target) -> float:
    """(ŷ − y)² for two numbers; Σ (ŷ_i − y_i)², the squared length of the error, for two sequences.

    In the squared units of the target (a pure number for probabilities).
    For a probability vector q against a one-hot target it lies between 0
    and 2: 2 when all of q sits on one wrong class.
    """
    if isinstance(prediction, (int, float)) and not isinstance(prediction, bool):
        finite("prediction", prediction)
        finite("target", target)
        return (prediction - target) ** 2
    ps, ts = _numbers("prediction", prediction), _numbers("target", target)
    if len(ps) != len(ts):
        raise ValueError(f"target must have as many entries as prediction ({len(ps)}), got {len(ts)}")
    return math.fsum((a - b) ** 2 for a, b in zip(ps, ts))


def mean_squared_error(predictions, targets) -> float:
    """The mean squared error: :func:`squared_error` averaged over examples (squared units of the target).

    ``predictions`` and ``targets`` hold one entry per example, each a
    number or a sequence of numbers of matching length.
    """
    try:
        ps, ts = list(predictions), list(targets)
    except TypeError:
        raise ValueError("predictions and targets must be sequences, one entry per example") from None
    if not ps:
        raise ValueError("predictions must hold at least one example, got none")
    if len(ps) != len(ts):
        raise ValueError(f"targets must have one entry per prediction ({len(ps)}), got {len(ts)}")
    return math.fsum(squared_error(a, b) for a, b in zip(ps, ts)) / len(ps)


# -- likelihood and cross-entropy ---------------------------------------------------------


def negative_log_likelihood(probs: Sequence[float]) -> float:
    """−Σ ln q_i in nats, for the probabilities q_i a model gave the true label of each example.

    Equal to −ln of their product, the likelihood of the data under the
    model, but summed as logarithms so it never underflows. ``math.inf`` if
    some q_i is 0 (the model called a real outcome impossible).
    """
    total = []
    for i, q in enumerate(_numbers("probs", probs)):
        if not 0 <= q <= 1:
            raise ValueError(f"probs[{i}] must be in [0, 1] (a probability), got {q!r}")
        if q == 0:
            return math.inf
        total.append(-math.log(q))
    return math.fsum(total) + 0.0


def binary_cross_entropy(prob: float, target: float) -> float:
    """−[y·ln q + (1 − y)·ln(1 − q)] in nats: the cross-entropy of a yes-or-no prediction.

    ``prob`` = q is the model's probability of yes, ``target`` = y the
    truth's (0 or 1 for a label; anything in [0, 1] for a soft target). A
    term whose weight is 0 contributes nothing; ``math.inf`` when the model
    gave probability 0 to an outcome the target says can happen.
    """
    q = in_range("prob", prob, 0.0, 1.0)
    y = in_range("target", target, 0.0, 1.0)
    total = 0.0
    for weight, share in ((y, q), (1.0 - y, 1.0 - q)):
        if weight == 0:
            continue
        if share == 0:
            return math.inf
        total -= weight * math.log(share)
    return total + 0.0


def binary_cross_entropy_logit(z: float, target: float) -> float:
    """Binary cross-entropy of q = σ(z) against ``target`` y, from the logit: softplus(z) − y·z (nats).

    −ln σ(z) = softplus(−z) and −ln(1 − σ(z)) = softplus(z), so the loss is
    y·softplus(−z) + (1 − y)·softplus(z) = softplus(z) − y·z. Finite for
    every finite z, where the probability form would round to ln 0.
    """
    finite("z", z)
    y = in_range("target", target, 0.0, 1.0)
    return softplus(z) - y * z


def bce_slope(z: float, target: float) -> float:
    """d/dz of binary cross-entropy through the sigmoid: σ(z) − y (nats per unit of logit).

    The sigmoid's own slope σ(1 − σ) cancels against the 1/(q(1 − q)) of
    the logarithm, so the slope stays near ±1 however saturated σ is.
    """
    finite("z", z)
    y = in_range("target", target, 0.0, 1.0)
    return sigmoid(z) - y


def sigmoid_squared_error(z: float, target: float) -> float:
    """(σ(z) − y)²: the squared error of a sigmoid's output against ``target`` y (a pure number, ≤ 1)."""
    finite("z", z)
    y = in_range("target", target, 0.0, 1.0)
    return (sigmoid(z) - y) ** 2


def sigmoid_squared_error_slope(z: float, target: float) -> float:
    """d/dz of (σ(z) − y)² by the chain rule: 2·(σ(z) − y)·σ(z)·(1 − σ(z)) (per unit of logit).

    The factor σ(1 − σ) is the sigmoid's slope: where σ saturates near 0 or
    1 it is near 0, and so is this slope, even when σ sits at the wrong end.
    """
    finite("z", z)
    y = in_range("target", target, 0.0, 1.0)
    return 2.0 * (sigmoid(z) - y) * sigmoid_slope(z)


def softmax_squared_error_slope(logits: Sequence[float], index: int) -> list[float]:
    """∂/∂z_j of ‖softmax(z) − p‖², p one-hot at ``index``: 2·q_j·[(q_j − p_j) − Σ_i q_i·(q_i − p_i)].

    The softmax's slopes ∂q_i/∂z_j = q_i·(δ_ij − q_j) multiply every term,
    so the gradient fades when the softmax puts nearly all its probability
    on one class, right or wrong.
    """
    q = softmax(logits)
    i0 = _index(index, len(q))
    err = [qi - (1.0 if i == i0 else 0.0) for i, qi in enumerate(q)]
    mean = math.fsum(qi * e for qi, e in zip(q, err))
    return [2.0 * qj * (ej - mean) for qj, ej in zip(q, err)]


# -- label smoothing -----------------------------------------------------------------


def smoothed_probs(size: int, epsilon: float) -> tuple[float, float]:
    """(target of the true class, target of each other class) under label smoothing: (1 − ε + ε/V, ε/V).

    ``size`` = V classes, ``epsilon`` = ε in [0, 1]; the V numbers sum to 1.
    """
    v = _size(size)
    e = _epsilon(epsilon)
    return 1.0 - e + e / v, e / v


def smoothed_target(index: int, size: int, epsilon: float) -> list[float]:
    """The smoothed target p^ε = (1 − ε)·one-hot(``index``) + ε/V, as a list of ``size`` = V probabilities."""
    hi, lo = smoothed_probs(size, epsilon)
    i0 = _index(index, size)
    return [hi if i == i0 else lo for i in range(size)]


def smoothed_cross_entropy(logits: Sequence[float], index: int, epsilon: float) -> float:
    """H(p^ε, softmax(z)) in nats: cross-entropy against the smoothed target, from the logits.

    Equals (1 − ε)·(−ln q_y) + ε·(mean over all V classes of −ln q_i),
    Szegedy et al.'s (1 − ε)·H(p, q) + ε·H(u, q) with u uniform. With
    ``epsilon`` 0 it is the plain next-token loss −ln q_y.
    """
    logq = _log_softmax(logits)
    v = len(logq)
    if v < 2:
        raise ValueError("logits must hold at least two numbers (two classes)")
    i0 = _index(index, v)
    e = _epsilon(epsilon)
    plain = -logq[i0]
    if e == 0:
        return plain + 0.0
    return (1.0 - e) * plain + e * math.fsum(-x for x in logq) / v


def smoothed_cross_entropy_slope(logits: Sequence[float], index: int, epsilon: float) -> list[float]:
    """∂/∂z_i of :func:`smoothed_cross_entropy`: q_i − p^ε_i for every class (nats per unit of logit)."""
    q = softmax(logits)
    target = smoothed_target(index, len(q), epsilon)
    return [a - b for a, b in zip(q, target)]


def optimal_logit_gap(size: int, epsilon: float) -> float:
    """The gap z_y − z_other at which the softmax equals the smoothed target: ln(1 + V·(1 − ε)/ε).

    That is ln of (1 − ε + ε/V)/(ε/V), the ratio of the two target
    probabilities; the smoothed cross-entropy is least there. ``math.inf``
    for ε = 0: a one-hot target pulls the gap apart for ever. 0 for ε = 1.
    """
    v = _size(size)
    e = _epsilon(epsilon)
    if e == 0:
        return math.inf
    return math.log1p(v * (1.0 - e) / e)


def smoothing_floor(size: int, epsilon: float) -> float:
    """The least smoothed cross-entropy any model can reach: the entropy H(p^ε) of the target, in nats.

    −[a·ln a + (V − 1)·b·ln b] with a = 1 − ε + ε/V and b = ε/V; 0 for
    ε = 0, ln V for ε = 1 (a uniform target).
    """
    a, b = smoothed_probs(size, epsilon)
    total = 0.0
    if a > 0:
        total -= a * math.log(a)
    if b > 0:
        total -= (size - 1) * b * math.log(b)
    return total + 0.0


def gap_smoothed_cross_entropy(gap: float, size: int, epsilon: float) -> float:
    """The smoothed cross-entropy (nats) of logits (Δ, 0, …, 0) over V = ``size`` classes, the true class first.

    ln Σ e^z = ln(e^Δ + V − 1); the true class costs ln Σ e^z − Δ and each
    other class ln Σ e^z, weighted by the smoothed target. The same number as
    :func:`smoothed_cross_entropy` without building a list of V logits.
    """
    finite("gap", gap)
    a, b = smoothed_probs(size, epsilon)
    if gap >= 0:
        lse = gap + math.log1p((size - 1) * math.exp(-gap))
    else:
        lse = math.log(math.exp(gap) + (size - 1))
    return a * (lse - gap) + (size - 1) * b * lse


def smoothing_gap_step(gap: float, size: int, epsilon: float, lr: float) -> float:
    """One gradient step on free logits under the smoothed loss, told by their gap Δ = z_y − z_other.

    The true class has probability q_y = σ(Δ − ln(V − 1)) when the other
    V − 1 logits are equal. The slopes are q_y − p^ε_y for the true logit and
    q_o − p^ε_o for each other, so the gap grows by lr·V/(V − 1)·(p^ε_y − q_y).
    Unitless; ``lr`` > 0 is the learning rate.
    """
    finite("gap", gap)
    v = _size(size)
    positive("lr", lr)
    target, _ = smoothed_probs(v, epsilon)
    q = sigmoid(gap - math.log(v - 1))
    return gap + lr * v / (v - 1) * (target - q)


def smoothing_gap_descent(size: int, epsilon: float, lr: float, steps: int) -> list[float]:
    """The gap after 0, 1, …, ``steps`` steps of :func:`smoothing_gap_step` from equal logits (gap 0).

    The same recurrence, checked once and run in a tight loop: 10,000 steps
    take a few milliseconds.
    """
    v = _size(size)
    positive("lr", lr)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    target, _ = smoothed_probs(v, epsilon)
    shift, gain = math.log(v - 1), lr * v / (v - 1)
    exp = math.exp
    g = 0.0
    out = [g]
    for _ in range(steps):
        u = g - shift
        q = 1.0 / (1.0 + exp(-u)) if u >= 0 else exp(u) / (1.0 + exp(u))
        g += gain * (target - q)
        out.append(g)
    return out


# -- a sigmoid neuron trained by either loss ---------------------------------------------


def neuron_loss_gradient(w: float, b: float, xs: Sequence[float], ys: Sequence[float],
                         loss: str) -> tuple[float, float, float]:
    """(mean loss, ∂L/∂w, ∂L/∂b) of the neuron q = σ(w·x + b) over examples (x, y), y in {0, 1}.

    ``loss`` "bce" averages binary cross-entropy (nats), whose slope in the
    logit is q − y; "mse" averages (q − y)², whose slope in the logit is
    2(q − y)·q(1 − q). The chain rule through z = w·x + b multiplies by x for
    w and by 1 for b.
    """
    finite("w", w)
    finite("b", b)
    if loss not in NEURON_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(NEURON_LOSSES)}, got {loss!r}")
    x_, y_ = _numbers("xs", xs), _numbers("ys", ys)
    if len(x_) != len(y_):
        raise ValueError(f"ys must have one label per input ({len(x_)}), got {len(y_)}")
    total, gw, gb = [], [], []
    for x, y in zip(x_, y_):
        z = w * x + b
        if loss == "bce":
            total.append(binary_cross_entropy_logit(z, y))
            g = bce_slope(z, y)
        else:
            total.append(sigmoid_squared_error(z, y))
            g = sigmoid_squared_error_slope(z, y)
        gw.append(g * x)
        gb.append(g)
    n = len(x_)
    return math.fsum(total) / n, math.fsum(gw) / n, math.fsum(gb) / n


def neuron_descent(w0: float, b0: float, xs: Sequence[float], ys: Sequence[float], loss: str, lr: float,
                   steps: int) -> list[tuple[float, float]]:
    """(w, b) after 0, 1, …, ``steps`` steps of gradient descent on :func:`neuron_loss_gradient`'s loss.

    Each step is w ← w − η·∂L/∂w, b ← b − η·∂L/∂b with ``lr`` = η. The
    slopes are the ones :func:`neuron_loss_gradient` gives, computed in a
    tight loop (600 steps over eight points take a few milliseconds).
    """
    w, b = finite("w0", w0), finite("b0", b0)
    positive("lr", lr)
    if loss not in NEURON_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(NEURON_LOSSES)}, got {loss!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    x_, y_ = _numbers("xs", xs), _numbers("ys", ys)
    if len(x_) != len(y_):
        raise ValueError(f"ys must have one label per input ({len(x_)}), got {len(y_)}")
    pairs = list(zip(x_, y_))
    n, exp, bce = len(pairs), math.exp, loss == "bce"
    out = [(float(w), float(b))]
    for _ in range(steps):
        gw = gb = 0.0
        for x, y in pairs:
            z = w * x + b
            q = 1.0 / (1.0 + exp(-z)) if z >= 0 else exp(z) / (1.0 + exp(z))
            g = q - y if bce else 2.0 * (q - y) * q * (1.0 - q)
            gw += g * x
            gb += g
        w -= lr * gw / n
        b -= lr * gb / n
        out.append((w, b))
    return out
