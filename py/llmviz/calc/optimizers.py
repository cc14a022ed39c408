"""Optimizers: one step of SGD, momentum, Adam and AdamW, the warmup + cosine schedule, and their memory.

Parameters, gradients and optimizer moments are sequences of floats, one
entry per parameter; every step function returns new lists and leaves its
inputs alone, so a caller can keep a whole trajectory. Learning rates are in
the parameters' own units per unit of gradient (SGD, momentum) or in the
parameters' units (Adam: its step is about ``lr`` per coordinate).

Sources:
- Adam and its bias correction: Kingma and Ba, Adam: A Method for Stochastic
  Optimization (ICLR 2015), Algorithm 1 and section 3, https://arxiv.org/abs/1412.6980.
- AdamW: Loshchilov and Hutter, Decoupled Weight Decay Regularization
  (ICLR 2019), Algorithm 2, https://arxiv.org/abs/1711.05101; the decay is
  scaled by the learning rate as in PyTorch's ``torch.optim.AdamW``.
- Momentum in the form v ← βv + g, θ ← θ − ηv (PyTorch's SGD with zero
  dampening), which is Polyak's heavy-ball method (1964) with step η.
- Cosine decay: Loshchilov and Hutter, SGDR (ICLR 2017), its cosine
  annealing within one run, https://arxiv.org/abs/1608.03983, after a linear warmup.
- Memory: Rajbhandari et al., ZeRO (SC 2020), section 3.1,
  https://arxiv.org/abs/1910.02054: mixed-precision Adam keeps 2 + 2 + 12
  bytes per parameter; :func:`llmviz.calc.parallel.zero_model_state_bytes`
  prices it, and :func:`optimizer_state_multiplier` gives its ``k``.
"""
from __future__ import annotations

import math
from itertools import repeat
from operator import add, mul, sub, truediv
from typing import Sequence

from ._checks import in_range, positive
from .descent import gradient_step

#: The optimizers this module prices, in the order the book meets them.
OPTIMIZERS = ("sgd", "momentum", "adam")
#: Per-parameter moment tensors each keeps (momentum: the velocity; Adam: m and v).
MOMENTS = {"sgd": 0, "momentum": 1, "adam": 2}

HALF_BYTES = 2     # a 16-bit number: the working weights and gradients in mixed precision
FULL_BYTES = 4     # a 32-bit number: master weights and every optimizer moment


def _vector(name: str, xs: Sequence[float], n: int | None = None) -> list[float]:
    out = list(map(float, xs))
    if not all(map(math.isfinite, out)):
        raise ValueError(f"{name} must hold finite numbers")
    if n is not None and len(out) != n:
        raise ValueError(f"{name} must have {n} entries (one per parameter), got {len(out)}")
    return out


def sgd_step(theta: Sequence[float], grad: Sequence[float], lr: float) -> list[float]:
    """One step of (stochastic) gradient descent: θ ← θ − lr·g, per parameter.

    ``grad`` is the gradient of the loss measured on this step's minibatch;
    ``lr`` (> 0) multiplies it, in parameter units per gradient unit.
    """
    th = _vector("theta", theta)
    g = _vector("grad", grad, len(th))
    # the step itself is the derivatives chapter's gradient step; SGD differs only in where g comes from
    return list(gradient_step(th, g, lr))


def momentum_step(theta: Sequence[float], velocity: Sequence[float], grad: Sequence[float],
                  lr: float, beta: float) -> tuple[list[float], list[float]]:
    """One step of momentum: v ← β·v + g, then θ ← θ − lr·v. Returns ``(theta, velocity)``.

    The velocity is a sum of past gradients, each weighted by β per step of
    age: for a constant gradient it approaches g / (1 − β), so the step
    settles at lr / (1 − β) times the gradient. ``beta`` in [0, 1); 0 is SGD.
    """
    th = _vector("theta", theta)
    v = _vector("velocity", velocity, len(th))
    g = _vector("grad", grad, len(th))
    positive("lr", lr)
    in_range("beta", beta, 0.0, 1.0, hi_open=True)
    v = [beta * a + b for a, b in zip(v, g)]
    return [a - lr * b for a, b in zip(th, v)], v


def bias_correction(beta: float, t: int) -> float:
    """Adam's bias-correction divisor 1 − β^t for step ``t`` ≥ 1 (no unit).

    A moving average started at zero holds only 1 − β^t of its input's
    weight after t steps; dividing by this factor restores the scale
    (Kingma and Ba 2015, section 3). At t = 1 with β = 0.9 it is 0.1.
    """
    in_range("beta", beta, 0.0, 1.0, hi_open=True)
    if isinstance(t, bool) or not isinstance(t, int) or t < 1:
        raise ValueError(f"t must be an integer step >= 1, got {t!r}")
    return 1.0 - beta ** t


def adam_step(theta: Sequence[float], m: Sequence[float], v: Sequence[float], grad: Sequence[float],
              t: int, lr: float, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8) -> tuple[list[float], list[float], list[float]]:
    """One step of Adam (Kingma and Ba 2015, Algorithm 1). Returns ``(theta, m, v)``.

    m ← β₁m + (1 − β₁)g and v ← β₂v + (1 − β₂)g² are moving averages of the
    gradient and of its square, per parameter; after bias correction
    (:func:`bias_correction`) each parameter moves by lr·m̂ / (√v̂ + ε), about
    ``lr`` in the parameter's own units when its gradient is steady,
    whatever the gradient's size. ``t`` counts steps from 1; the paper's
    defaults are β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    """
    th = _vector("theta", theta)
    mm = _vector("m", m, len(th))
    vv = _vector("v", v, len(th))
    g = _vector("grad", grad, len(th))
    positive("lr", lr)
    positive("eps", eps)
    bias_correction(beta1, t)   # checks β₁ and t; the update recomputes both divisors
    in_range("beta2", beta2, 0.0, 1.0, hi_open=True)
    return _adam_update(th, mm, vv, g, t, lr, 0.0, beta1, beta2, eps)


