"""genaio.engine."""
