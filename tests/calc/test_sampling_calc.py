"""Decoding calculators against numpy oracles written another way.

The oracles sort with numpy (a stable argsort of negated probabilities),
cut with cumulative sums and searchsorted, and draw by counting how many
running sums lie at or below u; the calculators walk Python lists.
"""
import math

import numpy as np
import pytest

from llmviz.calc import (
    decode_distribution,
    greedy_token,
    kept_mass,
    min_p_keep,
    rank_order,
    renormalise,
    repeated_ngram_share,
    sample_token,
    sample_tokens,
    top_k_keep,
    top_p_keep,
)

RNG = np.random.default_rng(20260)


def np_softmax(z, tau=1.0):
    z = np.asarray(z, dtype=np.float64) / tau
    e = np.exp(z - z.max())
    return e / e.sum()


def np_order(p):
    """Ranks: largest first, ties by the smaller index (a stable sort of −p)."""
    return np.argsort(-np.asarray(p), kind="stable")


def np_top_k(p, k):
    keep = np.zeros(len(p), bool)
    keep[np_order(p)[:k]] = True
    return keep


def np_top_p(p, P):
    order = np_order(p)
    csum = np.cumsum(np.asarray(p)[order])
    n = int(np.searchsorted(csum, P, side="left")) + 1   # first running sum >= P, inclusive
    keep = np.zeros(len(p), bool)
    keep[order[:min(n, len(p))]] = True
    return keep


def np_min_p(p, pmin):
    p = np.asarray(p)
    return p >= pmin * p.max()


def np_renorm(p, keep):
    p = np.where(keep, p, 0.0)
    return p / p.sum()


def logits(n=64, spread=3.0):
    return list(RNG.normal(0.0, spread, n))


# -- the single rules --------------------------------------------------------------


@pytest.mark.parametrize("trial", range(8))
def test_cuts_match_numpy(trial):
    z = logits(80 + trial)
    p = np_softmax(z, 0.7 + 0.2 * trial)
    for k in (1, 3, 10, 200):
        assert top_k_keep(list(p), k) == list(np_top_k(p, k))
    for P in (0.05, 0.5, 0.9, 0.97, 1.0):
        got, want = top_p_keep(list(p), P), np_top_p(p, P)
        assert got == list(want), P
        # the nucleus is the smallest prefix: dropping its last token falls short of P
        assert sum(q for q, keep in zip(p, got) if keep) >= P - 1e-12
    for pm in (0.0, 0.05, 0.1, 0.5, 1.0):
        assert min_p_keep(list(p), pm) == list(np_min_p(p, pm))


def test_renormalise_and_kept_mass():
    p = list(np_softmax(logits(30)))
    keep = list(np_top_k(p, 7))
    assert kept_mass(p, keep) == pytest.approx(float(np.sort(p)[-7:].sum()))
    assert renormalise(p, keep) == pytest.approx(list(np_renorm(p, keep)))
    with pytest.raises(ValueError):
        renormalise(p, [False] * len(p))
    with pytest.raises(ValueError):
        kept_mass(p, [True])


def test_ties_go_to_the_smaller_id():
    p = [0.25, 0.25, 0.25, 0.25]
    assert rank_order(p) == [0, 1, 2, 3]
    assert top_k_keep(p, 2) == [True, True, False, False]
    assert top_p_keep(p, 0.5) == [True, True, False, False]
    assert top_p_keep(p, 0.51) == [True, True, True, False]
    assert greedy_token([1.0, 3.0, 3.0, -1.0]) == 1


def test_hand_example():
    """Logits 2, 1, 0, −1 at τ = 1: the chapter's worked exercise, by the closed forms."""
    e = [math.e ** 2, math.e, 1.0, 1 / math.e]
    q = [x / sum(e) for x in e]
    assert decode_distribution([2, 1, 0, -1]) == pytest.approx(q)
    assert decode_distribution([2, 1, 0, -1], top_k=2) == pytest.approx([q[0] / (q[0] + q[1]),
                                                                         q[1] / (q[0] + q[1]), 0, 0])
    # running sums 0.644, 0.881, 0.968: top-p 0.9 needs the third token
    assert sum(top_p_keep(q, 0.9)) == 3
    # min-p 0.1: the cut 0.0644 lets 0.087 through, not 0.032
    assert min_p_keep(q, 0.1) == [True, True, True, False]


