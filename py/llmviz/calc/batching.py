"""Batching schedules for serving: static (request-level) vs continuous (iteration-level).

An *iteration* is one forward pass of the model over the batch; it gives
every request in the batch one new token. A batch has ``max_batch`` *slots*.

* Static batching (request-level scheduling) forms a batch from the waiting
  requests when the engine is idle and runs it until its longest request has
  produced its last token. A request that finishes early keeps its slot as
  *padding*: the row is still computed, its output thrown away.
* Continuous batching (iteration-level scheduling, Orca: Yu et al., OSDI 2022,
  https://www.usenix.org/conference/osdi22/presentation/yu) revisits the batch
  at every iteration boundary: a finished request leaves at once and a waiting
  request takes its slot in the next iteration.

Both share one request model. A request is admitted at the start of an
iteration; that iteration runs its prefill (the whole prompt in one pass) and
yields its first output token. Each later iteration is a decode step that
yields one more token, so a request with ``output`` tokens occupies its slot
for exactly ``output`` iterations (plus padding under static batching).

Time is whatever ``step_time`` returns per iteration: seconds when it is an
iteration cost model such as :func:`iteration_time_lower_bound`, or one unit
per iteration by default (then arrivals are in iterations too).
"""
from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable, Iterable, NamedTuple, Sequence

from ..catalog import get_format, get_gpu
from ._checks import in_range, positive, positive_int
from .decode import decode_step_lower_bound, decode_weight_bytes
from .kv_cache import kv_cache_bytes_per_token

# step_time(decode_rows, context_tokens, prefill_tokens) -> duration of one iteration
StepTime = Callable[[int, int, int], float]

EMPTY = -1


def unit_step(decode_rows: int, context_tokens: int, prefill_tokens: int) -> float:
    """Iteration cost model where every iteration lasts exactly one time unit."""
    return 1.0


@dataclass(frozen=True)
class Request:
    """One request: arrives at ``arrival`` (time units), has ``prompt`` tokens, wants ``output`` tokens."""

    id: int
    arrival: float
    prompt: int
    output: int


class Iteration(NamedTuple):
    """One forward pass.

    ``active[s]`` is the id of the request producing a token in slot ``s``
    (``EMPTY`` if none); ``padding[s]`` is the id of a finished request still
    holding slot ``s`` (static batching only; ``EMPTY`` otherwise).
    ``admitted`` and ``finished`` are ``(request id, slot)`` pairs: requests
    that entered at this iteration's start, and requests whose last token this
    iteration produced. ``waiting`` counts arrived requests left in the queue
    after admission. ``decode_rows``, ``context_tokens`` (tokens the decode
    rows attend to, summed) and ``prefill_tokens`` are what the cost model
    was charged.
    """

    index: int
    start: float
    end: float
    active: tuple[int, ...]
    padding: tuple[int, ...]
    admitted: tuple[tuple[int, int], ...]
    finished: tuple[tuple[int, int], ...]
    waiting: int
    decode_rows: int
    context_tokens: int
    prefill_tokens: int

    @property
    def cached_tokens(self) -> int:
        """Tokens in the KV cache at the end of the iteration, summed over the batch's rows.

        A decode row attends to its prompt and every output token so far (the
        newest one's key and value are written in this step); a prefill row
        caches its prompt. The token an iteration emits enters the cache in
        the next one.
        """
        return self.context_tokens + self.prefill_tokens


@dataclass(frozen=True)
class RequestRecord:
    """What happened to one request: its slot, iterations and times.

    ``admit`` is the iteration that ran its prefill, ``finish`` the iteration
    that produced its last token, ``release`` the last iteration it held its
    slot (``finish`` under continuous batching, the batch's end under static).
    A request-level engine hands a batch back as a whole, so a request's
    response is complete at ``release_time``, the end of ``release``.
    """

    request: Request
    slot: int
    admit: int
    finish: int
    release: int
    start_time: float
    first_token_time: float
    finish_time: float
    release_time: float

    @property
    def ttft(self) -> float:
        """Time to first token: arrival to the end of the prefill iteration (the token exists then)."""
        return self.first_token_time - self.request.arrival

    @property
    def latency(self) -> float:
        """End-to-end latency: arrival to the complete response leaving the engine (``release_time``)."""
        return self.release_time - self.request.arrival

    @property
    def queue_wait(self) -> float:
        """Time spent waiting for a slot: arrival to the start of the prefill iteration."""
        return self.start_time - self.request.arrival


