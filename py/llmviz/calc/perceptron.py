"""The artificial neuron and the perceptron: weighted sums, boundaries, the learning rule and its bound.

A neuron with weights w (one row of a layer's W) and bias b computes the
weighted sum z = w·x + b and passes it through a squashing function. Its
decision boundary is the set of inputs with z = 0: a line in the plane
whose normal is w. Inputs and weights are pure numbers here; z carries
their product's units, a distance is in the inputs' units.

The perceptron learning rule labels each example t = +1 or t = −1 and
changes the weights only on a mistake, t·z ≤ 0: w ← w + t·x, b ← b + t.
Folding the bias in as a weight on a constant input 1 (x̃ = (x, 1),
w̃ = (w, b)) turns the rule into w̃ ← w̃ + t·x̃. The perceptron convergence
theorem (Novikoff, On convergence proofs for perceptrons, 1962) bounds the
number of updates on data a unit vector u separates with margin γ,
t·(u·x̃) ≥ γ, by (R/γ)², where R is the length of the longest x̃.

The dot product and the norm are the vectors chapter's; the sigmoid is the
functions chapter's.
"""
from __future__ import annotations

import math

from ._checks import positive, positive_int
from .functions import sigmoid
from .vectors import dot, norm

#: squashing functions a neuron in this chapter can apply to its weighted sum
ACTIVATIONS = ("step", "sigmoid")


def _label(name: str, t) -> int:
    if isinstance(t, bool) or t not in (1, -1):
        raise ValueError(f"{name} must be +1 or -1, got {t!r}")
    return int(t)


def weighted_sum(w, x, b: float) -> float:
    """z = w·x + b: the neuron's weighted sum of its inputs plus its bias (pure number).

    One dot product (``len(x)`` multiply-adds) and one addition.
    ``ValueError`` if ``w`` and ``x`` differ in length or ``b`` is not finite.
    """
    if isinstance(b, bool) or not isinstance(b, (int, float)) or not math.isfinite(b):
        raise ValueError(f"b must be a finite number, got {b!r}")
    return dot(w, x) + b


def step_function(z: float) -> int:
    """step(z) = 1 if z ≥ 0, else 0: the all-or-nothing output of a threshold neuron."""
    if isinstance(z, bool) or not isinstance(z, (int, float)) or math.isnan(z):
        raise ValueError(f"z must be a number, got {z!r}")
    return 1 if z >= 0 else 0


