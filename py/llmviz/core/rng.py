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
from itertools import compress, repeat
from operator import add, lt, mul, sub, truediv

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


# ln 2 and √2 as the nearest doubles, and the series 2/(2k+1) of ln w = 2·atanh z, highest term first
_LN2 = 0.6931471805599453
_SQRT2 = 1.4142135623730951
_LOG_TERMS = tuple(2.0 / (2 * k + 1) for k in range(6))[::-1]


def portable_log(xs: list[float]) -> list[float]:
    """Natural logarithms of positive floats from + − × ÷ alone, so every platform gets the same bits.

    ``math.log`` (like ``math.cos`` and ``math.sin``) comes from the C
    library, and CPython's and Pyodide's round differently in the last bit
    for about one input in a few thousand; IEEE arithmetic and
    :func:`math.frexp` (exact) do not. x = m·2^e with m in [½, 1), and
    w = m·√2 lies in [√½, √2), so ln x = (e − ½)·ln 2 + ln w, with
    ln w = 2·atanh z, z = (w − 1)/(w + 1), |z| ≤ 0.172, summed to z¹¹:
    absolute error below 10⁻¹⁰. Each step runs over the whole list in C
    (``map``), not element by element.
    """
    if not xs:
        return []
    m, e = zip(*map(math.frexp, xs))
    w = list(map(mul, m, repeat(_SQRT2)))
    z = list(map(truediv, map(sub, w, repeat(1.0)), map(add, w, repeat(1.0))))
    z2 = list(map(mul, z, z))
    acc = [_LOG_TERMS[0]] * len(z)
    for c in _LOG_TERMS[1:]:
        acc = list(map(add, map(mul, acc, z2), repeat(c)))
    return list(map(add, map(mul, map(sub, e, repeat(0.5)), repeat(_LN2)), map(mul, z, acc)))


def normals(seed: int, count: int) -> list[float]:
    """``count`` standard normal draws that are the same bits in CPython and in Pyodide.

    Marsaglia's polar method on :func:`lcg_uniforms`: a point (x, y)
    uniform in the square [−1, 1]², kept if s = x² + y² < 1, gives two
    independent normals x·f and y·f with f = √(−2 ln s / s). Only integer
    arithmetic, IEEE + − × ÷, :func:`math.sqrt` (correctly rounded) and
    :func:`portable_log` are involved, so unlike :func:`gaussian`, whose
    cos, sin and log come from the C library, no platform rounds it
    differently. s is never 0: the uniforms are centred in their cells, so
    2u − 1 is never exactly 0. About 1.3 uniforms per draw.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count!r}")
    half = (count + 1) // 2
    xs: list[float] = []
    ys: list[float] = []
    ss: list[float] = []
    rnd = 0
    while len(ss) < half:
        k = half - len(ss)
        k += k // 3 + 4                       # π/4 of the points are kept: draw a third more
        u = lcg_uniforms(seed + rnd * 0x9E3779B97F4A7C15, 2 * k)
        x = list(map(sub, map(mul, u[:k], repeat(2.0)), repeat(1.0)))
        y = list(map(sub, map(mul, u[k:], repeat(2.0)), repeat(1.0)))
        s = list(map(add, map(mul, x, x), map(mul, y, y)))
        keep = list(map(lt, s, repeat(1.0)))
        xs += compress(x, keep)
        ys += compress(y, keep)
        ss += compress(s, keep)
        rnd += 1
    del xs[half:], ys[half:], ss[half:]
    f = list(map(math.sqrt, map(truediv, map(mul, repeat(-2.0), portable_log(ss)), ss)))
    out = list(map(mul, xs, f))
    out += map(mul, ys, f)
    return out[:count]
