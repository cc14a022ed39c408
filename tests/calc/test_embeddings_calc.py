"""Embedding calculators against numpy: sizes, the one-hot product, cosine search, analogies, PCA."""
import math

import numpy as np
import pytest

import llmviz.calc as calc
from llmviz.calc.embeddings import (
    analogy_target, chance_nearest_cosine, covariance_matrix, embedding_bytes, embedding_params, mean_row, nearest_by_cosine,
    one_hot, one_hot_matmul, pca_2d, power_iteration, project_2d, rank_of, solve_analogy, unit_rows,
    variance_along,
)

RNG = np.random.default_rng(7)
# a cloud with a clear first and second direction: columns scaled 5, 3, then 1 and less
TABLE = (RNG.normal(size=(200, 8)) * np.array([5, 3, 1, 0.8, 0.6, 0.5, 0.4, 0.3])
         @ np.linalg.qr(RNG.normal(size=(8, 8)))[0]).tolist()


def test_parameter_counts_tied_and_untied():
    # Llama 3 8B's vocabulary and width (config.json): 128,256 x 4,096, untied
    assert embedding_params(128256, 4096, tied=False) == 2 * 128256 * 4096 == 1_050_673_152
    assert embedding_params(512, 64, tied=True) == 32_768
    assert embedding_params(3, 2, tied=False) == sum(1 for _ in range(2) for _ in range(3) for _ in range(2))


def test_bytes_follow_the_number_format():
    assert embedding_bytes(128256, 4096, "bf16", tied=False) == 2 * 128256 * 4096 * 2
    assert embedding_bytes(512, 64, "int8", tied=True) == 32_768
    assert embedding_bytes(512, 64, "fp32", tied=True) == 4 * 32_768
    assert embedding_bytes(10, 3, "int4", tied=True) == 15


