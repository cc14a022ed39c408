"""From logits to text: the workshop of chapter p02-c07.

Every distribution here is a real one: the book's tiny trained model
(``llmviz.lm``) reads a prompt and gives the logits of the token after it
(:mod:`.sampling_runs`). Three views, one idea each:

* temperature: the 12 likeliest next tokens as bars of softmax(z / T) beside
  their τ = 1 outline, the distribution laid end to end on [0, 1) below, and
  uniform numbers u drawn one by one, each landing on the token whose
  interval holds it. Entropy in bits as the reader turns T.
* truncation: the same distribution cut three ways side by side (top-k,
  top-p, min-p). A cursor walks down the ranks and each panel decides, by
  its own rule, which tokens survive; the survivors' renormalised
  probabilities follow.
* samples: the greedy continuation and three sampled ones, written by the
  model token by token with one of a few named settings; chips coloured by
  the rank each token had, repeats underlined.

Every number goes through :mod:`llmviz.calc.sampling` and
:mod:`llmviz.calc.information`. The model's work is spread over frames:
a frame builds a scene only when what it shows changes, and frames that
reuse a scene spend :data:`PREFETCH` work units writing ahead, so no frame
after the first computes a whole token while the clock runs at 60 frames a
second (a test counts the units).
"""
from __future__ import annotations

import math

from ...calc.information import entropy, perplexity, softmax
from ...calc.sampling import (
    kept_mass,
    min_p_keep,
    rank_order,
    renormalise,
    repeated_ngram_share,
    sample_tokens,
    top_k_keep,
    top_p_keep,
)
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.rng import lcg_uniforms
from ...core.scene import CHAR_W, Scene
from ...units import fmt_int, fmt_percent, fmt_plain
from . import sampling_runs as sr

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

#: Bars shown in the temperature view; the rest of the vocabulary is one "others" bar.
SHOWN = 12
#: Rows of the truncation panels.
PANEL_ROWS = 14
#: Work units spent ahead on a frame that reuses a drawn scene (each about 2,048 multiply-adds).
PREFETCH = 8

# the temperature view's draws: one every DRAW_S seconds, DRAWS of them, then a pause
DRAWS = 40
DRAW_S = 0.35
DRAW_HOLD = 3.0
DRAW_CYCLE = DRAWS * DRAW_S + DRAW_HOLD
DRAW_SEED = 7000
# the truncation view's cursor: one rank every SCAN_S seconds
SCAN_S = 0.3
# the samples view: the first token at START seconds, one more every STEP
START = 1.0
STEP = 0.7

#: Rank bands the samples view colours its chips by: (last rank in the band, colour, legend).
RANK_BANDS = ((1, "good", "rank 1 (greedy's pick)"), (5, "accent", "rank 2–5"),
              (20, "accent2", "rank 6–20"), (None, "bad", "rank above 20"))

#: The truncation panels' third column: (header, the value its rule compares, from the rank j (0-based),
#: the running sum down to this token and its probability over the top token's).
RULE_COLUMN = {
    "top-k": ("rank", lambda j, run, share: str(j + 1)),
    "top-p": ("running Σ", lambda j, run, share: f"{run:.3f}"),
    "min-p": ("÷ top", lambda j, run, share: f"{share:.3f}"),
}

PROMPT_OPTIONS = tuple((str(i), f"“{p}”") for i, p in enumerate(sr.PROMPTS))
PRESET_OPTIONS = tuple((k, f"{p.label}: {p.why}") for k, p in sr.PRESETS.items())


def band_of(rank: int) -> tuple[str, str]:
    """(colour, legend) of a token's rank band."""
    for last, colour, legend in RANK_BANDS:
        if last is None or rank <= last:
            return colour, legend
    raise AssertionError("unreachable")


def text_w(s: str, size: float, font: str = "sans") -> float:
    """Width a label takes, by the scene's own estimate."""
    return len(s) * size * CHAR_W[font]


