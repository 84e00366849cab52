"""The one place that turns what the server or the transport said into `genaio.errors`."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from genaio import errors

__all__ = ["api_error", "error_from_response", "network_error", "parse_duration", "retry_delay"]

_BY_STATUS: dict[int, type[errors.APIError]] = {
    400: errors.InvalidArgumentError,
    401: errors.UnauthenticatedError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    429: errors.RateLimitError,
    503: errors.ServiceUnavailableError,
}


def api_error(
    code: int,
    body: Any,
    *,
    response: Any = None,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
    attempts: int = 1,
) -> errors.APIError:
    """The typed error for an HTTP status and a parsed error body."""
    if code in _BY_STATUS:
        cls = _BY_STATUS[code]
    elif 400 <= code < 500:
        cls = errors.ClientError
    elif 500 <= code < 600:
        cls = errors.ServerError
    else:
        cls = errors.APIError
    return cls(
        code,
        body,
        response,
        request_id=request_id,
        attempts=attempts,
        retry_delay=retry_delay(body, headers),
    )


def error_from_response(
    response: httpx.Response, *, request_id: str | None = None, attempts: int = 1
) -> errors.APIError:
    """The typed error for a non-200 response whose body has been read."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"message": response.text, "status": response.reason_phrase}
    return api_error(
        response.status_code,
        body,
        response=response,
        headers=response.headers,
        request_id=request_id,
        attempts=attempts,
    )


def network_error(
    exc: httpx.TransportError | httpx.DecodingError,
    *,
    request_id: str | None = None,
    attempts: int = 1,
) -> errors.NetworkError:
    """A transport failure below HTTP, with the transport's exception as its cause."""
    error = errors.NetworkError(
        f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        attempts=attempts,
        request_id=request_id,
    )
    error.__cause__ = exc
    return error


def retry_delay(body: Any, headers: Mapping[str, str] | None) -> float | None:
    """The server's requested wait: `RetryInfo.retryDelay` in the body, else `Retry-After`."""
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    if isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict) and str(detail.get("@type", "")).endswith(".RetryInfo"):
                delay = parse_duration(detail.get("retryDelay"))
                if delay is not None:
                    return delay
    if headers is not None and (value := headers.get("retry-after")):
        return _parse_retry_after(value)
    return None


def parse_duration(value: Any) -> float | None:
    """A protobuf Duration in JSON (`"53s"`, `"1.5s"`), or None if it is not one."""
    if isinstance(value, dict):  # {"seconds": 3, "nanos": 0}, as some proxies send it
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    if isinstance(value, str) and value.endswith("s"):
        try:
            return max(0.0, float(value[:-1]))
        except ValueError:
            return None
    return None


def _parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
