"""The shared quota's decisions, against a real redis-server, on trio and asyncio."""

from __future__ import annotations

import datetime
import logging
import math

import anyio
import pytest

import genaio
from genaio.engine import RateLimit, Throttle
from genaio.engine._redis_quota import RedisQuota, RedisRateLimiter
from genaio.engine._resp import RedisError
from genaio.errors import DeadlineExceededError

pytestmark = pytest.mark.anyio


def limiter(
    url: str, model: str = "m", clock=anyio.current_time, spawn=None, **quota
) -> RedisRateLimiter:
    rate = quota.pop("rate", RateLimit(requests_per_minute=60))
    return RedisQuota(url, project="p", **quota).limiter(model, rate, clock, spawn=spawn)


async def test_requests_per_minute_fill_a_minute_then_pace(redis_server):
    a = limiter(redis_server.url)
    waits = [(await a._reserve(1, 0))[1] for _ in range(62)]
    assert waits[:60] == [0.0] * 60  # one minute's allowance, at once
    assert waits[60] == pytest.approx(1.0, abs=0.3)  # then one a second
    assert waits[61] == pytest.approx(2.0, abs=0.3)
    assert a.round_trips == 62
    await a.aclose()


async def test_a_unix_socket_url(redis_server):
    a = limiter(redis_server.unix_url)
    assert await a._reserve(1, 0) == (True, 0.0)
    await a.aclose()


async def test_processes_share_one_bucket_and_a_cost_is_capped_at_a_minute(redis_server):
    rate = RateLimit(tokens_per_minute=600)
    a, b = (limiter(redis_server.url, rate=rate) for _ in range(2))
    assert (await a._reserve(1, 300))[1] == 0.0
    assert (await b._reserve(1, 300))[1] == 0.0
    # The bucket is empty; a cost of 10 minutes is charged as one whole minute.
    assert (await b._reserve(1, 6000))[1] == pytest.approx(60.0, abs=0.3)
    assert b.delay(60) == pytest.approx(66.0, abs=0.3)  # the estimate from b's last reply
    await a.aclose()
    await b.aclose()


async def test_corrections_ride_on_the_next_reservation(redis_server):
    a = limiter(redis_server.url, rate=RateLimit(tokens_per_minute=600))
    assert (await a._reserve(1, 600))[1] == 0.0
    a.charge_tokens(-300)  # the answer used half the estimate
    a.refund(100)  # and a reservation of 100 was cancelled
    assert a.round_trips == 1  # nothing sent yet
    # 400 back: a reservation of 400 fits, and the next 60 waits 6 s.
    assert (await a._reserve(1, 400))[1] == 0.0
    assert (await a._reserve(1, 60))[1] == pytest.approx(6.0, abs=0.3)
    await a.aclose()


async def test_a_skewed_clock_changes_nothing(redis_server):
    """The script reads Redis's clock: a process whose clock is an hour off waits the same."""
    skewed = limiter(redis_server.url, clock=lambda: anyio.current_time() + 3600.0)
    right = limiter(redis_server.url)
    for _ in range(30):
        await skewed._reserve(1, 0)
        await right._reserve(1, 0)
    assert (await skewed._reserve(1, 0))[1] == pytest.approx(1.0, abs=0.3)
    assert (await right._reserve(1, 0))[1] == pytest.approx(2.0, abs=0.3)
    # Each one's estimate (from its last reply) is right on its own clock.
    assert skewed.delay(0) == pytest.approx(2.0, abs=0.3)
    assert right.delay(0) == pytest.approx(3.0, abs=0.3)
    await skewed.aclose()
    await right.aclose()


