"""The token embedding table of the book's tiny trained model, looked at five ways.

Every number drawn comes from the real table of :mod:`llmviz.lm` (512
tokens × 64 numbers, stored as int8 with one scale per row, tied to the
unembedding) through :mod:`llmviz.calc.embeddings`, or from the catalog:

* lookup: the one-hot vector of a token times the table, scanned row by row;
  only the row under the 1 reaches the output, and the multiply-add counter
  shows what a matrix product would spend on zeros;
* map: the rows projected on their two principal axes, a chosen token and
  its nearest rows by cosine (over all 64 numbers) ringed and listed, beside
  the cosine the nearest of as many random directions would reach by chance;
* pca: how those axes are found, by orthogonal power iteration from two
  random directions, one multiplication by the covariance matrix per step;
* analogy: the word-offset method, u_b − u_a + u_c, and where the expected
  token lands among all rows;
* sizes: the token tables of real models from the catalog, tied or untied.

The model is loaded on first use (about 0.14 MB of weights), and everything
derived from the table alone (unit rows, covariance, principal axes) is
computed once and kept for the session: it does not change with any
control.
"""
from __future__ import annotations

import math
from functools import lru_cache
from operator import mul

from ...calc.embeddings import (
    analogy_target, chance_nearest_cosine, covariance_matrix, embedding_bytes, embedding_params,
    nearest_by_cosine, pca_2d, power_iteration, project_2d, unit_rows, variance_along,
)
from ...calc.gemm import gemm_macs
from ...calc.model_size import active_param_count, param_count
from ...calc.shapes import tensor_bytes
from ...catalog import get_model
from ...catalog.formats import get_format
from ...core import Choice, Flag, Mode, Number, Scene, Submode
from ...core.labels import around, place_label
from ...core.mode import metric
from ...core.rng import normals
from ...core.scene import LINE_H, text_box
from ...units import fmt_bytes, fmt_count, fmt_percent
from . import trained_head as th

# type sizes: the pane shows the 960-unit canvas at about 0.6×, so nothing a reader must read
# is smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 16, 14

# -- the tokens the views offer ------------------------------------------------------------

#: (value, text of the token, label of the option); the value is what a URL carries
TOKENS = (
    ("the", " the", "“ the”"), ("each", " each", "“ each”"), ("one", " 1", "“ 1”"),
    ("zero", "0", "“0”"), ("comma", ",", "“,”"), ("and", " and", "“ and”"),
    ("The", " The", "“ The”"), ("ing", "ing", "“ing”"), ("row", " row", "“ row”"),
    ("token", " token", "“ token”"), ("request", " request", "“ request”"), ("key", " key", "“ key”"),
    ("equals", " =", "“ =”"), ("is", " is", "“ is”"), ("matrix", " matrix", "“ matrix”"),
    ("memory", " memory", "“ memory”"),
)
TOKEN_TEXT = {v: s for v, s, _ in TOKENS}

#: "a is to b as c is to d": (value, a, b, c, expected d)
ANALOGIES = (
    ("token-request", " token", " tokens", " request", " requests"),
    ("request-token", " request", " requests", " token", " tokens"),
    ("weight-request", " weight", " weights", " request", " requests"),
    ("weight-token", " weight", " weights", " token", " tokens"),
    ("request-weight", " request", " requests", " weight", " weights"),
    ("token-weight", " token", " tokens", " weight", " weights"),
    ("digits", " 1", " 2", " 3", " 4"),
    ("digits-bare", "1", "2", "3", "4"),
    ("capital", " the", " The", " a", " A"),
)


def _show(s: str) -> str:
    """A token's text as the views print it: a space as "·", a newline as "⏎"."""
    return s.replace(" ", "·").replace("\n", "⏎") or "∅"


def _analogy_label(a, b, c, d) -> str:
    return f"{_show(a)} : {_show(b)} = {_show(c)} : ?"


#: real models for the sizes view (and the lookup's cost line), plus the book's tiny model
TINY = "tiny"
SIZE_MODELS = (TINY, "opt-13b", "mamba-2.8b", "llama-2-7b", "mistral-7b", "llama-3-8b", "llama-3-70b",
               "llama-3.1-405b", "qwen2.5-72b", "qwen3-32b", "qwen3-30b-a3b", "deepseek-v3",
               "gpt-oss-20b", "llama-4-scout", "kimi-k2")
DTYPES = (("bf16", "BF16, 2 bytes"), ("fp32", "FP32, 4 bytes"), ("fp8_e4m3", "FP8, 1 byte"),
          ("int8", "INT8, 1 byte"), ("int4", "INT4, half a byte"))

#: a row is "unseen" (its token never occurs in the training text) when its cosine with row 0,
#: the byte 0 that no prose contains, is above this: those rows all collapsed onto one vector
UNSEEN_COS = 0.999

# -- timing ------------------------------------------------------------------------------------
REVEAL_T0, REVEAL_DT = 0.4, 0.35     # the map's neighbours appear one by one
SCAN_S = 4.0                         # the lookup's cursor passes all 512 rows
LOOKUP_ROWS = 14                     # rows of the table the lookup view draws
SCAN_STATES = 64                     # ... in this many drawn states (8 rows each)
PI_STEPS, PI_DT = 24, 0.5            # power-iteration steps shown, seconds per step
PCA_SLICE = 40                       # rows projected per idle frame ahead of the next step
BUILD_DT = 0.6                       # the analogy's vector is built in four stages
CAND_DT = 0.3                        # then its candidates appear one by one
N_CAND = 8

# -- data from the table (the same for every control, so kept for the session) ------------


def model():
    """The tiny model (loaded on first use)."""
    return th.model()


@lru_cache(maxsize=1)
def texts() -> tuple[str, ...]:
    """Every token's text, by id."""
    tok = model().tokenizer
    return tuple(tok.token_text(i) for i in range(model().cfg.n_vocab))


@lru_cache(maxsize=1)
def labels() -> tuple[str, ...]:
    """Every token as the views print it: a space as "·", a newline as "⏎", and a token that is
    not whole UTF-8 (a byte of a longer character) as its bytes in hex, ⟨E2 88⟩; the lone space is
    "· (space)"."""
    tok = model().tokenizer
    out = []
    for i, s in enumerate(texts()):
        if "\ufffd" in s:
            out.append("⟨" + " ".join(f"{b:02X}" for b in tok.token_bytes(i)) + "⟩")
        else:
            out.append("· (space)" if s == " " else _show(s))   # a lone "·" would read as nothing
    return tuple(out)


def token_id(text: str) -> int:
    """The id of the token whose text is exactly ``text``."""
    return texts().index(text)


