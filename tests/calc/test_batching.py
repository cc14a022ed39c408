"""Static vs continuous batching schedules, checked against independent brute-force oracles."""
import heapq

import numpy as np
import pytest

from llmviz.calc.batching import (
    EMPTY, Request, batching_schedule, continuous_batching_schedule, lognormal_lengths,
    make_workload, percentile, schedule_stats, static_batching_schedule,
)

OUTPUTS = [5, 1, 9, 3, 3, 12, 2, 7, 4, 4, 8, 1, 6]


def _at_zero(outputs, prompt=10):
    return [Request(i, 0.0, prompt, o) for i, o in enumerate(outputs)]


def _tick_oracle(arrivals, outputs, B, policy):
    """Clock-tick simulation with integer arrivals and one time unit per iteration.

    Returns per request its start tick, the tick its last token is done, and
    the tick its response leaves (for static batching, when its whole batch is
    done). A tick with nothing to run passes idle, as an engine waiting for
    the next arrival does.
    """
    n = len(outputs)
    queue = sorted(range(n), key=lambda i: (arrivals[i], i))
    left = list(outputs)
    slots = [None] * B          # who holds each slot (static: finished members too)
    start, finish, leave = {}, {}, {}
    t = 0
    while len(finish) < n:
        if policy == "continuous":
            for i in slots:
                if i in finish:
                    leave[i] = finish[i]
            slots = [None if i in finish else i for i in slots]
        elif all(i is None or i in finish for i in slots):
            for i in slots:
                if i is not None:
                    leave[i] = t
            slots = [None] * B
        if policy == "continuous" or all(i is None for i in slots):
            for s in range(B):
                ready = [i for i in queue if arrivals[i] <= t]
                if slots[s] is None and ready:
                    queue.remove(ready[0])
                    slots[s] = ready[0]
                    start[ready[0]] = t
        for i in slots:
            if i is not None and i not in finish:
                left[i] -= 1
                if left[i] == 0:
                    finish[i] = t + 1
        t += 1
    for i in slots:
        if i is not None:
            leave[i] = finish[i] if policy == "continuous" else max(finish[j] for j in slots if j is not None)
    return start, finish, leave


def test_every_output_token_is_useful_work_and_the_slots_add_up():
    reqs = _at_zero(OUTPUTS)
    for policy in ("static", "continuous"):
        for B in (1, 3, 4, 13, 20):
            s = batching_schedule(policy, reqs, B)
            assert s.useful == sum(OUTPUTS)
            assert s.useful + s.padding + s.empty == B * len(s.iterations)
            # each request produced exactly its output length of tokens
            counts = {}
            for it in s.iterations:
                for rid in it.active:
                    if rid != EMPTY:
                        counts[rid] = counts.get(rid, 0) + 1
            assert counts == {i: o for i, o in enumerate(OUTPUTS)}


def test_static_batches_run_until_their_longest_request():
    B = 4
    s = static_batching_schedule(_at_zero(OUTPUTS), B)
    out = np.array(OUTPUTS + [0] * (-len(OUTPUTS) % B)).reshape(-1, B)
    longest = out.max(axis=1)
    assert len(s.iterations) == longest.sum()
    assert s.padding == int((longest[:, None] - out).clip(min=0)[out > 0].sum())
    # members of one batch share admission and release; finished members sit as padding
    ends = np.cumsum(longest) - 1
    for rec in s.records:
        b = rec.request.id // B
        assert rec.admit == ends[b] - longest[b] + 1
        assert rec.release == ends[b]
        assert rec.finish == rec.admit + rec.request.output - 1
        for it in s.iterations[rec.finish + 1: rec.release + 1]:
            assert it.padding[rec.slot] == rec.request.id
            assert rec.request.id not in it.active


def test_continuous_batching_matches_list_scheduling_when_all_arrive_at_once():
    """With everyone waiting at t=0, each request takes the slot that frees first."""
    for B in (1, 2, 3, 5):
        s = continuous_batching_schedule(_at_zero(OUTPUTS), B)
        heap = [(0, slot) for slot in range(B)]
        for i, o in enumerate(OUTPUTS):
            free_at, slot = heapq.heappop(heap)
            rec = s.record(i)
            assert (rec.slot, rec.admit, rec.finish) == (slot, free_at, free_at + o - 1)
            heapq.heappush(heap, (free_at + o, slot))
        assert len(s.iterations) == max(t for t, _ in heap)
        assert s.padding == 0


def test_continuous_never_holds_a_finished_request_and_admits_at_the_next_boundary():
    reqs = make_workload(n=24, rate=0.5, spread=1.2, seed=3, mean_output=12, mean_prompt=20)
    s = continuous_batching_schedule(reqs, 4)
    done = set()
    for it in s.iterations:
        assert not done & set(it.active), "a finished request is still in the batch"
        assert all(p == EMPTY for p in it.padding)
        for rid, slot in it.admitted:
            assert it.active[slot] == rid
            prev = s.iterations[it.index - 1] if it.index else None
            # the slot it took was free or freed by the previous iteration
            assert prev is None or prev.active[slot] in (EMPTY, *[r for r, sl in prev.finished if sl == slot])
        done |= {rid for rid, _ in it.finished}
    # a slot is never left empty while an arrived request waits
    for it in s.iterations:
        if it.waiting:
            assert EMPTY not in it.active


