"""ZeRO memory, pipeline bubbles, ring all-reduce and expert capacity, against their papers and simulations."""
import numpy as np
import pytest

from llmviz.calc.parallel import (
    expert_capacity,
    pipeline_bubble_fraction,
    ring_allreduce_time,
    zero_model_state_bytes,
)

GB = 1e9

# Rajbhandari et al. 2020 (ZeRO), Table 1: per-device model-state memory in GB, K = 12.
# Rows: DP degree; columns per model: P_os, P_os+g, P_os+g+p.
ZERO_TABLE_1 = {
    7.5e9: {1: (120, 120, 120), 4: (52.5, 41.3, 30), 16: (35.6, 21.6, 7.5), 64: (31.4, 16.6, 1.88),
            256: (30.4, 15.4, 0.47), 1024: (30.1, 15.1, 0.12)},
    128e9: {1: (2048, 2048, 2048), 4: (896, 704, 512), 16: (608, 368, 128), 64: (536, 284, 32),
            256: (518, 263, 8), 1024: (513, 257, 2)},
    1e12: {1: (16000, 16000, 16000), 4: (7000, 5500, 4000), 16: (4750, 2875, 1000),
           64: (4187, 2218, 250), 256: (4046, 2054, 62.5), 1024: (4011, 2013, 15.6)},
}


def test_zero_figure_1():
    # ZeRO Figure 1: 7.5B parameters, 64 GPUs: 120 GB baseline, 31.4 / 16.6 / 1.9 GB with P_os, +g, +p.
    got = [zero_model_state_bytes(7.5e9, 64, s) / GB for s in (0, 1, 2, 3)]
    assert got == pytest.approx([120, 31.4, 16.6, 1.9], abs=0.05)


@pytest.mark.parametrize("psi", list(ZERO_TABLE_1))
def test_zero_table_1(psi):
    for dp, row in ZERO_TABLE_1[psi].items():
        got = [zero_model_state_bytes(psi, dp, stage) / GB for stage in (1, 2, 3)]
        # The table rounds to three or four significant figures (and truncates 2218.75 to 2218).
        assert got == pytest.approx(row, rel=0.005, abs=0.005)


def test_zero_gpt2_example():
    # ZeRO section 3.1: a 1.5B-parameter GPT-2 needs at least 24 GB for model states (16 bytes each).
    assert zero_model_state_bytes(1.5e9, 1, 0) == 24 * GB


def test_zero_counts_bytes_by_hand():
    # Independent ledger: fp16 params, fp16 grads, k bytes optimizer state, each either whole or split.
    psi, n, k = 3e9, 8, 12
    for stage in range(4):
        ledger = np.array([2 * psi, 2 * psi, k * psi])
        split = np.array([stage >= 3, stage >= 2, stage >= 1])
        expect = float(np.sum(np.where(split, ledger / n, ledger)))
        assert zero_model_state_bytes(psi, n, stage, k) == pytest.approx(expect)
    assert zero_model_state_bytes(psi, 1, 3) == zero_model_state_bytes(psi, 1, 0)


def gpipe_idle_share(p: int, m: int) -> float:
    """Simulate GPipe's forward then backward sweep on a stage × time grid and count idle cells."""
    slots = 2 * (m + p - 1)
    busy = np.zeros((p, slots), dtype=bool)
    for s in range(p):
        for j in range(m):
            busy[s, s + j] = True                               # forward of micro-batch j
            busy[s, (m + p - 1) + (p - 1 - s) + j] = True       # backward runs last stage first
    assert busy.sum() == 2 * p * m                              # no cell double-booked
    return 1.0 - busy.mean()


@pytest.mark.parametrize("p,m", [(1, 1), (2, 1), (4, 4), (4, 16), (8, 32), (16, 3)])
def test_pipeline_bubble_matches_a_simulated_schedule(p, m):
    assert pipeline_bubble_fraction(p, m) == pytest.approx(gpipe_idle_share(p, m))


def test_pipeline_bubble_against_gpipe_and_megatron():
    # GPipe (Huang et al. 2019): overhead O((K−1)/(M+K−1)), negligible once M ≥ 4K.
    # Megatron-LM (Narayanan et al. 2021, eq. 1): bubble time / ideal time = (p−1)/m.
    for p, m in ((4, 16), (8, 64), (16, 128)):
        f = pipeline_bubble_fraction(p, m)
        assert f / (1 - f) == pytest.approx((p - 1) / m)
        assert f < 0.2
    assert pipeline_bubble_fraction(8, 1) == pytest.approx(7 / 8)


