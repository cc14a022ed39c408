"""Multi-head attention: the pure-Python split, merge and layer against numpy; the counts written out."""
import math

import numpy as np
import pytest

from llmviz import calc
from llmviz.calc.multihead import (
    concat_heads,
    head_columns,
    head_counts,
    head_dim,
    mha_core_flops_per_token,
    mha_param_count,
    mha_projection_flops_per_token,
    mha_scores_per_token,
    multi_head_attention,
    output_by_head,
    random_top_agreement,
    random_top_distinct,
    split_heads,
)


def numpy_mha(x, wq, wk, wv, wo, h, causal=True):
    """Multi-head attention the way GPT-2's code writes it: reshape to (h, N, d_head), one batched
    matmul for the scores and one for the weighted sum, then merge and project."""
    n, d = x.shape
    dh = d // h

    def split(m):
        return m.reshape(n, h, dh).transpose(1, 0, 2)

    q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
    s = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
    if causal:
        s = np.where(np.triu(np.ones((n, n), bool), 1), -np.inf, s)
    e = np.exp(s - s.max(-1, keepdims=True))
    a = e / e.sum(-1, keepdims=True)
    o = (a @ v).transpose(1, 0, 2).reshape(n, d)
    return a, o, o @ wo


@pytest.mark.parametrize("h", [1, 2, 3, 4, 6, 12])
@pytest.mark.parametrize("causal", [True, False])
def test_layer_matches_a_batched_numpy_forward(h, causal):
    rng = np.random.default_rng(h)
    n, d = 7, 12
    x = rng.normal(size=(n, d))
    ws = [rng.normal(size=(d, d)) / math.sqrt(d) for _ in range(4)]
    res = multi_head_attention(x.tolist(), *(w.tolist() for w in ws), heads=h, causal=causal)
    a, o, out = numpy_mha(x, *ws, h, causal)
    assert len(res.heads) == h
    for k, r in enumerate(res.heads):
        np.testing.assert_allclose(r.weights, a[k], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.concat, o, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(res.output, out, rtol=1e-12, atol=1e-13)


def test_one_head_is_the_attention_chapter_with_a_final_projection():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4))
    wq, wk, wv = (rng.normal(size=(4, 4)) for _ in range(3))
    eye = np.eye(4)
    res = multi_head_attention(x.tolist(), wq.tolist(), wk.tolist(), wv.tolist(), eye.tolist(), heads=1)
    single = calc.attention.attention((x @ wq).tolist(), (x @ wk).tolist(), (x @ wv).tolist(), causal=True)
    np.testing.assert_allclose(res.output, single.output, rtol=1e-12)


def test_concat_then_project_is_the_sum_of_each_heads_share():
    rng = np.random.default_rng(11)
    h, dh, d = 4, 3, 10
    outs = rng.normal(size=(h, dh))
    wo = rng.normal(size=(h * dh, d))
    shares = np.array(output_by_head(outs.tolist(), wo.tolist()))
    assert shares.shape == (h, d)
    for k in range(h):
        np.testing.assert_allclose(shares[k], outs[k] @ wo[k * dh:(k + 1) * dh], rtol=1e-12)
    np.testing.assert_allclose(shares.sum(0), outs.reshape(-1) @ wo, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError):
        output_by_head(outs.tolist(), wo[:-1].tolist())
    with pytest.raises(ValueError):
        output_by_head([], wo.tolist())


def test_split_and_concat_are_numpy_reshapes():
    v = np.arange(24.0)
    for h in (1, 2, 3, 4, 6, 8, 12, 24):
        parts = split_heads(v.tolist(), h)
        np.testing.assert_array_equal(parts, v.reshape(h, 24 // h))
        assert concat_heads(parts) == v.tolist()
    with pytest.raises(ValueError):
        split_heads(v.tolist(), 5)
    with pytest.raises(ValueError):
        concat_heads([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError):
        concat_heads([])


def test_head_dim_columns_and_counts():
    assert head_dim(768, 12) == 64 and head_dim(4096, 32) == 128 and head_dim(64, 4) == 16
    assert head_columns(64, 4, 2) == range(32, 48)
    assert head_columns(4096, 32, 31) == range(3968, 4096)
    assert head_counts(64) == [1, 2, 4, 8, 16, 32, 64]
    # divisors of 768 = 2^8 · 3, counted the slow way
    assert head_counts(768) == [h for h in range(1, 769) if 768 % h == 0]
    assert len(head_counts(768)) == 9 * 2
    for bad in [(768, 10), (0, 1), (64, 0), (64, True), (64.0, 4)]:
        with pytest.raises(ValueError):
            head_dim(*bad)
    with pytest.raises(ValueError):
        head_columns(64, 4, 4)
    with pytest.raises(ValueError):
        head_columns(64, 4, -1)


@pytest.mark.parametrize("d", [64, 768, 4096, 5120])
def test_parameters_and_flops_do_not_depend_on_h(d):
    counts = head_counts(d)
    assert {mha_param_count(d, h) for h in counts} == {4 * d * d}
    assert {mha_param_count(d, h, bias=True) for h in counts} == {4 * d * d + 4 * d}
    assert {mha_projection_flops_per_token(d, h) for h in counts} == {8 * d * d}
    assert {mha_core_flops_per_token(d, h, 1000) for h in counts} == {4 * 1000 * d}
    # and the one thing that does grow with h
    assert [mha_scores_per_token(h, 1000) for h in counts] == [1000 * h for h in counts]


def test_core_flops_by_hand_and_bad_input():
    # Llama 2 7B: 32 heads of 128 against 4,096 keys: (2 + 2) · 4096 · 128 · 32
    assert mha_core_flops_per_token(4096, 32, 4096) == 4 * 4096 * 128 * 32 == 67_108_864
    assert mha_projection_flops_per_token(768, 12) == 4 * 2 * 768 * 768
    for fn, args in [(mha_core_flops_per_token, (768, 12, 0)), (mha_scores_per_token, (0, 5)),
                     (mha_scores_per_token, (4, -1)), (mha_param_count, (768, 7)),
                     (mha_projection_flops_per_token, (64, 3))]:
        with pytest.raises(ValueError):
            fn(*args)


def test_every_public_function_is_registered():
    import llmviz.calc.multihead as m

    public = [n for n, f in vars(m).items() if callable(f) and not n.startswith("_")
              and getattr(f, "__module__", "") == m.__name__ and not isinstance(f, type)]
    for name in public:
        assert getattr(calc, name) is getattr(m, name), name


@pytest.mark.parametrize("keys,heads", [(1, 4), (2, 4), (5, 3), (7, 4), (3, 1)])
def test_random_picks_counted_one_by_one(keys, heads):
    import itertools

    picks = list(itertools.product(range(keys), repeat=heads))
    assert random_top_agreement(keys, heads) == pytest.approx(
        sum(len(set(p)) == 1 for p in picks) / len(picks), rel=1e-12)
    assert random_top_distinct(keys, heads) == pytest.approx(
        sum(len(set(p)) for p in picks) / len(picks), rel=1e-12)
    with pytest.raises(ValueError):
        random_top_agreement(0, heads)
