"""Argument checks shared by the calculators: one wording for every bad input."""
from __future__ import annotations

import math


def finite(name: str, value: float) -> float:
    """Return ``value`` if it is a finite int or float (not a bool); else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def positive(name: str, value: float, allow_zero: bool = False) -> float:
    """Return ``value`` if it is a finite number > 0 (≥ 0 with ``allow_zero``); else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return value


def positive_int(name: str, value: int, allow_zero: bool = False) -> int:
    """Return ``value`` if it is an int > 0 (≥ 0 with ``allow_zero``); else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    positive(name, value, allow_zero)
    return value


def in_range(name: str, value: float, lo: float, hi: float, hi_open: bool = False) -> float:
    """Return ``value`` if ``lo <= value <= hi`` (``< hi`` with ``hi_open``); else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    ok = lo <= value < hi if hi_open else lo <= value <= hi
    if not ok:
        rng = f"[{lo}, {hi})" if hi_open else f"[{lo}, {hi}]"
        raise ValueError(f"{name} must be in {rng}, got {value!r}")
    return value
