"""Static vs continuous batching: the workshop of chapter p07-c01.

One stream of requests with long-tailed output lengths is served by one GPU
whose batch has ``max_batch`` slots. The chart has a row per slot and time
running right; each request is a bar in the slot it occupies, its first
iteration (the prefill) marked. The cursor sweeps simulated time.

* static: request-level scheduling. A batch keeps all its slots until its
  longest request ends; finished requests' rows turn into padding and the
  queue on the left grows meanwhile.
* continuous: iteration-level scheduling (Orca). A finished request leaves at
  the iteration boundary and the head of the queue takes its slot.
* compare: both schedulers on the same workload, one time axis.
* sweep: throughput and p95 latency of both schedulers as the batch grows,
  with the batch size at which the KV cache no longer fits if every slot
  reserved the model's full context.

Every duration is :func:`~llmviz.calc.batching.iteration_time_lower_bound`
for the chosen model and GPU: the slower of reading the weights and caches
from HBM and doing the arithmetic at peak. Real iterations are slower.
"""
from __future__ import annotations

import math
from bisect import bisect_right, insort

from ...calc.batching import (EMPTY, batching_schedule, iteration_cost_model, make_workload, percentile,
                              schedule_stats, token_flops)
from ...calc.decode import decode_step_lower_bound
from ...calc.kv_cache import kv_cache_bytes_per_token
from ...calc.kv_fit import max_batch_that_fits
from ...catalog import get_gpu, get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.scene import Scene, text_box
from ...units import fmt_bytes, fmt_count, fmt_rate, fmt_seconds

DTYPE = "bf16"
MEAN_OUTPUT = 64        # tokens a request generates, on average
MEAN_PROMPT = 256       # prompt tokens, on average
PROMPT_SPREAD = 0.5     # log-sd of prompt lengths
SEED = 1

PLAY_S = 16.0           # animation seconds to play a whole run; the end state then holds
FLASH_S = 0.5           # animation seconds an admission arrow or a finish mark stays up
MAX_EVENTS = 10         # console lines per frame; a long jump is summarised
SWEEP_BATCHES = (1, 2, 4, 8, 16, 32, 64)
SWEEP_STEP_S = 1.6      # animation seconds between two sweep points appearing
# font sizes (logical units): the workshop pane draws the scene at about 0.6x, so nothing a
# reader must read is smaller than 13.5
F_TITLE, F_SUB, F_HEAD, F_TEXT, F_SMALL = 19, 14, 15, 14, 13.5
NARRATION_SIZE = 14.5
BAR_LABEL_MAX = 13      # request ids inside the bars, when the rows are tall enough

MODELS = (("llama-3-8b", "Llama 3 8B"), ("llama-2-7b", "Llama 2 7B"),
          ("llama-2-13b", "Llama 2 13B"), ("opt-13b", "OPT-13B"))
GPUS = (("h100-sxm", "H100 SXM"), ("a100-80gb-sxm", "A100 80GB SXM"), ("h200-sxm", "H200 SXM"),
        ("b200", "B200"), ("mi300x", "MI300X"))

# the chart views show a small stream arriving over time; the sweep a larger burst
CHART_WORKLOAD = {"rate": 40, "requests": 32}

POLICY_NAMES = {"static": "static batching", "continuous": "continuous batching"}
TITLES = {
    "static": "Static batching: a batch keeps every slot until its longest request ends",
    "continuous": "Continuous batching: finished requests leave, waiting ones join at the next iteration",
    "compare": "One workload, two schedulers, one clock",
    "sweep": "Throughput and tail latency as the batch grows",
}

W, H = 960, 600
QX, QW = 20, 150                 # queue column
CX0, CX1 = 246, 940              # chart x range
SLOT_LABEL_X = CX0 - 8


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _t_label(s: float) -> str:
    return "0" if s == 0 else fmt_seconds(s, 2)


