"""A request on its way through the emulator: the route that matched it and the `Call` its
handler gets. A leaf of the emulator's modules: the core and every family import it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._http import Request, Response, StreamResponse
from ._script import Reply

if TYPE_CHECKING:  # for annotations only: the core imports the families, which import this
    from ._core import Emulator

__all__ = ["Call", "Handler", "Route"]

Handler = Callable[["Call"], Response | StreamResponse]


@attrs.frozen
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    endpoint: str  # stats/quota/fault name; "{action}" takes the path's `:action`
    auth: str = "key"  # key | upload | none

    @classmethod
    def make(
        cls, method: str, pattern: str, handler: Handler, endpoint: str, auth: str = "key"
    ) -> Route:
        return cls(method, re.compile(pattern + r"\Z"), handler, endpoint, auth)


@attrs.define(slots=True)
class Call:
    """One request on its way through a handler; handlers fill `model` for stats."""

    emu: Emulator
    req: Request
    params: dict[str, str]
    version: str
    surface: str  # "gemini" | "vertex"
    endpoint: str
    model: str | None = None
    scripted: Reply | None = None  # the scripted rule's reply, if one matched

    def body(self) -> dict[str, Any]:
        return self.req.json()
