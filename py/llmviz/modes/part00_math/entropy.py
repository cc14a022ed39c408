"""Probability, entropy, cross-entropy, KL: the workshop of chapter p00-c06.

Every view works on one small vocabulary, the six tokens that might follow
"The cat sat on the": mat, floor, sofa, bed, roof, moon. Four views, one
idea each:

* surprise: tokens are drawn from a distribution p, one after another. Each
  draw costs −log p(token) of surprise; the running average of those
  surprises settles on the entropy H(p).
* compare: the truth p and a model's guess q as paired bars. q is a
  softmax of logits that favour one token, divided by a temperature τ. A
  cursor adds the terms p·(−log q) one token at a time into the
  cross-entropy H(p, q), drawn as H(p) plus the gap KL(p‖q).
* nexttoken (and logit, its paused twin with a slider): a model's logits
  become q by softmax; the truth is a one-hot vector; the loss is
  −ln q(true token). The true token's logit climbs and the loss slides
  down its curve, with the tangent's slope q − 1 beside it.
* perplexity: a distribution over n tokens next to a fair choice among
  2^H of them, the number of tokens it is "effectively choosing among".

Every number goes through :mod:`llmviz.calc.information`; the vocabulary of
Llama 3 8B, quoted in two views, comes from the catalog.
"""
from __future__ import annotations

import math

from ...calc.information import cross_entropy, entropy, kl_divergence, perplexity, softmax, surprisal
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.scene import Scene
from ...core.geometry import clip_segment

MODEL = "llama-3-8b"
TOKENS = ("mat", "floor", "sofa", "bed", "roof", "moon")
CONTEXT = "The cat sat on the"
V = len(TOKENS)

