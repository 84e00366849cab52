"""Types of the caches family (filled in with the family)."""

__all__: list[str] = []
