"""Loss functions: MSE, cross-entropy, label smoothing. The workshop of chapter p01-c03.

Four pictures, one idea each:

* score: one prediction over the entropy chapter's six tokens ("The cat sat
  on the ___", truth: mat) scored by three losses at once. A cursor adds
  each token's term: squared error charges every token for its error,
  cross-entropy only the true one, smoothed cross-entropy every token a
  little. Each loss's slope in the true token's logit sits beside it.
* slope (and probe, its paused twin with a slider): one sigmoid output
  q = σ(z) with target y. Loss and slope against the logit z for binary
  cross-entropy and for squared error; where σ saturates at the wrong end
  the squared error's slope vanishes and cross-entropy's stays near 1.
* race: a sigmoid neuron q = σ(w·x + b) trained on eight points from a
  confidently wrong start, once with each loss, same learning rate.
* smooth: label smoothing's target and its optimum. Free logits trained by
  gradient descent; with ε > 0 their gap stops at ln(1 + V(1 − ε)/ε), with
  ε = 0 it grows for ever.

Every loss, slope and optimum goes through :mod:`llmviz.calc.losses` and
:mod:`llmviz.calc.information`; Llama 3's vocabulary comes from the catalog.
Trajectories are precomputed once per parameter change (at most
:data:`RACE_STEPS` neuron steps and :data:`SMOOTH_STEPS` scalar steps, a few
milliseconds), and a frame looks its step up, so frame(t) costs the same for
every t.
"""
from __future__ import annotations

import bisect
import math

from ...calc.information import cross_entropy, softmax
from ...calc.functions import sigmoid
from ...calc.losses import (bce_slope, binary_cross_entropy_logit, gap_smoothed_cross_entropy,
                            neuron_descent, neuron_loss_gradient, optimal_logit_gap,
                            sigmoid_squared_error, sigmoid_squared_error_slope, smoothed_cross_entropy,
                            smoothed_cross_entropy_slope, smoothed_probs, smoothed_target, smoothing_floor,
                            smoothing_gap_descent, softmax_squared_error_slope, squared_error)
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, nice_ticks
from ...core.scene import Scene
from ..part00_math.entropy import CONTEXT, TOKENS, periodic_hits

MODEL = "llama-3-8b"
V6 = len(TOKENS)
TRUE = 0                 # mat, the token the text continues with

# the score view's predictions: logits over mat, floor, sofa, bed, roof, moon
PREDICTIONS = {
    "confident": (4.0, 1.0, 0.5, 0.0, -0.5, -1.0),
    "unsure": (2.0, 1.5, 1.0, 0.5, 0.0, -1.0),      # the entropy chapter's logits at z(mat) = 2
    "uniform": (0.0,) * 6,
    "wrong": (-1.0, 4.0, 1.0, 0.5, 0.0, -0.5),
    "surewrong": (-3.0, 6.0, 1.0, 0.5, 0.0, -0.5),
}
PRED_LABELS = {
    "confident": "right and sure",
    "unsure": "right but unsure",
    "uniform": "no idea (all equal)",
    "wrong": "wrong: favours floor",
    "surewrong": "sure and wrong",
}
MSE_MAX = 2.0            # ‖q − p‖² of a probability vector against a one-hot never exceeds 2
NATS_MAX = 10.0          # the cross-entropy rows' scale

# the slope view: a sigmoid's logit swept across [Z_LO, Z_HI]
Z_LO, Z_HI = -8.0, 8.0
SAT_Q = 0.05             # shaded as saturated where σ(z) is within this of 0 or 1
SAT_Z = math.log((1 - SAT_Q) / SAT_Q)   # |z| beyond ln 19 ≈ 2.94

# the race: eight points on a line, labels 0 left of the middle and 1 right of it
RACE_X = (-2.4, -1.6, -1.0, -0.4, 0.3, 0.9, 1.7, 2.3)
RACE_Y = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0)
RACE_STEPS = 1000        # steps precomputed per parameter change (about 10 ms a loss in CPython)
RACE_WINDOWS = (50, 100, 200, 300, 400, 600, 1000)   # the step axis shows the first of these that fits both runs
RACE_RUN_S = 10.0        # seconds for the shown steps to play
RACE_HOLD_S = 3.0

# the smoothing view: free logits trained for up to 10^4 steps, shown on a log axis
SMOOTH_STEPS = 10_000
SMOOTH_LR = 1.0
VOCABS = ("six", "imagenet", "llama3")

TERM_S = 1.2             # seconds per token as the score view adds its terms
SUM_HOLD_S = 3.0
SWEEP_S = 12.0           # seconds for the slope view's logit to cross [Z_LO, Z_HI]
TOP_HOLD_S = 2.0
SMOOTH_RUN_S = 12.0      # seconds for the smoothing view's probe to reach step 10^4
SMOOTH_HOLD_S = 3.0

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, BODY, SMALL = 20, 17, 15
MINUS = "\u2212"


def num(x: float, digits: int = 3) -> str:
    """A number for a label: ``digits`` decimals, a real minus sign, ∞ for infinity."""
    if x == math.inf:
        return "\u221e"
    return f"{x:.{digits}f}".replace("-", MINUS)


_SUP = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures, zeros kept (−1.00, 0.0250), m×10ⁿ below 10⁻³."""
    if x == 0:
        return "0"
    if abs(x) < 1e-3:
        e = math.floor(math.log10(abs(x)))
        m = x / 10 ** e
        if abs(float(f"{m:.{digits - 1}f}")) >= 10:
            e += 1
            m = x / 10 ** e
        return f"{m:.{digits - 1}f}\u00d710{str(e).translate(_SUP)}".replace("-", MINUS)
    s = f"{x:#.{digits}g}"
    if "e" in s:
        s = f"{x:,.0f}"
    return s.rstrip(".").replace("-", MINUS)


def times(r: float) -> str:
    """A ratio for a label: one decimal below 100, whole numbers with separators above."""
    if not math.isfinite(r):
        return "\u221e"
    return f"{r:.1f}" if r < 100 else f"{r:,.0f}"


def vocab_size(name: str) -> int:
    """V for the smoothing view's choice: the six tokens, ImageNet's 1,000 classes, or Llama 3's vocabulary."""
    if name == "six":
        return V6
    if name == "imagenet":
        return 1000
    return get_model(MODEL).vocab


