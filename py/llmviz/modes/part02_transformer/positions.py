"""Positions: why attention needs them, the sinusoidal table, and RoPE's rotating pairs.

Five views, one idea each:

* ``spin``: one pair of a query and one of a key, drawn as 2-D arrows. Each
  tick moves the positions on and turns each arrow by position·θ_i; with both
  positions moving together the angle between the arrows, and so their dot
  product, never changes.
* ``angles``: cos(m·θ_i) for every pair i of a head and 64 positions m, as a
  heatmap, beside each pair's wavelength 2π/θ_i on a log axis. Fast pairs
  stripe, slow pairs barely change; a larger base slows the lower rows.
* ``distance``: the rotated score q·k against the distance m − n, on a log
  axis, for two bases at once: equal pairs (q = k), a fixed random q with a
  key near it, or
  RoFormer's decay bound.
* ``sinusoidal``: the Transformer's table of sines and cosines that is added
  to each token's vector, and its dot product between two positions, which
  depends on their distance only.
* ``trained``: the book's tiny trained model (``llmviz.lm``), layer 0: one
  word's query against another word's key at every distance 0…127, with RoPE
  and without. A probe walks the distances and recomputes the score at three
  different pairs of positions with the model's own rotation.

Every number comes from :mod:`llmviz.calc.rope` (and the tiny model's
weights); the trained view loads the model on first use only.
"""
from __future__ import annotations

import math

from ...calc.rope import (pairs_turning_within, rope_angles, rope_decay_bound, rope_inverse_frequencies,
                          rope_half_distance, rope_mean_cosine, rope_relative_score, rope_wavelengths, rotate_pair,
                          sinusoidal_encoding)
from ...catalog import get_model
from ...core import Choice, Mode, Number, Scene, Submode
from ...core.mode import metric
from ...core.plot import Plot, log_ticks, nice_ticks
from ...core.rng import gaussian
from ...units import fmt_plain

# type sizes: the workshop pane shows the 960-unit canvas at about 0.6×
TITLE, SUB, BODY, SMALL = 20, 15, 16, 14

#: head widths a reader can pick, with a model that uses each (checked against the catalog in the tests)
HEAD_DIMS = (("16", "16 · the book's tiny model"), ("64", "64 · gpt-oss"),
             ("128", "128 · Llama 2, Llama 3"))
CONTEXT_MODEL = "llama-3-8b"        # its context is the reference line in the angles view …
TINY_HEAD_DIM = "16"                # … except at the tiny model's width, where its own context is
# Positions in the angles heatmap. Its cells cross to the browser every frame, and serialising them
# is most of a frame's cost: 64 rows of 64 keep it near a third of a millisecond in CPython.
WINDOW = 64
ANGLE_TICK_S = 0.15                 # seconds per position of the angles cursor
DIST_SWEEP_S = 10.0                 # seconds for the distance probe to cross the plot
DIST_SAMPLES = 240
RANDOM_SEED = 7                     # the fixed random q and k of the distance view
RANDOM_NOISE = 0.6                  # k = q + this much independent noise per number
SPIN_STEP_S = 1.5                   # seconds per tick of the spin view
SPIN_TURN_S = 0.6                   # of which the arrows turn for this long
SPIN_TICKS = 1000                   # the spin clock restarts after this many ticks
SPIN_HISTORY = 16                   # ticks shown in the score strip
SPIN_Q0, SPIN_K0 = math.radians(20.0), math.radians(75.0)   # directions of the illustrative q and k
SIN_ROWS = 48                       # positions in the sinusoidal table
SIN_COLS = 64                       # most columns drawn (d_model 512 shows every eighth pair)
SIN_TICK_S = 0.5
LM_PROBE_S = 0.15                   # seconds per distance of the trained view's probe
LM_SHIFT = 40                       # the second pair of positions is the first moved on by this many tokens
#: words of the tiny model's vocabulary (each one token) the trained view offers
LM_QUERIES = (("the", " the"), ("is", " is"), ("period", "."), ("head", " head"), ("cache", " cache"),
              ("each", " each"))
LM_KEYS = (("of", " of"), ("the", " the"), ("comma", ","), ("model", " model"))

HEAT_STEPS = 20                     # heatmap values are stored as whole twentieths
# heatmap geometry shared by the angles and sinusoidal views
HX, HY, HW, HH = 96, 104, 512, 384


def _deg(rad: float) -> float:
    """An angle in degrees reduced to (−180, 180]."""
    d = math.degrees(rad) % 360.0
    return d - 360.0 if d > 180.0 else d


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _dtext(deg: float, digits: int = 0) -> str:
    """Degrees for a label, with a real minus sign: "−131°"."""
    return f"{deg:.{digits}f}°".replace("-", "\u2212")


def _pow10(v: float) -> str:
    """A tick on a log axis as a power of ten: 1, 10, 10², 10³ …"""
    e = round(math.log10(v))
    return "1" if e == 0 else "10" if e == 1 else "10" + str(e).translate(_SUPERSCRIPT)


def _tokens(x: float) -> str:
    """A length in tokens for a label: 6.28, 628, 8,192, 2.56M."""
    if x >= 1e6:
        return f"{x / 1e6:.3g}M"
    if x >= 1e4:
        return f"{x:,.0f}"
    return f"{x:,.4g}" if x < 100 else f"{x:,.0f}"


def _turns(x: float) -> str:
    """A count of turns: three significant figures, whole numbers with separators from 1,000 up."""
    return f"{x:,.0f}" if x >= 1000 else f"{x:.3g}"


