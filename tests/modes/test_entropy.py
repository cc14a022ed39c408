"""The entropy workshop: draws and their average, p against q, the next-token loss, perplexity.

numpy is the oracle for every entropy, softmax and loss the reader watches;
the mechanisms are checked as the chapter describes them.
"""
import math

import numpy as np
import pytest

from llmviz.modes.part00_math.entropy import (COUNT_S, DRAW_HOLD_S, DRAW_RATE, DRAWS, P_PRESETS, Q_PROFILE,
                                              RISE_S, TERM_S, TOKENS, TOP_HOLD_S, Z_HI, Z_LO, EntropyMode,
                                              draw_tokens, fmt_prob, geometric, rotate_profile)
from tooling import label_problems

CYCLE = DRAWS / DRAW_RATE + DRAW_HOLD_S


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _rects(frame, prefix):
    return [it for it in frame["scene"]["items"] if it["k"] == "rect" and str(it.get("label", "")).startswith(prefix)]


def np_softmax(z, tau=1.0):
    e = np.exp((np.asarray(z, dtype=float) - np.max(z)) / tau)
    return e / e.sum()


def np_entropy(p, base=2.0):
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum() / np.log(base))


# -- surprise -------------------------------------------------------------------------


@pytest.mark.parametrize("preset", list(P_PRESETS))
@pytest.mark.parametrize("t", [0.0, 3.3, 9.9, 14.8, 17.0])
def test_running_average_is_the_mean_surprise_of_the_draws(preset, t):
    m = EntropyMode(submode="surprise", values={"p": preset})
    tel = _tel(m.frame(t))
    p = np.array(P_PRESETS[preset])
    k = tel["draws"]["value"]
    assert k == min(DRAWS, int(t * DRAW_RATE) + 1)
    draws = draw_tokens(P_PRESETS[preset], DRAWS, 0)[:k]
    assert all(p[i] > 0 for i in draws), "a token of probability 0 was drawn"
    assert tel["avg"]["value"] == pytest.approx(np.mean(-np.log2(p[draws])))
    assert tel["last"]["value"] == pytest.approx(-np.log2(p[draws[-1]]))
    assert tel["H"]["value"] == pytest.approx(np_entropy(p))


def test_uniform_and_certain_draws_sit_on_the_entropy_from_the_start():
    for preset, h in (("uniform", math.log2(6)), ("certain", 0.0)):
        m = EntropyMode(submode="surprise", values={"p": preset})
        for t in (0.0, 1.0, 7.7):
            tel = _tel(m.frame(t))
            assert tel["avg"]["value"] == pytest.approx(h) and tel["gap"]["value"] == pytest.approx(0, abs=1e-12)


def test_many_draws_follow_p():
    p = P_PRESETS["peaked"]
    draws = np.array(draw_tokens(p, 40_000, seed=3))
    freq = np.bincount(draws, minlength=6) / len(draws)
    assert np.allclose(freq, p, atol=0.01)
    assert draw_tokens(p, 50, 1) == draw_tokens(p, 50, 1) != draw_tokens(p, 50, 2)


def test_nats_are_bits_times_ln2():
    bits = _tel(EntropyMode(submode="surprise").frame(5.0))
    nats = _tel(EntropyMode(submode="surprise", values={"unit": "nats"}).frame(5.0))
    for key in ("H", "avg", "last"):
        assert nats[key]["value"] == pytest.approx(bits[key]["value"] * math.log(2))
    assert nats["H"]["unit"] == "nats"


def test_the_drawn_token_is_outlined_and_the_plot_grows():
    m = EntropyMode(submode="surprise")
    f1, f2 = m.frame(1.0), m.frame(6.0)
    dots = lambda f: sum(1 for it in f["scene"]["items"] if it["k"] == "circle" and it.get("a") == 0.8)
    assert dots(f1) == 5 and dots(f2) == 25
    drawn = TOKENS[draw_tokens(P_PRESETS["peaked"], DRAWS)[24]]
    assert any(s.startswith(f"draw 25 of {DRAWS}: \u201c{drawn}\u201d") for s in _texts(f2))


