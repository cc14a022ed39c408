"""Training dynamics: the workshop of chapter p01-c05.

Four views, one idea each:

* curves: chapter 1.2's one hidden layer of ReLUs trained live with AdamW on
  minibatches of a few noisy samples of sin x. Its loss on the training
  points and on held-out validation points are drawn side by side; the
  fit itself is drawn over both sets of points. Width, learning rate,
  batch size, training-set size and weight decay are the controls.
* sweep: seven copies of a 12-unit network trained with seven learning
  rates, 10⁻³ to 1, at once; the loss each has reached, against its
  learning rate, draws the U a learning-rate sweep finds.
* norm: one vector through LayerNorm and RMSNorm, entry by entry, with the
  statistics each divides by; scaling and shifting the input show what
  each one ignores, and a tiny input shows ε taking over.
* depth: a stack of L blocks at its starting weights, plain or residual,
  with or without RMSNorm: one forward pass up the stack, one backward pass
  down it, the size of h after every block and of every block's weight
  gradient.

Training is live but bounded, as in chapter 1.2's fit: a run is a
deterministic function of its controls, computed lazily a few steps per
frame as the clock advances and kept, so a frame at any later time
(10¹² s included) looks up a stored state. Frames between two stored
states are one memo lookup.
"""
from __future__ import annotations

import math

from ...calc.dynamics import (BLOCKS, NOISE, X_HI, X_LO, deep_forward_backward, deep_init,
                              epochs_seen, fit_loss, fit_start, layer_norm, mean_and_variance, noisy_sine,
                              rms_norm, root_mean_square, train_fit, unflatten)
from ...catalog import get_model
from ...calc.mlp import relu_fit_polyline
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, fmt_tick, log_ticks
from ...core.scene import Scene
from ...units import fmt_plain

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15
MINUS = "\u2212"

# -- the fitting task ------------------------------------------------------------------------------
TRAIN_SEED, VAL_SEED, INIT_SEED = 301, 307, 3   # data and starting weights: fixed, so every run is repeatable
VAL_POINTS = 60
MAX_POINTS = 48
FLOOR = NOISE * NOISE                            # σ²: the best any fit can do on fresh points

# -- curves: one run, live -----------------------------------------------------------------------------
CURVE_STEPS = 1000
EVAL = 5                      # the run is stored, and the view moves, every 5 steps
STEP_RATE, STEP_ACCEL = 20.0, 4.0   # steps done by time t: 20t + 4t², so the early fall is slow enough to watch
LOSS_LIM = (1e-3, 20.0)
FIT_BOX = (70.0, 96.0, 450.0, 280.0)
LOSS_BOX = (620.0, 96.0, 310.0, 280.0)

# -- sweep: seven learning rates at once -----------------------------------------------------------------
SWEEP_LRS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
SWEEP_WIDTH, SWEEP_POINTS, SWEEP_STEPS = 12, 12, 300
SWEEP_EVAL = 3
SWEEP_LEFT = (70.0, 100.0, 430.0, 260.0)
SWEEP_RIGHT = (600.0, 100.0, 330.0, 260.0)
SWEEP_RATE = 30.0             # steps per second of simulation time

# -- norm: one vector ------------------------------------------------------------------------------------
BASE = (0.9, -1.3, 0.4, 1.8, -0.6, 0.1, -1.5, 0.7)   # the vector before scale and shift: mean 0.0625, RMS 1.06
#: ε of every norm in this workshop: Llama 3 8B's rms_norm_eps (PyTorch's LayerNorm default is the same)
EPS = get_model("llama-3-8b").norm_eps
PROBE_S = 1.2                 # seconds the probe rests on each entry

# -- depth: a stack at its starting weights ----------------------------------------------------------------
DEPTH_WIDTH, DEPTH_POINTS, DEPTH_SEED = 8, 16, 1
BLOCK_LABELS = {"plain": "plain: h \u2190 F(h)", "norm": "plain + RMSNorm: h \u2190 F(RMSNorm(h))",
                "residual": "residual: h \u2190 h + F(h)", "prenorm": "pre-norm residual: h \u2190 h + F(RMSNorm(h))"}
PASS_S = 3.0                  # seconds for the forward pass, and again for the backward pass
HOLD_S = 3.0
GRAD_LIM = (1e-16, 1e3)
ACT_BOX = (70.0, 196.0, 860.0, 110.0)
GRAD_BOX = (70.0, 356.0, 860.0, 160.0)
ACT_LIM = (1e-2, 1e2)


def num(v: float, digits: int = 3) -> str:
    """A number for a label: ``digits`` significant figures, a real minus sign, ×10ⁿ when large or tiny."""
    if v == 0:
        return "0"
    if abs(v) < 1e-3 or abs(v) >= 1e7:
        return fmt_tick(float(f"{v:.{digits}g}"))
    if abs(v) >= 10 ** digits:
        return count(round(v))
    return f"{v:.{digits}g}".replace("-", MINUS)


def count(v: int) -> str:
    """A whole number with thousands separators and a real minus sign: 1,000."""
    return f"{int(v):,}".replace("-", MINUS)


def steps_at(t: float) -> int:
    """Steps the curves run has taken by simulation time ``t`` (s): 20t + 4t², capped at CURVE_STEPS."""
    if t <= 0:
        return 0
    return min(CURVE_STEPS, int(STEP_RATE * t + STEP_ACCEL * t * t))


