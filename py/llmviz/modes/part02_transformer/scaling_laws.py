"""Scaling laws: Kaplan, Chinchilla and 6·N·D. The workshop of chapter p02-c08.

Four pictures, one idea each:

* frontier: the loss a training budget buys, on log-log axes. One curve per
  fixed model size N (spending more compute on it means more tokens, D = C/6N);
  their lower envelope is the compute-optimal frontier of Chinchilla's
  parametric fit L(N, D) = E + A/N^α + B/D^β. A cursor sweeps the budget up to
  the one chosen and the best of the fixed sizes changes hands as it goes; at
  the budget the fit's own optimum N and D are read off. Subtracting the
  irreducible loss E turns the frontier into a straight line: a power law.
* models: where real models sit on parameters against training tokens, with
  the 20-tokens-per-parameter line and lines of equal training FLOPs; the chosen
  model slides along its own FLOP line to the 20-tokens split of the same budget.
* valley: one budget, every split of it: the fit's loss along 6·N·D = C against N.
  Kaplan et al.'s N ∝ C^0.73 sits high on the parameter side of the valley, the
  20-tokens rule and the fit's optimum near its floor; a ball rolls from
  Kaplan's split down to the optimum.
* tiny: the book's own 139,584-parameter model, its measured train and held-out
  loss against its training compute 6·N·(tokens seen), drawn as it trained.

Every number comes from :mod:`llmviz.calc.training` over the catalog of training
runs (:mod:`llmviz.catalog.training_runs`) and the tiny model's record
(:mod:`llmviz.lm.record`). Curves are sampled once per parameter change; a frame
looks up where its animation stands, so frame(t) costs the same for every t.
"""
from __future__ import annotations

import math

from ...calc.training import (KAPLAN_ANCHOR, LOSS_FITS, TOKENS_PER_PARAM, chinchilla_crossover_flops,
                              chinchilla_fit_optimal,
                              chinchilla_flops_for_loss, chinchilla_frontier_loss, chinchilla_loss,
                              chinchilla_optimal, kaplan_optimal, loss_fit, training_flops, training_run_flops,
                              training_run_params)
from ...catalog.training_runs import TRAINING_RUNS, get_training_run
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Flag, Number
from ...core.plot import Plot, fmt_tick, nice_ticks
from ...core.scene import Scene
from ...units import fmt_count, fmt_fixed, fmt_plain, fmt_sci
from ..part00_math.entropy import periodic_hits

TITLE, BODY, SMALL = 20, 17, 15

SIZES = (1e8, 1e9, 1e10, 1e11, 1e12)          # the fixed model sizes drawn in the frontier view
C_LO, C_HI = 1e18, 1e26                        # the frontier plot's budgets (FLOPs)
SWEEP_S, SWEEP_HOLD_S = 5.0, 5.0               # the budget cursor's sweep, then a rest at the budget
MOVE_S, MOVE_HOLD_S = 3.5, 4.5                 # the models view's slide along a FLOP line
ROLL_S, ROLL_HOLD_S = 4.0, 4.0                 # the valley view's ball, from Kaplan's split to the optimum
TINY_S, TINY_HOLD_S = 8.0, 4.0                 # the tiny model's curve drawn as it trained
GOPHER_BUDGET_LOG10 = round(math.log10(5.76e23), 4)

# where each run's label sits beside its dot in the models view: (dx, dy, align, base)
_LABEL_AT = {
    "gpt-3": (-9, -8, "r", "b"), "gopher": (9, 8, "l", "t"), "chinchilla": (9, 6, "l", "t"),
    "llama-2-7b": (9, 0, "l", "m"), "llama-2-70b": (9, -6, "l", "b"), "llama-3-8b": (9, 0, "l", "m"),
    "llama-3-70b": (9, 6, "l", "t"), "llama-3.1-405b": (-9, -8, "r", "b"), "qwen2.5-72b": (-9, -4, "r", "b"),
    "qwen3-32b": (9, 0, "l", "m"),
}


def _size_label(n: float) -> str:
    """100M, 1B, 10B, 100B, 1T: a model size as a short label."""
    return fmt_count(n).replace(" ", "")


def _cycles(t0: float, t1: float, phase: float, period: float, text: str, skip_first: bool = False
            ) -> list[tuple[float, str]]:
    """``text`` once for each time k·period + phase inside (t0, t1], with that time (k ≥ 1 with ``skip_first``)."""
    first, last = periodic_hits(t0, t1, phase, period)
    return [(k * period + phase, text) for k in range(max(first, 1 if skip_first else 0), last + 1)]


def _ratio(r: float) -> str:
    """Tokens per parameter as a reader writes them: 0.41, 1.7, 92.6, 1,868."""
    return f"{r:,.0f}" if r >= 1000 else fmt_plain(r, 2 if r < 1 else 1)


def _flops(c: float) -> str:
    """A training budget as a power of ten: 5.76 × 10²³ FLOPs."""
    return fmt_sci(c, "FLOPs")


