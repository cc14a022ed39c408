"""Chapter p02-c04's answers against independent oracles: numpy and arithmetic written out."""
import math
import re
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.catalog import get_gpu, get_model
from llmviz.modes.part02_transformer.attention import TOKENS, toy_head

A = answers_for("p02-c04-attention")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p02-c04-attention.md"
IT, ANIMAL, THE, STREET, BECAUSE = 8, 1, 0, 6, 7


def val(name):
    return A[name]().value


def softmax_rows(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def toy(causal=True, scaled=True, tau=1.0, n=12):
    """The sentence's head recomputed in numpy from its embeddings and weights."""
    h = toy_head()
    x = np.array(h.x)[:n]
    q, k, v = x @ np.array(h.w_q), x @ np.array(h.w_k), x @ np.array(h.w_v)
    s = q @ k.T
    logits = s / (tau * (math.sqrt(q.shape[1]) if scaled else 1))
    if causal:
        logits = np.where(np.triu(np.ones((n, n), bool), 1), -np.inf, logits)
    w = softmax_rows(logits)
    return s, logits, w, w @ v


def test_every_answer_is_used_and_printed():
    text = SOURCE.read_text()
    used = set(re.findall(r"\{ans\}`([a-z0-9_]+)`", text))
    assert used <= set(A), used - set(A)
    for name, fn in A.items():
        a = fn()
        assert a.text.strip() and np.isfinite(a.value), name


def test_attention_by_hand():
    # scores 4, 0, 2; divided by sqrt(4) = 2: 2, 0, 1
    e = [math.e ** 2, 1.0, math.e]
    w = [x / sum(e) for x in e]
    assert (val("hand_w1"), val("hand_w2"), val("hand_w3")) == pytest.approx(w)
    assert A["hand_w1"]().text == "0.665" and A["hand_w2"]().text == "0.090"
    assert val("hand_z1") == pytest.approx(w[0] + w[2])
    assert val("hand_z2") == pytest.approx(w[1] + w[2])
    assert val("hand_w1_unscaled") == pytest.approx(math.e ** 4 / (math.e ** 4 + 1 + math.e ** 2))
    assert val("hand_sum_exp") == pytest.approx(sum(e))
    assert A["hand_sum_exp"]().text == "11.107"


def test_the_row_of_it():
    s, logits, w, out = toy()
    assert val("toy_d_model") == 16 and val("toy_d_k") == 12 and val("toy_d_v") == 8
    assert val("sentence_tokens") == len(TOKENS) == 12
    assert val("toy_sqrt_dk") == pytest.approx(math.sqrt(12))
    assert val("it_score_animal") == pytest.approx(s[IT, ANIMAL])
    assert val("it_score_street") == pytest.approx(s[IT, STREET])
    # "because" is the token just before "it": the position term's favourite
    assert BECAUSE == IT - 1 and val("it_score_because") == pytest.approx(s[IT, BECAUSE])
    others = [s[IT, j] for j in range(IT + 1) if j not in (ANIMAL, STREET, BECAUSE)]
    assert max(abs(x) for x in others) < 1.5 < val("it_score_street") < val("it_score_because")
    assert val("it_logit_animal") == pytest.approx(s[IT, ANIMAL] / math.sqrt(12))
    live = logits[IT, :IT + 1]
    assert val("it_sum_exp") == pytest.approx(np.exp(live - live.max()).sum())
    assert val("it_weight_animal") == pytest.approx(w[IT, ANIMAL]) == pytest.approx(1 / val("it_sum_exp"))
    assert int(np.argmax(w[IT])) == ANIMAL
    assert val("it_weight_animal_unscaled") == pytest.approx(toy(scaled=False)[2][IT, ANIMAL])
    assert val("it_out_noun") == pytest.approx(out[IT, 1])
    assert val("it_out_anim") == pytest.approx(out[IT, 2])


def test_how_the_head_was_built():
    x = np.array(toy_head().x)
    nf, npos = val("toy_n_features"), val("toy_n_pos")
    assert nf + npos == val("toy_d_model") == x.shape[1]
    assert set(np.unique(x[:, :nf])) == {0.0, 1.0}                      # word features are 0 or 1
    assert npos == 2 * val("toy_n_freqs")
    # token 1's position pairs are (cos w, sin w): read the frequencies back as angles
    freqs = [math.atan2(x[1, nf + 2 * a + 1], x[1, nf + 2 * a]) for a in range(int(val("toy_n_freqs")))]
    assert val("toy_freq_lo") == pytest.approx(min(freqs)) and val("toy_freq_hi") == pytest.approx(max(freqs))


def test_strongest_keys_named_in_the_prose():
    w = toy()[2]
    strongest = {TOKENS[i]: TOKENS[int(np.argmax(w[i]))] for i in range(len(TOKENS))}
    assert strongest["'t"] == "didn" and strongest["tired"] == "animal" and strongest["too"] == "was"


def test_uniform_split_over_the_visible_tokens():
    v = np.array(toy_head().v)[:IT + 1]
    assert val("uniform_share") == pytest.approx(1 / 9)
    assert val("uniform_noun") == pytest.approx(v[:, 1].mean()) == pytest.approx(2 / 9)
    assert val("uniform_anim") == pytest.approx(v[:, 2].mean()) == pytest.approx(2 / 9)


def test_temperature_and_entropy():
    def bits(p):
        p = p[p > 0]
        return float(-(p * np.log2(p)).sum())
    assert val("it_entropy") == pytest.approx(bits(toy()[2][IT]))
    assert val("it_entropy_t4") == pytest.approx(bits(toy(tau=4.0)[2][IT]))
    assert val("it_entropy") < val("it_entropy_t4") < val("it_entropy_max") == pytest.approx(math.log2(9))


def test_the_first_determiner_without_a_mask():
    w = toy(causal=False)[2]
    assert val("the_animal_bidir") == pytest.approx(w[THE, ANIMAL])
    assert val("the_street_bidir") == pytest.approx(w[THE, STREET])


def test_variance_of_a_dot_product():
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(20000, 128)), rng.normal(size=(20000, 128))
    measured = (q * k).sum(axis=1).std()
    # config.json of Llama 3 8B and 3.1 405B: hidden_size / num_attention_heads = 128
    assert val("llama_head_dim") == 4096 // 32 == 16384 // 128 == get_model("llama-3.1-405b").head_dim
    assert val("std_llama_head") == pytest.approx(math.sqrt(128))
    assert measured == pytest.approx(val("std_llama_head"), rel=0.03)
    assert val("ratio_one_std_unscaled") == pytest.approx(math.exp(math.sqrt(128)))
    assert val("ratio_one_std_scaled") == pytest.approx(math.e)


