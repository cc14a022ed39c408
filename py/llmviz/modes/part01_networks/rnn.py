"""RNNs and the sequential bottleneck. The workshop of chapter p01-c06.

Three pictures, one idea each:

* read: an Elman network with a hidden state of 8 numbers reads a short
  phrase one word at a time, h_t = tanh(W_h·h_{t−1} + W_x·x_t + b). Each
  column of cells is the state after one word; a step fills the next column
  only once the one before it exists, and the panel on the right redoes the
  arithmetic of one cell.
* vanish / explode (one drawing, two presets): the same network reads a
  64-word passage; backpropagation through time walks back from the last
  word, multiplying one Jacobian diag(1 − h²)·W_h per step, and the plot
  shows ‖∂h_T/∂h_t‖ against the distance T − t on a log axis beside the
  line ρᵏ. On the right, the weight gradient that BPTT adds up, before and
  after gradient norm clipping, and what one step of gradient descent with
  each does to W_h.
* parallel: one recurrent layer of width d over N positions on a GPU from
  the catalog: N dependent matrix-vector products against one GEMM over all
  positions, each at its roofline floor.

The network's weights are seeded normal draws (:func:`llmviz.core.rng.normals`),
W_h rescaled to the chosen spectral radius ρ. Every number goes through
:mod:`llmviz.calc.recurrence` (and the roofline and GEMM calculators for the
third view). Trajectories and gradients are computed once per parameter
change (a few milliseconds); a frame looks its step up, so frame(t) costs
the same for every t.
"""
from __future__ import annotations

import math

from ...calc.gemm import gemm_bytes, gemm_flops, gemm_intensity
from ...calc.recurrence import (bptt, clip_by_norm, jacobian_product_norms, parallel_time_floor,
                                recurrence_time_floor, rnn_run, scale_to_spectral_radius, spectral_radius)
from ...calc.roofline import ridge_point
from ...catalog.hardware import GPUS, get_gpu
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot
from ...core.rng import normals
from ...core.scene import Scene
from ...units import fmt_bytes, fmt_fixed, fmt_flops, fmt_general, fmt_plain, fmt_seconds, subscript, superscript

D = 8                    # hidden units
E = 4                    # numbers per word vector
SEED = 12                # the network's weights
INPUT_SCALE = 0.3        # W_x entries ~ N(0, (0.3/√E)²): inputs nudge the state without pinning it
BIAS_SCALE = 0.1
LR = 0.1                 # the learning rate of the one gradient step the explode view prices

#: the passage the gradient views read: 64 words, the first six of which are the phrase of the read view
PASSAGE = ("the cat sat on the mat because the mat was warm and the dog watched from the door until the cat "
           "left the mat and the dog took its place so when the cat came back the dog would not move and the "
           "cat sat on the cold floor and waited for the sun to reach the mat again and for the dog to go").split()
T_GRAD = 64
PHRASES = {
    "cat": "the cat sat on the mat",
    "dog": "the dog sat on the mat",
    "door": "the dog watched from the door",
}

READ_STEP_S = 1.6        # seconds per word in the read view
READ_FLOW_S = 0.6        # of which the arrows glow for this long before the new state appears
READ_HOLD_S = 3.0
SWEEP_S = 9.0            # seconds for backpropagation to walk back all 64 steps
SWEEP_HOLD_S = 3.0
RACE_S = 8.0             # seconds for the recurrence to finish in the parallel view
RACE_HOLD_S = 3.0

Y_LO, Y_HI = 1e-16, 1e8  # the gradient plot's window
TITLE, BODY, SMALL = 20, 17, 15


def word_vector(word: str) -> list[float]:
    """The fixed input vector x of ``word``: E normal draws seeded by the word's letters (same in every Python)."""
    seed = sum((i + 1) * ord(c) for i, c in enumerate(word)) * 7919 % 100003
    return normals(seed, E)


def base_weights() -> tuple[list[list[float]], list[list[float]], list[float]]:
    """W_h before scaling (D×D normal draws), W_x (D×E) and b (D), from :data:`SEED`."""
    w0 = normals(SEED, D * D)
    wx = normals(SEED + 1000, D * E)
    b = normals(SEED + 2000, D)
    s = INPUT_SCALE / math.sqrt(E)
    return ([w0[i * D:(i + 1) * D] for i in range(D)],
            [[s * v for v in wx[i * E:(i + 1) * E]] for i in range(D)],
            [BIAS_SCALE * v for v in b])


def network(rho: float) -> dict:
    """The network with W_h scaled to spectral radius ``rho``: ``{"w_h", "w_x", "b"}``."""
    w0, wx, b = base_weights()
    return {"w_h": scale_to_spectral_radius(w0, rho), "w_x": wx, "b": b}