def simulate_ring_allreduce(n: int, elems_per_chunk: int, itemsize: int, seed: int = 0):
    """Run a ring all-reduce on numpy buffers; return (results, bytes sent per rank)."""
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal(n * elems_per_chunk) for _ in range(n)]
    expect = np.sum(data, axis=0)
    chunks = [np.split(d.copy(), n) for d in data]
    sent = np.zeros(n)
    for step in range(n - 1):                                   # reduce-scatter
        msgs = [(r, (r - step) % n, chunks[r][(r - step) % n].copy()) for r in range(n)]
        for r, c, payload in msgs:
            chunks[(r + 1) % n][c] += payload
            sent[r] += payload.size * itemsize
    for step in range(n - 1):                                   # all-gather
        msgs = [(r, (r + 1 - step) % n, chunks[r][(r + 1 - step) % n].copy()) for r in range(n)]
        for r, c, payload in msgs:
            chunks[(r + 1) % n][c] = payload
            sent[r] += payload.size * itemsize
    results = [np.concatenate(c) for c in chunks]
    for res in results:
        assert np.allclose(res, expect)
    return sent


@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_ring_allreduce_time_matches_simulated_traffic(n):
    itemsize, per_chunk = 2, 96
    total_bytes = n * per_chunk * itemsize
    sent = simulate_ring_allreduce(n, per_chunk, itemsize)
    assert np.all(sent == sent[0])                              # every link carries the same load
    bw = 450e9
    assert ring_allreduce_time(total_bytes, n, bw) == pytest.approx(sent[0] / bw)


def test_ring_allreduce_bus_bandwidth_factor():
    # nccl-tests PERFORMANCE.md: busBw = algBw · 2(n−1)/n, 1.75 for 8 ranks; it tends to 2.
    s, bw = 1e9, 100e9
    assert ring_allreduce_time(s, 8, bw) * bw / s == pytest.approx(1.75)
    assert ring_allreduce_time(s, 1, bw) == 0.0
    assert ring_allreduce_time(s, 10_000, bw) * bw / s == pytest.approx(2, rel=1e-3)


def test_expert_capacity_follows_switch_equation_3():
    # Switch Transformer eq. 3: (tokens / experts) × capacity factor.
    assert expert_capacity(4096, 8, 1.0) == 512
    assert expert_capacity(4096, 8, 1.25) == 640
    assert expert_capacity(4096, 128, 2.0) == 64
    # Truncation as in Mesh TensorFlow: int(6·1.1/4) = int(1.65) = 1; capped at the group size.
    assert expert_capacity(6, 4, 1.1) == 1
    assert expert_capacity(10, 2, 5.0) == 10
    # No float drift: 100·0.29/29 is exactly 1.
    assert expert_capacity(100, 29, 0.29) == 1


def test_expert_capacity_drops_overflow_in_a_routing_simulation():
    # Route 1,000 tokens uniformly at random to 8 experts; capacity factor 1.0 overflows, 2.0 almost never.
    rng = np.random.default_rng(7)
    choice = rng.integers(0, 8, size=1000)
    counts = np.bincount(choice, minlength=8)
    for cf, expect_drops in ((1.0, True), (2.0, False)):
        cap = expert_capacity(1000, 8, cf)
        dropped = int(np.maximum(counts - cap, 0).sum())
        assert (dropped > 0) == expect_drops


@pytest.mark.parametrize("call,arg", [
    (lambda: zero_model_state_bytes(7.5e9, 64, 4), "stage"),
    (lambda: zero_model_state_bytes(7.5e9, 0, 1), "n_gpus"),
    (lambda: zero_model_state_bytes(-1, 8, 1), "n_params"),
    (lambda: pipeline_bubble_fraction(0, 4), "p"),
    (lambda: pipeline_bubble_fraction(4, 2.5), "m"),
    (lambda: ring_allreduce_time(0, 8, 1e9), "n_bytes"),
    (lambda: ring_allreduce_time(1e9, 8, -1), "link_bytes_per_s"),
    (lambda: expert_capacity(100, 0, 1.0), "n_experts"),
    (lambda: expert_capacity(100, 4, 0), "capacity_factor"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
