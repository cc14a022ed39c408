"""Chapter p02-c05's answers against independent oracles: a numpy forward of the shipped tiny model,
numpy for the hand example, GPT-2's released tensor shapes, published configurations and closed forms."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.lm import model as lm
from llmviz.modes.part02_transformer import trained_head as th

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402

A = answers_for("p02-c05-multihead")
SOURCE = ROOT / "chapters" / "p02-c05-multihead.md"


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


@pytest.fixture(scope="module")
def shipped():
    return numpy_lm.load_shipped(lm.HERE)


@pytest.fixture(scope="module")
def traces(shipped):
    params, cfg, header = shipped
    from llmviz.lm.tokenizer import Tokenizer

    tok = Tokenizer(header["merges"])
    return [numpy_lm.trace(params, tok.encode(s), cfg) for _, s in th.SENTENCES]


def test_the_tiny_models_sizes_from_its_header():
    cfg = json.loads((lm.HERE / "tiny_lm.json").read_text())["config"]
    assert val("lm_d_model") == cfg["d_model"] == 64 and val("lm_heads") == cfg["n_head"] == 4
    assert val("lm_d_head") == 16 and val("lm_d_head_8") == 8
    assert val("lm_attn_params") == 4 * 64 * 64 == 16_384
    assert val("lm_slice_weights") == 64 * 16
    # head 2 of 4 and of 8, counted column by column
    cols4 = [c for c in range(64) if c // 16 == 2]
    cols8 = [c for c in range(64) if c // 8 == 2]
    assert (val("h2_first"), val("h2_last")) == (cols4[0], cols4[-1])
    assert (val("h2_first_8"), val("h2_last_8")) == (cols8[0], cols8[-1])


def test_query_12s_strongest_keys(traces):
    w = traces[0]["layers"][1]["weights"][:, 12, :13]
    tops = w.argmax(axis=1)
    for h in range(4):
        assert val(f"q12_h{h}_top") == pytest.approx(w[h, tops[h]], abs=1e-9)
    assert val("q12_h0_back") == 12 - tops[0] and val("q12_h2_back") == 12 - tops[2]
    assert tops[1] == 11 and tops[3] == 12          # the prose: head 1 the previous token, head 3 itself
    labels = [th.token_label(t) for t in th.tokens(0)]
    assert [labels[j] for j in tops] == ["·a", "n", "·o", "·row"] and labels[12] == "·row"


@pytest.mark.parametrize("layer,agree,distinct", [(1, "agree_all", "distinct_mean"),
                                                   (0, "agree_all_l0", "distinct_mean_l0")])
def test_how_often_the_heads_agree(traces, layer, agree, distinct):
    same, kinds, queries = 0, [], 0
    for tr in traces:
        w = tr["layers"][layer]["weights"]
        for i in range(1, w.shape[1]):
            tops = {int(np.argmax(w[h, i, :i + 1])) for h in range(4)}
            same += len(tops) == 1
            kinds.append(len(tops))
            queries += 1
    assert val("agree_queries") == queries
    assert val(agree) == same
    assert val(distinct) == pytest.approx(np.mean(kinds))


def test_what_four_random_picks_would_give(traces):
    # every way four independent heads could pick among m visible keys, counted one by one
    agree, distinct, queries = 0.0, 0.0, 0
    for tr in traces:
        for i in range(1, tr["layers"][0]["weights"].shape[1]):
            m = i + 1
            picks = np.stack(np.meshgrid(*[np.arange(m)] * 4, indexing="ij"), -1).reshape(-1, 4)
            kinds = np.array([len(set(p)) for p in picks.tolist()])
            agree += np.mean(kinds == 1)
            distinct += kinds.mean()
            queries += 1
    assert queries == val("agree_queries")
    assert val("chance_agree") == pytest.approx(agree, rel=1e-12)
    assert val("chance_distinct") == pytest.approx(distinct / queries, rel=1e-12)
    # the prose: layer 1 agrees about as often as chance, layer 0 more often
    assert abs(val("agree_all") - agree) < 0.5 and val("agree_all_l0") > agree + 2
    assert text("distinct_mean") == text("chance_distinct")
    assert val("distinct_mean_l0") < val("chance_distinct")


def test_each_heads_share_of_the_output(shipped, traces):
    params, _, _ = shipped
    L = traces[0]["layers"][1]
    o = np.einsum("hj,hjc->hc", L["weights"][:, 12, :13], L["v"][:, :13, :])
    w_o = params["layers.1.w_o"].astype(np.float64)
    shares = np.stack([o[h] @ w_o[16 * h:16 * (h + 1)] for h in range(4)])
    out = L["attn_out"][12]
    np.testing.assert_allclose(shares.sum(0), out, atol=1e-12)
    for h in range(4):
        assert val(f"share{h}") == pytest.approx(np.linalg.norm(shares[h]), abs=1e-6)
    assert val("share_sum") == pytest.approx(np.linalg.norm(shares, axis=1).sum(), abs=1e-6)
    assert val("out_length") == pytest.approx(np.linalg.norm(out), abs=1e-6)
    assert val("share_sum") > val("out_length")       # the prose: the shares partly cancel
    assert val("gap_after_1") == pytest.approx(np.abs(shares[0] - out).max(), abs=1e-6)
    assert val("gap_after_3") == pytest.approx(np.abs(shares[:3].sum(0) - out).max(), abs=1e-6)
    assert np.abs(shares.sum(0) - out).max() < 1e-15        # the prose: below 10⁻¹⁵ after four


def test_two_heads_by_hand():
    o = np.array([1.0, 2.0, -1.0, 1.0])
    w_o = np.array([[1, 0, 2], [0, 1, -1], [3, 1, 0], [1, -2, 1]], float)
    s0, s1 = o[:2] @ w_o[:2], o[2:] @ w_o[2:]
    assert [val(f"hand_s0_{j}") for j in range(3)] == list(s0)
    assert [val(f"hand_s1_{j}") for j in range(3)] == list(s1)
    assert [val(f"hand_z{j}") for j in range(3)] == list(o @ w_o)
    assert text("hand_s1_1") == "\u22123"


def test_gpt2_small_from_its_released_tensor_shapes():
    # openai/gpt-2 src/model.py: attn/c_attn w [768, 3·768] and b [3·768]; attn/c_proj w [768, 768] and
    # b [768]; default_hparams n_embd 768, n_head 12, n_layer 12, n_ctx 1024
    n_embd, n_head, n_layer, n_ctx = 768, 12, 12, 1024
    c_attn = n_embd * 3 * n_embd + 3 * n_embd
    c_proj = n_embd * n_embd + n_embd
    assert (val("gpt2_d"), val("gpt2_heads"), val("gpt2_layers")) == (n_embd, n_head, n_layer)
    assert val("gpt2_d_head") == n_embd // n_head == 64
    assert val("gpt2_slice") == n_embd * 64
    assert val("gpt2_weights") == n_embd * 3 * n_embd + n_embd * n_embd
    assert val("gpt2_biases") == 3 * n_embd + n_embd
    assert val("gpt2_layer") == c_attn + c_proj == 2_362_368
    assert val("gpt2_all_layers") == n_layer * (c_attn + c_proj)
    assert val("gpt2_all_heads") == 144 and val("gpt2_ctx") == n_ctx
    q = np.zeros((n_head, n_ctx, 64), np.float32)
    assert val("gpt2_scores_layer") == (q @ q.transpose(0, 2, 1)).size == 12 * 1024 ** 2


def test_llama_2_7b_from_its_configuration():
    # config.json: hidden_size 4096, num_attention_heads 32, num_key_value_heads 32, num_hidden_layers 32,
    # intermediate_size 11008, vocab_size 32000, untied embeddings, RMSNorm
    d, h, layers, ff, vocab = 4096, 32, 32, 11008, 32000
    per_layer = 4 * d * d + 3 * d * ff + 2 * d
    total = 2 * vocab * d + layers * per_layer + d
    assert total == 6_738_415_616 and val("l2_total") == total
    assert (val("l2_d"), val("l2_heads"), val("l2_layers")) == (d, h, layers)
    assert val("l2_attn_layer") == 4 * d * d and val("l2_attn_all") == layers * 4 * d * d
    assert val("l2_attn_share") == pytest.approx(layers * 4 * d * d / total)
    assert text("l2_attn_share") == "31.9 %" and text("l2_attn_all") == "2.15 B"
    assert (val("l2_d_head"), val("l2_d_head_64"), val("l2_d_head_8"), val("l2_d_head_128")) == (128, 64, 512, 32)
    n = val("l2_keys")
    assert n == 4096
    assert val("l2_proj_flops") == val("l2_proj_flops_exact") == 4 * (2 * d * d)
    # per head: n dot products of d_head and n scaled value rows of d_head, two FLOPs each
    assert val("l2_core_flops") == val("l2_core_flops_exact") == h * (2 * n * 128 + 2 * n * 128)
    assert (val("l2_scores_8"), val("l2_scores_32"), val("l2_scores_128")) == (8 * n, 32 * n, 128 * n)
    assert val("l2_bytes_32") == 32 * n * n * 2 and val("l2_bytes_128") == 128 * n * n * 2
    assert text("l2_bytes_32") == "1.07 GB"


def test_llama_3_8b_from_its_configuration():
    # config.json: hidden_size 4096, num_attention_heads 32, num_key_value_heads 8
    d, h, kv = 4096, 32, 8
    assert (val("l3_d"), val("l3_heads"), val("l3_d_head")) == (d, h, d // h)
    assert val("l3_wq") == d * d and val("l3_slice") == d * (d // h)
    assert val("l3_kv_heads") == kv and val("l3_kv_width") == kv * (d // h)
    assert val("l3_group") == h // kv == 4



def test_qwen3_and_opt_from_their_configurations():
    # Qwen3-32B config.json: hidden_size 5120, num_attention_heads 64, head_dim 128;
    # OPT-13B: hidden_size 5120, num_attention_heads 40
    assert (val("q3_d"), val("q3_heads"), val("q3_d_head"), val("q3_q_width")) == (5120, 64, 128, 64 * 128)
    assert val("q3_q_width") != val("q3_d")
    assert (val("opt_d"), val("opt_heads"), val("opt_d_head")) == (5120, 40, 5120 // 40)
