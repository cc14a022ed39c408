"""The BPE tokenizer: exact round trips, the documented decode rule, deterministic training, merge replay."""
import json
import random
from pathlib import Path

import pytest

from llmviz.lm.tokenizer import SPLIT, MergeStep, Tokenizer, chunks, replay, train

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tools" / "tiny_lm" / "corpus"
HEADER = ROOT / "py" / "llmviz" / "lm" / "tiny_lm.json"


@pytest.fixture(scope="module")
def shipped():
    """The tokenizer the model uses: 256 merges learned from the committed corpus's train split."""
    return Tokenizer(train((CORPUS / "train.txt").read_bytes(), 256))


@pytest.fixture(scope="module")
def small():
    text = (CORPUS / "train.txt").read_bytes()[:20_000]
    return text, train(text, 120)


def test_split_covers_every_byte():
    rng = random.Random(3)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
        assert b"".join(chunks(data)) == data
    assert chunks(b"  the cat, 42") == [b" ", b" the", b" cat", b",", b" 4", b"2"]
    assert SPLIT.pattern.startswith(rb" ?[A-Za-z]+")


def test_bytes_round_trip_exactly(shipped):
    rng = random.Random(7)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(80)))
        ids = shipped.encode_bytes(data)
        assert all(0 <= i < shipped.n_vocab for i in ids)
        assert shipped.decode_bytes(ids) == data
    # invalid UTF-8 in the middle of text survives the bytes path untouched
    data = "attention ".encode() + b"\xff\xfe\xc3" + " heads".encode()
    assert shipped.decode_bytes(shipped.encode_bytes(data)) == data


def _random_text(rng: random.Random) -> str:
    pools = ["abcdefghij ,.", "äöüßéèà", "αβγδ√∞·×", "中文字符", "😀🚀🧠", "\n\t ", "\u0000\u007f\u0085\u2028"]
    out = []
    for _ in range(rng.randrange(40)):
        pool = rng.choice(pools)
        out.append(rng.choice(pool))
    if rng.random() < 0.3:
        out.append(chr(rng.randrange(0x10000, 0x110000)))
    return "".join(out)


def test_text_round_trips_any_unicode(shipped):
    rng = random.Random(11)
    for _ in range(400):
        s = _random_text(rng)
        assert shipped.decode(shipped.encode(s)) == s
    book = (CORPUS / "heldout.txt").read_text(encoding="utf-8")
    assert shipped.decode(shipped.encode(book)) == book


def test_invalid_bytes_decode_to_replacement_characters(shipped):
    # decode uses errors="replace": each invalid run becomes U+FFFD, the rest is kept
    ids = shipped.encode_bytes(b"ab\xffcd")
    assert shipped.decode(ids) == "ab\ufffdcd"
    ids = shipped.encode_bytes("é".encode() + b"\x80" + "x".encode())
    assert shipped.decode(ids) == "é\ufffdx"
    # a token list cut in the middle of a character decodes with a replacement at the cut
    ids = shipped.encode("ж")          # two bytes the book never uses: two byte tokens
    assert ids == [0xD0, 0xB6] and shipped.decode(ids[:1]) == "\ufffd"
    # a lone surrogate has no UTF-8 form: encode does not raise, decode gives U+FFFD
    assert "\ufffd" in shipped.decode(shipped.encode("a\ud800b"))


def test_training_is_deterministic_and_follows_its_tie_rule(small):
    text, merges = small
    assert merges == train(text, 120)
    assert all(256 + k > max(p) for k, p in enumerate(merges))
    steps = list(replay(text, merges))
    assert [s.pair for s in steps] == merges
    for s in steps:
        # the rule: highest count, then the smaller (left, right)
        assert isinstance(s, MergeStep) and s.pair == s.top_pair and s.count == s.top_count
    # every merge shortens the text
    lengths = [len(text)] + [s.tokens for s in steps]
    assert all(b < a for a, b in zip(lengths, lengths[1:]))


