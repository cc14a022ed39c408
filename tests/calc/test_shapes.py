"""Shape rules against NumPy itself: broadcasting, matmul, element counts and bytes.

Every pair of shapes with up to three axes of sizes 0–3 is tried: the rule
must accept exactly the pairs NumPy accepts and give NumPy's result shape.
"""
import itertools

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc.shapes import (broadcast_report, broadcast_shape, fmt_shape, matmul_report, matmul_shape,
                                numel, tensor_bytes)

SIZES = (0, 1, 2, 3)


def _shapes(max_axes):
    for n in range(max_axes + 1):
        yield from itertools.product(SIZES, repeat=n)


PAIRS = [(a, b) for a in _shapes(3) for b in _shapes(3)]


def _numpy(op, a, b):
    try:
        return op(np.zeros(a), np.zeros(b)).shape
    except ValueError:
        return None


def test_broadcasting_matches_numpy_on_every_small_pair():
    for a, b in PAIRS:
        want = _numpy(np.add, a, b)
        if want is None:
            with pytest.raises(ValueError):
                broadcast_shape(a, b)
            assert not all(r["ok"] for r in broadcast_report(a, b))
        else:
            assert broadcast_shape(a, b) == want, (a, b)
            assert np.broadcast_shapes(a, b) == want


def test_matmul_matches_numpy_on_every_small_pair():
    checked = legal = 0
    for a, b in PAIRS:
        want = _numpy(np.matmul, a, b)
        rep = matmul_report(a, b)
        if want is None:
            assert rep["result"] is None and rep["error"], (a, b)
            with pytest.raises(ValueError):
                matmul_shape(a, b)
        else:
            assert rep["error"] is None and matmul_shape(a, b) == want, (a, b, want)
            legal += 1
        checked += 1
    assert checked == 85 * 85 and legal > 500


@pytest.mark.parametrize("a,b,want", [
    ((3, 4), (4, 2), (3, 2)),
    ((2, 3, 4), (2, 4, 5), (2, 3, 5)),
    ((1, 3, 4), (6, 4, 5), (6, 3, 5)),
    ((3, 4), (6, 4, 5), (6, 3, 5)),             # a lone matrix meets every matrix of the stack
    ((4096, 4096), (4096,), (4096,)),           # matrix times vector: the column is dropped again
    ((4096,), (4096, 1024), (1024,)),           # vector on the left acts as a row
    ((5,), (5,), ()),                           # two vectors: one number
    ((2, 1, 3, 4), (5, 4, 2), (2, 5, 3, 2)),    # PyTorch's documented (j×1×n×m)·(k×m×p) example
])
def test_named_matmul_examples(a, b, want):
    assert matmul_shape(a, b) == want == np.matmul(np.zeros(a), np.zeros(b)).shape


def test_matmul_reports_why():
    assert "inner sizes differ" in matmul_report((3, 4), (3, 4))["error"]
    assert "its only axis" in matmul_report((3, 4), (5,))["error"]
    rep = matmul_report((2, 3, 4), (3, 4, 5))
    assert rep["inner_ok"] and not rep["batch_ok"] and "batch axes clash" in rep["error"]
    assert "axis -3" in rep["error"]
    assert "at least one axis" in matmul_report((), (3,))["error"]
    # a 1-D operand gains its axis for the product only
    rep = matmul_report((4,), (4, 3))
    assert rep["a2"] == (1, 4) and rep["result"] == (3,)
    rep = matmul_report((2, 3, 4), (4,))
    assert rep["b2"] == (4, 1) and rep["result"] == (2, 3)


def test_broadcast_report_marks_what_is_stretched():
    rows = broadcast_report((4096, 16), (4096, 1))
    assert [r["out"] for r in rows] == [4096, 16]
    assert rows[1]["stretch_b"] and not rows[1]["stretch_a"] and not rows[0]["stretch_b"]
    rows = broadcast_report((4096, 16), (4096,))
    assert rows[0] == {"axis": -2, "a": 4096, "b": None, "out": 4096, "ok": True,
                       "stretch_a": False, "stretch_b": True}
    assert not rows[1]["ok"] and rows[1]["out"] is None        # 16 against 4096: the bias trap
    with pytest.raises(ValueError, match="axis -1 has sizes 16 and 4096"):
        broadcast_shape((4096, 16), (4096,))


def test_numel_and_bytes():
    assert numel(()) == 1 == np.zeros(()).size
    assert numel((8, 512, 4096)) == np.zeros((8, 512, 4096), dtype=np.int8).size == 4096 ** 2
    assert numel((3, 0, 2)) == 0
    w = (4096, 4096)
    assert tensor_bytes(w, "fp32") == np.zeros(w, dtype=np.float32).nbytes
    assert tensor_bytes(w, "bf16") == np.zeros(w, dtype=np.float16).nbytes
    assert tensor_bytes(w, "fp8") == np.zeros(w, dtype=np.int8).nbytes
    assert tensor_bytes(w, "int4") == np.zeros(w, dtype=np.int8).nbytes // 2
    assert tensor_bytes((3,), "int4") == 2                        # half a byte each, rounded up to whole bytes
    # MXFP4: 4 bits each plus one 8-bit scale per block of 32
    assert tensor_bytes((32,), "mxfp4") == 17


def test_fmt_shape_prints_like_numpy():
    for s in [(), (7,), (2, 3), (1, 2, 3)]:
        assert fmt_shape(s) == str(np.zeros(s).shape)
    assert fmt_shape((4096, 14336)) == "(4096, 14336)"


@pytest.mark.parametrize("bad", [(-1, 2), (2.5,), ("a",), "34", 5, (True, 2)])
def test_bad_shapes_name_the_argument(bad):
    with pytest.raises(ValueError, match=r"shape|a\b|a\["):
        numel(bad)
    with pytest.raises(ValueError, match=r"^a"):
        broadcast_shape(bad, (1,))


def test_lazy_names():
    assert calc.numel is numel and calc.matmul_shape is matmul_shape and calc.tensor_bytes is tensor_bytes
