"""The tiny model in numpy: forward with every intermediate, backward written out, AdamW.

No deep-learning framework is used: each layer's gradient is derived by hand
below, and ``tests/lm`` checks them against finite differences. This module
is the training code and the tests' reference forward pass; the book's
browser code is ``llmviz.lm.model`` (pure Python), which must agree with
:func:`trace` on the same weights.

Conventions (the book's): vectors are rows and a layer is ``y = x W`` with
``W`` of shape (d_in, d_out). Architecture, for each of ``n_layer`` blocks::

    h = RMSNorm(x) · g1                      pre-norm
    q, k, v = h W_Q, h W_K, h W_V            split into n_head heads of d_head
    q, k = RoPE(q), RoPE(k)                  pairs (2i, 2i+1) rotated by p·θ_i
    x = x + softmax(q kᵀ / √d_head + causal mask) v · W_O
    h = RMSNorm(x) · g2
    x = x + (SiLU(h W_gate) ⊙ h W_up) W_down     SwiGLU
    logits = (RMSNorm(x) · g_f) Eᵀ           tied: the unembedding is the embedding E

RMSNorm(x) = x / sqrt(mean(x²) + eps). RoPE's θ_i = base^(−2i/d_head).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    """Sizes of the model (counts) and its fixed constants."""

    n_vocab: int = 512
    d_model: int = 64
    n_layer: int = 2
    n_head: int = 4
    d_ff: int = 192
    n_ctx: int = 128
    rope_base: float = 10000.0
    eps: float = 1e-5

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_head

    def as_dict(self) -> dict:
        return asdict(self)


def param_shapes(cfg: Config) -> list[tuple[str, tuple[int, ...]]]:
    """Every parameter's name and shape, in the order the weights file stores them."""
    d, f = cfg.d_model, cfg.d_ff
    out = [("tok_emb", (cfg.n_vocab, d))]
    for i in range(cfg.n_layer):
        p = f"layers.{i}."
        out += [(p + "attn_norm", (d,)), (p + "w_q", (d, d)), (p + "w_k", (d, d)), (p + "w_v", (d, d)),
                (p + "w_o", (d, d)), (p + "ffn_norm", (d,)), (p + "w_gate", (d, f)), (p + "w_up", (d, f)),
                (p + "w_down", (f, d))]
    out.append(("final_norm", (d,)))
    return out


