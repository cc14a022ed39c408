"""Train the book's tiny language model on the book's own prose, with numpy only.

    python tools/train_tiny_lm.py            # train on the committed corpus, write the shipped weights
    python tools/train_tiny_lm.py --check    # train into a temporary folder; compare with the shipped run
    python tools/train_tiny_lm.py --extract  # regenerate the corpus from chapters/*.md (a deliberate change)

Inputs: ``tools/tiny_lm/corpus/train.txt`` and ``heldout.txt``, the prose of
the chapters as they stood when the corpus was extracted (rules in
``tools/tiny_lm/extract.py``). The corpus is fixed on purpose: the book grows
every week, and the weights must be reproducible from a clean checkout. Its
licence is the book's.

Outputs, in ``py/llmviz/lm/`` (so the wheel carries them):
``tiny_lm.json`` (sizes, the tokenizer's merges in order, the tensor table,
the training record), ``tiny_lm.bin`` (every matrix as int8 with one float32
scale per output column, the norms' gains as float32; see
:func:`write_weights`) and ``tiny_lm_curve.json`` (train and held-out loss
against step).

What it does, all seeded (``SEED``): trains the BPE tokenizer on the train
split (``llmviz.lm.tokenizer.train``, deterministic), encodes both splits,
then trains the model with AdamW (β = 0.9, 0.95; weight decay 0.1 on the
matrices), a linear warm-up and a cosine decay, on random windows of the
train tokens, with dropout on each sublayer's output. Forward and backward
are written out in numpy (``tools/tiny_lm/numpy_lm.py``); the gradients are
checked against finite differences in ``tests/lm``.

The shipped run: 139,584 parameters (2 layers, d_model 64, 4 heads, SwiGLU
192, context 128, 512 tokens, tied unembedding); loss 1.773 nats a token on
the training text and 2.898 on the held-out text with the shipped int8
weights (2.897 in float32); 780 s of wall time and 248 s of CPU time on a
shared 2-core machine at load average 8. The sizes and why, the curve, what
int8 and float16 cost, and what each head learned: ``tools/tiny_lm/README.md``.
"""
from __future__ import annotations

import os

# One BLAS thread. The matrices are 64 to 512 wide, too small for a second
# thread to pay, and on a busy machine BLAS threads wait on each other:
# measured here at a load average of 9, a step took about 7 s with two
# threads and about 1 s with one. Set before numpy loads; the caller may
# override (e.g. OPENBLAS_NUM_THREADS=2 on an idle machine).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from llmviz.lm.tokenizer import Tokenizer, train as train_bpe  # noqa: E402
from tiny_lm.extract import extract  # noqa: E402
from tiny_lm.numpy_lm import AdamW, Config, backward, forward, init_params, lr_at, param_shapes  # noqa: E402

CORPUS = ROOT / "tools" / "tiny_lm" / "corpus"
OUT = ROOT / "py" / "llmviz" / "lm"
NAME = "tiny_lm"
SEED = 1234
#: A rerun on another machine must land within this of the shipped held-out
#: loss (nats/token): float32 sums in a different BLAS order drift a little.
TOLERANCE = 0.02


@dataclass(frozen=True)
class Schedule:
    """How long and how hard to train."""

    steps: int = 1500
    batch: int = 16
    lr: float = 3e-3
    lr_floor: float = 3e-4
    warmup: int = 100
    weight_decay: float = 0.1
    dropout: float = 0.3
    eval_every: int = 50


def encode_split(tok: Tokenizer, text: str) -> np.ndarray:
    return np.array(tok.encode(text), dtype=np.int32)


