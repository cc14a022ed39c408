"""Chapter p02-c01's answers against independent routes: Python's UTF-8 encoder, the merges worked out
by hand, a naive BPE written from the rules (tests/naive_bpe.py: each merge in turn over every chunk, where
the tokenizer repeatedly joins the lowest-ranked pair of one chunk), published figures and closed forms.
The last tests check the facts the prose states in words (which merges come first, which tokens
appear) against the tokenizer."""
from pathlib import Path

import pytest

from llmviz.answers import answers_for
from llmviz.lm.model import load_header
from llmviz.lm.tokenizer import Tokenizer, replay, train
from llmviz.modes.part02_transformer import tokenization as tk
from naive_bpe import lengths as naive_lengths, train as naive_train

A = answers_for("p02-c01-tokenization")
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tools" / "tiny_lm" / "corpus"
TRAIN = (CORPUS / "train.txt").read_bytes()
HELD = (CORPUS / "heldout.txt").read_bytes()
MERGES = [tuple(m) for m in load_header()["merges"]]
B = 1e9


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def cut(m):
    """The book's tokenizer with only its first m merges."""
    return Tokenizer(MERGES[:m])


def test_utf8():
    assert val("code_points") == 0x10FFFF + 1 == 1_114_112
    assert val("utf8_ex_bytes") == len("naïve 猫 👍".encode("utf-8")) == 15
    assert val("utf8_ex_chars") == 9 and val("thumbs_bytes") == len("👍".encode("utf-8")) == 4


def test_three_merges_by_hand():
    # worked out in the exercise: aa a b d aa a b a c, then aa ab d aa ab a c, then aaab d aaab a c
    assert (val("bpe_bytes"), val("bpe_after1"), val("bpe_after2"), val("bpe_after3")) == (11, 9, 7, 5)
    assert train(b"aaabdaaabac", 3) == naive_train(b"aaabdaaabac", 3) == [(97, 97), (97, 98), (256, 257)]
    assert naive_lengths(b"aaabdaaabac", naive_train(b"aaabdaaabac", 3)) == [11, 9, 7, 5]
    # the exercise: lo w | ·lo w e r | ·lo w e s t, then low ..., then low | ·low e r | ·low e s t
    assert (val("ex_bpe_bytes"), val("ex_bpe_after1"), val("ex_bpe_after2"), val("ex_bpe_after3")) == (16, 13, 10, 8)
    assert train(b"low lower lowest", 3) == naive_train(b"low lower lowest", 3) == [(108, 111), (256, 119), (32, 257)]
    assert naive_lengths(b"low lower lowest", naive_train(b"low lower lowest", 3)) == [16, 13, 10, 8]


def test_the_paragraph():
    para = tk.PARAGRAPH["matrices"][1].encode()
    assert val("para_bytes") == len(para) == 287
    assert val("para_first_count") == para.count(b"th") == 9
    assert val("para_after1") == len(para) - 9
    n32 = naive_lengths(para, naive_train(para, 32))[-1]
    assert val("para_after32") == n32 == list(replay(para, train(para, 32)))[-1].tokens
    assert val("para_bpt32") == pytest.approx(len(para) / n32)


def test_the_book_s_tokenizer_and_gpt2():
    assert val("lm_merges") == len(MERGES) == 256
    assert val("lm_vocab") == load_header()["config"]["n_vocab"] == 512
    assert val("train_bytes") == len(TRAIN)
    assert val("train_tokens") == naive_lengths(TRAIN, MERGES)[-1] == len(Tokenizer(MERGES).encode_bytes(TRAIN))
    assert val("train_tpb") == pytest.approx(val("train_tokens") / len(TRAIN))
    assert val("gpt2_merges") == 50_257 - 256 - 1 == 50_000


@pytest.mark.parametrize("key, prefix", [("book", "book"), ("english", "en"), ("greek", "el"),
                                         ("chinese", "zh"), ("python", "py"), ("emoji", "emoji")])
def test_samples(key, prefix):
    s = tk.SAMPLE[key][1]
    assert val(f"{prefix}_bytes") == len(s.encode("utf-8"))
    assert val(f"{prefix}_tokens") == naive_lengths(s.encode("utf-8"), MERGES)[-1]


def test_sample_counts_worked_out_by_hand():
    # The | c at | s at | on | the | mat | . ; Greek and Chinese: no merge joins their bytes
    assert val("en_tokens") == 9 and val("el_tokens") == val("el_bytes") == 45
    assert val("zh_tokens") == val("zh_bytes") == 21


def test_sample_ratios():
    assert val("el_chars") == 25 and val("zh_chars") == 7
    assert val("book_words") == len(tk.HELD_OUT_SENTENCE.split()) == 11
    assert val("book_tpw") == pytest.approx(val("book_tokens") / 11)
    assert val("el_tpw") == pytest.approx(45 / 5) and val("el_over_en") == pytest.approx(45 / 9)
    assert val("py_tpb") == pytest.approx(22 / 34)


