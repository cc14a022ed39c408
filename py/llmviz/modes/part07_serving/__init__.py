"""Modes of part07_serving."""
