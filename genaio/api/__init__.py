"""genaio.api."""
