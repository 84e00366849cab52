"""The base of every family namespace on `client.aio`: one way to call, stream and page.

A family module is a set of typed methods that validate their arguments, build a `RestCall`,
and hand it to one of the three helpers here; the helpers find the family's actor in the
running tree, apply the call's timeout as a cancel scope, and parse the answer.

A call's JSON body is written here, in the caller's task, before an envelope exists: a body that
is not JSON (an object where the API takes a Part, a set, bytes in a text field...) is the
caller's `TypeError`, and no actor ever holds one. The engine sends the bytes as they are, so
the body is still written once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import anyio
from pydantic import BaseModel

from genaio._telemetry import CallTrace, observing
from genaio.actors import Answer, Batchable, RestWork
from genaio.api._options import call_options
from genaio.api._streams import ResponseStream
from genaio.api.pagers import AsyncPager, Page
from genaio.engine import (
    CallOptions,
    DeferredBody,
    EngineConfig,
    JsonAnswer,
    RestCall,
    dumps_json,
)
from genaio.errors import DeadlineExceededError
from genaio.types import HttpOptions

if TYPE_CHECKING:
    from genaio.api._client import AsyncClient

__all__ = ["Resource", "json_bytes"]

T = TypeVar("T")


class Resource:
    """A family's methods; `family` names the actor that serves them."""

    family: ClassVar[str]

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @property
    def _vertex(self) -> bool:
        return self._client.vertexai

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

        A plain function: an unobserved call (see `genaio._telemetry`) waits in `_send` alone.

        Cancellation: cancelling the caller cancels exactly this request.
        """
        otel = self._client._otel
        if not observing(otel):
            return self._send(call, rate_key, tokens, answer, batchable, None)
        # Made before the body is written: its contents, for a span that records them.
        trace = CallTrace(otel, call.path, rate_key, call.body)
        return self._traced(trace, call, rate_key, tokens, answer, batchable)

    async def _traced(
        self,
        trace: CallTrace,
        call: RestCall,
        rate_key: str | None,
        tokens: int,
        answer: Answer,
        batchable: Batchable | None,
    ) -> Any:
        """`_send`, and the end of the call's trace (a stream's pump ends a stream's)."""
        try:
            result = await self._send(call, rate_key, tokens, answer, batchable, trace)
        except BaseException as error:
            trace.finish(error)
            raise
        if answer is not Answer.STREAM:
            trace.finish(None, getattr(result, "data", None))
        return result

    async def _send(
        self,
        call: RestCall,
        rate_key: str | None,
        tokens: int,
        answer: Answer,
        batchable: Batchable | None,
        trace: CallTrace | None,
    ) -> Any:
        timeout = self._timeout(call.options)
        if batchable is None:  # a batchable call's entries are written as it joins a batch
            call = _written(call, self._client._config)
        work = RestWork(call, answer, rate_key, tokens, batchable, trace)
        connection = await self._client._runtime.tree()
        family = connection.family(self.family)
        if timeout is None:
            return await family.call(work)
        with anyio.move_on_after(timeout) as scope:
            return await family.call(work, deadline=anyio.current_time() + timeout)
        raise DeadlineExceededError(timeout) if scope.cancelled_caught else AssertionError

    def _json(self, call: RestCall, **kwargs: Any) -> Coroutine[Any, Any, JsonAnswer]:
        """`_request` for a JSON answer, typed.

        A plain function returning the coroutine that waits: once the tree runs and no timeout
        applies, the family actor's own, so that no coroutine of this layer (with its frame and
        `kwargs`) stays alive while the call waits; thousands of coalesced calls wait at once.
        """
        runtime = self._client._runtime
        connection = runtime.current()
        if (
            connection is None
            or runtime.closed
            or self._timeout(call.options) is not None
            or observing(self._client._otel)
        ):
            return self._request(call, **kwargs)
        if kwargs.get("batchable") is None:
            call = _written(call, self._client._config)
        return connection.family(self.family).call(RestWork(call, Answer.JSON, **kwargs))

    async def _stream(
        self, call: RestCall, parse: Callable[[Any], T], **kwargs: Any
    ) -> ResponseStream[T]:
        """Open a stream; its events arrive parsed by `parse`, each within the call's timeout."""
        stream = await self._request(call, answer=Answer.STREAM, **kwargs)
        return ResponseStream(stream, parse, idle_timeout=self._timeout(call.options))

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
            answer = await self._json(fetch(page_config))
            data = answer.data
            items = [parse(item) for item in data.get(items_key) or ()]
            return Page(items, data.get("nextPageToken") or None, dict(answer.headers.items()))

        return await AsyncPager.create(name, fetch_page, config)

    def _timeout(self, options: CallOptions | None) -> float | None:
        if options is not None and options.timeout:
            return options.timeout
        timeout = self._client._config.timeout
        return timeout if timeout and math.isfinite(timeout) else None


def _written(call: RestCall, config: EngineConfig) -> RestCall:
    """`call` with its JSON body written as bytes; raises TypeError if it is not JSON.

    A body that takes `extra_body` fields stays a value, for the engine to merge them into: it
    and the fields are checked here instead (a merge of two JSON objects is JSON).
    """
    body, options = call.body, call.options
    if body is None or isinstance(body, bytes | bytearray | DeferredBody):
        return call  # not JSON: sent as it is (an upload's chunk is read when it is sent)
    content = json_bytes(body, "the request")
    extra = options.extra_body if options is not None else None
    if extra or config.extra_body:
        json_bytes(extra, "http_options.extra_body")
        return call
    return RestCall(
        call.method,
        call.path,
        call.query,
        content,
        call.headers,
        options,
        call.idempotent,
        call.authenticated,
    )


def json_bytes(value: Any, what: str) -> bytes:
    """`value` written as JSON; a TypeError that names `what` if it cannot be."""
    try:
        return dumps_json(value)
    except (TypeError, ValueError) as exc:
        message = f"{what} cannot be sent: it holds a value that is not JSON ({exc})"
        raise TypeError(message) from exc
