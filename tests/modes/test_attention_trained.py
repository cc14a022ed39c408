"""The attention chapter's trained-head view: real weights, read lazily, spread over frames."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.lm import model as lm
from llmviz.modes.part02_transformer import trained_head as th
from llmviz.modes.part02_transformer.attention import AttentionMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def numpy_weights(sentence: int):
    """Every head's weights on a sentence, from the numpy reference forward of the shipped weights."""
    params, cfg, _ = numpy_lm.load_shipped(lm.HERE)
    ids = lm.load().tokenizer.encode(th.SENTENCES[sentence][1])
    return numpy_lm.trace(params, ids, cfg)


def test_declared_heads_and_sentences_fit_the_shipped_model():
    cfg = lm.load().cfg
    assert (th.N_LAYER, th.N_HEAD) == (cfg.n_layer, cfg.n_head)
    corpus = {n: (ROOT / "tools" / "tiny_lm" / "corpus" / f"{n}.txt").read_text().replace("\n", " ")
              for n in ("train", "heldout")}
    for where, text in th.SENTENCES:
        assert len(th.model().tokenizer.encode(text)) <= th.MAX_TOKENS, text
        # every sentence is the book's, and where it is held out the model never saw it
        split = "heldout" if "held out" in where else "train"
        assert text in corpus[split] and text not in corpus["heldout" if split == "train" else "train"], text


@pytest.mark.parametrize("sentence", range(len(th.SENTENCES)))
def test_drawn_weights_are_the_models(sentence):
    ref = numpy_weights(sentence)
    for head, _ in th.HEADS:
        layer, h = (int(x) for x in head.split("."))
        rows = th.weights(sentence, head)
        for i, row in enumerate(rows):
            np.testing.assert_allclose(row, ref["layers"][layer]["weights"][h][i, :i + 1], atol=1e-9)
    m = AttentionMode(submode="trained", values={"lm_sentence": str(sentence), "lm_head": "1.3"})
    f = m.frame(60.0)
    (grid,) = [it for it in f["scene"]["items"] if it["k"] == "grid" and it["rows"] > 1]
    n = grid["rows"]
    want = ref["layers"][1]["weights"][3]
    for i in range(n):
        for j in range(n):
            v = grid["v"][i * n + j]
            assert (v is None) == (j > i)
            if v is not None:
                assert v == pytest.approx(want[i, j], abs=1e-4)


def test_tokens_arrive_then_the_focus_steps_down_and_stops():
    m = AttentionMode(submode="trained")
    n_tok = len(th.tokens(0))
    first = tel(m.frame(0.0))
    assert first["lm_read"]["value"] == 1 and first["lm_query"]["value"] == 0
    mid = tel(m.frame(th.ARRIVE * 4 + 0.01))
    assert mid["lm_read"]["value"] == 5 and mid["lm_query"]["value"] == 4
    done_at = (n_tok - 1) * th.ARRIVE + th.HOLD
    assert tel(m.frame(done_at + 0.01))["lm_query"]["value"] == 0
    assert tel(m.frame(done_at + 2 * th.ROW + 0.01))["lm_query"]["value"] == 2
    end = tel(m.frame(600.0))
    assert end["lm_read"]["value"] == n_tok and end["lm_query"]["value"] == n_tok - 1


def test_console_names_each_arrival_and_its_strongest_key():
    m = AttentionMode(submode="trained", values={"lm_head": "0.1"})
    m.frame(0.0)
    lines = [e["text"] for e in m.frame(th.ARRIVE * 2 + 0.01)["console"]]
    assert any(s.startswith("token 1 ") for s in lines) and any(s.startswith("token 2 ") for s in lines)
    assert all("layer 0, head 1" in s for s in lines)


def test_no_frame_waits_for_the_model_after_the_first():
    """At 60 frames a second the prefetch keeps ahead of the arrivals: after the first frame
    (which loads the model), no frame has to compute a token it is about to show."""
    th._READINGS.clear()
    stalls = []
    real = lm.Reading.ensure

    def ensure(self, n):
        before = len(self.weights)
        real(self, n)
        if len(self.weights) > before:
            stalls.append((before, len(self.weights)))

    lm.Reading.ensure = ensure
    try:
        m = AttentionMode(submode="trained")
        for i in range(60 * 25):
            m.frame(i / 60)
            if i == 0:
                stalls.clear()
    finally:
        lm.Reading.ensure = real
    assert not stalls, stalls
    # and by then every sentence has been read ahead, so switching sentences costs nothing
    assert all(th.reading(s).done for s in range(len(th.SENTENCES)))


#: Chapters whose every view shows the tiny model at work: they load it by design.
MODEL_CHAPTERS = ("p02-c02-embeddings", "p02-c05-multihead", "p02-c07-sampling")


def test_the_model_loads_only_for_the_trained_view():
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1])\n"
        "from llmviz import bridge\n"
        "from llmviz.registry import mode_ids\n"
        "out = {}\n"
        "for mid in mode_ids():\n"
        "    if mid in sys.argv[2].split(','): continue\n"
        "    bridge.open_mode(mid); bridge.frame(0.5)\n"
        "    out[mid] = 'llmviz.lm.model' in sys.modules\n"
        "bridge.open_mode('p02-c04-attention'); bridge.select('heatmap', '{}'); bridge.frame(1.0)\n"
        "out['heatmap'] = 'llmviz.lm.model' in sys.modules\n"
        "bridge.select('trained', '{}'); bridge.frame(1.0)\n"
        "import llmviz.lm.model as m\n"
        "out['trained'] = bool(m._LOADED)\n"
        "print(json.dumps(out))\n")
    # chapters built on the tiny model load it by design; every other mode, and the attention
    # chapter's other views, must not
    uses = ",".join(MODEL_CHAPTERS)
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / "py"), uses], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out.pop("trained") is True
    assert not any(out.values()), out


def test_a_one_hot_row_reports_an_entropy_of_zero_not_minus_zero():
    m = AttentionMode(submode="trained", values={"lm_head": "1.3", "lm_sentence": "3"})
    for t in (0.0, 0.05):
        e = {x["id"]: x for x in m.frame(t)["telemetry"]}["lm_entropy"]
        assert not e["text"].startswith("-") and not e["text"].startswith("\u2212"), e["text"]
