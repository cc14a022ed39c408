"""How many tokens real models were trained on, from their papers.

A training run pairs a model with the number of tokens it was pre-trained on,
as its paper or technical report states it, and names that source. Where the
catalog holds the model's configuration (``model``), its parameter count is
computed from that; models without a published configuration (GPT-3, Gopher,
Chinchilla) carry the parameter count their paper gives (``params``).

Some reports give one token count for a whole family of sizes (Llama 3's "about 15T",
Qwen2.5's 18T, Qwen3's 36T) and none per size: those runs carry ``family=True``, and
whatever shows them says the figure is the family's, applied to that size.

Only dense models appear: every parameter works on every token, which is what
the scaling laws of Kaplan et al. and Hoffmann et al. were fitted to. Models
whose papers do not state a token count (Mistral 7B, for one) are left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .models import MODELS


@dataclass(frozen=True)
class TrainingRun:
    """One pre-training run: ``tokens`` trained on, and the ``source`` that says so (its URL, the
    ``paper`` as the book names it, and ``where`` in it). ``family``: the paper states the count
    for the whole model family, not for this size."""

    name: str
    label: str
    tokens: float
    source: str
    paper: str
    where: str
    model: str | None = None
    params: float | None = None
    note: str = ""
    family: bool = False

    def __post_init__(self) -> None:
        problems = []
        if (self.model is None) == (self.params is None):
            problems.append("give exactly one of model (a catalog entry) or params (from the paper)")
        if self.model is not None and self.model not in MODELS:
            problems.append(f"model {self.model!r} is not in the catalog")
        if not self.tokens > 0:
            problems.append("tokens must be positive")
        if not self.source.startswith("https://"):
            problems.append("source must be a URL")
        if problems:
            raise ValueError(f"training run {self.name!r}: " + "; ".join(problems))


_HOFFMANN = "https://arxiv.org/abs/2203.15556"
_LLAMA2 = "https://arxiv.org/abs/2307.09288"
_LLAMA3 = "https://arxiv.org/abs/2407.21783"

# In order of release.
TRAINING_RUNS: dict[str, TrainingRun] = {r.name: r for r in (
    TrainingRun("gpt-3", "GPT-3 175B", 300e9, "https://arxiv.org/abs/2005.14165", "Brown et al. 2020",
                "table 2.1 (and Hoffmann et al. 2022, table 1)", params=175e9),
    TrainingRun("gopher", "Gopher 280B", 300e9, _HOFFMANN, "Hoffmann et al. 2022", "table 1", params=280e9,
                note="Rae et al. 2021 (arXiv 2112.11446) describe the model; Hoffmann et al. list its tokens."),
    TrainingRun("chinchilla", "Chinchilla 70B", 1.4e12, _HOFFMANN, "Hoffmann et al. 2022",
                "table 1 and section 4", params=70e9,
                note="Same training FLOPs as Gopher, split the other way."),
    TrainingRun("llama-2-7b", "Llama 2 7B", 2e12, _LLAMA2, "Touvron et al. 2023",
                "table 1: 2.0T tokens for each size", model="llama-2-7b"),
    TrainingRun("llama-2-70b", "Llama 2 70B", 2e12, _LLAMA2, "Touvron et al. 2023",
                "table 1: 2.0T tokens for each size", model="llama-2-70b"),
    TrainingRun("llama-3-8b", "Llama 3 8B", 15e12, _LLAMA3, "Dubey et al. 2024",
                "section 1: 'a corpus of about 15T multilingual tokens'", model="llama-3-8b", family=True,
                note="The paper reports the July 2024 (3.1) models; Meta's model card for the April release "
                     "says over 15T tokens."),
    TrainingRun("llama-3-70b", "Llama 3 70B", 15e12, _LLAMA3, "Dubey et al. 2024",
                "section 1: 'a corpus of about 15T multilingual tokens'", model="llama-3-70b",
                family=True),
    TrainingRun("llama-3.1-405b", "Llama 3.1 405B", 15.6e12, _LLAMA3, "Dubey et al. 2024",
                "section 1: '405B trainable parameters on 15.6T text tokens'", model="llama-3.1-405b"),
    TrainingRun("qwen2.5-72b", "Qwen2.5 72B", 18e12, "https://arxiv.org/abs/2412.15115", "Qwen Team 2024",
                "section 1: pre-training data 'increased from 7 trillion tokens to 18 trillion tokens'",
                model="qwen2.5-72b", family=True),
    TrainingRun("qwen3-32b", "Qwen3 32B", 36e12, "https://arxiv.org/abs/2505.09388", "Yang et al. 2025",
                "section 1: 'approximately 36 trillion tokens'", model="qwen3-32b",
                family=True),
)}


def get_training_run(name_or_run: str | TrainingRun) -> TrainingRun:
    """The run named ``name_or_run``, or the run itself; ``ValueError`` listing the names otherwise."""
    if isinstance(name_or_run, TrainingRun):
        return name_or_run
    if isinstance(name_or_run, str) and name_or_run in TRAINING_RUNS:
        return TRAINING_RUNS[name_or_run]
    raise ValueError(f"training run must be one of {', '.join(TRAINING_RUNS)}; got {name_or_run!r}")


def iter_training_runs() -> Iterator[TrainingRun]:
    """Every training run, in order of release."""
    yield from TRAINING_RUNS.values()
