"""Coalescing single embedding calls into batch requests, in the models actor."""

from __future__ import annotations

import gc
import itertools
import json
import random

import httpx
import pytest
import trio
import trio.testing

from genaio.actors import (
    Batchable,
    BatchPolicy,
    Envelope,
    FamilyLimits,
    RestartBudget,
    RestWork,
    supervise,
)
from genaio.actors._batch import Member
from genaio.actors._coalesce import Coalescer, Dispatch
from genaio.actors.models import ModelsActor
from genaio.engine import (
    ApiKeyAuth,
    EngineConfig,
    HttpTransport,
    RateLimit,
    RestCall,
    RetryPolicy,
)
from genaio.errors import ClientClosedError, InvalidArgumentError, ServiceUnavailableError
from tests.helpers import error_json, json_response, tracked_objects

EMBED = Batchable("requests", "embeddings")


class EmbeddingServer:
    """Answers batchEmbedContents with one embedding per entry: [len(text)]; records requests."""

    def __init__(self, *, refuse: str | None = None, fail_all: bool = False):
        self.requests: list[list[str]] = []
        self.times: list[float] = []
        self.refuse = refuse
        self.fail_all = fail_all
        self.gate: trio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        texts = [r["content"]["parts"][0]["text"] for r in json.loads(request.content)["requests"]]
        self.requests.append(texts)
        self.times.append(trio.current_time())
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_all:
            return json_response(503, error_json(503, "UNAVAILABLE"))
        if self.refuse in texts:
            return json_response(400, error_json(400, "INVALID_ARGUMENT", "empty text"))
        return json_response(200, {"embeddings": [{"values": [float(len(t))]} for t in texts]})


def embed_work(text: str, tokens: int = 1) -> RestWork:
    body = {"requests": [{"model": "models/m", "content": {"parts": [{"text": text}]}}]}
    call = RestCall("POST", "models/m:batchEmbedContents", body=body)
    return RestWork(call, rate_key="models/m", tokens=tokens, batchable=EMBED)


WIDE = FamilyLimits(concurrency=100, mailbox_size=256)


async def start_actor(
    nursery, server, policy=BatchPolicy(), attempts=1, limits=WIDE, rates=None
) -> ModelsActor:
    config = EngineConfig(
        base_url="https://example.test/",
        api_version="v1",
        retry=RetryPolicy(attempts=attempts),
        injected_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
    )
    transport = HttpTransport(config, ApiKeyAuth("k"), rng=random.Random(1))
    models = ModelsActor(transport, limits, rates or {}, policy)
    await nursery.start(supervise, models, RestartBudget())
    return models


async def embed(models: ModelsActor, text: str, results: dict, tokens: int = 1) -> None:
    try:
        answer = await models.call(embed_work(text, tokens))
        results[text] = answer.data["embeddings"]
    except Exception as exc:
        results[text] = exc


async def test_concurrent_single_calls_share_requests_and_each_gets_its_own(nursery):
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(250):
            callers.start_soon(embed, models, "x" * (i + 1), results)
    assert {text: r[0]["values"][0] for text, r in results.items()} == {
        "x" * (i + 1): float(i + 1) for i in range(250)
    }
    assert sum(map(len, server.requests)) == 250
    assert len(server.requests) <= 4
    assert max(map(len, server.requests)) == 100


async def test_a_lone_caller_goes_at_once_and_alone(nursery, autojump_clock):
    server = EmbeddingServer()
    models = await start_actor(nursery, server, BatchPolicy(window=10.0))
    results: dict = {}
    await embed(models, "only", results)
    await embed(models, "then me", results)
    assert server.requests == [["only"], ["then me"]]
    assert trio.current_time() == 0.0


async def test_a_lone_caller_under_a_rate_it_does_not_reach_goes_at_once(nursery):
    """On the real clock, which moves between the serve loop's `now` and the throttle's."""
    server = EmbeddingServer()
    rates = {"m": RateLimit(requests_per_minute=1000, tokens_per_minute=10**6)}
    models = await start_actor(nursery, server, BatchPolicy(window=10.0), rates=rates)
    results: dict = {}
    started = trio.current_time()
    with trio.fail_after(5):
        await embed(models, "only", results)
        await embed(models, "then me", results)
    assert server.requests == [["only"], ["then me"]]
    assert trio.current_time() - started < 1


