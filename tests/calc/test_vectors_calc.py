"""Vector calculators against numpy, and the 1/√d law against a numpy measurement."""
import math

import numpy as np
import pytest

import llmviz.calc as calc
from llmviz.calc.vectors import (angle_between, cosine_similarity, dot, norm, random_cosine_std,
                                 random_cosine_tail, random_dot_std, scalar_projection, vector_projection)

RNG = np.random.default_rng(20240418)
PAIRS = [((3, 1), (2, 2)), ((1, 2, 3), (-2, 0.5, 4)), tuple(RNG.normal(size=(2, 4096)).tolist()),
         ((0.5,), (-3.0,)), tuple(RNG.integers(-9, 10, size=(2, 17)).tolist())]


@pytest.mark.parametrize("a,b", PAIRS)
def test_against_numpy(a, b):
    A, B = np.array(a, dtype=float), np.array(b, dtype=float)
    assert dot(a, b) == pytest.approx(A @ B, rel=1e-12, abs=1e-12)
    assert norm(a) == pytest.approx(np.linalg.norm(A), rel=1e-12)
    cos = A @ B / (np.linalg.norm(A) * np.linalg.norm(B))
    assert cosine_similarity(a, b) == pytest.approx(cos, rel=1e-12, abs=1e-15)
    assert angle_between(a, b) == pytest.approx(np.arccos(np.clip(cos, -1, 1)), rel=1e-9, abs=1e-12)
    assert scalar_projection(a, b) == pytest.approx(A @ B / np.linalg.norm(B), rel=1e-12, abs=1e-12)
    assert np.allclose(vector_projection(a, b), (A @ B) / (B @ B) * B, rtol=1e-12, atol=1e-12)


def test_worked_example_in_the_plane():
    a, b = (3, 1), (2, 2)
    assert dot(a, b) == 8
    assert norm(a) == pytest.approx(math.sqrt(10))
    assert math.degrees(angle_between(a, b)) == pytest.approx(45 - math.degrees(math.atan2(1, 3)))
    p = vector_projection(a, b)
    assert p == pytest.approx([2, 2])
    # what is left over is perpendicular to b
    assert dot([a[0] - p[0], a[1] - p[1]], b) == pytest.approx(0, abs=1e-12)


