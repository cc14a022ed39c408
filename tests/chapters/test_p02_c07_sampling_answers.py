"""Chapter p02-c07's answers against independent oracles.

Hand examples: closed forms with math.exp. The tiny model: its logits from
the numpy forward pass and every cut and draw by numpy
(``tests/sampling_numpy.py``), continuations written by a plain loop that
runs the whole text through that numpy forward pass at every step. Published settings and sizes: the figures as their sources
print them.
"""
import math

import numpy as np
import pytest

import sampling_numpy as ref
from llmviz.answers import answers_for
from llmviz.modes.part02_transformer import sampling_runs as sr

A = answers_for("p02-c07-sampling")
CONFIDENT, FLAT, LOOPING = 0, 1, 2


def val(name):
    return A[name]().value


def txt(name):
    return A[name]().text


def q(prompt, tau=1.0):
    return ref.softmax(ref.logits(prompt), tau)


def test_the_prompts_are_the_ones_the_chapter_names():
    assert sr.PROMPTS[CONFIDENT] == "The KV cache stores the keys and"
    assert sr.PROMPTS[LOOPING] == "The cache grows by"
    assert sr.PROMPTS[FLAT] == "In the simulation,"


def test_hand_examples():
    e = [math.exp(z) for z in (2, 1, 0, -1)]
    s = sum(e)
    p = [x / s for x in e]
    assert val("toy_sum") == pytest.approx(s) and txt("toy_sum") == "11.475"
    assert [val(f"toy_q{i}") for i in range(4)] == pytest.approx(p)
    assert [txt(f"toy_q{i}") for i in range(4)] == ["0.644", "0.237", "0.087", "0.032"]
    assert val("toy_h") == pytest.approx(-sum(x * math.log2(x) for x in p))
    c = [math.exp(z) for z in (4, 2, 0, -2)]
    assert val("toy_q0_cold") == pytest.approx(c[0] / sum(c)) and val("toy_q1_cold") == pytest.approx(c[1] / sum(c))
    assert val("toy_h_cold") == pytest.approx(-sum(x / sum(c) * math.log2(x / sum(c)) for x in c))
    assert val("toy_topk2_0") == pytest.approx(p[0] / (p[0] + p[1])) == val("toy_topk2_cum1")
    assert val("toy_topk2_1") == pytest.approx(p[1] / (p[0] + p[1]))
    assert val("toy_cum2") == pytest.approx(p[0] + p[1]) and val("toy_cum3") == pytest.approx(p[0] + p[1] + p[2])
    assert val("toy_cum2") < 0.9 <= val("toy_cum3") and val("toy_topp_n") == 3
    assert val("toy_topp_0") == pytest.approx(p[0] / (p[0] + p[1] + p[2]))
    assert val("toy_minp_cut") == pytest.approx(0.1 * p[0])
    assert p[3] < val("toy_minp_cut") < p[2] and val("toy_minp_n") == 3
    # u = 0.9 lies between the second and third running sums: it draws "the"
    assert val("toy_cum2") <= val("toy_u") < val("toy_cum3")


def test_the_confident_prompt():
    d = q(CONFIDENT)
    z = ref.logits(CONFIDENT)
    srt = np.sort(d)[::-1]
    assert val("c_top") == pytest.approx(srt[0]) and val("c_second") == pytest.approx(srt[1])
    assert txt("c_top") == "0.677"
    assert val("c_h") == pytest.approx(-(d * np.log2(d)).sum())
    assert val("c_choices") == pytest.approx(2 ** val("c_h"))
    gap = np.sort(z)[-1] - np.sort(z)[-2]
    assert val("c_gap") == pytest.approx(gap) and txt("c_gap") == "2.10"
    assert val("c_ratio_t1") == pytest.approx(srt[0] / srt[1])
    assert val("c_ratio_t06") == pytest.approx(np.sort(q(CONFIDENT, 0.6))[-1] / np.sort(q(CONFIDENT, 0.6))[-2])
    for tau, top_name, h_name in ((0.6, "c_top_t06", "c_h_t06"), (1.5, "c_top_t15", "c_h_t15")):
        dt = q(CONFIDENT, tau)
        assert val(top_name) == pytest.approx(dt.max())
        assert val(h_name) == pytest.approx(-(dt * np.log2(dt)).sum())
    tail = 1 - srt[:12].sum()
    assert val("c_tail12") == pytest.approx(tail)
    assert val("c_tail_run") == pytest.approx(1 - (1 - tail) ** 20) and val("tail_steps") == 20
    assert val("c_topk10_mass") == pytest.approx(srt[:10].sum())
    assert val("c_topp09_n") == ref.keep_top_p(d, 0.9).sum()
    assert val("c_topp09_mass") == pytest.approx(d[ref.keep_top_p(d, 0.9)].sum())
    assert val("c_minp_cut") == pytest.approx(0.1 * srt[0]) and val("c_minp_n") == ref.keep_min_p(d, 0.1).sum()
    d15 = q(CONFIDENT, 1.5)
    assert val("c_t15_topp09_n") == ref.keep_top_p(d15, 0.9).sum()
    assert val("c_t15_minp_n") == ref.keep_min_p(d15, 0.1).sum()
    # the chapter's claims about them
    assert val("c_t15_topp09_n") > 5 * val("c_topp09_n") and val("c_t15_minp_n") < val("c_t15_topp09_n") / 5