@dataclass(frozen=True)
class Schedule:
    """A complete run of one policy over a workload.

    ``useful`` counts slot-iterations that produced a kept token (the sum of
    output lengths); ``padding`` slot-iterations held by finished requests;
    ``empty`` slot-iterations with no request at all. Their sum is
    ``max_batch × len(iterations)``.
    """

    policy: str
    max_batch: int
    iterations: tuple[Iteration, ...]
    records: tuple[RequestRecord, ...]
    useful: int
    padding: int
    empty: int

    @property
    def slot_iterations(self) -> int:
        """Slots × iterations: the batch capacity the run occupied."""
        return self.max_batch * len(self.iterations)

    @property
    def start(self) -> float:
        """Earliest arrival (time units)."""
        return min(r.request.arrival for r in self.records) if self.records else 0.0

    @property
    def end(self) -> float:
        """End of the last iteration (time units)."""
        return self.iterations[-1].end if self.iterations else self.start

    def record(self, request_id: int) -> RequestRecord:
        """The record of the request with id ``request_id``."""
        for r in self.records:
            if r.request.id == request_id:
                return r
        raise ValueError(f"request_id {request_id!r} is not in this schedule")


def _check_requests(requests: Iterable[Request]) -> list[Request]:
    reqs = list(requests)
    seen = set()
    for r in reqs:
        if not isinstance(r, Request):
            raise ValueError(f"requests must be Request entries, got {r!r}")
        if r.id in seen:
            raise ValueError(f"request ids must be unique; {r.id} repeats")
        seen.add(r.id)
        positive("arrival", r.arrival, allow_zero=True)
        positive_int("prompt", r.prompt)
        positive_int("output", r.output)
    # first come, first served; ties by id keep the order deterministic
    return sorted(reqs, key=lambda r: (r.arrival, r.id))


class _Run:
    """Bookkeeping shared by both policies: the clock, the FCFS queue and the log.

    Admission is first come, first served, so the requests not yet admitted
    are always a suffix of the arrival-ordered list: ``head`` marks where it
    starts, and the queue at time ``t`` is ``head`` up to the last arrival at
    or before ``t``.
    """

    def __init__(self, requests, max_batch: int, step_time: StepTime | None):
        positive_int("max_batch", max_batch)
        self.order = _check_requests(requests)
        self.arrivals = [r.arrival for r in self.order]
        self.head = 0
        self.B = max_batch
        self.step = step_time or unit_step
        self.clock = 0.0
        self.iterations: list[Iteration] = []
        self.slot: dict[int, int] = {}
        self.admit: dict[int, int] = {}
        self.finish: dict[int, int] = {}
        self.release: dict[int, int] = {}
        self.padding = 0

    def queued(self) -> int:
        """Arrived requests not yet admitted."""
        return bisect_right(self.arrivals, self.clock) - self.head

    def take(self, k: int) -> list[Request]:
        """Admit the first ``k`` queued requests."""
        out = self.order[self.head:self.head + k]
        self.head += len(out)
        return out

    def idle(self) -> None:
        """Nothing to run: the clock jumps to the next arrival."""
        self.clock = max(self.clock, self.arrivals[self.head])

    def iterate(self, active: tuple, padding: tuple, admitted: tuple, finished: tuple,
                decode_rows: int, context: int, prefill: int) -> None:
        dt = self.step(decode_rows, context, prefill)
        if not dt > 0 or dt == math.inf:
            raise ValueError(f"step_time must return a finite duration > 0, got {dt!r}")
        start = self.clock
        self.clock = start + dt
        self.iterations.append(Iteration(len(self.iterations), start, self.clock, active, padding,
                                         admitted, finished, self.queued_at(start), decode_rows,
                                         context, prefill))

    def queued_at(self, t: float) -> int:
        return bisect_right(self.arrivals, t) - self.head

    def schedule(self, policy: str, requests: Sequence[Request]) -> Schedule:
        its = self.iterations
        recs = tuple(RequestRecord(r, self.slot[r.id], self.admit[r.id], self.finish[r.id],
                                   self.release[r.id], its[self.admit[r.id]].start,
                                   its[self.admit[r.id]].end, its[self.finish[r.id]].end,
                                   its[self.release[r.id]].end)
                     for r in requests)
        useful = sum(r.output for r in requests)
        empty = self.B * len(its) - useful - self.padding
        return Schedule(policy, self.B, tuple(its), recs, useful, self.padding, empty)


