"""The hand-written number formats of llmviz.units against Python's own decimal formatting."""
import pytest

from llmviz.units import fmt_factor, fmt_fixed, fmt_plain

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
