"""pytest fixtures for a running emulator (filled in with the emulator)."""