def read_states(rho: float, words: list[str]) -> list[list[float]]:
    """h_0 = 0, h_1, …: the states after each of ``words``."""
    net = network(rho)
    return rnn_run(net["w_h"], net["w_x"], net["b"], [0.0] * D, [word_vector(w) for w in words])


def loss_direction() -> list[float]:
    """∂L/∂h_T of the gradient views' loss: a fixed unit vector (the loss is L = u·h_T)."""
    u = normals(SEED + 3000, D)
    n = math.sqrt(sum(v * v for v in u))
    return [v / n for v in u]


def gradient_story(rho: float, clip: float) -> dict:
    """Everything the gradient views show for spectral radius ``rho`` and clipping threshold ``clip``."""
    net = network(rho)
    w_h = net["w_h"]
    words = PASSAGE[:T_GRAD]
    states = rnn_run(w_h, net["w_x"], net["b"], [0.0] * D, [word_vector(w) for w in words])
    norms = jacobian_product_norms(w_h, states)
    gs, dws = bptt(w_h, states, loss_direction())
    dw_norms = [math.sqrt(sum(v * v for row in m for v in row)) for m in dws]
    full = dws[-1]
    clipped, factor = clip_by_norm(full, clip)
    raw_w = [[w - LR * g for w, g in zip(wr, gr)] for wr, gr in zip(w_h, full)]
    clip_w = [[w - LR * g for w, g in zip(wr, gr)] for wr, gr in zip(w_h, clipped)]
    return {"rho": rho, "clip": clip, "words": words, "states": states, "norms": norms,
            "grad_h": [math.sqrt(sum(v * v for v in g)) for g in gs], "dw_norms": dw_norms,
            "factor": factor, "rho_raw": spectral_radius(raw_w), "rho_clip": spectral_radius(clip_w),
            "mean_abs_h": sum(abs(v) for h in states[1:] for v in h) / (D * T_GRAD)}


def _hits(t0: float, t1: float, phase: float, period: float) -> range:
    """The k ≥ 0 with k·period + phase inside (t0, t1]."""
    first = max(0, math.floor((t0 - phase) / period) + 1)
    last = math.floor((t1 - phase) / period)
    return range(first, last + 1)


