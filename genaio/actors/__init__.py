"""genaio.actors."""
