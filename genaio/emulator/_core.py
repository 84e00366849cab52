"""The emulator's synchronous core: route a request, authenticate, decide faults, run a handler.

`Emulator.handle(req)` makes every decision and returns an `Outcome`; the ASGI shell in
`_app.py` only performs it (sleeps, writes, resets). Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
import structlog

from ._auth import check_request
from ._call import Call, Route
from ._clock import Clock
from ._config import EmulatorConfig, FaultConfig, ModelInfo, QuotaLimits
from ._faults import ERRORS, NO_FAULT, Fault, Faults, fault_error
from ._http import ApiError, Request, Response, StreamResponse
from ._quota import QuotaBook
from ._requests import RequestRecorder
from ._routes import gemini_routes, vertex_routes
from ._script import Script
from ._state import State
from ._stats import Stats

__all__ = ["Emulator", "Outcome"]

log = structlog.get_logger("genaio.emulator")


@attrs.frozen
class Outcome:
    response: Response | StreamResponse | None  # None: reset or hang
    fault: Fault = NO_FAULT
    endpoint: str = ""
    model: str | None = None


_GEMINI = re.compile(r"/(?P<upload>upload/)?(?P<version>v1|v1beta|v1alpha)/(?P<rest>.+)")
_VERTEX = re.compile(
    r"/(?P<version>v1|v1beta1)/(?:projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/)?"
    r"(?P<rest>publishers/.+|(?:operations|cachedContents|batchPredictionJobs|tuningJobs|models"
    r"|endpoints)(?:/.*|:.*)?)"
)


class Emulator:
    """The whole emulator state and policy; one per server."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock(config.time_scale)
        self.state = State(config.faults.seed)
        self.quota = QuotaBook(config, self.clock)
        self.faults = Faults(config.faults)
        self.stats = Stats()
        self.script = Script(config.script)
        self.requests = RequestRecorder(config.request_log_size)
        self._gemini = _index(gemini_routes())
        self._vertex = _index(vertex_routes())
        self._models = {m.name: m for m in config.models}

    # -- runtime control ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all resources, counters, quota windows, logged requests and the rules added
        at runtime (the config's own rules stay); keep the config and the clock."""
        self.state = State(self.config.faults.seed)
        self.quota.reset()
        self.stats.reset()
        self.faults.set(self.faults.config)
        self.script = Script(self.config.script)
        self.requests.clear()

    def set_faults(self, faults: FaultConfig) -> None:
        self.faults.set(faults)

    def set_quotas(self, quotas: Mapping[str, QuotaLimits | Mapping[str, Any]]) -> None:
        """Replace the quota limits (and start fresh windows), keeping everything else."""
        self.config = self.config.evolve(quotas=quotas)
        self.quota = QuotaBook(self.config, self.clock)

    def model_info(self, name: str) -> ModelInfo | None:
        return self._models.get(name.removeprefix("models/"))

    # -- one request -------------------------------------------------------------------------

    def handle(self, req: Request) -> Outcome:
        self.state.timers.run(self.clock.now())
        call: Call | None = None
        fault = NO_FAULT
        try:
            route, call = self._resolve(req)
            self._authenticate(route, call)
            if route.auth != "none":
                fault = self._decide(call)
            if fault.kind in ERRORS:
                raise fault_error(fault.kind, self.faults.config)
            if call.scripted is not None and call.scripted.error is not None:
                raise call.scripted.error.api_error()
            if fault.kind in ("reset", "hang"):
                self._count(call, 0, fault.kind)
                self.requests.record(req, call.endpoint, call.model, 0)
                return Outcome(None, fault, call.endpoint, call.model)
            response = route.handler(call)
        except ApiError as error:
            response = error.response()
        endpoint = call.endpoint if call else "unknown"
        model = call.model if call else None
        status = 200 if isinstance(response, StreamResponse) else response.status
        self._count(call, status, fault.kind)
        self.requests.record(req, endpoint, model, status)
        if self.config.log_requests:
            log.info(
                "request",
                method=req.method,
                path=req.path,
                status=status,
                endpoint=endpoint,
                model=model,
                fault=fault.kind,
            )
        return Outcome(response, fault, endpoint, model)

    def _decide(self, call: Call) -> Fault:
        """A scripted rule's answer when one matches (no random fault then), else the draw."""
        streaming = _streaming(call)
        reply = self.script.decide(call) if self.script else None
        if reply is None:
            return self.faults.decide(call.endpoint, streaming)
        call.scripted = reply
        cut = reply.cut_after is not None and streaming
        return Fault("stream_cut" if cut else None, reply.latency, cut_after=reply.cut_after)

    def _count(self, call: Call | None, status: int, fault: str | None) -> None:
        if call is None:
            self.stats.request("unknown", None, status, fault)
        else:
            self.stats.request(call.endpoint, call.model, status, fault)

    def _resolve(self, req: Request) -> tuple[Route, Call]:
        path = req.path
        match = _GEMINI.match(path)
        surface, table = "gemini", self._gemini
        rest = ""
        if match and not match["rest"].startswith(("projects/", "publishers/")):
            rest = ("upload:" if match["upload"] else "") + match["rest"]
        else:
            match = _VERTEX.fullmatch(path)
            surface, table = "vertex", self._vertex
            if match:
                rest = match["rest"]
        if not match:
            raise ApiError(404, f"The requested URL {path} was not found on this server.")
        head = re.split(r"[/:]", rest, maxsplit=1)[0]
        allowed: set[str] = set()
        for route in table.get(head) or table.get("") or ():
            found = route.pattern.match(rest)
            if found is None:
                continue
            if route.method != req.method:
                allowed.add(route.method)
                continue
            params = found.groupdict()
            if params.get("model_id"):
                params["model"] = "models/" + params["model_id"]
            endpoint = route.endpoint.format(**params) if "{" in route.endpoint else route.endpoint
            return route, Call(self, req, params, match["version"], surface, endpoint)
        if allowed:
            raise ApiError(405, f"Method {req.method} is not allowed for {path}.", "UNIMPLEMENTED")
        raise ApiError(404, f"The requested URL {path} was not found on this server.")

    def _authenticate(self, route: Route, call: Call) -> None:
        check_request(route.auth, call)


def _streaming(call: Call) -> bool:
    if call.endpoint.startswith("stream") or call.req.query.get("alt") == "sse":
        return True
    if call.endpoint == "createInteraction":
        try:
            return call.body().get("stream") is True
        except ApiError:
            return False
    return call.endpoint == "getInteraction" and call.req.flag("stream")


_LEADING_GROUPS = re.compile(r"(?:\(\?P<\w+>|\(\?:)*")
_HEAD = re.compile(r"[A-Za-z_]+(?![A-Za-z_|])")


def _index(routes: list[Route]) -> dict[str, list[Route]]:
    """Routes by the literal first path segment of their pattern ("" when it varies)."""
    table: dict[str, list[Route]] = {}
    for route in routes:
        pattern = route.pattern.pattern
        leading = _LEADING_GROUPS.match(pattern)  # a `*` pattern: it always matches
        found = _HEAD.match(pattern, leading.end() if leading else 0)
        table.setdefault(found.group() if found else "", []).append(route)
    wildcard = table.get("", [])
    for head, entries in table.items():
        if head:
            entries.extend(wildcard)
    return table
