"""Modes of part05_inference."""
