"""Answers for chapter p00-c07 (optimization: SGD, momentum, Adam, schedules).

Update rules and the schedule come from :mod:`llmviz.calc.optimizers`, the
memory bill from :func:`llmviz.calc.parallel.zero_model_state_bytes` over
the catalog, and the race and moving-average figures from the simulation's
own functions at the presets the prose names, so the book's numbers are the
ones the reader sees.
"""
from __future__ import annotations

import math

from ..calc.model_size import param_count
from ..calc.optimizers import (adam_step, adamw_step, bias_correction, lr_schedule, model_state_breakdown,
                               optimizer_state_multiplier, sgd_step)
from ..calc.parallel import zero_model_state_bytes
from ..catalog import get_gpu
from ..modes.part00_math.optimizers import (BETA2, GPU, LLAMA_BATCHES, LLAMA_FINAL, LLAMA_PEAK, LLAMA_TOTAL,
                                            LLAMA_WARMUP, RACE_STEPS, START, OptimizersMode, bowl,
                                            llama_batch_steps, moving_average_trace, noise_sigma, race_paths)
from ..units import fmt_bytes, fmt_count, fmt_sci
from . import Answer

RACE = OptimizersMode.submodes["race"].values
NOISE = OptimizersMode.submodes["noise"].values
AVERAGE = OptimizersMode.submodes["average"].values
SCHEDULE = OptimizersMode.submodes["schedule"].values
SMALL_LR = 0.03             # "Cut η to 0.03" in the noisy race
TILT = 45                   # "Tilt the valley by 45°"
FLOOR_FROM = 100            # the noise floor: mean loss over steps 101…150
RATIO_FROM = 20             # Adam's step ÷ η: mean over steps 21…40
LLAMA_TOKENS = 15.6e12      # Llama 3 405B's pre-training tokens (Dubey et al. 2024, section 1)
# Exercise 2: one parameter's first gradient, Adam's default rate
EX2_G, EX2_LR = 0.5, 1e-3
# Exercise 3: two steady gradients under one learning rate
EX3_BIG, EX3_SMALL, EX3_LR = 100.0, 0.01, 1e-3
# Exercise 4: one example's noise in the simulation, two batch sizes
EX4_BATCHES = (16, 1024)
# The AdamW example and exercise 9: two weights of 1.0, gradients 10 and 0
DECAY_LR, DECAY_LAMBDA, DECAY_GRADS = 0.01, 0.1, (10.0, 0.0)
# PyTorch's AdamW defaults: weight_decay 0.01, lr 1e-3 (torch.optim.AdamW's signature)
TORCH_DECAY, TORCH_LR = 0.01, 1e-3
# Exercise 10: the budget is cut to this many steps when the run is at CUT_AT
CUT_TOTAL, CUT_AT = 600_000, 300_000
MODELS = {"llama8": "llama-3-8b", "llama70": "llama-3-70b", "llama405": "llama-3.1-405b"}


def _num(v: float, digits: int = 3) -> str:
    """Integers exactly (with separators), others to ``digits`` significant figures; a real minus sign."""
    r = round(v, 9)
    if float(r).is_integer():
        return f"{int(r):,}".replace("-", "\u2212")
    return f"{v:.{digits}g}".replace("-", "\u2212")


def _plain(v: float, digits: int = 3) -> Answer:
    return Answer(v, _num(v, digits))


def _decimal(v: float, places: int) -> Answer:
    """A decimal written out, never in e-notation: 0.00025, not 2.5e-4."""
    return Answer(v, f"{v:.{places}f}".rstrip("0").rstrip(".").replace("-", "\u2212"))


def _loss(v: float) -> Answer:
    """A loss as the race panel prints it: two significant figures, powers of ten below 0.001."""
    return Answer(v, f"{v:.2g}" if v >= 1e-3 else fmt_sci(v, digits=2))


def _lr(v: float, digits: int = 3) -> Answer:
    return Answer(v, fmt_sci(v, digits=digits) if v else "0")


def _bytes(v: float) -> Answer:
    return Answer(v, fmt_bytes(v))


def _dist(v: float) -> Answer:
    """A distance in the bowl's parameter units, to one decimal place."""
    return Answer(v, f"{v:.1f}")