async def test_under_a_binding_request_rate_batches_fill_until_the_throttle_admits_them(
    nursery, autojump_clock
):
    """Calls that trickle in while the quota is spent wait in one batch that keeps filling,
    not in many small ones queued at the throttle with their members fixed."""
    server = EmbeddingServer()
    rates = {"m": RateLimit(requests_per_minute=2)}
    models = await start_actor(nursery, server, rates=rates)
    results: dict = {}
    await embed(models, "first", results)
    await embed(models, "second", results)  # the quota is spent until t=30
    async with trio.open_nursery() as callers:
        for i in range(250):
            callers.start_soon(embed, models, f"t{i}", results)
            await trio.sleep(0.01)  # on the mock clock: one every 10 ms, over 2.5 s
    assert list(map(len, server.requests)) == [1, 1, 100, 100, 50]
    assert server.times == [0.0, 0.0, pytest.approx(30), pytest.approx(60), pytest.approx(90)]
    assert len(results) == 252


async def test_a_job_at_a_binding_request_rate_sends_full_batches_from_the_start(
    nursery, autojump_clock
):
    """The embedding job's shape: calls arriving faster than the quota lets requests go. With
    no saved-up burst, even the first requests wait for the rate, so every batch fills before
    the throttle admits it, and the requests go one interval apart, never in a burst."""
    server = EmbeddingServer()
    rates = {"m": RateLimit(requests_per_minute=60, burst=False)}
    models = await start_actor(nursery, server, rates=rates)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(1000):
            callers.start_soon(embed, models, f"t{i}", results)
            await trio.sleep(0.001)  # 1,000 calls a second: ten requests' worth of the quota's one
    assert list(map(len, server.requests)) == [100] * 10
    assert server.times == pytest.approx([float(n) for n in range(1, 11)])
    assert len(results) == 1000


async def test_after_a_429_pause_batches_stay_full_and_at_the_rate(nursery, autojump_clock):
    """A pause refills no burst: after it, the next request goes one interval later, full."""
    server = EmbeddingServer()
    rates = {"m": RateLimit(requests_per_minute=60, burst=False)}
    models = await start_actor(nursery, server, rates=rates)
    results: dict = {}

    async def feed(start: int, count: int) -> None:
        async with trio.open_nursery() as callers:
            for i in range(start, start + count):
                callers.start_soon(embed, models, f"t{i}", results)
                await trio.sleep(0.001)

    await feed(0, 300)  # three full requests, at 1, 2 and 3 s
    models.throttle("models/m").pause(20)  # as a 429 would, at 3.3 s: until 23.3 s
    pause_end = trio.current_time() + 20
    await feed(300, 500)
    assert list(map(len, server.requests)) == [100] * 8
    after = server.times[3:]
    assert after[0] == pytest.approx(pause_end + 1)  # nothing saved up during the pause
    assert [b - a for a, b in itertools.pairwise(after)] == pytest.approx([1.0] * 4)


async def test_a_429_pause_keeps_a_batch_filling(nursery, autojump_clock):
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    models.throttle("models/m").pause(10)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(50):
            callers.start_soon(embed, models, f"t{i}", results)
            await trio.sleep(0.1)  # on the mock clock: over 5 s, all within the pause
    assert list(map(len, server.requests)) == [50]
    assert server.times == [pytest.approx(10)]


async def test_while_a_batch_is_in_flight_the_next_waits_at_most_the_window(
    nursery, autojump_clock
):
    server = EmbeddingServer()
    server.gate = trio.Event()
    models = await start_actor(nursery, server, BatchPolicy(window=0.5))
    results: dict = {}
    nursery.start_soon(embed, models, "first", results)
    await trio.testing.wait_all_tasks_blocked()
    nursery.start_soon(embed, models, "second", results)
    nursery.start_soon(embed, models, "third", results)
    await trio.sleep(1)  # on the mock clock: past the window
    assert [sorted(r) for r in server.requests] == [["first"], ["second", "third"]]
    assert server.times == [0.0, pytest.approx(0.5)]
    server.gate.set()
    await trio.testing.wait_all_tasks_blocked()
    assert set(results) == {"first", "second", "third"}


async def test_one_bad_entry_fails_only_its_caller(nursery):
    server = EmbeddingServer(refuse="bad")
    models = await start_actor(nursery, server)
    results: dict = {}
    texts = [f"t{i}" for i in range(15)] + ["bad"] + [f"u{i}" for i in range(16)]
    async with trio.open_nursery() as callers:
        for text in texts:
            callers.start_soon(embed, models, text, results)
    assert isinstance(results.pop("bad"), InvalidArgumentError)
    assert all(isinstance(r, list) for r in results.values())
    assert len(results) == 31
    assert len(server.requests) <= 2 * 5 + 2  # halving down to the one bad entry


