"""Optimization: SGD, momentum, Adam, schedules: the workshop of chapter p00-c07.

Four views, one idea each:

* race (and its preset noise): SGD, momentum and Adam start from the same
  point of the same ill-conditioned bowl and see the same minibatch noise.
  Their paths grow step by step; a log-scale chart beside the bowl keeps
  score. Sliders set the bowl's condition number and tilt, the learning
  rate, β and the batch size (noise σ = σ₁/√B).
* average: one coordinate's noisy gradients, the moving average m that
  momentum and Adam keep, and Adam's bias correction m̂ = m / (1 − β^t),
  with Adam's resulting step in units of η below.
* schedule (and its preset llama): linear warmup then cosine decay, with
  knobs for the peak, warmup, length and final rate; a zoom shows the
  warmup, a crosshair reads the rate at any step with the formula filled in.
* memory: the bytes mixed-precision training keeps per parameter for SGD,
  momentum or Adam (2 + 2 + 4 + 4 + 4 for Adam), times a real model's
  parameter count, and the 80 GB GPUs that state alone fills.

Every number comes from :mod:`llmviz.calc.optimizers` (update rules,
schedule, per-parameter state) and :mod:`llmviz.calc.parallel` (ZeRO's
model-state total) over the catalog.
"""
from __future__ import annotations

import bisect
import math

from ...calc.optimizers import (OPTIMIZERS, adam_step, bias_correction, lr_schedule,
                                model_state_breakdown, momentum_step, optimizer_state_multiplier,
                                sgd_step)
from ...calc.model_size import param_count
from ...calc.parallel import zero_model_state_bytes
from ...catalog import get_gpu, get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot, nice_ticks
from ...core.rng import gaussian as gaussian_noise
from ...core.scene import Scene
from ...units import fmt_bytes, fmt_count, fmt_sci
from ...core.geometry import clip_segment as _clip_box

# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

RACE_VIEWS = ("race", "noise")
AVERAGE_VIEWS = ("average",)
SCHEDULE_VIEWS = ("schedule", "llama")
MEMORY_VIEWS = ("memory",)
_FAMILY = {"race": RACE_VIEWS, "average": AVERAGE_VIEWS, "schedule": SCHEDULE_VIEWS,
           "memory": MEMORY_VIEWS}

NAMES = {"sgd": "SGD", "momentum": "momentum", "adam": "Adam"}
COLOURS = {"sgd": "accent2", "momentum": "accent3", "adam": "accent"}

# -- the race ---------------------------------------------------------------------
RACE_STEPS = 150         # steps every optimizer takes
RACE_PACE = 15.0         # steps shown per second
RACE_HOLD_S = 3.0        # the finished race stays up this long before it restarts
START = (-4.2, 2.0)      # where every optimizer starts (the minimum is at the origin)
SIGMA_ONE = 2.0          # noise of a one-example gradient, per coordinate
BETA2 = 0.999            # Adam's second-moment rate (Kingma and Ba's default, kept fixed)
EPS = 1e-8
MAX_RUNS = 24           # pieces of one path drawn at most (a path can leave and re-enter the plot)
DIVERGED = 1e6           # beyond this distance a path stops: the step size is unstable
PLOT_X, PLOT_Y, PLOT_W, PLOT_H = 20.0, 78.0, 570.0, 300.0
WORLD_X = 5.0
WORLD_Y = WORLD_X * PLOT_H / PLOT_W
#: the bowl: parameter space (x, y) around the minimum, same scale on both axes
BOWL = Plot(PLOT_X, PLOT_Y, PLOT_W, PLOT_H, (-WORLD_X, WORLD_X), (-WORLD_Y, WORLD_Y))
LOSS_LO, LOSS_HI = 1e-4, 10.0
#: the score: loss against step on a log scale, five decades
LOSS_CHART = Plot(664.0, 236.0, 266.0, 150.0, (0.0, float(RACE_STEPS)), (LOSS_LO, LOSS_HI), ylog=True)

# -- the moving average --------------------------------------------------------------
AVG_STEPS = 40
AVG_PACE = 4.0
AVG_HOLD_S = 3.0
AVG_MEAN = 1.0           # the true gradient the noisy ones scatter around

# -- the schedule ------------------------------------------------------------------
TRACE_S = 6.0
TRACE_HOLD_S = 4.0
CURVE_POINTS = 240
#: Llama 3 405B's initial pre-training (Dubey et al. 2024, section 3.4.1)
LLAMA_PEAK, LLAMA_WARMUP, LLAMA_TOTAL, LLAMA_FINAL = 8e-5, 8000, 1_200_000, 8e-7
#: its batch: 4M tokens, 8M after 252M tokens, 16M after 2.87T tokens (same section)
LLAMA_BATCHES = ((4e6, 0.0), (8e6, 252e6), (16e6, 2.87e12))

# -- the memory bill -------------------------------------------------------------
MODELS = ("llama-3-8b", "llama-3-70b", "llama-3.1-405b")
GPU = "h100-sxm"         # what Llama 3 405B trained on (Dubey et al. 2024, section 3.3.1)
FILL_S = 0.8             # seconds per array as the bill adds up
MEMORY_HOLD_S = 4.0
PART_LABELS = {"weights": ("weights", "16-bit"), "gradients": ("gradients", "16-bit"),
               "master": ("master copy", "32-bit"), "m": ("m: 1st moment", "32-bit"),
               "v": ("v: 2nd moment", "32-bit")}
ELLIPSIS = "\u2026"
PART_FILLS = {"weights": "q", "gradients": "v", "master": "accent3", "m": "accent2", "v": "bad"}


# -- small pure helpers ------------------------------------------------------------


def noise_sigma(batch: int) -> float:
    """Per-coordinate noise of a minibatch of ``batch`` examples: σ₁/√B (averaging B draws)."""
    return SIGMA_ONE / math.sqrt(batch)


def bowl(kappa: float, tilt_deg: float):
    """The quadratic f(θ) = ½ θᵀHθ: curvature 1 across the valley, 1/κ along it, tilted.

    Returns ``(H, grad, loss)`` with H as nested lists; the minimum is at the origin.
    """
    c, s = math.cos(math.radians(tilt_deg)), math.sin(math.radians(tilt_deg))
    h1, h2 = 1.0 / kappa, 1.0
    a, b, d = h1 * c * c + h2 * s * s, (h1 - h2) * c * s, h1 * s * s + h2 * c * c

    def grad(th):
        return [a * th[0] + b * th[1], b * th[0] + d * th[1]]

    def loss(th):
        return 0.5 * (a * th[0] * th[0] + 2 * b * th[0] * th[1] + d * th[1] * th[1])

    return ((a, b), (b, d)), grad, loss