def time_of_step(k: int) -> float:
    """The simulation time (s) at which the curves run reaches step ``k``: the root of 4t² + 20t = k."""
    return (-STEP_RATE + math.sqrt(STEP_RATE * STEP_RATE + 4 * STEP_ACCEL * k)) / (2 * STEP_ACCEL)


def sweep_steps_at(t: float) -> int:
    """Steps every sweep run has taken by simulation time ``t`` (s): 30 per second, capped."""
    return 0 if t <= 0 else min(SWEEP_STEPS, int(SWEEP_RATE * t))


def _lr_label(lr: float) -> str:
    return fmt_tick(lr)


class TrainingMode(Mode):
    """Train and validation curves live; a learning-rate sweep; LayerNorm and RMSNorm; gradients through depth."""

    id = "p01-c05-training"
    chapter = "p01-c05-training"
    title = "Training dynamics"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("width", "Hidden units", lo=1, hi=64, step=1, default=32, integer=True,
               help="How many ReLU units the hidden layer has: 3 parameters each, plus one output bias."),
        Number("lr", "Learning rate \u03b7", lo=1e-4, hi=1.0, step=1e-4, default=0.01, log=True,
               help="AdamW moves every parameter by about \u03b7 per step."),
        Number("batch", "Batch size B", lo=1, hi=MAX_POINTS, step=1, default=4, integer=True,
               help="Training points averaged into each step's gradient (at most the training set)."),
        Number("points", "Training points N", lo=4, hi=MAX_POINTS, step=1, default=12, integer=True,
               help="How many noisy samples the network trains on; the 60 validation samples stay the same."),
        Number("decay", "Weight decay \u03bb", lo=0.0, hi=2.0, step=0.05, default=0.0,
               help="AdamW shrinks every parameter by \u03b7\u00b7\u03bb of itself at every step."),
        Number("scale", "Input scale", lo=1e-4, hi=1e3, step=1e-4, default=1.0, log=True,
               help="Multiplies the whole input vector."),
        Number("shift", "Input shift", lo=-3.0, hi=3.0, step=0.1, default=0.0,
               help="Added to every entry before the scale: it moves the vector's mean."),
        Choice("block", "Block", default="plain", options=tuple((b, BLOCK_LABELS[b]) for b in BLOCKS),
               help="What each of the D blocks does with h. F(u) = W\u00b7ReLU(u) + b."),
        Number("depth", "Blocks D", lo=1, hi=32, step=1, default=16, integer=True,
               help="How many blocks the stack has, each with its own 8 \u00d7 8 matrix."),
    )

    submodes = {
        "curves": Submode("Train and validation", {"width": 32, "lr": 0.01, "batch": 4, "points": 12, "decay": 0.0},
                          "A network trained on a few noisy points, scored on points it never trains on.",
                          ("width", "lr", "batch", "points", "decay")),
        "sweep": Submode("Learning-rate sweep", {"batch": 12},
                         "Seven copies of one network, seven learning rates: the loss each has reached.",
                         ("batch",)),
        "norm": Submode("LayerNorm and RMSNorm", {"scale": 1.0, "shift": 0.0},
                        "One vector normalized two ways, entry by entry.",
                        ("scale", "shift")),
        "depth": Submode("Gradients through depth", {"block": "plain", "depth": 16},
                         "A stack of blocks at its starting weights: how big h is after each block, "
                         "and how big each block's gradient is.",
                         ("block", "depth")),
    }
    default_submode = "curves"

    # -- frames -------------------------------------------------------------------------------------

    def draw(self, t: float):
        return getattr(self, f"_draw_{self.submode}")(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        return getattr(self, f"_{self.submode}_events")(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- curves: one run, trained lazily and kept -----------------------------------------------------

    def _points(self) -> int:
        return self["points"]

    def _batch(self) -> int:
        return min(self["batch"], self._points())

    def _run(self) -> dict:
        """The curves run for the current controls: its data, its newest state, and what is stored every EVAL steps.

        Stored per EVAL steps: the parameters, both losses, the index of the
        lowest validation loss so far, and the loss chart's points in scene
        coordinates, so a frame only slices lists.
        """
        def start():
            n = self._points()
            xs, ys = noisy_sine(n, TRAIN_SEED)
            vx, vy = noisy_sine(VAL_POINTS, VAL_SEED)
            s0 = fit_start(self["width"], INIT_SEED)
            run = {"xs": xs, "ys": ys, "vx": vx, "vy": vy, "n": n, "batch": self._batch(),
                   "lr": self["lr"], "decay": self["decay"], "width": self["width"], "last": s0,
                   "thetas": [], "train": [], "val": [], "best": [], "train_pts": [], "val_pts": [],
                   "stopped": False}
            self._record(run, s0.theta)
            return run
        return self.cached("run", start)

    @staticmethod
    def _record(run: dict, theta: list[float]) -> None:
        i = len(run["thetas"])
        tr, va = fit_loss(theta, run["xs"], run["ys"]), fit_loss(theta, run["vx"], run["vy"])
        run["thetas"].append(theta)
        run["train"].append(tr)
        run["val"].append(va)
        run["best"].append(i if not run["best"] or va < run["val"][run["best"][-1]] else run["best"][-1])
        lp = Plot(*LOSS_BOX, xlim=(0, CURVE_STEPS), ylim=LOSS_LIM, ylog=True)
        lo, hi = LOSS_LIM
        for key, v in (("train_pts", tr), ("val_pts", va)):
            v = min(max(v, lo), hi) if math.isfinite(v) else hi
            run[key].append((lp.fx(i * EVAL), lp.fy(v)))

    def _curve_state(self, k: int) -> tuple[int, dict]:
        """The stored index shown at step ``k`` (earlier if the run stopped), and the run.

        The run is advanced to step ``k`` itself, not to the next stored
        state, so that playing costs a step or two per frame.
        """
        run = self._run()
        while run["last"].step < k and not run["stopped"]:
            todo = min(k, (run["last"].step // EVAL + 1) * EVAL) - run["last"].step
            more = train_fit(run["width"], run["lr"], run["batch"], run["decay"], todo, run["xs"], run["ys"],
                             INIT_SEED, start=run["last"])
            if len(more) < todo:
                run["stopped"] = True
                break
            run["last"] = more[-1]
            if run["last"].step % EVAL == 0:
                self._record(run, run["last"].theta)
                if not (math.isfinite(run["train"][-1]) and run["train"][-1] < 1e6):
                    run["stopped"] = True
        return min(k // EVAL, len(run["thetas"]) - 1), run

    def _draw_curves(self, t: float):
        i, run = self._curve_state(steps_at(t))
        return self.memo("curves", i, lambda: self._curves_frame(i, run))

    def _curves_static(self) -> list[dict]:
        run = self._run()
        sc = self.new_scene()
        self._header(sc, "Training loss and validation loss",
                     f"AdamW on batches of {run['batch']} of the {run['n']} training points (\u25cf); "
                     f"the {VAL_POINTS} validation points (\u25cb) are never trained on.")
        fit = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-2.0, 2.0))
        fit.frame(sc, xticks=range(-3, 4), yticks=(-2, -1, 0, 1, 2), xlabel="x",
                  ylabel="y = sin x + noise, and the fit \u0177(x)", marks=False)
        fit.curve(sc, math.sin, n=61, stroke="muted", lw=1.4, dash=(6, 5))
        for x, y in zip(run["vx"], run["vy"]):
            if fit.contains(x, y):
                sc.circle(fit.fx(x), fit.fy(y), 3.2, stroke="accent2", lw=1.3)
        for x, y in zip(run["xs"], run["ys"]):
            if fit.contains(x, y):
                sc.circle(fit.fx(x), fit.fy(y), 4.5, fill="accent")
        lp = Plot(*LOSS_BOX, xlim=(0, CURVE_STEPS), ylim=LOSS_LIM, ylog=True)
        lp.frame(sc, xticks=(0, 250, 500, 750, 1000), yticks=log_ticks(*LOSS_LIM), xlabel="step",
                 ylabel="average squared error (log scale)", marks=False)
        lp.hline(sc, FLOOR, stroke="muted", lw=1.2, dash=(5, 4))
        # under the line at the right, where the validation curve (above the floor) never runs
        sc.text(lp.fx(CURVE_STEPS) - 6, lp.fy(FLOOR) + 4, f"noise floor {fmt_plain(NOISE)}\u00b2 = {fmt_plain(FLOOR)}",
                size=SMALL, fill="muted", align="r", base="t")
        # legend under the loss chart
        y = 432.0
        for colour, text in (("accent", "training loss (N points)"),
                             ("accent2", f"validation loss ({VAL_POINTS} points)")):
            sc.line(620, y, 646, y, stroke=colour, lw=3)
            sc.text(654, y, text, size=SMALL, fill="muted")
            y += 24
        return sc.items

    def _curves_frame(self, i: int, run: dict):
        sc = self.new_scene()
        sc.items.extend(self.cached("curves_static", self._curves_static))
        fit = Plot(*FIT_BOX, xlim=(X_LO, X_HI), ylim=(-2.0, 2.0))
        fit.polyline(sc, relu_fit_polyline(unflatten(run["thetas"][i]), X_LO, X_HI), stroke="ink", lw=2.6)
        lp = Plot(*LOSS_BOX, xlim=(0, CURVE_STEPS), ylim=LOSS_LIM, ylog=True)
        for key, colour in (("train_pts", "accent"), ("val_pts", "accent2")):
            line = run[key][:i + 1]
            if len(line) >= 2:
                sc.path(line, stroke=colour, lw=2.2)
            sc.circle(*line[-1], 4, fill=colour)
        vals = run["val"]
        best = run["best"][i]
        if best < i:
            bx, by = run["val_pts"][best]
            sc.circle(bx, by, 6, stroke="ink", lw=1.8)
            sc.line(bx, by + 7, bx, lp.y + lp.h, stroke="ink", lw=1, dash=(3, 3), alpha=0.7)
        step = i * EVAL
        tr, va = run["train"][i], run["val"][i]
        self._curves_panel(sc, run, step, tr, va, best)
        epochs = epochs_seen(step, run["batch"], run["n"])
        tel = [
            metric("step", "steps taken", step, f"{count(step)} of {count(CURVE_STEPS)}", "steps"),
            metric("epochs", "epochs (passes over the training points)", epochs, num(epochs), "epochs"),
            metric("train", "training loss", tr, num(tr), ""),
            metric("val", "validation loss", va, num(va), ""),
            metric("gap", "generalization gap (validation \u2212 training)", va - tr, num(va - tr), ""),
            metric("best_val", "lowest validation loss so far", vals[best], num(vals[best]), ""),
            metric("best_step", "step of the lowest validation loss", best * EVAL, count(best * EVAL), "steps"),
            metric("params", "parameters (3 \u00b7 units + 1)", 3 * run["width"] + 1, count(3 * run["width"] + 1), ""),
        ]
        return sc, tel

    def _curves_panel(self, sc: Scene, run: dict, step: int, tr: float, va: float, best: int) -> None:
        x, y = 70.0, 430.0
        epochs = epochs_seen(step, run["batch"], run["n"])
        per = run["n"] / run["batch"]
        sc.text(x, y, f"step {count(step)} of {count(CURVE_STEPS)} \u00b7 {num(epochs)} epochs "
                      f"({fmt_plain(per)} step{'' if per == 1 else 's'} each)", size=BODY, bold=True, base="t")
        y += 30
        sc.text(x, y, f"training loss {num(tr)}", size=BODY, fill="accent", bold=True, base="t")
        sc.text(x + 300, y, f"validation loss {num(va)}", size=BODY, fill="accent2", bold=True, base="t")
        y += 28
        gap = va - tr
        sc.text(x, y, f"generalization gap {num(gap)}", size=BODY, base="t")
        vals = run["val"]
        if best * EVAL < step:
            sc.text(x + 300, y, f"lowest validation: {num(vals[best])} at step {count(best * EVAL)} (\u25cb)",
                    size=SMALL, fill="muted", base="t")
        y += 30
        note = ""
        if run["stopped"] and step == (len(run["thetas"]) - 1) * EVAL and step < CURVE_STEPS:
            note = "stopped: the loss left the chart; \u03b7 is far too large"
        elif tr < FLOOR and va > tr * 2 and best * EVAL < step:
            note = "training loss below the noise floor: the fit is learning the training points' noise"
        elif tr > 2 * FLOOR and step >= CURVE_STEPS // 2:
            note = "both losses stay high: the network cannot draw the curve (too narrow, or decayed too hard)"
        if note:
            sc.text(x, y, note, size=SMALL, fill="warn" if "stopped" not in note else "bad", bold=True, base="t")
        y += 28
        sc.text(x, y, f"{run['width']} units = {3 * run['width'] + 1} parameters \u00b7 "
                      f"\u03b7 = {num(run['lr'])} \u00b7 B = {run['batch']} \u00b7 N = {run['n']} \u00b7 "
                      f"\u03bb = {fmt_plain(run['decay'])} \u00b7 noise {fmt_plain(NOISE)}",
                size=SMALL, fill="muted", base="t")

    def _curves_events(self, t0: float, t1: float) -> list[dict]:
        k0, k1 = steps_at(t0), steps_at(t1)
        if k1 <= k0 and t0 >= 0:
            return []
        i, run = self._curve_state(k1)
        out = []
        if t0 < 0:
            out.append({"level": "info", "text": f"{run['width']} units start from seed {INIT_SEED}: training loss "
                                                 f"{num(run['train'][0])}, validation loss {num(run['val'][0])}."})
        shown_now = i * EVAL
        for m in (50, 100, 200, 500, CURVE_STEPS):
            if k0 < m <= k1 and m <= shown_now:
                j = m // EVAL
                vals, best = run["val"], run["best"][j]
                text = (f"step {count(m)}: training {num(run['train'][j])}, validation {num(run['val'][j])}, "
                        f"lowest validation so far {num(vals[best])} at step {count(best * EVAL)}.")
                if m == CURVE_STEPS:
                    text += " Training stops here."
                out.append({"level": "info", "text": text})
        if run["stopped"] and shown_now < k1 and (t0 < 0 or time_of_step(shown_now + EVAL) > t0):
            out.append({"level": "warn", "text": f"stopped after step {count(shown_now)}: the loss is no longer "
                                                  f"finite. \u03b7 = {num(run['lr'])} is far too large."})
        return out[-4:]

    # -- sweep: seven learning rates at once ------------------------------------------------------------

    def _sweep(self) -> dict:
        """The seven runs: their newest states, and every SWEEP_EVAL steps each one's loss and chart point."""
        def start():
            xs, ys = noisy_sine(SWEEP_POINTS, TRAIN_SEED)
            s0 = fit_start(SWEEP_WIDTH, INIT_SEED)
            loss0 = fit_loss(s0.theta, xs, ys)
            sw = {"xs": xs, "ys": ys, "batch": min(self["batch"], SWEEP_POINTS), "last": [s0] * len(SWEEP_LRS),
                  "losses": [[] for _ in SWEEP_LRS], "pts": [[] for _ in SWEEP_LRS], "done": [False] * len(SWEEP_LRS)}
            for r in range(len(SWEEP_LRS)):
                self._sweep_record(sw, r, loss0)
            return sw
        return self.cached("sweep", start)

    @staticmethod
    def _sweep_record(sw: dict, r: int, loss: float) -> None:
        lo, hi = LOSS_LIM
        q = len(sw["losses"][r])
        sw["losses"][r].append(loss)
        v = min(max(loss, lo), hi) if math.isfinite(loss) else hi
        p = Plot(*SWEEP_LEFT, xlim=(0, SWEEP_STEPS), ylim=LOSS_LIM, ylog=True)
        sw["pts"][r].append((p.fx(q * SWEEP_EVAL), p.fy(v)))

    def _sweep_state(self, k: int) -> tuple[int, dict]:
        """Every run advanced to step ``k``; the stored index shown."""
        sw = self._sweep()
        for r, lr in enumerate(SWEEP_LRS):
            while sw["last"][r].step < k and not sw["done"][r]:
                last = sw["last"][r]
                todo = min(k, (last.step // SWEEP_EVAL + 1) * SWEEP_EVAL) - last.step
                more = train_fit(SWEEP_WIDTH, lr, sw["batch"], 0.0, todo, sw["xs"], sw["ys"], INIT_SEED, start=last)
                if len(more) < todo:
                    sw["done"][r] = True
                    break
                sw["last"][r] = more[-1]
                if more[-1].step % SWEEP_EVAL == 0:
                    loss = fit_loss(more[-1].theta, sw["xs"], sw["ys"])
                    self._sweep_record(sw, r, loss)
                    if not (math.isfinite(loss) and loss < 1e6):
                        sw["done"][r] = True
        return k // SWEEP_EVAL, sw

    def _draw_sweep(self, t: float):
        j, sw = self._sweep_state(sweep_steps_at(t))
        return self.memo("sweep", j, lambda: self._sweep_frame(j, sw))

    @staticmethod
    def _loss_at(sw: dict, r: int, j: int) -> float:
        losses = sw["losses"][r]
        return losses[min(j, len(losses) - 1)]

    def _sweep_static(self) -> list[dict]:
        sw = self._sweep()
        sc = self.new_scene()
        self._header(sc, "Seven learning rates, one network",
                     f"{SWEEP_WIDTH} units, the same {SWEEP_POINTS} points and starting weights; "
                     f"batches of {sw['batch']}. Only \u03b7 differs.")
        Plot(*SWEEP_LEFT, xlim=(0, SWEEP_STEPS), ylim=LOSS_LIM, ylog=True).frame(
            sc, xticks=(0, 100, 200, 300), yticks=log_ticks(*LOSS_LIM), xlabel="step",
            ylabel="training loss (log scale)", marks=False)
        return sc.items

    def _sweep_frame(self, j: int, sw: dict):
        sc = self.new_scene()
        sc.items.extend(self.cached("sweep_static", self._sweep_static))
        step = j * SWEEP_EVAL
        now = [self._loss_at(sw, r, j) for r in range(len(SWEEP_LRS))]
        finite = [v if math.isfinite(v) else math.inf for v in now]
        best = min(range(len(SWEEP_LRS)), key=finite.__getitem__)
        lo_r, hi_r = 0, len(SWEEP_LRS) - 1
        colours = {lo_r: "accent2", best: "accent", hi_r: "bad"}
        lo, hi = LOSS_LIM
        for r in sorted(range(len(SWEEP_LRS)), key=lambda q: q in colours):
            line = sw["pts"][r][:j + 1]
            if len(line) >= 2:
                sc.path(line, stroke=colours.get(r, "muted"), lw=2.4 if r in colours else 1.2,
                        alpha=1.0 if r in colours else 0.6)
        right = Plot(*SWEEP_RIGHT, xlim=(SWEEP_LRS[0] / 1.5, SWEEP_LRS[-1] * 1.5), ylim=LOSS_LIM,
                     xlog=True, ylog=True)
        right.frame(sc, xticks=(1e-3, 1e-2, 1e-1, 1.0), yticks=log_ticks(*LOSS_LIM), xlabel="learning rate \u03b7",
                    ylabel=f"training loss at step {count(step)}", marks=False)
        pts = [(right.fx(lr), right.fy(min(max(v, lo), hi))) for lr, v in zip(SWEEP_LRS, finite)]
        sc.path(pts, stroke="ink", lw=1.6)
        for r, (px, py) in enumerate(pts):
            sc.circle(px, py, 6 if r in colours else 4, fill=colours.get(r, "muted"), stroke="bg", lw=1.2)
        self._sweep_panel(sc, sw, step, now, best)
        tel = [metric("step", "steps taken by every run", step, f"{count(step)} of {count(SWEEP_STEPS)}", "steps"),
               metric("best_lr", "learning rate with the lowest loss now", SWEEP_LRS[best],
                      _lr_label(SWEEP_LRS[best]), ""),
               metric("best_loss", "its training loss", now[best], num(now[best]), "")]
        for r in (lo_r, hi_r):
            tel.append(metric(f"loss_{r}", f"training loss at \u03b7 = {_lr_label(SWEEP_LRS[r])}", finite[r]
                              if math.isfinite(finite[r]) else 1e6, num(now[r]), ""))
        return sc, tel

    def _sweep_panel(self, sc: Scene, sw: dict, step: int, now: list[float], best: int) -> None:
        x, y = 70.0, 410.0
        sc.text(x, y, f"step {count(step)} of {count(SWEEP_STEPS)} \u00b7 "
                      f"{num(epochs_seen(step, sw['batch'], SWEEP_POINTS))} epochs", size=BODY, bold=True, base="t")
        y += 32
        rows = (("accent2", 0, "too small: every step is tiny, the loss creeps down"),
                ("accent", best, "lowest loss at this step"),
                ("bad", len(SWEEP_LRS) - 1, "too large: steps overshoot, the loss jumps and stays high"))
        for colour, r, text in rows:
            sc.line(x, y + 9, x + 26, y + 9, stroke=colour, lw=3)
            sc.text(x + 36, y, f"\u03b7 = {_lr_label(SWEEP_LRS[r])}: loss {num(now[r])}", size=BODY, bold=True,
                    fill=colour, base="t")
            sc.text(x + 330, y, text, size=SMALL, fill="muted", base="t")
            y += 30
        sc.text(x, y + 4, "grey: the other learning rates; right: every run's loss now, against its \u03b7",
                size=SMALL, fill="muted", base="t")

    def _sweep_events(self, t0: float, t1: float) -> list[dict]:
        k0, k1 = sweep_steps_at(t0), sweep_steps_at(t1)
        if k1 <= k0 and t0 >= 0:
            return []
        j, sw = self._sweep_state(k1)
        out = []
        if t0 < 0:
            out.append({"level": "info", "text": f"seven runs start from the same weights, training loss "
                                                 f"{num(sw['losses'][0][0])}; \u03b7 from 10\u207b\u00b3 to 1."})
        for m in (30, 150, SWEEP_STEPS):   # multiples of SWEEP_EVAL, where losses are stored
            if k0 < m <= k1:
                q = m // SWEEP_EVAL
                now = [self._loss_at(sw, r, q) for r in range(len(SWEEP_LRS))]
                finite = [v if math.isfinite(v) else math.inf for v in now]
                best = min(range(len(SWEEP_LRS)), key=finite.__getitem__)
                out.append({"level": "info", "text": f"step {count(m)}: lowest loss {num(now[best])} at "
                                                     f"\u03b7 = {_lr_label(SWEEP_LRS[best])}; "
                                                     f"\u03b7 = 10\u207b\u00b3 is at {num(now[0])}, "
                                                     f"\u03b7 = 1 at {num(now[-1])}."})
        return out[-4:]

    # -- norm: one vector, two normalizations -------------------------------------------------------------

    def _norm_static(self) -> dict:
        scale, shift = self["scale"], self["shift"]
        x = [scale * (v + shift) for v in BASE]
        mu, var = mean_and_variance(x)
        rms = root_mean_square(x)
        return {"x": x, "mu": mu, "var": var, "rms": rms, "ln": layer_norm(x, eps=EPS), "rn": rms_norm(x, eps=EPS),
                "scale": scale, "shift": shift}

    def _draw_norm(self, t: float):
        st = self.cached("norm", self._norm_static)
        probe = int(t // PROBE_S) % len(BASE)
        return self.memo("norm", probe, lambda: self._norm_frame(st, probe))

    def _norm_frame(self, st: dict, probe: int):
        sc = self.new_scene()
        self._header(sc, "LayerNorm and RMSNorm: one vector, two normalizations",
                     f"Both divide by a size of the vector; LayerNorm first subtracts the mean. "
                     f"\u03b5 = {fmt_tick(EPS)}, Llama 3's.")
        x, ln, rn = st["x"], st["ln"], st["rn"]
        m = 1.05 * max(abs(v) for v in x)
        e = math.floor(math.log10(m))
        top = next(k * 10.0 ** e for k in (1, 2, 5, 10) if k * 10.0 ** e >= m)
        panels = (("input x", x, (-top, top), "ink"),
                  ("LayerNorm(x)", ln, (-3.0, 3.0), "accent"),
                  ("RMSNorm(x)", rn, (-3.0, 3.0), "accent3"))
        xs0 = (70.0, 385.0, 680.0)
        d = len(BASE)
        for (name, vals, ylim, colour), x0 in zip(panels, xs0):
            p = Plot(x0, 100, 250, 250, xlim=(0, d), ylim=ylim)
            ticks = (ylim[0], ylim[0] / 2, 0.0, ylim[1] / 2, ylim[1])
            p.frame(sc, yticks=ticks, yfmt=lambda v: fmt_tick(v), ylabel=name, marks=False)
            for k, v in enumerate(vals):
                vv = min(max(v, ylim[0]), ylim[1])
                y0, y1 = sorted((p.fy(0.0), p.fy(vv)))
                sc.rect(p.fx(k + 0.15), y0, p.w / d * 0.7, max(y1 - y0, 1.0), fill=colour,
                        alpha=1.0 if k == probe else 0.45)
            sc.text(p.fx(probe + 0.5), p.y + p.h + 8, f"x{probe + 1}".translate(_SUB), size=SMALL, fill="ink",
                    align="c", base="t", bold=True)
            if name == "input x":
                p.hline(sc, st["mu"], stroke="accent2", lw=1.6, dash=(5, 3))
        self._norm_panel(sc, st, probe)
        ln_rms = root_mean_square(ln)
        rn_rms = root_mean_square(rn)
        rn_mu = sum(rn) / d
        tel = [
            metric("mean", "input mean \u03bc", st["mu"], num(st["mu"]), ""),
            metric("std", "input standard deviation \u03c3", math.sqrt(st["var"]), num(math.sqrt(st["var"])), ""),
            metric("rms", "input root mean square", st["rms"], num(st["rms"]), ""),
            metric("ln_rms", "LayerNorm output RMS", ln_rms, num(ln_rms), ""),
            metric("rn_rms", "RMSNorm output RMS", rn_rms, num(rn_rms), ""),
            metric("rn_mean", "RMSNorm output mean", rn_mu, num(rn_mu), ""),
        ]
        return sc, tel

    def _norm_panel(self, sc: Scene, st: dict, probe: int) -> None:
        x, y = 70.0, 404.0
        mu, var, rms = st["mu"], st["var"], st["rms"]
        xi = st["x"][probe]
        sub = f"{probe + 1}".translate(_SUB)
        sc.text(x, y, f"input: x = {num(st['scale'])} \u00d7 (base vector + {fmt_plain(st['shift'], 1)}): "
                      f"mean \u03bc = {num(mu)}, \u03c3 = {num(math.sqrt(var))}, RMS = {num(rms)}",
                size=BODY, bold=True, base="t")
        y += 36
        den_ln = math.sqrt(var + EPS)
        den_rn = math.sqrt(rms * rms + EPS)
        sc.text(x, y, f"LayerNorm: (x{sub} \u2212 \u03bc) / \u221a(\u03c3\u00b2 + \u03b5) = ({num(xi)} \u2212 {num(mu)}) / "
                      f"{num(den_ln)} = {num(st['ln'][probe])}", size=BODY, fill="accent", base="t")
        y += 30
        sc.text(x, y, f"RMSNorm:  x{sub} / \u221a(mean(x\u00b2) + \u03b5) = {num(xi)} / {num(den_rn)} = "
                      f"{num(st['rn'][probe])}", size=BODY, fill="accent3", base="t")
        y += 36
        ms = rms * rms
        if ms < 30 * EPS:
            note = (f"tiny input: mean(x\u00b2) = {num(ms)} is small beside \u03b5, so both outputs shrink "
                    f"(RMS {num(root_mean_square(st['rn']))})")
        elif abs(mu) > math.sqrt(var):
            note = ("the mean is larger than the spread: RMSNorm keeps it, so its bars all lean one way; "
                    "LayerNorm removes it")
        else:
            note = "scale the input up or down: neither output moves, because both divide the scale back out"
        sc.text(x, y, note, size=SMALL, fill="warn" if "tiny" in note else "muted", bold="tiny" in note, base="t")
        y += 26
        sc.text(x, y, "the dashed orange line is the input's mean \u03bc", size=SMALL, fill="muted", base="t")

    def _norm_events(self, t0: float, t1: float) -> list[dict]:
        if not (t0 < 0.25 <= t1):
            return []
        st = self.cached("norm", self._norm_static)
        return [{"level": "info", "text": f"input mean {num(st['mu'])}, RMS {num(st['rms'])}: LayerNorm output RMS "
                                          f"{num(root_mean_square(st['ln']))}, RMSNorm output RMS "
                                          f"{num(root_mean_square(st['rn']))}."}]

    # -- depth: a stack at its starting weights -------------------------------------------------------------

    def _depth_static(self) -> dict:
        depth, block = self["depth"], self["block"]
        xs, _ = noisy_sine(DEPTH_POINTS, TRAIN_SEED, noise=0.0)
        ys = [math.sin(x) for x in xs]
        res = deep_forward_backward(deep_init(depth, DEPTH_WIDTH, DEPTH_SEED), xs, ys, block, EPS)
        return {"depth": depth, "block": block, **res}

    def _depth_stage(self, t: float, depth: int) -> tuple[int, int]:
        """(blocks the forward pass has reached, blocks the backward pass has reached) at time t."""
        period = 2 * PASS_S + HOLD_S
        tc = t % period
        if tc < PASS_S:
            return min(depth, int(tc / PASS_S * (depth + 1))), 0
        if tc < 2 * PASS_S:
            return depth, min(depth, int((tc - PASS_S) / PASS_S * (depth + 1)))
        return depth, depth

    def _draw_depth(self, t: float):
        st = self.cached("depth", self._depth_static)
        stage = self._depth_stage(t, st["depth"])
        return self.memo("depth", stage, lambda: self._depth_frame(st, *stage))

    def _depth_frame(self, st: dict, fwd: int, bwd: int):
        sc = self.new_scene()
        depth, block = st["depth"], st["block"]
        self._header(sc, f"{depth} block{'s' if depth != 1 else ''}, {BLOCK_LABELS[block]}",
                     "At PyTorch's starting weights: the forward pass goes up the stack, the backward pass comes down.")
        self._depth_diagram(sc, block)
        act = Plot(*ACT_BOX, xlim=(0, depth + 1), ylim=ACT_LIM, ylog=True)
        act.frame(sc, yticks=(1e-2, 1.0, 1e2), ylabel="size of h after the input layer (0) and after each block, RMS(h)",
                  marks=False)
        grad = Plot(*GRAD_BOX, xlim=(0, depth + 1), ylim=GRAD_LIM, ylog=True)
        grad.frame(sc, yticks=(1e-15, 1e-10, 1e-5, 1.0),
                   ylabel="size of each block's weight gradient, \u2016\u2202L/\u2202W\u2016", marks=False)
        step = max(1, round(depth / 8))
        labels = sorted(set(range(1, depth + 1, step)) | {depth})
        for k in labels:
            sc.text(grad.fx(k), grad.y + grad.h + 7, str(k), size=SMALL, fill="muted", align="c", base="t")
        sc.text(grad.x + grad.w, grad.y + grad.h + 28, "block (1 = next to the input)", size=SMALL, fill="muted",
                align="r", base="t")
        width = min(28.0, max(3.0, 0.7 * act.w / (depth + 1)))
        for k in range(0, fwd + 1):
            v = st["act_rms"][k]
            vv = min(max(v, ACT_LIM[0]), ACT_LIM[1])
            top = act.fy(vv)
            sc.rect(act.fx(k) - width / 2, top, width, act.y + act.h - top, fill="accent", alpha=0.85)
        for k in range(depth, depth - bwd, -1):
            v = st["grad_norms"][k - 1]
            if v <= 0:
                sc.text(grad.fx(k), grad.y + grad.h - 4, "0", size=SMALL, fill="bad", align="c", base="b", bold=True)
                continue
            vv = min(max(v, GRAD_LIM[0]), GRAD_LIM[1])
            top = grad.fy(vv)
            sc.rect(grad.fx(k) - width / 2, top, width, grad.y + grad.h - top, fill="accent2", alpha=0.9)
        g = st["grad_norms"]
        ratio = g[0] / g[-1] if g[-1] > 0 else 0.0
        y = 568.0
        if bwd == depth:
            text = (f"gradient at block 1 / gradient at block {depth} = {num(ratio)}"
                    if g[0] > 0 else "block 1's gradient is exactly 0: in some block every unit is off")
            sc.text(70, y, text, size=BODY, bold=True, fill="accent2", base="t")
        elif fwd == depth:
            where = f"block {depth - bwd + 1}" if bwd else "the loss"
            sc.text(70, y, f"backward pass: at {where}, on its way down to block 1", size=BODY, bold=True, base="t")
        else:
            sc.text(70, y, f"forward pass: h after block {fwd} of {depth}" if fwd else
                    "forward pass: h after the input layer", size=BODY, bold=True, base="t")
        sc.text(930, y, f"starting loss {num(st['loss'])}", size=SMALL, fill="muted", align="r", base="t")
        tel = [
            metric("loss", "loss at the starting weights", st["loss"], num(st["loss"]), ""),
            metric("act_top", f"RMS(h) after block {depth}", st["act_rms"][-1], num(st["act_rms"][-1]), ""),
            metric("grad_first", "gradient size, block 1", g[0], num(g[0]), ""),
            metric("grad_last", f"gradient size, block {depth}", g[-1], num(g[-1]), ""),
            metric("ratio", "block 1 / last block", ratio, num(ratio), ""),
        ]
        return sc, tel

    def _depth_diagram(self, sc: Scene, block: str) -> None:
        """One block drawn small: what happens to h on its way through, with the identity path if residual."""
        y = 96.0                        # the centre line of the boxes
        norm = block in ("norm", "prenorm")
        resid = block in ("residual", "prenorm")
        x = 70.0
        sc.text(x, y, "h", size=BODY, bold=True, base="m")
        cx = x + 40
        for name in (["RMSNorm"] if norm else []) + ["ReLU", "W\u00b7 + b"]:
            w = len(name) * BODY * 0.56 + 24
            sc.arrow(cx - 26, y, cx - 2, y, stroke="muted", lw=1.5, head=7)
            sc.rect(cx, y - 17, w, 34, fill="panel", stroke="ink", lw=1.2, r=4)
            sc.text(cx + w / 2, y, name, size=BODY, align="c", base="m")
            cx += w + 28
        if resid:
            sc.arrow(cx - 26, y, cx - 2, y, stroke="muted", lw=1.5, head=7)
            sc.circle(cx + 12, y, 12, fill="bg", stroke="ink", lw=1.5)
            sc.text(cx + 12, y, "+", size=BODY, align="c", base="m", bold=True)
            sc.path([(x + 6, y + 12), (x + 6, y + 40), (cx + 12, y + 40)], stroke="accent", lw=2.2)
            sc.arrow(cx + 12, y + 40, cx + 12, y + 14, stroke="accent", lw=2.2, head=7)
            cx += 24
            sc.text(cx + 40, y + 40, "identity path: h is added back unchanged", size=SMALL, fill="accent", base="m")
        sc.arrow(cx + 2, y, cx + 26, y, stroke="muted", lw=1.5, head=7)
        sc.text(cx + 34, y, "next block", size=BODY, bold=True, base="m")

    def _depth_events(self, t0: float, t1: float) -> list[dict]:
        st = self.cached("depth", self._depth_static)
        period = 2 * PASS_S + HOLD_S
        # one line per pass, when the backward pass reaches block 1
        first = max(0, math.floor((t0 - 2 * PASS_S) / period) + 1)
        last = math.floor((t1 - 2 * PASS_S) / period)
        if last < first:
            return []
        g, a = st["grad_norms"], st["act_rms"]
        ratio = g[0] / g[-1] if g[-1] > 0 else 0.0
        return [{"level": "info", "text": f"{st['depth']} blocks, {st['block']}: RMS(h) goes from {num(a[0])} to "
                                          f"{num(a[-1])}; the gradient reaching block 1 is {num(ratio)} times "
                                          f"the one at block {st['depth']}."}]


_SUB = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
