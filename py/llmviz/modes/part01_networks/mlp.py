"""Activations and MLPs: the workshop of chapter p01-c02.

Four views, one idea each:

* fit: a network with one hidden layer of ReLU units, ŷ(x) = c + Σ a_j·ReLU(w_j·x + b_j),
  trained live by full-batch gradient descent on 25 samples of a curve.
  The lower plot draws every unit's piece, a ramp bent at x = −b_j/w_j;
  the upper plot draws their sum, which is the fit. With the hidden
  function set to "linear" every piece is a line and so is the fit: two
  linear layers collapse to one.
* build: the constructive half of universal approximation. The broken line
  through n + 1 evenly spaced points of a curve is y₀ + Σ c_k·ReLU(x − x_k);
  the pieces are added one by one and the sum bends onto the curve.
* shapes: ReLU, GELU, SiLU, the sigmoid and tanh side by side with their
  slopes, read at a probe x, with the focused function's tangent line.
* ffn: a real model's feed-forward block from the catalog (Llama 3 8B by
  default): the token widens from d to d_ff and comes back, with the
  parameters and FLOPs of every matrix and the FFN's share of the model;
  gated (SwiGLU, three matrices) or plain (two).

Training is live but bounded. The run is a deterministic function of the
width, learning rate, target, hidden function and seed; it is computed
lazily, a few steps per frame as the clock advances, and kept (at most
FIT_STEPS steps, about 50 ms of CPython for the widest network on a slow
machine) so a frame at any later time, 10¹² s included, looks up a stored
state instead of replaying. Each step costs O(units + samples) thanks to
the prefix sums in :mod:`llmviz.calc.mlp`.
"""
from __future__ import annotations

import math

from ...calc.activations import ACTIVATIONS
from ...calc.mlp import (fit_trajectory, initial_params, interpolation_error_bound, mlp_flops_per_token,
                         relu_interpolant,
                         relu_sum, sampled_max_gap)
from ...calc.model_size import mlp_param_count, param_breakdown, param_count
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Flag, Number
from ...core.plot import Plot, fmt_tick, nice_ticks
from ...core.scene import Scene
from ...units import fmt_count, fmt_flops, fmt_percent

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15
MINUS = "\u2212"

# -- the curves both the fit and build views work on -----------------------------------------------
X_LO, X_HI = -3.0, 3.0
SAMPLES = 25            # training points, evenly spaced over [X_LO, X_HI]
PROBE_X = 1.0           # where the fit view adds the pieces up in numbers


def _sine(x: float) -> float:
    return math.sin(x)


def _bump(x: float) -> float:
    return 1.6 * math.exp(-x * x) - 0.6


def _zigzag(x: float) -> float:
    return abs(abs(x) - 1.5) - 0.75


# name -> (label, function, c_max: a bound on |f''| over [X_LO, X_HI], or None where f'' does not exist)
TARGETS = {
    "sine": ("sin x", _sine, 1.0),
    "bump": ("1.6e^(\u2212x\u00b2) \u2212 0.6", _bump, 3.2),
    "zigzag": ("||x| \u2212 1.5| \u2212 0.75", _zigzag, None),
}
TARGET_LABELS = {"sine": "sine: sin x", "bump": "bump: 1.6e^(\u2212x\u00b2) \u2212 0.6",
                 "zigzag": "zigzag: ||x| \u2212 1.5| \u2212 0.75"}

# -- training ------------------------------------------------------------------------------------
FIT_STEPS = 1000        # a run stops here; one step of the widest net is ~45 µs of CPython
STEP_RATE, STEP_ACCEL = 8.0, 2.0   # steps done by time t: 8t + 2t², so early steps are slow to watch
BLOWUP = 1e6            # a loss above this has diverged
MAX_WIDTH = 12
LOSS_LIM = (1e-4, 10.0)
LOSS_GRID = 10          # the loss chart keeps one point every 10 steps

# -- build -----------------------------------------------------------------------------------------
PIECE_S = 0.8           # seconds per added piece
BUILD_HOLD_S = 4.0      # the finished sum stays up this long before the build starts over
MAX_PIECES = 24

# -- ffn -----------------------------------------------------------------------------------------------
FFN_MODELS = ("llama-3-8b", "llama-3-70b", "llama-3.1-405b", "llama-2-7b", "mistral-7b", "qwen2.5-72b",
              "qwen3-32b", "opt-13b")
FLOW_PHASES = (1.0, 2.0, 1.4, 2.0)   # x enters; gate and up; the gate acts; down
FLOW_HOLD_S = 2.5
FLOW_PERIOD_S = sum(FLOW_PHASES) + FLOW_HOLD_S

# -- layout ------------------------------------------------------------------------------------------
FIT_BOX = (70.0, 96.0, 500.0, 196.0)
PCS_BOX = (70.0, 356.0, 500.0, 176.0)
LOSS_BOX = (690.0, 96.0, 240.0, 150.0)
PANEL_X = 630.0

# five hues told apart by more than their shade (the sigmoid and tanh share a shape)
FOCUS_COLOURS = {"relu": "accent", "gelu": "accent3", "silu": "good", "sigmoid": "accent2", "tanh": "ink"}


def num(v: float, digits: int = 3) -> str:
    """A number for a label: ``digits`` significant figures, a real minus sign, no "−0"."""
    if v == 0 or abs(v) < 0.5 * 10 ** -(digits + 2):
        return "0"
    s = f"{v:.{digits}g}"
    if "e" in s:
        s = fmt_tick(v)
    return s.replace("-", MINUS)


def fixed(v: float, decimals: int = 2) -> str:
    """A number to fixed decimals with a real minus sign (0.00 never shows a sign)."""
    s = f"{v:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", MINUS)


def steps_at(t: float) -> int:
    """Gradient-descent steps done by simulation time ``t`` (s): 8t + 2t², capped at FIT_STEPS."""
    if t <= 0:
        return 0
    return min(FIT_STEPS, int(STEP_RATE * t + STEP_ACCEL * t * t))


