"""Embedding tables: their size, the lookup as a matrix product, similarity search and a 2-D map.

An embedding table ``E`` has one row per token of the vocabulary (V rows)
and d_model columns. A table is passed as a sequence of rows, each a
sequence of d floats. Sizes are counts (parameters, multiply-adds) or bytes;
cosines are pure numbers in [−1, 1]; variances are in the table's units
squared.

The principal components are found the way a reader can follow by hand:
build the d×d covariance matrix once, then multiply two directions by it
again and again, keeping them perpendicular and of length 1 (orthogonal
power iteration). Each multiplication stretches a direction most along the
axis of greatest spread, so the two settle on the two directions along
which the rows spread most.

Arithmetic is plain Python: sums of products are ``sum(map(mul, a, b))``,
which gives the same bits in CPython and in the browser's Pyodide.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from operator import mul
from typing import Sequence

from ._checks import in_range, positive_int
from .shapes import tensor_bytes
from .vectors import random_cosine_tail


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(map(mul, a, b))


def _table(name: str, rows) -> list[list[float]]:
    """``rows`` as a list of equal-length lists of finite floats; ``ValueError`` otherwise."""
    try:
        out = [[float(x) for x in r] for r in rows]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of rows of numbers") from None
    if not out or not out[0]:
        raise ValueError(f"{name} must hold at least one row of at least one number")
    d = len(out[0])
    for i, r in enumerate(out):
        if len(r) != d:
            raise ValueError(f"{name}: row {i} has {len(r)} numbers, row 0 has {d}")
        if not all(math.isfinite(x) for x in r):
            raise ValueError(f"{name}: row {i} holds a number that is not finite")
    return out


def _vec(name: str, v, d: int | None = None) -> list[float]:
    try:
        out = [float(x) for x in v]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {v!r}") from None
    if not out or not all(math.isfinite(x) for x in out):
        raise ValueError(f"{name} must hold at least one number, all finite")
    if d is not None and len(out) != d:
        raise ValueError(f"{name} has {len(out)} numbers; the table's rows have {d}")
    return out


def _index(name: str, i, n: int) -> int:
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
        raise ValueError(f"{name} must be a row index in 0…{n - 1}, got {i!r}")
    return i


# -- sizes -----------------------------------------------------------------

def embedding_params(vocab: int, d_model: int, tied: bool) -> int:
    """Parameters in a model's token tables (a count): V·d if the unembedding is tied, 2·V·d if not.

    The input table has ``vocab`` rows of ``d_model`` numbers. The output
    matrix that scores every token (the unembedding) has the same shape
    turned on its side; tied, it is the same matrix and costs nothing more.
    """
    positive_int("vocab", vocab)
    positive_int("d_model", d_model)
    if not isinstance(tied, bool):
        raise ValueError(f"tied must be True or False, got {tied!r}")
    return vocab * d_model * (1 if tied else 2)


def embedding_bytes(vocab: int, d_model: int, dtype: str, tied: bool) -> int:
    """Bytes of a model's token tables stored in number format ``dtype`` (bytes).

    One V×d table if tied, two if not, each ``ceil(V·d·bits / 8)`` bytes
    (:func:`llmviz.calc.shapes.tensor_bytes`).
    """
    per_table = tensor_bytes((vocab, d_model), dtype)
    if not isinstance(tied, bool):
        raise ValueError(f"tied must be True or False, got {tied!r}")
    return per_table * (1 if tied else 2)


# -- the lookup --------------------------------------------------------------

def one_hot(index: int, size: int) -> list[float]:
    """The one-hot vector of length ``size`` with its 1 at ``index`` (a list of 0.0 and one 1.0)."""
    positive_int("size", size)
    _index("index", index, size)
    v = [0.0] * size
    v[index] = 1.0
    return v


def one_hot_matmul(index: int, table) -> list[float]:
    """The row vector one_hot(index)·E computed as a matrix product, every multiply-add done.

    Entry j is Σᵢ xᵢ·E[i][j] over all V rows: V multiply-adds per entry,
    V·d in all, and every term but row ``index``'s is a multiplication by 0.
    The result equals ``table[index]``: this is the slow way to read a row.
    """
    rows = _table("table", table)
    x = one_hot(index, len(rows))
    d = len(rows[0])
    out = [0.0] * d
    for xi, row in zip(x, rows):
        for j in range(d):
            out[j] += xi * row[j]
    return out


# -- similarity ----------------------------------------------------------------

def unit_rows(table) -> list[list[float]]:
    """Every row divided by its norm, so that a dot product of two rows is their cosine.

    ``ValueError`` for a zero row: it has no direction.
    """
    rows = _table("table", table)
    out = []
    for i, r in enumerate(rows):
        n = math.hypot(*r)
        if n == 0:
            raise ValueError(f"table: row {i} is the zero vector and has no direction")
        out.append([x / n for x in r])
    return out


def nearest_by_cosine(query, table, k: int, exclude: Sequence[int] = (),
                      normalised: bool = False) -> list[tuple[int, float]]:
    """The ``k`` rows of ``table`` with the largest cosine similarity to ``query``: (row, cosine) pairs.

    Sorted by cosine, largest first; equal cosines by row index. Rows in
    ``exclude`` are skipped (the query token itself, say). ``table`` may be
    the raw table or :func:`unit_rows` of it (the cosines are the same);
    ``normalised=True`` promises the latter and skips dividing every row by
    its length again (a caller searching one table many times). Fewer than
    ``k`` pairs come back only if the table has fewer rows left.
    """
    positive_int("k", k)
    rows = list(table) if normalised else unit_rows(table)
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("table must hold rows of equal length")
    q = _vec("query", query, len(rows[0]))
    nq = math.hypot(*q)
    if nq == 0:
        raise ValueError("query is the zero vector and has no direction")
    q = [x / nq for x in q]
    skip = {_index("exclude", i, len(rows)) for i in exclude}
    scored = [(i, max(-1.0, min(1.0, _dot(q, r)))) for i, r in enumerate(rows) if i not in skip]
    scored.sort(key=lambda p: (-p[1], p[0]))
    return scored[:k]


def chance_nearest_cosine(d: int, n: int, quantile: float = 0.5) -> float:
    """The cosine the nearest of ``n`` random directions reaches by chance, in d dimensions.

    For one fixed vector and ``n`` others pointing in independent random
    directions (standard-normal components), the largest of the n cosines
    is below c with probability (1 − P(cos ≥ c))ⁿ, and P(cos ≥ c) is half
    the two-tailed :func:`llmviz.calc.vectors.random_cosine_tail`. Returns
    the c at which that probability equals ``quantile`` (0.5: the median),
    found by bisection. A pure number in (0, 1): a nearest neighbour whose
    cosine is not clearly above it could be chance.
    """
    positive_int("d", d)
    positive_int("n", n)
    in_range("quantile", quantile, 0.0, 1.0)
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be strictly between 0 and 1, got {quantile!r}")
    # the one-sided tail each of the n must stay under: (1 − p)ⁿ = quantile
    p = -math.expm1(math.log(quantile) / n)
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if random_cosine_tail(d, mid) / 2 > p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def analogy_target(table, a: int, b: int, c: int) -> list[float]:
    """The vector u_b − u_a + u_c of the word-offset method ("a is to b as c is to ?").

    u_i is row i divided by its length, so that no row counts more for being
    long. The answer is the row nearest this vector by cosine, the three
    question rows left out (:func:`solve_analogy`).
    """
    rows = _table("table", table)
    n = len(rows)
    ua, ub, uc = (unit_rows([rows[_index(nm, i, n)]])[0] for nm, i in (("a", a), ("b", b), ("c", c)))
    return [y - x + z for x, y, z in zip(ua, ub, uc)]


def solve_analogy(table, a: int, b: int, c: int, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` best answers to "a is to b as c is to ?": rows nearest u_b − u_a + u_c by cosine.

    The rows ``a``, ``b`` and ``c`` themselves are left out of the search.
    Returns (row, cosine) pairs, best first.
    """
    target = analogy_target(table, a, b, c)
    if math.hypot(*target) == 0:
        raise ValueError("u_b − u_a + u_c is the zero vector: the analogy has no direction")
    return nearest_by_cosine(target, table, k, exclude=(a, b, c))


