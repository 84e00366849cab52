"""Types of the auth tokens family (filled in with the family)."""

__all__: list[str] = []
