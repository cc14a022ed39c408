"""Vectors, dot products, cosine similarity: the workshop of chapter p00-c03.

Three views, one idea each:

* geometry (and its presets orthogonal, opposite, unit, scaled): two
  vectors a and b in the plane, set by their components. The angle θ
  between them, the shadow of a on the line through b (its projection),
  and the numbers a·b = a₁b₁ + a₂b₂ = ‖a‖‖b‖cos θ written out beside them.
* ledger: the dot product of two short integer vectors computed one
  multiply-add at a time; a running sum climbs and falls term by term.
* random: m random vectors whose components are drawn from the standard
  normal distribution, and a histogram of the cosine of every pair. As the
  width d grows to Llama 3 8B's 4,096 the histogram narrows: the measured
  standard deviation follows 1/√d.

The random vectors are the same at every width: width d uses the first d
components of 4,096-component vectors, so sliding d only adds or removes
components. Their block-wise running sums are kept across parameter
changes, so returning to a width seen before costs a few sums, not a new
draw. Every parameter set fills its histogram from the moment it takes
effect, over at least FILL_MIN_S seconds and at most WORK_PER_S
multiply-adds of work per simulated second, so no frame does more than a
sliver of the work, however late d or m changes.
"""
from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_right
from itertools import accumulate, islice
from operator import mul

from ...calc.gemm import gemm_flops
from ...calc.vectors import (angle_between, cosine_similarity, dot, norm, random_cosine_std,
                             scalar_projection, vector_projection)
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, nice_ticks
from ...core.rng import normals
from ...core.scene import Scene, text_box
from ...units import fmt_factor as _pnum, fmt_int as _int, fmt_int_factor as _paren, fmt_plain as _num

MODEL = "llama-3-8b"
D_MAX = get_model(MODEL).hidden   # the d slider ends at Llama 3 8B's width

# type sizes: the page shows the 960-wide canvas at about 0.6x, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

# -- geometry view -----------------------------------------------------------------
PLOT_X, PLOT_Y, PLOT_S = 20.0, 76.0, 450.0
WORLD_R = 4.5                      # the plot shows [-4.5, 4.5]²; components go to ±4
UNIT = PLOT_S / (2 * WORLD_R)
OX, OY = PLOT_X + PLOT_S / 2, PLOT_Y + PLOT_S / 2
PLANE = Plot(PLOT_X, PLOT_Y, PLOT_S, PLOT_S, xlim=(-WORLD_R, WORLD_R), ylim=(-WORLD_R, WORLD_R))
PANEL_X = 500.0
DROP_S = 1.5                       # seconds for the perpendicular to fall from a's tip onto b's line
ARC_R = 38.0                       # radius of the arc that marks θ
GEOMETRY_VIEWS = ("geometry", "orthogonal", "opposite", "unit", "scaled")
_PLANE = ("ax", "ay", "bx", "by")

# -- ledger view -------------------------------------------------------------------
LEDGER_MAX_N = 10
LEDGER_HOLD_S = 4.0                # seconds the finished sum stays up before the walk restarts
LEDGER_RANGE = 3                   # entries are non-zero integers in [-3, 3]

# -- random view -------------------------------------------------------------------
VECTORS_MAX = 48
BLOCK = 16                         # running sums are kept every BLOCK components
CHUNK = 256                        # components drawn per generator call
BINS = 40                          # histogram bins over [-1, 1]
FILL_MIN_S = 2.5                   # a histogram never fills faster than this
WORK_PER_S = 2 ** 19               # work paid for per simulated second while it fills, in multiply-adds
# prices measured in CPython and in Pyodide: a normal number (core.rng.normals) costs 22-26
# multiply-adds of the block sums, and a pair's bookkeeping 15-35 per width of the lower chart
NORMAL_COST = 24                   # drawing one normal number, in multiply-adds
WIDTH_COST = 24                    # one pair's bookkeeping per width of the lower chart, in multiply-adds
CURVE_POINTS = 32                  # integration points per bin for the expected shape


# -- small pure helpers ---------------------------------------------------------------


