"""Answers for chapter p02-c01 (Tokenization: byte-pair encoding).

Everything about tokens comes from the book's own tokenizer and the
simulation's data (:mod:`llmviz.modes.part02_transformer.tokenization`, over
:mod:`llmviz.lm`); UTF-8 lengths, ratios and table sizes from
:mod:`llmviz.calc.tokens`; real models from the catalog. The typed-in figures
are published ones quoted in the chapter (the Llama 3 paper's characters per
token, §3.2; GPT-2's vocabulary size, its paper §2.3; Gemma 2B's parameter
counts, the Gemma paper's Table 2) and the exercises' own givens (the strings,
the design exercise's small model).
"""
from __future__ import annotations

from ..calc.gemm import linear_flops, matmul_flops_per_token
from ..calc.model_size import param_count
from ..calc.shapes import tensor_bytes
from ..calc.tokens import (
    MAX_CODE_POINT, bpe_vocab_size, bytes_per_token, embedding_table_params, tokens_per_byte,
    tokens_per_word, utf8_length, vocabulary_param_share,
)
from ..catalog import get_model
from ..lm.tokenizer import train
from ..modes.part02_transformer import tokenization as tk
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_percent
from . import Answer

# Llama 3 paper (arXiv 2407.21783) §3.2: "improves compression rates on a sample of English data
# from 3.17 to 3.94 characters per token" against the Llama 2 tokenizer
LLAMA2_CHARS_PER_TOKEN = 3.17
LLAMA3_CHARS_PER_TOKEN = 3.94
ENGLISH_CHARS = 1_000_000
# GPT-2 paper (Radford et al. 2019) §2.3: "The vocabulary is expanded to 50,257"; one id is its
# end-of-text marker, the rest are 256 bytes and the merges
GPT2_VOCAB = 50_257
GPT2_SPECIAL = 1
# Gemma paper Table 2, Gemma 2B (not in the catalog): embedding and non-embedding parameters. The
# embedding count is 256,128 rows of d = 2,048; the released checkpoint's table has 256,000 rows.
GEMMA_2B_EMBEDDING = 524_550_144
GEMMA_2B_NON_EMBEDDING = 1_981_884_416
GEMMA_2B_D = 2048
# the exercise's strings
UTF8_STRING = "naïve 猫 👍"
BPE_STRING = "aaabdaaabac"
EXERCISE_BPE_STRING = "low lower lowest"
# the design exercise's small model: d = 768, 85 M parameters outside its token table
SMALL_D = 768
SMALL_BODY = 85_000_000
SMALL_VOCABS = (32_000, 256_000)


def _int(v: float) -> Answer:
    return Answer(v, f"{int(v):,}")