def test_surprise_formula_line_writes_the_sum_out():
    f = EntropyMode(submode="surprise").frame(0.0)
    assert "H(p) = \u03a3 p\u00b7(\u2212log\u2082 p) = 1/2\u00b71 + 1/4\u00b72 + 1/8\u00b73 + 1/16\u00b74 + " \
           "1/32\u00b75 + 1/32\u00b75 = 1.9375 bits" in _texts(f)


# -- compare ---------------------------------------------------------------------------


@pytest.mark.parametrize("preset", list(P_PRESETS))
@pytest.mark.parametrize("favour", ["mat", "sofa", "moon"])
@pytest.mark.parametrize("temp", [0.3, 1.0, 4.0])
def test_compare_numbers_match_numpy(preset, favour, temp):
    f = EntropyMode(submode="compare", values={"p": preset, "favour": favour, "temp": temp}).frame(1.0)
    tel = _tel(f)
    p = np.array(P_PRESETS[preset])
    q = np_softmax(np.roll(Q_PROFILE, TOKENS.index(favour)), temp)
    m = p > 0
    ce = float(-(p[m] * np.log2(q[m])).sum())
    assert tel["H"]["value"] == pytest.approx(np_entropy(p), abs=1e-12)
    assert tel["CE"]["value"] == pytest.approx(ce)
    assert tel["KL"]["value"] == pytest.approx(ce - np_entropy(p), abs=1e-9)
    # bar heights are p and q on one scale
    bars_p = {r["label"][2:-1]: r["h"] for r in _rects(f, "p(")}
    bars_q = {r["label"][2:-1]: r["h"] for r in _rects(f, "q(")}
    scale = EntropyMode.BAR_H
    for i, tok in enumerate(TOKENS):
        assert bars_p.get(tok, 0.0) == pytest.approx(scale * p[i])
        assert bars_q[tok] == pytest.approx(scale * q[i])


def test_decomposition_bar_is_entropy_plus_gap():
    f = EntropyMode(submode="compare", values={"temp": 3.0}).frame(1.0)
    tel = _tel(f)
    (h,), (kl,) = _rects(f, "H(p)"), _rects(f, "KL(")
    assert kl["x"] == pytest.approx(h["x"] + h["w"])
    assert kl["w"] / h["w"] == pytest.approx(tel["KL"]["value"] / tel["H"]["value"])


def test_the_favoured_logits_rotate_round_the_vocabulary():
    assert rotate_profile(0) == list(Q_PROFILE)
    assert rotate_profile(2) == [-1.0, -1.0, 3.0, 2.0, 1.0, 0.0]


def test_temperature_one_over_ln2_closes_the_gap():
    tel = _tel(EntropyMode(submode="compare", values={"temp": 1.44}).frame(0.0))
    assert tel["KL"]["value"] < 1e-5
    assert tel["CE"]["value"] == pytest.approx(1.9375, abs=1e-5)


def test_cursor_adds_one_term_a_second_then_shows_the_total():
    m = EntropyMode(submode="compare")
    p = np.array(P_PRESETS["peaked"])
    q = np_softmax(Q_PROFILE)
    terms = -p * np.log2(q)
    for k in range(6):
        texts = _texts(m.frame(k * TERM_S + 0.5))
        assert f"running sum: {terms[:k + 1].sum():.3f} bits" in texts, texts
        assert any(s.startswith(f"adding \u201c{TOKENS[k]}\u201d: {fmt_prob(p[k])} \u00d7") for s in texts)
    assert "H(p, q) = 2.021 bits" in _texts(m.frame(6 * TERM_S + 0.5))


def test_compare_console_reports_the_sum_once_a_cycle():
    m = EntropyMode(submode="compare")
    m.frame(0.0)
    assert m.frame(5.9)["console"] == []
    (ev,) = m.frame(6.1)["console"]
    assert "2.021 bits" in ev["text"] and "KL 0.084 bits" in ev["text"]


# -- next-token loss -----------------------------------------------------------------------


def _next_expected(truth, z):
    logits = np.array([2.0, 1.5, 1.0, 0.5, 0.0, -1.0])
    logits[truth] = z
    q = np_softmax(logits)
    return q[truth], -np.log(q[truth])


