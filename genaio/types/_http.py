"""Transport options, as the official SDK's `HttpOptions` and `HttpRetryOptions` spell them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainValidator

from genaio.types._base import WireModel
from genaio.types._enums import WireEnum

__all__ = ["HttpOptions", "HttpOptionsDict", "HttpRetryOptions", "ResourceScope"]


class ResourceScope(WireEnum):
    """What a `base_url` already names: `COLLECTION` means it ends at the resource collection,
    so no API version, project or location is added to the path."""

    COLLECTION = "COLLECTION"


def _httpx_instance(class_name: str) -> Callable[[Any], Any]:
    """A validator for an httpx client that does not import httpx (a caller that has one has
    imported it; a config that has none need not pay for it)."""

    def validate(value: Any) -> Any:
        module = sys.modules.get("httpx")
        if module is None or not isinstance(value, getattr(module, class_name)):
            raise ValueError(f"expected an httpx.{class_name}, got {type(value).__name__}")
        return value

    return validate


if TYPE_CHECKING:
    from httpx import AsyncClient as HttpxAsyncClient
    from httpx import Client as HttpxClient
else:
    HttpxClient = Annotated[Any, PlainValidator(_httpx_instance("Client"))]
    HttpxAsyncClient = Annotated[Any, PlainValidator(_httpx_instance("AsyncClient"))]


class HttpRetryOptions(WireModel):
    """How failed requests are retried. genaio retries by default; `attempts=1` turns it off.

    Unset fields take the defaults of the engine: 5 attempts, 1 s initial delay doubling up to
    60 s, up to 1 s of jitter, on 408/429/500/502/503/504 and connection errors. A server's
    `Retry-After` or `RetryInfo.retryDelay` replaces the computed wait.
    """

    attempts: int | None = None
    initial_delay: float | None = None
    max_delay: float | None = None
    exp_base: float | None = None
    jitter: float | None = None
    http_status_codes: list[int] | None = None


class HttpOptions(WireModel):
    """Where and how requests go. `timeout` is in milliseconds, as in the official SDK."""

    base_url: str | None = None
    base_url_resource_scope: ResourceScope | None = None
    api_version: str | None = None
    headers: dict[str, str] | None = None
    timeout: int | None = None
    client_args: dict[str, Any] | None = None
    async_client_args: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = None
    retry_options: HttpRetryOptions | None = None
    httpx_client: HttpxClient | None = None
    httpx_async_client: HttpxAsyncClient | None = None
    aiohttp_client: Any | None = None


HttpOptionsDict = dict[str, Any]
