"""Retries on trio's MockClock: the waits taken are the ones the policy and the server ask."""

import itertools
import random

import httpx
import pytest
import trio

from genaio import errors
from genaio.engine import ApiKeyAuth, EngineConfig, HttpTransport, RestCall, RetryPolicy
from tests.helpers import GENERATE_OK, error_json, json_response, retry_info

CALL = RestCall("POST", "models/m:generateContent", body={"contents": []})


def transport(handler, **policy) -> HttpTransport:
    config = EngineConfig(
        base_url="https://example.test/",
        api_version="v1",
        retry=RetryPolicy(**policy),
        injected_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    return HttpTransport(config, ApiKeyAuth("k"), rng=random.Random(7))


def scripted(*answers):
    """A handler that answers from the script, recording the loop time of each request."""
    times: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        times.append(trio.current_time())
        answer = answers[len(times) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, times


async def test_server_errors_are_retried_with_exponential_backoff(autojump_clock):
    handler, times = scripted(
        json_response(503, error_json(503, "UNAVAILABLE")),
        json_response(500, error_json(500, "INTERNAL")),
        json_response(200, GENERATE_OK),
    )
    answer = await transport(handler, jitter=0).send(CALL)
    assert answer.data == GENERATE_OK
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([1.0, 2.0])


async def test_retry_info_replaces_the_backoff(autojump_clock):
    handler, times = scripted(
        json_response(429, error_json(429, "RESOURCE_EXHAUSTED", details=retry_info(7))),
        json_response(200, GENERATE_OK),
    )
    await transport(handler).send(CALL)
    assert times[1] - times[0] == pytest.approx(7.0)


async def test_retry_after_header_is_honoured(autojump_clock):
    handler, times = scripted(
        json_response(503, error_json(503, "UNAVAILABLE"), headers={"retry-after": "3"}),
        json_response(200, GENERATE_OK),
    )
    await transport(handler).send(CALL)
    assert times[1] - times[0] == pytest.approx(3.0)


async def test_jitter_comes_from_the_injected_rng(autojump_clock):
    handler, times = scripted(
        json_response(503, error_json(503, "UNAVAILABLE")), json_response(200, GENERATE_OK)
    )
    await transport(handler, jitter=1.0).send(CALL)
    assert times[1] - times[0] == pytest.approx(1.0 + random.Random(7).random())


async def test_attempts_run_out_with_the_last_error_and_its_count(autojump_clock):
    handler, times = scripted(*[json_response(503, error_json(503, "UNAVAILABLE"))] * 3)
    with pytest.raises(errors.ServiceUnavailableError) as caught:
        await transport(handler, attempts=3).send(CALL)
    assert caught.value.attempts == 3
    assert len(times) == 3


async def test_a_server_delay_beyond_max_delay_fails_at_once(autojump_clock):
    handler, times = scripted(
        json_response(429, error_json(429, "RESOURCE_EXHAUSTED", details=retry_info(3600)))
    )
    with pytest.raises(errors.RateLimitError) as caught:
        await transport(handler).send(CALL)
    assert caught.value.retry_delay == 3600
    assert len(times) == 1
    assert trio.current_time() == 0


async def test_a_wait_past_the_deadline_fails_at_once(autojump_clock):
    handler, times = scripted(
        json_response(503, error_json(503, "UNAVAILABLE")), json_response(200, GENERATE_OK)
    )
    with pytest.raises(errors.ServiceUnavailableError):
        await transport(handler, jitter=0, initial_delay=5).send(CALL, deadline=3.0)
    assert len(times) == 1


async def test_client_errors_are_not_retried(autojump_clock):
    handler, times = scripted(json_response(400, error_json(400, "INVALID_ARGUMENT")))
    with pytest.raises(errors.InvalidArgumentError):
        await transport(handler).send(CALL)
    assert len(times) == 1


async def test_one_attempt_means_no_retry(autojump_clock):
    handler, times = scripted(json_response(503, error_json(503, "UNAVAILABLE")))
    with pytest.raises(errors.ServiceUnavailableError):
        await transport(handler, attempts=1).send(CALL)
    assert len(times) == 1


async def test_network_errors_are_retried_and_typed(autojump_clock):
    handler, times = scripted(
        httpx.ReadError("reset"), httpx.ConnectError("refused"), json_response(200, GENERATE_OK)
    )
    assert (await transport(handler).send(CALL)).data == GENERATE_OK
    assert len(times) == 3
    handler, _ = scripted(*[httpx.ReadError("reset")] * 2)
    with pytest.raises(errors.NetworkError) as caught:
        await transport(handler, attempts=2).send(CALL)
    assert isinstance(caught.value.__cause__, httpx.ReadError)


async def test_a_request_that_may_have_arrived_is_not_repeated_unless_idempotent(autojump_clock):
    handler, _ = scripted(httpx.ReadError("reset"), json_response(200, GENERATE_OK))
    create = RestCall("POST", "cachedContents", body={}, idempotent=False)
    with pytest.raises(errors.NetworkError):
        await transport(handler).send(create)
    handler, _ = scripted(httpx.ConnectError("refused"), json_response(200, GENERATE_OK))
    assert (await transport(handler).send(create)).data == GENERATE_OK


async def test_a_stream_is_retried_only_before_it_opens(autojump_clock):
    body = b'data: {"a": 1}\r\n\r\n{"error": {"code": 503, "status": "UNAVAILABLE"}}\n'
    handler, times = scripted(
        json_response(503, error_json(503, "UNAVAILABLE")), httpx.Response(200, content=body)
    )
    seen = []
    with pytest.raises(errors.ServiceUnavailableError):
        async with transport(handler).open_stream(CALL) as events:
            async for event in events:
                seen.append(event)
    assert seen == [{"a": 1}]
    assert len(times) == 2