def test_counting_the_mask():
    n = 12
    mask = np.triu(np.ones((n, n), bool), 1)
    assert val("sentence_scores") == mask.size == 144
    assert val("sentence_masked") == mask.sum() == 66
    assert val("sentence_kept") == (~mask).sum() == 78
    assert val("masked_share_8192") == pytest.approx((8192 - 1) / (2 * 8192))
    assert A["masked_share_8192"]().text == "49.99 %"


def test_which_weights_change_on_arrival():
    for causal, name in ((False, "changed_6_bidir"), (True, "changed_6_causal")):
        before, after = toy(causal, n=5)[2], toy(causal, n=6)[2]
        changed = int((np.abs(after[:5, :5] - before) > 1e-12).sum())
        assert val(name) == changed
    assert val("changed_6_bidir") == 25 and val("changed_6_causal") == 0


def test_score_matrices_at_full_context():
    # Llama 3 8B: 32 layers x 32 query heads, released at 8,192 tokens
    assert val("l8_ctx") == 8192
    assert (val("l8_layers"), val("l8_heads")) == (32, 32)
    # Llama 3.1 405B (Llama 3 paper, table 3): 126 layers, 128 attention heads
    assert (val("l405_layers"), val("l405_heads")) == (126, 128)
    # H100 SXM datasheet: 80 GB of HBM3
    assert val("h100_memory") == 80e9 and A["h100_memory"]().text == "80 GB"
    assert val("l8_head_scores") == 8192 ** 2
    assert val("l8_head_bytes") == 2 * 8192 ** 2 == 134_217_728
    assert val("l8_layer_bytes") == 32 * 2 * 8192 ** 2
    assert val("l8_model_bytes") == 32 * 32 * 2 * 8192 ** 2
    assert A["l8_model_bytes"]().text == "137 GB"
    # Llama 3.1 405B: 126 layers x 128 query heads, 131,072 tokens
    assert val("l405_ctx") == 131072
    assert val("l405_head_bytes") == 2 * 131072 ** 2
    assert val("l405_layer_bytes") == 128 * 2 * 131072 ** 2
    assert val("l405_layer_vs_gpu") == pytest.approx(128 * 2 * 131072 ** 2 / 80e9)
    assert get_gpu("h100-sxm").hbm_bytes == 80e9


