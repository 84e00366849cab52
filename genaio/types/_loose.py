"""Models that pass through what they do not know, from users as well as from the server."""

from __future__ import annotations

from typing import Self

from pydantic import ValidationInfo, model_validator

from genaio.types._base import WireModel

__all__ = ["LooseModel"]


class LooseModel(WireModel):
    """A `WireModel` that also keeps unknown fields given by users.

    For nested option objects (built-in tool settings, speech and image settings, grounding
    metadata) that the API extends often and that genaio only forwards: an unknown key there is
    more likely a new API feature than a typo, and the server validates it anyway.
    """

    @model_validator(mode="after")
    def _reject_unknown_fields_from_users(self, info: ValidationInfo) -> Self:
        return self
