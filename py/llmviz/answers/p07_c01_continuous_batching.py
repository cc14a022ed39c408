"""Answers for chapter p07-c01 (static vs continuous batching).

Schedules come from :mod:`llmviz.calc.batching`; iteration times from its
roofline floor over the catalog's Llama 3 8B and H100 SXM; the simulation's
own numbers from the mode with its default parameters.
"""
from __future__ import annotations

from ..calc.batching import Request, batching_schedule, iteration_time_lower_bound, schedule_stats, token_flops
from ..calc.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token
from ..calc.kv_fit import max_batch_that_fits
from ..calc.model_size import weight_bytes
from ..catalog import get_gpu, get_model
from ..modes.part07_serving.continuous_batching import MEAN_OUTPUT, MEAN_PROMPT, PLAY_S, ContinuousBatchingMode
from ..units import fmt_bytes, fmt_rate, fmt_seconds
from . import Answer

MODEL, GPU = "llama-3-8b", "h100-sxm"
CONTEXT = MEAN_PROMPT + MEAN_OUTPUT     # a typical request's tokens once it has answered
BATCH = 8
# The prose's batch of four, exercise 3's eight requests, and exercise 2's same eight sorted
# longest first: output lengths of small, hand-checkable workloads, all waiting at t = 0
FOUR = (10, 40, 25, 100)
EIGHT = FOUR + (30, 60, 15, 20)
EIGHT_SORTED = tuple(sorted(EIGHT, reverse=True))
SLOTS = 4
PROMPT = 256                            # exercise 4: one typical prompt
BIG_PREFILL = 8 * PROMPT                # exercise 4: a static batch of eight such prompts


def _ms(s: float) -> Answer:
    return Answer(s, fmt_seconds(s))


def _int(v: float, unit: str = "") -> Answer:
    return Answer(v, f"{int(round(v)):,}" + (f" {unit}" if unit else ""))


def _pct(v: float) -> Answer:
    return Answer(v, f"{100 * v:.1f} %")


def _ratio(v: float) -> Answer:
    return Answer(v, f"{v:.2f}×")


def _tps(v: float) -> Answer:
    return Answer(v, f"{v:,.0f} tokens/s")


def _kib(v: int) -> Answer:
    return Answer(v, f"{fmt_bytes(v, binary=True)} ({v:,} bytes)")


def _step(rows: int) -> float:
    """One decode iteration of ``rows`` sequences of CONTEXT tokens each (seconds)."""
    return iteration_time_lower_bound(MODEL, GPU, "bf16", decode_rows=rows, context_tokens=rows * CONTEXT)


def _at_zero(outputs) -> list[Request]:
    return [Request(i, 0.0, PROMPT, o) for i, o in enumerate(outputs)]


def _sched(policy: str, outputs, slots: int):
    return batching_schedule(policy, _at_zero(outputs), slots)


def _mean_latency(policy: str) -> float:
    """Mean latency of the eight-request workload in iterations."""
    return schedule_stats(_sched(policy, EIGHT, SLOTS)).mean_latency


def _prefill(tokens: int) -> float:
    return iteration_time_lower_bound(MODEL, GPU, "bf16", decode_rows=0, prefill_tokens=tokens)


def _crossover() -> float:
    """Prompt tokens whose arithmetic takes as long as reading the weights once."""
    floor = iteration_time_lower_bound(MODEL, GPU, "bf16", decode_rows=0, prefill_tokens=0)
    return floor * get_gpu(GPU).peak_flops("bf16") / token_flops(MODEL)


def _sim(policy: str, **values) -> dict:
    m = ContinuousBatchingMode(submode=policy, values=values or None)
    return {e["id"]: e["value"] for e in m.frame(PLAY_S + 1)["telemetry"]}


def _sweep_mode() -> ContinuousBatchingMode:
    return ContinuousBatchingMode(submode="sweep")


def _sweep(b: int, policy: str) -> float:
    """Throughput of one point of the simulation's sweep view (tokens/s)."""
    return _sweep_mode()._sweep_row(b)[policy].throughput


def _sweep_workload():
    return _sweep_mode()._workload()


def _floor() -> float:
    """Seconds of the weights-only iteration: no iteration of this model on this GPU is shorter."""
    return iteration_time_lower_bound(MODEL, GPU, "bf16", decode_rows=0)


