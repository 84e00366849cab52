"""Envelopes: a request for an actor, with everything that travels with it."""

from __future__ import annotations

import itertools
import math
import os
from typing import Any, Generic, TypeVar

import attrs

from genaio.actors._reply import Reply

__all__ = ["Envelope", "new_request_id"]

T = TypeVar("T")

_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)


def new_request_id() -> str:
    """Unique in this process, cheap, and sortable by creation within it."""
    return f"{_PREFIX}-{next(_COUNTER):x}"


@attrs.frozen(slots=True, eq=False)
class Envelope(Generic[T]):
    """What a caller asks of an actor, and where the answer goes.

    `deadline` is on the event loop's clock (`math.inf` for none); work that cannot finish
    before it should fail early rather than be cancelled late. A call's trace (its log line and
    span) rides in its work (`RestWork.trace`), because a task copies context variables when it
    is spawned, not later.
    """

    work: Any
    reply: Reply[T] = attrs.field(factory=Reply)
    request_id: str = attrs.field(factory=new_request_id)
    deadline: float = math.inf