def _base_text(b: float) -> str:
    return f"{b:,.0f}"


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def _heatmap(sc: Scene, rows: int, cols: int, values: list[float], label: str) -> None:
    """A rows × cols heatmap of numbers in [−1, 1] in the shared heatmap box, stored as whole steps of
    1/HEAT_STEPS.

    Thousands of cells cross to the browser every frame, and whole numbers
    serialise several times faster than decimals, at a resolution (0.05) the
    colours cannot show anyway. No gutters: at a few units a cell, the lines
    between cells would be most of what shows.
    """
    g = sc.grid(HX, HY, HW, HH, rows, cols, [0.0] * (rows * cols), cmap="div", vmin=-HEAT_STEPS,
                vmax=HEAT_STEPS, label=label)
    g["v"] = [round(v * HEAT_STEPS) for v in values]
    g.pop("stroke")


def _colour_key(sc: Scene, top: str) -> None:
    """The −1 … +1 key under a heatmap of cosines or sines."""
    sc.grid(HX, HY + HH + 62, 140, 12, 1, 11, [-1 + 0.2 * j for j in range(11)], cmap="div", vmin=-1, vmax=1)
    sc.text(HX - 6, HY + HH + 68, "\u22121", size=SMALL, fill="muted", align="r")
    sc.text(HX + 146, HY + HH + 68, top, size=SMALL, fill="muted")


# -- the tiny model's layer 0 -------------------------------------------------------


def lm_model():
    """The book's tiny model (``llmviz.lm``), loaded on first use."""
    from ...lm.model import load

    return load()


def lm_head_vectors(word: str, head: int) -> tuple[list[float], list[float]]:
    """The query and key of ``word`` (one token) in layer 0, head ``head``, before RoPE.

    In layer 0 a token's query and key come from its embedding alone
    (RMSNorm, then W_Q or W_K), so they are the same at every position: only
    RoPE can make the score depend on where the two tokens sit.
    """
    from ...lm.model import matvec_t, rmsnorm

    m = lm_model()
    ids = m.tokenizer.encode(word)
    if len(ids) != 1:
        raise ValueError(f"{word!r} is {len(ids)} tokens in the tiny model's vocabulary, not one")
    layer = m.layers[0]
    h = rmsnorm(m.tok_emb[ids[0]], layer.attn_norm, m.cfg.eps)
    dh = m.cfg.d_head
    q = matvec_t(h, layer.w_q_t)[head * dh:(head + 1) * dh]
    k = matvec_t(h, layer.w_k_t)[head * dh:(head + 1) * dh]
    return q, k


def lm_scores(query: str, key: str, head: int) -> dict:
    """Scaled scores q·k/√d_head of ``query`` against ``key`` at every distance 0 … n_ctx − 1, with RoPE.

    ``flat`` is the score without positions (the same at every distance).
    """
    m = lm_model()
    q, _ = lm_head_vectors(query, head)
    _, k = lm_head_vectors(key, head)
    scale = 1.0 / math.sqrt(m.cfg.d_head)
    curve = [rope_relative_score(q, k, d, m.cfg.rope_base) * scale for d in range(m.cfg.n_ctx)]
    flat = sum(a * b for a, b in zip(q, k)) * scale
    return {"q": q, "k": k, "curve": curve, "flat": flat, "scale": scale}


def lm_score_at(q: list[float], k: list[float], m_pos: int, n_pos: int) -> float:
    """q turned to position ``m_pos`` and k to ``n_pos`` by the model's own RoPE, then dotted, over √d_head."""
    model = lm_model()
    qr = model._rotate(q, m_pos)
    kr = model._rotate(k, n_pos)
    return sum(a * b for a, b in zip(qr, kr)) / math.sqrt(model.cfg.d_head)


