"""Answers for chapter p02-c07 (from logits to text: greedy, temperature, top-k, top-p, min-p).

The hand examples run four made-up logits through :mod:`llmviz.calc.sampling`
and :mod:`llmviz.calc.information`. Every figure about the tiny model comes
from its real logits after the chapter's prompts and from the continuations
it writes, through the same code the simulation runs
(:mod:`llmviz.modes.part02_transformer.sampling_runs`); published settings
come from :mod:`llmviz.catalog.decoding`, vocabulary sizes from the model
catalog.
"""
from __future__ import annotations

import math

from ..calc.information import entropy, perplexity, softmax
from ..calc.sampling import (
    decode_distribution,
    kept_mass,
    min_p_keep,
    rank_order,
    renormalise,
    repeated_ngram_share,
    top_k_keep,
    top_p_keep,
)
from ..calc.shapes import tensor_bytes
from ..catalog import get_model
from ..catalog.decoding import get_decoding
from ..modes.part02_transformer import sampling_runs as sr
from ..units import fmt_bytes
from . import Answer

#: The hand examples' four tokens and their logits.
TOY_TOKENS = ("values", "a", "the", "each")
TOY_Z = (2.0, 1.0, 0.0, -1.0)
#: The uniform number the hand example draws with.
TOY_U = 0.9

CONFIDENT, FLAT, LOOPING = 0, 1, 2   # indices into sr.PROMPTS
SEED = 0                              # the samples view's default seed
TAIL_STEPS = 20                       # draws in the "how often the tail" exercise
BATCH = 256                           # sequences a server decodes at once, in the logits exercise
LLAMA = "llama-3-8b"


def _p(v: float, digits: int = 3) -> Answer:
    """A plain decimal."""
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _bits(v: float) -> Answer:
    return Answer(v, f"{v:.2f} bits")


def _int(v: float) -> Answer:
    return Answer(v, f"{int(round(v)):,}")


def _pct(v: float, digits: int = 1) -> Answer:
    return Answer(v, f"{100 * v:.{digits}f} %")


# -- the hand examples --------------------------------------------------------------------


def toy_q(T: float = 1.0) -> list[float]:
    """The four toy probabilities at temperature T."""
    return softmax(TOY_Z, T)


def _toy_cum(n: int) -> float:
    q = toy_q()
    return math.fsum(q[:n])


# -- the tiny model -------------------------------------------------------------------------


def logits(prompt: int) -> list[float]:
    """The tiny model's next-token logits after prompt ``prompt``."""
    return sr.prompt(prompt).ensure().logits


def q(prompt: int, T: float = 1.0) -> list[float]:
    """Its next-token distribution at temperature T."""
    return softmax(logits(prompt), T)


def top(prompt: int) -> int:
    """The likeliest next token's id."""
    return rank_order(q(prompt))[0]


def kept(dist: list[float]) -> int:
    """Tokens a distribution (after cuts) still gives a non-zero probability."""
    return sum(1 for x in dist if x > 0)


def rows(preset: str, prompt: int = LOOPING) -> list:
    """The samples view's three rows for a preset, written to the end."""
    out = sr.samples(prompt, preset, SEED)
    for r in out:
        r.ensure(sr.LENGTH)
    return out


def mean_ppl(preset: str) -> float:
    """Mean perplexity of a preset's three rows under the model."""
    rs = rows(preset)
    return sum(sr.perplexity_of(r.probs) for r in rs) / len(rs)


def tail_picks(preset: str) -> int:
    """Tokens of the preset's three rows that were ranked above 20 when drawn."""
    return sum(1 for r in rows(preset) for k in r.ranks if k > 20)


def greedy_row():
    return sr.greedy(LOOPING).ensure(sr.LENGTH)


def loop_probs() -> list[float]:
    """The probability greedy decoding's "·cache" had each time it followed "·the" in the looping row."""
    g = greedy_row()
    tok = sr.model().tokenizer
    the, cache = tok.encode(" the"), tok.encode(" cache")
    assert len(the) == 1 and len(cache) == 1
    return [g.probs[j] for j in range(1, len(g.tokens))
            if g.tokens[j] == cache[0] and g.tokens[j - 1] == the[0]]


def held_out_loss() -> float:
    """The tiny model's loss on the book's held-out text, nats a token (its training record)."""
    return sr.model().header["training"]["loss_nats_per_token"]["held_out_int8"]


def _l3():
    return get_decoding("llama-3-reference")


