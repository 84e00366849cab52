"""`client.aio.interactions`: the experimental Interactions API."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncInteractionsResource"]


class AsyncInteractionsResource(Resource):
    """The experimental Interactions API."""

    family = "interactions"
