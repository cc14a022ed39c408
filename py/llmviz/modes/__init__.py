"""Simulation modes, one per chapter, grouped by part (``partNN_<name>``)."""