def static_batching_schedule(requests: Iterable[Request], max_batch: int,
                             step_time: StepTime | None = None) -> Schedule:
    """Request-level scheduling: run each batch until its longest request finishes.

    When the engine is idle it takes up to ``max_batch`` arrived requests
    (first come, first served) into slots 0, 1, …; it does not wait for more.
    Every request in the batch prefills in the first iteration. The batch runs
    for ``max(output)`` iterations; a request that is done earlier holds its
    slot as padding until then, and its row is still computed (its context
    keeps growing). Requests arriving meanwhile wait for the next batch.
    ``step_time(decode_rows, context_tokens, prefill_tokens)`` gives an
    iteration's duration (default: 1 per iteration).
    """
    requests = list(requests)
    run = _Run(requests, max_batch, step_time)
    B = run.B
    while run.head < len(run.order):
        if not run.queued():
            run.idle()
            continue
        batch = run.take(min(B, run.queued()))
        first = len(run.iterations)
        length = max(r.output for r in batch)
        ends: dict[int, list[tuple[int, int]]] = {}
        for s, r in enumerate(batch):
            run.slot[r.id], run.admit[r.id] = s, first
            run.finish[r.id], run.release[r.id] = first + r.output - 1, first + length - 1
            ends.setdefault(r.output - 1, []).append((r.id, s))
            run.padding += length - r.output
        active = [EMPTY] * B
        padding = [EMPTY] * B
        for s, r in enumerate(batch):
            active[s] = r.id
        prompts = sum(r.prompt for r in batch)
        rows = len(batch)
        act, pad = tuple(active), tuple(padding)
        admitted = tuple((r.id, s) for s, r in enumerate(batch))
        for k in range(length):
            done = tuple(ends.get(k, ()))
            if k == 0:
                run.iterate(act, pad, admitted, done, 0, 0, prompts)
            else:
                run.iterate(act, pad, (), done, rows, prompts + k * rows, 0)
            if done:
                for rid, s in done:
                    active[s], padding[s] = EMPTY, rid
                act, pad = tuple(active), tuple(padding)
    return run.schedule("static", requests)


def continuous_batching_schedule(requests: Iterable[Request], max_batch: int,
                                 step_time: StepTime | None = None) -> Schedule:
    """Iteration-level scheduling (Orca): evict finished requests and admit waiting ones every iteration.

    At each iteration boundary, every slot whose request produced its last
    token in the previous iteration is freed, and arrived requests fill free
    slots (lowest slot first, first come first served). An admitted request
    prefills in its first iteration while the others decode in the same
    iteration. No slot ever holds a finished request. ``step_time`` as in
    :func:`static_batching_schedule`.
    """
    requests = list(requests)
    run = _Run(requests, max_batch, step_time)
    B = run.B
    slots = [EMPTY] * B
    free = list(range(B))             # kept sorted: the lowest free slot is taken first
    ends: dict[int, list[tuple[int, int]]] = {}
    no_padding = (EMPTY,) * B
    rows = context = 0                # decode rows next iteration, and the tokens they attend to
    by_id = {r.id: r for r in requests}
    while run.head < len(run.order) or len(free) < B:
        k = min(len(free), run.queued())
        admitted = []
        prefill = 0
        for r in run.take(k):
            s = free.pop(0)
            slots[s] = r.id
            admitted.append((r.id, s))
            prefill += r.prompt
        if len(free) == B:
            run.idle()
            continue
        i = len(run.iterations)
        for rid, s in admitted:
            run.slot[rid], run.admit[rid] = s, i
            f = i + by_id[rid].output - 1
            run.finish[rid] = run.release[rid] = f
            ends.setdefault(f, []).append((rid, s))
        done = tuple(sorted(ends.pop(i, ()), key=lambda e: e[1]))
        run.iterate(tuple(slots), no_padding, tuple(admitted), done, rows, context, prefill)
        # the next iteration: every decode row attends to one more token, new rows join
        # with prompt + first token, finished rows leave
        context += rows
        rows += len(admitted)
        for rid, _ in admitted:
            context += by_id[rid].prompt + 1
        for rid, s in done:
            r = by_id[rid]
            rows -= 1
            context -= r.prompt + r.output
            slots[s] = EMPTY
            free.append(s)
        if done:
            free.sort()
    return run.schedule("continuous", requests)


