"""Token calculators against Python's own UTF-8 encoder, numpy shapes and published figures."""
import numpy as np
import pytest

from llmviz.calc import (
    bpe_vocab_size, bytes_per_token, embedding_table_params, tokens_per_byte, tokens_per_word,
    utf8_length, vocabulary_param_share,
)
from llmviz.calc.model_size import param_count
from llmviz.catalog import get_model


def _utf8(cp: int) -> int:
    """Python's encoder, an independent implementation of RFC 3629."""
    return len(chr(cp).encode("utf-8"))


def test_utf8_length_matches_the_encoder_at_every_boundary_and_on_a_sweep():
    edges = [0, 0x41, 0x7F, 0x80, 0x3B3, 0x7FF, 0x800, 0x732B, 0xD7FF, 0xE000, 0xFFFF, 0x10000,
             0x1F44D, 0x10FFFF]
    for cp in edges + list(range(0, 0x110000, 997)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        assert utf8_length(cp) == _utf8(cp), hex(cp)


def test_utf8_of_the_chapter_s_scripts():
    # ASCII 1, Greek 2, Chinese 3, emoji 4: the lengths the tokenization chapter quotes
    assert [utf8_length(ord(c)) for c in "aγ猫👍"] == [1, 2, 3, 4]
    assert sum(utf8_length(ord(c)) for c in "Η γάτα") == len("Η γάτα".encode("utf-8")) == 11


@pytest.mark.parametrize("bad", [-1, 0x110000, 0xD800, 0xDFFF, 1.5, True, "a", None])
def test_utf8_length_rejects_what_has_no_utf8_form(bad):
    with pytest.raises(ValueError):
        utf8_length(bad)


def test_bpe_vocabulary_is_the_base_plus_one_token_per_merge():
    from llmviz.lm.model import load_tokenizer

    tok = load_tokenizer()
    assert bpe_vocab_size(len(tok.merges)) == tok.n_vocab == 512
    assert bpe_vocab_size(0) == 256 and bpe_vocab_size(10, base=26) == 36
    # GPT-2: 256 byte tokens + 50,000 merges + 1 end-of-text token = 50,257 (its paper's size)
    assert bpe_vocab_size(50_000) + 1 == 50_257
    for bad in (-1, 2.0):
        with pytest.raises(ValueError):
            bpe_vocab_size(bad)
    with pytest.raises(ValueError):
        bpe_vocab_size(3, base=0)


def test_ratios_are_reciprocal_and_checked():
    assert tokens_per_byte(3710, 8103) == pytest.approx(1 / bytes_per_token(8103, 3710))
    assert tokens_per_byte(8103, 8103) == 1.0 and tokens_per_byte(0, 5) == 0.0
    assert tokens_per_word(9, 6) == 1.5
    for call in (lambda: tokens_per_byte(3, 0), lambda: bytes_per_token(3, 0),
                 lambda: tokens_per_word(3, 0), lambda: tokens_per_byte(-1, 4),
                 lambda: tokens_per_word(2.5, 1)):
        with pytest.raises(ValueError):
            call()


def test_embedding_table_params_is_the_size_of_the_array():
    for vocab, d in ((512, 64), (32_000, 4096), (128_256, 4096), (256_000, 2048)):
        assert embedding_table_params(vocab, d) == np.zeros((vocab, d), dtype=np.int8).size
    with pytest.raises(ValueError):
        embedding_table_params(0, 8)
    with pytest.raises(ValueError):
        embedding_table_params(8, -1)


def test_vocabulary_share_against_the_published_tables():
    # Gemma paper (arXiv 2403.08295) Table 2: non-embedding 7,751,248,896 (7B); the checkpoint's
    # tied table is 256,000 x 3,072. Written out, not taken from the calculator.
    table = 256_000 * 3072
    assert vocabulary_param_share("gemma-7b") == pytest.approx(table / (table + 7_751_248_896), rel=1e-12)
    # Llama 3 8B: an input table and an untied output layer, each 128,256 x 4,096, of 8.03B
    assert vocabulary_param_share("llama-3-8b") == pytest.approx(2 * 128_256 * 4096 / 8.03e9, rel=0.001)
    # Llama 2 7B: two tables of 32,000 x 4,096 of 6.74B
    assert vocabulary_param_share("llama-2-7b") == pytest.approx(2 * 32_000 * 4096 / 6.74e9, rel=0.001)
    # a model that ties its tables counts one
    m = get_model("gemma-7b")
    assert vocabulary_param_share(m) * param_count(m) == pytest.approx(m.vocab * m.hidden)