def test_held_out_compression():
    words = len(HELD.decode("utf-8").split())
    curve = naive_lengths(HELD, MERGES)
    n = curve[256]
    assert n == len(cut(256).encode_bytes(HELD))
    assert (val("held_bytes"), val("held_tokens"), val("held_words")) == (len(HELD), n, words)
    assert val("held_tpb") == pytest.approx(n / len(HELD)) and val("held_bpt") == pytest.approx(len(HELD) / n)
    assert val("held_tpw") == pytest.approx(n / words)
    lengths = {m: curve[m] for m in (1, 32, 64, 128, 224)}
    assert lengths[32] == len(cut(32).encode_bytes(HELD))
    assert val("held_m32") == lengths[32]
    assert val("held_m128_tpb") == pytest.approx(lengths[128] / len(HELD))
    assert val("first_merge_saved") == len(HELD) - lengths[1]
    assert val("saved_first32") == len(HELD) - lengths[32]
    assert val("saved_last32") == lengths[224] - n
    assert val("share_first64") == pytest.approx((len(HELD) - lengths[64]) / (len(HELD) - n))


def test_llama_2_against_llama_3():
    # Llama 3 paper §3.2: 3.17 and 3.94 characters per token on English
    assert val("l2_tokens_1m") == round(1e6 / 3.17) and val("l3_tokens_1m") == round(1e6 / 3.94)
    assert val("l3_fewer") == pytest.approx(1 - 3.17 / 3.94)
    assert val("l3_extra_params") == 2 * (128_256 - 32_000) * 4096


def test_table_costs_from_the_configs():
    # config.json: Llama 3 8B 128,256 x 4,096 (untied), Llama 2 7B 32,000 x 4,096 (untied),
    # Gemma 7B 256,000 x 3,072 (tied), DeepSeek-V3 129,280 x 7,168 (untied); totals 8.03B, 6.74B
    # (Hugging Face) and 671B (DeepSeek-V3 README); Gemma 7B's non-embedding 7,751,248,896 (Gemma
    # paper Table 2)
    assert val("l3_table") == 128_256 * 4096 and val("l3_table_bytes") == 2 * 128_256 * 4096
    assert val("l3_tables_both") == 2 * 128_256 * 4096
    assert val("l3_share") == pytest.approx(2 * 128_256 * 4096 / 8.03e9, rel=1e-3)
    assert val("l3_out_flops") == 2 * 4096 * 128_256
    # the matrices chapter's figure for one token through all of Llama 3 8B's matrices
    assert val("l3_token_flops") == pytest.approx(15.01 * B, abs=0.005 * B)
    assert val("l2_table") == 32_000 * 4096 and val("l2_share") == pytest.approx(2 * 32_000 * 4096 / 6.74e9, rel=1e-3)
    # Gemma 2B from the paper's Table 2 alone: 524,550,144 embedding, 1,981,884,416 other parameters
    assert val("g2_rows") == 256_128 and val("g2_total") == 2_506_434_560
    assert val("g2_share") == pytest.approx(0.20928, abs=1e-5)
    g7 = 256_000 * 3072
    assert val("g7_table") == g7 and val("ds3_share") == pytest.approx(2 * 129_280 * 7168 / 671e9, rel=0.01)
    assert val("g7_share") == pytest.approx(g7 / (g7 + 7_751_248_896))
    assert val("ds3_vocab") == 129_280 and val("ds3_total") == pytest.approx(671e9, rel=1e-3)
    assert val("tiny_table") == 512 * 64 and val("tiny_share") == pytest.approx(512 * 64 / 139_584)


def test_the_design_exercise():
    assert val("small_table_32k") == 32_000 * 768 and val("small_table_256k") == 256_000 * 768
    assert val("small_share_256k") == pytest.approx(196_608_000 / (196_608_000 + 85e6))
    assert val("small_out_256k") == 2 * 768 * 256_000 > 2 * val("small_body_flops")


# -- facts the prose states in words --------------------------------------------------------------


def _text(tok, i):
    return tok.vocab[i].decode("utf-8", "replace")


def test_greek_is_too_rare_in_the_training_text_for_a_merge():
    greek = [c for c in TRAIN.decode("utf-8") if 0x370 <= ord(c) <= 0x3FF]
    assert 0 < len(greek) < 30 and {"τ", "θ"} <= set(greek)
    # Greek letters are two bytes, the first 0xCE or 0xCF: no merge involves either
    assert not any(b in (0xCE, 0xCF) for pair in MERGES for b in pair)


def test_the_first_merges_and_tokens_the_prose_names():
    tok = Tokenizer(MERGES)
    learned = [_text(tok, 256 + k) for k in range(256)]
    assert learned[:4] == [" t", "he", " a", " the"]
    assert {" token", " and", " of"} <= set(learned)
    assert [_text(tok, i) for i in tok.encode(" for k in keys")][:4] == [" for", " ", "k", " in"]
    assert [_text(tok, i) for i in tok.encode("scores")] == ["s", "c", "or", "es"]
    assert " key" in learned
    assert [_text(tok, i) for i in tok.encode(" the cat sat")] == [" the", " c", "at", " s", "at"]


def test_the_paragraph_runs_the_prose_describes():
    mat = tk.training_run("matrices")
    names = [mat.tok.vocab[256 + k].decode() for k in range(len(mat.merges))]
    assert names[0] == "th" and names[31] == " coordinate" and names.index(" the") < 31
    assert mat.states[31].pairs[0][1] == 3 == mat.text.count(b" coordinate")
    kv = tk.training_run("kvcache")
    learned = {kv.tok.vocab[256 + k].decode() for k in range(45)}
    assert {" layer", " value", " query", " cache"} <= learned
    att = tk.training_run("attention")
    counts = [att.states[k].pairs[0][1] for k in range(60)]
    assert counts[-1] == 1 and counts[0] > 10
    names = [att.tok.vocab[256 + k].decode() for k in range(60)]
    assert {" drawers", " found"} <= set(names)