POLICIES = {"static": static_batching_schedule, "continuous": continuous_batching_schedule}


def batching_schedule(policy: str, requests: Iterable[Request], max_batch: int,
                      step_time: StepTime | None = None) -> Schedule:
    """:func:`static_batching_schedule` or :func:`continuous_batching_schedule` by name."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}; got {policy!r}")
    return POLICIES[policy](requests, max_batch, step_time)


# ------------------------------------------------------------------ iteration cost

def token_flops(model, dtype: str = "bf16") -> float:
    """FLOPs one token's forward pass spends multiplying by weights (FLOPs).

    Two FLOPs, one multiply-add, per weight a decode step streams from HBM
    (:func:`~llmviz.calc.decode.decode_weight_bytes` counted in numbers):
    every layer's matrices and the output head, and for a mixture of experts
    only the experts a token uses. The input embedding table is a lookup, not
    a product, so it costs nothing here, as in Kaplan et al.'s 2N with N the
    parameters outside the embeddings. Attention's token-to-token products
    are left out.
    """
    return 2 * decode_weight_bytes(model, dtype) / get_format(dtype).bytes_per_param


def iteration_time_lower_bound(model, gpu, dtype: str = "bf16", decode_rows: int = 1,
                               context_tokens: int = 0, prefill_tokens: int = 0) -> float:
    """Seconds one iteration needs at least: the slower of its memory floor and its compute floor.

    Memory: :func:`~llmviz.calc.decode.decode_step_lower_bound` for
    ``decode_rows`` sequences holding ``context_tokens`` cached tokens between
    them (weights read once for the whole batch, every row's cache read once;
    a prefill-only iteration still reads the weights). Compute: every token
    the iteration processes, one per decode row plus every prompt token,
    costs :func:`token_flops` at the GPU's dense peak for ``dtype``.
    Attention's own FLOPs and every overhead are left out, so the real
    iteration is slower.
    """
    positive_int("decode_rows", decode_rows, allow_zero=True)
    positive_int("context_tokens", context_tokens, allow_zero=True)
    positive_int("prefill_tokens", prefill_tokens, allow_zero=True)
    if decode_rows:
        memory = decode_step_lower_bound(model, gpu, dtype, batch=decode_rows,
                                         context=round(context_tokens / decode_rows))
    else:
        memory = decode_step_lower_bound(model, gpu, dtype, batch=1, context=0)
    flops = token_flops(model, dtype) * (decode_rows + prefill_tokens)
    return max(memory, flops / get_gpu(gpu).peak_flops(dtype))


def iteration_cost_model(model, gpu, dtype: str = "bf16") -> StepTime:
    """:func:`iteration_time_lower_bound` for one model and GPU as a fast ``step_time`` function.

    The per-model constants are computed once (weights-only step, seconds
    per cached token read, seconds per processed token), so a schedule of
    thousands of iterations costs a few arithmetic operations each. Exact for
    models whose attention layers are all global; a sliding-window layer's
    cache stops growing at its window, which this linear form does not see.
    """
    g = get_gpu(gpu)
    weights_s = decode_step_lower_bound(model, g, dtype, batch=1, context=0)
    kv_s = kv_cache_bytes_per_token(model, dtype) / g.hbm_bytes_per_s
    token_s = token_flops(model, dtype) / g.peak_flops(dtype)

    def step(decode_rows: int, context_tokens: int, prefill_tokens: int) -> float:
        return max(weights_s + kv_s * context_tokens, token_s * (decode_rows + prefill_tokens))

    return step


# ------------------------------------------------------------------ workload

def lognormal_lengths(n: int, mean: float, spread: float, lo: int = 1, hi: int | None = None) -> list[int]:
    """``n`` token counts spread like a log-normal with the given ``mean`` and log-sd ``spread``.

    The counts are the distribution's quantiles at (i + ½)/n, rounded and
    clipped to ``[lo, hi]``, in increasing order: a sample with no luck in
    it, so a change of ``spread`` changes the shape and (up to clipping and
    rounding) not the total. ``spread = 0`` gives ``n`` equal lengths.
    """
    positive_int("n", n)
    positive("mean", mean)
    positive("spread", spread, allow_zero=True)
    mu = math.log(mean) - spread * spread / 2   # keeps the mean at ``mean``
    nd = NormalDist()
    out = []
    for i in range(n):
        x = round(math.exp(mu + spread * nd.inv_cdf((i + 0.5) / n)))
        x = max(lo, x)
        if hi is not None:
            x = min(hi, x)
        out.append(int(x))
    return out


def make_workload(n: int = 32, rate: float = 20.0, spread: float = 1.0, seed: int = 1,
                  mean_output: float = 64, mean_prompt: float = 256,
                  prompt_spread: float = 0.5, max_output: int = 1024) -> tuple[Request, ...]:
    """A deterministic stream of ``n`` requests, ids 0…n−1 in arrival order.

    Arrivals form a Poisson process of ``rate`` requests per second starting
    at 0 (exponential gaps). Output lengths are long-tailed
    (:func:`lognormal_lengths` with ``mean_output`` and log-sd ``spread``,
    at most ``max_output``); prompt lengths likewise with ``mean_prompt`` and
    ``prompt_spread``. The seeded generator shuffles which request gets which
    length, so the same ``seed`` always gives the same workload.
    """
    positive_int("n", n)
    positive("rate", rate)
    rng = random.Random(seed)
    outputs = lognormal_lengths(n, mean_output, spread, 1, max_output)
    prompts = lognormal_lengths(n, mean_prompt, prompt_spread, 1)
    rng.shuffle(outputs)
    rng.shuffle(prompts)
    t = 0.0
    reqs = []
    for i in range(n):
        if i:
            t += -math.log(1.0 - rng.random()) / rate
        reqs.append(Request(i, t, prompts[i], outputs[i]))
    return tuple(reqs)


# ------------------------------------------------------------------ telemetry

def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100): the smallest value with at least q % at or below it."""
    in_range("q", q, 0, 100)
    if not values:
        raise ValueError("values must not be empty")
    xs = sorted(values)
    k = max(1, math.ceil(q / 100 * len(xs)))
    return xs[k - 1]


