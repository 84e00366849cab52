"""Types of the batches family (filled in with the family)."""

__all__: list[str] = []