# -- composition --------------------------------------------------------------------


@pytest.mark.parametrize("tau,k,P,pm", [(1.0, 0, 1.0, 0.0), (0.6, 0, 0.9, 0.0), (0.6, 20, 0.95, 0.0),
                                        (1.5, 0, 1.0, 0.1), (1.2, 5, 0.8, 0.05), (0.3, 40, 0.99, 0.2)])
def test_decode_distribution_is_temperature_then_each_cut(tau, k, P, pm):
    z = logits(120)
    p = np_softmax(z, tau)
    if k:
        p = np_renorm(p, np_top_k(p, k))
    if P < 1:
        p = np_renorm(p, np_top_p(p, P))
    if pm > 0:
        p = np_renorm(p, np_min_p(p, pm))
    got = decode_distribution(z, tau, top_k=k, top_p=P, min_p=pm)
    assert got == pytest.approx(list(p), abs=1e-12)
    assert math.fsum(got) == pytest.approx(1.0)


def test_temperature_zero_is_greedy():
    z = logits(50)
    g = int(np.argmax(z))
    assert greedy_token(z) == g
    q = decode_distribution(z, 0.0)
    assert q[g] == 1.0 and sum(q) == 1.0
    # and a very cold temperature is nearly the same distribution
    assert decode_distribution(z, 0.01)[g] > 0.999


@pytest.mark.parametrize("bad", [dict(temperature=-1), dict(temperature=math.nan), dict(top_k=-2),
                                 dict(top_k=2.5), dict(top_p=0.0), dict(top_p=1.5), dict(min_p=-0.1),
                                 dict(min_p=2)])
def test_bad_settings_raise(bad):
    with pytest.raises(ValueError):
        decode_distribution([1.0, 2.0], **bad)


def test_bad_logits_raise():
    for z in ([], [math.nan], [math.inf, 0.0], [-math.inf, -math.inf]):
        with pytest.raises(ValueError):
            greedy_token(z)
    with pytest.raises(ValueError):
        top_k_keep([0.5, 0.5], 0)


# -- drawing ---------------------------------------------------------------------------


def np_draw(p, u):
    """The token u picks: count the running sums (in rank order) that are <= u."""
    order = np_order(p)
    csum = np.cumsum(np.asarray(p)[order])
    return int(order[min(int((csum <= u).sum()), len(p) - 1)])


def test_draws_match_numpy_and_land_in_proportion():
    p = list(np_softmax(logits(40), 1.3))
    us = list(RNG.random(500))
    assert sample_tokens(p, us) == [np_draw(p, u) for u in us]
    # u on an even grid of N points: each token gets its probability's share, within 1/N
    n = 20_000
    counts = np.bincount(sample_tokens(p, [(i + 0.5) / n for i in range(n)]), minlength=len(p)) / n
    assert np.max(np.abs(counts - np.asarray(p))) <= 1.0 / n + 1e-12


def test_draw_edges():
    assert sample_token([0.7, 0.3], 0.0) == 0
    assert sample_token([0.7, 0.3], 0.7) == 1
    assert sample_token([0.7, 0.0, 0.3], 0.999999) == 2     # never a token of probability 0
    # the same u picks the same or a likelier token when the distribution sharpens
    z = logits(30)
    for u in (0.05, 0.3, 0.6, 0.95):
        hot, cold = sample_token(decode_distribution(z, 1.5), u), sample_token(decode_distribution(z, 0.5), u)
        ranks = rank_order(np_softmax(z))
        assert ranks.index(cold) <= ranks.index(hot)
    for u in (-0.1, 1.0, math.nan):
        with pytest.raises(ValueError):
            sample_token([1.0], u)


def test_repeated_ngram_share():
    assert repeated_ngram_share([1, 2, 3, 4, 5, 6]) == 0.0
    # a loop of period 2: (1,2,1) (2,1,2) then every later 3-gram repeats: 4 of 6
    assert repeated_ngram_share([1, 2, 1, 2, 1, 2, 1, 2]) == pytest.approx(4 / 6)
    assert repeated_ngram_share([7, 7, 7, 7], n=1) == pytest.approx(3 / 4)
    assert repeated_ngram_share([1, 2], n=3) == 0.0
    with pytest.raises(ValueError):
        repeated_ngram_share([1, 2, 3], n=0)