class ContinuousBatchingMode(Mode):
    """Requests of different lengths sharing a batch: padding under static batching, none under continuous."""

    id = "p07-c01-continuous-batching"
    chapter = "p07-c01-continuous-batching"
    title = "Static vs continuous batching"
    step_dt = 0.25
    size = (W, H)

    params = (
        Number("max_batch", "max batch size", lo=1, hi=64, step=1, default=8, unit="slots",
               integer=True, help="Requests the GPU runs side by side in one iteration."),
        Number("spread", "output length spread", lo=0.0, hi=1.5, step=0.1, default=1.0,
               help="Standard deviation of log(output length); 0 makes every request the same "
                    f"length. The mean stays {MEAN_OUTPUT} tokens."),
        Number("rate", "arrival rate", lo=2, hi=400, step=1, default=40, unit="req/s", log=True,
               help="Requests arriving per second (a Poisson stream)."),
        Number("requests", "requests", lo=8, hi=64, step=1, default=32, integer=True,
               help="Requests in the workload."),
        Choice("model", "model", options=MODELS, default="llama-3-8b",
               help="Sets the iteration time and the KV cache per token."),
        Choice("gpu", "GPU", options=GPUS, default="h100-sxm",
               help="Sets HBM bandwidth, peak FLOP/s and memory."),
    )
    submodes = {
        "static": Submode("Static batching", dict(CHART_WORKLOAD),
                          "A batch holds its slots until its longest request ends."),
        "continuous": Submode("Continuous batching", dict(CHART_WORKLOAD),
                              "Finished requests leave and waiting ones join at every iteration boundary."),
        "compare": Submode("Side by side", dict(CHART_WORKLOAD),
                           "Both schedulers on the same requests, on one time axis."),
        "sweep": Submode("Batch-size sweep", {"rate": 400, "requests": 64},
                         "Throughput and p95 latency against max batch size; the KV-cache limit."),
    }
    default_submode = "static"

    # -- cached, parameter-dependent data ------------------------------------------

    def _workload(self):
        return self.cached("workload", lambda: make_workload(
            n=self["requests"], rate=float(self["rate"]), spread=float(self["spread"]), seed=SEED,
            mean_output=MEAN_OUTPUT, mean_prompt=MEAN_PROMPT, prompt_spread=PROMPT_SPREAD))

    def _cost(self):
        return self.cached("cost", lambda: iteration_cost_model(self["model"], self["gpu"], DTYPE))

    def _consts(self) -> dict:
        def make():
            m, g = get_model(self["model"]), get_gpu(self["gpu"])
            return {
                "model": m, "gpu": g,
                "floor": decode_step_lower_bound(m, g, DTYPE, batch=1, context=0),
                "kv_token": kv_cache_bytes_per_token(m, DTYPE),
                "flop_token": token_flops(m, DTYPE),
                "peak": g.peak_flops(DTYPE),
                "kv_limit": max_batch_that_fits(m, g, context=m.max_context, kv_dtype=DTYPE, weight_dtype=DTYPE),
            }
        return self.cached("consts", make)

    def _view(self, policy: str) -> dict:
        """A schedule and the running totals the frames read."""
        def make():
            s = batching_schedule(policy, self._workload(), self["max_batch"], self._cost())
            cu, cp, cf = [], [], []
            u = p = f = 0
            for it in s.iterations:
                u += sum(1 for r in it.active if r != EMPTY)
                p += sum(1 for r in it.padding if r != EMPTY)
                f += it.prefill_tokens
                cu.append(u); cp.append(p); cf.append(f)
            recs = sorted(s.records, key=lambda r: r.request.id)
            admit_times = [r.start_time for r in recs]
            if admit_times != sorted(admit_times):
                raise ValueError("requests must be admitted in id order (first come, first served)")
            # running latency figures over the responses returned so far, in the order they return
            lat_sum, lat_p95, seen = [0.0], [0.0], []
            for r in sorted(recs, key=lambda r: r.release_time):
                insort(seen, r.latency)
                lat_sum.append(lat_sum[-1] + r.latency)
                lat_p95.append(percentile(seen, 95))
            ttft_sum = [0.0]
            for r in sorted(recs, key=lambda r: r.first_token_time):
                ttft_sum.append(ttft_sum[-1] + r.ttft)
            return {"s": s, "return_times": sorted(r.release_time for r in recs), "stats": schedule_stats(s),
                    "first_tokens": sorted(r.first_token_time for r in recs), "lat_sum": lat_sum,
                    "lat_p95": lat_p95, "ttft_sum": ttft_sum,
                    "starts": [it.start for it in s.iterations], "ends": [it.end for it in s.iterations],
                    "cum_useful": cu, "cum_pad": cp, "cum_prefill": cf, "recs": recs,
                    "arrivals": [r.request.arrival for r in recs], "admit_times": admit_times}
        return self.cached("view-" + policy, make)

    def _policies(self) -> tuple[str, ...]:
        if self.submode in ("static", "continuous"):
            return (self.submode,)
        return ("static", "continuous")

    def _horizon(self) -> float:
        """Simulated seconds the time axis spans: the longest run shown."""
        return max(self._view(p)["s"].end for p in self._policies())

    def _tau(self, t: float) -> float:
        """Simulated time at animation time ``t``: the run plays in PLAY_S seconds, then holds."""
        return min(t / PLAY_S, 1.0) * self._horizon()

    def _sweep_row(self, b: int) -> dict:
        """Both schedulers' stats at max batch ``b``; computed when its point first shows."""
        def make():
            reqs, cost = self._workload(), self._cost()
            row = {"b": b, "static": schedule_stats(batching_schedule("static", reqs, b, cost))}
            # with one slot both policies run the requests one after another: the same schedule
            row["continuous"] = (row["static"] if b == 1 else
                                 schedule_stats(batching_schedule("continuous", reqs, b, cost)))
            return row
        return self.cached(f"sweep-{b}", make)

    def _sweep_shown(self, t: float) -> int:
        """Sweep points visible at animation time ``t``: one more every SWEEP_STEP_S seconds."""
        return min(len(SWEEP_BATCHES), int(t // SWEEP_STEP_S) + 1)

    # -- frames ---------------------------------------------------------------------

    def draw(self, t: float):
        sc = self.new_scene()
        sc.items.extend(self.cached("chrome", self._chrome))
        if self.submode == "sweep":
            return sc, self._draw_sweep(sc, t)
        tau = self._tau(t)
        if self.submode == "compare":
            for pol, y0, y1 in (("static", 92, 250), ("continuous", 314, 472)):
                self._draw_panel(sc, pol, tau, y0, y1, compact=True, live=t < PLAY_S)
            tel = self._compare_telemetry(tau)
            self._narrate(sc, "continuous", tau, 574)
        else:
            pol = self.submode
            self._draw_panel(sc, pol, tau, 92, 472, compact=False, live=t < PLAY_S)
            tel = self._telemetry(pol, tau)
            self._narrate(sc, pol, tau, 574)
        return sc, tel

    def _chrome(self) -> list[dict]:
        """The view's title, subtitle and legend: the same in every frame."""
        sc = Scene(W, H)
        c = self._consts()
        sc.text(20, 22, TITLES[self.submode], size=F_TITLE, bold=True)
        sub = (f"{c['model'].display_name} on {c['gpu'].label} (BF16) · iteration ≥ "
               f"{fmt_seconds(c['floor'])} · {self['requests']} requests at {self['rate']:g}/s · "
               f"mean output {MEAN_OUTPUT} tokens")
        sc.text(20, 50, sub, size=F_SUB, fill="muted")
        if self.submode != "sweep":
            self._legend(sc, 540)
        return sc.items

    # -- one slot × time chart -------------------------------------------------------

    def _geometry(self, y0: float, y1: float) -> dict:
        return self.cached(f"geom-{y0}", lambda: self._make_geometry(y0, y1))

    def _make_geometry(self, y0: float, y1: float) -> dict:
        horizon = self._horizon()
        B = self["max_batch"]
        rh = (y1 - y0) / B
        gap = 1.0 if rh >= 4 else 0.0
        return {"horizon": horizon, "sx": (CX1 - CX0) / horizon, "rh": rh, "gap": gap,
                "hh": rh - 2 * gap, "label": min(BAR_LABEL_MAX, rh - 4)}

    def _x(self, g: dict, tau: float) -> float:
        return CX0 + g["sx"] * min(tau, g["horizon"])

    def _panel_frame(self, pol: str, y0: float, y1: float, compact: bool) -> list[dict]:
        """What does not move: the slot rows, their labels and the time axis."""
        def make():
            sc = Scene(W, H)
            g = self._geometry(y0, y1)
            B, rh = self["max_batch"], g["rh"]
            sc.rect(CX0, y0, CX1 - CX0, y1 - y0, fill="panel", label="batch slots")
            every = max(1, -(-16 // int(max(rh, 1))))       # label spacing ≥ 16 units
            for sl in range(B):
                if sl % every == 0:
                    sc.text(SLOT_LABEL_X, y0 + (sl + 0.5) * rh, f"slot {sl}",
                            size=min(F_TEXT, max(rh * 0.8, 9)), fill="muted", align="r")
            if B <= 16:
                for sl in range(1, B):
                    sc.line(CX0, y0 + sl * rh, CX1, y0 + sl * rh, stroke="grid", lw=0.8)
            step = _nice_step(g["horizon"], 5 if compact else 6)
            k = 0
            while k * step <= g["horizon"] * 1.0001:
                x = self._x(g, k * step)
                sc.line(x, y1, x, y1 + 4, stroke="muted")
                lab = _t_label(k * step)
                if text_box(x, y1 + 5, lab, F_SMALL, "c", "t")[2] <= W - 2:
                    sc.text(x, y1 + 5, lab, size=F_SMALL, fill="muted", align="c", base="t")
                k += 1
            if not compact or pol == "continuous":
                sc.text(CX1, y1 + 34, "simulated time (each iteration at its lower bound) →", size=F_SMALL,
                        fill="muted", align="r")
            return sc.items
        return self.cached(f"frame-{pol}-{y0}", make)

    def _bar_parts(self, g: dict, r, release_end: float, y0: float) -> tuple:
        """What request ``r``'s bar needs at any time: its row, its phase times and their x, its labels."""
        rid = r.request.id
        return (y0 + r.slot * g["rh"] + g["gap"], g["hh"], g["label"],
                r.start_time, r.first_token_time, r.finish_time, release_end,
                round(self._x(g, r.start_time), 1), round(self._x(g, r.first_token_time), 1),
                round(self._x(g, r.finish_time), 1), round(self._x(g, release_end), 1),
                f"request {rid} prefill: {r.request.prompt} prompt tokens",
                f"request {rid} decoding, {r.request.output} tokens",
                f"padding: request {rid} finished, slot held", f"r{rid}")

    def _bar(self, sc: Scene, parts: tuple, tau: float, xt: float) -> None:
        """A bar drawn up to simulated time ``tau`` (at ``xt`` on the chart): prefill, decode, padding.

        Positions are rounded to a tenth of a unit: finer detail is invisible at any scale the
        canvas is drawn, and short numbers keep each frame's JSON small.
        """
        (ry, hh, size, _, t_first, t_finish, t_release, x0, xp, xe, xr,
         prefill_label, decode_label, padding_label, lab) = parts
        if t_first > tau:
            xp = xt
        if t_finish > tau:
            xe = xt
        sc.rect(x0, ry, max(round(xp - x0, 1), 0.6), hh, fill="accent3", label=prefill_label)
        if xe > xp:
            sc.rect(xp, ry, round(xe - xp, 1), hh, fill="accent", alpha=0.85, label=decode_label)
        if t_release > t_finish and t_finish < tau:
            if t_release > tau:
                xr = xt
            sc.rect(xe, ry, round(xr - xe, 1), hh, fill="bad", alpha=0.3, label=padding_label)
            if size >= 9 and xr - xe > 7 * size * 0.56 + 6:
                sc.text(xe + 3, ry + hh / 2, "padding", size=size, fill="bad")
        if size >= 9 and xe - x0 > len(lab) * size * 0.56 + 5:
            sc.text(x0 + 2.5, ry + hh / 2, lab, size=size, fill="bg", bold=True, collide=False)

    def _bars(self, pol: str, y0: float, y1: float) -> dict:
        """Every request's complete bar and its faint preview, in the order the bars complete.

        A frame at time tau draws the complete bars of a prefix of this order
        and the previews of the rest, each as one slice of a prebuilt list;
        only the few bars in progress are drawn afresh.
        """
        def make():
            v, g = self._view(pol), self._geometry(y0, y1)
            its = v["s"].iterations
            order = sorted(v["recs"], key=lambda r: (its[r.release].end, r.request.id))
            done, flat, off, ghosts, goff, parts = [], [], [0], [], [0], []
            for r in order:
                end = its[r.release].end
                sc = Scene(W, H)
                parts.append(self._bar_parts(g, r, end, y0))
                self._bar(sc, parts[-1], end, self._x(g, end))
                flat += sc.items
                off.append(len(flat))
                ry, x0, xe, xr = parts[-1][0], parts[-1][7], parts[-1][9], parts[-1][10]
                gh = Scene(W, H)
                gh.rect(x0, ry, round(xe - x0, 1), g["hh"], fill="accent", alpha=0.12)
                if r.release > r.finish:
                    gh.rect(xe, ry, round(xr - xe, 1), g["hh"], fill="bad", alpha=0.1)
                ghosts += gh.items
                goff.append(len(ghosts))
                done.append(end)
            by_finish = sorted(v["recs"], key=lambda r: r.finish_time)
            by_start = sorted(v["recs"], key=lambda r: r.start_time)
            return {"parts": parts, "done": done, "flat": flat, "off": off, "ghosts": ghosts, "goff": goff,
                    "by_finish": by_finish, "finish": [r.finish_time for r in by_finish],
                    "by_start": by_start, "start": [r.start_time for r in by_start]}
        return self.cached(f"bars-{pol}-{y0}", make)

    def _draw_panel(self, sc: Scene, pol: str, tau: float, y0: float, y1: float, compact: bool,
                    live: bool = True) -> None:
        v = self._view(pol)
        s = v["s"]
        g = self._geometry(y0, y1)
        k = bisect_right(v["starts"], tau) - 1          # iteration in progress (or last)
        n = bisect_right(v["ends"], tau)
        pad = v["cum_pad"][n - 1] if n else 0
        returned = bisect_right(v["return_times"], tau)
        sc.text(CX0, y0 - 16, f"{POLICY_NAMES[pol]}: iteration {k + 1} of {len(s.iterations)}",
                size=F_HEAD, bold=True)
        sc.text(CX1, y0 - 16, f"{returned}/{len(v['recs'])} returned · {pad:,} padding slot-iterations",
                size=F_SMALL, fill="muted", align="r")
        sc.items.extend(self._panel_frame(pol, y0, y1, compact))

        bars = self._bars(pol, y0, y1)
        j = bisect_right(bars["done"], tau)             # bars complete by now
        sc.items.extend(bars["ghosts"][bars["goff"][j]:])
        sc.items.extend(bars["flat"][:bars["off"][j]])
        xt = round(self._x(g, tau), 1)
        for parts in bars["parts"][j:]:
            if parts[3] <= tau:
                self._bar(sc, parts, tau, xt)
        if live:
            flash = FLASH_S / PLAY_S * g["horizon"]
            half = g["gap"] + g["hh"] / 2
            # a green dot where a request produced its last token...
            for r in bars["by_finish"][bisect_right(bars["finish"], tau - flash):bisect_right(bars["finish"], tau)]:
                sc.circle(self._x(g, r.finish_time), y0 + r.slot * g["rh"] + half, min(4.5, g["hh"] / 2 + 1),
                          fill="good", stroke="bg")
            # ...and an arrow where the head of the queue enters a slot
            for r in bars["by_start"][bisect_right(bars["start"], tau - flash):bisect_right(bars["start"], tau)]:
                xs = self._x(g, r.start_time)
                if xs - CX0 > 12:
                    ry = y0 + r.slot * g["rh"] + half
                    sc.arrow(max(xs - 26, CX0), ry, xs - 1, ry, stroke="accent3", lw=2, head=min(7, g["rh"]))
        cx = self._x(g, tau)
        sc.line(cx, y0 - 4, cx, y1 + 2, stroke="ink", lw=1.5)

        # the queue: arrived, not yet admitted. Admission is first come, first served, so the
        # waiting requests are a run of consecutive ids.
        lo, hi = bisect_right(v["admit_times"], tau), bisect_right(v["arrivals"], tau)
        queues = self.cached(f"queue-{pol}-{y0}", dict)
        if (lo, hi) not in queues:
            queues[(lo, hi)] = self._queue(v["recs"][lo:hi], y0, y1, compact)
        sc.items.extend(queues[(lo, hi)])

    def _queue(self, waiting: list, y0: float, y1: float, compact: bool) -> list[dict]:
        """The queue column: its count, and a box per waiting request as far as they fit."""
        sc = Scene(W, H)
        sc.text(QX, y0 - 16, f"queue: {len(waiting)}", size=F_HEAD, bold=True)
        box_h = 17 if compact else 20
        fit = int((y1 - y0) // (box_h + 3))
        shown = waiting if len(waiting) <= fit else waiting[:fit - 1]
        for i, r in enumerate(shown):
            by = y0 + i * (box_h + 3)
            sc.rect(QX, by, QW, box_h, fill="panel", stroke="faint",
                    label=f"request {r.request.id}: waiting since {fmt_seconds(r.request.arrival)}")
            sc.text(QX + 5, by + box_h / 2, f"r{r.request.id}", size=F_SMALL, fill="ink", bold=True)
            sc.text(QX + QW - 5, by + box_h / 2, f"prompt {r.request.prompt}", size=F_SMALL,
                    fill="muted", align="r")
        if len(shown) < len(waiting):
            sc.text(QX + 5, y0 + len(shown) * (box_h + 3) + box_h / 2,
                    f"+{len(waiting) - len(shown)} more", size=F_SMALL, fill="muted")
        return sc.items

    def _legend(self, sc: Scene, y: float) -> None:
        items = [("accent3", 1.0, "prefill (first token)"), ("accent", 0.85, "decode: 1 token per iteration"),
                 ("bad", 0.3, "padding: done, slot held"), ("panel", 1.0, "empty"),
                 ("accent", 0.12, "still to come")]
        x = 20
        for fill, a, lab in items:
            sc.rect(x, y - 7, 14, 14, fill=fill, alpha=a, stroke="faint" if fill == "panel" else None)
            sc.text(x + 19, y, lab, size=F_TEXT, fill="ink")
            x += 19 + text_box(0, 0, lab, F_TEXT)[2] + 16

    def _story(self, pol: str) -> tuple[list[int], list[str]]:
        """Iterations where something happens, and the sentence for each."""
        def make():
            idx, lines = [], []
            for i in range(len(self._view(pol)["s"].iterations)):
                msg = self._describe(pol, i)
                if msg:
                    idx.append(i); lines.append(msg)
            return idx, lines
        return self.cached("story-" + pol, make)

    def _narrate(self, sc: Scene, pol: str, tau: float, y: float) -> None:
        v = self._view(pol)
        idx, lines = self._story(pol)
        j = bisect_right(idx, bisect_right(v["starts"], tau) - 1) - 1
        line = lines[j] if j >= 0 else "Requests arrive on the left and wait for a slot."
        sc.text(20, y, line, size=NARRATION_SIZE, fill="ink")

    def _describe(self, pol: str, i: int) -> str:
        """One sentence on what changed at the boundary before iteration ``i`` (empty if nothing did)."""
        v = self._view(pol)
        its = v["s"].iterations
        it = its[i]
        done = its[i - 1].finished if i else ()
        parts = []
        if pol == "continuous":
            parts += [f"request {rid} finished after {v['recs'][rid].request.output} tokens"
                      for rid, _ in done[:2]]
            parts += [f"slot {sl} admits request {rid}" for rid, sl in it.admitted[:3]]
        elif it.admitted:
            ids = [rid for rid, _ in it.admitted]
            end = v["recs"][ids[0]].release
            who = f"requests {ids[0]}–{ids[-1]}" if len(ids) > 1 else f"request {ids[0]}"
            if i:
                parts.append("the previous batch has handed back its responses")
            parts.append(f"a batch of {len(ids)} starts ({who}), held until iteration {end + 1}")
        elif done:
            rid, sl = done[-1]
            parts.append(f"request {rid} finished after {v['recs'][rid].request.output} tokens; slot {sl} "
                         f"idles as padding until iteration {v['recs'][rid].release + 1}")
        if not parts:
            return ""
        head = f"iteration {i + 1} ({fmt_seconds(it.start, 3) if it.start else '0 s'}): "
        while len(parts) > 1 and text_box(0, 0, head + "; ".join(parts), NARRATION_SIZE)[2] > W - 40:
            parts.pop(0)
        return head + "; ".join(parts)

    # -- telemetry ----------------------------------------------------------------

    def _live(self, pol: str, tau: float) -> dict:
        v = self._view(pol)
        c = self._consts()
        s = v["s"]
        k = bisect_right(v["starts"], tau) - 1
        n = bisect_right(v["ends"], tau)
        useful = v["cum_useful"][n - 1] if n else 0
        pad = v["cum_pad"][n - 1] if n else 0
        prefill = v["cum_prefill"][n - 1] if n else 0
        done = bisect_right(v["return_times"], tau)           # responses returned by now
        started = bisect_right(v["first_tokens"], tau)        # requests with a first token
        elapsed = min(tau, s.end)
        cached = s.iterations[k].cached_tokens if k >= 0 and tau < s.end else 0
        return {
            "iter": n, "total": len(s.iterations), "useful": useful, "pad": pad,
            "waste": pad / (useful + pad) if useful + pad else 0.0,
            "util": useful / (self["max_batch"] * n) if n else 0.0,
            "thr": useful / elapsed if elapsed > 0 else 0.0,
            "done": done, "n": len(v["recs"]),
            "mean_lat": v["lat_sum"][done] / done if done else 0.0,
            "p95_lat": v["lat_p95"][done],
            "ttft": v["ttft_sum"][started] / started if started else 0.0,
            "mfu": c["flop_token"] * (useful + prefill) / (elapsed * c["peak"]) if elapsed > 0 else 0.0,
            "kv": cached * c["kv_token"],
        }

    def _telemetry(self, pol: str, tau: float) -> list[dict]:
        L = self._live(pol, tau)
        c = self._consts()
        none = "none returned yet"
        return [
            metric("iteration", "iterations done", L["iter"], f"{L['iter']} of {L['total']}"),
            metric("tokens", "tokens generated", L["useful"], fmt_count(L["useful"]), "tokens"),
            metric("padding", "padding slot-iterations", L["pad"],
                   f"{fmt_count(L['pad'])} ({_pct(L['waste'])})", "slot-iterations",
                   help="Rows computed for requests that had already finished, and their share of all rows computed."),
            metric("throughput", "throughput", L["thr"], fmt_rate(L["thr"], "tok/s"), "tokens/s",
                   help="Kept tokens per second of simulated time so far."),
            metric("finished", "responses returned", L["done"], f"{L['done']} of {L['n']}"),
            metric("mean_latency", "mean latency", L["mean_lat"],
                   fmt_seconds(L["mean_lat"]) if L["done"] else none, "s",
                   help="Arrival to the complete response, over returned requests."),
            metric("p95_latency", "p95 latency", L["p95_lat"],
                   fmt_seconds(L["p95_lat"]) if L["done"] else none, "s"),
            metric("ttft", "mean time to first token", L["ttft"],
                   fmt_seconds(L["ttft"]) if L["ttft"] else "no first token yet", "s"),
            metric("slot_util", "slot utilisation", L["util"], _pct(L["util"]), "fraction",
                   help="Kept tokens ÷ (slots × iterations)."),
            metric("mfu", "compute utilisation", L["mfu"], _pct(L["mfu"]), "fraction",
                   help="2 FLOPs per multiplied weight per processed token ÷ (elapsed × peak FLOP/s)."),
            metric("kv", "KV cache in use", L["kv"], fmt_bytes(L["kv"]), "bytes"),
            metric("kv_limit", "slots if each reserves full context", c["kv_limit"],
                   f"{c['kv_limit']} slots", "slots",
                   help=f"(HBM − weights) ÷ KV cache of one {c['model'].max_context:,}-token sequence."),
        ]

    def _compare_telemetry(self, tau: float) -> list[dict]:
        out = []
        lives = {p: self._live(p, tau) for p in ("static", "continuous")}
        for p in ("static", "continuous"):
            L = lives[p]
            out += [
                metric(f"{p}_throughput", f"{p}: throughput", L["thr"], fmt_rate(L["thr"], "tok/s"), "tokens/s"),
                metric(f"{p}_padding", f"{p}: padding", L["waste"], _pct(L["waste"]), "fraction"),
                metric(f"{p}_finished", f"{p}: returned", L["done"], f"{L['done']} of {L['n']}"),
                metric(f"{p}_p95", f"{p}: p95 latency", L["p95_lat"],
                       fmt_seconds(L["p95_lat"]) if L["done"] else "none returned yet", "s"),
            ]
        st, co = self._view("static")["stats"], self._view("continuous")["stats"]
        out.append(metric("speedup", "continuous ÷ static throughput, whole run",
                          co.throughput / st.throughput, f"{co.throughput / st.throughput:.2f}×", "ratio"))
        return out

    # -- sweep ------------------------------------------------------------------------

    def _draw_sweep(self, sc: Scene, t: float) -> list[dict]:
        shown = self._sweep_shown(t)
        sc.items.extend(self.cached(f"sweep-scene-{shown}", lambda: self._sweep_scene(shown)))
        c = self._consts()
        lim = c["kv_limit"]
        b = self["max_batch"]
        if b in SWEEP_BATCHES:
            cur = self._sweep_row(b)
        else:
            cur = {pol: self._view(pol)["stats"] for pol in ("static", "continuous")}
        return [
            metric("b", "max batch size", b, str(b), "slots"),
            metric("continuous_throughput", "continuous: throughput", cur["continuous"].throughput,
                   fmt_rate(cur["continuous"].throughput, "tok/s"), "tokens/s"),
            metric("static_throughput", "static: throughput", cur["static"].throughput,
                   fmt_rate(cur["static"].throughput, "tok/s"), "tokens/s"),
            metric("continuous_p95", "continuous: p95 latency", cur["continuous"].p95_latency,
                   fmt_seconds(cur["continuous"].p95_latency), "s"),
            metric("static_p95", "static: p95 latency", cur["static"].p95_latency,
                   fmt_seconds(cur["static"].p95_latency), "s"),
            metric("kv_limit", "slots if each reserves full context", lim, f"{lim} slots", "slots",
                   help=f"(HBM − weights) ÷ KV cache of one {c['model'].max_context:,}-token sequence."),
        ]

    def _sweep_scene(self, shown: int) -> list[dict]:
        """The two sweep plots with their first ``shown`` points."""
        sc = Scene(W, H)
        c = self._consts()
        rows = [self._sweep_row(b) for b in SWEEP_BATCHES[:shown]]
        xlim = (0, math.log2(SWEEP_BATCHES[-1]))
        xticks = [math.log2(b) for b in SWEEP_BATCHES]
        lim = c["kv_limit"]
        plots = (
            ("throughput", "throughput (tokens/s)", 80, lambda v: fmt_rate(v, "", 2).strip()),
            ("p95_latency", "p95 latency (s)", 560, lambda v: fmt_seconds(v, 2) if v else "0"),
        )
        y0, ph, pw = 104, 320, 350
        for attr, ylabel, x0, yfmt in plots:
            vmax = max(getattr(r[p], attr) for r in rows for p in ("static", "continuous"))
            step = _nice_step(vmax, 4)
            top = step * math.ceil(vmax * 1.05 / step)
            fx, fy = sc.axes(x0, y0, pw, ph, xlim, (0, top), xlabel="max batch size (slots, log scale)",
                             ylabel=ylabel, xticks=xticks, tick_fmt=lambda v: str(round(2 ** v)), size=F_SMALL)
            k = 0
            while k * step <= top * 1.0001:
                yv = k * step
                sc.line(x0 - 4, fy(yv), x0, fy(yv), stroke="muted")
                sc.line(x0, fy(yv), x0 + pw, fy(yv), stroke="grid", lw=0.8)
                sc.text(x0 - 6, fy(yv), yfmt(yv), size=F_SMALL, fill="muted", align="r")
                k += 1
            if 1 <= lim <= SWEEP_BATCHES[-1]:
                xl = fx(math.log2(lim))
                sc.line(xl, y0, xl, y0 + ph, stroke="bad", lw=1.2, dash=[5, 4])
                left = math.log2(lim) > 3
                sc.text(xl - 5 if left else xl + 5, y0 + 12, f"KV limit: {lim} slots", size=F_SMALL,
                        fill="bad", align="r" if left else "l")
            bx = fx(math.log2(self["max_batch"]))
            sc.line(bx, y0, bx, y0 + ph, stroke="faint", lw=6, alpha=0.6)
            for pol, col in (("static", "accent2"), ("continuous", "accent")):
                pts = [(fx(math.log2(r["b"])), fy(getattr(r[pol], attr))) for r in rows]
                if len(pts) > 1:
                    sc.path(pts, stroke=col, lw=2)
                for r, (px, py) in zip(rows, pts):
                    # beyond the KV limit a full-context reservation per slot would not fit
                    sc.circle(px, py, 3.5, fill=col, alpha=1.0 if r["b"] <= lim else 0.35)
        ly = 506
        x = 20
        for mark, col, lab in (("line", "accent", "continuous"), ("line", "accent2", "static"),
                               ("band", "faint", f"max batch now: {self['max_batch']}"),
                               ("dash", "bad", f"KV full if every slot holds {c['model'].max_context:,} tokens")):
            if mark == "line":
                sc.rect(x, ly - 2, 16, 4, fill=col)
            elif mark == "band":
                sc.rect(x + 5, ly - 7, 6, 14, fill=col)
            else:
                sc.line(x, ly, x + 16, ly, stroke=col, dash=[5, 4])
            sc.text(x + 22, ly, lab, size=F_TEXT, fill="bad" if mark == "dash" else "ink")
            x += 22 + text_box(0, 0, lab, F_TEXT)[2] + 22
        last = rows[-1]
        sc.text(20, 548, f"max batch {last['b']}: continuous {fmt_rate(last['continuous'].throughput, 'tok/s')}, "
                         f"static {fmt_rate(last['static'].throughput, 'tok/s')}; p95 latency "
                         f"{fmt_seconds(last['continuous'].p95_latency)} vs {fmt_seconds(last['static'].p95_latency)}",
                size=NARRATION_SIZE)
        sc.text(20, 574, "Each point is a whole run of the same requests; every iteration lasts its "
                         "memory-or-arithmetic floor.", size=F_TEXT, fill="muted")
        return sc.items

    # -- console ----------------------------------------------------------------------

    def events(self, t0: float, t1: float) -> list[dict]:
        if self.submode == "sweep":
            out = []
            for i, b in enumerate(SWEEP_BATCHES):
                at = i * SWEEP_STEP_S
                if t0 < at <= t1 or (i == 0 and t0 < 0):
                    r = self._sweep_row(b)
                    out.append({"level": "info", "text": (
                        f"max batch {r['b']}: continuous {fmt_rate(r['continuous'].throughput, 'tok/s')} "
                        f"(p95 {fmt_seconds(r['continuous'].p95_latency)}), static "
                        f"{fmt_rate(r['static'].throughput, 'tok/s')} (p95 {fmt_seconds(r['static'].p95_latency)})")})
            return out
        tau0 = self._tau(t0) if t0 >= 0 else -1.0
        tau1 = self._tau(t1)
        out = []
        for pol in self._policies():
            v = self._view(pol)
            lo = bisect_right(v["starts"], tau0)
            hi = bisect_right(v["starts"], tau1)
            idx, lines = self._story(pol)
            prefix = f"[{pol}] " if self.submode == "compare" else ""
            for j in range(bisect_right(idx, lo - 1), bisect_right(idx, hi - 1)):
                out.append({"level": "info", "text": prefix + lines[j]})
            end = v["s"].end
            if tau0 < end <= tau1:
                st = v["stats"]
                out.append({"level": "info", "text": (
                    f"{POLICY_NAMES[pol]} done: {st.useful} tokens in {fmt_seconds(st.duration)}, "
                    f"{fmt_rate(st.throughput, 'tok/s')}, padding {_pct(st.padding_fraction)}, "
                    f"p95 latency {fmt_seconds(st.p95_latency)}")})
        if len(out) > MAX_EVENTS:
            out = out[:MAX_EVENTS - 1] + [{"level": "info", "text": f"… and {len(out) - MAX_EVENTS + 1} more events"}]
        return out
