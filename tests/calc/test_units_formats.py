"""The hand-written number formats of llmviz.units: fixed and plain decimals against Python's own
formatting, and the general format for numbers that span many orders of magnitude."""
import pytest

from llmviz.units import fmt_factor, fmt_fixed, fmt_general, fmt_plain, subscript, superscript

MINUS = "\u2212"


@pytest.mark.parametrize("v,digits,fixed,plain", [
    (0.69, 3, "0.690", "0.69"),
    (-0.6899744, 3, f"{MINUS}0.690", f"{MINUS}0.69"),
    (2.0, 2, "2.00", "2"),
    (-0.0001, 2, "0.00", "0"),          # no "−0"
    (10, 0, "10", "10"),                # whole numbers keep their zeros
    (-120, 0, f"{MINUS}120", f"{MINUS}120"),
    (1.23456, 4, "1.2346", "1.2346"),
])
def test_fixed_keeps_zeros_and_plain_drops_them(v, digits, fixed, plain):
    assert fmt_fixed(v, digits) == fixed
    assert fmt_plain(v, digits) == plain
    # the digits are Python's own rounding; only the minus sign differs
    assert fmt_fixed(v, digits).replace(MINUS, "-") in (f"{v:.{digits}f}", f"{abs(v):.{digits}f}")


def test_a_negative_factor_is_parenthesised():
    assert fmt_factor(-1.5) == f"({MINUS}1.5)" and fmt_factor(1.5) == "1.5"


@pytest.mark.parametrize("v,decimals,text", [(0.5, 2, "0.50"), (-0.05, 2, "\u22120.05"), (-0.004, 2, "0.00"),
                                             (-0.0, 2, "0.00"), (1.0, 1, "1.0"), (-0.3343, 2, "\u22120.33")])
def test_fmt_fixed_keeps_its_decimals_and_never_prints_minus_zero(v, decimals, text):
    assert fmt_fixed(v, decimals) == text


@pytest.mark.parametrize("v,digits,text", [
    (0.011066, 2, "0.011"), (940.73, 3, "941"), (940.73, 2, "940"), (0.8451, 3, "0.845"), (2.4873, 3, "2.49"),
    (0.0996, 2, "0.1"), (1.0, 2, "1"), (46.83, 2, "47"),
    (6.688e-10, 2, "6.7 \u00d7 10\u207b\u00b9\u2070"), (21908.9, 2, "2.2 \u00d7 10\u2074"),
    (-3e-5, 2, "\u22123 \u00d7 10\u207b\u2075"), (0.0, 2, "0"), (-0.5, 2, "\u22120.5")])
def test_fmt_general_is_plain_in_its_range_and_scientific_outside(v, digits, text):
    assert fmt_general(v, digits) == text


def test_fmt_general_never_falls_back_to_e_notation():
    for v in (123.4, 999.0, 0.01, 5.0e-7, 3.3e12):
        for digits in (1, 2, 3):
            assert "e" not in fmt_general(v, digits)


def test_sub_and_superscripts():
    assert subscript(12) == "\u2081\u2082" and subscript(0) == "\u2080"
    assert superscript(-16) == "\u207b\u00b9\u2076" and superscript(23) == "\u00b2\u00b3"
