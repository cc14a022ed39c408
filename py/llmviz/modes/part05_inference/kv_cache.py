"""The KV cache: the workshop of chapter p05-c02.

Four views, one idea each:

* grow: decoding with a cache. Prefill writes every prompt token's key and
  value vectors into every layer at once; then each decode step appends one
  column (one K and one V per KV head, in every layer) and the new token's
  query reads every cached column. A few layers are drawn; the rest are
  summarised. Counters compare the vectors computed with and without a cache.
* nocache: the same decoding without a cache. Nothing is kept, so every step
  recomputes all earlier tokens' keys and values, column by column.
* memory: weights plus the caches of a batch of sequences against the HBM of
  the chosen GPUs, as the context grows token by token up to the slider's
  length; the point where it no longer fits is marked.
* compare: one sequence's cache growing in several real models side by side:
  multi-head vs grouped-query attention, sliding windows, latent attention.

Every figure comes from ``llmviz.calc`` over the catalog: bytes per token,
cache and weight bytes, capacity, the longest context and largest batch that
fit, and the decode step's memory-read floor.
"""
from __future__ import annotations

import math
from bisect import bisect_left

from ...calc.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token, ssm_state_bytes
from ...calc.kv_fit import (decode_step_floor, hbm_bytes, kv_growth, max_batch_that_fits,
                            max_context_that_fits)
from ...calc.model_size import weight_bytes
from ...catalog import GPUS, MODELS, get_format, get_gpu, get_model
from ...catalog.models import ATTN, ATTN_LOCAL, SSM
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.scene import Scene
from ...units import fmt_bytes, fmt_seconds

MODE_ID = "p05-c02-kv-cache"
WEIGHT_DTYPE = "bf16"          # weights stay in BF16; only the cache's format is a control

# grow / nocache timeline (simulation seconds)
PROMPT = 6                     # prompt tokens written by prefill
PREFILL_S = 1.2
STEP_S = 0.8                   # one decode step
DECODE_STEPS = 40
HOLD_S = 2.4
PERIOD_S = PREFILL_S + DECODE_STEPS * STEP_S + HOLD_S
APPEND_SHARE = 0.35            # share of a step spent appending; the rest is the read sweep
VIS_COLS = 22                  # token columns drawn; older ones scroll off to the left
MAX_HEAD_ROWS = 8              # KV heads drawn per layer; the rest are counted

# memory / compare: the context sweeps from 1 token to the slider's length, then holds
SWEEP_S = 8.0

# the models the compare view lines up (catalog order); the chosen model joins if absent
COMPARE = ("opt-13b", "llama-2-7b", "llama-2-13b", "llama-2-70b", "mistral-7b", "deepseek-67b",
           "mixtral-8x7b", "llama-3-8b", "llama-3-70b", "deepseek-v2", "llama-3.1-405b",
           "qwen3-32b", "deepseek-v3", "gpt-oss-120b")

W, H = 960, 640
# font sizes (logical units): the workshop pane draws the scene at about 60% size, so nothing a
# reader must read is smaller than 13.5
F_TITLE, F_SUB, F_HEAD, F_TEXT, F_SMALL = 19, 14, 16, 14.5, 13.5

# grow geometry
GRID_X = 196.0
COL_W = 22.5
PANEL_X = 708.0
TOKEN_ROW_Y = 80.0             # token numbers over the columns
BLOCK_Y = 94.0
BLOCK_H = 128.0
GAP_H = 30.0
KV_H = 46.0
FOOTER_Y = 530.0

# memory geometry
CH_X, CH_Y, CH_W, CH_H = 100.0, 104.0, 540.0, 350.0
BAR_X, BAR_W = 700.0, 70.0

# compare geometry
CMP_NAME_X, CMP_KIND_X, CMP_BAR_X, CMP_BAR_W, CMP_TXT_X = 20.0, 160.0, 306.0, 380.0, 698.0
CMP_TOP = 96.0


def _attention_models() -> tuple[tuple[str, str], ...]:
    """(name, label) of every catalog model that has attention layers, in catalog order."""
    return tuple((m.name, m.display_name) for m in MODELS.values() if m.attention_layers)


def fmt_tokens(n: int) -> str:
    """A token count as readers meet context lengths: powers of two as 8K or 1M, else 7,622."""
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20}M"
    if n >= 1024 and n % 1024 == 0:
        return f"{n >> 10}K"
    return f"{n:,}"


def _kib(n: float) -> str:
    """Bytes in binary units, for per-token sizes and their small multiples (the vLLM paper's
    "800 KB" is 800 KiB), so that 11 tokens × 128 KiB reads as 1.38 MiB."""
    return fmt_bytes(n, binary=True)


def _count(n: int, word: str) -> str:
    """``1 sequence``, ``64 sequences``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _hash01(a: int, b: int, c: int) -> float:
    """A fixed pseudo-random number in [0, 1) for cell (a, b, c): texture that tells vectors apart."""
    x = (a * 73856093) ^ (b * 19349663) ^ (c * 83492791)
    x = (x * 2654435761) & 0xFFFFFFFF
    return (x >> 8) / float(1 << 24)


# Cached cell shades per (drawn-layer slot, K/V, head): tokens 0.. get values in [0.30, 0.62].
_MAX_TOKENS = PROMPT + DECODE_STEPS + 1
# (two decimals: the eye cannot tell finer shades apart, and short numbers keep frames small)
_TEXTURE = {(slot, kind, h): [round(0.30 + 0.32 * _hash01(slot * 2 + kind, h, j), 2) for j in range(_MAX_TOKENS)]
            for slot in range(3) for kind in range(2) for h in range(MAX_HEAD_ROWS)}
NEW_V = 1.0                    # the newest column
RECOMPUTED_V = 0.92            # columns recomputed this step (no cache)


def _push_apart(ys: list[float], gap: float, lo: float, hi: float) -> list[float]:
    """Move label centres ``ys`` (any order) at least ``gap`` apart, inside ``[lo, hi]``."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    prev = lo - gap
    for i in order:
        out[i] = max(out[i], prev + gap)
        prev = out[i]
    nxt = hi + gap
    for i in reversed(order):
        out[i] = min(out[i], nxt - gap)
        nxt = out[i]
    return out


