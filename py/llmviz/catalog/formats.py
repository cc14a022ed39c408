"""Number formats: how many bits a value costs and what range and precision it keeps.

Every format records its bit layout (sign, exponent, mantissa), its extreme
finite values, and its machine epsilon (the gap between 1 and the next larger
representable value). Block-scaled formats (MXFP4, NVFP4) store each element in
a few bits plus one shared scale per block; ``bits_per_param`` counts that
scale's share, which is what a model's weight bytes depend on.

Integer formats are stored as two's-complement codes; their range is the code
range and their step is 1 (a real tensor multiplies the codes by a scale kept
beside it, which is the quantization recipe's business, not the format's).
"""
from __future__ import annotations

from dataclasses import dataclass

IEEE754 = "IEEE 754-2019, Standard for Floating-Point Arithmetic, https://standards.ieee.org/ieee/754/6210/"
BFLOAT16 = ("Google Cloud TPU documentation, The bfloat16 numerical format, "
            "https://cloud.google.com/tpu/docs/bfloat16")
FP8_PAPER = ("Micikevicius et al., FP8 Formats for Deep Learning (2022), Table 1, "
             "https://arxiv.org/abs/2209.05433; OCP 8-bit Floating Point Specification (OFP8) Rev. 1.0")
INT_QUANT = ("Jacob et al., Quantization and Training of Neural Networks for Efficient "
             "Integer-Arithmetic-Only Inference (2018), https://arxiv.org/abs/1712.05877")
OCP_MX = ("OCP Microscaling Formats (MX) Specification v1.0 (2023), "
          "https://www.opencompute.org/documents/ocp-microscaling-formats-mx-v1-0-spec-final-pdf; "
          "Rouhani et al., Microscaling Data Formats for Deep Learning (2023), https://arxiv.org/abs/2310.10537")
NVFP4_BLOG = ("NVIDIA Technical Blog, Introducing NVFP4 for Efficient and Accurate Low-Precision "
              "Inference (2025), https://developer.nvidia.com/blog/"
              "introducing-nvfp4-for-efficient-and-accurate-low-precision-inference/")


@dataclass(frozen=True)
class NumberFormat:
    """One number format.

    ``bits`` is the width of one stored element; ``block_size`` elements share
    one scale of ``scale_bits`` bits (``block_size == 1`` and ``scale_bits == 0``
    for formats without a shared scale). Ranges are those of one element before
    any block scale is applied: ``max_finite`` is the largest finite value,
    ``min_normal`` the smallest positive normal value, ``min_subnormal`` the
    smallest positive value (equal to ``min_normal`` when the format has no
    subnormals; 1 for integers), ``epsilon`` the gap between 1 and the next
    representable value (relative precision; 1 for integers).
    """

    name: str
    kind: str                 # "float", "int" or "block" (block-scaled float)
    bits: int                 # bits per stored element
    exponent_bits: int
    mantissa_bits: int        # explicit fraction bits (integers: magnitude bits)
    max_finite: float
    min_value: float          # most negative finite value
    min_normal: float
    min_subnormal: float
    epsilon: float
    has_inf: bool
    source: str
    block_size: int = 1
    scale_format: str | None = None
    scale_bits: int = 0
    label: str = ""

    @property
    def bits_per_param(self) -> float:
        """Bits of storage per parameter, counting the shared block scale's share."""
        return self.bits + self.scale_bits / self.block_size

    @property
    def bytes_per_param(self) -> float:
        """Bytes of storage per parameter, counting the shared block scale's share."""
        return self.bits_per_param / 8

    @property
    def exponent_bias(self) -> int:
        """The exponent bias ``2**(e-1) - 1`` (0 for integers)."""
        return 2 ** (self.exponent_bits - 1) - 1 if self.exponent_bits else 0


def _float(name, label, e, m, max_finite, has_inf, source, **kw) -> NumberFormat:
    # Normal range and precision follow from the layout; max_finite does not
    # (E4M3 and E2M1 reclaim the all-ones exponent), so it is given.
    bias = 2 ** (e - 1) - 1
    min_normal = 2.0 ** (1 - bias)
    return NumberFormat(
        name=name, kind=kw.pop("kind", "float"), bits=1 + e + m, exponent_bits=e, mantissa_bits=m,
        max_finite=max_finite, min_value=-max_finite, min_normal=min_normal,
        min_subnormal=min_normal * 2.0 ** -m, epsilon=2.0 ** -m, has_inf=has_inf,
        source=source, label=label, **kw)


def _int(name, label, bits, source) -> NumberFormat:
    return NumberFormat(
        name=name, kind="int", bits=bits, exponent_bits=0, mantissa_bits=bits - 1,
        max_finite=2 ** (bits - 1) - 1, min_value=-(2 ** (bits - 1)), min_normal=1, min_subnormal=1,
        epsilon=1, has_inf=False, source=source, label=label)


FORMATS: dict[str, NumberFormat] = {f.name: f for f in (
    _float("fp32", "FP32", 8, 23, (2 - 2.0 ** -23) * 2.0 ** 127, True, IEEE754),
    _float("bf16", "BF16", 8, 7, (2 - 2.0 ** -7) * 2.0 ** 127, True, BFLOAT16),
    _float("fp16", "FP16", 5, 10, 65504.0, True, IEEE754),
    # E4M3 has no infinities and only S.1111.111 as NaN, so 1.75 * 2**8 = 448 is finite.
    _float("fp8_e4m3", "FP8 E4M3", 4, 3, 448.0, False, FP8_PAPER),
    _float("fp8_e5m2", "FP8 E5M2", 5, 2, 57344.0, True, FP8_PAPER),
    _int("int8", "INT8", 8, INT_QUANT),
    _int("int4", "INT4", 4, INT_QUANT),
    # FP4 E2M1 elements: no Inf or NaN encodings, values 0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6.
    _float("mxfp4", "MXFP4", 2, 1, 6.0, False, OCP_MX, kind="block",
           block_size=32, scale_format="E8M0 (power of two)", scale_bits=8),
    _float("nvfp4", "NVFP4", 2, 1, 6.0, False, NVFP4_BLOG, kind="block",
           block_size=16, scale_format="FP8 E4M3 (plus one FP32 scale per tensor)", scale_bits=8),
)}

ALIASES = {"fp8": "fp8_e4m3", "float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}


def get_format(name_or_entry: str | NumberFormat) -> NumberFormat:
    """The format named ``name_or_entry`` (``"fp8"`` is FP8 E4M3), or the entry itself."""
    if isinstance(name_or_entry, NumberFormat):
        return name_or_entry
    key = ALIASES.get(name_or_entry, name_or_entry) if isinstance(name_or_entry, str) else None
    if key not in FORMATS:
        known = ", ".join(list(FORMATS) + list(ALIASES))
        raise ValueError(f"dtype must be one of {known}; got {name_or_entry!r}")
    return FORMATS[key]
