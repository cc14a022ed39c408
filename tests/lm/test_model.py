"""The pure-Python model against the numpy reference, cached against uncached decoding, seeded sampling.

The numpy reference is ``tools/tiny_lm/numpy_lm.py`` (the training code's
forward pass), run in float64 on the same int8-and-scale weights the wheel
ships, multiplied out the same way.
The pure-Python model computes in double too, so the two agree to rounding:
every intermediate within MAX_ABS_ERR.
"""
import hashlib
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.lm import model as lm

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402

#: Largest absolute difference allowed between any pure-Python intermediate and
#: numpy's (float64 both; the gap is summation order, ~1e-13 observed).
MAX_ABS_ERR = 1e-9
SENTENCE = "The query of a token says what it is looking for, and the key says what it can be found by."


@pytest.fixture(scope="module")
def model():
    return lm.load()


@pytest.fixture(scope="module")
def shipped():
    return numpy_lm.load_shipped(lm.HERE)


@pytest.fixture(scope="module")
def np_params(shipped):
    return shipped[0]


@pytest.fixture(scope="module")
def np_cfg(shipped):
    return shipped[1]


def test_header_and_weights_agree(model):
    h = model.header
    blob = (lm.HERE / "tiny_lm.bin").read_bytes()
    assert hashlib.sha256(blob).hexdigest() == h["weights_sha256"] and len(blob) == h["n_bytes"]
    shapes = numpy_lm.param_shapes(numpy_lm.Config(**h["config"]))
    assert [(t["name"], tuple(t["shape"])) for t in h["tensors"]] == shapes
    assert h["n_params"] == sum(math.prod(s) for _, s in shapes)
    # int8 per weight, a float32 scale per column (per token for the embedding), float32 gains
    n_gains = sum(s[0] for _, s in shapes if len(s) == 1)
    n_scales = sum(s[0] if n == "tok_emb" else s[1] for n, s in shapes if len(s) == 2)
    assert len(blob) == h["n_params"] - n_gains + 4 * (n_scales + n_gains)
    assert len(blob) < 1_000_000
    assert h["tied_unembedding"] is True
    c = model.cfg
    assert 2 <= c.n_layer <= 4 and 48 <= c.d_model <= 128 and 2 <= c.n_head <= 4 and 64 <= c.n_ctx <= 256
    assert model.tokenizer.n_vocab == c.n_vocab


def test_load_is_lazy_and_cached():
    import subprocess
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import llmviz.lm.model as m;"
            "assert not m._LOADED; a = m.load(); assert m.load() is a; print('ok')")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / "py")], capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


def _close(a, b, what):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    err = float(np.max(np.abs(a - b))) if a.size else 0.0
    assert err <= MAX_ABS_ERR, f"{what}: max abs error {err:.3g}"
    return err


def test_every_intermediate_matches_numpy(model, np_params, np_cfg):
    ids = model.tokenizer.encode(SENTENCE)
    assert 16 <= len(ids) <= model.cfg.n_ctx
    ref = numpy_lm.trace(np_params, ids, np_cfg)
    got = model.forward(ids)
    T = len(ids)
    _close(got.emb, ref["emb"], "embeddings")
    for li, (L, R) in enumerate(zip(got.layers, ref["layers"])):
        for name in ("attn_in", "q", "k", "v", "attn_out", "resid_attn", "ffn_in", "ffn_hidden", "ffn_out",
                     "resid_ffn"):
            _close(getattr(L, name), R[name], f"layer {li} {name}")
        for h in range(model.cfg.n_head):
            for i in range(T):
                _close(L.scores[h][i], R["scores"][h, i, :i + 1], f"layer {li} head {h} scores row {i}")
                _close(L.weights[h][i], R["weights"][h, i, :i + 1], f"layer {li} head {h} weights row {i}")
                assert np.all(R["weights"][h, i, i + 1:] == 0)
    _close(got.final, ref["final"], "final norm")
    _close(got.logits, ref["logits"], "logits")