# the truth p: four shapes a reader can compute with by hand
P_PRESETS = {
    "certain": (1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "peaked": (1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 32),
    "two": (0.5, 0.5, 0.0, 0.0, 0.0, 0.0),
    "uniform": (1 / 6,) * 6,
}
P_LABELS = {
    "certain": "certain: always mat",
    "peaked": "peaked: 1/2, 1/4, 1/8, …",
    "two": "two-way: mat or floor",
    "uniform": "uniform: all six 1/6",
}
# the model's logits in the compare view, the top one on the favoured token and the
# rest following it round the vocabulary. 2^z / Σ 2^z is exactly the "peaked" p, so
# τ = 1/ln 2 makes q equal p when q favours mat.
Q_PROFILE = (3.0, 2.0, 1.0, 0.0, -1.0, -1.0)
# the next-token view: the other tokens' logits; the true token's own is z
BASE_LOGITS = (2.0, 1.5, 1.0, 0.5, 0.0, -1.0)
Z_LO, Z_HI = -4.0, 8.0

DRAWS = 60             # draws per cycle in the surprise view
DRAW_RATE = 4.0        # draws per second
DRAW_HOLD_S = 4.0      # seconds the finished average stays up before the draws restart
TERM_S = 1.0           # seconds per token as the compare view adds its sum
SUM_HOLD_S = 3.0       # seconds the finished sum stays up
RISE_S = 10.0          # seconds for the true logit to climb from Z_LO to Z_HI
TOP_HOLD_S = 2.0       # seconds it rests at the top before starting again
COUNT_S = 2.0          # seconds to count out the fair choices in the perplexity view

S_BASE, S_H = 360, 230  # the surprise view's bars: baseline and height of probability 1

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

_UNIT = {"bits": (2.0, "bits", "log\u2082"), "nats": (math.e, "nats", "ln")}


# -- small pure helpers ---------------------------------------------------------


def _minus(s: str) -> str:
    return s.replace("-", "\u2212")


def fmt_num(x: float, digits: int = 2) -> str:
    """A number for a label: ``digits`` decimals, whole numbers bare, ∞ for infinity."""
    if x == math.inf:
        return "\u221e"
    if abs(x - round(x)) < 1e-9:
        return _minus(str(int(round(x))))
    return _minus(f"{x:.{digits}f}")


def qty(x: float, unit: str, digits: int = 2, trim: bool = False) -> str:
    """A number with its unit, singular for exactly 1: ``1 bit``, ``1.94 bits``.

    With ``trim`` trailing zeros go, so an entropy that is exact in a few
    decimals reads as the reader's hand sum gives it: ``1.9375 bits``.
    """
    text = fmt_num(x, digits)
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "1" and unit.endswith("s"):
        unit = unit[:-1]
    return f"{text} {unit}"


def fmt_prob(p: float) -> str:
    """A probability as a reader computes with it: 1/32 for the presets, else a decimal."""
    if p == 0:
        return "0"
    if p == 1:
        return "1"
    for d in (2, 3, 4, 6, 8, 16, 32, 64):
        if abs(p * d - round(p * d)) < 1e-9:
            return f"{int(round(p * d))}/{d}"
    if p < 0.001:
        return f"{p:.0e}".replace("e-0", "e-").replace("-", "\u2212")
    return f"{p:.3f}"


def rotate_profile(favour: int, profile=Q_PROFILE) -> list[float]:
    """Logits with ``profile[0]`` on token ``favour`` and the rest following it round the vocabulary."""
    n = len(profile)
    return [profile[(i - favour) % n] for i in range(n)]


def next_token_logits(truth: int, z: float) -> list[float]:
    """The next-token view's logits: :data:`BASE_LOGITS`, with the true token's own set to ``z``."""
    zs = list(BASE_LOGITS)
    zs[truth] = z
    return zs


def one_hot(index: int, size: int = V) -> list[float]:
    """The one-hot vector of length ``size``: 1 at ``index``, 0 elsewhere."""
    return [1.0 if i == index else 0.0 for i in range(size)]


def geometric(n: int, r: float) -> list[float]:
    """p_i ∝ r^i over n tokens: each token r times as likely as the one before."""
    w = [r ** i for i in range(n)]
    s = math.fsum(w)
    return [x / s for x in w]


def _mix64(x: int) -> int:
    # splitmix64's finaliser: the same 64-bit scramble on every Python
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def draw_tokens(p, count: int, seed: int = 0) -> list[int]:
    """``count`` token indices drawn from ``p`` by inverse CDF on a seeded hash; deterministic."""
    cdf, acc = [], 0.0
    for x in p:
        acc += x
        cdf.append(acc)
    out = []
    for k in range(count):
        u = (_mix64(seed * 1_000_003 + k) >> 11) / float(1 << 53)
        i = next((j for j, c in enumerate(cdf) if u < c and p[j] > 0), None)
        if i is None:   # u beyond the rounded sum: the last token with any probability
            i = max(j for j, x in enumerate(p) if x > 0)
        out.append(i)
    return out


def loss_curve_point(truth: int, z: float) -> tuple[float, float, float]:
    """(q(truth), loss in nats, slope dLoss/dz) for the next-token view at true logit ``z``."""
    q = softmax(next_token_logits(truth, z))
    qt = q[truth]
    return qt, cross_entropy(one_hot(truth), q, base=math.e), qt - 1.0



def periodic_hits(t0: float, t1: float, phase: float, period: float) -> tuple[int, int]:
    """Occurrences k of an event at times k·period + phase (k ≥ 0) inside (t0, t1]: (first k, last k)."""
    first = max(0, math.floor((t0 - phase) / period) + 1)
    last = math.floor((t1 - phase) / period)
    return first, last


# -- the mode -------------------------------------------------------------------


class EntropyMode(Mode):
    """Surprise and entropy; p against q with H, cross-entropy and KL; the next-token loss; perplexity."""

    id = "p00-c06-entropy"
    chapter = "p00-c06-entropy"
    title = "Probability, entropy, cross-entropy, KL"
    step_dt = 0.25
    size = (960, 600)

    params = (
        Choice("p", "the truth p", default="peaked",
               options=tuple((k, P_LABELS[k]) for k in P_PRESETS),
               help="How likely each of the six tokens really is after “The cat sat on the”."),
        Choice("unit", "unit", default="bits",
               options=(("bits", "bits (log base 2)"), ("nats", "nats (log base e)")),
               help="Logarithms in base 2 count bits; natural logarithms count nats (1 nat ≈ 1.443 bits)."),
        Choice("favour", "q favours", default="mat", options=tuple((t, t) for t in TOKENS),
               help="The token that gets the model's largest logit; the others follow it round the vocabulary."),
        Number("temp", "temperature τ", lo=0.1, hi=5.0, step=0.01, default=1.0, log=True,
               help="Every logit is divided by τ before the softmax: τ < 1 sharpens q, τ > 1 flattens it."),
        Choice("truth", "true next token", default="mat", options=tuple((t, t) for t in TOKENS),
               help="The token that actually came next in the text: the one-hot target."),
        Number("z", "logit of the true token", lo=Z_LO, hi=Z_HI, step=0.1, default=2.0,
               help="The model's raw score for the true token; the other five logits stay fixed."),
        Number("n", "tokens n", lo=2, hi=20, step=1, default=12, integer=True,
               help="How many tokens the distribution in the perplexity view spreads over."),
        Number("decay", "each token vs the one before", lo=0.05, hi=1.0, step=0.01, default=0.6,
               help="Token i+1 is this many times as likely as token i: 1 is uniform, small is nearly certain."),
    )

    submodes = {
        "surprise": Submode("Surprise", {"p": "peaked", "unit": "bits"},
                            "Draws from p: each costs −log p(token); their average settles on H(p).",
                            ("p", "unit")),
        "compare": Submode("p against q", {"p": "peaked", "favour": "mat", "temp": 1.0, "unit": "bits"},
                           "The truth p and a model's q: H(p, q) = H(p) + KL(p‖q), added token by token.",
                           ("p", "favour", "temp", "unit")),
        "nexttoken": Submode("Next-token loss", {"truth": "mat"},
                             "The true token's logit climbs; the loss −ln q(truth) slides down its curve.",
                             ("truth",)),
        "logit": Submode("One logit", {"truth": "mat", "z": 2.0},
                         "Set the true token's logit yourself: q by softmax, loss −ln q(truth).",
                         ("truth", "z")),
        "perplexity": Submode("Perplexity", {"n": 12, "decay": 0.6},
                              "A distribution beside a fair choice among 2^H tokens: its perplexity.",
                              ("n", "decay")),
    }
    default_submode = "surprise"

    # -- which view ------------------------------------------------------------

    def view(self) -> str:
        """The picture the current sub-mode shows: surprise, compare, nexttoken or perplexity."""
        return "nexttoken" if self.submode == "logit" else self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "compare":
            return self._draw_compare(t)
        if v == "nexttoken":
            return self._draw_next(t)
        if v == "perplexity":
            return self._draw_perplexity(t)
        return self._draw_surprise(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "compare":
            out = self._compare_events(t0, t1)
        elif v == "nexttoken":
            out = self._next_events(t0, t1)
        elif v == "perplexity":
            out = self._perplexity_events(t0, t1)
        else:
            out = self._surprise_events(t0, t1)
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    def _unit(self) -> tuple[float, str, str]:
        """(log base, unit name, log symbol) of the chosen unit."""
        return _UNIT[self["unit"]]

    def _p(self) -> tuple[float, ...]:
        return P_PRESETS[self["p"]]

    # -- surprise view ----------------------------------------------------------

    def _surprise_data(self) -> dict:
        p = self._p()
        base, unit, log = self._unit()
        s = [surprisal(x, base) for x in p]
        draws = draw_tokens(p, DRAWS, self.seed)
        cum, acc = [0.0], 0.0
        for i in draws:
            acc += s[i]
            cum.append(acc)
        finite = [x for x, pi in zip(s, p) if pi > 0]
        top = max(finite)
        ymax = 3 if unit == "bits" else 2
        while ymax < top + 0.4:
            ymax += 1
        return {"p": p, "s": s, "draws": draws, "cum": cum, "H": entropy(p, base),
                "base": base, "unit": unit, "log": log, "ymax": ymax}

    def _surprise_static(self) -> dict:
        d = self._surprise_data()
        p, s, unit, log = d["p"], d["s"], d["unit"], d["log"]
        sc = Scene(*self.size)
        self._header(sc, "Surprise, and its average: entropy",
                     f"Each draw from p costs \u2212{log} p(token) {unit} of surprise; the running average "
                     f"settles on H(p).")
        sc.text(20, 92, f"p: how likely each token is after \u201c{CONTEXT}\u201d", size=BODY, bold=True)
        self._prob_bars(sc, p, x0=130, slot=60, base_y=S_BASE, height=S_H, fill="accent")
        row = S_BASE + 40
        sc.text(122, row, f"\u2212{log} p", size=SMALL, fill="muted", align="r", base="t")
        for i, x in enumerate(s):
            cx = 130 + 60 * i + 30
            sc.text(cx, row, fmt_num(x) if p[i] > 0 else "\u2014", size=SMALL, align="c", base="t",
                    fill="ink" if p[i] > 0 else "muted")
        sc.text(20, row + 30, f"surprise in {unit}; a token with p = 0 is never drawn", size=SMALL,
                fill="muted", base="t")
        if unit == "bits":
            sc.text(20, row + 54, "1 bit: the answer to one fair yes-or-no question", size=SMALL,
                    fill="muted", base="t")
        else:
            sc.text(20, row + 54, "1 nat = 1/ln 2 \u2248 1.443 bits", size=SMALL, fill="muted", base="t")
        # the plot of surprise per draw and its running average
        fx, fy = sc.axes(560, 120, 370, 250, (0, DRAWS), (0, d["ymax"]), xlabel="draws",
                         ylabel=f"surprise ({unit})", xticks=(0, 20, 40, 60),
                         yticks=tuple(range(0, d["ymax"] + 1, 1 if d["ymax"] <= 6 else 2)),
                         tick_fmt=lambda v: fmt_num(v), size=SMALL)
        hy = fy(d["H"])
        sc.line(fx(0), hy, fx(DRAWS), hy, stroke="accent3", lw=2, dash=(6, 4))
        sc.text(fx(DRAWS), hy - 4, f"H(p) = {qty(d['H'], unit)}", size=SMALL, fill="accent3", bold=True,
                align="r", base="b")
        # a formula line the reader can redo by hand
        terms = [f"{fmt_prob(pi)}\u00b7{fmt_num(si)}" for pi, si in zip(p, s) if pi > 0]
        sc.text(20, 572, f"H(p) = \u03a3 p\u00b7(\u2212{log} p) = " + " + ".join(terms)
                + f" = {qty(d['H'], unit, 4, trim=True)}", size=SMALL, base="m")
        return {"items": sc.items, "fx": fx, "fy": fy, "d": d}

    def _prob_bars(self, sc: Scene, p, x0: float, slot: float, base_y: float, height: float,
                   fill: str, bar_w: float = 40.0) -> None:
        """Bars of a distribution over the six tokens, its values above and token names below."""
        sc.line(x0 - 4, base_y, x0 + slot * len(p) + 4, base_y, stroke="muted")
        for i, x in enumerate(p):
            bx = x0 + slot * i + (slot - bar_w) / 2
            h = height * x
            if h > 0:
                sc.rect(bx, base_y - h, bar_w, h, fill=fill, alpha=0.85, label=f"p({TOKENS[i]})")
            sc.text(bx + bar_w / 2, base_y - h - 5, fmt_prob(x), size=SMALL, align="c", base="b")
            sc.text(bx + bar_w / 2, base_y + 8, TOKENS[i], size=BODY, align="c", base="t")

    def _surprise_position(self, t: float) -> tuple[int, bool]:
        """(draws done at time ``t`` within the current cycle, finished)."""
        run = DRAWS / DRAW_RATE
        tc = t % (run + DRAW_HOLD_S)
        if tc >= run:
            return DRAWS, True
        return min(DRAWS, int(tc * DRAW_RATE) + 1), False

    def _draw_surprise(self, t: float):
        k, finished = self._surprise_position(t)
        return self.memo("surprise", (k, finished), lambda: self._surprise_frame(k, finished))

    def _surprise_frame(self, k: int, finished: bool):
        """The surprise view after ``k`` draws (all of them and resting if ``finished``)."""
        st = self.cached("surprise", self._surprise_static)
        d, fx, fy = st["d"], st["fx"], st["fy"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        draws, cum, s, p, unit, log = d["draws"], d["cum"], d["s"], d["p"], d["unit"], d["log"]
        # each draw's surprise, and the running average through them
        for j in range(k):
            sc.circle(fx(j + 1), fy(s[draws[j]]), 3.2, fill="muted", alpha=0.8)
        sc.path([(fx(j), fy(cum[j] / j)) for j in range(1, k + 1)], stroke="accent", lw=2.5)
        avg = cum[k] / k
        sc.circle(fx(k), fy(avg), 5, fill="accent")
        last = draws[k - 1]
        # the token just drawn, outlined on the left
        bx = 130 + 60 * last + 10
        sc.rect(bx - 4, S_BASE - S_H * p[last] - 26, 48, S_H * p[last] + 26 + 34, stroke="accent2", lw=2.5,
                r=4)
        y = 432
        lines = (
            (f"draw {k} of {DRAWS}: \u201c{TOKENS[last]}\u201d, p = {fmt_prob(p[last])}", "ink", False),
            (f"surprise \u2212{log} {fmt_prob(p[last])} = {qty(s[last], unit)}", "accent2", True),
            (f"average of {k} draw{'s' if k > 1 else ''}: {qty(avg, unit, 3)}", "accent", True),
            (f"entropy H(p): {qty(d['H'], unit, 4, trim=True)}", "accent3", True),
        )
        for text, fill, bold in lines:
            sc.text(560, y, text, size=BODY, fill=fill, bold=bold, base="t")
            y += 30
        if finished:
            sc.text(20, S_BASE + 124, "all draws done; starting again soon", size=SMALL, fill="good", base="t")
        tel = [
            metric("H", "entropy H(p)", d["H"], f"{qty(d['H'], unit, 4, trim=True)}", unit,
                   "the average surprise of a draw from p"),
            metric("draws", "draws so far", k, f"{k} of {DRAWS}", ""),
            metric("last", "last draw's surprise", s[last], f"{qty(s[last], unit, 3)}", unit),
            metric("avg", "running average", avg, f"{qty(avg, unit, 3)}", unit),
            metric("gap", "average \u2212 H(p)", avg - d["H"], f"{qty(avg - d['H'], unit, 3)}", unit),
        ]
        return sc, tel

    def _surprise_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("surprise", self._surprise_static)["d"]
        cycle = DRAWS / DRAW_RATE + DRAW_HOLD_S
        first, last = periodic_hits(t0, t1, DRAWS / DRAW_RATE - 1e-9, cycle)
        out = []
        # every 20th draw reports the average; only the latest few of a long jump
        for k in (20, 40):
            f, l_ = periodic_hits(t0, t1, (k - 1) / DRAW_RATE, cycle)
            if l_ >= f:
                out.append((l_ * cycle + (k - 1) / DRAW_RATE, f"{k} draws: average surprise {fmt_num(d['cum'][k] / k, 3)} "
                                            f"{d['unit']}, H(p) = {qty(d['H'], d['unit'], 3)}."))
        if last >= first:
            avg = d["cum"][DRAWS] / DRAWS
            out.append((last * cycle + DRAWS / DRAW_RATE,
                        f"All {DRAWS} draws: average surprise {qty(avg, d['unit'], 3)} against "
                        f"H(p) = {qty(d['H'], d['unit'], 3)}; more draws would bring it closer."))
        return [s for _, s in sorted(out)]

    # -- compare view ------------------------------------------------------------

    def _compare_data(self) -> dict:
        p = self._p()
        base, unit, log = self._unit()
        f = TOKENS.index(self["favour"])
        z = rotate_profile(f)
        q = softmax(z, self["temp"])
        sq = [surprisal(x, base) for x in q]
        terms = [pi * si if pi > 0 else 0.0 for pi, si in zip(p, sq)]
        return {"p": p, "q": q, "z": z, "sq": sq, "terms": terms, "base": base, "unit": unit, "log": log,
                "H": entropy(p, base), "CE": cross_entropy(p, q, base), "KL": kl_divergence(p, q, base),
                "favour": TOKENS[f]}

    X0, SLOT = 130, 72
    BASE_Y, BAR_H = 330, 215
    ROWS_Y = (372, 396, 420, 444, 468)

    def _compare_static(self) -> dict:
        d = self._compare_data()
        p, q, unit, log = d["p"], d["q"], d["unit"], d["log"]
        x0, slot, by, bh = self.X0, self.SLOT, self.BASE_Y, self.BAR_H
        sc = Scene(*self.size)
        self._header(sc, "Scoring a model's guess q against the truth p",
                     "The cost of q is the truth's own entropy plus a gap: H(p, q) = H(p) + KL(p\u2016q).")
        # legend
        sc.rect(x0, 80, 16, 16, fill="accent")
        sc.text(x0 + 22, 88, "p: the truth", size=SMALL)
        sc.rect(x0 + 150, 80, 16, 16, fill="accent2")
        sc.text(x0 + 172, 88, "q: the model's guess", size=SMALL)
        # probability scale
        for v in (0.5, 1.0):
            y = by - bh * v
            sc.line(x0 - 4, y, x0 + slot * V, y, stroke="grid")
            sc.text(x0 - 8, y, fmt_num(v, 1), size=SMALL, fill="muted", align="r")
        sc.line(x0 - 4, by, x0 + slot * V + 4, by, stroke="muted")
        sc.text(x0 - 8, by, "0", size=SMALL, fill="muted", align="r")
        for i in range(V):
            sx = x0 + slot * i
            for val, dx, fill in ((p[i], 8, "accent"), (q[i], 38, "accent2")):
                h = bh * val
                if h > 0:
                    sc.rect(sx + dx, by - h, 26, h, fill=fill, alpha=0.9,
                            label=f"{'p' if fill == 'accent' else 'q'}({TOKENS[i]})")
            sc.text(sx + slot / 2, by + 6, TOKENS[i], size=BODY, align="c", base="t")
        # the table a reader can redo by hand
        heads = ("p", "z (logit)", "q", f"\u2212{log} q", f"p\u00b7(\u2212{log} q)")
        for y, head in zip(self.ROWS_Y, heads):
            sc.text(x0 - 8, y, head, size=SMALL, fill="muted", align="r", base="t")
        for i in range(V):
            cx = x0 + slot * i + slot / 2
            cells = (fmt_prob(p[i]), fmt_num(d["z"][i]), fmt_prob(q[i]), fmt_num(d["sq"][i]),
                     fmt_num(d["terms"][i], 3) if p[i] > 0 else "0")
            for y, cell in zip(self.ROWS_Y, cells):
                sc.text(cx, y, cell, size=SMALL, align="c", base="t")
        # the totals, and the decomposition bar
        rx = 600
        sc.text(rx, 96, f"H(p) = {qty(d['H'], unit, 3)}", size=BODY, bold=True, fill="accent", base="t")
        sc.text(rx, 124, f"KL(p\u2016q) = {qty(d['KL'], unit, 3)}", size=BODY, bold=True, fill="accent3",
                base="t")
        sc.text(rx, 152, f"H(p, q) = {qty(d['CE'], unit, 3)}", size=BODY, bold=True, base="t")
        scale_max = 6.0 if unit == "bits" else 4.0
        bw = 330.0
        ux = bw / scale_max
        h_w = min(bw, d["H"] * ux)
        kl_w = min(bw - h_w, d["KL"] * ux)
        if h_w > 0:
            sc.rect(rx, 186, h_w, 28, fill="accent", label="H(p)")
        if kl_w > 0:
            sc.rect(rx + h_w, 186, kl_w, 28, fill="accent3", label="KL(p||q)")
        sc.rect(rx, 186, bw, 28, stroke="faint")
        for v in range(0, int(scale_max) + 1, 2 if unit == "bits" else 1):
            sc.line(rx + v * ux, 214, rx + v * ux, 220, stroke="muted")
            sc.text(rx + v * ux, 222, str(v), size=SMALL, fill="muted", align="c", base="t")
        if d["CE"] > scale_max:
            sc.text(rx + bw, 266, f"H(p, q) is off the scale: {qty(d['CE'], unit, 1)}", size=SMALL,
                    fill="bad", align="r", base="t")
        sc.text(rx + bw, 246, unit, size=SMALL, fill="muted", align="r", base="t")
        sc.text(rx, 246, "H(p) + KL = H(p, q)", size=SMALL, fill="muted", base="t")
        sc.text(rx, 378, f"q = softmax(z / \u03c4), \u03c4 = {self['temp']:.2f}", size=BODY, base="t")
        sc.text(rx, 404, f"the largest logit is on \u201c{d['favour']}\u201d", size=SMALL, fill="muted", base="t")
        # a closing remark that names the state
        if self["p"] == "certain":
            note = "p is certain: H(p) = 0, so the whole cost is the gap KL, which is \u2212" \
                   f"{log} q(mat)."
        elif d["KL"] < 1e-3:
            note = "q matches p: the gap is (almost) 0 and the model pays only the truth's own entropy."
        elif self["p"] in ("two", "certain") and d["favour"] not in ("mat", "floor"):
            note = "q puts its weight where p has none: the truth's tokens are rare to q, so they cost a lot."
        else:
            note = "Change \u03c4 or the favoured token: H(p) stays, only the gap KL moves."
        sc.text(20, 576, note, size=SMALL, fill="muted", base="m")
        return {"items": sc.items, "d": d}

    def _compare_position(self, t: float) -> tuple[int, bool]:
        """(tokens added so far, finished) at time ``t`` of the summing cursor's cycle."""
        run = V * TERM_S
        tc = t % (run + SUM_HOLD_S)
        if tc >= run:
            return V, True
        return int(tc / TERM_S), False

    def _draw_compare(self, t: float):
        k, finished = self._compare_position(t)
        return self.memo("compare", (k, finished), lambda: self._compare_frame(k, finished))

    def _compare_frame(self, k: int, finished: bool):
        """The compare view with ``k`` terms added (all six and resting if ``finished``)."""
        st = self.cached("compare", self._compare_static)
        d = st["d"]
        sc = self.new_scene()
        x0, slot = self.X0, self.SLOT
        if not finished:
            # the column being added, behind its bars and numbers
            sc.rect(x0 + slot * k + 2, 100, slot - 4, self.ROWS_Y[-1] + 24 - 100, fill="hl", alpha=0.6)
        sc.items.extend(st["items"])
        p, terms, sq, unit, log = d["p"], d["terms"], d["sq"], d["unit"], d["log"]
        done = k + (0 if finished else 1)
        partial = math.fsum(terms[:done]) if all(
            terms[j] != math.inf for j in range(done)) else math.inf
        rx = 600
        if finished:
            lines = (("all six terms added:", "muted", False),
                     (f"H(p, q) = {qty(d['CE'], unit, 3)}", "ink", True))
        else:
            i = k
            lines = ((f"adding \u201c{TOKENS[i]}\u201d: {fmt_prob(p[i])} \u00d7 {fmt_num(sq[i])}"
                      f" = {fmt_num(terms[i], 3) if p[i] > 0 else '0'}", "ink", False),
                     (f"running sum: {qty(partial, unit, 3)}", "accent2", True))
        y = 290
        for text, fill, bold in lines:
            sc.text(rx, y, text, size=BODY, fill=fill, bold=bold, base="t")
            y += 28
        sc.text(rx, 450, f"H(p, q) adds p\u00b7(\u2212{log} q) token by token", size=SMALL,
                fill="muted", base="t")
        tel = [
            metric("H", "entropy H(p)", d["H"], f"{qty(d['H'], unit, 3)}", unit),
            metric("CE", "cross-entropy H(p, q)", d["CE"], f"{qty(d['CE'], unit, 3)}", unit),
            metric("KL", "KL(p\u2016q) = H(p, q) \u2212 H(p)", d["KL"], f"{qty(d['KL'], unit, 3)}", unit),
            metric("qtop", f"q({d['favour']})", max(d["q"]), f"{max(d['q']):.3f}", ""),
            metric("temp", "temperature \u03c4", self["temp"], f"{self['temp']:.2f}", ""),
        ]
        return sc, tel

    def _compare_events(self, t0: float, t1: float) -> list[str]:
        d = self.cached("compare", self._compare_static)["d"]
        first, last = periodic_hits(t0, t1, V * TERM_S, V * TERM_S + SUM_HOLD_S)
        if last < first:
            return []
        u = d["unit"]
        return [f"H(p, q) = \u03a3 p\u00b7(\u2212{d['log']} q) = {qty(d['CE'], u, 3)}: "
                f"H(p) {qty(d['H'], u, 3)} + KL {qty(d['KL'], u, 3)}."]

    # -- next-token view -------------------------------------------------------------

    def _z_at(self, t: float) -> float:
        """The true token's logit: the slider in the paused view; a climbing sweep otherwise."""
        if self.submode == "logit":
            return self["z"]
        tc = t % (RISE_S + TOP_HOLD_S)
        return Z_LO + (Z_HI - Z_LO) * min(1.0, tc / RISE_S)

    PLOT = (680, 130, 250, 230)   # x, y, w, h of the loss curve

    def _next_static(self) -> dict:
        truth = TOKENS.index(self["truth"])
        sc = Scene(*self.size)
        self._header(sc, "The next-token loss: the surprise at the true token",
                     "A model's logits become q by softmax; the truth is one-hot; the loss is \u2212ln q(truth).")
        sc.text(20, 90, f"\u201c{CONTEXT} ___\u201d", size=BODY, bold=True)
        sc.text(300, 90, f"the text continues with \u201c{TOKENS[truth]}\u201d", size=BODY, fill="good", bold=True)
        # panel titles
        sc.text(30, 116, "logits z", size=BODY, bold=True)
        sc.text(350, 116, "q = softmax(z), truth one-hot", size=BODY, bold=True)
        # logit axis: zero line and ticks
        x0, slot = 40, 44
        ytop, ybot = 138, 360

        def zy(z):
            return ybot - (z - Z_LO) / (Z_HI - Z_LO) * (ybot - ytop)
        for v in (-4, 0, 4, 8):
            sc.line(x0 - 4, zy(v), x0 + slot * V, zy(v), stroke="muted" if v == 0 else "grid")
            sc.text(x0 - 8, zy(v), _minus(str(v)), size=SMALL, fill="muted", align="r")
        # the other tokens' logits never move: draw them once
        for i in range(V):
            if i == truth:
                continue
            z = BASE_LOGITS[i]
            top, bot = sorted((zy(z), zy(0)))
            sc.rect(x0 + slot * i + 8, top, slot - 16, max(1.0, bot - top), fill="muted", alpha=0.7,
                    label=f"z({TOKENS[i]})")
        for i in range(V):
            sc.text(x0 + slot * i + slot / 2, ybot + 10, TOKENS[i], size=SMALL, align="c", base="t",
                    bold=i == truth, fill="good" if i == truth else "ink")
        # q panel: probability grid and the one-hot outline
        qx0 = 360
        for v in (0.5, 1.0):
            sc.line(qx0 - 4, ybot - (ybot - ytop) * v, qx0 + slot * V, ybot - (ybot - ytop) * v, stroke="grid")
        sc.line(qx0 - 4, ybot, qx0 + slot * V + 4, ybot, stroke="muted")
        sc.rect(qx0 + slot * truth + 4, ytop, slot - 8, ybot - ytop, stroke="good", lw=2, label="one-hot truth")
        for i in range(V):
            sc.text(qx0 + slot * i + slot / 2, ybot + 10, TOKENS[i], size=SMALL, align="c", base="t",
                    bold=i == truth, fill="good" if i == truth else "ink")
        sc.text(qx0 + slot * V + 8, ytop + 10, "1", size=SMALL, fill="good", base="m")
        # the loss curve over the whole range of the true logit
        px, py, pw, ph = self.PLOT
        pts = [(Z_LO + (Z_HI - Z_LO) * j / 120, loss_curve_point(truth, Z_LO + (Z_HI - Z_LO) * j / 120)[1])
               for j in range(121)]
        lmax = math.ceil(pts[0][1])
        fx, fy = sc.axes(px, py, pw, ph, (Z_LO, Z_HI), (0, lmax), xlabel="logit of the true token",
                         ylabel="loss (nats)", xticks=(-4, 0, 4, 8), yticks=tuple(range(2, lmax + 1, 2)),
                         tick_fmt=lambda v: _minus(str(int(v))), size=SMALL)
        # the cost of knowing nothing: a uniform guess over the six tokens
        ln_v = math.log(V)
        sc.line(fx(Z_LO), fy(ln_v), fx(Z_HI), fy(ln_v), stroke="muted", lw=1, dash=(4, 4))
        sc.text(fx(Z_HI), fy(ln_v) - 4, "uniform guess, ln 6", size=SMALL, fill="muted", align="r", base="b")
        sc.path([(fx(a), fy(b)) for a, b in pts], stroke="accent2", lw=2.5)
        v_llama = get_model(MODEL).vocab
        sc.text(20, 572, f"A uniform guess costs ln 6 = {fmt_num(math.log(V), 2)} nats here; over Llama 3 8B's "
                         f"{v_llama:,} tokens it costs ln {v_llama:,} = {fmt_num(math.log(v_llama), 2)} nats.",
                size=SMALL, fill="muted", base="m")
        return {"items": sc.items, "truth": truth, "zy": zy, "fx": fx, "fy": fy, "x0": x0, "qx0": qx0,
                "slot": slot, "ytop": ytop, "ybot": ybot, "lmax": lmax}

    def _draw_next(self, t: float):
        z = self._z_at(t)
        # the paused twin shows one state until a slider moves; the sweep changes every frame
        if self.submode == "logit":
            return self.memo("next", z, lambda: self._next_frame(z))
        return self._next_frame(z)

    def _next_frame(self, z: float):
        """The next-token view with the true token's logit at ``z``."""
        st = self.cached("next", self._next_static)
        truth, zy, fx, fy = st["truth"], st["zy"], st["fx"], st["fy"]
        x0, qx0, slot, ytop, ybot = st["x0"], st["qx0"], st["slot"], st["ytop"], st["ybot"]
        zs = next_token_logits(truth, z)
        q = softmax(zs)
        loss = cross_entropy(one_hot(truth), q, base=math.e)
        slope = q[truth] - 1.0
        sc = self.new_scene()
        sc.items.extend(st["items"])
        # the true token's logit bar, the one that moves
        top, bot = sorted((zy(z), zy(0)))
        sc.rect(x0 + slot * truth + 8, top, slot - 16, max(1.0, bot - top), fill="accent2",
                label=f"z({TOKENS[truth]})")
        for i in range(V):
            sc.text(x0 + slot * i + slot / 2, ybot + 34, fmt_num(zs[i], 1), size=SMALL, align="c", base="t",
                    fill="accent2" if i == truth else "muted", bold=i == truth)
        # q bars
        for i in range(V):
            h = (ybot - ytop) * q[i]
            if h > 0.3:
                sc.rect(qx0 + slot * i + 10, ybot - h, slot - 20, h, fill="accent2" if i == truth else "accent",
                        alpha=0.9, label=f"q({TOKENS[i]})")
            sc.text(qx0 + slot * i + slot / 2, ybot + 34, f"{q[i]:.2f}", size=SMALL, align="c", base="t",
                    fill="accent2" if i == truth else "muted", bold=i == truth)
        # the point on the loss curve and its tangent (slope q − 1)
        seg = clip_segment(z - 1.6, loss - slope * 1.6, z + 1.6, loss + slope * 1.6, Z_LO, Z_HI, 0.0, st["lmax"])
        if seg:
            sc.line(fx(seg[0]), fy(seg[1]), fx(seg[2]), fy(seg[3]), stroke="accent3", lw=2)
        sc.circle(fx(z), fy(loss), 6, fill="accent2")
        name = TOKENS[truth]
        total = math.fsum(math.exp(v) for v in zs)
        best = max(range(V), key=lambda i: zs[i])
        lines = (
            (f"q({name}) = e^{fmt_num(z, 1)} / \u03a3 e^z = {math.exp(z):.3g} / {total:.3g} = {q[truth]:.3f}",
             "ink", False),
            (f"loss = \u2212ln q({name}) = {loss:.3f} nats = {loss / math.log(2):.3f} bits", "accent2", True),
            (f"slope of the loss in z({name}): q({name}) \u2212 1 = {_minus(f'{slope:.3f}')}", "accent3", False),
            (("the model's top guess is the truth" if best == truth
              else f"the model's top guess is \u201c{TOKENS[best]}\u201d, not \u201c{name}\u201d"), "muted", False),
        )
        y = 430
        for text, fill, bold in lines:
            sc.text(20, y, text, size=BODY, fill=fill, bold=bold, base="t")
            y += 32
        tel = [
            metric("z", f"z({name})", z, fmt_num(z, 2), ""),
            metric("q", f"q({name})", q[truth], f"{q[truth]:.3f}", ""),
            metric("loss", "loss \u2212ln q(truth)", loss, f"{loss:.3f} nats", "nats"),
            metric("bits", "the same loss in bits", loss / math.log(2), f"{loss / math.log(2):.3f} bits", "bits"),
            metric("pp", "perplexity e^loss", perplexity(loss), f"{perplexity(loss):.2f}", ""),
            metric("slope", "dloss/dz = q \u2212 1", slope, _minus(f"{slope:.3f}"), "nats"),
        ]
        return sc, tel

    def _next_events(self, t0: float, t1: float) -> list[str]:
        if self.submode == "logit":
            return []
        truth = TOKENS.index(self["truth"])
        name = TOKENS[truth]
        period = RISE_S + TOP_HOLD_S
        rate = (Z_HI - Z_LO) / RISE_S
        rival = max(v for i, v in enumerate(BASE_LOGITS) if i != truth)
        out = []
        # the true logit overtakes every other one: the top guess becomes right
        phase = (rival - Z_LO) / rate
        f, l_ = periodic_hits(t0, t1, phase, period)
        if l_ >= f:
            qt, loss, _ = loss_curve_point(truth, rival)
            out.append((l_ * period + phase,
                        f"z({name}) passes {fmt_num(rival, 1)}: \u201c{name}\u201d is now the top guess, "
                        f"yet q({name}) = {qt:.2f} and the loss is still {loss:.2f} nats."))
        f, l_ = periodic_hits(t0, t1, RISE_S, period)
        if l_ >= f:
            qt, loss, _ = loss_curve_point(truth, Z_HI)
            out.append((l_ * period + RISE_S,
                        f"z({name}) = {fmt_num(Z_HI)}: q({name}) = {qt:.4f}, loss {loss:.4f} nats. "
                        f"Near 0, never 0."))
        f, l_ = periodic_hits(t0, t1, period - 1e-9, period)
        if l_ >= f:
            qt, loss, _ = loss_curve_point(truth, Z_LO)
            out.append((l_ * period + period,
                        f"Back to z({name}) = {_minus(fmt_num(Z_LO))}: q({name}) = {qt:.4f}, "
                        f"loss {loss:.2f} nats."))
        return [s for _, s in sorted(out)]

    # -- perplexity view ---------------------------------------------------------------

    def _ppl_data(self) -> dict:
        n, r = self["n"], self["decay"]
        p = geometric(n, r)
        h_bits = entropy(p, 2.0)
        h_nats = entropy(p, math.e)
        pp = perplexity(h_bits, 2.0)
        return {"n": n, "r": r, "p": p, "bits": h_bits, "nats": h_nats, "pp": pp}

    PX0, PX1 = 70, 930
    PBASE, PTOP = 370, 150

    def _ppl_static(self) -> dict:
        d = self._ppl_data()
        n, p, pp = d["n"], d["p"], d["pp"]
        sc = Scene(*self.size)
        self._header(sc, "Perplexity: how many tokens it is effectively choosing among",
                     "A fair choice among 2^H tokens has the same entropy H as p: that number is p's perplexity.")
        half = 400.0
        lx, rx = self.PX0, self.PX0 + half + 60
        slot = half / n
        top = p[0]
        hscale = (self.PBASE - self.PTOP) / top
        sc.text(lx, 100, f"p: {n} tokens, each {d['r']:.2f}\u00d7 the one before", size=BODY, bold=True,
                fill="accent")
        sc.text(lx, 124, f"H = {fmt_num(d['bits'], 3)} bits = {fmt_num(d['nats'], 3)} nats", size=SMALL,
                fill="muted")
        sc.text(rx, 100, f"a fair choice among {pp:.2f} tokens", size=BODY, bold=True, fill="accent2")
        sc.text(rx, 124, f"each 1/{pp:.2f} = {1 / pp:.3f}; same H", size=SMALL, fill="muted")
        for x_ in (lx, rx):
            sc.line(x_ - 4, self.PBASE, x_ + half + 4, self.PBASE, stroke="muted")
        # a shared probability scale, labelled on the left
        sc.line(lx - 6, self.PTOP, lx - 6, self.PBASE, stroke="muted")
        sc.text(lx - 10, self.PTOP, f"{top:.2f}", size=SMALL, fill="muted", align="r")
        sc.text(lx - 10, self.PBASE, "0", size=SMALL, fill="muted", align="r")
        bar_w = max(2.0, slot * 0.72)
        for i, x in enumerate(p):
            h = hscale * x
            sc.rect(lx + slot * i + (slot - bar_w) / 2, self.PBASE - h, bar_w, max(0.5, h), fill="accent",
                    alpha=0.85, label=f"p{i + 1}")
        sc.text(lx + half / 2, self.PBASE + 10, f"tokens 1 to {n}, most likely first", size=SMALL, fill="muted",
                align="c", base="t")
        sc.text(20, 440, f"H = {fmt_num(d['bits'], 3)} bits = {fmt_num(d['nats'], 3)} nats, so the perplexity is "
                         f"2^{fmt_num(d['bits'], 3)} = e^{fmt_num(d['nats'], 3)} = {pp:.2f}", size=BODY, bold=True,
                base="t")
        sc.text(20, 472, f"A model whose loss is {fmt_num(d['nats'], 3)} nats per token is, on average, as unsure as a "
                         f"fair pick among {pp:.2f} tokens.", size=SMALL, base="t")
        v = get_model(MODEL).vocab
        sc.text(20, 502, f"Uniform over Llama 3 8B's {v:,} tokens, the widest it can be: perplexity {v:,}, "
                         f"{math.log(v):.2f} nats.", size=SMALL, fill="muted", base="t")
        sc.text(20, 532, f"Uniform over these {n} tokens would be {n}; certainty would be 1. "
                         f"A distribution's perplexity lies between.", size=SMALL, fill="muted", base="t")
        return {"items": sc.items, "d": d, "slot": slot, "bar_w": bar_w, "hscale": hscale, "rx": rx}

    def _draw_perplexity(self, t: float):
        st = self.cached("ppl", self._ppl_static)
        d, slot, bar_w, hscale, rx = st["d"], st["slot"], st["bar_w"], st["hscale"], st["rx"]
        pp = d["pp"]
        whole = int(pp + 1e-9)
        frac = pp - whole
        slots = whole + (1 if frac > 1e-6 else 0)
        shown = slots if t >= COUNT_S else min(slots, int(t / COUNT_S * slots) + 1)
        sc = self.new_scene()
        sc.items.extend(st["items"])
        h = hscale / pp
        for j in range(shown):
            w = bar_w if j < whole else bar_w * frac
            sc.rect(rx + slot * j + (slot - bar_w) / 2, self.PBASE - h, max(1.0, w), h, fill="accent2",
                    alpha=0.85, label=f"choice {j + 1}")
        counted = min(pp, float(shown))
        label = (f"{pp:.2f} equally likely tokens" if shown == slots
                 else f"counting: {shown} of {pp:.2f}")
        if slot >= 28:
            # number the fair choices as they are counted out; the last one may be a fraction
            for j in range(shown):
                sc.text(rx + slot * j + slot / 2, self.PBASE + 8, fmt_num(min(1.0, pp - j), 1) if j >= whole
                        else str(j + 1), size=SMALL, fill="accent2", align="c", base="t")
        sc.text(rx + 200, self.PBASE + 32, label, size=SMALL, fill="accent2", align="c", base="t")
        tel = [
            metric("bits", "entropy H(p)", d["bits"], f"{fmt_num(d['bits'], 3)} bits", "bits"),
            metric("nats", "the same in nats", d["nats"], f"{fmt_num(d['nats'], 3)} nats", "nats"),
            metric("pp", "perplexity 2^H", pp, f"{pp:.3f}", ""),
            metric("counted", "fair choices counted", counted, f"{counted:.2f}", ""),
            metric("max", "largest p", d["p"][0], f"{d['p'][0]:.3f}", ""),
        ]
        return sc, tel

    def _perplexity_events(self, t0: float, t1: float) -> list[str]:
        if not (t0 < COUNT_S <= t1):
            return []
        d = self.cached("ppl", self._ppl_static)["d"]
        return [f"H = {fmt_num(d['bits'], 3)} bits: as unsure as a fair choice among 2^H = {d['pp']:.2f} tokens "
                f"(out of {d['n']})."]