async def test_a_shared_failure_reaches_every_caller_in_the_batch(nursery):
    server = EmbeddingServer(fail_all=True)
    models = await start_actor(nursery, server)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(10):
            callers.start_soon(embed, models, f"t{i}", results)
    assert all(isinstance(r, ServiceUnavailableError) for r in results.values())
    assert len(server.requests) <= 2


async def test_the_token_budget_splits_batches(nursery):
    server = EmbeddingServer()
    models = await start_actor(nursery, server, BatchPolicy(max_tokens=1000))
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(6):
            callers.start_soon(embed, models, f"t{i}", results, 400)
    assert max(map(len, server.requests)) <= 2
    assert len(results) == 6


async def test_a_cancelled_member_leaves_the_others_answered(nursery, autojump_clock):
    server = EmbeddingServer()
    server.gate = trio.Event()
    models = await start_actor(nursery, server)
    results: dict = {}
    nursery.start_soon(embed, models, "busy", results)
    await trio.testing.wait_all_tasks_blocked()
    with trio.CancelScope() as mine:
        nursery.start_soon(embed, models, "stays", results)

        nursery.start_soon(cancel_once_all_wait, mine)
        await embed(models, "leaves", results)
    server.gate.set()
    await trio.sleep(1)  # on the mock clock: past the window
    assert "leaves" not in results
    assert results["stays"][0]["values"] == [5.0]


async def test_statistics_count_merged_requests(nursery):
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(120):
            callers.start_soon(embed, models, f"t{i}", results)
    assert models.coalescer.merged == 120
    assert models.coalescer.requests == len(server.requests)


async def test_a_merged_request_takes_one_trip_through_the_mailbox(nursery):
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    results: dict = {}
    async with trio.open_nursery() as callers:
        for i in range(250):
            callers.start_soon(embed, models, f"t{i}", results)
    assert len(results) == 250
    assert models.statistics().submitted == len(server.requests) == 3


async def test_a_batch_that_fills_while_the_actor_holds_it_goes_at_once(nursery, autojump_clock):
    server = EmbeddingServer()
    server.gate = trio.Event()
    models = await start_actor(nursery, server, BatchPolicy(max_items=3, window=1.0))
    results: dict = {}
    nursery.start_soon(embed, models, "busy", results)
    await trio.testing.wait_all_tasks_blocked()
    nursery.start_soon(embed, models, "a", results)  # the actor takes its batch, and waits
    await trio.testing.wait_all_tasks_blocked()
    nursery.start_soon(embed, models, "b", results)
    nursery.start_soon(embed, models, "c", results)  # added to it: full
    await trio.testing.wait_all_tasks_blocked()
    assert [sorted(r) for r in server.requests] == [["busy"], ["a", "b", "c"]]
    assert server.times == [0.0, 0.0]
    assert models.statistics().submitted == 3  # b opened a batch, c joined it
    server.gate.set()


async def mailbox_held_by(models, server, nursery, results) -> None:
    """Hold the one worker (a gated request) and the serve loop (a batch waiting for that
    worker): the next caller to open a batch waits for the mailbox (size 0)."""
    server.gate = trio.Event()
    nursery.start_soon(embed, models, "busy", results)
    await trio.sleep(1)  # past the window: its batch is sent, and holds the worker
    nursery.start_soon(embed, models, "waits for the worker", results)
    await trio.sleep(1)  # its batch is sent too, and the serve loop waits for the worker


async def test_members_of_a_batch_whose_opener_leaves_on_its_way_join_another(
    nursery, autojump_clock
):
    server = EmbeddingServer()
    limits = FamilyLimits(concurrency=1, mailbox_size=0)
    models = await start_actor(nursery, server, BatchPolicy(window=0.5), limits=limits)
    results: dict = {}
    await mailbox_held_by(models, server, nursery, results)
    with trio.CancelScope() as opener:
        nursery.start_soon(embed, models, "joins", results)

        nursery.start_soon(cancel_once_all_wait, opener)
        await embed(models, "opens and leaves", results)
    server.gate.set()
    await trio.sleep(2)
    assert "opens and leaves" not in results
    assert results["joins"][0]["values"] == [5.0]
    assert server.requests == [["busy"], ["waits for the worker"], ["joins"]]


