"""What each head of the shipped tiny model attends to, measured on the held-out text.

    python tools/tiny_lm/heads.py

For every head: the mean weight on the query's own token, on the previous
token, two back, on the first token of the window, the share of queries
whose largest weight is on the previous token, and the mean entropy of a
row (bits), over every query after the 8th of each 128-token window of
``corpus/heldout.txt``. The attention chapter's trained-head view names the
heads this table picks out (``trained_head.PREV_HEAD`` and ``LOCAL_HEAD``).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(HERE.parent))

from llmviz.lm.tokenizer import Tokenizer  # noqa: E402
from tiny_lm.numpy_lm import load_shipped, trace  # noqa: E402


def head_table(skip: int = 8) -> dict[str, dict[str, float]]:
    """``"layer.head"`` → the measures above, averaged over the held-out windows' queries."""
    params, cfg, header = load_shipped(ROOT / "py" / "llmviz" / "lm")
    tok = Tokenizer(header["merges"])
    ids = tok.encode((HERE / "corpus" / "heldout.txt").read_text(encoding="utf-8"))
    acc: dict[str, dict[str, list]] = {}
    for s in range(0, len(ids) - cfg.n_ctx + 1, cfg.n_ctx):
        tr = trace(params, ids[s:s + cfg.n_ctx], cfg)
        for li, L in enumerate(tr["layers"]):
            for h in range(cfg.n_head):
                W = L["weights"][h]
                d = acc.setdefault(f"{li}.{h}", {k: [] for k in
                                                ("itself", "previous", "two back", "first", "top previous", "entropy")})
                for i in range(skip, W.shape[0]):
                    row = W[i, :i + 1]
                    d["itself"].append(row[i])
                    d["previous"].append(row[i - 1])
                    d["two back"].append(row[i - 2])
                    d["first"].append(row[0])
                    d["top previous"].append(float(np.argmax(row) == i - 1))
                    p = row[row > 0]
                    d["entropy"].append(float(-(p * np.log2(p)).sum()))
    return {k: {m: float(np.mean(v)) for m, v in d.items()} for k, d in acc.items()}


def main() -> int:
    table = head_table()
    cols = list(next(iter(table.values())))
    print("| head | " + " | ".join(cols) + " |")
    print("| --- |" + " --- |" * len(cols))
    for k, d in table.items():
        print(f"| {k} | " + " | ".join(f"{d[c]:.2f}" for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
