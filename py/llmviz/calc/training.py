"""Training compute and scaling laws: the 6·N·D rule, Kaplan's power laws, Chinchilla's loss surface.

Sources: Kaplan et al., Scaling Laws for Neural Language Models (2020),
https://arxiv.org/abs/2001.08361 (section 2.1: C ≈ 6ND, 2 FLOPs per parameter per token
forward and 4 backward; equations 1.1–1.3: L(N), L(D), L(C_min); table 5: N_opt ∝ C^0.73);
Hoffmann et al., Training Compute-Optimal Large Language Models (2022),
https://arxiv.org/abs/2203.15556 (equation 2 and appendix D.2: L(N, D) = E + A/N^α + B/D^β;
equation 4: the compute-optimal split; table 3: about 20 tokens per parameter);
Besiroglu et al., Chinchilla Scaling: A replication attempt (2024),
https://arxiv.org/abs/2404.10102 (a refit of equation 2).

Parameters are counted as each paper counts them: Kaplan leaves out the embedding
tables, Hoffmann et al. count every parameter. Losses are cross-entropies in nats per
token on each paper's own data and tokenizer, so they compare within a paper, not across.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ._checks import positive
from .model_size import param_count
from ..catalog.training_runs import TrainingRun, get_training_run

# Hoffmann et al. find N_opt and D_opt both grow as C^0.5 (Approaches 1-3, Table 2);
# their Table 3 projections sit at about 20 training tokens per parameter.
TOKENS_PER_PARAM = 20.0


def training_flops(n_params: float, n_tokens: float) -> float:
    """Training FLOPs ≈ 6·N·D for ``n_params`` parameters seen over ``n_tokens`` tokens."""
    positive("n_params", n_params)
    positive("n_tokens", n_tokens)
    return 6.0 * n_params * n_tokens


def chinchilla_optimal(flops: float) -> tuple[float, float]:
    """Compute-optimal ``(n_params, n_tokens)`` for a budget of ``flops`` FLOPs.

    The fit used is the rule of thumb read off Hoffmann et al. (2022): D = 20·N
    together with C = 6·N·D, so N = sqrt(C / 120) and D = 20·N. It reproduces the
    paper's Table 3 (Approach 1) within 8 %, and Chinchilla itself (70 B parameters,
    1.4 T tokens for Gopher's 5.76e23 FLOPs) within 2 %.
    """
    positive("flops", flops)
    n_params = math.sqrt(flops / (6.0 * TOKENS_PER_PARAM))
    return n_params, TOKENS_PER_PARAM * n_params


# -- Chinchilla's parametric loss (Hoffmann et al. 2022, Approach 3) ------------------------


@dataclass(frozen=True)
class LossFit:
    """Constants of L(N, D) = E + A/N^α + B/D^β: loss in nats per token, N parameters, D tokens."""

    key: str
    label: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str


#: The fits this book uses, by key. "hoffmann": Hoffmann et al. (2022), appendix D.2,
#: equation (10), as the paper prints it (https://arxiv.org/abs/2203.15556).
#: "besiroglu": Besiroglu, Erdil, Barnett and You (2024), "Chinchilla Scaling: A
#: replication attempt", their refit of the same form to the 240 runs they read off
#: Hoffmann et al.'s Figure 4, as the paper prints its estimates: E 1.8172, A 482.01,
#: B 2085.43, α 0.3478, β 0.3658 (https://arxiv.org/abs/2404.10102).
LOSS_FITS: dict[str, LossFit] = {
    "hoffmann": LossFit("hoffmann", "Hoffmann et al. 2022", E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28,
                        source="https://arxiv.org/abs/2203.15556"),
    "besiroglu": LossFit("besiroglu", "Besiroglu et al. 2024", E=1.8172, A=482.01, B=2085.43,
                         alpha=0.3478, beta=0.3658, source="https://arxiv.org/abs/2404.10102"),
}


def loss_fit(fit: str | LossFit) -> LossFit:
    """The fit named ``fit`` (``"hoffmann"`` or ``"besiroglu"``), or the fit itself."""
    if isinstance(fit, LossFit):
        return fit
    if isinstance(fit, str) and fit in LOSS_FITS:
        return LOSS_FITS[fit]
    raise ValueError(f"fit must be one of {', '.join(LOSS_FITS)}; got {fit!r}")


def chinchilla_loss(n_params: float, n_tokens: float, fit: str | LossFit = "hoffmann") -> float:
    """Predicted loss (nats per token) of ``n_params`` parameters trained on ``n_tokens`` tokens.

    L(N, D) = E + A/N^α + B/D^β. E is the irreducible loss; A/N^α what a model of N
    parameters falls short of it even with unlimited data; B/D^β what training on D
    tokens (once each) leaves on top. Fitted to 70M–16B parameters on 5B–500B tokens of
    Hoffmann et al.'s MassiveText: elsewhere it is an extrapolation.
    """
    positive("n_params", n_params)
    positive("n_tokens", n_tokens)
    f = loss_fit(fit)
    return f.E + f.A / n_params ** f.alpha + f.B / n_tokens ** f.beta


def _g(f: LossFit) -> float:
    """G = (αA / βB)^(1/(α+β)) of Hoffmann et al.'s equation (4)."""
    return (f.alpha * f.A / (f.beta * f.B)) ** (1.0 / (f.alpha + f.beta))