def eval_windows(tokens: np.ndarray, n_ctx: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets covering ``tokens`` in windows of ``n_ctx``, overlapping by one
    token so every token but the first is predicted exactly once; the last window is
    the final ``n_ctx + 1`` tokens, and only its new predictions count (mask)."""
    xs, ys = [], []
    n = len(tokens)
    starts = list(range(0, n - n_ctx - 1, n_ctx))
    last = n - n_ctx - 1
    for s in starts:
        xs.append(tokens[s:s + n_ctx])
        ys.append(tokens[s + 1:s + n_ctx + 1])
    covered = (starts[-1] + n_ctx + 1) if starts else 1
    xs.append(tokens[last:last + n_ctx])
    y = tokens[last + 1:last + n_ctx + 1].astype(np.int64)
    y = np.where(np.arange(n_ctx) + last + 1 < covered, -1, y)
    ys.append(y)
    return np.stack(xs), np.stack(ys)


def mean_loss(params: dict, cfg: Config, xs: np.ndarray, ys: np.ndarray, batch: int = 32) -> float:
    """Mean cross-entropy (nats/token) over the targets that are not −1."""
    total, count = 0.0, 0
    for i in range(0, len(xs), batch):
        logits, _, _ = forward(params, xs[i:i + batch], cfg)
        y = ys[i:i + batch]
        z = logits - logits.max(-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        keep = y >= 0
        picked = np.take_along_axis(logp, np.where(keep, y, 0)[..., None], -1)[..., 0]
        total += float(-(picked * keep).sum(dtype=np.float64))
        count += int(keep.sum())
    return total / count


def to_float16(params: dict) -> dict:
    """The parameters as the wheel stores them: rounded to float16, back in float32."""
    return {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}


def quantize(params: dict) -> dict:
    """What the wheel stores: every matrix as int8 with one float32 scale per output column
    (per token, for the embedding), scale = max|w| / 127, q = round(w / scale); the norms'
    gains as float32. Returns name → (q, scales) for matrices and name → (gain, None) for gains."""
    out = {}
    for k, v in params.items():
        if v.ndim == 1:
            out[k] = (v.astype("<f4"), None)
            continue
        axis = 1 if k == "tok_emb" else 0
        scale = (np.abs(v).max(axis=axis, keepdims=True) / np.float32(127)).astype(np.float32)
        scale[scale == 0] = 1.0
        q = np.clip(np.round(v / scale), -127, 127).astype(np.int8)
        out[k] = (q, scale.reshape(-1).astype("<f4"))
    return out


def dequantize(stored: dict) -> dict:
    """The weights the book's model computes with: q × scale (in float64, as Python does), as float32."""
    out = {}
    for k, (q, scale) in stored.items():
        if scale is None:
            out[k] = q.astype(np.float32)
        else:
            s = scale.astype(np.float64)
            w = q.astype(np.float64) * (s[:, None] if k == "tok_emb" else s[None, :])
            out[k] = w.astype(np.float32)
    return out


def train(cfg: Config, sch: Schedule, out: Path, log=print) -> dict:
    """Train from the committed corpus and write the three files into ``out``; the training record."""
    t_start = time.perf_counter()
    cpu_start = time.process_time()
    load_start = os.getloadavg()
    train_text = (CORPUS / "train.txt").read_text(encoding="utf-8")
    held_text = (CORPUS / "heldout.txt").read_text(encoding="utf-8")
    t0 = time.perf_counter()
    merges = train_bpe(train_text.encode("utf-8"), cfg.n_vocab - 256)
    tok = Tokenizer(merges)
    assert tok.n_vocab == cfg.n_vocab, (tok.n_vocab, cfg.n_vocab)
    tr, ho = encode_split(tok, train_text), encode_split(tok, held_text)
    t_tok = time.perf_counter() - t0
    log(f"tokenizer: {len(merges)} merges in {t_tok:.1f} s; train {len(tr):,} tokens "
        f"({len(train_text.encode()) / len(tr):.2f} bytes/token), held-out {len(ho):,}")

    rng = np.random.default_rng(SEED)
    params = init_params(cfg, SEED)
    opt = AdamW(params, weight_decay=sch.weight_decay)
    hx, hy = eval_windows(ho, cfg.n_ctx)
    # the train loss is measured on a fixed sample of windows, as large as the held-out set's
    pick = np.random.default_rng(SEED + 1).integers(0, len(tr) - cfg.n_ctx - 1, max(len(hx), 32))
    tx = np.stack([tr[s:s + cfg.n_ctx] for s in pick])
    ty = np.stack([tr[s + 1:s + cfg.n_ctx + 1] for s in pick]).astype(np.int64)
    curve = []
    best = (math.inf, 0, None)
    t_train = time.perf_counter()
    for step in range(sch.steps + 1):
        if step % sch.eval_every == 0 or step == sch.steps:
            lt, lh = mean_loss(params, cfg, tx, ty), mean_loss(params, cfg, hx, hy)
            curve.append({"step": step, "train": round(lt, 4), "held_out": round(lh, 4),
                          "seconds": round(time.perf_counter() - t_train, 1)})
            log(f"step {step:5d}  lr {lr_at(step, sch.lr, sch.warmup, sch.steps, sch.lr_floor):.2e}  "
                f"train {lt:.3f}  held-out {lh:.3f}  ({time.perf_counter() - t_train:.0f} s)")
            if lh < best[0]:
                best = (lh, step, None)
        if step == sch.steps:
            break
        starts = rng.integers(0, len(tr) - cfg.n_ctx - 1, sch.batch)
        xb = np.stack([tr[s:s + cfg.n_ctx] for s in starts])
        yb = np.stack([tr[s + 1:s + cfg.n_ctx + 1] for s in starts]).astype(np.int64)
        _, _, cache = forward(params, xb, cfg, yb, dropout=sch.dropout, rng=rng)
        grads = backward(params, cache, cfg)
        opt.step(params, grads, lr_at(step, sch.lr, sch.warmup, sch.steps, sch.lr_floor))
    train_s = time.perf_counter() - t_train

    stored = quantize(params)
    shipped, half = dequantize(stored), to_float16(params)
    losses = {
        "train_fp32": mean_loss(params, cfg, tx, ty), "held_out_fp32": mean_loss(params, cfg, hx, hy),
        "held_out_fp16": mean_loss(half, cfg, hx, hy),
        "train_int8": mean_loss(shipped, cfg, tx, ty), "held_out_int8": mean_loss(shipped, cfg, hx, hy),
    }
    held_bytes = len(held_text.encode("utf-8"))
    n_pred = int((hy >= 0).sum())
    record = {
        "seed": SEED,
        "schedule": sch.__dict__,
        "corpus_sha256": {n: hashlib.sha256((CORPUS / n).read_bytes()).hexdigest()
                          for n in ("train.txt", "heldout.txt")},
        "tokens": {"train": int(len(tr)), "held_out": int(len(ho))},
        "bytes": {"train": len(train_text.encode("utf-8")), "held_out": held_bytes},
        "loss_nats_per_token": {k: round(v, 4) for k, v in losses.items()},
        "held_out_bits_per_byte_int8": round(losses["held_out_int8"] * n_pred / math.log(2) / held_bytes, 4),
        "best_held_out": {"loss": round(best[0], 4), "step": best[1]},
        "seconds": {"tokenizer": round(t_tok, 1), "training": round(train_s, 1),
                    "total": round(time.perf_counter() - t_start, 1),
                    "cpu": round(time.process_time() - cpu_start, 1)},
        "load_average_1_5_15_min": {"start": [round(x, 2) for x in load_start],
                                    "end": [round(x, 2) for x in os.getloadavg()]},
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "tolerance_held_out": TOLERANCE,
    }
    write_weights(out, cfg, merges, stored, record, curve)
    log(json.dumps(record["loss_nats_per_token"]), f"held-out bits/byte {record['held_out_bits_per_byte_int8']}",
        f"training {train_s:.0f} s, total {record['seconds']['total']:.0f} s")
    return record


def write_weights(out: Path, cfg: Config, merges, stored: dict, record: dict, curve: list) -> None:
    """``tiny_lm.json`` + ``tiny_lm.bin`` + ``tiny_lm_curve.json`` into ``out``.

    ``tiny_lm.bin`` holds, tensor after tensor in :func:`param_shapes` order,
    a matrix's int8 values (row-major, shape (d_in, d_out); the embedding
    (n_vocab, d_model)) followed by its float32 scales (one per column; one
    per row for the embedding), or a gain's float32 values; little-endian.
    The header's table gives each part's byte offset.
    """
    out.mkdir(parents=True, exist_ok=True)
    table, blobs, offset = [], [], 0
    for name, shape in param_shapes(cfg):
        q, scale = stored[name]
        assert q.shape == shape
        entry = {"name": name, "shape": list(shape), "dtype": "int8" if scale is not None else "float32",
                 "offset": offset}
        data = np.ascontiguousarray(q).tobytes()
        blobs.append(data)
        offset += len(data)
        if scale is not None:
            entry["scales"] = offset
            blobs.append(scale.tobytes())
            offset += len(blobs[-1])
        table.append(entry)
    blob = b"".join(blobs)
    header = {
        "format": "llmviz tiny LM v1",
        "encoding": ("matrices: int8 q, row-major (d_in, d_out), then one float32 scale per column "
                     "(per row for tok_emb), weight = q × scale; gains: float32; little-endian; "
                     "offsets in bytes"),
        "config": cfg.as_dict(),
        "tied_unembedding": True,
        "merges": [list(m) for m in merges],
        "tensors": table,
        "n_params": int(sum(np.prod(s) for _, s in param_shapes(cfg))),
        "n_bytes": len(blob),
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        "training": record,
    }
    (out / f"{NAME}.bin").write_bytes(blob)
    (out / f"{NAME}.json").write_text(json.dumps(header, separators=(",", ":")) + "\n", encoding="utf-8")
    (out / f"{NAME}_curve.json").write_text(json.dumps(curve, separators=(",", ":")) + "\n", encoding="utf-8")


def write_corpus() -> None:
    train_text, held_text, stats = extract(ROOT)
    CORPUS.mkdir(parents=True, exist_ok=True)
    (CORPUS / "train.txt").write_text(train_text, encoding="utf-8")
    (CORPUS / "heldout.txt").write_text(held_text, encoding="utf-8")
    for s in stats:
        print(f"{s['chapter']}: {s['paragraphs']} paragraphs, {s['train_chars']:,} train characters, "
              f"{s['held_out_chars']:,} held out")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--extract", action="store_true", help="regenerate the corpus from chapters/*.md and stop")
    ap.add_argument("--check", action="store_true",
                    help="train into a temporary folder and compare the held-out loss with the shipped one")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the weights (default: the package)")
    for f, v in Config().as_dict().items():
        ap.add_argument("--" + f.replace("_", "-"), type=type(v), default=v)
    for f, v in Schedule().__dict__.items():
        ap.add_argument("--" + f.replace("_", "-"), type=type(v), default=v)
    a = ap.parse_args(argv)
    if a.extract:
        write_corpus()
        return 0
    cfg = Config(**{f: getattr(a, f) for f in Config().as_dict()})
    sch = Schedule(**{f: getattr(a, f) for f in Schedule().__dict__})
    if a.check:
        header = json.loads((OUT / f"{NAME}.json").read_text())
        shipped = header["training"]["loss_nats_per_token"]
        with tempfile.TemporaryDirectory() as tmp:
            rec = train(cfg, sch, Path(tmp))
            same = json.loads((Path(tmp) / f"{NAME}.json").read_text())["weights_sha256"] == header["weights_sha256"]
        got, want = rec["loss_nats_per_token"]["held_out_int8"], shipped["held_out_int8"]
        ok = abs(got - want) <= TOLERANCE
        print(f"held-out loss {got:.4f} against the shipped {want:.4f}: "
              f"{'within' if ok else 'OUTSIDE'} ±{TOLERANCE}; weights "
              f"{'bit for bit the shipped ones' if same else 'differ from the shipped ones in their bits'}")
        return 0 if ok else 1
    train(cfg, sch, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
