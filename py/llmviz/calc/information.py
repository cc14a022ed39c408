"""Probability and information: surprisal, entropy, cross-entropy, KL divergence, softmax, perplexity.

A distribution over a vocabulary of V tokens is a sequence of V
probabilities, each ≥ 0, summing to 1. Every quantity here is a logarithm
of probabilities, so its unit is set by the logarithm's base: base 2 gives
bits, base e gives nats (1 nat = 1/ln 2 ≈ 1.443 bits). Language-model
losses are usually given in nats per token, as Kaplan et al. 2020 (§1.3)
give theirs.

Conventions (Shannon 1948; Kullback and Leibler 1951):

* a term with p_i = 0 contributes nothing, because p·log p → 0 as p → 0;
* cross-entropy and KL are infinite when q_i = 0 where p_i > 0: an outcome
  the model called impossible happened;
* H(p, q) = H(p) + KL(p‖q), so KL ≥ 0 is the extra cost of using q where the
  truth is p.

``softmax`` turns a model's scores (logits) into such a distribution.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

from ._checks import positive

#: how far a distribution's sum may stray from 1 before it is rejected
SUM_TOLERANCE = 1e-6
# the bound is inclusive: a sum such as 0.5 + 1e-6 + 0.5 lands a rounding error past
# 1 + 1e-6 in floating point, and should not be rejected for it
_SUM_SLACK = SUM_TOLERANCE * (1 + 1e-9)


def _real(x) -> bool:
    """True for a real number (Python or numpy, int or float), but not for a bool."""
    t = type(x)
    if t is float or t is int:   # the common case, without the slower abstract-class check
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _log_base(name: str, base: float) -> float:
    """ln(base), after checking that ``base`` can be a logarithm's base (> 0 and ≠ 1)."""
    positive(name, base)
    if base == 1:
        raise ValueError(f"{name} must not be 1 (log base 1 is undefined), got {base!r}")
    return math.log(base)


def check_distribution(name: str, p: Sequence[float]) -> list[float]:
    """Return ``p`` as a list if it is a probability distribution; else ``ValueError`` naming ``name``.

    A distribution is a non-empty sequence of finite real numbers ≥ 0 whose
    sum is 1 within :data:`SUM_TOLERANCE` (inclusive). The entries come back
    as Python floats, so numpy scalars of any width are accepted.
    """
    try:
        ps = list(p)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of probabilities, got {p!r}") from None
    if not ps:
        raise ValueError(f"{name} must hold at least one probability, got an empty sequence")
    for i, x in enumerate(ps):
        if not _real(x) or not math.isfinite(x):
            raise ValueError(f"{name}[{i}] must be a finite number, got {x!r}")
        if x < 0:
            raise ValueError(f"{name}[{i}] must be >= 0 (a probability), got {x!r}")
    ps = [float(x) for x in ps]
    total = math.fsum(ps)
    if abs(total - 1.0) > _SUM_SLACK:
        raise ValueError(f"{name} must sum to 1 (within {SUM_TOLERANCE:g}), got a sum of {total!r}")
    return ps


def _pair(p: Sequence[float], q: Sequence[float]) -> tuple[list[float], list[float]]:
    ps, qs = check_distribution("p", p), check_distribution("q", q)
    if len(ps) != len(qs):
        raise ValueError(f"q must have as many entries as p ({len(ps)}), got {len(qs)}")
    return ps, qs


def surprisal(prob: float, base: float = 2.0) -> float:
    """The surprise of an outcome of probability ``prob``: −log(prob), in bits (base 2) or nats (base e).

    1 for a fair coin's side in bits, 0 for a certainty, ``math.inf`` for an
    outcome of probability 0.
    """
    ln_b = _log_base("base", base)
    if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not math.isfinite(prob):
        raise ValueError(f"prob must be a finite number, got {prob!r}")
    if not 0 <= prob <= 1:
        raise ValueError(f"prob must be in [0, 1], got {prob!r}")
    if prob == 0:
        return math.inf
    return -math.log(prob) / ln_b + 0.0   # + 0.0 turns −0.0 (prob = 1) into 0.0


def entropy(p: Sequence[float], base: float = 2.0) -> float:
    """Shannon entropy H(p) = −Σ p_i·log p_i: the expected surprisal of a draw from ``p``.

    In bits with base 2 (the default), nats with base e. 0 for a certainty,
    log V for a uniform distribution over V outcomes. Terms with p_i = 0
    contribute 0.
    """
    ln_b = _log_base("base", base)
    ps = check_distribution("p", p)
    return math.fsum(-x * math.log(x) for x in ps if x > 0) / ln_b + 0.0


