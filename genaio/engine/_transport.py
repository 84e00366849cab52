"""The HTTP exchange: one pooled httpx client, retries around it, JSON and SSE bodies.

The transport knows URLs, headers, status codes and bodies; it knows nothing of resource
families. Every REST call of every family goes through `send` (a JSON answer), `send_raw`
(bytes, for downloads) or `open_stream` (server-sent events).
"""

from __future__ import annotations

import functools
import inspect
import math
import random
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import anyio
import attrs
import httpx
from httpx._utils import get_environment_proxies

from genaio.engine import _json
from genaio.engine._auth import Auth
from genaio.engine._config import (
    CONNECT_TIMEOUT,
    KEEPALIVE_EXPIRY,
    MAX_REDIRECTS,
    READ_TIMEOUT,
    CallOptions,
    EngineConfig,
    RetryPolicy,
)
from genaio.engine._errors import api_error, error_from_response, network_error, timeout_error
from genaio.engine._http11 import DEFAULT_HEADERS, ProtocolError, Target, split_url
from genaio.engine._pool import PooledResponse, PooledTransport, PoolStatistics
from genaio.engine._retry import Retrier
from genaio.engine._sse import SSEDecoder
from genaio.engine._throttle import Throttle
from genaio.engine._urls import build_url
from genaio.errors import UnknownApiResponseError

__all__ = ["DeferredBody", "HttpTransport", "JsonAnswer", "RestCall"]

#: How long closing a cancelled or abandoned response may take before it is left to the pool.
_CLOSE_GRACE = 5.0
#: A JSON answer (or error body) larger than this is a broken or hostile server, not an answer:
#: it is refused as it arrives rather than read into memory. Downloads are not bounded.
MAX_BODY_BYTES = 64 * 1024 * 1024


class DeferredBody:
    """Bytes to send, read only when the request is built: by the worker that sends it, so
    that a call waiting in a queue holds no buffer (an upload's chunk)."""

    async def read(self) -> bytes:
        raise NotImplementedError


@attrs.frozen
class RestCall:
    """One REST exchange, before URLs and credentials are applied."""

    method: str
    path: str
    query: Mapping[str, Any] | None = None
    #: A JSON value, or bytes sent as they are, or a `DeferredBody` (upload chunks).
    body: Any = None
    headers: Mapping[str, str] | None = None
    options: CallOptions | None = None
    #: False for calls that create something: then only a request that never reached the
    #: server is repeated after a network failure.
    idempotent: bool = True
    #: Send the API key / bearer token (upload chunks carry their own credential in the URL).
    authenticated: bool = True


@attrs.frozen
class JsonAnswer:
    """A 200 answer: its parsed JSON body and its headers."""

    data: Any
    headers: Mapping[str, str]


