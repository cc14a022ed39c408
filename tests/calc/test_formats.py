"""Number formats checked against an independent bit-level decoder, numpy, and the specifications."""
import math

import numpy as np
import pytest

from llmviz.catalog.formats import FORMATS, get_format


def decode_all(e: int, m: int, specials: str) -> list[float]:
    """Every finite value of a sign/exponent/mantissa layout, decoded bit by bit.

    ``specials``: "ieee" (all-ones exponent is Inf/NaN), "fn" (only all-ones
    exponent and mantissa is NaN, as OCP E4M3), "none" (every code is finite, as E2M1).
    """
    bias = 2 ** (e - 1) - 1
    values = []
    for code in range(2 ** (1 + e + m)):
        sign = -1.0 if code >> (e + m) else 1.0
        exp = (code >> m) & (2**e - 1)
        frac = code & (2**m - 1)
        if specials == "ieee" and exp == 2**e - 1:
            continue
        if specials == "fn" and exp == 2**e - 1 and frac == 2**m - 1:
            continue
        if exp == 0:
            v = frac / 2**m * 2.0 ** (1 - bias)
        else:
            v = (1 + frac / 2**m) * 2.0 ** (exp - bias)
        values.append(sign * v)
    return values


def facts(values: list[float]) -> dict:
    pos = sorted({v for v in values if v > 0})
    above_one = [v for v in pos if v > 1.0]
    return {"max": max(values), "min": min(values), "min_sub": pos[0], "eps": above_one[0] - 1.0}


@pytest.mark.parametrize("name,e,m,specials", [
    ("fp8_e4m3", 4, 3, "fn"),
    ("fp8_e5m2", 5, 2, "ieee"),
    ("fp16", 5, 10, "ieee"),
    ("mxfp4", 2, 1, "none"),
    ("nvfp4", 2, 1, "none"),
])
def test_small_float_ranges_match_an_exhaustive_decode(name, e, m, specials):
    f = get_format(name)
    d = facts(decode_all(e, m, specials))
    assert (f.exponent_bits, f.mantissa_bits) == (e, m)
    assert f.max_finite == d["max"] and f.min_value == d["min"]
    assert f.min_subnormal == d["min_sub"]
    assert f.epsilon == d["eps"]
    assert f.min_normal == 2.0 ** (1 - f.exponent_bias)


def test_fp8_extremes_match_micikevicius_table_1():
    # Micikevicius et al. 2022, Table 1: E4M3 max 448, min normal 2^-6, min subnormal 2^-9;
    # E5M2 max 57344, min normal 2^-14, min subnormal 2^-16.
    e4, e5 = get_format("fp8_e4m3"), get_format("fp8_e5m2")
    assert (e4.max_finite, e4.min_normal, e4.min_subnormal) == (448.0, 2.0**-6, 2.0**-9)
    assert (e5.max_finite, e5.min_normal, e5.min_subnormal) == (57344.0, 2.0**-14, 2.0**-16)
    assert not e4.has_inf and e5.has_inf


def test_fp32_and_fp16_match_numpy_finfo():
    for name, dt in (("fp32", np.float32), ("fp16", np.float16)):
        f, fi = get_format(name), np.finfo(dt)
        assert f.max_finite == float(fi.max)
        assert f.min_normal == float(fi.tiny)
        assert f.epsilon == float(fi.eps)
        assert f.min_subnormal == float(fi.smallest_subnormal)
        assert f.bits == fi.bits and f.mantissa_bits == fi.nmant


def test_bf16_is_the_top_half_of_fp32():
    # bfloat16 keeps fp32's sign and 8 exponent bits and the top 7 mantissa bits.
    as_f32 = lambda hi16: float(np.array([hi16 << 16], dtype=np.uint32).view(np.float32)[0])
    bf = get_format("bf16")
    assert bf.max_finite == as_f32(0x7F7F)
    assert bf.min_normal == as_f32(0x0080)
    assert bf.min_subnormal == as_f32(0x0001)
    assert 1.0 + bf.epsilon == as_f32(0x3F81)
    assert bf.min_normal == get_format("fp32").min_normal  # same range as fp32


def test_integers_match_twos_complement():
    i8 = get_format("int8")
    assert (i8.min_value, i8.max_finite) == (np.iinfo(np.int8).min, np.iinfo(np.int8).max)
    i4 = get_format("int4")
    codes = [c - 16 if c >= 8 else c for c in range(16)]
    assert (i4.min_value, i4.max_finite) == (min(codes), max(codes))


def test_e2m1_values_are_the_ocp_mx_element_set():
    # OCP MX v1.0, section 5.3.3: FP4 E2M1 represents ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}.
    assert sorted({abs(v) for v in decode_all(2, 1, "none")}) == [0, 0.5, 1, 1.5, 2, 3, 4, 6]
    assert get_format("mxfp4").max_finite == 6.0


def block_storage_bits(n_params: int, fmt) -> int:
    """Bits to store n_params in a block-scaled format: the codes plus one scale per started block."""
    codes = np.zeros(n_params, dtype=np.uint8)        # one 4-bit code per element
    n_blocks = len(np.array_split(codes, math.ceil(n_params / fmt.block_size)))
    return n_params * fmt.bits + n_blocks * fmt.scale_bits


def test_mxfp4_costs_4_25_bits_per_parameter():
    # OCP MX v1.0: 32 FP4 elements share one 8-bit E8M0 scale → (32·4 + 8) / 32 = 4.25 bits.
    f = get_format("mxfp4")
    assert f.bits_per_param == 4.25
    assert block_storage_bits(32 * 1000, f) / (32 * 1000) == f.bits_per_param


def test_nvfp4_costs_4_5_bits_and_matches_nvidias_memory_claims():
    # NVIDIA's NVFP4 post: 16-element blocks with an FP8 E4M3 scale; about 3.5x smaller
    # than FP16 and 1.8x smaller than FP8.
    f = get_format("nvfp4")
    assert f.bits_per_param == 4.5
    assert block_storage_bits(16 * 1000, f) / (16 * 1000) == f.bits_per_param
    assert get_format("fp16").bits_per_param / f.bits_per_param == pytest.approx(3.5, abs=0.1)
    assert get_format("fp8").bits_per_param / f.bits_per_param == pytest.approx(1.8, abs=0.05)


def test_bytes_per_param():
    assert [get_format(n).bytes_per_param for n in ("fp32", "bf16", "fp16", "fp8", "int8", "int4")] == \
        [4, 2, 2, 1, 1, 0.5]


def test_aliases_and_entries():
    assert get_format("fp8") is FORMATS["fp8_e4m3"]
    assert get_format(FORMATS["bf16"]) is FORMATS["bf16"]
    for f in FORMATS.values():
        assert "http" in f.source


@pytest.mark.parametrize("bad", ["fp7", "", None, 8])
def test_unknown_format_names_the_argument_and_the_choices(bad):
    with pytest.raises(ValueError, match=r"dtype must be one of .*bf16"):
        get_format(bad)