def chinchilla_fit_optimal(flops: float, fit: str | LossFit = "hoffmann") -> tuple[float, float]:
    """The ``(n_params, n_tokens)`` that minimise :func:`chinchilla_loss` at 6·N·D = ``flops``.

    Hoffmann et al.'s equation (4): N_opt = G·(C/6)^a and D_opt = (C/6)^b / G with
    a = β/(α+β), b = α/(α+β) and G = (αA/βB)^(1/(α+β)).
    """
    positive("flops", flops)
    f = loss_fit(fit)
    s = f.alpha + f.beta
    g = _g(f)
    return g * (flops / 6.0) ** (f.beta / s), (flops / 6.0) ** (f.alpha / s) / g


def chinchilla_frontier_loss(flops: float, fit: str | LossFit = "hoffmann") -> float:
    """The lowest loss (nats per token) ``flops`` FLOPs can buy under the fit: the compute-optimal frontier.

    At the optimum both reducible terms fall as the same power of compute:
    L*(C) = E + (A·G^−α + B·G^β)·(C/6)^(−αβ/(α+β)).
    """
    positive("flops", flops)
    f = loss_fit(fit)
    g = _g(f)
    k = f.A * g ** -f.alpha + f.B * g ** f.beta
    return f.E + k * (flops / 6.0) ** (-f.alpha * f.beta / (f.alpha + f.beta))


def chinchilla_flops_for_loss(loss: float, fit: str | LossFit = "hoffmann") -> float:
    """FLOPs a compute-optimal run needs to reach ``loss`` (nats per token): the frontier read backwards.

    Raises ``ValueError`` for a loss at or below the irreducible E, which no budget reaches.
    """
    positive("loss", loss)
    f = loss_fit(fit)
    if loss <= f.E:
        raise ValueError(f"loss must be above the irreducible loss E = {f.E}, got {loss!r}")
    g = _g(f)
    k = f.A * g ** -f.alpha + f.B * g ** f.beta
    return 6.0 * ((loss - f.E) / k) ** (-(f.alpha + f.beta) / (f.alpha * f.beta))


def chinchilla_tokens_for_loss(loss: float, n_params: float, fit: str | LossFit = "hoffmann") -> float:
    """Tokens a model of ``n_params`` parameters must train on to reach ``loss`` under the fit.

    D = (B / (L − E − A/N^α))^(1/β). Raises ``ValueError`` when the loss is at or below
    E + A/N^α, the floor of that size: no amount of data gets it there.
    """
    positive("loss", loss)
    positive("n_params", n_params)
    f = loss_fit(fit)
    floor = f.E + f.A / n_params ** f.alpha
    if loss <= floor:
        raise ValueError(f"loss must be above {floor:.4f}, the floor of a {n_params:.3g}-parameter model; "
                         f"got {loss!r}")
    return (f.B / (loss - floor)) ** (1.0 / f.beta)


def chinchilla_crossover_flops(n_small: float, n_large: float, fit: str | LossFit = "hoffmann") -> float:
    """The budget (FLOPs) above which ``n_large`` parameters reach a lower loss than ``n_small``.

    Along 6·N·D = C the loss is E + A·N^−α + B·(6N)^β·C^−β; the two sizes tie where
    C^−β = A·(N_s^−α − N_l^−α) / (B·6^β·(N_l^β − N_s^β)). Below that budget the smaller
    model is ahead (the larger one has seen too few tokens); above it the larger one is.
    """
    positive("n_small", n_small)
    positive("n_large", n_large)
    if not n_large > n_small:
        raise ValueError(f"n_large must exceed n_small, got {n_large!r} <= {n_small!r}")
    f = loss_fit(fit)
    ratio = f.A * (n_small ** -f.alpha - n_large ** -f.alpha) / (f.B * 6.0 ** f.beta
                                                                 * (n_large ** f.beta - n_small ** f.beta))
    return ratio ** (-1.0 / f.beta)


