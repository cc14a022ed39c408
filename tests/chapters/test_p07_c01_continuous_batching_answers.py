"""Chapter p07-c01's answers against independent oracles: arithmetic written out, numpy and heaps."""
import heapq
import math
from statistics import NormalDist

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.calc.batching import (batching_schedule, iteration_cost_model, make_workload, schedule_stats)

A = answers_for("p07-c01-continuous-batching")


def val(name):
    return A[name]().value


# Llama 3 8B (config.json: hidden 4096, 32 layers, 32 query and 8 KV heads of width 128,
# FFN 14336, vocabulary 128256, untied embeddings) on an H100 SXM (datasheet: 80 GB HBM3 at
# 3.35 TB/s, 989.4 dense BF16 TFLOP/s).
H, L, KV, HD, FFN, V = 4096, 32, 8, 128, 14336, 128256
N = L * (2 * H * H + 2 * H * KV * HD + 3 * H * FFN + 2 * H) + 2 * V * H + H
HBM, BW, PEAK = 80e9, 3.35e12, 989.4e12
KV_TOKEN = 2 * L * KV * HD * 2                     # K and V, every layer, 2 bytes each
MULTIPLIED = N - V * H                             # the input table is looked up: not read whole, not multiplied
STREAMED = MULTIPLIED * 2                          # bytes of weights one iteration reads


def iteration(rows, ctx, prefill):
    return max((STREAMED + ctx * KV_TOKEN) / BW, 2 * MULTIPLIED * (rows + prefill) / PEAK)



def test_the_machine_and_the_model():
    assert val("weights_read") == pytest.approx(STREAMED) and A["weights_read"]().text == "15.0 GB"
    assert val("bw") == BW and val("peak") == PEAK
    assert val("kv_batch8") == 8 * 320 * KV_TOKEN
    assert val("free_hbm") == HBM - 2 * N


def test_batching_is_nearly_free_when_decode_is_memory_bound():
    assert N == 8_030_261_248
    one, eight = iteration(1, 320, 0), iteration(8, 8 * 320, 0)
    assert val("step_b1") == pytest.approx(one) and A["step_b1"]().text == "4.49 ms"
    assert val("tok_s_b1") == pytest.approx(1 / one)
    assert val("step_b8") == pytest.approx(eight)
    assert val("tok_s_b8") == pytest.approx(8 / eight)
    assert val("tok_s_b8") > 7.5 * val("tok_s_b1")          # eight rows for ~2 % more time
    assert val("mfu_b8") == pytest.approx(2 * MULTIPLIED * 8 / (eight * PEAK))


def test_one_static_batch_of_four():
    out = np.array([10, 40, 25, 100])
    assert val("four_iters") == out.max() == 100
    assert val("four_useful") == out.sum() == 175
    assert val("four_padding") == 4 * out.max() - out.sum() == 225
    assert val("four_waste") == pytest.approx(225 / 400)


def test_eight_requests_on_four_slots():
    out = [10, 40, 25, 100, 30, 60, 15, 20]
    batches = np.array(out).reshape(2, 4)
    ends = np.cumsum(batches.max(axis=1))              # 100, 160
    assert val("eight_static_iters") == ends[-1] == 160
    # static: every response leaves when its batch ends
    assert val("eight_static_lat") == pytest.approx(np.repeat(ends, 4).mean()) == 130
    # continuous: each request takes the slot that frees first (ties: lowest slot)
    heap = [(0, s) for s in range(4)]
    finishes = []
    for o in out:
        t, s = heapq.heappop(heap)
        finishes.append(t + o)
        heapq.heappush(heap, (t + o, s))
    assert val("eight_cont_iters") == max(finishes) == 100
    assert val("eight_cont_lat") == pytest.approx(np.mean(finishes)) == 51.875
    assert val("eight_speedup") == pytest.approx(160 / 100)


def test_prefill_hides_under_the_weight_read_until_it_is_long():
    floor = STREAMED / BW
    assert val("prefill_one") == pytest.approx(max(floor, 2 * MULTIPLIED * 256 / PEAK)) == pytest.approx(floor)
    assert val("prefill_one_math") == pytest.approx(2 * MULTIPLIED * 256 / PEAK)
    assert val("prefill_one_math") < floor
    assert val("prefill_batch") == pytest.approx(2 * MULTIPLIED * 2048 / PEAK)
    assert val("prefill_steps") == pytest.approx((2 * MULTIPLIED * 2048 / PEAK) / iteration(1, 320, 0))
    assert val("prefill_crossover") == pytest.approx(floor * PEAK / (2 * MULTIPLIED))
    assert 256 < val("prefill_crossover") < 300


