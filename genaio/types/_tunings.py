"""Types of the tunings family (filled in with the family)."""

__all__: list[str] = []
