"""Chapter p02-c02's answers against independent oracles: numpy on the shipped weights (read by the
training tools' own loader), the training corpus, closed forms and the models' published shapes."""
import collections
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.lm import model as lm

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402

A = answers_for("p02-c02-embeddings")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


@pytest.fixture(scope="module")
def E():
    params, _, _ = numpy_lm.load_shipped(lm.HERE)
    return np.asarray(params["tok_emb"], dtype=np.float64)


@pytest.fixture(scope="module")
def U(E):
    return E / np.linalg.norm(E, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def tok():
    return lm.load().tokenizer


@pytest.fixture(scope="module")
def seen(tok):
    corpus = (ROOT / "tools" / "tiny_lm" / "corpus" / "train.txt").read_text(encoding="utf-8")
    counts = collections.Counter(tok.encode(corpus))
    return sorted(counts)


def tid(tok, s):
    return next(i for i in range(512) if tok.token_text(i) == s)


def test_the_tiny_table_by_hand(E):
    assert (val("lm_vocab"), val("lm_d")) == E.shape == (512, 64)
    assert val("lm_table") == 512 * 64 == 32_768
    assert val("lm_params") == 139_584                       # tools/tiny_lm/README.md
    assert val("lm_table_share") == pytest.approx(32_768 / 139_584)
    # int8 numbers and one float32 scale per row: 64 + 4 bytes a row
    assert val("lm_table_bytes") == 512 * (64 + 4) == 34_816 and val("row_bytes_lm") == 68
    assert val("lm_untied") == 139_584 + 32_768
    assert val("lm_tie_saving") == pytest.approx(32_768 / 172_352)
    assert val("lm_product_macs") == 512 * 64
    assert (val("lm_layers"), val("lm_train_tokens"), val("lm_train_bytes")) == (2, 31_191, 68_446)


def test_ids_are_the_tokenizers(tok):
    assert tok.token_text(val("the_id")) == " the" and tok.token_text(val("a_id")) == " a"
    assert val("a_id") + 1 == val("the_id")


@pytest.mark.parametrize("name, token, rank", [
    ("the_1", " the", 1), ("the_2", " the", 2), ("the_3", " the", 3), ("the_4", " the", 4),
    ("zero_1", "0", 1), ("The_1", " The", 1), ("The_2", " The", 2), ("The_3", " The", 3),
    ("token_1", " token", 1), ("token_2", " token", 2), ("token_3", " token", 3),
    ("matrix_1", " matrix", 1), ("matrix_2", " matrix", 2), ("matrix_3", " matrix", 3),
])
def test_neighbours_by_numpy_cosine(U, tok, name, token, rank):
    t = tid(tok, token)
    cos = U @ U[t]
    cos[t] = -np.inf
    j = int(np.argsort(-cos, kind="stable")[rank - 1])
    assert val(name) == j and text(name) == f"“{tok.token_text(j)}”"
    cos_name = name + "_cos"
    if cos_name in A:
        assert val(cos_name) == pytest.approx(cos[j], abs=1e-9)


def test_other_cosines(U, tok):
    def cos(a, b):
        return float(U[tid(tok, a)] @ U[tid(tok, b)])
    assert val("comma_1_cos") == pytest.approx(cos(",", " and")) and val("comma_2_cos") == pytest.approx(cos(",", "."))
    one = tid(tok, " 1")
    c = U @ U[one]
    c[one] = -np.inf
    assert val("one_1_cos") == pytest.approx(c.max())
    assert tok.token_text(int(c.argmax())) == " 2"


def test_chance_levels_against_a_simulation_and_a_closed_form(seen):
    n = len(seen) - 1
    assert val("nb_candidates") == n == 355
    assert val("random_cos_64") == pytest.approx(1 / 8) and val("random_cos_4096") == pytest.approx(1 / 64)
    rng = np.random.default_rng(5)
    q = rng.normal(size=(2000, 64))
    tops = []
    for v in q / np.linalg.norm(q, axis=1, keepdims=True):
        R = rng.normal(size=(n, 64))
        tops.append((R @ v / np.linalg.norm(R, axis=1)).max())
    assert val("chance_64") == pytest.approx(np.median(tops), abs=0.006)
    # 4,096 dimensions: the normal approximation of a cosine, N(0, 1/d), is close there
    from statistics import NormalDist
    m = 128_255
    p = 1 - 0.5 ** (1 / m)
    assert val("chance_4096") == pytest.approx(NormalDist().inv_cdf(1 - p) / 64, rel=0.01)
    assert val("candidates_ratio") == pytest.approx(128_255 / 355)


def test_nearest_cosines_over_the_seen_rows(U, seen):
    S = U[seen] @ U[seen].T
    np.fill_diagonal(S, -np.inf)
    tops = S.max(axis=1)
    assert val("median_nearest") == pytest.approx(np.median(tops), abs=1e-9)
    assert val("above_chance") == pytest.approx(np.mean(tops > val("chance_64")), abs=1e-12)


def test_map_shares_against_numpy_eigh(E, seen):
    w = np.linalg.eigvalsh(np.cov(E[seen].T, bias=True))
    assert val("share1") == pytest.approx(w[-1] / w.sum(), rel=1e-8)
    assert val("share2") == pytest.approx(w[-2] / w.sum(), rel=1e-8)
    assert val("share12") == pytest.approx((w[-1] + w[-2]) / w.sum(), rel=1e-8)
    w_all = np.linalg.eigvalsh(np.cov(E.T, bias=True))
    assert val("share1_all") == pytest.approx(w_all[-1] / w_all.sum(), rel=1e-8)
    assert val("share_random") == 1 / 64 and val("share_random_two") == 2 / 64
    # power iteration's pace on the first direction: the second variance over the first
    assert val("pi_ratio_table") == pytest.approx(w[-2] / w[-1], rel=1e-8)


def test_axis_two_splits_word_starts_from_pieces(E, seen, tok):
    X = E[seen] - E[seen].mean(0)
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    y = X @ vt[1]
    y *= np.sign(vt[1][np.argmax(np.abs(vt[1]))])          # the calculator's sign: largest component positive
    word = [k for k, i in enumerate(seen) if tok.token_text(i).startswith(" ")
            and tok.token_text(i)[1:].isascii() and tok.token_text(i)[1:].isalpha()]
    piece = [k for k, i in enumerate(seen) if tok.token_text(i).isascii() and tok.token_text(i).isalpha()]
    assert val("word_above") == pytest.approx(np.mean(y[word] > 0))
    assert val("piece_below") == pytest.approx(np.mean(y[piece] <= 0))


def test_unseen_rows(E, U, seen):
    unseen = sorted(set(range(512)) - set(seen))
    assert val("unseen_rows") == len(unseen) == 156
    S = U[unseen] @ U[unseen].T
    assert val("unseen_min_cos") == pytest.approx(S[np.triu_indices(len(unseen), 1)].min(), abs=1e-12)
    assert val("unseen_norm") == pytest.approx(np.linalg.norm(E[unseen], axis=1).mean())
    assert val("seen_norm") == pytest.approx(np.linalg.norm(E[seen], axis=1).mean())
    assert val("unseen_bytes") == 156 * 68


def test_unseen_rows_split_into_bytes_and_absorbed_merges(seen, tok):
    """Byte tokens are ids 0–255; the rest are merges, each a prefix of a longer merge that absorbed it."""
    unseen = sorted(set(range(512)) - set(seen))
    merges = [i for i in unseen if i >= 256]
    assert val("unseen_byte_rows") == len(unseen) - len(merges) == 152
    assert val("unseen_merge_rows") == len(merges) == 4
    assert val("unseen_merge_example") == merges[0] and text("unseen_merge_example") == "“ reques”"
    # each absorbed merge is the start of a longer token that does occur
    for i in merges:
        assert any(j in seen and tok.token_text(j).startswith(tok.token_text(i)) for j in range(256, 512) if j != i)
    assert tid(tok, " request") in seen


def test_unseen_tokens_get_almost_no_probability(seen, tok):
    """The numpy reference forward pass of the shipped weights, on the same four sentences."""
    from llmviz.modes.part02_transformer import trained_head as th
    params, cfg, _ = numpy_lm.load_shipped(lm.HERE)
    unseen = sorted(set(range(512)) - set(seen))
    worst = 0.0
    for _, sentence in th.SENTENCES:
        logits = numpy_lm.trace(params, tok.encode(sentence), cfg)["logits"]
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        worst = max(worst, p[:, unseen].sum(axis=1).max())
    assert val("unseen_prob") == pytest.approx(worst, rel=1e-4)
    assert worst < 1e-3


def _rank(U, a, b, c, d):
    t = U[b] - U[a] + U[c]
    cos = U @ t / np.linalg.norm(t)
    cos[[a, b, c]] = -np.inf
    return int(np.sum(cos > cos[d])) + 1, cos


def test_analogies_by_numpy(U, tok):
    from llmviz.modes.part02_transformer.embeddings import ANALOGIES
    ranks = {}
    for value, *words in ANALOGIES:
        ids = [tid(tok, w) for w in words]
        ranks[value] = _rank(U, *ids)
    assert val("an_solved") == sum(r == 1 for r, _ in ranks.values()) == 5
    assert val("an_total") == 9 and val("an_candidates") == 509
    assert val("an_plural_solved") == sum(ranks[v][0] == 1 for v, *_ in ANALOGIES[:6]) == 3
    r, cos = ranks["token-request"]
    order = np.argsort(-cos, kind="stable")
    assert r == 1 and val("an_tr_cos") == pytest.approx(cos[order[0]])
    assert val("an_tr_second") == order[1] and val("an_tr_second_cos") == pytest.approx(cos[order[1]])
    assert val("an_tw_rank") == ranks["token-weight"][0] == 251
    assert val("an_tw_cos") == pytest.approx(ranks["token-weight"][1][tid(tok, " weights")])
    assert val("an_digits_rank") == ranks["digits"][0] == 1
    assert val("an_cap_rank") == ranks["capital"][0] == 2
    assert val("an_cap_first") == int(np.argmax(ranks["capital"][1]))
    # the digits need no offset: the row nearest the third digit alone is already the fourth
    for words, name in (((" 1", " 2", " 3"), "an_digits_alone"), (("1", "2", "3"), "an_bare_alone")):
        q = tid(tok, words[2])
        c = U @ U[q]
        c[[tid(tok, w) for w in words]] = -np.inf
        assert val(name) == int(np.argmax(c)) and text(name) == f"“{tok.token_text(int(np.argmax(c)))}”"
    assert text("an_digits_alone") == "“ 4”" and text("an_bare_alone") == "“4”"
    # without the offset: the row nearest " request", the question tokens left out
    q = tid(tok, " request")
    c = U @ U[q]
    c[[tid(tok, " token"), tid(tok, " tokens"), q]] = -np.inf
    assert val("an_tr_alone") == int(np.argmax(c))


# Published shapes (config.json of each model) and totals (Hugging Face model pages)
def test_llama_tables_from_their_configs():
    V, d8, d405 = 128_256, 4_096, 16_384
    assert val("l8_vocab") == V and val("l8_d") == d8 and val("l405_d") == d405
    assert val("l8_table") == V * d8 == val("l8_product_macs") == 525_336_576
    assert val("l8_tables") == 2 * V * d8
    assert val("l8_tables_bytes") == 2 * 2 * V * d8
    assert text("l8_tables_bytes") == "2.1 GB"
    assert val("l8_params") == pytest.approx(8.03e9, abs=0.005e9)
    assert val("l8_share") == pytest.approx(2 * V * d8 / val("l8_params"))
    assert val("l8_row_bytes") == 2 * d8
    assert val("l8_output_flops") == 2 * V * d8
    assert val("l405_product_macs") == V * d405
    assert val("l405_tables") == 2 * V * d405 and val("l405_row_bytes") == 2 * d405
    assert val("l405_share") == pytest.approx(2 * V * d405 / 405.85e9, rel=1e-3)
    assert val("l27_vocab") == 32_000 and val("l27_tables") == 2 * 32_000 * 4_096
    assert val("l27_params") == pytest.approx(6.74e9, abs=0.005e9)
    assert val("l27_to_l8_tables") == 2 * (V - 32_000) * 4_096
    assert val("l27_to_l8_params") == val("l8_params") - val("l27_params")
    assert val("l27_to_l8_tables") > val("l27_to_l8_params") / 2


def test_opt():
    assert (val("opt_vocab"), val("opt_d")) == (50_272, 5_120)
    assert val("opt_tables") == 50_272 * 5_120                # tied: one table
    assert val("opt_share") == pytest.approx(50_272 * 5_120 / 13e9, rel=0.02)


def test_exercise_lookup_by_hand():
    table = np.array([[2, -1, 0], [1, 3, -2], [0, 4, 1], [-3, 0, 2]])
    x = np.eye(4)[2]
    assert val("ex_row") == 2 and text("ex_row") == "(" + ", ".join(str(int(v)) for v in x @ table) + ")"
    assert val("ex_macs") == table.size == 12 and val("ex_useful") == 3


def test_exercise_power_iteration_by_hand():
    C = np.array([[3.0, 1.0], [1.0, 2.0]])
    v = np.array([1.0, 0.0])
    vs = [v]
    for _ in range(2):
        v = C @ v
        v /= np.linalg.norm(v)
        vs.append(v)
    assert (val("pi_v1_x"), val("pi_v1_y")) == pytest.approx(tuple(vs[1]))
    assert (val("pi_v2_x"), val("pi_v2_y")) == pytest.approx(tuple(vs[2]))
    for k in range(3):
        assert val(f"pi_var{k}") == pytest.approx(vs[k] @ C @ vs[k])
    w, V = np.linalg.eigh(C)
    assert val("pi_lambda") == pytest.approx(w[-1]) == pytest.approx((5 + math.sqrt(5)) / 2)
    e = V[:, -1] * np.sign(V[0, -1])
    assert (val("pi_e_x"), val("pi_e_y")) == pytest.approx(tuple(e))
    for k in (1, 2):
        assert val(f"pi_angle{k}") == pytest.approx(math.degrees(math.acos(abs(vs[k] @ e))))
    assert val("pi_share") == pytest.approx(w[-1] / np.trace(C))
    # the axis from its first row, and the off-axis part over the on-axis part shrinking by λ2/λ1
    assert val("pi_slope") == pytest.approx(e[1] / e[0])
    assert val("pi_lambda2") == pytest.approx(w[0]) == pytest.approx((5 - math.sqrt(5)) / 2)
    assert val("pi_ratio") == pytest.approx(w[0] / w[-1])
    assert val("pi_angle0") == pytest.approx(math.degrees(math.acos(abs(vs[0] @ e))))
    other = V[:, 0]
    tans = [abs(v @ other) / abs(v @ e) for v in vs]
    for k in range(3):
        assert val(f"pi_tan{k}") == pytest.approx(tans[k])
    assert tans[1] / tans[0] == pytest.approx(w[0] / w[-1]) and tans[2] / tans[1] == pytest.approx(w[0] / w[-1])


def test_exercise_analogy_in_the_plane():
    a, b, c = np.array([1, 0.0]), np.array([0.6, 0.8]), np.array([0.8, -0.6])
    t = (b - a + c) / np.linalg.norm(b - a + c)
    cands = {(0.0, 1.0): 0, (0.8, 0.6): 0, (-0.6, 0.8): 0}
    cos = sorted((float(t @ np.array(k)) for k in cands), reverse=True)
    assert (val("pl_answer_cos"), val("pl_second_cos"), val("pl_third_cos")) == pytest.approx(tuple(cos))
    assert text("pl_third_cos").startswith("\u2212")


def test_exercise_vocabulary_choice():
    for v, key in ((32_000, "32"), (128_256, "128"), (256_000, "256")):
        assert val(f"voc_{key}_tied") == pytest.approx(v * 2048 / 2e9)
        assert val(f"voc_{key}_untied") == pytest.approx(2 * v * 2048 / 2e9)
    assert val("voc_256_table") == 256_000 * 2048 and val("voc_256_flops") == 2 * 256_000 * 2048


def test_lookup_rows_and_steps_are_the_views():
    from llmviz.modes.part02_transformer import embeddings as em
    assert val("lookup_rows") == em.LOOKUP_ROWS and val("pi_steps") == em.PI_STEPS
