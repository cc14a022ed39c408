"""Exercise answers, one module per chapter (``p05_c02_kv_cache`` for ``p05-c02-kv-cache``).

Each module defines ``ANSWERS: dict[str, Callable[[], Answer]]``. The build
renders ``{ans}`name``` in a chapter's solutions by calling these, so the
numbers printed in the book are computed by the same code the simulations
use, and tests check them against independent oracles.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """A numeric answer: ``value`` in SI units (or a pure number) and how the book prints it."""

    value: float
    text: str


def module_name(chapter_id: str) -> str:
    """``p05-c02-kv-cache`` → ``llmviz.answers.p05_c02_kv_cache``."""
    return "llmviz.answers." + chapter_id.replace("-", "_")


def answers_for(chapter_id: str) -> dict:
    """The chapter's ``ANSWERS`` table, or ``{}`` if it has none."""
    try:
        mod = importlib.import_module(module_name(chapter_id))
    except ModuleNotFoundError as e:
        if e.name == module_name(chapter_id):
            return {}
        raise
    return mod.ANSWERS


def answer(chapter_id: str, name: str) -> Answer:
    """One answer; ``ValueError`` naming the chapter's known answers if missing."""
    table = answers_for(chapter_id)
    if name not in table:
        raise ValueError(f"{chapter_id}: no answer named {name!r} (known: {', '.join(table) or 'none'})")
    return table[name]()
