"""The embeddings chapter's mode: what each view shows is the tiny model's real table, checked
against a numpy reading of the shipped weights and against the training corpus."""
import collections
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.calc.model_size import param_count
from llmviz.lm import model as lm
from llmviz.modes.part02_transformer import embeddings as em
from llmviz.modes.part02_transformer.embeddings import EmbeddingsMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402


@pytest.fixture(scope="module")
def E():
    """The embedding table as numpy reads the shipped weights file (not through llmviz.lm)."""
    params, cfg, _ = numpy_lm.load_shipped(lm.HERE)
    return np.asarray(params["tok_emb"], dtype=np.float64)


@pytest.fixture(scope="module")
def counts():
    """How often each token occurs in the training text."""
    text = (ROOT / "tools" / "tiny_lm" / "corpus" / "train.txt").read_text(encoding="utf-8")
    return collections.Counter(em.model().tokenizer.encode(text))


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def texts_of(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def unit_np(E):
    return E / np.linalg.norm(E, axis=1, keepdims=True)


# -- the data the views draw ---------------------------------------------------------------------

def test_table_is_the_shipped_one(E):
    assert np.allclose(np.array(em.table()), E, atol=1e-6)
    cfg = lm.load().cfg
    assert E.shape == (cfg.n_vocab, cfg.d_model)
    # the option label and the drawn counts name the real size
    assert dict(EmbeddingsMode.params[3].options)["all"] == f"all {cfg.n_vocab} rows"


def test_offered_tokens_and_analogies_exist():
    for _, text, label in em.TOKENS:
        assert em.texts()[em.token_id(text)] == text
        assert label == f"“{text}”"
    for row in em.ANALOGIES:
        assert len(set(em.token_id(s) for s in row[1:])) == 4


def test_unseen_rows_are_exactly_the_tokens_the_training_text_lacks(counts, E):
    missing = {i for i in range(E.shape[0]) if counts[i] == 0}
    assert set(em.unseen()) == missing
    # among them a character the text does use, but only inside a longer token
    text = (ROOT / "tools" / "tiny_lm" / "corpus" / "train.txt").read_text(encoding="utf-8")
    assert "=" in text and em.token_id("=") in missing and em.token_id(" =") not in missing
    U = unit_np(E)[sorted(missing)]
    assert (U @ U.T).min() > 0.9999          # one vector, to four decimals
    seen = [i for i in range(E.shape[0]) if i not in missing]
    assert np.linalg.norm(E[sorted(missing)], axis=1).min() > np.linalg.norm(E[seen], axis=1).max() * 0.8


@pytest.mark.parametrize("value", ["the", "one", "comma", "matrix", "ing"])
def test_neighbours_are_the_numpy_nearest_by_cosine(E, value):
    U = unit_np(E)
    t = em.token_id(em.TOKEN_TEXT[value])
    cos = U @ U[t]
    cos[t] = -np.inf
    order = np.argsort(-cos, kind="stable")[:8]
    got = em.neighbours(t, 8)
    assert [i for i, _ in got] == order.tolist()
    assert [c for _, c in got] == pytest.approx(cos[order].tolist(), abs=1e-9)


@pytest.mark.parametrize("kind", ["seen", "all"])
def test_principal_axes_match_numpy(E, kind):
    rows = E[em.selection(kind)]
    w, V = np.linalg.eigh(np.cov(rows.T, bias=True))
    p = em.principal(kind)
    assert p.shares == pytest.approx((w[-1] / w.sum(), w[-2] / w.sum()), rel=1e-7)
    assert abs(np.dot(p.axes[0], V[:, -1])) == pytest.approx(1, abs=1e-7)
    assert abs(np.dot(p.axes[1], V[:, -2])) == pytest.approx(1, abs=1e-6)


def test_the_first_axis_runs_from_rare_to_common_tokens(counts):
    """What the chapter says of the map's axes, checked on the corpus."""
    c = em.coords("seen")
    ids = list(c)
    x = np.array([c[i][0] for i in ids])
    logf = np.log([counts[i] for i in ids])
    assert np.corrcoef(x, logf)[0, 1] > 0.8
    far = sorted(ids, key=lambda i: -c[i][0])[:5]
    assert {em.texts()[i] for i in far} == {" ", ".", " the", ",", " a"}
    rare_end = sorted(ids, key=lambda i: c[i][0])[:5]
    assert all("\ufffd" in em.texts()[i] for i in rare_end)
    # " its" is almost as close to " the" in 64 dimensions, but rarer, so further in along axis 1
    the, its = em.token_id(" the"), em.token_id(" its")
    assert counts[its] < counts[the] and c[its][0] < c[the][0]
    # " the" is the commonest token that is a word
    words = [i for i in counts if em.group(i) == "word"]
    assert max(words, key=counts.__getitem__) == em.token_id(" the")
    # the second axis: word starts above the middle, pieces mostly below
    y = {g: [c[i][1] for i in ids if em.group(i) == g] for g in ("word", "piece")}
    assert np.mean(np.array(y["word"]) > 0) > 0.95 and np.mean(np.array(y["piece"]) < 0) > 0.75


def test_chance_level_is_a_simulated_nearest_of_random_directions():
    n = len(em.selection("seen")) - 1
    rng = np.random.default_rng(3)
    tops = []
    for _ in range(2000):
        q = rng.normal(size=64)
        R = rng.normal(size=(n, 64))
        tops.append((R @ q / np.linalg.norm(R, axis=1)).max() / np.linalg.norm(q))
    assert em.chance_level() == pytest.approx(np.median(tops), abs=0.006)


# -- the views -------------------------------------------------------------------------------

def test_lookup_output_is_zero_until_the_cursor_reaches_the_row(E):
    m = EmbeddingsMode(submode="lookup", values={"token": "the"})
    t = em.token_id(" the")
    V, d = E.shape
    reach = (t + 1) / V * em.SCAN_S
    before, after = m.frame(reach * 0.8), m.frame(em.SCAN_S + 0.5)
    out_b = [g for g in before["scene"]["items"] if g["k"] == "grid" and g.get("label") == "output row"][0]
    out_a = [g for g in after["scene"]["items"] if g["k"] == "grid" and g.get("label") == "output row"][0]
    assert set(out_b["v"]) == {0.0}
    assert out_a["v"] == pytest.approx(np.round(E[t], 4).tolist(), abs=1e-4)
    ta = tel(after)
    assert ta["macs"]["value"] == V * d and ta["useful"]["value"] == d
    assert tel(before)["useful"]["value"] == 0 and tel(before)["macs"]["value"] < V * d
    # the one-hot column: a single 1, on the selected row
    assert "259 ·the" in texts_of(after) and texts_of(after).count("1") == 1
    # a real model's product cost is V·d of its config
    assert ta["big"]["value"] == 128256 * 4096


def test_lookup_counts_follow_the_model_choice():
    f = EmbeddingsMode(submode="lookup", values={"model": "llama-3.1-405b"}).frame(5)
    assert tel(f)["big"]["value"] == 128256 * 16384


def test_map_reveals_the_neighbours_one_by_one():
    m = EmbeddingsMode(submode="map", values={"token": "the", "k": 6})
    rings = []
    for t in (0.0, em.REVEAL_T0 + 0.01, em.REVEAL_T0 + 2 * em.REVEAL_DT + 0.01, 10.0):
        f = m.frame(t)
        rings.append(sum(1 for it in f["scene"]["items"] if it["k"] == "circle" and it.get("stroke") == "ink"
                         and "fill" not in it))
        ranked = [s for s in texts_of(f) if s[:2] in {f"{r} " for r in range(1, 7)}]
        assert len(ranked) == rings[-1]
    assert rings == [0, 1, 3, 6]
    f = m.frame(10.0)
    nb = em.neighbours(em.token_id(" the"), 6)
    assert tel(f)["nearest"]["value"] == pytest.approx(nb[0][1])
    # every neighbour is named on the map with its rank, even two that project onto one spot
    for r, (i, _) in enumerate(nb, 1):
        assert f"{r} {em.labels()[i]}" in texts_of(f)
    assert f"chance {em.chance_level():.2f}" in texts_of(f)


def test_zoom_and_rows_change_what_is_drawn():
    full = EmbeddingsMode(submode="map", values={"token": "one"}).frame(5)
    zoom = EmbeddingsMode(submode="map", values={"token": "one", "zoom": True}).frame(5)
    assert tel(zoom)["rows"]["value"] < tel(full)["rows"]["value"] == len(em.selection("seen"))
    every = EmbeddingsMode(submode="map", values={"rows": "all"}).frame(5)
    assert tel(every)["rows"]["value"] == 512
    blobs = [it for it in every["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "bad" and it["r"] > 5]
    assert len(blobs) == 1 and any("156 never-seen tokens" in s for s in texts_of(every))
    assert tel(every)["spread"]["value"] > 0.5 > tel(full)["spread"]["value"]


def test_power_iteration_climbs_to_the_principal_axes():
    m = EmbeddingsMode(submode="pca", values={"start": 1})
    shares = [tel(m.frame(k * em.PI_DT + 0.01))["share1"]["value"] for k in range(em.PI_STEPS + 1)]
    assert all(b >= a - 1e-12 for a, b in zip(shares, shares[1:]))
    p = em.principal("seen")
    assert shares[0] < 0.05 < p.shares[0] == pytest.approx(shares[-1], rel=1e-6)
    assert tel(m.frame(60))["angle1"]["value"] < 0.01
    other = EmbeddingsMode(submode="pca", values={"start": 7})
    assert tel(other.frame(60))["share2"]["value"] == pytest.approx(p.shares[1], rel=1e-6)


@pytest.mark.parametrize("start", [1, 3, 7, 20])
def test_both_directions_end_within_a_hundredth_of_a_degree(start):
    """The chapter's claim for the last step, from any start; and which way the axes point."""
    hist, _ = EmbeddingsMode(submode="pca", values={"start": start})._trajectory()
    p = em.principal("seen")
    cos = [float(np.dot(v, a)) for v, a in zip(hist[em.PI_STEPS], p.axes)]
    assert all(math.degrees(math.acos(min(1.0, abs(c)))) < 0.01 for c in cos)
    if start == 3:        # the default start draws the map's way round
        assert cos[0] > 0 and cos[1] > 0
    if start == 7:        # the chapter's other start: axis 1 reversed, axis 2 not, a mirror image
        assert cos[0] < 0 < cos[1]


def test_idle_frames_project_the_next_step_ahead():
    m = EmbeddingsMode(submode="pca")
    for k in range(1, 40):                       # 60 frames a second inside step 0
        m.frame(k / 120)
    work = m.cached("pca_work", dict)
    assert work[1]["done"], "the next step's dots are ready before it is shown"


@pytest.mark.parametrize("value", [r[0] for r in em.ANALOGIES])
def test_analogy_rank_is_the_numpy_word_offset(E, value):
    a, b, c, d = em.analogy_ids(value)
    U = unit_np(E)
    target = U[b] - U[a] + U[c]
    cos = U @ target / np.linalg.norm(target)
    cos[[a, b, c]] = -np.inf
    rank = int(np.sum(cos > cos[d])) + 1
    f = EmbeddingsMode(submode="analogy", values={"analogy": value}).frame(30)
    assert tel(f)["rank"]["value"] == rank
    assert tel(f)["cos"]["value"] == pytest.approx(cos[d], abs=1e-9)


def test_analogy_builds_its_vector_before_searching():
    m = EmbeddingsMode(submode="analogy")
    grids = [sum(1 for it in m.frame(t)["scene"]["items"] if it["k"] == "grid") for t in (0.0, 0.7, 1.9, 30)]
    assert grids == [1, 2, 4, 4]
    assert tel(m.frame(0.5))["rank"]["text"] == "…"


def test_sizes_count_each_table_once_if_tied_twice_if_not():
    f = EmbeddingsMode(submode="sizes", values={"model": "llama-3-8b", "dtype": "bf16"}).frame(2)
    t = tel(f)
    assert t["params"]["value"] == 2 * 128256 * 4096
    assert t["bytes"]["value"] == 2 * 2 * 128256 * 4096
    assert t["share"]["value"] == pytest.approx(2 * 128256 * 4096 / param_count("llama-3-8b"))
    opt = tel(EmbeddingsMode(submode="sizes", values={"model": "opt-13b", "dtype": "fp32"}).frame(2))
    assert opt["params"]["value"] == 50272 * 5120 and opt["bytes"]["value"] == 4 * 50272 * 5120
    tiny = tel(EmbeddingsMode(submode="sizes", values={"model": "tiny"}).frame(2))
    assert tiny["params"]["value"] == 512 * 64
    assert tiny["share"]["value"] == pytest.approx(512 * 64 / lm.load().header["n_params"])


def test_console_narrates_each_view():
    m = EmbeddingsMode(submode="map")
    lines = [e["text"] for t in np.arange(0, 3, 1 / 30) for e in m.frame(float(t))["console"]]
    assert sum("nearest to ·the" in s for s in lines) == 6
    m = EmbeddingsMode(submode="lookup")
    lines = [e["text"] for t in np.arange(0, 5, 1 / 30) for e in m.frame(float(t))["console"]]
    assert any("meets the 1" in s for s in lines) and any("32,768 multiply-adds" in s for s in lines)
