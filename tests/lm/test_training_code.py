"""The training code's hand-written backward pass against finite differences, and its pieces."""
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm as M  # noqa: E402
from tiny_lm.extract import chapter_paragraphs, split_held_out, tex_to_text  # noqa: E402


def test_backward_matches_finite_differences():
    cfg = M.Config(n_vocab=23, d_model=8, n_layer=2, n_head=2, d_ff=12, n_ctx=6)
    rng = np.random.default_rng(0)
    # float64 and larger weights than at initialisation, so every path carries signal
    P = {k: (v.astype(np.float64) * 10 if v.ndim > 1 else 1 + 0.1 * rng.standard_normal(v.shape))
         for k, v in M.init_params(cfg, 0).items()}
    idx, tg = rng.integers(0, 23, (3, 6)), rng.integers(0, 23, (3, 6))
    _, _, cache = M.forward(P, idx, cfg, tg)
    G = M.backward(P, cache, cfg)
    for name, v in P.items():
        for _ in range(4):
            i = tuple(int(rng.integers(0, s)) for s in v.shape)
            old, e = v[i], 1e-5
            v[i] = old + e
            up = M.forward(P, idx, cfg, tg)[1]
            v[i] = old - e
            down = M.forward(P, idx, cfg, tg)[1]
            v[i] = old
            num = (up - down) / (2 * e)
            assert abs(num - G[name][i]) <= 1e-6 * max(1.0, abs(num)), (name, i, num, G[name][i])


def test_rope_is_a_rotation_and_relative():
    cfg = M.Config(d_model=16, n_head=2)
    rng = np.random.default_rng(1)
    q, k = rng.standard_normal((2, 8)), rng.standard_normal((2, 8))
    cos, sin = M.rope_tables(cfg, 12, dtype=np.float64)
    rq, rk = M.rope(q[None], cos[3:4], sin[3:4])[0], M.rope(k[None], cos[1:2], sin[1:2])[0]
    assert np.allclose(np.linalg.norm(rq, axis=-1), np.linalg.norm(q, axis=-1))
    # the score depends on the distance only: positions (3, 1) and (9, 7) give the same dot product
    rq2, rk2 = M.rope(q[None], cos[9:10], sin[9:10])[0], M.rope(k[None], cos[7:8], sin[7:8])[0]
    assert np.allclose((rq * rk).sum(-1), (rq2 * rk2).sum(-1))


def test_schedule_warms_up_then_decays():
    lrs = [M.lr_at(s, 1.0, 10, 100, 0.1) for s in range(101)]
    assert lrs[0] == 0.1 and lrs[9] == 1.0 and math.isclose(lrs[100], 0.1)
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))


def test_corpus_rules():
    src = ("---\nid: x\n---\n## A heading\n\nSome {dfn}`prose <term>` with $\\sqrt{d_k}$ and "
           "$d_{\\text{model}}$, a [link](#/x) {cite}`key`.\n\n$$\nx = y\n$$\n\n"
           "::::{exercise} Try it\nQuestion *here*.\n\n:::{solution}\nAnswer.\n:::\n::::\n")
    assert chapter_paragraphs(src, "x") == [
        "A heading", "Some prose with √d_k and d_model, a link.", "Try it", "Question here.", "Answer."]
    assert tex_to_text(r"\tau \cdot x_{ij}") == "τ · x_ij"
    train, held = split_held_out([f"p{i}" * 10 for i in range(20)])
    assert len(held) == 2 and train + held == [f"p{i}" * 10 for i in range(20)]


def test_committed_corpus_holds_every_chapter_it_was_cut_from():
    corpus = ROOT / "tools" / "tiny_lm" / "corpus"
    train, held = (corpus / "train.txt").read_text(), (corpus / "heldout.txt").read_text()
    assert "---" not in train.split("\n")[0] and "{ans}" not in train and "$$" not in train
    assert 60_000 < len(train) < 400_000 and 0.05 < len(held) / (len(train) + len(held)) < 0.15
    assert train.count("\n\n") == held.count("\n\n")  # one block per chapter in each split
