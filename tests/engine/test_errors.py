import httpx
import pytest

from genaio import errors
from genaio.engine._errors import error_from_response, parse_duration, retry_delay


def response(status: int, body: bytes = b"", headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers or {})


def error_body(code: int, status: str, details: list | None = None) -> bytes:
    import json

    error = {"code": code, "message": f"{status} happened", "status": status}
    if details is not None:
        error["details"] = details
    return json.dumps({"error": error}).encode()


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        (400, "INVALID_ARGUMENT", errors.InvalidArgumentError),
        (401, "UNAUTHENTICATED", errors.UnauthenticatedError),
        (403, "PERMISSION_DENIED", errors.PermissionDeniedError),
        (404, "NOT_FOUND", errors.NotFoundError),
        (409, "ABORTED", errors.ClientError),
        (429, "RESOURCE_EXHAUSTED", errors.RateLimitError),
        (500, "INTERNAL", errors.ServerError),
        (503, "UNAVAILABLE", errors.ServiceUnavailableError),
        (504, "DEADLINE_EXCEEDED", errors.ServerError),
        (201, "OK", errors.APIError),
    ],
)
def test_every_status_maps_to_its_class(code, status, cls):
    error = error_from_response(response(code, error_body(code, status)), request_id="r1")
    assert type(error) is cls
    assert (error.code, error.status, error.message) == (code, status, f"{status} happened")
    assert error.details == {
        "error": {"code": code, "message": f"{status} happened", "status": status}
    }
    assert error.request_id == "r1"
    assert str(error).startswith(f"{code} {status}. ")
    assert isinstance(error, errors.ClientError) == (400 <= code < 500)
    assert isinstance(error, errors.ServerError) == (500 <= code < 600)


def test_a_non_json_body_keeps_its_text_and_reason():
    error = error_from_response(response(500, b"oops"))
    assert type(error) is errors.ServerError
    assert (error.code, error.status, error.message) == (500, "Internal Server Error", "oops")
    assert error.details == {"message": "oops", "status": "Internal Server Error"}


def test_an_empty_404():
    error = error_from_response(response(404))
    assert (error.code, error.status, error.message) == (404, "Not Found", "")


def test_retry_info_delay_is_parsed():
    details = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "53s"},
    ]
    error = error_from_response(response(429, error_body(429, "RESOURCE_EXHAUSTED", details)))
    assert isinstance(error, errors.RateLimitError)
    assert error.retry_delay == 53.0


def test_retry_after_header_when_no_retry_info():
    assert retry_delay({"error": {}}, httpx.Headers({"retry-after": "7"})) == 7.0
    assert retry_delay({"error": {}}, httpx.Headers({})) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("53s", 53.0),
        ("1.5s", 1.5),
        ("0s", 0.0),
        ({"seconds": 2, "nanos": 5e8}, 2.5),
        ("x", None),
        (3, None),
    ],
)
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("body", [{"error": None}, {"error": "quota"}, {"error": []}, "text"])
def test_an_error_body_of_another_shape_has_no_retry_delay(body):
    assert retry_delay(body, {"retry-after": "3"}) == 3.0
    assert retry_delay(body, None) is None