class _Response(Protocol):
    """What the transport reads of a response: the pool's own, or httpx's."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


@attrs.frozen
class _Request:
    """A call with URL, credentials, options and body applied: ready for either door."""

    method: str
    url: str
    query: dict[str, str] | None
    #: On top of the client's headers (`EngineConfig.headers`).
    headers: dict[str, str]
    content: bytes | None
    #: Whether the call has a timeout of its own, which then bounds a silent server instead of
    #: the client's read timeout.
    timed: bool = False


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
        self._pool: PooledTransport | None = None
        if config.injected_client is not None:
            self.client: httpx.AsyncClient = config.injected_client
            self._owns_client = False
        else:
            args = _client_args(config.client_args, pool_size)
            self.client = httpx.AsyncClient(**args)
            self._owns_client = True
            if isinstance(args.get("transport"), PooledTransport) and _plain(args):
                self._pool = args["transport"]
        self._base_headers = (*DEFAULT_HEADERS, *_encode_headers(config.headers))
        self._read_timeout = self.client.timeout.read

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
        # A partial, not a closure: one object rather than a function and five cells, alive
        # as long as the request is in flight (thousands of them are, under fan-out).
        attempt = functools.partial(
            self._json_attempt, call, request_id, throttle, tokens, deadline
        )
        return await self._retrier(call).run(
            attempt, deadline=deadline, idempotent=call.idempotent, request_id=request_id
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
            return JsonAnswer(_json_body(body), response.headers)
        admitted = await throttle.enter(tokens, deadline)
        try:
            response, body = await self._exchange(call, number, request_id)
            data = _json_body(body)
        except BaseException as error:
            throttle.exit(admitted, error)
            raise
        admitted.used(_usage_tokens(data))
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
            return _as_httpx(response, body, request)

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

        async def attempt(number: int) -> _Response:
            if throttle is None:
                return (await self._exchange(call, number, request_id, stream=True))[0]
            async with throttle.attempt(tokens, deadline):
                return (await self._exchange(call, number, request_id, stream=True))[0]

        response = await self._retrier(call).run(
            attempt, deadline=deadline, idempotent=call.idempotent, request_id=request_id
        )
        try:
            yield _events(response, request_id, self._read_timeout)
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
        pool = getattr(self.client, "_transport", None)
        return pool.statistics() if isinstance(pool, PooledTransport) else None

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
        request: _Request | None = None,
        stream: bool = False,
        limit: float | None = None,
    ) -> tuple[_Response, bytes]:
        """One attempt: the response, and its body unless `stream` asks for it unread (a 200)."""
        if request is None:
            request = await self._prepare(call)
        body = b""
        try:
            response = await self._open(request)
            if not stream or response.status_code != 200:
                try:
                    body = await _read_body(response, MAX_BODY_BYTES if limit is None else limit)
                finally:
                    await response.aclose()
            if response.status_code != 200:
                raise error_from_response(
                    _as_httpx(response, body, request), request_id=request_id, attempts=attempt
                )
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            raise timeout_error(self._read_timeout, request_id=request_id) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise network_error(exc, request_id=request_id, attempts=attempt) from exc
        return response, body

    async def _open(self, request: _Request) -> _Response:
        """The response to `request`, its body unread, after same-origin redirects.

        A redirect to another origin is not followed: the request carries the credentials of
        its own origin, so the caller gets an error naming the location instead.
        """
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._open_once(request)
            if response.status_code not in _REDIRECTS or "location" not in response.headers:
                return response
            await response.aclose()
            request = _redirected(request, response.status_code, response.headers["location"])
        raise _redirect_error(
            response.status_code, "TOO_MANY_REDIRECTS", f"more than {MAX_REDIRECTS} redirects"
        )

    async def _open_once(self, request: _Request) -> _Response:
        """The response to `request` as the server sent it: from the pool directly if it may."""
        pool = self._pool
        if pool is None:
            return await self._open_with_httpx(request)
        return await pool.exchange(
            request.method,
            _target(request.url, request.query),
            self._headers(request.headers),
            request.content or b"",
            read_timeout=None if request.timed else self._read_timeout,
        )

    async def _open_with_httpx(self, request: _Request) -> httpx.Response:
        built = self.client.build_request(
            request.method,
            request.url,
            params=request.query,
            headers={**self.config.headers, **request.headers},
            content=request.content,
            timeout=_NO_TIMEOUT if request.timed else httpx.USE_CLIENT_DEFAULT,
        )
        return await self.client.send(built, stream=True, follow_redirects=False)

    def _headers(self, extra: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
        """The client's headers (encoded once) followed by a request's own."""
        if not extra:
            return self._base_headers
        if extra.keys() & self.config.headers.keys():  # an override: merge, then encode
            return (*DEFAULT_HEADERS, *_encode_headers({**self.config.headers, **extra}))
        return (*self._base_headers, *_encode_headers(extra))

    async def _prepare(self, call: RestCall) -> _Request:
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
        return _Request(
            call.method,
            build_url(config, call.path, method=call.method, options=options),
            _query(call.query),
            headers,
            content,
            bool(timeout),
        )


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _redirected(request: _Request, status: int, location: str) -> _Request:
    """The request a redirect asks for, if it stays on the request's origin (as browsers and
    httpx do, a 303, or a 301/302 after a POST, becomes a GET without a body)."""
    try:
        url = urljoin(request.url, location)
        same_origin = _origin(url) == _origin(request.url)
    except ValueError:  # a location that is not a URL
        raise _redirect_error(
            status, "BAD_REDIRECT", "a redirect to an unusable location"
        ) from None
    if not same_origin:
        shown = urlsplit(url)._replace(query="", fragment="").geturl()  # a query may hold a key
        raise _redirect_error(
            status, "REDIRECT_NOT_FOLLOWED", f"not following a redirect to another origin: {shown}"
        )
    method, content = request.method, request.content
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, content = "GET", None
    return attrs.evolve(request, method=method, url=url, query=None, content=content)


def _origin(url: str) -> tuple[str, str | None, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), parts.hostname, port


def _redirect_error(status: int, reason: str, message: str) -> Exception:
    return api_error(status, {"error": {"code": status, "message": message, "status": reason}})


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


def _as_httpx(response: _Response, body: bytes, request: _Request) -> httpx.Response:
    """`response` as an `httpx.Response` with its (decoded) body: what errors and downloads
    hand to the caller, as the official SDK does."""
    if isinstance(response, httpx.Response):
        response._content = body  # what httpx's own aread() sets
        return response
    assert isinstance(response, PooledResponse)
    headers = [
        (name, value)
        for name, value in response.raw_headers
        if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=httpx.Request(request.method, request.url, params=request.query),
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason},
    )


async def _read_body(response: _Response, limit: float) -> bytes:
    """The whole body, refused once it passes `limit` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise UnknownApiResponseError(f"the answer is larger than {limit:.0f} bytes")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise UnknownApiResponseError(f"the answer is larger than {limit:.0f} bytes")
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _events(
    response: _Response, request_id: str | None, read_timeout: float | None
) -> AsyncIterator[Any]:
    """The stream's JSON events; a stream cut on the wire (closed early, a chunked body without
    its last chunk, a silent server) raises the typed error after the events that came."""
    decoder = SSEDecoder()
    try:
        async for chunk in response.aiter_bytes():
            for event in decoder.feed(chunk):
                yield _checked_event(event, request_id)
        for event in decoder.close():
            yield _checked_event(event, request_id)
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        raise timeout_error(read_timeout, request_id=request_id) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise network_error(exc, request_id=request_id) from exc