def time_of_step(k: int) -> float:
    """The simulation time (s) at which step ``k`` is reached: the root of 2t² + 8t = k."""
    return (-STEP_RATE + math.sqrt(STEP_RATE * STEP_RATE + 4 * STEP_ACCEL * k)) / (2 * STEP_ACCEL)


def samples(target: str) -> tuple[list[float], list[float]]:
    """The training points: SAMPLES evenly spaced x over [X_LO, X_HI] and the target's values there."""
    f = TARGETS[target][1]
    xs = [X_LO + (X_HI - X_LO) * i / (SAMPLES - 1) for i in range(SAMPLES)]
    return xs, [f(x) for x in xs]


def unit_piece(x: float, w: float, b: float, a: float, act: str) -> float:
    """One hidden unit's contribution a·f(w·x + b) (f = ReLU, or the identity for "linear")."""
    z = w * x + b
    if act == "relu" and z < 0:
        z = 0.0
    return a * z


def active_count(w: list[float], b: list[float], xs: list[float], act: str) -> tuple[int, int]:
    """(units that are on at PROBE_X, units that are off at every sample)."""
    if act != "relu":
        return len(w), 0
    on = sum(1 for wj, bj in zip(w, b) if wj * PROBE_X + bj > 0)
    dead = sum(1 for wj, bj in zip(w, b) if all(wj * x + bj <= 0 for x in (xs[0], xs[-1])))
    return on, dead


def _model_options() -> tuple[tuple[str, str], ...]:
    return tuple((name, get_model(name).display_name) for name in FFN_MODELS)