def test_cached_decoding_gives_the_uncached_logits(model):
    ids = model.tokenizer.encode(SENTENCE)[:24]
    full = model.forward(ids, logits="all")
    cache = model.new_cache()
    rows = []
    for i, t in enumerate(ids):
        logits = model.step(t, cache, weights_out=rows)
        _close(logits, full.logits[i], f"cached logits at position {i}")
        # and against a fresh uncached run of the prefix alone
        if i in (0, 7, 23):
            _close(logits, model.forward(ids[:i + 1], logits="last").logits[-1], f"prefix {i}")
    assert len(cache) == len(ids)
    for i, per_layer in enumerate(rows):
        for li, heads in enumerate(per_layer):
            for h, w in enumerate(heads):
                _close(w, full.layers[li].weights[h][i], f"cached weights pos {i} layer {li} head {h}")


def test_sampling_is_deterministic_with_a_seed(model):
    prompt = model.tokenizer.encode("The KV cache")
    a = model.generate(prompt, 12, seed=5, temperature=0.8)
    b = model.generate(prompt, 12, seed=5, temperature=0.8)
    assert a == b and len(a) == 12
    runs = {tuple(model.generate(prompt, 12, seed=s, temperature=1.0)) for s in range(6)}
    assert len(runs) > 1, "different seeds should give different samples"
    greedy = model.generate(prompt, 6, temperature=0)
    cache, logits = model.prefill(prompt)
    assert greedy[0] == int(np.argmax(logits))
    assert lm.sample([0.0, 5.0, 1.0], random.Random(0), temperature=0) == 1
    assert lm.sample([0.0, 5.0, 1.0], random.Random(0), top_k=1) == 1


def test_the_model_predicts_the_book_better_than_chance(model):
    """Held-out text the model never saw: its mean loss beats the uniform 'no idea' baseline by far."""
    text = (ROOT / "tools" / "tiny_lm" / "corpus" / "heldout.txt").read_text().split("\n")[0]
    ids = model.tokenizer.encode(text)[:model.cfg.n_ctx]
    tr = model.forward(ids)
    nll = [-(math.log(lm.softmax(tr.logits[i])[ids[i + 1]])) for i in range(len(ids) - 1)]
    assert sum(nll) / len(nll) < 0.75 * math.log(model.cfg.n_vocab)


def test_bad_input_is_refused_with_a_reason(model):
    with pytest.raises(ValueError, match="tokens"):
        model.forward([])
    with pytest.raises(ValueError, match="token ids"):
        model.forward([model.cfg.n_vocab])
    cache = model.new_cache()
    cache.pos = model.cfg.n_ctx
    with pytest.raises(ValueError, match="context"):
        model.step(1, cache)


def test_a_reading_spread_over_frames_gives_the_same_weights(model):
    ids = model.tokenizer.encode(SENTENCE)[:20]
    full = model.forward(ids, logits="none")
    r = lm.Reading(model, ids)
    r.ensure(3)
    assert len(r.weights) == 3 and not r.done
    while not r.advance(1):
        pass
    for i, per_layer in enumerate(r.weights):
        for li, heads in enumerate(per_layer):
            for h, w in enumerate(heads):
                _close(w, full.layers[li].weights[h][i], f"reading pos {i} layer {li} head {h}")


def test_a_reading_unit_is_a_small_slice_of_work(model):
    """Each unit is a few columns of one matrix (at most UNIT_MACS multiply-adds) or one
    token's attention in one layer, so a frame can afford several."""
    c = model.cfg
    ids = model.tokenizer.encode(SENTENCE)[:10]
    r = lm.Reading(model, ids)
    units = 1
    while not r.advance(1):
        units += 1

    def slices(n_in, n_out):
        per = max(1, lm.UNIT_MACS // n_in)
        return -(-n_out // per)

    per_layer = 3 * slices(c.d_model, c.d_model) + 1 + slices(c.d_model, c.d_model) \
        + 2 * slices(c.d_model, c.d_ff) + slices(c.d_ff, c.d_model)
    assert units == len(ids) * (c.n_layer * per_layer + 1)
    assert max(lm.UNIT_MACS // c.d_model * c.d_model, lm.UNIT_MACS // c.d_ff * c.d_ff) <= lm.UNIT_MACS
