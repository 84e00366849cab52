"""The HTTP exchange: one connection pool, retries around it, JSON and SSE bodies.

The transport knows URLs, headers, status codes and bodies; it knows nothing of resource
families. Every REST call of every family goes through `send` (a JSON answer), `send_raw`
(bytes, for downloads) or `open_stream` (server-sent events). One attempt: `_prepare` (URL,
credentials, body), `_open` (the pool's `exchange`, or the httpx client: `_httpx_adapter.py`),
same-origin redirects (`_redirects.py`), then the body read and checked.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from genaio.engine import _json
from genaio.engine._auth import Auth
from genaio.engine._bodies import MAX_BODY_BYTES, json_body, json_events, read_body, usage_tokens
from genaio.engine._calls import DeferredBody, JsonAnswer, PreparedRequest, Response, RestCall
from genaio.engine._config import MAX_REDIRECTS, CallOptions, EngineConfig, RetryPolicy
from genaio.engine._errors import error_from_response, network_error, timeout_error
from genaio.engine._http11 import DEFAULT_HEADERS, ProtocolError, Target, split_url
from genaio.engine._httpx_adapter import (
    as_httpx_response,
    client_args,
    open_with_httpx,
    sends_as_given,
)
from genaio.engine._pool import PooledTransport, PoolStatistics
from genaio.engine._redirects import REDIRECTS, redirected, too_many_redirects
from genaio.engine._retry import Retrier
from genaio.engine._throttle import Throttle
from genaio.engine._urls import build_url

__all__ = ["DeferredBody", "HttpTransport", "JsonAnswer", "RestCall"]

#: How long closing a cancelled or abandoned response may take before it is left to the pool.
_CLOSE_GRACE = 5.0


class HttpTransport:
    """Sends REST calls over one connection pool, retrying what is worth retrying.

    When the pool is genaio's own and the httpx client around it changes nothing about a request
    (no auth, hooks, cookies, default headers or params of the caller's), requests go to the pool
    directly, without an `httpx.Request`/`httpx.Response` each; otherwise through the client.
    """

    def __init__(
        self,
        config: EngineConfig,
        auth: Auth,
        *,
        pool_size: int = 100,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._auth = auth
        self._rng = rng or random.Random()
        self._retriers: dict[RetryPolicy, Retrier] = {}
        #: genaio's own pool, when the httpx client is built over it.
        self._own_pool: PooledTransport | None = None
        #: The same, when requests go to it directly (the client would send them as given).
        self._pool: PooledTransport | None = None
        if config.injected_client is not None:
            self.client: httpx.AsyncClient = config.injected_client
            self._owns_client = False
        else:
            args = client_args(config.client_args, pool_size)
            self.client = httpx.AsyncClient(**args)
            self._owns_client = True
            if isinstance(args.get("transport"), PooledTransport):
                self._own_pool = args["transport"]
                self._pool = self._own_pool if sends_as_given(args) else None
        self._base_headers = (*DEFAULT_HEADERS, *_encode_headers(config.headers))
        self._read_timeout = self.client.timeout.read

    def __repr__(self) -> str:
        door = "pool" if self._pool is not None else "httpx client"
        return (
            f"<HttpTransport {self.config.base_url} via {door}, retries={self.retries}, "
            f"pool={self._own_pool!r}>"
        )

    async def send(
        self,
        call: RestCall,
        *,
        deadline: float = math.inf,
        request_id: str | None = None,
        throttle: Throttle | None = None,
        tokens: int = 0,
    ) -> JsonAnswer:
        """Send `call` (retrying as its policy says) and return the parsed 200 answer.

        With a `throttle`, every attempt is admitted by it and teaches it how it ended.
        """
        # The first attempt is made here, and the retrier is asked only after a failure: its
        # frame and the attempt's object would be alive as long as the request is in flight
        # (thousands of them are, under fan-out).
        try:
            return await self._json_attempt(call, request_id, throttle, tokens, deadline, 1)
        except Exception as exc:
            failure = exc
        attempt = functools.partial(
            self._json_attempt, call, request_id, throttle, tokens, deadline
        )
        return await self._retrier(call).retry(
            attempt, failure, deadline=deadline, idempotent=call.idempotent, request_id=request_id
        )

    async def _json_attempt(
        self,
        call: RestCall,
        request_id: str | None,
        throttle: Throttle | None,
        tokens: int,
        deadline: float,
        number: int,
    ) -> JsonAnswer:
        if throttle is None:
            response, body = await self._exchange(call, number, request_id)
            return JsonAnswer(json_body(body), response.headers)
        admitted = await throttle.enter(tokens, deadline)
        try:
            response, body = await self._exchange(call, number, request_id)
            data = json_body(body)
        except BaseException as error:
            throttle.exit(admitted, error)
            raise
        admitted.used(usage_tokens(data))
        throttle.exit(admitted, None)
        return JsonAnswer(data, response.headers)

    async def send_raw(
        self, call: RestCall, *, deadline: float = math.inf, request_id: str | None = None
    ) -> httpx.Response:
        """Like `send`, but return the 200 response with its body unparsed (downloads)."""

        async def attempt(number: int) -> httpx.Response:
            request = await self._prepare(call)
            response, body = await self._exchange(
                call, number, request_id, request=request, limit=math.inf
            )
            return as_httpx_response(response, body, request)

        return await self._retrier(call).run(
            attempt, deadline=deadline, idempotent=call.idempotent, request_id=request_id
        )

    @asynccontextmanager
    async def open_stream(
        self,
        call: RestCall,
        *,
        deadline: float = math.inf,
        request_id: str | None = None,
        throttle: Throttle | None = None,
        tokens: int = 0,
    ) -> AsyncIterator[AsyncIterator[Any]]:
        """Open a server-sent-events stream; yield an iterator of its JSON events.

        Opening is retried like `send` (and admitted by the throttle); once the stream has begun
        nothing is retried, and an error event inside it raises the typed error. The connection
        is released when the block exits, however it exits.
        """

        async def attempt(number: int) -> Response:
            if throttle is None:
                return (await self._exchange(call, number, request_id, stream=True))[0]
            async with throttle.attempt(tokens, deadline):
                return (await self._exchange(call, number, request_id, stream=True))[0]

        response = await self._retrier(call).run(
            attempt, deadline=deadline, idempotent=call.idempotent, request_id=request_id
        )
        try:
            yield json_events(response, request_id, self._read_timeout)
        finally:
            with anyio.move_on_after(_CLOSE_GRACE, shield=True):
                await response.aclose()

    async def aclose(self) -> None:
        """Close the pool, unless the caller owns it."""
        if self._owns_client:
            await self.client.aclose()

    def _retrier(self, call: RestCall) -> Retrier:
        policy = (call.options and call.options.retry) or self.config.retry
        retrier = self._retriers.get(policy)
        if retrier is None:
            retrier = self._retriers[policy] = Retrier(policy, self._rng)
        return retrier

    def pool_statistics(self) -> PoolStatistics | None:
        """The connection pool's counts, when the pool is genaio's own."""
        return self._own_pool.statistics() if self._own_pool is not None else None

    @property
    def retries(self) -> int:
        """Attempts beyond the first, over this transport's life."""
        return sum(r.retries for r in self._retriers.values())

    async def _exchange(
        self,
        call: RestCall,
        attempt: int,
        request_id: str | None,
        *,
        request: PreparedRequest | None = None,
        stream: bool = False,
        limit: float | None = None,
    ) -> tuple[Response, bytes]:
        """One attempt: the response, and its body unless `stream` asks for it unread (a 200)."""
        if request is None:
            request = await self._prepare(call)
        body = b""
        try:
            response = await self._open(request)
            if response.status_code in REDIRECTS and "location" in response.headers:
                response = await self._follow(request, response)
            if not stream or response.status_code != 200:
                try:
                    body = await read_body(response, MAX_BODY_BYTES if limit is None else limit)
                finally:
                    await response.aclose()
            if response.status_code != 200:
                raise error_from_response(
                    as_httpx_response(response, body, request),
                    request_id=request_id,
                    attempts=attempt,
                )
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            raise timeout_error(self._read_timeout, request_id=request_id) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise network_error(exc, request_id=request_id, attempts=attempt) from exc
        return response, body

    def _open(self, request: PreparedRequest) -> Awaitable[Response]:
        """The response to `request` as the server sent it, its body unread: from the pool
        directly if it may, else through the httpx client. (A plain function returning what to
        await: no frame of its own alive while the request is in flight.)"""
        pool = self._pool
        if pool is None:
            headers = {**self.config.headers, **request.headers}
            return open_with_httpx(self.client, request, headers)
        return pool.exchange(
            request.method,
            _target(request.url, request.query),
            self._headers(request.headers),
            request.content or b"",
            read_timeout=None if request.timed else self._read_timeout,
        )

    async def _follow(self, request: PreparedRequest, response: Response) -> Response:
        """The final response after `response`, a redirect: same-origin ones are followed, up to
        `MAX_REDIRECTS`; one to another origin is an error (the request carries credentials)."""
        for _ in range(MAX_REDIRECTS):
            await response.aclose()
            request = redirected(request, response.status_code, response.headers["location"])
            response = await self._open(request)
            if response.status_code not in REDIRECTS or "location" not in response.headers:
                return response
        await response.aclose()
        raise too_many_redirects(response.status_code)

    def _headers(self, extra: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
        """The client's headers (encoded once) followed by a request's own."""
        if not extra:
            return self._base_headers
        if extra.keys() & self.config.headers.keys():  # an override: merge, then encode
            return (*DEFAULT_HEADERS, *_encode_headers({**self.config.headers, **extra}))
        return (*self._base_headers, *_encode_headers(extra))

    async def _prepare(self, call: RestCall) -> PreparedRequest:
        config, options = self.config, call.options
        headers: dict[str, str] = {}
        if call.authenticated:
            headers.update(await self._auth.headers())
        if options is not None and options.headers:
            headers.update(options.headers)
        if call.headers:
            headers.update(call.headers)
        timeout = options.timeout if options is not None and options.timeout else config.timeout
        if timeout:
            headers["x-server-timeout"] = str(math.ceil(timeout))
        content: bytes | None
        if isinstance(call.body, bytes | bytearray):
            content = bytes(call.body)
        elif call.body is None:
            content = None
        elif isinstance(call.body, DeferredBody):
            content = await call.body.read()
        else:
            content = _json.dumps(_with_extra_body(call.body, config, options))
        return PreparedRequest(
            call.method,
            build_url(config, call.path, method=call.method, options=options),
            _query(call.query),
            headers,
            content,
            bool(timeout),
        )


def _target(url: str, query: dict[str, str] | None) -> Target:
    try:
        return _target_of_url(url) if not query else split_url(url, query)
    except ProtocolError as exc:
        raise httpx.UnsupportedProtocol(str(exc)) from exc


#: Most calls go to a handful of URLs (one per model and method): parse each once.
_target_of_url = functools.lru_cache(maxsize=512)(split_url)


def _encode_headers(headers: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    try:
        return tuple(
            (name.encode("ascii"), value.encode("utf-8")) for name, value in headers.items()
        )
    except UnicodeEncodeError as exc:
        raise httpx.LocalProtocolError(f"a header name is not ASCII: {exc}") from exc


def _query(query: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The query parameters that are set (None: none are, and a URL keeps its own query)."""
    if not query:
        return None
    # urlencode of a Python bool gives True/False, which is what the API receives from the SDK.
    return {key: str(value) for key, value in query.items() if value is not None} or None


def _with_extra_body(body: Any, config: EngineConfig, options: CallOptions | None) -> Any:
    for extra in (config.extra_body, options and options.extra_body):
        if extra and isinstance(body, dict):
            body = _deep_merge(body, extra)
    return body


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
