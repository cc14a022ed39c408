"""The one palette: named colour tokens, light and dark.

Scenes name tokens, never colours. ``build.py`` writes these as CSS custom
properties (``--c-<token>``) and the painter resolves them, so a theme change
or a dark-mode reader never touches a mode.
"""

# token: (light, dark). Chosen for contrast on the canvas background and to
# stay distinguishable under the common colour-vision deficiencies
# (blue/orange carry the main contrast; green/red are never the only cue).
PALETTE: dict[str, tuple[str, str]] = {
    "bg": ("#fbfaf7", "#16181d"),
    "panel": ("#f1efe9", "#1f232a"),
    "ink": ("#1d2330", "#e6e8ee"),
    "muted": ("#6b7280", "#9aa3b2"),
    "faint": ("#d9d6cd", "#343a46"),
    "grid": ("#e8e5dc", "#262b34"),
    "accent": ("#2563eb", "#6ea8ff"),
    "accent2": ("#d97706", "#f5a524"),
    "accent3": ("#7c3aed", "#b794f6"),
    "good": ("#0f8a5f", "#3ccf91"),
    "warn": ("#b45309", "#f0b429"),
    "bad": ("#c2410c", "#ff7a59"),
    "q": ("#2563eb", "#6ea8ff"),
    "k": ("#d97706", "#f5a524"),
    "v": ("#0f8a5f", "#3ccf91"),
    "hl": ("#fde68a", "#5b4a12"),
    "heat-lo": ("#f4f1ea", "#1b1f27"),
    "heat-hi": ("#1e40af", "#8ab4ff"),
    "div-lo": ("#c2410c", "#ff7a59"),
    "div-hi": ("#1e40af", "#8ab4ff"),
}

TOKENS = frozenset(PALETTE)


def css_variables(theme: str = "light") -> str:
    """CSS declarations ``--c-<token>: <colour>;`` for ``theme`` ("light" or "dark")."""
    i = {"light": 0, "dark": 1}[theme]
    return "\n".join(f"  --c-{k}: {v[i]};" for k, v in PALETTE.items())