def fmt_p(p: float) -> str:
    """A probability for a bar: three decimals, or "<0.001"."""
    if 0 < p < 0.0005:
        return "<0.001"
    return f"{p:.3f}"


class SamplingMode(Mode):
    """Temperature, truncation and sampled continuations, on the tiny model's real next-token logits."""

    id = "p02-c07-sampling"
    chapter = "p02-c07-sampling"
    title = "From logits to text: greedy, temperature, top-k, top-p, min-p"
    step_dt = 0.35
    size = (960, 640)

    params = (
        Choice("prompt", "prompt", "the text the tiny model continues; its next-token distribution is what every "
               "view reshapes", options=PROMPT_OPTIONS, default="0"),
        Number("temp", "temperature τ", "every logit is divided by τ before the softmax: τ < 1 sharpens the "
               "distribution, τ > 1 flattens it", lo=0.1, hi=3.0, step=0.05, default=1.0, log=True),
        Number("top_k", "top-k: k", "keep only the k likeliest tokens", lo=1, hi=100, step=1, default=10,
               integer=True),
        Number("top_p", "top-p: P", "keep the fewest likeliest tokens whose probabilities add up to at least P",
               lo=0.05, hi=1.0, step=0.01, default=0.9),
        Number("min_p", "min-p: p_min", "keep every token with at least p_min times the top token's probability",
               lo=0.0, hi=0.5, step=0.01, default=0.1),
        Choice("preset", "decoding setting", "the temperature and cut the three sampled rows are drawn with",
               options=PRESET_OPTIONS, default=sr.DEFAULT_PRESET),
        Number("seed", "seed", "which uniform random numbers the sampled rows use (the same in every setting)",
               lo=0, hi=99, step=1, default=0, integer=True),
    )
    submodes = {
        "temperature": Submode("Temperature", {}, "the next-token distribution at temperature τ, and draws from it",
                               ("prompt", "temp")),
        "truncation": Submode("Top-k, top-p, min-p", {},
                              "three ways to cut the tail of the same distribution, side by side",
                              ("prompt", "temp", "top_k", "top_p", "min_p")),
        "samples": Submode("Samples", {"prompt": str(sr.SAMPLES_PROMPT)},
                           "greedy decoding against three sampled continuations, written token by token",
                           ("prompt", "preset", "seed")),
    }
    default_submode = "temperature"

    # -- shared state ------------------------------------------------------------

    def _prompt_index(self) -> int:
        return int(self["prompt"])

    def _logits(self) -> list[float]:
        """The next-token logits after the prompt (read on first use: the first frame pays)."""
        return sr.prompt(self._prompt_index()).ensure().logits

    def _dist(self) -> dict:
        """Everything the temperature and truncation views draw, per parameter version."""
        def calc():
            z = self._logits()
            q1 = softmax(z)
            qT = softmax(z, self["temp"])
            order = rank_order(q1)
            return {"z": z, "q1": q1, "qT": qT, "order": order,
                    "labels": {i: sr.token_text(i) for i in order[:max(SHOWN, PANEL_ROWS)]}}
        return self.cached("dist", calc)

    def _prefetch(self) -> None:
        sr.prefetch(self._prompt_index(), self["preset"], int(self["seed"]), PREFETCH)

    def draw(self, t: float):
        if self.submode == "samples":
            # the samples view never waits for the model: every frame spends the same few units on
            # the rows it shows (first the ones furthest behind), and the picture shows what is in
            self._prefetch()
        key = self._frame_key(t)
        built = []

        def build():
            built.append(True)
            sc = self.new_scene()
            return sc, getattr(self, "_draw_" + self.submode)(sc, *key)

        hit = self.memo("scene", key, build)
        if not built and self.submode != "samples":
            # spare time on a frame that only repeats a picture goes to the model's next tokens
            self._prefetch()
        return hit

    def _frame_key(self, t: float) -> tuple:
        if self.submode == "temperature":
            cycle = int(t // DRAW_CYCLE)
            k = min(DRAWS, int((t - cycle * DRAW_CYCLE) // DRAW_S) + 1)
            return (cycle, k)
        if self.submode == "truncation":
            return (min(PANEL_ROWS, int(t // SCAN_S)),)
        n = self._written(t)
        return (n, min(n, self._ready()))

    def events(self, t0: float, t1: float) -> list[dict]:
        out = getattr(self, "_events_" + self.submode)(t0, t1)
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(30, 24, title, size=TITLE, bold=True)
        sc.text(30, 50, subtitle, size=SUB, fill="muted")

    def _prompt_text(self) -> str:
        return sr.PROMPTS[self._prompt_index()]

    # -- temperature -----------------------------------------------------------------

    def _draws(self, cycle: int) -> list[tuple[float, int]]:
        """The cycle's uniform numbers and the tokens they pick at temperature τ."""
        def calc():
            us = lcg_uniforms(DRAW_SEED + cycle, DRAWS)
            return list(zip(us, sample_tokens(self._dist()["qT"], us)))
        return self.memo("draws", cycle, calc)

    def _draw_temperature(self, sc: Scene, cycle: int, k: int) -> list[dict]:
        d = self._dist()
        T = self["temp"]
        qT, q1, order, labels = d["qT"], d["q1"], d["order"], d["labels"]
        shown = order[:SHOWN]
        rest = len(qT) - SHOWN
        self._header(sc, f"After “{self._prompt_text()}”: the tiny model's next token",
                     f"Its {SHOWN} likeliest of {len(qT)} tokens. Filled: temperature τ = {fmt_plain(T)}. "
                     "Outline: τ = 1.")
        draws = self._draws(cycle)[:k]
        counts: dict[int, int] = {}
        for _, tok in draws:
            counts[tok] = counts.get(tok, 0) + 1
        x0, x1, top, base = 90, 930, 96, 336
        slot = (x1 - x0) / (SHOWN + 1)
        bw = slot * 0.6
        for v in (0, 0.25, 0.5, 0.75, 1.0):
            y = base - v * (base - top)
            sc.line(x0 - 6, y, x1, y, stroke="grid", lw=1)
            sc.text(x0 - 12, y, fmt_plain(v), size=SMALL, fill="muted", align="r")
        other_T = max(0.0, 1 - math.fsum(qT[i] for i in shown))
        other_1 = max(0.0, 1 - math.fsum(q1[i] for i in shown))
        bars = [(labels[i], qT[i], q1[i], i) for i in shown] + [(f"+{rest}", other_T, other_1, None)]
        # labels wider than a slot alternate between two lines
        stagger = any(text_w(b[0], SMALL, "mono") > slot - 6 for b in bars)
        for j, (label, pT, p1, tok) in enumerate(bars):
            cx = x0 + slot * (j + 0.5)
            h = pT * (base - top)
            fill = "accent" if tok is not None else "muted"
            sc.rect(cx - bw / 2, base - h, bw, h, fill=fill, alpha=0.85,
                    label=f"{label}: {fmt_p(pT)} at τ = {fmt_plain(T)}")
            h1 = p1 * (base - top)
            sc.path([(cx - bw / 2, base), (cx - bw / 2, base - h1), (cx + bw / 2, base - h1), (cx + bw / 2, base)],
                    stroke="ink", lw=1.3, dash=(4, 3))
            sc.text(cx, min(base - h, base - h1) - 12, fmt_p(pT), size=SMALL, align="c", font="mono")
            ly = base + 16 + (19 if stagger and j % 2 else 0)
            sc.text(cx, ly, label, size=SMALL, align="c", font="mono", bold=j == 0)
            if tok is not None and counts.get(tok):
                sc.text(cx, base + 62, f"×{counts[tok]}", size=SMALL, align="c", fill="accent2")
        others_drawn = sum(n for tok, n in counts.items() if tok not in shown)
        if others_drawn:
            sc.text(x0 + slot * (SHOWN + 0.5), base + 62, f"×{others_drawn}", size=SMALL, align="c", fill="accent2")
        sc.line(x0, base, x1, base, stroke="ink", lw=1.2)
        sc.text(x0 - 12, base + 62, "drawn", size=SMALL, fill="accent2", align="r")
        sc.text(x0 + slot * 0.5 - 10, base + 86, "↑ greedy decoding always picks the first bar", size=SMALL,
                fill="good")
        # the distribution laid end to end on [0, 1): where each draw u lands
        sy, sh, sx0, sx1 = 466, 34, 90, 930
        sc.text(sx0, sy - 20, f"The same {len(qT)} probabilities end to end on [0, 1): a draw u lands in one token's "
                "stretch", size=SMALL, fill="muted")
        acc = 0.0
        for j, i in enumerate(shown):
            w = qT[i] * (sx1 - sx0)
            sc.rect(sx0 + acc * (sx1 - sx0), sy, w, sh, fill="accent" if j % 2 == 0 else "q", alpha=0.9 if j % 2 == 0
                    else 0.55, stroke="bg", lw=1, label=f"{labels[i]}: [{acc:.3f}, {acc + qT[i]:.3f})")
            if w > text_w(labels[i], SMALL, "mono") + 8:
                sc.text(sx0 + (acc + qT[i] / 2) * (sx1 - sx0), sy + sh / 2, labels[i], size=SMALL, align="c",
                        font="mono", fill="bg", collide=False)
            acc += qT[i]
        sc.rect(sx0 + acc * (sx1 - sx0), sy, max(0.0, 1 - acc) * (sx1 - sx0), sh, fill="muted", alpha=0.5,
                label=f"the other {rest} tokens: [{acc:.3f}, 1)")
        sc.text(sx0 - 12, sy + sh / 2, "0", size=SMALL, fill="muted", align="r")
        sc.text(sx1 + 12, sy + sh / 2, "1", size=SMALL, fill="muted", align="l")
        for u, _ in draws[:-1]:
            sc.line(sx0 + u * (sx1 - sx0), sy + sh + 1, sx0 + u * (sx1 - sx0), sy + sh + 9, stroke="accent2", lw=1.2)
        if draws:
            u, tok = draws[-1]
            ux = sx0 + u * (sx1 - sx0)
            sc.arrow(ux, sy - 16, ux, sy - 1, stroke="accent2", lw=2.5, head=8)
            sc.line(ux, sy, ux, sy + sh + 10, stroke="accent2", lw=2.5)
            note = f"draw {k}: u = {u:.3f} → {sr.token_text(tok)}"
            nx = min(max(ux, sx0 + text_w(note, SMALL) / 2), sx1 - text_w(note, SMALL) / 2)
            sc.text(nx, sy + sh + 26, note, size=SMALL, align="c", fill="accent2", font="mono")
            chips = " ".join(sr.token_text(t) for _, t in draws[-14:])
            sc.text(30, 590, f"Last draws: {chips}", size=SMALL, font="mono")
        else:
            sc.text(30, 590, "Draws start in a moment: each picks one token.", size=SMALL, fill="muted")
        H = entropy(qT)
        top_tok = shown[0]
        share = counts.get(top_tok, 0)
        sc.text(30, 616, f"Entropy {H:.2f} bits: as uncertain as a fair choice among {2 ** H:.1f} tokens. "
                f"{labels[top_tok]} drawn {share} of {len(draws)} times.", size=SMALL)
        return [
            metric("temp", "temperature τ", T, fmt_plain(T), ""),
            metric("entropy", "entropy of the distribution", H, f"{H:.2f} bits", "bit"),
            metric("top", "likeliest token's probability", qT[top_tok], f"{fmt_p(qT[top_tok])} ({labels[top_tok]})", ""),
            metric("choices", "as uncertain as a fair choice among", 2 ** H, f"{2 ** H:.1f} tokens", "tokens"),
            metric("tail", f"probability outside the {SHOWN} bars", other_T, fmt_p(other_T), ""),
            metric("draws", "draws so far (this round)", k, f"{k} of {DRAWS}", "draws"),
        ]

    def _events_temperature(self, t0: float, t1: float) -> list[str]:
        out = []
        d = self._dist()
        for cycle in range(int(max(t0, 0.0) // DRAW_CYCLE), int(t1 // DRAW_CYCLE) + 1):
            for i in range(DRAWS):
                at = cycle * DRAW_CYCLE + i * DRAW_S
                if not t0 < at <= t1:
                    continue
                u, tok = self._draws(cycle)[i]
                out.append(f"draw {i + 1}: u = {u:.3f} lands on {sr.token_text(tok)} "
                           f"(probability {fmt_p(d['qT'][tok])} at τ = {fmt_plain(self['temp'])})")
        return out[-20:]

    # -- truncation ------------------------------------------------------------------

    def _cuts(self) -> dict:
        """The three rules' survivors on the tempered distribution, per parameter version."""
        def calc():
            d = self._dist()
            q = d["qT"]
            rules = {
                "top-k": top_k_keep(q, int(self["top_k"])),
                "top-p": top_p_keep(q, self["top_p"]),
                "min-p": min_p_keep(q, self["min_p"]),
            }
            out = {}
            for name, keep in rules.items():
                r = renormalise(q, keep)
                out[name] = {"keep": keep, "renorm": r, "kept": sum(keep), "mass": kept_mass(q, keep),
                             "entropy": entropy(r)}
            return out
        return self.cached("cuts", calc)

    def _rule_text(self, name: str) -> tuple[str, str]:
        q = self._dist()["qT"]
        if name == "top-k":
            k = int(self["top_k"])
            return f"top-k, k = {k}", f"keep the {k} likeliest" if k > 1 else "keep the likeliest only"
        if name == "top-p":
            return f"top-p, P = {fmt_plain(self['top_p'])}", f"keep until the sum reaches {fmt_plain(self['top_p'])}"
        cut = self["min_p"] * max(q)
        return (f"min-p, p_min = {fmt_plain(self['min_p'])}",
                f"keep p ≥ {fmt_plain(self['min_p'])} × {max(q):.3f} = {cut:.3f}")

    def _draw_truncation(self, sc: Scene, scanned: int) -> list[dict]:
        d = self._dist()
        cuts = self._cuts()
        q, order, labels = d["qT"], d["order"], d["labels"]
        rows = order[:PANEL_ROWS]
        T = self["temp"]
        self._header(sc, "Three ways to cut the tail of the same distribution",
                     f"After “{self._prompt_text()}”, τ = {fmt_plain(T)}. Each rule keeps some tokens, then "
                     "rescales them to sum to 1.")
        qmax = q[order[0]]
        row_h, y0 = 24, 150
        for p, name in enumerate(("top-k", "top-p", "min-p")):
            px = 30 + p * 310
            c = cuts[name]
            title, rule = self._rule_text(name)
            sc.rect(px - 8, 72, 296, 488, fill="panel", r=6)
            sc.text(px, 88, title, size=BODY, bold=True)
            sc.text(px, 112, rule, size=SMALL, fill="muted")
            # each panel's third column is the number its rule compares: rank, running sum, share of the top
            header, value = RULE_COLUMN[name]
            sc.text(px + 70, 136, "prob.", size=SMALL, fill="muted")
            sc.text(px + 205, 136, header, size=SMALL, fill="muted", align="r")
            sc.text(px + 280, 136, "rescaled", size=SMALL, fill="muted", align="r")
            bar0, bar_w = px + 70, 70
            running = 0.0
            for j, tok in enumerate(rows):
                y = y0 + j * row_h + row_h / 2
                running += q[tok]
                kept = c["keep"][tok]
                seen = j < scanned
                if j == scanned - 1 and scanned < PANEL_ROWS:
                    sc.rect(px - 6, y - row_h / 2 + 1, 292, row_h - 2, fill="hl", r=3)
                sc.text(px, y, labels[tok], size=SMALL, font="mono", fill="ink" if seen else "muted")
                w = max(1.0, q[tok] / qmax * bar_w)
                colour = ("good" if kept else "faint") if seen else "muted"
                sc.rect(bar0, y - 7, w, 14, fill=colour, alpha=1.0 if seen else 0.35,
                        label=f"{labels[tok]}: {fmt_p(q[tok])}")
                if seen:
                    sc.text(px + 205, y, value(j, running, q[tok] / qmax), size=SMALL, font="mono", align="r",
                            fill="accent2")
                    sc.text(px + 280, y, fmt_p(c["renorm"][tok]) if kept else "cut", size=SMALL, font="mono",
                            align="r", fill="ink" if kept else "muted")
                # the rule's own mark, once the cursor has passed it
                if name == "top-k" and seen and j == c["kept"] - 1 and c["kept"] < PANEL_ROWS:
                    sc.line(px - 4, y + row_h / 2, px + 284, y + row_h / 2, stroke="accent2", lw=2, dash=(6, 4))
                if name == "top-p" and seen and kept and (j + 1 == len(rows) or not c["keep"][rows[j + 1]]):
                    if c["kept"] <= PANEL_ROWS:
                        sc.line(px - 4, y + row_h / 2, px + 284, y + row_h / 2, stroke="accent2", lw=2, dash=(6, 4))
            if name == "min-p" and scanned:
                lx = bar0 + self["min_p"] * bar_w
                sc.line(lx, y0 - 4, lx, y0 + len(rows) * row_h + 2, stroke="accent2", lw=2, dash=(5, 4))
            foot = y0 + PANEL_ROWS * row_h + 14
            if scanned >= PANEL_ROWS:
                more = c["kept"] - sum(1 for tok in rows if c["keep"][tok])
                if more > 0:
                    sc.text(px, foot, f"+ {more} more kept below", size=SMALL, fill="muted")
                sc.text(px, foot + 22, f"kept {c['kept']}: {100 * c['mass']:.1f} % of the mass", size=SMALL)
                sc.text(px, foot + 44, f"entropy after: {c['entropy']:.2f} bits", size=SMALL, fill="muted")
        where = ("the cursor walks down the ranks; each panel decides by the number in orange" if scanned < PANEL_ROWS
                 else "Orange: the number each rule compares (k, P, p_min). Dashed: where it stops. Green: kept.")
        sc.text(30, 616, where, size=SMALL, fill="accent" if scanned < PANEL_ROWS else "muted")
        H = entropy(q)
        return [
            metric("temp", "temperature τ", T, fmt_plain(T), ""),
            metric("entropy", "entropy before cutting", H, f"{H:.2f} bits", "bit"),
            metric("kept_k", f"top-k keeps (k = {int(self['top_k'])})", cuts["top-k"]["kept"],
                   f"{cuts['top-k']['kept']} tokens, {fmt_percent(cuts['top-k']['mass'])} of the mass", "tokens"),
            metric("kept_p", f"top-p keeps (P = {fmt_plain(self['top_p'])})", cuts["top-p"]["kept"],
                   f"{cuts['top-p']['kept']} tokens, {fmt_percent(cuts['top-p']['mass'])} of the mass", "tokens"),
            metric("kept_min", f"min-p keeps (p_min = {fmt_plain(self['min_p'])})", cuts["min-p"]["kept"],
                   f"{cuts['min-p']['kept']} tokens, {fmt_percent(cuts['min-p']['mass'])} of the mass", "tokens"),
            metric("scanned", "ranks examined", scanned, f"{scanned} of {PANEL_ROWS}", "tokens"),
        ]

    def _events_truncation(self, t0: float, t1: float) -> list[str]:
        out = []
        d = self._dist()
        cuts = self._cuts()
        for j in range(PANEL_ROWS):
            at = (j + 1) * SCAN_S
            if not t0 < at <= t1:
                continue
            tok = d["order"][j]
            verdict = ", ".join(f"{name} {'keeps' if cuts[name]['keep'][tok] else 'cuts'}"
                                for name in ("top-k", "top-p", "min-p"))
            out.append(f"rank {j + 1}, {d['labels'][tok]} ({fmt_p(d['qT'][tok])}): {verdict}")
        return out

    # -- samples ---------------------------------------------------------------------

    def _written(self, t: float) -> int:
        """Tokens each continuation shows at time ``t``."""
        if t < START:
            return 0
        return min(sr.LENGTH, int((t - START) // STEP) + 1)

    def _rows(self) -> tuple:
        """The greedy row and the sampled rows of the current prompt, setting and seed, as far as written."""
        i, preset, seed = self._prompt_index(), self["preset"], int(self["seed"])
        return sr.greedy(i), sr.samples(i, preset, seed)

    def _ready(self) -> int:
        """Tokens every row of the current setting already has (0 while the prompt is still being read)."""
        greedy, rows = self._rows()
        return min(len(r.tokens) for r in [greedy, *rows])

    def _draw_samples(self, sc: Scene, due: int, n: int) -> list[dict]:
        """``due`` tokens are due by the clock; ``n`` ≤ due of them are in for every row and are shown."""
        preset = sr.PRESETS[self["preset"]]
        greedy, rows = self._rows()
        self._header(sc, f"The tiny model writes {sr.LENGTH} tokens after “{self._prompt_text()}”",
                     f"Sampled rows: {preset.label} ({preset.why}). Seed {int(self['seed'])}.")
        top = 84
        block = 106
        stats = []
        for r, (name, row) in enumerate([("greedy", greedy)] + [(f"sample {k + 1}", x) for k, x in enumerate(rows)]):
            y = top + r * block
            toks = row.tokens[:n]
            sc.text(30, y + 14, name, size=BODY, bold=True, fill="good" if r == 0 else "ink")
            rep = repeated_ngram_share(toks, 3)
            ppl = sr.perplexity_of(row.probs[:n]) if toks else math.nan
            stats.append((rep, ppl))
            sc.text(30, y + 40, f"repeats {100 * rep:.0f} %" if len(toks) > 3 else "repeats –", size=SMALL,
                    fill="bad" if rep > 0.2 else "muted")
            sc.text(30, y + 62, f"perplexity {ppl:.1f}" if toks else "perplexity –", size=SMALL, fill="muted")
            self._chips(sc, toks, row.ranks[:n], 170, y + 14, 930)
            if r < 3:
                sc.line(30, y + block - 12, 930, y + block - 12, stroke="grid", lw=1)
        if n == 0:
            reading = not sr.prompt(self._prompt_index()).done
            sc.text(170, top + 40, "reading the prompt through the model…" if reading and due
                    else "the model is about to write…", size=SMALL, fill="muted")
        # legend
        ly = 524
        x = 30
        for _, colour, legend in RANK_BANDS:
            sc.rect(x, ly - 8, 16, 16, fill=colour, alpha=0.3, stroke=colour, lw=1.2)
            sc.text(x + 22, ly, legend, size=SMALL)
            x += 44 + text_w(legend, SMALL)
        sc.line(x + 4, ly + 8, x + 34, ly + 8, stroke="bad", lw=2.5)
        sc.text(x + 40, ly, "repeats an earlier 3-token run", size=SMALL)
        held = perplexity(sr.model().header["training"]["loss_nats_per_token"]["held_out_int8"])
        sc.text(30, 556, f"Chip colour: the token's rank in the model's own (τ = 1) distribution at that step. "
                "Perplexity: e^(mean −ln p)", size=SMALL, fill="muted")
        sc.text(30, 580, f"of the row's tokens under the model; on the book's held-out text it is {held:.1f}.",
                size=SMALL, fill="muted")
        if n < due:
            sc.text(30, 612, f"Computing: {n} of the {due} tokens due are in. The model runs a few slices per "
                    "frame, so the rows catch up.", size=SMALL, fill="warn")
        else:
            sc.text(30, 612, f"{n} of {sr.LENGTH} tokens written. The sampled rows use the same random numbers in "
                    "every setting.", size=SMALL, fill="accent" if n < sr.LENGTH else "ink")
        distinct = len({tuple(x.tokens[:n]) for x in rows})
        sample_rep = sum(s[0] for s in stats[1:]) / len(rows)
        tail = sum(1 for x in rows for rk in x.ranks[:n] if rk > 20)
        return [
            metric("written", "tokens written per row", n, f"{n} of {sr.LENGTH}", "tokens"),
            metric("setting", "sampled rows' setting", list(sr.PRESETS).index(self["preset"]), preset.label, ""),
            metric("greedy_rep", "greedy: repeated 3-token runs", stats[0][0], f"{100 * stats[0][0]:.0f} %", ""),
            metric("sample_rep", "samples: repeated 3-token runs (mean)", sample_rep, f"{100 * sample_rep:.0f} %", ""),
            metric("distinct", "different sampled rows", distinct, f"{distinct} of {len(rows)}", "rows"),
            metric("tail", "sampled tokens ranked above 20", tail, fmt_int(tail), "tokens"),
            metric("held_ppl", "perplexity of the book's held-out text", held, f"{held:.1f}", ""),
        ]

    def _chips(self, sc: Scene, toks: list[int], ranks: list[int], x0: float, y0: float, x1: float) -> None:
        """A row's tokens as chips coloured by rank band, wrapping at ``x1``; repeats underlined."""
        x, y = x0, y0
        seen: set = set()
        for j, (tok, rank) in enumerate(zip(toks, ranks)):
            label = sr.token_text(tok)
            w = text_w(label, SMALL, "mono") + 6
            if x + w > x1:
                x, y = x0, y + 28
            colour, legend = band_of(rank)
            sc.rect(x, y - 11, w, 22, fill=colour, alpha=0.3, r=3, label=f"{label}: rank {rank}")
            sc.text(x + 3, y, label, size=SMALL, font="mono")
            if j >= 2:
                gram = tuple(toks[j - 2:j + 1])
                if gram in seen:
                    sc.line(x, y + 12, x + w, y + 12, stroke="bad", lw=2.5)
                seen.add(gram)
            x += w + 3

    def _events_samples(self, t0: float, t1: float) -> list[str]:
        """One line per token that appeared since the last frame (tokens arrive when the model has
        written them, which may be after their time on the clock)."""
        due, n = self._frame_key(t1)
        ident = (self.values.version, self.submode, self._prompt_index(), self["preset"], int(self["seed"]))
        told_id, told = getattr(self, "_told", (None, 0))
        fresh = told_id != ident or t0 < 0
        if fresh:
            told = 0          # a new setting or a fresh start: narrate from token 1
        told = min(told, n)   # scrubbed back: nothing new
        out = []
        greedy, rows = self._rows()
        first = max(told + 1, n - 3)
        if first > told + 1:
            out.append(f"tokens {told + 1}–{first - 1} are in")
        for k in range(first, n + 1):
            picks = ", ".join(f"{sr.token_text(x.tokens[k - 1])} (rank {x.ranks[k - 1]})" for x in rows)
            out.append(f"token {k}: greedy writes {sr.token_text(greedy.tokens[k - 1])}; the samples draw {picks}")
        if n < due and (fresh or n > told):
            out.append(f"computing: {n} of the {due} tokens due are in; the rows catch up over the next frames")
        self._told = (ident, n)
        return out
