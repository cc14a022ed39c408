"""Rotary position embedding (RoPE): the rotation speeds of a model's head dimensions.

Su et al., RoFormer (2021), arXiv 2104.09864, section 3.2.2: the query and key
widths are split into pairs, and pair i turns by an angle of position · θ_i,
with θ_i = base^(−2i/d) for i = 0 … d/2 − 1, d the head width. Hugging Face's
Llama code computes the same numbers as ``1 / base ** (arange(0, d, 2) / d)``
with ``base`` = the configuration's ``rope_theta``.
"""
from __future__ import annotations

from ..catalog.models import ModelConfig, get_model


def rope_frequencies(model: ModelConfig | str) -> tuple[float, ...]:
    """The d/2 rotation speeds θ_i = rope_theta^(−2i/d) of one head, in radians per token.

    ``d`` is the model's ``head_dim``. The speeds fall by the same factor,
    rope_theta^(−2/d), from one pair to the next: an exponential decay in i.
    ``ValueError`` for a model without rotary positions.
    """
    m = get_model(model)
    if not m.rope_theta or m.head_dim <= 0:
        raise ValueError(f"model {m.name!r} has no rotary position embedding (rope_theta is {m.rope_theta!r})")
    d = m.head_dim
    return tuple(m.rope_theta ** (-2 * i / d) for i in range(d // 2))
