"""Types of the file search family (filled in with the family)."""

__all__: list[str] = []