def _p(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{v:.{digits}f}")


def _pct(v: float, digits: int = 3) -> Answer:
    return Answer(v, fmt_percent(v, digits))


def _count(v: float) -> Answer:
    return Answer(v, fmt_count(v))


def _sample(key: str) -> tk.TextStats:
    keys = [k for k, _, _ in tk.SAMPLES]
    return tk.comparison()[keys.index(key)]


def _held() -> tk.TextStats:
    return tk.comparison()[-1]


def _curve(m: int) -> int:
    return tk.compression_curve()[m]


def _para(k: int) -> int:
    """Tokens of the train view's default paragraph after ``k`` merges learned from it."""
    return len(tk.training_run("matrices").states[k].spans)


def _bpe_by_hand(k: int, text: str = BPE_STRING) -> int:
    """Tokens of ``text`` after the first ``k`` of three merges learned from it."""
    from ..lm.tokenizer import Tokenizer

    data = text.encode()
    return len(Tokenizer(train(data, 3)[:k]).encode_bytes(data))


def _table(name: str) -> int:
    m = get_model(name)
    return embedding_table_params(m.vocab, m.hidden)


def _tokens_per_million(chars_per_token: float) -> float:
    return ENGLISH_CHARS / chars_per_token


def _small_share(vocab: int) -> float:
    t = embedding_table_params(vocab, SMALL_D)
    return t / (t + SMALL_BODY)


def _tiny() -> tk.VocabRow:
    return tk.vocab_row(tk.TINY)


ANSWERS = {
    # bytes and UTF-8
    "code_points": lambda: _int(MAX_CODE_POINT + 1),
    "utf8_ex_bytes": lambda: _int(sum(utf8_length(ord(c)) for c in UTF8_STRING)),
    "utf8_ex_chars": lambda: _int(len(UTF8_STRING)),
    "thumbs_bytes": lambda: _int(utf8_length(0x1F44D)),
    # training by hand and on a paragraph
    "bpe_bytes": lambda: _int(len(BPE_STRING)),
    "bpe_after1": lambda: _int(_bpe_by_hand(1)),
    "bpe_after2": lambda: _int(_bpe_by_hand(2)),
    "bpe_after3": lambda: _int(_bpe_by_hand(3)),
    "ex_bpe_bytes": lambda: _int(len(EXERCISE_BPE_STRING)),
    "ex_bpe_after1": lambda: _int(_bpe_by_hand(1, EXERCISE_BPE_STRING)),
    "ex_bpe_after2": lambda: _int(_bpe_by_hand(2, EXERCISE_BPE_STRING)),
    "ex_bpe_after3": lambda: _int(_bpe_by_hand(3, EXERCISE_BPE_STRING)),
    "para_bytes": lambda: _int(len(tk.training_run("matrices").text)),
    "para_first_count": lambda: _int(tk.training_run("matrices").states[0].pairs[0][1]),
    "para_after1": lambda: _int(_para(1)),
    "para_after32": lambda: _int(_para(32)),
    "para_bpt32": lambda: _p(bytes_per_token(len(tk.training_run("matrices").text), _para(32))),
    # the book's tokenizer
    "lm_merges": lambda: _int(len(tk.tokenizer().merges)),
    "lm_vocab": lambda: _int(bpe_vocab_size(len(tk.tokenizer().merges))),
    "train_bytes": lambda: _int(tk.training_text_point()[0]),
    "train_tokens": lambda: _int(tk.training_text_point()[1]),
    "train_bpt": lambda: _p(bytes_per_token(*tk.training_text_point())),
    "train_tpb": lambda: _p(tokens_per_byte(tk.training_text_point()[1], tk.training_text_point()[0]), 3),
    "gpt2_vocab": lambda: _int(GPT2_VOCAB),
    "gpt2_merges": lambda: _int(GPT2_VOCAB - GPT2_SPECIAL - bpe_vocab_size(0)),
    # encoding new strings
    "book_bytes": lambda: _int(_sample("book").n_bytes),
    "book_tokens": lambda: _int(_sample("book").tokens),
    "book_words": lambda: _int(_sample("book").words),
    "book_tpw": lambda: _p(tokens_per_word(_sample("book").tokens, _sample("book").words)),
    "en_bytes": lambda: _int(_sample("english").n_bytes),
    "en_tokens": lambda: _int(_sample("english").tokens),
    "el_bytes": lambda: _int(_sample("greek").n_bytes),
    "el_chars": lambda: _int(_sample("greek").chars),
    "el_tokens": lambda: _int(_sample("greek").tokens),
    "el_tpw": lambda: _p(tokens_per_word(_sample("greek").tokens, _sample("greek").words), 1),
    "el_over_en": lambda: _p(_sample("greek").tokens / _sample("english").tokens, 1),
    "zh_bytes": lambda: _int(_sample("chinese").n_bytes),
    "zh_chars": lambda: _int(_sample("chinese").chars),
    "zh_tokens": lambda: _int(_sample("chinese").tokens),
    "py_bytes": lambda: _int(_sample("python").n_bytes),
    "py_tokens": lambda: _int(_sample("python").tokens),
    "py_tpb": lambda: _p(tokens_per_byte(_sample("python").tokens, _sample("python").n_bytes), 3),
    "emoji_bytes": lambda: _int(_sample("emoji").n_bytes),
    "emoji_tokens": lambda: _int(_sample("emoji").tokens),
    # compression on the held-out text
    "held_bytes": lambda: _int(_held().n_bytes),
    "held_tokens": lambda: _int(_held().tokens),
    "held_words": lambda: _int(_held().words),
    "held_tpb": lambda: _p(tokens_per_byte(_held().tokens, _held().n_bytes), 3),
    "held_bpt": lambda: _p(bytes_per_token(_held().n_bytes, _held().tokens)),
    "held_tpw": lambda: _p(tokens_per_word(_held().tokens, _held().words)),
    "held_m32": lambda: _int(_curve(32)),
    "held_m32_tpb": lambda: _p(tokens_per_byte(_curve(32), _curve(0)), 3),
    "held_m128_tpb": lambda: _p(tokens_per_byte(_curve(128), _curve(0)), 3),
    "first_merge_saved": lambda: _int(_curve(0) - _curve(1)),
    "saved_first32": lambda: _int(_curve(0) - _curve(32)),
    "saved_last32": lambda: _int(_curve(224) - _curve(256)),
    "share_first64": lambda: _pct((_curve(0) - _curve(64)) / (_curve(0) - _curve(256)), 2),
    # Llama 2 against Llama 3
    "l2_cpt": lambda: _p(LLAMA2_CHARS_PER_TOKEN),
    "l3_cpt": lambda: _p(LLAMA3_CHARS_PER_TOKEN),
    "l2_tokens_1m": lambda: _int(round(_tokens_per_million(LLAMA2_CHARS_PER_TOKEN))),
    "l3_tokens_1m": lambda: _int(round(_tokens_per_million(LLAMA3_CHARS_PER_TOKEN))),
    "l3_fewer": lambda: _pct(1 - _tokens_per_million(LLAMA3_CHARS_PER_TOKEN)
                             / _tokens_per_million(LLAMA2_CHARS_PER_TOKEN)),
    "l3_extra_params": lambda: _count(2 * (_table("llama-3-8b") - _table("llama-2-7b"))),
    # what the table costs
    "l2_vocab": lambda: _int(get_model("llama-2-7b").vocab),
    "l3_vocab": lambda: _int(get_model("llama-3-8b").vocab),
    "gemma_vocab": lambda: _int(get_model("gemma-7b").vocab),
    "l3_d": lambda: _int(get_model("llama-3-8b").hidden),
    "l3_table": lambda: _int(_table("llama-3-8b")),
    "l3_table_m": lambda: _count(_table("llama-3-8b")),
    "l3_table_bytes": lambda: Answer(tensor_bytes((get_model("llama-3-8b").vocab, get_model("llama-3-8b").hidden),
                                                  "bf16"),
                                     fmt_bytes(tensor_bytes((get_model("llama-3-8b").vocab,
                                                             get_model("llama-3-8b").hidden), "bf16"))),
    "l3_tables_both": lambda: _count(2 * _table("llama-3-8b")),
    "l3_total": lambda: _count(param_count("llama-3-8b")),
    "l3_share": lambda: _pct(vocabulary_param_share("llama-3-8b")),
    "l3_out_flops": lambda: Answer(linear_flops(get_model("llama-3-8b").hidden, get_model("llama-3-8b").vocab),
                                   fmt_flops(linear_flops(get_model("llama-3-8b").hidden,
                                                          get_model("llama-3-8b").vocab))),
    "l3_token_flops": lambda: Answer(matmul_flops_per_token("llama-3-8b"),
                                     fmt_flops(matmul_flops_per_token("llama-3-8b"), 4)),
    "l3_out_share": lambda: _pct(linear_flops(get_model("llama-3-8b").hidden, get_model("llama-3-8b").vocab)
                                 / matmul_flops_per_token("llama-3-8b"), 2),
    "l2_table": lambda: _int(_table("llama-2-7b")),
    "l2_share": lambda: _pct(vocabulary_param_share("llama-2-7b")),
    "l70_share": lambda: _pct(vocabulary_param_share("llama-3-70b")),
    "ds3_share": lambda: _pct(vocabulary_param_share("deepseek-v3")),
    "ds3_vocab": lambda: _int(get_model("deepseek-v3").vocab),
    "ds3_total": lambda: _count(param_count("deepseek-v3")),
    "g2_d": lambda: _int(GEMMA_2B_D),
    "g2_table": lambda: _int(GEMMA_2B_EMBEDDING),
    "g2_rows": lambda: _int(GEMMA_2B_EMBEDDING // GEMMA_2B_D),
    "g2_total": lambda: _int(GEMMA_2B_EMBEDDING + GEMMA_2B_NON_EMBEDDING),
    "g2_share": lambda: _pct(GEMMA_2B_EMBEDDING / (GEMMA_2B_EMBEDDING + GEMMA_2B_NON_EMBEDDING)),
    "g7_d": lambda: _int(get_model("gemma-7b").hidden),
    "g7_table": lambda: _int(_table("gemma-7b")),
    "g7_total": lambda: _count(param_count("gemma-7b")),
    "g7_share": lambda: _pct(vocabulary_param_share("gemma-7b")),
    "tiny_vocab": lambda: _int(_tiny().vocab),
    "tiny_d": lambda: _int(_tiny().d),
    "tiny_table": lambda: _int(_tiny().table),
    "tiny_params": lambda: _int(_tiny().total),
    "tiny_share": lambda: _pct(_tiny().share),
    # the design exercise
    "small_table_32k": lambda: _count(embedding_table_params(SMALL_VOCABS[0], SMALL_D)),
    "small_table_256k": lambda: _count(embedding_table_params(SMALL_VOCABS[1], SMALL_D)),
    "small_share_32k": lambda: _pct(_small_share(SMALL_VOCABS[0])),
    "small_share_256k": lambda: _pct(_small_share(SMALL_VOCABS[1])),
    "small_body_flops": lambda: Answer(2 * SMALL_BODY, fmt_flops(2 * SMALL_BODY)),
    "small_out_32k": lambda: Answer(linear_flops(SMALL_D, SMALL_VOCABS[0]),
                                    fmt_flops(linear_flops(SMALL_D, SMALL_VOCABS[0]))),
    "small_out_256k": lambda: Answer(linear_flops(SMALL_D, SMALL_VOCABS[1]),
                                     fmt_flops(linear_flops(SMALL_D, SMALL_VOCABS[1]))),
}
