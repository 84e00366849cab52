"""A producer far faster than the quota: what the client holds stays bounded (the mailbox,
the workers), the quota holds on the loop's clock, and every item comes back."""

import httpx
import trio

import genaio
from genaio.actors import FamilyLimits
from tests.chaos.counts import tally
from tests.helpers import GENERATE_OK, mock_client

ITEMS = 3000
PRODUCERS = 200  # each sends as soon as its previous call returned
RPM = 600
MAILBOX, CONCURRENCY = 16, 4


async def test_a_fast_producer_is_held_by_the_quota(autojump_clock):
    sent: list[float] = []

    def server(request):
        sent.append(trio.current_time())
        return httpx.Response(200, json=GENERATE_OK)

    limits = genaio.Limits(
        families={"models": FamilyLimits(concurrency=CONCURRENCY, mailbox_size=MAILBOX)},
        model_rates={"m": genaio.RateLimit(requests_per_minute=RPM)},
    )
    aio = mock_client(server, limits=limits).aio
    items = iter(range(ITEMS))
    done: list[int] = []
    peak_held = 0

    async def producer():
        nonlocal peak_held
        for item in items:
            response = await aio.models.generate_content(model="m", contents=str(item))
            assert response.text == "hello"
            done.append(item)
            stats = aio.statistics()["families"]["models"]
            peak_held = max(peak_held, stats.queued + stats.in_flight)

    with trio.fail_after(ITEMS / RPM * 60 + 120):
        async with trio.open_nursery() as nursery:
            for _ in range(PRODUCERS):
                nursery.start_soon(producer)
    assert sorted(done) == list(range(ITEMS))  # nothing lost, nothing twice
    # The actor held at most twice its mailbox plus its workers, whatever waited to submit.
    assert peak_held <= 2 * MAILBOX + CONCURRENCY
    # No minute of the loop's clock saw more than the quota (plus the bucket's first burst).
    for start in sent[:: RPM // 2]:
        assert sum(1 for t in sent if start <= t < start + 60) <= 2 * RPM
    assert trio.current_time() >= (ITEMS - RPM) / RPM * 60
    await aio.aclose()
    tally(requests=ITEMS, lost=ITEMS - len(set(done)))