def smoothing_run(size: int, epsilon: float) -> list[float]:
    """The smoothing view's logit gap after 0, 1, …, :data:`SMOOTH_STEPS` steps from equal logits."""
    return smoothing_gap_descent(size, epsilon, SMOOTH_LR, SMOOTH_STEPS)


def race_run(loss: str, w0: float, lr: float) -> list[tuple[float, float]]:
    """The race's (w, b) after 0, 1, …, :data:`RACE_STEPS` steps from (w0, 0) under ``loss``."""
    return neuron_descent(w0, 0.0, RACE_X, RACE_Y, loss, lr, RACE_STEPS)


def race_correct(w: float, b: float) -> int:
    """How many of the race's eight points the neuron puts on their own side of q = 0.5."""
    return sum(1 for x, y in zip(RACE_X, RACE_Y) if (w * x + b > 0) == (y == 1.0))


def first_all_right(run) -> int | None:
    """The first step at which a run's neuron gets every point right, or None within the run."""
    return next((k for k, (w, b) in enumerate(run) if race_correct(w, b) == len(RACE_X)), None)


def race_window(done) -> int:
    """How many steps the race shows: the first of :data:`RACE_WINDOWS` with room past both finishes."""
    if any(k is None for k in done):
        return RACE_STEPS
    need = 1.4 * max(done) + 5
    return next((w for w in RACE_WINDOWS if w >= need), RACE_STEPS)


def score_terms(logits, epsilon: float) -> dict:
    """Each token's term in the three losses of the score view, and their sums and slopes."""
    q = softmax(logits)
    p = [1.0 if i == TRUE else 0.0 for i in range(len(q))]
    pe = smoothed_target(TRUE, len(q), epsilon)
    mse = [(a - b) ** 2 for a, b in zip(q, p)]
    ce = [-math.log(q[TRUE]) if i == TRUE else 0.0 for i in range(len(q))]
    ls = [pi * -math.log(qi) for pi, qi in zip(pe, q)]
    return {
        "q": q, "p": p, "pe": pe, "terms": (mse, ce, ls),
        "totals": (squared_error(q, p), cross_entropy(p, q, math.e), smoothed_cross_entropy(logits, TRUE, epsilon)),
        "slopes": (softmax_squared_error_slope(logits, TRUE)[TRUE], q[TRUE] - 1.0,
                   smoothed_cross_entropy_slope(logits, TRUE, epsilon)[TRUE]),
    }