def cross_entropy(p: Sequence[float], q: Sequence[float], base: float = 2.0) -> float:
    """Cross-entropy H(p, q) = −Σ p_i·log q_i: the expected surprisal under ``q`` of draws from ``p``.

    In bits with base 2 (the default), nats with base e. With a one-hot
    ``p`` it is −log q(true outcome), a language model's loss on one token.
    ``math.inf`` if some q_i = 0 where p_i > 0; terms with p_i = 0 contribute 0.
    """
    ln_b = _log_base("base", base)
    ps, qs = _pair(p, q)
    terms = []
    for pi, qi in zip(ps, qs):
        if pi == 0:
            continue
        if qi == 0:
            return math.inf
        terms.append(-pi * math.log(qi))
    return math.fsum(terms) / ln_b + 0.0


def kl_divergence(p: Sequence[float], q: Sequence[float], base: float = 2.0) -> float:
    """Kullback-Leibler divergence KL(p‖q) = Σ p_i·log(p_i / q_i) = H(p, q) − H(p), ≥ 0.

    The extra surprise, in bits (base 2) or nats (base e), of scoring draws
    from ``p`` with ``q`` instead of with ``p`` itself; 0 exactly when q = p.
    Not symmetric: KL(p‖q) ≠ KL(q‖p) in general. ``math.inf`` if some q_i = 0
    where p_i > 0; terms with p_i = 0 contribute 0.
    """
    ln_b = _log_base("base", base)
    ps, qs = _pair(p, q)
    terms = []
    for pi, qi in zip(ps, qs):
        if pi == 0:
            continue
        if qi == 0:
            return math.inf
        terms.append(pi * (math.log(pi) - math.log(qi)))
    # rounding can leave a tiny negative sum when q ≈ p; KL is never below 0
    return max(0.0, math.fsum(terms) / ln_b)


def softmax(logits: Sequence[float], temperature: float = 1.0) -> list[float]:
    """Probabilities q_i = exp(z_i/τ) / Σ_j exp(z_j/τ) from scores (logits) z and temperature τ.

    The result is a list of non-negative numbers summing to 1, in the order
    of ``logits``. Subtracting the largest logit first leaves the result
    unchanged (the factor cancels between top and bottom) and keeps every
    exponent ≤ 0, so nothing overflows. τ < 1 sharpens the distribution, τ > 1
    flattens it. A logit of −∞ gets probability 0 (a masked entry); ``ValueError``
    for an empty sequence, NaN or +∞ logits, all logits −∞, or ``temperature`` ≤ 0.
    """
    positive("temperature", temperature)
    try:
        zs = list(logits)
    except TypeError:
        raise ValueError(f"logits must be a sequence of numbers, got {logits!r}") from None
    if not zs:
        raise ValueError("logits must hold at least one number, got an empty sequence")
    plain = True
    for i, z in enumerate(zs):
        if type(z) is not float:
            if not _real(z):
                raise ValueError(f"logits[{i}] must be a number below +inf, got {z!r}")
            plain = False
        if z != z or z == math.inf:   # z != z only for NaN
            raise ValueError(f"logits[{i}] must be a number below +inf, got {z!r}")
    if not plain:
        zs = [float(z) for z in zs]
    top = max(zs)
    if top == -math.inf:
        raise ValueError("logits must not all be -inf (nothing would be possible)")
    ex = [math.exp((z - top) / temperature) for z in zs]
    total = math.fsum(ex)
    return [e / total for e in ex]


def perplexity(loss: float, base: float = math.e) -> float:
    """Perplexity base**loss of an average loss (cross-entropy per token); a pure number.

    ``loss`` is in the unit of ``base``: nats with base e (the default, as
    papers report it), bits with base 2. A perplexity of N means the model is
    as unsure, on average, as a fair choice among N tokens. An infinite loss
    (a cross-entropy where the model gave a real outcome probability 0) has
    infinite perplexity, and so does a loss too large for a float's range.
    """
    _log_base("base", base)
    if isinstance(loss, (int, float)) and not isinstance(loss, bool) and loss == math.inf:
        return math.inf
    positive("loss", loss, allow_zero=True)
    try:
        return base ** loss
    except OverflowError:
        # e^710 already exceeds the largest float; the honest answer is "more than any float"
        return math.inf