@pytest.mark.parametrize("truth", ["mat", "bed", "moon"])
@pytest.mark.parametrize("z", [-4.0, -1.3, 2.0, 6.0, 8.0])
def test_loss_is_minus_ln_q_of_the_truth(truth, z):
    tel = _tel(EntropyMode(submode="logit", values={"truth": truth, "z": z}).frame(0.0))
    q, loss = _next_expected(TOKENS.index(truth), z)
    assert tel["q"]["value"] == pytest.approx(q)
    assert tel["loss"]["value"] == pytest.approx(loss)
    assert tel["bits"]["value"] == pytest.approx(loss / math.log(2))
    assert tel["pp"]["value"] == pytest.approx(1 / q)
    assert tel["slope"]["value"] == pytest.approx(q - 1)


def test_the_sweep_climbs_then_rests_then_restarts():
    m = EntropyMode(submode="nexttoken")
    z = lambda t: _tel(m.frame(t))["z"]["value"]
    assert z(0.0) == Z_LO
    assert z(RISE_S / 2) == pytest.approx((Z_LO + Z_HI) / 2)
    assert z(RISE_S + TOP_HOLD_S / 2) == Z_HI
    assert z(RISE_S + TOP_HOLD_S + 0.5) == pytest.approx(Z_LO + (Z_HI - Z_LO) * 0.5 / RISE_S)
    period = RISE_S + TOP_HOLD_S
    assert z(1e9 * period + 3.0) == pytest.approx(z(3.0))  # far ahead, within MAX_T


