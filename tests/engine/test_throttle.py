"""Per-quota admission on trio's MockClock: pauses, the adaptive limit, deadlines, token
corrections."""

import math
import random

import pytest
import trio
import trio.testing

from genaio.engine import RateLimit, Throttle
from genaio.engine._throttle import QUOTA_PAUSE, Gradient
from genaio.errors import (
    DeadlineExceededError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
)
from tests.helpers import GENERATE_OK, error_json, json_response, mock_client, retry_info


def rate_limited(seconds: float) -> RateLimitError:
    return RateLimitError(429, error_json(429, "RESOURCE_EXHAUSTED"), retry_delay=seconds)


async def fail_with(throttle: Throttle, error: Exception) -> None:
    with pytest.raises(type(error)):
        async with throttle.attempt(1):
            raise error


async def test_a_retry_delay_pauses_every_attempt(autojump_clock):
    throttle = Throttle(None, max_concurrency=10)
    await fail_with(throttle, rate_limited(10))
    assert throttle.statistics().paused_for == pytest.approx(10)
    async with throttle.attempt(1):
        assert trio.current_time() == pytest.approx(10)


def test_scattered_failures_leave_the_limit_alone():
    gradient = Gradient(100)
    rng = random.Random(7)
    for _ in range(5000):  # 5% failures, steady latency, the limit full
        if rng.random() < 0.05:
            gradient.failed()
        else:
            gradient.succeeded(0.2, in_flight=100)
    assert gradient.limit == 100


def test_sustained_failures_close_the_limit_down_and_successes_open_it_again():
    gradient = Gradient(100)
    for _ in range(200):
        gradient.failed()
    assert gradient.limit == 1
    steps = 0
    while gradient.limit < 100:
        gradient.succeeded(0.2, in_flight=max(1, int(gradient.limit)))
        steps += 1
    # Back to full once the failures have faded from the window, and then quickly.
    assert steps < 300


def test_climbing_latency_shrinks_the_limit_and_steady_latency_holds_it():
    gradient = Gradient(100)
    for _ in range(1000):
        gradient.succeeded(0.2, in_flight=100)
    assert gradient.limit == 100
    for _ in range(30):  # the service queues: latency five times its usual
        gradient.succeeded(1.0, in_flight=100)
    assert gradient.limit < 70
    for _ in range(2000):  # the new latency becomes the usual: the limit grows back
        gradient.succeeded(1.0, in_flight=int(gradient.limit))
    assert gradient.limit == 100


def test_a_limit_the_callers_do_not_use_is_not_judged():
    gradient = Gradient(100)
    gradient.succeeded(0.2, in_flight=10)
    for _ in range(50):
        gradient.succeeded(5.0, in_flight=10)
    assert gradient.limit == 100


async def test_a_429_pauses_the_quota_and_a_5xx_does_not_halve_the_limit(autojump_clock):
    throttle = Throttle(None, max_concurrency=8)
    await fail_with(throttle, ServiceUnavailableError(503, {}))
    await fail_with(throttle, ServerError(500, {}))
    await fail_with(throttle, rate_limited(0))  # no RetryInfo: a short pause all the same
    stats = throttle.statistics()
    assert (stats.limit, stats.rate_limited, stats.overloaded) == (8, 1, 2)
    assert stats.paused_until == pytest.approx(QUOTA_PAUSE)
    async with throttle.attempt(1):
        assert trio.current_time() == pytest.approx(QUOTA_PAUSE)
    assert throttle.statistics().paused_until is None


async def test_adaptive_off_holds_the_limit_at_its_maximum(autojump_clock):
    throttle = Throttle(None, max_concurrency=8, adaptive=False)
    for _ in range(200):
        await fail_with(throttle, ServiceUnavailableError(503, {}))
    assert throttle.statistics().limit == 8
    adaptive = Throttle(None, max_concurrency=8)
    for _ in range(200):
        await fail_with(adaptive, ServiceUnavailableError(503, {}))
    assert adaptive.statistics().limit == 1


async def test_a_pause_that_ends_past_the_deadline_fails_at_once(autojump_clock):
    throttle = Throttle(None, max_concurrency=8)
    throttle.pause(60)
    with pytest.raises(RateLimitError) as caught:
        await throttle.enter(1, deadline=10)
    assert caught.value.retry_delay == pytest.approx(60)
    assert trio.current_time() == 0
    # A deadline past the pause's end waits it out.
    admitted = await throttle.enter(1, deadline=61)
    assert trio.current_time() == pytest.approx(60)
    throttle.exit(admitted, None)
    assert throttle.statistics().waiting == 0


async def test_a_rate_that_would_wait_past_the_deadline_fails_at_once(autojump_clock):
    throttle = Throttle(RateLimit(requests_per_minute=1), max_concurrency=8)
    async with throttle.attempt(1):
        pass
    with pytest.raises(DeadlineExceededError):
        await throttle.enter(1, deadline=30)  # the next request may go at 60 s
    assert trio.current_time() == 0
    async with throttle.attempt(1, deadline=61):  # nothing was taken by the refusal
        assert trio.current_time() == pytest.approx(60)


