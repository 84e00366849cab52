"""genaio.emulator."""
