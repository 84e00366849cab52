"""The base of the types of the families google-genai 3.6 added (agents, credentials, decisions,
environments, triggers, voices, webhooks): their wire keys are snake_case, as the Interactions
API's are, and each list answer is one page with its `next_page_token`.
"""

from __future__ import annotations

from pydantic import ConfigDict

from genaio.types._base import WireModel

__all__ = ["Empty"]


class SnakeModel(WireModel):
    """A WireModel whose wire names are its Python names."""

    model_config = ConfigDict(alias_generator=None)


class Empty(SnakeModel):
    """The answer of a delete: nothing (anything the server adds is kept as extra fields)."""