async def test_closing_fails_the_members_of_batches_not_sent(nursery, autojump_clock):
    server = EmbeddingServer()
    limits = FamilyLimits(concurrency=1, mailbox_size=0)
    models = await start_actor(nursery, server, BatchPolicy(window=0.5), limits=limits)
    results: dict = {}
    await mailbox_held_by(models, server, nursery, results)
    nursery.start_soon(embed, models, "opens", results)
    nursery.start_soon(embed, models, "joins", results)
    await trio.testing.wait_all_tasks_blocked()
    models.close()
    server.gate.set()
    await trio.testing.wait_all_tasks_blocked()
    await embed(models, "comes late", results)
    assert results["busy"][0]["values"] == [4.0]  # it was in flight: it finishes
    for text in ("waits for the worker", "opens", "joins", "comes late"):
        assert isinstance(results[text], ClientClosedError)


async def test_answered_calls_leave_no_reference_cycle(nursery):
    """Each call's envelope, body and answer go when it returns (reference counting), not at
    the collector's next full pass: with thousands of calls, that pass is what costs."""
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    results: dict = {}
    gc.collect()
    gc.disable()
    try:
        async with trio.open_nursery() as callers:
            for i in range(50):
                callers.start_soon(embed, models, f"t{i}", results)
        await embed(models, "then one more", results)  # the serve loop lets go of the first
        await trio.testing.wait_all_tasks_blocked()
        gc.set_debug(gc.DEBUG_SAVEALL)  # what only the collector would free stays in sight
        gc.collect()
        in_cycles = [o for o in gc.garbage if isinstance(o, (Envelope, Member))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(results) == 51
    assert in_cycles == []


async def test_a_waiting_call_keeps_its_member_and_not_its_work(nursery):
    """Thousands of calls wait at once: each keeps one light member (its entries as JSON),
    and neither its `RestWork` nor its `RestCall` with the body's dicts."""
    server = EmbeddingServer()
    server.gate = trio.Event()
    models = await start_actor(nursery, server)
    results: dict = {}
    before = tracked_objects()
    async with trio.open_nursery() as callers:
        for i in range(150):
            callers.start_soon(embed, models, f"t{i}", results)
        await trio.testing.wait_all_tasks_blocked()
        alive = tracked_objects() - before
        in_flight = len(server.requests)  # the merged requests: each has its RestCall
        server.gate.set()
    assert (alive["Member"], alive["RestWork"], alive["RestCall"]) == (150, 0, in_flight)
    assert [r[0]["values"] for r in results.values()] == [[float(len(t))] for t in results]


async def cancel_once_all_wait(scope: trio.CancelScope) -> None:
    """Leave (cancel `scope`) once every task waits: the call is queued, batched or joined."""
    await trio.testing.wait_all_tasks_blocked()
    scope.cancel()


async def test_a_call_that_cannot_be_coalesced_takes_no_serve_loop(nursery, monkeypatch):
    """Only merged envelopes go by the coalescer's serve loop; any other call goes straight to
    the mailbox and a worker (here the serve loop would fail on any envelope it took)."""

    def refuse(*args: object) -> list[Dispatch]:
        raise AssertionError("the serve loop took a call that cannot be coalesced")

    monkeypatch.setattr(Coalescer, "accept", refuse)
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    single = RestWork(embed_work("abc").call, rate_key="models/m")  # not batchable
    answer = await models.call(single)
    assert answer.data["embeddings"] == [{"values": [3.0]}]
    stats = models.statistics()
    assert (stats.submitted, stats.completed, stats.restarts) == (1, 1, 0)
    assert models.coalescer is not None and models.coalescer.requests == 0


async def test_statistics_and_repr_only_read(nursery):
    """Reading a quota or the statistics makes no throttle; `repr` says what the actor is."""
    server = EmbeddingServer()
    models = await start_actor(nursery, server)
    assert models.quota("models/m") is None
    assert models.statistics().quotas == {}
    assert models.quota("models/m") is None  # still: reading made none
    assert repr(models).startswith("<ModelsActor models waiting=0 queued=0/256 in_flight=0/100")
    results: dict = {}
    await embed(models, "a", results)
    throttle = models.quota("publishers/google/models/m")  # the model's id is the quota
    assert throttle is not None and throttle is models.throttle("models/m")
    assert set(models.statistics().quotas) == {"m"}