class KVCacheMode(Mode):
    """The KV cache growing per token, layer and head, and the memory it takes."""

    id = MODE_ID
    chapter = MODE_ID
    title = "The KV cache"
    params = (
        Choice("model", "Model", options=_attention_models(), default="llama-3-8b",
               help="A real model configuration from the catalog."),
        Choice("gpu", "GPU", options=tuple((g.name, g.label) for g in GPUS.values()),
               default="h100-sxm", help="Whose HBM holds the weights and the cache."),
        Number("gpus", "GPUs", lo=1, hi=8, step=1, default=1, unit="GPUs", integer=True,
               help="GPUs sharing the model and its cache (their HBM adds up)."),
        Choice("kv_dtype", "Cache format",
               options=(("bf16", "BF16, 2 bytes"), ("fp8", "FP8, 1 byte")), default="bf16",
               help="Number format of the cached keys and values; weights stay BF16."),
        Number("context", "Context length", lo=1, hi=1 << 20, step=1, default=8192, unit="tokens",
               integer=True, log=True,
               help="Tokens per sequence (prompt plus output), capped at the model's maximum."),
        Number("batch", "Batch size", lo=1, hi=256, step=1, default=64, unit="sequences",
               integer=True, log=True, help="Sequences decoded together, each with its own cache."),
    )
    submodes = {
        # one sequence decoding: the GPU, its count, the batch and the context do not enter
        "grow": Submode("The cache grows", {},
                        "Each decode step appends one K and one V per KV head in every layer.",
                        controls=("model", "kv_dtype")),
        "nocache": Submode("No cache", {},
                           "Without a cache every step recomputes all earlier keys and values.",
                           controls=("model", "kv_dtype")),
        "memory": Submode("Memory", {},
                          "Weights plus the batch's caches against the GPUs' HBM as context grows."),
        # one sequence per model, on no particular GPU: batch and GPUs do not enter this picture
        "compare": Submode("Compare models", {},
                           "One sequence's cache in several real models as its context grows.",
                           controls=("model", "kv_dtype", "context")),
    }
    default_submode = "grow"
    step_dt = STEP_S
    size = (W, H)

    # -- numbers shared by every view ------------------------------------------------

    def _stats(self) -> dict:
        return self.cached("stats", self._compute_stats)

    def _compute_stats(self) -> dict:
        m = get_model(self["model"])
        g = get_gpu(self["gpu"])
        n, b, kvd = self["gpus"], self["batch"], self["kv_dtype"]
        ctx = min(self["context"], m.max_context)
        w = weight_bytes(m, WEIGHT_DTYPE)
        hbm = hbm_bytes(g, n)
        kv = kv_cache_bytes(m, ctx, b, kvd)
        ssm = ssm_state_bytes(m, b, kvd)
        w_s, kv_s = decode_step_floor(m, g, n, ctx, b, WEIGHT_DTYPE, kvd)
        la = m.attention_layers
        if m.mla is not None:
            vec_per_token, vec_width = la, m.mla.cached_width
        else:
            vec_per_token, vec_width = 2 * la * m.kv_heads, m.head_dim
        return {
            "m": m, "g": g, "ctx": ctx, "capped": self["context"] > m.max_context,
            "fmt": get_format(kvd).label, "elem_bytes": get_format(kvd).bytes_per_param,
            "per_token": kv_cache_bytes_per_token(m, kvd), "growth": kv_growth(m, kvd),
            "weights": w, "hbm": hbm, "kv": kv, "ssm": ssm, "total": w + kv + ssm,
            "seq": kv_cache_bytes(m, ctx, 1, kvd),
            "max_ctx": max_context_that_fits(m, g, n, b, kvd, WEIGHT_DTYPE),
            "max_batch": max_batch_that_fits(m, g, n, ctx, kvd, WEIGHT_DTYPE),
            "floor_w": w_s, "floor_kv": kv_s,
            "vec_per_token": vec_per_token, "vec_width": vec_width,
        }

    def _telemetry(self, s: dict) -> list[dict]:
        m = s["m"]
        fit = s["total"] / s["hbm"]
        floor = s["floor_w"] + s["floor_kv"]
        return [
            metric("per_token", "KV cache per token", s["per_token"], _kib(s["per_token"]), "B",
                   f"all {m.attention_layers} attention layers, {s['fmt']}"),
            metric("cache", f"Cache at {fmt_tokens(s['ctx'])} tokens × {self['batch']}", s["kv"],
                   fmt_bytes(s["kv"]), "B"),
            metric("weights", "Weights (BF16)", s["weights"], fmt_bytes(s["weights"]), "B"),
            metric("hbm", f"HBM ({self['gpus']} × {s['g'].label})", s["hbm"], fmt_bytes(s["hbm"]), "B"),
            metric("used", "Weights + cache", s["total"],
                   f"{fmt_bytes(s['total'])} ({_pct(fit)} of HBM)", "B"),
            metric("max_context", f"Longest context at batch {self['batch']}", s["max_ctx"],
                   _count(s["max_ctx"], "token"), "tokens"),
            metric("max_batch", f"Largest batch at {fmt_tokens(s['ctx'])} tokens", s["max_batch"],
                   _count(s["max_batch"], "sequence"), "sequences"),
            metric("decode_floor", "Decode step ≥ (HBM reads)", floor, fmt_seconds(floor), "s"),
            metric("kv_share", "Share of the step reading the cache", s["floor_kv"] / floor,
                   _pct(s["floor_kv"] / floor), ""),
        ]

    # -- frames ----------------------------------------------------------------------

    def draw(self, t: float) -> tuple[Scene, list[dict]]:
        s = self._stats()
        sc = self.new_scene()
        if self.submode == "memory":
            tel = self._draw_memory(sc, s, t) + self._telemetry(s)
        elif self.submode == "compare":
            tel = self._draw_compare(sc, s, t)
        else:
            tel = self._draw_grow(sc, s, t)
        return sc, tel

    # -- grow / nocache --------------------------------------------------------------

    @staticmethod
    def timeline(t: float) -> tuple[str, int, int, float]:
        """Where decoding is at time ``t``: (phase, tokens held, decode step, progress in the step).

        Phases: "prefill" (the prompt's columns are written at once), "decode"
        (step ``k`` ≥ 1 adds token ``PROMPT + k``) and "hold" (a pause before the
        loop restarts). Progress runs 0 → 1 within the phase or step.
        """
        tl = t % PERIOD_S
        if tl < PREFILL_S:
            return "prefill", PROMPT, 0, tl / PREFILL_S
        if tl < PREFILL_S + DECODE_STEPS * STEP_S:
            k = int((tl - PREFILL_S) / STEP_S)
            p = (tl - PREFILL_S - k * STEP_S) / STEP_S
            return "decode", PROMPT + k + 1, k + 1, p
        return "hold", PROMPT + DECODE_STEPS, DECODE_STEPS, 1.0

    @staticmethod
    def drawn_layers(m) -> list[int]:
        """The three layers the grow view draws (0-based).

        A uniform stack shows its first two layers and its last. A mixed stack
        shows the first layer of each kind it has (Mamba, local or global
        attention) and its last attention layer, so every kind is seen once.
        """
        kinds = m.layer_kinds()
        firsts = []
        for i, k in enumerate(kinds):
            if k not in [kinds[j] for j in firsts]:
                firsts.append(i)
        if len(firsts) == 1:
            return sorted({0, 1, m.layers - 1})
        last_attn = max(i for i, k in enumerate(kinds) if k in (ATTN, ATTN_LOCAL))
        picked = sorted(set(firsts[:3]) | {last_attn})
        if len(picked) < 3:
            picked = sorted(set(picked) | {m.layers - 1})
        return picked[:3] if len(picked) <= 3 else picked[:2] + [picked[-1]]

    def _grow_layout(self) -> dict:
        return self.cached("grow", self._compute_grow_layout)

    def _compute_grow_layout(self) -> dict:
        """What the grow view draws the same in every frame, and where its grids go."""
        s = self._stats()
        m = s["m"]
        cache_on = self.submode != "nocache"
        sc = self.new_scene()
        what = "one latent vector" if m.mla is not None else "K and V vectors"
        verb = "appends" if cache_on else "must recompute"
        sc.text(20, 24, f"{m.display_name}: each new token {verb} {what} in every attention layer",
                size=F_TITLE, bold=True)
        if m.mla is not None:
            sub = (f"{m.attention_layers} MLA layers × one {s['vec_width']}-number latent per token "
                   f"· {s['fmt']} · one cell = one cached vector")
        else:
            sub = (f"{m.attention_layers} attention layers × {m.kv_heads} KV heads × {m.head_dim} numbers "
                   f"per vector · {s['fmt']} · one cell = one cached vector")
        sc.text(20, 52, sub, size=F_SUB, fill="muted")

        # three layer blocks, and a band that accounts for the layers not drawn
        layers = self.drawn_layers(m)
        kinds = m.layer_kinds()
        grids = []                              # (slot, piece, layer, rows, y, h, label)
        y = BLOCK_Y
        for slot, li in enumerate(layers):
            if slot == 2:
                sc.text(20, y + GAP_H / 2 - 2, self._hidden_summary(m, layers), size=F_TEXT, fill="muted")
                y += GAP_H
            grids += self._layer_frame(sc, m, slot, li, kinds[li], y)
            y += BLOCK_H
        self._draw_grow_footer(sc, s, cache_on)
        return {"static": sc.items, "grids": grids, "memo": {}}

    def _draw_grow(self, sc: Scene, s: dict, t: float) -> list[dict]:
        lay = self._grow_layout()
        cache_on = self.submode != "nocache"
        phase, n, step, p = self.timeline(t)
        first = max(0, n - VIS_COLS)             # oldest token index drawn (0-based)
        shown = n - first
        vec = s["vec_per_token"]

        # Cell values change only when a column arrives: build the grids once per token and reuse
        # them in the frames between.
        key = (n, phase)
        memo = lay["memo"]
        if key not in memo:
            if len(memo) > 64:
                memo.clear()
            scratch = self.new_scene()
            for slot, piece, li, rows, gy, gh, label in lay["grids"]:
                vals = self._grid_values(slot, piece, rows, first, shown, phase, cache_on)
                scratch.grid(GRID_X, gy, VIS_COLS * COL_W, gh, rows, VIS_COLS, vals, vmin=0.0,
                             vmax=NEW_V, label=f"layer {li + 1} {label} cache")
            memo[key] = scratch.items
        sc.items.extend(memo[key])
        if not cache_on and phase == "decode":
            # without a cache the step recomputes every column, left to right: the columns it has
            # not reached yet are blanked
            done = min(shown, int(p * shown) + 1)
            if done < shown:
                for _, _, _, _, gy, gh, _ in lay["grids"]:
                    sc.rect(GRID_X + done * COL_W, gy, (shown - done) * COL_W, gh, fill="panel")
        sc.items.extend(lay["static"])

        # token numbers, the side panel and the telemetry change only when a token arrives
        lkey = ("labels", n, phase, step)
        if lkey not in memo:
            memo[lkey] = self._grow_labels(s, phase, n, step, first, shown, cache_on)
        labels, tel = memo[lkey]
        sc.items.extend(labels)

        # motion: the newest columns outlined, append arrows, then the query's read sweep
        spans = [(gy, gy + gh) for _, _, _, _, gy, gh, _ in lay["grids"]]
        if cache_on and phase != "hold":
            newest = 1 if phase == "decode" else min(PROMPT, shown)
            for y0, y1 in spans:
                sc.rect(GRID_X + (shown - newest) * COL_W, y0 - 1, newest * COL_W, y1 - y0 + 2,
                        stroke="accent", lw=2)
        new_x = GRID_X + shown * COL_W
        if cache_on and phase == "decode" and p < APPEND_SHARE:
            a = 1.0 - p / APPEND_SHARE
            for _, piece, _, _, gy, gh, _ in lay["grids"]:
                if piece == 0:
                    sc.arrow(PANEL_X - 6, BLOCK_Y + 24, new_x + 2, gy + gh / 2, stroke="accent", lw=1.5,
                             alpha=round(0.35 + 0.65 * a, 3))
        elif cache_on and phase == "decode":
            q = (p - APPEND_SHARE) / (1 - APPEND_SHARE)
            sx = GRID_X + q * shown * COL_W
            for y0, y1 in spans:
                sc.rect(GRID_X, y0, max(1.0, sx - GRID_X), y1 - y0, fill="hl", alpha=0.3)
                sc.line(sx, y0 - 2, sx, y1 + 2, stroke="q", lw=2)

        return tel

    def _grow_labels(self, s: dict, phase: str, n: int, step: int, first: int, shown: int,
                     cache_on: bool) -> tuple[list[dict], list[dict]]:
        """The grow view's token numbers, side panel and telemetry for ``n`` tokens held."""
        sc = self.new_scene()
        # token numbers over the columns: every fourth, and the newest
        for c in range(shown):
            tok = first + c + 1
            newest = c == shown - 1
            if newest or (tok % 4 == 1 and c < shown - 2):
                sc.text(GRID_X + (c + 0.5) * COL_W, TOKEN_ROW_Y, str(tok), size=F_SMALL, align="c",
                        fill="ink" if newest else "muted", bold=newest)
        if first:
            sc.text(GRID_X - 8, TOKEN_ROW_Y, f"{first} older ←", size=F_SMALL, align="r", fill="muted")
        self._draw_grow_panel(sc, s, phase, n, step, cache_on)

        this_with, this_without, with_total, without_total = self.vector_counts(phase, n, s["vec_per_token"])
        held = s["growth"].bytes(n) if cache_on else 0
        tel = [
            metric("tokens", "Tokens held", n, f"{n} tokens", "tokens"),
            metric("vectors_step", "Vectors computed this step",
                   this_with if cache_on else this_without,
                   f"{(this_with if cache_on else this_without):,}", "vectors"),
            metric("vectors_with", "Vectors so far, with a cache", with_total, f"{with_total:,}", "vectors"),
            metric("vectors_without", "Vectors so far, without", without_total, f"{without_total:,}",
                   "vectors"),
            metric("per_token", "KV cache per token", s["per_token"], _kib(s["per_token"]), "B",
                   f"all {s['m'].attention_layers} attention layers, {s['fmt']}"),
            metric("held", "Cache held now", held, _kib(held) if cache_on else "none (no cache)", "B"),
        ]
        return sc.items, tel

    @staticmethod
    def vector_counts(phase: str, n: int, vec: int) -> tuple[int, int, int, int]:
        """Cached vectors computed (this step with, without a cache; so far with, without).

        ``n`` tokens are held and each token costs ``vec`` vectors (K and V per
        KV head and layer). With a cache every token's vectors are computed once;
        without one, prefill computes the prompt's and decode step k recomputes
        all ``PROMPT + k`` tokens' vectors.
        """
        steps = n - PROMPT
        this_with = vec if phase != "prefill" else PROMPT * vec
        without_total = (PROMPT + steps * PROMPT + steps * (steps + 1) // 2) * vec
        return this_with, n * vec, n * vec, without_total

    @staticmethod
    def _hidden_summary(m, drawn: list[int]) -> str:
        """One line accounting for the layers the grow view leaves out."""
        kinds = m.layer_kinds()
        rest = [kinds[i] for i in range(m.layers) if i not in drawn]
        if not rest:
            return "⋮  every layer is drawn"
        names = {ATTN: "global", ATTN_LOCAL: "local", SSM: "Mamba"}
        if len(set(kinds)) == 1:
            return (f"⋮  layers 3–{m.layers - 1}: {len(rest)} more, each growing exactly the same way "
                    f"(not drawn)")
        parts = ", ".join(f"{rest.count(k)} {names[k]}" for k in (SSM, ATTN_LOCAL, ATTN) if rest.count(k))
        return f"⋮  {len(rest)} more layers not drawn ({parts}), each like its kind"

    def _layer_frame(self, sc, m, slot, li, kind, y) -> list[tuple]:
        """Labels and outlines of one layer block at height ``y``; returns where its grids go."""
        sc.text(20, y + 9, f"layer {li + 1}", size=F_HEAD, bold=True)
        if kind == SSM:
            sc.rect(GRID_X, y + 20, VIS_COLS * COL_W, 2 * KV_H + 4, fill="panel", stroke="faint")
            sc.text(GRID_X + 12, y + 20 + KV_H - 8, "Mamba layer: one fixed-size state per sequence,",
                    size=F_TEXT, fill="muted")
            sc.text(GRID_X + 12, y + 20 + KV_H + 12, "nothing appended per token",
                    size=F_TEXT, fill="muted")
            return []
        if m.mla is not None:
            what = "latent attention: one compressed latent per token"
        elif kind == ATTN_LOCAL:
            what = f"local attention: keeps the last {m.sliding_window:,} tokens at most"
        else:
            what = "attention: keeps every token"
        sc.text(GRID_X, y + 9, what, size=F_TEXT, fill="muted")

        if m.mla is not None:
            pieces = [("latent", 1, 32.0, "k", f"{m.mla.kv_lora_rank} numbers"),
                      ("rope k", 1, 10.0, "v", f"+ {m.mla.qk_rope_head_dim} numbers")]
        else:
            rows = min(m.kv_heads, MAX_HEAD_ROWS)
            heads = (f"{m.kv_heads} KV heads" if rows == m.kv_heads
                     else f"{rows} of {m.kv_heads} heads")
            pieces = [("K", rows, KV_H, "k", heads), ("V", rows, KV_H, "v", f"{m.head_dim} numbers each")]
        out = []
        gy = y + 20
        for piece, (label, rows, gh, colour, note) in enumerate(pieces):
            sc.rect(GRID_X, gy, VIS_COLS * COL_W, gh, stroke=colour, lw=1.2)
            sc.text(GRID_X - 8, gy + gh / 2, label, size=F_HEAD, bold=True, fill=colour, align="r")
            sc.text(20, gy + gh / 2, note, size=F_SMALL, fill="muted")
            out.append((slot, piece, li, rows, gy, gh, label))
            gy += gh + 4
        return out

    def _grid_values(self, slot, kind_i, rows, first, shown, phase, cache_on):
        """Row-major cell values of one grid: cached shades, the newest column, masked future.

        Without a cache every column a decode step holds is recomputed.
        """
        empty = [None] * (VIS_COLS - shown)
        if not cache_on and phase == "decode":
            return ([RECOMPUTED_V] * shown + empty) * rows
        out = []
        for h in range(rows):
            tex = _TEXTURE[(slot, kind_i, h % MAX_HEAD_ROWS)]
            if phase == "decode":
                row = tex[first:first + shown - 1] + [NEW_V]
            elif phase == "prefill" and cache_on:
                row = tex[first:first + shown - PROMPT] + [NEW_V] * PROMPT
            elif phase == "prefill":
                row = [RECOMPUTED_V] * shown
            else:
                row = tex[first:first + shown]
            out += row + empty
        return out

    def _draw_grow_panel(self, sc, s, phase, n, step, cache_on):
        x0 = PANEL_X
        cx = x0 + (W - 12 - x0) / 2
        sc.rect(x0, BLOCK_Y, W - 12 - x0, 62, fill="panel", stroke="accent", lw=1.5, r=6)
        sc.text(cx, BLOCK_Y + 20, f"token {n}" if phase != "prefill" else f"prompt: {PROMPT} tokens",
                size=17, bold=True, align="c")
        sub = {"prefill": "prefill: one parallel pass", "decode": f"decode step {step}",
               "hold": f"{DECODE_STEPS} steps decoded"}[phase]
        sc.text(cx, BLOCK_Y + 44, sub, size=F_SMALL, fill="muted", align="c")

        m = s["m"]
        vec = s["vec_per_token"]
        if m.mla is not None:
            per = f"{m.attention_layers} layers × 1 latent"
        else:
            per = f"2 × {m.attention_layers} layers × {m.kv_heads} heads"
        this_with, this_without, with_total, without_total = self.vector_counts(phase, n, vec)
        lines = [
            ("per token, every step", F_SMALL, "muted", False),
            (per, F_TEXT, "ink", False),
            (f"= {vec:,} vectors = {_kib(s['per_token'])}", F_TEXT, "ink", False),
            ("vectors computed this step", F_SMALL, "muted", False),
            (f"with a cache: {this_with:,}", F_TEXT, "ink", cache_on),
            (f"without: {this_without:,}", F_TEXT, "bad" if not cache_on else "ink", not cache_on),
            ("vectors computed so far", F_SMALL, "muted", False),
            (f"with a cache: {with_total:,}", F_TEXT, "ink", cache_on),
            (f"without: {without_total:,}", F_TEXT, "bad" if not cache_on else "ink", not cache_on),
            ("cache held now" if cache_on else "cache held now: none", F_SMALL, "muted", False),
        ]
        y = BLOCK_Y + 86
        for i, (txt, size, fill, bold) in enumerate(lines):
            if i in (3, 6, 9):
                y += 11
            sc.text(x0 + 4, y, txt, size=size, fill=fill, bold=bold)
            y += 21
        if cache_on:
            sc.text(x0 + 4, y + 6, _kib(s["growth"].bytes(n)), size=18,
                    bold=True, fill="accent")
            sc.text(x0 + 4, y + 30, f"{n} tokens × {_kib(s['per_token'])}", size=F_SMALL, fill="muted")

    def _draw_grow_footer(self, sc, s, cache_on):
        m = s["m"]
        b = s["elem_bytes"]
        bytes_txt = f"{b:g} byte{'s' if b != 1 else ''}"
        if m.mla is not None:
            formula = (f"bytes per token = {m.attention_layers} layers × ({m.mla.kv_lora_rank} + "
                       f"{m.mla.qk_rope_head_dim}) numbers × {bytes_txt} = {_kib(s['per_token'])}")
        else:
            formula = (f"bytes per token = 2 (K and V) × {m.attention_layers} layers × {m.kv_heads} KV heads"
                       f" × {m.head_dim} numbers × {bytes_txt} = {_kib(s['per_token'])}")
        y = FOOTER_Y
        sc.text(20, y, formula, size=15, bold=True)
        notes = []
        if m.ssm_layers:
            notes.append(f"Its {m.ssm_layers} Mamba layers add nothing per token; only the "
                         f"{m.attention_layers} attention layers cache keys and values.")
        gr = s["growth"]
        if gr.window:
            n_local = sum(1 for k in m.layer_kinds() if k == ATTN_LOCAL)
            if gr.global_bytes:
                share = gr.global_bytes / (gr.global_bytes + gr.local_bytes)
                notes.append(f"{n_local} of {m.attention_layers} layers keep only the last {gr.window:,} "
                             f"tokens: past that the cache grows {_pct(share)} as fast.")
            else:
                notes.append(f"Every layer keeps only the last {gr.window:,} tokens: one sequence's cache "
                             f"stops growing at {fmt_bytes(gr.bytes(gr.window))}.")
        if cache_on:
            notes.append("Prefill wrote the prompt's columns in one pass; each decode step adds one column "
                         "and reads them all.")
        else:
            notes.append("No cache: nothing is kept, so step n recomputes K and V for all n tokens "
                         "(n times the work).")
        y += 26
        for txt in notes:
            sc.text(20, y, txt, size=F_TEXT, fill="muted")
            y += 24

    # -- memory --------------------------------------------------------------------

    @staticmethod
    def sweep_tokens(t: float, ctx: int) -> int:
        """Context reached at time ``t`` while sweeping from 1 token to ``ctx``, at a steady rate.

        A steady rate makes each bar's or curve's speed its bytes per token.
        """
        f = min(max(t, 0.0) / SWEEP_S, 1.0)
        return max(1, min(ctx, int(round(ctx * f))))

    @staticmethod
    def token_ticks(hi: int) -> list[int]:
        """Ticks for a 0…``hi`` token axis: multiples of the power of two nearest a quarter of it."""
        step = 1 << max(0, int(math.log2(max(hi, 1) / 4))) if hi >= 4 else 1
        ticks = list(range(0, hi + 1, step))
        if hi - ticks[-1] > step / 2:
            ticks.append(hi)
        elif ticks[-1] != hi:
            ticks[-1] = hi
        return ticks

    def _memory_layout(self) -> dict:
        return self.cached("memory", self._compute_memory_layout)

    def _compute_memory_layout(self) -> dict:
        """The memory chart's fixed parts (axes, lines, labels) and its data→canvas maps."""
        s = self._stats()
        m, g = s["m"], s["g"]
        gr = s["growth"]
        b = self["batch"]
        hi = s["ctx"]
        # A linear axis up to the chosen context: the cache is then the straight line it is
        # (bent once at a sliding window), and the scale holds HBM, weights and the final total.
        ymax = max(1.5 * s["hbm"], 1.15 * s["weights"], 1.1 * s["total"])

        def fx(k: float) -> float:
            return CH_X + k / hi * CH_W

        def fy(v: float) -> float:
            return CH_Y + CH_H - min(v, ymax) / ymax * CH_H

        ks = sorted({0, hi} | ({gr.window} if gr.window and gr.window < hi else set()))
        base = s["weights"] + s["ssm"]
        xy = [(round(fx(k), 2), round(fy(base + gr.bytes(k, b)), 2)) for k in ks]

        bg = self.new_scene()
        bg.text(20, 24, f"{m.display_name}: weights + KV cache against {self['gpus']} × {g.label} "
                        f"({fmt_bytes(s['hbm'])} of HBM)", size=F_TITLE, bold=True)
        bg.text(20, 52, f"batch {b} · cache in {s['fmt']}, weights in BF16 · the context grows "
                        f"token by token to {fmt_tokens(hi)}", size=F_SUB, fill="muted")
        ystep = self._nice_step(ymax / 5)
        yt = [i * ystep for i in range(int(ymax / ystep) + 1)]
        bg.axes(CH_X, CH_Y, CH_W, CH_H, (0, hi), (0, ymax), xlabel="", ylabel="memory",
                xticks=(), yticks=yt, tick_fmt=lambda v: fmt_bytes(v) if v else "0", size=F_SMALL)
        for k in self.token_ticks(hi):
            x = fx(k)
            bg.line(x, CH_Y + CH_H, x, CH_Y + CH_H + 4, stroke="muted")
            bg.text(x, CH_Y + CH_H + 6, fmt_tokens(k) if k else "0", size=F_SMALL, fill="muted",
                    align="c", base="t")
        bg.text(CH_X + CH_W / 2, CH_Y + CH_H + 28, "context length (tokens per sequence)",
                size=F_SMALL, fill="muted", align="c", base="t")
        for v in yt[1:]:
            bg.line(CH_X, fy(v), CH_X + CH_W, fy(v), stroke="grid", lw=1)
        wy = fy(base)
        bg.rect(CH_X, wy, CH_W, CH_Y + CH_H - wy, fill="accent", alpha=0.16)
        bg.line(CH_X, wy, CH_X + CH_W, wy, stroke="accent", lw=2)

        fg = self.new_scene()
        fg.path(xy, stroke="accent2", lw=1.2, dash=(4, 4))
        fg.line(CH_X, fy(s["hbm"]), CH_X + CH_W, fy(s["hbm"]), stroke="bad", lw=1.8, dash=(7, 4))
        lx = CH_X + 100
        for label, colour, dash in (("weights", "accent", None),
                                    (f"weights + {_count(b, 'cache')}", "accent2", None),
                                    (f"HBM {fmt_bytes(s['hbm'])}", "bad", (7, 4))):
            fg.line(lx, 82, lx + 22, 82, stroke=colour, lw=2.5, dash=dash)
            fg.text(lx + 28, 82, label, size=F_TEXT, fill="muted")
            lx += 28 + len(label) * F_TEXT * 0.56 + 24
        edge = s["max_ctx"]
        if edge == 0:
            fg.text(CH_X + CH_W / 2, CH_Y + CH_H * 0.55,
                    f"The weights alone ({fmt_bytes(s['weights'])}) exceed {fmt_bytes(s['hbm'])}:",
                    size=14, bold=True, fill="bad", align="c")
            fg.text(CH_X + CH_W / 2, CH_Y + CH_H * 0.55 + 22, "no room for any cache. Add GPUs.",
                    size=14, bold=True, fill="bad", align="c")
        elif edge < hi:
            ex = fx(edge + 0.5)
            fg.line(ex, CH_Y, ex, CH_Y + CH_H, stroke="bad", lw=1.5, dash=(3, 3))
            lab = f"full past {edge:,} tokens"
            right = ex + 6 + len(lab) * F_TEXT * 0.56 <= CH_X + CH_W
            fg.text(ex + 6 if right else ex - 6, CH_Y + 14, lab, size=F_TEXT, bold=True, fill="bad",
                    align="l" if right else "r")
        else:
            fg.text(CH_X + CH_W - 6, CH_Y + 14, f"fits all the way to {fmt_tokens(hi)} tokens",
                    size=F_TEXT, bold=True, fill="good", align="r")
        if s["capped"]:
            fg.text(CH_X + CH_W - 6, CH_Y + 38, f"{m.display_name} stops at {fmt_tokens(hi)} tokens",
                    size=F_SMALL, fill="muted", align="r")
        self._draw_memory_footer(fg, s)
        return {"bg": bg.items, "fg": fg.items, "ks": ks, "xy": xy, "fx": fx, "fy": fy, "wy": wy}

    def _draw_memory(self, sc: Scene, s: dict, t: float) -> list[dict]:
        lay = self._memory_layout()
        fx, fy = lay["fx"], lay["fy"]
        b = self["batch"]
        now = self.sweep_tokens(t, s["ctx"])
        cache_now = s["growth"].bytes(now, b) + s["ssm"]
        total_now = s["weights"] + cache_now
        fits_now = total_now <= s["hbm"]

        sc.items.extend(lay["bg"])
        # the cache band grows from the weights line as the context grows
        done = lay["xy"][:bisect_left(lay["ks"], now)] + [(round(fx(now), 2), round(fy(total_now), 2))]
        if len(done) > 1:
            wy = lay["wy"]
            sc.path(done + [(fx(now), wy), (CH_X, wy)], stroke=None, fill="accent2", alpha=0.35)
            sc.path(done, stroke="accent2", lw=2.5)
        sc.items.extend(lay["fg"])
        px, py = fx(now), fy(total_now)
        sc.line(px, py, px, CH_Y + CH_H, stroke="ink", lw=1, dash=(2, 3))
        sc.circle(px, py, 5, fill="accent2" if fits_now else "bad", stroke="ink", lw=1)
        self._draw_memory_bar(sc, s, now, cache_now, total_now, fy)
        return [metric("context_now", "Context now", now, f"{now:,} tokens", "tokens")]

    @staticmethod
    def _nice_step(x: float) -> float:
        """1, 2 or 5 times a power of ten, at least ``x``."""
        e = 10 ** math.floor(math.log10(x))
        for f in (1, 2, 5, 10):
            if f * e >= x:
                return f * e
        return 10 * e

    def _draw_memory_bar(self, sc, s, now, cache_now, total_now, fy):
        x = BAR_X
        base = CH_Y + CH_H
        sc.text(x + BAR_W / 2, CH_Y - 12, "now", size=F_SMALL, fill="muted", align="c")
        sc.rect(x, CH_Y, BAR_W, CH_H, fill="panel", stroke="faint")
        w = s["weights"] + s["ssm"]
        sc.rect(x, fy(w), BAR_W, base - fy(w), fill="accent", alpha=0.85)
        hbm = s["hbm"]
        top_fit = min(total_now, hbm)
        if top_fit > w:
            sc.rect(x, fy(top_fit), BAR_W, fy(w) - fy(top_fit), fill="accent2", alpha=0.85)
        if total_now > hbm:
            sc.rect(x, fy(total_now), BAR_W, fy(max(hbm, w)) - fy(total_now), fill="bad", alpha=0.85)
        cy = fy(hbm)
        sc.line(x - 6, cy, x + BAR_W + 6, cy, stroke="bad", lw=2, dash=(7, 4))
        labels = [
            (f"HBM {fmt_bytes(hbm)}", cy, "bad"),
            (f"cache {fmt_bytes(cache_now)}", (fy(w) + fy(total_now)) / 2, "accent2"),
            (f"weights {fmt_bytes(s['weights'])}", (fy(w) + base) / 2, "accent"),
        ]
        ys = _push_apart([y for _, y, _ in labels], 20, CH_Y + 10, base - 10)
        for (txt, _, colour), y in zip(labels, ys):
            sc.text(x + BAR_W + 10, y, txt, size=F_TEXT, fill=colour, bold=True)
        over = total_now > hbm
        sc.text(x + BAR_W / 2, base + 16, _count(now, "token"), size=F_TEXT, align="c", bold=True)
        sc.text(x + BAR_W / 2, base + 37, "does not fit" if over else "fits", size=F_TEXT, align="c",
                bold=True, fill="bad" if over else "good")

    def _draw_memory_footer(self, sc, s):
        b = self["batch"]
        ctx = s["ctx"]
        floor = s["floor_w"] + s["floor_kv"]
        lines = [
            (f"Each sequence adds {_kib(s['per_token'])} per token: {fmt_bytes(s['seq'])} at "
             f"{fmt_tokens(ctx)} tokens, {fmt_bytes(s['kv'])} for {_count(b, 'sequence')}.", "ink"),
        ]
        if s["max_ctx"] == 0:
            lines.append((f"Nothing fits: the weights need {fmt_bytes(s['weights'])}; "
                          f"try more GPUs or a GPU with more HBM.", "bad"))
        else:
            fit_b = f"at most {_count(s['max_batch'], 'sequence')} of {fmt_tokens(ctx)} tokens"
            if s["max_ctx"] >= ctx:
                room = (f"; up to {s['max_batch']:,} would" if s["max_batch"] > b
                        else ", and not one more")
                lines.append((f"Fits: {_count(b, 'sequence')} of {fmt_tokens(ctx)} tokens{room}.", "good"))
            else:
                lines.append((f"Does not fit: {fit_b}, or {_count(b, 'sequence')} of at most "
                              f"{s['max_ctx']:,} tokens.", "bad"))
        lines.append((f"A decode step must read weights and caches from HBM: at least "
                      f"{fmt_seconds(floor)}, {_pct(s['floor_kv'] / floor)} of it reading the cache.",
                      "muted"))
        lines.append(("Only weights and caches are counted; activations and the runtime need "
                      "some HBM too.", "muted"))
        y = 524
        for txt, colour in lines:
            sc.text(20, y, txt, size=F_TEXT, fill=colour, bold=colour in ("good", "bad"))
            y += 26

    # -- compare ---------------------------------------------------------------------

    def _compare_rows(self) -> list:
        return self.cached("compare", self._compute_compare_rows)

    def _compute_compare_rows(self) -> list:
        kvd = self["kv_dtype"]
        names = list(COMPARE)
        if self["model"] not in names:
            names.append(self["model"])
            names.sort(key=list(MODELS).index)
        ctx = self["context"]
        rows = []
        for name in names:
            m = get_model(name)
            gr = kv_growth(m, kvd)
            rows.append({"m": m, "growth": gr, "per_token": kv_cache_bytes_per_token(m, kvd),
                         "final": gr.bytes(min(ctx, m.max_context))})
        return rows

    def _compare_layout(self) -> dict:
        return self.cached("compare_layout", self._compute_compare_layout)

    def _compute_compare_layout(self) -> dict:
        """The compare view's fixed parts: titles, one labelled row per model, notes."""
        s = self._stats()
        rows = self._compare_rows()
        ctx = self["context"]
        sc = self.new_scene()
        sc.text(20, 24, f"One sequence's KV cache as it grows to {fmt_tokens(ctx)} tokens ({s['fmt']})",
                size=F_TITLE, bold=True)
        sc.text(20, 52, "bytes per token = 2 × layers × KV heads × numbers per head × bytes; "
                        "MLA caches one latent per layer", size=F_SUB, fill="muted")
        sc.text(CMP_NAME_X, 82, "model", size=F_SMALL, fill="muted", bold=True)
        sc.text(CMP_KIND_X, 82, "attention", size=F_SMALL, fill="muted", bold=True)
        sc.text(CMP_TXT_X, 82, "per token · now", size=F_SMALL, fill="muted", bold=True)
        rh = min(28.0, 410.0 / len(rows))
        mids = []
        for i, r in enumerate(rows):
            m = r["m"]
            y = CMP_TOP + i * rh
            mid = y + rh / 2
            mids.append(mid)
            chosen = m.name == self["model"]
            if chosen:
                sc.rect(12, y + 1, W - 24, rh - 2, fill="hl", alpha=0.55, r=4)
            sc.text(CMP_NAME_X, mid, m.display_name, size=F_TEXT, bold=chosen)
            kind = m.attention_kind
            if kind in ("MHA", "GQA", "MQA"):
                kind += f" {m.heads}/{m.kv_heads}"
            if r["growth"].window:
                kind += " + window"
            sc.text(CMP_KIND_X, mid, kind, size=F_SMALL, fill="muted")
            sc.rect(CMP_BAR_X, mid - rh * 0.31, CMP_BAR_W, rh * 0.62, fill="panel")
        vmax = max(r["final"] for r in rows) or 1.0
        y = CMP_TOP + len(rows) * rh + 22
        notes = ("The context grows at a steady rate, so each bar's speed is that model's bytes per token.",
                 "MHA keeps a K and a V per query head; GQA lets several query heads share one "
                 "(64/8: eight share each).",
                 "Windowed layers stop growing at their window; MLA caches one compressed latent per layer.",
                 f"Bars share one scale: the longest is {fmt_bytes(vmax)} per sequence; a batch multiplies "
                 f"every bar by its size.")
        for i, txt in enumerate(notes):
            sc.text(20, y + 24 * i, txt, size=F_TEXT, fill="ink" if i == 0 else "muted")
        return {"static": sc.items, "mids": mids, "rh": rh, "vmax": vmax}

    def _draw_compare(self, sc: Scene, s: dict, t: float) -> list[dict]:
        lay = self._compare_layout()
        rows = self._compare_rows()
        now = self.sweep_tokens(t, self["context"])
        sc.items.extend(lay["static"])
        sc.text(CMP_BAR_X, 82, f"cache at {_count(now, 'token')}", size=F_SMALL, fill="muted", bold=True)
        bh = lay["rh"] * 0.62
        mine = biggest = None
        for r, mid in zip(rows, lay["mids"]):
            m = r["m"]
            chosen = m.name == self["model"]
            v = r["growth"].bytes(min(now, m.max_context))
            wbar = CMP_BAR_W * v / lay["vmax"]
            if wbar > 0.5:
                sc.rect(CMP_BAR_X, mid - bh / 2, wbar, bh, fill="accent" if chosen else "accent2", alpha=0.9)
            note = ""
            if now > m.max_context:
                note = f" · max {fmt_tokens(m.max_context)}"
            elif r["growth"].window and now > r["growth"].window:
                note = " · window full"
            sc.text(CMP_TXT_X, mid, f"{_kib(r['per_token'])} · {fmt_bytes(v)}{note}", size=F_SMALL,
                    fill="ink" if chosen else "muted")
            if chosen:
                mine = (m, r["per_token"], v)
            if biggest is None or v > biggest[1]:
                biggest = (m, v)
        m, per_token, v = mine
        return [metric("context_now", "Context now", now, f"{now:,} tokens", "tokens"),
                metric("per_token", f"{m.display_name}: cache per token", per_token, _kib(per_token), "B"),
                metric("cache_now", f"{m.display_name}: cache now", v, fmt_bytes(v), "B",
                       f"one sequence at {fmt_tokens(min(now, m.max_context))} tokens"),
                metric("largest_now", f"Largest now ({biggest[0].display_name})", biggest[1],
                       fmt_bytes(biggest[1]), "B")]

    # -- console -------------------------------------------------------------------

    def _schedule(self) -> tuple[float | None, list[tuple[float, str, str]]]:
        """(loop period or None, [(time, level, text)]) for the current view."""
        return self.cached("schedule", self._compute_schedule)

    def _compute_schedule(self):
        s = self._stats()
        m = s["m"]
        if self.submode in ("grow", "nocache"):
            vec = s["vec_per_token"]
            ev = [(0.0, "info", f"prefill: {PROMPT} prompt tokens write {PROMPT * vec:,} vectors "
                                f"({_kib(PROMPT * s['per_token'])}) in one parallel pass")]
            for k in range(1, DECODE_STEPS + 1):
                n = PROMPT + k
                if k <= 3 or n % 10 == 0:
                    te = PREFILL_S + (k - 1) * STEP_S
                    if self.submode != "nocache":
                        txt = (f"token {n}: appends {vec:,} vectors ({_kib(s['per_token'])}) and reads "
                               f"all {n}; cache {_kib(kv_cache_bytes(m, n, 1, self['kv_dtype']))}")
                    else:
                        txt = (f"token {n}: no cache, so K and V for all {n} tokens are recomputed "
                               f"({n * vec:,} vectors)")
                    ev.append((te, "info", txt))
            return PERIOD_S, ev
        if self.submode == "memory":
            ctx = s["ctx"]
            ev = [(0.0, "info", f"{m.display_name} on {self['gpus']} × {s['g'].label}: weights "
                                f"{fmt_bytes(s['weights'])} of {fmt_bytes(s['hbm'])}; each of "
                                f"{self['batch']} sequences adds {_kib(s['per_token'])} per token")]
            edge = s["max_ctx"]
            if edge == 0:
                ev.append((0.0, "warn", f"the weights alone exceed {fmt_bytes(s['hbm'])}: "
                                        f"no room for a cache"))
            elif edge < ctx:
                te = SWEEP_S * (edge + 1) / ctx
                ev.append((te, "warn", f"token {edge + 1:,}: weights + {self['batch']} caches pass the "
                                       f"{fmt_bytes(s['hbm'])} of {self['gpus']} × {s['g'].label}; "
                                       f"this batch no longer fits"))
            ev.append((SWEEP_S, "info", f"context {ctx:,}: cache {fmt_bytes(s['kv'])}, "
                                        f"{_pct(s['total'] / s['hbm'])} of HBM in use"))
            return None, ev
        ctx = self["context"]
        ev = []
        for r in self._compare_rows():
            rm, gr = r["m"], r["growth"]
            if gr.window and gr.window < min(ctx, rm.max_context):
                te = SWEEP_S * gr.window / ctx
                ev.append((te, "info", f"{rm.display_name}: {gr.window:,}-token window full; "
                                       f"its local layers stop growing"))
            if rm.max_context < ctx:
                te = SWEEP_S * rm.max_context / ctx
                ev.append((te, "info", f"{rm.display_name} reaches its {fmt_tokens(rm.max_context)}-token "
                                       f"maximum at {fmt_bytes(r['final'])}"))
        ev.sort(key=lambda e: e[0])
        return None, ev

    def events(self, t0: float, t1: float) -> list[dict]:
        period, ev = self._schedule()
        out = []
        if period is None:
            for te, level, txt in ev:
                if t0 < te <= t1 or (te == 0.0 and t0 < 0 <= t1):
                    out.append({"level": level, "text": txt})
            return out
        c0 = max(math.floor(t0 / period), math.floor(t1 / period) - 1)
        for c in range(c0, math.floor(t1 / period) + 1):
            for te, level, txt in ev:
                tt = c * period + te
                if t0 < tt <= t1:
                    out.append({"level": level, "text": txt})
        return out
