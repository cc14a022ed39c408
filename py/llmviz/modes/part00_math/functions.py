"""Functions and their families: the workshop of chapter p00-c02.

Three kinds of view, one idea each:

* the family views (linear, polynomial, exponential, logarithm, sigmoid,
  tanh, softplus): one curve with its coefficient sliders. Intercepts,
  asymptotes and other key points are marked and labelled; an orange probe
  walks along x, stops at chosen values, and the panel reads f(x) there.
* compose: f∘g as three graphs side by side, g, then f, then f(g(x)). At
  each stop of the probe a dot carries x through g, then through f, and
  the chain under the graphs writes out every value.
* logscale and sizes: the same data on a linear and on a logarithmic value
  axis. e^(kx) becomes a straight line of slope k; the catalog's parameter
  counts, crushed against zero on a linear axis, spread out by decades.

Every frame is periodic in t: the probe's schedule repeats, so frame(t)
costs the same for any t, and console events over a long interval are
summarised rather than replayed.
"""
from __future__ import annotations

import math
from functools import partial

from ...calc.functions import (GEMMA2_SOFT_CAP_ATTENTION, GEMMA2_SOFT_CAP_FINAL, decades, doubling_distance,
                               log_base, sigmoid, soft_cap, softplus)
from ...calc.model_size import param_count
from ...catalog import MODELS
from ...core import labels
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Flag, Number
from ...core.plot import Plot, log_ticks, nice_ticks
from ...core.scene import Scene
from ...units import fmt_count, fmt_sci

MINUS = "\u2212"
DOT = "\u00b7"
SQ = "x\u00b2"
# type sizes: the page shows the 960-wide canvas at about 0.6x, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL, BIG = 20, 15, 17, 15, 20

# the probe: glide between stops, then hold so a paused frame shows a round x
MOVE_S = 0.8
HOLD_S = 1.4
LEG_S = MOVE_S + HOLD_S
# composition: glide, then carry the value through g (one step) and f (another)
TRACE_S = 0.8
COMPOSE_LEG_S = MOVE_S + 3 * TRACE_S + 0.6
# sizes view: one model highlighted at a time
SIZES_STEP_S = 1.5

FAMILIES = ("linear", "polynomial", "exponential", "logarithm", "sigmoid", "tanh", "softplus")

# family view geometry: the plot on the left, the reading panel on the right
PLOT = (70.0, 92.0, 480.0, 420.0)
PANEL_X = 590.0

# the functions the composition view offers, as (value, label)
COMPOSE_FUNCS = (
    ("lin", "2x + 1"), ("sq", "x\u00b2"), ("exp", "e\u02e3"), ("ln", "ln x"),
    ("sigmoid", "\u03c3(x)"), ("tanh", "tanh x"), ("softplus", "softplus(x)"),
)
COMPOSE_X = (-3.0, 3.0)
COMPOSE_STOPS = (-2.0, -1.0, 0.0, 1.0, 2.0)

LOG_X = (0.0, 10.0)
LOG_STOPS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)


# -- small pure helpers ---------------------------------------------------------------


def num(v: float | None, digits: int = 3) -> str:
    """A value as a reader writes it: three significant figures, a real minus sign.

    Thousands get separators; beyond 10⁵ or below 10⁻³ it switches to powers of ten.
    """
    if v is None or not math.isfinite(v):
        return "undefined"
    if v == 0:
        return "0"
    av = abs(v)
    if av >= 1e5 or av < 1e-3:
        return fmt_sci(v, digits=digits).replace("-", MINUS)
    if av >= 100:
        s = f"{v:,.0f}"
    else:
        s = f"{v:.{digits}g}"
    return s.replace("-", MINUS)


def coef(v: float) -> str:
    """A slider value in a formula: at most two decimals, trailing zeros dropped."""
    r = round(v, 2) + 0.0
    s = f"{r:.2f}".rstrip("0").rstrip(".")
    return s.replace("-", MINUS)


def _term(c: float, var: str, first: bool) -> str:
    """One term of a sum, with its sign written as a reader would ("− 2x", "+ x²")."""
    r = round(c, 2)
    if r == 0:
        return ""
    mag = coef(abs(r))
    body = (var if mag == "1" and var else mag + var)
    if first:
        return (MINUS if r < 0 else "") + body
    return (f" {MINUS} " if r < 0 else " + ") + body


def poly_str(coeffs: list[tuple[float, str]]) -> str:
    """``[(a, "x²"), (b, "x"), (c, "")]`` → ``"0.5x² − x − 2"``; ``"0"`` when all vanish."""
    out = ""
    for c, var in coeffs:
        out += _term(c, var, first=not out)
    return out or "0"


def probe_schedule(stops: tuple[float, ...], leg: float = LEG_S) -> tuple[tuple[float, ...], float]:
    """The probe's round trip through ``stops`` (there and back) and its period in seconds."""
    seq = tuple(stops) + tuple(stops[-2:0:-1])
    return seq, len(seq) * leg


