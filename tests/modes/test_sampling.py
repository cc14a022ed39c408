"""The sampling chapter's workshop: real distributions, the rules it shows, and a small per-frame cost.

The model's next-token logits are checked against the numpy forward pass of
the same weights (``tools/tiny_lm/numpy_lm.py``); the continuations against a
plain loop that runs the whole text through that numpy pass at every step,
with numpy doing the sampling, so the view's sliced, cached, shared work is
checked against work done the simple way. The cost
test counts work units per frame (``sampling_runs.UNITS``), not seconds.
"""
import numpy as np
import pytest

import sampling_numpy as ref
from llmviz.modes.part02_transformer import sampling_runs as sr
from llmviz.modes.part02_transformer.sampling import PANEL_ROWS, PREFETCH, SHOWN, START, STEP, SamplingMode

FPS = 60


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def test_the_views_show_the_models_real_distribution():
    for i in range(len(sr.PROMPTS)):
        assert np.max(np.abs(np.asarray(sr.prompt(i).ensure().logits) - ref.logits(i))) < 1e-9
    m = SamplingMode(submode="temperature")
    for tau in (0.3, 1.0, 2.0):
        m.set("temp", tau)
        t = tel(m.frame(1.0))
        q = ref.softmax(ref.logits(0), tau)
        assert t["top"]["value"] == pytest.approx(q.max())
        assert t["entropy"]["value"] == pytest.approx(-(q * np.log2(q)).sum())
        assert t["tail"]["value"] == pytest.approx(1 - np.sort(q)[-SHOWN:].sum(), abs=1e-12)


def test_temperature_sharpens_and_flattens():
    m = SamplingMode(submode="temperature")
    ent = []
    for tau in (0.1, 0.5, 1.0, 1.5, 3.0):
        m.set("temp", tau)
        ent.append(tel(m.frame(2.0))["entropy"]["value"])
    assert ent == sorted(ent) and ent[0] < 0.01 and ent[-1] > 6
    # at τ = 0.1 every draw is greedy's token: the top bar's count equals the draws made
    m.set("temp", 0.1)
    f = m.frame(5.0)
    k = tel(f)["draws"]["value"]
    assert f"×{k}" in texts(f)


def test_draws_follow_the_distribution():
    """Forty draws at τ = 1 by inverse transform: the likeliest token takes about its share."""
    m = SamplingMode(submode="temperature")
    draws = m._draws(0)
    q = m._dist()["qT"]
    top = max(range(len(q)), key=q.__getitem__)
    share = sum(1 for _, tok in draws if tok == top) / len(draws)
    assert abs(share - q[top]) < 0.2
    assert [tok for _, tok in draws] == [ref.draw(q, u) for u, _ in draws]


def test_truncation_counts_match_cutoffs_written_another_way():
    m = SamplingMode(submode="truncation")
    for prompt, tau, k, P, pm in [("0", 1.0, 10, 0.9, 0.1), ("1", 1.0, 10, 0.9, 0.1), ("0", 1.5, 5, 0.8, 0.05),
                                  ("2", 0.6, 20, 0.95, 0.2)]:
        m.apply({"prompt": prompt, "temp": tau, "top_k": k, "top_p": P, "min_p": pm})
        t = tel(m.frame(10.0))
        q = ref.softmax(ref.logits(int(prompt)), tau)
        assert t["kept_k"]["value"] == ref.keep_top_k(q, k).sum() == k
        assert t["kept_p"]["value"] == ref.keep_top_p(q, P).sum()
        assert t["kept_min"]["value"] == ref.keep_min_p(q, pm).sum()


def test_the_cursor_reveals_each_rules_verdict():
    m = SamplingMode(submode="truncation")
    early, late = m.frame(0.0), m.frame(PANEL_ROWS * 0.3 + 0.5)
    assert "cut" not in texts(early) and texts(late).count("cut") > 3
    assert any(s.startswith("kept ") for s in texts(late)) and not any(s.startswith("kept ") for s in texts(early))
    log = [c["text"] for c in SamplingMode(submode="truncation").frame(1.0)["console"]]
    assert log and "top-k keeps" in log[0] and "min-p" in log[0]


