"""`client.aio.tunings`: model tuning jobs: tune, get, list, cancel."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncTunings"]


class AsyncTunings(Resource):
    """Model tuning jobs: tune, get, list, cancel."""

    family = "tunings"