async def test_attempts_beyond_the_window_wait_for_a_slot(nursery):
    throttle = Throttle(None, max_concurrency=2)
    release = trio.Event()
    entered = []

    async def hold(i):
        async with throttle.attempt(1):
            entered.append(i)
            await release.wait()

    for i in range(3):
        nursery.start_soon(hold, i)
    await trio.testing.wait_all_tasks_blocked()
    assert len(entered) == 2 and throttle.statistics().waiting == 1
    release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert len(entered) == 3 and throttle.statistics().in_flight == 0


async def test_a_cancelled_waiter_leaves_no_slot_taken(nursery):
    throttle = Throttle(None, max_concurrency=1)
    release = trio.Event()

    async def hold():
        async with throttle.attempt(1):
            await release.wait()

    nursery.start_soon(hold)
    await trio.testing.wait_all_tasks_blocked()
    with trio.move_on_after(1):
        async with throttle.attempt(1):
            pytest.fail("admitted past the window")
    release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert throttle.statistics().in_flight == 0
    async with throttle.attempt(1):
        pass


async def test_the_tokens_an_answer_reports_correct_the_estimate(autojump_clock):
    throttle = Throttle(RateLimit(tokens_per_minute=600), max_concurrency=10)
    async with throttle.attempt(10) as attempt:
        attempt.used(610)  # the estimate was far too low: the bucket is now 10 in debt
    async with throttle.attempt(10):
        assert trio.current_time() == pytest.approx(2.0)  # 20 tokens at 10 a second


async def test_a_429_pauses_the_other_callers_of_the_same_model(nursery, autojump_clock):
    sent = []

    def server(request):
        sent.append((request.content.decode().count("first"), trio.current_time()))
        if len(sent) == 1:
            return json_response(429, error_json(429, "RESOURCE_EXHAUSTED", details=retry_info(5)))
        return json_response(200, GENERATE_OK)

    client = mock_client(server)
    nursery.start_soon(lambda: client.aio.models.generate_content(model="m", contents="first"))
    await trio.testing.wait_all_tasks_blocked()
    await client.aio.models.generate_content(model="m", contents="second")
    # The first call's 429 paused model m for 5 s: the second call waited, and the first's
    # retry went after the same pause.
    assert sorted(t for _, t in sent[1:]) == [pytest.approx(5), pytest.approx(5)]
    await client.aio.aclose()


async def test_a_per_day_quota_is_waited_out_not_hammered(autojump_clock):
    sent = []
    per_day = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}],
        },
        *retry_info(3600),
    ]

    def server(request):
        sent.append(trio.current_time())
        if len(sent) == 1:
            return json_response(429, error_json(429, "RESOURCE_EXHAUSTED", details=per_day))
        return json_response(200, GENERATE_OK)

    client = mock_client(server)
    # The reset is an hour away, past any retry's max_delay: the caller hears at once...
    with pytest.raises(RateLimitError) as caught:
        await client.aio.models.generate_content(model="m", contents="Hi")
    assert caught.value.retry_delay == 3600 and trio.current_time() == 0
    # ...and the model is paused until the reset: the next call waits for it, sending nothing.
    await client.aio.models.generate_content(model="m", contents="again")
    assert sent == [0, pytest.approx(3600)]
    await client.aio.aclose()


async def test_ready_at_says_when_the_rate_and_a_pause_would_admit_without_taking(
    autojump_clock,
):
    throttle = Throttle(RateLimit(requests_per_minute=2), max_concurrency=10)
    assert throttle.ready_at(1) == -math.inf
    async with throttle.attempt(1):
        pass
    assert throttle.ready_at(1) == -math.inf
    assert throttle.ready_at(1, ahead=1) == pytest.approx(30.0)
    async with throttle.attempt(1):
        pass
    assert throttle.ready_at(1) == pytest.approx(30.0)
    assert throttle.ready_at(1) == pytest.approx(30.0)  # asking took nothing
    await fail_with(throttle, rate_limited(100))  # admitted at 30 s
    assert throttle.ready_at(1) == pytest.approx(130.0)
    assert Throttle(None, max_concurrency=1).ready_at(10**9) == -math.inf


async def test_attempts_waiting_out_a_pause_are_ahead_of_what_ready_at_asks(
    nursery, autojump_clock
):
    throttle = Throttle(RateLimit(requests_per_minute=2), max_concurrency=10)
    throttle.pause(10)

    async def waits_out_the_pause() -> None:
        async with throttle.attempt(1):
            pass

    nursery.start_soon(waits_out_the_pause)
    nursery.start_soon(waits_out_the_pause)
    await trio.testing.wait_all_tasks_blocked()
    # The two take the full bucket at 10 s; the next request is 30 s later.
    assert throttle.ready_at(1) == pytest.approx(40.0)
    await trio.sleep(20)
    assert throttle.ready_at(1) == pytest.approx(40.0)