@pytest.mark.parametrize("preset", ["pure", "llama3", "minp"])
def test_continuations_match_a_plain_generation_loop(preset):
    rows = sr.samples(2, preset, 3)
    for r in rows:
        r.ensure(sr.LENGTH)
    assert [tuple(r.tokens) for r in rows] == [toks for toks, _, _ in ref.plain_rows(2, preset, 3)]
    g = sr.greedy(2).ensure(sr.LENGTH)
    assert g.tokens == list(ref.plain_greedy(2)[0])


def test_greedy_loops_and_samples_do_not():
    """The mechanism the view teaches, on its default prompt and seed."""
    for preset in ("pure", "hot", "minp"):
        sr.ensure_all(2, preset, 0, sr.LENGTH)
    m = SamplingMode(submode="samples")
    t = tel(m.frame(START + sr.LENGTH * STEP))
    assert t["written"]["value"] == sr.LENGTH
    assert t["greedy_rep"]["value"] > 0.25 > t["sample_rep"]["value"]
    assert t["distinct"]["value"] == sr.ROWS
    hot = SamplingMode(submode="samples", values={"preset": "hot"})
    minp = SamplingMode(submode="samples", values={"preset": "minp"})
    end = START + sr.LENGTH * STEP
    assert tel(hot.frame(end))["tail"]["value"] > 3 * tel(minp.frame(end))["tail"]["value"]


def test_same_seed_same_text_other_seed_other_text():
    a = [r.tokens for r in sr.samples(2, "pure", 5)]
    for r in sr.samples(2, "pure", 5):
        r.ensure(sr.LENGTH)
    b = [list(r.tokens) for r in sr.samples(2, "pure", 5)]
    assert a == b
    for r in sr.samples(2, "pure", 6):
        r.ensure(sr.LENGTH)
    assert b != [r.tokens for r in sr.samples(2, "pure", 6)]


@pytest.mark.parametrize("view", ["samples", "temperature", "truncation"])
def test_no_frame_after_the_first_computes_a_token(view):
    """From a cold start at 60 frames a second: the first frame may read the prompt; every later
    frame spends at most PREFETCH work units (a token costs about 75), and the samples still arrive."""
    sr.reset()
    m = SamplingMode(submode=view)
    before = sr.UNITS
    m.frame(0.0)
    first = sr.UNITS - before
    assert first <= len(sr.prompt_tokens(0)) * 80
    worst = 0
    for n in range(1, int((START + sr.LENGTH * STEP + 1) * FPS)):
        before = sr.UNITS
        f = m.frame(n / FPS)
        worst = max(worst, sr.UNITS - before)
    assert worst <= PREFETCH
    if view == "samples":
        assert tel(f)["written"]["value"] == sr.LENGTH
        assert all(r.done for r in [sr.greedy(2)] + sr.samples(2, sr.DEFAULT_PRESET, 0))


def test_bad_values_clamp_with_messages():
    m = SamplingMode()
    assert "clamped" in m.set("temp", 0)
    assert m["temp"] == 0.1
    assert m.set("prompt", "7") and m["prompt"] == "0"
    assert m.set("preset", "greedy") and m["preset"] == sr.DEFAULT_PRESET
    assert "clamped" in m.set("top_k", 1000) and m["top_k"] == 100
    m.frame(1.0)


def test_a_late_change_of_seed_never_freezes_a_frame():
    """Changing the seed (or prompt, or setting) when all 20 tokens are due: no frame computes them
    at once; the view says it is computing, the rows catch up a few slices a frame, and the console
    tells each token once."""
    m = SamplingMode(submode="samples")
    end = START + sr.LENGTH * STEP + 1
    m.frame(end)
    m.set("seed", 41)
    worst, told, frames = 0, [], 0
    f = None
    while frames < 5000:
        before = sr.UNITS
        f = m.frame(end + frames / FPS)
        worst = max(worst, sr.UNITS - before)
        told += [c["text"] for c in f["console"]]
        frames += 1
        if tel(f)["written"]["value"] == sr.LENGTH:
            break
    assert worst <= PREFETCH
    assert frames > 10, "the rows were not being computed over several frames"
    assert any(s.startswith("computing:") for s in told)
    assert tel(f)["written"]["value"] == sr.LENGTH
    assert not any(s.startswith("Computing:") for s in texts(f))
    for k in range(1, sr.LENGTH + 1):
        assert sum(1 for s in told if s.startswith(f"token {k}:")) <= 1
