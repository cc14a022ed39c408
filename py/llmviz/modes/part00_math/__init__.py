"""Modes of part00_math."""