def _weights_read() -> float:
    """Bytes one iteration reads for the weights alone."""
    return _floor() * get_gpu(GPU).hbm_bytes_per_s


def _sweep_requests() -> int:
    return ContinuousBatchingMode.submodes["sweep"].values["requests"]


ANSWERS = {
    # prose: the workload
    "mean_output": lambda: _int(MEAN_OUTPUT, "tokens"),
    "mean_prompt": lambda: _int(MEAN_PROMPT, "tokens"),
    "context": lambda: _int(CONTEXT, "tokens"),
    "sweep_requests": lambda: _int(_sweep_requests(), "requests"),
    # prose: the machine and the model
    "weights_read": lambda: Answer(_weights_read(), f"{_weights_read() / 1e9:.1f} GB"),
    "bw": lambda: Answer(get_gpu(GPU).hbm_bytes_per_s, fmt_rate(get_gpu(GPU).hbm_bytes_per_s, "B/s")),
    "peak": lambda: Answer(get_gpu(GPU).peak_flops("bf16"), fmt_rate(get_gpu(GPU).peak_flops("bf16"))),
    "kv_b1": lambda: Answer(kv_cache_bytes(MODEL, CONTEXT, 1), fmt_bytes(kv_cache_bytes(MODEL, CONTEXT, 1))),
    "kv_batch8": lambda: Answer(kv_cache_bytes(MODEL, CONTEXT, BATCH), fmt_bytes(kv_cache_bytes(MODEL, CONTEXT, BATCH))),
    "free_hbm": lambda: Answer(get_gpu(GPU).hbm_bytes - weight_bytes(MODEL, "bf16"),
                               fmt_bytes(get_gpu(GPU).hbm_bytes - weight_bytes(MODEL, "bf16"))),
    # exercise 1: why batch at all
    "step_b1": lambda: _ms(_step(1)),
    "tok_s_b1": lambda: _tps(1 / _step(1)),
    "step_b8": lambda: _ms(_step(BATCH)),
    "tok_s_b8": lambda: _tps(BATCH / _step(BATCH)),
    "b8_extra_time": lambda: _pct(_step(BATCH) / _step(1) - 1),
    "mfu_b8": lambda: _pct(token_flops(MODEL) * BATCH
                           / (_step(BATCH) * get_gpu(GPU).peak_flops("bf16"))),
    # the prose's static batch of four
    "four_iters": lambda: _int(len(_sched("static", FOUR, SLOTS).iterations), "iterations"),
    "four_useful": lambda: _int(_sched("static", FOUR, SLOTS).useful, "slot-iterations"),
    "four_padding": lambda: _int(_sched("static", FOUR, SLOTS).padding, "slot-iterations"),
    "four_waste": lambda: _pct(schedule_stats(_sched("static", FOUR, SLOTS)).padding_fraction),
    # exercise 2: padding in arrival order, and if the lengths were known and sorted
    "fifo_padding": lambda: _int(_sched("static", EIGHT, SLOTS).padding, "slot-iterations"),
    "fifo_waste": lambda: _pct(schedule_stats(_sched("static", EIGHT, SLOTS)).padding_fraction),
    "sorted_padding": lambda: _int(_sched("static", EIGHT_SORTED, SLOTS).padding, "slot-iterations"),
    "sorted_waste": lambda: _pct(schedule_stats(_sched("static", EIGHT_SORTED, SLOTS)).padding_fraction),
    "sorted_iters": lambda: _int(len(_sched("static", EIGHT_SORTED, SLOTS).iterations), "iterations"),
    # exercise 3: eight requests, four slots
    "eight_static_iters": lambda: _int(len(_sched("static", EIGHT, SLOTS).iterations), "iterations"),
    "eight_cont_iters": lambda: _int(len(_sched("continuous", EIGHT, SLOTS).iterations), "iterations"),
    "eight_speedup": lambda: _ratio(len(_sched("static", EIGHT, SLOTS).iterations)
                                    / len(_sched("continuous", EIGHT, SLOTS).iterations)),
    "eight_static_lat": lambda: Answer(_mean_latency("static"), f"{_mean_latency('static'):g} iterations"),
    "eight_cont_lat": lambda: Answer(_mean_latency("continuous"), f"{_mean_latency('continuous'):g} iterations"),
    # exercise 4: prefill inside an iteration
    "prefill_one": lambda: _ms(_prefill(PROMPT)),
    "prefill_one_math": lambda: _ms(token_flops(MODEL) * PROMPT / get_gpu(GPU).peak_flops("bf16")),
    "prefill_batch": lambda: _ms(_prefill(BIG_PREFILL)),
    "prefill_steps": lambda: Answer(_prefill(BIG_PREFILL) / _step(1),
                                    f"{_prefill(BIG_PREFILL) / _step(1):.1f}"),
    "prefill_crossover": lambda: _int(_crossover(), "tokens"),
    # exercise 5: the KV cache caps the batch
    "kv_token": lambda: _kib(kv_cache_bytes_per_token(MODEL)),
    "kv_full_slot": lambda: Answer(kv_cache_bytes(MODEL, get_model(MODEL).max_context),
                                   fmt_bytes(kv_cache_bytes(MODEL, get_model(MODEL).max_context))),
    "slots_full": lambda: _int(max_batch_that_fits(MODEL, GPU, context=get_model(MODEL).max_context), "slots"),
    "slots_used": lambda: _int(max_batch_that_fits(MODEL, GPU, context=CONTEXT), "slots"),
    "slots_ratio": lambda: Answer(max_batch_that_fits(MODEL, GPU, context=CONTEXT) / max_batch_that_fits(MODEL, GPU, context=get_model(MODEL).max_context),
                                  f"{max_batch_that_fits(MODEL, GPU, context=CONTEXT) / max_batch_that_fits(MODEL, GPU, context=get_model(MODEL).max_context):.0f}"),
    # exercise 6: a model without grouped-query attention
    "kv13_token": lambda: _kib(kv_cache_bytes_per_token("llama-2-13b")),
    "slots13_full": lambda: _int(max_batch_that_fits("llama-2-13b", GPU, context=get_model("llama-2-13b").max_context), "slots"),
    "slots13_used": lambda: _int(max_batch_that_fits("llama-2-13b", GPU, context=CONTEXT), "slots"),
    # exercise 9: the sweep's last doubling
    "sweep_tokens": lambda: _int(sum(r.output for r in _sweep_workload()), "tokens"),
    "sweep_longest": lambda: _int(max(r.output for r in _sweep_workload()), "tokens"),
    "sweep_tail": lambda: _ms(max(r.output for r in _sweep_workload()) * _floor()),
    "sweep_cap": lambda: _tps(sum(r.output for r in _sweep_workload())
                              / (max(r.output for r in _sweep_workload()) * _floor())),
    "sweep_b32": lambda: _tps(_sweep(32, "continuous")),
    "sweep_b64": lambda: _tps(_sweep(64, "continuous")),
    # exercise 7: the simulation's default workload
    "sim_speedup": lambda: _ratio(_sim("continuous")["throughput"] / _sim("static")["throughput"]),
    "slow_speedup": lambda: _ratio(_sim("continuous", rate=10)["throughput"] / _sim("static", rate=10)["throughput"]),
    "busy_speedup": lambda: _ratio(_sim("continuous", rate=200)["throughput"] / _sim("static", rate=200)["throughput"]),
    "a100_speedup": lambda: _ratio(_sim("continuous", gpu="a100-80gb-sxm")["throughput"]
                                   / _sim("static", gpu="a100-80gb-sxm")["throughput"]),
    "sim_static_thr": lambda: _tps(_sim("static")["throughput"]),
    "sim_cont_thr": lambda: _tps(_sim("continuous")["throughput"]),
    "sim_static_waste": lambda: _pct(_sim("static")["padding"] / (_sim("static")["padding"] + _sim("static")["tokens"])),
    "sim_static_p95": lambda: _ms(_sim("static")["p95_latency"]),
    "sim_cont_p95": lambda: _ms(_sim("continuous")["p95_latency"]),
    # exercise 8: equal lengths
    "even_static_thr": lambda: _tps(_sim("static", spread=0)["throughput"]),
    "even_cont_thr": lambda: _tps(_sim("continuous", spread=0)["throughput"]),
    "even_static_padding": lambda: _int(_sim("static", spread=0)["padding"], "slot-iterations"),
}
