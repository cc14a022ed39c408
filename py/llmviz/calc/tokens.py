"""Tokens: how many bytes a character takes, how many tokens a text takes, what a vocabulary costs.

Text reaches a model as UTF-8 bytes (RFC 3629), a tokenizer cuts the bytes
into tokens, and every token id owns one row of the model's table of token
vectors. These are the counts and ratios the tokenization chapter works
with; the tokenizer itself lives in :mod:`llmviz.lm.tokenizer`.
"""
from __future__ import annotations

from ._checks import positive_int
from ..catalog.models import ModelConfig

#: The largest Unicode code point, U+10FFFF (RFC 3629, section 3).
MAX_CODE_POINT = 0x10FFFF
#: UTF-16 surrogates, U+D800 to U+DFFF: code points UTF-8 must not encode (RFC 3629, section 3).
SURROGATES = (0xD800, 0xDFFF)


def utf8_length(code_point: int) -> int:
    """Bytes UTF-8 spends on one Unicode code point: 1, 2, 3 or 4 (a count).

    RFC 3629's table: U+0000–U+007F take 1 byte (ASCII), U+0080–U+07FF 2,
    U+0800–U+FFFF 3, U+10000–U+10FFFF 4. A surrogate (U+D800–U+DFFF) or a
    number outside 0…U+10FFFF has no UTF-8 form and raises ``ValueError``.
    """
    positive_int("code_point", code_point, allow_zero=True)
    if code_point > MAX_CODE_POINT:
        raise ValueError(f"code_point must be at most U+10FFFF, got {code_point:#x}")
    if SURROGATES[0] <= code_point <= SURROGATES[1]:
        raise ValueError(f"code_point {code_point:#x} is a surrogate, which UTF-8 does not encode")
    if code_point < 0x80:
        return 1
    if code_point < 0x800:
        return 2
    if code_point < 0x10000:
        return 3
    return 4


def bpe_vocab_size(merges: int, base: int = 256) -> int:
    """Tokens a BPE vocabulary holds after ``merges`` merges: ``base + merges`` (a count).

    Each merge adds exactly one token; the base is the starting alphabet,
    256 for a byte-level tokenizer.
    """
    positive_int("merges", merges, allow_zero=True)
    positive_int("base", base)
    return base + merges


def tokens_per_byte(tokens: int, n_bytes: int) -> float:
    """Compression ratio of a tokenizer on a text: its tokens divided by its UTF-8 bytes.

    1 when every byte is a token, smaller as tokens grow longer.
    """
    positive_int("tokens", tokens, allow_zero=True)
    positive_int("n_bytes", n_bytes)
    return tokens / n_bytes


def bytes_per_token(n_bytes: int, tokens: int) -> float:
    """Average length of a token, in bytes: the text's UTF-8 bytes over its tokens."""
    positive_int("n_bytes", n_bytes, allow_zero=True)
    positive_int("tokens", tokens)
    return n_bytes / tokens


def tokens_per_word(tokens: int, words: int) -> float:
    """Tokens per word: the text's tokens over its words (a ratio; words as the caller counts them)."""
    positive_int("tokens", tokens, allow_zero=True)
    positive_int("words", words)
    return tokens / words


def embedding_table_params(vocab: int, d: int) -> int:
    """Parameters of a table holding one vector of ``d`` numbers per token id: ``vocab·d`` (a count)."""
    positive_int("vocab", vocab)
    positive_int("d", d)
    return vocab * d


def vocabulary_param_share(model: ModelConfig | str) -> float:
    """Share of a model's parameters that sit in its per-token tables, 0–1.

    The input table of ``vocab × hidden`` numbers, plus the output layer's
    equal table when the model does not tie the two (counts from
    :func:`llmviz.calc.model_size.param_breakdown`).
    """
    from .model_size import param_breakdown, param_count

    parts = param_breakdown(model)
    return (parts["embedding"] + parts["unembedding"]) / param_count(model)