@pytest.mark.parametrize("call", [
    lambda: embedding_params(0, 64, True), lambda: embedding_params(512, 64.0, True),
    lambda: embedding_params(512, 64, "yes"), lambda: embedding_bytes(512, 64, "fp99", True),
    lambda: embedding_bytes(512, 64, "bf16", 1), lambda: one_hot(5, 5), lambda: one_hot(-1, 5),
    lambda: one_hot(True, 5), lambda: nearest_by_cosine([0, 0], [[1, 0], [0, 1]], 1),
    lambda: nearest_by_cosine([1, 0], [[1, 0], [0, 0]], 1), lambda: nearest_by_cosine([1, 0, 0], [[1, 0]], 1),
    lambda: nearest_by_cosine([1, 0], [[1, 0], [1, 2, 3]], 1), lambda: nearest_by_cosine([1, 0], [[1, 0]], 0),
    lambda: covariance_matrix([[1, float("nan")]]), lambda: covariance_matrix([]),
    lambda: power_iteration([[1, 0], [0, 1], [0, 0]], ([1, 0], [0, 1]), 3),
    lambda: power_iteration([[1, 0], [0, 1]], ([1, 0], [2, 0]), 1),
    lambda: power_iteration([[1, 0], [0, 1]], ([1, 0], [0, 1]), -1),
    lambda: pca_2d([[1.0], [2.0], [3.0]]), lambda: pca_2d([[1, 2], [3, 4]]),
    lambda: solve_analogy([[1, 0], [1, 1], [2, 0], [0, 1]], 0, 1, 4),
    lambda: rank_of(0, [1, 0], [[1, 0], [0, 1]], exclude=[0]),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_one_hot_times_table_is_the_row():
    E = np.array(TABLE[:30])
    for t in (0, 7, 29):
        x = np.zeros(30)
        x[t] = 1.0
        assert one_hot(t, 30) == x.tolist()
        assert np.array_equal(one_hot_matmul(t, E.tolist()), x @ E)
        assert np.array_equal(one_hot_matmul(t, E.tolist()), E[t])


def test_nearest_by_cosine_matches_numpy():
    E = np.array(TABLE)
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    for q in (3, 50, 199):
        cos = U @ U[q]
        cos[q] = -np.inf
        order = np.argsort(-cos, kind="stable")[:6]
        got = nearest_by_cosine(TABLE[q], TABLE, 6, exclude=[q])
        assert [i for i, _ in got] == order.tolist()
        assert [c for _, c in got] == pytest.approx(cos[order].tolist(), abs=1e-12)
        # the raw table and its unit rows give the same answer
        again = nearest_by_cosine(TABLE[q], unit_rows(TABLE), 6, exclude=[q])
        assert [i for i, _ in again] == [i for i, _ in got]
        assert [c for _, c in again] == pytest.approx([c for _, c in got], abs=1e-15)
        fast = nearest_by_cosine(TABLE[q], unit_rows(TABLE), 6, exclude=[q], normalised=True)
        assert [i for i, _ in fast] == [i for i, _ in got]
        assert [c for _, c in fast] == pytest.approx([c for _, c in got], abs=1e-15)


def test_unit_rows_have_length_one():
    assert np.allclose(np.linalg.norm(unit_rows(TABLE), axis=1), 1.0, atol=1e-15)


def test_analogy_is_the_word_offset_method():
    E = np.array(TABLE)
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    a, b, c = 4, 9, 13
    target = U[b] - U[a] + U[c]
    assert np.allclose(analogy_target(TABLE, a, b, c), target, atol=1e-14)
    cos = U @ (target / np.linalg.norm(target))
    cos[[a, b, c]] = -np.inf
    order = np.argsort(-cos, kind="stable")
    got = solve_analogy(TABLE, a, b, c, k=4)
    assert [i for i, _ in got] == order[:4].tolist()
    assert rank_of(int(order[2]), target, TABLE, exclude=(a, b, c)) == 3


def test_analogy_recovers_a_planted_offset():
    # rows 0..4 are "singular", 5..9 their "plurals": plural = singular + one shared offset
    base = RNG.normal(size=(5, 16))
    offset = RNG.normal(size=16) * 2
    rows = np.vstack([base, base + offset, RNG.normal(size=(20, 16))])
    for s, t in ((0, 1), (2, 3), (4, 0)):
        assert solve_analogy(rows.tolist(), s, 5 + s, t, k=1)[0][0] == 5 + t


def test_covariance_and_mean_match_numpy():
    E = np.array(TABLE)
    assert np.allclose(mean_row(TABLE), E.mean(axis=0), atol=1e-14)
    assert np.allclose(covariance_matrix(TABLE), np.cov(E.T, bias=True), atol=1e-12)


def test_pca_matches_numpy_eigh_up_to_sign():
    E = np.array(TABLE)
    w, V = np.linalg.eigh(np.cov(E.T, bias=True))
    p = pca_2d(TABLE)
    for k, col in ((0, -1), (1, -2)):
        assert abs(np.dot(p.axes[k], V[:, col])) == pytest.approx(1.0, abs=1e-9)
        assert p.variances[k] == pytest.approx(w[col], rel=1e-9)
    assert p.total == pytest.approx(w.sum(), rel=1e-12)
    assert p.shares == pytest.approx((w[-1] / w.sum(), w[-2] / w.sum()), rel=1e-9)
    # the same directions as the SVD of the centred rows
    _, s, vt = np.linalg.svd(E - E.mean(0), full_matrices=False)
    assert abs(np.dot(p.axes[0], vt[0])) == pytest.approx(1.0, abs=1e-9)
    assert p.variances[0] == pytest.approx(s[0] ** 2 / len(E), rel=1e-9)
    # each axis is signed so that its largest component is positive
    for a in p.axes:
        assert max(a, key=abs) > 0


def test_power_iteration_converges_from_any_start():
    C = covariance_matrix(TABLE)
    w, V = np.linalg.eigh(np.array(C))
    for seed in (1, 2, 3):
        r = np.random.default_rng(seed).normal(size=(2, 8)).tolist()
        hist = power_iteration(C, (r[0], r[1]), 60)
        assert len(hist) == 61
        v1, v2 = hist[-1]
        assert abs(np.dot(v1, V[:, -1])) == pytest.approx(1.0, abs=1e-9)
        assert abs(np.dot(v2, V[:, -2])) == pytest.approx(1.0, abs=1e-9)
        # every step keeps the pair orthonormal
        for a, b in hist:
            assert np.dot(a, a) == pytest.approx(1.0) and np.dot(a, b) == pytest.approx(0.0, abs=1e-12)
        # the variance captured along the first direction never falls (power iteration only climbs)
        caught = [variance_along(C, a) for a, _ in hist]
        assert all(y >= x - 1e-12 for x, y in zip(caught, caught[1:]))


def test_projection_is_centred_coordinates():
    E = np.array(TABLE)
    p = pca_2d(TABLE)
    xy = np.array(project_2d(TABLE, p.mean, p.axes))
    want = (E - E.mean(0)) @ np.array(p.axes).T
    assert np.allclose(xy, want, atol=1e-12)
    # the spread of the coordinates is the variance along each axis
    assert xy[:, 0].var() == pytest.approx(p.variances[0], rel=1e-9)


def test_chance_level_of_a_nearest_neighbour():
    # d = 3: P(cos >= c) = (1 - c) / 2 exactly (Archimedes), so (1 - (1 - c)/2)^n = q in closed form
    for n, q in ((10, 0.5), (355, 0.5), (50, 0.9)):
        assert chance_nearest_cosine(3, n, q) == pytest.approx(1 - 2 * (1 - q ** (1 / n)), abs=1e-12)
    # d = 64, 355 others: a numpy simulation of the largest cosine
    rng = np.random.default_rng(11)
    q = rng.normal(size=(3000, 64))
    tops = []
    for v in q:
        R = rng.normal(size=(355, 64))
        tops.append((R @ v / np.linalg.norm(R, axis=1)).max() / np.linalg.norm(v))
    assert chance_nearest_cosine(64, 355) == pytest.approx(np.median(tops), abs=0.005)
    assert chance_nearest_cosine(64, 355, 0.95) == pytest.approx(np.quantile(tops, 0.95), abs=0.01)
    # more candidates or fewer dimensions: a closer neighbour by chance
    assert chance_nearest_cosine(64, 1000) > chance_nearest_cosine(64, 355) > chance_nearest_cosine(4096, 355)
    for bad in ((64, 0, 0.5), (0, 5, 0.5), (64, 5, 1.0), (64, 5, 0.0)):
        with pytest.raises(ValueError):
            chance_nearest_cosine(*bad)


def test_names_are_exported_from_the_package():
    for name in ("embedding_params", "pca_2d", "nearest_by_cosine", "solve_analogy", "one_hot_matmul"):
        assert getattr(calc, name) is globals()[name]
