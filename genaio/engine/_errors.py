"""The one place that turns what the server or the transport said into `genaio.errors`.

Everything here reads server input, and reads it totally: a value of any shape or type becomes
a typed error or a documented default (a delay it cannot read is no delay, None), never an
exception of its own. A server's delay is clamped to `MAX_RETRY_DELAY`.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from typing import Any

import httpx

from genaio import errors
from genaio.engine import _json

__all__ = [
    "MAX_RETRY_DELAY",
    "api_error",
    "error_from_response",
    "network_error",
    "parse_duration",
    "retry_delay",
    "timeout_error",
]

#: The longest wait a server may ask for, in seconds; a longer one (a day, 10**400 seconds) is
#: taken as this. Beyond the retry policy's `max_delay` a delay stops the retries anyway; the
#: bound keeps the arithmetic of deadlines and pauses finite.
MAX_RETRY_DELAY = 3600.0

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
        body = _json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"message": _text(response), "status": response.reason_phrase}
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


def _text(response: httpx.Response) -> str:
    """The body as text, in its declared charset if that is a text encoding (a server may name
    any codec; httpx's own `.text` lets a codec's exception through), else UTF-8."""
    content = response.content
    try:
        return content.decode(response.charset_encoding or "utf-8", errors="replace")
    except (LookupError, ValueError, TypeError):  # no such codec, or not one for text
        return content.decode("utf-8", errors="replace")


def timeout_error(seconds: float | None, *, request_id: str | None = None) -> errors.APIError:
    """The error for a server silent longer than the read timeout (`seconds`)."""
    return errors.DeadlineExceededError(seconds or 0.0, request_id=request_id)


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
    """A protobuf Duration in JSON (`"53s"`, `"1.5s"`, or `{"seconds": 3, "nanos": 0}` as some
    proxies send it) in seconds within [0, MAX_RETRY_DELAY], or None if it is not one."""
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
        if isinstance(seconds, str):  # an int64 travels as a string
            seconds = _number(seconds)
        seconds, nanos = _float(seconds), _float(nanos)
        if seconds is None or nanos is None:
            return None
        return _clamped(seconds + nanos / 1e9)
    if isinstance(value, str) and value.endswith("s"):
        return _clamped(_number(value[:-1]))
    return None


def _parse_retry_after(value: str) -> float | None:
    """`Retry-After`: seconds, or an HTTP date; None if it is neither."""
    seconds = _number(value)
    if seconds is not None:
        return _clamped(seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return _clamped(when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError, OSError):
        return None


def _float(value: Any) -> float | None:
    """A JSON number as a float (an integer too large for one is infinite), else None."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _number(text: str) -> float | None:
    """A decimal number written in ASCII (no `nan`, `inf`, `1_0` or other digits), or None."""
    text = text.strip()
    if not text.isascii() or not text or any(c not in "0123456789.+-eE" for c in text):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _clamped(seconds: float | None) -> float | None:
    """A delay in [0, MAX_RETRY_DELAY]; None for no number (NaN)."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_DELAY)