class ScalingLawsMode(Mode):
    """Loss against compute for every model size; real models on N against D; one budget split three ways; the tiny model."""

    id = "p02-c08-scaling-laws"
    chapter = "p02-c08-scaling-laws"
    title = "Scaling laws: Kaplan, Chinchilla, 6·N·D"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("budget", "training budget C, log\u2081\u2080 FLOPs", lo=18.0, hi=26.0, step=0.0001,
               default=GOPHER_BUDGET_LOG10,
               help="C = 10^x FLOPs of training compute, C = 6·N·D. 23.7604 is Gopher's and Chinchilla's "
                    "budget, 5.76 × 10²³."),
        Choice("fit", "fitted loss surface", default="hoffmann",
               options=(("hoffmann", "Hoffmann et al. 2022 (as printed)"),
                        ("besiroglu", "Besiroglu et al. 2024 (refit)")),
               help="The constants E, A, B, α, β of L(N, D) = E + A/N^α + B/D^β."),
        Flag("reducible", "subtract the irreducible loss E", default=False,
             help="Plot L − E instead of L: what more parameters and tokens can still remove."),
        Choice("run", "model", default="llama-3-8b",
               options=tuple((r.name, r.label) for r in TRAINING_RUNS.values()),
               help="Parameters from the catalog's configuration (or the paper), tokens from the paper."),
        Number("upto", "training step to stop at", lo=50, hi=1500, step=50, default=1500, unit="steps",
               integer=True,
               help="The tiny model's record is drawn up to this step and rests there: its losses, tokens seen "
                    "and passes over the training text at that point."),
    )

    submodes = {
        "frontier": Submode("Loss against compute", {"budget": GOPHER_BUDGET_LOG10, "fit": "hoffmann",
                                                     "reducible": False},
                            "One curve per model size; the lowest at each budget is the compute-optimal frontier.",
                            ("budget", "fit", "reducible")),
        "models": Submode("Where real models sit", {"run": "llama-3-8b"},
                          "Parameters against training tokens, the 20-tokens-per-parameter line and lines of "
                          "equal FLOPs.", ("run",)),
        "valley": Submode("One budget, three splits", {"budget": GOPHER_BUDGET_LOG10, "fit": "hoffmann"},
                          "The fit's loss along 6·N·D = C: Kaplan's split, 20 tokens per parameter, the fit's "
                          "optimum.", ("budget", "fit")),
        "tiny": Submode("The book's tiny model", {"upto": 1500},
                        "The 139,584-parameter model's measured loss against its training compute.", ("upto",)),
    }
    default_submode = "frontier"

    # -- dispatch ------------------------------------------------------------------------------

    def draw(self, t: float):
        if self.submode == "models":
            return self._draw_models(t)
        if self.submode == "valley":
            return self._draw_valley(t)
        if self.submode == "tiny":
            return self._draw_tiny(t)
        return self._draw_frontier(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        if self.submode == "models":
            out = self._models_events(t0, t1)
        elif self.submode == "valley":
            out = self._valley_events(t0, t1)
        elif self.submode == "tiny":
            out = self._tiny_events(t0, t1)
        else:
            out = self._frontier_events(t0, t1)
        return [{"level": "info", "text": s} for _, s in sorted(out)]

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SMALL, fill="muted")

    def _budget(self) -> float:
        return 10.0 ** self["budget"]

    def _animated(self, name: str, t: float, run_s: float, hold_s: float, steps: int, build):
        """The frame ``build(s)`` at progress s (0 to 1 over ``run_s``, then held), one memo per step."""
        q = int(min(1.0, (t % (run_s + hold_s)) / run_s) * steps)
        return self.memo(name, q, lambda: build(q / steps))

    def _on(self, key: str, static) -> Scene:
        """A new scene holding the cached static drawing ``static`` (redrawn on a parameter change)."""
        sc = self.new_scene()
        sc.items.extend(self.cached(key, static)["items"])
        return sc

    def _fit_line(self) -> str:
        f = loss_fit(self["fit"])
        return (f"{f.label}: E {fmt_plain(f.E, 3)}, A {fmt_plain(f.A, 1)}, B {fmt_plain(f.B, 1)}, "
                f"\u03b1 {fmt_plain(f.alpha, 3)}, \u03b2 {fmt_plain(f.beta, 3)}")

    # -- frontier --------------------------------------------------------------------------------

    PLOT_F = (92, 92, 512, 396)
    PANEL_X = 676

    def _frontier_data(self) -> dict:
        fit, red = self["fit"], self["reducible"]
        f = loss_fit(fit)
        c = self._budget()
        n_opt, d_opt = chinchilla_fit_optimal(c, fit)
        shift = f.E if red else 0.0
        ylim = (0.04, 6.0) if red else (1.6, 6.0)
        p = Plot(*self.PLOT_F, xlim=(C_LO, C_HI), ylim=ylim, xlog=True, ylog=True)
        curves = []
        for n in SIZES:
            pts = p.samples(lambda cc, n=n: chinchilla_loss(n, cc / (6 * n), fit) - shift, n=90)
            curves.append((n, p.pieces(pts)))
        frontier = p.pieces(p.samples(lambda cc: chinchilla_frontier_loss(cc, fit) - shift, n=90))
        own = p.pieces(p.samples(lambda cc: chinchilla_loss(n_opt, cc / (6 * n_opt), fit) - shift, n=90))
        # which fixed size leads where: the budgets at which each larger size overtakes the one before
        overtakes = [(chinchilla_crossover_flops(a, b, fit), a, b) for a, b in zip(SIZES, SIZES[1:])]
        loss_opt = chinchilla_frontier_loss(c, fit)
        # the frontier's own power law: L* − E ∝ C^(−αβ/(α+β))
        slope = f.alpha * f.beta / (f.alpha + f.beta)
        return {"p": p, "curves": curves, "frontier": frontier, "own": own, "c": c, "n": n_opt, "d": d_opt,
                "loss": loss_opt, "shift": shift, "E": f.E, "slope": slope, "overtakes": overtakes, "fit": fit}

    def _frontier_static(self) -> dict:
        d = self.cached("frontier", self._frontier_data)
        p = d["p"]
        sc = Scene(*self.size)
        red = self["reducible"]
        self._header(sc, "The loss a training budget buys",
                     "Chinchilla's fit L(N, D) = E + A/N\u1d45 + B/D\u1d5d along 6\u00b7N\u00b7D = C, "
                     "one curve per model size N")
        yt = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0] if red else [2.0, 3.0, 4.0, 5.0, 6.0]
        p.frame(sc, xticks=[10.0 ** e for e in range(18, 27)], yticks=yt, size=SMALL,
                xlabel="training compute C = 6ND, FLOPs (log scale)",
                ylabel=("reducible loss L \u2212 E, nats per token (log scale)" if red
                        else "loss L, nats per token (log scale)"), marks=False)
        if not red:
            p.hline(sc, d["E"], stroke="muted", lw=1.2, dash=(3, 4))
            sc.text(p.x + p.w - 6, p.fy(d["E"]) - 4, f"irreducible E = {fmt_plain(d['E'], 2)}", size=SMALL,
                    fill="muted", align="r", base="b")
        for n, runs in d["curves"]:
            for run in runs:
                sc.path(run, stroke="muted", lw=1.6)
        for run in d["frontier"]:
            sc.path(run, stroke="accent", lw=4)
        # name the frontier where it is still far from the fixed sizes' floors
        # below the line all along the label: under the frontier's height where the label ends
        label = "compute-optimal frontier"
        x_end = p.x + 8 + len(label) * SMALL * 0.56
        c_end = 10 ** (math.log10(C_LO) + (x_end - p.x) / p.w * math.log10(C_HI / C_LO))
        v_end = chinchilla_frontier_loss(c_end, d["fit"]) - d["shift"]
        sc.text(p.x + 8, p.fy(v_end) + 10, label, size=SMALL, fill="accent", bold=True, base="t")
        # size labels at the right end of each curve, pushed apart where curves meet
        ys = []
        for n, _ in d["curves"]:
            v = chinchilla_loss(n, C_HI / (6 * n), d["fit"]) - d["shift"]
            ys.append((p.fy(v), n))
        ys.sort()
        placed, last = [], -1e9
        for y, n in ys:
            y = max(y, last + 20)
            placed.append((y, n))
            last = y
        for y, n in placed:
            sc.text(p.x + p.w + 6, y, _size_label(n), size=SMALL, fill="muted", base="m")
        sc.text(p.x + p.w + 6, p.y - 8, "fixed N", size=SMALL, fill="muted", base="b")
        return {"items": sc.items}

    def _draw_frontier(self, t: float):
        return self._animated("frontier", t, SWEEP_S, SWEEP_HOLD_S, 250, self._frontier_frame)

    def _cursor_budget(self, s: float) -> float:
        c = self._budget()
        return C_LO * (c / C_LO) ** s if c > C_LO else C_LO

    def _frontier_frame(self, s: float):
        d = self.cached("frontier", self._frontier_data)
        p, fit, shift = d["p"], d["fit"], d["shift"]
        sc = self._on("frontier_static", self._frontier_static)
        c = d["c"]
        cur = self._cursor_budget(s)
        done = s >= 1.0
        # the optimum's own curve touches the frontier at the budget
        if done:
            for run in d["own"]:
                sc.path(run, stroke="accent2", lw=2.2, dash=(7, 5))
        p.vline(sc, cur, stroke="accent2" if done else "ink", lw=1.6, dash=(5, 4))
        # the fixed sizes at the cursor: the lowest leads
        at = [(chinchilla_loss(n, cur / (6 * n), fit), n) for n in SIZES]
        best_loss, best_n = min(at)
        for v, n in at:
            if p.contains(cur, v - shift):
                lead = n == best_n
                sc.circle(p.fx(cur), p.fy(v - shift), 7 if lead else 4, fill="accent3" if lead else "muted",
                          stroke="bg", lw=1.5)
        if done:
            sc.circle(p.fx(c), p.fy(d["loss"] - shift), 8, fill="accent2", stroke="bg", lw=2)
        # the panel
        x = self.PANEL_X
        y = 96
        sc.text(x, y, "Budget C", size=SMALL, fill="muted", base="t")
        sc.text(x, y + 22, _flops(c), size=BODY, bold=True, base="t")
        y = 160
        sc.text(x, y, "Compute-optimal by the fit", size=SMALL, fill="muted", base="t")
        lines = [
            (f"N = {fmt_count(d['n'])} parameters", "accent2", True),
            (f"D = {fmt_count(d['d'])} tokens", "accent2", True),
            (f"D/N = {_ratio(d['d'] / d['n'])} tokens per parameter", "ink", False),
            (f"L* = {fmt_fixed(d['loss'], 3)} nats per token", "ink", False),
            (f"E = {fmt_plain(d['E'], 3)} of it irreducible", "muted", False),
        ]
        y += 24
        for s_, fill, bold in lines:
            sc.text(x, y, s_, size=SMALL, fill=fill, bold=bold, base="t")
            y += 24
        y += 14
        sc.text(x, y, "Cursor", size=SMALL, fill="muted", base="t")
        sc.text(x, y + 22, _flops(cur), size=SMALL, bold=True, base="t")
        sc.text(x, y + 46, f"lowest of the five: {_size_label(best_n)}", size=SMALL, fill="accent3", bold=True,
                base="t")
        sc.text(x, y + 70, f"at loss {fmt_fixed(best_loss, 3)}", size=SMALL, fill="accent3", base="t")
        y += 108
        sc.text(x, y, f"Frontier: L* \u2212 E \u221d C^(\u2212{fmt_fixed(d['slope'], 3)})", size=SMALL, base="t")
        # the rule of thumb from the paper's first approach, for contrast with the fit's own optimum
        n20, d20 = chinchilla_optimal(c)
        sc.text(x, y + 34, "At 20 tokens per parameter:", size=SMALL, fill="muted", base="t")
        sc.text(x, y + 56, f"N = {fmt_count(n20)}, D = {fmt_count(d20)}", size=SMALL, fill="muted", base="t")
        # the fit, under the plot
        sc.text(20, 548, self._fit_line(), size=SMALL, fill="muted", base="t")
        sc.text(20, 572, "Thick: the lowest loss at each budget. Dashed: the optimal size's own curve, "
                         "touching it at C.", size=SMALL, fill="muted", base="t")
        tel = [
            metric("budget", "budget C", c, _flops(c), "FLOP"),
            metric("n_opt", "compute-optimal N", d["n"], fmt_count(d["n"]), "parameters"),
            metric("d_opt", "compute-optimal D", d["d"], fmt_count(d["d"]), "tokens"),
            metric("ratio", "tokens per parameter", d["d"] / d["n"], fmt_plain(d["d"] / d["n"], 1),
                   "tokens/parameter"),
            metric("loss", "loss on the frontier", d["loss"], fmt_fixed(d["loss"], 3), "nats/token"),
            metric("reducible", "reducible part L* \u2212 E", d["loss"] - d["E"], fmt_fixed(d["loss"] - d["E"], 3),
                   "nats/token"),
            metric("slope", "frontier exponent \u03b1\u03b2/(\u03b1+\u03b2)", d["slope"], fmt_fixed(d["slope"], 3), ""),
            metric("cursor", "cursor", cur, _flops(cur), "FLOP"),
            metric("leader", "lowest fixed size at the cursor", best_n, _size_label(best_n), "parameters"),
        ]
        return sc, tel

    def _frontier_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("frontier", self._frontier_data)
        c = d["c"]
        period = SWEEP_S + SWEEP_HOLD_S
        out = []
        span = math.log(c / C_LO) if c > C_LO else 0.0
        for cross, a, b in d["overtakes"]:
            if not (C_LO < cross < c) or span <= 0:
                continue
            phase = math.log(cross / C_LO) / span * SWEEP_S
            out += _cycles(t0, t1, phase, period,
                           f"At {_flops(cross)} the {_size_label(b)} model overtakes the {_size_label(a)} one: "
                           f"below that budget it would see too few tokens to catch up.")
        out += _cycles(t0, t1, SWEEP_S, period,
                       f"At {_flops(c)} the fit's best split is {fmt_count(d['n'])} parameters on "
                       f"{fmt_count(d['d'])} tokens ({_ratio(d['d'] / d['n'])} per parameter), "
                       f"loss {fmt_fixed(d['loss'], 3)} nats per token.")
        return out

    # -- models ----------------------------------------------------------------------------------

    PLOT_M = (100, 92, 500, 400)

    def _models_data(self) -> dict:
        p = Plot(*self.PLOT_M, xlim=(3e9, 1e12), ylim=(1e11, 1e14), xlog=True, ylog=True)
        runs = []
        for r in TRAINING_RUNS.values():
            n = training_run_params(r)
            runs.append({"run": r, "n": n, "d": r.tokens, "c": training_run_flops(r)})
        r = get_training_run(self["run"])
        sel = next(x for x in runs if x["run"].name == r.name)
        n_opt, d_opt = chinchilla_optimal(sel["c"])
        return {"p": p, "runs": runs, "sel": sel, "n_opt": n_opt, "d_opt": d_opt}

    def _models_static(self) -> dict:
        d = self.cached("models", self._models_data)
        p = d["p"]
        sc = Scene(*self.size)
        self._header(sc, "Where real models sit",
                     "Parameters N against training tokens D, from each model's paper; "
                     "lines of equal compute C = 6ND")
        p.frame(sc, xticks=[1e10, 1e11, 1e12], yticks=[1e11, 1e12, 1e13, 1e14], size=SMALL,
                xlabel="parameters N (log scale)", ylabel="training tokens D (log scale)", marks=False)
        # lines of equal FLOPs, D = C/(6N), and where each leaves the box
        for e in range(22, 27):
            c = 10.0 ** e
            p.curve(sc, lambda n, c=c: c / (6 * n), n=2, stroke="muted", lw=1.2, dash=(3, 5), alpha=0.7)
            d_left = c / (6 * p.xlim[0])
            if d_left <= p.ylim[1]:
                lx, ly, base = p.x + 4, p.fy(d_left) - 3, "b"
            else:
                lx, ly, base = p.fx(c / (6 * p.ylim[1])) + 4, p.y + 4, "t"
            sc.text(lx, ly, f"{fmt_tick(c)} FLOPs", size=14, fill="muted", base=base)
        # 20 tokens per parameter
        p.curve(sc, lambda n: TOKENS_PER_PARAM * n, n=2, stroke="accent3", lw=2.5)
        # right-aligned under the line's upper end, where no model sits
        sc.text(p.x + p.w - 6, p.y + 292, "D = 20\u00b7N: 20 tokens per parameter", size=SMALL, fill="accent3",
                bold=True, align="r", base="t")
        for x in d["runs"]:
            r = x["run"]
            px, py = p.fx(x["n"]), p.fy(x["d"])
            if r.name == d["sel"]["run"].name:
                continue
            sc.circle(px, py, 5, fill="ink", stroke="bg", lw=1.5)
            dx, dy, al, base = _LABEL_AT[r.name]
            sc.text(px + dx, py + dy, r.label, size=14, fill="ink", align=al, base=base)
        return {"items": sc.items}

    def _draw_models(self, t: float):
        return self._animated("models", t, MOVE_S, MOVE_HOLD_S, 200, self._models_frame)

    def _models_frame(self, s: float):
        d = self.cached("models", self._models_data)
        p, sel = d["p"], d["sel"]
        r = sel["run"]
        sc = self._on("models_static", self._models_static)
        # the chosen model, its own FLOP line, and the point sliding along it
        c = sel["c"]
        p.curve(sc, lambda n: c / (6 * n), n=2, stroke="accent2", lw=2.2, dash=(7, 4))
        px, py = p.fx(sel["n"]), p.fy(sel["d"])
        sc.circle(px, py, 8, fill="accent2", stroke="bg", lw=2)
        dx, dy, al, base = _LABEL_AT[r.name]
        sc.text(px + dx, py + dy, r.label, size=14, fill="accent2", bold=True, align=al, base=base)
        ln = math.log10(sel["n"]) + s * (math.log10(d["n_opt"]) - math.log10(sel["n"]))
        n_s = 10.0 ** ln
        d_s = c / (6 * n_s)
        if p.contains(n_s, d_s):
            sc.circle(p.fx(n_s), p.fy(d_s), 7, fill="bg", stroke="accent2", lw=3)
        ratio = sel["d"] / sel["n"]
        x = 640
        lines = [
            (r.label, BODY, True, "accent2"),
            (f"N = {fmt_count(sel['n'])} parameters", SMALL, False, "ink"),
            (f"D = {fmt_count(sel['d'])} tokens" + (" (the family's figure)" if r.family else ""), SMALL, False,
             "ink"),
            (f"D/N = {_ratio(ratio)} tokens per parameter", SMALL, True, "ink"),
            (f"C = 6ND = {_flops(c)}", SMALL, False, "ink"),
            ("", SMALL, False, "ink"),
            ("Same C at 20 tokens per parameter:", SMALL, False, "muted"),
            (f"N = {fmt_count(d['n_opt'])}, D = {fmt_count(d['d_opt'])}", SMALL, True, "accent3"),
            ("", SMALL, False, "ink"),
            ("Forward pass per token served, 2N:", SMALL, False, "muted"),
            (f"{fmt_sci(2 * sel['n'], 'FLOPs')} here", SMALL, False, "ink"),
            (f"{fmt_sci(2 * d['n_opt'], 'FLOPs')} at 20 per parameter", SMALL, False, "ink"),
        ]
        y = 96
        for text, size, bold, fill in lines:
            if text:
                sc.text(x, y, text, size=size, bold=bold, fill=fill, base="t")
            y += 30 if size == BODY else 24
        factor = d["n_opt"] / sel["n"]
        verdict = (f"{fmt_plain(factor, 1)}\u00d7 cheaper to serve than" if factor > 1
                   else f"{fmt_plain(1 / factor, 1)}\u00d7 dearer to serve than")
        sc.text(x, y + 6, verdict, size=SMALL, bold=True, fill="accent2", base="t")
        sc.text(x, y + 30, "its compute-optimal twin", size=SMALL, bold=True, fill="accent2", base="t")
        sc.text(20, 548, f"Tokens: {r.paper}, {r.where}.", size=SMALL, fill="muted", base="t")
        sc.text(20, 572, "The ring slides along the model's own FLOP line to the 20-tokens split of the same "
                         "budget.", size=SMALL, fill="muted", base="t")
        tel = [
            metric("n", "parameters N", sel["n"], fmt_count(sel["n"]), "parameters"),
            metric("d", "training tokens D", sel["d"], fmt_count(sel["d"]), "tokens"),
            metric("ratio", "tokens per parameter", ratio, _ratio(ratio), "tokens/parameter"),
            metric("flops", "training compute 6ND", c, _flops(c), "FLOP"),
            metric("n_opt", "N at 20 tokens per parameter", d["n_opt"], fmt_count(d["n_opt"]), "parameters"),
            metric("d_opt", "D at 20 tokens per parameter", d["d_opt"], fmt_count(d["d_opt"]), "tokens"),
            metric("serve", "forward FLOPs per token 2N", 2 * sel["n"], fmt_sci(2 * sel["n"], "FLOPs"), "FLOP"),
            metric("serve_ratio", "2N of the 20-tokens model / 2N", factor, f"{fmt_plain(factor, 2)}\u00d7", ""),
        ]
        return sc, tel

    def _models_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("models", self._models_data)
        sel = d["sel"]
        period = MOVE_S + MOVE_HOLD_S
        out = []
        out += _cycles(t0, t1, 0.0, period,
                       f"{sel['run'].label}: {fmt_count(sel['n'])} parameters on {fmt_count(sel['d'])} tokens, "
                       f"{_ratio(sel['d'] / sel['n'])} per parameter, {_flops(sel['c'])}.", skip_first=True)
        out += _cycles(t0, t1, MOVE_S, period,
                       f"The same {_flops(sel['c'])} at 20 tokens per parameter: {fmt_count(d['n_opt'])} "
                       f"parameters on {fmt_count(d['d_opt'])} tokens; every token served would cost "
                       f"{fmt_plain(d['n_opt'] / sel['n'], 2)}\u00d7 the forward FLOPs.")
        return out

    # -- valley ----------------------------------------------------------------------------------

    PLOT_V = (92, 92, 512, 400)

    def _valley_data(self) -> dict:
        fit = self["fit"]
        c = self._budget()
        n_fit, d_fit = chinchilla_fit_optimal(c, fit)
        n_20, d_20 = chinchilla_optimal(c)
        n_k, d_k = kaplan_optimal(c)
        picks = [("Kaplan et al. 2020", n_k, d_k, "bad"), ("20 tokens per parameter", n_20, d_20, "accent3"),
                 ("the fit's optimum", n_fit, d_fit, "accent")]
        losses = [chinchilla_loss(n, dd, fit) for _, n, dd, _ in picks]
        lo_n = 10 ** math.floor(math.log10(min(n for _, n, _, _ in picks)) - 0.5)
        hi_n = 10 ** math.ceil(math.log10(max(n for _, n, _, _ in picks)) + 0.5)
        l_min = chinchilla_frontier_loss(c, fit)
        span = max(losses) - l_min
        ylim = (l_min - 0.6 * span - 1e-3, l_min + 2.2 * span + 1e-3)
        p = Plot(*self.PLOT_V, xlim=(lo_n, hi_n), ylim=ylim, xlog=True)
        curve = p.pieces(p.samples(lambda n: chinchilla_loss(n, c / (6 * n), fit), n=160))
        extra = c / chinchilla_flops_for_loss(losses[0], fit)
        return {"p": p, "c": c, "picks": picks, "losses": losses, "curve": curve, "extra": extra, "fit": fit,
                "l_min": l_min}

    def _valley_static(self) -> dict:
        d = self.cached("valley", self._valley_data)
        p = d["p"]
        sc = Scene(*self.size)
        self._header(sc, f"One budget, every split: C = {_flops(d['c'])}",
                     "The fit's loss for N parameters trained on D = C/(6N) tokens: an IsoFLOP profile")
        lo, hi = p.ylim
        p.frame(sc, xticks=[10.0 ** e for e in range(round(math.log10(p.xlim[0])), round(math.log10(p.xlim[1])) + 1)],
                yticks=nice_ticks(lo, hi, 6), yfmt=lambda v: fmt_plain(v, 3), size=SMALL,
                xlabel="parameters N (log scale); tokens D = C/(6N) fall as N grows",
                ylabel="loss L, nats per token", marks=False)
        for run in d["curve"]:
            sc.path(run, stroke="ink", lw=2.5)
        for (name, n, dd, col), v in zip(d["picks"], d["losses"]):
            sc.line(p.fx(n), p.fy(v), p.fx(n), p.y + p.h, stroke=col, lw=1.4, dash=(4, 4))
            sc.circle(p.fx(n), p.fy(v), 7, fill=col, stroke="bg", lw=2)
        return {"items": sc.items}

    def _draw_valley(self, t: float):
        return self._animated("valley", t, ROLL_S, ROLL_HOLD_S, 200, self._valley_frame)

    def _valley_frame(self, s: float):
        d = self.cached("valley", self._valley_data)
        p, c, fit = d["p"], d["c"], d["fit"]
        sc = self._on("valley_static", self._valley_static)
        n_k, n_o = d["picks"][0][1], d["picks"][2][1]
        # ease in and out, so the ball settles into the floor
        e = 0.5 - 0.5 * math.cos(math.pi * s)
        n_b = 10.0 ** (math.log10(n_k) + e * (math.log10(n_o) - math.log10(n_k)))
        d_b = c / (6 * n_b)
        l_b = chinchilla_loss(n_b, d_b, fit)
        if p.contains(n_b, l_b):
            sc.circle(p.fx(n_b), p.fy(l_b), 10, fill="bg", stroke="accent2", lw=3)
        x = 640
        y = 94
        for (name, n, dd, col), v in zip(d["picks"], d["losses"]):
            sc.text(x, y, name, size=SMALL, bold=True, fill=col, base="t")
            sc.text(x, y + 22, f"N {fmt_count(n)}, D {fmt_count(dd)}", size=SMALL, base="t")
            sc.text(x, y + 44, f"{_ratio(dd / n)} tokens/param, L {fmt_fixed(v, 3)}", size=SMALL, base="t")
            y += 80
        sc.text(x, y + 4, "The ball", size=SMALL, fill="accent2", bold=True, base="t")
        sc.text(x, y + 26, f"N {fmt_count(n_b)}, D {fmt_count(d_b)}", size=SMALL, fill="accent2", base="t")
        sc.text(x, y + 48, f"L {fmt_fixed(l_b, 3)}", size=SMALL, fill="accent2", base="t")
        # where Kaplan's line is anchored: Hoffmann et al.'s reading, not Kaplan's table 5 as printed
        c0, n0 = KAPLAN_ANCHOR
        sc.text(x, y + 92, f"Kaplan: {fmt_count(n0)} at {_flops(c0)},", size=SMALL, fill="muted", base="t")
        sc.text(x, y + 114, "as Hoffmann et al. read it, \u221d C^0.73", size=SMALL, fill="muted", base="t")
        sc.text(20, 546, f"Kaplan's split reaches the loss a compute-optimal run gets from "
                         f"{fmt_plain(1 / d['extra'], 2)} of this budget.", size=SMALL, base="t")
        sc.text(20, 572, self._fit_line(), size=SMALL, fill="muted", base="t")
        tel = [
            metric("budget", "budget C", c, _flops(c), "FLOP"),
            metric("n_kaplan", "N by Kaplan's C^0.73", n_k, fmt_count(n_k), "parameters"),
            metric("loss_kaplan", "loss of Kaplan's split", d["losses"][0], fmt_fixed(d["losses"][0], 3),
                   "nats/token"),
            metric("n_20", "N at 20 tokens per parameter", d["picks"][1][1], fmt_count(d["picks"][1][1]),
                   "parameters"),
            metric("loss_20", "loss at 20 tokens per parameter", d["losses"][1], fmt_fixed(d["losses"][1], 3),
                   "nats/token"),
            metric("n_fit", "N at the fit's optimum", n_o, fmt_count(n_o), "parameters"),
            metric("loss_fit", "loss at the fit's optimum", d["losses"][2], fmt_fixed(d["losses"][2], 3),
                   "nats/token"),
            metric("compute_share", "compute the optimum needs for Kaplan's loss", 1 / d["extra"],
                   fmt_plain(1 / d["extra"], 3), "of C"),
            metric("ball_n", "the ball's N", n_b, fmt_count(n_b), "parameters"),
            metric("ball_loss", "the ball's loss", l_b, fmt_fixed(l_b, 3), "nats/token"),
        ]
        return sc, tel

    def _valley_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("valley", self._valley_data)
        period = ROLL_S + ROLL_HOLD_S
        (kn, nk, dk, _), _, (on, no, do, _) = d["picks"]
        out = []
        out += _cycles(t0, t1, 0.0, period,
                       f"Kaplan's law puts {_flops(d['c'])} into {fmt_count(nk)} parameters on {fmt_count(dk)} "
                       f"tokens: loss {fmt_fixed(d['losses'][0], 3)} by the fit.", skip_first=True)
        out += _cycles(t0, t1, ROLL_S, period,
                       f"Moving compute from parameters to tokens, down to {fmt_count(no)} parameters on "
                       f"{fmt_count(do)} tokens, lowers the loss to {fmt_fixed(d['losses'][2], 3)}.")
        return out

    # -- tiny -------------------------------------------------------------------------------------

    PLOT_T = (92, 92, 512, 400)

    def _tiny_data(self) -> dict:
        from ...lm.record import training_record

        rec = training_record()
        per_step = rec.tokens_per_step
        pts = [(training_flops(rec.n_params, pt.step * per_step), pt) for pt in rec.curve if pt.step > 0]
        p = Plot(*self.PLOT_T, xlim=(5e10, 5e12), ylim=(1.5, 6.5), xlog=True)
        one_pass = training_flops(rec.n_params, rec.train_tokens)
        twenty = training_flops(rec.n_params, TOKENS_PER_PARAM * rec.n_params)
        return {"rec": rec, "pts": pts, "p": p, "one_pass": one_pass, "twenty": twenty,
                "total": training_flops(rec.n_params, rec.tokens_seen), "floor": math.log(rec.vocab)}

    def _tiny_static(self) -> dict:
        d = self.cached("tiny", self._tiny_data)
        p, rec = d["p"], d["rec"]
        sc = Scene(*self.size)
        self._header(sc, f"The book's tiny model: {rec.n_params:,} parameters",
                     "Its measured loss every 50 steps against training compute 6\u00b7N\u00b7(tokens seen)")
        p.frame(sc, xticks=[1e11, 1e12], yticks=[2.0, 3.0, 4.0, 5.0, 6.0], size=SMALL,
                xlabel="training compute, FLOPs (log scale)", ylabel="loss, nats per token", marks=False)
        p.hline(sc, d["floor"], stroke="muted", lw=1.2, dash=(3, 4))
        sc.text(p.x + p.w - 6, p.fy(d["floor"]) - 4, f"ln {rec.vocab} = {fmt_plain(d['floor'], 2)}: knows nothing",
                size=SMALL, fill="muted", align="r", base="b")
        for cc, label in ((d["twenty"], "20 tokens per parameter"),):
            p.vline(sc, cc, stroke="accent2", lw=1.6, dash=(5, 4))
            sc.text(p.fx(cc) - 6, p.fy(4.5), label, size=SMALL, fill="accent2", align="r", base="m")
        return {"items": sc.items}

    def _tiny_count(self) -> int:
        """How many points of the record the view draws: those up to the chosen step."""
        pts = self.cached("tiny", self._tiny_data)["pts"]
        return max(1, sum(1 for _, pt in pts if pt.step <= self["upto"]))

    def _draw_tiny(self, t: float):
        n = self._tiny_count()
        return self._animated("tiny", t, TINY_S, TINY_HOLD_S, n, lambda s: self._tiny_frame(max(1, round(s * n))))

    def _tiny_frame(self, k: int):
        d = self.cached("tiny", self._tiny_data)
        p, rec = d["p"], d["rec"]
        sc = self._on("tiny_static", self._tiny_static)
        shown = d["pts"][:k]
        p.polyline(sc, [(c, pt.train) for c, pt in shown], stroke="accent3", lw=2.5)
        p.polyline(sc, [(c, pt.held_out) for c, pt in shown], stroke="accent", lw=3)
        c, pt = shown[-1]
        for v, col in ((pt.train, "accent3"), (pt.held_out, "accent")):
            if p.contains(c, v):
                sc.circle(p.fx(c), p.fy(v), 6, fill=col, stroke="bg", lw=2)
        seen = pt.step * rec.tokens_per_step
        passes = seen / rec.train_tokens
        x = 640
        lines = [
            (f"step {pt.step:,} of {rec.steps:,}", BODY, True, "ink"),
            (f"tokens seen {fmt_count(seen)}", SMALL, False, "ink"),
            (f"= {fmt_plain(passes, 1)} passes over {rec.train_tokens:,}", SMALL, False, "ink"),
            (f"= {fmt_plain(seen / rec.n_params, 1)} tokens per parameter", SMALL, False, "ink"),
            (f"6ND = {_flops(c)}", SMALL, False, "ink"),
            ("", SMALL, False, "ink"),
            (f"held-out loss {fmt_fixed(pt.held_out, 3)}", SMALL, True, "accent"),
            (f"training loss {fmt_fixed(pt.train, 3)}", SMALL, True, "accent3"),
            (f"gap {fmt_fixed(pt.held_out - pt.train, 3)} nats", SMALL, False, "ink"),
        ]
        y = 96
        for text, size, bold, fill in lines:
            if text:
                sc.text(x, y, text, size=size, bold=bold, fill=fill, base="t")
            y += 30 if size == BODY else 24
        sc.text(20, 546, f"2 layers, d_model 64; {rec.train_tokens:,} distinct training tokens, read "
                         f"{fmt_plain(rec.passes, 1)} times over in {rec.steps:,} steps of "
                         f"{rec.tokens_per_step:,}.", size=SMALL, fill="muted", base="t")
        sc.text(20, 572, "Blue: text it never trained on. Purple: its training text, which it starts to "
                         "memorise.", size=SMALL, fill="muted", base="t")
        tel = [
            metric("step", "optimizer step", pt.step, f"{pt.step:,}", "steps"),
            metric("seen", "tokens seen", seen, fmt_count(seen), "tokens"),
            metric("passes", "passes over the training text", passes, fmt_plain(passes, 1), ""),
            metric("flops", "training compute 6ND", c, _flops(c), "FLOP"),
            metric("held_out", "held-out loss", pt.held_out, fmt_fixed(pt.held_out, 3), "nats/token"),
            metric("train", "training loss", pt.train, fmt_fixed(pt.train, 3), "nats/token"),
            metric("params", "parameters", rec.n_params, f"{rec.n_params:,}", "parameters"),
        ]
        return sc, tel

    def _tiny_events(self, t0: float, t1: float) -> list[tuple[float, str]]:
        d = self.cached("tiny", self._tiny_data)
        rec, pts = d["rec"], d["pts"]
        period = TINY_S + TINY_HOLD_S
        out = []
        n = self._tiny_count()
        last = pts[n - 1][1].step
        for i, (c, pt) in enumerate(pts[:n]):
            if pt.step not in (50, 550, 1000, last):
                continue
            phase = (i + 0.5) / n * TINY_S if i + 1 < n else TINY_S
            seen = pt.step * rec.tokens_per_step
            out += _cycles(t0, t1, phase, period,
                           f"Step {pt.step:,}: {fmt_count(seen)} tokens seen ({fmt_plain(seen / rec.train_tokens, 1)} "
                           f"passes), {_flops(c)}; held-out {fmt_fixed(pt.held_out, 3)}, training "
                           f"{fmt_fixed(pt.train, 3)} nats per token.")
        return out
