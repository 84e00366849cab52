"""The base of the API's enumerations: str enums that survive values this version does not
know.

The API grows new enum values faster than clients ship. A value the server (or a user reading
newer docs) sends that is not listed becomes a pseudo-member of the enum instead of an error;
every member compares equal to its string, and matching is case-insensitive.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["WireEnum"]


class WireEnum(enum.StrEnum):
    """A str enum that keeps unknown values as pseudo-members rather than failing.

    A member is its value as a str (`==`, hashing, JSON) but prints as `FileState.ACTIVE`
    (`str`, `format`, f-strings), as the official SDK's enums do.
    """

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)

    @classmethod
    def _missing_(cls, value: Any) -> WireEnum | None:
        if not isinstance(value, str):
            return None
        known = cls._value2member_map_
        member = known.get(value.upper()) or known.get(value.lower())
        if member is None:
            member = str.__new__(cls, value)
            member._name_ = value
            member._value_ = value
            # Cached so the same unknown value is one object, as real members are.
            known[value] = member
        return member  # type: ignore[return-value]
