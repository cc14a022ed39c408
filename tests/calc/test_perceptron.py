"""The neuron and perceptron calculators against numpy and against the convergence theorem."""
import math

import numpy as np
import pytest

from llmviz.calc.perceptron import (augmented_margin, augmented_radius, mistake_bound, neuron_output,
                                    perceptron_run, perceptron_update, signed_distance, step_function,
                                    weighted_sum)


def test_weighted_sum_and_outputs_match_numpy():
    rng = np.random.default_rng(0)
    for _ in range(20):
        w, x, b = rng.normal(size=5), rng.normal(size=5), float(rng.normal())
        z = float(w @ x + b)
        assert weighted_sum(list(w), list(x), b) == pytest.approx(z)
        assert neuron_output(list(w), list(x), b, "step") == (1.0 if z >= 0 else 0.0)
        assert neuron_output(list(w), list(x), b, "sigmoid") == pytest.approx(1 / (1 + np.exp(-z)))


def test_step_fires_at_zero():
    assert step_function(0.0) == 1 and step_function(-1e-12) == 0 and step_function(3) == 1


def test_signed_distance_is_the_perpendicular_distance():
    w, b, x = np.array([3.0, 4.0]), -10.0, np.array([2.0, 3.0])
    # the foot of the perpendicular lies on the line, and x minus the foot is parallel to w
    d = signed_distance(list(w), b, list(x))
    foot = x - d * w / np.linalg.norm(w)
    assert w @ foot + b == pytest.approx(0)
    assert np.linalg.norm(x - foot) == pytest.approx(abs(d)) == pytest.approx(1.6)


def test_one_update_against_numpy():
    w, b, x, t = np.array([0.5, -1.0]), 0.25, np.array([1.0, 2.0]), 1
    assert t * (w @ x + b) <= 0
    w2, b2, wrong = perceptron_update(list(w), b, list(x), t)
    assert wrong and np.allclose(w2, w + t * x) and b2 == b + t
    # a correct example changes nothing
    w3, b3, wrong = perceptron_update(list(w), b, list(x), -1)
    assert not wrong and np.allclose(w3, w) and b3 == b


def _numpy_perceptron(points, labels, max_passes=10_000):
    """The rule in the folded-in form w̃ ← w̃ + t·x̃, written independently with numpy."""
    X = np.hstack([np.asarray(points, float), np.ones((len(points), 1))])
    t = np.asarray(labels, float)
    w = np.zeros(X.shape[1])
    updates, passes = 0, []
    for _ in range(max_passes):
        m = 0
        for xi, ti in zip(X, t):
            if ti * (w @ xi) <= 0:
                w = w + ti * xi
                updates += 1
                m += 1
        passes.append(m)
        if m == 0:
            break
    return w, updates, passes


def test_run_matches_the_numpy_rule_and_respects_the_bound():
    rng = np.random.default_rng(3)
    for trial in range(30):
        u = rng.normal(size=2)
        u /= np.linalg.norm(u)
        c = rng.uniform(-1, 1)
        pts = rng.uniform(-2, 2, size=(25, 2))
        s = pts @ u - c
        keep = np.abs(s) > 0.1
        pts, s = pts[keep], s[keep]
        labels = np.where(s > 0, 1, -1)
        run = perceptron_run(pts.tolist(), labels.tolist(), 100_000)
        w, updates, passes = _numpy_perceptron(pts, labels)
        assert run["status"] == "converged"
        assert run["passes"] == passes and run["visits"][-1]["updates"] == updates
        assert np.allclose(run["w"] + [run["b"]], w)
        R = augmented_radius(pts.tolist())
        gamma = augmented_margin(list(u), -c, pts.tolist(), labels.tolist())
        assert R == pytest.approx(np.max(np.linalg.norm(np.hstack([pts, np.ones((len(pts), 1))]), axis=1)))
        assert gamma == pytest.approx(np.min(labels * (pts @ u - c)) / math.sqrt(1 + c * c))
        assert updates <= mistake_bound(R, gamma)


def test_xor_cycles_and_the_cap_is_reported():
    corners = [(0, 0), (0, 1), (1, 0), (1, 1)]
    run = perceptron_run(corners, [-1, 1, 1, -1], 1000)
    assert run["status"] == "cycle" and run["cycle_from"] == 0
    assert run["passes"] == [4] and run["w"] == [0.0, 0.0] and run["b"] == 0.0
    # a cap smaller than one pass stops before visiting anything
    assert perceptron_run(corners, [-1, 1, 1, -1], 3)["status"] == "capped"


def test_bound_and_bad_input():
    assert mistake_bound(3, 0.1) == pytest.approx(900)
    with pytest.raises(ValueError, match="margin"):
        mistake_bound(3, 0)
    with pytest.raises(ValueError, match="radius"):
        mistake_bound(-1, 0.1)
    with pytest.raises(ValueError, match="t must be"):
        perceptron_update([1, 2], 0, [1, 1], 0)
    with pytest.raises(ValueError, match="activation"):
        neuron_output([1], [1], 0, "relu")
    with pytest.raises(ValueError, match="zero vector"):
        signed_distance([0, 0], 1, [1, 1])
    with pytest.raises(ValueError, match="b must be"):
        weighted_sum([1], [1], float("nan"))
    with pytest.raises(ValueError, match="labels"):
        perceptron_run([(0, 0)], [0])