def _qwen():
    return get_decoding("qwen3-thinking")


def _tail(prompt: int, shown: int = 12) -> float:
    d = q(prompt)
    return 1 - math.fsum(d[i] for i in rank_order(d)[:shown])


ANSWERS = {
    # hand examples
    "toy_sum": lambda: _p(math.fsum(math.exp(z) for z in TOY_Z), 3),
    "toy_q0": lambda: _p(toy_q()[0]),
    "toy_q1": lambda: _p(toy_q()[1]),
    "toy_q2": lambda: _p(toy_q()[2]),
    "toy_q3": lambda: _p(toy_q()[3]),
    "toy_h": lambda: _bits(entropy(toy_q())),
    "toy_q0_cold": lambda: _p(toy_q(0.5)[0]),
    "toy_q1_cold": lambda: _p(toy_q(0.5)[1]),
    "toy_h_cold": lambda: _bits(entropy(toy_q(0.5))),
    "toy_q0_hot": lambda: _p(toy_q(2.0)[0]),
    "toy_h_hot": lambda: _bits(entropy(toy_q(2.0))),
    "toy_topk2_0": lambda: _p(renormalise(toy_q(), top_k_keep(toy_q(), 2))[0]),
    "toy_topk2_1": lambda: _p(renormalise(toy_q(), top_k_keep(toy_q(), 2))[1]),
    "toy_cum2": lambda: _p(_toy_cum(2)),
    "toy_cum3": lambda: _p(_toy_cum(3)),
    "toy_topp_n": lambda: _int(sum(top_p_keep(toy_q(), 0.9))),
    "toy_topp_0": lambda: _p(renormalise(toy_q(), top_p_keep(toy_q(), 0.9))[0]),
    "toy_minp_cut": lambda: _p(0.1 * max(toy_q())),
    "toy_minp_n": lambda: _int(sum(min_p_keep(toy_q(), 0.1))),
    "toy_u": lambda: _p(TOY_U, 2),
    "toy_topk2_cum1": lambda: _p(renormalise(toy_q(), top_k_keep(toy_q(), 2))[0]),
    # the tiny model
    "lm_params": lambda: _int(sr.model().header["n_params"]),
    "lm_vocab": lambda: _int(sr.model().cfg.n_vocab),
    "c_top": lambda: _p(q(CONFIDENT)[top(CONFIDENT)]),
    "c_second": lambda: _p(sorted(q(CONFIDENT))[-2]),
    "c_h": lambda: _bits(entropy(q(CONFIDENT))),
    "c_choices": lambda: _p(2 ** entropy(q(CONFIDENT)), 1),
    "c_gap": lambda: _p(sorted(logits(CONFIDENT))[-1] - sorted(logits(CONFIDENT))[-2], 2),
    "c_ratio_t1": lambda: _p(math.exp(sorted(logits(CONFIDENT))[-1] - sorted(logits(CONFIDENT))[-2]), 1),
    "c_ratio_t06": lambda: _p(math.exp((sorted(logits(CONFIDENT))[-1] - sorted(logits(CONFIDENT))[-2]) / 0.6), 1),
    "c_top_t06": lambda: _p(q(CONFIDENT, 0.6)[top(CONFIDENT)]),
    "c_h_t06": lambda: _bits(entropy(q(CONFIDENT, 0.6))),
    "c_top_t15": lambda: _p(q(CONFIDENT, 1.5)[top(CONFIDENT)]),
    "c_h_t15": lambda: _bits(entropy(q(CONFIDENT, 1.5))),
    "c_tail12": lambda: _p(_tail(CONFIDENT)),
    "c_tail_run": lambda: _pct(1 - (1 - _tail(CONFIDENT)) ** TAIL_STEPS, 0),
    "tail_steps": lambda: _int(TAIL_STEPS),
    "c_topk10_mass": lambda: _pct(kept_mass(q(CONFIDENT), top_k_keep(q(CONFIDENT), 10))),
    "c_topp09_n": lambda: _int(sum(top_p_keep(q(CONFIDENT), 0.9))),
    "c_topp09_mass": lambda: _pct(kept_mass(q(CONFIDENT), top_p_keep(q(CONFIDENT), 0.9))),
    "c_minp_cut": lambda: _p(0.1 * max(q(CONFIDENT))),
    "c_minp_n": lambda: _int(sum(min_p_keep(q(CONFIDENT), 0.1))),
    "c_t15_topp09_n": lambda: _int(sum(top_p_keep(q(CONFIDENT, 1.5), 0.9))),
    "c_t15_minp_n": lambda: _int(sum(min_p_keep(q(CONFIDENT, 1.5), 0.1))),
    "f_top": lambda: _p(q(FLAT)[top(FLAT)]),
    "f_h": lambda: _bits(entropy(q(FLAT))),
    "f_choices": lambda: _p(2 ** entropy(q(FLAT)), 1),
    "f_topk10_mass": lambda: _pct(kept_mass(q(FLAT), top_k_keep(q(FLAT), 10))),
    "f_topp09_n": lambda: _int(sum(top_p_keep(q(FLAT), 0.9))),
    "f_minp_cut": lambda: _p(0.1 * max(q(FLAT)), 4),
    "f_minp_n": lambda: _int(sum(min_p_keep(q(FLAT), 0.1))),
    # published settings on the tiny model's prompts
    "l3_t": lambda: _p(_l3().temperature, 1),
    "l3_p": lambda: _p(_l3().top_p, 1),
    "l3_c_n": lambda: _int(kept(decode_distribution(logits(CONFIDENT), _l3().temperature, top_p=_l3().top_p))),
    "l3_f_n": lambda: _int(kept(decode_distribution(logits(FLAT), _l3().temperature, top_p=_l3().top_p))),
    "l3_f_topp_t1_n": lambda: _int(kept(decode_distribution(logits(FLAT), 1.0, top_p=_l3().top_p))),
    "qw_t": lambda: _p(_qwen().temperature, 1),
    "qw_k": lambda: _int(_qwen().top_k),
    "qw_p": lambda: _p(_qwen().top_p, 2),
    "qw_f_topp_alone_n": lambda: _int(sum(top_p_keep(q(FLAT, _qwen().temperature), _qwen().top_p))),
    "qw_f_n": lambda: _int(kept(decode_distribution(logits(FLAT), _qwen().temperature, top_k=_qwen().top_k,
                                                    top_p=_qwen().top_p))),
    "qw_c_n": lambda: _int(kept(decode_distribution(logits(CONFIDENT), _qwen().temperature, top_k=_qwen().top_k,
                                                    top_p=_qwen().top_p))),
    # the samples view: prompt "The cache grows by", seed 0
    "length": lambda: _int(sr.LENGTH),
    "greedy_rep": lambda: _pct(repeated_ngram_share(greedy_row().tokens, 3), 0),
    "pure_rep": lambda: _pct(sum(repeated_ngram_share(r.tokens, 3) for r in rows("pure")) / sr.ROWS, 0),
    "loop_first": lambda: _p(loop_probs()[0], 3),
    "loop_repeat_min": lambda: _p(min(loop_probs()[1:]), 3),
    "greedy_ppl": lambda: _p(sr.perplexity_of(greedy_row().probs), 1),
    "pure_ppl": lambda: _p(mean_ppl("pure"), 1),
    "hot_ppl": lambda: _p(mean_ppl("hot"), 1),
    "minp_ppl": lambda: _p(mean_ppl("minp"), 1),
    "hot_tail": lambda: _int(tail_picks("hot")),
    "minp_tail": lambda: _int(tail_picks("minp")),
    "sampled_tokens": lambda: _int(sr.ROWS * sr.LENGTH),
    "held_loss": lambda: _p(held_out_loss(), 2),
    "held_ppl": lambda: _p(perplexity(held_out_loss()), 1),
    # a real vocabulary
    "llama_vocab": lambda: _int(get_model(LLAMA).vocab),
    "llama_uniform_h": lambda: _bits(entropy([1 / get_model(LLAMA).vocab] * get_model(LLAMA).vocab)),
    "lm_uniform_h": lambda: _bits(entropy([1 / sr.model().cfg.n_vocab] * sr.model().cfg.n_vocab)),
    "batch": lambda: _int(BATCH),
    "logits_bytes_seq": lambda: Answer(tensor_bytes((get_model(LLAMA).vocab,), "fp32"),
                                       fmt_bytes(tensor_bytes((get_model(LLAMA).vocab,), "fp32"))),
    "logits_bytes_batch": lambda: Answer(tensor_bytes((BATCH, get_model(LLAMA).vocab), "fp32"),
                                         fmt_bytes(tensor_bytes((BATCH, get_model(LLAMA).vocab), "fp32"))),
}