async def test_requests_per_day_wait_for_midnight_pacific(redis_server):
    a = limiter(redis_server.url, requests_per_day={"m": 2}, rate=None)
    assert await a._reserve(1, 0) == (True, 0.0)
    assert await a._reserve(1, 0) == (True, 0.0)
    granted, wait = await a._reserve(1, 0)
    pacific = datetime.datetime.now(genaio.engine._redis_quota._DAY_ZONE)
    midnight = (pacific + datetime.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert not granted
    assert wait == pytest.approx((midnight - pacific).total_seconds(), abs=5.0)
    assert a.delay(0) == pytest.approx(wait, abs=5.0)  # a caller's deadline check sees it
    # A cancelled request gives its count back.
    a.refund(0)
    assert await a._reserve(1, 0) == (True, 0.0)
    await a.aclose()


async def test_a_pause_holds_every_process(redis_server, monkeypatch):
    spawned = []
    a, b = limiter(redis_server.url, spawn=spawned.append), limiter(redis_server.url)
    await a._reserve(1, 0)
    a.hold(anyio.current_time() + 5.0)  # a's 429 said: 5 s
    assert spawned == [a._publish]  # published at once, in the background
    await spawned[0]()
    granted, wait = await b._reserve(1, 0)
    assert granted and wait == pytest.approx(5.0, abs=0.3)
    await a.aclose()
    await b.aclose()


async def test_a_pause_publish_runs_in_the_tree_and_ends_with_it(redis_server, monkeypatch):
    """A 429's publish is the tree's background work: it runs in the tree's task group (on
    either loop), and `aclose` cancels one that hangs instead of leaving it behind."""
    from genaio.actors import open_actor_tree
    from genaio.engine import ApiKeyAuth, EngineConfig

    started, cancelled = anyio.Event(), anyio.Event()

    async def hang(self) -> None:
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()

    monkeypatch.setattr(RedisRateLimiter, "_publish", hang)
    quota = genaio.RedisQuota(redis_server.url, project="p")
    limits = genaio.Limits(quota=quota, model_rates={"m": RateLimit(60)})
    config = EngineConfig(base_url="http://127.0.0.1:9/", api_version="v1beta")
    with anyio.fail_after(10):
        async with open_actor_tree(config, ApiKeyAuth("k"), limits) as tree:
            throttle = tree.families["models"].throttle("models/m")
            limiter = throttle.limiter
            assert isinstance(limiter, RedisRateLimiter) and tree.quota("m") is throttle
            await limiter._reserve(1, 0)  # the limiter knows Redis's clock
            throttle.pause(5.0)
            await started.wait()
        assert cancelled.is_set()


async def test_a_restarted_redis_resumes_from_what_the_processes_saw(redis_server):
    a = limiter(redis_server.url)
    for _ in range(60):
        await a._reserve(1, 0)
    redis_server.restart()  # persistence off: the quota's state is gone
    with pytest.raises(RedisError):
        await a._reserve(1, 0)  # the old connection is dead: this one attempt fails
    granted, wait = await a._reserve(1, 0)
    assert granted and wait == pytest.approx(1.0, abs=0.3)  # no fresh minute's burst
    await a.aclose()


async def test_unreachable_redis_falls_back_to_a_local_share(redis_server, caplog):
    caplog.set_level(logging.WARNING, "genaio.quota")
    url = redis_server.url
    redis_server.stop()
    a = limiter(url, on_error="local", processes=4)  # 60 rpm shared by 4: 15 each
    with anyio.fail_after(5):
        for _ in range(15):
            await a.acquire(1)
    assert a.delay(1) == pytest.approx(4.0, abs=0.3)
    assert [r.message for r in caplog.records].count("quota_redis_unreachable") == 1
    await a.aclose()


async def test_a_silent_redis_costs_a_timeout_then_waits_within_the_deadline(caplog):
    """A server that accepts and never answers: each call is bounded by the timeout; with
    on_error="wait", an attempt with a deadline fails at once instead of hanging."""
    caplog.set_level(logging.WARNING, "genaio.quota")
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    held = []

    async def accept_and_hold(stream):
        held.append(stream)
        await anyio.sleep_forever()

    async with anyio.create_task_group() as group:
        group.start_soon(listener.serve, accept_and_hold)
        quota = RedisQuota(f"redis://127.0.0.1:{port}", project="p", timeout=0.1)
        throttle = Throttle(
            RateLimit(60), max_concurrency=4, limiter=quota.limiter("m", RateLimit(60))
        )
        rate = throttle._rate
        assert isinstance(rate, RedisRateLimiter)
        with anyio.move_on_after(0.5) as scope:
            await throttle.enter(1)  # no deadline: waits until Redis answers (or cancelled)
        assert scope.cancelled_caught
        assert rate.delay(1) == math.inf
        # Calls queued behind a timed-out one fail with it: one timeout, not one a caller.
        start = anyio.current_time()
        failures = []

        async def reserve() -> None:
            try:
                await rate._reserve(1, 1)
            except RedisError:
                failures.append(1)

        async with anyio.create_task_group() as callers:
            for _ in range(8):
                callers.start_soon(reserve)
        assert len(failures) == 8
        assert anyio.current_time() - start < 0.1 * 2 + 0.1
        # A batch planning its send looks again when Redis is tried again: never at infinity.
        assert throttle.ready_at(1) <= anyio.current_time() + 1.0
        start = anyio.current_time()
        with pytest.raises(DeadlineExceededError):
            await throttle.enter(1, deadline=start + 30.0)
        assert anyio.current_time() - start < 0.1
        group.cancel_scope.cancel()
    assert [r.message for r in caplog.records].count("quota_redis_unreachable") == 1


async def test_limits_give_the_models_throttles_the_shared_quota(redis_server):
    quota = genaio.RedisQuota(redis_server.url, project="p")
    limits = genaio.Limits(quota=quota, model_rates={"gemini-2.0-flash": RateLimit(60)})
    from genaio.actors.models import ModelsActor

    actor = ModelsActor(None, limits.family("models"), limits.model_rates, None, limits.quota)  # type: ignore[arg-type]
    throttle = actor.throttle("models/gemini-2.0-flash")
    assert throttle is not None
    rate = throttle.limiter
    assert isinstance(rate, RedisRateLimiter)
    assert rate.key == "{genaio:p:gemini-2.0-flash}"
    assert rate.shared == RateLimit(60)


async def test_a_429_on_one_throttle_pauses_the_other_processes(redis_server, monkeypatch):
    spawned = []
    mine, other = limiter(redis_server.url, spawn=spawned.append), limiter(redis_server.url)
    throttle = Throttle(RateLimit(60), max_concurrency=4, limiter=mine)
    async with throttle.attempt(1):
        pass
    throttle.pause(5.0)  # what a 429 with RetryInfo 5 s does
    assert spawned == [mine._publish]
    await spawned[0]()
    granted, wait = await other._reserve(1, 0)
    assert granted and wait == pytest.approx(5.0, abs=0.3)
    await mine.aclose()
    await other.aclose()


async def test_without_burst_the_shared_buckets_start_empty(redis_server):
    a = limiter(redis_server.url, rate=RateLimit(60, burst=False))
    assert (await a._reserve(1, 0))[1] == pytest.approx(1.0, abs=0.3)
    await a.aclose()


async def test_the_fallback_ends_when_redis_answers_again_logged_once_each(redis_server, caplog):
    caplog.set_level(logging.WARNING, "genaio.quota")
    later = 0.0
    a = limiter(redis_server.url, clock=lambda: anyio.current_time() + later, on_error="local")
    redis_server.stop()
    for _ in range(3):
        await a.acquire(1)  # the local share
    assert a._connection._failures == 1  # tried once, then left alone until the retry time
    redis_server.start()
    later = 2.0  # past the retry time (Redis's clock, not ours, paces the quota)
    await a.acquire(1)
    await a.acquire(1)
    assert a.round_trips == 2
    events = [r.message for r in caplog.records]
    assert events == ["quota_redis_unreachable", "quota_redis_back"]
    await a.aclose()


def test_a_bad_url_or_project_fails_when_configured():
    with pytest.raises(ValueError, match="redis://"):
        RedisQuota("http://localhost:6379")
    with pytest.raises(ValueError, match="braces"):
        RedisQuota("redis://localhost", project="a}b")


async def test_closing_the_client_closes_its_quota_connections(redis_server, genaio_emulator):
    """Nothing outlives the client: each model's connection to Redis closes with it."""
    from genaio.engine._resp import RedisConnection

    quota = RedisQuota(redis_server.url, project="closing")
    limits = genaio.Limits(
        quota=quota, model_rates={"gemini-2.0-flash": RateLimit(requests_per_minute=600)}
    )
    client = genaio.Client(
        api_key="k",
        http_options={"base_url": genaio_emulator.base_url},
        limits=limits,
    )
    async with client.aio as aio:
        await aio.models.generate_content(model="gemini-2.0-flash", contents="hi")
    probe = RedisConnection(redis_server.url, timeout=2.0)
    clients = (await probe.call("CLIENT", "LIST")).decode().strip().splitlines()
    await probe.aclose()
    assert len(clients) == 1  # the probe alone