def _adam_update(th: list[float], mm: list[float], vv: list[float], g: list[float], t: int, lr: float,
                 weight_decay: float, beta1: float, beta2: float, eps: float) -> tuple[list, list, list]:
    """AdamW's arithmetic on inputs already checked (λ = 0 is Adam): each list op runs in one C loop.

    Per parameter, in this order: θ ← θ·(1 − lr·λ) when λ > 0; m ← β₁m + (1 − β₁)g;
    v ← β₂v + ((1 − β₂)g)g; θ ← θ − (lr·(m/c₁))/(√(v/c₂) + ε), with cᵢ = 1 − βᵢᵗ.
    The operations and their order are those of a plain loop, so the results
    are the same floats; training loops call this directly to skip the checks.
    """
    c1, c2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
    if weight_decay:
        th = list(map(mul, th, repeat(1 - lr * weight_decay)))
    mm = list(map(add, map(mul, repeat(beta1), mm), map(mul, repeat(1 - beta1), g)))
    vv = list(map(add, map(mul, repeat(beta2), vv), map(mul, map(mul, repeat(1 - beta2), g), g)))
    step = map(truediv, map(mul, repeat(lr), map(truediv, mm, repeat(c1))),
               map(add, map(math.sqrt, map(truediv, vv, repeat(c2))), repeat(eps)))
    return list(map(sub, th, step)), mm, vv


def adamw_step(theta: Sequence[float], m: Sequence[float], v: Sequence[float], grad: Sequence[float],
               t: int, lr: float, weight_decay: float, beta1: float = 0.9, beta2: float = 0.999,
               eps: float = 1e-8) -> tuple[list[float], list[float], list[float]]:
    """One step of AdamW: shrink θ by lr·λ·θ, then take the Adam step. Returns ``(theta, m, v)``.

    The decay never enters m or v, so it is not divided by √v̂: every weight
    shrinks by the same fraction lr·λ per step, whatever its gradients
    (Loshchilov and Hutter 2019). ``weight_decay`` is λ ≥ 0, per unit of
    learning rate, as in PyTorch's ``AdamW``; λ = 0 is plain Adam.
    """
    positive("weight_decay", weight_decay, allow_zero=True)
    positive("lr", lr)
    th = [p * (1 - lr * weight_decay) for p in _vector("theta", theta)]
    return adam_step(th, m, v, grad, t, lr, beta1, beta2, eps)


def lr_schedule(step: float, peak: float, warmup: float, total: float, final: float) -> float:
    """Learning rate at ``step``: linear warmup from 0 to ``peak``, then cosine decay to ``final``.

    For step < warmup the rate is peak·step/warmup. From ``warmup`` to
    ``total`` it follows final + (peak − final)·½(1 + cos(π·p)), where
    p = (step − warmup)/(total − warmup) runs from 0 to 1; after ``total``
    it stays at ``final``. Steps are counted from 0; ``warmup`` may be 0
    (no warmup) and must not exceed ``total``. Llama 3 405B: peak 8e-5,
    warmup 8,000, total 1,200,000, final 8e-7 (Dubey et al. 2024, section 3.4.1).
    """
    positive("step", step, allow_zero=True)
    positive("peak", peak)
    positive("warmup", warmup, allow_zero=True)
    positive("total", total)
    positive("final", final, allow_zero=True)
    if warmup > total:
        raise ValueError(f"warmup must be <= total ({total!r}), got {warmup!r}")
    if final > peak:
        raise ValueError(f"final must be <= peak ({peak!r}), got {final!r}")
    if step < warmup:
        return peak * step / warmup
    if step >= total:
        return final if total > warmup else peak
    p = (step - warmup) / (total - warmup)
    return final + (peak - final) * 0.5 * (1.0 + math.cos(math.pi * p))


def _optimizer(name: str) -> str:
    if name not in MOMENTS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    return name


def optimizer_state_multiplier(optimizer: str) -> int:
    """ZeRO's k for mixed precision: 32-bit bytes per parameter the optimizer keeps.

    A 4-byte master copy of every weight, plus 4 bytes for each moment:
    SGD 4, momentum 8, Adam 12 (ZeRO, section 3.1, gives 12 for Adam). Pass
    it as ``k`` to :func:`llmviz.calc.parallel.zero_model_state_bytes`.
    """
    return FULL_BYTES * (1 + MOMENTS[_optimizer(optimizer)])


def model_state_breakdown(n_params: float, optimizer: str) -> dict[str, float]:
    """Bytes of each per-parameter array mixed-precision training keeps, in book order.

    Keys: ``weights`` and ``gradients`` (2 bytes each, the 16-bit working
    copies), ``master`` (the 4-byte copy the update is applied to), then
    ``m`` (momentum's velocity or Adam's first moment) and ``v`` (Adam's
    second moment), 4 bytes each where the optimizer keeps them. The sum is
    :func:`llmviz.calc.parallel.zero_model_state_bytes` with one GPU, stage
    0 and ``k`` from :func:`optimizer_state_multiplier`. Activations are not included.
    """
    positive("n_params", n_params)
    moments = MOMENTS[_optimizer(optimizer)]
    out = {"weights": HALF_BYTES * n_params, "gradients": HALF_BYTES * n_params,
           "master": FULL_BYTES * n_params}
    for name in ("m", "v")[:moments]:
        out[name] = FULL_BYTES * n_params
    return out
