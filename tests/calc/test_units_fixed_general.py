"""The label formats for numbers that span many orders of magnitude, and for fixed decimals."""
import pytest

from llmviz.units import fmt_fixed, fmt_general, subscript, superscript


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
