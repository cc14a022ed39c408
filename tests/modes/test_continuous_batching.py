"""The batching workshop shows the schedules llmviz.calc.batching computes, at the right moment."""
import re

import pytest

from llmviz.calc.batching import (batching_schedule, iteration_cost_model, make_workload,
                                  schedule_stats)
from llmviz.calc.decode import decode_step_lower_bound
from llmviz.calc.kv_fit import max_batch_that_fits
from llmviz.modes.part07_serving.continuous_batching import (MAX_EVENTS, MEAN_OUTPUT, MEAN_PROMPT, PLAY_S, QX,
                                                             PROMPT_SPREAD, SEED, SWEEP_STEP_S,
                                                             ContinuousBatchingMode)
from llmviz.units import fmt_seconds

END = PLAY_S + 1.0


def _schedule(policy, max_batch=8, n=32, rate=40.0, spread=1.0, model="llama-3-8b", gpu="h100-sxm"):
    reqs = make_workload(n=n, rate=rate, spread=spread, seed=SEED, mean_output=MEAN_OUTPUT,
                         mean_prompt=MEAN_PROMPT, prompt_spread=PROMPT_SPREAD)
    return batching_schedule(policy, reqs, max_batch, iteration_cost_model(model, gpu))


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _rects(frame, prefix):
    return [it for it in frame["scene"]["items"] if it["k"] == "rect" and it.get("label", "").startswith(prefix)]


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


@pytest.mark.parametrize("policy", ["static", "continuous"])
def test_end_state_telemetry_is_the_calculated_schedule(policy):
    f = ContinuousBatchingMode(submode=policy).frame(END)
    s = _schedule(policy)
    st = schedule_stats(s)
    tel = _tel(f)
    assert tel["tokens"]["value"] == sum(r.request.output for r in s.records) == st.useful
    assert tel["padding"]["value"] == s.padding
    assert tel["iteration"]["value"] == len(s.iterations)
    assert tel["throughput"]["value"] == pytest.approx(st.throughput)
    assert tel["p95_latency"]["value"] == pytest.approx(st.p95_latency)
    assert tel["mean_latency"]["value"] == pytest.approx(st.mean_latency)
    assert tel["finished"]["value"] == 32
    assert tel["slot_util"]["value"] == pytest.approx(st.slot_utilisation)
    assert tel["kv_limit"]["value"] == max_batch_that_fits("llama-3-8b", "h100-sxm", context=8192) == 59


def test_static_pads_and_continuous_does_not():
    st, co = (ContinuousBatchingMode(submode=p).frame(END) for p in ("static", "continuous"))
    s = _schedule("static")
    held = [r for r in s.records if r.release > r.finish]
    assert held and len(_rects(st, "padding:")) == len(held)
    assert not _rects(co, "padding:")
    assert _tel(co)["padding"]["value"] == 0
    assert _tel(co)["throughput"]["value"] > 1.5 * _tel(st)["throughput"]["value"]


def test_padding_vanishes_when_every_request_has_the_same_length():
    m = ContinuousBatchingMode(submode="static", values={"spread": 0})
    f = m.frame(END)
    assert _tel(f)["padding"]["value"] == 0
    assert not _rects(f, "padding:")


def test_bars_grow_with_time_and_the_end_state_holds():
    m = ContinuousBatchingMode(submode="continuous")
    s = _schedule("continuous")
    counts = []
    for t in (0.5, 1.7, 4.0, 9.3):
        tau = t / PLAY_S * s.end
        f = m.frame(t)
        started = sum(1 for r in s.records if r.start_time <= tau)
        assert len([x for x in _rects(f, "request") if "prefill" in x["label"]]) == started
        counts.append(started)
    assert counts == sorted(counts) and counts[0] < counts[-1]
    a, b = m.frame(END), m.frame(30.0)
    assert a["scene"] == b["scene"] and a["telemetry"] == b["telemetry"]


def test_queue_shows_the_requests_that_arrived_and_wait():
    m = ContinuousBatchingMode(submode="static")
    s = _schedule("static")
    for t in (1.7, 4.0, 9.3):
        tau = t / PLAY_S * s.end
        waiting = sorted(r.request.id for r in s.records if r.request.arrival <= tau < r.start_time)
        f = m.frame(t)
        texts = _texts(f)
        assert f"queue: {len(waiting)}" in texts
        # the queue column: each waiting request's id and its prompt length
        queue = [it["s"] for it in f["scene"]["items"] if it["k"] == "text" and it["x"] == QX + 5]
        listed = [int(x[1:]) for x in queue if re.fullmatch(r"r\d+", x)]
        prompts = [int(it["s"].split()[1]) for it in f["scene"]["items"]
                   if it["k"] == "text" and re.fullmatch(r"prompt \d+", it["s"])]
        assert prompts == [s.record(i).request.prompt for i in listed]
        more = [int(x.split()[0][1:]) for x in texts if re.fullmatch(r"\+\d+ more", x)]
        assert listed == waiting[:len(listed)]
        assert len(listed) + sum(more) == len(waiting)