class MLPMode(Mode):
    """A hidden layer fitting a curve live; ReLU pieces building one; activations; a real FFN block."""

    id = "p01-c02-mlp"
    chapter = "p01-c02-mlp"
    title = "Activations and MLPs"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("width", "Hidden units", lo=1, hi=MAX_WIDTH, step=1, default=8, integer=True,
               help="How many ReLU units the hidden layer has: how many pieces the fit can bend with."),
        Number("lr", "Learning rate \u03b7", lo=0.003, hi=0.5, step=0.001, default=0.03, log=True,
               help="Each step moves every weight by \u03b7 times its partial derivative of the loss."),
        Choice("act", "Hidden function", default="relu",
               options=(("relu", "ReLU: max(0, z)"), ("linear", "none (linear): z")),
               help="What each hidden unit applies to its weighted sum. With none, the network is linear."),
        Choice("target", "Curve", default="sine",
               options=tuple((k, TARGET_LABELS[k]) for k in TARGETS),
               help="The curve the network fits (or the pieces build)."),
        Number("seed", "Starting weights (seed)", lo=1, hi=20, step=1, default=4, integer=True,
               help="Which random starting weights the run begins from; the same seed always gives the same run."),
        Number("pieces", "ReLU pieces n", lo=1, hi=MAX_PIECES, step=1, default=5, integer=True,
               help="How many ramps the broken line uses: one bend at each of n evenly spaced points."),
        Choice("focus", "Activation", default="relu",
               options=tuple((k, a.label) for k, a in ACTIVATIONS.items()),
               help="The function drawn bold, with its tangent line at the probe."),
        Number("x", "Probe x", lo=-4, hi=4, step=0.05, default=1.0,
               help="Where every function and its slope are read off."),
        Choice("model", "Model", default="llama-3-8b", options=_model_options(),
               help="A dense model from the catalog; its d_model, d_ff and layers come from its config."),
        Flag("gated", "Gated (SwiGLU: three matrices)", default=True,
             help="On: gate, up and down. Off: a plain block of up and down at the same width."),
    )

    submodes = {
        "fit": Submode("Fit a curve", {"width": 8, "lr": 0.03, "act": "relu", "target": "sine", "seed": 4},
                       "A hidden layer of ReLUs trained by gradient descent: each unit a ramp, their sum the fit.",
                       ("width", "lr", "act", "target", "seed")),
        "build": Submode("Build from pieces", {"target": "sine", "pieces": 5},
                         "n ReLU ramps, added one by one, make the broken line through n + 1 points of the curve.",
                         ("target", "pieces")),
        "shapes": Submode("Activations", {"focus": "relu", "x": 1.0},
                          "ReLU, GELU, SiLU, sigmoid and tanh with their slopes, read at a probe x.",
                          ("focus", "x")),
        "ffn": Submode("A real FFN", {"model": "llama-3-8b", "gated": True},
                       "One transformer feed-forward block from the catalog: its widths, parameters and FLOPs.",
                       ("model", "gated")),
    }
    default_submode = "fit"

    # -- frames --------------------------------------------------------------------------------------

    def draw(self, t: float):
        return getattr(self, f"_draw_{self.submode}")(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        return getattr(self, f"_{self.submode}_events")(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- fit: training, computed lazily and kept ------------------------------------------------------

    def _run(self) -> dict:
        """The run for the current parameters: its samples and the states computed so far."""
        def start():
            width, act, target = self["width"], self["act"], self["target"]
            xs, ys = samples(target)
            p0 = initial_params(width, self["seed"])
            states, losses, diverged = fit_trajectory(p0, xs, ys, self["lr"], 0, act, BLOWUP)
            return {"xs": xs, "ys": ys, "states": states, "losses": losses, "diverged": diverged,
                    "act": act, "target": target, "lr": self["lr"], "width": width}
        return self.cached("run", start)

    def _state(self, k: int) -> tuple[int, dict]:
        """The step actually shown for a request of ``k`` steps (earlier if the run diverged), and the run."""
        run = self._run()
        states = run["states"]
        if len(states) <= k and not run["diverged"]:
            more, losses, diverged = fit_trajectory(states[-1], run["xs"], run["ys"], run["lr"],
                                                    k + 1 - len(states), run["act"], BLOWUP)
            states.extend(more[1:])
            run["losses"].extend(losses[1:])
            run["diverged"] = diverged
        return min(k, len(states) - 1), run

    def _draw_fit(self, t: float):
        k, run = self._state(steps_at(t))
        return self.memo("fit", k, lambda: self._fit_frame(k, run))

    def _fit_static(self) -> list[dict]:
        """What the fit view draws the same at every step: titles, axes, the target, the samples, the legend."""
        run = self._run()
        act = run["act"]
        label, f, _ = TARGETS[run["target"]]
        sc = self.new_scene()
        if act == "relu":
            self._header(sc, "One hidden layer of ReLUs, trained to fit a curve",
                         "Each unit adds one bent ramp (below); their sum plus a bias a\u2080 is the output (above).")
        else:
            self._header(sc, "No bend: the same network with linear units",
                         "Each unit adds a straight line, so their sum is a straight line too.")
        fit = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-1.6, 1.6))
        fit.frame(sc, xticks=range(-3, 4), yticks=(-1, 0, 1), ylabel=f"target {label} and the fit \u0177(x)",
                  marks=False)
        fit.curve(sc, f, n=91, stroke="muted", lw=1.6, dash=(6, 5))
        for x, y in zip(run["xs"], run["ys"]):
            sc.circle(fit.fx(x), fit.fy(y), 3.5, fill="muted")
        pcs = Plot(*PCS_BOX, xlim=(X_LO, X_HI), ylim=(-2.4, 2.4))
        pcs.frame(sc, xticks=range(-3, 4), yticks=(-2, -1, 0, 1, 2), xlabel="x",
                  ylabel="each hidden unit's piece a\u2c7c\u00b7ReLU(w\u2c7cx + b\u2c7c)" if act == "relu"
                  else "each hidden unit's piece a\u2c7c\u00b7(w\u2c7cx + b\u2c7c)", marks=False)
        fit.vline(sc, PROBE_X, stroke="ink", lw=1, dash=(3, 4), alpha=0.6)
        pcs.vline(sc, PROBE_X, stroke="ink", lw=1, dash=(3, 4), alpha=0.6)
        x0, y0, w, h = LOSS_BOX
        Plot(x0, y0, w, h, xlim=(0, FIT_STEPS), ylim=LOSS_LIM, ylog=True).frame(
            sc, xticks=(0, 500, 1000), yticks=(1e-4, 1e-2, 1.0), xlabel="step", ylabel="loss (log scale)",
            marks=False)
        y = 470.0
        legend = (("accent", None, "on right of its bend (w > 0)"),
                  ("accent2", None, "on left of its bend (w < 0)"),
                  ("muted", (4, 4), "off at every sample: stuck"))
        if act != "relu":
            legend = (("accent", None, "line from a unit with w > 0"), ("accent2", None, "line from a unit with w < 0"))
        for colour, dash, text in legend:
            sc.line(PANEL_X, y + 9, PANEL_X + 26, y + 9, stroke=colour, lw=2.2, dash=dash)
            sc.text(PANEL_X + 34, y + 9, text, size=SMALL, fill="muted")
            y += 25
        return sc.items

    def _fit_frame(self, k: int, run: dict):
        w, b, a, c = run["states"][k]
        xs, act = run["xs"], run["act"]
        loss = run["losses"][k]
        f = TARGETS[run["target"]][1]
        width = len(w)
        sc = self.new_scene()
        sc.items.extend(self.cached("fit_static", self._fit_static))
        fit = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-1.6, 1.6))
        # the fit is piecewise linear with corners at the units' bends: draw it exactly from them
        bends = sorted(-bj / wj for wj, bj in zip(w, b) if wj != 0 and X_LO < -bj / wj < X_HI) \
            if act == "relu" else []
        pts = [X_LO] + bends + [X_HI]
        total = [c + sum(unit_piece(x, wj, bj, aj, act) for wj, bj, aj in zip(w, b, a)) for x in pts]
        fit.polyline(sc, list(zip(pts, total)), stroke="ink", lw=3)
        pcs = Plot(*PCS_BOX, xlim=(X_LO, X_HI), ylim=(-2.4, 2.4))
        probe_on = 0
        dead = 0
        for wj, bj, aj in zip(w, b, a):
            bend = -bj / wj if wj != 0 else None
            off_everywhere = act == "relu" and all(wj * x + bj <= 0 for x in (xs[0], xs[-1]))
            dead += off_everywhere
            colour = "muted" if off_everywhere else ("accent" if wj > 0 else "accent2")
            xs_piece = [X_LO] + ([bend] if act == "relu" and bend is not None and X_LO < bend < X_HI else []) + [X_HI]
            pcs.polyline(sc, [(x, unit_piece(x, wj, bj, aj, act)) for x in xs_piece], stroke=colour,
                         lw=1.5 if off_everywhere else 2.2, dash=(4, 4) if off_everywhere else None)
            if act == "relu" and bend is not None and X_LO < bend < X_HI and not off_everywhere:
                # the bend marked on the fit's axis: the fit's corners are the units' bends
                sc.line(fit.fx(bend), FIT_BOX[1] + FIT_BOX[3] - 9, fit.fx(bend), FIT_BOX[1] + FIT_BOX[3],
                        stroke=colour, lw=2.5)
            piece = unit_piece(PROBE_X, wj, bj, aj, act)
            if act != "relu" or wj * PROBE_X + bj > 0:
                probe_on += 1
                if pcs.contains(PROBE_X, piece):
                    sc.circle(pcs.fx(PROBE_X), pcs.fy(piece), 3.5, fill=colour)
        # the probe: where the panel adds the pieces up
        yhat = c + sum(unit_piece(PROBE_X, wj, bj, aj, act) for wj, bj, aj in zip(w, b, a))
        if fit.contains(PROBE_X, yhat):
            sc.circle(fit.fx(PROBE_X), fit.fy(yhat), 5, fill="ink")
        self._loss_chart(sc, run, k)
        diverged_at = k if run["diverged"] and k == len(run["states"]) - 1 else None
        self._fit_panel(sc, run, k, loss, c, yhat, f(PROBE_X), probe_on, width, act, diverged_at)
        tel = [
            metric("step", "gradient-descent steps", k, f"{k:,} of {FIT_STEPS:,}", "steps"),
            metric("loss", "loss (average squared error)", loss if math.isfinite(loss) else BLOWUP,
                   num(loss) if math.isfinite(loss) else "diverged", ""),
            metric("fit_probe", f"fit at x = {num(PROBE_X)}", yhat, fixed(yhat, 3), ""),
            metric("target_probe", f"target at x = {num(PROBE_X)}", f(PROBE_X), fixed(f(PROBE_X), 3), ""),
            metric("on", f"units on at x = {num(PROBE_X)}", probe_on, f"{probe_on} of {width}", "units"),
            metric("dead", "units off at every sample", dead, f"{dead} of {width}", "units"),
            metric("params", "parameters (3\u00b7units + 1)", 3 * width + 1, f"{3 * width + 1}", ""),
        ]
        return sc, tel

    def _loss_chart(self, sc: Scene, run: dict, k: int) -> None:
        """The loss so far on the log chart: points on a fixed grid of steps, kept with the run."""
        x0, y0, w, h = LOSS_BOX
        p = Plot(x0, y0, w, h, xlim=(0, FIT_STEPS), ylim=LOSS_LIM, ylog=True)
        lo, hi = LOSS_LIM
        losses = run["losses"]

        def point(i):
            v = losses[i]
            v = min(max(v, lo), hi) if math.isfinite(v) else hi   # clamped into the window: no clipping needed
            return p.fx(i), p.fy(v)

        grid = run.setdefault("loss_pts", [])
        while len(grid) * LOSS_GRID <= k:
            grid.append(point(len(grid) * LOSS_GRID))
        pts = grid[:k // LOSS_GRID + 1]
        if k % LOSS_GRID:
            pts = pts + [point(k)]
        if len(pts) >= 2:
            sc.path(pts, stroke="accent", lw=2)
        px, py = point(k)
        sc.circle(px, py, 4.5, fill="accent")

    def _fit_panel(self, sc, run, k, loss, c, yhat, target, probe_on, width, act, diverged_at) -> None:
        x, y = PANEL_X, 300.0
        sc.text(x, y, f"step {k:,} of {FIT_STEPS:,}", size=BODY, bold=True, base="t")
        y += 28
        if diverged_at is not None:
            sc.text(x, y, f"diverged: loss passed 10\u2076", size=BODY, bold=True, fill="bad", base="t")
        else:
            sc.text(x, y, f"loss {num(loss)}", size=BODY, base="t")
        y += 28
        sc.text(x, y, f"{width} unit{'s' if width != 1 else ''} \u00b7 \u03b7 = {num(run['lr'])}", size=SMALL,
                fill="muted", base="t")
        y += 30
        sc.text(x, y, f"at x = {num(PROBE_X)} (dotted line):", size=SMALL, fill="muted", base="t")
        y += 24
        pieces = yhat - c
        if max(abs(c), abs(pieces), abs(yhat)) < 100:
            ledger = f"\u0177 = a\u2080 + pieces = {fixed(c)} + {fixed(pieces)} = {fixed(yhat)}"
        else:
            ledger = f"\u0177 = {num(yhat)}: far off the chart"
        sc.text(x, y, ledger, size=SMALL, base="t")
        y += 24
        sc.text(x, y, f"target {fixed(target)}; units on here: {probe_on} of {width}", size=SMALL, base="t")

    def _fit_events(self, t0: float, t1: float) -> list[dict]:
        k0, k1 = steps_at(t0), steps_at(t1)
        if k1 <= k0 and t0 >= 0:
            return []
        k1, run = self._state(k1)
        out = []
        marks = [m for m in (1, 10, 50, 100, 200, 500, FIT_STEPS) if k0 < m <= k1]
        for m in marks[-3:]:
            text = f"step {m:,}: loss {num(run['losses'][m])}"
            if m == FIT_STEPS:
                text += f", down from {num(run['losses'][0])} at the start; training stops here."
            out.append({"level": "info", "text": text})
        if run["diverged"] and k1 == len(run["states"]) - 1 and (t0 < 0 or time_of_step(k1 + 1) > t0):
            out.append({"level": "warn", "text": f"diverged after step {k1:,}: the loss passed 10\u2076. "
                                                  f"\u03b7 = {num(run['lr'])} is too large; try a smaller learning rate."})
        if t0 < 0:
            w = run["states"][0][0]
            out.insert(0, {"level": "info", "text": f"{len(w)} hidden units start from seed {self['seed']}; "
                                                     f"loss {num(run['losses'][0])} before any step."})
        return out

    # -- build: a curve from ReLU pieces --------------------------------------------------------------

    def _build_static(self) -> dict:
        n, target = self["pieces"], self["target"]
        label, f, curvature = TARGETS[target]
        knots = [X_LO + (X_HI - X_LO) * k / n for k in range(n + 1)]
        c, pieces = relu_interpolant(knots, [f(x) for x in knots])
        gap = sampled_max_gap(f, lambda x: relu_sum(x, c, pieces), X_LO, X_HI, 601)
        h = (X_HI - X_LO) / n
        bound = interpolation_error_bound(h, curvature) if curvature is not None else None
        ends = [abs(coef) * (X_HI - knot) for coef, knot in pieces]
        lim = max(1.0, min(8.0, max(ends) * 1.1))
        return {"n": n, "target": target, "label": label, "f": f, "knots": knots, "c": c, "pieces": pieces,
                "gap": gap, "h": h, "bound": bound, "lim": lim}

    def _draw_build(self, t: float):
        st = self.cached("build", self._build_static)
        n = st["n"]
        period = n * PIECE_S + BUILD_HOLD_S
        tc = t % period
        shown = min(n, int(tc // PIECE_S) + 1)
        return self.memo("build", shown, lambda: self._build_frame(st, shown))

    def _build_frame(self, st: dict, shown: int):
        n, c, pieces, knots, f = st["n"], st["c"], st["pieces"], st["knots"], st["f"]
        sc = self.new_scene()
        self._header(sc, "ReLU pieces add up to a broken line through the curve",
                     f"{n} ramp{'s' if n != 1 else ''}, one bend each: y\u2080 + \u03a3 \u0394\u2096\u00b7ReLU(x \u2212 x\u2096) "
                     f"joins {n + 1} points of {st['label']}.")
        top = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-1.6, 1.6))
        top.frame(sc, xticks=range(-3, 4), yticks=(-1, 0, 1),
                  ylabel=f"target {st['label']} and the sum of the first {shown} piece{'s' if shown != 1 else ''}",
                  marks=False)
        top.curve(sc, f, n=121, stroke="muted", lw=1.6, dash=(6, 5))
        used = pieces[:shown]
        top.polyline(sc, [(x, relu_sum(x, c, used)) for x in knots], stroke="ink", lw=3)
        for x in knots:
            sc.circle(top.fx(x), top.fy(f(x)), 4, fill="muted")
        lim = st["lim"]
        bottom = Plot(*PCS_BOX, xlim=(X_LO, X_HI), ylim=(-lim, lim))
        bottom.frame(sc, xticks=range(-3, 4), yticks=nice_ticks(-lim, lim, 5),
                     xlabel="x", ylabel="piece k: \u0394\u2096\u00b7ReLU(x \u2212 x\u2096), bent at x\u2096", marks=False)
        for i, (coef, kx) in enumerate(used):
            newest = i == shown - 1
            bottom.polyline(sc, [(X_LO, 0.0), (kx, 0.0), (X_HI, coef * (X_HI - kx))],
                            stroke="accent2" if newest else "accent", lw=3 if newest else 1.6,
                            alpha=1.0 if newest else 0.55)
        coef, kx = pieces[shown - 1]
        sc.circle(top.fx(kx), top.fy(relu_sum(kx, c, used)), 6, stroke="accent2", lw=2.5)
        self._build_panel(sc, st, shown, coef, kx)
        tel = [
            metric("shown", "pieces added", shown, f"{shown} of {n}", "pieces"),
            metric("bend", "newest bend x\u2096", kx, fixed(kx), ""),
            metric("change", "newest slope change \u0394\u2096", coef, num(coef), ""),
            metric("gap", f"largest gap, all {n} pieces", st["gap"], num(st["gap"]), ""),
        ]
        if st["bound"] is not None:
            tel.append(metric("bound", "bound c_max\u00b7h\u00b2/8", st["bound"], num(st["bound"]), ""))
        return sc, tel

    def _build_panel(self, sc: Scene, st: dict, shown: int, coef: float, kx: float) -> None:
        x, y = PANEL_X, 96.0
        n = st["n"]
        sc.text(x, y, f"piece {shown} of {n}", size=BODY, bold=True, base="t")
        y += 30
        sc.text(x, y, f"bend at x\u2096 = {fixed(kx)}", size=BODY, base="t")
        y += 26
        what = "first slope" if shown == 1 else "slope change"
        sc.text(x, y, f"{what} \u0394\u2096 = {num(coef)}", size=BODY, fill="accent2", bold=True, base="t")
        y += 34
        sc.text(x, y, f"start y\u2080 = f({fixed(X_LO, 0)}) = {fixed(st['c'])}", size=SMALL, fill="muted", base="t")
        y += 24
        sc.text(x, y, f"segment width h = 6/{n} = {num(st['h'])}", size=SMALL, fill="muted", base="t")
        y += 36
        sc.text(x, y, f"with all {n} pieces:", size=SMALL, fill="muted", base="t")
        y += 24
        sc.text(x, y, f"largest gap to the curve {num(st['gap'])}", size=BODY, bold=True, base="t")
        y += 28
        if st["bound"] is not None:
            m = TARGETS[st["target"]][2]
            sc.text(x, y, f"bound c_max\u00b7h\u00b2/8 = {num(m)}\u00b7{num(st['h'])}\u00b2/8 = {num(st['bound'])}",
                    size=SMALL, base="t")
            y += 24
            sc.text(x, y, "double n: a quarter of the gap", size=SMALL, fill="muted", base="t")
        else:
            sc.text(x, y, "corners at \u22121.5, 0 and 1.5:", size=SMALL, base="t")
            y += 24
            sc.text(x, y, "exact when n is a multiple of 4", size=SMALL, fill="muted", base="t")

    def _build_events(self, t0: float, t1: float) -> list[dict]:
        st = self.cached("build", self._build_static)
        n = st["n"]
        period = n * PIECE_S + BUILD_HOLD_S

        def index(t):   # pieces added since time 0, counting every cycle
            if t < 0:
                return -1
            cyc, tc = divmod(t, period)
            return int(cyc) * (n + 1) + min(n, int(tc // PIECE_S) + 1)

        lo, hi = index(t0), index(t1)
        out = []
        for q in range(max(lo + 1, hi - 3), hi + 1):
            cyc, i = divmod(q, n + 1)
            if i == 0:
                continue
            coef, kx = st["pieces"][i - 1]
            text = f"piece {i}: bend at x = {fixed(kx)}, slope change {num(coef)}."
            if i == n:
                text += f" All {n} added: largest gap {num(st['gap'])}."
            out.append({"level": "info", "text": text})
        return out

    # -- shapes: activations and their slopes ---------------------------------------------------------

    def _draw_shapes(self, t: float):
        return self.memo("shapes", 0, self._shapes_frame)

    def _shapes_frame(self):
        focus, x0 = self["focus"], self["x"]
        act = ACTIVATIONS[focus]
        sc = self.new_scene()
        self._header(sc, "Activation functions and their slopes",
                     "Left: f(x). Right: its slope f\u2032(x), the factor a gradient is multiplied by as it passes.")
        left = Plot(70, 96, 390, 250, xlim=(-4, 4), ylim=(-1.5, 4.2))
        right = Plot(540, 96, 390, 250, xlim=(-4, 4), ylim=(-0.3, 1.3))
        left.frame(sc, xticks=range(-4, 5, 2), yticks=(-1, 0, 1, 2, 3, 4), ylabel="f(x)", marks=False)
        right.frame(sc, xticks=range(-4, 5, 2), yticks=(0, 0.5, 1), ylabel="slope f\u2032(x)", marks=False)
        for name, a in ACTIVATIONS.items():
            if name == focus:
                continue
            left.curve(sc, a.f, n=81, stroke=FOCUS_COLOURS[name], lw=1.8, alpha=0.45)
            if name == "relu":
                self._relu_slope(sc, right, FOCUS_COLOURS[name], 1.8, 0.45)
            else:
                right.curve(sc, a.slope, n=81, stroke=FOCUS_COLOURS[name], lw=1.8, alpha=0.45)
        colour = FOCUS_COLOURS[focus]
        left.curve(sc, act.f, n=121, stroke=colour, lw=3.5)
        if focus == "relu":
            self._relu_slope(sc, right, colour, 3.5, 1.0)
        else:
            right.curve(sc, act.slope, n=121, stroke=colour, lw=3.5)
        fx, sx = act.f(x0), act.slope(x0)
        left.vline(sc, x0, stroke="ink", lw=1, dash=(3, 4), alpha=0.6)
        right.vline(sc, x0, stroke="ink", lw=1, dash=(3, 4), alpha=0.6)
        # the tangent line: the slope read on the right, drawn on the left
        left.polyline(sc, [(x0 - 1.2, fx - 1.2 * sx), (x0 + 1.2, fx + 1.2 * sx)], stroke="ink", lw=1.6,
                      dash=(6, 4))
        if focus in ("gelu", "silu"):
            # the dip is a fraction of a unit tall at this scale, so its lowest point is marked and read out
            lo, hi = -3.0, 0.0
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if act.slope(mid) < 0 else (lo, mid)
            xm = (lo + hi) / 2
            sc.circle(left.fx(xm), left.fy(act.f(xm)), 4, fill="bg", stroke=colour, lw=2)
            # read out in the plot's empty upper left, where no curve runs
            sc.text(left.fx(-3.8), left.fy(3.7), f"{act.label}'s lowest point (○):",
                    size=SMALL, fill=colour, base="t", bold=True)
            sc.text(left.fx(-3.8), left.fy(3.7) + 18, f"{fixed(act.f(xm), 3)} at x = {fixed(xm, 2)}",
                    size=SMALL, fill=colour, base="t", bold=True)
        sc.circle(left.fx(x0), left.fy(fx), 6, fill=colour, stroke="bg", lw=1.5)
        if right.contains(x0, sx):
            sc.circle(right.fx(x0), right.fy(sx), 6, fill=colour, stroke="bg", lw=1.5)
        self._shapes_table(sc, focus, x0)
        tel = [metric("x", "probe x", x0, fixed(x0), "")]
        for name, a in ACTIVATIONS.items():
            tel.append(metric(f"{name}_f", f"{a.label}(x)", a.f(x0), num(a.f(x0), 4), ""))
            tel.append(metric(f"{name}_slope", f"{a.label}\u2032(x)", a.slope(x0), num(a.slope(x0), 4), ""))
        return sc, tel

    def _relu_slope(self, sc: Scene, p: Plot, colour: str, lw: float, alpha: float) -> None:
        """ReLU's slope is a step: 0 left of the corner, 1 right of it (drawn as two flat pieces)."""
        p.polyline(sc, [(-4, 0.0), (0, 0.0)], stroke=colour, lw=lw, alpha=alpha)
        p.polyline(sc, [(0, 1.0), (4, 1.0)], stroke=colour, lw=lw, alpha=alpha)
        sc.circle(p.fx(0), p.fy(1.0), 3.5, stroke=colour, fill="bg", lw=1.5, alpha=alpha)

    def _shapes_table(self, sc: Scene, focus: str, x0: float) -> None:
        y = 392.0
        cols = (100, 200, 560, 680, 720)
        sc.text(cols[0], y, "function", size=SMALL, fill="muted", base="t")
        sc.text(cols[1], y, "f(x)", size=SMALL, fill="muted", base="t")
        sc.text(cols[2], y, f"f({fixed(x0)})", size=SMALL, fill="muted", align="r", base="t")
        sc.text(cols[3], y, f"f\u2032({fixed(x0)})", size=SMALL, fill="muted", align="r", base="t")
        sc.text(cols[4], y, "f\u2032(x)", size=SMALL, fill="muted", base="t")
        y += 28
        for name, a in ACTIVATIONS.items():
            bold = name == focus
            colour = FOCUS_COLOURS[name]
            sc.line(66, y + 10, 92, y + 10, stroke=colour, lw=3.5 if bold else 2)
            sc.text(cols[0], y, a.label, size=BODY, bold=bold, base="t")
            sc.text(cols[1], y, a.formula, size=BODY, bold=bold, base="t")
            sc.text(cols[2], y, fixed(a.f(x0), 4), size=BODY, bold=bold, align="r", base="t", font="mono")
            sc.text(cols[3], y, fixed(a.slope(x0), 4), size=BODY, bold=bold, align="r", base="t", font="mono")
            sc.text(cols[4], y, a.slope_formula, size=SMALL, fill="muted" if not bold else "ink", base="t")
            y += 28
        if focus == "relu" and x0 == 0:
            sc.text(cols[0], y + 4, "ReLU has no slope at its corner; the book, like PyTorch, uses 0 there.",
                    size=SMALL, fill="muted", base="t")

    def _shapes_events(self, t0: float, t1: float) -> list[dict]:
        if not (t0 < 0.25 <= t1):
            return []
        x0 = self["x"]
        parts = ", ".join(f"{a.label}\u2032 = {num(a.slope(x0), 3)}" for a in ACTIVATIONS.values())
        return [{"level": "info", "text": f"slopes at x = {fixed(x0)}: {parts}."}]

    # -- ffn: a real feed-forward block -----------------------------------------------------------------

    def _ffn_static(self) -> dict:
        m = get_model(self["model"])
        gated = bool(self["gated"])
        d, dff, layers = m.hidden, m.ffn, len(m.dense_layers())
        bias = m.ffn_bias
        per_layer = mlp_param_count(d, dff, gated=gated, bias=bias)
        published = mlp_param_count(d, dff, gated=m.gated_ffn, bias=bias)
        parts = param_breakdown(m)
        total = param_count(m) - layers * published + layers * per_layer
        ffn_total = layers * per_layer
        flops = mlp_flops_per_token(d, dff, gated=gated)
        return {"m": m, "gated": gated, "d": d, "dff": dff, "layers": layers, "bias": bias,
                "per_layer": per_layer, "ffn_total": ffn_total, "total": total, "share": ffn_total / total,
                "flops": flops, "model_flops": layers * flops, "parts": parts, "published": published,
                "as_published": gated == m.gated_ffn,
                "matrix": d * dff, "plain_same": mlp_param_count(d, dff, gated=False, bias=bias),
                "gated_same": mlp_param_count(d, dff, gated=True, bias=bias)}

    def _draw_ffn(self, t: float):
        st = self.cached("ffn", self._ffn_static)
        tc = t % FLOW_PERIOD_S
        # the flow advances in quarter-phase beats so frames between beats repeat
        stage, done = 0, 0.0
        for i, dur in enumerate(FLOW_PHASES):
            if tc < done + dur:
                stage = i + min(0.75, math.floor((tc - done) / dur * 4) / 4)
                break
            done += dur
        else:
            stage = len(FLOW_PHASES)
        return self.memo("ffn", stage, lambda: self._ffn_frame(st, stage))

    def _ffn_frame(self, st: dict, stage: float):
        m, gated, d, dff = st["m"], st["gated"], st["d"], st["dff"]
        sc = self.new_scene()
        kind = "gated (SwiGLU)" if gated else "plain"
        self._header(sc, f"{m.display_name}'s feed-forward block, {kind}",
                     f"It widens each token from d = {d:,} numbers to d_ff = {dff:,} and brings it back.")
        flops_done = self._ffn_flow(sc, st, stage)
        self._ffn_panel(sc, st, flops_done)
        self._ffn_share(sc, st)
        tel = [
            metric("d", "d_model", d, f"{d:,}", ""),
            metric("dff", "d_ff", dff, f"{dff:,} ({num(dff / d)} \u00d7 d)", ""),
            metric("per_layer", "FFN parameters per layer", st["per_layer"], fmt_count(st["per_layer"]), ""),
            metric("ffn_total", f"FFN parameters, {st['layers']} layers", st["ffn_total"],
                   fmt_count(st["ffn_total"]), ""),
            metric("share", "share of the model's parameters", st["share"], fmt_percent(st["share"]), ""),
            metric("flops", "FFN FLOPs per token per layer", st["flops"], fmt_flops(st["flops"]), "FLOP"),
            metric("model_flops", "FFN FLOPs per token, all layers", st["model_flops"],
                   fmt_flops(st["model_flops"]), "FLOP"),
        ]
        return sc, tel

    def _ffn_flow(self, sc: Scene, st: dict, stage: float) -> int:
        """The token's path through the block, vectors drawn to scale; returns the FLOPs done so far."""
        gated, d, dff = st["gated"], st["d"], st["dff"]
        tall = 140.0                       # d_ff numbers
        short = max(8.0, tall * d / dff)   # d numbers, to the same scale
        bar = 16.0
        x_in, x_fork, x_mid, x_h, x_out = 34.0, 74.0, 214.0, 340.0, 478.0
        cy = 245.0
        rows = (cy - 82.0, cy + 82.0) if gated else (cy,)
        names = ("gate", "up") if gated else ("up",)
        done = 0
        # x: the token's vector, d numbers; gated, it feeds both matrices
        x_on = stage >= 0.25
        sc.rect(x_in, cy - short / 2, bar, short, fill="accent" if x_on else "panel", stroke="accent", lw=1.5)
        sc.text(x_in + bar / 2, cy + short / 2 + 8, f"x: {d:,}", size=SMALL, align="c", base="t")
        for row, name in zip(rows, names):
            if row != cy:
                sc.line(x_in + bar, cy, x_fork, row, stroke="accent" if x_on else "muted", lw=1.5)
            # W_gate / W_up: a trapezoid from d numbers to d_ff
            pts = [(x_fork, row - short / 2), (x_mid - 8, row - tall / 2), (x_mid - 8, row + tall / 2),
                   (x_fork, row + short / 2)]
            on = stage >= 1.0 + (0.5 if name == "up" and gated else 0.0)
            sc.path(pts, fill="accent3" if on else "panel", stroke="accent3", lw=1.5, alpha=0.35 if on else 1.0)
            sc.text((x_fork + x_mid) / 2 + 4, row, f"W_{name}", size=SMALL, align="c", bold=True)
            sc.rect(x_mid, row - tall / 2, bar, tall, fill="accent" if on else "panel", stroke="accent", lw=1.5)
            if on:
                done += 2 * d * dff
        acted = stage >= 2.0
        if gated:
            # SiLU on the gate's output, then the entry-by-entry product with up
            sc.text(x_mid + bar + 8, rows[0] - tall / 2 + 4, "SiLU", size=SMALL, bold=True, base="t",
                    fill="good" if acted else "muted")
            if acted:
                sc.rect(x_mid, rows[0] - tall / 2, bar, tall, fill="good", alpha=0.8)
            sc.line(x_mid + bar, rows[0], x_h - 26, cy - 7, stroke="muted", lw=1.5)
            sc.line(x_mid + bar, rows[1], x_h - 26, cy + 7, stroke="muted", lw=1.5)
            sc.circle(x_h - 17, cy, 11, fill="bg", stroke="ink", lw=1.5)
            sc.text(x_h - 17, cy, "\u2299", size=BODY, align="c", bold=True)
            sc.text(x_mid + bar / 2, rows[1] + tall / 2 + 8, f"{dff:,} each", size=SMALL, align="c", base="t")
        else:
            # a plain block: the activation acts on up's output directly (OPT's is ReLU)
            sc.text(x_mid + bar + 8, cy - tall / 2 + 4, "ReLU" if not st["m"].gated_ffn else "f",
                    size=SMALL, bold=True, base="t", fill="good" if acted else "muted")
            if acted:
                sc.rect(x_mid, cy - tall / 2, bar, tall, fill="good", alpha=0.8)
            sc.line(x_mid + bar, cy, x_h, cy, stroke="muted", lw=1.5)
        # h: d_ff numbers, then W_down back to d
        h_on = stage >= 2.5
        sc.rect(x_h, cy - tall / 2, bar, tall, fill="good" if h_on else "panel", stroke="good", lw=1.5)
        sc.text(x_h + bar / 2, cy + tall / 2 + 8, f"h: {dff:,}", size=SMALL, align="c", base="t")
        pts = [(x_h + bar + 8, cy - tall / 2), (x_out - 8, cy - short / 2), (x_out - 8, cy + short / 2),
               (x_h + bar + 8, cy + tall / 2)]
        down_on = stage >= 3.0
        sc.path(pts, fill="accent3" if down_on else "panel", stroke="accent3", lw=1.5,
                alpha=0.35 if down_on else 1.0)
        sc.text((x_h + bar + x_out) / 2, cy, "W_down", size=SMALL, align="c", bold=True)
        out_on = stage >= 3.75
        sc.rect(x_out, cy - short / 2, bar, short, fill="accent" if out_on else "panel", stroke="accent", lw=1.5)
        sc.text(x_out + bar / 2, cy + short / 2 + 8, f"y: {d:,}", size=SMALL, align="c", base="t")
        if down_on:
            done += 2 * d * dff
        return done

    def _ffn_panel(self, sc: Scene, st: dict, flops_done: int) -> None:
        x, y = 530.0, 92.0
        d, dff, layers = st["d"], st["dff"], st["layers"]
        mats = 3 if st["gated"] else 2
        sc.text(x, y, f"{layers} layers \u00b7 d_ff / d = {num(dff / d)}", size=BODY, bold=True, base="t")
        y += 30
        bias = " + biases" if st["bias"] else ""
        sc.text(x, y, f"per layer: {mats} \u00d7 {d:,} \u00d7 {dff:,}{bias}", size=SMALL, base="t")
        y += 22
        sc.text(x, y, f"= {fmt_count(st['per_layer'])} parameters", size=BODY, bold=True, fill="accent3",
                base="t")
        y += 28
        sc.text(x, y, f"\u00d7 {layers} layers = {fmt_count(st['ffn_total'])}: "
                      f"{fmt_percent(st['share'])} of {fmt_count(st['total'])}", size=SMALL, base="t")
        y += 30
        sc.text(x, y, f"FLOPs per token: 2 per weight = {fmt_flops(st['flops'])} a layer", size=SMALL,
                base="t")
        y += 22
        sc.text(x, y, f"all layers: {fmt_flops(st['model_flops'])} per token", size=SMALL, base="t")
        y += 30
        sc.text(x, y, f"this token so far: {fmt_flops(flops_done) if flops_done else '0 FLOP'} "
                      f"of {fmt_flops(st['flops'])}", size=BODY, bold=True, fill="accent", base="t")
        y += 32
        m = st["m"]
        if not st["as_published"]:
            real = "gated" if m.gated_ffn else "plain"
            sc.text(x, y, f"what-if: the published block is {real}", size=SMALL, bold=True, fill="warn", base="t")
        elif st["gated"]:
            sc.text(x, y, f"without the gate: {fmt_count(st['plain_same'])} a layer (2/3)", size=SMALL,
                    fill="muted", base="t")
        else:
            sc.text(x, y, f"with a gate: {fmt_count(st['gated_same'])} a layer (3/2)", size=SMALL,
                    fill="muted", base="t")

    def _ffn_share(self, sc: Scene, st: dict) -> None:
        """The model's parameters split by part; the FFN's share highlighted."""
        parts = st["parts"]
        ffn = st["ffn_total"]
        groups = (
            ("embeddings", parts["embedding"] + parts["unembedding"] + parts["positions"], "panel"),
            ("attention", parts["attention"], "panel"),
            ("FFN", ffn, "accent3"),
            ("norms", parts["norms"], "panel"),
        )
        total = sum(v for _, v, _ in groups)
        x, y, w, h = 24.0, 462.0, 912.0, 34.0
        sc.text(x, y - 12, f"{st['m'].display_name}'s {fmt_count(total)} parameters, by part",
                size=SMALL, fill="muted", base="b")
        labels = []
        for name, v, fill in groups:
            seg = w * v / total
            if seg <= 0:
                continue
            sc.rect(x, y, seg, h, fill=fill, stroke="bg", lw=1.5, alpha=0.85 if fill != "panel" else 1.0,
                    label=name)
            text = f"{name} {fmt_percent(v / total)}"
            if seg >= len(text) * SMALL * 0.56 + 8:
                sc.text(x + seg / 2, y + h / 2, text, size=SMALL, align="c", bold=name == "FFN",
                        fill="bg" if name == "FFN" else "ink")
            else:
                labels.append((name, v))
            x += seg
        if labels:
            small = ", ".join(f"{n} {fmt_percent(v / total)}" for n, v in labels)
            sc.text(24, y + h + 10, small, size=SMALL, fill="muted", base="t")
        d, dff = st["d"], st["dff"]
        y2 = y + h + 40
        sc.text(24, y2, f"FFN FLOPs per token = 2 \u00d7 FFN weights: 2 \u00d7 {fmt_count(st['ffn_total'])} = "
                        f"{fmt_flops(st['model_flops'])}", size=SMALL, base="t")
        if st["gated"]:
            plain = 1.5 * dff
            sc.text(24, y2 + 26, f"a plain block with the same parameters would be {plain:,.0f} wide (3/2 \u00d7 d_ff)",
                    size=SMALL, fill="muted", base="t")
        else:
            sc.text(24, y2 + 26, f"a gated block with the same parameters would be {2 * dff / 3:,.0f} wide "
                                 f"(2/3 \u00d7 d_ff)", size=SMALL, fill="muted", base="t")

    def _ffn_events(self, t0: float, t1: float) -> list[dict]:
        st = self.cached("ffn", self._ffn_static)
        # one line per pass of the token through the block, at the moment y is complete
        end = sum(FLOW_PHASES)
        first = max(0, math.floor((t0 - end) / FLOW_PERIOD_S) + 1)
        last = math.floor((t1 - end) / FLOW_PERIOD_S)
        if last < first:
            return []
        mats = 3 if st["gated"] else 2
        return [{"level": "info",
                 "text": f"one token through {st['m'].display_name}'s FFN: {mats} matrices of "
                         f"{st['d']:,} \u00d7 {st['dff']:,}, {fmt_flops(st['flops'])}; "
                         f"{st['layers']} layers make {fmt_flops(st['model_flops'])}."}]