def test_the_kv_cache_caps_the_batch():
    assert val("kv_token") == KV_TOKEN == 131_072
    assert val("kv_full_slot") == 8192 * KV_TOKEN
    free = HBM - 2 * N
    assert val("slots_full") == math.floor(free / (8192 * KV_TOKEN)) == 59
    assert val("slots_used") == math.floor(free / (320 * KV_TOKEN))
    assert val("slots_ratio") == pytest.approx(val("slots_used") / 59) and A["slots_ratio"]().text == "26"
    # Llama 2 13B (config.json: hidden 5120, 40 layers, 40 heads of 128, FFN 13824, vocabulary 32000,
    # full multi-head attention, 4096-token context)
    h, layers, heads, ffn, vocab = 5120, 40, 40, 13824, 32000
    n13 = layers * (4 * h * h + 3 * h * ffn + 2 * h) + 2 * vocab * h + h
    kv13 = 2 * layers * heads * 128 * 2
    assert val("kv13_token") == kv13 == 819_200
    assert val("slots13_full") == math.floor((HBM - 2 * n13) / (4096 * kv13)) == 16
    assert val("slots13_used") == math.floor((HBM - 2 * n13) / (320 * kv13))


def _sweep_outputs():
    # 64 log-normal quantiles with mean 64 tokens and log-sd 1 (the sweep's workload)
    mu = math.log(64) - 0.5
    q = np.array([NormalDist().inv_cdf((i + 0.5) / 64) for i in range(64)])
    return np.clip(np.round(np.exp(mu + q)), 1, 1024)


def test_the_sweep_cannot_beat_its_longest_request():
    out = _sweep_outputs()
    floor = STREAMED / BW
    assert val("sweep_tokens") == out.sum()
    assert val("sweep_longest") == out.max()
    assert val("sweep_tail") == pytest.approx(out.max() * floor)
    assert val("sweep_cap") == pytest.approx(out.sum() / (out.max() * floor))
    reqs = make_workload(n=64, rate=400, spread=1.0, seed=1, mean_output=64, mean_prompt=256)
    cost = iteration_cost_model("llama-3-8b", "h100-sxm")
    for b in (32, 64):
        thr = schedule_stats(batching_schedule("continuous", reqs, b, cost)).throughput
        assert val(f"sweep_b{b}") == pytest.approx(thr)
        assert thr < val("sweep_cap")
    assert abs(val("sweep_b64") - val("sweep_b32")) < 0.02 * val("sweep_b32")


def _stats(policy, spread=1.0):
    reqs = make_workload(n=32, rate=40, spread=spread, seed=1, mean_output=64, mean_prompt=256)
    return schedule_stats(batching_schedule(policy, reqs, 8, iteration_cost_model("llama-3-8b", "h100-sxm")))


def test_the_simulations_default_workload():
    st, co = _stats("static"), _stats("continuous")
    assert val("sim_static_thr") == pytest.approx(st.useful / st.duration)
    assert val("sim_cont_thr") == pytest.approx(co.useful / co.duration)
    assert val("sim_speedup") == pytest.approx(co.throughput / st.throughput)
    assert val("sim_static_waste") == pytest.approx(st.padding / (st.padding + st.useful))
    assert val("sim_static_p95") == pytest.approx(st.p95_latency)
    assert val("sim_cont_p95") == pytest.approx(co.p95_latency)
    assert val("sim_cont_p95") < val("sim_static_p95")
    # on the slower A100 (2.039 TB/s) the gap widens
    a100 = [schedule_stats(batching_schedule(
        p, make_workload(n=32, rate=40, spread=1.0, seed=1, mean_output=64, mean_prompt=256), 8,
        iteration_cost_model("llama-3-8b", "a100-80gb-sxm"))).throughput for p in ("static", "continuous")]
    assert val("a100_speedup") == pytest.approx(a100[1] / a100[0])
    assert val("a100_speedup") > val("sim_speedup")
    # and it grows with the load
    ratios = []
    for rate in (10, 200):
        reqs = make_workload(n=32, rate=rate, spread=1.0, seed=1, mean_output=64, mean_prompt=256)
        st_, co_ = (schedule_stats(batching_schedule(p, reqs, 8, iteration_cost_model("llama-3-8b", "h100-sxm")))
                    for p in ("static", "continuous"))
        ratios.append(co_.throughput / st_.throughput)
    assert (val("slow_speedup"), val("busy_speedup")) == pytest.approx(tuple(ratios))
    assert val("slow_speedup") < val("sim_speedup") < val("busy_speedup")


def test_equal_lengths_remove_padding_but_not_the_wait():
    st, co = _stats("static", 0.0), _stats("continuous", 0.0)
    assert val("even_static_padding") == st.padding == 0
    assert val("even_static_thr") == pytest.approx(st.throughput)
    assert val("even_cont_thr") == pytest.approx(co.throughput)
    assert val("even_cont_thr") > val("even_static_thr")


# -- an independent event simulation of both engines, with the iteration time written out above --

