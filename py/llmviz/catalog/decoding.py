"""Published decoding settings: the temperature and cuts a model's makers ship or recommend.

Each entry records what one source says, with the source. ``top_k`` 0,
``top_p`` 1 and ``min_p`` 0 mean the cut is not used (or is set to its
switched-off value by the source). Sampling settings are advice for a model,
not part of its weights: the same model can be run with any of them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DecodingSetting:
    """One published setting: temperature (0 = greedy), top-k, top-p, min-p, and where it was read."""

    name: str
    display_name: str
    temperature: float
    top_k: int = 0
    top_p: float = 1.0
    min_p: float = 0.0
    source: str = ""
    notes: str = ""


SETTINGS = {s.name: s for s in (
    DecodingSetting(
        "llama-3-reference", "Llama 3 reference code", 0.6, top_p=0.9,
        source="https://github.com/meta-llama/llama3/blob/main/llama/generation.py",
        notes="Llama.generate(), text_completion() and chat_completion() default to temperature 0.6 and "
              "top_p 0.9 (nucleus sampling); a temperature of 0 takes the argmax instead. The instruct "
              "models' generation_config.json on Hugging Face carries the same two values."),
    DecodingSetting(
        "qwen3-thinking", "Qwen3, thinking mode", 0.6, top_k=20, top_p=0.95, min_p=0.0,
        source="https://huggingface.co/Qwen/Qwen3-8B",
        notes="Model card, best practices: Temperature=0.6, TopP=0.95, TopK=20, MinP=0 for thinking mode, "
              "and 'DO NOT use greedy decoding, as it can lead to performance degradation and endless "
              "repetitions.'"),
    DecodingSetting(
        "qwen3-non-thinking", "Qwen3, non-thinking mode", 0.7, top_k=20, top_p=0.8, min_p=0.0,
        source="https://huggingface.co/Qwen/Qwen3-8B",
        notes="Model card, best practices: Temperature=0.7, TopP=0.8, TopK=20, MinP=0 without thinking."),
)}


def get_decoding(name: str | DecodingSetting) -> DecodingSetting:
    """The setting called ``name`` (an entry passes through); ``ValueError`` naming the known ones."""
    if isinstance(name, DecodingSetting):
        return name
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValueError(f"unknown decoding setting {name!r}; known: {', '.join(SETTINGS)}") from None