def _checked_event(event: Any, request_id: str | None) -> Any:
    if isinstance(event, dict) and isinstance(event.get("error"), dict):
        code = event["error"].get("code")
        valid = isinstance(code, int) and not isinstance(code, bool) and 400 <= code < 600
        raise api_error(code if valid else 500, event, request_id=request_id)
    return event


#: More tokens than any call can spend: a larger count is a broken answer, not usage.
_MAX_TOKENS = 10**9


def _usage_tokens(data: Any) -> int | None:
    usage = data.get("usageMetadata") if isinstance(data, dict) else None
    total = usage.get("totalTokenCount") if isinstance(usage, dict) else None
    if isinstance(total, int) and not isinstance(total, bool) and 0 <= total <= _MAX_TOKENS:
        return total
    return None


def _json_body(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return _json.loads(body)
    except ValueError as exc:
        raise UnknownApiResponseError(f"the answer is not JSON: {body[:200]!r}") from exc


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


def _client_args(user_args: Mapping[str, Any], pool_size: int) -> dict[str, Any]:
    """httpx.AsyncClient's arguments: the caller's, with a pool at least as large as the engine's
    own concurrency so that the pool never becomes a hidden limiter.

    The pool is genaio's own (`PooledTransport`) unless the caller asks for what only httpx's
    does: HTTP/2 (`http2=True`), proxies (arguments or the environment), a transport of their own.
    """
    args = {key: value for key, value in user_args.items() if key in _HTTPX_CLIENT_PARAMETERS}
    limits = args.get("limits")
    if isinstance(limits, Mapping):
        limits = httpx.Limits(**limits)
    if limits is None:
        limits = httpx.Limits(
            max_connections=pool_size,
            max_keepalive_connections=pool_size,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        )
    args["limits"] = limits
    # A call's own timeout is its cancel scope; these bound what no call timeout covers.
    timeout = args.get("timeout", _DEFAULT_TIMEOUT)
    args["timeout"] = timeout = (
        timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    )
    if not _needs_httpx_pool(args):
        args["transport"] = PooledTransport(
            max_connections=limits.max_connections or pool_size,
            max_keepalive=(
                limits.max_keepalive_connections
                if limits.max_keepalive_connections is not None
                else pool_size
            ),
            keepalive_expiry=limits.keepalive_expiry,
            ssl_context=_ssl_context(args.pop("verify", True), args.pop("cert", None), args),
            connect_timeout=timeout.connect,
            read_timeout=timeout.read,
        )
    return args


_DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, pool=None)
#: A call with a timeout of its own: that bounds it, not the client's read timeout.
_NO_TIMEOUT = httpx.Timeout(None)


def _plain(args: Mapping[str, Any]) -> bool:
    """Whether the httpx client made of `args` sends a request just as it is given."""
    return not any(args.get(key) for key in _REQUEST_CHANGING_ARGS)


#: httpx.AsyncClient arguments that change the requests it sends.
_REQUEST_CHANGING_ARGS = ("auth", "params", "headers", "cookies", "event_hooks", "base_url")


def _needs_httpx_pool(args: Mapping[str, Any]) -> bool:
    if any(args.get(key) for key in ("transport", "http2", "proxy", "mounts")):
        return True
    return args.get("trust_env", True) and bool(get_environment_proxies())


def _ssl_context(verify: Any, cert: Any, args: Mapping[str, Any]) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    return httpx.create_ssl_context(verify=verify, cert=cert, trust_env=args.get("trust_env", True))


# `async_client_args` is shared with other transports (aiohttp, websockets): keep httpx's own.
_HTTPX_CLIENT_PARAMETERS = frozenset(inspect.signature(httpx.AsyncClient).parameters)
