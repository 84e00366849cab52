"""Types of the interactions family (filled in with the family)."""

__all__: list[str] = []