def simulate(policy, reqs, slots, step=iteration):
    """Run the requests (id, arrival, prompt, output) through a static or continuous engine.

    Returns (latencies, useful tokens, padding slot-iterations, end time). A static engine takes
    up to ``slots`` arrived requests when idle and runs them all until the longest is done, every
    row computed; a continuous engine refills free slots at every iteration, first come first
    served. A decode row attends to its prompt and the tokens it has generated so far.
    """
    reqs = sorted(reqs, key=lambda r: (r[1], r[0]))
    t, i, latency, padding = 0.0, 0, {}, 0
    if policy == "static":
        while i < len(reqs):
            if reqs[i][1] > t:
                t = reqs[i][1]
            batch = [r for r in reqs[i:i + slots] if r[1] <= t]
            i += len(batch)
            longest = max(r[3] for r in batch)
            prompts = sum(r[2] for r in batch)
            t += step(0, 0, prompts)
            for k in range(1, longest):
                t += step(len(batch), prompts + k * len(batch), 0)
            for r in batch:
                latency[r[0]] = t - r[1]
            padding += len(batch) * longest - sum(r[3] for r in batch)
    else:
        active = []                                   # [request, tokens generated]
        while i < len(reqs) or active:
            while len(active) < slots and i < len(reqs) and reqs[i][1] <= t:
                active.append([reqs[i], 0])
                i += 1
            if not active:
                t = reqs[i][1]
                continue
            decoding = [a for a in active if a[1] > 0]
            t += step(len(decoding), sum(a[0][2] + a[1] for a in decoding),
                      sum(a[0][2] for a in active if a[1] == 0))
            for a in active:
                a[1] += 1
                if a[1] == a[0][3]:
                    latency[a[0][0]] = t - a[0][1]
            active = [a for a in active if a[1] < a[0][3]]
    useful = sum(r[3] for r in reqs)
    return list(latency.values()), useful, padding, t - reqs[0][1]


def _default_workload(spread=1.0, rate=40):
    return [(r.id, r.arrival, r.prompt, r.output) for r in
            make_workload(n=32, rate=rate, spread=spread, seed=1, mean_output=64, mean_prompt=256)]


@pytest.mark.parametrize("policy", ["static", "continuous"])
def test_the_simulation_answers_match_an_independent_event_simulation(policy):
    lat, useful, pad, duration = simulate(policy, _default_workload(), 8)
    thr = useful / duration
    key = {"static": "static", "continuous": "cont"}[policy]
    assert val(f"sim_{key}_thr") == pytest.approx(thr, rel=1e-9)
    assert val(f"sim_{key}_p95") == pytest.approx(np.percentile(lat, 95, method="inverted_cdf"), rel=1e-9)
    if policy == "static":
        assert val("sim_static_waste") == pytest.approx(pad / (pad + useful))
    even = simulate(policy, _default_workload(spread=0.0), 8)
    assert val(f"even_{key}_thr") == pytest.approx(even[1] / even[3], rel=1e-9)
    if policy == "static":
        assert val("even_static_padding") == even[2] == 0


def test_speedups_match_the_independent_simulation():
    def ratio(rate=40, step=iteration):
        st, co = (simulate(p, _default_workload(rate=rate), 8, step) for p in ("static", "continuous"))
        return (co[1] / co[3]) / (st[1] / st[3])
    assert val("sim_speedup") == pytest.approx(ratio(), rel=1e-9)
    assert val("slow_speedup") == pytest.approx(ratio(rate=10), rel=1e-9)
    assert val("busy_speedup") == pytest.approx(ratio(rate=200), rel=1e-9)
    a100_bw, a100_peak = 2.039e12, 312e12              # A100 80GB SXM datasheet, dense BF16

    def a100(rows, ctx, prefill):
        return max((STREAMED + ctx * KV_TOKEN) / a100_bw, 2 * MULTIPLIED * (rows + prefill) / a100_peak)
    assert val("a100_speedup") == pytest.approx(ratio(step=a100), rel=1e-9)


def test_sorting_by_length_with_numpy():
    fifo = np.array([10, 40, 25, 100, 30, 60, 15, 20]).reshape(2, 4)
    srt = np.sort(fifo.ravel())[::-1].reshape(2, 4)
    for order, pad, waste in ((fifo, "fifo_padding", "fifo_waste"), (srt, "sorted_padding", "sorted_waste")):
        rows = 4 * order.max(axis=1).sum()
        assert val(pad) == rows - order.sum()
        assert val(waste) == pytest.approx((rows - order.sum()) / rows)
    assert (val("fifo_padding"), val("sorted_padding"), val("sorted_iters")) == (340, 200, 125)


def test_the_workload_and_small_ratios():
    assert (val("mean_output"), val("mean_prompt"), val("context"), val("sweep_requests")) == (64, 256, 320, 64)
    assert val("kv_b1") == 320 * KV_TOKEN
    assert val("b8_extra_time") == pytest.approx(iteration(8, 8 * 320, 0) / iteration(1, 320, 0) - 1)
    assert 0.01 < val("b8_extra_time") < 0.03


def test_every_answer_is_used_and_every_used_answer_exists():
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "chapters" / "p07-c01-continuous-batching.md").read_text()
    used = set(re.findall(r"\{ans\}`([a-z0-9_]+)`", text))
    assert used == set(A), (used - set(A), set(A) - used)