# -- Kaplan et al. (2020) ------------------------------------------------------------------

#: One petaflop/s-day in FLOPs, Kaplan et al.'s unit of compute (section 1.3).
PF_DAY = 1e15 * 24 * 3600

#: Kaplan et al. (2020), equations (1.1)–(1.3): exponents and scales of the three laws
#: (N counts non-embedding parameters; D tokens; C_min in PF-days).
KAPLAN_ALPHA_N, KAPLAN_N_C = 0.076, 8.8e13
KAPLAN_ALPHA_D, KAPLAN_D_C = 0.095, 5.4e13
KAPLAN_ALPHA_C, KAPLAN_C_C = 0.050, 3.1e8

#: Kaplan et al.'s compute-efficient model size (table 5): N_opt = N_e · C_min^0.73 with
#: N_e = 1.3×10⁹ non-embedding parameters and C_min in PF-days.
KAPLAN_N_EXPONENT = 0.73
KAPLAN_N_E = 1.3e9
#: Hoffmann et al. (2022, appendix D.4) read Kaplan's law as 4.68 billion parameters at
#: 10^21 FLOPs for their head-to-head comparison, and the book draws the law through that
#: point. Table 5 gives 4.68 billion at 5×10^20 FLOPs, half that budget (7.8 billion at
#: 10^21): the two papers count the compute differently by a factor of two, and
#: Hoffmann et al. do not show their conversion.
KAPLAN_ANCHOR = (1e21, 4.68e9)


def kaplan_loss_params(n_params: float) -> float:
    """Kaplan et al.'s L(N) = (N_c/N)^α_N, nats per token, for ``n_params`` non-embedding parameters.

    For models trained to convergence on plenty of data (WebText2, their tokenizer).
    """
    positive("n_params", n_params)
    return (KAPLAN_N_C / n_params) ** KAPLAN_ALPHA_N


def kaplan_loss_tokens(n_tokens: float) -> float:
    """Kaplan et al.'s L(D) = (D_c/D)^α_D, nats per token, for a large model early-stopped on ``n_tokens``."""
    positive("n_tokens", n_tokens)
    return (KAPLAN_D_C / n_tokens) ** KAPLAN_ALPHA_D


def kaplan_loss_compute(flops: float) -> float:
    """Kaplan et al.'s L(C_min) = (C_c/C_min)^α_C, nats per token, with ``flops`` spent optimally.

    C_c is 3.1×10⁸ PF-days; ``flops`` is converted at 1 PF-day = 8.64×10¹⁹ FLOPs.
    """
    positive("flops", flops)
    return (KAPLAN_C_C / (flops / PF_DAY)) ** KAPLAN_ALPHA_C


def kaplan_table5_params(flops: float) -> float:
    """Kaplan et al.'s table 5 as printed: N_opt = 1.3×10⁹ · (C_min / PF-day)^0.73 non-embedding
    parameters for ``flops`` FLOPs of C_min (1 PF-day = 8.64×10¹⁹ FLOPs)."""
    positive("flops", flops)
    return KAPLAN_N_E * (flops / PF_DAY) ** KAPLAN_N_EXPONENT


def kaplan_optimal(flops: float) -> tuple[float, float]:
    """Kaplan et al.'s split of ``flops`` FLOPs: N ∝ C^0.73 through Hoffmann et al.'s reading, D = C/(6N).

    N = 4.68×10⁹ · (C/10²¹)^0.73 parameters; the tokens are what 6·N·D = C leaves.
    """
    positive("flops", flops)
    c0, n0 = KAPLAN_ANCHOR
    n = n0 * (flops / c0) ** KAPLAN_N_EXPONENT
    return n, flops / (6.0 * n)


def training_run_params(run: str | TrainingRun) -> float:
    """Parameters of a catalog training run: counted from its model's configuration when the
    catalog has one, otherwise the figure its paper gives."""
    r = get_training_run(run)
    return float(param_count(r.model)) if r.model else r.params


def training_run_flops(run: str | TrainingRun) -> float:
    """Training FLOPs of a catalog training run by the 6·N·D rule."""
    r = get_training_run(run)
    return training_flops(training_run_params(r), r.tokens)
