import pytest
import trio

from genaio.engine import RateLimit, RateLimiter
from genaio.engine._ratelimit import TokenBucket


def test_bucket_reservations_queue_in_order():
    bucket = TokenBucket.full(60, now=0.0)  # one a second
    assert [bucket.reserve(1, 0.0) for _ in range(60)] == [0.0] * 60
    assert bucket.reserve(1, 0.0) == pytest.approx(1.0)
    assert bucket.reserve(1, 0.0) == pytest.approx(2.0)
    assert bucket.reserve(1, 10.0) == pytest.approx(0.0)  # refilled meanwhile


def test_a_cost_larger_than_the_bucket_waits_for_a_full_bucket_only():
    bucket = TokenBucket.full(100, now=0.0)
    assert bucket.reserve(1000, 0.0) == 0.0
    assert bucket.reserve(1000, 0.0) == pytest.approx(60.0)


def test_a_delay_foretells_a_reservation_and_takes_nothing():
    bucket = TokenBucket.full(60, now=0.0)  # one a second
    assert bucket.delay(1, 0.0) == 0.0
    bucket.reserve(60, 0.0)
    assert bucket.delay(1, 0.0) == pytest.approx(1.0)
    assert bucket.delay(1, 0.5, ahead=2) == pytest.approx(2.5)
    assert bucket.delay(1, 0.5) == pytest.approx(0.5)  # the delays above took nothing
    assert bucket.reserve(1, 0.5) == pytest.approx(0.5)


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        RateLimit(requests_per_minute=0)


async def test_requests_per_minute_on_the_loop_clock(autojump_clock):
    limiter = RateLimiter(RateLimit(requests_per_minute=10))
    times = []
    for _ in range(12):
        await limiter.acquire(1)
        times.append(trio.current_time())
    assert times[:10] == [0.0] * 10
    assert times[10:] == pytest.approx([6.0, 12.0])


async def test_tokens_per_minute(autojump_clock):
    limiter = RateLimiter(RateLimit(tokens_per_minute=1000))
    await limiter.acquire(800)
    await limiter.acquire(400)
    assert trio.current_time() == pytest.approx(12.0)


async def test_a_cancelled_wait_gives_its_reservation_back(autojump_clock):
    limiter = RateLimiter(RateLimit(requests_per_minute=1))
    await limiter.acquire(1)
    with trio.move_on_after(1):
        await limiter.acquire(1)  # would wait 60 s
    await limiter.acquire(1)
    assert trio.current_time() == pytest.approx(60.0)


async def test_without_burst_the_buckets_start_empty(autojump_clock):
    """Against a server that counts per minute, a full bucket at the start is a minute's
    requests at once, counted on top of the steady rate that follows: 429s."""
    limiter = RateLimiter(RateLimit(requests_per_minute=60, burst=False))
    times = []
    for _ in range(3):
        await limiter.acquire(1)
        times.append(trio.current_time())
    assert times == pytest.approx([1.0, 2.0, 3.0])


def test_a_held_bucket_refills_nothing_until_the_hold_ends():
    now = [0.0]
    limiter = RateLimiter(RateLimit(requests_per_minute=60, burst=False), clock=lambda: now[0])
    assert limiter.reserve(1) == pytest.approx(1.0)  # empty: the first waits a second
    now[0] = 1.0
    limiter.hold(31.0)  # a 429 paused the quota for 30 s
    now[0] = 31.0
    # Nothing saved up during the pause: one a second from its end, not a burst of 30.
    assert [limiter.reserve(1) for _ in range(3)] == pytest.approx([1.0, 2.0, 3.0])
    assert limiter.delay(1, start=40.0) == pytest.approx(0.0)  # refilling again


def test_with_burst_a_hold_changes_nothing():
    now = [0.0]
    limiter = RateLimiter(RateLimit(requests_per_minute=60), clock=lambda: now[0])
    limiter.hold(30.0)
    assert [limiter.reserve(1) for _ in range(60)] == [0.0] * 60