@pytest.mark.parametrize("policy", ["static", "continuous"])
@pytest.mark.parametrize("B", [1, 2, 4])
def test_schedules_match_a_clock_tick_simulation_with_arrivals(policy, B):
    rng = np.random.default_rng(7)
    n = 15
    arrivals = np.sort(rng.integers(0, 40, size=n)).tolist()
    outputs = rng.integers(1, 10, size=n).tolist()
    reqs = [Request(i, float(a), 5, o) for i, (a, o) in enumerate(zip(arrivals, outputs))]
    s = batching_schedule(policy, reqs, B)
    start, finish, leave = _tick_oracle(arrivals, outputs, B, policy)
    for i in range(n):
        rec = s.record(i)
        assert rec.start_time == start[i], i
        assert rec.finish_time == finish[i], i
        assert rec.release_time == leave[i], i
        assert rec.latency == leave[i] - arrivals[i]
        assert rec.ttft == start[i] + 1 - arrivals[i]


def test_continuous_batching_beats_static_on_uneven_lengths_and_ties_on_even_ones():
    uneven = _at_zero(OUTPUTS)
    st, co = (schedule_stats(batching_schedule(p, uneven, 4)) for p in ("static", "continuous"))
    assert co.iterations < st.iterations
    assert co.throughput > st.throughput
    assert co.mean_latency < st.mean_latency
    even = _at_zero([6] * 12)
    st, co = (schedule_stats(batching_schedule(p, even, 4)) for p in ("static", "continuous"))
    assert st.padding == 0 and st.iterations == co.iterations == 18


def test_cost_model_is_charged_prefill_and_growing_context():
    calls = []

    def step(rows, ctx, prefill):
        calls.append((rows, ctx, prefill))
        return 0.5 + 0.001 * ctx + 0.01 * prefill

    reqs = [Request(0, 0.0, 100, 3), Request(1, 0.0, 40, 1), Request(2, 0.0, 7, 2)]
    s = continuous_batching_schedule(reqs, 2, step)
    # iteration 0: both prefill; 1: request 0 decodes (100+1) while request 2 prefills;
    # 2: requests 0 (100+2) and 2 (7+1) decode
    assert calls == [(0, 0, 140), (1, 101, 7), (2, 110, 0)]
    t = 0.0
    for it, c in zip(s.iterations, calls):
        assert it.start == pytest.approx(t)
        t += 0.5 + 0.001 * c[1] + 0.01 * c[2]
        assert it.end == pytest.approx(t)
    calls.clear()
    static_batching_schedule(reqs[:2], 2, step)
    # the padded row of request 1 is still computed and its context grows
    assert calls == [(0, 0, 140), (2, 101 + 41, 0), (2, 102 + 42, 0)]


def test_idle_engine_waits_for_the_next_arrival():
    reqs = [Request(0, 0.0, 4, 2), Request(1, 10.0, 4, 3)]
    for policy in ("static", "continuous"):
        s = batching_schedule(policy, reqs, 2)
        assert [it.start for it in s.iterations] == [0, 1, 10, 11, 12]
        assert s.end == 13
        assert schedule_stats(s).duration == 13


def test_stats_against_numpy():
    reqs = make_workload(n=40, rate=0.3, spread=1.0, seed=11, mean_output=10)
    s = static_batching_schedule(reqs, 6)
    st = schedule_stats(s)
    lat = np.array([r.latency for r in s.records])
    ttft = np.array([r.ttft for r in s.records])
    assert st.mean_latency == pytest.approx(lat.mean())
    assert st.p95_latency == pytest.approx(np.percentile(lat, 95, method="inverted_cdf"))
    assert st.p95_ttft == pytest.approx(np.percentile(ttft, 95, method="inverted_cdf"))
    assert st.throughput == pytest.approx(sum(r.output for r in reqs) / (s.end - min(r.arrival for r in reqs)))
    assert st.padding_fraction == pytest.approx(s.padding / (s.useful + s.padding))
    assert st.slot_utilisation == pytest.approx(s.useful / (6 * len(s.iterations)))
    for q in (1, 50, 95, 100):
        assert percentile(lat.tolist(), q) == np.percentile(lat, q, method="inverted_cdf")


def test_lognormal_lengths_keep_the_mean_and_grow_a_tail():
    flat = lognormal_lengths(16, 64, 0.0)
    assert flat == [64] * 16
    wide = lognormal_lengths(400, 64, 1.0)
    assert np.mean(wide) == pytest.approx(64, rel=0.05)
    assert wide == sorted(wide)
    assert np.median(wide) < 0.7 * 64 < 64 < max(wide) / 3    # long right tail
    assert lognormal_lengths(50, 64, 2.0, hi=100)[-1] == 100