def probe_at(t: float, stops: tuple[float, ...], leg: float = LEG_S) -> tuple[float, int, float]:
    """Where the probe is at time ``t``: (x, index of the leg, seconds since the leg began).

    Leg j glides from stop ``seq[j]`` to ``seq[j+1]`` in :data:`MOVE_S`
    seconds, then holds. Only ``t`` modulo the period matters.
    """
    seq, period = probe_schedule(stops, leg)
    tc = t % period
    j = min(int(tc // leg), len(seq) - 1)
    u = tc - j * leg
    a, b = seq[j], seq[(j + 1) % len(seq)]
    if u < MOVE_S:
        s = u / MOVE_S
        s = s * s * (3 - 2 * s)
        return a + (b - a) * s, j, u
    return b, j, u


def arrivals(t0: float, t1: float, leg: float = LEG_S, offset: float = MOVE_S) -> tuple[int, int]:
    """Arrivals in ``(t0, t1]``: (how many, absolute index of the last one).

    Arrival n happens at ``n·leg + offset``; counting is arithmetic, so a
    huge interval costs no more than a small one.
    """
    def count(t):
        return 0 if t < offset else int((t - offset) // leg) + 1
    n1 = count(t1)
    return n1 - count(t0) if t0 >= 0 else n1, n1 - 1


def units_text(v: float) -> str:
    """A distance on the canvas in logical units: whole units from 10 up, two figures below."""
    return f"{v:.0f} units" if v >= 10 else f"{v:.2g} units"


#: labels on this chapter's plots: the shared placement at this mode's small type
place_label = partial(labels.place_label, size=SMALL)


def _pad(lo: float, hi: float, frac: float = 0.08) -> tuple[float, float]:
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    span = hi - lo
    return lo - frac * span, hi + frac * span


# -- the composition view's functions -------------------------------------------------------


def _safe_exp(u: float) -> float | None:
    return math.exp(u) if u < 700 else None


COMPOSE_FN = {
    "lin": lambda u: 2 * u + 1,
    "sq": lambda u: u * u,
    "exp": _safe_exp,
    "ln": lambda u: math.log(u) if u > 0 else None,
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "softplus": softplus,
}


def compose_expr(name: str, inner: str) -> str:
    """``name`` applied to the expression ``inner``, written as on paper."""
    bare = inner in ("x", "u")
    # a single call such as σ(x) or softplus(x) needs no brackets of its own
    call = inner.endswith(")") and inner.count("(") == 1 and " " not in inner
    if name == "lin":
        if bare:
            return f"2{inner} + 1"
        return f"2({inner}) + 1" if (" + " in inner or f" {MINUS} " in inner) else f"2{DOT}{inner} + 1"
    if name == "sq":
        return f"{inner}\u00b2" if (bare or call) else f"({inner})\u00b2"
    if name == "exp":
        return "e\u02e3" if inner == "x" else ("e\u1d58" if inner == "u" else f"exp({inner})")
    if name == "ln":
        return f"ln {inner}" if bare else f"ln({inner})"
    if name == "sigmoid":
        return f"\u03c3({inner})"
    if name == "tanh":
        return f"tanh {inner}" if bare else f"tanh({inner})"
    return f"softplus({inner})"


def compose_value(outer: str, inner: str, x: float) -> tuple[float | None, float | None]:
    """``(g(x), f(g(x)))``; ``None`` where a function has no value (ln of a number ≤ 0)."""
    try:
        u = COMPOSE_FN[inner](x)
    except (ValueError, OverflowError):
        u = None
    if u is None:
        return None, None
    try:
        return u, COMPOSE_FN[outer](u)
    except (ValueError, OverflowError):
        return u, None


# -- the mode -------------------------------------------------------------------------------


class FunctionsMode(Mode):
    """Seven families of one-number functions, composition, and the log scale."""

    id = "p00-c02-functions"
    chapter = "p00-c02-functions"
    title = "Functions and their families"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("a", "a", lo=-3, hi=3, step=0.05, default=0.5,
               help="Linear: the slope. Polynomial: the coefficient of x\u00b2."),
        Number("b", "b", lo=-4, hi=4, step=0.05, default=1.0,
               help="Linear: the intercept, f(0). Polynomial: the coefficient of x."),
        Number("c", "c", lo=-4, hi=4, step=0.05, default=-2.0,
               help="Polynomial: the constant term, f(0)."),
        Number("amp", "A (the value at x = 0)", lo=0.25, hi=4, step=0.05, default=1.0,
               help="Exponential A\u00b7e^(kx): where the curve crosses the vertical axis."),
        Number("k", "k (rate)", lo=-4, hi=4, step=0.05, default=0.7,
               help="Exponential and log-scale views: growth per unit of x (negative: decay). "
                    "Sigmoid: how steep the step is."),
        Number("base", "b (base of the logarithm)", lo=1.5, hi=10, step=0.01, default=2.72,
               help="2 counts doublings (bits), 2.72 stands for e \u2248 2.718 and gives ln, 10 counts decades."),
        Number("x0", "x\u2080 (centre of the step)", lo=-4, hi=4, step=0.1, default=0.0,
               help="Sigmoid: where the gate is half open."),
        Number("cap", "c (the cap)", lo=0.5, hi=4, step=0.05, default=1.0,
               help="tanh view: c\u00b7tanh(x/c) never leaves (\u2212c, c)."),
        Number("beta", "\u03b2 (sharpness)", lo=0.25, hi=8, step=0.05, default=1.0, log=True,
               help="Softplus ln(1 + e^(\u03b2x))/\u03b2: larger \u03b2 hugs max(0, x) more tightly."),
        Choice("inner", "g, applied first", default="lin", options=COMPOSE_FUNCS,
               help="The inner function: x goes into g first."),
        Choice("outer", "f, applied second", default="sigmoid", options=COMPOSE_FUNCS,
               help="The outer function: it receives g(x)."),
        Flag("log", "Logarithmic value axis", default=False,
             help="Equal distances mean equal ratios (each grid line \u00d710)."),
    )

    submodes = {
        "linear": Submode("Linear", {"a": 0.5, "b": 1.0},
                          "f(x) = a\u00b7x + b: a straight line with slope a and intercept b.", ("a", "b")),
        "polynomial": Submode("Polynomial", {"a": 0.5, "b": -1.0, "c": -2.0},
                              "f(x) = a\u00b7x\u00b2 + b\u00b7x + c: roots, a vertex, and the x\u00b2 term wins far out.",
                              ("a", "b", "c")),
        "exponential": Submode("Exponential", {"amp": 1.0, "k": 0.7},
                               "A\u00b7e^(kx): every step of 1 in x multiplies the value by e^k.", ("amp", "k")),
        "logarithm": Submode("Logarithm", {"base": 2.72},
                             "log_b x: doubling x adds the same amount; products become sums.", ("base",)),
        "sigmoid": Submode("Sigmoid", {"k": 1.0, "x0": 0.0},
                           "\u03c3 squeezes any number into (0, 1): a gate.", ("k", "x0")),
        "tanh": Submode("tanh", {"cap": 1.0},
                        "c\u00b7tanh(x/c): about x near 0, never beyond \u00b1c.", ("cap",)),
        "softplus": Submode("Softplus", {"beta": 1.0},
                            "ln(1 + e^x): always positive, about max(0, x) away from 0.", ("beta",)),
        "compose": Submode("Composition", {"inner": "lin", "outer": "sigmoid"},
                           "f(g(x)): x goes through g, then the result through f.", ("inner", "outer")),
        "logscale": Submode("Log scale", {"k": 0.7, "log": False},
                            "e^(kx) on a linear and a log axis: on the log axis it is a straight line.",
                            ("k", "log")),
        "sizes": Submode("Model sizes", {"log": False},
                         "Every model in the catalog by parameter count, on a linear or a log axis.", ("log",)),
    }
    default_submode = "linear"

    # -- which view -----------------------------------------------------------------------

    def view(self) -> str:
        """The picture the current sub-mode shows: "family", "compose", "logscale" or "sizes"."""
        return "family" if self.submode in FAMILIES else self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "compose":
            return self._draw_compose(t)
        if v == "logscale":
            return self._draw_logscale(t)
        if v == "sizes":
            return self._draw_sizes(t)
        return self._draw_family(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "compose":
            return self._compose_events(t0, t1)
        if v == "logscale":
            return self._stop_events(t0, t1, LOG_STOPS, self._logscale_event)
        if v == "sizes":
            return self._sizes_events(t0, t1)
        return self._stop_events(t0, t1, self._family()["stops"], self._family_event)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    def _stop_events(self, t0, t1, stops, say) -> list[dict]:
        n, last = arrivals(t0, t1)
        if n <= 0:
            return []
        seq, _ = probe_schedule(stops)
        out = []
        for idx in range(max(0, last - 1) if n > 1 else last, last + 1):
            j = idx % len(seq)
            out.append({"level": "info", "text": say(seq[(j + 1) % len(seq)], seq[j])})
        if n > 2:
            out.insert(0, {"level": "info", "text": f"\u2026 {n - 2:,} earlier stops of the probe skipped."})
        return out

    # -- the family views ----------------------------------------------------------------------

    def _family(self) -> dict:
        """Everything about the current family that depends only on the parameters."""
        return self.cached("family", self._family_spec)

    def _family_spec(self) -> dict:
        name = self.submode if self.submode in FAMILIES else "sigmoid"
        return getattr(self, f"_spec_{name}")()

    def _spec_linear(self) -> dict:
        a, b = self["a"], self["b"]
        keys = [(0.0, b, f"f(0) = {num(b)}")]
        if abs(a) > 1e-9:
            keys.append((-b / a, 0.0, f"root x = {num(-b / a)}"))
        facts = [f"slope a = {coef(a)}: each step of 1 in x",
                 f"  adds {coef(a)} to f(x)",
                 f"intercept b = {coef(b)}: the value at x = 0"]
        if abs(a) > 1e-9:
            facts.append(f"root: f(x) = 0 at x = \u2212b/a = {num(-b / a)}")
        else:
            facts.append("a = 0: a flat line, no root unless b = 0")
        return {
            "name": "linear", "fn": lambda x: a * x + b,
            "title": "A linear function: a straight line",
            "subtitle": "f(x) = a\u00b7x + b. The slope a is the rise per step of 1; b is where it crosses x = 0.",
            "formula": f"f(x) = {poly_str([(a, 'x'), (b, '')])}", "formula2": "",
            "xlim": (-6, 6), "ylim": (-6, 6), "stops": (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0),
            "keys": keys, "hlines": [], "vlines": [], "guides": [], "slope": (a, b),
            "facts": facts,
            "model": ["One input times a weight, plus a bias:",
                      "the straight part of every neuron."],
        }

    def _spec_polynomial(self) -> dict:
        a, b, c = self["a"], self["b"], self["c"]
        keys = [(0.0, c, f"f(0) = {num(c)}")]
        roots = []
        if abs(a) > 1e-9:
            disc = b * b - 4 * a * c
            vx = -b / (2 * a)
            keys.append((vx, a * vx * vx + b * vx + c, "vertex"))
            if disc >= 0:
                r = math.sqrt(disc)
                roots = sorted({(-b - r) / (2 * a), (-b + r) / (2 * a)})
        elif abs(b) > 1e-9:
            roots = [-c / b]
        for r in roots:
            keys.append((r, 0.0, f"root {num(r)}"))
        degree = 2 if abs(a) > 1e-9 else (1 if abs(b) > 1e-9 else 0)
        facts = [f"degree {degree}: the highest power present",
                 {2: "far from 0 the a\u00b7x\u00b2 term outgrows the rest",
                  1: "a = 0 leaves a linear function b\u00b7x + c",
                  0: "a = b = 0 leaves the constant c"}[degree],
                 f"roots (f = 0): {', '.join(num(r) for r in roots) or 'none: the curve misses 0'}"]
        if degree == 2:
            facts.append(f"vertex at x = \u2212b/2a = {num(-b / (2 * a))}")
        return {
            "name": "polynomial", "fn": lambda x: (a * x + b) * x + c,
            "title": "A polynomial: a sum of powers of x",
            "subtitle": "f(x) = a\u00b7x\u00b2 + b\u00b7x + c. Set a = 0 and it is a straight line again.",
            "formula": "f(x) = " + poly_str([(a, SQ), (b, "x"), (c, "")]), "formula2": "",
            "xlim": (-6, 6), "ylim": (-6, 6), "stops": (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0),
            "keys": keys, "hlines": [], "vlines": [], "guides": [],
            "facts": facts,
            "model": ["Counting work: n\u00d7n times n\u00d7n matrices take",
                      "2n\u00b3 operations, a degree-3 polynomial."],
        }

    def _spec_exponential(self) -> dict:
        A, k = self["amp"], self["k"]
        keys = [(0.0, A, f"f(0) = A = {num(A)}")]
        if abs(k) > 1e-9:
            d = doubling_distance(abs(k))
            sign = 1 if k > 0 else -1
            for n in (1, 2, 3):
                keys.append((sign * n * d, A * 2 ** n, f"\u00d7{2 ** n}"))
            step = f"doubles every ln 2 / k = {num(d)}" if k > 0 else f"halves every ln 2 / |k| = {num(d)}"
        else:
            step = "k = 0: a flat line at A"
        facts = [step,
                 f"one step of 1 in x: \u00d7e^k = \u00d7{num(math.exp(k))}",
                 "e^(p + q) = e^p \u00b7 e^q: sums become products",
                 "always above 0; y = 0 is an asymptote"]
        return {
            "name": "exponential", "fn": lambda x: A * math.exp(k * x),
            "title": "The exponential: equal steps in x multiply the value",
            "subtitle": "f(x) = A\u00b7e^(kx), e \u2248 2.718. Each dot is a doubling (a halving when k < 0).",
            "formula": "f(x) = " + ("" if abs(A - 1) < 1e-9 else coef(A) + DOT) + "e^(" +
                       ("" if abs(k - 1) < 1e-9 else coef(k)) + "x)",
            "formula2": "",
            "xlim": (-4, 4), "ylim": (-0.6, 8.6), "stops": (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0),
            "keys": keys, "hlines": [(0.0, "y = 0, never reached")], "vlines": [], "guides": [],
            "facts": facts,
            "model": ["Scores become positive weights:",
                      f"e\u00b2 = {num(math.exp(2))}, e\u2070 = 1, e\u207b\u00b2 = {num(math.exp(-2))}."],
        }

    def base(self) -> float:
        """The logarithm's base: the slider's value, except that its 2.72 stands for e itself.

        A slider in steps of 0.01 cannot reach e = 2.71828…; without the snap
        the "natural log" view would be log base 2.72, off from ln in the
        fourth digit (ln 2.72 = 1.0006).
        """
        b = self["base"]
        return math.e if abs(b - math.e) < 0.005 else b

    def _spec_logarithm(self) -> dict:
        b = self.base()
        natural = b == math.e
        b_txt = "e" if natural else coef(b)
        keys = [(1.0, 0.0, "log 1 = 0"), (b, 1.0, "ln e = 1" if natural else "log_b b = 1")]
        l2 = log_base(2.0, b)
        if natural:
            kind = "the natural log, ln"
        else:
            kind = {2.0: "counts doublings (bits)", 10.0: "counts factors of 10"}.get(round(b, 2), "")
        facts = [f"b = {b_txt}" + (f": {kind}" if kind else ""),
                 "log_b x = ln x / ln b",
                 f"doubling x adds log_b 2 = {num(l2)}",
                 "log(p\u00b7q) = log p + log q"]
        return {
            "name": "logarithm", "fn": lambda x: log_base(x, b) if x > 0 else None,
            "title": "The logarithm: how many times the base fits",
            "subtitle": "log_b x undoes b^x. The probe doubles x at each stop: the value climbs by equal steps.",
            "formula": "f(x) = ln x" if natural else f"f(x) = log_b x,  b = {b_txt}", "formula2": "",
            "xlim": (-0.5, 10), "ylim": (-4, 4), "stops": (0.5, 1.0, 2.0, 4.0, 8.0), "lo": 1e-3,
            "keys": keys, "hlines": [], "vlines": [(0.0, "x = 0")], "guides": [],
            "facts": facts,
            "model": ["Losses add up \u2212ln p over tokens:",
                      f"p = 0.9 \u2192 {num(-math.log(0.9))},  p = 0.5 \u2192 {num(-math.log(0.5))},",
                      f"p = 0.01 \u2192 {num(-math.log(0.01))}"],
            "log2": l2,
        }

    def _spec_sigmoid(self) -> dict:
        k, x0 = self["k"], self["x0"]
        keys = [(x0, 0.5, "\u03c3(0) = 0.5")]
        if abs(k) < 1e-9:
            inside = "0"
        else:
            inside = ("" if abs(k - 1) < 1e-9 else coef(k) + DOT) + \
                     ("x" if abs(x0) < 1e-9 else "(x " + (MINUS if x0 > 0 else "+") + f" {coef(abs(x0))})")
        facts = ["\u03c3(z) = 1 / (1 + e^(\u2212z)), between 0 and 1",
                 "\u03c3(\u2212z) = 1 \u2212 \u03c3(z)",
                 f"half open at x = x\u2080 = {coef(x0)}",
                 f"steepness k = {coef(k)}: slope there k/4 = {num(k / 4)}"]
        return {
            "name": "sigmoid", "fn": lambda x: sigmoid(k * (x - x0)),
            "title": "The sigmoid: a gate between 0 and 1",
            "subtitle": "Any score z becomes \u03c3(z) in (0, 1); \u03c3(z)\u00b7v lets that share of v through.",
            "formula": f"f(x) = \u03c3({inside})", "formula2": "",
            "xlim": (-6, 6), "ylim": (-0.2, 1.2), "stops": (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0),
            "keys": keys, "hlines": [(0.0, "0: closed"), (1.0, "1: open")], "vlines": [], "guides": [],
            "facts": facts,
            "model": ["A gated unit multiplies one linear function",
                      "of its input by \u03c3 of another."],
        }

    def _spec_tanh(self) -> dict:
        c = self["cap"]
        facts = ["tanh(x) = 2\u03c3(2x) \u2212 1, between \u22121 and 1",
                 f"c\u00b7tanh(x/c) stays inside (\u2212{coef(c)}, {coef(c)})",
                 "near 0 it is about x (dashed line y = x)",
                 "odd: tanh(\u2212x) = \u2212tanh(x)"]
        return {
            "name": "tanh", "fn": lambda x: soft_cap(x, c),
            "title": "tanh: an S-curve from \u2212c to c",
            "subtitle": "c\u00b7tanh(x/c) leaves small numbers alone and squeezes big ones under the cap c.",
            "formula": "f(x) = " + ("tanh(x)" if abs(c - 1) < 1e-9 else f"{coef(c)}{DOT}tanh(x/{coef(c)})"),
            "formula2": "",
            "xlim": (-6, 6), "ylim": (-4.5, 4.5), "stops": (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0),
            "keys": [(0.0, 0.0, "(0, 0)")], "hlines": [(c, f"+c = {coef(c)}"), (-c, f"\u2212c = {MINUS}{coef(c)}")],
            "vlines": [], "guides": [("y = x", lambda x: x, -3.0)],
            "facts": facts,
            "model": [f"Gemma 2 caps its output scores with c = {GEMMA2_SOFT_CAP_FINAL:g}",
                      f"and its attention scores with c = {GEMMA2_SOFT_CAP_ATTENTION:g}."],
        }

    def _spec_softplus(self) -> dict:
        beta = self["beta"]
        v0 = softplus(0.0, beta)
        facts = ["always above 0, never exactly 0",
                 "far right about x, far left about 0",
                 f"f(0) = ln 2 / \u03b2 = {num(v0)}: the widest gap",
                 "softplus(x) \u2212 softplus(\u2212x) = x"]
        return {
            "name": "softplus", "fn": lambda x: softplus(x, beta),
            "title": "Softplus: a smooth, always-positive bend",
            "subtitle": "ln(1 + e^(\u03b2x)) / \u03b2 rounds off the corner of max(0, x) (dashed).",
            "formula": "f(x) = ln(1 + e^x)" if abs(beta - 1) < 1e-9 else f"f(x) = ln(1 + e^({coef(beta)}x)) / {coef(beta)}",
            "formula2": "",
            "xlim": (-6, 6), "ylim": (-1, 6), "stops": (-4.0, -2.0, 0.0, 2.0, 4.0),
            "keys": [(0.0, v0, f"ln 2/\u03b2 = {num(v0)}" if abs(beta - 1) > 1e-9 else f"ln 2 = {num(v0)}")],
            "hlines": [], "vlines": [], "guides": [("max(0, x)", lambda x: max(0.0, x), 3.5)],
            "facts": facts,
            "model": ["Mamba sets its step size with softplus:",
                      "a step must never be zero or negative."],
        }

    def _family_static(self) -> dict:
        """The plot, curve, key points and panel text; only the probe moves."""
        spec = self._family()
        sc = Scene(*self.size)
        self._header(sc, spec["title"], spec["subtitle"])
        p = Plot(*PLOT, xlim=spec["xlim"], ylim=spec["ylim"])
        xt = nice_ticks(*spec["xlim"], target=7)
        yt = nice_ticks(*spec["ylim"], target=7)
        p.frame(sc, xticks=xt, yticks=yt, size=SMALL, xlabel="x", ylabel="f(x)", marks=False)
        bounds = p.box()
        placed: list = []
        for label, g, at in spec["guides"]:
            p.curve(sc, g, n=121, stroke="muted", lw=1.5, dash=(6, 5))
            # name the guide just below and right of a point on it, away from the main curve
            if p.contains(at, g(at)):
                place_label(sc, placed, bounds, p.fx(at), p.fy(g(at)), label, fill="muted",
                            offsets=((12, 12, "l"), (-12, -12, "r"), (14, 0, "l")))
        for vy, label in spec["hlines"]:
            if p.hline(sc, vy) is not None:
                place_label(sc, placed, bounds, p.x + p.w, p.fy(vy), label, fill="muted",
                            offsets=((-8, -13, "r"), (-8, 13, "r")))
        for vx, label in spec["vlines"]:
            if p.vline(sc, vx) is not None:
                place_label(sc, placed, bounds, p.fx(vx), p.y + 14, label, fill="muted",
                            offsets=((8, 0, "l"),))
        # a log's curve dives to −∞ at 0: start its samples just right of 0 so it reaches the edge
        p.curve(sc, spec["fn"], n=200, lo=spec.get("lo"), stroke="accent", lw=3)
        if "slope" in spec:
            self._slope_triangle(sc, p, *spec["slope"], placed)
        for kx, ky, label in spec["keys"]:
            if p.contains(kx, ky):
                sc.circle(p.fx(kx), p.fy(ky), 5, fill="ink")
                place_label(sc, placed, bounds, p.fx(kx), p.fy(ky), label, fill="ink", bold=True)
        # the reading panel
        x = PANEL_X
        sc.text(x, 100, "formula", size=SMALL, fill="muted")
        sc.text(x, 126, spec["formula"], size=BIG, bold=True, fill="accent")
        sc.text(x, 176, "probe (orange)", size=SMALL, fill="muted")
        sc.text(x, 300, "facts", size=SMALL, fill="muted")
        for i, line in enumerate(spec["facts"]):
            sc.text(x, 326 + 24 * i, line, size=SMALL)
        sc.text(x, 448, "in a language model", size=SMALL, fill="muted")
        for i, line in enumerate(spec["model"]):
            sc.text(x, 474 + 24 * i, line, size=SMALL)
        sc.text(20, 580, "The orange probe walks along x and stops at the values marked on the axis.",
                size=SMALL, fill="muted")
        # stop marks on the x axis: where the probe will pause
        for sx in spec["stops"]:
            if spec["xlim"][0] <= sx <= spec["xlim"][1]:
                sc.line(p.fx(sx), p.y + p.h - 6, p.fx(sx), p.y + p.h, stroke="accent2", lw=2)
        return {"items": sc.items, "plot": p, "placed": placed, "spec": spec}

    def _slope_triangle(self, sc: Scene, p: Plot, a: float, b: float, placed: list) -> None:
        """Rise over run for the line: one step right from the intercept, then a up (or down)."""
        if not (p.contains(0, b) and p.contains(1, a + b)) or abs(a) < 0.05:
            return
        x0, y0, x1, y1 = p.fx(0), p.fy(b), p.fx(1), p.fy(a + b)
        sc.line(x0, y0, x1, y0, stroke="accent3", lw=2)
        sc.line(x1, y0, x1, y1, stroke="accent3", lw=2)
        place_label(sc, placed, p.box(), x1, (y0 + y1) / 2, f"rise {coef(a)}", fill="accent3",
                    offsets=((8, 0, "l"), (-8, 0, "r")))
        place_label(sc, placed, p.box(), (x0 + x1) / 2, y0, "run 1", fill="accent3",
                    offsets=((0, 14 if a > 0 else -14, "c"), (0, -14 if a > 0 else 14, "c")))

    def _draw_family(self, t: float):
        px, _leg, _u = probe_at(t, self._family()["stops"])
        return self.memo("family", px, lambda: self._family_frame(px))

    def _family_frame(self, px: float):
        """The family view with the probe at ``px``."""
        st = self.cached("family_static", self._family_static)
        spec, p = st["spec"], st["plot"]
        try:
            py = spec["fn"](px)
        except (ValueError, OverflowError):
            py = None
        sc = self.new_scene()
        sc.items = list(st["items"])
        placed = list(st["placed"])
        if py is not None and p.contains(px, py):
            gx, gy = p.fx(px), p.fy(py)
            sc.line(gx, gy, gx, p.y + p.h, stroke="accent2", lw=1.5, dash=(4, 4))
            sc.line(p.x, gy, gx, gy, stroke="accent2", lw=1.5, dash=(4, 4))
            sc.circle(gx, gy, 7, fill="accent2", stroke="bg", lw=2)
            place_label(sc, placed, p.box(), gx, gy, f"f({num(px)}) = {num(py)}", fill="accent2", bold=True,
                        offsets=((12, -16, "l"), (-12, -16, "r"), (12, 16, "l"), (-12, 16, "r"),
                                 (0, -26, "c"), (0, 26, "c"), (14, 34, "l"), (14, -34, "l"),
                                 (-14, 34, "r"), (-14, -34, "r")), halo=True)
        elif p.xlim[0] <= px <= p.xlim[1]:
            sc.line(p.fx(px), p.y, p.fx(px), p.y + p.h, stroke="accent2", lw=1.5, dash=(4, 4))
        x = PANEL_X
        sc.text(x, 202, f"x = {num(px)}", size=BIG, font="mono")
        sc.text(x, 232, f"f(x) = {num(py)}", size=BIG, font="mono", bold=True, fill="accent2")
        note = self._probe_note(spec, px, py)
        if note:
            sc.text(x, 262, note, size=SMALL, fill="accent2")
        tel = [metric("x", "probe x", px, num(px), ""),
               metric("fx", "f(x) at the probe", py if py is not None else 0.0, num(py), "")]
        tel += self._family_telemetry(spec, px, py)
        return sc, tel

    def _probe_note(self, spec: dict, x: float, y: float | None) -> str:
        name = spec["name"]
        if y is None:
            return "no value: log needs x > 0"
        if name == "sigmoid":
            return f"a gate at {100 * y:.1f} % lets that share through"
        if name == "softplus":
            return f"{num(y - max(0.0, x))} above max(0, x) = {num(max(0.0, x))}"
        if name == "exponential":
            return f"ln f(x) = {num(math.log(y))}" if y > 0 else ""
        if name == "logarithm":
            return f"check: {'e' if self.base() == math.e else 'b'}^{num(y)} = {num(self.base() ** y)}"
        if name == "tanh":
            c = self["cap"]
            return f"check: c\u00b7(2\u03c3(2x/c) \u2212 1) = {num(c * (2 * sigmoid(2 * x / c) - 1))}"
        if name == "polynomial" and abs(y) < 1e-9:
            return "a root: f(x) = 0"
        if name == "linear":
            return f"{coef(self['a'])}\u00b7{num(x)} + {coef(self['b'])} = {num(y)}"
        return ""

    def _family_telemetry(self, spec: dict, x: float, y: float | None) -> list[dict]:
        name = spec["name"]
        if name == "linear":
            return [metric("slope", "slope a", self["a"], coef(self["a"]), ""),
                    metric("intercept", "intercept b = f(0)", self["b"], coef(self["b"]), "")]
        if name == "polynomial":
            return [metric("f0", "f(0) = c", self["c"], coef(self["c"]), ""),
                    metric("roots", "roots", sum(1 for k in spec["keys"] if k[2].startswith("root")),
                           ", ".join(num(k[0]) for k in spec["keys"] if k[2].startswith("root")) or "none", "")]
        if name == "exponential":
            k = self["k"]
            d = doubling_distance(abs(k)) if abs(k) > 1e-9 else 0.0
            return [metric("factor", "factor per step of 1 in x (e^k)", math.exp(k), num(math.exp(k)), ""),
                    metric("doubling", "doubling distance ln 2/|k|", d, num(d) if d else "never", "")]
        if name == "logarithm":
            return [metric("log2", "log_b 2 (added per doubling)", spec["log2"], num(spec["log2"]), ""),
                    metric("lnb", "ln b", math.log(self.base()), num(math.log(self.base())), "")]
        if name == "sigmoid":
            share = y if y is not None else 0.0
            return [metric("gate", "share let through", share, f"{100 * share:.1f} %", "%"),
                    metric("centre", "half-open point x\u2080", self["x0"], coef(self["x0"]), "")]
        if name == "tanh":
            c = self["cap"]
            return [metric("cap", "cap c", c, coef(c), ""),
                    metric("identity", "c\u00b7(2\u03c3(2x/c) \u2212 1)", c * (2 * sigmoid(2 * x / c) - 1),
                           num(c * (2 * sigmoid(2 * x / c) - 1)), "")]
        gap = (y - max(0.0, x)) if y is not None else 0.0
        return [metric("gap", "gap to max(0, x)", gap, num(gap), ""),
                metric("f0", "f(0) = ln 2 / \u03b2", softplus(0.0, self["beta"]), num(softplus(0.0, self["beta"])), "")]

    def _family_event(self, x: float, prev: float) -> str:
        spec = self._family()
        try:
            y = spec["fn"](x)
        except (ValueError, OverflowError):
            y = None
        name = spec["name"]
        if name == "logarithm" and y is not None and prev > 0:
            step = log_base(x, self.base()) - log_base(prev, self.base())
            return (f"x = {num(x)}: log_b x = {num(y)}; x went \u00d7{num(x / prev)}, so the log moved by "
                    f"{num(step)}.")
        if name == "exponential" and y is not None:
            return (f"x = {num(x)}: f(x) = {num(y)}; a step of {num(x - prev)} in x multiplied f by "
                    f"{num(math.exp(self['k'] * (x - prev)))}.")
        if name == "sigmoid" and y is not None:
            return f"x = {num(x)}: \u03c3 = {num(y)}, a gate letting {100 * y:.1f} % of its signal through."
        if name == "softplus" and y is not None:
            return f"x = {num(x)}: softplus = {num(y)}, {num(y - max(0.0, x))} above max(0, x)."
        if name == "tanh" and y is not None:
            return f"x = {num(x)}: c\u00b7tanh(x/c) = {num(y)}, inside (\u2212{coef(self['cap'])}, {coef(self['cap'])})."
        return f"x = {num(x)}: f(x) = {num(y)}."

    # -- composition ----------------------------------------------------------------------------

    def _compose_static(self) -> dict:
        inner, outer = self["inner"], self["outer"]
        g, f = COMPOSE_FN[inner], COMPOSE_FN[outer]

        def safe(fn, v):
            try:
                r = fn(v)
            except (ValueError, OverflowError):
                return None
            return r if r is not None and math.isfinite(r) else None

        xs = [COMPOSE_X[0] + i * (COMPOSE_X[1] - COMPOSE_X[0]) / 240 for i in range(241)]
        us = [u for u in (safe(g, v) for v in xs) if u is not None]
        ulim = _pad(min(us), max(us))
        uu = [ulim[0] + i * (ulim[1] - ulim[0]) / 240 for i in range(241)]
        ys = [y for y in (safe(f, v) for v in uu) if y is not None]
        ylim = _pad(min(ys), max(ys)) if ys else (-1.0, 1.0)
        top, h, w = 124.0, 250.0, 232.0
        plots = (Plot(70, top, w, h, COMPOSE_X, ulim), Plot(384, top, w, h, ulim, ylim),
                 Plot(698, top, w, h, COMPOSE_X, ylim))
        g_txt = compose_expr(inner, "x")
        f_txt = compose_expr(outer, "u")
        fg_txt = compose_expr(outer, g_txt)
        gf_txt = compose_expr(inner, compose_expr(outer, "x"))
        sc = Scene(*self.size)
        self._header(sc, "Composition: one function's output is the next one's input",
                     "(f\u2218g)(x) = f(g(x)): apply g first, then f. The orange dot carries x through both.")
        heads = (("1. g, applied first", f"g(x) = {g_txt}", "x"),
                 ("2. f, applied to u = g(x)", f"f(u) = {f_txt}", "u = g(x)"),
                 ("3. the chain f\u2218g", f"f(g(x)) = {fg_txt}", "x"))
        for p, (head, formula, xl), fn in zip(plots, heads, (g, f, lambda v: safe(f, safe(g, v)) if safe(g, v) is not None else None)):
            p.frame(sc, xticks=nice_ticks(*p.xlim, target=5), yticks=nice_ticks(*p.ylim, target=5),
                    size=SMALL, xlabel=xl, marks=False)
            sc.text(p.x - 40, 80, head, size=SMALL, bold=True, fill="muted")
            sc.text(p.x - 40, 100, formula, size=BODY, bold=True, fill="accent")
            p.curve(sc, lambda v, fn=fn: safe(fn, v), n=121, stroke="accent", lw=3)
        sc.text(20, 560, f"Other order, g(f(x)) = {gf_txt}", size=SMALL, fill="muted")
        return {"items": sc.items, "plots": plots, "g": g_txt, "f": f_txt, "fg": fg_txt, "gf": gf_txt,
                "inner": inner, "outer": outer}

    def _draw_compose(self, t: float):
        x, _leg, since = probe_at(t, COMPOSE_STOPS, COMPOSE_LEG_S)
        # which stage of the trace is lit: 0 gliding, 1 through g, 2 through f, 3 done
        stage = 0 if since < MOVE_S else min(3, 1 + int((since - MOVE_S) // TRACE_S))
        frac = 0.0 if stage in (0, 3) else min(1.0, ((since - MOVE_S) % TRACE_S) / TRACE_S)
        return self.memo("compose", (x, stage, frac), lambda: self._compose_frame(x, stage, frac))

    def _compose_frame(self, x: float, stage: int, frac: float):
        """The composition view with the probe at ``x`` and the dot at ``stage`` (``frac`` along)."""
        st = self.cached("compose_static", self._compose_static)
        p1, p2, p3 = st["plots"]
        inner, outer = st["inner"], st["outer"]
        u, y = compose_value(outer, inner, x)
        sc = self.new_scene()
        sc.items = list(st["items"])
        lit = {1: p1, 2: p2, 3: p3}.get(stage)
        if lit is not None:
            sc.rect(lit.x - 3, lit.y - 3, lit.w + 6, lit.h + 6, stroke="accent2", lw=2.5)
        # plot 1: the point (x, g(x)) and the value u read off its vertical axis
        if u is not None and p1.contains(x, u):
            self._mark(sc, p1, x, u, stage >= 1)
        else:
            p1.vline(sc, x, stroke="bad", lw=1.5, dash=(4, 4))
        if u is not None and p2.contains(u, p2.ylim[0]):
            if y is not None and p2.contains(u, y):
                self._mark(sc, p2, u, y, stage >= 2)
            else:
                p2.vline(sc, u, stroke="bad", lw=1.5, dash=(4, 4))
        if y is not None and p3.contains(x, y):
            self._mark(sc, p3, x, y, stage >= 3)
        self._chain(sc, x, u, y, stage, frac, st)
        tel = [metric("x", "x", x, num(x), ""),
               metric("u", "u = g(x)", u if u is not None else 0.0, num(u), ""),
               metric("fg", "f(g(x))", y if y is not None else 0.0, num(y), "")]
        u2, y2 = compose_value(inner, outer, x)
        tel.append(metric("gf", "g(f(x)), the other order", y2 if y2 is not None else 0.0, num(y2), ""))
        return sc, tel

    def _mark(self, sc: Scene, p: Plot, vx: float, vy: float, lit: bool) -> None:
        gx, gy = p.fx(vx), p.fy(vy)
        sc.line(gx, gy, gx, p.y + p.h, stroke="accent2", lw=1.2, dash=(4, 4))
        sc.line(p.x, gy, gx, gy, stroke="accent2", lw=1.2, dash=(4, 4))
        sc.circle(gx, gy, 7 if lit else 5, fill="accent2" if lit else "bg", stroke="accent2", lw=2)

    def _chain(self, sc: Scene, x, u, y, stage, frac, st) -> None:
        """x → g → u → f → y, written out, with the dot travelling along it."""
        cy = 452.0
        boxes = ((40, 230, f"x = {num(x)}"), (340, 600, f"u = g(x) = {num(u)}"),
                 (710, 940, f"f(u) = {num(y)}"))
        for i, (x0, x1, label) in enumerate(boxes):
            on = (i == 0) or (i == 1 and stage >= 1) or (i == 2 and stage >= 2)
            bad = (i == 1 and u is None and stage >= 1) or (i == 2 and y is None and stage >= 2)
            sc.rect(x0, cy - 20, x1 - x0, 40, fill="panel", stroke="bad" if bad else ("accent2" if on else "faint"),
                    lw=2 if on else 1, r=6)
            sc.text((x0 + x1) / 2, cy, label, size=BODY, font="mono", bold=on, align="c",
                    fill="bad" if bad else "ink")
        for (x0, x1), name, live in (((230, 340), "g", stage >= 1), ((600, 710), "f", stage >= 2)):
            sc.arrow(x0 + 6, cy, x1 - 6, cy, stroke="accent2" if live else "muted", lw=2.5 if live else 1.5)
            sc.text((x0 + x1) / 2, cy - 18, name, size=BODY, bold=True, align="c", base="b",
                    fill="accent2" if live else "muted")
        # the dot: rides the g arrow in stage 1 and the f arrow in stage 2
        if stage in (1, 2):
            x0, x1 = (230, 340) if stage == 1 else (600, 710)
            sc.circle(x0 + 6 + (x1 - x0 - 12) * frac, cy, 7, fill="accent2")
        if u is None and stage >= 1:
            why = f"{st['g']} has no value at x = {num(x)}"
        elif y is None and stage >= 2:
            why = f"{st['f']} has no value at u = {num(u)}"
        else:
            why = f"(f\u2218g)({num(x)}) = f({num(u)}) = {num(y)}" if stage >= 2 else "g first, then f"
        sc.text(40, 512, why, size=BODY, bold=stage >= 2, fill="bad" if "no value" in why else "ink")

    def _compose_events(self, t0: float, t1: float) -> list[dict]:
        # a trace ends when the dot has passed through f
        n, last = arrivals(t0, t1, COMPOSE_LEG_S, MOVE_S + 2 * TRACE_S)
        if n <= 0:
            return []
        st = self.cached("compose_static", self._compose_static)
        seq, _ = probe_schedule(COMPOSE_STOPS, COMPOSE_LEG_S)
        x = seq[(last % len(seq) + 1) % len(seq)]
        u, y = compose_value(st["outer"], st["inner"], x)
        if u is None:
            text = f"x = {num(x)}: g(x) = {st['g']} has no value there, so neither has f(g(x))."
        elif y is None:
            text = f"x = {num(x)}: g gives u = {num(u)}, and f(u) = {st['f']} has no value there."
        else:
            text = f"x = {num(x)} \u2192 g gives u = {num(u)} \u2192 f gives {num(y)}: (f\u2218g)({num(x)}) = {num(y)}."
        out = [{"level": "info", "text": text}]
        if n > 1:
            out.insert(0, {"level": "info", "text": f"\u2026 {n - 1:,} earlier traces skipped."})
        return out

    # -- log scale ------------------------------------------------------------------------------

    def _logscale_static(self) -> dict:
        k, logy = self["k"], self["log"]
        f = lambda x: math.exp(k * x)
        sq = lambda x: x * x
        ends = [f(LOG_X[0]), f(LOG_X[1])]
        if logy:
            lo = min(min(ends), 1.0)
            hi = max(max(ends), 100.0)
            ylim = (10.0 ** math.floor(math.log10(lo) + 1e-9), 10.0 ** math.ceil(math.log10(hi) - 1e-9))
            yt = log_ticks(*ylim)
        else:
            top = max(max(ends), 100.0) * 1.06
            ylim = (0.0, top)
            yt = nice_ticks(0.0, top, target=6)
        p = Plot(96, 92, 500, 420, LOG_X, ylim, ylog=logy)
        sc = Scene(*self.size)
        self._header(sc, "A log axis turns exponential growth into a straight line",
                     "y = e^(kx) (blue) against x\u00b2 (purple, dashed). Toggle the value axis between linear and log.")
        p.frame(sc, xticks=nice_ticks(*LOG_X, target=6), yticks=yt, size=SMALL, xlabel="x",
                ylabel="y (log scale: each line \u00d710)" if logy else "y (linear scale)", marks=False)
        p.curve(sc, sq, n=121, stroke="accent3", lw=2, dash=(7, 5))
        p.curve(sc, f, n=121, stroke="accent", lw=3)
        placed: list = []
        bounds = p.box()
        for fn, name, fill in ((f, f"e^({coef(k)}x)", "accent"), (sq, "x\u00b2", "accent3")):
            yv = fn(LOG_X[1])
            if p.contains(LOG_X[1], yv):
                place_label(sc, placed, bounds, p.fx(LOG_X[1]), p.fy(yv), name, fill=fill, bold=True,
                            offsets=((-8, 14, "r"), (-8, -14, "r"), (-8, 30, "r"), (-8, -30, "r")))
        if logy and abs(k) > 0.05:
            self._log_slope(sc, p, k, placed)
        x = 636
        rows = self._logscale_panel(k, logy, f)
        for i, (line, fill, bold) in enumerate(rows):
            if line:
                sc.text(x, 104 + 26 * i, line, size=SMALL, fill=fill, bold=bold)
        return {"items": sc.items, "plot": p, "placed": placed, "f": f}

    def _log_slope(self, sc: Scene, p: Plot, k: float, placed: list) -> None:
        """A run of 1 in x and the rise it causes: a factor e^k, the same everywhere on the line."""
        for x0 in (4.0, 3.0, 5.0, 2.0, 6.0):
            y0, y1 = math.exp(k * x0), math.exp(k * (x0 + 1))
            if p.contains(x0, y0) and p.contains(x0 + 1, y1):
                break
        else:
            return
        ax, ay, bx, by = p.fx(x0), p.fy(y0), p.fx(x0 + 1), p.fy(y1)
        sc.line(ax, ay, bx, ay, stroke="accent2", lw=2)
        sc.line(bx, ay, bx, by, stroke="accent2", lw=2)
        place_label(sc, placed, p.box(), bx, (ay + by) / 2, f"\u00d7e^k = \u00d7{num(math.exp(k))}",
                    fill="accent2", bold=True, offsets=((8, 0, "l"), (-8, 0, "r")))
        place_label(sc, placed, p.box(), (ax + bx) / 2, ay, "+1 in x", fill="accent2",
                    offsets=((0, 14 if k > 0 else -14, "c"), (0, -14 if k > 0 else 14, "c")))

    def _logscale_panel(self, k: float, logy: bool, f) -> list[tuple[str, str, bool]]:
        rows: list[tuple[str, str, bool]] = [(f"y = e^({coef(k)}x)", "accent", True)]
        if abs(k) > 1e-9:
            d = doubling_distance(abs(k))
            rows.append((f"{'doubles' if k > 0 else 'halves'} every ln 2/|k| = {num(d)}", "ink", False))
            rows.append((f"\u00d710 every ln 10/|k| = {num(math.log(10) / abs(k))}", "ink", False))
        else:
            rows.append(("k = 0: the line is flat", "ink", False))
        rows.append(("", "ink", False))
        if logy:
            rows += [("ln y = k\u00b7x: a linear function of x", "ink", True),
                     (f"straight line, slope k = {coef(k)}", "ink", False),
                     ("every step of 1 in x climbs the", "ink", False),
                     ("same height: \u00d7e^k", "ink", False),
                     ("", "ink", False),
                     ("x\u00b2 bends over: a polynomial grows", "accent3", False),
                     ("slower than any exponential", "accent3", False)]
        else:
            mid = f(5.0)
            end = f(10.0)
            share = mid / max(end, 1e-300)
            rows += [("linear axis: equal steps add", "ink", True),
                     (f"y(5) = {num(mid)}", "ink", False),
                     (f"y(10) = {num(end)}", "ink", False),
                     (f"y(5) is {num(100 * share)} % of y(10)" if k > 0 else "the decay hugs the axis", "ink", False),
                     ("the first half is a flat smear", "ink", False),
                     ("", "ink", False),
                     ("x\u00b2 looks tiny beside it", "accent3", False)]
        return rows

    def _draw_logscale(self, t: float):
        px, _leg, _u = probe_at(t, LOG_STOPS)
        return self.memo("logscale", px, lambda: self._logscale_frame(px))

    def _logscale_frame(self, px: float):
        """The log-scale view with the probe at ``px``."""
        st = self.cached("logscale_static", self._logscale_static)
        p, f = st["plot"], st["f"]
        py = f(px)
        sc = self.new_scene()
        sc.items = list(st["items"])
        placed = list(st["placed"])
        if p.contains(px, py):
            gx, gy = p.fx(px), p.fy(py)
            sc.line(gx, gy, gx, p.y + p.h, stroke="accent2", lw=1.5, dash=(4, 4))
            sc.circle(gx, gy, 7, fill="accent2", stroke="bg", lw=2)
            place_label(sc, placed, p.box(), gx, gy, f"y = {num(py)}", fill="accent2", bold=True,
                        offsets=((-12, -16, "r"), (12, 16, "l"), (-12, 16, "r"), (12, -16, "l")), halo=True)
        sc.text(636, 470, f"probe: x = {num(px)}", size=BIG, font="mono")
        sc.text(636, 500, f"y = {num(py)}, ln y = {num(math.log(py))}", size=SMALL, font="mono",
                fill="accent2", bold=True)
        k = self["k"]
        tel = [metric("x", "probe x", px, num(px), ""),
               metric("y", "y = e^(kx)", py, num(py), ""),
               metric("lny", "ln y (= k\u00b7x)", math.log(py), num(math.log(py)), ""),
               metric("slope", "slope on the log axis (k)", k, coef(k), "per unit x")]
        if abs(k) > 1e-9:
            d = doubling_distance(abs(k))
            tel.append(metric("doubling", "doubling (halving) distance", d, num(d), ""))
        return sc, tel

    def _logscale_event(self, x: float, prev: float) -> str:
        k = self["k"]
        return (f"x {num(prev)} \u2192 {num(x)}: y went from {num(math.exp(k * prev))} to "
                f"{num(math.exp(k * x))}, \u00d7{num(math.exp(k * (x - prev)))}: the same factor for every "
                f"step of {num(abs(x - prev))}.")

    # -- model sizes -------------------------------------------------------------------------------

    def _sizes_rows(self) -> list[tuple[str, float]]:
        return self.cached("sizes_rows", lambda: sorted(
            ((m.display_name, float(param_count(m))) for m in MODELS.values()), key=lambda r: (r[1], r[0])))

    def _sizes_static(self) -> dict:
        rows = self._sizes_rows()
        logx = self["log"]
        lo, hi = rows[0][1], rows[-1][1]
        if logx:
            xlim = (1e9, 2e12)
            ticks = log_ticks(*xlim)
        else:
            xlim = (0.0, 1.2e12)
            ticks = nice_ticks(*xlim, target=7)
        # a growing catalog first moves the rows up towards the subtitle, then packs them closer, so
        # the axis labels under the last row stay clear of the footnote
        bottom = 550.0
        top = max(72.0, min(92.0, bottom - 19.0 * len(rows)))
        rh = min(19.0, (bottom - top) / len(rows))
        p = Plot(240, top, 660, rh * len(rows), xlim, (0.0, float(len(rows))), xlog=logx)
        sc = Scene(*self.size)
        self._header(sc, "Model sizes: the catalog on a " + ("log axis" if logx else "linear axis"),
                     "Total parameters of every model in the catalog, smallest first. " +
                     ("Each grid line is \u00d710." if logx else f"Each grid line adds {fmt_count(ticks[1])}."))
        p.frame(sc, xticks=ticks, yticks=(), size=SMALL, xfmt=fmt_count, zero=False, marks=False)
        # the highlight band goes between the plot's background and the rows, so it never veils a name
        under = list(sc.items)
        sc.items = []
        for i, (name, n) in enumerate(rows):
            y = top + rh * (i + 0.5)
            sc.text(20, y, name, size=SMALL)
            x = p.fx(n)
            sc.line(p.x, y, x, y, stroke="faint", lw=1.5)
            sc.circle(x, y, 4.5, fill="accent")
            right = x + 10 + len(fmt_count(n)) * SMALL * 0.56 > p.x + p.w
            sc.text(x - 9 if right else x + 9, y, fmt_count(n), size=SMALL, fill="muted",
                    align="r" if right else "l")
        a = next(n for name, n in rows if name.startswith("Mamba"))
        b = next(n for name, n in rows if name == "Llama 3 8B")
        gap = p.fx(b) - p.fx(a)
        span = decades(lo, hi)
        foot = (f"Smallest to largest: \u00d7{num(hi / lo)}, {num(span)} decades. "
                f"Mamba 2.8B to Llama 3 8B: {units_text(gap)} of the axis's {p.w:.0f}.")
        sc.text(20, 586, foot, size=SMALL, fill="muted")
        return {"under": under, "items": sc.items, "plot": p, "rows": rows, "gap": gap, "span": span,
                "top": top, "rh": rh}

    def _draw_sizes(self, t: float):
        n_rows = len(self._sizes_rows())
        i = int((t % (SIZES_STEP_S * n_rows)) // SIZES_STEP_S)
        return self.memo("sizes", i, lambda: self._sizes_frame(i))

    def _sizes_frame(self, i: int):
        """The model-size view with row ``i`` highlighted."""
        st = self.cached("sizes_static", self._sizes_static)
        rows, p, top, rh = st["rows"], st["plot"], st["top"], st["rh"]
        name, n = rows[i]
        sc = self.new_scene()
        y = top + rh * (i + 0.5)
        sc.items.extend(st["under"])
        sc.rect(12, y - rh / 2, p.x + p.w - 12, rh, fill="hl", alpha=0.8)
        sc.items.extend(st["items"])
        sc.circle(p.fx(n), y, 7, fill="accent2", stroke="bg", lw=2)
        l10 = math.log10(n)
        tel = [metric("model", "highlighted model", n, f"{name}: {fmt_count(n)}", "parameters"),
               metric("log10", "log\u2081\u2080 of its parameter count", l10, f"{l10:.2f}", ""),
               metric("span", "decades from smallest to largest", st["span"], num(st["span"]), "decades"),
               metric("gap", "Mamba 2.8B \u2192 Llama 3 8B on this axis", st["gap"], units_text(st["gap"]), "units")]
        return sc, tel

    def _sizes_events(self, t0: float, t1: float) -> list[dict]:
        rows = self._sizes_rows()
        n, last = arrivals(t0, t1, SIZES_STEP_S, 0.0)
        if t0 < 0:
            n, last = n, last
        if n <= 0:
            return []
        name, count = rows[last % len(rows)]
        first = rows[0][1]
        text = (f"{name}: {fmt_count(count)} parameters, 10^{math.log10(count):.2f}, "
                f"{num(decades(first, count))} decades above the smallest.")
        out = [{"level": "info", "text": text}]
        if n > 1:
            out.insert(0, {"level": "info", "text": f"\u2026 {n - 1:,} earlier models skipped."})
        return out