def race_paths(kappa: float, tilt_deg: float, lr: float, beta: float, batch: int,
               seed: int = 0, steps: int = RACE_STEPS) -> dict:
    """Every optimizer's path on the same bowl with the same minibatch noise.

    Returns ``{name: {"pts": [(x, y)…], "loss": […], "diverged": step or None}}``
    with ``steps + 1`` entries each (the start included). Adam uses β₁ = ``beta``
    and β₂ = :data:`BETA2`; all three see the same noisy gradient at a given point.
    """
    _, grad, loss = bowl(kappa, tilt_deg)
    sigma = noise_sigma(batch)
    z = gaussian_noise(seed, 2 * steps)
    out = {}
    for name in OPTIMIZERS:
        th = list(START)
        vel, m, v = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
        pts, losses, diverged = [tuple(th)], [loss(th)], None
        for k in range(steps):
            if diverged is None:
                g = grad(th)
                g = [g[0] + sigma * z[2 * k], g[1] + sigma * z[2 * k + 1]]
                if name == "sgd":
                    th = sgd_step(th, g, lr)
                elif name == "momentum":
                    th, vel = momentum_step(th, vel, g, lr, beta)
                else:
                    th, m, v = adam_step(th, m, v, g, k + 1, lr, beta, BETA2, EPS)
                if math.hypot(*th) > DIVERGED:
                    diverged = k + 1
            pts.append(tuple(th))
            losses.append(loss(th))
        out[name] = {"pts": pts, "loss": losses, "diverged": diverged}
    return out


def moving_average_trace(beta: float, batch: int, seed: int = 0, steps: int = AVG_STEPS) -> list[dict]:
    """One coordinate's gradients g_t = 1 + σ·z_t and Adam's statistics after each step t = 1…steps.

    Each entry holds g, the raw average m (started at 0), the divisor 1 − β^t,
    m̂, v̂ (β₂ = :data:`BETA2`) and Adam's step in units of η, m̂/(√v̂ + ε).
    """
    sigma = noise_sigma(batch)
    z = gaussian_noise(seed + 7, steps)
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        g = AVG_MEAN + sigma * z[t - 1]
        m = beta * m + (1 - beta) * g
        v = BETA2 * v + (1 - BETA2) * g * g
        c1, c2 = bias_correction(beta, t), bias_correction(BETA2, t)
        m_hat, v_hat = m / c1, v / c2
        out.append({"t": t, "g": g, "m": m, "c1": c1, "m_hat": m_hat, "v_hat": v_hat,
                    "ratio": m_hat / (math.sqrt(v_hat) + EPS)})
    return out



def clip_segment(x1: float, y1: float, x2: float, y2: float, xr: float, yr: float):
    """The part of a segment inside the box [−xr, xr]×[−yr, yr], or None (core.geometry's clip)."""
    return _clip_box(x1, y1, x2, y2, -xr, xr, -yr, yr)


def cycle_position(t: float, run_s: float, hold_s: float) -> tuple[int, float]:
    """(cycle index, seconds into it) of an animation that runs ``run_s`` then holds ``hold_s``."""
    period = run_s + hold_s
    n = math.floor(t / period)
    return n, t - n * period


def crossings(t0: float, t1: float, offset: float, period: float) -> int:
    """How many times ``offset + k·period`` (k ≥ 0) falls in (t0, t1]: a count, never a loop."""
    if t1 < offset:
        return 0
    hi = math.floor((t1 - offset) / period)
    lo = math.floor((t0 - offset) / period) if t0 >= offset else -1
    return max(0, hi - lo)


def _g(x: float) -> str:
    """A number to two significant figures, with a real minus sign."""
    if x == 0:
        return "0"
    s = f"{x:.2g}" if 1e-3 <= abs(x) < 1e4 else fmt_sci(x, digits=2)
    return s.replace("-", "\u2212") if "\u00d7" not in s else s.replace("-", "\u2212", 1) if s.startswith("-") else s


def _f(x: float, digits: int = 3) -> str:
    """A plain decimal with ``digits`` places and a real minus sign."""
    return f"{x:.{digits}f}".replace("-", "\u2212")


def _pct(x: float) -> str:
    """A share as a percentage: two significant figures below 10 %, whole numbers above."""
    return f"{100 * x:.2g} %" if 100 * x < 10 else f"{100 * x:.0f} %"


def _ipt(p: tuple[float, float]) -> tuple[int, int]:
    """A point on whole logical units: long polylines go out as integers, which serialise far faster."""
    return int(round(p[0])), int(round(p[1]))


def _steps(n: float) -> str:
    return f"{int(round(n)):,}"


_SUB = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
_SUP = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


# -- the mode ------------------------------------------------------------------------