@lru_cache(maxsize=1)
def table() -> list[list[float]]:
    """The embedding table E: one row of d numbers per token (int8 × the row's scale)."""
    return model().tok_emb


@lru_cache(maxsize=1)
def largest_entry() -> float:
    """The largest |E[i][j]|: the end of the colour scale of every view that draws rows."""
    return max(abs(v) for r in table() for v in r)


@lru_cache(maxsize=1)
def unit() -> list[list[float]]:
    """Every row divided by its length (dot products of these are cosines)."""
    return unit_rows(table())


@lru_cache(maxsize=1)
def unseen() -> tuple[int, ...]:
    """Rows that collapsed onto one vector: the tokens the training text never contains."""
    anchor = unit()[0]
    return tuple(i for i, r in enumerate(unit()) if sum(a * b for a, b in zip(r, anchor)) > UNSEEN_COS)


def selection(kind: str) -> list[int]:
    """Row ids drawn for ``kind``: "seen" (rows of tokens in the training text) or "all"."""
    if kind == "all":
        return list(range(len(table())))
    gone = set(unseen())
    return [i for i in range(len(table())) if i not in gone]


@lru_cache(maxsize=2)
def covariance(kind: str) -> list[list[float]]:
    """The d×d covariance matrix of the selected rows."""
    E = table()
    return covariance_matrix([E[i] for i in selection(kind)])


@lru_cache(maxsize=2)
def principal(kind: str):
    """The selected rows' first two principal axes (:class:`llmviz.calc.embeddings.PCA2D`)."""
    E = table()
    return pca_2d([E[i] for i in selection(kind)], cov=covariance(kind))


@lru_cache(maxsize=2)
def coords(kind: str) -> dict[int, tuple[float, float]]:
    """Row id → its coordinates on the two principal axes."""
    p = principal(kind)
    ids = selection(kind)
    E = table()
    return dict(zip(ids, project_2d([E[i] for i in ids], p.mean, p.axes)))


@lru_cache(maxsize=32)
def neighbours(token: int, k: int) -> tuple[tuple[int, float], ...]:
    """The ``k`` rows nearest row ``token`` by cosine, over all rows, the token itself left out."""
    return tuple(nearest_by_cosine(unit()[token], unit(), k, exclude=(token,), normalised=True))


@lru_cache(maxsize=4)
def chance_level(left_out: int = 1) -> float:
    """The median cosine the nearest of n random directions reaches in d dimensions, for n the
    seen rows less ``left_out`` (the token itself; the three question tokens of an analogy).
    The never-seen rows are one vector far from everything, so they add no chance."""
    return chance_nearest_cosine(model().cfg.d_model, len(selection("seen")) - left_out)


def group(i: int) -> str:
    """Which colour a token is drawn in: unseen, digit, word (start of a word), piece, or symbol."""
    if i in set(unseen()):
        return "unseen"
    s = texts()[i]
    core = s[1:] if s.startswith(" ") else s
    if core.isdigit():
        return "digit"
    if core.isascii() and core.isalpha():
        return "word" if s.startswith(" ") else "piece"
    return "symbol"


GROUP_FILL = {"word": "accent", "piece": "accent2", "digit": "accent3", "symbol": "muted", "unseen": "bad"}
GROUP_NAME = {"word": "starts a word (·x)", "piece": "piece of a word", "digit": "digit",
              "symbol": "punctuation, space, symbol", "unseen": "never in the training text"}


@lru_cache(maxsize=1)
def label_order() -> tuple[int, ...]:
    """Rows in the order the map labels them when it has room: the chooser's tokens first, then
    the learned merges in the order they were learned (the commonest pairs first)."""
    first = [token_id(s) for _, s, _ in TOKENS]
    rest = [i for i in range(256, len(table())) if i not in first]
    return tuple(first + rest)


def analogy_ids(value: str) -> tuple[int, int, int, int]:
    """(a, b, c, expected d) as row ids for the analogy preset ``value``."""
    row = next(r for r in ANALOGIES if r[0] == value)
    return tuple(token_id(s) for s in row[1:])


@lru_cache(maxsize=16)
def analogy_result(value: str) -> dict:
    """The word-offset method on preset ``value``: target, top candidates, the expected row's rank."""
    a, b, c, d = analogy_ids(value)
    target = analogy_target(unit(), a, b, c)
    order = nearest_by_cosine(target, unit(), len(unit()), exclude=(a, b, c), normalised=True)
    rank = next(r for r, (i, _) in enumerate(order, 1) if i == d)
    alone = nearest_by_cosine(unit()[c], unit(), 1, exclude=(a, b, c), normalised=True)[0]
    return {"ids": (a, b, c, d), "target": target, "top": order[:N_CAND], "rank": rank,
            "cos": dict(order)[d], "alone": alone}


@lru_cache(maxsize=1)
def analogies_solved() -> int:
    """How many of the presets put the expected token first."""
    return sum(1 for v, *_ in ANALOGIES if analogy_result(v)["rank"] == 1)


def model_row(name: str) -> dict:
    """A model's token tables: vocabulary, width, tied, parameters in the tables and in all."""
    if name == TINY:
        cfg = model().cfg
        tied = bool(model().header.get("tied_unembedding", True))
        total = int(model().header["n_params"])
        return {"name": "the book's tiny model", "vocab": cfg.n_vocab, "d": cfg.d_model, "tied": tied,
                "total": total, "active": total}
    m = get_model(name)
    return {"name": m.display_name, "vocab": m.vocab, "d": m.hidden, "tied": m.tied_embeddings,
            "total": param_count(m), "active": active_param_count(m)}


# -- the mode ------------------------------------------------------------------------------------

# map geometry: the plot box and the panel to its right
MX, MY, MW, MH = 30, 96, 580, 470
RING = 7                 # radius of the ring around a neighbour on the map
LABEL_MARGIN = 3         # clear space around every label on the map, so two never read as one
PX = 640
# power-iteration view: the scatter box and the chart
PCA_X, PCA_Y, PCA_BOX = 30, 96, 470
CH_X, CH_Y, CH_W, CH_H = 590, 120, 330, 250