def test_workload_is_deterministic_and_poisson():
    a, b = make_workload(seed=5), make_workload(seed=5)
    assert a == b and a != make_workload(seed=6)
    big = make_workload(n=4000, rate=50.0, seed=2)
    gaps = np.diff([r.arrival for r in big])
    assert (gaps >= 0).all() and big[0].arrival == 0
    assert gaps.mean() == pytest.approx(1 / 50, rel=0.05)
    assert gaps.std() == pytest.approx(1 / 50, rel=0.08)      # exponential: sd = mean
    assert sorted(r.output for r in make_workload(n=32, spread=0.7, seed=1)) == lognormal_lengths(32, 64, 0.7, 1, 1024)


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match="max_batch"):
        static_batching_schedule(_at_zero([1]), 0)
    with pytest.raises(ValueError, match="output"):
        continuous_batching_schedule([Request(0, 0.0, 3, 0)], 2)
    with pytest.raises(ValueError, match="unique"):
        continuous_batching_schedule([Request(0, 0.0, 3, 1), Request(0, 1.0, 3, 1)], 2)
    with pytest.raises(ValueError, match="policy"):
        batching_schedule("dynamic", _at_zero([1]), 2)
    with pytest.raises(ValueError, match="rate"):
        make_workload(rate=0)


# Llama 3 8B's published config.json (hidden 4096, 32 layers, 32 query / 8 KV heads of 128,
# FFN 14336, vocabulary 128256, untied embeddings) and the H100 SXM datasheet
# (3.35 TB/s HBM3, 989.4 dense BF16 TFLOP/s), written out by hand.
_H, _L, _KV, _HD, _FFN, _V = 4096, 32, 8, 128, 14336, 128256
_LAYER = _H * _H * 2 + 2 * _H * _KV * _HD + 3 * _H * _FFN + 2 * _H
_N = _L * _LAYER + 2 * _V * _H + _H
_BW, _PEAK = 3.35e12, 989.4e12
_KV_TOKEN = 2 * _L * _KV * _HD * 2


_MULTIPLIED = _N - _V * _H                # the input table is looked up: not streamed, not multiplied


def _oracle_iteration(rows, ctx, prefill):
    memory = (_MULTIPLIED * 2 + ctx * _KV_TOKEN) / _BW
    return max(memory, 2 * _MULTIPLIED * (rows + prefill) / _PEAK)


def test_token_flops_are_two_per_multiplied_weight():
    from llmviz.calc.batching import token_flops
    from llmviz.calc.gemm import matmul_flops_per_token
    assert token_flops("llama-3-8b") == 2 * _MULTIPLIED
    # the weight-matrix products of the matrices chapter, plus the norms' scales (0.004 %)
    assert token_flops("llama-3-8b") - matmul_flops_per_token("llama-3-8b") == 2 * (2 * _L + 1) * _H


@pytest.mark.parametrize("rows,ctx,prefill", [(1, 0, 0), (8, 8 * 300, 0), (0, 0, 256),
                                              (0, 0, 2048), (4, 4 * 1000, 512), (64, 64 * 2000, 0)])
def test_iteration_time_is_the_roofline_floor_of_llama3_8b_on_h100(rows, ctx, prefill):
    from llmviz.calc.batching import iteration_cost_model, iteration_time_lower_bound
    want = _oracle_iteration(rows, ctx, prefill)
    got = iteration_time_lower_bound("llama-3-8b", "h100-sxm", "bf16", rows, ctx, prefill)
    assert got == pytest.approx(want, rel=1e-9)
    assert iteration_cost_model("llama-3-8b", "h100-sxm")(rows, ctx, prefill) == pytest.approx(want, rel=1e-9)


def test_a_single_decode_step_is_about_4_8_ms_and_a_big_prefill_is_compute_bound():
    from llmviz.calc.batching import iteration_time_lower_bound
    step = iteration_time_lower_bound("llama-3-8b", "h100-sxm", decode_rows=1)
    assert 4.4e-3 < step < 4.6e-3          # ~15 GB of weights at 3.35 TB/s
    big = iteration_time_lower_bound("llama-3-8b", "h100-sxm", decode_rows=0, prefill_tokens=2048)
    assert big == pytest.approx(2 * _MULTIPLIED * 2048 / _PEAK)


def test_schedule_in_seconds_with_the_real_cost_model():
    from llmviz.calc.batching import iteration_cost_model
    reqs = make_workload(n=16, rate=30.0, seed=4)
    step = iteration_cost_model("llama-3-8b", "h100-sxm")
    s = continuous_batching_schedule(reqs, 8, step)
    for it in s.iterations:
        assert it.end - it.start == pytest.approx(_oracle_iteration(it.decode_rows, it.context_tokens,
                                                                    it.prefill_tokens))
        held = [r for r in reqs if s.record(r.id).admit <= it.index <= s.record(r.id).finish]
        # prompt plus the outputs fed back so far (i - admit of them)
        assert it.cached_tokens == sum(r.prompt + it.index - s.record(r.id).admit for r in held)