def test_the_unsure_prompt():
    d = q(FLAT)
    srt = np.sort(d)[::-1]
    assert val("f_top") == pytest.approx(srt[0])
    assert val("f_h") == pytest.approx(-(d * np.log2(d)).sum()) and val("f_h") > 2 * val("c_h")
    assert val("f_choices") == pytest.approx(2 ** val("f_h"))
    assert val("f_topk10_mass") == pytest.approx(srt[:10].sum()) and val("f_topk10_mass") < 0.7
    assert val("f_topp09_n") == ref.keep_top_p(d, 0.9).sum() > 10
    assert val("f_minp_cut") == pytest.approx(0.1 * srt[0]) and val("f_minp_n") == ref.keep_min_p(d, 0.1).sum()


def test_published_settings():
    # Meta's llama/generation.py: temperature 0.6, top_p 0.9; Qwen3-8B's card, thinking mode: 0.6, 20, 0.95
    assert (val("l3_t"), val("l3_p")) == (0.6, 0.9)
    assert (val("qw_t"), val("qw_k"), val("qw_p")) == (0.6, 20, 0.95)
    n = lambda dist: int((dist > 0).sum())  # noqa: E731
    assert val("l3_c_n") == n(ref.decode(ref.logits(CONFIDENT), 0.6, top_p=0.9)) == 1
    assert val("l3_f_n") == n(ref.decode(ref.logits(FLAT), 0.6, top_p=0.9))
    assert val("l3_f_topp_t1_n") == n(ref.decode(ref.logits(FLAT), 1.0, top_p=0.9)) > val("l3_f_n")
    assert val("qw_f_topp_alone_n") == ref.keep_top_p(q(FLAT, 0.6), 0.95).sum() > 20
    assert val("qw_f_n") == n(ref.decode(ref.logits(FLAT), 0.6, top_k=20, top_p=0.95)) < 20
    assert val("qw_c_n") == n(ref.decode(ref.logits(CONFIDENT), 0.6, top_k=20, top_p=0.95))


def test_the_samples():
    assert val("length") == sr.LENGTH == 20 and val("sampled_tokens") == sr.ROWS * sr.LENGTH == 60
    g_toks, g_probs = ref.plain_greedy(LOOPING)
    the, cache = sr.model().tokenizer.encode(" the"), sr.model().tokenizer.encode(" cache")
    loop = [p for j, p in enumerate(g_probs) if j and g_toks[j] == cache[0] and g_toks[j - 1] == the[0]]
    assert len(loop) >= 3
    assert val("loop_first") == pytest.approx(loop[0]) and val("loop_repeat_min") == pytest.approx(min(loop[1:]))
    assert val("loop_repeat_min") > 2 * val("loop_first")   # the chapter: the phrase got likelier once written
    assert val("greedy_rep") == pytest.approx(ref.repeated_share(g_toks))
    assert val("greedy_ppl") == pytest.approx(ref.perplexity(g_probs))
    pure = ref.plain_rows(LOOPING, "pure", 0)
    assert val("pure_rep") == pytest.approx(np.mean([ref.repeated_share(t) for t, _, _ in pure]))
    for name, preset in (("pure_ppl", "pure"), ("hot_ppl", "hot"), ("minp_ppl", "minp")):
        rows = ref.plain_rows(LOOPING, preset, 0)
        assert val(name) == pytest.approx(np.mean([ref.perplexity(p) for _, p, _ in rows]))
    for name, preset in (("hot_tail", "hot"), ("minp_tail", "minp")):
        ranks = [k for _, _, rs in ref.plain_rows(LOOPING, preset, 0) for k in rs]
        assert val(name) == sum(1 for k in ranks if k > 20)
    # what the chapter says they show
    assert val("greedy_rep") > 0.25 > val("pure_rep")
    assert val("greedy_ppl") < val("pure_ppl") < val("hot_ppl") and val("minp_ppl") < val("hot_ppl")
    assert val("hot_tail") > 3 * val("minp_tail")


def test_held_out_text_and_real_vocabularies():
    # tools/tiny_lm/README.md: held-out loss 2.898 nats a token for the shipped int8 weights
    assert val("held_loss") == pytest.approx(2.898, abs=5e-4)
    assert val("held_ppl") == pytest.approx(math.exp(2.8978), rel=1e-4)
    # Meta-Llama-3-8B config.json: vocab_size 128256
    assert val("llama_vocab") == 128256
    assert val("llama_uniform_h") == pytest.approx(np.log2(128256))
    assert val("lm_uniform_h") == pytest.approx(9.0) and val("lm_vocab") == 512
    assert val("lm_params") == 139584
    assert val("logits_bytes_seq") == 4 * 128256 and val("batch") == 256
    assert val("logits_bytes_batch") == 4 * 128256 * 256
    assert txt("logits_bytes_batch") == "131 MB"