@dataclass(frozen=True)
class ScheduleStats:
    """Summary numbers of a :class:`Schedule` (times in the schedule's units, seconds in the book)."""

    iterations: int
    useful: int
    padding: int
    empty: int
    padding_fraction: float     # padding ÷ rows computed (useful + padding)
    slot_utilisation: float     # useful ÷ (max_batch × iterations)
    duration: float             # first arrival to last token
    throughput: float           # useful tokens ÷ duration
    mean_latency: float
    p95_latency: float
    mean_ttft: float
    p95_ttft: float
    mean_queue_wait: float


def schedule_stats(s: Schedule) -> ScheduleStats:
    """Throughput, latency and waste of a schedule; see :class:`ScheduleStats`."""
    lat = [r.latency for r in s.records]
    ttft = [r.ttft for r in s.records]
    computed = s.useful + s.padding
    duration = s.end - s.start
    return ScheduleStats(
        iterations=len(s.iterations), useful=s.useful, padding=s.padding, empty=s.empty,
        padding_fraction=s.padding / computed if computed else 0.0,
        slot_utilisation=s.useful / s.slot_iterations if s.slot_iterations else 0.0,
        duration=duration,
        throughput=s.useful / duration if duration > 0 else 0.0,
        mean_latency=sum(lat) / len(lat), p95_latency=percentile(lat, 95),
        mean_ttft=sum(ttft) / len(ttft), p95_ttft=percentile(ttft, 95),
        mean_queue_wait=sum(r.queue_wait for r in s.records) / len(s.records),
    )
