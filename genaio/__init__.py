"""genaio: an actor-based asynchronous client for the Gemini API."""
