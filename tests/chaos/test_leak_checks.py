"""`assert_no_leaks` and actor workers: workers started since the baseline belong to their
actor (they stay for the next calls), but any other task left over is a leak, and so is one
that only borrows a worker's name beyond the actor's count."""

import httpx
import pytest
import trio
import trio.testing

from genaio.actors._actor import worker_name
from genaio.testing import LeakError, assert_no_leaks, snapshot
from tests.helpers import GENERATE_OK, mock_client


async def test_workers_started_since_the_baseline_are_the_actors(nursery):
    release = trio.Event()
    release.set()

    async def server(request):
        await release.wait()
        return httpx.Response(200, json=GENERATE_OK)

    aio = mock_client(server).aio

    async def generate():
        await aio.models.generate_content(model="m", contents="hi")

    await generate()
    baseline = await snapshot(aio, channels=False)
    release = trio.Event()
    for _ in range(3):  # three at once: three workers
        nursery.start_soon(generate)
    await trio.testing.wait_all_tasks_blocked()
    release.set()
    await trio.testing.wait_all_tasks_blocked()
    assert aio.statistics()["families"]["models"].workers == 3
    await assert_no_leaks(aio, baseline)

    async def stray(*, task_status=trio.TASK_STATUS_IGNORED):
        task_status.started()
        await trio.sleep_forever()

    for name in ("a stray task", worker_name("models")):  # the fourth "worker" is not one
        scope = trio.CancelScope()
        nursery.start_soon(_in_scope, scope, stray, name=name)
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(LeakError, match="tasks left"):
            await assert_no_leaks(aio, baseline)
        scope.cancel()
    await aio.aclose()


async def _in_scope(scope, fn):
    with scope:
        await fn()
