"""The tokenization workshop: what each view shows is what BPE does, checked against a naive BPE
written from the rules (tests/naive_bpe.py), against the book's tokenizer and against the catalog."""
from pathlib import Path

import pytest

from llmviz.calc import embedding_table_params, vocabulary_param_share
from llmviz.catalog import get_model
from llmviz.lm.model import load_header, load_tokenizer
from llmviz.modes.part02_transformer import tokenization as tk
from llmviz.registry import get_mode_class
from naive_bpe import train as naive_bpe

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tools" / "tiny_lm" / "corpus"
Mode = get_mode_class("p02-c01-tokenization")


def texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def at_step(k):
    """A time inside step k of an animation (one step every STEP_S seconds)."""
    return k * tk.STEP_S + tk.STEP_S / 2


# -- where the views' text comes from ----------------------------------------------------------


def test_paragraphs_and_sentences_are_the_book_s_own_text():
    lines = (CORPUS / "train.txt").read_text(encoding="utf-8").split("\n")
    for key, src, text in tk.PARAGRAPHS:
        assert text in lines and text.isascii(), key
    assert tk.HELD_OUT_SENTENCE in (CORPUS / "heldout.txt").read_text(encoding="utf-8")
    assert tk.SAMPLE["book"][1] == tk.HELD_OUT_SENTENCE


# -- train view ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [k for k, _, _ in tk.PARAGRAPHS])
def test_training_matches_a_naive_bpe_and_every_table_predicts_the_next_merge(key):
    run = tk.training_run(key)
    assert list(run.merges) == naive_bpe(run.text, tk.MAX_LEARN)
    for k in range(len(run.merges)):
        st, nxt = run.states[k], run.states[k + 1]
        # the table's top pair is the merge training makes next, and it joins exactly where underlined
        assert st.pairs[0][0] == run.merges[k]
        assert len(st.next_at) == len(st.spans) - len(nxt.spans) > 0
        assert all(c1 >= c2 for (_, c1), (_, c2) in zip(st.pairs, st.pairs[1:]))
        assert b"".join(run.tok.vocab[i] for _, _, i in nxt.spans) == run.text
        assert [s0 for s0, _, _ in nxt.spans][0] == 0


def test_the_train_view_shows_merge_k_at_step_k():
    m = Mode(submode="train", values={"paragraph": "kvcache", "learn": 45})
    run = tk.training_run("kvcache")
    m.frame(0.0)
    for k in (0, 1, 24, 45):
        f = m.frame(at_step(k))
        t = tel(f)
        assert t["merges"]["value"] == k and t["vocab"]["value"] == 256 + k
        assert t["tokens"]["value"] == len(run.states[k].spans)
        assert f"merge {k} of 45" in texts(f)
        drawn = [s for s in texts(f) if s.replace("\u00b7", " ") in run.text.decode()]
        assert "".join(tk.shown(run.tok.vocab[i]) for _, _, i in run.states[k].spans) in "".join(drawn)
    # " layer" is learned at merge 24 and appears in the list of merges with its id
    f = m.frame(at_step(24))
    assert any("\u2192 \u00b7layer" in s for s in texts(f)) and "279" in texts(f)
    # the clock runs past the last merge: the picture rests on merge 45
    assert m.frame(1e6)["scene"] == Mode(submode="train", values={"paragraph": "kvcache", "learn": 45}).frame(
        at_step(45))["scene"]


def test_the_console_narrates_each_merge():
    m = Mode(submode="train")
    first = m.frame(0.0)["console"]
    assert any("training starts from the bytes" in c["text"] for c in first)
    lines = [c["text"] for c in m.frame(at_step(3))["console"]]
    assert [s.split(":")[0] for s in lines] == ["Merge 1", "Merge 2", "Merge 3"]
    assert "t + h \u2192 th (token 256), 9 pairs joined; the paragraph is now 278 tokens." in lines[0]


# -- encode view --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [k for k, _, _ in tk.SAMPLES])
def test_encoding_steps_end_at_the_tokenizer_s_encoding(key):
    tok = load_tokenizer()
    text = tk.SAMPLE[key][1]
    steps = tk.encoding(key)
    assert [i for _, _, i in steps[0].spans] == list(text.encode("utf-8"))
    assert [i for _, _, i in steps[-1].spans] == tok.encode(text)
    ranks = [s.rank for s in steps[1:]]
    assert ranks == sorted(ranks)
    for a, b in zip(steps, steps[1:]):
        assert len(a.spans) - len(b.spans) == b.times > 0
        assert b"".join(tok.vocab[i] for _, _, i in b.spans) == text.encode("utf-8")