def rank_of(answer: int, target, table, exclude: Sequence[int] = ()) -> int:
    """Where row ``answer`` stands (1 = nearest) among all rows by cosine to ``target``, ``exclude`` left out."""
    rows = unit_rows(table)
    _index("answer", answer, len(rows))
    if answer in set(exclude):
        raise ValueError("answer is among the excluded rows")
    order = nearest_by_cosine(target, rows, len(rows), exclude)
    return next(r for r, (i, _) in enumerate(order, 1) if i == answer)


# -- principal components ----------------------------------------------------------

def mean_row(table) -> list[float]:
    """The average of the rows, column by column (the centre of the cloud of points)."""
    rows = _table("table", table)
    n = len(rows)
    return [s / n for s in map(math.fsum, zip(*rows))]


def covariance_matrix(table) -> list[list[float]]:
    """The d×d covariance C = (1/n)·Σ (x − μ)ᵀ(x − μ) of the rows, in the table's units squared.

    Entry (i, j) is the average product of column i and column j, each with
    its mean taken off; the diagonal holds each column's variance. The
    population form (divide by n, not n − 1): its directions are the same.
    For a unit vector u, uᵀCu is the variance of the rows' projections on u.
    """
    rows = _table("table", table)
    n = len(rows)
    mu = mean_row(rows)
    cols = [[x - m for x in col] for col, m in zip(zip(*rows), mu)]
    d = len(cols)
    c = [[0.0] * d for _ in range(d)]
    for i in range(d):
        for j in range(i, d):
            c[i][j] = c[j][i] = _dot(cols[i], cols[j]) / n
    return c