class OptimizersMode(Mode):
    """Optimizers racing on one bowl; Adam's averages; the warmup + cosine schedule; Adam's memory bill."""

    id = "p00-c07-optimizers"
    chapter = "p00-c07-optimizers"
    title = "Optimization: SGD, momentum, Adam, schedules"
    step_dt = 1.0 / RACE_PACE
    size = (960, 600)

    params = (
        Number("kappa", "Condition number \u03ba", lo=1, hi=100, step=1, default=25, log=True,
               help="Steepest over shallowest curvature of the bowl: 1 is round, 100 a long narrow valley."),
        Number("tilt", "Tilt of the valley", lo=0, hi=45, step=1, default=0, unit="\u00b0",
               help="Turns the bowl: at 0° its axes line up with the parameters, at 45° they do not."),
        Number("lr", "Learning rate \u03b7", lo=0.01, hi=2.5, step=0.01, default=0.1, log=True,
               help="SGD and momentum step \u03b7 times the gradient; Adam steps about \u03b7 per coordinate."),
        Number("beta", "Momentum \u03b2 (Adam's \u03b2\u2081)", lo=0, hi=0.99, step=0.01, default=0.9,
               help="How much of the running average each step keeps; 0 turns momentum into SGD."),
        Number("batch", "Batch size B", lo=1, hi=4096, step=1, default=4096, unit="examples",
               integer=True, log=True,
               help="Gradients averaged per step; noise per coordinate is 2/\u221aB."),
        Number("peak", "Peak learning rate", lo=1e-5, hi=1e-2, step=1e-6, default=3e-4, log=True,
               help="The rate warmup climbs to and cosine decay starts from."),
        Number("warmup", "Warmup steps", lo=0, hi=100_000, step=500, default=2000, unit="steps",
               integer=True, help="Steps of the linear climb from 0 to the peak."),
        Number("total", "Total steps", lo=1000, hi=2_000_000, step=1000, default=100_000, unit="steps",
               integer=True, log=True, help="The step at which the cosine reaches the final rate."),
        Number("final", "Final rate \u00f7 peak", lo=0, hi=1, step=0.01, default=0.1,
               help="Where the cosine ends, as a fraction of the peak (Llama 3 405B: 0.01)."),
        Number("at", "Read the rate at step", lo=0, hi=2_000_000, step=1000, default=50_000,
               unit="steps", integer=True, help="The crosshair: the schedule's rate at this step."),
        Choice("model", "Model", default="llama-3-8b",
               options=tuple((m, get_model(m).display_name) for m in MODELS),
               help="Whose parameters to pay for."),
        Choice("optimizer", "Optimizer", default="adam",
               options=tuple((o, NAMES[o]) for o in OPTIMIZERS),
               help="SGD keeps no moment, momentum one, Adam two (m and v)."),
    )

    _RACE = ("kappa", "tilt", "lr", "beta", "batch")
    _SCHEDULE = ("peak", "warmup", "total", "final", "at")
    submodes = {
        "race": Submode("Race", {"kappa": 25, "tilt": 0, "lr": 0.1, "beta": 0.9, "batch": 4096},
                        "SGD, momentum and Adam from one start on one ill-conditioned bowl.", _RACE),
        "noise": Submode("Noisy race", {"kappa": 25, "tilt": 0, "lr": 0.1, "beta": 0.9, "batch": 8},
                         "Minibatches of 8: every gradient is off by noise of 2/\u221a8 per coordinate.",
                         _RACE),
        "average": Submode("Moving average", {"beta": 0.9, "batch": 16},
                           "The average m starts at 0; bias correction divides by 1 \u2212 \u03b2^t.",
                           ("beta", "batch")),
        "schedule": Submode("Schedule", {"peak": 3e-4, "warmup": 2000, "total": 100_000, "final": 0.1,
                                         "at": 50_000},
                            "Linear warmup to the peak, then cosine decay to the final rate.", _SCHEDULE),
        "llama": Submode("Llama 3 405B", {"peak": LLAMA_PEAK, "warmup": LLAMA_WARMUP, "total": LLAMA_TOTAL,
                                          "final": LLAMA_FINAL / LLAMA_PEAK, "at": 600_000},
                         "8e-5 peak, 8,000 warmup steps, cosine to 8e-7 over 1,200,000 steps.", _SCHEDULE),
        "memory": Submode("Memory", {"model": "llama-3-8b", "optimizer": "adam"},
                          "Bytes per parameter of mixed-precision training, times a real model.",
                          ("model", "optimizer")),
    }
    default_submode = "race"

    # -- which view ------------------------------------------------------------------

    def view(self) -> str:
        """The picture the current sub-mode shows: "race", "average", "schedule" or "memory"."""
        for name, members in _FAMILY.items():
            if self.submode in members:
                return name
        return "race"

    def draw(self, t: float):
        v = self.view()
        if v == "average":
            return self._draw_average(t)
        if v == "schedule":
            return self._draw_schedule(t)
        if v == "memory":
            return self._draw_memory(t)
        return self._draw_race(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "average":
            return self._average_events(t0, t1)
        if v == "schedule":
            return self._schedule_events(t0, t1)
        if v == "memory":
            return self._memory_events(t0, t1)
        return self._race_events(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- race ----------------------------------------------------------------------------

    def _race(self) -> dict:
        return self.cached("race", lambda: race_paths(self["kappa"], self["tilt"], self["lr"], self["beta"],
                                                      self["batch"], self.seed))

    @staticmethod
    def _to_plot(x: float, y: float) -> tuple[float, float]:
        # a dot that has left the bowl's window waits on its edge, on the side it left by
        x = min(max(x, -WORLD_X), WORLD_X)
        y = min(max(y, -WORLD_Y), WORLD_Y)
        return BOWL.fx(x), BOWL.fy(y)

    def _race_static(self) -> list[dict]:
        """The bowl, its contours, the loss chart's axes and the update rules (parameters only)."""
        sc = Scene(*self.size)
        kappa, tilt = self["kappa"], self["tilt"]
        (a, b), (_, d) = bowl(kappa, tilt)[0]
        _, _, loss = bowl(kappa, tilt)
        sc.rect(PLOT_X, PLOT_Y, PLOT_W, PLOT_H, fill="panel", stroke="faint")
        # contours: ellipses of equal loss, drawn in the bowl's own axes then turned by the tilt
        c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
        f0 = loss(START)
        for frac in (1.0, 0.5, 0.25, 0.12, 0.05, 0.015):
            level = f0 * frac
            ra, rb = math.sqrt(2 * level * kappa), math.sqrt(2 * level)
            ring = []
            for i in range(61):
                ang = 2 * math.pi * i / 60
                u, w = ra * math.cos(ang), rb * math.sin(ang)
                ring.append((u * c - w * s, u * s + w * c))
            # only the parts inside the plot: an ellipse bigger than the plot is cut at the frame
            for run in BOWL.pieces(ring):
                sc.path([_ipt(q) for q in run], stroke="faint", lw=1.2)
        ox, oy = self._to_plot(0, 0)
        sc.line(ox - 7, oy - 7, ox + 7, oy + 7, stroke="ink", lw=2)
        sc.line(ox - 7, oy + 7, ox + 7, oy - 7, stroke="ink", lw=2)
        sc.text(ox, oy + 12, "minimum", size=SMALL, fill="muted", align="c", base="t")
        sx, sy = self._to_plot(*START)
        sc.circle(sx, sy, 5, fill="ink")
        sc.text(sx, sy - 12, "start", size=SMALL, fill="muted", align="c", base="b")
        sc.text(PLOT_X + PLOT_W - 8, PLOT_Y + PLOT_H - 8, "grey rings: equal loss", size=SMALL, fill="muted",
                align="r", base="b")
        # the loss chart: every other decade labelled, so five decades fit in 150 units of height
        sc.text(612, 206, "loss at each step (log scale)", size=SMALL, fill="muted", base="b")
        LOSS_CHART.frame(sc, xticks=(0, RACE_STEPS // 2, RACE_STEPS), yticks=(10.0, 0.1, 1e-3), size=SMALL,
                         xlabel="step", fill=None, marks=False)
        x0, y0, x1, y1 = LOSS_CHART.box()
        sc.line(x0, y1, x1, y1, stroke="muted")
        sc.line(x0, y0, x0, y1, stroke="muted")
        # the update rules, one line per racer, and what the knobs are worth
        y = 412.0
        rules = (("sgd", "SGD       \u03b8 \u2190 \u03b8 \u2212 \u03b7\u00b7g"),
                 ("momentum", "momentum  v \u2190 \u03b2\u00b7v + g,   \u03b8 \u2190 \u03b8 \u2212 \u03b7\u00b7v"),
                 ("adam", "Adam      m \u2190 \u03b2\u00b7m + (1\u2212\u03b2)\u00b7g,   v \u2190 0.999\u00b7v + 0.001\u00b7g\u00b2,"
                          "   \u03b8 \u2190 \u03b8 \u2212 \u03b7\u00b7m\u0302/(\u221av\u0302 + \u03b5)"))
        for name, text in rules:
            sc.text(20, y, text, size=SMALL, fill=COLOURS[name], font="mono", bold=True)
            y += 28
        sigma = noise_sigma(self["batch"])
        sc.text(20, y + 6, f"bowl: curvature 1 across the valley, 1/\u03ba = {_g(1 / kappa)} along it, "
                           f"tilted {self['tilt']:g}\u00b0", size=SMALL, fill="muted")
        sc.text(20, y + 34, f"minibatch noise \u03c3 = 2/\u221aB = {_g(sigma)} per coordinate, the same draws "
                            f"for all three \u00b7 \u03b7 = {self['lr']:g}, \u03b2 = {self['beta']:g}",
                size=SMALL, fill="muted")
        sc.text(20, y + 62, "SGD's \u03b7 multiplies the gradient; Adam's \u03b7 is about the length of its "
                            "step in each coordinate.", size=SMALL, fill="muted")
        return sc.items

    def _race_position(self, t: float) -> tuple[int, float]:
        """(whole steps shown, fraction of the next) at time ``t``."""
        _, tc = cycle_position(t, RACE_STEPS / RACE_PACE, RACE_HOLD_S)
        x = tc * RACE_PACE
        if x >= RACE_STEPS:
            return RACE_STEPS, 0.0
        k = int(x)
        return k, x - k

    def _race_geometry(self) -> dict:
        """Per optimizer: each step's segment cut to the plot, and the loss chart's points (parameters only)."""
        paths = self._race()
        out = {}
        for name in OPTIMIZERS:
            pts = paths[name]["pts"]
            segs = []
            plot = [_ipt(self._to_plot(x, y)) for x, y in pts]
            inside = [abs(x) <= WORLD_X and abs(y) <= WORLD_Y for x, y in pts]
            for i, (a, b) in enumerate(zip(pts, pts[1:])):
                if inside[i] and inside[i + 1]:
                    segs.append((plot[i], plot[i + 1], True))
                    continue
                seg = clip_segment(a[0], a[1], b[0], b[1], WORLD_X, WORLD_Y)
                segs.append(None if seg is None else
                            (_ipt(self._to_plot(seg[0], seg[1])), _ipt(self._to_plot(seg[2], seg[3])),
                             seg[2:] == tuple(b)))
            # a loss below the chart's floor (or a diverged one above it) leaves the chart, clipped
            out[name] = {"segs": segs, "loss": LOSS_CHART.pieces(list(enumerate(paths[name]["loss"])))}
        return out

    def _race_state(self, k: int) -> tuple[list[dict], list[dict]]:
        """Everything but the moving dots after ``k`` whole steps: paths so far, scores, telemetry."""
        paths = self._race()
        geo = self.cached("race_geo", self._race_geometry)
        sc = self.new_scene()
        self._header(sc, "Three optimizers, one bowl, the same minibatches",
                     "Each dot is one optimizer's parameters (x, y) after every step; the minimum is at \u00d7.")
        sc.items.extend(self.cached("race_static", self._race_static))
        tel = [metric("step", "step", k, f"{k} of {RACE_STEPS}", "")]
        sc.text(612, 86, f"step {k} of {RACE_STEPS}", size=BODY, bold=True)
        y = 116.0
        for name in OPTIMIZERS:
            p = paths[name]
            # the path only where it is inside the plot: a path that leaves is cut, not dragged along the frame
            runs, cur = [], []
            for seg in geo[name]["segs"][:k]:
                if seg is None:
                    if cur:
                        runs.append(cur)
                        cur = []
                    continue
                a, b, whole = seg
                if not cur or cur[-1] != a:
                    if cur:
                        runs.append(cur)
                    cur = [a]
                cur.append(b)
                if not whole:
                    runs.append(cur)
                    cur = []
            if cur:
                runs.append(cur)
            for run in runs[-MAX_RUNS:]:
                sc.path(run, stroke=COLOURS[name], lw=2.2, alpha=0.9)
            # the chart's x is the step, so the curve so far is every clipped piece cut at step k
            cut = LOSS_CHART.fx(k) + 1e-6
            shown = [[_ipt(q) for q in piece if q[0] <= cut] for piece in geo[name]["loss"]]
            for piece in [pc for pc in shown if len(pc) >= 2][-MAX_RUNS:]:
                sc.path(piece, stroke=COLOURS[name], lw=2)
            cur_loss = p["loss"][k]
            gone = p["diverged"] is not None and p["diverged"] <= k
            sc.rect(612, y - 7, 14, 14, fill=COLOURS[name])
            sc.text(634, y, NAMES[name], size=BODY, fill=COLOURS[name], bold=True)
            sc.text(940, y, "diverged" if gone else f"loss {_g(cur_loss)}", size=BODY, align="r",
                    fill="bad" if gone else "ink")
            tel.append(metric(f"loss_{name}", f"{NAMES[name]} loss", cur_loss, "diverged" if gone else _g(cur_loss),
                              ""))
            y += 28
        tel += [
            metric("sigma", "minibatch noise \u03c3 per coordinate", noise_sigma(self["batch"]),
                   _g(noise_sigma(self["batch"])), ""),
            metric("kappa", "condition number \u03ba", self["kappa"], f"{self['kappa']:g}", ""),
        ]
        return sc.items, tel

    def _draw_race(self, t: float):
        paths = self._race()
        k, phase = self._race_position(t)
        items, tel = self.memo("race", k, lambda: self._race_state(k))
        sc = self.new_scene()
        sc.items = list(items)
        for name in OPTIMIZERS:
            pts = paths[name]["pts"]
            (xa, ya) = pts[k]
            if k < RACE_STEPS and phase > 0:
                xb, yb = pts[k + 1]
                # the step in flight, drawn as far as the dot has got
                xm, ym = xa + (xb - xa) * phase, ya + (yb - ya) * phase
                seg = clip_segment(xa, ya, xm, ym, WORLD_X, WORLD_Y)
                if seg is not None:
                    sc.path([self._to_plot(seg[0], seg[1]), self._to_plot(seg[2], seg[3])], stroke=COLOURS[name],
                            lw=2.2, alpha=0.9)
                xa, ya = xm, ym
            hx, hy = self._to_plot(xa, ya)
            sc.circle(hx, hy, 6.5, fill=COLOURS[name], stroke="bg", lw=1.5)
        return sc, tel

    def _race_events(self, t0: float, t1: float) -> list[dict]:
        run = RACE_STEPS / RACE_PACE
        period = run + RACE_HOLD_S
        out = []
        if crossings(t0, t1, period, period):
            out.append("The race restarts from the same point with the same minibatches.")
        if crossings(t0, t1, run, period):
            paths = self._race()
            parts = []
            for name in OPTIMIZERS:
                p = paths[name]
                parts.append(f"{NAMES[name]} " + ("diverged" if p["diverged"] else _g(p["loss"][-1])))
            out.append(f"Step {RACE_STEPS}: loss " + ", ".join(parts) +
                       f" (\u03ba = {self['kappa']:g}, \u03b7 = {self['lr']:g}, B = {self['batch']}).")
        return [{"level": "info", "text": s} for s in out]

    # -- moving average -------------------------------------------------------------------

    def _avg(self) -> list[dict]:
        return self.cached("avg", lambda: moving_average_trace(self["beta"], self["batch"], self.seed))

    def _avg_plots(self) -> tuple[Plot, Plot]:
        """The gradients with their averages, and Adam's step ÷ η, over steps 1…AVG_STEPS.

        Each window grows with the noise to hold every value of this trace (at least
        −1…3 and 0…1.5), so a noisy gradient is drawn where it is, never pinned to an edge.
        """
        def build():
            trace = self._avg()
            vals = [v for e in trace for v in (e["g"], e["m"], e["m_hat"])]
            ratios = [e["ratio"] for e in trace]
            glim = (min(-1.0, math.floor(min(vals))), max(3.0, math.ceil(max(vals))))
            rlim = (min(0.0, math.floor(2 * min(ratios)) / 2), max(1.5, math.ceil(2 * max(ratios)) / 2))
            return (Plot(78.0, 96.0, 512.0, 210.0, (1.0, float(AVG_STEPS)), glim),
                    Plot(78.0, 410.0, 512.0, 120.0, (1.0, float(AVG_STEPS)), rlim))
        return self.cached("avg_plots", build)

    def _avg_static(self) -> list[dict]:
        sc = Scene(*self.size)
        grad, ratio = self._avg_plots()
        for p, caption, target in ((grad, "gradient of one parameter", 5),
                                   (ratio, "Adam's step \u00f7 \u03b7 = m\u0302 / (\u221av\u0302 + \u03b5)", 4)):
            x0, y0, x1, y1 = p.box()
            sc.text(x0 - 50, y0 - 10, caption, size=SMALL, fill="muted", base="b")
            # the step axis is labelled once, under the lower chart
            p.frame(sc, xticks=(1, 10, 20, 30, 40) if p is ratio else (), yticks=nice_ticks(*p.ylim, target=target),
                    size=SMALL, xlabel="step t" if p is ratio else "", fill=None, marks=False, zero=False)
            sc.line(x0, y1, x1, y1, stroke="muted")
            sc.line(x0, y0, x0, y1, stroke="muted")
        # the true gradient every noisy one scatters around
        grad.hline(sc, AVG_MEAN, stroke="good", lw=1.5, dash=(6, 4))
        # legend
        sc.circle(84, 338, 4, fill="muted")
        sc.text(94, 338, "g: this step's minibatch gradient", size=SMALL, fill="muted")
        sc.line(78, 366, 100, 366, stroke="accent2", lw=2.5, dash=(6, 4))
        sc.text(108, 366, "m: moving average, started at 0", size=SMALL, fill="accent2")
        sc.line(362, 338, 384, 338, stroke="good", lw=1.5, dash=(6, 4))
        sc.text(392, 338, "true gradient 1", size=SMALL, fill="good")
        sc.line(362, 366, 384, 366, stroke="accent", lw=2.5)
        sc.text(392, 366, "m\u0302 = m / (1 \u2212 \u03b2\u1d57)", size=SMALL, fill="accent")
        return sc.items

    def _avg_position(self, t: float) -> int:
        _, tc = cycle_position(t, AVG_STEPS / AVG_PACE, AVG_HOLD_S)
        return min(AVG_STEPS, 1 + int(tc * AVG_PACE))

    def _draw_average(self, t: float):
        trace = self._avg()
        n = self._avg_position(t)
        beta = self["beta"]
        sc = self.new_scene()
        self._header(sc, "A moving average that starts at zero, and Adam's correction",
                     "m keeps \u03b2 of its past and takes 1 \u2212 \u03b2 of each new gradient.")
        sc.items.extend(self.cached("avg_static", self._avg_static))
        grad, ratio = self._avg_plots()
        xy = lambda p, e, key: (p.fx(e["t"]), p.fy(e[key]))
        # the windows hold every value of the trace, so nothing here needs clipping
        for e in trace[:n]:
            sc.circle(*xy(grad, e, "g"), 3.5, fill="muted")
        sc.path([xy(grad, e, "m") for e in trace[:n]], stroke="accent2", lw=2.5, dash=(6, 4))
        sc.path([xy(grad, e, "m_hat") for e in trace[:n]], stroke="accent", lw=2.5)
        sc.path([xy(ratio, e, "ratio") for e in trace[:n]], stroke="accent", lw=2.5)
        e = trace[n - 1]
        sc.circle(*xy(grad, e, "m_hat"), 5, fill="accent")
        sc.circle(*xy(grad, e, "m"), 5, fill="accent2")
        sc.circle(*xy(ratio, e, "ratio"), 5, fill="accent")
        e = trace[n - 1]
        ts = str(n).translate(_SUB)
        prev = trace[n - 2]["m"] if n > 1 else 0.0
        x, y = 626.0, 88.0
        rows = (
            (f"step t = {n}", "ink", True),
            (f"g{ts} = {_f(e['g'])}", "muted", False),
            (f"m{ts} = {beta:g}\u00b7{_f(prev)} + {_g(1 - beta)}\u00b7g{ts}", "accent2", False),
            (f"    = {_f(e['m'])}", "accent2", True),
            (f"1 \u2212 \u03b2{str(n).translate(_SUP)} = {_f(e['c1'], 4)}", "ink", False),
            (f"m\u0302{ts} = m{ts} \u00f7 {_f(e['c1'], 4)} = {_f(e['m_hat'])}", "accent", True),
            (f"v\u0302{ts} = {_f(e['v_hat'])} (average of g\u00b2)", "muted", False),
            (f"step \u00f7 \u03b7 = {_f(e['ratio'])}", "accent", True),
        )
        for text, fill, bold in rows:
            sc.text(x, y, text, size=BODY, fill=fill, bold=bold, base="t")
            y += 32
        sc.text(x, y + 8, "without the correction, m would", size=SMALL, fill="muted", base="t")
        sc.text(x, y + 30, f"start at {_g(1 - beta)} of the gradient", size=SMALL, fill="muted", base="t")
        tel = [
            metric("step", "step t", n, str(n), ""),
            metric("g", "gradient g", e["g"], _f(e["g"]), ""),
            metric("m", "moving average m", e["m"], _f(e["m"]), ""),
            metric("correction", "1 \u2212 \u03b2^t", e["c1"], _f(e["c1"], 4), ""),
            metric("m_hat", "corrected m\u0302", e["m_hat"], _f(e["m_hat"]), ""),
            metric("ratio", "Adam's step \u00f7 \u03b7", e["ratio"], _f(e["ratio"]), ""),
            metric("sigma", "noise \u03c3", noise_sigma(self["batch"]), _g(noise_sigma(self["batch"])), ""),
        ]
        return sc, tel

    def _average_events(self, t0: float, t1: float) -> list[dict]:
        run = AVG_STEPS / AVG_PACE
        period = run + AVG_HOLD_S
        trace = self._avg()
        beta = self["beta"]
        out = []
        if crossings(t0, t1, 0.0, period) or (t0 < 0 <= t1):
            e = trace[0]
            out.append(f"Step 1: m = {_g(1 - beta)}\u00b7g = {_f(e['m'])}, so m\u0302 = m \u00f7 "
                       f"{_f(e['c1'], 4)} = {_f(e['m_hat'])}: the correction restores the whole gradient.")
        if crossings(t0, t1, run - 1 / AVG_PACE, period):
            e = trace[-1]
            out.append(f"Step {AVG_STEPS}: 1 \u2212 \u03b2^t = {_f(e['c1'], 4)}, so m = {_f(e['m'])} and "
                       f"m\u0302 = {_f(e['m_hat'])} nearly agree: the correction has faded.")
        return [{"level": "info", "text": s} for s in out]

    # -- schedule ---------------------------------------------------------------------------

    def _sched(self) -> dict:
        def build():
            peak, total = self["peak"], self["total"]
            warmup = min(self["warmup"], total)
            final = self["final"] * peak
            lr = lambda s: lr_schedule(s, peak, warmup, total, final)
            steps = sorted({total * i / CURVE_POINTS for i in range(CURVE_POINTS + 1)} | {float(warmup)})
            zoom = 2 * warmup if warmup > 0 else total / 50
            zsteps = sorted({min(total, zoom) * i / 80 for i in range(81)} | {float(min(warmup, zoom))})
            return {"peak": peak, "total": total, "warmup": warmup, "final": final, "lr": lr,
                    "curve": [(s, lr(s)) for s in steps], "zoom": min(total, zoom),
                    "zcurve": [(s, lr(s)) for s in zsteps],
                    "clamped": self["warmup"] > total}
        return self.cached("sched", build)

    def _sched_plots(self, sd: dict) -> tuple[Plot, Plot]:
        """The whole run and the zoom on its start, sharing one rate axis so their heights compare."""
        top = sd["peak"] * 1.12
        return (Plot(96.0, 100.0, 500.0, 250.0, (0.0, float(sd["total"])), (0.0, top)),
                Plot(730.0, 120.0, 200.0, 150.0, (0.0, float(sd["zoom"])), (0.0, top)))

    def _sched_static(self) -> list[dict]:
        sd = self._sched()
        main, zoom = self._sched_plots(sd)
        x0, y0, x1, y1 = main.box()
        zx0, zy0, _, zy1 = zoom.box()
        sc = Scene(*self.size)
        peak, total, warmup, final = sd["peak"], sd["total"], sd["warmup"], sd["final"]
        # the warmup, shaded (at Llama 3's scale it is a sliver: that is the point of the zoom)
        if warmup > 0:
            sc.rect(x0, y0, max(1.5, main.fx(warmup) - x0), main.h, fill="hl", alpha=0.7)
            sc.rect(zx0, zy0, zoom.fx(warmup) - zx0, zoom.h, fill="hl", alpha=0.7)
        rate = lambda v: fmt_sci(v, digits=2) if v else "0"
        main.frame(sc, xticks=(0, total / 2, total), yticks=(0.0, peak / 2, peak), size=SMALL,
                   xfmt=lambda v: fmt_count(v) if v else "0", yfmt=rate, xlabel="step",
                   ylabel="learning rate", fill=None, marks=False)
        zs = sd["zoom"]
        zoom.frame(sc, xticks=(0, warmup, zs) if 0 < warmup < zs else (0, zs), yticks=(), size=SMALL,
                   xfmt=_steps, fill=None, marks=False)
        for p in (main, zoom):
            bx0, by0, bx1, by1 = p.box()
            sc.line(bx0, by1, bx1, by1, stroke="muted")
            sc.line(bx0, by0, bx0, by1, stroke="muted")
        # the zoom has no rate ticks of its own: a dashed line marks the peak its curve climbs to
        zoom.hline(sc, peak, stroke="grid", lw=1, dash=(4, 4))
        sc.text(zx0, zy0 - 12, f"zoom: first {_steps(zs)} steps", size=SMALL, fill="muted", base="b")
        # labels for the knobs
        # beyond the end of the curve, where no line crosses it, and clear of the step ticks
        fy = main.fy(final)
        ly = min(max(fy, y0 + 20), y1 - 30)
        if abs(ly - fy) > 4:
            sc.line(x1, fy, x1 + 6, ly, stroke="accent", lw=1, dash=(3, 3))
        sc.text(x1 + 8, ly, f"final {rate(final)}", size=SMALL, fill="accent")
        if warmup > 0:
            label = f"peak {fmt_sci(peak, digits=2)}"
            half = len(label) * SMALL * 0.56 / 2
            sc.text(min(zoom.fx(warmup), 950 - half), zoom.fy(peak) - 8, label, size=SMALL, fill="accent",
                    align="c", base="b")
            sc.text((zx0 + zoom.fx(warmup)) / 2, zy1 - 10, "warmup", size=SMALL, fill="warn", align="c",
                    base="b")
        return sc.items

    def _draw_schedule(self, t: float):
        sd = self._sched()
        main, zoom = self._sched_plots(sd)
        _, tc = cycle_position(t, TRACE_S, TRACE_HOLD_S)
        u = min(1.0, tc / TRACE_S)
        tip = sd["total"] * u
        sc = self.new_scene()
        self._header(sc, "A learning-rate schedule: linear warmup, then cosine decay",
                     "The rate climbs from 0 to the peak, then follows half a cosine down to the final rate.")
        sc.items.extend(self.cached("sched_static", self._sched_static))
        # every sample lies inside both windows (0 ≤ rate ≤ peak), so the curves need no clipping
        px = self.cached("sched_px", lambda: {
            "steps": [s for s, _ in sd["curve"]],
            "main": [_ipt((main.fx(s), main.fy(v))) for s, v in sd["curve"]],
            "zsteps": [s for s, _ in sd["zcurve"]],
            "zoom": [_ipt((zoom.fx(s), zoom.fy(v))) for s, v in sd["zcurve"]]})
        lr_tip = sd["lr"](tip)
        cut = bisect.bisect_right(px["steps"], tip)
        sc.path(px["main"][:cut] + [(main.fx(tip), main.fy(lr_tip))], stroke="accent", lw=2.5)
        zcut = bisect.bisect_right(px["zsteps"], tip)
        sc.path(px["zoom"][:zcut] + ([(zoom.fx(tip), zoom.fy(lr_tip))] if tip < sd["zoom"] else []),
                stroke="accent", lw=2.5)
        if u < 1:
            sc.circle(main.fx(tip), main.fy(lr_tip), 5, fill="accent")
        # the crosshair: read the rate at one step, formula filled in
        at = min(self["at"], sd["total"])
        lr_at = sd["lr"](at)
        # inside the zoom too when it falls there, where a step in the warmup is wide enough to see
        for p in (main, zoom) if at <= sd["zoom"] else (main,):
            p.vline(sc, at, stroke="accent2", lw=1.5, dash=(5, 4))
            sc.circle(p.fx(at), p.fy(lr_at), 5.5, fill="accent2", stroke="bg", lw=1.5)
        self._sched_readout(sc, sd, at, lr_at)
        tel = [
            metric("tip", "steps traced", tip, _steps(tip), "steps"),
            metric("lr_tip", "rate at the traced step", sd["lr"](tip), fmt_sci(sd["lr"](tip), digits=3), ""),
            metric("at", "crosshair step", at, _steps(at), "steps"),
            metric("lr_at", "rate at the crosshair", lr_at, fmt_sci(lr_at, digits=3) if lr_at else "0", ""),
            metric("warmup_share", "warmup share of the run", sd["warmup"] / sd["total"],
                   _pct(sd["warmup"] / sd["total"]), "%"),
        ]
        return sc, tel

    def _sched_readout(self, sc: Scene, sd: dict, at: int, lr_at: float) -> None:
        peak, warmup, total, final = sd["peak"], sd["warmup"], sd["total"], sd["final"]
        P, F = fmt_sci(peak, digits=2), (fmt_sci(final, digits=2) if final else "0")
        y = 412.0
        sc.text(20, y, f"crosshair: step {_steps(at)} of {_steps(total)}", size=BODY, bold=True, fill="accent2")
        y += 30
        if at < warmup:
            lines = (f"warmup: rate = peak \u00b7 step / warmup = {P} \u00b7 {_steps(at)} / {_steps(warmup)}",
                     f"= {fmt_sci(lr_at, digits=3) if lr_at else '0'}")
        elif at >= total:
            lines = (f"past the end of the decay: rate = final = {F}", "")
        else:
            p = (at - warmup) / (total - warmup)
            lines = (f"cosine: p = (step \u2212 warmup) / (total \u2212 warmup) = {_steps(at - warmup)} / "
                     f"{_steps(total - warmup)} = {p:.3f}",
                     f"rate = final + (peak \u2212 final)\u00b7\u00bd(1 + cos \u03c0p) = {F} + ({P} \u2212 {F})"
                     f"\u00b7{0.5 * (1 + math.cos(math.pi * p)):.3f} = {fmt_sci(lr_at, digits=3)}")
        for line in lines:
            if line:
                sc.text(20, y, line, size=SMALL, font="mono")
            y += 28
        note = f"warmup is {_pct(warmup / total)} of the run; the final rate is {_pct(final / peak)} of the peak"
        sc.text(20, y + 4, note, size=SMALL, fill="muted")
        if sd["clamped"]:
            sc.text(20, y + 32, f"warmup cut to the run's {_steps(total)} steps", size=SMALL, fill="warn")
        elif self._is_llama(sd):
            b = llama_batch_steps()
            sc.text(20, y + 32, "Llama 3 405B's batch: 4M tokens, 8M after 252M tokens (step "
                                f"{_steps(b[1])}), 16M after 2.87T tokens (step {_steps(b[2])})",
                    size=SMALL, fill="muted")

    @staticmethod
    def _is_llama(sd: dict) -> bool:
        return (math.isclose(sd["peak"], LLAMA_PEAK) and sd["warmup"] == LLAMA_WARMUP
                and sd["total"] == LLAMA_TOTAL and math.isclose(sd["final"], LLAMA_FINAL, rel_tol=1e-6))

    def _schedule_events(self, t0: float, t1: float) -> list[dict]:
        if not crossings(t0, t1, TRACE_S, TRACE_S + TRACE_HOLD_S):
            return []
        sd = self._sched()
        return [{"level": "info",
                 "text": f"Traced {_steps(sd['total'])} steps: warmup to {fmt_sci(sd['peak'], digits=2)} by "
                         f"step {_steps(sd['warmup'])}, then cosine down to "
                         f"{fmt_sci(sd['final'], digits=2) if sd['final'] else '0'}."}]

    # -- memory --------------------------------------------------------------------------

    def _bill(self) -> dict:
        def build():
            model = get_model(self["model"])
            n = param_count(model)
            opt = self["optimizer"]
            parts = model_state_breakdown(n, opt)
            k = optimizer_state_multiplier(opt)
            total = zero_model_state_bytes(n, 1, 0, k)
            gpu = get_gpu(GPU)
            others = {o: zero_model_state_bytes(n, 1, 0, optimizer_state_multiplier(o)) for o in OPTIMIZERS}
            return {"model": model, "n": n, "opt": opt, "parts": parts, "k": k, "total": total, "gpu": gpu,
                    "gpus": math.ceil(total / gpu.hbm_bytes), "per_param": 2 + 2 + k, "others": others}
        return self.cached("bill", build)

    def _draw_memory(self, t: float):
        b = self._bill()
        parts = b["parts"]
        _, tc = cycle_position(t, FILL_S * (len(parts) + 1), MEMORY_HOLD_S)
        shown = min(len(parts), int(tc / FILL_S) + 1)
        gpus_on = tc >= FILL_S * len(parts)
        items = self.memo("memory", (shown, gpus_on), lambda: self._memory_items(b, shown, gpus_on))
        sc = self.new_scene()
        sc.items = list(items)
        added = sum(list(parts.values())[:shown])
        tel = [
            metric("params", "parameters", b["n"], fmt_count(b["n"], 4), ""),
            metric("per_param", "bytes per parameter", b["per_param"], f"{b['per_param']} B", "B"),
            metric("added", "counted so far", added, fmt_bytes(added), "B"),
            metric("total", "model state", b["total"], fmt_bytes(b["total"]), "B"),
            metric("gpus", f"{b['gpu'].label} needed for it", b["gpus"], str(b["gpus"]), ""),
        ]
        return sc, tel

    def _memory_items(self, b: dict, shown: int, gpus_on: bool) -> list[dict]:
        sc = self.new_scene()
        name, opt, n = b["model"].display_name, b["opt"], b["n"]
        self._header(sc, "What training keeps in memory, per parameter",
                     f"{name} trained with {NAMES[opt]} in mixed precision: 16-bit working copies, "
                     "32-bit optimizer state.")
        x0, x1, top, bh = 40.0, 920.0, 118.0, 64.0
        per_byte = (x1 - x0) / 16
        sc.text(x0, top - 12, "one parameter", size=SUB, fill="muted", base="b")
        x = x0
        for i, (part, nbytes) in enumerate(b["parts"].items()):
            w = per_byte * nbytes / n
            on = i < shown
            sc.rect(x, top, w, bh, fill=PART_FILLS[part] if on else "panel", stroke="bg", lw=2,
                    alpha=0.85 if on else 1.0, label=part)
            label, kind = PART_LABELS[part]
            sc.text(x + w / 2, top + 20, label, size=SMALL, align="c", bold=True, fill="bg" if on else "muted")
            sc.text(x + w / 2, top + 44, f"{nbytes / n:g} B, {kind}", size=SMALL, align="c",
                    fill="bg" if on else "muted")
            if on:
                sc.text(x + w / 2, top + bh + 10, fmt_bytes(nbytes), size=SMALL, align="c", base="t")
            x += w
        if x < x1:
            sc.rect(x, top, x1 - x, bh, stroke="faint", lw=1, fill="bg")
            sc.text((x + x1) / 2, top + bh / 2, "not kept", size=SMALL, fill="muted", align="c")
        done = sum(list(b["parts"].values())[:shown])
        per = sum(v / n for v in list(b["parts"].values())[:shown])
        y = top + bh + 52
        sc.text(x0, y, f"{fmt_count(n, 4)} parameters \u00d7 {per:g} B = {fmt_bytes(done)}", size=BODY, bold=True,
                base="t", fill="ink")
        sc.text(x0, y + 28, "for the whole model" + ("" if shown == len(b["parts"]) else " so far")
                + " (a step's intermediate results come on top)", size=SMALL, fill="muted", base="t")
        # the GPUs it fills: one box per 80 GB, the last one partly
        gpu, count = b["gpu"], b["gpus"]
        y = top + bh + 120
        sc.text(x0, y, f"{gpu.label} GPUs of {fmt_bytes(gpu.hbm_bytes)} it fills: "
                       f"{count if gpus_on else ELLIPSIS}", size=BODY, bold=True, base="t")
        gy = y + 34
        # the biggest boxes whose rows still end above the comparison line
        for size in (64.0, 48.0, 36.0, 30.0, 24.0):
            gap = size / 6
            per_row = int((x1 - x0 + gap) // (size + gap))
            if gy + math.ceil(count / per_row) * (size + gap) <= 456:
                break
        frac_last = b["total"] / gpu.hbm_bytes - (count - 1)
        for i in range(count):
            r, c = divmod(i, per_row)
            gx, yy = x0 + c * (size + gap), gy + r * (size + gap)
            sc.rect(gx, yy, size, size, fill="panel", stroke="faint", lw=1)
            if gpus_on:
                fill = size * (frac_last if i == count - 1 else 1.0)
                sc.rect(gx, yy + size - fill, size, fill, fill="accent", alpha=0.8)
        rows = (count + per_row - 1) // per_row
        y = gy + rows * (size + gap) + 16
        # the same model under the other optimizers
        parts = []
        for o in OPTIMIZERS:
            parts.append(f"{NAMES[o]} {2 + 2 + optimizer_state_multiplier(o)} B \u2192 {fmt_bytes(b['others'][o])}")
        sc.text(x0, max(y, 470.0), "per parameter and in total:  " + "  \u00b7  ".join(parts), size=SMALL,
                fill="muted", base="t")
        sc.text(x0, max(y, 470.0) + 26, "A later chapter splits this state across GPUs.",
                size=SMALL, fill="muted", base="t")
        return sc.items

    def _memory_events(self, t0: float, t1: float) -> list[dict]:
        b = self._bill()
        run = FILL_S * (len(b["parts"]) + 1)
        if not crossings(t0, t1, FILL_S * len(b["parts"]), run + MEMORY_HOLD_S):
            return []
        return [{"level": "info",
                 "text": f"{b['model'].display_name} with {NAMES[b['opt']]}: {b['per_param']} B \u00d7 "
                         f"{fmt_count(b['n'], 4)} parameters = {fmt_bytes(b['total'])}, at least {b['gpus']} "
                         f"\u00d7 {b['gpu'].label} ({fmt_bytes(b['gpu'].hbm_bytes)}) for the model state alone."}]


def llama_batch_steps() -> tuple[int, int, int]:
    """Steps at which Llama 3 405B's batch changes: (0, after 252M tokens, after 2.87T tokens).

    Counts whole steps at each batch size: 252M tokens of 4M-token batches,
    then (2.87T − 252M) tokens of 8M-token batches (Dubey et al. 2024, section 3.4.1).
    """
    (b0, _), (b1, s1), (_, s2) = LLAMA_BATCHES
    first = math.ceil(s1 / b0)
    second = first + math.ceil((s2 - s1) / b1)
    return 0, first, second
