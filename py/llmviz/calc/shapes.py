"""Shapes: how many numbers a tensor holds, what they weigh, and which shapes combine.

A shape is a tuple of axis sizes written the way NumPy prints it: ``(4096,)``
for a vector, ``(4096, 4096)`` for a square matrix, ``(8, 512, 4096)`` for
eight prompts of 512 tokens, each token a vector of 4096 numbers. The
empty shape ``()`` is a single number.

The combination rules are NumPy's, which PyTorch follows as well:

* broadcasting (``A + B`` and every other element-by-element operation):
  line the two shapes up from the right; at each axis the sizes must be
  equal or one of them must be 1, and an axis one shape lacks counts as
  size 1. The result takes the larger size at every axis.
* ``A @ B`` (``np.matmul``, ``torch.matmul``): the last two axes are the
  matrices, (m×k)·(k×n) = m×n, and every axis before them is a batch axis
  that broadcasts as above. A 1-D left operand is treated as a 1×k row and
  a 1-D right operand as a k×1 column; the added axis is removed from the
  result, so two 1-D operands give the empty shape.

Each rule has a ``*_report`` that explains it axis by axis (what the
simulation draws) and a ``*_shape`` that returns the result or raises
``ValueError`` naming the operands, as NumPy does.
"""
from __future__ import annotations

import math
from typing import Sequence

from ..catalog.formats import get_format
from ._checks import positive_int


def _shape(name: str, shape: Sequence[int]) -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints; ``ValueError`` naming ``name`` otherwise."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"{name} must be a sequence of axis sizes, got {shape!r}")
    out = tuple(shape)
    for i, s in enumerate(out):
        positive_int(f"{name}[{i}]", s, allow_zero=True)
    return out


def fmt_shape(shape: Sequence[int]) -> str:
    """A shape exactly as NumPy prints it: ``(4096,)``, ``(2, 3)``, ``()``.

    No thousands separators: in a tuple, ``(4,096, 16)`` would read as three axes.
    """
    return str(tuple(int(v) for v in shape))


def numel(shape: Sequence[int]) -> int:
    """Elements in a tensor of this shape: the product of its sizes (a count; ``()`` holds 1)."""
    return math.prod(_shape("shape", shape))


def tensor_bytes(shape: Sequence[int], dtype: str) -> int:
    """Bytes to store a tensor of ``shape`` with elements in format ``dtype``, in bytes.

    ``ceil(numel · bits per element / 8)``; a block-scaled format's shared
    scales count in its bits per element (see :mod:`llmviz.catalog.formats`).
    """
    return math.ceil(numel(shape) * get_format(dtype).bits_per_param / 8)


def broadcast_report(a: Sequence[int], b: Sequence[int]) -> list[dict]:
    """Broadcasting of shapes ``a`` and ``b`` axis by axis, lined up from the right.

    One dict per axis of the longer shape, leftmost first: ``axis`` (−1 is
    the last), ``a`` and ``b`` (the sizes, ``None`` where a shape has no
    such axis), ``out`` (the result's size, ``None`` if the axis clashes)
    and ``ok``. ``stretch_a``/``stretch_b`` say that operand's size 1 (or
    missing axis) is repeated to a larger size.
    """
    a, b = _shape("a", a), _shape("b", b)
    n = max(len(a), len(b))
    rows = []
    for axis in range(-n, 0):
        sa = a[axis] if -axis <= len(a) else None
        sb = b[axis] if -axis <= len(b) else None
        ea = 1 if sa is None else sa
        eb = 1 if sb is None else sb
        ok = ea == eb or ea == 1 or eb == 1
        out = (eb if ea == 1 else ea) if ok else None
        rows.append({"axis": axis, "a": sa, "b": sb, "out": out, "ok": ok,
                     "stretch_a": ok and ea == 1 and out != 1,
                     "stretch_b": ok and eb == 1 and out != 1})
    return rows


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    """The shape of ``A + B`` for arrays of shapes ``a`` and ``b`` (NumPy broadcasting).

    ``ValueError`` naming the first clashing axis when they cannot broadcast.
    """
    rows = broadcast_report(a, b)
    for r in rows:
        if not r["ok"]:
            raise ValueError(f"shapes {fmt_shape(a)} and {fmt_shape(b)} cannot broadcast: axis {r['axis']} "
                             f"has sizes {r['a']} and {r['b']} (they must be equal, or one must be 1)")
    return tuple(r["out"] for r in rows)


def matmul_report(a: Sequence[int], b: Sequence[int]) -> dict:
    """``A @ B`` for shapes ``a`` and ``b``, explained: how NumPy and PyTorch read the operands.

    Returns ``a2``/``b2`` (the operands after a 1-D one gains its extra
    axis: a row 1×k on the left, a column k×1 on the right), ``m``, ``k_a``,
    ``k_b``, ``n`` (the matrix sizes), ``batch`` (``broadcast_report`` of the
    axes before the last two), ``inner_ok``, ``batch_ok``, ``result`` (the
    shape, or ``None``) and ``error`` (a sentence, or ``None``).
    """
    a, b = _shape("a", a), _shape("b", b)
    rep = {"a": a, "b": b, "a2": None, "b2": None, "m": None, "k_a": None, "k_b": None, "n": None,
           "batch": [], "inner_ok": False, "batch_ok": False, "result": None, "error": None}
    if not a or not b:
        rep["error"] = "@ needs at least one axis on each side (multiply a single number with *)"
        return rep
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    batch = broadcast_report(a2[:-2], b2[:-2])
    rep.update(a2=a2, b2=b2, m=a2[-2], k_a=a2[-1], k_b=b2[-2], n=b2[-1], batch=batch,
               inner_ok=a2[-1] == b2[-2], batch_ok=all(r["ok"] for r in batch))
    if not rep["inner_ok"]:
        where_b = "its only axis" if len(b) == 1 else "its second-to-last axis"
        rep["error"] = (f"inner sizes differ: A's last axis is {a2[-1]}, B's {where_b} is {b2[-2]}")
    elif not rep["batch_ok"]:
        bad = next(r for r in batch if not r["ok"])
        rep["error"] = (f"batch axes clash: sizes {bad['a']} and {bad['b']} at axis {bad['axis'] - 2} "
                        f"(they must be equal, or one must be 1)")
    else:
        rep["result"] = (tuple(r["out"] for r in batch) + ((a2[-2],) if len(a) > 1 else ())
                         + ((b2[-1],) if len(b) > 1 else ()))
    return rep


def matmul_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    """The shape of ``A @ B`` (``np.matmul``/``torch.matmul``); ``ValueError`` saying why when illegal."""
    rep = matmul_report(a, b)
    if rep["error"]:
        raise ValueError(f"{fmt_shape(rep['a'])} @ {fmt_shape(rep['b'])}: {rep['error']}")
    return rep["result"]