def test_where_the_quadratic_takes_over():
    n = 8192
    # config.json of Meta-Llama-3-8B: hidden 4096, 32 heads, 8 KV heads, head_dim 128, intermediate 14336
    proj_per_token = 2 * 4096 * (32 * 128) + 2 * 2 * 4096 * (8 * 128) + 2 * (32 * 128) * 4096
    ffn_per_token = 3 * 2 * 4096 * 14336                     # SwiGLU: gate, up and down
    full = lambda n: 32 * (2 * n * n * 128 + 2 * n * n * 128)
    # the causal mask keeps n(n+1)/2 scores of each head, in both products
    causal = lambda n: 32 * 2 * 2 * (n * (n + 1) // 2) * 128
    assert (val("l8_kv_heads"), val("l8_q_per_kv")) == (8, 4)
    assert val("l8_proj_per_token") == proj_per_token == 83_886_080
    assert val("l8_proj_per_token_exact") == proj_per_token
    assert val("l8_ffn_per_token") == val("l8_ffn_per_token_exact") == ffn_per_token == 352_321_536
    assert val("l8_layer_per_token_exact") == proj_per_token + ffn_per_token
    assert val("l8_crossover") == 5120 and full(5120) == proj_per_token * 5120
    assert val("l8_core_causal_coeff") == 2 * 128 * 32
    # the crossovers by brute force: the first N at which the heads cost at least the linear part
    for name, per_token in (("l8_crossover_causal", proj_per_token),
                            ("l8_crossover_layer", proj_per_token + ffn_per_token)):
        lo, hi = 1, 10 ** 6
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if causal(mid) < per_token * mid else (lo, mid)
        assert val(name) == lo and causal(lo) == per_token * lo
        assert val(name + "_plus1") == lo + 1
    assert val("l8_crossover_causal") == 10_239 > 8192                # past Llama 3 8B's context
    assert val("l8_crossover_layer") > 6 * 8192                         # "more than six times the model's context"
    assert val("l8_core_causal_ctx") == causal(n)
    assert val("l8_layer_ctx") == (proj_per_token + ffn_per_token) * n
    assert val("l8_core_share") == pytest.approx(causal(n) / (causal(n) + (proj_per_token + ffn_per_token) * n))
    assert A["l8_core_share"]().text == "13 %"
    # Llama 3.1 405B config.json: hidden 16384, 128 heads, 8 KV heads, head_dim 128, intermediate 53248
    n = 131072
    p405 = 2 * 16384 * 128 * 128 + 2 * 2 * 16384 * 8 * 128 + 2 * 128 * 128 * 16384
    f405 = 3 * 2 * 16384 * 53248
    c405 = 128 * 2 * 2 * (n * (n + 1) // 2) * 128
    assert val("l405_core_causal_over_proj") == pytest.approx(c405 / (p405 * n))
    assert val("l405_core_causal_over_layer") == pytest.approx(c405 / ((p405 + f405) * n))
    assert val("l405_core_causal_over_layer") < 1 and val("l405_core_share") < 0.5    # "still do most"
    assert f405 > p405                                  # "most of them the feed-forward block's"
    assert val("l405_core_share") == pytest.approx(c405 / (c405 + (p405 + f405) * n))


def test_the_scaling_view_keeps_the_pace_the_prose_gives():
    from llmviz.modes.part02_transformer.attention import AttentionMode

    m = AttentionMode(submode="scaling")
    step = val("scaling_step_s")
    dk = lambda t: {e["id"]: e for e in m.frame(t)["telemetry"]}["dk"]["value"]
    assert [dk(k * step + 0.05) for k in range(4)] == [1, 2, 4, 8]
    assert dk(100.0) == val("scaling_max_d") == 1024


def test_the_trained_head_as_the_prose_describes_it():
    """The tiny model's figures against numpy: its own forward pass of the shipped weights."""
    import sys
    from llmviz.lm import model as lm
    from llmviz.modes.part02_transformer import trained_head as th

    sys.path.insert(0, str(SOURCE.parents[1] / "tools"))
    from tiny_lm import numpy_lm

    params, cfg, header = numpy_lm.load_shipped(lm.HERE)
    assert val("lm_layers") == cfg.n_layer and val("lm_heads") == cfg.n_head and val("lm_d_head") == cfg.d_head
    assert val("lm_params") == sum(int(np.prod(p.shape)) for p in params.values())
    assert val("lm_train_bytes") == len((SOURCE.parents[1] / "tools/tiny_lm/corpus/train.txt").read_bytes())
    tok = lm.load().tokenizer
    weights = {}   # (sentence, layer, head) -> T x T numpy weights
    for s, (_, text) in enumerate(th.SENTENCES):
        tr = numpy_lm.trace(params, tok.encode(text), cfg)
        for li, L in enumerate(tr["layers"]):
            for h in range(cfg.n_head):
                weights[s, li, h] = L["weights"][h]

    def pooled(head, sentences=range(len(th.SENTENCES))):
        li, h = (int(x) for x in head.split("."))
        prev, self_, top, n = [], [], [], 0
        for s in sentences:
            W = weights[s, li, h]
            for i in range(1, W.shape[0]):
                prev.append(W[i, i - 1]); self_.append(W[i, i])
                top.append(int(np.argmax(W[i, :i + 1])) == i - 1)
        return np.mean(prev), np.mean(self_), np.mean(top), len(prev)

    prev, _, top, n = pooled(th.PREV_HEAD)
    assert val("lm_n_queries") == n and val("lm_prev_mean") == pytest.approx(prev)
    assert val("lm_prev_top") == pytest.approx(top)
    assert val("lm_prev_held_out") == pytest.approx(pooled(th.PREV_HEAD, [th.HELD_OUT_SENTENCE])[0])
    _, self_, _, _ = pooled(th.LOCAL_HEAD)
    assert val("lm_local_self") == pytest.approx(self_)
    assert val("lm_local_prev") == pytest.approx(pooled(th.LOCAL_HEAD)[0])
    assert val("lm_s0_prev") == pytest.approx(pooled(th.PREV_HEAD, [0])[0])
    t0 = len(tok.encode(th.SENTENCES[0][1]))
    assert val("lm_s0_tokens") == t0
    assert val("lm_s0_uniform_prev") == pytest.approx(np.mean([1 / (i + 1) for i in range(1, t0)]))
    even = [1 / (i + 1) for s in range(len(th.SENTENCES)) for i in range(1, weights[s, 0, 0].shape[0])]
    assert val("lm_uniform_prev") == pytest.approx(np.mean(even)) and len(even) == n
    assert val("lm_prev_mean") > 2.5 * val("lm_uniform_prev")           # "where an even split would give"
    assert val("lm_prev_mean") < 0.5                                    # "more than half of its weight goes elsewhere"
    assert val("lm_local_self") + val("lm_local_prev") > 0.5            # "splits most of its weight"
    others = [pooled(f"{l}.{h}")[0] for l in range(cfg.n_layer) for h in range(cfg.n_head)
              if f"{l}.{h}" not in (th.PREV_HEAD, th.LOCAL_HEAD)]
    assert len(others) == 6 and val("lm_others_prev_max") == pytest.approx(max(others))
    assert val("lm_others_prev_max") < val("lm_local_prev") < val("lm_prev_mean")
    # the prose's claims: the previous-token head beats an even split by far, on seen and unseen text,
    # and it is the head that most often puts its largest weight on the previous token
    assert 2.5 < val("lm_s0_prev") / val("lm_s0_uniform_prev") < 3.5     # "about three times its even share"
    assert val("lm_prev_held_out") > 2 * np.mean([1 / (i + 1) for i in range(1, weights[th.HELD_OUT_SENTENCE, 0, 0].shape[0])])
    assert max((pooled(f"{l}.{h}")[2], f"{l}.{h}") for l in range(cfg.n_layer) for h in range(cfg.n_head))[1] \
        == th.PREV_HEAD
    # "it rotates each query and key by its token's position, so a score can depend on how far back a key
    # lies": one token repeated gives every position the same input to layer 0, yet the scores differ,
    # and only with the distance i − j (RoPE), the same along every diagonal
    S = numpy_lm.trace(params, [tok.encode(" the")[0]] * 8, cfg)["layers"][0]["scores"]
    for h in range(cfg.n_head):
        lower = [[S[h, i, i - d] for i in range(d, 8)] for d in range(8)]
        assert all(np.ptp(diag) < 1e-9 for diag in lower)
        assert np.ptp([diag[0] for diag in lower]) > 0.1
    # and the prose names the heads the view's triggers open
    text = SOURCE.read_text()
    for head in (th.PREV_HEAD, th.LOCAL_HEAD):
        li, h = head.split(".")
        assert f"lm_head={head}" in text and f"ayer {li}, head {h}" in text