class EmbeddingsMode(Mode):
    """The tiny model's 512 × 64 embedding table: lookup, map, principal axes, analogies, sizes."""

    id = "p02-c02-embeddings"
    chapter = "p02-c02-embeddings"
    title = "Embeddings"
    params = (
        Choice("token", "token", "the token whose row is looked up (lookup) or whose neighbours are shown (map)",
               options=tuple((v, lab) for v, _, lab in TOKENS), default="the"),
        Number("k", "neighbours shown", "how many of the nearest rows by cosine to ring and list",
               lo=3, hi=10, step=1, default=6, integer=True),
        Flag("zoom", "zoom to the neighbours",
             "show only the part of the map around the token and its neighbours", default=False),
        Choice("rows", "rows drawn",
               "the tokens seen in training, or every row (the never-seen tokens sit at one spot)",
               options=(("seen", "tokens seen in training"), ("all", "all 512 rows")), default="seen"),
        Number("start", "random start", "seed of the two random directions power iteration starts from",
               lo=1, hi=20, step=1, default=3, integer=True),
        Choice("analogy", "analogy", "a is to b as c is to ?: which question to ask the table",
               options=tuple((r[0], _analogy_label(*r[1:])) for r in ANALOGIES), default=ANALOGIES[0][0]),
        Choice("model", "model", "a real model whose token tables are sized (the catalog's config.json)",
               options=tuple((n, "the book's tiny model" if n == TINY else get_model(n).display_name)
                             for n in SIZE_MODELS), default="llama-3-8b"),
        Choice("dtype", "number format", "how many bytes each number of the table takes",
               options=DTYPES, default="bf16"),
    )
    submodes = {
        "lookup": Submode("Lookup", {}, "a one-hot vector times the table selects one row",
                          ("token", "model")),
        "map": Submode("Token map", {}, "the rows on their two principal axes; nearest rows by cosine",
                       ("token", "k", "zoom", "rows")),
        "pca": Submode("Finding the axes", {}, "power iteration turns two random directions into the principal axes",
                       ("start", "rows")),
        "analogy": Submode("Analogies", {}, "a is to b as c is to ?: the row nearest b − a + c",
                           ("analogy",)),
        "sizes": Submode("Real tables", {}, "vocabulary × width × bytes for real models, tied or untied",
                         ("model", "dtype")),
    }
    default_submode = "lookup"
    step_dt = 0.5
    size = (960, 640)
    _last_state: tuple | None = None

    # -- dispatch ------------------------------------------------------------------------

    def draw(self, t: float):
        sub = self.submode
        key = self._state(t)
        # A frame that repeats the last drawn state costs a lookup; it also does a little work
        # ahead (the next step's projection), so the frame that changes state does not pay for it.
        again = self._last_state == (sub, key, self.values.version)
        self._last_state = (sub, key, self.values.version)
        out = self.memo(sub, key, lambda: getattr(self, "_draw_" + sub)(*key))
        if again:
            self._idle(sub, key)
        return out

    def _state(self, t: float) -> tuple:
        """The discrete state a view shows at time ``t``: the arguments of its ``_draw_*``."""
        sub = self.submode
        if sub == "map":
            return (self._revealed(t),)
        if sub == "lookup":
            return (min(SCAN_STATES, int(t / SCAN_S * SCAN_STATES)),)
        if sub == "pca":
            return (min(PI_STEPS, int(t // PI_DT)),)
        if sub == "analogy":
            return (min(4 + N_CAND, int(t // BUILD_DT) if t < 4 * BUILD_DT
                        else 4 + int((t - 4 * BUILD_DT) // CAND_DT)),)
        return (min(10, int(t // 0.06)),)

    def _revealed(self, t: float) -> int:
        return max(0, min(self["k"], int((t - REVEAL_T0) // REVEAL_DT) + 1)) if t >= REVEAL_T0 else 0

    def _token(self) -> int:
        return token_id(TOKEN_TEXT[self["token"]])

    def _header(self, sc: Scene, title: str, sub: str) -> None:
        sc.text(30, 24, title, size=TITLE, bold=True)
        sc.text(30, 50, sub, size=SUB, fill="muted")

    # -- lookup ------------------------------------------------------------------------------

    def _lookup_layout(self) -> dict:
        def build():
            E = table()
            V, d = len(E), len(E[0])
            t = self._token()
            n_win = LOOKUP_ROWS
            lo = max(0, min(V - n_win, t - n_win // 2))
            return {"V": V, "d": d, "t": t, "n_win": n_win, "lo": lo, "gx": 250, "gy": 118, "cw": 9, "ch": 24,
                    "amax": largest_entry(), "model": model_row(self["model"])}
        return self.cached("lookup_layout", build)

    def _lookup_static(self) -> list[dict]:
        """Everything in the lookup view that does not move while the cursor scans."""
        sc = self.new_scene()
        L = self._lookup_layout()
        E = table()
        V, d, t, n_win, lo = L["V"], L["d"], L["t"], L["n_win"], L["lo"]
        gx, gy, cw, ch = L["gx"], L["gy"], L["cw"], L["ch"]
        self._header(sc, f"A lookup is a one-hot vector times the table: x · E = row {t}",
                     f"x has {V} entries, all 0 but a 1 at {t}. Output j is Σᵢ xᵢ·E[i, j]: "
                     f"only row {t} adds anything.")
        sc.text(200, gy - 14, "x", size=BODY, bold=True, align="c", base="b")
        sc.text(170, gy - 14, "(· is a space)", size=SMALL, fill="muted", align="r", base="b")
        sc.text(gx + d * cw / 2, gy - 14, f"E: rows {lo}–{lo + n_win - 1} of {V}, each {d} numbers: "
                                          "blue > 0, orange < 0",
                size=SMALL, fill="muted", align="c", base="b")
        rows = list(range(lo, lo + n_win))
        for k, i in enumerate(rows):
            y = gy + k * ch
            sel = i == t
            sc.text(178, y + ch / 2, f"{i} {labels()[i]}", size=SMALL, align="r",
                    fill="ink" if sel else "muted", bold=sel)
            sc.rect(188, y + 2, 24, ch - 4, fill="hl" if sel else "panel", stroke="faint", lw=1)
            sc.text(200, y + ch / 2, "1" if sel else "0", size=SMALL, align="c", font="mono", collide=False,
                    bold=sel)
        sc.grid(gx, gy, d * cw, n_win * ch, n_win, d, [E[i][j] for i in rows for j in range(d)], cmap="div",
                vmin=-L["amax"], vmax=L["amax"], stroke="bg", label="embedding rows")
        sc.rect(gx - 2, gy + (t - lo) * ch - 1, d * cw + 4, ch + 2, stroke="ink", lw=2.5)
        bx, bh = 862, n_win * ch
        sc.rect(bx, gy, 18, bh, fill="panel", stroke="faint")
        sc.rect(bx, gy + lo / V * bh, 18, max(2.0, n_win / V * bh), fill="faint")
        sc.line(bx - 4, gy + (t + 0.5) / V * bh, bx + 22, gy + (t + 0.5) / V * bh, stroke="ink", lw=2.5)
        sc.text(bx + 9, gy - 14, f"all {V}", size=SMALL, fill="muted", align="c", base="b")
        sc.text(178, gy + n_win * ch + 47, "x · E", size=BODY, bold=True, align="r")
        m = model_row(self["model"])
        big = gemm_macs(1, m["d"], m["vocab"])
        y2 = gy + n_win * ch + 108
        lines = (
            (f"As a lookup: read row {t}, {d} numbers, and multiply nothing.", "ink"),
            (f"{m['name']}: as a product, V·d = {m['vocab']:,} × {m['d']:,} = {big:,} multiply-adds per token;",
             "muted"),
            (f"as a lookup, one row of {m['d']:,} numbers ({fmt_bytes(m['d'] * 2)} in BF16).", "muted"),
        )
        for k, (line, fill) in enumerate(lines):
            sc.text(30, y2 + 24 * k, line, size=SMALL, fill=fill)
        return sc.items

    def _draw_lookup(self, state: int):
        sc = self.new_scene()
        sc.items.extend(self.cached("lookup_static", self._lookup_static))
        L = self._lookup_layout()
        E = table()
        V, d, t, n_win, lo = L["V"], L["d"], L["t"], L["n_win"], L["lo"]
        gx, gy, cw, ch = L["gx"], L["gy"], L["cw"], L["ch"]
        cursor = min(V, round(state / SCAN_STATES * V))   # rows multiplied so far
        if lo <= cursor - 1 < lo + n_win and cursor < V:
            sc.rect(gx - 1, gy + (cursor - 1 - lo) * ch, d * cw + 2, ch, stroke="accent", lw=1.5)
        bx, bh = 862, n_win * ch
        sc.line(bx - 4, round(gy + cursor / V * bh, 1), bx + 22, round(gy + cursor / V * bh, 1),
                stroke="accent", lw=2)
        oy = gy + n_win * ch + 34
        done = cursor > t
        sc.grid(gx, oy, d * cw, 26, 1, d, list(E[t]) if done else [0.0] * d, cmap="div", vmin=-L["amax"],
                vmax=L["amax"], stroke="bg", label="output row")
        sc.rect(gx - 2, oy - 2, d * cw + 4, 30, stroke="ink" if done else "faint", lw=2 if done else 1)
        sc.text(gx + d * cw + 16, oy + 13, f"= row {t}" if done else "all 0 so far", size=BODY,
                fill="ink" if done else "muted", bold=done)
        macs = cursor * d
        full = gemm_macs(1, d, V)
        sc.text(30, oy + 50, f"As a matrix product: {macs:,} of {full:,} multiply-adds done "
                             f"(V·d = {V} × {d}); {d if done else 0} of them multiplied by the 1.",
                size=SMALL, fill="accent")
        m = L["model"]
        big = gemm_macs(1, m["d"], m["vocab"])
        tel = [
            metric("row", "row selected", t, f"{t} ({labels()[t]})", "row"),
            metric("macs", "multiply-adds as a product", macs, f"{macs:,} of {full:,}", "multiply-adds"),
            metric("useful", "multiply-adds by the 1", d if done else 0, str(d if done else 0), "multiply-adds"),
            metric("lookup", "numbers read by a lookup", d, f"{d} (a row of {d})", "numbers"),
            metric("big", f"{m['name']}: product per token", big, f"{big:,}", "multiply-adds"),
        ]
        return sc, tel

    # -- map ---------------------------------------------------------------------------------------

    def _map_screen(self) -> dict[int, tuple[float, float]]:
        """Row id → logical position in the map box, for the rows inside the window shown.

        The same scale on both axes, so distances on the map are distances between the
        projected points. Zoomed, the window is the box around the token and its neighbours,
        widened by half and never smaller than a fifth of the whole map."""
        pts = coords(self["rows"])
        xs = [p[0] for p in pts.values()]
        ys = [p[1] for p in pts.values()]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if self["zoom"]:
            t = self._token()
            near = [pts[i] for i in [t] + [i for i, _ in neighbours(t, self["k"])] if i in pts]
            nx0, nx1 = min(p[0] for p in near), max(p[0] for p in near)
            ny0, ny1 = min(p[1] for p in near), max(p[1] for p in near)
            w = max((nx1 - nx0) * 1.5, (x1 - x0) / 5)
            h = max((ny1 - ny0) * 1.5, (y1 - y0) / 5)
            mx, my = (nx0 + nx1) / 2, (ny0 + ny1) / 2
            x0, x1, y0, y1 = mx - w / 2, mx + w / 2, my - h / 2, my + h / 2
        pad = 14
        s = min((MW - 2 * pad) / (x1 - x0), (MH - 2 * pad) / (y1 - y0))
        cx, cy, mx, my = MX + MW / 2, MY + MH / 2, (x0 + x1) / 2, (y0 + y1) / 2
        out = {}
        for i, p in pts.items():
            x, y = round(cx + (p[0] - mx) * s, 1), round(cy - (p[1] - my) * s, 1)
            if MX + 3 < x < MX + MW - 3 and MY + 3 < y < MY + MH - 3:
                out[i] = (x, y)
        return out

    def _map_static(self) -> tuple[list[dict], list[dict], list[list[dict]]]:
        """The map's points, its fixed labels, and each neighbour's label (shown once revealed).

        Every label is placed where it overlaps no other label and no ring, so the neighbours'
        labels carry their rank ("2 ·its") and two neighbours that project onto the same spot
        are both still named."""
        kind = self["rows"]
        screen = self.cached("map_screen", self._map_screen)
        t = self._token()
        nb = neighbours(t, self["k"])
        p = principal(kind)
        sh = p.shares
        pts = self.new_scene()
        n_rows = len(selection(kind))
        self._header(pts, f"The table as a map: {n_rows} rows on their two principal axes"
                          + (" (zoomed)" if self["zoom"] else ""),
                     f"Axis 1 holds {fmt_percent(sh[0])} of the spread, axis 2 {fmt_percent(sh[1])}; "
                     f"neighbours are found in all {len(table()[0])} numbers.")
        pts.rect(MX, MY, MW, MH, fill="panel", stroke="faint")
        gone = set(unseen())
        for i, (x, y) in screen.items():
            if i not in gone:
                pts.circle(x, y, 3, fill=GROUP_FILL[group(i)], alpha=0.8)
        lab = self.new_scene()
        # the rings of the token and its neighbours are kept clear of every label
        placed = [(x - RING, y - RING, x + RING, y + RING)
                  for x, y in (screen[i] for i in [t] + [i for i, _ in nb] if i in screen)]
        for x, y, s_, align, base in ((MX + MW - 6, MY + MH - 8, "axis 1 →", "r", "b"),
                                      (MX + 6, MY + 8, "↑ axis 2", "l", "t")):
            box = text_box(x, y, s_, SMALL, align, base)
            lab.rect(box[0] - 3, box[1], box[2] - box[0] + 6, box[3] - box[1], fill="panel", alpha=0.85, r=3)
            lab.text(x, y, s_, size=SMALL, fill="muted", align=align, base=base)
            placed.append(box)
        cluster = [i for i in screen if i in gone]
        if cluster:
            x, y = screen[cluster[0]]
            pts.circle(x, y, 9, fill="bad", alpha=0.85)
            self._place(lab, placed, x, y, f"{len(cluster)} never-seen tokens, one vector", SMALL, "bad", 12,
                        backed=True)
        if t in screen:
            self._place(lab, placed, *screen[t], labels()[t], BODY, "ink", RING + 4, bold=True, backed=True)
        ranked = []
        for r, (i, _) in enumerate(nb, 1):
            one = self.new_scene()
            if i in screen and not self._place(one, placed, *screen[i], f"{r} {labels()[i]}", SMALL, "ink",
                                               RING + 3, backed=True):
                # no room beside it on a crowded map: the rank goes in the ring, the name in the list
                one.circle(*screen[i], RING + 1, fill="bg", stroke="ink", lw=1.5)
                one.text(*screen[i], str(r), size=13, align="c", bold=True, collide=False)
            ranked.append(one.items)
        budget = 24
        busy = {t} | {i for i, _ in nb} | gone
        for i in label_order():
            if budget <= 0:
                break
            if i not in busy and i in screen and self._place(lab, placed, *screen[i], labels()[i],
                                                              SMALL, "muted", 6):
                budget -= 1
        self._legend(lab, kind)
        return pts.items, lab.items, ranked

    def _draw_map(self, revealed: int):
        sc = self.new_scene()
        kind = self["rows"]
        t = self._token()
        nb = neighbours(t, self["k"])
        screen = self.cached("map_screen", self._map_screen)
        points, lab_items, ranked = self.cached("map_static", self._map_static)
        sc.items.extend(points)
        shown = nb[:revealed]
        if t in screen:
            tx, ty = screen[t]
            for i, _ in shown:
                if i in screen:
                    sc.line(tx, ty, *screen[i], stroke="ink", lw=1, dash=[3, 3], alpha=0.5)
        for i, _ in shown:
            if i in screen:
                sc.circle(*screen[i], RING, stroke="ink", lw=1.5)
        if t in screen:
            sc.circle(*screen[t], 8, fill="hl", stroke="ink", lw=2)
        sc.items.extend(lab_items)
        for items in ranked[:revealed]:
            sc.items.extend(items)
        self._neighbour_panel(sc, t, nb, revealed)
        sh = principal(kind).shares
        first = nb[0] if revealed else None
        tel = [
            metric("token", "token", t, f"{labels()[t]} (row {t})", "row"),
            metric("nearest", "nearest row", first[1] if first else 0.0,
                   f"{labels()[first[0]]}, cosine {first[1]:.3f}" if first else "searching…", ""),
            metric("chance", "nearest by chance (median)", chance_level(), f"{chance_level():.2f}", "",
                   help="the cosine the nearest of as many random directions reaches, half the time"),
            metric("spread", "spread the map shows", sh[0] + sh[1], fmt_percent(sh[0] + sh[1]), ""),
            metric("rows", "rows drawn", len(screen), str(len(screen)), "rows"),
        ]
        return sc, tel

    @staticmethod
    def _place(sc: Scene, placed: list, x: float, y: float, s: str, size: float, fill: str, gap: float,
               bold: bool = False, backed: bool = False) -> bool:
        """Name a point of the map :func:`~llmviz.core.labels.place_label`'s way: right, left, above
        or below it, ``gap`` away, and never touching another label. A ``backed`` label (the
        token's, a neighbour's) also tries the diagonals and further out, sits on a plate of the
        map's colour so the lines drawn to the neighbours pass under it, and when it lands away
        from its point a thin leader joins the two, so no label is read as another ring's."""
        offsets = around(gap, size)
        if backed:
            half = size * LINE_H / 2
            offsets += tuple((sx * g, sy * (g + half), "l" if sx > 0 else "r")
                             for g in (gap * 0.8, gap * 1.6, gap * 2.4) for sx in (1, -1) for sy in (-1, 1))
            offsets += tuple(o for g in (gap * 2, gap * 3) for o in around(g, size))
        x, y = round(x, 1), round(y, 1)
        first = len(sc.items)
        if not place_label(sc, placed, (MX, MY, MX + MW, MY + MH), x, y, s, size=size, fill=fill, bold=bold,
                           offsets=offsets, halo=backed, plate="panel", margin=LABEL_MARGIN):
            return False
        box = placed[-1]
        nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
        far = math.hypot(nx - x, ny - y)
        if backed and far > gap * 1.2:
            ux, uy = (nx - x) / far, (ny - y) / far
            leader = Scene()
            leader.line(round(x + ux * RING, 1), round(y + uy * RING, 1), round(nx - ux * 2, 1),
                        round(ny - uy * 2, 1), stroke="ink", lw=1, alpha=0.7)
            sc.items[first:first] = leader.items            # under the label's plate
        return True

    def _legend(self, sc: Scene, kind: str) -> None:
        groups = ["word", "piece", "digit", "symbol"] + (["unseen"] if kind == "all" else [])
        x, y = MX, MY + MH + 22
        for g in groups:
            label = GROUP_NAME[g]
            width = 24 + len(label) * SMALL * 0.56
            if x + width > 940:
                x, y = MX, y + 22
            sc.circle(x + 5, y, 5, fill=GROUP_FILL[g])
            sc.text(x + 14, y, label, size=SMALL, fill="muted")
            x += width

    def _neighbour_panel(self, sc: Scene, t: int, nb, revealed: int) -> None:
        x0, y0 = PX, MY
        sc.text(x0, y0 + 4, f"Nearest rows to {labels()[t]}", size=BODY, bold=True, base="t")
        sc.text(x0, y0 + 28, "by cosine over all 64 numbers", size=SMALL, fill="muted", base="t")
        bar0, bw = x0 + 104, 142
        top = y0 + 62
        rh = 30
        chance = chance_level()
        for r, (i, c) in enumerate(nb, 1):
            y = top + (r - 1) * rh
            on = r <= revealed
            sc.text(x0 + 16, y + rh / 2, f"{r}", size=SMALL, fill="muted", font="mono", align="r")
            sc.text(x0 + 22, y + rh / 2, labels()[i], size=SMALL, fill="ink" if on else "faint")
            sc.rect(bar0, y + 7, bw, rh - 14, fill="panel")
            if on:
                sc.rect(bar0, y + 7, round(bw * max(0.0, c), 1), rh - 14,
                        fill="accent" if c > chance else "faint")
                sc.text(bar0 + bw + 8, y + rh / 2, f"{c:.2f}", size=SMALL, font="mono")
        cx = round(bar0 + bw * chance, 1)
        bottom = top + len(nb) * rh
        sc.line(cx, top, cx, bottom, stroke="bad", lw=1.5, dash=[4, 3])
        sc.text(cx, bottom + 6, f"chance {chance:.2f}", size=SMALL, fill="bad", align="c", base="t")
        n = len(selection("seen")) - 1
        notes = ("A cosine is news only if it beats",
                 f"chance: the nearest of {n} random",
                 "directions in 64 dimensions reaches",
                 f"{chance:.2f} half the time. Bars: 0 to 1.")
        for k, line in enumerate(notes):
            sc.text(x0, bottom + 40 + 20 * k, line, size=SMALL, fill="muted")

    # -- pca -------------------------------------------------------------------------------------

    def _trajectory(self):
        kind, seed = self["rows"], self["start"]

        def run():
            d = len(table()[0])
            z = normals(seed, 2 * d)
            hist = power_iteration(covariance(kind), (z[:d], z[d:]), PI_STEPS)
            total = principal(kind).total
            shares = [(variance_along(covariance(kind), a) / total, variance_along(covariance(kind), b) / total)
                      for a, b in hist]
            return hist, shares
        return self.cached("trajectory", run)

    def _pca_work(self, step: int, rows: int | None = None) -> list[dict] | None:
        """The dots of step ``step``, projected and drawn ``rows`` rows at a time (all if None).

        Idle frames call this with a small ``rows`` for the next step, so the frame that shows
        the step only copies finished dots. Returns the dots once they are all done."""
        work = self.cached("pca_work", dict)
        w = work.get(step)
        if w is None:
            kind = self["rows"]
            hist, _ = self._trajectory()
            final = coords(kind)
            ext = max(max(abs(a), abs(b)) for a, b in final.values()) * 1.08
            w = work[step] = {"axes": hist[step], "next": 0, "items": [], "cluster": None,
                              "scale": PCA_BOX / (2 * ext), "done": False}
        if w["done"]:
            return w["items"]
        kind = self["rows"]
        ids = selection(kind)
        p = principal(kind)
        E = table()
        gone = set(unseen())
        a1, a2 = w["axes"]
        c1 = sum(m * a for m, a in zip(p.mean, a1))
        c2 = sum(m * a for m, a in zip(p.mean, a2))
        s = w["scale"]
        cx, cy = PCA_X + PCA_BOX / 2, PCA_Y + PCA_BOX / 2
        stop = len(ids) if rows is None else min(len(ids), w["next"] + rows)
        sc = Scene()
        for i in ids[w["next"]:stop]:
            r = E[i]
            x = round(cx + (sum(map(mul, r, a1)) - c1) * s, 1)
            y = round(cy - (sum(map(mul, r, a2)) - c2) * s, 1)
            if not (PCA_X + 1 < x < PCA_X + PCA_BOX - 1 and PCA_Y + 1 < y < PCA_Y + PCA_BOX - 1):
                continue
            if i in gone:
                w["cluster"] = w["cluster"] or (x, y)
                continue
            sc.circle(x, y, 3, fill=GROUP_FILL[group(i)], alpha=0.8)
        w["items"] += sc.items
        w["next"] = stop
        if stop == len(ids):
            if w["cluster"]:
                sc = Scene()
                sc.circle(*w["cluster"], 9, fill="bad", alpha=0.85)
                w["items"] += sc.items
            w["done"] = True
            return w["items"]
        return None

    def _idle(self, sub: str, key: tuple) -> None:
        """Work done ahead on a frame that reuses a drawn state: a slice of the next step's dots."""
        if sub == "pca" and key[0] < PI_STEPS:
            self._pca_work(key[0] + 1, rows=PCA_SLICE)

    def _pca_static(self) -> list[dict]:
        sc = self.new_scene()
        p = principal(self["rows"])
        self._header(sc, "Finding the axes: power iteration on the 64 × 64 covariance matrix C",
                     "Each step multiplies both directions by C, then makes them perpendicular and of length 1.")
        sc.rect(PCA_X, PCA_Y, PCA_BOX, PCA_BOX, fill="panel", stroke="faint")
        sc.line(PCA_X + PCA_BOX / 2, PCA_Y, PCA_X + PCA_BOX / 2, PCA_Y + PCA_BOX, stroke="grid")
        sc.line(PCA_X, PCA_Y + PCA_BOX / 2, PCA_X + PCA_BOX, PCA_Y + PCA_BOX / 2, stroke="grid")
        cx, cy, cwid, chgt = CH_X, CH_Y, CH_W, CH_H
        sc.rect(cx, cy, cwid, chgt, fill="panel", stroke="faint")
        top = self._chart_top()
        for key, fill in ((0, "accent"), (1, "accent2")):
            y = round(cy + chgt - p.shares[key] / top * chgt, 1)
            sc.line(cx, y, cx + cwid, y, stroke=fill, dash=[5, 4], alpha=0.7)
            sc.text(cx + cwid - 4, y - 4, f"axis {key + 1}: {fmt_percent(p.shares[key])}", size=SMALL,
                    fill=fill, align="r", base="b")
        sc.text(cx, cy - 12, "share of the total spread along each direction", size=SMALL, fill="muted", base="b")
        sc.text(cx + cwid, cy + chgt + 8, f"step (0 to {PI_STEPS})", size=SMALL, fill="muted", align="r", base="t")
        sc.text(cx, cy + chgt + 8, "0", size=SMALL, fill="muted", base="t")
        sc.text(cx - 6, cy + chgt, "0 %", size=SMALL, fill="muted", align="r")
        for k, line in enumerate(("Multiplying by C stretches each direction",
                                  "by the spread along it: the widest wins.",
                                  f"Two random directions show about 1/64 = {fmt_percent(1 / 64)} each.")):
            sc.text(CH_X - 40, 506 + 22 * k, line, size=SMALL, fill="muted")
        sc.text(PCA_X + PCA_BOX - 6, PCA_Y + PCA_BOX - 8, "direction 1 →", size=SMALL, fill="muted", align="r",
                base="b")
        sc.text(PCA_X + 6, PCA_Y + 8, "↑ direction 2", size=SMALL, fill="muted", base="t")
        self._legend(sc, self["rows"])
        return sc.items

    def _chart_top(self) -> float:
        return principal(self["rows"]).shares[0] * 1.3

    def _draw_pca(self, step: int):
        sc = self.new_scene()
        kind = self["rows"]
        hist, shares = self._trajectory()
        p = principal(kind)
        sc.items.extend(self.cached("pca_static", self._pca_static))
        sc.items.extend(self._pca_work(step))
        top = self._chart_top()
        fx = lambda k: round(CH_X + k / PI_STEPS * CH_W, 1)
        fy = lambda v: round(CH_Y + CH_H - min(v, top) / top * CH_H, 1)
        for key, fill in ((0, "accent"), (1, "accent2")):
            if step:
                sc.path([(fx(k), fy(shares[k][key])) for k in range(step + 1)], stroke=fill, lw=2.5)
            sc.circle(fx(step), fy(shares[step][key]), 4.5, fill=fill)
        v1, v2 = hist[step]
        ang = [math.degrees(math.acos(min(1.0, abs(sum(a * b for a, b in zip(v, w))))))
               for v, w in ((v1, p.axes[0]), (v2, p.axes[1]))]
        sc.text(CH_X - 40, 430, f"Step {step}: direction 1 shows {fmt_percent(shares[step][0])},",
                size=SMALL, bold=True)
        sc.text(CH_X - 40, 452, f"direction 2 {fmt_percent(shares[step][1])}; they are {ang[0]:.1f}° and "
                                f"{ang[1]:.1f}°", size=SMALL)
        sc.text(CH_X - 40, 474, "from the principal axes.", size=SMALL)
        tel = [
            metric("step", "power-iteration step", step, f"{step} of {PI_STEPS}", "steps"),
            metric("share1", "spread along direction 1", shares[step][0], fmt_percent(shares[step][0]), ""),
            metric("share2", "spread along direction 2", shares[step][1], fmt_percent(shares[step][1]), ""),
            metric("angle1", "direction 1 from axis 1", ang[0], f"{ang[0]:.2f}°", "°"),
            metric("final", "axes 1 + 2 at the end", p.shares[0] + p.shares[1],
                   fmt_percent(p.shares[0] + p.shares[1]), ""),
        ]
        return sc, tel

    # -- analogy ------------------------------------------------------------------------------------

    def _draw_analogy(self, stage: int):
        sc = self.new_scene()
        res = analogy_result(self["analogy"])
        a, b, c, d = res["ids"]
        L_ = labels()
        self._header(sc, f"{L_[a]} is to {L_[b]} as {L_[c]} is to ?",
                     "Word offset: rows scaled to length 1, then the row nearest b − a + c by cosine "
                     "(a, b, c left out).")
        U = unit()
        strips = ((f"b = {L_[b]}", U[b], "+"), (f"a = {L_[a]}", U[a], "−"),
                  (f"c = {L_[c]}", U[c], "+"), ("target", res["target"], "="))
        gx, cw, sh = 250, 9, 22
        amax = max(abs(v) for v in res["target"])
        for k, (lab, vec, op) in enumerate(strips):
            y = 92 + k * 36
            on = stage >= k
            sc.text(200, y + sh / 2, lab, size=SMALL, align="r", fill="ink" if on else "faint")
            sc.text(224, y + sh / 2, op, size=BODY, align="c", bold=True, fill="ink" if on else "faint")
            if on:
                sc.grid(gx, y, 64 * cw, sh, 1, 64, vec, cmap="div", vmin=-amax, vmax=amax, stroke="bg")
            else:
                sc.rect(gx, y, 64 * cw, sh, fill="panel")
        # the ranked candidates
        top_y = 260
        sc.text(30, top_y, "Rows nearest the target, by cosine", size=BODY, bold=True)
        n_show = max(0, stage - 3)
        rh = 30
        chance = chance_level(3)
        for r, (i, cos) in enumerate(res["top"], 1):
            y = top_y + 16 + (r - 1) * rh
            on = r <= n_show
            hit = i == d
            if hit and on:
                sc.rect(26, y + 2, 470, rh - 4, fill="hl", r=3)
            sc.text(34, y + rh / 2, str(r), size=SMALL, fill="muted", font="mono")
            if on:
                sc.text(58, y + rh / 2, L_[i], size=SMALL, bold=hit)
            sc.rect(190, y + 8, 220, rh - 16, fill="panel")
            if on:
                bar = "good" if hit else "accent" if cos > chance else "faint"
                sc.rect(190, y + 8, round(220 * max(0.0, cos), 1), rh - 16, fill=bar)
                sc.text(420, y + rh / 2, f"{cos:.3f}", size=SMALL, font="mono")
        cxl = 190 + 220 * chance
        sc.line(round(cxl, 1), top_y + 16, round(cxl, 1), top_y + 16 + N_CAND * rh, stroke="bad", dash=[4, 3])
        sc.text(round(cxl, 1), top_y + 22 + N_CAND * rh, f"chance {chance:.2f}", size=SMALL, fill="bad",
                align="c", base="t")
        # the verdict
        px = 540
        done = stage >= 4 + N_CAND
        verdict = [
            (f"Expected: {L_[d]}", BODY, "ink", True),
            (f"rank {res['rank']} of {len(U) - 3}, cosine {res['cos']:.3f}" if done else "searching…",
             BODY, "muted" if not done else "good" if res["rank"] == 1 else "bad", False),
            ("", SMALL, "muted", False),
            ("Without the offset, the row nearest", SMALL, "muted", False),
            (f"{L_[c]} is {L_[res['alone'][0]]} (cosine {res['alone'][1]:.2f}).", SMALL, "muted", False),
            ("", SMALL, "muted", False),
            (f"Of the {len(ANALOGIES)} questions in this view, the offset", SMALL, "muted", False),
            (f"puts the expected token first in {analogies_solved()}.", SMALL, "muted", False),
        ]
        for k, (s, size, fill, bold) in enumerate(verdict):
            if s:
                sc.text(px, top_y + 24 * k, s, size=size, fill=fill, bold=bold)
        tel = [
            metric("rank", f"rank of {L_[d]}", res["rank"] if done else 0,
                   str(res["rank"]) if done else "…", ""),
            metric("cos", f"cosine of {L_[d]}", res["cos"], f"{res['cos']:.3f}", ""),
            metric("best", "nearest row", res["top"][0][1], f"{L_[res['top'][0][0]]}, {res['top'][0][1]:.3f}", ""),
            metric("solved", "questions answered first", analogies_solved(),
                   f"{analogies_solved()} of {len(ANALOGIES)}", ""),
        ]
        return sc, tel

    # -- sizes ---------------------------------------------------------------------------------------

    def _draw_sizes(self, grow: int):
        sc = self.new_scene()
        fmt = get_format(self["dtype"])
        sel = self["model"]
        self._header(sc, "Token tables of real models: V rows × d numbers, once if tied, twice if not",
                     f"Bars: the tables' share of all parameters. Bytes in {fmt.label}.")
        cols = (30, 240, 400, 520, 640)
        y0, rh = 100, 27
        heads = ("model", "V × d", "tables", "bytes", "share of all parameters")
        for x, h in zip(cols, heads):
            sc.text(x, y0 - 14, h, size=SMALL, fill="muted", base="b")
        bx, bw, smax = 640, 230, 0.30
        for k, name in enumerate(SIZE_MODELS):
            r = model_row(name)
            y = y0 + k * rh
            on = name == sel
            if on:
                sc.rect(24, y, 912, rh, fill="hl", r=3)
            n = embedding_params(r["vocab"], r["d"], r["tied"])
            nb = embedding_bytes(r["vocab"], r["d"], self["dtype"], r["tied"])
            share = n / r["total"]
            tie = "tied" if r["tied"] else "×2"
            sc.text(cols[0], y + rh / 2, r["name"], size=SMALL, bold=on)
            sc.text(cols[1], y + rh / 2, f"{r['vocab']:,} × {r['d']:,}", size=SMALL, font="mono")
            sc.text(cols[2], y + rh / 2, f"{fmt_count(n)} {tie}", size=SMALL)
            sc.text(cols[3], y + rh / 2, fmt_bytes(nb), size=SMALL)
            w = bw * min(1.0, share / smax) * min(1.0, grow / 10)
            sc.rect(bx, y + 6, round(max(1.0, w), 1), rh - 12, fill="accent3" if r["tied"] else "accent")
            sc.text(bx + bw + 10, y + rh / 2, fmt_percent(share, 2), size=SMALL, font="mono")
        r = model_row(sel)
        per = embedding_params(r["vocab"], r["d"], True)
        n = embedding_params(r["vocab"], r["d"], r["tied"])
        nb = embedding_bytes(r["vocab"], r["d"], self["dtype"], r["tied"])
        yb = y0 + len(SIZE_MODELS) * rh + 18
        detail = [
            f"{r['name']}: one table is {r['vocab']:,} × {r['d']:,} = {per:,} numbers; "
            + ("the output layer reuses it (tied)." if r["tied"] else "the output matrix is a second one (untied)."),
            f"Both jobs: {n:,} parameters = {fmt_bytes(nb)} in {fmt.label}, "
            f"{fmt_percent(n / r['total'])} of its {fmt_count(r['total'])} parameters.",
        ]
        if sel == TINY:
            stored = tensor_bytes((r["vocab"], r["d"]), "int8") + tensor_bytes((r["vocab"],), "fp32")
            detail.append(f"Its weights file stores INT8 numbers plus one 4-byte scale per row: "
                          f"{fmt_bytes(stored)} ({stored:,} bytes).")
        if r["active"] != r["total"]:
            detail.append(f"Each token passes through only {fmt_count(r['active'])} of them; "
                          f"the tables are {fmt_percent(n / r['active'])} of those.")
        for k, s in enumerate(detail):
            sc.text(30, yb + 24 * k, s, size=SMALL, bold=k == 0)
        yl = yb + 82
        sc.rect(30, yl - 6, 12, 12, fill="accent")
        sc.text(48, yl, "untied: input table + output matrix", size=SMALL, fill="muted")
        sc.rect(330, yl - 6, 12, 12, fill="accent3")
        sc.text(348, yl, "tied: one table does both", size=SMALL, fill="muted")
        sc.text(600, yl, f"bars run from 0 to {smax:.0%}", size=SMALL, fill="muted")
        tel = [
            metric("params", "parameters in token tables", n, f"{n:,}", "parameters"),
            metric("bytes", f"bytes in {fmt.label}", nb, fmt_bytes(nb), "B"),
            metric("share", "share of all parameters", n / r["total"], fmt_percent(n / r["total"]), ""),
            metric("row_bytes", "one row (a lookup)", r["d"] * fmt.bits_per_param / 8,
                   fmt_bytes(r["d"] * fmt.bits_per_param / 8), "B"),
        ]
        return sc, tel

    # -- console ----------------------------------------------------------------------------------------

    def events(self, t0: float, t1: float) -> list[dict]:
        out: list[dict] = []
        sub = self.submode

        def at(when: float) -> bool:
            return t0 < when <= t1 or (when == 0 and t0 < 0 <= t1)

        if sub == "map":
            t = self._token()
            nb = neighbours(t, self["k"])
            for r, (i, c) in enumerate(nb, 1):
                if at(REVEAL_T0 + (r - 1) * REVEAL_DT):
                    verdict = "above" if c > chance_level() else "not above"
                    out.append({"level": "info", "text":
                                f"#{r} nearest to {labels()[t]}: {labels()[i]}, cosine {c:.3f} "
                                f"({verdict} the chance level {chance_level():.2f})"})
        elif sub == "lookup":
            t = self._token()
            V, d = len(table()), len(table()[0])
            when = (t + 1) / V * SCAN_S
            if at(when):
                out.append({"level": "info", "text":
                            f"row {t} ({labels()[t]}) meets the 1: its {d} numbers reach the output; "
                            f"{V - 1} other rows are multiplied by 0"})
            if at(SCAN_S):
                out.append({"level": "info", "text":
                            f"product done: {gemm_macs(1, d, V):,} multiply-adds for a row a lookup reads directly"})
        elif sub == "pca":
            hist, shares = self._trajectory()
            for k in (0, 1, 2, 4, 8, 16, PI_STEPS):
                if at(k * PI_DT):
                    out.append({"level": "info", "text":
                                f"step {k}: directions show {fmt_percent(shares[k][0])} and "
                                f"{fmt_percent(shares[k][1])} of the spread"})
        elif sub == "analogy":
            res = analogy_result(self["analogy"])
            if at(4 * BUILD_DT + N_CAND * CAND_DT):
                L_ = labels()
                out.append({"level": "info", "text":
                            f"{L_[res['ids'][3]]} ranks {res['rank']} (cosine {res['cos']:.3f}); "
                            f"the nearest row is {L_[res['top'][0][0]]} ({res['top'][0][1]:.3f})"})
        elif sub == "sizes" and at(0):
            r = model_row(self["model"])
            n = embedding_params(r["vocab"], r["d"], r["tied"])
            out.append({"level": "info", "text":
                        f"{r['name']}: {r['vocab']:,} × {r['d']:,}, {'tied' if r['tied'] else 'untied'}: "
                        f"{n:,} parameters in token tables"})
        return out

