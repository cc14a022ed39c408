"""Formatting numbers with units for labels and telemetry (one place for it).

All inputs are SI: bytes, seconds, FLOPs, FLOP/s, bytes/s.
"""
from __future__ import annotations

import math


def _scaled(x: float, steps: list[tuple[float, str]], digits: int) -> str:
    ax = abs(x)
    for factor, suffix in steps:
        if ax >= factor:
            v = x / factor
            return f"{v:.{digits}g} {suffix}".rstrip() if v < 10 ** digits else f"{v:,.0f} {suffix}".rstrip()
    factor, suffix = steps[-1]
    return f"{x / factor:.{digits}g} {suffix}".rstrip()


def fmt_bytes(n: float, digits: int = 3, binary: bool = False) -> str:
    """Bytes as B/KB/MB/GB/TB (decimal, 1 GB = 1e9 B) or KiB/MiB/GiB with ``binary``."""
    if binary:
        steps = [(2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"), (1, "B")]
    else:
        steps = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB"), (1, "B")]
    return _scaled(n, steps, digits)


def fmt_flops(n: float, digits: int = 3) -> str:
    """FLOPs with SI prefixes (kFLOP … EFLOP); for rates pass the result to ``fmt_rate``."""
    steps = [(1e18, "EFLOP"), (1e15, "PFLOP"), (1e12, "TFLOP"), (1e9, "GFLOP"),
             (1e6, "MFLOP"), (1e3, "kFLOP"), (1, "FLOP")]
    return _scaled(n, steps, digits)


def fmt_rate(n: float, unit: str = "FLOP/s", digits: int = 3) -> str:
    """A rate with SI prefixes, e.g. ``fmt_rate(9.89e14)`` → ``"989 TFLOP/s"``."""
    steps = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, "")]
    return _scaled(n, [(f, p + unit) for f, p in steps], digits)


def fmt_seconds(s: float, digits: int = 3) -> str:
    """Seconds as s/ms/µs/ns."""
    steps = [(1, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]
    return _scaled(s, steps, digits)


def fmt_count(n: float, digits: int = 3) -> str:
    """A count with K/M/B/T suffixes (parameters, tokens)."""
    steps = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"), (1, "")]
    return _scaled(n, steps, digits)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


_SUBSCRIPT = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


def superscript(n: int) -> str:
    """An integer in superscript digits, for exponents in labels: ``superscript(-16)`` → ``"⁻¹⁶"``."""
    return str(int(n)).translate(_SUPERSCRIPT)


def subscript(n: int) -> str:
    """An integer in subscript digits, for indices in labels: ``subscript(12)`` → ``"₁₂"``."""
    return str(int(n)).translate(_SUBSCRIPT)


def fmt_sci(x: float, unit: str = "", digits: int = 3) -> str:
    """Scientific notation for quantities beyond the SI prefixes: ``7.23 × 10²³ FLOP``."""
    if x == 0:
        return f"0 {unit}".rstrip()
    mantissa, exp = f"{x:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")  # 1.000 × 10⁶ reads as 1 × 10⁶
    return f"{mantissa} × 10{str(int(exp)).translate(_SUPERSCRIPT)} {unit}".rstrip()


def fmt_percent(fraction: float, digits: int = 3) -> str:
    """A fraction as a percentage: ``fmt_percent(0.2727)`` → ``"27.3 %"``."""
    return f"{100 * fraction:.{digits}g} %"


def fmt_plain(v: float, digits: int = 2) -> str:
    """A number as a reader writes it by hand: at most ``digits`` decimals, trailing
    zeros dropped, a real minus sign (U+2212), and no "−0": :func:`fmt_fixed` without its trailing zeros."""
    s = fmt_fixed(v, digits)
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_fixed(v: float, decimals: int = 3) -> str:
    """A number to exactly ``decimals`` decimals, zeros kept (0.690, −0.05), a real minus sign, no "−0.000"."""
    r = round(v, decimals) + 0.0          # + 0.0 turns −0.0 into 0.0
    return f"{r:.{decimals}f}".replace("-", "\u2212")


def fmt_general(v: float, digits: int = 3, lo: float = 0.01, hi: float = 1000.0) -> str:
    """``digits`` significant figures, plain for lo ≤ |v| < hi (0.845, 46.8), :func:`fmt_sci` outside (1.3 × 10⁻³).

    A real minus sign; 0 prints as "0". For numbers that span many orders of
    magnitude, such as gradient norms, where one scale of units cannot serve.
    """
    if v == 0:
        return "0"
    if lo <= abs(v) < hi:
        dec = digits - 1 - math.floor(math.log10(abs(v)))
        s = f"{round(v, dec):.{max(dec, 0)}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s.replace("-", "\u2212")
    return fmt_sci(v, digits=digits).replace("-", "\u2212")


def fmt_factor(v: float, digits: int = 2) -> str:
    """:func:`fmt_plain` for a factor in a written product: negatives in parentheses, as on paper."""
    return f"({fmt_plain(v, digits)})" if round(v, digits) < 0 else fmt_plain(v, digits)


def fmt_int(v: int) -> str:
    """An integer with a real minus sign."""
    return str(v).replace("-", "\u2212")


def fmt_int_factor(v: int) -> str:
    """:func:`fmt_int` for a factor in a written product: negatives in parentheses."""
    return f"({fmt_int(v)})" if v < 0 else fmt_int(v)