def init_params(cfg: Config, seed: int) -> dict[str, np.ndarray]:
    """Gains at 1; matrices N(0, 0.02²), the two that write into the residual
    stream (W_O, W_down) scaled by 1/√(2·n_layer) so the stream's variance
    does not grow with depth at initialisation."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in param_shapes(cfg):
        if len(shape) == 1:
            out[name] = np.ones(shape, np.float32)
        else:
            std = 0.02 / math.sqrt(2 * cfg.n_layer) if name.endswith(("w_o", "w_down")) else 0.02
            out[name] = (rng.standard_normal(shape) * std).astype(np.float32)
    return out


def rope_tables(cfg: Config, n: int, start: int = 0, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of p·θ_i for positions ``start … start+n−1``: arrays (n, d_head/2)."""
    i = np.arange(cfg.d_head // 2, dtype=np.float64)
    theta = cfg.rope_base ** (-2.0 * i / cfg.d_head)
    ang = np.arange(start, start + n, dtype=np.float64)[:, None] * theta[None, :]
    return np.cos(ang).astype(dtype), np.sin(ang).astype(dtype)


def rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotate each pair (x[2i], x[2i+1]) of the last axis by the angle whose cos/sin are given."""
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = a * cos - b * sin
    out[..., 1::2] = a * sin + b * cos
    return out


def rope_back(dy: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Gradient through :func:`rope`: the transpose of a rotation is the opposite rotation."""
    return rope(dy, cos, -sin)


def rmsnorm(x: np.ndarray, g: np.ndarray, eps: float):
    """(output, normalised x, 1/rms) for x of any leading shape."""
    r = 1.0 / np.sqrt((x * x).mean(-1, keepdims=True) + eps)
    n = x * r
    return n * g, n, r


def rmsnorm_back(dy, n, r, g):
    """(dx, dg) of y = n·g with n = x·r, r = (mean(x²)+eps)^(−1/2)."""
    dg = (dy * n).reshape(-1, n.shape[-1]).sum(0)
    dn = dy * g
    dx = r * (dn - n * (dn * n).mean(-1, keepdims=True))
    return dx, dg


def _silu(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return z * s, s


def forward(params: dict, idx: np.ndarray, cfg: Config, targets: np.ndarray | None = None,
            dropout: float = 0.0, rng: np.random.Generator | None = None):
    """Logits (B, T, V) and, with ``targets``, the mean cross-entropy (nats/token) and a cache for backward.

    ``dropout`` (a probability) zeroes entries of each sublayer's output before
    it joins the residual stream, scaled by 1/(1−p) (training only).
    """
    B, T = idx.shape
    H, dh = cfg.n_head, cfg.d_head
    cos, sin = rope_tables(cfg, T)
    mask = np.triu(np.ones((T, T), bool), 1)
    x = params["tok_emb"][idx]
    cache = {"idx": idx, "layers": [], "cos": cos, "sin": sin}
    for li in range(cfg.n_layer):
        p = f"layers.{li}."
        c = {"x_in": x}
        h, c["n1"], c["r1"] = rmsnorm(x, params[p + "attn_norm"], cfg.eps)
        c["h1"] = h
        q = (h @ params[p + "w_q"]).reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        k = (h @ params[p + "w_k"]).reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        v = (h @ params[p + "w_v"]).reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        s = (q @ k.transpose(0, 1, 3, 2)) / np.float32(math.sqrt(dh))
        s = np.where(mask, -np.inf, s)
        s = s - s.max(-1, keepdims=True)
        a = np.exp(s)
        a /= a.sum(-1, keepdims=True)
        o = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, cfg.d_model)
        att = o @ params[p + "w_o"]
        c.update(q=q, k=k, v=v, a=a, o=o)
        if dropout > 0:
            c["m1"] = (rng.random(att.shape) >= dropout).astype(np.float32) / np.float32(1 - dropout)
            att = att * c["m1"]
        x = x + att
        c["x_mid"] = x
        h2, c["n2"], c["r2"] = rmsnorm(x, params[p + "ffn_norm"], cfg.eps)
        c["h2"] = h2
        zg = h2 @ params[p + "w_gate"]
        zu = h2 @ params[p + "w_up"]
        sg, sig = _silu(zg)
        act = sg * zu
        ffn = act @ params[p + "w_down"]
        c.update(zg=zg, zu=zu, sg=sg, sig=sig, act=act)
        if dropout > 0:
            c["m2"] = (rng.random(ffn.shape) >= dropout).astype(np.float32) / np.float32(1 - dropout)
            ffn = ffn * c["m2"]
        x = x + ffn
        cache["layers"].append(c)
    xf, cache["nf"], cache["rf"] = rmsnorm(x, params["final_norm"], cfg.eps)
    cache["xf"] = xf
    logits = xf @ params["tok_emb"].T
    if targets is None:
        return logits, None, cache
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    loss = -np.take_along_axis(logp, targets[..., None], -1).mean()
    cache["probs"] = np.exp(logp)
    cache["targets"] = targets
    return logits, float(loss), cache


def backward(params: dict, cache: dict, cfg: Config) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy with respect to every parameter."""
    idx, targets = cache["idx"], cache["targets"]
    B, T = idx.shape
    H, dh, d = cfg.n_head, cfg.d_head, cfg.d_model
    cos, sin = cache["cos"], cache["sin"]
    g = {name: np.zeros_like(v) for name, v in params.items()}
    dlogits = cache["probs"].copy()
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1, -1)
    dlogits /= np.float32(B * T)
    E = params["tok_emb"]
    g["tok_emb"] += dlogits.reshape(-1, cfg.n_vocab).T @ cache["xf"].reshape(-1, d)
    dxf = dlogits @ E
    dx, g["final_norm"] = rmsnorm_back(dxf, cache["nf"], cache["rf"], params["final_norm"])
    scale = np.float32(1.0 / math.sqrt(dh))
    for li in reversed(range(cfg.n_layer)):
        p = f"layers.{li}."
        c = cache["layers"][li]
        # FFN: x_out = x_mid + (SiLU(h2 Wg) * (h2 Wu)) Wd
        dffn = dx * c["m2"] if "m2" in c else dx
        g[p + "w_down"] += c["act"].reshape(-1, cfg.d_ff).T @ dffn.reshape(-1, d)
        dact = dffn @ params[p + "w_down"].T
        dzu = dact * c["sg"]
        sig = c["sig"]
        dzg = dact * c["zu"] * sig * (1 + c["zg"] * (1 - sig))
        h2 = c["h2"].reshape(-1, d)
        g[p + "w_gate"] += h2.T @ dzg.reshape(-1, cfg.d_ff)
        g[p + "w_up"] += h2.T @ dzu.reshape(-1, cfg.d_ff)
        dh2 = dzg @ params[p + "w_gate"].T + dzu @ params[p + "w_up"].T
        dxm, g[p + "ffn_norm"] = rmsnorm_back(dh2, c["n2"], c["r2"], params[p + "ffn_norm"])
        dx = dx + dxm
        # attention: x_mid = x_in + (softmax(q kᵀ/√dh + M) v) W_O
        datt = dx * c["m1"] if "m1" in c else dx
        g[p + "w_o"] += c["o"].reshape(-1, d).T @ datt.reshape(-1, d)
        do = (datt @ params[p + "w_o"].T).reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        a, q, k, v = c["a"], c["q"], c["k"], c["v"]
        da = do @ v.transpose(0, 1, 3, 2)
        dv = a.transpose(0, 1, 3, 2) @ do
        ds = a * (da - (da * a).sum(-1, keepdims=True)) * scale
        dq = rope_back(ds @ k, cos, sin)
        dk = rope_back(ds.transpose(0, 1, 3, 2) @ q, cos, sin)
        h1 = c["h1"].reshape(-1, d)
        dh1 = np.zeros_like(c["h1"])
        for name, dz in (("w_q", dq), ("w_k", dk), ("w_v", dv)):
            dz = dz.transpose(0, 2, 1, 3).reshape(B, T, d)
            g[p + name] += h1.T @ dz.reshape(-1, d)
            dh1 += dz @ params[p + name].T
        dxi, g[p + "attn_norm"] = rmsnorm_back(dh1, c["n1"], c["r1"], params[p + "attn_norm"])
        dx = dx + dxi
    np.add.at(g["tok_emb"], idx.reshape(-1), dx.reshape(-1, d))
    return g


def trace(params: dict, idx: list[int], cfg: Config) -> dict:
    """Every intermediate of one sequence's forward pass, float64, for the parity tests.

    Keys: ``emb`` (T, d); per layer ``attn_in`` (the normed input), ``q``,
    ``k`` (after RoPE), ``v`` (H, T, d_head), ``scores`` (H, T, T, scaled,
    masked entries −inf), ``weights`` (H, T, T), ``attn_out`` (T, d, after
    W_O), ``resid_attn`` (T, d), ``ffn_in``, ``ffn_hidden`` (T, d_ff),
    ``ffn_out``, ``resid_ffn``; then ``final`` (normed) and ``logits`` (T, V).
    """
    P = {k: v.astype(np.float64) for k, v in params.items()}
    T = len(idx)
    H, dh = cfg.n_head, cfg.d_head
    cos, sin = rope_tables(cfg, T, dtype=np.float64)
    x = P["tok_emb"][np.asarray(idx)]
    out = {"emb": x.copy(), "layers": []}
    mask = np.triu(np.ones((T, T), bool), 1)
    for li in range(cfg.n_layer):
        p = f"layers.{li}."
        L = {}
        h, _, _ = rmsnorm(x, P[p + "attn_norm"], cfg.eps)
        L["attn_in"] = h
        q = rope((h @ P[p + "w_q"]).reshape(T, H, dh).transpose(1, 0, 2), cos, sin)
        k = rope((h @ P[p + "w_k"]).reshape(T, H, dh).transpose(1, 0, 2), cos, sin)
        v = (h @ P[p + "w_v"]).reshape(T, H, dh).transpose(1, 0, 2)
        s = np.where(mask, -np.inf, q @ k.transpose(0, 2, 1) / math.sqrt(dh))
        e = np.exp(s - s.max(-1, keepdims=True))
        a = e / e.sum(-1, keepdims=True)
        o = (a @ v).transpose(1, 0, 2).reshape(T, cfg.d_model)
        L.update(q=q, k=k, v=v, scores=s, weights=a, attn_out=o @ P[p + "w_o"])
        x = x + L["attn_out"]
        L["resid_attn"] = x.copy()
        h2, _, _ = rmsnorm(x, P[p + "ffn_norm"], cfg.eps)
        L["ffn_in"] = h2
        zg = h2 @ P[p + "w_gate"]
        L["ffn_hidden"] = zg / (1 + np.exp(-zg)) * (h2 @ P[p + "w_up"])
        L["ffn_out"] = L["ffn_hidden"] @ P[p + "w_down"]
        x = x + L["ffn_out"]
        L["resid_ffn"] = x.copy()
        out["layers"].append(L)
    xf, _, _ = rmsnorm(x, P["final_norm"], cfg.eps)
    out["final"] = xf
    out["logits"] = xf @ P["tok_emb"].T
    return out


class AdamW:
    """Adam with decoupled weight decay (applied to matrices only, not to the norms' gains)."""

    def __init__(self, params: dict, b1: float = 0.9, b2: float = 0.95, eps: float = 1e-8,
                 weight_decay: float = 0.1):
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.b1, self.b2, self.eps, self.wd = b1, b2, eps, weight_decay
        self.t = 0

    def step(self, params: dict, grads: dict, lr: float) -> None:
        self.t += 1
        b1, b2 = self.b1, self.b2
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for k, p in params.items():
            gk = grads[k]
            self.m[k] = b1 * self.m[k] + (1 - b1) * gk
            self.v[k] = b2 * self.v[k] + (1 - b2) * gk * gk
            if p.ndim > 1 and self.wd:
                p *= np.float32(1 - lr * self.wd)
            p -= (lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)).astype(np.float32)


def lr_at(step: int, peak: float, warmup: int, total: int, floor: float) -> float:
    """Learning rate at ``step`` (0-based): linear warm-up to ``peak``, then cosine decay to ``floor``."""
    if step < warmup:
        return peak * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * p))


def load_shipped(folder, name: str = "tiny_lm") -> tuple[dict, Config, dict]:
    """(float64 parameters, config, header) of the weights in ``folder``, read with numpy.

    The int8 values times their float32 scales in float64: exactly the
    numbers the pure-Python model multiplies out on load.
    """
    import json
    from pathlib import Path

    folder = Path(folder)
    header = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    blob = (folder / f"{name}.bin").read_bytes()
    params = {}
    for t in header["tensors"]:
        shape = tuple(t["shape"])
        if t["dtype"] == "float32":
            params[t["name"]] = np.frombuffer(blob, "<f4", shape[0], t["offset"]).astype(np.float64)
            continue
        q = np.frombuffer(blob, np.int8, shape[0] * shape[1], t["offset"]).reshape(shape).astype(np.float64)
        by_row = t["name"] == "tok_emb"
        s = np.frombuffer(blob, "<f4", shape[0] if by_row else shape[1], t["scales"]).astype(np.float64)
        params[t["name"]] = q * (s[:, None] if by_row else s[None, :])
    return params, Config(**header["config"]), header
