"""httpx compatibility: the `httpx.AsyncClient` the transport holds, and the door through it.

The official SDK takes httpx's client arguments (`async_client_args`) or a client of the
caller's (`httpx_async_client`); genaio accepts both. With neither asking for what only httpx's
own pool does (proxies, mounts, a transport of the caller's), the client is built over genaio's
pool (`PooledTransport`, which speaks HTTP/2 to the https servers that choose it: `uses_http2`),
and the transport then
calls the pool directly when the client would send a request just as it is given. Otherwise
requests go through the client: `open_with_httpx`.

Only httpx's public API is used here, so that a new httpx release cannot break it quietly.
"""

from __future__ import annotations

import inspect
import ssl
import urllib.request
from collections.abc import Mapping
from typing import Any

import httpx

from genaio.engine._calls import PreparedRequest, Response
from genaio.engine._config import CONNECT_TIMEOUT, KEEPALIVE_EXPIRY, MAX_DIALS, READ_TIMEOUT
from genaio.engine._pool import PooledTransport
from genaio.engine._pooled_response import Http2Response, PooledResponse

__all__ = [
    "as_httpx_response",
    "client_args",
    "open_with_httpx",
    "sends_as_given",
    "uses_http2",
]

_DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, pool=None)
#: A call with a timeout of its own: that bounds it, not the client's read timeout.
_NO_TIMEOUT = httpx.Timeout(None)
#: httpx.AsyncClient arguments that change the requests it sends.
_REQUEST_CHANGING_ARGS = ("auth", "params", "headers", "cookies", "event_hooks", "base_url")
#: Headers that describe the body as it came, not the decoded body a response is given.
_WIRE_HEADERS = (b"content-encoding", b"content-length", b"transfer-encoding")


def client_args(user_args: Mapping[str, Any], pool_size: int) -> dict[str, Any]:
    """httpx.AsyncClient's arguments: the caller's, with a pool at least as large as the engine's
    own concurrency so that the pool never becomes a hidden limiter.

    The pool is genaio's own (`PooledTransport`, with HTTP/2 as `uses_http2` says) unless the
    caller asks for what only httpx's does: proxies (arguments or the environment), mounts, a
    transport of their own. `max_dials`, genaio's own argument, bounds the connections the pool
    opens at once per origin.
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
        http2 = uses_http2(args.pop("http2", None), args.get("verify", True))
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
            max_dials=user_args.get("max_dials", MAX_DIALS),
            http2=http2,
        )
    return args


def uses_http2(asked: object, verify: object) -> bool:
    """Whether genaio's pool offers HTTP/2 to https servers: as `http2` asks, and by default
    unless the caller gives a TLS context of their own (`verify=<SSLContext>`).

    HTTP/2 is the default because, measured (docs/performance.md), it carries thousands of
    calls in flight on a few connections instead of a TLS handshake each, starts a cold
    fan-out about twice as fast, and costs less CPU per request than HTTP/1.1 with 64 calls
    in flight. Offering it means setting ALPN on the TLS context, which the pool does
    only to contexts it makes, or when asked: a context of the caller's may be shared with a
    client that speaks only HTTP/1.1, which a server answering in h2 would break.
    """
    if asked is None:
        return not isinstance(verify, ssl.SSLContext)
    return bool(asked)


def sends_as_given(args: Mapping[str, Any]) -> bool:
    """Whether the httpx client made of `args` sends a request just as it is given."""
    return not any(args.get(key) for key in _REQUEST_CHANGING_ARGS)


async def open_with_httpx(
    client: httpx.AsyncClient, request: PreparedRequest, headers: Mapping[str, str]
) -> httpx.Response:
    """The response to `request` through `client`, its body unread, redirects not followed
    (the transport follows them itself). `headers` are the client's and the request's."""
    built = client.build_request(
        request.method,
        request.url,
        params=request.query,
        headers=headers,
        content=request.content,
        timeout=_NO_TIMEOUT if request.timed else httpx.USE_CLIENT_DEFAULT,
    )
    return await client.send(built, stream=True, follow_redirects=False)


def as_httpx_response(response: Response, body: bytes, request: PreparedRequest) -> httpx.Response:
    """`response` as an `httpx.Response` holding its decoded `body`: what errors and downloads
    hand to the caller, as the official SDK does. A new response, so that its headers no longer
    describe the encoding the body came in."""
    if isinstance(response, httpx.Response):
        raw, sent, extensions = response.headers.raw, response.request, response.extensions
    else:
        assert isinstance(response, PooledResponse | Http2Response)
        raw = response.raw_headers
        sent = httpx.Request(request.method, request.url, params=request.query)
        extensions = response.extensions()
    return httpx.Response(
        response.status_code,
        headers=[(name, value) for name, value in raw if name.lower() not in _WIRE_HEADERS],
        content=body,
        request=sent,
        extensions=extensions,
    )


def _needs_httpx_pool(args: Mapping[str, Any]) -> bool:
    if any(args.get(key) for key in ("transport", "proxy", "mounts")):
        return True
    return bool(args.get("trust_env", True)) and _environment_has_proxies()


def _environment_has_proxies() -> bool:
    """Whether httpx (with `trust_env`) would send requests through a proxy: one is set for
    http, https or all schemes (urllib reads the environment, and the system settings on
    macOS and Windows, as httpx does), and `NO_PROXY` is not `*`."""
    found = urllib.request.getproxies()
    if any(host.strip() == "*" for host in found.get("no", "").split(",")):
        return False
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def _ssl_context(verify: Any, cert: Any, args: Mapping[str, Any]) -> ssl.SSLContext | None:
    """The pool's TLS context; None for httpx's default, which the pool makes when it first
    needs it. Any other is made here, so that a bad certificate file fails the client's start."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    trust_env = args.get("trust_env", True)
    if verify is True and cert is None and trust_env:
        return None
    return httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)


# `async_client_args` is shared with other transports (aiohttp, websockets): keep httpx's own.
_HTTPX_CLIENT_PARAMETERS = frozenset(inspect.signature(httpx.AsyncClient).parameters)