def _square(name: str, m) -> list[list[float]]:
    rows = _table(name, m)
    if len(rows) != len(rows[0]):
        raise ValueError(f"{name} must be square, got {len(rows)}×{len(rows[0])}")
    return rows


def _orthonormal_pair(w1: list[float], w2: list[float]) -> tuple[list[float], list[float]]:
    """Gram–Schmidt: w1 made unit, w2 with its shadow on w1 removed, then made unit."""
    n1 = math.hypot(*w1)
    if n1 == 0:
        raise ValueError("a direction collapsed to zero: the matrix sends it to nothing")
    v1 = [x / n1 for x in w1]
    s = _dot(w2, v1)
    w2 = [y - s * x for x, y in zip(v1, w2)]
    n2 = math.hypot(*w2)
    if n2 == 0:
        raise ValueError("the second direction collapsed onto the first")
    return v1, [y / n2 for y in w2]


def power_iteration(matrix, start: tuple, steps: int) -> list[tuple[list[float], list[float]]]:
    """Orthogonal power iteration for the top two directions of a symmetric matrix: every step.

    ``start`` is two vectors of length d (any, not parallel). Step 0 is
    them made orthonormal; each later step multiplies both by ``matrix`` and
    makes them orthonormal again (Gram–Schmidt). Returns ``steps + 1``
    pairs (v1, v2). For a covariance matrix they approach the first and
    second principal axes; the error shrinks each step by about the ratio of
    the third variance to the second (and of the second to the first).
    """
    c = _square("matrix", matrix)
    d = len(c)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if len(start) != 2:
        raise ValueError("start must be a pair of vectors")
    v1, v2 = _orthonormal_pair(_vec("start[0]", start[0], d), _vec("start[1]", start[1], d))
    out = [(v1, v2)]
    for _ in range(steps):
        v1, v2 = _step(c, v1, v2)
        out.append((v1, v2))
    return out