def test_ties_go_to_the_smaller_pair():
    # "ab" and "cd" both occur twice (the commas are chunks of their own): (97, 98) < (99, 100) wins the tie
    merges = train(b"ab,cd,ab,cd", 1)
    assert merges == [(97, 98)]
    # a pair of higher count wins over a smaller pair
    assert train(b"cd,cd,cd,ab,ab", 1) == [(99, 100)]


def test_replay_of_the_shipped_merges_on_the_training_text(shipped):
    text = (CORPUS / "train.txt").read_bytes()
    steps = replay(text, shipped.merges)
    n = 0
    for s in steps:
        assert s.pair == s.top_pair and s.count == s.top_count, s
        n += 1
    assert n == len(shipped.merges) == shipped.n_vocab - 256
    assert s.tokens == len(shipped.encode_bytes(text))


def test_encoding_applies_merges_in_training_order(small):
    text, merges = small
    tok = Tokenizer(merges)
    steps = list(replay(text, merges))
    assert steps[-1].tokens == len(tok.encode_bytes(text))


def test_vocabulary_is_bytes_then_merges(shipped):
    assert 300 <= shipped.n_vocab <= 1024
    for k, (a, b) in enumerate(shipped.merges):
        assert shipped.token_bytes(256 + k) == shipped.token_bytes(a) + shipped.token_bytes(b)
    with pytest.raises(ValueError):
        Tokenizer([(256, 1)])


def test_the_model_ships_the_merges_training_gives(shipped):
    """The weights' header carries exactly the merges the committed corpus trains to, in order."""
    header = json.loads(HEADER.read_text())
    assert [tuple(m) for m in header["merges"]] == shipped.merges
    assert header["config"]["n_vocab"] == shipped.n_vocab == 512


def test_trace_ends_where_encoding_ends_and_passes_through_every_shorter_tokenizer(shipped):
    """Each traced state is what a tokenizer cut to the first rank + 1 merges gives; ranks rise."""
    text = (CORPUS / "heldout.txt").read_bytes()
    for chunk in sorted(set(chunks(text)))[::7] + ["Η γάτα".encode(), b" tokenizer", b"aaaa"]:
        trace = shipped.trace_chunk(chunk)
        ranks = [r for r, _ in trace]
        assert ranks == sorted(set(ranks))
        final = trace[-1][1] if trace else tuple(chunk)
        assert list(final) == shipped.encode_bytes(chunk)
        for r, ids in trace[:6]:
            assert list(ids) == Tokenizer(shipped.merges[:r + 1]).encode_bytes(chunk)


def test_token_counts_agree_with_replay_and_with_cut_tokenizers(shipped):
    text = (CORPUS / "heldout.txt").read_bytes()
    counts = shipped.token_counts(text)
    assert len(counts) == shipped.n_vocab - 256 + 1
    assert counts[0] == len(text) and counts[-1] == len(shipped.encode_bytes(text))
    # replay counts pairs from scratch at every step: an independent route to the same lengths
    assert counts[1:] == [s.tokens for s in replay(text, shipped.merges)]
    for k in (0, 1, 17, 100):
        assert counts[k] == len(Tokenizer(shipped.merges[:k]).encode_bytes(text))


def test_the_package_ships_the_held_out_text_byte_for_byte():
    import hashlib

    from llmviz.lm.model import held_out_bytes, load_header, load_tokenizer

    data = held_out_bytes()
    assert data == (CORPUS / "heldout.txt").read_bytes()
    header = load_header()
    assert hashlib.sha256(data).hexdigest() == header["training"]["corpus_sha256"]["heldout.txt"]
    assert len(data) == header["training"]["bytes"]["held_out"]
    tok = load_tokenizer()
    assert tok is load_tokenizer() and tok.merges == [tuple(m) for m in header["merges"]]
    assert len(tok.encode_bytes(data)) == header["training"]["tokens"]["held_out"]
