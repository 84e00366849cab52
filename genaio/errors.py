"""The errors genaio raises: the official SDK's classes, with finer subclasses where they help.

`APIError` (and `ClientError` for 4xx, `ServerError` for 5xx) carry what the official SDK's do:
`code` (the HTTP status), `status` (the API's canonical code), `message`, `details` (the whole
parsed error body) and `response`. genaio adds `request_id`, `attempts` (how many times the
request was sent) and `retry_delay` (the server's `RetryInfo` delay in seconds, if any).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "ActorCrashedError",
    "ClientClosedError",
    "ClientError",
    "ContinuationInterruptedError",
    "DeadlineExceededError",
    "ExperimentalWarning",
    "FunctionInvocationError",
    "GenaioError",
    "InternalError",
    "InvalidArgumentError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueFullError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "StreamInterruptedError",
    "UnauthenticatedError",
    "UnknownApiResponseError",
    "UnknownFunctionCallArgumentError",
    "UnsupportedFunctionError",
]


class GenaioError(Exception):
    """Base of every error genaio raises on its own account."""


class APIError(GenaioError):
    """The API answered with an error, or the exchange with it failed."""

    code: int | None
    status: str | None
    message: str | None
    details: Any

    def __init__(
        self,
        code: int | None,
        response_json: Any,
        response: Any = None,
        *,
        request_id: str | None = None,
        attempts: int = 1,
        retry_delay: float | None = None,
    ) -> None:
        self.response = response
        self.details = response_json
        self.request_id = request_id
        self.attempts = attempts
        self.retry_delay = retry_delay
        error = _error_object(response_json)
        self.code = code if code is not None else _as_int(error.get("code"))
        self.status = error.get("status")
        self.message = error.get("message")
        super().__init__(f"{self.code} {self.status}. {self.details}")

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (type(self), self.code, self.details, self.request_id, self.attempts, self.retry_delay),
        )


def _rebuild(cls: type[APIError], code: Any, details: Any, *extra: Any) -> APIError:
    request_id, attempts, retry_delay = extra
    return cls(code, details, request_id=request_id, attempts=attempts, retry_delay=retry_delay)


def _error_object(response_json: Any) -> dict[str, Any]:
    if isinstance(response_json, dict):
        inner = response_json.get("error", response_json)
        if isinstance(inner, dict):
            return inner
    return {}


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ClientError(APIError):
    """A 4xx answer: the request itself is wrong, or not allowed now."""


class InvalidArgumentError(ClientError):
    """400 INVALID_ARGUMENT / FAILED_PRECONDITION."""


class UnauthenticatedError(ClientError):
    """401: the API key or token is missing or invalid."""


class PermissionDeniedError(ClientError):
    """403: the credentials may not do this."""


class NotFoundError(ClientError):
    """404: no such model, file, cache or operation."""


class RateLimitError(ClientError):
    """429 RESOURCE_EXHAUSTED; `retry_delay` holds the server's RetryInfo delay in seconds."""


class ServerError(APIError):
    """A 5xx answer: the service failed."""


class ServiceUnavailableError(ServerError):
    """503 UNAVAILABLE ("The model is overloaded")."""


class NetworkError(APIError):
    """The exchange failed below HTTP (connect, reset, protocol error) after every retry.

    `code` is None; the transport's own exception is the `__cause__`.
    """

    def __init__(self, message: str, *, attempts: int = 1, request_id: str | None = None) -> None:
        super().__init__(
            None,
            {"error": {"message": message, "status": "UNAVAILABLE"}},
            request_id=request_id,
            attempts=attempts,
        )


class DeadlineExceededError(APIError, TimeoutError):
    """The call's own timeout (`HttpOptions.timeout`) ran out before the answer came."""

    def __init__(self, timeout: float, *, request_id: str | None = None) -> None:
        super().__init__(
            None,
            {
                "error": {
                    "message": f"no answer within {timeout:g} s",
                    "status": "DEADLINE_EXCEEDED",
                }
            },
            request_id=request_id,
        )


class ClientClosedError(GenaioError, RuntimeError):
    """The client was closed: by `aclose()`, before or while this call waited."""


class InternalError(GenaioError, RuntimeError):
    """genaio failed on this call: an unexpected exception (a bug, or an answer it could not
    handle) while serving it; the cause is chained. Only this call failed: the actor serving it
    goes on serving. The call was not necessarily sent; retrying it is safe only if the call is
    idempotent."""


class ActorCrashedError(InternalError):
    """The actor serving this call crashed on a bug in its own loop (not in one call's work);
    the cause is chained, and every call it held got this error. The call was not necessarily
    sent; retrying it is safe only if the call is idempotent."""


class StreamInterruptedError(GenaioError, RuntimeError):
    """A stream ended before the server ended it: the client was closed, the stream was closed
    while another task read it, or the work pumping it stopped. The chunks that arrived were
    delivered; the answer is incomplete."""


class ContinuationInterruptedError(StreamInterruptedError):
    """A streamed interaction stopped before its end and could not be resumed from where it
    stopped. It carries what resuming takes: the interaction so far, the continuation token
    and ids the server last gave, so a caller can continue it by hand."""

    def __init__(
        self,
        message: str,
        *,
        partial_interaction: Any = None,
        continuation_token: str | None = None,
        interaction_id: str | None = None,
        continuation_ids: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.partial_interaction = partial_interaction
        self.continuation_token = continuation_token
        self.interaction_id = interaction_id
        self.continuation_ids = continuation_ids


class ExperimentalWarning(Warning):
    """A feature the API marks experimental was used: its shape may still change."""


class UnknownApiResponseError(GenaioError, ValueError):
    """The server's answer is not the JSON it should be (a malformed or oversized body)."""


class QueueFullError(ServiceUnavailableError):
    """genaio refused the call before sending it: the family's queue was full past its
    shedding policy (`FamilyLimits.max_waiting`, `max_wait`, `when_full="fail"`, or
    `genaio.fail_fast()`). Nothing was sent; `code` is None. Retrying later is safe."""

    def __init__(self, message: str) -> None:
        super().__init__(None, {"error": {"message": message, "status": "UNAVAILABLE"}})

    def __reduce__(self) -> Any:
        return (type(self), (self.message,))


class UnknownFunctionCallArgumentError(GenaioError, ValueError):
    """A function call's argument does not fit the function's annotation. Automatic function
    calling sends its message back to the model as the call's error."""


class UnsupportedFunctionError(GenaioError, ValueError):
    """A function cannot be used as a tool."""


class FunctionInvocationError(GenaioError, ValueError):
    """A function called for the model raised. Automatic function calling sends its message
    back to the model as the call's error."""