def test_console_narrates_admissions_as_the_schedule_made_them():
    m = ContinuousBatchingMode(submode="continuous")
    s = _schedule("continuous")
    lines = []
    t = 0.0
    while t <= END:
        lines += [e["text"] for e in m.frame(t)["console"]]
        t += 0.04
    admits = []
    for line in lines:
        it = int(re.match(r"iteration (\d+)", line).group(1)) if line.startswith("iteration") else None
        for slot, rid in re.findall(r"slot (\d+) admits request (\d+)", line):
            rec = s.record(int(rid))
            assert (rec.slot, rec.admit + 1) == (int(slot), it)
            admits.append(int(rid))
        for rid, n in re.findall(r"request (\d+) finished after (\d+) tokens", line):
            assert s.record(int(rid)).request.output == int(n)
    assert len(set(admits)) >= 0.9 * len(s.records)
    assert sum("continuous batching done" in x for x in lines) == 1


def test_a_long_jump_is_summarised():
    m = ContinuousBatchingMode(submode="compare")
    m.frame(0.0)
    out = m.frame(END)["console"]
    assert len(out) == MAX_EVENTS and out[-1]["text"].startswith("… and ")


def test_compare_puts_both_schedulers_on_one_clock():
    f = ContinuousBatchingMode(submode="compare").frame(END)
    st, co = schedule_stats(_schedule("static")), schedule_stats(_schedule("continuous"))
    tel = _tel(f)
    assert tel["speedup"]["value"] == pytest.approx(co.throughput / st.throughput)
    assert tel["static_throughput"]["value"] == pytest.approx(st.throughput)
    assert tel["continuous_p95"]["value"] == pytest.approx(co.p95_latency)
    heads = [x for x in _texts(f) if " batching: iteration " in x]
    assert heads == [f"static batching: iteration {st.iterations} of {st.iterations}",
                     f"continuous batching: iteration {co.iterations} of {co.iterations}"]


def test_sweep_reveals_points_computed_by_calc_and_marks_the_kv_limit():
    m = ContinuousBatchingMode(submode="sweep", values={"model": "llama-2-13b"})
    assert m["rate"] == 400 and m["requests"] == 64
    early, late = m.frame(0.0), m.frame(30.0)
    circles = lambda f: [it for it in f["scene"]["items"] if it["k"] == "circle"]
    # a point per scheduler on each of the two plots
    assert len(circles(early)) == 4 and len(circles(late)) == 28
    assert len(circles(m.frame(2 * SWEEP_STEP_S + 0.1))) == 12
    lim = max_batch_that_fits("llama-2-13b", "h100-sxm", context=4096)
    assert f"KV limit: {lim} slots" in _texts(late)
    faded = [c for c in circles(late) if c.get("a", 1) < 1]
    assert len(faded) == 4 * sum(1 for b in (1, 2, 4, 8, 16, 32, 64) if b > lim)
    tel = _tel(late)
    for pol in ("static", "continuous"):
        st = schedule_stats(_schedule(pol, n=64, rate=400.0, model="llama-2-13b"))
        assert tel[f"{pol}_throughput"]["value"] == pytest.approx(st.throughput)
        assert tel[f"{pol}_p95"]["value"] == pytest.approx(st.p95_latency)


def test_model_and_gpu_set_the_iteration_time():
    for model, gpu in (("llama-3-8b", "h100-sxm"), ("llama-2-13b", "a100-80gb-sxm")):
        f = ContinuousBatchingMode(submode="continuous", values={"model": model, "gpu": gpu}).frame(END)
        floor = decode_step_lower_bound(model, gpu, "bf16", batch=1, context=0)
        assert any(f"iteration ≥ {fmt_seconds(floor)}" in x for x in _texts(f))
        st = schedule_stats(_schedule("continuous", model=model, gpu=gpu))
        assert _tel(f)["throughput"]["value"] == pytest.approx(st.throughput)
    fast = _tel(ContinuousBatchingMode(submode="continuous").frame(END))["throughput"]["value"]
    slow = _tel(ContinuousBatchingMode(submode="continuous",
                                       values={"gpu": "a100-80gb-sxm"}).frame(END))["throughput"]["value"]
    assert slow < fast


def test_more_slots_more_rows():
    f = ContinuousBatchingMode(submode="continuous", values={"max_batch": 16}).frame(4.0)
    assert "slot 15" in _texts(f)
    f = ContinuousBatchingMode(submode="continuous", values={"max_batch": 64}).frame(4.0)
    labels = [x for x in _texts(f) if x.startswith("slot ")]
    assert "slot 0" in labels and 4 <= len(labels) < 64      # thinned so labels never touch


@pytest.mark.parametrize("values", [
    {"max_batch": 1}, {"max_batch": 64, "requests": 64}, {"max_batch": 3, "requests": 64, "rate": 2},
    {"spread": 1.5, "rate": 400}, {"spread": 0, "model": "opt-13b", "gpu": "mi300x"},
])
def test_labels_fit_at_the_extremes_of_every_control(values):
    from tooling import label_problems
    for sub in ContinuousBatchingMode.submodes:
        m = ContinuousBatchingMode(submode=sub, values=values)
        for t in (0.0, 1.7, 4.0, 9.3, END):
            assert not label_problems(m.frame(t)), (sub, values, t, label_problems(m.frame(t))[:2])
