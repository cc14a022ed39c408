"""The artificial neuron and the perceptron: the workshop of chapter p01-c01.

Four views, one idea each:

* neuron: one neuron with two inputs. Inputs, weights and bias feed a weighted
  sum z = w·x + b, which a step function or a sigmoid turns into the
  output. Beside it, the plane of inputs: the line w·x + b = 0 splits it
  in two, w is the line's normal, and the input's distance from the line
  is z/‖w‖.
* layer: up to four such neurons reading the same input, their weights
  the rows of W, so the layer is z = Wx + b followed by the squashing
  function entry by entry; one line per neuron in the plane, and the cost
  2·M·K of the matrix-vector product next to a real Llama 3 8B layer.
* train: the perceptron learning rule on a separable dataset drawn from
  the seed. It visits the points in order, pass after pass; a point on the
  wrong side lights up, the rule adds t·x to w and t to b, and the line
  moves. Telemetry counts the updates and this pass's mistakes and prints
  the margin γ, the radius R and the bound (R/γ)².
* xor: the same rule on the four corners of the unit square with the
  labels of AND, OR or XOR. AND and OR settle; XOR goes round the same
  four mistakes for ever, and its mistakes per pass never reach 0.

Training is live but bounded: a run is computed once per parameter change
by :func:`llmviz.calc.perceptron.perceptron_run` (at most MAX_VISITS
visits, a few milliseconds in CPython) and a frame at time t looks up the
visit under way by bisection, modulo the run's period. A run that cycles
(XOR) repeats its cycle arithmetically, so the pass counter keeps climbing
and a frame costs the same at any t.
"""
from __future__ import annotations

import math
from bisect import bisect_right

from ...calc.gemm import gemm_flops, layer_projections, linear_flops
from ...calc.perceptron import (augmented_margin, augmented_radius, mistake_bound, perceptron_run,
                                signed_distance, step_function, weighted_sum)
from ...calc.functions import sigmoid
from ...calc.vectors import norm
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.scene import Scene, text_box
from ...units import fmt_flops
from ...core.geometry import clip_segment
from ...core.rng import lcg_ints
from ...units import fmt_factor as _pnum, fmt_plain as _num

MODEL = "llama-3-8b"
LLAMA_PROJ = "gate"         # the layer of neurons the layer view prices: 4,096 inputs, 14,336 neurons

# type sizes: the page shows the 960-wide canvas at about 0.6x, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

# the plane of inputs: a square plot at the left (training views) or right (neuron views)
PLOT_Y, PLOT_S = 76.0, 450.0
TRAIN_X = 20.0
NEURON_X = 490.0
PANEL_X = 496.0

# time: a visit that changes nothing takes one tick, an update UPDATE_TICKS
UPDATE_TICKS = 4.0
HIGHLIGHT_TICKS = 1.5       # the mistake is shown before the line moves
MOVE_TICKS = 2.0            # the line sweeps from the old weights to the new
HOLD_S = 4.0                # a converged run rests this long before it starts again
MAX_VISITS = 4000           # cap on one run: under ~20 ms of CPython

# the separable datasets: points in a band around a line u·x = OFFSET
OFFSET = 0.5                # the dashed line passes this far from the origin
ALONG = 1.2                 # half the spread of the points along the line
DEPTH = 0.7                 # how far beyond the margin the points spread
TRAIN_R = 2.1               # the training plot shows [-2.1, 2.1]²
NEURON_R = 2.5              # the neuron views show [-2.5, 2.5]²

# AND, OR and XOR on the corners of the unit square, label +1 where the gate gives 1
GATE_POINTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
GATES = {"and": (-1, -1, -1, 1), "or": (-1, 1, 1, 1), "xor": (-1, 1, 1, -1)}
GATE_NAMES = {"and": "AND", "or": "OR", "xor": "XOR"}
#: one separating line per separable gate, (w, b): the margin and bound are measured on it
GATE_SEPARATORS = {"and": ((1.0, 1.0), -1.5), "or": ((1.0, 1.0), -0.5)}
GATE_LO, GATE_HI = -0.7, 1.7

# the layer view's neurons: rows of W and entries of b, one colour each
# (lines spread over the plane, so each normal arrow stands clear of the others)
LAYER_ROWS = (((1.5, -0.5), -0.5), ((0.5, 1.0), -1.5), ((-1.0, 0.8), 1.6), ((-0.6, -1.0), -1.2))
ROW_COLOURS = ("q", "k", "v", "accent3")


# -- small pure helpers ---------------------------------------------------------


def _sign(t: int) -> str:
    return "+1" if t > 0 else "\u22121"


def _whole(v: float) -> int:
    """A bound on a count, as the whole number it allows: rounded down (past float noise)."""
    return math.floor(v + 1e-9)


def _vec(v) -> str:
    return "(" + ", ".join(_num(x) for x in v) + ")"


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def _uniforms(seed: int, count: int) -> list[float]:
    """``count`` numbers in [0, 1) from the book's 64-bit LCG: the same on every Python."""
    scale = 1 << 20
    return [v / scale for v in lcg_ints(seed, count, 0, scale - 1)]


def separable_dataset(seed: int, n: int, margin: float) -> dict:
    """``n`` points in the plane that the line u·x = OFFSET separates with a gap of exactly ``margin``.

    The direction u comes from ``seed``. Each point lies a distance
    ``along`` the line (uniform within ±ALONG) and a distance between
    ``margin`` and ``margin + DEPTH`` off it, on a side drawn at random;
    its label t is that side, +1 where u·x > OFFSET. The nearest point of
    each class is placed exactly ``margin`` from the line, so the gap is
    the slider's value. Returns ``{"points", "labels", "u", "c"}``.
    """
    u = _uniforms(7919 * seed + 1, 1 + 3 * n)
    phi = 2 * math.pi * u[0]
    ux, uy = math.cos(phi), math.sin(phi)
    rows = []
    for k in range(n):
        a = (2 * u[1 + 3 * k] - 1) * ALONG
        s = margin + u[2 + 3 * k] * DEPTH
        t = 1 if u[3 + 3 * k] < 0.5 else -1
        rows.append([a, s, t])
    for side in (1, -1):
        members = [r for r in rows if r[2] == side]
        if not members:                      # both classes must be present
            rows[0 if side == 1 else 1][2] = side
            members = [rows[0 if side == 1 else 1]]
        min(members, key=lambda r: r[1])[1] = margin
    points, labels = [], []
    for a, s, t in rows:
        d = OFFSET + t * s                   # signed position across the line
        points.append((a * -uy + d * ux, a * ux + d * uy))
        labels.append(t)
    return {"points": points, "labels": labels, "u": (ux, uy), "c": OFFSET}


