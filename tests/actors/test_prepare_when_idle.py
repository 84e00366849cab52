"""One-off preparations run by the tree while the loop is idle, off a burst's critical path."""

import anyio
import pytest

from genaio.actors import Limits, open_actor_tree
from genaio.engine import ApiKeyAuth, EngineConfig
from genaio.types import WireModel
from genaio.types._base import wire_prepared

pytestmark = pytest.mark.anyio

CONFIG = EngineConfig(base_url="http://127.0.0.1:9/", api_version="v1beta")


async def test_a_preparation_waits_until_every_task_is_blocked_and_runs_once():
    ran = []
    done = anyio.Event()
    busy = [0]  # rounds in which this task was runnable

    def work() -> None:
        ran.append(busy[0])
        done.set()

    with anyio.fail_after(10):
        async with open_actor_tree(CONFIG, ApiKeyAuth("k"), Limits()) as tree:
            tree.prepare(work)
            tree.prepare(work)  # the same work again: once is enough
            while busy[0] < 200:  # never blocked: a task always runnable
                await anyio.lowlevel.checkpoint()
                assert not ran
                busy[0] += 1
            await done.wait()
            tree.prepare(work)  # done already
            await anyio.lowlevel.checkpoint()
    assert ran == [200]


async def test_a_failed_preparation_is_left_for_the_first_use():
    failed, after = anyio.Event(), anyio.Event()

    def broken() -> None:
        failed.set()
        raise ValueError("a schema pydantic cannot build")

    with anyio.fail_after(10):
        async with open_actor_tree(CONFIG, ApiKeyAuth("k"), Limits()) as tree:
            tree.prepare(broken)
            await failed.wait()
            tree.prepare(after.set)  # the tree goes on running
            await after.wait()
            assert not tree.closing


def test_prepare_wire_builds_what_from_wire_would_build_first():
    class Answer(WireModel):
        text: str | None = None

    assert not wire_prepared(Answer)
    Answer.prepare_wire()
    assert wire_prepared(Answer)
    assert Answer.from_wire({"text": "hi", "newField": 1}).text == "hi"