def _percent(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{100 * v:.{digits}g} %")


# -- the race ------------------------------------------------------------------------


def _paths(**over) -> dict:
    v = dict(RACE, **over)
    return race_paths(v["kappa"], v["tilt"], v["lr"], v["beta"], v["batch"])


def _start_grad() -> list[float]:
    _, grad, _ = bowl(RACE["kappa"], RACE["tilt"])
    return grad(list(START))


def _sgd_first_move() -> tuple[float, float]:
    """SGD's first step on the exact gradient, as distances moved in x and y."""
    after = sgd_step(list(START), _start_grad(), RACE["lr"])
    return abs(after[0] - START[0]), abs(after[1] - START[1])


def _final_loss(name: str, **over) -> float:
    return _paths(**over)[name]["loss"][-1]


def _floor(lr: float) -> float:
    """Momentum's mean loss over the last 50 steps of the noisy race at learning rate ``lr``."""
    p = race_paths(NOISE["kappa"], NOISE["tilt"], lr, NOISE["beta"], NOISE["batch"])["momentum"]
    tail = p["loss"][FLOOR_FROM + 1:]
    return sum(tail) / len(tail)


def _noisy_dist(name: str, lr: float) -> float:
    """How far along the valley (|x|; the bowl is untilted) ``name`` still is from the minimum
    after the noisy race at learning rate ``lr``."""
    p = race_paths(NOISE["kappa"], NOISE["tilt"], lr, NOISE["beta"], NOISE["batch"])[name]
    return abs(p["pts"][-1][0])


def _adam_first_step() -> float:
    """How far Adam's first step moves x in the default race (its y move is the same)."""
    (x0, _), (x1, _) = _paths()["adam"]["pts"][:2]
    return abs(x1 - x0)


def _ratio(batch: int) -> float:
    """Adam's mean step in units of η over the last 20 steps of the moving-average view."""
    trace = moving_average_trace(AVERAGE["beta"], batch)[RATIO_FROM:]
    return sum(e["ratio"] for e in trace) / len(trace)


# -- Adam's arithmetic -------------------------------------------------------------


def _adam_one(g: float, lr: float) -> tuple[float, float, float]:
    """One parameter at 0 after Adam's first step on gradient ``g``: (θ₁, m₁, v₁)."""
    th, m, v = adam_step([0.0], [0.0], [0.0], [g], 1, lr)
    return th[0], m[0], v[0]


def _uncorrected_ratio() -> float:
    """First step ÷ η without bias correction: (1 − β₁)/√(1 − β₂), whatever the gradient."""
    return bias_correction(0.9, 1) / math.sqrt(bias_correction(BETA2, 1))


def _decay(folded: bool) -> list[float]:
    """Both weights after one step with the decay folded into the gradient, or as AdamW."""
    theta = [1.0, 1.0]
    if folded:
        grads = [g + DECAY_LAMBDA * w for g, w in zip(DECAY_GRADS, theta)]
        return adam_step(theta, [0.0, 0.0], [0.0, 0.0], grads, 1, DECAY_LR)[0]
    return adamw_step(theta, [0.0, 0.0], [0.0, 0.0], list(DECAY_GRADS), 1, DECAY_LR, DECAY_LAMBDA)[0]


# -- schedules ---------------------------------------------------------------------


def _llama(step: float, total: float = LLAMA_TOTAL) -> float:
    return lr_schedule(step, LLAMA_PEAK, LLAMA_WARMUP, total, LLAMA_FINAL)


def _schedule_default() -> float:
    v = SCHEDULE
    return lr_schedule(v["at"], v["peak"], v["warmup"], v["total"], v["final"] * v["peak"])


def _progress(step: float, total: float = LLAMA_TOTAL) -> float:
    return (step - LLAMA_WARMUP) / (total - LLAMA_WARMUP)


def _phase_steps() -> tuple[int, int, int]:
    """Steps in Llama 3 405B's 4M, 8M and 16M-token phases (the last if all 15.6T tokens were read so)."""
    _, first, second = llama_batch_steps()
    (_, _), (_, _), (b16, s16) = LLAMA_BATCHES
    return first, second - first, math.ceil((LLAMA_TOKENS - s16) / b16)


# -- memory ------------------------------------------------------------------------


def _state(model: str, optimizer: str = "adam") -> float:
    n = param_count(MODELS[model])
    return zero_model_state_bytes(n, 1, 0, optimizer_state_multiplier(optimizer))


def _moments(model: str) -> float:
    parts = model_state_breakdown(param_count(MODELS[model]), "adam")
    return parts["m"] + parts["v"]


def _gpus(model: str) -> int:
    return math.ceil(_state(model) / get_gpu(GPU).hbm_bytes)


ANSWERS = {
    # the race
    "race_lr": lambda: _plain(RACE["lr"]),
    "race_steps": lambda: _plain(RACE_STEPS),
    "start_grad_x": lambda: _plain(_start_grad()[0]),
    "start_grad_y": lambda: _plain(_start_grad()[1]),
    "start_grad_ratio": lambda: _plain(abs(_start_grad()[1] / _start_grad()[0])),
    "sgd_first_dx": lambda: _plain(_sgd_first_move()[0]),
    "sgd_first_dy": lambda: _plain(_sgd_first_move()[1]),
    "final_loss_sgd": lambda: _loss(_final_loss("sgd")),
    "final_loss_momentum": lambda: _loss(_final_loss("momentum")),
    "final_loss_adam": lambda: _loss(_final_loss("adam")),
    "race_sigma": lambda: _plain(noise_sigma(RACE["batch"]), 2),
    "sigma_b8": lambda: _plain(noise_sigma(NOISE["batch"]), 2),
    "noisy_sgd_dist": lambda: _dist(_noisy_dist("sgd", NOISE["lr"])),
    "noisy_adam_dist": lambda: _dist(_noisy_dist("adam", NOISE["lr"])),
    "noisy_adam_dist_small": lambda: _dist(_noisy_dist("adam", SMALL_LR)),
    "noise_floor_momentum": lambda: _loss(_floor(NOISE["lr"])),
    "noise_floor_momentum_small": lambda: _loss(_floor(SMALL_LR)),
    "momentum_gain": lambda: _plain(1 / (1 - RACE["beta"])),
    "adam_first_step": lambda: _plain(_adam_first_step()),
    "tilt_loss_adam": lambda: _loss(_final_loss("adam", tilt=TILT)),
    "tilt_loss_sgd": lambda: _loss(_final_loss("sgd", tilt=TILT)),
    # Adam's averages and bias correction
    "ratio_b16": lambda: _plain(_ratio(AVERAGE["batch"]), 2),
    "ratio_b1": lambda: _plain(_ratio(1), 2),
    "sqrt_v1_share": lambda: _plain(math.sqrt(bias_correction(BETA2, 1))),
    "uncorrected_first": lambda: _plain(_uncorrected_ratio()),
    "correction_t40": lambda: _plain(bias_correction(AVERAGE["beta"], 40)),
    "correction_v_1000": lambda: _plain(bias_correction(BETA2, 1000)),
    # AdamW
    "decay_intended": lambda: _plain(DECAY_LR * DECAY_LAMBDA * 1.0),
    "l2_step_a": lambda: _plain(1.0 - _decay(True)[0]),
    "l2_step_b": lambda: _plain(1.0 - _decay(True)[1]),
    "adamw_step_a": lambda: _plain(1.0 - _decay(False)[0]),
    "pytorch_default_decay": lambda: _lr(1.0 - adamw_step([1.0], [0.0], [0.0], [0.0], 1, TORCH_LR, TORCH_DECAY)[0][0]),
    # schedules
    "schedule_default_at": lambda: _lr(_schedule_default()),
    "llama_warmup_share": lambda: _percent(LLAMA_WARMUP / LLAMA_TOTAL),
    "llama_lr_600k": lambda: _lr(_llama(600_000)),
    "llama_lr_4000": lambda: _lr(_llama(4000)),
    "llama_batch_step_8m": lambda: _plain(llama_batch_steps()[1]),
    "llama_batch_step_16m": lambda: _plain(llama_batch_steps()[2]),
    # memory
    **{f"{k}_params": (lambda k=k: Answer(param_count(MODELS[k]), fmt_count(param_count(MODELS[k]))))
       for k in MODELS},
    **{f"{k}_adam_bytes": (lambda k=k: _bytes(_state(k))) for k in MODELS},
    **{f"{k}_gpus": (lambda k=k: _plain(_gpus(k))) for k in MODELS},
    **{f"{k}_moment_bytes": (lambda k=k: _bytes(_moments(k))) for k in MODELS},
    "llama8_momentum_bytes": lambda: _bytes(_state("llama8", "momentum")),
    "llama8_sgd_bytes": lambda: _bytes(_state("llama8", "sgd")),
    # exercise 1: a velocity that adds up
    "ex1_v10": lambda: _plain(sum(RACE["beta"] ** k for k in range(10))),
    # exercise 2: Adam's first step
    "ex2_m1": lambda: _decimal(_adam_one(EX2_G, EX2_LR)[1], 6),
    "ex2_v1": lambda: _decimal(_adam_one(EX2_G, EX2_LR)[2], 8),
    "ex2_mhat": lambda: _plain(_adam_one(EX2_G, EX2_LR)[1] / bias_correction(0.9, 1)),
    "ex2_vhat": lambda: _plain(_adam_one(EX2_G, EX2_LR)[2] / bias_correction(BETA2, 1)),
    "ex2_step": lambda: _decimal(abs(_adam_one(EX2_G, EX2_LR)[0]), 6),
    "ex2_uncorrected": lambda: _decimal(EX2_LR * _uncorrected_ratio(), 5),
    # exercise 3: one rate, two scales
    "ex3_sgd_big": lambda: _plain(EX3_LR * EX3_BIG),
    "ex3_sgd_small": lambda: _decimal(EX3_LR * EX3_SMALL, 6),
    "ex3_sgd_ratio": lambda: _plain(EX3_BIG / EX3_SMALL),
    "ex3_adam_big": lambda: _decimal(abs(_adam_one(EX3_BIG, EX3_LR)[0]), 9),
    "ex3_adam_small": lambda: _decimal(abs(_adam_one(EX3_SMALL, EX3_LR)[0]), 9),
    "ex3_adam_ratio": lambda: _decimal(_adam_one(EX3_BIG, EX3_LR)[0] / _adam_one(EX3_SMALL, EX3_LR)[0], 6),
    # exercise 4: the price of quiet
    "ex4_sigma16": lambda: _plain(noise_sigma(EX4_BATCHES[0])),
    "ex4_sigma1024": lambda: _plain(noise_sigma(EX4_BATCHES[1])),
    "ex4_halving_factor": lambda: _plain(2 ** 2),
    "ex4_llama_ratio": lambda: _plain(math.sqrt(LLAMA_BATCHES[0][0] / LLAMA_BATCHES[2][0])),
    # exercise 5: Llama 3's warmup
    "ex5_lr0": lambda: _lr(_llama(0)),
    "ex5_lr2000": lambda: _lr(_llama(2000)),
    "ex5_lr8000": lambda: _lr(_llama(8000)),
    # exercise 6: reading the cosine
    "ex6_p": lambda: _plain(_progress(600_000)),
    "ex6_cos_factor": lambda: _plain(0.5 * (1 + math.cos(math.pi * _progress(600_000)))),
    "ex6_half_step": lambda: _plain(LLAMA_WARMUP + 0.5 * (LLAMA_TOTAL - LLAMA_WARMUP)),
    "ex6_half_lr": lambda: _lr(_llama(LLAMA_WARMUP + 0.5 * (LLAMA_TOTAL - LLAMA_WARMUP))),
    # exercise 7: the batch schedule in steps
    "ex7_phase2_steps": lambda: _plain(_phase_steps()[1]),
    "ex7_phase3_steps": lambda: _plain(_phase_steps()[2]),
    "ex7_total_steps": lambda: _plain(sum(_phase_steps())),
    # exercise 9: decay folded in or kept apart
    "ex9_l2_a": lambda: _plain(_decay(True)[0]),
    "ex9_l2_b": lambda: _plain(_decay(True)[1]),
    "ex9_adamw_a": lambda: _plain(_decay(False)[0]),
    "ex9_adamw_b": lambda: _plain(_decay(False)[1]),
    # exercise 10: the budget halves mid-run
    "ex10_old_lr": lambda: _lr(_llama(CUT_AT)),
    "ex10_new_lr": lambda: _lr(_llama(CUT_AT, CUT_TOTAL)),
    "ex10_drop": lambda: _percent(1 - _llama(CUT_AT, CUT_TOTAL) / _llama(CUT_AT)),
}
