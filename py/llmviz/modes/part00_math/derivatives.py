"""Derivatives and gradient descent: the workshop of chapter p00-c05.

Five views, one idea each:

* secant: a curve, a point P and a second point Q a step h to its right.
  h halves every beat; the secant through P and Q swings onto the tangent,
  and a table records the secant slope and its error against f′(x).
* chain: y = f(g(x)) drawn as three number lines (x, u = g(x), y) on one
  scale. A nudge of h on x becomes a nudge on u and one on y; as h halves
  the ratios Δu/Δx and Δy/Δu settle on g′(x) and f′(u), and their product
  on dy/dx.
* descent (and its presets overshoot, edge, diverge): a ball on the loss
  L(w) = ½·c·w² steps w ← w − η·L′(w). A strip of learning rates marks 1/c
  and 2/c; a log-scale chart follows the loss step by step.
* gradient: a two-parameter bowl with its contours, the partial derivatives
  at a point and the gradient arrow; a probe direction turns round the
  point and reads off the slope ∇L·u.
* bowl (and its presets round, crawl): gradient descent on that bowl, with
  the condition number κ as a control: zig-zag across the steep direction,
  a crawl along the flat one.

Every iterate comes from the closed forms in :mod:`llmviz.calc.descent`, so
the frame at any time t costs the same; a run that leaves the picture stops
there and says it diverged.
"""
from __future__ import annotations

import math

from ...calc.derivatives import CURVES, curve, secant_slope, sigmoid, sigmoid_slope
from ...calc.descent import (best_contraction_factor, best_fixed_learning_rate, bowl_gd_iterate, bowl_gradient,
                             bowl_loss, condition_number, contraction_factor, critical_learning_rate,
                             descent_regime, quadratic_gd_iterate, quadratic_loss, quadratic_slope,
                             steps_to_shrink)
from ...core.geometry import clip_segment
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, nice_ticks
from ...core.scene import Scene

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15
MONO = 17

# -- timing ---------------------------------------------------------------------------------
HALVINGS = 8           # the secant and chain views try h, h/2, …, h/128
HALF_S = 1.4           # seconds per value of h
SLIDE_S = 0.45         # seconds the picture takes to slide to the next h
HALVE_HOLD_S = 3.0     # the finished table stays up this long before h starts over
HALVE_PERIOD_S = HALVINGS * HALF_S + HALVE_HOLD_S

W0 = 2.0               # where the 1-D descent starts
STEPS_1D = 30          # steps per run of the 1-D descent
STEP_S = 0.7           # seconds per step
HOP = 0.55             # share of a step's time the ball spends in the air
LEAD_S = 1.2           # seconds the start is shown before the first step
RUN_HOLD_S = 4.0       # a finished run stays up this long before it starts over
PERIOD_1D = LEAD_S + STEPS_1D * STEP_S + RUN_HOLD_S

START_2D = (-3.0, 1.5)  # where the bowl descent starts (w1, w2)
STEPS_2D = 40
STEP2_S = 0.5
PERIOD_2D = LEAD_S + STEPS_2D * STEP2_S + RUN_HOLD_S
C_STEEP = 1.0           # the bowl's curvature along w2; along w1 it is C_STEEP / κ
PROBE_S = 10.0          # seconds for the probe direction to turn once round the point

# -- geometry ---------------------------------------------------------------------------------
# secant view: the plot and the table
SP_X, SP_Y, SP_W, SP_H = 78.0, 92.0, 432.0, 392.0
ST_X = 548.0
# 1-D descent: the loss curve, the η strip and the chart
DP_X, DP_Y, DP_W, DP_H = 70.0, 100.0, 470.0, 310.0
W_LIM = 3.0             # the w axis runs over [−W_LIM, W_LIM]; beyond it the run has diverged
L_LIM = 10.0            # the loss axis runs over [0, L_LIM]
STRIP_X, STRIP_Y, STRIP_W, STRIP_H = 190.0, 494.0, 740.0, 24.0
# 2-D views: the bowl plot at 80 px per unit
BX, BY, UNIT = 64.0, 92.0, 80.0
B_W1, B_W2 = 3.5, 2.5   # the plot shows w1 in [−3.5, 3.5], w2 in [−2.5, 2.5]
BW, BH = 2 * B_W1 * UNIT, 2 * B_W2 * UNIT
PANEL_X = 648.0
# the plots themselves: data windows in those boxes (the bowl's keeps one unit the same length both ways)
DESCENT_PLOT = Plot(DP_X, DP_Y, DP_W, DP_H, (-W_LIM, W_LIM), (0.0, L_LIM))
BOWL_PLOT = Plot(BX, BY, BW, BH, (-B_W1, B_W1), (-B_W2, B_W2))
# log-scale loss charts: the window runs from 10^LOG_LO to 10^LOG_HI; a loss outside it leaves the
# chart through its edge (a run of 30 steps at η·c = 0.3 ends near 10⁻⁹, far below the floor)
LOG_LO, LOG_HI = -6, 2
# a loss of exactly 0 (η·c = 1 lands on the minimum) has no place on a log axis; drawn as this, its
# line drops straight out through the bottom of the chart instead of stopping at the last positive value
LOSS_FLOOR = 1e-300
CONTOURS = tuple(0.03 * 2 ** j for j in range(8))

LR_LO, LR_HI = 0.01, 2.5

SECANT_VIEWS = ("secant",)
CHAIN_VIEWS = ("chain",)
DESCENT_VIEWS = ("descent", "overshoot", "edge", "diverge")
GRADIENT_VIEWS = ("gradient",)
BOWL_VIEWS = ("bowl", "round", "crawl")
_FAMILY = {"secant": SECANT_VIEWS, "chain": CHAIN_VIEWS, "descent": DESCENT_VIEWS,
           "gradient": GRADIENT_VIEWS, "bowl": BOWL_VIEWS}

# the compositions of the chain view: inner g, its slope, outer f, its slope, and how each is written
CHAINS = {
    "neuron": dict(g=lambda x: 2 * x - 1, dg=lambda x: 2.0, f=sigmoid, df=sigmoid_slope,
                   g_txt="u = 2x \u2212 1", f_txt="y = \u03c3(u)", dg_txt="2", df_txt="\u03c3(u)(1 \u2212 \u03c3(u))",
                   label="y = \u03c3(2x \u2212 1), a neuron"),
    "bell": dict(g=lambda x: -x * x, dg=lambda x: -2 * x, f=math.exp, df=math.exp,
                 g_txt="u = \u2212x\u00b2", f_txt="y = exp(u)", dg_txt="\u22122x", df_txt="exp(u)",
                 label="y = exp(\u2212x\u00b2), a bell"),
    "loss": dict(g=sigmoid, dg=sigmoid_slope, f=lambda u: (u - 1) ** 2, df=lambda u: 2 * (u - 1),
                 g_txt="u = \u03c3(x)", f_txt="y = (u \u2212 1)\u00b2", dg_txt="\u03c3(x)(1 \u2212 \u03c3(x))",
                 df_txt="2(u \u2212 1)", label="y = (\u03c3(x) \u2212 1)\u00b2, a loss"),
}

REGIME_TEXT = {
    "creeps": ("\u03b7\u00b7c < 1: every step lands short of the minimum, on the same side", "good"),
    "one step": ("\u03b7\u00b7c = 1: the first step lands exactly on the minimum", "good"),
    "overshoots": ("1 < \u03b7\u00b7c < 2: each step jumps past the minimum, but less far each time", "warn"),
    "bounces": ("\u03b7\u00b7c = 2: the ball bounces between \u00b1w\u2080 for ever", "warn"),
    "diverges": ("\u03b7\u00b7c > 2: each jump lands farther out than the last: divergence", "bad"),
}


# -- small pure helpers ------------------------------------------------------------------------

