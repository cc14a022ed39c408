"""The tiny model's training record: its size, what it was trained on, and its loss curve.

Reads only the two JSON files beside the weights (``tiny_lm.json``'s header and
``tiny_lm_curve.json``, a few kilobytes), never the weights, so a chapter that
shows how the model trained pays nothing for running it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CurvePoint:
    """The losses measured after ``step`` optimizer steps (nats per token)."""

    step: int
    train: float
    held_out: float


@dataclass(frozen=True)
class TrainingRecord:
    """What ``tools/train_tiny_lm.py`` wrote down about the shipped run.

    ``tokens_per_step`` is the batch times the context (16 windows of 128 tokens);
    ``train_tokens`` the distinct tokens of the training text; ``vocab`` the
    tokenizer's size, so ln(vocab) is the loss of a model that knows nothing.
    """

    n_params: int
    vocab: int
    steps: int
    tokens_per_step: int
    train_tokens: int
    held_out_tokens: int
    curve: tuple[CurvePoint, ...]

    @property
    def tokens_seen(self) -> int:
        """Tokens the run read, counting repeats: steps × tokens per step."""
        return self.steps * self.tokens_per_step

    @property
    def passes(self) -> float:
        """How many times, on average, the run read each token of its training text."""
        return self.tokens_seen / self.train_tokens


_CACHE: dict[str, TrainingRecord] = {}


def training_record(name: str = "tiny_lm", folder: Path | None = None) -> TrainingRecord:
    """The record of the model ``name`` in ``folder`` (default: this package), read once."""
    folder = folder or HERE
    key = f"{folder}/{name}"
    if key not in _CACHE:
        header = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        points = json.loads((folder / f"{name}_curve.json").read_text(encoding="utf-8"))
        cfg, tr = header["config"], header["training"]
        sched = tr["schedule"]
        _CACHE[key] = TrainingRecord(
            n_params=int(header["n_params"]), vocab=int(cfg["n_vocab"]), steps=int(sched["steps"]),
            tokens_per_step=int(sched["batch"]) * int(cfg["n_ctx"]),
            train_tokens=int(tr["tokens"]["train"]), held_out_tokens=int(tr["tokens"]["held_out"]),
            curve=tuple(CurvePoint(int(p["step"]), float(p["train"]), float(p["held_out"])) for p in points))
    return _CACHE[key]
