"""Deterministic random numbers that are the same on every Python.

A mode's frame must depend only on its parameters, seed and time, and the
same seed must give the same picture in CPython and in the browser. The
standard library's ``random`` promises a stable sequence only for
``random()`` itself, not for every method built on it, so a mode that wants
noise can take it from here: one 64-bit linear congruential generator (Knuth's
MMIX multiplier and increment), seeded through a golden-ratio mix so that
neighbouring seeds start far apart. Everything is integer arithmetic masked
to 64 bits, exact in any Python.
"""
from __future__ import annotations

import math

_MASK = 0xFFFFFFFFFFFFFFFF
_MUL, _INC = 6364136223846793005, 1442695040888963407


def lcg_states(seed: int, count: int) -> list[int]:
    """``count`` successive 64-bit states of the generator seeded with ``seed``."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count!r}")
    x = (seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) & _MASK
    out = []
    for _ in range(count):
        x = (x * _MUL + _INC) & _MASK
        out.append(x)
    return out


def lcg_ints(seed: int, count: int, lo: int, hi: int) -> list[int]:
    """``count`` integers in ``[lo, hi]``, from the high bits of each state (the low bits of an LCG cycle fast)."""
    if hi < lo:
        raise ValueError(f"need lo <= hi, got lo={lo!r}, hi={hi!r}")
    span = hi - lo + 1
    return [lo + (x >> 33) % span for x in lcg_states(seed, count)]


def lcg_uniforms(seed: int, count: int) -> list[float]:
    """``count`` floats strictly inside (0, 1): the top 53 bits of each state, centred in their cell."""
    return [((x >> 11) + 0.5) / 2.0 ** 53 for x in lcg_states(seed, count)]


def gaussian(seed: int, count: int) -> list[float]:
    """``count`` standard normal draws (mean 0, standard deviation 1), by Box and Muller's transform.

    Each pair of uniforms (u₁, u₂) gives two independent normals
    r·cos 2πu₂ and r·sin 2πu₂ with r = √(−2 ln u₁); u₁ is never 0, so r is finite.
    """
    u = lcg_uniforms(seed, 2 * ((count + 1) // 2))
    out = []
    for i in range(0, len(u), 2):
        r = math.sqrt(-2.0 * math.log(u[i]))
        out.append(r * math.cos(2 * math.pi * u[i + 1]))
        out.append(r * math.sin(2 * math.pi * u[i + 1]))
    return out[:count]
