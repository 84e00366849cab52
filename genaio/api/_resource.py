"""The base of every family namespace on `client.aio`: one way to call, stream and page.

A family module is a set of typed methods that validate their arguments, build their call with
`_rest`, and hand it to `_request` (or `_stream`, `_pager`, which use it); `_request` finds the
family's actor in the running tree, applies the call's timeout as a cancel scope, and returns
what the actor replies.

A call's JSON body is written by `_rest`, in the caller's task, before an envelope exists: a
body that is not JSON (an object where the API takes a Part, a set, bytes in a text field...) is
the caller's `TypeError`, and no actor ever holds one. The call is built once, with its bytes,
and the engine sends them as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

import anyio
import attrs
from pydantic import BaseModel

from genaio._telemetry import CallTrace, observing
from genaio.actors import Answer, Batchable, RestWork, Runtime
from genaio.api._options import call_options
from genaio.api._streams import ResponseStream
from genaio.api.pagers import AsyncPager, Page
from genaio.engine import (
    Auth,
    CallOptions,
    DeferredBody,
    EngineConfig,
    JsonAnswer,
    RestCall,
    dumps_json,
    loads_json,
)
from genaio.errors import DeadlineExceededError
from genaio.types import HttpOptions, WireModel
from genaio.types._base import wire_prepared

if TYPE_CHECKING:
    from genaio._otel import OtelRecorder

__all__ = ["Backend", "Resource", "json_bytes"]

T = TypeVar("T")

#: Bodies `_rest` leaves as they are (a tuple: `bytes | bytearray | ...` would build a union
#: on every call, 0.3 µs).
_SENT_AS_IS = (bytes, bytearray, DeferredBody)


@attrs.frozen
class Backend:
    """What every family of one AsyncClient shares: the engine's configuration and
    credentials, the actor trees that serve its calls, and its telemetry (None: unobserved)."""

    config: EngineConfig
    auth: Auth
    runtime: Runtime
    otel: OtelRecorder | None

    def timeout(self, options: CallOptions | None) -> float | None:
        """A call's timeout in seconds: its own `http_options.timeout`, else the client's."""
        if options is not None and options.timeout:
            return options.timeout
        timeout = self.config.timeout
        return timeout if timeout and math.isfinite(timeout) else None


class Resource:
    """A family's methods; `family` names the actor that serves them."""

    family: ClassVar[str]

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def __repr__(self) -> str:
        return f"<genaio.{type(self).__name__} {self._backend.config.base_url}>"

    @property
    def _vertex(self) -> bool:
        return self._backend.config.vertex

    def _options(self, config: Any) -> CallOptions | None:
        """The per-call `http_options` of a config (a model or a dict), if it has one; the
        official SDK's `HttpOptions` is taken by its fields, as `coerce_config` takes its
        configs."""
        if config is None:
            return None
        if isinstance(config, Mapping):
            options = config.get("http_options")
        else:
            options = getattr(config, "http_options", None)
        if isinstance(options, BaseModel) and not isinstance(options, HttpOptions):
            options = options.model_dump(exclude_none=True)
        return call_options(options)

    def _rest(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        options: CallOptions | None = None,
        idempotent: bool = True,
    ) -> RestCall:
        """The call, its JSON body written as bytes here; raises TypeError if it is not JSON.

        A body that takes `extra_body` fields stays a value, for the engine to merge them into:
        it and the fields are checked here instead (a merge of two JSON objects is JSON).
        """
        if body is not None and not isinstance(body, _SENT_AS_IS):
            try:
                content = dumps_json(body)
            except (TypeError, ValueError):
                content = json_bytes(body, "the request")  # raises, naming what it is
            extra = options.extra_body if options is not None else None
            if extra or self._backend.config.extra_body:
                json_bytes(extra, "http_options.extra_body")
            else:
                body = content
        return RestCall(method, path, query, body, headers, options, idempotent)

    def _prepare_answers(self, cls: type[WireModel]) -> None:
        """Have `cls`'s validator for answers built while the loop is idle (as the call waits
        for its answer), not by the first answer, in the way of those behind it; a no-op once
        it is built, or when no tree runs yet (the first answer builds it then)."""
        if not wire_prepared(cls):
            tree = self._backend.runtime.current()
            if tree is not None:
                tree.prepare(cls.prepare_wire)

    @overload
    def _request(
        self,
        call: RestCall,
        *,
        rate_key: str | None = ...,
        tokens: int = ...,
        answer: Literal[Answer.JSON] = ...,
        batchable: Batchable | None = ...,
    ) -> Coroutine[Any, Any, JsonAnswer]: ...

    @overload
    def _request(
        self,
        call: RestCall,
        *,
        rate_key: str | None = ...,
        tokens: int = ...,
        answer: Answer,
        batchable: Batchable | None = ...,
    ) -> Coroutine[Any, Any, Any]: ...

    def _request(
        self,
        call: RestCall,
        *,
        rate_key: str | None = None,
        tokens: int = 0,
        answer: Answer = Answer.JSON,
        batchable: Batchable | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Send `call` through the family's actor; the coroutine that returns what it replies.

        `call` comes from `_rest` (or is genaio's own: the upload protocol's, a batchable
        embedding whose entries the coalescer writes as it joins a batch).

        A plain function returning the coroutine that waits: once the tree runs, with no
        timeout and no telemetry, the family actor's own, so that no coroutine of this layer
        stays alive while the call waits (thousands of coalesced calls wait at once).

        Cancellation: cancelling the caller cancels exactly this request.
        """
        backend = self._backend
        timeout = backend.timeout(call.options)
        connection = backend.runtime.current()
        if (
            connection is not None
            and timeout is None
            and not backend.runtime.closed
            and not observing(backend.otel)
        ):
            work = RestWork(call, answer, rate_key, tokens, batchable)
            return connection.family(self.family).call(work)
        return self._send(RestWork(call, answer, rate_key, tokens, batchable), timeout)

    async def _send(self, work: RestWork, seconds: float | None) -> Any:
        """`_request` when the tree must start first, a timeout applies, or the call is traced."""
        otel = self._backend.otel
        if observing(otel):
            call = work.call
            # The span may record the request's contents: the value, not its bytes.
            body = loads_json(call.body) if isinstance(call.body, bytes) else call.body
            trace = CallTrace(otel, call.path, work.rate_key, body)
            work = attrs.evolve(work, trace=trace)
            try:
                result = await self._deliver(work, seconds)
            except BaseException as error:
                trace.finish(error)
                raise
            if work.answer is not Answer.STREAM:  # a stream's pump ends a stream's trace
                trace.finish(None, getattr(result, "data", None))
            return result
        return await self._deliver(work, seconds)

    async def _deliver(self, work: RestWork, seconds: float | None) -> Any:
        """The call, within `seconds` (its timeout) if any."""
        connection = await self._backend.runtime.tree()
        family = connection.family(self.family)
        if seconds is None:
            return await family.call(work)
        with anyio.move_on_after(seconds) as scope:
            return await family.call(work, deadline=anyio.current_time() + seconds)
        raise DeadlineExceededError(seconds) if scope.cancelled_caught else AssertionError

    async def _stream(
        self, call: RestCall, parse: Callable[[Any], T], **kwargs: Any
    ) -> ResponseStream[T]:
        """Open a stream; its events arrive parsed by `parse`, each within the call's timeout."""
        stream = await self._request(call, answer=Answer.STREAM, **kwargs)
        return ResponseStream(stream, parse, idle_timeout=self._backend.timeout(call.options))

    async def _pager(
        self,
        name: str,
        fetch: Callable[[dict[str, Any]], RestCall],
        items_key: str,
        parse: Callable[[Any], T],
        config: dict[str, Any],
    ) -> AsyncPager[T]:
        """Fetch the first page of a list and return the pager over all of them."""

        async def fetch_page(page_config: dict[str, Any]) -> Page[T]:
            answer = await self._request(fetch(page_config))
            data = answer.data
            items = [parse(item) for item in data.get(items_key) or ()]
            return Page(items, data.get("nextPageToken") or None, dict(answer.headers.items()))

        return await AsyncPager.create(name, fetch_page, config)


def json_bytes(value: Any, what: str) -> bytes:
    """`value` written as JSON; a TypeError that names `what` if it cannot be."""
    try:
        return dumps_json(value)
    except (TypeError, ValueError) as exc:
        message = f"{what} cannot be sent: it holds a value that is not JSON ({exc})"
        raise TypeError(message) from exc