def test_cosine_ignores_length_and_sign_flips_it():
    a = [1.0, -2.0, 0.25, 7.0]
    b = [0.5, 3.0, -1.0, 2.0]
    c = cosine_similarity(a, b)
    assert cosine_similarity([10 * x for x in a], b) == pytest.approx(c, rel=1e-14)
    assert cosine_similarity([-x for x in a], b) == pytest.approx(-c, rel=1e-14)
    assert cosine_similarity(a, a) == 1.0
    assert cosine_similarity(a, [-x for x in a]) == -1.0
    assert cosine_similarity((1, 0), (0, 5)) == 0.0


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="same length"):
        cosine_similarity([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="same length"):
        dot([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="^a is the zero vector"):
        cosine_similarity([0, 0], [1, 2])
    with pytest.raises(ValueError, match="^b is the zero vector"):
        cosine_similarity([1, 2], [0.0, 0.0])
    with pytest.raises(ValueError, match="^b is the zero vector"):
        scalar_projection([1, 2], [0, 0])
    with pytest.raises(ValueError, match="^b is the zero vector"):
        vector_projection([1, 2], [0, 0])
    with pytest.raises(ValueError, match="^a must have at least one"):
        norm([])
    with pytest.raises(ValueError, match="^b must hold finite"):
        dot([1.0], [float("nan")])
    with pytest.raises(ValueError, match="^a must be a sequence"):
        norm(3.0)
    with pytest.raises(ValueError, match="^d must be"):
        random_cosine_std(0)
    with pytest.raises(ValueError, match="^component_std"):
        random_dot_std(8, 0)


def test_loaded_lazily_from_the_package():
    assert calc.cosine_similarity is cosine_similarity
    assert calc.dot is dot and calc.norm is norm


@pytest.mark.parametrize("d", [2, 3, 64, 4096])
def test_random_cosine_spread_is_one_over_root_d(d):
    # numpy's own generator, not the workshop's: many pairs of standard-normal vectors
    n = 4000
    a, b = RNG.normal(size=(n, d)), RNG.normal(size=(n, d))
    cos = np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert random_cosine_std(d) == 1 / math.sqrt(d)
    assert cos.std() == pytest.approx(random_cosine_std(d), rel=0.05)
    assert abs(cos.mean()) < 4 * random_cosine_std(d) / math.sqrt(n)


def test_one_over_root_4096_is_a_sixty_fourth():
    assert random_cosine_std(4096) == 1 / 64 == 0.015625


@pytest.mark.parametrize("d,sigma", [(128, 1.0), (16, 0.5), (4096, 2.0)])
def test_random_dot_spread_grows_as_root_d(d, sigma):
    n = 4000
    a, b = RNG.normal(0, sigma, size=(n, d)), RNG.normal(0, sigma, size=(n, d))
    dots = np.einsum("ij,ij->i", a, b)
    assert random_dot_std(d, sigma) == pytest.approx(math.sqrt(d) * sigma ** 2)
    assert dots.std() == pytest.approx(random_dot_std(d, sigma), rel=0.06)


@pytest.mark.parametrize("scale", [1e-300, 1e-170, 1e150, 1e200, 1e300])
def test_huge_and_tiny_numbers_keep_their_direction(scale):
    """Squares of these overflow to infinity or vanish to 0 in a double: the calculators must still
    answer as numpy does on the same vectors brought back to ordinary size."""
    a, b = [3.0, 4.0, -1.0], [4.0, 3.0, 2.0]
    A, B = np.array(a), np.array(b)
    sa, sb = [x * scale for x in a], [x * scale for x in b]
    assert cosine_similarity(sa, sb) == pytest.approx(A @ B / (np.linalg.norm(A) * np.linalg.norm(B)), rel=1e-12)
    assert norm(sa) == pytest.approx(np.linalg.norm(A) * scale, rel=1e-12)
    assert vector_projection(a, sb) == pytest.approx(((A @ B) / (B @ B) * B).tolist(), rel=1e-12)
    assert scalar_projection(a, sb) == pytest.approx(A @ B / np.linalg.norm(B), rel=1e-12)
    # orthogonal vectors of huge numbers: 0, not the NaN of ∞ − ∞ clamped to 1
    assert cosine_similarity([scale, scale], [scale, -scale]) == 0.0
    assert dot([scale, scale], [1.0, -1.0]) == 0.0


def test_a_dot_product_beyond_a_double_is_refused():
    with pytest.raises(ValueError, match="beyond the range of a double"):
        dot([1e200, 1e200], [1e200, 1e200])


def test_random_cosine_tail_closed_forms():
    # d = 2: angles uniform on [0, π]; d = 3: cosines uniform on [−1, 1] (Archimedes' hat-box theorem)
    for c in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert random_cosine_tail(2, c) == pytest.approx(2 * math.acos(c) / math.pi, abs=1e-14)
        assert random_cosine_tail(3, c) == pytest.approx(1 - c, abs=1e-14)
    # large d: the normal distribution's two tails beyond c·√d, to first order
    for c in (0.02, 0.05):
        assert random_cosine_tail(65536, c) == pytest.approx(math.erfc(c * 256 / math.sqrt(2)), rel=0.02)
    with pytest.raises(ValueError, match="^d must be at least 2"):
        random_cosine_tail(1, 0.5)
    with pytest.raises(ValueError, match="^c must be in"):
        random_cosine_tail(8, 1.5)


@pytest.mark.parametrize("d,c", [(4096, 0.05), (4096, 0.03), (128, 0.2), (16, 0.5)])
def test_random_cosine_tail_against_numpy_draws(d, c):
    # cos of a random direction against a fixed axis: z₁ / √(z₁² + χ²(d−1)), drawn without building vectors
    n = 2_000_000
    z1 = RNG.normal(size=n)
    cos = z1 / np.sqrt(z1 ** 2 + RNG.chisquare(d - 1, size=n))
    share = np.mean(np.abs(cos) >= c)
    p = random_cosine_tail(d, c)
    assert share == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))