_SUP = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def num(v: float, sig: int = 3) -> str:
    """A number as a reader writes it: ``sig`` significant figures, a real minus, × 10ⁿ when tiny or huge."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else ("\u221e" if v > 0 else "\u2212\u221e")
    a = abs(v)
    if 1e-4 <= a < 1e6:
        s = f"{v:.{sig}g}"
        if "e" in s:  # .g chose an exponent for a value like 123456 at 3 figures
            s = f"{v:,.0f}"
    else:
        m, e = f"{v:.{sig - 1}e}".split("e")
        m = m.rstrip("0").rstrip(".") if "." in m else m
        s = f"{m} \u00d7 10{str(int(e)).translate(_SUP)}"
    return s.replace("-", "\u2212")


def fixed(v: float, places: int = 2) -> str:
    """A number to a fixed number of decimals with a real minus (and no "−0")."""
    r = round(v, places)
    if r == 0:
        r = 0.0
    return f"{r:.{places}f}".replace("-", "\u2212")


def halving_position(t: float) -> tuple[int, int, float]:
    """Where the secant and chain views are at time ``t``: (cycle, row n, slide progress in [0, 1]).

    Row n shows h₀/2ⁿ; the picture slides from row n − 1 to row n during the
    first :data:`SLIDE_S` seconds of the row. The schedule repeats every
    :data:`HALVE_PERIOD_S` seconds, so any t costs the same.
    """
    cyc = int(t // HALVE_PERIOD_S)
    tc = t - cyc * HALVE_PERIOD_S
    n = min(int(tc // HALF_S), HALVINGS - 1)
    slide = 1.0 if n == 0 else min(1.0, (tc - n * HALF_S) / SLIDE_S)
    return cyc, n, slide


def run_position(t: float, steps: int, step_s: float) -> tuple[int, int, float]:
    """Where a descent run is at time ``t``: (cycle, steps completed, hop progress in [0, 1)).

    A run shows the start for :data:`LEAD_S` seconds, then takes one step
    every ``step_s`` seconds (the hop fills the first :data:`HOP` of it),
    then holds for :data:`RUN_HOLD_S` seconds and starts over. Progress 0
    means the point is at rest.
    """
    period = LEAD_S + steps * step_s + RUN_HOLD_S
    cyc = int(t // period)
    tc = t - cyc * period
    if tc < LEAD_S:
        return cyc, 0, 0.0
    s = (tc - LEAD_S) / step_s
    j = int(s)
    if j >= steps:
        return cyc, steps, 0.0
    phase = s - j
    if phase < HOP:
        return cyc, j, phase / HOP
    return cyc, j + 1, 0.0


def steps(n: int) -> str:
    """"1 step", "5 steps"."""
    return f"{n} step" if n == 1 else f"{n} steps"


def decade(v: float) -> str:
    """A power of ten as a log axis labels it: "1", else 10 with a superscript exponent (10², 10⁻²)."""
    e = round(math.log10(v))
    return "1" if e == 0 else "10" + str(e).translate(_SUP)


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)



def clip_polyline(pts, box) -> list[list[tuple[float, float]]]:
    """The pieces of a polyline inside ``box`` = (xlo, xhi, ylo, yhi), each a list of points."""
    xlo, xhi, ylo, yhi = box
    if all(xlo <= x <= xhi and ylo <= y <= yhi for x, y in pts):
        return [list(pts)] if len(pts) > 1 else []
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
        seg = clip_segment(x1, y1, x2, y2, *box)
        if seg is None:
            if cur:
                out.append(cur)
                cur = []
            continue
        a, b = (seg[0], seg[1]), (seg[2], seg[3])
        if not cur:
            cur = [a]
        elif abs(cur[-1][0] - a[0]) > 1e-6 or abs(cur[-1][1] - a[1]) > 1e-6:
            out.append(cur)
            cur = [a]
        cur.append(b)
        if abs(b[0] - x2) > 1e-6 or abs(b[1] - y2) > 1e-6:  # left the box inside this segment
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return [p for p in out if len(p) > 1]


# -- the mode -------------------------------------------------------------------------------


class DerivativesMode(Mode):
    """Secants turning into tangents, the chain rule as stacked nudges, and gradient descent in 1-D and 2-D."""

    id = "p00-c05-derivatives"
    chapter = "p00-c05-derivatives"
    title = "Derivatives and gradient descent"
    step_dt = 0.7
    size = (960, 600)

    params = (
        Choice("fn", "Function f", default="square",
               options=tuple((name, f"f(x) = {c.label}") for name, c in CURVES.items()),
               help="The curve whose slope the secant estimates."),
        Choice("chain", "Composition", default="neuron",
               options=tuple((k, v["label"]) for k, v in CHAINS.items()),
               help="y = f(u) with u = g(x): the chain rule multiplies their slopes."),
        Number("x0", "Point x", lo=-2, hi=2, step=0.05, default=1.0,
               help="Where the slope is measured."),
        Number("h", "First step h", lo=0.1, hi=1.5, step=0.05, default=1.0,
               help="The step the secant starts from; it halves every beat."),
        Number("curv", "Curvature c", lo=0.5, hi=4, step=0.1, default=2.0,
               help="How sharply the loss L(w) = ½·c·w² bends: its second derivative."),
        Number("lr", "Learning rate \u03b7", lo=LR_LO, hi=LR_HI, step=0.01, default=0.15,
               help="Each step moves w by −η times the slope."),
        Number("kappa", "Condition number \u03ba", lo=1, hi=100, step=0.5, default=1.0, log=True,
               help="Steep curvature over flat curvature of the bowl (steep is fixed at 1)."),
        Number("p1", "Point w\u2081", lo=-3.5, hi=3.5, step=0.1, default=-2.5,
               help="First coordinate of the point where the gradient is drawn."),
        Number("p2", "Point w\u2082", lo=-2.5, hi=2.5, step=0.1, default=1.0,
               help="Second coordinate of the point where the gradient is drawn."),
    )

    submodes = {
        "secant": Submode("Secant \u2192 tangent", {"fn": "square", "x0": 1.0, "h": 1.0},
                          "h halves every beat; the secant's slope closes in on the derivative.",
                          ("fn", "x0", "h")),
        "chain": Submode("Chain rule", {"chain": "neuron", "x0": 0.5, "h": 1.0},
                         "A nudge on x becomes a nudge on u and on y; the slopes multiply.",
                         ("chain", "x0", "h")),
        "descent": Submode("Descent in 1-D", {"curv": 2.0, "lr": 0.15},
                           "w ← w − η·L′(w) on L(w) = ½·c·w²: small steps creep in.", ("curv", "lr")),
        "overshoot": Submode("Overshoot", {"curv": 2.0, "lr": 0.8},
                             "1/c < η < 2/c: every step jumps past the minimum, yet the jumps shrink.",
                             ("curv", "lr")),
        "edge": Submode("Edge", {"curv": 2.0, "lr": 1.0},
                        "η = 2/c: the ball bounces between ±w₀ for ever.", ("curv", "lr")),
        "diverge": Submode("Diverge", {"curv": 2.0, "lr": 1.05},
                           "η > 2/c: every jump lands farther out.", ("curv", "lr")),
        "gradient": Submode("Gradient", {"kappa": 4.0, "p1": -2.5, "p2": 1.0},
                            "Partial derivatives, the gradient, and the slope along any direction.",
                            ("kappa", "p1", "p2")),
        "bowl": Submode("Descent in 2-D", {"kappa": 10.0, "lr": 1.6},
                        "One η for two curvatures: zig-zag across the steep one, crawl along the flat one.",
                        ("kappa", "lr")),
        "round": Submode("Round bowl", {"kappa": 1.0, "lr": 0.6},
                         "κ = 1: the gradient points straight at the minimum.", ("kappa", "lr")),
        "crawl": Submode("Narrow valley", {"kappa": 50.0, "lr": 1.9},
                         "κ = 50: η is capped by the steep direction; the flat one barely moves.",
                         ("kappa", "lr")),
    }
    default_submode = "secant"

    def view(self) -> str:
        """The picture the current sub-mode shows: secant, chain, descent, gradient or bowl."""
        for name, members in _FAMILY.items():
            if self.submode in members:
                return name
        return "secant"

    def draw(self, t: float):
        v = self.view()
        return getattr(self, f"_draw_{v}")(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        out = getattr(self, f"_events_{v}")(t0, t1)
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 54, subtitle, size=SUB, fill="muted")

    # -- shared: which events a counter crossed ----------------------------------------------------

    @staticmethod
    def _crossed(lo: int, hi: int, describe) -> list[str]:
        """Descriptions of the counter values in (lo, hi], at most the last five, with a summary."""
        if hi <= lo:
            return []
        first = max(lo + 1, hi - 4)
        out = [s for x in range(first, hi + 1) for s in describe(x)]
        if first > lo + 1:
            out.insert(0, f"\u2026 {first - lo - 1} earlier updates skipped.")
        return out

    # ====================================================================================
    # secant view
    # ====================================================================================

    def _secant_static(self) -> dict:
        cv = curve(self["fn"])
        x0, h0 = self["x0"], self["h"]
        xlo, xhi = x0 - 1.75, x0 + 1.75
        samples = [cv.f(xlo + (xhi - xlo) * i / 96) for i in range(97)]
        ylo, yhi = min(samples), max(samples)
        pad = 0.08 * (yhi - ylo or 1.0)
        ylo, yhi = ylo - pad, yhi + pad
        plot = Plot(SP_X, SP_Y, SP_W, SP_H, (xlo, xhi), (ylo, yhi))
        fx, fy = plot.fx, plot.fy

        sc = Scene(*self.size)
        plot.frame(sc, xticks=nice_ticks(xlo, xhi, 7), yticks=nice_ticks(ylo, yhi, 7), size=SMALL, xlabel="x",
                   marks=False)
        plot.curve(sc, cv.f, n=97, stroke="ink", lw=2.5)
        # the tangent at P: the line the secants close in on
        slope = cv.slope(x0)
        y0 = cv.f(x0)
        seg = clip_segment(fx(xlo), fy(y0 + slope * (xlo - x0)), fx(xhi), fy(y0 + slope * (xhi - x0)),
                           SP_X, SP_X + SP_W, SP_Y, SP_Y + SP_H)
        if seg:
            sc.line(*seg, stroke="accent", lw=2, dash=(7, 5))
        # the legend under the plot
        ly = SP_Y + SP_H + 58
        sc.line(SP_X, ly, SP_X + 26, ly, stroke="accent2", lw=3)
        sc.text(SP_X + 34, ly, "secant through P and Q", size=SMALL, fill="muted")
        sc.line(SP_X + 250, ly, SP_X + 276, ly, stroke="accent", lw=2, dash=(7, 5))
        sc.text(SP_X + 284, ly, "tangent at P", size=SMALL, fill="muted")

        rows = []
        for k in range(HALVINGS):
            hk = h0 / 2 ** k
            s = secant_slope(cv.f, x0, hk)
            rows.append((hk, s, s - slope))
        panel = Scene(*self.size)
        panel.text(ST_X, SP_Y + 6, f"f(x) = {cv.label} at x = {num(x0)}", size=BODY, bold=True)
        panel.text(ST_X, SP_Y + 36, f"true slope f\u2032(x) = {cv.slope_label} = {num(slope, 4)}",
                   size=BODY, fill="accent")
        panel.text(ST_X, SP_Y + 66, "secant slope = (f(x + h) \u2212 f(x)) / h", size=BODY, fill="accent2")
        panel.text(ST_X, SP_Y + 104, "h", size=SMALL, fill="muted")
        panel.text(790, SP_Y + 104, "secant slope", size=SMALL, fill="muted", align="r")
        panel.text(930, SP_Y + 104, "error", size=SMALL, fill="muted", align="r")
        panel.line(ST_X, SP_Y + 118, 930, SP_Y + 118, stroke="faint")
        return {"items": sc.items, "panel": panel.items, "fx": fx, "fy": fy, "slope": slope, "rows": rows,
                "xlo": xlo, "xhi": xhi}

    def _row_y(self, k: int) -> float:
        return SP_Y + 134 + 28 * k

    def _draw_secant(self, t: float):
        st = self.cached("secant", self._secant_static)
        _cyc, n, slide = halving_position(t)
        items = self.memo("secant", (n, round(slide, 3)), lambda: self._secant_frame(st, n, slide))
        sc = self.new_scene()
        sc.items = list(items)
        hk, s, err = st["rows"][n]
        tel = [
            metric("h", "step h", hk, num(hk, 4), ""),
            metric("secant", "secant slope", s, num(s, 6), ""),
            metric("true", "true slope f\u2032(x)", st["slope"], num(st["slope"], 6), ""),
            metric("error", "error (secant \u2212 true)", err, num(err, 3), ""),
            metric("row", "halvings so far", n, f"{n} of {HALVINGS - 1}", ""),
        ]
        return sc, tel

    def _secant_frame(self, st: dict, n: int, slide: float) -> list[dict]:
        cv = curve(self["fn"])
        x0, h0 = self["x0"], self["h"]
        fx, fy = st["fx"], st["fy"]
        # the step the picture shows: sliding from h/2^(n−1) to h/2^n
        e = n if slide >= 1 else n - 1 + _ease(slide)
        hv = h0 / 2 ** e
        sc = self.new_scene()
        self._header(sc, "The slope of a secant closes in on the derivative",
                     "P = (x, f(x)) stays put; Q = (x + h, f(x + h)) slides towards it as h halves.")
        sc.items.extend(st["items"])
        px, py = fx(x0), fy(cv.f(x0))
        qx, qy = fx(x0 + hv), fy(cv.f(x0 + hv))
        s = (cv.f(x0 + hv) - cv.f(x0)) / hv
        box = (SP_X, SP_X + SP_W, SP_Y, SP_Y + SP_H)
        xlo, xhi = st["xlo"], st["xhi"]
        y0 = cv.f(x0)
        seg = clip_segment(fx(xlo), fy(y0 + s * (xlo - x0)), fx(xhi), fy(y0 + s * (xhi - x0)), *box)
        if seg:
            sc.line(*seg, stroke="accent2", lw=3)
        # run h and rise f(x + h) − f(x)
        sc.line(px, py, qx, py, stroke="muted", lw=1.5, dash=(4, 3))
        sc.line(qx, py, qx, qy, stroke="muted", lw=1.5, dash=(4, 3))
        if qx - px > 36:
            below = py + 16 if qy < py else py - 16
            if SP_Y + 12 < below < SP_Y + SP_H - 12:
                sc.text((px + qx) / 2, below, "h", size=SMALL, fill="muted", align="c")
        sc.circle(px, py, 7, fill="accent", stroke="bg", lw=2)
        sc.circle(qx, qy, 7, fill="accent2", stroke="bg", lw=2)
        sc.text(px - 14, py, "P", size=BODY, bold=True, fill="accent", align="r")
        if SP_X + 4 < qx + 14 and qx + 30 < SP_X + SP_W:
            sc.text(qx + 14, qy, "Q", size=BODY, bold=True, fill="accent2")
        # the table: every h tried so far
        sc.items.extend(st["panel"])
        for k in range(n + 1):
            hk, sk, ek = st["rows"][k]
            y = self._row_y(k)
            cur = k == n
            fill = "accent2" if cur else "ink"
            if cur:
                sc.rect(ST_X - 6, y - 13, 930 - ST_X + 12, 26, fill="hl", alpha=0.6)
            sc.text(ST_X, y, num(hk, 5), size=MONO, font="mono", fill=fill, bold=cur)
            sc.text(790, y, num(sk, 6), size=MONO, font="mono", fill=fill, bold=cur, align="r")
            sc.text(930, y, num(ek, 3), size=MONO, font="mono", fill=fill, bold=cur, align="r")
        foot = self._row_y(HALVINGS - 1) + 36
        if n >= 1:
            r = st["rows"][n][2] / st["rows"][n - 1][2] if st["rows"][n - 1][2] else 0.0
            sc.text(ST_X, foot, f"each halving of h multiplies the error by {fixed(r, 2)}", size=SMALL,
                    fill="muted")
        if n == HALVINGS - 1:
            sc.text(ST_X, foot + 28, f"as h \u2192 0: secant slope \u2192 {num(st['slope'], 4)} = f\u2032({num(x0)})",
                    size=BODY, bold=True, fill="good")
        return sc.items

    def _events_secant(self, t0: float, t1: float) -> list[str]:
        st = self.cached("secant", self._secant_static)

        def absolute(t):
            if t < 0:
                return -1
            cyc, n, _ = halving_position(t)
            return cyc * HALVINGS + n

        def describe(x):
            cyc, n = divmod(x, HALVINGS)
            hk, sk, ek = st["rows"][n]
            if n == 0:
                return [f"h = {num(hk, 5)}: secant slope {num(sk, 6)}, error {num(ek, 3)}."] if cyc else []
            prev = st["rows"][n - 1][2]
            ratio = f" (\u00d7{fixed(ek / prev, 2)})" if prev else ""
            tail = f" Limit: f\u2032 = {num(st['slope'], 4)}." if n == HALVINGS - 1 else ""
            return [f"h halves to {num(hk, 5)}: secant slope {num(sk, 6)}, error {num(ek, 3)}{ratio}.{tail}"]

        return self._crossed(absolute(t0), absolute(t1), describe)

    # ====================================================================================
    # chain view
    # ====================================================================================

    def _chain_numbers(self) -> dict:
        ch = CHAINS[self["chain"]]
        x0, h0 = self["x0"], self["h"]
        u0 = ch["g"](x0)
        y0 = ch["f"](u0)
        rows = []
        for k in range(HALVINGS):
            hk = h0 / 2 ** k
            du = ch["g"](x0 + hk) - u0
            dy = ch["f"](u0 + du) - y0
            rows.append({"h": hk, "du": du, "dy": dy, "rg": du / hk, "rf": dy / du if du else ch["df"](u0),
                         "r": dy / hk})
        dg, df = ch["dg"](x0), ch["df"](u0)
        return {"ch": ch, "x0": x0, "u0": u0, "y0": y0, "rows": rows, "dg": dg, "df": df, "dydx": df * dg}

    LINE_X0, LINE_X1, LINE_C = 40.0, 600.0, 320.0
    LINE_Y = (178.0, 338.0, 498.0)
    NUDGE_PX = 120.0     # the nudge on x always spans this many units; u and y share the scale

    def _chain_static(self) -> dict:
        nums = self._chain_numbers()
        ch = nums["ch"]
        sc = Scene(*self.size)
        names = (f"x = {num(nums['x0'], 3)}",
                 f"{ch['g_txt']} = {num(nums['u0'], 3)}",
                 f"{ch['f_txt']} = {num(nums['y0'], 3)}")
        for y, name in zip(self.LINE_Y, names):
            sc.line(self.LINE_X0, y, self.LINE_X1, y, stroke="muted", lw=1.5)
            sc.text(self.LINE_X0, y - 40, name, size=BODY, bold=True)
            sc.line(self.LINE_C, y - 10, self.LINE_C, y + 10, stroke="ink", lw=2)
        rx = 624.0
        sc.text(rx, 92, "chain rule", size=BODY, bold=True)
        sc.text(rx, 120, f"g\u2032(x) = {ch['dg_txt']}", size=SMALL, fill="muted")
        sc.text(rx, 144, f"f\u2032(u) = {ch['df_txt']}", size=SMALL, fill="muted")
        sc.text(rx, 168, f"dy/dx = f\u2032(u)\u00b7g\u2032(x) = {num(nums['df'], 3)} \u00d7 {num(nums['dg'], 3)}",
                size=SMALL, fill="muted")
        sc.text(rx, 192, f"         = {num(nums['dydx'], 4)}", size=SMALL, fill="muted")
        return {"items": sc.items, "nums": nums}

    def _draw_chain(self, t: float):
        st = self.cached("chain", self._chain_static)
        _cyc, n, slide = halving_position(t)
        items = self.memo("chain", (n, round(slide, 3)), lambda: self._chain_frame(st, n, slide))
        sc = self.new_scene()
        sc.items = list(items)
        nums = st["nums"]
        r = nums["rows"][n]
        tel = [
            metric("h", "nudge \u0394x = h", r["h"], num(r["h"], 4), ""),
            metric("rg", "\u0394u / \u0394x", r["rg"], num(r["rg"], 5), ""),
            metric("rf", "\u0394y / \u0394u", r["rf"], num(r["rf"], 5), ""),
            metric("r", "\u0394y / \u0394x", r["r"], num(r["r"], 5), ""),
            metric("dydx", "f\u2032(u)\u00b7g\u2032(x)", nums["dydx"], num(nums["dydx"], 5), ""),
        ]
        return sc, tel

    def _bracket(self, sc: Scene, y: float, width: float, fill: str, label: str) -> None:
        """A nudge on one number line: from the fixed start tick, ``width`` units right (or left)."""
        x1 = self.LINE_C
        x2 = x1 + width
        lo, hi = self.LINE_X0, self.LINE_X1
        clipped = x2 < lo or x2 > hi
        x2 = min(max(x2, lo), hi)
        a, b = min(x1, x2), max(x1, x2)
        sc.rect(a, y - 7, max(b - a, 1.5), 14, fill=fill, alpha=0.35)
        sc.line(x1, y, x2, y, stroke=fill, lw=4)
        sc.line(x2, y - 12, x2, y + 12, stroke=fill, lw=2.5)
        if clipped:
            # the nudge runs past the end of the line: an arrowhead says it carries on
            out = 1 if x2 >= hi else -1
            sc.arrow(x2, y, x2 + 16 * out, y, stroke=fill, lw=4, head=10)
        lx = min(max((x1 + x2) / 2, lo + 90), hi - 90)
        sc.text(lx, y + 26, label, size=SMALL, fill=fill, align="c", bold=True)

    def _chain_frame(self, st: dict, n: int, slide: float) -> list[dict]:
        nums = st["nums"]
        ch = nums["ch"]
        sc = self.new_scene()
        self._header(sc, "The chain rule: a nudge passes through g, then f",
                     "One scale for all three lines: the nudge on x always spans the same width.")
        sc.items.extend(st["items"])
        # the ratios the picture shows: slide from row n − 1 to row n
        e = n if slide >= 1 else n - 1 + _ease(slide)
        h0 = self["h"]
        hv = h0 / 2 ** e
        du = ch["g"](nums["x0"] + hv) - nums["u0"]
        dy = ch["f"](nums["u0"] + du) - nums["y0"]
        scale = self.NUDGE_PX / hv
        r = nums["rows"][n]
        widths = (self.NUDGE_PX, du * scale, dy * scale)
        labels = (f"\u0394x = h = {num(r['h'], 4)}", f"\u0394u = {num(r['du'], 4)}", f"\u0394y = {num(r['dy'], 4)}")
        fills = ("accent", "accent3", "accent2")
        # dashed guides from each nudge to the next line's
        for (ya, wa), (yb, wb) in zip(zip(self.LINE_Y, widths), list(zip(self.LINE_Y, widths))[1:]):
            for xa, xb in ((self.LINE_C, self.LINE_C),
                           (min(max(self.LINE_C + wa, self.LINE_X0), self.LINE_X1),
                            min(max(self.LINE_C + wb, self.LINE_X0), self.LINE_X1))):
                sc.line(xa, ya + 14, xb, yb - 14, stroke="faint", lw=1.2, dash=(4, 4))
        for y, w, fill, lab in zip(self.LINE_Y, widths, fills, labels):
            self._bracket(sc, y, w, fill, lab)
        # the two ratios, and their product
        rx = 624.0
        rows = (
            ((self.LINE_Y[0] + self.LINE_Y[1]) / 2 - 12, f"\u0394u / \u0394x = {num(r['rg'], 4)}", f"\u2192 g\u2032(x) = {num(nums['dg'], 4)}",
             "accent3"),
            ((self.LINE_Y[1] + self.LINE_Y[2]) / 2 - 12, f"\u0394y / \u0394u = {num(r['rf'], 4)}", f"\u2192 f\u2032(u) = {num(nums['df'], 4)}",
             "accent2"),
        )
        for y, big, small, fill in rows:
            sc.text(rx, y, big, size=BODY, bold=True, fill=fill)
            sc.text(rx, y + 26, small + " as h \u2192 0", size=SMALL, fill="muted")
        y = self.LINE_Y[2] + 22
        sc.text(rx, y, f"\u0394y / \u0394x = {num(r['r'], 4)}", size=BODY, bold=True)
        sc.text(rx, y + 26, f"\u2192 dy/dx = {num(nums['dydx'], 4)}", size=SMALL, fill="muted")
        if n == HALVINGS - 1:
            sc.text(rx, y + 52, "the two slopes multiply", size=BODY, bold=True, fill="good")
        return sc.items

    def _events_chain(self, t0: float, t1: float) -> list[str]:
        nums = self.cached("chain", self._chain_static)["nums"]

        def absolute(t):
            if t < 0:
                return -1
            cyc, n, _ = halving_position(t)
            return cyc * HALVINGS + n

        def describe(x):
            cyc, n = divmod(x, HALVINGS)
            if n == 0 and not cyc:
                return []
            r = nums["rows"][n]
            return [f"h = {num(r['h'], 4)}: \u0394u/\u0394x = {num(r['rg'], 4)}, \u0394y/\u0394u = {num(r['rf'], 4)}, "
                    f"product \u0394y/\u0394x = {num(r['r'], 4)} (f\u2032\u00b7g\u2032 = {num(nums['dydx'], 4)})."]

        return self._crossed(absolute(t0), absolute(t1), describe)

    # ====================================================================================
    # shared: a log-scale loss chart
    # ====================================================================================

    @staticmethod
    def _chart(x, y, w, h, kmax) -> Plot:
        """The loss-by-step chart in the box (x, y, w, h): steps 0..kmax across, a log scale up."""
        return Plot(x, y, w, h, (0.0, float(kmax)), (10.0 ** LOG_LO, 10.0 ** LOG_HI), ylog=True)

    def _chart_static(self, sc: Scene, x, y, w, h, kmax) -> None:
        self._chart(x, y, w, h, kmax).frame(
            sc, xticks=(0, kmax // 2, kmax), yticks=[10.0 ** e for e in range(LOG_LO, LOG_HI + 1, 2)],
            xfmt=lambda v: str(int(v)), yfmt=decade, size=SMALL, ylabel="loss L by step (log scale)", marks=False)

    def _chart_series(self, sc: Scene, x, y, w, h, kmax, losses) -> None:
        """The losses so far; a value off the chart leaves through its edge and the marker waits there."""
        p = self._chart(x, y, w, h, kmax)
        pts = [(float(k), max(v, LOSS_FLOOR)) for k, v in enumerate(losses)]
        p.polyline(sc, pts, stroke="accent2", lw=2)
        if not pts:
            return
        k, v = pts[-1]
        if p.contains(k, v):
            sc.circle(p.fx(k), p.fy(v), 4.5, fill="accent2")
            return
        if not math.isfinite(v):
            v = math.inf
        # off the chart: a small triangle on the edge it left by, pointing the way the loss went
        px = p.fx(k)
        if v < p.ylim[0]:
            yb = y + h
            sc.path([(px - 6, yb - 9), (px + 6, yb - 9), (px, yb)], fill="accent2", stroke="accent2")
        else:
            sc.path([(px - 6, y + 9), (px + 6, y + 9), (px, y)], fill="accent2", stroke="accent2")

    # ====================================================================================
    # 1-D descent
    # ====================================================================================

    def _descent_run(self) -> dict:
        """The whole run for the current c and η: iterates, losses, and where it left the picture."""
        c, lr = self["curv"], self["lr"]
        ws = [quadratic_gd_iterate(W0, lr, c, k) for k in range(STEPS_1D + 1)]
        stop = next((k for k, w in enumerate(ws) if abs(w) > W_LIM + 1e-9), None)
        losses = [quadratic_loss(w, c) if math.isfinite(w) else math.inf for w in ws]
        return {"c": c, "lr": lr, "ws": ws, "losses": losses, "stop": stop,
                "factor": contraction_factor(lr, c), "regime": descent_regime(lr, c),
                "crit": critical_learning_rate(c)}

    @staticmethod
    def _dmap():
        return DESCENT_PLOT.fx, DESCENT_PLOT.fy

    def _descent_static(self) -> dict:
        run = self._descent_run()
        c, lr = run["c"], run["lr"]
        plot = DESCENT_PLOT
        fx, fy = plot.fx, plot.fy
        sc = Scene(*self.size)
        # no dark axis at w = 0: the green dot marks the minimum, and the ball lands on that line
        plot.frame(sc, xticks=range(-3, 4), yticks=range(0, 11, 2), size=SMALL, xlabel="w", ylabel="L(w)",
                   marks=False, zero=False)
        # a steep parabola leaves the box at the top: end it exactly there rather than clip a sample
        w_top = min(W_LIM, math.sqrt(2 * L_LIM / c))
        plot.curve(sc, lambda w: quadratic_loss(w, c), n=81, lo=-w_top, hi=w_top, stroke="ink", lw=2.5)
        sc.circle(fx(0), fy(0), 4, fill="good")
        # the learning-rate strip: where η sits against 1/c and 2/c
        self._strip(sc, c, lr)
        # the panel: constants of this run
        px = 584.0
        sc.text(px, DP_Y + 4, f"L(w) = \u00bd\u00b7c\u00b7w\u00b2,  c = {num(c)},  w\u2080 = {num(W0)}", size=BODY,
                bold=True)
        sc.text(px, DP_Y + 32, f"factor per step: 1 \u2212 \u03b7\u00b7c = {fixed(run['factor'], 2)}", size=BODY,
                fill="accent3")
        self._chart_static(sc, 628, 310, 300, 110, STEPS_1D)
        return {"items": sc.items, "run": run}

    def _strip(self, sc: Scene, c: float, lr: float) -> None:
        x, y, w, h = STRIP_X, STRIP_Y, STRIP_W, STRIP_H

        def fe(eta):
            return x + min(eta, LR_HI) / LR_HI * w

        one, two = 1.0 / c, 2.0 / c
        sc.text(20, y + h / 2, "learning rate \u03b7", size=SMALL, fill="muted")
        # warn and bad are both orange-red; a yellow band keeps "overshoots" apart from "diverges"
        for a, b, fill, alpha, name in ((0.0, one, "good", 0.22, "creeps"), (one, two, "hl", 0.8, "overshoots"),
                                        (two, LR_HI, "bad", 0.25, "diverges")):
            if a >= LR_HI:
                continue
            xa, xb = fe(a), fe(b)
            sc.rect(xa, y, xb - xa, h, fill=fill, alpha=alpha)
            if xb - xa > len(name) * SMALL * 0.56 + 8:
                sc.text((xa + xb) / 2, y + h / 2, name, size=SMALL, fill="ink", align="c")
        sc.rect(x, y, w, h, stroke="faint")
        # the boundaries, labelled below (1/c) and further below (2/c) so they never collide
        for eta, lab, dy in ((one, f"1/c = {num(one)}", 6), (two, f"2/c = {num(two)}", 28)):
            if eta <= LR_HI:
                sc.line(fe(eta), y - 4, fe(eta), y + h + dy, stroke="ink", lw=1.5)
                tx = fe(eta)
                al = "c"
                half = len(lab) * SMALL * 0.56 / 2
                if tx + half > x + w:
                    al, tx = "r", x + w
                sc.text(tx, y + h + dy + 2, lab, size=SMALL, fill="ink", align=al, base="t", bold=True)
            elif lab.startswith("2/c"):
                sc.text(x + w, y + h + dy + 2, f"{lab} (off the scale)", size=SMALL, fill="ink", align="r",
                        base="t")
        # where η is now
        ex = fe(lr)
        sc.path([(ex - 8, y - 14), (ex + 8, y - 14), (ex, y - 2)], fill="accent2", stroke="accent2")
        lab = f"\u03b7 = {num(lr)}"
        half = len(lab) * BODY * 0.56 / 2
        tx = min(max(ex, x + half), x + w - half)
        sc.text(tx, y - 26, lab, size=BODY, bold=True, fill="accent2", align="c")

    def _draw_descent(self, t: float):
        st = self.cached("descent", self._descent_static)
        run = st["run"]
        _cyc, k, hop = run_position(t, STEPS_1D, STEP_S)
        stop = run["stop"]
        if stop is not None and k >= stop:
            k, hop = stop, 0.0
        items = self._descent_frame(st, k, hop)
        sc = self.new_scene()
        sc.items = list(items)
        lr = run["lr"]
        w = run["ws"][k]
        tel = [
            metric("step", "steps taken", k, f"{k} of {STEPS_1D}", ""),
            metric("w", "w", w if math.isfinite(w) else 0.0, num(w, 4), ""),
            metric("loss", "loss L(w)", run["losses"][k] if math.isfinite(run["losses"][k]) else 0.0,
                   num(run["losses"][k], 3), ""),
            metric("factor", "factor 1 \u2212 \u03b7\u00b7c", run["factor"], fixed(run["factor"], 3), ""),
            metric("crit", "critical rate 2/c", run["crit"], num(run["crit"], 3), ""),
            metric("ratio", "\u03b7 as a share of 2/c", lr / run["crit"], f"{100 * lr / run['crit']:.0f} %", "%"),
        ]
        return sc, tel

    def _descent_frame(self, st: dict, k: int, hop: float) -> list[dict]:
        """Everything at step ``k``; only the ball in the air changes between frames of one hop."""
        base = self.memo("descent_base", k, lambda: self._descent_base(st, k))
        run = st["run"]
        stop = run["stop"]
        if stop is not None and k >= stop:
            return base
        c = run["c"]
        fx, fy = self._dmap()
        ws = run["ws"]
        w = ws[k]
        bx, by = fx(w), fy(quadratic_loss(w, c))
        if hop <= 0:
            return base + self.memo("descent_rest", k, lambda: self._descent_rest(st, k))
        sc = self.new_scene()
        b = ws[k + 1]
        bx2, by2 = self._arc(sc, bx, by, fx(b), fy(quadratic_loss(b, c)), _ease(hop), alpha=1.0, stroke="accent2")
        sc.circle(bx2, by2, 10, fill="accent2", stroke="bg", lw=2)
        return base + sc.items

    def _descent_rest(self, st: dict, k: int) -> list[dict]:
        """The ball at rest after ``k`` steps: the tangent (the slope) and the step it implies."""
        run = st["run"]
        c, ws = run["c"], run["ws"]
        fx, fy = self._dmap()
        w = ws[k]
        bx, by = fx(w), fy(quadratic_loss(w, c))
        slope = quadratic_slope(w, c)
        sc = self.new_scene()
        dw = 0.7
        seg = clip_segment(fx(w - dw), fy(quadratic_loss(w, c) - slope * dw), fx(w + dw),
                           fy(quadratic_loss(w, c) + slope * dw), DP_X, DP_X + DP_W, DP_Y, DP_Y + DP_H)
        if seg:
            sc.line(*seg, stroke="accent", lw=2.5)
        nxt = ws[k + 1] if k < STEPS_1D else w
        if k < STEPS_1D and abs(nxt) <= W_LIM and abs(fx(nxt) - bx) > 6:
            ay = DP_Y + DP_H - 16
            sc.arrow(bx, ay, fx(nxt), ay, stroke="accent2", lw=2.5, head=9)
            sc.line(bx, by, bx, ay, stroke="accent2", lw=1, dash=(3, 4), alpha=0.6)
        sc.circle(bx, by, 10, fill="accent2", stroke="bg", lw=2)
        return sc.items

    def _descent_base(self, st: dict, k: int) -> list[dict]:
        run = st["run"]
        c, lr = run["c"], run["lr"]
        fx, fy = self._dmap()
        sc = self.new_scene()
        self._header(sc, "Gradient descent on one parameter: w \u2190 w \u2212 \u03b7\u00b7L\u2032(w)",
                     "The slope says which way is uphill; the learning rate says how far to step against it.")
        sc.items.extend(st["items"])
        ws, stop = run["ws"], run["stop"]
        diverged = stop is not None and k >= stop
        # the hops so far, as faint arcs, newest darkest
        first = max(0, k - 8)
        for j in range(first, k):
            a, b = ws[j], ws[j + 1]
            if abs(b) > W_LIM:
                continue
            self._arc(sc, fx(a), fy(quadratic_loss(a, c)), fx(b), fy(quadratic_loss(b, c)), 1.0,
                      alpha=0.25 + 0.6 * (j - first + 1) / max(1, k - first))
        for j in range(first, k):
            sc.circle(fx(ws[j]), fy(quadratic_loss(ws[j], c)), 4, fill="muted", alpha=0.6)
        px = 584.0
        if diverged:
            # a card under the verdict, so the arcs of the last hops never run through its words
            sc.rect(DP_X + 24, DP_Y + 18, DP_W - 48, 64, fill="bg", stroke="bad", alpha=0.92, r=6)
            sc.text(DP_X + DP_W / 2, DP_Y + 40, f"diverged: |w| passed {num(W_LIM)} after {steps(stop)}",
                    size=BODY, bold=True, fill="bad", align="c")
            sc.text(DP_X + DP_W / 2, DP_Y + 66, f"every step multiplies the distance by {fixed(abs(run['factor']), 2)}",
                    size=SMALL, fill="bad", align="c")
        # the panel: where the run is
        w = ws[k]
        rows = [(f"step {k} of {STEPS_1D}:  w = {num(w, 4)}", "ink", True)]
        if not diverged:
            slope = quadratic_slope(w, c)
            rows += [(f"slope L\u2032(w) = c\u00b7w = {num(slope, 3)}", "accent", False),
                     (f"step \u2212\u03b7\u00b7L\u2032(w) = {num(-lr * slope, 3)}", "accent2", False),
                     (f"loss L(w) = {num(run['losses'][k], 3)}", "ink", False)]
        else:
            rows += [("the ball has left the picture", "bad", False)]
        y = DP_Y + 72
        for text, fill, bold in rows:
            sc.text(px, y, text, size=BODY, fill=fill, bold=bold)
            y += 28
        self._chart_series(sc, 628, 310, 300, 110, STEPS_1D, run["losses"][:k + 1])
        text, fill = REGIME_TEXT[run["regime"]]
        sc.text(20, 580, text, size=BODY, bold=True, fill=fill)
        return sc.items

    @staticmethod
    def _arc(sc: Scene, x1, y1, x2, y2, u: float, alpha=1.0, stroke="muted"):
        """A hop from (x1, y1) to (x2, y2) drawn up to progress ``u``; returns the point reached."""
        lift = 30 + 0.25 * abs(x2 - x1)
        n = max(2, int(14 * u) + 1)
        pts = []
        for i in range(n + 1):
            s = u * i / n
            pts.append((x1 + (x2 - x1) * s, y1 + (y2 - y1) * s - lift * 4 * s * (1 - s)))
        if u > 0:
            for piece in clip_polyline(pts, (DP_X, DP_X + DP_W, DP_Y, DP_Y + DP_H)):
                sc.path(piece, stroke=stroke, lw=1.5, alpha=alpha, dash=(4, 4) if stroke == "muted" else None)
        x, y = pts[-1]
        return x, max(y, DP_Y + 10)

    def _events_descent(self, t0: float, t1: float) -> list[str]:
        run = self.cached("descent", self._descent_static)["run"]
        stop = run["stop"]
        last = STEPS_1D if stop is None else stop

        def absolute(t):
            if t < 0:
                return -1
            cyc, k, _ = run_position(t, STEPS_1D, STEP_S)
            return cyc * (STEPS_1D + 1) + min(k, last)

        def describe(x):
            cyc, k = divmod(x, STEPS_1D + 1)
            if k > last:
                return []
            if k == 0:
                return [f"Starting again from w = {num(W0)}."] if cyc else []
            ws = run["ws"]
            if stop is not None and k == stop:
                return [f"Step {k}: w = {num(ws[k], 4)} is outside the picture. Diverged: "
                        f"|1 \u2212 \u03b7\u00b7c| = {fixed(abs(run['factor']), 2)} > 1."]
            line = (f"Step {k}: slope {num(quadratic_slope(ws[k - 1], run['c']), 3)}, w {num(ws[k - 1], 4)} "
                    f"\u2192 {num(ws[k], 4)} (\u00d7{fixed(run['factor'], 2)}).")
            if k == STEPS_1D:
                line += f" After {STEPS_1D} steps the loss is {num(run['losses'][k], 3)}."
            return [line]

        return self._crossed(absolute(t0), absolute(t1), describe)

    # ====================================================================================
    # the bowl: shared drawing
    # ====================================================================================

    def _curvatures(self) -> tuple[float, float]:
        """(c₁, c₂): the bowl's curvature along w₁ (flat, c₂/κ) and along w₂ (steep, fixed)."""
        return C_STEEP / self["kappa"], C_STEEP

    @staticmethod
    def bpx(w1: float, w2: float) -> tuple[float, float]:
        """Canvas position of the point (w₁, w₂) in the bowl plot."""
        return BOWL_PLOT.fx(w1), BOWL_PLOT.fy(w2)

    def _bowl_backdrop(self) -> list[dict]:
        """Frame, axes and contour lines of the bowl for the current κ."""
        c1, c2 = self._curvatures()
        sc = Scene(*self.size)
        # no grid: the contours are the lines to read; the two axes stay as faint as a grid would be
        BOWL_PLOT.frame(sc, xticks=range(-3, 4), yticks=range(-2, 3), size=SMALL, xlabel="w\u2081",
                        ylabel="w\u2082", grid=False, zero=False, marks=False)
        BOWL_PLOT.hline(sc, 0.0, stroke="grid", lw=1.5, dash=None)
        BOWL_PLOT.vline(sc, 0.0, stroke="grid", lw=1.5, dash=None)
        for i, level in enumerate(CONTOURS):
            BOWL_PLOT.polyline(sc, self._ellipse(level, c1, c2), stroke="accent", lw=1.2,
                               alpha=0.25 + 0.05 * (len(CONTOURS) - i))
        sc.circle(*self.bpx(0, 0), 4.5, fill="good")
        return sc.items

    @staticmethod
    def _ellipse(level: float, c1: float, c2: float, n: int = 56) -> list[tuple[float, float]]:
        """The contour L = ``level`` of the bowl, as data points (w₁, w₂)."""
        a, b = math.sqrt(2 * level / c1), math.sqrt(2 * level / c2)
        return [(a * math.cos(2 * math.pi * i / n), b * math.sin(2 * math.pi * i / n)) for i in range(n + 1)]

    # ====================================================================================
    # gradient view
    # ====================================================================================

    def _gradient_static(self) -> dict:
        c1, c2 = self._curvatures()
        p1, p2 = self["p1"], self["p2"]
        g1, g2 = bowl_gradient(p1, p2, c1, c2)
        loss = bowl_loss(p1, p2, c1, c2)
        norm = math.hypot(g1, g2)
        sc = Scene(*self.size)
        sc.items.extend(self.cached("backdrop", self._bowl_backdrop))
        box = (BX, BX + BW, BY, BY + BH)
        if loss > 0:
            BOWL_PLOT.polyline(sc, self._ellipse(loss, c1, c2, 96), stroke="accent3", lw=2.5)
        P = self.bpx(p1, p2)
        # the gradient drawn to the plot's own scale (a slope of 1 is one unit long), and its two parts
        tip = self.bpx(p1 + g1, p2 + g2)
        down = self.bpx(p1 - g1, p2 - g2)
        part1 = self.bpx(p1 + g1, p2)
        if norm > 1e-9:
            # both parts in the gradient's own blue: orange is kept for the way down, −∇L
            for (xa, ya), (xb, yb), col in ((P, part1, "accent"), (part1, tip, "accent")):
                seg = clip_segment(xa, ya, xb, yb, *box)
                if seg and math.hypot(seg[2] - seg[0], seg[3] - seg[1]) > 6:
                    sc.arrow(*seg, stroke=col, lw=2, head=7, dash=(5, 4))
            for (ex, ey), col in ((tip, "accent"), (down, "accent2")):
                seg = clip_segment(P[0], P[1], ex, ey, *box)
                if seg and math.hypot(seg[2] - seg[0], seg[3] - seg[1]) > 6:
                    sc.arrow(*seg, stroke=col, lw=3.5, head=11)
        # the panel
        x = PANEL_X
        rows = [
            ("L(w) = \u00bd(c\u2081w\u2081\u00b2 + c\u2082w\u2082\u00b2)", "ink", True, BODY),
            (f"c\u2081 = 1/\u03ba = {num(c1)},  c\u2082 = {num(c2)}", "muted", False, SMALL),
            (f"at w = ({num(p1)}, {num(p2)}):  L = {num(loss)}", "ink", False, BODY),
            (f"\u2202L/\u2202w\u2081 = c\u2081\u00b7w\u2081 = {num(g1)}", "accent", True, BODY),
            (f"\u2202L/\u2202w\u2082 = c\u2082\u00b7w\u2082 = {num(g2)}", "accent", True, BODY),
            (f"\u2207L = ({num(g1)}, {num(g2)})", "accent", True, BODY),
            (f"\u2016\u2207L\u2016 = {num(norm)}, the steepest slope", "accent", False, BODY),
        ]
        y = BY + 4
        for text, fill, bold, size in rows:
            sc.text(x, y, text, size=size, fill=fill, bold=bold)
            y += 30
        sc.text(BX, BY + BH + 60, "blue: \u2207L (uphill) \u00b7 orange: \u2212\u2207L (downhill) \u00b7 "
                                  "dashed: its two parts \u00b7 violet: the contour through the point",
                size=SMALL, fill="muted")
        return {"items": sc.items, "g": (g1, g2), "norm": norm, "P": P, "loss": loss}

    def _draw_gradient(self, t: float):
        st = self.cached("gradient", self._gradient_static)
        sc = self.new_scene()
        self._header(sc, "Partial derivatives make a gradient",
                     "\u2207L points straight uphill, across the contour; \u2212\u2207L is the way down.")
        sc.items.extend(st["items"])
        g1, g2 = st["g"]
        norm = st["norm"]
        # a probe direction u turning round the point: the slope along it is ∇L·u
        ang = 2 * math.pi * ((t % PROBE_S) / PROBE_S)
        u1, u2 = math.cos(ang), math.sin(ang)
        slope = g1 * u1 + g2 * u2
        P = st["P"]
        q = (P[0] + 56 * u1, P[1] - 56 * u2)
        sc.arrow(P[0], P[1], q[0], q[1], stroke="ink", lw=2, head=8)
        sc.circle(P[0], P[1], 7, fill="ink", stroke="bg", lw=2)
        deg = math.degrees(ang) % 360
        x, y = PANEL_X, BY + 236
        sc.text(x, y, f"black probe u, at {deg:.0f}\u00b0:", size=BODY, bold=True)
        sc.text(x, y + 28, f"slope along u = \u2207L\u00b7u = {num(slope)}", size=BODY)
        # the slope along u on a bar from −|∇L| to +|∇L|
        bx, bw, by = x, 280.0, y + 52
        sc.rect(bx, by, bw, 18, fill="panel", stroke="faint")
        mid = bx + bw / 2
        sc.line(mid, by - 4, mid, by + 22, stroke="muted")
        if norm > 1e-12:
            frac = slope / norm
            a, b = sorted((mid, mid + frac * bw / 2))
            sc.rect(a, by + 2, max(b - a, 1), 14, fill="accent" if slope >= 0 else "accent2", alpha=0.8)
        sc.text(bx, by + 26, f"\u2212{num(norm)}", size=SMALL, fill="accent2", base="t")
        sc.text(mid, by + 26, "0", size=SMALL, fill="muted", base="t", align="c")
        sc.text(bx + bw, by + 26, f"+{num(norm)}", size=SMALL, fill="accent", base="t", align="r")
        cos = slope / norm if norm > 1e-12 else 0.0
        sc.text(x, by + 62, f"= \u2016\u2207L\u2016\u00b7cos \u03b8 = {num(norm)} \u00d7 {fixed(cos, 2)}", size=SMALL,
                fill="muted")
        sc.text(x, by + 88, "largest along \u2207L,", size=SMALL, fill="muted")
        sc.text(x, by + 110, "0 along the contour,", size=SMALL, fill="muted")
        sc.text(x, by + 132, "most negative along \u2212\u2207L", size=SMALL, fill="muted")
        tel = [
            metric("g1", "\u2202L/\u2202w\u2081", g1, num(g1, 4), ""),
            metric("g2", "\u2202L/\u2202w\u2082", g2, num(g2, 4), ""),
            metric("norm", "\u2016\u2207L\u2016 (steepest slope)", norm, num(norm, 4), ""),
            metric("probe", "slope along the probe u", slope, num(slope, 3), ""),
            metric("loss", "loss at the point", st["loss"], num(st["loss"], 4), ""),
        ]
        return sc, tel

    def _events_gradient(self, t0: float, t1: float) -> list[str]:
        if not (t0 < 0.0 <= t1):
            return []
        st = self.cached("gradient", self._gradient_static)
        g1, g2 = st["g"]
        return [f"At ({num(self['p1'])}, {num(self['p2'])}): \u2202L/\u2202w\u2081 = {num(g1)}, "
                f"\u2202L/\u2202w\u2082 = {num(g2)}; the steepest slope is \u2016\u2207L\u2016 = {num(st['norm'])}."]

    # ====================================================================================
    # bowl descent
    # ====================================================================================

    def _bowl_run(self) -> dict:
        c1, c2 = self._curvatures()
        lr = self["lr"]
        pts = [bowl_gd_iterate(START_2D[0], START_2D[1], lr, c1, c2, k) for k in range(STEPS_2D + 1)]
        margin = 0.02
        stop = next((k for k, (a, b) in enumerate(pts)
                     if not (abs(a) <= B_W1 + margin and abs(b) <= B_W2 + margin)), None)
        losses = [bowl_loss(a, b, c1, c2) if math.isfinite(a) and math.isfinite(b) else math.inf for a, b in pts]
        f1, f2 = contraction_factor(lr, c1), contraction_factor(lr, c2)
        kappa = condition_number((c1, c2))
        best = best_fixed_learning_rate(c1, c2)
        worst = max(abs(f1), abs(f2))
        return {"c1": c1, "c2": c2, "lr": lr, "pts": pts, "losses": losses, "stop": stop, "f1": f1, "f2": f2,
                "kappa": kappa, "best": best, "best_factor": best_contraction_factor(kappa),
                "limit": critical_learning_rate(c2), "worst": worst,
                "steps_1pct": steps_to_shrink(worst, 0.01)}

    def _bowl_static(self) -> dict:
        run = self._bowl_run()
        sc = Scene(*self.size)
        sc.items.extend(self.cached("backdrop", self._bowl_backdrop))
        x = PANEL_X
        rows = [
            ("L(w) = \u00bd(c\u2081w\u2081\u00b2 + c\u2082w\u2082\u00b2)", "ink", True, BODY, 28),
            ((f"c\u2081 = {num(run['c1'])} (flat),  c\u2082 = {num(run['c2'])} (steep)" if run["kappa"] > 1 + 1e-9
              else f"c\u2081 = c\u2082 = {num(run['c2'])}"), "muted", False, SMALL, 26),
            (f"\u03ba = c\u2082/c\u2081 = {num(run['kappa'])}", "ink", True, BODY, 30),
            (f"\u03b7 = {num(run['lr'])}  (limit 2/c\u2082 = {num(run['limit'])})", "accent2", True, BODY, 30),
            (f"w\u2082 (steep): \u00d7 {fixed(run['f2'], 3)} per step", "k", False, BODY, 28),
            (f"w\u2081 (flat):  \u00d7 {fixed(run['f1'], 3)} per step", "q", False, BODY, 30),
            (f"best \u03b7 = 2/(c\u2081 + c\u2082) = {num(run['best'])}", "muted", False, SMALL, 22),
            ((f"  then both shrink \u00d7 {fixed(run['best_factor'], 3)} per step" if run["best_factor"] > 1e-9
              else "  then one step lands on the minimum"), "muted", False, SMALL, 0),
        ]
        y = BY + 4
        for text, fill, bold, size, gap in rows:
            sc.text(x, y, text, size=size, fill=fill, bold=bold)
            y += gap
        self._chart_static(sc, 676, 404, 254, 84, STEPS_2D)
        sc.text(BX, 572, self._bowl_verdict(run), size=SMALL, fill="muted")
        return {"items": sc.items, "run": run}

    def _draw_bowl(self, t: float):
        st = self.cached("bowl", self._bowl_static)
        run = st["run"]
        _cyc, k, hop = run_position(t, STEPS_2D, STEP2_S)
        stop = run["stop"]
        if stop is not None and k >= stop:
            k, hop = stop, 0.0
        items = self._bowl_frame(st, k, hop)
        sc = self.new_scene()
        sc.items = list(items)
        w1, w2 = run["pts"][k]
        loss = run["losses"][k]
        tel = [
            metric("step", "steps taken", k, f"{k} of {STEPS_2D}", ""),
            metric("w", "w = (w\u2081, w\u2082)", math.hypot(w1, w2) if math.isfinite(loss) else 0.0,
                   f"({num(w1, 3)}, {num(w2, 3)})", ""),
            metric("loss", "loss L(w)", loss if math.isfinite(loss) else 0.0, num(loss, 3), ""),
            metric("kappa", "condition number \u03ba", run["kappa"], num(run["kappa"], 3), ""),
            metric("limit", "step limit 2/c_max", run["limit"], num(run["limit"], 3), ""),
            metric("slowest", "slowest factor per step", run["worst"], fixed(run["worst"], 3), ""),
            metric("steps", "steps to 1 % of the start", run["steps_1pct"] if math.isfinite(run["steps_1pct"]) else 0,
                   str(run["steps_1pct"]) if math.isfinite(run["steps_1pct"]) else "never", "steps"),
        ]
        return sc, tel

    def _bowl_frame(self, st: dict, k: int, hop: float) -> list[dict]:
        """Everything after ``k`` steps; only the point on its way to the next iterate moves within a step."""
        base = self.memo("bowl_base", k, lambda: self._bowl_base(st, k))
        run = st["run"]
        pts, stop = run["pts"], run["stop"]
        if stop is not None and k >= stop:
            return base
        box = (BX, BX + BW, BY, BY + BH)
        cur = self.bpx(*pts[k])
        sc = self.new_scene()
        if hop > 0:
            nxt = self.bpx(*pts[k + 1])
            u = _ease(hop)
            pos = (cur[0] + (nxt[0] - cur[0]) * u, cur[1] + (nxt[1] - cur[1]) * u)
            seg = clip_segment(cur[0], cur[1], pos[0], pos[1], *box)
            if seg:
                sc.line(*seg, stroke="accent2", lw=2.2)
        else:
            pos = cur
            if k < STEPS_2D:
                nxt = self.bpx(*pts[k + 1])
                seg = clip_segment(cur[0], cur[1], nxt[0], nxt[1], *box)
                if seg and math.hypot(seg[2] - seg[0], seg[3] - seg[1]) > 8:
                    sc.arrow(*seg, stroke="accent2", lw=2, head=9, dash=(5, 4))
        if BX <= pos[0] <= BX + BW and BY <= pos[1] <= BY + BH:
            sc.circle(pos[0], pos[1], 8, fill="accent2", stroke="bg", lw=2)
        return base + sc.items

    def _bowl_base(self, st: dict, k: int) -> list[dict]:
        run = st["run"]
        pts, stop = run["pts"], run["stop"]
        diverged = stop is not None and k >= stop
        sc = self.new_scene()
        self._header(sc, "Gradient descent on a bowl: one \u03b7 for two curvatures",
                     "Each step goes straight down the gradient; the steep w\u2082 caps how big a step can be.")
        sc.items.extend(st["items"])
        BOWL_PLOT.polyline(sc, pts[:k + 1], stroke="accent2", lw=2.2)
        shown = [self.bpx(*p) for p in pts[:k + 1] if math.isfinite(p[0]) and math.isfinite(p[1])]
        for p in shown[max(0, len(shown) - 24):-1]:
            if BX <= p[0] <= BX + BW and BY <= p[1] <= BY + BH:
                sc.circle(p[0], p[1], 3.5, fill="accent2", alpha=0.7)
        if diverged:
            sc.text(BX + BW / 2, BY + BH / 2 - 14, f"diverged after {steps(stop)}", size=BODY, bold=True, fill="bad",
                    align="c")
            sc.text(BX + BW / 2, BY + BH / 2 + 12, f"\u03b7 = {num(run['lr'])} > 2/c\u2082 = {num(run['limit'])}",
                    size=SMALL, fill="bad", align="c")
        start = self.bpx(*START_2D)
        sc.text(start[0], start[1] - 18, "start", size=SMALL, fill="muted", align="c")
        # the panel: where the run is
        x = PANEL_X
        w1, w2 = pts[k]
        y = BY + 236
        sc.text(x, y, f"step {k}: w = ({fixed(w1, 3)}, {fixed(w2, 3)})", size=BODY, bold=True)
        sc.text(x, y + 28, f"loss L(w) = {num(run['losses'][k], 3)}", size=BODY)
        self._chart_series(sc, 676, 404, 254, 84, STEPS_2D, run["losses"][:k + 1])
        return sc.items

    @staticmethod
    def _bowl_verdict(run: dict) -> str:
        if run["lr"] * run["c2"] > 2 + 1e-9:
            return "\u03b7 is past 2/c\u2082: the steep direction blows up, whatever the flat one does"
        if run["kappa"] < 1 + 1e-9:
            return "\u03ba = 1: every direction has the same curvature; the path is a straight line"
        zig = "zig-zags across the valley" if run["f2"] < 0 else "slides down the steep side"
        n = run["steps_1pct"]
        tail = f"; {n} steps to 1 % of the start" if math.isfinite(n) else ""
        return f"the path {zig}; the flat w\u2081 shrinks \u00d7{fixed(run['f1'], 3)} a step{tail}"

    def _events_bowl(self, t0: float, t1: float) -> list[str]:
        run = self.cached("bowl", self._bowl_static)["run"]
        stop = run["stop"]
        last = STEPS_2D if stop is None else stop

        def absolute(t):
            if t < 0:
                return -1
            cyc, k, _ = run_position(t, STEPS_2D, STEP2_S)
            return cyc * (STEPS_2D + 1) + min(k, last)

        def describe(x):
            cyc, k = divmod(x, STEPS_2D + 1)
            if k > last:
                return []
            if k == 0:
                return [f"Starting again from ({num(START_2D[0])}, {num(START_2D[1])})."] if cyc else []
            if stop is not None and k == stop:
                return [f"Step {k}: the point left the picture. Diverged: |1 \u2212 \u03b7\u00b7c\u2082| = "
                        f"{fixed(abs(run['f2']), 2)} > 1."]
            w1, w2 = run["pts"][k]
            line = f"Step {k}: w = ({num(w1, 3)}, {num(w2, 3)}), loss {num(run['losses'][k], 3)}."
            if k == STEPS_2D:
                line += f" The flat direction kept {fixed(run['f1'], 3)} of itself each step."
            return [line]

        return self._crossed(absolute(t0), absolute(t1), describe)