def neuron_output(w, x, b: float, activation: str = "step") -> float:
    """y = f(w·x + b) with f the step function or the sigmoid (a pure number in [0, 1]).

    ``activation`` is ``"step"`` or ``"sigmoid"``; anything else raises ``ValueError``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    z = weighted_sum(w, x, b)
    return float(step_function(z)) if activation == "step" else sigmoid(z)


def signed_distance(w, b: float, x) -> float:
    """How far ``x`` lies from the boundary w·x + b = 0, in the inputs' units: (w·x + b) / ‖w‖.

    Positive on the side w points to (where the step function gives 1),
    negative on the other. It is the projection of x onto w's direction,
    shifted by b / ‖w‖. ``ValueError`` if w is the zero vector, which has
    no boundary.
    """
    n = norm(w)
    if n == 0:
        raise ValueError("w must not be the zero vector: w = 0 has no boundary")
    return weighted_sum(w, x, b) / n


def perceptron_update(w, b: float, x, t: int) -> tuple[list[float], float, bool]:
    """One step of the perceptron learning rule on example (x, t): ``(new w, new b, was it a mistake)``.

    A mistake is t·(w·x + b) ≤ 0, a point on the wrong side or on the line;
    then w ← w + t·x and b ← b + t. Otherwise w and b are returned unchanged.
    ``t`` must be +1 or −1.
    """
    t = _label("t", t)
    z = weighted_sum(w, x, b)
    if t * z > 0:
        return [float(v) for v in w], float(b), False
    return [float(wi) + t * float(xi) for wi, xi in zip(w, x)], float(b) + t, True


def perceptron_run(points, labels, max_visits: int = 4000, w0=None, b0: float = 0.0) -> dict:
    """The whole perceptron run: visit the examples in order, pass after pass.

    Starts from ``w0`` (zeros by default) and ``b0``. Stops after a pass
    with no mistake (``"converged"``), when the state at the end of a pass
    repeats an earlier one, so the run would go round the same passes for
    ever (``"cycle"``), or after ``max_visits`` visits (``"capped"``).

    Returns ``{"visits", "passes", "status", "cycle_from", "w", "b"}``:
    ``visits`` lists one dict per example visited, with ``i`` (which
    example), ``pass`` (from 1), ``mistake``, ``w``/``b`` before and
    ``w_after``/``b_after``, ``z`` (the weighted sum the rule tested),
    ``updates`` (updates so far, this one included) and ``pass_mistakes``
    (mistakes so far in this pass). ``passes`` lists the mistakes of each
    completed pass. For a cycle, ``cycle_from`` is the pass after which
    the repeating state was first reached (0 for the starting state).
    """
    positive_int("max_visits", max_visits)
    pts = [[float(v) for v in p] for p in points]
    ts = [_label(f"labels[{k}]", t) for k, t in enumerate(labels)]
    if not pts or len(pts) != len(ts):
        raise ValueError(f"points and labels must be non-empty and of one length, got {len(pts)} and {len(ts)}")
    w = [0.0] * len(pts[0]) if w0 is None else [float(v) for v in w0]
    b = float(b0)
    visits, passes = [], []
    seen = {(tuple(w), b): 0}
    updates = 0
    status, cycle_from = "capped", None
    while len(visits) + len(pts) <= max_visits:
        mistakes = 0
        for i, (x, t) in enumerate(zip(pts, ts)):
            z = weighted_sum(w, x, b)
            w2, b2, wrong = perceptron_update(w, b, x, t)
            updates += wrong
            mistakes += wrong
            visits.append({"i": i, "pass": len(passes) + 1, "mistake": wrong, "z": z, "w": w, "b": b,
                           "w_after": w2, "b_after": b2, "updates": updates, "pass_mistakes": mistakes})
            w, b = w2, b2
        passes.append(mistakes)
        if mistakes == 0:
            status = "converged"
            break
        key = (tuple(w), b)
        if key in seen:
            status, cycle_from = "cycle", seen[key]
            break
        seen[key] = len(passes)
    return {"visits": visits, "passes": passes, "status": status, "cycle_from": cycle_from, "w": w, "b": b}


def augmented_radius(points) -> float:
    """R = the longest ‖(x, 1)‖: the inputs with the bias's constant input appended (inputs' units)."""
    pts = list(points)
    if not pts:
        raise ValueError("points must hold at least one point")
    return max(math.sqrt(dot(p, p) + 1.0) for p in pts)


def augmented_margin(w, b: float, points, labels) -> float:
    """γ = min over examples of t·(w·x + b) / ‖(w, b)‖, the margin of the separator (w, b) with the bias folded in.

    Positive when (w, b) puts every example on its own side; the smallest
    distance, in the 3-D space of (x, 1), from an example to the plane
    through the origin with normal (w, b). When b = 0 it is the ordinary
    distance from the nearest point to the line w·x = 0.
    """
    n = math.sqrt(dot(w, w) + float(b) ** 2)
    if n == 0:
        raise ValueError("(w, b) must not be all zeros")
    pts, ts = list(points), [_label(f"labels[{k}]", t) for k, t in enumerate(labels)]
    if not pts or len(pts) != len(ts):
        raise ValueError(f"points and labels must be non-empty and of one length, got {len(pts)} and {len(ts)}")
    return min(t * weighted_sum(w, x, b) for x, t in zip(pts, ts)) / n


def mistake_bound(radius: float, margin: float) -> float:
    """(R/γ)²: the most updates the perceptron can make on data separated with margin γ (a count).

    Novikoff's theorem: if every folded-in input has ‖x̃‖ ≤ R and a unit
    vector u has t·(u·x̃) ≥ γ > 0 for every example, the rule started from
    zero makes at most (R/γ)² updates, in any order of visits.
    """
    positive("radius", radius)
    positive("margin", margin)
    return (radius / margin) ** 2
