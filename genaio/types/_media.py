"""Types of the media family (filled in with the family)."""

__all__: list[str] = []