class PositionsMode(Mode):
    """RoPE's rotating pairs, their speeds, the relative score, the sinusoidal table and a trained head."""

    id = "p02-c03-positions"
    chapter = "p02-c03-positions"
    title = "Positional encoding and RoPE"
    step_dt = 0.5
    size = (960, 640)

    params = (
        Choice("head_dim", "head width d", "numbers per query and key; they turn in d/2 pairs",
               options=HEAD_DIMS, default="128"),
        Number("base", "RoPE base", "θ_i = base^(−2i/d): a larger base makes every pair after the first slower",
               lo=100, hi=10_000_000, step=1, default=10000, integer=True, log=True),
        Number("base2", "second base", "the base drawn beside the first one for comparison",
               lo=100, hi=10_000_000, step=1, default=500000, integer=True, log=True),
        Number("start", "first position shown", f"the heatmap shows {WINDOW} positions from here",
               lo=0, hi=1_000_000, step=1000, default=0, unit="tokens", integer=True),
        Number("span", "largest distance", "the distance axis runs from 1 to this many tokens",
               lo=16, hi=131072, step=1, default=8192, unit="tokens", integer=True, log=True),
        Choice("vectors", "query and key", "which q and k are scored at every distance",
               options=(("equal", "q = k, all pairs equal"), ("random", "a random q, k = q + noise"),
                        ("bound", "RoFormer's upper bound")), default="equal"),
        Number("pair", "pair i", "which pair of the head to draw (0 is the fastest)",
               lo=0, hi=63, step=1, default=0, integer=True),
        Number("offset", "distance m − n", "how many tokens the query sits after the key",
               lo=0, hi=12, step=1, default=2, unit="tokens", integer=True),
        Choice("motion", "what moves", "advance both positions together, or the query alone",
               options=(("both", "both positions move on"), ("query", "only the query moves on")),
               default="both"),
        Choice("d_model", "vector width", "numbers in each sinusoidal position vector",
               options=(("64", "64"), ("128", "128"), ("512", "512 · the Transformer")), default="512"),
        Choice("lm_query", "query word", "the word whose query is scored (layer 0 of the tiny model)",
               options=tuple((v, f"“{w.strip() or w}”") for v, w in LM_QUERIES), default="the"),
        Choice("lm_key", "key word", "the word whose key it is scored against",
               options=tuple((v, f"“{w.strip() or w}”") for v, w in LM_KEYS), default="of"),
        Choice("lm_head", "head", "which of the four heads of layer 0",
               options=tuple((str(h), f"layer 0, head {h}") for h in range(4)), default="1"),
    )
    submodes = {
        "spin": Submode("One pair turning", {}, "a query pair and a key pair turned by their positions",
                        ("head_dim", "base", "pair", "offset", "motion")),
        "angles": Submode("Angles per pair", {}, f"cos(m·θ_i) for every pair and {WINDOW} positions; wavelengths",
                          ("head_dim", "base", "start")),
        "distance": Submode("Score vs distance", {}, "q·k after RoPE against m − n, for two bases",
                            ("head_dim", "base", "base2", "span", "vectors")),
        "sinusoidal": Submode("Sinusoidal table", {}, "the Transformer's added sines and cosines",
                              ("d_model",)),
        "trained": Submode("Tiny model", {}, "a trained head's score at every distance, with and without RoPE",
                           ("lm_query", "lm_key", "lm_head")),
    }
    default_submode = "spin"

    # -- shared ----------------------------------------------------------------

    def _d(self) -> int:
        return int(self["head_dim"])

    def _freqs(self, base: float | None = None) -> tuple[float, ...]:
        b = self["base"] if base is None else base
        return self.cached(f"freqs_{b}", lambda: rope_inverse_frequencies(self._d(), float(b)))

    def _header(self, sc: Scene, title: str, sub: str) -> None:
        sc.text(24, 26, title, size=TITLE, bold=True)
        sc.text(24, 54, sub, size=SUB, fill="muted")

    def draw(self, t: float):
        return getattr(self, "_draw_" + self.submode)(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        fn = getattr(self, "_events_" + self.submode, None)
        return fn(t0, t1) if fn else []

    @staticmethod
    def _ticks_crossed(t0: float, t1: float, period: float, limit: int = 8) -> list[int]:
        """Indices k ≥ 1 with k·period in (t0, t1], the last ``limit`` of them."""
        hi = int(t1 // period)
        lo = int(max(t0, 0.0) // period) if t0 >= 0 else 0
        first = max(lo + 1, hi - limit + 1, 1)
        return [k for k in range(first, hi + 1) if t0 < k * period <= t1]

    # -- spin --------------------------------------------------------------------

    def _spin_pair(self) -> int:
        return min(self["pair"], self._d() // 2 - 1)

    def _spin_delta(self) -> int:
        """Tokens per tick: enough for the pair to turn about 30°, never less than one token."""
        th = self._freqs()[self._spin_pair()]
        return max(1, round(math.radians(30.0) / th))

    def _spin_positions(self, tick: int) -> tuple[int, int]:
        delta = self._spin_delta()
        moved = (tick % SPIN_TICKS) * delta
        if self["motion"] == "both":
            return self["offset"] + moved, moved
        return self["offset"] + moved, 0

    def _spin_state(self, tick: int, frac: float) -> dict:
        th = self._freqs()[self._spin_pair()]
        m1, n1 = self._spin_positions(tick)
        m0, n0 = self._spin_positions(tick - 1) if tick % SPIN_TICKS else (m1, n1)
        u = _ease(frac / SPIN_TURN_S) if tick % SPIN_TICKS else 1.0
        pm, pn = m0 + u * (m1 - m0), n0 + u * (n1 - n0)
        return {"th": th, "m": m1, "n": n1, "aq": SPIN_Q0 + pm * th, "ak": SPIN_K0 + pn * th,
                "settled": u >= 1.0}

    def _spin_score(self, tick: int) -> float:
        th = self._freqs()[self._spin_pair()]
        m, n = self._spin_positions(tick)
        qx, qy = rotate_pair(math.cos(SPIN_Q0), math.sin(SPIN_Q0), m * th)
        kx, ky = rotate_pair(math.cos(SPIN_K0), math.sin(SPIN_K0), n * th)
        return qx * kx + qy * ky

    def _draw_spin(self, t: float):
        tick = int(t // SPIN_STEP_S)
        frac = t - tick * SPIN_STEP_S
        key = (tick, round(min(frac, SPIN_TURN_S) / SPIN_TURN_S * 12) if frac < SPIN_TURN_S else 12)
        return self.memo("spin", key, lambda: self._spin_frame(tick, key[1] / 12 * SPIN_TURN_S))

    def _spin_frame(self, tick: int, frac: float):
        sc = self.new_scene()
        st = self._spin_state(tick, frac)
        i, d = self._spin_pair(), self._d()
        both = self["motion"] == "both"
        self._header(sc, f"RoPE turns pair {i} of the query by m·θ and of the key by n·θ",
                     f"θ_{i} = base^(−2·{i}/{d}) = {st['th']:.4g} rad per token, base {_base_text(self['base'])}; "
                     f"q and k are illustrative unit vectors")
        if self["pair"] > d // 2 - 1:
            sc.text(24, 78, f"pair {self['pair']} does not exist at d = {d}: showing pair {i}, the slowest",
                    size=SMALL, fill="warn")
        cx, cy, r = 240, 350, 180
        sc.items.extend(self.cached("spin_dial", lambda: self._spin_dial(cx, cy, r)))
        aq, ak = st["aq"], st["ak"]
        # the angle between the arrows, drawn as an arc from k to q
        diff = _deg(aq - ak)
        steps = max(2, int(abs(diff) / 6))
        arc = [(cx + 62 * math.cos(ak + diff * math.pi / 180 * s / steps),
                cy - 62 * math.sin(ak + diff * math.pi / 180 * s / steps)) for s in range(steps + 1)]
        sc.path(arc, stroke="accent3", lw=3)
        if abs(diff) >= 30:
            mid = ak + math.radians(diff) / 2
            sc.text(cx + 96 * math.cos(mid), cy - 96 * math.sin(mid), _dtext(diff), size=BODY, fill="accent3",
                    align="c", bold=True)
        # q's name sits just outside the circle and k's just inside, so the two never collide
        for ang, col, name, rad in ((aq, "q", "q", r + 22), (ak, "k", "k", r - 34)):
            x, y = cx + r * math.cos(ang), cy - r * math.sin(ang)
            sc.arrow(cx, cy, x, y, stroke=col, lw=4, head=13)
            # a little to the anticlockwise side of the arrow, so the letter never sits on its shaft
            side = ang + 14 / rad
            sc.text(cx + rad * math.cos(side), cy - rad * math.sin(side), name, size=18, fill=col,
                    align="c", bold=True)
        self._spin_panel(sc, tick, st, diff, both)
        score = self._spin_score(tick)
        tel = [
            metric("m", "query position m", st["m"], f"{st['m']:,}", "tokens"),
            metric("n", "key position n", st["n"], f"{st['n']:,}", "tokens"),
            metric("theta", f"θ_{i}", st["th"], f"{st['th']:.4g} rad/token", "rad/token"),
            metric("between", "angle from k to q", diff, _dtext(diff, 1), "°",
                   "(m − n)·θ plus the angle the two vectors started with"),
            metric("score", "q·k of this pair", score, f"{score:.3f}", "",
                   "cos of the angle between two unit vectors"),
        ]
        return sc, tel

    def _spin_dial(self, cx: float, cy: float, r: float) -> list[dict]:
        sc = Scene(*self.size)
        sc.circle(cx, cy, r, fill="panel", stroke="faint", lw=1.5)
        sc.line(cx - r - 12, cy, cx + r + 12, cy, stroke="grid", lw=1)
        sc.line(cx, cy - r - 12, cx, cy + r + 12, stroke="grid", lw=1)
        sc.circle(cx, cy, 4, fill="ink")
        sc.text(cx, cy + r + 52, "the plane of one pair: numbers 2i and 2i+1", size=SMALL, fill="muted",
                align="c")
        return sc.items

    def _spin_panel(self, sc: Scene, tick: int, st: dict, diff: float, both: bool) -> None:
        x = 520
        m, n, th = st["m"], st["n"], st["th"]
        delta = self._spin_delta()
        rows = [
            (f"each tick: {'m and n both' if both else 'only m'} +{delta:,} token{'s' * (delta > 1)}", "ink"),
            (f"q at m = {m:,}: turned by m·θ ≡ {_dtext(_deg(m * th))}", "q"),
            (f"k at n = {n:,}: turned by n·θ ≡ {_dtext(_deg(n * th))}", "k"),
            (f"m − n = {m - n:,}: {_dtext(diff)} between them", "accent3"),
        ]
        y = 118
        for text, col in rows:
            sc.text(x, y, text, size=BODY, fill=col)
            y += 32
        # the score of the last ticks: flat when both move, a wave when only the query moves
        p = Plot(x + 40, 300, 360, 190, xlim=(0, SPIN_HISTORY - 1), ylim=(-1.1, 1.1))
        sc.items.extend(self.cached("spin_strip", lambda: self._spin_strip_frame(p)))
        first = max(0, tick - SPIN_HISTORY + 1)
        pts = [(k - first, self._spin_score(k)) for k in range(first, tick + 1)]
        p.polyline(sc, pts, stroke="accent3", lw=2.5)
        for k, v in pts:
            sc.circle(p.fx(k), p.fy(v), 3.5, fill="accent3")
        last = pts[-1][1]
        verdict = ("flat: the score depends on m − n only" if both
                   else "it changes as m − n grows")
        sc.text(x, 540, f"q·k now: {last:.3f}", size=BODY, bold=True)
        sc.text(x, 568, verdict, size=BODY, fill="muted")

    def _spin_strip_frame(self, p: Plot) -> list[dict]:
        sc = Scene(*self.size)
        p.frame(sc, yticks=(-1, 0, 1), size=SMALL, marks=False)
        sc.text(p.x, p.y - 12, f"q·k at each of the last {SPIN_HISTORY} ticks", size=SMALL, fill="muted",
                base="b")
        sc.text(p.x + p.w, p.y + p.h + 8, "ticks →", size=SMALL, fill="muted", align="r", base="t")
        return sc.items

    def _events_spin(self, t0: float, t1: float) -> list[dict]:
        out = []
        for k in self._ticks_crossed(t0, t1, SPIN_STEP_S, limit=3):
            th = self._freqs()[self._spin_pair()]
            m, n = self._spin_positions(k)
            s = self._spin_score(k)
            out.append({"level": "info", "text":
                        f"tick {k}: m = {m:,}, n = {n:,}; q at {_dtext(_deg(SPIN_Q0 + m * th))}, "
                        f"k at {_dtext(_deg(SPIN_K0 + n * th))}, q·k = {s:.3f}"})
        return out

    # -- angles ------------------------------------------------------------------

    def _angles_static(self) -> dict:
        d, base, start = self._d(), float(self["base"]), self["start"]
        freqs = self._freqs()
        rows = d // 2
        vals = [math.cos((start + c) * f) for f in freqs for c in range(WINDOW)]
        sc = Scene(*self.size)
        self._header(sc, "Each pair turns at its own speed: cos(m·θ_i)",
                     f"pair i (rows) at position m (columns); θ_i = {_base_text(base)}^(−2i/{d}), "
                     f"{rows} pairs")
        _heatmap(sc, rows, WINDOW, vals, "cos of each pair's angle")
        rh = HH / rows
        for i in range(0, rows, max(1, rows // 8)):
            sc.text(HX - 8, HY + (i + 0.5) * rh, str(i), size=SMALL, fill="muted", align="r")
        sc.text(HX - 8, HY - 10, "pair i", size=SMALL, fill="muted", align="r", base="b")
        for c in range(0, WINDOW + 1, WINDOW // 4):
            x = HX + min(c, WINDOW - 1 if c == WINDOW else c) * HW / WINDOW
            sc.text(x + (HW / WINDOW / 2 if c < WINDOW else HW / WINDOW), HY + HH + 8,
                    f"{start + min(c, WINDOW - 1):,}", size=SMALL, fill="muted", align="c", base="t")
        sc.text(HX + HW, HY + HH + 30, "position m →", size=SMALL, fill="muted", align="r", base="t")
        # colour key
        _colour_key(sc, "+1 = cos of the angle")
        # wavelengths on a log axis, one bar per pair
        waves = rope_wavelengths(d, base)
        ctx_tokens, ctx_name = self._reference_context()
        p = Plot(672, HY, 262, HH, xlim=(1, 1e8), ylim=(0, 1), xlog=True)
        p.frame(sc, xticks=(1e1, 1e3, 1e5, 1e7), xfmt=_pow10, size=SMALL, zero=False, marks=False)
        for i, w in enumerate(waves):
            y = HY + i * rh
            sc.rect(p.x, y + rh * 0.15, p.fx(min(w, 1e8)) - p.x, max(1.0, rh * 0.7), fill="accent3", alpha=0.8)
        for val, label, dy in ((WINDOW, f"{WINDOW} shown", -30), (ctx_tokens, f"{ctx_tokens:,}: {ctx_name}", -10)):
            px = p.fx(val)
            sc.line(px, HY - 4, px, HY + HH, stroke="ink", lw=1.2, dash=(5, 4))
            sc.text(px, HY + dy, label, size=SMALL, fill="ink", align="c", base="b")
        sc.text(p.x + p.w, HY + HH + 30, "wavelength 2π/θ_i, tokens", size=SMALL, fill="muted", align="r",
                base="t")
        turning = pairs_turning_within(ctx_tokens, d, base)
        sc.text(p.x, HY + HH + 62, f"{turning} of {rows} pairs turn at least", size=SMALL, fill="ink", base="m")
        sc.text(p.x, HY + HH + 82, f"once within {ctx_tokens:,} tokens", size=SMALL, fill="ink", base="m")
        return {"items": sc.items, "waves": waves, "turning": turning, "ctx": ctx_tokens}

    def _reference_context(self) -> tuple[int, str]:
        """The context (tokens) the wavelengths are measured against, and whose it is: the tiny model's own
        at its head width, Llama 3 8B's otherwise."""
        if self["head_dim"] == TINY_HEAD_DIM:
            return lm_model().cfg.n_ctx, "tiny model"
        ctx = get_model(CONTEXT_MODEL)
        return ctx.max_context, ctx.display_name

    def _draw_angles(self, t: float):
        col = int(t // ANGLE_TICK_S) % WINDOW
        return self.memo("angles", col, lambda: self._angles_frame(col))

    def _angles_frame(self, col: int):
        st = self.cached("angles_static", self._angles_static)
        sc = self.new_scene()
        sc.items.extend(st["items"])
        d, rows = self._d(), self._d() // 2
        freqs = self._freqs()
        m = self["start"] + col
        cw = HW / WINDOW
        sc.rect(HX + col * cw - 1.5, HY - 3, cw + 3, HH + 6, stroke="ink", lw=2)
        # the label follows the cursor but stays clear of the row axis's name on the left
        lx = min(max(HX + col * cw + cw / 2, HX + 56), HX + HW - 56)
        sc.text(lx, HY - 8, f"m = {m:,}", size=SMALL, fill="ink", align="c", base="b", bold=True)
        parts = [f"pair {i}: {_turns(m * freqs[i] / (2 * math.pi))} turns" for i in (0, rows // 2, rows - 1)]
        sc.text(HX, HY + HH + 104, f"at m = {m:,}, " + " · ".join(parts), size=BODY, fill="ink")
        waves = st["waves"]
        tel = [
            metric("m", "position m", m, f"{m:,}", "tokens"),
            metric("theta0", "θ_0 (fastest)", freqs[0], f"{freqs[0]:g} rad/token", "rad/token"),
            metric("theta_last", f"θ_{rows - 1} (slowest)", freqs[-1], f"{freqs[-1]:.3g} rad/token", "rad/token"),
            metric("wave0", "wavelength of pair 0", waves[0], f"{waves[0]:.3g} tokens", "tokens"),
            metric("wave_last", f"wavelength of pair {rows - 1}", waves[-1], f"{_tokens(waves[-1])} tokens",
                   "tokens"),
            metric("turning", f"pairs that turn within {st['ctx']:,} tokens", st["turning"],
                   f"{st['turning']} of {rows}", "pairs"),
        ]
        return sc, tel

    def _events_angles(self, t0: float, t1: float) -> list[dict]:
        out = []
        period = ANGLE_TICK_S * (WINDOW // 4)
        freqs = self._freqs()
        for k in self._ticks_crossed(t0, t1, period, limit=2):
            col = (k * (WINDOW // 4)) % WINDOW
            m = self["start"] + col
            last = len(freqs) - 1
            out.append({"level": "info", "text":
                        f"position {m:,}: pair 0 has turned {m * freqs[0] / (2 * math.pi):,.1f} times, "
                        f"pair {last} by {math.degrees(m * freqs[last]):.3g}°"})
        return out

    # -- distance ----------------------------------------------------------------

    def _random_qk(self) -> tuple[list[float], list[float]]:
        """A fixed random query (standard normal numbers) and a key near it: q plus independent noise."""
        d = self._d()
        g = gaussian(RANDOM_SEED, 2 * d)
        q = g[:d]
        return q, [a + RANDOM_NOISE * e for a, e in zip(q, g[d:])]

    def _distance_curves(self) -> dict:
        d, span = self._d(), self["span"]
        xs = sorted({max(1, round(10 ** (math.log10(span) * j / (DIST_SAMPLES - 1)))) for j in range(DIST_SAMPLES)})
        kind = self["vectors"]
        curves = []
        for b in (float(self["base"]), float(self["base2"])):
            if kind == "equal":
                ys = [rope_mean_cosine(x, d, b) for x in xs]
            elif kind == "random":
                q, k = self._random_qk()
                norm = math.sqrt(sum(a * a for a in q) * sum(a * a for a in k))
                ys = [rope_relative_score(q, k, x, b) / norm for x in xs]
            else:
                top = rope_decay_bound(0, d, b)
                ys = [rope_decay_bound(x, d, b) / top for x in xs]
            curves.append(ys)
        return {"xs": xs, "curves": curves}

    def _half_distance(self, base: float) -> int | None:
        """First distance at which equal pairs keep less than half their score (tokens), if within 10⁵."""
        d = self._d()
        return self.cached(f"half_{d}_{base}", lambda: rope_half_distance(d, base))

    def _dist_plot(self) -> Plot:
        lo = {"random": -1.05}.get(self["vectors"], -0.45)
        return Plot(92, 104, 540, 380, xlim=(1, self["span"]), ylim=(lo, 1.05), xlog=True)

    def _distance_static(self) -> list[dict]:
        sc = Scene(*self.size)
        kind = self["vectors"]
        d = self._d()
        what = {"equal": "q = k with all pairs the same length: the mean of cos((m−n)·θ_i)",
                "random": "a fixed random q and k = q + noise (normal numbers): q·k / (‖q‖‖k‖)",
                "bound": "RoFormer's bound (1/(d/2))·Σ_j |S_j|, divided by its value at 0"}[kind]
        self._header(sc, f"The score after RoPE depends on the distance m − n (d = {d})", what)
        p = self._dist_plot()
        p.frame(sc, xticks=log_ticks(1, self["span"]), xfmt=_pow10, yticks=nice_ticks(p.ylim[0], 1.0, 6), size=SMALL,
                marks=False)
        sc.text(p.x + p.w, p.y + p.h + 30, "distance m − n, tokens (log)", size=SMALL, fill="muted", align="r",
                base="t")
        cur = self.cached("dist_curves", self._distance_curves)
        for ys, col in zip(cur["curves"], ("accent", "accent2")):
            p.polyline(sc, list(zip(cur["xs"], ys)), stroke=col, lw=2)
        x = 664
        for b, col, y in ((self["base"], "accent", 112), (self["base2"], "accent2", 140)):
            sc.line(x, y, x + 28, y, stroke=col, lw=3)
            sc.text(x + 36, y, f"base {_base_text(b)}", size=BODY, fill=col, bold=True)
        if kind == "equal":
            y = 186
            sc.text(x, y, "first distance below one half:", size=SMALL, fill="muted")
            for b, col in ((self["base"], "accent"), (self["base2"], "accent2")):
                y += 24
                h = self._half_distance(float(b))
                sc.text(x, y, f"base {_base_text(b)}: {h:,} tokens" if h else f"base {_base_text(b)}: beyond 100,000",
                        size=SMALL, fill=col)
        return sc.items

    def _draw_distance(self, t: float):
        step = int((t % DIST_SWEEP_S) / DIST_SWEEP_S * 60)
        return self.memo("distance", step, lambda: self._distance_frame(step))

    def _distance_frame(self, step: int):
        sc = self.new_scene()
        sc.items.extend(self.cached("distance_static", self._distance_static))
        p = self._dist_plot()
        span = self["span"]
        dist = max(1, round(span ** (step / 59)))
        vals = [self._distance_value(float(b), dist) for b in (self["base"], self["base2"])]
        p.vline(sc, dist, stroke="ink", lw=1.2)
        for v, col in zip(vals, ("accent", "accent2")):
            if p.ylim[0] <= v <= p.ylim[1]:
                sc.circle(p.fx(dist), p.fy(v), 5, fill=col, stroke="bg", lw=1.5)
        x = 664
        sc.text(x, 300, f"at m − n = {dist:,} tokens:", size=BODY, bold=True)
        for (b, col), v, y in zip(((self["base"], "accent"), (self["base2"], "accent2")), vals, (330, 356)):
            sc.text(x, y, f"base {_base_text(b)}: {v:.3f}", size=BODY, fill=col)
        note = {"random": ("the cosine of the angle", "between the turned q and k"),
                "bound": ("1 means the bound is", "what it is at distance 0")}.get(
                    self["vectors"], ("1 means the score is", "what it is at distance 0"))
        what = "bound" if self["vectors"] == "bound" else "score"
        sc.text(x, 400, note[0], size=SMALL, fill="muted")
        sc.text(x, 420, note[1], size=SMALL, fill="muted")
        tel = [
            metric("distance", "distance m − n", dist, f"{dist:,}", "tokens"),
            metric("score_a", f"{what}, base {_base_text(self['base'])}", vals[0], f"{vals[0]:.3f}", ""),
            metric("score_b", f"{what}, base {_base_text(self['base2'])}", vals[1], f"{vals[1]:.3f}", ""),
            metric("slowest", "slowest wavelength (first base)", rope_wavelengths(self._d(), float(self["base"]))[-1],
                   f"{_tokens(rope_wavelengths(self._d(), float(self['base']))[-1])} tokens", "tokens"),
        ]
        return sc, tel

    def _distance_value(self, base: float, dist: int) -> float:
        d, kind = self._d(), self["vectors"]
        if kind == "equal":
            return rope_mean_cosine(dist, d, base)
        if kind == "random":
            q, k = self._random_qk()
            norm = math.sqrt(sum(a * a for a in q) * sum(a * a for a in k))
            return rope_relative_score(q, k, dist, base) / norm
        return rope_decay_bound(dist, d, base) / rope_decay_bound(0, d, base)

    def _events_distance(self, t0: float, t1: float) -> list[dict]:
        out = []
        for _ in self._ticks_crossed(t0, t1, DIST_SWEEP_S, limit=1):
            span = self["span"]
            a, b = (self._distance_value(float(x), span) for x in (self["base"], self["base2"]))
            out.append({"level": "info", "text":
                        f"at distance {span:,}: base {_base_text(self['base'])} gives {a:.3f}, "
                        f"base {_base_text(self['base2'])} gives {b:.3f}"})
        return out

    # -- sinusoidal ----------------------------------------------------------------

    def _sin_columns(self) -> list[int]:
        d = int(self["d_model"])
        if d <= SIN_COLS:
            return list(range(d))
        stride = d // SIN_COLS
        # every stride-th pair, both its sine and its cosine
        return [j for i in range(0, d // 2, stride) for j in (2 * i, 2 * i + 1)]

    def _sin_static(self) -> dict:
        d = int(self["d_model"])
        cols = self._sin_columns()
        table = [sinusoidal_encoding(pos, d) for pos in range(SIN_ROWS)]
        vals = [table[pos][j] for pos in range(SIN_ROWS) for j in cols]
        sc = Scene(*self.size)
        nth = {2: "second", 4: "fourth", 8: "eighth"}.get(d // len(cols), f"{d // len(cols)}th")
        shown = "all numbers" if len(cols) == d else f"every {nth} pair of {d // 2}"
        self._header(sc, "The Transformer's position vectors: sines and cosines, added to each token",
                     f"PE(pos, 2i) = sin(pos/10000^(2i/{d})), PE(pos, 2i+1) = cos(…); {shown}")
        _heatmap(sc, SIN_ROWS, len(cols), vals, "PE(pos, j)")
        rh = HH / SIN_ROWS
        for pos in range(0, SIN_ROWS, 8):
            sc.text(HX - 8, HY + (pos + 0.5) * rh, str(pos), size=SMALL, fill="muted", align="r")
        sc.text(HX - 8, HY - 10, "pos", size=SMALL, fill="muted", align="r", base="b")
        cw = HW / len(cols)
        for c in range(0, len(cols), len(cols) // 4):
            sc.text(HX + (c + 0.5) * cw, HY + HH + 8, str(cols[c]), size=SMALL, fill="muted", align="c", base="t")
        sc.text(HX + HW, HY + HH + 30, "number j of the vector →", size=SMALL, fill="muted", align="r", base="t")
        _colour_key(sc, "+1")
        # PE(m)·PE(m + k) / (d/2): the same for every m
        p = Plot(680, HY + 20, 250, 200, xlim=(0, 64), ylim=(-0.3, 1.05))
        p.frame(sc, xticks=(0, 16, 32, 48, 64), yticks=(0, 0.5, 1), size=SMALL, marks=False)
        sc.text(p.x, p.y - 12, "PE(m)·PE(m+k) / (d/2)", size=SMALL, fill="muted", base="b")
        sc.text(p.x + p.w, p.y + p.h + 30, "offset k, tokens", size=SMALL, fill="muted", align="r", base="t")
        p.polyline(sc, [(k, rope_mean_cosine(k, d, 10000.0)) for k in range(65)], stroke="accent3", lw=2.5)
        sc.text(p.x, p.y + p.h + 62, "the same curve for every m:", size=SMALL, fill="ink")
        sc.text(p.x, p.y + p.h + 82, "it depends on the offset k only", size=SMALL, fill="ink")
        return {"items": sc.items, "table": table, "plot": p}

    def _draw_sinusoidal(self, t: float):
        row = int(t // SIN_TICK_S) % SIN_ROWS
        return self.memo("sinusoidal", row, lambda: self._sin_frame(row))

    def _sin_frame(self, row: int):
        st = self.cached("sin_static", self._sin_static)
        sc = self.new_scene()
        sc.items.extend(st["items"])
        rh = HH / SIN_ROWS
        sc.rect(HX - 3, HY + row * rh - 1.5, HW + 6, rh + 3, stroke="ink", lw=2)
        d = int(self["d_model"])
        vec = st["table"][row]
        sc.text(680, 462, f"position {row} adds to its token", size=BODY, bold=True)
        a, b, c, e = (fmt_plain(v) for v in vec[:4])
        sc.text(680, 490, f"PE({row}) = ({a}, {b},", size=SMALL, font="mono")
        sc.text(680, 512, f"{' ' * (len(str(row)) + 6)}{c}, {e}, …)", size=SMALL, font="mono")
        far = st["table"][row][-2:]
        tel = [
            metric("pos", "position", row, f"{row}", "tokens"),
            metric("d_model", "numbers per vector", d, f"{d}", ""),
            metric("first", "PE(pos, 0) = sin(pos)", vec[0], f"{vec[0]:.3f}", ""),
            metric("last", f"PE(pos, {d - 2}) (slowest sine)", far[0], f"{far[0]:.4f}", ""),
            metric("norm", "‖PE(pos)‖", math.sqrt(d / 2), f"{math.sqrt(d / 2):.2f} = √(d/2)", "",
                   "each sine–cosine pair has length 1"),
        ]
        return sc, tel

    def _events_sinusoidal(self, t0: float, t1: float) -> list[dict]:
        out = []
        for k in self._ticks_crossed(t0, t1, SIN_TICK_S * 8, limit=1):
            row = (k * 8) % SIN_ROWS
            v = sinusoidal_encoding(row, int(self["d_model"]))
            out.append({"level": "info", "text":
                        f"position {row}: its vector starts (sin {row}, cos {row}) = ({v[0]:.2f}, {v[1]:.2f}) "
                        f"and is added to the token's embedding"})
        return out

    # -- trained -----------------------------------------------------------------

    def _lm_words(self) -> tuple[str, str]:
        return dict(LM_QUERIES)[self["lm_query"]], dict(LM_KEYS)[self["lm_key"]]

    def _lm(self) -> dict:
        def calc():
            qw, kw = self._lm_words()
            return lm_scores(qw, kw, int(self["lm_head"]))
        return self.cached("lm", calc)

    def _lm_plot(self, data: dict) -> Plot:
        ys = data["curve"] + [data["flat"]]
        lo, hi = min(ys), max(ys)
        pad = 0.08 * (hi - lo or 1.0)
        return Plot(92, 110, 500, 360, xlim=(0, 127), ylim=(lo - pad, hi + pad))

    def _lm_static(self) -> list[dict]:
        data = self._lm()
        qw, kw = self._lm_words()
        sc = Scene(*self.size)
        head = int(self["lm_head"])
        self._header(sc, f"The tiny model, layer 0, head {head}: “{qw.strip() or qw}” asks, “{kw.strip() or kw}” answers",
                     "score q·k/√16 at every distance, with RoPE (blue) and without (dashed)")
        p = self._lm_plot(data)
        p.frame(sc, xticks=(0, 16, 32, 64, 96, 127), yticks=nice_ticks(p.ylim[0], p.ylim[1], 6), size=SMALL,
                marks=False)
        sc.text(p.x + p.w, p.y + p.h + 30, "distance m − n, tokens", size=SMALL, fill="muted", align="r", base="t")
        p.hline(sc, data["flat"], stroke="muted", lw=2, dash=(7, 5))
        p.polyline(sc, list(enumerate(data["curve"])), stroke="accent", lw=2.5)
        best = max(range(len(data["curve"])), key=data["curve"].__getitem__)
        sc.text(p.x + p.w, p.fy(data["flat"]) - 8, f"no RoPE: {data['flat']:.2f} at every distance",
                size=SMALL, fill="muted", align="r", base="b")
        # the model's own speeds
        model = lm_model()
        freqs = rope_inverse_frequencies(model.cfg.d_head, model.cfg.rope_base)
        x = 628
        sc.text(x, 112, f"its {len(freqs)} pairs, base {model.cfg.rope_base:,.0f}:", size=SMALL, bold=True)
        sc.text(x, 136, "i   θ_i rad/token   wavelength", size=SMALL, fill="muted", font="mono")
        for i, f in enumerate(freqs):
            sc.text(x, 160 + 22 * i, f"{i}   {f:<13.4g}   {_tokens(2 * math.pi / f):>8} tok", size=SMALL,
                    font="mono")
        sc.text(x, 346, f"highest score at distance {best}", size=SMALL, fill="accent")
        return sc.items

    def _draw_trained(self, t: float):
        model = lm_model()
        dist = int(t // LM_PROBE_S) % model.cfg.n_ctx
        return self.memo("trained", dist, lambda: self._lm_frame(dist))

    def _lm_positions(self, dist: int) -> list[tuple[int, int]]:
        """Three pairs of positions ``dist`` apart: from the start, moved on by up to LM_SHIFT tokens (halfway
        to the end of the context where LM_SHIFT would not fit), and at the end of the context."""
        last = lm_model().cfg.n_ctx - 1
        shift = min(LM_SHIFT, (last - dist) // 2)
        return [(dist, 0), (dist + shift, shift), (last, last - dist)]

    def _lm_frame(self, dist: int):
        data = self._lm()
        sc = self.new_scene()
        sc.items.extend(self.cached("lm_static", self._lm_static))
        p = self._lm_plot(data)
        v = data["curve"][dist]
        p.vline(sc, dist, stroke="ink", lw=1.2)
        sc.circle(p.fx(dist), p.fy(v), 5.5, fill="accent", stroke="bg", lw=1.5)
        x = 628
        sc.text(x, 384, f"m − n = {dist}: the model's own RoPE", size=SMALL, bold=True)
        pos = self._lm_positions(dist)
        scores = [lm_score_at(data["q"], data["k"], m, n) for m, n in pos]
        for j, ((m, n), s) in enumerate(zip(pos, scores)):
            sc.text(x, 410 + 24 * j, f"m = {m:>3}, n = {n:>3}: {s:+.4f}", size=SMALL, font="mono")
        model = lm_model()
        freqs = rope_inverse_frequencies(model.cfg.d_head, model.cfg.rope_base)
        sc.text(x, 492, f"pair 0 turned by {_dtext(_deg(dist * freqs[0]))},", size=SMALL, fill="muted")
        sc.text(x, 514, f"pair 7 by {math.degrees(dist * freqs[-1]):.2f}°", size=SMALL, fill="muted")
        spread = max(scores) - min(scores)
        tel = [
            metric("distance", "distance m − n", dist, f"{dist}", "tokens"),
            metric("score", "score with RoPE", v, f"{v:.3f}", "", "q·k/√16 after turning q and k"),
            metric("flat", "score without RoPE", data["flat"], f"{data['flat']:.3f}", "",
                   "the same at every distance"),
            metric("spread", "spread over the three position pairs", spread, f"{spread:.1e}", "",
                   "rounding only: the score depends on m − n alone"),
        ]
        return sc, tel

    def _events_trained(self, t0: float, t1: float) -> list[dict]:
        out = []
        data = self._lm()
        n_ctx = lm_model().cfg.n_ctx
        for k in self._ticks_crossed(t0, t1, LM_PROBE_S * 16, limit=1):
            dist = (k * 16) % n_ctx
            out.append({"level": "info", "text":
                        f"distance {dist}: score {data['curve'][dist]:.3f} with RoPE, {data['flat']:.3f} without; "
                        f"the same at every pair of positions {dist} apart"})
        return out