class LossesMode(Mode):
    """Three losses on one prediction; slopes through a sigmoid; a training race; label smoothing."""

    id = "p01-c03-losses"
    chapter = "p01-c03-losses"
    title = "Loss functions: MSE, cross-entropy, label smoothing"
    step_dt = 0.25
    size = (960, 600)

    params = (
        Choice("pred", "the model's guess", default="unsure",
               options=tuple((k, PRED_LABELS[k]) for k in PREDICTIONS),
               help="Logits over the six tokens after \u201cThe cat sat on the\u201d; the text continues with mat."),
        Number("eps", "smoothing \u03b5", lo=0.0, hi=0.5, step=0.01, default=0.1,
               help="Label smoothing: the target becomes (1 \u2212 \u03b5)\u00b7one-hot + \u03b5/V."),
        Choice("y", "target y", default="1", options=(("1", "1 (yes)"), ("0", "0 (no)")),
               help="The label the sigmoid's output q = \u03c3(z) should match."),
        Number("z", "logit z", lo=Z_LO, hi=Z_HI, step=0.01, default=-6.0,
               help="The sigmoid's input; q = \u03c3(z)."),
        Number("w0", "starting weight w\u2080", lo=-7.0, hi=-1.0, step=0.5, default=-4.0,
               help="How wrong the neuron starts: every point sits on the wrong side, the far ones by |w\u2080|\u00b7|x|."),
        Number("lr", "learning rate \u03b7", lo=0.1, hi=4.0, step=0.05, default=1.0, log=True,
               help="The same \u03b7 for both losses: each step is w \u2190 w \u2212 \u03b7\u00b7\u2202L/\u2202w."),
        Choice("vocab", "classes V", default="six",
               options=(("six", "6 (the six tokens)"), ("imagenet", "1,000 (ImageNet)"),
                        ("llama3", "128,256 (Llama 3)")),
               help="How many classes the smoothed target spreads \u03b5 over."),
    )

    submodes = {
        "score": Submode("Three losses, one guess", {"pred": "unsure", "eps": 0.1},
                         "One prediction scored by squared error, cross-entropy and smoothed cross-entropy.",
                         ("pred", "eps")),
        "slope": Submode("Slopes through a sigmoid", {"y": "1"},
                         "Loss and slope against the logit: squared error's slope vanishes where \u03c3 saturates.",
                         ("y",)),
        "probe": Submode("One logit", {"y": "1", "z": -6.0},
                         "Set the logit yourself and read both losses and both slopes.",
                         ("z", "y")),
        "race": Submode("Training race", {"w0": -4.0, "lr": 1.0},
                        "One neuron, eight points, a wrong start: cross-entropy against squared error.",
                        ("w0", "lr")),
        "smooth": Submode("Label smoothing", {"eps": 0.1, "vocab": "six"},
                          "The smoothed target and the logit gap gradient descent settles on.",
                          ("eps", "vocab")),
    }
    default_submode = "score"

    def view(self) -> str:
        """The picture the sub-mode shows: score, slope, race or smooth."""
        return "slope" if self.submode == "probe" else self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "slope":
            return self._draw_slope(t)
        if v == "race":
            return self._draw_race(t)
        if v == "smooth":
            return self._draw_smooth(t)
        return self._draw_score(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "slope":
            out = self._slope_events(t0, t1)
        elif v == "race":
            out = self._race_events(t0, t1)
        elif v == "smooth":
            out = self._smooth_events(t0, t1)
        else:
            out = self._score_events(t0, t1)
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SMALL, fill="muted")

    # -- score view ------------------------------------------------------------------

    BX0, SLOT = 70, 60             # the probability bars
    BTOP, BBOT = 128, 338
    RX0, RX1 = 486, 930            # the loss rows
    ROW_Y = (96, 206, 316)
    ROWS = (("squared error \u2016q \u2212 p\u2016\u00b2", "accent", MSE_MAX, ""),
            ("cross-entropy \u2212ln q(mat)", "accent2", NATS_MAX, " nats"),
            ("smoothed cross-entropy H(p\u1d4b,q)", "accent3", NATS_MAX, " nats"))

    def _score_data(self) -> dict:
        logits = PREDICTIONS[self["pred"]]
        d = score_terms(logits, self["eps"])
        d["logits"] = logits
        return d

    def _score_static(self) -> dict:
        d = self._score_data()
        q, pe = d["q"], d["pe"]
        eps = self["eps"]
        sc = Scene(*self.size)
        self._header(sc, "One guess, three losses",
                     "Each loss adds one term per token; the cursor adds them in turn.")
        sc.text(20, 88, f"\u201c{CONTEXT} ___\u201d   truth: mat", size=SMALL,
                fill="good", bold=True)
        x0, slot, top, bot = self.BX0, self.SLOT, self.BTOP, self.BBOT
        h = bot - top
        for v in (0.5, 1.0):
            y = bot - h * v
            sc.line(x0 - 4, y, x0 + slot * V6, y, stroke="grid")
            sc.text(x0 - 8, y, f"{v:g}", size=SMALL, fill="muted", align="r")
        sc.line(x0 - 4, bot, x0 + slot * V6 + 4, bot, stroke="muted")
        sc.text(x0 - 8, bot, "0", size=SMALL, fill="muted", align="r")
        # the one-hot target as an outline, the smoothed target as a violet tick per token
        sc.rect(x0 + slot * TRUE + 5, top, slot - 10, h, stroke="good", lw=2, label="one-hot target p")
        for i in range(V6):
            bx = x0 + slot * i
            bh = h * q[i]
            if bh > 0.4:
                sc.rect(bx + 14, bot - bh, slot - 28, bh, fill="accent2" if i == TRUE else "accent", alpha=0.9,
                        label=f"q({TOKENS[i]})")
            if eps > 0:
                ty = bot - h * pe[i]
                sc.line(bx + 8, ty, bx + slot - 8, ty, stroke="accent3", lw=3)
            sc.text(bx + slot / 2, bot + 8, TOKENS[i], size=SMALL, align="c", base="t",
                    bold=i == TRUE, fill="good" if i == TRUE else "ink")
            sc.text(bx + slot / 2, bot + 30, f"{q[i]:.2f}"[1:] if q[i] < 1 else "1", size=SMALL, align="c",
                    base="t", fill="muted")
        sc.text(x0 - 8, bot + 30, "q", size=SMALL, fill="muted", align="r", base="t")
        sc.text(20, 410, "bars: the model's q = softmax(z)", size=SMALL, fill="muted", base="t")
        sc.text(20, 432, "green box: the one-hot target p", size=SMALL, fill="good", base="t")
        if eps > 0:
            a, b = smoothed_probs(V6, eps)
            sc.text(20, 454, f"violet ticks: p\u1d4b, {a:.3f} and {b:.4f} (\u03b5 = {eps:.2f})", size=SMALL,
                    fill="accent3", base="t")
        else:
            sc.text(20, 454, "\u03b5 = 0: the smoothed target is the one-hot itself", size=SMALL, fill="accent3",
                    base="t")
        # the three rows: name, scale and the full bar outline
        bw = self.RX1 - self.RX0
        for (name, colour, top_v, unit), y in zip(self.ROWS, self.ROW_Y):
            sc.text(self.RX0, y, name, size=BODY, bold=True, fill=colour, base="t")
            sc.rect(self.RX0, y + 30, bw, 22, stroke="faint", label=name)
            sc.text(self.RX1, y + 58, f"{top_v:g}{unit}", size=SMALL, fill="muted", align="r", base="t")
            sc.text(self.RX0, y + 58, "0", size=SMALL, fill="muted", base="t")
        return {"items": sc.items, "d": d}

    def _score_position(self, t: float) -> tuple[int, bool]:
        """(tokens added so far, finished) at time ``t`` of the cursor's cycle."""
        run = V6 * TERM_S
        tc = t % (run + SUM_HOLD_S)
        if tc >= run:
            return V6, True
        return int(tc / TERM_S), False

    def _draw_score(self, t: float):
        k, finished = self._score_position(t)
        return self.memo("score", (k, finished), lambda: self._score_frame(k, finished))

    def _score_frame(self, k: int, finished: bool):
        """The score view with the terms of tokens 0…k added (all six if ``finished``)."""
        st = self.cached("score", self._score_static)
        d = st["d"]
        sc = self.new_scene()
        if not finished:
            sc.rect(self.BX0 + self.SLOT * k + 2, self.BTOP - 10, self.SLOT - 4, self.BBOT - self.BTOP + 62,
                    fill="hl", alpha=0.6)
        sc.items.extend(st["items"])
        done = V6 if finished else k + 1
        bw = self.RX1 - self.RX0
        q, pe = d["q"], d["pe"]
        for r, ((name, colour, top_v, unit), y) in enumerate(zip(self.ROWS, self.ROW_Y)):
            terms = d["terms"][r]
            x = self.RX0
            for i in range(done):
                w = bw * terms[i] / top_v
                w = min(w, self.RX1 - x)
                if w > 0.3:
                    lit = not finished and i == k
                    sc.rect(x, y + 30, w, 22, fill=colour, alpha=1.0 if lit or finished else 0.55,
                            stroke="bg", lw=1, label=f"{TOKENS[i]}'s term")
                x += w
            total = math.fsum(terms[:done])
            over = total > top_v
            if over:
                sc.arrow(self.RX1 - 30, y + 41, self.RX1 + 14, y + 41, stroke=colour, lw=2.5, head=8)
            label = f"= {num(total)}{unit}" if finished else f"so far {num(total)}{unit}"
            sc.text(self.RX1, y + 4, label, size=SMALL, bold=finished, fill=colour if finished else "muted",
                    align="r", base="t")
            slope = d["slopes"][r]
            if finished:
                sc.text(self.RX0, y + 80, f"slope in z(mat): {sig(slope, 3)}", size=SMALL, fill="ink", base="t")
            else:
                i = k
                if r == 0:
                    msg = f"{TOKENS[i]}: ({q[i]:.3f} \u2212 {int(i == TRUE)})\u00b2 = {num(terms[i], 4)}"
                elif r == 1:
                    msg = (f"{TOKENS[i]}: \u2212ln {q[i]:.3f} = {num(terms[i])}" if i == TRUE
                           else f"{TOKENS[i]}: p = 0, so its term is 0")
                else:
                    msg = f"{TOKENS[i]}: {pe[i]:.4f} \u00d7 (\u2212ln {q[i]:.3f}) = {num(terms[i], 4)}"
                sc.text(self.RX0, y + 80, msg, size=SMALL, fill="ink", base="t")
        mse, ce, ls = d["totals"]
        lines = self._score_story(d)
        yy = 490
        for text, fill in lines:
            sc.text(20, yy, text, size=SMALL, fill=fill, base="t")
            yy += 26
        tel = [
            metric("q", "q(mat)", q[TRUE], f"{q[TRUE]:.3f}", ""),
            metric("mse", "squared error \u2016q \u2212 p\u2016\u00b2", mse, num(mse, 4), ""),
            metric("ce", "cross-entropy \u2212ln q(mat)", ce, f"{num(ce)} nats", "nats"),
            metric("ls", f"smoothed cross-entropy (\u03b5 = {self['eps']:.2f})", ls, f"{num(ls)} nats", "nats"),
            metric("g_mse", "slope of squared error in z(mat)", d["slopes"][0], sig(d["slopes"][0], 3), ""),
            metric("g_ce", "slope of cross-entropy in z(mat)", d["slopes"][1], sig(d["slopes"][1], 3), "nats"),
        ]
        return sc, tel

    def _score_story(self, d: dict) -> list[tuple[str, str]]:
        """Two lines under the picture that say what this guess shows."""
        mse, ce, ls = d["totals"]
        q = d["q"]
        pred = self["pred"]
        if pred == "surewrong":
            first = (f"Sure and wrong: squared error {num(mse)} is near its ceiling of 2, "
                     f"cross-entropy {num(ce, 2)} nats has none.", "ink")
        elif pred == "confident" and self["eps"] > 0:
            first = (f"Right and sure: cross-entropy {num(ce)} nats, but the smoothed loss cannot fall below "
                     f"{num(smoothing_floor(V6, self['eps']))} nats.", "ink")
        elif pred == "confident":
            first = (f"Right and sure: cross-entropy {num(ce)} nats, and with \u03b5 = 0 it keeps falling as "
                     f"q(mat) nears 1.", "ink")
        elif pred == "uniform":
            first = (f"No idea: every q is 1/6, cross-entropy is ln 6 = {num(ce)} nats, and so is the "
                     f"smoothed loss.", "ink")
        else:
            first = (f"q(mat) = {q[TRUE]:.3f}: cross-entropy {num(ce)} nats, squared error {num(mse)}, "
                     f"smoothed {num(ls)} nats.", "ink")
        ratio = d["slopes"][1] / d["slopes"][0] if d["slopes"][0] else math.inf
        second = (f"Slopes in z(mat): cross-entropy {sig(d['slopes'][1], 3)}, squared error "
                  f"{sig(d['slopes'][0], 3)} ({times(ratio)}\u00d7 weaker).", "muted")
        third = ("Squared error charges every token; cross-entropy only mat; the smoothed loss every token "
                 "a little.", "muted")
        return [first, second, third]

    def _score_events(self, t0: float, t1: float) -> list[str]:
        period = V6 * TERM_S + SUM_HOLD_S
        first, last = periodic_hits(t0, t1, V6 * TERM_S, period)
        if last < first:
            return []
        d = self.cached("score", self._score_static)["d"]
        mse, ce, ls = d["totals"]
        return [f"All six terms added for \u201c{PRED_LABELS[self['pred']]}\u201d: squared error {num(mse)}, "
                f"cross-entropy {num(ce)} nats, smoothed (\u03b5 = {self['eps']:.2f}) {num(ls)} nats."]

    # -- slope view ---------------------------------------------------------------------

    TOP_PLOT = (96, 104, 470, 190)
    BOT_PLOT = (96, 352, 470, 170)
    PANEL_X = 620

    def _target(self) -> float:
        return float(self["y"])

    def _slope_static(self) -> dict:
        y = self._target()
        sc = Scene(*self.size)
        self._header(sc, "Two losses on one sigmoid output",
                     f"q = \u03c3(z), target y = {int(y)}. Top: the loss. Bottom: its slope in z, what gradient "
                     f"descent follows.")
        top = Plot(*self.TOP_PLOT, xlim=(Z_LO, Z_HI), ylim=(0.0, 8.5))
        ylim = (-1.1, 0.15) if y == 1 else (-0.15, 1.1)
        bot = Plot(*self.BOT_PLOT, xlim=(Z_LO, Z_HI), ylim=ylim)
        xt = (-8.0, -4.0, 0.0, 4.0, 8.0)
        top.frame(sc, xticks=xt, yticks=(0.0, 2.0, 4.0, 6.0, 8.0), size=SMALL,
                  ylabel="loss (cross-entropy in nats; squared error, no unit)", marks=False)
        bot.frame(sc, xticks=xt, yticks=(-1.0, -0.5, 0.0) if y == 1 else (0.0, 0.5, 1.0), size=SMALL,
                  xlabel="logit z", ylabel="slope dL/dz", marks=False)
        # the saturated ends, shaded on both plots and named in the slope plot's free middle
        for p in (top, bot):
            for a, b_ in ((Z_LO, -SAT_Z), (SAT_Z, Z_HI)):
                sc.rect(p.fx(a), p.y, p.fx(b_) - p.fx(a), p.h, fill="hl", alpha=0.45)
        mid = bot.fy(-0.5 if y == 1 else 0.5)
        for centre, low_end in ((-4.4, True), (4.4, False)):
            # nearer the middle than the band's centre, so the probe's favourite stop (z = ±6) stays clear
            wrong = low_end == (y == 1)
            x = bot.fx(centre)
            sc.text(x, mid - 12, "saturated,", size=SMALL, fill="warn" if wrong else "muted", align="c")
            sc.text(x, mid + 10, "wrong end" if wrong else "right end", size=SMALL,
                    fill="warn" if wrong else "muted", align="c", bold=wrong)
        # loss curves and slope curves
        top.curve(sc, lambda z: binary_cross_entropy_logit(z, y), n=121, stroke="accent2", lw=3)
        top.curve(sc, lambda z: sigmoid_squared_error(z, y), n=121, stroke="accent", lw=3)
        bot.curve(sc, lambda z: bce_slope(z, y), n=121, stroke="accent2", lw=3)
        bot.curve(sc, lambda z: sigmoid_squared_error_slope(z, y), n=121, stroke="accent", lw=3)
        # legend under the title
        lx = self.PANEL_X
        sc.line(lx, 100, lx + 26, 100, stroke="accent2", lw=3)
        sc.text(lx + 34, 100, "binary cross-entropy", size=SMALL, fill="accent2", bold=True)
        sc.line(lx, 124, lx + 26, 124, stroke="accent", lw=3)
        sc.text(lx + 34, 124, "squared error (q \u2212 y)\u00b2", size=SMALL, fill="accent", bold=True)
        sc.text(20, 590, f"Shaded: \u03c3(z) within {SAT_Q:g} of 0 or 1, |z| > ln 19 = {num(SAT_Z, 2)}.",
                size=SMALL, fill="muted")
        return {"items": sc.items, "top": top, "bot": bot, "y": y}

    def _z_at(self, t: float) -> float:
        if self.submode == "probe":
            return self["z"]
        tc = t % (SWEEP_S + TOP_HOLD_S)
        return Z_LO + (Z_HI - Z_LO) * min(1.0, tc / SWEEP_S)

    def _draw_slope(self, t: float):
        z = round(self._z_at(t), 3)
        return self.memo("slope", z, lambda: self._slope_frame(z))

    def _slope_frame(self, z: float):
        st = self.cached("slope", self._slope_static)
        top, bot, y = st["top"], st["bot"], st["y"]
        q = sigmoid(z)
        bce, mse = binary_cross_entropy_logit(z, y), sigmoid_squared_error(z, y)
        g_bce, g_mse = bce_slope(z, y), sigmoid_squared_error_slope(z, y)
        sc = self.new_scene()
        sc.items.extend(st["items"])
        for p in (top, bot):
            sc.line(p.fx(z), p.y, p.fx(z), p.y + p.h, stroke="ink", lw=1.5, dash=(4, 4))
        for p, vals in ((top, (bce, mse)), (bot, (g_bce, g_mse))):
            for v, colour in zip(vals, ("accent2", "accent")):
                if p.contains(z, v):
                    sc.circle(p.fx(z), p.fy(v), 6, fill=colour, stroke="bg", lw=2)
        x = self.PANEL_X
        rows = [
            (f"z = {num(z, 2)}", "ink", True, BODY),
            (f"q = \u03c3(z) = {sig(q, 4)}", "ink", False, BODY),
            (f"\u03c3's own slope q(1 \u2212 q) = {sig(q * (1 - q), 3)}", "muted", False, SMALL),
            ("binary cross-entropy", "accent2", True, SMALL),
            (f"  loss {num(bce)} nats", "accent2", False, SMALL),
            (f"  slope q \u2212 y = {sig(g_bce, 4)}", "accent2", False, SMALL),
            ("squared error", "accent", True, SMALL),
            (f"  loss {num(mse, 4)}", "accent", False, SMALL),
            (f"  slope 2(q \u2212 y)q(1 \u2212 q) = {sig(g_mse, 3)}", "accent", False, SMALL),
        ]
        yy = 162
        for text, fill, bold, size in rows:
            sc.text(x, yy, text, size=size, fill=fill, bold=bold, base="t")
            yy += 30 if size == BODY else 26
        ratio = abs(g_bce / g_mse) if g_mse else math.inf
        wrong = (y == 1 and q < SAT_Q) or (y == 0 and q > 1 - SAT_Q)
        right = (y == 1 and q > 1 - SAT_Q) or (y == 0 and q < SAT_Q)
        if wrong:
            note = ("Saturated at the wrong end:", "squared error barely moves z.")
        elif right:
            note = ("Saturated at the right end:", "both slopes small, little to fix.")
        else:
            note = ("Not saturated: both slopes", "push z towards the target.")
        sc.text(x, yy + 10, f"cross-entropy's slope is {times(ratio)}\u00d7", size=SMALL, bold=True, base="t")
        sc.text(x, yy + 34, "the squared error's", size=SMALL, bold=True, base="t")
        sc.text(x, yy + 66, note[0], size=SMALL, fill="warn" if wrong else "muted", base="t")
        sc.text(x, yy + 90, note[1], size=SMALL, fill="warn" if wrong else "muted", base="t")
        tel = [
            metric("z", "logit z", z, num(z, 2), ""),
            metric("q", "q = \u03c3(z)", q, sig(q, 4), ""),
            metric("bce", "binary cross-entropy", bce, f"{num(bce)} nats", "nats"),
            metric("g_bce", "its slope q \u2212 y", g_bce, sig(g_bce, 4), "nats"),
            metric("mse", "squared error (q \u2212 y)\u00b2", mse, num(mse, 4), ""),
            metric("g_mse", "its slope 2(q \u2212 y)q(1 \u2212 q)", g_mse, sig(g_mse, 3), ""),
            metric("ratio", "slope ratio, cross-entropy / squared error", ratio if math.isfinite(ratio) else 0.0,
                   f"{times(ratio)}\u00d7", ""),
        ]
        return sc, tel

    def _slope_events(self, t0: float, t1: float) -> list[str]:
        if self.submode == "probe":
            return []
        y = self._target()
        period = SWEEP_S + TOP_HOLD_S
        rate = (Z_HI - Z_LO) / SWEEP_S
        out = []
        peak = -math.log(2) if y == 1 else math.log(2)
        marks = ((-SAT_Z, "leaves"), (peak, "peak"), (SAT_Z, "enters"))
        for z_mark, kind in marks:
            phase = (z_mark - Z_LO) / rate
            f, l_ = periodic_hits(t0, t1, phase, period)
            if l_ < f:
                continue
            g_b, g_m = bce_slope(z_mark, y), sigmoid_squared_error_slope(z_mark, y)
            if kind == "peak":
                text = (f"z = {num(z_mark, 2)}: q = {sig(sigmoid(z_mark), 3)}, where the squared error's slope is "
                        f"largest, {sig(g_m, 3)}; cross-entropy's is {sig(g_b, 3)}.")
            elif z_mark < 0:
                side = "wrong" if y == 1 else "right"
                text = (f"z = {num(z_mark, 2)}: q leaves the saturated {side} end. Slopes: cross-entropy "
                        f"{sig(g_b, 3)}, squared error {sig(g_m, 3)}.")
            else:
                side = "right" if y == 1 else "wrong"
                text = (f"z = {num(z_mark, 2)}: q enters the saturated {side} end. Slopes: cross-entropy "
                        f"{sig(g_b, 3)}, squared error {sig(g_m, 3)}.")
            out.append((l_ * period + phase, text))
        return [s for _, s in sorted(out)]

    # -- race view ---------------------------------------------------------------------

    DATA_PLOT = (80, 112, 400, 230)
    W_PLOT = (580, 112, 350, 230)

    def _race_data(self) -> dict:
        w0, lr = self["w0"], self["lr"]
        runs = {loss: race_run(loss, w0, lr) for loss in ("bce", "mse")}
        done = {loss: first_all_right(run) for loss, run in runs.items()}
        return {"runs": runs, "done": done, "w0": w0, "lr": lr, "steps": race_window(done.values())}

    def _race_static(self) -> dict:
        d = self._race_data()
        sc = Scene(*self.size)
        self._header(sc, "A race from a wrong start",
                     f"q = \u03c3(w\u00b7x + b) on eight points, from w = {num(d['w0'], 1)}, b = 0, "
                     f"\u03b7 = {d['lr']:.2f}: same start, same step rule, two losses.")
        dp = Plot(*self.DATA_PLOT, xlim=(-3.0, 3.0), ylim=(-0.12, 1.12))
        dp.frame(sc, xticks=(-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0), yticks=(0.0, 0.5, 1.0), size=SMALL,
                 xlabel="input x", ylabel="q = probability of label 1", marks=False)
        dp.hline(sc, 0.5, stroke="muted", lw=1, dash=(3, 4))
        for x, y in zip(RACE_X, RACE_Y):
            sc.circle(dp.fx(x), dp.fy(y), 7, fill="good" if y == 1 else "bad", stroke="bg", lw=1.5)
        n = d["steps"]
        ws = [w for run in d["runs"].values() for w, _ in run[:n + 1]]
        lo, hi = min(ws), max(ws)
        pad = 0.08 * (hi - lo)
        wp = Plot(*self.W_PLOT, xlim=(0.0, float(n)), ylim=(lo - pad, hi + pad))
        wp.frame(sc, xticks=nice_ticks(0.0, float(n), 4), yticks=nice_ticks(lo, hi, 6),
                 size=SMALL, xlabel="step", ylabel="weight w", marks=False)
        # every trajectory lies inside the window (its limits come from it), so frames can draw prefixes of
        # these logical points without clipping them again
        stride = max(1, n // 100)
        paths = {}
        for loss, colour in (("bce", "accent2"), ("mse", "accent")):
            run = d["runs"][loss]
            paths[loss] = [(wp.fx(k), wp.fy(run[k][0])) for k in range(0, n + 1, stride)]
            sc.path(paths[loss], stroke=colour, lw=2, alpha=0.35)
            k = d["done"][loss]
            if k is not None:
                sc.line(wp.fx(k), wp.y + wp.h - 10, wp.fx(k), wp.y + wp.h, stroke=colour, lw=3)
        sc.line(dp.x - 60, 402, dp.x - 34, 402, stroke="accent2", lw=3)
        sc.text(dp.x - 26, 402, "trained by binary cross-entropy", size=SMALL, fill="accent2", bold=True)
        sc.line(dp.x - 60, 426, dp.x - 34, 426, stroke="accent", lw=3)
        sc.text(dp.x - 26, 426, "trained by squared error", size=SMALL, fill="accent", bold=True)
        sc.circle(dp.x + 300, 402, 7, fill="bad")
        sc.text(dp.x + 312, 402, "label 0", size=SMALL)
        sc.circle(dp.x + 300, 426, 7, fill="good")
        sc.text(dp.x + 312, 426, "label 1", size=SMALL)
        # what the short marks on the weight plot's step axis mean
        sc.line(wp.x, 396, wp.x, 408, stroke="ink", lw=3)
        sc.text(wp.x + 10, 402, "mark on the step axis: the step", size=SMALL)
        sc.text(wp.x + 10, 426, "at which that run gets all 8 right", size=SMALL)
        xs = [-3.0 + 6.0 * j / 40 for j in range(41)]
        return {"items": sc.items, "d": d, "dp": dp, "wp": wp, "paths": paths, "stride": stride,
                "xs": [(x, dp.fx(x)) for x in xs]}

    def _race_step(self, t: float) -> int:
        n = self.cached("race", self._race_static)["d"]["steps"]
        tc = t % (RACE_RUN_S + RACE_HOLD_S)
        return min(n, int(tc / RACE_RUN_S * n))

    def _draw_race(self, t: float):
        k = self._race_step(t)
        return self.memo("race", k, lambda: self._race_frame(k))

    def _race_frame(self, k: int):
        st = self.cached("race", self._race_static)
        d, dp, wp = st["d"], st["dp"], st["wp"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        rows = []
        for loss, colour, name in (("bce", "accent2", "cross-entropy"), ("mse", "accent", "squared error")):
            run = d["runs"][loss]
            w, b = run[k]
            # σ lies in (0, 1), inside the data window: no clipping needed
            sc.path([(px, dp.fy(sigmoid(w * x + b))) for x, px in st["xs"]], stroke=colour, lw=3)
            # the part of the trajectory already walked, over the faint whole
            walked = st["paths"][loss][:k // st["stride"] + 1] + [(wp.fx(k), wp.fy(w))]
            sc.path(walked, stroke=colour, lw=3)
            sc.circle(wp.fx(k), wp.fy(w), 6, fill=colour, stroke="bg", lw=2)
            loss_v, gw, _ = neuron_loss_gradient(w, b, RACE_X, RACE_Y, loss)
            rows.append((name, colour, w, b, loss_v, gw, race_correct(w, b), d["done"][loss]))
        sc.text(20, 448, f"step {k} of {d['steps']}", size=BODY, bold=True, base="t")
        y = 480
        for name, colour, w, b, loss_v, gw, right, done in rows:
            unit = " nats" if name == "cross-entropy" else ""
            when = (f"all 8 right from step {done}" if done is not None and done <= k
                    else ("all 8 right at step " + str(done) + " (not yet)") if done is not None
                    else f"not all right within {RACE_STEPS} steps")
            if done is not None and done > d["steps"]:
                when = f"not all right within {d['steps']} steps"
            sc.text(20, y, f"{name}: w = {num(w, 2)}, b = {num(b, 2)}, loss {num(loss_v)}{unit}, "
                           f"\u2202L/\u2202w = {sig(gw, 3)}, {right} of 8 right", size=SMALL, fill=colour,
                    bold=True, base="t")
            sc.text(20, y + 24, f"    {when}", size=SMALL, fill="muted", base="t")
            y += 56
        tel = []
        for name, colour, w, b, loss_v, gw, right, done in rows:
            key = "ce" if name == "cross-entropy" else "mse"
            tel += [metric(f"w_{key}", f"w ({name})", w, num(w, 3), ""),
                    metric(f"right_{key}", f"points right ({name})", right, f"{right} of 8", "")]
        tel.append(metric("step", "step", k, str(k), ""))
        return sc, tel

    def _race_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("race", self._race_static)["d"]
        n = d["steps"]
        period = RACE_RUN_S + RACE_HOLD_S
        out = []
        for loss, name in (("bce", "binary cross-entropy"), ("mse", "squared error")):
            k = d["done"][loss]
            if k is None or k > n:
                continue
            phase = k / n * RACE_RUN_S
            f, l_ = periodic_hits(t0, t1, phase, period)
            if l_ >= f:
                out.append((l_ * period + phase, f"Step {k}: the neuron trained by {name} gets all 8 points right."))
        f, l_ = periodic_hits(t0, t1, RACE_RUN_S, period)
        if l_ >= f:
            ce_k, mse_k = d["done"]["bce"], d["done"]["mse"]
            if mse_k is None:
                tail = f"squared error had not got every point right after {RACE_STEPS} steps."
            elif ce_k:
                tail = (f"cross-entropy needed {ce_k} steps, squared error {mse_k}: "
                        f"{mse_k / ce_k:.0f}\u00d7 as many.")
            else:
                tail = "both started right."
            out.append((l_ * period + RACE_RUN_S, f"{n} steps shown: {tail}"))
        return [s for _, s in sorted(out)]

    # -- smoothing view ------------------------------------------------------------------

    GAP_PLOT = (540, 112, 390, 270)
    SB_TOP, SB_BOT = 150, 330

    def _smooth_data(self) -> dict:
        eps, v = self["eps"], vocab_size(self["vocab"])
        runs = {"eps": smoothing_run(v, eps), "zero": smoothing_run(v, 0.0)}
        return {"eps": eps, "V": v, "runs": runs, "gap_star": optimal_logit_gap(v, eps),
                "floor": smoothing_floor(v, eps), "target": smoothed_probs(v, eps)}

    def _smooth_static(self) -> dict:
        d = self._smooth_data()
        eps, v = d["eps"], d["V"]
        sc = Scene(*self.size)
        self._header(sc, "Label smoothing: a target the softmax can reach",
                     f"Target p\u1d4b = (1 \u2212 \u03b5)\u00b7one-hot + \u03b5/V with \u03b5 = {eps:.2f}, V = {v:,}. "
                     f"Free logits trained from equal, \u03b7 = {SMOOTH_LR:g}.")
        top = max(max(d["runs"]["zero"]), max(d["runs"]["eps"]))
        ymax = float(math.ceil(top / 2) * 2 + 2)
        gp = Plot(*self.GAP_PLOT, xlim=(1.0, float(SMOOTH_STEPS)), ylim=(0.0, ymax), xlog=True)
        gp.frame(sc, xticks=(1.0, 10.0, 100.0, 1000.0, 10000.0), yticks=[float(y) for y in range(0, int(ymax) + 1,
                                                                                                   4 if ymax > 12 else 2)],
                 size=SMALL, xlabel="step (log scale)", ylabel="logit gap z(true) \u2212 z(other)", marks=False)
        zero = d["runs"]["zero"]
        steps = _log_steps(SMOOTH_STEPS, 160)
        # the window holds both runs (ymax is above their largest gap), so these points need no clipping
        sc.path([(gp.fx(k), gp.fy(zero[k])) for k in steps], stroke="muted", lw=2.5, dash=(7, 5))
        run = d["runs"]["eps"]
        eps_pts = [(gp.fx(k), gp.fy(run[k])) for k in steps]
        if eps > 0:
            sc.path(eps_pts, stroke="accent2", lw=3, alpha=0.35)
            if math.isfinite(d["gap_star"]):
                gp.hline(sc, d["gap_star"], stroke="accent3", lw=2, dash=(6, 4))
        # legend above the plot, right of the bars
        lx = gp.x
        sc.line(lx, 444, lx + 26, 444, stroke="accent2", lw=3)
        sc.text(lx + 34, 444, f"\u03b5 = {eps:.2f}", size=SMALL, fill="accent2", bold=True)
        sc.line(lx + 130, 444, lx + 156, 444, stroke="muted", lw=2.5, dash=(7, 5))
        sc.text(lx + 164, 444, "\u03b5 = 0 (one-hot)", size=SMALL, fill="muted", bold=True)
        if eps > 0:
            sc.line(lx, 468, lx + 26, 468, stroke="accent3", lw=2, dash=(6, 4))
            sc.text(lx + 34, 468, f"\u0394* = ln(1 + V(1 \u2212 \u03b5)/\u03b5) = {num(d['gap_star'], 2)}",
                    size=SMALL, fill="accent3", bold=True)
        else:
            sc.text(lx, 468, "\u03b5 = 0: no finite best gap", size=SMALL, fill="accent3", bold=True)
        # the bars: target and model for the true class and one other class
        sc.text(20, 92, "true class", size=SMALL, bold=True, fill="good")
        sc.text(250, 92, f"each of the other {v - 1:,}", size=SMALL, bold=True)
        for x0 in (30, 260):
            sc.line(x0 - 6, self.SB_BOT, x0 + 200, self.SB_BOT, stroke="muted")
        a, b = d["target"]
        h = self.SB_BOT - self.SB_TOP
        sc.rect(40, self.SB_TOP, 50, h, stroke="good", lw=2, label="one-hot target 1")
        for x0, val in ((40, a), (265, b)):
            bh = h * val
            if bh > 0.4:
                sc.rect(x0, self.SB_BOT - bh, 50, bh, fill="accent3", alpha=0.85, label="smoothed target")
            sc.text(x0 + 25, self.SB_BOT + 8, "target", size=SMALL, align="c", base="t", fill="accent3")
            sc.text(x0 + 25, self.SB_BOT + 30, sig(val, 2), size=SMALL, align="c", base="t", fill="accent3")
        if eps > 0:
            floor_note = (f"With \u03b5 > 0 the loss is least when q = p\u1d4b: H(p\u1d4b, q) \u2265 H(p\u1d4b) = "
                          f"{num(d['floor'])} nats, the floor no model goes below.")
        else:
            floor_note = "With \u03b5 = 0 the target is one-hot: its floor of 0 nats is reached only in the limit."
        sc.text(20, 500, floor_note, size=SMALL, fill="muted", base="t")
        sc.text(20, 524, "With \u03b5 = 0 the best q(true) is 1, which no finite logits reach: the gap grows "
                         "for ever.", size=SMALL, fill="muted", base="t")
        sc.text(20, 548, "Green outline: the one-hot target, 1 for the true class and 0 for the others.",
                size=SMALL, fill="good", base="t")
        return {"items": sc.items, "d": d, "gp": gp, "steps": steps, "eps_pts": eps_pts}

    def _smooth_step(self, t: float) -> int:
        tc = t % (SMOOTH_RUN_S + SMOOTH_HOLD_S)
        s = min(1.0, tc / SMOOTH_RUN_S)
        return min(SMOOTH_STEPS, int(round(10 ** (4 * s))))

    def _draw_smooth(self, t: float):
        k = self._smooth_step(t)
        return self.memo("smooth", k, lambda: self._smooth_frame(k))

    def _smooth_frame(self, k: int):
        st = self.cached("smooth", self._smooth_static)
        d, gp = st["d"], st["gp"]
        v, eps = d["V"], d["eps"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        run, zero = d["runs"]["eps"], d["runs"]["zero"]
        if eps > 0:
            n_done = bisect.bisect_right(st["steps"], k)
            sc.path(st["eps_pts"][:n_done] + [(gp.fx(k), gp.fy(run[k]))], stroke="accent2", lw=3)
        g_eps, g_zero = run[k], zero[k]
        for g, colour in ((g_zero, "muted"), (g_eps, "accent2")):
            if gp.contains(k, g):
                sc.circle(gp.fx(k), gp.fy(g), 6, fill=colour, stroke="bg", lw=2)
        sc.line(gp.fx(k), gp.y, gp.fx(k), gp.y + gp.h, stroke="ink", lw=1, dash=(3, 4))
        # the model's q at this step, beside each target bar
        h = self.SB_BOT - self.SB_TOP
        q_true = sigmoid(g_eps - math.log(v - 1))
        q_other = (1.0 - q_true) / (v - 1)
        for x0, val in ((120, q_true), (345, q_other)):
            bh = h * val
            if bh > 0.4:
                sc.rect(x0, self.SB_BOT - bh, 50, bh, fill="accent2", alpha=0.9, label="model q")
            sc.text(x0 + 25, self.SB_BOT + 8, "model q", size=SMALL, align="c", base="t", fill="accent2")
            sc.text(x0 + 25, self.SB_BOT + 30, sig(val, 2), size=SMALL, align="c", base="t", fill="accent2")
        loss = gap_smoothed_cross_entropy(g_eps, v, eps)
        loss0 = gap_smoothed_cross_entropy(g_zero, v, 0.0)
        sc.text(20, 400, f"step {k:,}", size=BODY, bold=True, base="t")
        sc.text(20, 430, f"\u03b5 = {eps:.2f}: gap {num(g_eps, 2)}, loss {num(loss)} nats", size=SMALL,
                fill="accent2", bold=True, base="t")
        sc.text(20, 454, f"\u03b5 = 0: gap {num(g_zero, 2)}, loss {sig(loss0, 3)} nats", size=SMALL, fill="muted",
                bold=True, base="t")
        tel = [
            metric("step", "step", k, f"{k:,}", ""),
            metric("gap", f"logit gap (\u03b5 = {eps:.2f})", g_eps, num(g_eps, 3), ""),
            metric("gap0", "logit gap (\u03b5 = 0)", g_zero, num(g_zero, 3), ""),
            metric("gap_star", "best gap \u0394*", d["gap_star"] if math.isfinite(d["gap_star"]) else 0.0,
                   num(d["gap_star"], 3), ""),
            metric("floor", "loss floor H(p\u1d4b)", d["floor"], f"{num(d['floor'])} nats", "nats"),
            metric("loss", "smoothed loss now", loss, f"{num(loss)} nats", "nats"),
        ]
        return sc, tel

    def _smooth_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("smooth", self._smooth_static)["d"]
        period = SMOOTH_RUN_S + SMOOTH_HOLD_S
        f, l_ = periodic_hits(t0, t1, SMOOTH_RUN_S, period)
        if l_ < f:
            return []
        run, zero = d["runs"]["eps"], d["runs"]["zero"]
        if d["eps"] > 0:
            text = (f"{SMOOTH_STEPS:,} steps: with \u03b5 = {d['eps']:.2f} the gap sits at {num(run[-1], 3)} "
                    f"(best {num(d['gap_star'], 3)}); with \u03b5 = 0 it has reached {num(zero[-1], 2)} and is "
                    f"still growing.")
        else:
            text = (f"{SMOOTH_STEPS:,} steps with a one-hot target: the gap has reached {num(zero[-1], 2)} "
                    f"and is still growing.")
        return [text]


def _log_steps(k: int, n: int = 120) -> list[int]:
    """About ``n`` whole steps from 1 to ``k``, evenly spaced on a log axis, ending at ``k``."""
    if k <= 1:
        return [1]
    out = sorted({max(1, int(round(k ** (j / n)))) for j in range(n + 1)})
    if out[-1] != k:
        out.append(k)
    return out
