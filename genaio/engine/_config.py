"""What the engine needs to know to talk to one backend: frozen, resolved once per client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "CONNECT_TIMEOUT",
    "KEEPALIVE_EXPIRY",
    "MAX_DIALS",
    "MAX_REDIRECTS",
    "READ_TIMEOUT",
    "CallOptions",
    "EngineConfig",
    "RetryPolicy",
]

RETRYABLE_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})

#: Default bounds, in seconds, so that no call waits forever unless asked to (docs/reliability.md).
#: Opening a connection (TCP and TLS): a reachable server takes milliseconds.
CONNECT_TIMEOUT = 10.0
#: A silent server: sending a request and receiving its response head, then each wait for more
#: of the body. The API's own deadline for a call is 10 minutes; a server silent longer is gone.
#: A call with its own timeout (`HttpOptions.timeout`) is bounded by that instead.
READ_TIMEOUT = 600.0
#: An idle pooled connection is closed after this long: below the shortest keep-alive timeout
#: common servers use (5 s: Node.js, uvicorn, Apache), so that the client closes it first and
#: never sends a request on a connection the server is closing.
KEEPALIVE_EXPIRY = 4.0
#: Connections being opened (TCP and TLS) at once per origin; more requests wait for a turn, or
#: for a connection that comes free first. Enough to keep the handshakes of a burst going while
#: the machine does little else, far from the thousands that outlast the connect timeout on a
#: busy one (docs/performance.md, "Cold fan-out over TLS").
MAX_DIALS = 64
#: Same-origin redirects followed for one request; one more is an error.
MAX_REDIRECTS = 5


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter; a server-sent delay replaces the computed wait.

    `attempts` counts the first try, so `attempts=1` means no retry.
    """

    attempts: int = 5
    initial_delay: float = 1.0
    max_delay: float = 60.0
    exp_base: float = 2.0
    jitter: float = 1.0
    status_codes: frozenset[int] = RETRYABLE_STATUS_CODES

    def backoff(self, attempt: int, uniform: float) -> float:
        """The wait after failed attempt number `attempt` (1-based), `uniform` in [0, 1)."""
        exponential = self.initial_delay * self.exp_base ** (attempt - 1)
        return min(exponential + uniform * self.jitter, self.max_delay)


@attrs.frozen
class EngineConfig:
    """Where requests go and how they are authenticated, sent and retried."""

    base_url: str
    api_version: str
    vertex: bool = False
    project: str | None = None
    location: str | None = None
    #: Vertex AI with an API key ("express mode"): no project/location prefix.
    express: bool = False
    #: Prefix no version/project/location (`base_url_resource_scope=COLLECTION`).
    collection_scope: bool = False
    headers: Mapping[str, str] = attrs.field(factory=dict)
    #: Seconds; None waits as long as the server takes.
    timeout: float | None = None
    retry: RetryPolicy = RetryPolicy()
    #: Extra fields merged into every JSON body (`HttpOptions.extra_body`).
    extra_body: Mapping[str, Any] | None = None
    #: Keyword arguments for `httpx.AsyncClient` (`HttpOptions.async_client_args`).
    client_args: Mapping[str, Any] = attrs.field(factory=dict)
    #: A caller-owned `httpx.AsyncClient`; genaio uses it and never closes it.
    injected_client: Any = None


@attrs.frozen
class CallOptions:
    """A per-call override (`config.http_options`): headers merge, the rest replace."""

    base_url: str | None = None
    api_version: str | None = None
    headers: Mapping[str, str] | None = None
    timeout: float | None = None
    retry: RetryPolicy | None = None
    extra_body: Mapping[str, Any] | None = None