def half_plane(w, b: float, lo: float, hi: float, positive: bool) -> list[tuple[float, float]]:
    """The part of the square [lo, hi]² where w·x + b ≥ 0 (or ≤ 0): a polygon, maybe empty."""
    sgn = 1.0 if positive else -1.0
    square = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
    f = [sgn * (w[0] * x + w[1] * y + b) for x, y in square]
    out = []
    for k in range(4):
        p, q = square[k], square[(k + 1) % 4]
        fp, fq = f[k], f[(k + 1) % 4]
        if fp >= 0:
            out.append(p)
        if (fp >= 0) != (fq >= 0):
            s = fp / (fp - fq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def boundary_segment(w, b: float, lo: float, hi: float):
    """The visible piece of the line w·x + b = 0 inside [lo, hi]², or None (w = 0 or outside)."""
    n2 = w[0] * w[0] + w[1] * w[1]
    if n2 < 1e-12:
        return None
    fx, fy = -b * w[0] / n2, -b * w[1] / n2
    dx, dy = -w[1] / math.sqrt(n2), w[0] / math.sqrt(n2)
    L = 4 * (hi - lo) + abs(b) / math.sqrt(n2)
    return clip_segment(fx - L * dx, fy - L * dy, fx + L * dx, fy + L * dy, lo, hi, lo, hi)


# -- a training run laid out in time ------------------------------------------------


class Schedule:
    """A perceptron run as a timeline: one tick per visit, UPDATE_TICKS per update.

    A run that converges (or hits the cap) plays, rests HOLD_S seconds and
    starts again. A run that cycles plays its first passes once, then its
    cycle for ever: a visit's pass number and update count are its first
    appearance's plus whole cycles' worth, so nothing is replayed.
    """

    def __init__(self, run: dict, n_points: int):
        self.run = run
        self.visits = run["visits"]
        self.n = n_points
        starts, tick = [], 0.0
        for v in self.visits:
            starts.append(tick)
            tick += UPDATE_TICKS if v["mistake"] else 1.0
        self.starts = starts
        self.total = tick
        self.cyclic = run["status"] == "cycle"
        if self.cyclic:
            self.pre_visits = run["cycle_from"] * n_points
            self.pre_ticks = starts[self.pre_visits] if self.pre_visits < len(starts) else tick
            self.cycle_ticks = tick - self.pre_ticks
            self.cycle_visits = len(self.visits) - self.pre_visits
            self.cycle_passes = len(run["passes"]) - run["cycle_from"]
            before = self.visits[self.pre_visits - 1]["updates"] if self.pre_visits else 0
            self.cycle_updates = self.visits[-1]["updates"] - before

    def period_ticks(self, pace: float) -> float:
        """Ticks from one start of a converged run to the next (the run plus the rest)."""
        return self.total + HOLD_S * pace

    def locate(self, ticks: float, pace: float) -> dict:
        """Where the run is after ``ticks``: the visit, how far into it, and the counters to show.

        Returns ``{"k", "phase", "done", "pass", "updates", "pass_mistakes", "g"}``:
        ``k`` indexes :attr:`visits`, ``done`` says a converged run is resting
        at its end, ``g`` counts every visit started since t = 0 (the
        console uses it to find what happened between two frames).
        """
        if not self.visits:
            return {"k": 0, "phase": 0.0, "done": True, "pass": 0, "updates": 0, "pass_mistakes": 0, "g": 0}
        if not self.cyclic:
            period = self.period_ticks(pace)
            loop = math.floor(ticks / period)
            tau = ticks - loop * period
            base = loop * (len(self.visits) + 1)
            if tau >= self.total:
                last = self.visits[-1]
                return {"k": len(self.visits) - 1, "phase": UPDATE_TICKS, "done": True, "pass": last["pass"],
                        "updates": last["updates"], "pass_mistakes": last["pass_mistakes"],
                        "g": base + len(self.visits) + 1}
            k = bisect_right(self.starts, tau) - 1
            v = self.visits[k]
            return {"k": k, "phase": tau - self.starts[k], "done": False, "pass": v["pass"],
                    "updates": v["updates"], "pass_mistakes": v["pass_mistakes"], "g": base + k + 1}
        if ticks < self.pre_ticks:
            k = bisect_right(self.starts, ticks) - 1
            v = self.visits[k]
            return {"k": k, "phase": ticks - self.starts[k], "done": False, "pass": v["pass"],
                    "updates": v["updates"], "pass_mistakes": v["pass_mistakes"], "g": k + 1}
        c = math.floor((ticks - self.pre_ticks) / self.cycle_ticks)
        r = ticks - self.pre_ticks - c * self.cycle_ticks
        k = max(self.pre_visits, bisect_right(self.starts, self.pre_ticks + r) - 1)
        v = self.visits[k]
        return {"k": k, "phase": self.pre_ticks + r - self.starts[k], "done": False,
                "pass": v["pass"] + c * self.cycle_passes, "updates": v["updates"] + c * self.cycle_updates,
                "pass_mistakes": v["pass_mistakes"], "g": self.pre_visits + c * self.cycle_visits
                + (k - self.pre_visits) + 1}

    def mistakes_in_pass(self, p: int) -> int:
        """Mistakes made in pass ``p`` (from 1), wherever a cycle has carried the pass counter."""
        passes = self.run["passes"]
        if p <= len(passes):
            return passes[p - 1]
        first = self.run["cycle_from"]
        return passes[first + (p - 1 - first) % self.cycle_passes]

    def visit_of(self, g: int) -> tuple[int | None, int]:
        """The visit index behind global visit number ``g`` (from 1), and how many cycles came before.

        For a converged run, ``None`` is the rest after the last visit.
        """
        if not self.cyclic:
            k = (g - 1) % (len(self.visits) + 1)
            return (None if k == len(self.visits) else k), 0
        if g <= self.pre_visits:
            return g - 1, 0
        c, r = divmod(g - 1 - self.pre_visits, self.cycle_visits)
        return self.pre_visits + r, c


# -- the mode -------------------------------------------------------------------


class NeuronMode(Mode):
    """One neuron and its boundary, a layer of neurons as a matrix, and the perceptron learning live."""

    id = "p01-c01-neuron"
    chapter = "p01-c01-neuron"
    title = "The artificial neuron and the perceptron"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("w1", "w\u2081 (weight of x\u2081)", lo=-3, hi=3, step=0.1, default=2.0,
               help="How much the first input counts towards the weighted sum."),
        Number("w2", "w\u2082 (weight of x\u2082)", lo=-3, hi=3, step=0.1, default=-1.0,
               help="How much the second input counts towards the weighted sum."),
        Number("b", "b (bias)", lo=-3, hi=3, step=0.1, default=-0.5,
               help="Added to the weighted sum whatever the inputs; it shifts the boundary."),
        Number("x1", "x\u2081 (first input)", lo=-2, hi=2, step=0.1, default=1.0,
               help="The input point's first coordinate."),
        Number("x2", "x\u2082 (second input)", lo=-2, hi=2, step=0.1, default=0.5,
               help="The input point's second coordinate."),
        Choice("act", "Squashing function", default="step",
               options=(("step", "step: 1 if z \u2265 0, else 0"), ("sigmoid", "sigmoid \u03c3(z)")),
               help="What turns the weighted sum z into the neuron's output."),
        Number("neurons", "Neurons M (rows of W)", lo=1, hi=4, step=1, default=3, integer=True,
               help="How many neurons read the same two inputs."),
        Number("margin", "Margin in the plane (gap to the dashed line)", lo=0.05, hi=0.5, step=0.05, default=0.1,
               help="The nearest points of each class sit exactly this far from the dashed line."),
        Number("points", "Points", lo=8, hi=40, step=1, default=20, integer=True,
               help="How many examples the dataset holds."),
        Number("data", "Dataset (seed)", lo=1, hi=20, step=1, default=10, integer=True,
               help="Which random dataset: the line's direction and where the points fall."),
        Number("pace", "Pace", lo=0.5, hi=40, step=0.5, default=6, unit="points/s", log=True,
               help="Points checked per second; an update takes four times as long."),
        Choice("gate", "Logic gate", default="xor",
               options=(("and", "AND"), ("or", "OR"), ("xor", "XOR")),
               help="The labels on the four corners of the square: AND and OR are separable, XOR is not."),
    )

    submodes = {
        "neuron": Submode("Neuron", {"act": "step", "w1": 2.0, "w2": -1.0, "b": -0.5, "x1": 1.0, "x2": 0.5},
                          "A weighted sum, a bias and a step: one neuron, and the line it draws in the plane.",
                          ("w1", "w2", "b", "x1", "x2", "act")),
        "layer": Submode("Layer", {"neurons": 3, "x1": 1.0, "x2": 0.5, "act": "step"},
                         "M neurons reading one input: their weights are the rows of W, the layer is Wx + b.",
                         ("neurons", "x1", "x2", "act")),
        "train": Submode("Perceptron", {"margin": 0.1, "points": 20, "data": 10},
                         "The perceptron rule on separable data: every mistake moves the line.",
                         ("margin", "points", "data", "pace")),
        "xor": Submode("XOR", {"gate": "xor"},
                       "AND and OR settle; XOR makes the same four mistakes every pass, for ever.",
                       ("gate", "pace")),
    }
    default_submode = "neuron"

    # -- which view --------------------------------------------------------------

    def view(self) -> str:
        """The picture the current sub-mode shows: "neuron", "layer", "train" or "xor"."""
        return self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "layer":
            return self._draw_layer()
        if v in ("train", "xor"):
            return self._draw_training(t)
        return self._draw_neuron()

    def events(self, t0: float, t1: float) -> list[dict]:
        if self.view() in ("train", "xor"):
            return self._training_events(t0, t1)
        if t0 < 0 <= t1:
            return [{"level": "info", "text": self._static_summary()}]
        return []

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- the plane ------------------------------------------------------------------

    @staticmethod
    def _mapper(x0: float, lo: float, hi: float):
        unit = PLOT_S / (hi - lo)

        def px(x, y):
            return x0 + (x - lo) * unit, PLOT_Y + (hi - y) * unit
        return px, unit

    def _plane_backdrop(self, x0: float, lo: float, hi: float, ticks) -> list[dict]:
        """The square, its grid and axes; the same for every frame of a view."""
        sc = Scene(*self.size)
        px, unit = self._mapper(x0, lo, hi)
        sc.rect(x0, PLOT_Y, PLOT_S, PLOT_S, fill="panel", stroke="faint")
        for v in ticks:
            a, _ = px(v, 0)
            _, b = px(0, v)
            sc.line(a, PLOT_Y, a, PLOT_Y + PLOT_S, stroke="grid", lw=1)
            sc.line(x0, b, x0 + PLOT_S, b, stroke="grid", lw=1)
        if lo < 0 < hi:
            ox, oy = px(0, 0)
            sc.line(ox, PLOT_Y, ox, PLOT_Y + PLOT_S, stroke="faint", lw=1.5)
            sc.line(x0, oy, x0 + PLOT_S, oy, stroke="faint", lw=1.5)
        return sc.items

    def _shade_and_line(self, sc: Scene, w, b: float, x0: float, lo: float, hi: float,
                        stroke: str = "ink", shade: bool = True) -> None:
        """The two half-planes (blue where z ≥ 0, orange where z < 0) and the line z = 0."""
        px, _ = self._mapper(x0, lo, hi)
        if shade and (abs(w[0]) + abs(w[1]) > 1e-9 or b != 0):
            for positive, fill in ((True, "q"), (False, "k")):
                poly = half_plane(w, b, lo, hi, positive)
                if len(poly) >= 3:
                    sc.path([px(*p) for p in poly], fill=fill, stroke=None, alpha=0.1)
        seg = boundary_segment(w, b, lo, hi)
        if seg:
            a, c = px(seg[0], seg[1]), px(seg[2], seg[3])
            sc.line(a[0], a[1], c[0], c[1], stroke=stroke, lw=2.5)

    def _normal(self, sc: Scene, w, b: float, x0: float, lo: float, hi: float, colour: str = "accent3",
                length: float = 0.8, projection: bool = True):
        """w drawn as the line's normal: an arrow from the foot of the origin's perpendicular.

        The foot is the point of the line nearest the origin, −b·w/‖w‖²; the
        dotted segment from the origin to it is the projection every point of
        the line shares. Returns the arrow's tip in scene units, or None.
        """
        n2 = w[0] * w[0] + w[1] * w[1]
        if n2 < 1e-12:
            return None
        n = math.sqrt(n2)
        fx, fy = -b * w[0] / n2, -b * w[1] / n2
        seg = boundary_segment(w, b, lo, hi)
        if seg is None:
            return None
        if not (lo <= fx <= hi and lo <= fy <= hi):
            # the foot is off the plot: stand the arrow on the visible piece's midpoint
            fx, fy = (seg[0] + seg[2]) / 2, (seg[1] + seg[3]) / 2
            projection = False
        ux, uy = w[0] / n, w[1] / n
        tx = min(max(fx + length * ux, lo), hi)
        ty = min(max(fy + length * uy, lo), hi)
        px, _ = self._mapper(x0, lo, hi)
        a, c = px(fx, fy), px(tx, ty)
        if projection and lo < 0 < hi and abs(b) / n > 0.05:
            o = px(0, 0)
            sc.line(o[0], o[1], a[0], a[1], stroke="muted", lw=1.5, dash=(2, 4))
        sc.arrow(a[0], a[1], c[0], c[1], stroke=colour, lw=3, head=11)
        # a right-angle mark where w meets the line
        m = 9
        ex, ey = ux * m, -uy * m
        dx, dy = -uy * m, -ux * m
        sc.path([(a[0] + ex, a[1] + ey), (a[0] + ex + dx, a[1] + ey + dy), (a[0] + dx, a[1] + dy)],
                stroke=colour, lw=1.2)
        return c

    # -- neuron view --------------------------------------------------------------------

    def _neuron_numbers(self) -> dict:
        w = (self["w1"], self["w2"])
        x = (self["x1"], self["x2"])
        b = self["b"]
        z = weighted_sum(w, x, b)
        act = self["act"]
        y = float(step_function(z)) if act == "step" else sigmoid(z)
        n = norm(w)
        dist = signed_distance(w, b, x) if n > 0 else None
        return {"w": w, "x": x, "b": b, "z": z, "y": y, "act": act, "norm": n, "dist": dist}

    def _draw_neuron(self):
        return self.cached("neuron", self._neuron_frame)

    def _neuron_frame(self):
        nums = self._neuron_numbers()
        w, x, b, z, y, act = nums["w"], nums["x"], nums["b"], nums["z"], nums["y"], nums["act"]
        sc = self.new_scene()
        self._header(sc, "One neuron: a weighted sum, a bias, then a squashing function",
                     "Left: the arithmetic. Right: the plane of inputs, split by the line w\u00b7x + b = 0.")
        self._neuron_diagram(sc, nums)
        # the plane
        lo, hi = -NEURON_R, NEURON_R
        sc.items.extend(self.cached("neuron_plane", lambda: self._plane_backdrop(NEURON_X, lo, hi, range(-2, 3))))
        px, _ = self._mapper(NEURON_X, lo, hi)
        self._shade_and_line(sc, w, b, NEURON_X, lo, hi)
        if act == "sigmoid" and nums["norm"] > 0:
            # the sigmoid grades the plane: where it reads 0.1 and 0.9, z = ∓ln 9, lines parallel to the boundary
            for level, zl, fill in ((0.9, math.log(9), "q"), (0.1, -math.log(9), "k")):
                seg = boundary_segment(w, b - zl, lo, hi)
                if seg:
                    a, c = px(seg[0], seg[1]), px(seg[2], seg[3])
                    sc.line(a[0], a[1], c[0], c[1], stroke=fill, lw=1.5, dash=(6, 5))
                    mid = ((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)
                    self._place(sc, [mid], f"\u03c3 = {level}", fill, SMALL, bold=True,
                                offsets=((0, -14), (0, 14), (40, 0), (-40, 0), (40, -14), (-40, 14)))
        tip = self._normal(sc, w, b, NEURON_X, lo, hi)
        if tip:
            self._place(sc, [tip], "w", "accent3", BODY, bold=True)
        p = px(*x)
        if nums["dist"] is not None:
            n = nums["norm"]
            # the perpendicular from the input to the line: its length is z/‖w‖
            fx, fy = x[0] - z * w[0] / (n * n), x[1] - z * w[1] / (n * n)
            f = px(min(max(fx, lo), hi), min(max(fy, lo), hi))
            sc.line(p[0], p[1], f[0], f[1], stroke="ink", lw=1.5, dash=(5, 4))
        sc.circle(p[0], p[1], 8, fill="ink", stroke="bg", lw=2)
        offsets = ((0, -22), (0, 24), (58, 0), (-58, 0))
        if nums["norm"] > 0:
            # first try beside the point, away from the line, so the label never sits on it
            sgn = 1.0 if z >= 0 else -1.0
            dx, dy = sgn * w[0] / nums["norm"], -sgn * w[1] / nums["norm"]
            offsets = tuple((dx * 75 + ox, dy * 45 + oy) for ox, oy in ((0, 0), (0, -20), (0, 20))) + offsets
        self._place(sc, [p], f"x = {_vec(x)}", "ink", BODY, bold=True, offsets=offsets)
        # which side is which
        self._side_labels(sc, w, b, NEURON_X, lo, hi, act)
        sc.text(NEURON_X, PLOT_Y + PLOT_S + 22, "blue: z \u2265 0 \u00b7 orange: z < 0 \u00b7 grid: 1 unit",
                size=SMALL, fill="muted")
        shown = "step" if act == "step" else "\u03c3"
        tel = [
            metric("z", "weighted sum z = w\u00b7x + b", z, _num(z, 3), ""),
            metric("y", f"output {shown}(z)", y, _num(y, 3), ""),
            metric("norm", "\u2016w\u2016 (length of w)", nums["norm"], _num(nums["norm"], 3), ""),
            metric("dist", "distance from the line, z/\u2016w\u2016", nums["dist"] or 0.0,
                   "no line (w = 0)" if nums["dist"] is None else _num(nums["dist"], 3), "units"),
            metric("flops", "FLOPs for z (2 multiply-adds + bias)", gemm_flops(1, 1, 2) + 1,
                   f"{gemm_flops(1, 1, 2) + 1} FLOP", "FLOP"),
        ]
        return sc, tel

    def _neuron_diagram(self, sc: Scene, nums: dict) -> None:
        w, x, b, z, y, act = nums["w"], nums["x"], nums["b"], nums["z"], nums["y"], nums["act"]
        nodes = ((150.0, "x\u2081", x[0], w[0], "w\u2081"), (262.0, "x\u2082", x[1], w[1], "w\u2082"),
                 (374.0, "1", 1.0, b, "b"))
        sx, sy, sr = 262.0, 262.0, 34.0
        for ny, name, val, weight, wname in nodes:
            nx = 82.0
            # edge thickness follows |weight|, colour its sign
            lw = 1.0 + 1.6 * min(abs(weight), 3.0)
            colour = "q" if weight >= 0 else "k"
            ang = math.atan2(sy - ny, sx - nx)
            sc.line(nx + 28 * math.cos(ang), ny + 28 * math.sin(ang), sx - sr * math.cos(ang),
                    sy - sr * math.sin(ang), stroke=colour, lw=lw)
            sc.circle(nx, ny, 28, fill="panel", stroke="ink", lw=1.5)
            if name == "1":
                sc.text(nx, ny, "1", size=BODY, bold=True, align="c")
                sc.text(24, ny + 44, "constant input", size=SMALL, fill="muted")
            else:
                sc.text(nx, ny, _num(val), size=BODY, bold=True, align="c")
                sc.text(24, ny - 40, name, size=BODY, fill="muted")
            # the weight's name beside its edge, pushed off the line along the edge's normal
            mx, my = (nx + sx) / 2, (ny + sy) / 2
            nxv, nyv = math.sin(ang), -math.cos(ang)
            if ny > sy:
                nxv, nyv = -nxv, -nyv
            sc.text(mx + 26 * nxv, my + 26 * nyv, f"{wname} = {_num(weight)}",
                    size=SMALL, fill=colour, bold=True, align="c")
        sc.circle(sx, sy, sr, fill="panel", stroke="ink", lw=2)
        sc.text(sx, sy, "\u03a3", size=26, bold=True, align="c")
        sc.text(sx, sy + sr + 18, f"z = {_num(z)}", size=BODY, bold=True, align="c")
        # the squashing function's graph, with the neuron's z marked on it
        bx, by, bw, bh = 322.0, 196.0, 140.0, 120.0
        sc.arrow(sx + sr, sy, bx - 4, sy, stroke="ink", lw=1.5, head=7)
        sc.rect(bx, by, bw, bh, fill="panel", stroke="faint")
        zlo, zhi = -4.0, 4.0

        def gx(v):
            return bx + (v - zlo) / (zhi - zlo) * bw

        def gy(v):
            return by + bh - 10 - v * (bh - 20)
        sc.line(gx(0), by, gx(0), by + bh, stroke="grid", lw=1)
        if act == "step":
            sc.path([(gx(zlo), gy(0)), (gx(0), gy(0))], stroke="accent", lw=2.5)
            sc.path([(gx(0), gy(1)), (gx(zhi), gy(1))], stroke="accent", lw=2.5)
            sc.line(gx(0), gy(0), gx(0), gy(1), stroke="accent", lw=1, dash=(3, 3))
            title = "step(z)"
        else:
            pts = [(gx(zlo + k * 0.25), gy(sigmoid(zlo + k * 0.25))) for k in range(33)]
            sc.path(pts, stroke="accent", lw=2.5)
            title = "\u03c3(z) = 1 / (1 + e\u207b\u1dbb)"
        sc.text(bx + bw / 2, by - 14, title, size=SMALL, fill="muted", align="c")
        zc = min(max(z, zlo), zhi)
        sc.circle(gx(zc), gy(y), 6, fill="accent2", stroke="bg", lw=1.5)
        sc.text(bx, by + bh + 14, "\u22124", size=SMALL, fill="muted", align="c")
        sc.text(bx + bw, by + bh + 14, "4", size=SMALL, fill="muted", align="c")
        sc.text(gx(0), by + bh + 14, "z = 0", size=SMALL, fill="muted", align="c")
        name = "step" if act == "step" else "\u03c3"
        sc.text(bx + bw / 2, by + bh + 44, f"y = {name}({_num(z)}) = {_num(y, 3)}", size=BODY, bold=True,
                fill="accent2", align="c")
        # the arithmetic, written out
        y0 = 452.0
        sc.text(20, y0, "z = w\u2081x\u2081 + w\u2082x\u2082 + b", size=BODY, base="t")
        sc.text(20, y0 + 28, f"  = {_pnum(w[0])}\u00b7{_pnum(x[0])} + {_pnum(w[1])}\u00b7{_pnum(x[1])} + {_pnum(b)}"
                             f" = {_num(z)}", size=BODY, base="t", bold=True)
        if nums["dist"] is None:
            tail = "w = 0: every input gives z = b, there is no line"
        else:
            tail = f"distance from the line: z/\u2016w\u2016 = {_num(z)}/{_num(nums['norm'])} = {_num(nums['dist'])}"
        sc.text(20, y0 + 56, tail, size=BODY, base="t", fill="accent3")
        verdict = ("z \u2265 0: the step fires, output 1" if z >= 0 else "z < 0: the step stays at 0") if act == "step" \
            else f"\u03c3 grades it: {_num(y, 3)} ({'above' if z > 0 else 'below' if z < 0 else 'exactly'} 0.5)"
        sc.text(20, y0 + 84, verdict, size=SMALL, base="t", fill="muted")

    def _side_labels(self, sc: Scene, w, b: float, x0: float, lo: float, hi: float, act: str) -> None:
        """Name the two sides: where z ≥ 0 and where z < 0, each placed inside its half-plane."""
        n2 = w[0] * w[0] + w[1] * w[1]
        if n2 < 1e-12:
            return
        px, _ = self._mapper(x0, lo, hi)
        n = math.sqrt(n2)
        ux, uy = w[0] / n, w[1] / n
        hi_lab, lo_lab = ("z \u2265 0 \u2192 1", "z < 0 \u2192 0") if act == "step" else ("\u03c3 > 0.5", "\u03c3 < 0.5")
        fx, fy = -b * w[0] / n2, -b * w[1] / n2          # the point of the line nearest the origin
        for side, text, fill in ((1, hi_lab, "q"), (-1, lo_lab, "k")):
            # candidate spots off the line on this side, slid along it, in order of preference
            spots = [(fx + side * dist * ux - uy * slide, fy + side * dist * uy + ux * slide)
                     for dist in (1.6, 1.1, 2.2, 0.7) for slide in (1.2, -1.2, 0.0, 1.8, -1.8)]
            for cx, cy in spots:
                inside = lo + 0.35 < cx < hi - 0.35 and lo + 0.2 < cy < hi - 0.2
                clear = (w[0] * cx + w[1] * cy + b) * side > 0.25 * n
                if inside and clear and self._place(sc, [px(cx, cy)], text, fill, BODY, bold=True,
                                                    offsets=((0, 0),)):
                    break

    def _place(self, sc: Scene, anchors, s: str, fill: str, size: float, bold: bool = False,
               offsets=((0, -22), (0, 24), (58, 0), (-58, 0), (48, -24), (-48, -24), (48, 24), (-48, 24))) -> bool:
        """A label near an anchor, inside the plot and clear of the labels already placed."""
        # padded, so that a label set just beside another is not read as part of it ("w (0, 0) → 0")
        pad = 8
        taken = [(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
                 for b in (text_box(it["x"], it["y"], it["s"], it["size"], it["align"], it["base"],
                                    it.get("font", "sans"))
                           for it in sc.items if it["k"] == "text" and not it.get("nc"))]
        x0 = NEURON_X if self.view() in ("neuron", "layer") else TRAIN_X
        for ax, ay in anchors:
            for dx, dy in offsets:
                box = text_box(ax + dx, ay + dy, s, size, "c", "m")
                if box[0] < x0 + 3 or box[2] > x0 + PLOT_S - 3 or box[1] < PLOT_Y + 3 or box[3] > PLOT_Y + PLOT_S - 3:
                    continue
                if any(not (box[2] <= t[0] or t[2] <= box[0] or box[3] <= t[1] or t[3] <= box[1]) for t in taken):
                    continue
                sc.text(ax + dx, ay + dy, s, size=size, fill=fill, bold=bold, align="c")
                return True
        return False

    def _static_summary(self) -> str:
        if self.view() == "layer":
            m = self["neurons"]
            return (f"A layer of {m} neuron{'s' if m > 1 else ''}: z = Wx + b with W of shape {m}\u00d72, "
                    f"{gemm_flops(m, 1, 2)} FLOPs for Wx and {m} more for the bias.")
        nums = self._neuron_numbers()
        name = "step" if nums["act"] == "step" else "\u03c3"
        side = "z \u2265 0" if nums["z"] >= 0 else "z < 0"
        where = ("w = 0, no boundary." if nums["dist"] is None
                 else f"x lies {_num(abs(nums['dist']))} from the line, on its {side} side.")
        return f"z = w\u00b7x + b = {_num(nums['z'])}; output {name}(z) = {_num(nums['y'], 3)}; {where}"


    # -- layer view ----------------------------------------------------------------------

    def _draw_layer(self):
        return self.cached("layer", self._layer_frame)

    def _layer_frame(self):
        m = self["neurons"]
        x = (self["x1"], self["x2"])
        act = self["act"]
        rows = LAYER_ROWS[:m]
        zs = [weighted_sum(w, x, b) for w, b in rows]
        ys = [float(step_function(z)) if act == "step" else sigmoid(z) for z in zs]
        sc = self.new_scene()
        self._header(sc, "A layer of neurons is a matrix: z = Wx + b, then f entry by entry",
                     "Row i of W holds neuron i's weights; each row draws its own line in the plane.")
        # the product, block by block
        cs, top = 46.0, 128.0
        cols = ((24.0, 2, "W"), (150.0, 1, "x"), (226.0, 1, "b"), (302.0, 1, "z"), (396.0, 1, "y"))
        widths = {"W": 48.0, "x": 48.0, "b": 48.0, "z": 66.0, "y": 66.0}
        heads = {"W": f"W ({m}\u00d72)", "x": "x", "b": "b", "z": "z = Wx + b", "y": "y = f(z)"}
        for bx, ncol, name in cols:
            cw = widths[name]
            n_rows = 2 if name == "x" else m
            sc.text(bx + ncol * cw / 2, top - 22, heads[name], size=SMALL, fill="muted", align="c")
            for r in range(n_rows):
                for c in range(ncol):
                    colour = "faint" if name == "x" else ROW_COLOURS[r]
                    sc.rect(bx + c * cw + 1, top + r * cs + 1, cw - 2, cs - 2, fill="panel", stroke=colour, lw=2)
                    if name == "W":
                        v = rows[r][0][c]
                    elif name == "x":
                        v = x[r]
                    elif name == "b":
                        v = rows[r][1]
                    elif name == "z":
                        v = zs[r]
                    else:
                        v = ys[r]
                    sc.text(bx + c * cw + cw / 2, top + r * cs + cs / 2, _num(v), size=BODY, align="c",
                            bold=name in ("z", "y"), fill="accent2" if name == "y" else "ink")
        mid = top + min(m, 2) * cs / 2
        for ox, sym in ((136.0, "\u00d7"), (212.0, "+"), (288.0, "="), (380.0, "\u2192")):
            sc.text(ox, mid, sym, size=22, bold=True, align="c")
        # one line per neuron: the dot product of its row with x, plus its bias
        y0 = top + max(m, 2) * cs + 24
        for r, ((w, b), z) in enumerate(zip(rows, zs)):
            sc.text(20, y0 + 28 * r, f"neuron {r + 1}: {_pnum(w[0])}\u00b7{_pnum(x[0])} + {_pnum(w[1])}\u00b7{_pnum(x[1])}"
                                     f" + {_pnum(b)} = {_num(z)}", size=BODY, base="t", fill=ROW_COLOURS[r])
        flops = gemm_flops(m, 1, 2)
        d_in, d_out = layer_projections(MODEL)[LLAMA_PROJ]
        llama = linear_flops(d_in, d_out)
        y1 = max(y0 + 28 * m + 10, 470.0)
        sc.line(20, y1 - 6, 470, y1 - 6, stroke="faint")
        sc.text(20, y1, f"Wx: 2\u00b7M\u00b7K = 2\u00b7{m}\u00b72 = {flops} FLOPs, plus {m} for b", size=BODY,
                base="t", bold=True)
        sc.text(20, y1 + 28, f"Llama 3 8B's {LLAMA_PROJ} matrix: M = {d_out:,}, K = {d_in:,}", size=SMALL,
                base="t", fill="muted")
        sc.text(20, y1 + 50, f"  2\u00b7M\u00b7K = {fmt_flops(llama)} per token", size=SMALL, base="t", fill="muted")
        # the plane, one line and one normal per neuron
        lo, hi = -NEURON_R, NEURON_R
        sc.items.extend(self.cached("layer_plane", lambda: self._plane_backdrop(NEURON_X, lo, hi, range(-2, 3))))
        px, _ = self._mapper(NEURON_X, lo, hi)
        tips = []
        for r, (w, b) in enumerate(rows):
            self._shade_and_line(sc, w, b, NEURON_X, lo, hi, stroke=ROW_COLOURS[r], shade=False)
            tip = self._normal(sc, w, b, NEURON_X, lo, hi, colour=ROW_COLOURS[r], length=0.7, projection=False)
            tips.append(tip)
        p = px(*x)
        sc.circle(p[0], p[1], 8, fill="ink", stroke="bg", lw=2)
        self._place(sc, [p], f"x = {_vec(x)}", "ink", BODY, bold=True)
        for r, tip in enumerate(tips):
            if tip:
                self._place(sc, [tip], f"{r + 1}", ROW_COLOURS[r], BODY, bold=True,
                            offsets=((0, -18), (18, 0), (-18, 0), (0, 18), (18, -18), (-18, 18)))
        sc.text(NEURON_X, PLOT_Y + PLOT_S + 22, "each arrow is a row of W, normal to its neuron's line",
                size=SMALL, fill="muted")
        shown = "step" if act == "step" else "\u03c3"
        tel = [
            metric("z", "z = Wx + b", zs[0], ", ".join(_num(z) for z in zs), ""),
            metric("y", f"y = {shown}(z)", ys[0], ", ".join(_num(v, 3) for v in ys), ""),
            metric("shape", "W (neurons \u00d7 inputs)", m, f"{m} \u00d7 2", ""),
            metric("flops", "FLOPs of Wx (2\u00b7M\u00b7K)", flops, f"{flops} FLOP", "FLOP"),
            metric("llama", f"Llama 3 8B {LLAMA_PROJ} layer, per token", llama, fmt_flops(llama), "FLOP"),
        ]
        return sc, tel

    # -- training views ---------------------------------------------------------------

    def _dataset(self) -> dict:
        """The points, labels and the one separator the margin and bound are measured on."""
        if self.view() == "xor":
            gate = self["gate"]
            pts, labels = list(GATE_POINTS), list(GATES[gate])
            sep = GATE_SEPARATORS.get(gate)
            return {"points": pts, "labels": labels, "sep": sep, "lo": GATE_LO, "hi": GATE_HI,
                    "gap": None if sep is None else min(t * weighted_sum(sep[0], p, sep[1]) for p, t in zip(pts, labels))
                    / norm(sep[0])}
        d = separable_dataset(self["data"], self["points"], self["margin"])
        u, c = d["u"], d["c"]
        return {"points": d["points"], "labels": d["labels"], "sep": (u, -c), "lo": -TRAIN_R, "hi": TRAIN_R,
                "gap": self["margin"]}

    def _training(self) -> dict:
        """The run, its schedule and everything a frame reads but never changes (cached per parameters)."""
        data = self._dataset()
        pts, labels = data["points"], data["labels"]
        run = perceptron_run(pts, labels, MAX_VISITS)
        sched = Schedule(run, len(pts))
        radius = augmented_radius(pts)
        if data["sep"] is not None:
            gamma = augmented_margin(data["sep"][0], data["sep"][1], pts, labels)
            bound = mistake_bound(radius, gamma)
        else:
            gamma = bound = None
        return {"data": data, "run": run, "sched": sched, "R": radius, "gamma": gamma, "bound": bound,
                "static": self._training_static(data)}

    def _training_static(self, data: dict) -> list[dict]:
        lo, hi = data["lo"], data["hi"]
        ticks = range(-2, 3) if self.view() == "train" else (0, 1)
        sc = Scene(*self.size)
        sc.items.extend(self._plane_backdrop(TRAIN_X, lo, hi, ticks))
        px, unit = self._mapper(TRAIN_X, lo, hi)
        sep = data["sep"]
        if sep is not None:
            # the separator the theorem is measured on, and its margin band
            w, b = sep
            n = norm(w)
            for shift, lw, dash in ((0.0, 1.5, (8, 6)), (data["gap"], 1.0, (2, 5)), (-data["gap"], 1.0, (2, 5))):
                seg = boundary_segment(w, b - shift * n, lo, hi)
                if seg:
                    a, c = px(seg[0], seg[1]), px(seg[2], seg[3])
                    sc.line(a[0], a[1], c[0], c[1], stroke="muted", lw=lw, dash=dash)
        return sc.items

    def _points(self, sc: Scene, data: dict, k_now: int | None, mistake: bool, show_now: bool) -> None:
        px, _ = self._mapper(TRAIN_X, data["lo"], data["hi"])
        r = 9.0 if self.view() == "xor" else 6.5
        for i, (p, t) in enumerate(zip(data["points"], data["labels"])):
            a = px(*p)
            if t > 0:
                sc.circle(a[0], a[1], r, fill="q", stroke="bg", lw=1.5)
            else:
                sc.rect(a[0] - r, a[1] - r, 2 * r, 2 * r, fill="k", stroke="bg", lw=1.5)
        if k_now is not None and show_now:
            a = px(*data["points"][k_now])
            sc.circle(a[0], a[1], r + 7, stroke="bad" if mistake else "ink", lw=3 if mistake else 1.5)

    def _draw_training(self, t: float):
        st = self.cached("training", self._training)
        sched, data = st["sched"], st["data"]
        pace = self["pace"]
        loc = sched.locate(t * pace, pace)
        k, phase, done = loc["k"], loc["phase"], loc["done"]
        v = sched.visits[k] if sched.visits else None
        # the weights on show: before the visit, sliding to after it during an update
        if v is None:
            w, b = (0.0, 0.0), 0.0
        elif done:
            w, b = v["w_after"], v["b_after"]
        elif v["mistake"]:
            f = _ease((phase - HIGHLIGHT_TICKS) / MOVE_TICKS)
            w = tuple(p + f * (q - p) for p, q in zip(v["w"], v["w_after"]))
            b = v["b"] + f * (v["b_after"] - v["b"])
        else:
            w, b = v["w"], v["b"]
        sc = self.new_scene()
        if self.view() == "xor":
            gate = GATE_NAMES[self["gate"]]
            self._header(sc, f"The perceptron rule on {gate}: four points, one line",
                         "Blue circles: the gate gives 1 (t = +1). Orange squares: it gives 0 (t = \u22121).")
        else:
            self._header(sc, "The perceptron learns from its mistakes",
                         "Blue circles: t = +1. Orange squares: t = \u22121. Dashed: a line with gap \u03b3 to the nearest points.")
        sc.items.extend(st["static"])
        lo, hi = data["lo"], data["hi"]
        self._shade_and_line(sc, w, b, TRAIN_X, lo, hi)
        tip = self._normal(sc, w, b, TRAIN_X, lo, hi, length=0.6 if self.view() == "train" else 0.35,
                           projection=False)
        self._points(sc, data, None if v is None else v["i"], bool(v and v["mistake"] and not done),
                     not done)
        if self.view() == "xor":
            self._gate_labels(sc, data)
        if tip:
            self._place(sc, [tip], "w", "accent3", BODY, bold=True,
                        offsets=((0, -18), (18, 0), (-18, 0), (0, 18)))
        if abs(w[0]) + abs(w[1]) < 1e-12:
            sc.text(TRAIN_X + PLOT_S / 2, PLOT_Y + 24, "w = 0: no line yet, every z = b",
                    size=SMALL, fill="muted", align="c", base="t")
        sc.text(TRAIN_X, PLOT_Y + PLOT_S + 22,
                "solid: learned line" + ("" if data["sep"] is None else " \u00b7 dashed: separator \u00b1 margin"),
                size=SMALL, fill="muted")
        self._training_panel(sc, st, loc, v, done)
        tel = self._training_telemetry(st, loc)
        return sc, tel

    def _gate_labels(self, sc: Scene, data: dict) -> None:
        px, _ = self._mapper(TRAIN_X, data["lo"], data["hi"])
        for p, t in zip(data["points"], data["labels"]):
            a = px(*p)
            dy = 28 if p[1] == 0 else -28
            sc.text(a[0], a[1] + dy, f"({_num(p[0])}, {_num(p[1])}) \u2192 {1 if t > 0 else 0}", size=SMALL,
                    fill="ink", align="c")

    def _training_panel(self, sc: Scene, st: dict, loc: dict, v: dict | None, done: bool) -> None:
        x, right = PANEL_X, 940.0
        sched, run = st["sched"], st["run"]
        y = 84.0
        n = sched.n
        if v is None:
            return
        if done:
            sc.text(x, y, f"Pass {loc['pass']}: no mistakes. Converged.", size=BODY, bold=True, fill="good", base="t")
            sc.text(x, y + 30, f"w = {_vec(v['w_after'])}, b = {_num(v['b_after'])}", size=BODY, base="t")
            sc.text(x, y + 60, f"{loc['updates']} updates in {loc['pass']} passes", size=BODY, base="t")
            y += 120
        else:
            pt = sched.visits[loc["k"]]
            t = st["data"]["labels"][pt["i"]]
            p = st["data"]["points"][pt["i"]]
            sc.text(x, y, f"Pass {loc['pass']:,} \u00b7 point {pt['i'] + 1} of {n}", size=BODY, bold=True, base="t")
            sc.text(x, y + 30, f"x = {_vec(p)}, t = {_sign(t)}", size=BODY, base="t")
            sc.text(x, y + 60, f"z = w\u00b7x + b = {_num(pt['z'])}", size=BODY, base="t")
            if pt["mistake"]:
                why = "on the line" if pt["z"] == 0 else "wrong side"
                sc.text(x, y + 90, f"t\u00b7z = {_num(t * pt['z'])} \u2264 0 ({why}): update", size=BODY, bold=True,
                        fill="bad", base="t")
                sc.text(x, y + 120, f"w \u2190 w + t\u00b7x = {_vec(pt['w_after'])}", size=BODY, base="t")
                op = "+" if t > 0 else "\u2212"
                sc.text(x, y + 150, f"b \u2190 b + t = {_num(pt['b'])} {op} 1 = {_num(pt['b_after'])}",
                        size=BODY, base="t")
            else:
                sc.text(x, y + 90, f"t\u00b7z = {_num(t * pt['z'])} > 0: correct, no change", size=BODY,
                        fill="good", base="t")
            y += 180
        sc.line(x, y, right, y, stroke="faint")
        y += 12
        sc.text(x, y, f"updates so far: {loc['updates']:,}", size=BODY, base="t")
        sc.text(x + 230, y, f"mistakes this pass: {loc['pass_mistakes']}", size=BODY, base="t")
        y += 30
        if st["gamma"] is not None:
            gap = st["data"]["gap"]
            if self.view() == "train":
                sc.text(x, y, f"\u03b3 = {_num(gap)} / \u221a(1 + {_num(OFFSET)}\u00b2) = {_num(st['gamma'], 3)}"
                              f" (bias folded in)", size=SMALL, base="t", fill="muted")
            else:
                sc.text(x, y, f"\u03b3 = {_num(st['gamma'], 3)} for the dashed line (bias folded in)", size=SMALL,
                        base="t", fill="muted")
            sc.text(x, y + 24, f"R = longest (x\u2081, x\u2082, 1) = {_num(st['R'], 3)}", size=SMALL, base="t",
                    fill="muted")
            sc.text(x, y + 50, f"bound (R/\u03b3)\u00b2 = {_whole(st['bound']):,} updates; this run: "
                               f"{run['visits'][-1]['updates']}", size=BODY, bold=True, base="t", fill="accent3")
        else:
            sc.text(x, y, "No line separates these labels: no \u03b3 > 0,", size=SMALL, base="t", fill="muted")
            sc.text(x, y + 24, "so the theorem promises nothing.", size=SMALL, base="t", fill="muted")
            if run["status"] == "cycle":
                start = sched.visits[sched.pre_visits]
                sc.text(x, y + 50, f"Every pass ends at w = {_vec(start['w'])}, b = {_num(start['b'])}: "
                                   f"it repeats", size=BODY, bold=True, base="t", fill="bad")
        self._pass_bars(sc, st, loc, done, y + 88)

    def _pass_bars(self, sc: Scene, st: dict, loc: dict, done: bool, top: float) -> None:
        """Mistakes in each pass so far: a bar per pass, the current one still growing."""
        x, right, bottom = PANEL_X, 940.0, 572.0
        sched, run = st["sched"], st["run"]
        sc.text(x, top, "mistakes per pass", size=SMALL, fill="muted", base="t")
        current = loc["pass"]
        passes = run["passes"]
        shown = list(range(max(1, current - 15), current + 1))
        n_max = max(1, sched.n if self.view() == "xor" else max(passes + [1]))
        slot = (right - x) / 16
        h = bottom - top - 70
        base_y = top + 46 + h
        sc.line(x, base_y, right, base_y, stroke="faint")
        for j, p in enumerate(shown):
            m = loc["pass_mistakes"] if (p == current and not done) else sched.mistakes_in_pass(p)
            bx = x + j * slot + 4
            bh = h * m / n_max
            fill = "good" if m == 0 and (p < current or done) else "bad" if p < current or done else "accent2"
            if bh > 0:
                sc.rect(bx, base_y - bh, slot - 8, bh, fill=fill, alpha=0.8)
            label = f"{p:,}" if len(f"{p:,}") * SMALL * 0.56 <= slot - 2 else f"{p % 100}"
            sc.text(bx + (slot - 8) / 2, base_y + 4, label, size=SMALL, fill="muted", align="c", base="t")
            sc.text(bx + (slot - 8) / 2, base_y - bh - 3, str(m), size=SMALL, fill="ink", align="c", base="b")

    def _training_telemetry(self, st: dict, loc: dict) -> list[dict]:
        run = st["run"]
        status = {"converged": "converged", "cycle": "cycles for ever", "capped": "stopped at the cap"}[run["status"]]
        tel = [
            metric("updates", "updates so far", loc["updates"], f"{loc['updates']:,}", "updates"),
            metric("pass", "pass", loc["pass"], f"{loc['pass']:,}", ""),
            metric("mistakes", "mistakes this pass", loc["pass_mistakes"], str(loc["pass_mistakes"]), "mistakes"),
        ]
        if st["gamma"] is not None:
            tel += [
                metric("gamma", "margin \u03b3 (bias folded in)", st["gamma"], _num(st["gamma"], 3), "units"),
                metric("R", "R, longest (x\u2081, x\u2082, 1)", st["R"], _num(st["R"], 3), "units"),
                metric("bound", "bound (R/\u03b3)\u00b2", st["bound"], f"{_whole(st['bound']):,} updates", "updates"),
            ]
        tel.append(metric("run", "this run", run["visits"][-1]["updates"],
                          f"{status} after {run['visits'][-1]['updates']} updates" if run["status"] != "cycle"
                          else f"cycles: {run['passes'][-1]} mistakes a pass", "updates"))
        return tel

    def _training_events(self, t0: float, t1: float) -> list[dict]:
        st = self.cached("training", self._training)
        sched = st["sched"]
        pace = self["pace"]
        g1 = sched.locate(t1 * pace, pace)["g"]
        g0 = sched.locate(t0 * pace, pace)["g"] if t0 >= 0 else 0
        lines: list[str] = []
        g = g1
        # newest first, a bounded walk: a jump of many visits costs a fixed amount
        while g > g0 and len(lines) < 6 and g1 - g < 400:
            k, cycles = sched.visit_of(g)
            msg = self._visit_message(st, k, cycles)
            if msg:
                lines.append(msg)
            g -= 1
        skipped = g - g0
        out = [{"level": "info", "text": s} for s in reversed(lines)]
        if skipped > 0:
            out.insert(0, {"level": "info", "text": f"\u2026 {skipped:,} earlier visits not listed."})
        return out

    def _visit_message(self, st: dict, k: int | None, cycles: int) -> str | None:
        sched, run = st["sched"], st["run"]
        if k is None:
            last = sched.visits[-1]
            if run["status"] == "converged":
                bound = "" if st["bound"] is None else f"; the bound (R/\u03b3)\u00b2 allows {_whole(st['bound']):,}"
                return (f"Pass {last['pass']} made no mistake: converged after {last['updates']} updates{bound}. "
                        f"w = {_vec(last['w_after'])}, b = {_num(last['b_after'])}.")
            return f"Stopped at the cap of {MAX_VISITS:,} visits after {last['updates']:,} updates."
        v = sched.visits[k]
        p = v["pass"] + cycles * (sched.cycle_passes if sched.cyclic else 0)
        parts = []
        if v["i"] == 0 and p > 1:
            prev = sched.mistakes_in_pass(p - 1)
            tail = ""
            if sched.cyclic and p - 1 >= run["cycle_from"] + 1:
                tail = f" w = {_vec(v['w'])}, b = {_num(v['b'])} again: the same pass comes round."
            parts.append(f"Pass {p - 1:,} done: {prev} mistake{'s' if prev != 1 else ''}.{tail}")
        if v["mistake"]:
            t = st["data"]["labels"][v["i"]]
            parts.append(f"Point {v['i'] + 1} (t = {_sign(t)}): z = {_num(v['z'])}, t\u00b7z \u2264 0. "
                         f"w \u2190 w + t\u00b7x = {_vec(v['w_after'])}, b \u2190 {_num(v['b_after'])}.")
        return " ".join(parts) or None