def _step(c: list[list[float]], v1: list[float], v2: list[float]) -> tuple[list[float], list[float]]:
    """One step of orthogonal power iteration: multiply both directions by C, re-orthonormalise."""
    return _orthonormal_pair([_dot(r, v1) for r in c], [_dot(r, v2) for r in c])


def variance_along(matrix, u) -> float:
    """uᵀCu / (uᵀu): the variance of the rows' projections on the direction u (units squared)."""
    c = _square("matrix", matrix)
    v = _vec("u", u, len(c))
    uu = _dot(v, v)
    if uu == 0:
        raise ValueError("u is the zero vector and has no direction")
    return _dot(v, [_dot(r, v) for r in c]) / uu


def _canonical_sign(v: list[float]) -> list[float]:
    """v or −v, whichever has its largest-magnitude component positive (an axis has no sign of its own)."""
    j = max(range(len(v)), key=lambda i: (abs(v[i]), -i))
    return v if v[j] >= 0 else [-x for x in v]


@dataclass(frozen=True)
class PCA2D:
    """The two principal axes of a table's rows.

    ``mean``: the centre the rows are measured from. ``axes``: the first and
    second principal directions (unit vectors of length d, each signed so its
    largest component is positive). ``variances``: the spread along each,
    in units squared. ``total``: the total variance (the trace of the
    covariance), so ``variances[i] / total`` is the share each axis shows.
    ``steps``: power-iteration steps taken.
    """

    mean: list
    axes: tuple
    variances: tuple
    total: float
    steps: int

    @property
    def shares(self) -> tuple[float, float]:
        """The share of the total variance along each axis (0–1)."""
        return self.variances[0] / self.total, self.variances[1] / self.total


def pca_2d(table, start: tuple | None = None, tol: float = 1e-12, max_steps: int = 2000,
           cov: list | None = None) -> PCA2D:
    """The first two principal components of the rows, by orthogonal power iteration.

    Iterates until both directions move by less than ``tol`` (1 − |cos| of
    successive directions) or ``max_steps`` is reached. ``start`` defaults to
    the first two standard basis vectors plus a small tilt of every
    component, so no real axis is exactly perpendicular to it. ``cov``
    passes a covariance matrix already computed for ``table``.
    """
    rows = _table("table", table)
    d = len(rows[0])
    if d < 2:
        raise ValueError("the rows need at least two numbers for a 2-D map")
    if len(rows) < 3:
        raise ValueError("a 2-D map needs at least three rows")
    c = covariance_matrix(rows) if cov is None else _square("cov", cov)
    if start is None:
        start = ([1.0] + [1e-3 * (j + 1) for j in range(d - 1)],
                 [1e-3] + [1.0] + [1e-3 * (j + 2) for j in range(d - 2)])
    v1, v2 = power_iteration(c, start, 0)[0]
    steps = 0
    while steps < max_steps:
        n1, n2 = _step(c, v1, v2)
        steps += 1
        moved = max(1 - abs(_dot(n1, v1)), 1 - abs(_dot(n2, v2)))
        v1, v2 = n1, n2
        if moved < tol:
            break
    a1, a2 = _canonical_sign(v1), _canonical_sign(v2)
    total = math.fsum(c[i][i] for i in range(d))
    return PCA2D(mean_row(rows), (a1, a2), (variance_along(c, a1), variance_along(c, a2)), total, steps)


def project_2d(table, mean, axes: tuple) -> list[tuple[float, float]]:
    """Each row's coordinates on two directions: ((x − μ)·a₁, (x − μ)·a₂), in the table's units."""
    rows = _table("table", table)
    d = len(rows[0])
    mu = _vec("mean", mean, d)
    a1, a2 = _vec("axes[0]", axes[0], d), _vec("axes[1]", axes[1], d)
    c1, c2 = _dot(mu, a1), _dot(mu, a2)
    return [(_dot(r, a1) - c1, _dot(r, a2) - c2) for r in rows]