def test_dot_sits_on_the_curve_and_the_tangent_has_slope_q_minus_one():
    mode = EntropyMode(submode="logit", values={"z": 1.0})
    f = mode.frame(0.0)
    px, py, pw, ph = EntropyMode.PLOT
    lmax = mode.cached("next", mode._next_static)["lmax"]
    to_data = lambda x, y: (Z_LO + (x - px) / pw * (Z_HI - Z_LO), (py + ph - y) / ph * lmax)
    dot = next(it for it in f["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "accent2")
    z, loss = to_data(dot["x"], dot["y"])
    q, want = _next_expected(0, 1.0)
    assert (z, loss) == pytest.approx((1.0, want))
    tangent = next(it for it in f["scene"]["items"] if it["k"] == "line" and it.get("stroke") == "accent3")
    (za, la), (zb, lb) = to_data(tangent["x1"], tangent["y1"]), to_data(tangent["x2"], tangent["y2"])
    assert (lb - la) / (zb - za) == pytest.approx(q - 1)


def test_the_curve_falls_all_the_way_and_never_reaches_zero():
    losses = [_tel(EntropyMode(submode="logit", values={"z": z}).frame(0))["loss"]["value"]
              for z in np.arange(Z_LO, Z_HI + 0.01, 0.5)]
    assert all(a > b for a, b in zip(losses, losses[1:]))
    assert losses[-1] > 0
    # far left the curve is almost a line of slope −1: a unit of logit against the truth costs a nat
    assert losses[0] - losses[1] == pytest.approx(0.5, abs=0.01)


def test_next_token_console_narrates_the_sweep():
    m = EntropyMode(submode="nexttoken")
    m.frame(0.0)
    crossing = (1.5 - Z_LO) / ((Z_HI - Z_LO) / RISE_S)
    texts = [e["text"] for e in m.frame(crossing + 0.05)["console"]]
    assert texts and "is now the top guess" in texts[0]
    texts = [e["text"] for e in m.frame(RISE_S + 0.05)["console"]]
    assert texts and "never 0" in texts[0]
    # an enormous jump says so in one line, then reports each kind of event once, not once per cycle
    texts = [e["text"] for e in m.frame(1e9)["console"]]
    assert texts[0].startswith("jumped") and len(texts) <= 4


# -- perplexity ------------------------------------------------------------------------------


@pytest.mark.parametrize("n,r", [(12, 0.6), (12, 1.0), (12, 0.2), (2, 0.05), (20, 0.9), (7, 0.5)])
def test_perplexity_is_two_to_the_entropy_and_counts_out_that_many_choices(n, r):
    f = EntropyMode(submode="perplexity", values={"n": n, "decay": r}).frame(COUNT_S + 0.5)
    tel = _tel(f)
    p = r ** np.arange(n)
    p /= p.sum()
    pp = 2 ** np_entropy(p)
    assert tel["pp"]["value"] == pytest.approx(pp)
    assert tel["nats"]["value"] == pytest.approx(np.log(pp))
    assert 1 <= pp <= n + 1e-9
    choices = _rects(f, "choice")
    assert len(choices) == math.ceil(pp - 1e-9)
    full = [c for c in choices if c["w"] == choices[0]["w"]]
    # the fair choices are 1/PP tall on the same scale as p's bars
    bars = _rects(f, "p")
    scale = bars[0]["h"] / p[0]
    for c in choices:
        assert c["h"] == pytest.approx(scale / pp)
    width = sum(c["w"] for c in choices)
    if pp - int(pp) > 1e-6:
        assert width == pytest.approx(full[0]["w"] * pp)


def test_counting_animation_reaches_the_perplexity():
    m = EntropyMode(submode="perplexity")
    counted = [_tel(m.frame(t))["counted"]["value"] for t in (0.0, 0.5, 1.0, 1.5, COUNT_S, 99.0)]
    assert counted == sorted(counted) and counted[0] >= 1
    assert counted[-1] == pytest.approx(_tel(m.frame(99.0))["pp"]["value"])
    assert geometric(3, 1.0) == pytest.approx([1 / 3] * 3)


# -- controls, labels, cost ------------------------------------------------------------------------


def test_each_view_shows_only_its_own_controls():
    assert EntropyMode.controls_of("surprise") == ("p", "unit")
    assert EntropyMode.controls_of("compare") == ("p", "unit", "favour", "temp")
    assert EntropyMode.controls_of("nexttoken") == ("truth",)
    assert EntropyMode.controls_of("logit") == ("truth", "z")
    assert EntropyMode.controls_of("perplexity") == ("n", "decay")


@pytest.mark.parametrize("preset", list(P_PRESETS))
@pytest.mark.parametrize("unit", ["bits", "nats"])
@pytest.mark.parametrize("favour", TOKENS)
@pytest.mark.parametrize("temp", [0.1, 1.0, 5.0])
def test_compare_labels_fit(preset, unit, favour, temp):
    m = EntropyMode(submode="compare", values={"p": preset, "unit": unit, "favour": favour, "temp": temp})
    for t in (0.2, 3.5, 7.0):
        assert not label_problems(m.frame(t))


@pytest.mark.parametrize("preset", list(P_PRESETS))
@pytest.mark.parametrize("unit", ["bits", "nats"])
def test_surprise_labels_fit(preset, unit):
    m = EntropyMode(submode="surprise", values={"p": preset, "unit": unit})
    for t in (0.0, 4.0, 14.9, 16.0):
        assert not label_problems(m.frame(t))


@pytest.mark.parametrize("truth", TOKENS)
@pytest.mark.parametrize("z", [Z_LO, -0.3, 1.5, Z_HI])
def test_next_token_labels_fit(truth, z):
    assert not label_problems(EntropyMode(submode="logit", values={"truth": truth, "z": z}).frame(0.0))


@pytest.mark.parametrize("n", [2, 5, 12, 20])
@pytest.mark.parametrize("r", [0.05, 0.5, 0.99, 1.0])
def test_perplexity_labels_fit(n, r):
    m = EntropyMode(submode="perplexity", values={"n": n, "decay": r})
    for t in (0.0, 1.0, 3.0):
        assert not label_problems(m.frame(t))


@pytest.mark.parametrize("sub", list(EntropyMode.submodes))
def test_a_huge_jump_summarises_instead_of_listing_every_cycle(sub):
    mode = EntropyMode(submode=sub)
    mode.frame(0.0)
    assert len(mode.frame(1e12)["console"]) <= 4


@pytest.mark.parametrize("truth", ["mat", "moon"])
@pytest.mark.parametrize("z", [Z_LO, Z_HI])
def test_tangent_stays_inside_the_plot(truth, z):
    f = EntropyMode(submode="logit", values={"truth": truth, "z": z}).frame(0.0)
    px, py, pw, ph = EntropyMode.PLOT
    (tangent,) = [it for it in f["scene"]["items"] if it["k"] == "line" and it.get("stroke") == "accent3"]
    for x, y in ((tangent["x1"], tangent["y1"]), (tangent["x2"], tangent["y2"])):
        assert px - 1e-6 <= x <= px + pw + 1e-6 and py - 1e-6 <= y <= py + ph + 1e-6