def test_text_the_merges_never_saw_stays_bytes_and_shows_its_code_points():
    for key in ("greek", "chinese"):
        steps = tk.encoding(key)
        assert len(steps) == 1 and all(i < 256 for _, _, i in steps[0].spans)
    f = Mode(submode="encode", values={"sample": "greek"}).frame(5.0)
    s = texts(f)
    assert "U+03B3" in s and "\u03b3" in s and "CE" in s and "B3" in s
    assert tel(f)["tokens"]["value"] == tel(f)["bytes"]["value"] == 45
    assert any("No learned merge joins" in x for x in s)


def test_the_encode_view_counts_words_bytes_and_tokens():
    m = Mode(submode="encode", values={"sample": "book"})
    n = len(tk.encoding("book")) - 1
    f = m.frame(at_step(n) + 100)
    t = tel(f)
    assert t["tokens"]["value"] == 26 and t["bytes"]["value"] == 67
    assert t["tpw"]["value"] == pytest.approx(26 / 11)
    rows = tk.comparison()
    assert rows[-1].tokens == load_header()["training"]["tokens"]["held_out"]
    assert rows[-1].n_bytes == load_header()["training"]["bytes"]["held_out"]


# -- compress view ------------------------------------------------------------------------------


def test_the_compression_curve_falls_from_bytes_to_the_shipped_count():
    c = tk.compression_curve()
    h = load_header()["training"]
    assert c[0] == h["bytes"]["held_out"] and c[-1] == h["tokens"]["held_out"] and len(c) == 257
    # a merge can only shorten a text, and some learned merges never occur in the held-out part
    assert all(b <= a for a, b in zip(c, c[1:])) and sum(b == a for a, b in zip(c, c[1:])) < 20
    for m in (0, 1, 64, 200, 256):
        f = Mode(submode="compress", values={"merges": m}).frame(2.0)
        t = tel(f)
        assert t["tokens"]["value"] == c[m] and t["vocab"]["value"] == 256 + m
        assert t["tpb"]["value"] == pytest.approx(c[m] / c[0])
        # the sentence below the plot, cut by the first m merges, joins back to itself
        assert any(s.startswith(f"A held-out sentence with {m} merge{'' if m == 1 else 's'}:") for s in texts(f))


# -- vocab view ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", tk.VOCAB_MODELS)
def test_the_vocab_view_sizes_each_table_from_the_catalog(name):
    f = Mode(submode="vocab", values={"model": name}).frame(1.0)
    t = tel(f)
    if name == tk.TINY:
        cfg = load_header()["config"]
        v, d, share = cfg["n_vocab"], cfg["d_model"], cfg["n_vocab"] * cfg["d_model"] / load_header()["n_params"]
    else:
        m = get_model(name)
        v, d, share = m.vocab, m.hidden, vocabulary_param_share(m)
    assert t["V"]["value"] == v and t["d"]["value"] == d
    assert t["table"]["value"] == embedding_table_params(v, d) == v * d
    assert t["share"]["value"] == pytest.approx(share)
    assert t["flops"]["value"] == 2 * v * d


# -- bad input ----------------------------------------------------------------------------------


def test_bad_values_clamp_or_fall_back_with_a_message():
    m = Mode(submode="train")
    assert "between 1 and 60" in m.set("learn", 1000) and m["learn"] == 60
    assert m.set("merges", -5) and m["merges"] == 0
    assert m.set("sample", "klingon") and m["sample"] == "book"
    assert m.set("paragraph", 3) and m["paragraph"] == "matrices"
    m.select("compress")                  # the view's preset puts every merge back
    assert tel(m.frame(0.0))["tokens"]["value"] == tk.compression_curve()[-1]
    m.set("merges", "-5")
    assert tel(m.frame(0.1))["tokens"]["value"] == tk.compression_curve()[0]


def test_shown_marks_spaces_and_partial_characters():
    assert tk.shown(b" the") == "\u00b7the"
    assert tk.shown("γ".encode()) == "\u03b3"
    assert tk.shown("γ".encode()[:1]) == "CE"
    assert tk.shown(b"\n") == "\u23ce"


def test_a_dot_in_a_view_is_always_a_space():
    # the views print a space as "·", but the book's tokenizer also has tokens for the character "·"
    # (U+00B7) itself and for " ·": no text a view cuts into tokens may hold it (nor "⏎", the newline's
    # mark), or a space and that character would look alike
    tok = load_tokenizer()
    assert "\u00b7".encode() in tok.vocab and " \u00b7".encode() in tok.vocab
    cut = [t for _, _, t in tk.PARAGRAPHS] + [t for _, _, t in tk.SAMPLES] + [tk.HELD_OUT_SENTENCE]
    assert not any(mark in t for t in cut for mark in ("\u00b7", "\u23ce"))
    for key in ("book", "python", "emoji"):
        f = Mode(submode="encode", values={"sample": key}).frame(100.0)
        assert any(s.startswith("\u00b7 is a space.") for s in texts(f))
    assert any(s.endswith("\u00b7 is a space.") for s in texts(Mode(submode="compress").frame(1.0)))
