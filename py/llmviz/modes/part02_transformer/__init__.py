"""Modes of part02_transformer."""
