"""The roofline: attainable FLOP/s from arithmetic intensity (Williams, Waterman and Patterson 2009).

Source: Roofline: An Insightful Visual Performance Model for Multicore
Architectures, Communications of the ACM 52(4), https://doi.org/10.1145/1498765.1498785.
Peaks are the catalog's dense datasheet figures; memory is HBM.
"""
from __future__ import annotations

from ..catalog.hardware import get_gpu
from ._checks import positive


def ridge_point(gpu, dtype: str = "bf16") -> float:
    """Arithmetic intensity (FLOP/byte) where ``gpu`` stops being memory-bound: peak FLOP/s ÷ HBM bytes/s."""
    g = get_gpu(gpu)
    return g.peak_flops(dtype) / g.hbm_bytes_per_s


def roofline_flops(gpu, intensity: float, dtype: str = "bf16") -> float:
    """Attainable FLOP/s at ``intensity`` FLOP/byte: min(peak, intensity × HBM bandwidth)."""
    g = get_gpu(gpu)
    positive("intensity", intensity)
    return min(g.peak_flops(dtype), intensity * g.hbm_bytes_per_s)