def _sig(v: float, digits: int = 3) -> str:
    """``digits`` significant figures, a real minus sign."""
    if v == 0:
        return "0"
    return f"{v:.{digits}g}".replace("-", "\u2212")


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def _overlaps(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def _crosses(box, p, q, margin: float = 3.0) -> bool:
    """Whether the segment p–q passes through ``box`` grown by ``margin`` (sampled every 4 units)."""
    x0, y0, x1, y1 = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    steps = max(1, int(math.dist(p, q) / 4))
    for k in range(steps + 1):
        x = p[0] + (q[0] - p[0]) * k / steps
        y = p[1] + (q[1] - p[1]) * k / steps
        if x0 <= x <= x1 and y0 <= y <= y1:
            return True
    return False


def px(x: float, y: float) -> tuple[float, float]:
    """World coordinates of the plane view to logical canvas units (y up becomes y down)."""
    return PLANE.fx(x), PLANE.fy(y)


def ledger_vectors(seed: int, n: int, pair: str) -> tuple[list[int], list[int]]:
    """The ledger's two integer vectors of length ``n``.

    ``a`` is cut from a fixed table of :data:`LEDGER_MAX_N` entries, so
    changing n keeps every entry in place. ``pair`` picks b: "random" (its
    own table), "same" (b = a, so a·b = ‖a‖²) or "perp" (built so that the
    terms cancel two by two and a·b = 0).
    """
    rng = random.Random(7919 * seed + 21)
    values = [v for v in range(-LEDGER_RANGE, LEDGER_RANGE + 1) if v]
    ta = [rng.choice(values) for _ in range(LEDGER_MAX_N)]
    tb = [rng.choice(values) for _ in range(LEDGER_MAX_N)]
    a = ta[:n]
    if pair == "same":
        b = list(a)
    elif pair == "perp":
        # (a1, a2) against (-a2, a1): a1·(-a2) + a2·a1 = 0, pair after pair
        b = []
        for i in range(0, n - 1, 2):
            b += [-a[i + 1], a[i]]
        if n % 2:
            b.append(0)
    else:
        b = tb[:n]
    return a, b


def pair_index(i: int, j: int) -> int:
    """Position of the pair (i, j), i < j, when pairs are listed vector by vector:
    (0,1), (0,2), (1,2), (0,3), (1,3), (2,3), … so the first m vectors own the
    first m(m−1)/2 pairs."""
    return j * (j - 1) // 2 + i


def pair_of(p: int) -> tuple[int, int]:
    """Inverse of :func:`pair_index`."""
    j = int((1 + math.isqrt(1 + 8 * p)) // 2)
    while j * (j - 1) // 2 > p:
        j -= 1
    while (j + 1) * j // 2 <= p:
        j += 1
    return p - j * (j - 1) // 2, j


def pairs_of(m: int) -> int:
    """Pairs among m vectors: m(m−1)/2."""
    return m * (m - 1) // 2


def gaussian_chunk(seed: int, vector: int, chunk: int) -> list[float]:
    """:data:`CHUNK` standard-normal numbers: components ``chunk·CHUNK`` onwards of vector ``vector``.

    Drawn by :func:`llmviz.core.rng.normals` from a seed mixed from
    (seed, vector, chunk), so any component is the same whatever was drawn
    before it, and the same bits in CPython and in the browser.
    """
    return normals(1_000_003 * seed + 1009 * vector + chunk + 1, CHUNK)


def expected_bin_shares(d: int, bins: int = BINS) -> list[float]:
    """Share of random pairs whose cosine falls in each of ``bins`` equal bins over [−1, 1].

    For directions with no preferred axis, the angle φ between two of them
    in d dimensions has density proportional to sin^(d−2) φ on [0, π]; a bin
    [c₀, c₁] of cosines is the angles [arccos c₁, arccos c₀]. Integrated by
    the midpoint rule in φ, in logs so that sin^4094 does not underflow.
    """
    k = d - 2
    # log of ∫₀^π sin^k φ dφ = √π Γ((k+1)/2) / Γ(k/2 + 1)
    log_z = 0.5 * math.log(math.pi) + math.lgamma((k + 1) / 2) - math.lgamma(k / 2 + 1)
    out = []
    for b in range(bins):
        c0, c1 = -1 + 2 * b / bins, -1 + 2 * (b + 1) / bins
        lo, hi = math.acos(min(1.0, c1)), math.acos(max(-1.0, c0))
        h = (hi - lo) / CURVE_POINTS
        total = 0.0
        for q in range(CURVE_POINTS):
            s = math.sin(lo + (q + 0.5) * h)
            if s > 0:
                total += math.exp(k * math.log(s) - log_z) if k else math.exp(-log_z)
        out.append(total * h)
    return out


class RandomPool:
    """Random vectors and the block-wise running sums of their products, grown on demand.

    Vector j's components are drawn in chunks (:func:`gaussian_chunk`);
    ``dots[p]`` holds the dot product of pair p over its first 0, BLOCK,
    2·BLOCK, … components, and ``squares[j]`` the same for vector j with
    itself. A dot product at any width w is then one stored sum plus fewer
    than BLOCK more products. Nothing here depends on the order the work was
    done in, only on the seed, and it outlives parameter changes: moving d or
    m back to a width seen before costs a few lookups.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.vectors: list[list[float]] = []
        self.squares: list[array] = []
        self.dots: list[array] = []

    def components(self, j: int, d: int, chunks: int | None = None) -> list[float]:
        """Vector j, drawn towards ``d`` components: all the way, or at most ``chunks`` more chunks."""
        while len(self.vectors) <= j:
            self.vectors.append([])
            self.squares.append(array("d", [0.0]))
        v = self.vectors[j]
        k = 0
        while len(v) < d and (chunks is None or k < chunks):
            v.extend(gaussian_chunk(self.seed, j, len(v) // CHUNK))
            k += 1
        return v

    @staticmethod
    def _extend(sums: array, a: list[float], b: list[float], blocks: int) -> None:
        """Append the running sum of a·b at every BLOCK components up to ``blocks`` blocks.

        One pass in C: the products' running total, every BLOCK-th value kept.
        It continues from the last stored total, so the sums are the same
        however the work was split.
        """
        have = len(sums) - 1
        if have >= blocks:
            return
        lo, hi = have * BLOCK, blocks * BLOCK
        totals = accumulate(map(mul, a[lo:hi], b[lo:hi]), initial=sums[-1])
        sums.extend(islice(totals, BLOCK, None, BLOCK))

    @staticmethod
    def _at(sums: array, a: list[float], b: list[float], w: int) -> float:
        """a·b over the first w components: the stored block sum plus the few products after it."""
        k = w // BLOCK
        if w == k * BLOCK:
            return sums[k]
        return sums[k] + sum(map(mul, a[k * BLOCK:w], b[k * BLOCK:w]))

    def square_norms(self, j: int, widths: list[int]) -> list[float]:
        """‖v_j‖² over its first w components, for every w in ``widths`` (ascending)."""
        d = widths[-1]
        v = self.components(j, d)
        sums = self.squares[j]
        self._extend(sums, v, v, d // BLOCK)
        return [self._at(sums, v, v, w) for w in widths]

    def dots_at(self, p: int, widths: list[int]) -> list[float]:
        """The dot product of pair p over its first w components, for every w in ``widths`` (ascending)."""
        i, j = pair_of(p)
        d = widths[-1]
        a, b = self.components(i, d), self.components(j, d)
        while len(self.dots) <= p:
            self.dots.append(array("d", [0.0]))
        sums = self.dots[p]
        self._extend(sums, a, b, d // BLOCK)
        return [self._at(sums, a, b, w) for w in widths]


def powers_up_to(d: int) -> list[int]:
    """Widths 2, 4, 8, … ≤ d, and d itself if it is not one of them."""
    out = []
    w = 2
    while w <= d:
        out.append(w)
        w *= 2
    if out[-1] != d:
        out.append(d)
    return out


# -- the mode -----------------------------------------------------------------------------


class VectorsMode(Mode):
    """Two vectors in the plane; a dot product term by term; cosines of random vectors as d grows."""

    id = "p00-c03-vectors"
    chapter = "p00-c03-vectors"
    title = "Vectors, dot products, cosine similarity"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("ax", "a\u2081 (first component of a)", lo=-4, hi=4, step=0.5, default=3.0,
               help="How far the blue arrow a reaches along the horizontal axis."),
        Number("ay", "a\u2082 (second component of a)", lo=-4, hi=4, step=0.5, default=1.0,
               help="How far a reaches along the vertical axis."),
        Number("bx", "b\u2081 (first component of b)", lo=-4, hi=4, step=0.5, default=3.0,
               help="How far the orange arrow b reaches along the horizontal axis."),
        Number("by", "b\u2082 (second component of b)", lo=-4, hi=4, step=0.5, default=4.0,
               help="How far b reaches along the vertical axis."),
        Number("n", "d (components in each vector)", lo=2, hi=LEDGER_MAX_N, step=1, default=6,
               integer=True, help="Length of both vectors: the number of multiply-adds in a·b."),
        Choice("pair", "b is", default="random",
               options=(("random", "another random vector"), ("same", "a itself (a\u00b7a = \u2016a\u2016\u00b2)"),
                        ("perp", "built perpendicular to a")),
               help="Which second vector the ledger multiplies a by."),
        Number("pace", "Pace", lo=0.5, hi=8, step=0.5, default=1.0, unit="multiply-adds/s", log=True,
               help="How many terms of the sum the animation adds per second."),
        Number("dim", "d (components per vector)", lo=2, hi=D_MAX, step=1, default=64, integer=True,
               log=True, help=f"The width of the random vectors; {D_MAX:,} is Llama 3 8B's."),
        Number("vectors", "m (random vectors drawn)", lo=8, hi=VECTORS_MAX, step=1, default=32,
               integer=True, help="Every pair of the m vectors gives one cosine: m(m\u22121)/2 pairs."),
    )

    submodes = {
        "geometry": Submode("Two vectors", {"ax": 3.0, "ay": 1.0, "bx": 3.0, "by": 4.0},
                            "Lengths, the angle between a and b, and the shadow of a on b.", _PLANE),
        "orthogonal": Submode("Orthogonal", {"ax": -2.0, "ay": 1.5, "bx": 3.0, "by": 4.0},
                              "a·b = 0: the vectors meet at 90° and a casts no shadow on b.", _PLANE),
        "opposite": Submode("Obtuse", {"ax": -3.0, "ay": -1.0, "bx": 3.0, "by": 4.0},
                            "θ > 90°: a·b < 0 and the shadow of a points away from b.", _PLANE),
        "unit": Submode("Unit b", {"ax": 3.0, "ay": 1.0, "bx": 1.0, "by": 0.0},
                        "b of length 1: a·b is the shadow itself, here a's first component.", _PLANE),
        "scaled": Submode("Same direction", {"ax": 3.0, "ay": 1.0, "bx": 1.5, "by": 0.5},
                          "b points exactly along a at half its length: cos θ = 1 whatever the lengths.",
                          _PLANE),
        "ledger": Submode("Term by term", {"n": 6, "pair": "random"},
                          "a·b = a₁b₁ + a₂b₂ + …: one multiply-add per component, a running sum.",
                          ("n", "pair", "pace")),
        "random": Submode("Random vectors", {"dim": 64, "vectors": 32},
                          "Cosines of random pairs crowd towards 0 as d grows: spread 1/√d.",
                          ("dim", "vectors")),
    }
    default_submode = "geometry"

    def __init__(self, values=None, submode=None, seed: int = 0):
        self._pool = RandomPool(seed)
        self._drawn_t: float | None = None      # the time of the last frame drawn, in any view
        self._now = 0.0                          # the time of the frame being drawn
        super().__init__(values=values, submode=submode, seed=seed)

    def view(self) -> str:
        """The picture the current sub-mode shows: "geometry", "ledger" or "random"."""
        if self.submode in GEOMETRY_VIEWS:
            return "geometry"
        return self.submode if self.submode in ("ledger", "random") else "geometry"

    def draw(self, t: float):
        self._now = t
        v = self.view()
        if v == "ledger":
            out = self._draw_ledger(t)
        elif v == "random":
            out = self._draw_random(t)
        else:
            out = self._draw_geometry(t)
        self._drawn_t = t
        return out

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "ledger":
            return self._ledger_events(t0, t1)
        if v == "random":
            return self._random_events(t0, t1)
        return self._geometry_events(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- geometry view ----------------------------------------------------------------

    def _vectors(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return (self["ax"], self["ay"]), (self["bx"], self["by"])

    def geometry_numbers(self) -> dict:
        """Everything the plane view writes, from :mod:`llmviz.calc.vectors`; ``None`` where undefined."""
        a, b = self._vectors()
        na, nb = norm(a), norm(b)
        out = {"a": a, "b": b, "dot": dot(a, b), "na": na, "nb": nb,
               "cos": None, "theta": None, "shadow": None, "foot": None,
               "flops": gemm_flops(1, 1, len(a))}
        if na > 0 and nb > 0:
            out["cos"] = cosine_similarity(a, b)
            out["theta"] = math.degrees(angle_between(a, b))
        if nb > 0:
            out["shadow"] = scalar_projection(a, b)
            out["foot"] = tuple(vector_projection(a, b))
        return out

    def _draw_geometry(self, t: float):
        u = _ease(t / DROP_S)
        if u >= 1:
            return self.memo("geometry", "settled", lambda: self._geometry_frame(1.0))
        return self._geometry_frame(u)

    def _geometry_frame(self, u: float):
        g = self.cached("geometry", self.geometry_numbers)
        a, b = g["a"], g["b"]
        sc = self.new_scene()
        self._header(sc, "The dot product: how far a points along b",
                     "a\u00b7b = a\u2081b\u2081 + a\u2082b\u2082 = \u2016a\u2016\u2016b\u2016 cos \u03b8")
        sc.items.extend(self.cached("plane", self._plane_static))
        o = px(0, 0)
        if g["foot"] is not None:
            f = g["foot"]
            nb = g["nb"]
            # the line through b, across the whole plot: the direction a is measured along
            s = WORLD_R * 1.5 / nb
            PLANE.polyline(sc, [(-s * b[0], -s * b[1]), (s * b[0], s * b[1])], stroke="k", lw=1, dash=(6, 5),
                           alpha=0.55)
            tip, foot = px(*a), px(*f)
            # the perpendicular falls from a's tip; the shadow grows along b's line with it
            drop = (tip[0] + u * (foot[0] - tip[0]), tip[1] + u * (foot[1] - tip[1]))
            if math.dist(tip, foot) > 1:
                sc.line(tip[0], tip[1], drop[0], drop[1], stroke="accent3", lw=1.8, dash=(5, 4))
            shadow_end = (o[0] + u * (foot[0] - o[0]), o[1] + u * (foot[1] - o[1]))
            if math.dist(o, foot) > 1:
                sc.line(o[0], o[1], shadow_end[0], shadow_end[1], stroke="accent3", lw=7, alpha=0.45)
            if u >= 1:
                self._right_angle(sc, a, f, b)
                sc.circle(foot[0], foot[1], 4, fill="accent3")
        if g["theta"] is not None and 0.5 < g["theta"] < 179.5:
            self._arc(sc, a, b)
        for (vx, vy), col in ((a, "q"), (b, "k")):
            if math.hypot(vx, vy) > 0:
                tip = px(vx, vy)
                sc.arrow(o[0], o[1], tip[0], tip[1], stroke=col, lw=3, head=11)
            else:
                sc.circle(o[0], o[1], 5, stroke=col, lw=2)
        sc.items.extend(self.cached("gtags", self._geometry_tags))
        sc.items.extend(self.cached("gpanel", self._geometry_panel))
        tel = [
            metric("dot", "a\u00b7b", g["dot"], _num(g["dot"], 3), ""),
            metric("na", "\u2016a\u2016 (length of a)", g["na"], _num(g["na"], 3), ""),
            metric("nb", "\u2016b\u2016 (length of b)", g["nb"], _num(g["nb"], 3), ""),
            metric("cos", "cos \u03b8 (cosine similarity)", g["cos"] if g["cos"] is not None else 0.0,
                   _num(g["cos"], 3) if g["cos"] is not None else "undefined (zero vector)", ""),
            metric("theta", "angle \u03b8", g["theta"] if g["theta"] is not None else 0.0,
                   f"{_num(g['theta'], 1)}\u00b0" if g["theta"] is not None else "undefined", "deg"),
            metric("shadow", "shadow of a on b (a\u00b7b/\u2016b\u2016)",
                   g["shadow"] if g["shadow"] is not None else 0.0,
                   _num(g["shadow"], 3) if g["shadow"] is not None else "undefined (b = 0)", ""),
            metric("flops", "FLOPs for a\u00b7b (2 per component)", g["flops"], f"{g['flops']} FLOP", "FLOP"),
        ]
        return sc, tel

    def _right_angle(self, sc: Scene, a, f, b) -> None:
        """The small square that marks the 90° where the perpendicular meets b's line."""
        ux, uy = a[0] - f[0], a[1] - f[1]
        lu = math.hypot(ux, uy)
        lb = math.hypot(*b)
        if lu * UNIT < 14 or math.hypot(*f) * UNIT < 14:
            return
        size = 11 / UNIT
        ux, uy = ux / lu * size, uy / lu * size
        # step back along b from the foot, towards the origin
        sgn = -1 if (f[0] * b[0] + f[1] * b[1]) > 0 else 1
        vx, vy = sgn * b[0] / lb * size, sgn * b[1] / lb * size
        pts = [px(f[0] + ux, f[1] + uy), px(f[0] + ux + vx, f[1] + uy + vy), px(f[0] + vx, f[1] + vy)]
        sc.path(pts, stroke="accent3", lw=1.4)

    @staticmethod
    def _arc_mid(a, b) -> tuple[float, float]:
        """Start angle and signed sweep (radians) of the short way round from a to b."""
        pa, pb = math.atan2(a[1], a[0]), math.atan2(b[1], b[0])
        return pa, (pb - pa + math.pi) % (2 * math.pi) - math.pi

    def _arc(self, sc: Scene, a, b) -> None:
        """An arc at the origin from a to b, the short way round: the angle θ."""
        pa, delta = self._arc_mid(a, b)
        steps = max(2, int(abs(delta) * 12))
        pts = [(OX + ARC_R * math.cos(pa + delta * s / steps), OY - ARC_R * math.sin(pa + delta * s / steps))
               for s in range(steps + 1)]
        sc.path(pts, stroke="ink", lw=1.5)

    def _geometry_tags(self) -> list[dict]:
        """Labels a, b and θ, each placed clear of the arrows, the shadow, the perpendicular and each other."""
        g = self.geometry_numbers()
        a, b, f = g["a"], g["b"], g["foot"]
        o = px(0, 0)
        segments = [(o, px(*v)) for v in (a, b) if math.hypot(*v) > 0]
        if f is not None:
            segments += [(o, px(*f)), (px(*a), px(*f))]
        sc = Scene(*self.size)
        placed: list[tuple] = []
        for (vx, vy), col, tag in ((a, "q", "a"), (b, "k", "b")):
            if math.hypot(vx, vy) > 0:
                self._tag(sc, placed, segments, px(vx, vy), (vx, vy), tag, col, 18)
        if g["theta"] is not None and 0.5 < g["theta"] < 179.5:
            pa, delta = self._arc_mid(a, b)
            mid = pa + delta / 2
            at = (OX + ARC_R * math.cos(mid), OY - ARC_R * math.sin(mid))
            self._tag(sc, placed, segments, at, (math.cos(mid), math.sin(mid)), "\u03b8", "ink", 14)
        return sc.items

    def _tag(self, sc: Scene, placed: list, segments: list, at, direction, s: str, fill: str,
             gap: float) -> None:
        """A short label just beyond a point, else beside it: inside the plot, off every segment
        and clear of the labels already placed. Gives up quietly when there is no room."""
        dx, dy = direction
        nrm = math.hypot(dx, dy) or 1.0
        ux, uy = dx / nrm, -dy / nrm            # canvas y points down
        nx, ny = -uy, ux
        candidates = [(ux * gap, uy * gap)]
        for k in (1, 2, 3):
            candidates += [(ux * gap + nx * 16 * k, uy * gap + ny * 16 * k),
                           (ux * gap - nx * 16 * k, uy * gap - ny * 16 * k)]
        candidates += [(nx * (gap + 8), ny * (gap + 8)), (-nx * (gap + 8), -ny * (gap + 8)),
                       (-ux * gap + nx * (gap + 8), -uy * gap + ny * (gap + 8)),
                       (-ux * gap - nx * (gap + 8), -uy * gap - ny * (gap + 8))]
        for ox, oy in candidates:
            x, y = at[0] + ox, at[1] + oy
            box = text_box(x, y, s, BODY, "c", "m")
            inside = (box[0] >= PLOT_X + 2 and box[2] <= PLOT_X + PLOT_S - 2
                      and box[1] >= PLOT_Y + 2 and box[3] <= PLOT_Y + PLOT_S - 2)
            if inside and not any(_overlaps(box, p) for p in placed) \
                    and not any(_crosses(box, p, q) for p, q in segments):
                placed.append(box)
                sc.text(x, y, s, size=BODY, fill=fill, align="c", base="m", bold=True)
                return

    def _plane_static(self) -> list[dict]:
        """The fixed backdrop of the plane view: grid, axes and the scale note."""
        sc = Scene(*self.size)
        # a unit grid without tick labels: the caption gives the scale, and numbers along the
        # edges would crowd the arrows' own labels
        PLANE.frame(sc, zero=False)
        r = int(WORLD_R)
        for i in range(-r, r + 1):
            if i:
                PLANE.vline(sc, i, stroke="grid", lw=1, dash=None)
                PLANE.hline(sc, i, stroke="grid", lw=1, dash=None)
        PLANE.vline(sc, 0, stroke="faint", lw=1.5, dash=None)
        PLANE.hline(sc, 0, stroke="faint", lw=1.5, dash=None)
        sc.text(PLOT_X, PLOT_Y + PLOT_S + 20, "1 grid square = 1 unit \u00b7 dashed: the line through b",
                size=SMALL, fill="muted")
        sc.text(PLOT_X, PLOT_Y + PLOT_S + 42, "purple: the shadow of a on b, up to the perpendicular",
                size=SMALL, fill="accent3")
        return sc.items

    def _geometry_panel(self) -> list[dict]:
        """The arithmetic beside the plane (depends on the four components only)."""
        g = self.geometry_numbers()
        (a1, a2), (b1, b2) = g["a"], g["b"]
        sc = Scene(*self.size)
        x = PANEL_X
        rows = [
            (f"a = ({_num(a1)}, {_num(a2)})", "q", True),
            (f"\u2016a\u2016 = \u221a({_pnum(a1)}\u00b2 + {_pnum(a2)}\u00b2) = {_num(g['na'])}", "ink", False),
            (f"b = ({_num(b1)}, {_num(b2)})", "k", True),
            (f"\u2016b\u2016 = \u221a({_pnum(b1)}\u00b2 + {_pnum(b2)}\u00b2) = {_num(g['nb'])}", "ink", False),
            (f"a\u00b7b = {_pnum(a1)}\u00b7{_pnum(b1)} + {_pnum(a2)}\u00b7{_pnum(b2)} = {_num(g['dot'])}", "ink", True),
        ]
        if g["cos"] is not None:
            rows += [
                ("cos \u03b8 = a\u00b7b / (\u2016a\u2016\u2016b\u2016)", "ink", False),
                (f"      = {_num(g['dot'])} / ({_num(g['na'])} \u00d7 {_num(g['nb'])}) = {_num(g['cos'], 3)}",
                 "accent3", True),
                (f"\u03b8 = arccos {_num(g['cos'], 3)} = {_num(g['theta'], 1)}\u00b0", "ink", False),
                (f"shadow of a on b = a\u00b7b / \u2016b\u2016 = {_num(g['shadow'])}", "accent3", False),
                (self._verdict(g), "muted", False),
            ]
        else:
            zero = "a" if g["na"] == 0 else "b"
            rows += [
                (f"{zero} is the zero vector: it has no direction,", "bad", True),
                ("so there is no angle and no cosine", "bad", False),
                ("(cosine_similarity raises ValueError)", "muted", False),
            ]
        y = 96.0
        for text, fill, bold in rows:
            sc.text(x, y, text, size=BODY, fill=fill, bold=bold)
            y += 36 if not text.startswith("      =") else 34
        if g["cos"] is not None:
            self._gauge(sc, g["cos"])
        return sc.items

    @staticmethod
    def _verdict(g) -> str:
        if abs(g["dot"]) < 1e-9:
            return "a\u00b7b = 0: orthogonal, no shadow at all"
        if g["cos"] > 1 - 1e-9:
            return "cos \u03b8 = 1: the same direction"
        if g["cos"] < -1 + 1e-9:
            return "cos \u03b8 = \u22121: opposite directions"
        if g["dot"] > 0:
            return "\u03b8 < 90\u00b0: a\u00b7b > 0, a leans towards b"
        return "\u03b8 > 90\u00b0: a\u00b7b < 0, a leans away from b"

    @staticmethod
    def _gauge(sc: Scene, cos: float) -> None:
        """cos θ on a scale from −1 to +1: opposite, perpendicular, same way."""
        x0, x1, y = 520.0, 920.0, 510.0
        sc.rect(x0, y, x1 - x0, 10, fill="panel", stroke="faint")
        for v in (-1, -0.5, 0, 0.5, 1):
            xx = x0 + (v + 1) / 2 * (x1 - x0)
            sc.line(xx, y - 3, xx, y + 13, stroke="muted")
        sc.text(x0, y + 28, "\u22121 opposite", size=SMALL, fill="muted", align="l")
        sc.text((x0 + x1) / 2, y + 28, "0 perpendicular", size=SMALL, fill="muted", align="c")
        sc.text(x1, y + 28, "+1 same way", size=SMALL, fill="muted", align="r")
        cx = x0 + (cos + 1) / 2 * (x1 - x0)
        sc.rect(min(cx, (x0 + x1) / 2), y, abs(cx - (x0 + x1) / 2), 10, fill="accent3", alpha=0.6)
        sc.circle(cx, y + 5, 7, fill="accent3", stroke="bg", lw=2)
        label = f"cos \u03b8 = {_num(cos, 3)}"
        w = len(label) * SMALL * 0.56
        lx = min(max(cx, x0 + w / 2), x1 - w / 2)
        sc.text(lx, y - 18, label, size=SMALL, fill="accent3", align="c", bold=True)

    def _geometry_events(self, t0: float, t1: float) -> list[dict]:
        if not (t0 < DROP_S <= t1):
            return []
        g = self.cached("geometry", self.geometry_numbers)
        if g["cos"] is None:
            zero = "a" if g["na"] == 0 else "b"
            return [{"level": "info", "text": f"a\u00b7b = {_num(g['dot'])}; {zero} is the zero vector, "
                                              "so the angle and the cosine are undefined."}]
        return [{"level": "info",
                 "text": f"a\u00b7b = {_num(g['dot'])} = \u2016a\u2016\u2016b\u2016 cos \u03b8 = "
                         f"{_num(g['na'])} \u00d7 {_num(g['nb'])} \u00d7 {_num(g['cos'], 3)}; "
                         f"\u03b8 = {_num(g['theta'], 1)}\u00b0, and a reaches {_num(g['shadow'])} along b."}]

    # -- ledger view -------------------------------------------------------------------

    def _ledger_data(self) -> dict:
        n, pair = self["n"], self["pair"]
        a, b = ledger_vectors(self.seed, n, pair)
        products = [x * y for x, y in zip(a, b)]
        partial = [0]
        for p in products:
            partial.append(partial[-1] + p)
        total = dot(a, b)
        out = {"n": n, "pair": pair, "a": a, "b": b, "products": products, "partial": partial,
               "total": int(total), "na": norm(a), "nb": norm(b) if any(b) else 0.0,
               "flops": gemm_flops(1, 1, n)}
        out["cos"] = cosine_similarity(a, b) if any(b) else None
        return out

    def ledger_position(self, t: float) -> tuple[int, int, bool]:
        """(cycle, terms done, finished) at time ``t``: term k runs during [k, k+1)/pace of a cycle."""
        n, pace = self["n"], self["pace"]
        run = n / pace
        cycle = run + LEDGER_HOLD_S
        c = int(t // cycle)
        tc = t - c * cycle
        if tc >= run:
            return c, n, True
        return c, min(int(tc * pace), n - 1), False

    def _ledger_layout(self, n: int) -> tuple[float, float, float, float]:
        cs = min(52.0, 440.0 / n)
        return cs, 96.0, 122.0, 122.0 + cs + 12   # cell, x of the first cell, y of row a, y of row b

    def _draw_ledger(self, t: float):
        _c, k, finished = self.ledger_position(t)
        return self.memo("ledger", (k, finished), lambda: self._ledger_frame(k, finished))

    def _ledger_frame(self, k: int, finished: bool):
        L = self.cached("ledger", self._ledger_data)
        n, a, b, products, partial = L["n"], L["a"], L["b"], L["products"], L["partial"]
        done = n if finished else k + 1      # terms whose product is in the sum (the current one included)
        sc = self.new_scene()
        self._header(sc, "a\u00b7b, one multiply-add at a time",
                     "Multiply matching components; add each product to a running sum.")
        cs, x0, ya, yb = self._ledger_layout(n)
        yp = yb + cs + 34
        fs = min(22, round(cs * 0.42))
        for name, y in (("a", ya), ("b", yb), ("a\u00d7b", yp)):
            sc.text(x0 - 12, y + cs / 2, name, size=BODY, bold=True, align="r",
                    fill={"a": "q", "b": "k"}.get(name, "accent3"))
        for i in range(n):
            cx = x0 + i * cs
            sc.text(cx + cs / 2, ya - 12, str(i + 1), size=SMALL, fill="muted", align="c")
            current = not finished and i == k
            for y, v, col in ((ya, a[i], "q"), (yb, b[i], "k")):
                sc.rect(cx + 1, y + 1, cs - 2, cs - 2, fill="hl" if current else "panel",
                        stroke="accent2" if current else "faint", lw=2 if current else 1)
                sc.text(cx + cs / 2, y + cs / 2, _int(v), size=fs, font="mono", align="c", fill=col,
                        collide=False)
            sc.rect(cx + 1, yp + 1, cs - 2, cs - 2, fill="hl" if current else "panel",
                    stroke="accent2" if current else "faint", lw=2 if current else 1)
            if i < done:
                sc.text(cx + cs / 2, yp + cs / 2, _int(products[i]), size=fs, font="mono", align="c",
                        bold=current, fill="accent2" if current else "ink", collide=False)
        if not finished:
            cx = x0 + k * cs + cs / 2
            sc.arrow(cx, yb + cs + 2, cx, yp - 2, stroke="accent2", lw=2, head=7)
        self._ledger_chart(sc, L, done, x0, yp + cs + 48)
        self._ledger_text(sc, L, k, finished, done)
        s = partial[done]
        tel = [
            metric("term", "term", done, f"{done} of {n}", ""),
            metric("sum", "running sum", s, _int(s), ""),
            metric("macs", "multiply-adds done", done, f"{done} of {n}", ""),
            metric("flops", "FLOPs done", 2 * done, f"{2 * done} of {L['flops']} FLOP", "FLOP"),
            metric("dot", "a\u00b7b (all terms)", L["total"], _int(L["total"]), ""),
        ]
        return sc, tel

    def _ledger_chart(self, sc: Scene, L: dict, done: int, x0: float, top: float) -> None:
        """The running sum after each term: a path that climbs on positive products and falls on negative ones."""
        n, partial = L["n"], L["partial"]
        lo, hi = min(partial), max(partial)
        if hi - lo < 4:
            pad = (4 - (hi - lo)) / 2
            lo, hi = lo - pad, hi + pad
        p = Plot(x0, top, 440.0, 556.0 - top, xlim=(0.0, float(n)), ylim=(lo, hi))
        p.frame(sc, xticks=range(n + 1), yticks=nice_ticks(lo, hi, 4), xfmt=lambda v: str(int(v)), size=SMALL,
                ylabel="running sum after each term (x: terms added)", marks=False)
        pts = [(float(i), float(partial[i])) for i in range(done + 1)]
        if len(pts) > 1:
            p.polyline(sc, pts, stroke="accent", lw=2.5)
        for i, (x, y) in enumerate(pts):
            sc.circle(p.fx(x), p.fy(y), 4.5 if i == done else 3, fill="accent2" if i == done else "accent")

    def _ledger_text(self, sc: Scene, L: dict, k: int, finished: bool, done: int) -> None:
        n, a, b, products, partial = L["n"], L["a"], L["b"], L["products"], L["partial"]
        x, right = 600.0, 936.0
        sc.text(x, 84, f"a\u00b7b = \u03a3 a\u1d62\u00b7b\u1d62, i = 1\u2026{n}", size=BODY, bold=True, base="t")
        sc.text(x, 112, "i   a \u00d7 b", size=SMALL, fill="muted", font="mono", base="t")
        sc.text(right, 112, "running sum", size=SMALL, fill="muted", align="r", base="t")
        y = 136.0
        step = min(27.0, 270.0 / n)
        size = 18 if step >= 26 else SMALL
        for i in range(n):
            term = f"{i + 1:<3} {_paren(a[i])} \u00d7 {_paren(b[i])}"
            current = not finished and i == k
            if i < done:
                fill = "accent2" if current else "ink"
                sc.text(x, y, f"{term} = {_int(products[i])}", size=size, font="mono", base="t", fill=fill,
                        bold=current)
                sc.text(right, y, _int(partial[i + 1]), size=size, font="mono", align="r", base="t",
                        fill=fill, bold=current)
            else:
                sc.text(x, y, term, size=size, font="mono", fill="muted", base="t")
            y += step
        y = 136 + n * step + 8
        sc.line(x, y, right, y, stroke="faint")
        y += 14
        sc.text(x, y, f"multiply-adds: {done} of {n}", size=BODY, base="t")
        sc.text(x, y + 28, f"FLOPs: {2 * done} of 2\u00b7{n} = {L['flops']}", size=BODY, base="t", bold=True)
        bar_y = y + 62
        sc.rect(x, bar_y, right - x, 12, fill="panel", stroke="faint")
        sc.rect(x, bar_y, (right - x) * done / n, 12, fill="accent")
        y = bar_y + 30
        if not finished:
            return
        total = L["total"]
        if L["pair"] == "same":
            lines = [(f"a\u00b7a = {_int(total)} = \u2016a\u2016\u00b2", "good"),
                     (f"so \u2016a\u2016 = \u221a{total} = {_num(L['na'])}", "ink")]
        elif L["cos"] is None:
            lines = [(f"a\u00b7b = {_int(total)}", "good"), ("b is the zero vector: no angle", "muted")]
        elif total == 0:
            lines = [("a\u00b7b = 0: a and b are orthogonal", "good"),
                     ("every pair of terms cancels", "muted")]
        else:
            lines = [(f"a\u00b7b = {_int(total)}", "good"),
                     (f"cos \u03b8 = {_int(total)} / ({_num(L['na'])} \u00d7 {_num(L['nb'])}) = {_num(L['cos'], 3)}",
                      "ink")]
        for text, fill in lines:
            sc.text(x, y, text, size=BODY, base="t", fill=fill, bold=fill == "good")
            y += 28

    def _ledger_events(self, t0: float, t1: float) -> list[dict]:
        L = self.cached("ledger", self._ledger_data)
        n = L["n"]

        def absolute(t):
            # terms started so far over all cycles; a cycle has n terms plus its finish
            if t < 0:
                return -1
            c, k, fin = self.ledger_position(t)
            return c * (n + 1) + (n if fin else k)

        lo, hi = absolute(t0), absolute(t1)
        out = []
        first = max(lo + 1, hi - 5)
        for x in range(first, hi + 1):
            c, q = divmod(x, n + 1)
            if q == n:
                out.append(f"a\u00b7b = {_int(L['total'])} after {n} multiply-adds ({L['flops']} FLOPs).")
            else:
                if q == 0 and c > 0:
                    out.append("Starting the sum again from 0.")
                p = L["products"][q]
                out.append(f"Term {q + 1}: {_paren(L['a'][q])} \u00d7 {_paren(L['b'][q])} = {_int(p)}; "
                           f"running sum {_int(L['partial'][q + 1])}.")
        if first > lo + 1:
            out = [f"\u2026 {first - lo - 1:,} earlier steps skipped."] + out
        return [{"level": "info", "text": s} for s in out]

    # -- random view --------------------------------------------------------------------
    #
    # The fill is a fixed list of tasks (draw a chunk of a vector, take its norms, measure a pair),
    # each priced in multiply-adds. Simulation time pays for them at WORK_PER_S from the moment the
    # parameters took effect, so which pairs have arrived is a function of (t − origin) alone, and a
    # frame only does the tasks its own slice of time paid for: a few milliseconds, never the whole
    # histogram, even when d jumps to 4,096 long after the view opened.

    def _random_plan(self) -> dict:
        """What this parameter set needs: the tasks and their prices, the expected shape, empty results."""
        d, m = self["dim"], self["vectors"]
        widths = powers_up_to(d)
        per_pair = d + WIDTH_COST * len(widths)
        tasks: list[tuple[str, int]] = []
        cost: list[float] = []
        for j in range(m):
            for _ in range(-(-d // CHUNK)):
                tasks.append(("chunk", j))
                cost.append(CHUNK * NORMAL_COST)
            tasks.append(("norms", j))
            cost.append(per_pair)
            for i in range(j):
                tasks.append(("pair", pair_index(i, j)))
                cost.append(per_pair)
        cum = list(accumulate(cost))
        work = cum[-1]
        fill_s = max(FILL_MIN_S, work / WORK_PER_S)
        shares = expected_bin_shares(d)
        return {"d": d, "m": m, "total": pairs_of(m), "widths": widths, "predicted": random_cosine_std(d),
                "tasks": tasks, "cum": cum, "pair_end": [c for c, (kind, _) in zip(cum, tasks) if kind == "pair"],
                "work": work, "rate": work / fill_s, "fill_s": fill_s,
                # a change made after frames were drawn fills from the first frame that shows it;
                # a fresh mode (a deep link, a test) fills from t = 0
                "origin": self._now if self._drawn_t is not None else 0.0,
                "expected": shares, "ymax": self._nice_top(max(shares) * 1.15),
                # results for the tasks done so far, extended as simulation time pays for more
                "next": 0, "norms": [], "done": 0, "cos": [], "bins": [], "sum": [0.0], "sq": [0.0], "max": [0.0],
                "w_sum": [[0.0] for _ in widths], "w_sq": [[0.0] for _ in widths],
                "counts": [0] * BINS, "counted": 0}

    @staticmethod
    def _nice_top(x: float) -> float:
        for top in (0.02, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
            if x <= top:
                return top
        return 1.0

    def _fill(self, t: float) -> dict:
        """The plan, with every task simulation time has paid for by ``t`` done."""
        plan = self.cached("random", self._random_plan)
        if t < plan["origin"]:
            plan["origin"] = t                     # the clock went back (reset): the fill starts again
        budget = self._budget(plan, t)
        tasks, cum, k = plan["tasks"], plan["cum"], plan["next"]
        pool, d, widths = self._pool, plan["d"], plan["widths"]
        while k < len(tasks) and cum[k] <= budget:
            kind, x = tasks[k]
            if kind == "chunk":
                pool.components(x, d, chunks=1)
            elif kind == "norms":
                plan["norms"].append([math.sqrt(s) for s in pool.square_norms(x, widths)])
            else:
                self._measure_pair(plan, x)
            k += 1
        plan["next"] = k
        return plan

    @staticmethod
    def _budget(plan: dict, t: float) -> float:
        """Multiply-adds of work simulation time has paid for by ``t``."""
        return (t - plan["origin"]) * plan["rate"]

    def arrived(self, t: float) -> int:
        """Pairs whose cosine has arrived by time ``t``: a function of t, the parameters and the origin."""
        plan = self.cached("random", self._random_plan)
        return bisect_right(plan["pair_end"], self._budget(plan, t))

    def _measure_pair(self, plan: dict, p: int) -> None:
        """Pair p's cosine at every width of the lower chart; the last width is d itself."""
        i, j = pair_of(p)
        ni, nj = plan["norms"][i], plan["norms"][j]
        c = 0.0
        for wi, dot_w in enumerate(self._pool.dots_at(p, plan["widths"])):
            c = dot_w / (ni[wi] * nj[wi])
            plan["w_sum"][wi].append(plan["w_sum"][wi][-1] + c)
            plan["w_sq"][wi].append(plan["w_sq"][wi][-1] + c * c)
        plan["cos"].append(c)
        plan["bins"].append(min(BINS - 1, int((c + 1) / 2 * BINS)))
        plan["sum"].append(plan["sum"][-1] + c)
        plan["sq"].append(plan["sq"][-1] + c * c)
        plan["max"].append(max(plan["max"][-1], abs(c)))
        plan["done"] += 1

    def random_stats(self, t: float) -> dict:
        """Measured spread of the pairs arrived by ``t``, next to the prediction 1/√d."""
        plan = self._fill(t)
        n = self.arrived(t)
        if n < plan["counted"]:
            plan["counts"], plan["counted"] = [0] * BINS, 0
        for b in plan["bins"][plan["counted"]:n]:
            plan["counts"][b] += 1
        plan["counted"] = n
        out = {"n": n, "plan": plan, "counts": plan["counts"]}
        out["mean"], out["std"] = self._spread(plan["sum"], plan["sq"], n)
        out["max_abs"] = plan["max"][n]
        out["by_width"] = [(w, self._spread(plan["w_sum"][wi], plan["w_sq"][wi], n)[1])
                           for wi, w in enumerate(plan["widths"])]
        return out

    @staticmethod
    def _spread(sums, squares, n) -> tuple[float, float]:
        """Mean and standard deviation (the mean subtracted, divided by n) of the first n values."""
        if n == 0:
            return 0.0, 0.0
        mean = sums[n] / n
        return mean, math.sqrt(max(0.0, squares[n] / n - mean * mean))

    def _draw_random(self, t: float):
        self._fill(t)                               # this frame's share of the work, even between arrivals
        n = self.arrived(t)
        return self.memo("random", n, lambda: self._random_frame(t))

    def _random_frame(self, t: float):
        st = self.random_stats(t)
        plan, n = st["plan"], st["n"]
        d, total = plan["d"], plan["total"]
        layers = self.cached("rstatic", lambda: self._random_static(plan))
        sc = self.new_scene()
        sc.items.extend(layers["under"])
        self._bars(sc, plan, st)
        sc.items.extend(layers["over"])
        self._spread_points(sc, plan, st)
        self._random_panel(sc, plan, st)
        std = st["std"]
        ratio = std / plan["predicted"] if n > 1 else 0.0
        band = math.degrees(math.asin(min(1.0, st["max_abs"])))
        tel = [
            metric("d", "d (components per vector)", d, f"{d:,}", ""),
            metric("pairs", "pairs measured", n, f"{n:,} of {total:,}", ""),
            metric("std", "measured standard deviation of cos", std, _sig(std) if n > 1 else "\u2014", ""),
            metric("predicted", "predicted 1/\u221ad", plan["predicted"], _sig(plan["predicted"]), ""),
            metric("ratio", "measured \u00f7 predicted", ratio, f"{ratio:.2f}" if n > 1 else "\u2014", ""),
            metric("max", "largest |cos| seen", st["max_abs"], _sig(st["max_abs"]) if n else "\u2014", ""),
            metric("angle", "every pair within", band,
                   f"90\u00b0 \u00b1 {_num(band, 1)}\u00b0" if n else "\u2014", "deg"),
        ]
        return sc, tel

    # the two charts of the random view: a histogram of cos over [-1, 1], and the spread against d
    HIST = (74.0, 96.0, 530.0, 190.0)
    SPREAD = (74.0, 390.0, 530.0, 140.0)

    def _hist_plot(self, plan: dict) -> Plot:
        return Plot(*self.HIST, xlim=(-1.0, 1.0), ylim=(0.0, plan["ymax"]))

    @classmethod
    def _spread_plot(cls) -> Plot:
        return Plot(*cls.SPREAD, xlim=(2.0, float(D_MAX)), ylim=(0.01, 1.0), xlog=True, ylog=True)

    def _random_static(self, plan: dict) -> dict:
        """What the random view draws the same in every frame of one parameter set."""
        under, over = Scene(*self.size), Scene(*self.size)
        d = plan["d"]
        self._header(under, f"Cosines of random vector pairs at d = {d:,}",
                     f"{plan['m']} vectors of {d:,} standard-normal components; one cosine per pair.")
        # the histogram: share of pairs per bin of cos
        hp = self._hist_plot(plan)
        ymax = plan["ymax"]
        digits = 0 if ymax >= 0.1 else 1
        hp.frame(under, xticks=(-1.0, -0.5, 0.0, 0.5, 1.0), yticks=nice_ticks(0.0, ymax, 3),
                 xfmt=lambda v: _num(v), yfmt=lambda v: f"{v * 100:.{digits}f} %", size=SMALL,
                 xlabel="cosine of the angle between the two vectors of a pair", ylabel="share of pairs",
                 zero=False, marks=False)
        # the exact expected shape, as an outline the bars fill in
        edges = [-1 + 2 * b / BINS for b in range(BINS + 1)]
        outline = [(-1.0, 0.0)]
        for b, share in enumerate(plan["expected"]):
            outline += [(edges[b], share), (edges[b + 1], share)]
        outline.append((1.0, 0.0))
        hp.polyline(over, outline, stroke="ink", lw=1.2, alpha=0.6)
        # ±1/√d, the predicted spread
        pred = plan["predicted"]
        for sign in (-1, 1):
            hp.vline(over, sign * pred, stroke="accent2", lw=1.8, dash=(5, 4))
        x0, y0, x1, _y1 = hp.box()
        over.text(min(hp.fx(pred) + 6, x1 - 60), y0 + 10, "\u00b11/\u221ad", size=SMALL, fill="accent2",
                  bold=True)
        # the spread against d on log scales, and the line 1/√d
        sp = self._spread_plot()
        sp.frame(under, xticks=(2, 16, 128, 1024, D_MAX), yticks=(0.01, 0.1, 1.0),
                 xfmt=lambda v: f"{v:,.0f}", size=SMALL, xlabel="d, components (log scale)",
                 ylabel="standard deviation of cos (log scale)", marks=False)
        sp.polyline(under, [(2.0, 2 ** -0.5), (float(D_MAX), D_MAX ** -0.5)], stroke="accent2", lw=1.8,
                    dash=(6, 4))
        under.text(sp.fx(24) + 4, sp.fy(24 ** -0.5) - 16, "1/\u221ad", size=SMALL, fill="accent2", bold=True)
        # the panel's fixed rows and legend
        px_ = 640.0
        under.text(px_, 104, f"d = {d:,} components", size=BODY, bold=True)
        under.text(px_, 138, f"{plan['m']} vectors \u2192 {plan['total']:,} pairs", size=BODY, fill="muted")
        legend = (("bars: the measured pairs", "accent"),
                  ("outline: the exact expected shape", "muted"),
                  ("dashes: \u00b11/\u221ad, the predicted spread", "accent2"),
                  (f"d = {D_MAX:,}: Llama 3 8B's width", "muted"))
        yy = 470.0
        for text, fill in legend:
            under.text(px_, yy, text, size=SMALL, fill=fill)
            yy += 24
        return {"under": under.items, "over": over.items}

    def _bars(self, sc: Scene, plan: dict, st: dict) -> None:
        """One bar per bin: the share of the pairs so far whose cosine fell in it."""
        n = st["n"]
        if not n:
            return
        hp = self._hist_plot(plan)
        base, ymax = hp.fy(0.0), plan["ymax"]
        for b, c in enumerate(st["counts"]):
            if c:
                left, right = hp.fx(-1 + 2 * b / BINS), hp.fx(-1 + 2 * (b + 1) / BINS)
                top = hp.fy(min(c / n, ymax))
                sc.rect(left + 0.5, top, right - left - 1, base - top, fill="accent", alpha=0.75)

    def _spread_points(self, sc: Scene, plan: dict, st: dict) -> None:
        """The measured standard deviation at every power of two up to d, and at d itself."""
        if st["n"] < 2:
            return
        sp = self._spread_plot()
        for wd, s in st["by_width"]:
            if s > 0:
                last = wd == plan["d"]
                sc.circle(sp.fx(wd), sp.fy(max(s, 0.01)), 6 if last else 4, fill="accent",
                          stroke="bg" if last else None, lw=2)

    def _random_panel(self, sc: Scene, plan: dict, st: dict) -> None:
        """The numbers that change as pairs arrive."""
        x = 640.0
        n, d = st["n"], plan["d"]
        rows = [(f"measured so far: {n:,}", "muted", False)]
        if n > 1:
            deg = math.degrees(math.asin(min(1.0, st["max_abs"])))
            rows += [
                (f"measured spread: {_sig(st['std'])}", "accent", True),
                (f"predicted 1/\u221a{d:,} = {_sig(plan['predicted'])}", "accent2", True),
                (f"ratio: {st['std'] / plan['predicted']:.2f}", "ink", False),
                (f"average cos: {_sig(st['mean'], 2)}", "muted", False),
                (f"largest |cos|: {_sig(st['max_abs'])}", "ink", False),
                (f"every pair: 90\u00b0 \u00b1 {_num(deg, 1)}\u00b0", "ink", True),
            ]
        else:
            rows.append(("pairs arrive while the clock runs", "muted", False))
        y = 172.0
        for text, fill, bold in rows:
            sc.text(x, y, text, size=BODY, fill=fill, bold=bold)
            y += 34

    def _random_events(self, t0: float, t1: float) -> list[dict]:
        plan = self.cached("random", self._random_plan)
        start, end = plan["origin"], plan["origin"] + plan["fill_s"]
        out = []
        if t0 < start <= t1:
            out.append(f"Drawing {plan['m']} random vectors of {plan['d']:,} components: "
                       f"{plan['total']:,} pairs, one cosine each.")
        if t0 < end <= t1:
            st = self.random_stats(t1)
            out.append(f"All {plan['total']:,} pairs measured at d = {plan['d']:,}: standard deviation "
                       f"{_sig(st['std'])} against 1/\u221ad = {_sig(plan['predicted'])}; every pair within "
                       f"90\u00b0 \u00b1 {_num(math.degrees(math.asin(min(1.0, st['max_abs']))), 1)}\u00b0.")
        return [{"level": "info", "text": s} for s in out]