class RNNMode(Mode):
    """An RNN reads a phrase; gradients vanish or explode through time; N dependent steps against one GEMM."""

    id = "p01-c06-rnn"
    chapter = "p01-c06-rnn"
    title = "RNNs and the sequential bottleneck"
    step_dt = READ_STEP_S
    size = (960, 600)

    params = (
        Choice("phrase", "phrase", default="cat", options=tuple((k, v) for k, v in PHRASES.items()),
               help="The words the network reads, one per step."),
        Number("rho", "spectral radius \u03c1 of W_h", lo=0.3, hi=3.0, step=0.05, default=0.8,
               help="W_h is a fixed random matrix rescaled so that its largest |eigenvalue| is \u03c1."),
        Number("clip", "clipping threshold c", lo=0.1, hi=1000.0, step=0.1, default=1.0, log=True,
               help="If the weight gradient is longer than c, it is scaled down to length c."),
        Number("n", "sequence length N", lo=16, hi=65536, step=1, default=1024, integer=True, log=True,
               unit="tokens", help="Positions one layer must process."),
        Number("d", "hidden width d", lo=256, hi=8192, step=1, default=1024, integer=True, log=True,
               help="The recurrent matrix W_h is d\u00d7d."),
        Number("batch", "sequences in the batch", lo=1, hi=256, step=1, default=1, integer=True, log=True,
               help="Sequences processed side by side: each step multiplies W_h by this many states."),
        Choice("gpu", "GPU", default="h100-sxm", options=tuple((k, g.label) for k, g in GPUS.items()),
               help="Peak FLOP/s and memory bandwidth from the catalog's datasheet figures."),
    )

    submodes = {
        "read": Submode("One word at a time", {"phrase": "cat", "rho": 0.8},
                        "The hidden state after each word; each step waits for the one before.",
                        ("phrase", "rho")),
        "vanish": Submode("Vanishing gradient", {"rho": 0.8, "clip": 1.0},
                          "\u2016\u2202h_T/\u2202h_t\u2016 against the distance T \u2212 t, with \u03c1 below 1.",
                          ("rho",)),
        "explode": Submode("Exploding gradient and clipping", {"rho": 2.5, "clip": 1.0},
                           "With \u03c1 well above 1 the product grows; clipping caps the step.",
                           ("rho", "clip")),
        "parallel": Submode("N steps or one GEMM", {"n": 1024, "d": 1024, "batch": 1, "gpu": "h100-sxm"},
                            "N dependent matrix-vector products against one GEMM over all positions.",
                            ("n", "d", "batch", "gpu")),
    }
    default_submode = "read"

    def view(self) -> str:
        """The picture the sub-mode shows: read, gradient or parallel."""
        return "gradient" if self.submode in ("vanish", "explode") else self.submode

    def draw(self, t: float):
        v = self.view()
        if v == "gradient":
            return self._draw_gradient(t)
        if v == "parallel":
            return self._draw_parallel(t)
        return self._draw_read(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "gradient":
            out = self._gradient_events(t0, t1)
        elif v == "parallel":
            out = self._parallel_events(t0, t1)
        else:
            out = self._read_events(t0, t1)
        return [{"level": "info", "text": s} for _, s in sorted(out)]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SMALL, fill="muted")

    # -- read ------------------------------------------------------------------------------

    COL_X0, COL_W, CELL_H, CELLS_Y = 52, 86, 35, 112

    def _read_data(self) -> dict:
        words = PHRASES[self["phrase"]].split()
        net = network(self["rho"])
        states = rnn_run(net["w_h"], net["w_x"], net["b"], [0.0] * D, [word_vector(w) for w in words])
        return {"words": words, "states": states, "net": net, "xs": [word_vector(w) for w in words]}

    def _read_period(self, n: int) -> float:
        return n * READ_STEP_S + READ_HOLD_S

    def _read_phase(self, t: float) -> tuple[int, bool]:
        """(step, flowing): the latest word read (0 = none yet) and whether its arrows still glow."""
        n = len(PHRASES[self["phrase"]].split())
        tc = t % self._read_period(n)
        k = min(n, int(tc // READ_STEP_S) + 1)
        flowing = k <= n and (tc - (k - 1) * READ_STEP_S) < READ_FLOW_S and tc < n * READ_STEP_S
        return k, flowing

    def _read_static(self) -> dict:
        d = self.cached("read", self._read_data)
        sc = Scene(*self.size)
        self._header(sc, "An RNN reads one word at a time",
                     "h\u209c = tanh(W_h\u00b7h\u209c\u208b\u2081 + W_x\u00b7x\u209c + b): 8 hidden units, "
                     f"W_h with spectral radius \u03c1 = {fmt_plain(self['rho'])}")
        x0, cw, ch, y0 = self.COL_X0, self.COL_W, self.CELL_H, self.CELLS_Y
        for i in range(D):
            sc.text(x0 - 8, y0 + ch * (i + 0.5), str(i + 1), size=SMALL, fill="muted", align="r")
        sc.text(8, y0 - 14, "unit", size=SMALL, fill="muted", base="b")
        sc.text(x0 + cw / 2, y0 - 14, "h\u2080", size=BODY, bold=True, align="c", base="b")
        for j, w in enumerate(d["words"], start=1):
            cx = x0 + cw * j + cw / 2
            sc.text(cx, y0 - 14, f"h{subscript(j)}", size=BODY, bold=True, align="c", base="b")
        # the legend of the colour scale, right of the columns
        lx = 680
        sc.text(lx, 100, "cell colour = value", size=SMALL, fill="muted", base="t")
        sc.grid(lx, 124, 240, 16, 1, 9, [-1 + 0.25 * i for i in range(9)], cmap="div", vmin=-1.0, vmax=1.0,
                label="colour scale from \u22121 to 1")
        sc.text(lx, 146, "\u22121", size=SMALL, fill="muted", base="t")
        sc.text(lx + 120, 146, "0", size=SMALL, fill="muted", align="c", base="t")
        sc.text(lx + 240, 146, "1", size=SMALL, fill="muted", align="r", base="t")
        return {"items": sc.items, "d": d}

    def _draw_read(self, t: float):
        k, flowing = self._read_phase(t)
        return self.memo("read", (k, flowing), lambda: self._read_frame(k, flowing))

    def _read_frame(self, k: int, flowing: bool):
        st = self.cached("read_static", self._read_static)
        d = st["d"]
        words, states, net, xs = d["words"], d["states"], d["net"], d["xs"]
        n = len(words)
        sc = self.new_scene()
        sc.items.extend(st["items"])
        x0, cw, ch, y0 = self.COL_X0, self.COL_W, self.CELL_H, self.CELLS_Y
        shown = k - 1 if flowing else k          # states that exist in this frame
        # h_0 and every state computed so far, as columns of cells with their values
        for j in range(n + 1):
            cx = x0 + cw * j
            if j <= shown:
                sc.grid(cx + 8, y0, cw - 16, ch * D, D, 1, states[j], cmap="div", vmin=-1.0, vmax=1.0,
                        label=f"h{j}")
                for i, v in enumerate(states[j]):
                    sc.text(cx + cw / 2, y0 + ch * (i + 0.5), fmt_fixed(v), size=SMALL, font="mono", align="c",
                            fill="ink", collide=False)
            else:
                sc.rect(cx + 8, y0, cw - 16, ch * D, stroke="faint", lw=1, label=f"h{j} not yet computed")
            if j >= 1:
                word = words[j - 1]
                current = j == k
                sc.text(cx + cw / 2, y0 + ch * D + 44, word, size=BODY, align="c", base="t",
                        bold=current, fill="accent2" if current else "ink")
                # x_t drawn small between the column and its word: the input the step reads
                sc.grid(cx + 18, y0 + ch * D + 22, cw - 36, 12, 1, E, xs[j - 1], cmap="div", vmin=-2.5, vmax=2.5,
                        label=f"x{j}, the vector of '{word}'")
        yb = y0 + ch * D
        sc.text(8, yb + 28, "x\u209c", size=SMALL, fill="muted")
        # the step happening now: W_h from the previous column, W_x from the word below
        cx = x0 + cw * k
        lw = 4 if flowing else 2
        col = "accent2" if flowing else "accent"
        sc.rect(cx + 4, y0 - 4, cw - 8, ch * D + 8, stroke=col, lw=3, r=4, label="the state being computed")
        sc.arrow(cx - 12, y0 + ch * D / 2, cx + 8, y0 + ch * D / 2, stroke=col, lw=lw, head=10)
        sc.arrow(cx + cw / 2, yb + 20, cx + cw / 2, yb + 3, stroke=col, lw=lw, head=8)
        # the arithmetic of unit 1 at this step
        rx = 680
        h_prev, h_new, x = states[k - 1], states[k], xs[k - 1]
        a = sum(w * v for w, v in zip(net["w_h"][0], h_prev))
        bx = sum(w * v for w, v in zip(net["w_x"][0], x))
        b = net["b"][0]
        z = a + bx + b
        sub = subscript(k)
        subp = subscript(k - 1)
        lines = [
            (f"step {k} of {n} reads \u201c{words[k - 1]}\u201d", BODY, True, "accent2" if flowing else "ink"),
            ("unit 1, before tanh:", SMALL, False, "muted"),
            (f"(W_h\u00b7h{subp})\u2081 = {fmt_fixed(a)}", SMALL, False, "ink"),
            (f"(W_x\u00b7x{sub})\u2081 = {fmt_fixed(bx)}", SMALL, False, "ink"),
            (f"b\u2081 = {fmt_fixed(b)}", SMALL, False, "ink"),
            (f"sum z\u2081 = {fmt_fixed(z)}", SMALL, True, "ink"),
            (f"h{sub}[1] = tanh({fmt_fixed(z)}) = {fmt_fixed(h_new[0])}", SMALL, True, "accent"),
        ]
        y = 190
        for s, size, bold, fill in lines:
            sc.text(rx, y, s, size=size, bold=bold, fill=fill, base="t")
            y += 30 if size == BODY else 26
        moved = math.sqrt(sum((p - q) ** 2 for p, q in zip(h_new, h_prev)))
        norm = math.sqrt(sum(v * v for v in h_new))
        sc.text(20, 520, f"Step {k} needs h{subp}, which needed every step before it: "
                         f"{n} words, {n} steps one after another.", size=SMALL, base="t")
        sc.text(20, 546, f"The same matrices W_h, W_x and b serve every step; only the state changes "
                         f"(here by {fmt_plain(moved)} in length).", size=SMALL, fill="muted", base="t")
        if flowing:
            sc.text(20, 572, "The arrows carry h and x into the step; the new column appears when it is done.",
                    size=SMALL, fill="accent2", base="t")
        macs = D * D + D * E
        tel = [
            metric("step", "step", k, f"{k} of {n}", ""),
            metric("word", "word read", k, words[k - 1], ""),
            metric("norm", "\u2016h\u209c\u2016", norm, fmt_plain(norm, 3), ""),
            metric("moved", "\u2016h\u209c \u2212 h\u209c\u208b\u2081\u2016", moved, fmt_plain(moved, 3), ""),
            metric("h1", "h\u209c[1]", h_new[0], fmt_fixed(h_new[0]), ""),
            metric("rho", "spectral radius \u03c1(W_h)", self["rho"], fmt_plain(self["rho"]), ""),
            metric("macs", "multiply-adds per step", macs, f"{macs} (8\u00b78 + 8\u00b74)", ""),
        ]
        return sc, tel

    def _read_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("read", self._read_data)
        words, states = d["words"], d["states"]
        n = len(words)
        period = self._read_period(n)
        out = []
        for j in range(1, n + 1):
            phase = (j - 1) * READ_STEP_S + READ_FLOW_S
            for r in _hits(t0, t1, phase, period):
                h, p = states[j], states[j - 1]
                moved = math.sqrt(sum((a - b) ** 2 for a, b in zip(h, p)))
                out.append((r * period + phase,
                            f"Step {j} reads \u201c{words[j - 1]}\u201d: h{subscript(j)} = "
                            f"tanh(W_h\u00b7h{subscript(j - 1)} + W_x\u00b7x + b); unit 1 went from "
                            f"{fmt_fixed(p[0])} to {fmt_fixed(h[0])}, the state moved {fmt_plain(moved)}."))
        return out

    # -- gradient --------------------------------------------------------------------------

    PLOT = (90, 172, 470, 300)
    STRIP_Y = 82
    LEGEND_Y = 538

    def _grad_data(self) -> dict:
        return gradient_story(self["rho"], self["clip"])

    def _sweep_k(self, t: float) -> int:
        tc = t % (SWEEP_S + SWEEP_HOLD_S)
        return min(T_GRAD, int(tc / SWEEP_S * T_GRAD))

    def _grad_static(self) -> dict:
        g = self.cached("grad", self._grad_data)
        rho = g["rho"]
        sc = Scene(*self.size)
        # named by what the curve does at 64 steps, whichever preset the reader started from
        name = "Exploding" if g["norms"][-1] > 1.0 else "Vanishing"
        self._header(sc, f"{name} gradient: one Jacobian diag(1 \u2212 h\u00b2)\u00b7W_h per step back",
                     f"The same 8-unit RNN reads {T_GRAD} words; backpropagation walks back from the last one.")
        p = Plot(*self.PLOT, xlim=(0.0, float(T_GRAD)), ylim=(Y_LO, Y_HI), ylog=True)
        p.frame(sc, xticks=[0.0, 16.0, 32.0, 48.0, 64.0], yticks=[10.0 ** e for e in range(-16, 9, 4)],
                size=SMALL, xlabel="distance T \u2212 t (steps back)", ylabel="\u2016\u2202h_T/\u2202h_t\u2016 (log scale)",
                marks=False)
        p.hline(sc, 1.0, stroke="muted", lw=1.2, dash=(3, 4))
        # the geometric guide ρ^k: the linear network's rate, tanh′ ≤ 1 only shrinks the real product
        p.curve(sc, lambda k: rho ** k, n=65, stroke="accent3", lw=2, dash=(7, 5))
        pts = [(p.fx(k), p.fy(max(v, Y_LO * 1e-3))) for k, v in enumerate(g["norms"])]
        # the legend's swatches; its words carry the values of the step shown, under the plot, so no
        # readout sits where a steep curve or guide can run through it
        lx = p.x
        sc.line(lx, self.LEGEND_Y, lx + 26, self.LEGEND_Y, stroke="accent", lw=3)
        sc.line(lx, self.LEGEND_Y + 26, lx + 26, self.LEGEND_Y + 26, stroke="accent3", lw=2, dash=(7, 5))
        # the right panel: the weight gradient BPTT adds up, and clipping
        rx = 620
        sc.text(rx, 150, "\u2016\u2202L/\u2202W_h\u2016 summed so far", size=SMALL, bold=True, base="t")
        sc.text(rx, 172, "(log scale, bars from 10\u207b\u00b2 to 10\u2076)", size=SMALL, fill="muted", base="t")
        return {"items": sc.items, "g": g, "plot": p, "pts": pts}

    def _draw_gradient(self, t: float):
        k = self._sweep_k(t)
        return self.memo("grad", k, lambda: self._grad_frame(k))

    BAR_X, BAR_W = 620, 300

    def _bar(self, sc: Scene, y: float, value: float, colour: str, label: str) -> None:
        lo, hi = -2.0, 6.0
        frac = (min(max(math.log10(max(value, 1e-300)), lo), hi) - lo) / (hi - lo)
        sc.rect(self.BAR_X, y, self.BAR_W, 22, fill="panel", stroke="faint")
        if frac > 0:
            sc.rect(self.BAR_X, y, self.BAR_W * frac, 22, fill=colour, alpha=0.9, label=label)
        sc.text(self.BAR_X, y + 28, label, size=SMALL, fill=colour, bold=True, base="t")

    def _grad_frame(self, k: int):
        st = self.cached("grad_static", self._grad_static)
        g, p = st["g"], st["plot"]
        sc = self.new_scene()
        sc.items.extend(st["items"])
        # the strip of the passage's words: how strongly the last state still feels each step
        words = g["words"]
        cw = 880 / T_GRAD
        vals = []
        for j in range(T_GRAD):
            dist = T_GRAD - 1 - j
            vals.append(None if dist > k else max(-16.0, min(8.0, math.log10(max(g["norms"][dist], 1e-300)))))
        sc.grid(40, self.STRIP_Y, 880, 18, 1, T_GRAD, vals, cmap="seq", vmin=-16.0, vmax=8.0,
                label="log10 \u2016\u2202h_T/\u2202h_t\u2016 at each word")
        t_pos = T_GRAD - k
        cx = 40 + cw * (t_pos - 0.5) if k < T_GRAD else 40 + cw * 0.5
        sc.line(cx, self.STRIP_Y - 4, cx, self.STRIP_Y + 22, stroke="accent2", lw=3)
        word = words[max(0, t_pos - 1)]
        note = (f"t = {t_pos}, \u201c{word}\u201d" if k < T_GRAD else f"t = 1, \u201c{words[0]}\u201d")
        sc.text(40, self.STRIP_Y + 28, f"back at step {note}", size=SMALL, fill="accent2", bold=True, base="t")
        sc.text(920, self.STRIP_Y + 28, f"the last word, t = T = {T_GRAD}", size=SMALL, fill="muted", align="r",
                base="t")
        # the curve so far
        sc.path(st["pts"][:k + 1], stroke="accent", lw=3)
        v = g["norms"][k]
        if p.contains(float(k), v):
            sc.circle(p.fx(k), p.fy(v), 6, fill="accent", stroke="bg", lw=2)
        guide = g["rho"] ** k
        sc.text(p.x + 34, self.LEGEND_Y, f"\u2016\u2202h_T/\u2202h_t\u2016 = {fmt_general(v, 2)} at {k} steps back, "
                "the real product", size=BODY, fill="accent", bold=True)
        sc.text(p.x + 34, self.LEGEND_Y + 26, f"\u03c1\u1d4f = {fmt_plain(g['rho'])}{superscript(k)} = {fmt_general(guide, 2)}, "
                "the guide", size=SMALL, fill="accent3", bold=True)
        # the bars: raw and clipped weight gradient so far
        raw = g["dw_norms"][k]
        clipped = min(raw, g["clip"])
        self._bar(sc, 204, raw, "bad" if raw > g["clip"] else "accent", f"raw: {fmt_general(raw, 2)}")
        self._bar(sc, 264, clipped, "good", f"clipped at c = {fmt_general(g['clip'], 2)}: {fmt_general(clipped, 2)}")
        full = g["dw_norms"][-1]
        sc.text(self.BAR_X, 330, f"One step W_h \u2190 W_h \u2212 {fmt_plain(LR)}\u00b7gradient", size=SMALL,
                bold=True, base="t")
        sc.text(self.BAR_X, 356, f"(the full gradient, length {fmt_general(full, 2)}):", size=SMALL, fill="muted", base="t")
        sc.text(self.BAR_X, 382, f"raw: \u03c1(W_h) {fmt_plain(g['rho'])} \u2192 {fmt_general(g['rho_raw'])}",
                size=SMALL, fill="bad", bold=True, base="t")
        sc.text(self.BAR_X, 408, f"clipped: \u03c1(W_h) {fmt_plain(g['rho'])} \u2192 {fmt_general(g['rho_clip'])}",
                size=SMALL, fill="good", bold=True, base="t")
        sc.text(self.BAR_X, 444, f"mean |h| over the passage: {fmt_plain(g['mean_abs_h'])}", size=SMALL,
                fill="muted", base="t")
        sc.text(self.BAR_X, 468, "(near 1: units saturate, tanh\u2032 \u2248 0)", size=SMALL, fill="muted", base="t")
        tel = [
            metric("back", "steps back", k, str(k), "steps"),
            metric("jac", "\u2016\u2202h_T/\u2202h_t\u2016", v, fmt_general(v, 2), ""),
            metric("guide", "\u03c1\u1d4f", guide, fmt_general(guide, 2), ""),
            metric("dw", "\u2016\u2202L/\u2202W_h\u2016 so far", raw, fmt_general(raw, 2), ""),
            metric("dw_clip", "after clipping", clipped, fmt_general(clipped, 2), ""),
            metric("rho_raw", "\u03c1 after a raw step", g["rho_raw"], fmt_general(g["rho_raw"]), ""),
            metric("rho_clip", "\u03c1 after a clipped step", g["rho_clip"], fmt_general(g["rho_clip"]), ""),
        ]
        return sc, tel

    def _gradient_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        g = self.cached("grad", self._grad_data)
        period = SWEEP_S + SWEEP_HOLD_S
        out = []
        for k in (16, 32, 48, 64):
            phase = k / T_GRAD * SWEEP_S
            for r in _hits(t0, t1, phase, period):
                v = g["norms"][k]
                text = (f"{k} steps back: \u2016\u2202h_T/\u2202h_t\u2016 = {fmt_general(v, 2)} "
                        f"(\u03c1\u1d4f = {fmt_general(g['rho'] ** k, 2)}).")
                if k == T_GRAD:
                    raw = g["dw_norms"][-1]
                    text += (f" The weight gradient has length {fmt_general(raw, 2)}"
                             + (f"; clipping scales it by {fmt_general(g['factor'], 2)} to {fmt_general(g['clip'], 2)}."
                                if g["factor"] < 1 else ", under c: clipping leaves it alone."))
                out.append((r * period + phase, text))
        return out

    # -- parallel --------------------------------------------------------------------------

    LANE_X0, LANE_X1 = 200, 920
    SHOW = 16                # position cells drawn per lane

    def _par_data(self) -> dict:
        n, d, b, gpu = self["n"], self["d"], self["batch"], self["gpu"]
        t_rnn = recurrence_time_floor(d, n, gpu, b)
        t_par = parallel_time_floor(d, n, gpu, b)
        return {"n": n, "d": d, "b": b, "gpu": get_gpu(gpu), "t_rnn": t_rnn, "t_par": t_par,
                "step_flops": gemm_flops(d, b, d), "step_bytes": gemm_bytes(d, b, d),
                "step_int": gemm_intensity(d, b, d), "par_flops": gemm_flops(d, n * b, d),
                "par_bytes": gemm_bytes(d, n * b, d), "par_int": gemm_intensity(d, n * b, d),
                "ridge": ridge_point(gpu), "t_step": t_rnn / n}

    def _race_frac(self, t: float) -> float:
        tc = t % (RACE_S + RACE_HOLD_S)
        return min(1.0, tc / RACE_S)

    def _draw_parallel(self, t: float):
        q = int(self._race_frac(t) * 400)
        return self.memo("par", q, lambda: self._par_frame(q / 400))

    def _lane(self, sc: Scene, y: float, done: int, n: int, colour: str, chain: bool) -> None:
        shown = min(n, self.SHOW)
        w = (self.LANE_X1 - self.LANE_X0) / self.SHOW
        for i in range(shown):
            # with more positions than cells, cell i stands for the i-th sixteenth of them
            pos = i + 1 if n <= self.SHOW else math.ceil((i + 1) * n / shown)
            x = self.LANE_X0 + w * i
            on = pos <= done
            sc.rect(x + 4, y, w - 8, 30, fill=colour if on else "panel", stroke=colour, lw=1.5,
                    alpha=0.9 if on else 1.0, label=f"position {pos}")
            if chain and i > 0:
                sc.arrow(x - 4, y + 15, x + 4, y + 15, stroke="muted", lw=1.5, head=5)
        if n > self.SHOW and chain:
            sc.text(self.LANE_X1, y + 50, f"each cell: {n / self.SHOW:,.0f} positions", size=SMALL,
                    fill="muted", align="r", base="t")

    def _par_frame(self, frac: float):
        d = self.cached("par", self._par_data)
        n, gpu = d["n"], d["gpu"]
        t_rnn, t_par = d["t_rnn"], d["t_par"]
        clock = frac * t_rnn
        steps_done = min(n, int(clock / d["t_step"] + 1e-9))
        par_done = clock >= t_par
        sc = self.new_scene()
        self._header(sc, f"One layer over N = {n:,} positions on {gpu.label}",
                     f"Hidden width d = {d['d']:,}, {d['b']} sequence{'s' if d['b'] > 1 else ''} at a time, "
                     "bf16: each time at its roofline floor.")
        sc.text(20, 112, "recurrent", size=BODY, bold=True, fill="accent2", base="t")
        sc.text(20, 136, "h\u209c needs h\u209c\u208b\u2081", size=SMALL, fill="muted", base="t")
        self._lane(sc, 110, steps_done, n, "accent2", True)
        sc.text(20, 212, "no recurrence", size=BODY, bold=True, fill="accent", base="t")
        sc.text(20, 236, "each from its own input", size=SMALL, fill="muted", base="t")
        self._lane(sc, 210, n if par_done else 0, n, "accent", False)
        sc.text(self.LANE_X0, 160, f"{steps_done:,} of {n:,} dependent steps done", size=SMALL, bold=True,
                fill="accent2", base="t")
        sc.text(self.LANE_X0, 260, "all positions in 1 step" + (" (done)" if par_done else ""), size=SMALL,
                bold=True, fill="accent", base="t")
        # the time axis: log scale from the GEMM's floor to the recurrence's
        lo = 10 ** math.floor(math.log10(t_par))
        hi = 10 ** math.ceil(math.log10(t_rnn))
        if hi / lo < 100:
            hi = lo * 100
        p = Plot(200, 320, 720, 110, xlim=(lo, hi), ylim=(0.0, 2.0), xlog=True)
        p.frame(sc, xticks=[10.0 ** e for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1)],
                xfmt=lambda s: fmt_seconds(s, 2), size=SMALL, xlabel="time (log scale)", zero=False, marks=False)
        for row, (label, tt, colour) in enumerate((("recurrence", t_rnn, "accent2"), ("one GEMM", t_par, "accent"))):
            y0 = p.fy(1.5 - row) - 14
            sc.text(p.x - 10, y0 + 14, label, size=SMALL, bold=True, fill=colour, align="r")
            shown_t = min(tt, max(clock, lo))
            sc.rect(p.x, y0, max(1.0, p.fx(shown_t) - p.x), 28, fill=colour, alpha=0.85, label=f"{label} time")
            sc.line(p.fx(tt), y0 - 4, p.fx(tt), y0 + 32, stroke=colour, lw=2)
            sc.text(min(p.fx(tt) + 8, 905), y0 + 14, fmt_seconds(tt), size=SMALL, bold=True, fill=colour,
                    align="r" if p.fx(tt) + 8 > 905 - 60 else "l")
        ratio = t_rnn / t_par
        y = 478
        sc.text(20, y, f"Recurrence: {n:,} steps \u00d7 (W_h\u00b7h: {fmt_flops(d['step_flops'])}, "
                       f"{fmt_bytes(d['step_bytes'])}, {fmt_plain(d['step_int'], 1)} FLOP/byte) "
                       f"= {fmt_seconds(t_rnn)}", size=SMALL, fill="accent2", base="t")
        sc.text(20, y + 26, f"One GEMM: {fmt_flops(d['par_flops'])}, {fmt_bytes(d['par_bytes'])}, "
                            f"{fmt_plain(d['par_int'], 1)} FLOP/byte = {fmt_seconds(t_par)}", size=SMALL,
                fill="accent", base="t")
        sc.text(20, y + 52, f"Same FLOPs; at their floors the recurrence takes {ratio:,.0f}\u00d7 as long. "
                            f"{gpu.label} needs {fmt_plain(d['ridge'], 0)} FLOP/byte to run at peak.",
                size=SMALL, bold=True, base="t")
        sc.text(20, y + 78, "Floors, not measurements: W_h read from memory every step; keeping it on chip lowers "
                            "that, not the step count.", size=SMALL, fill="muted", base="t")
        tel = [
            metric("steps", "dependent steps done", steps_done, f"{steps_done:,} of {n:,}", "steps"),
            metric("t_rnn", "recurrence floor", t_rnn, fmt_seconds(t_rnn), "s"),
            metric("t_par", "one-GEMM floor", t_par, fmt_seconds(t_par), "s"),
            metric("ratio", "ratio", ratio, f"{ratio:,.0f}\u00d7", ""),
            metric("step_int", "intensity of one step", d["step_int"], f"{fmt_plain(d['step_int'], 2)} FLOP/byte",
                   "FLOP/byte"),
            metric("par_int", "intensity of the GEMM", d["par_int"], f"{fmt_plain(d['par_int'], 1)} FLOP/byte",
                   "FLOP/byte"),
            metric("ridge", "ridge point", d["ridge"], f"{fmt_plain(d['ridge'], 0)} FLOP/byte", "FLOP/byte"),
        ]
        return sc, tel

    def _parallel_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("par", self._par_data)
        period = RACE_S + RACE_HOLD_S
        out = []
        phase_par = d["t_par"] / d["t_rnn"] * RACE_S
        for r in _hits(t0, t1, phase_par, period):
            at = int(d["t_par"] / d["t_step"])
            out.append((r * period + phase_par,
                        f"The GEMM over all {d['n']:,} positions is done after {fmt_seconds(d['t_par'])}; "
                        f"the recurrence has finished {at:,} of its {d['n']:,} steps."))
        for r in _hits(t0, t1, RACE_S, period):
            out.append((r * period + RACE_S,
                        f"The recurrence finishes its {d['n']:,} steps after {fmt_seconds(d['t_rnn'])}, "
                        f"{d['t_rnn'] / d['t_par']:,.0f}\u00d7 the GEMM's {fmt_seconds(d['t_par'])}."))
        return out

