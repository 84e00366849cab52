"""The tree's root: what it says about itself, and the background work it owns."""

import anyio
import pytest

from genaio.actors import Limits, open_actor_tree
from genaio.engine import ApiKeyAuth, EngineConfig

pytestmark = pytest.mark.anyio

CONFIG = EngineConfig(base_url="http://127.0.0.1:9/", api_version="v1beta")


async def test_closed_means_the_close_has_finished():
    async with open_actor_tree(CONFIG, ApiKeyAuth("k"), Limits()) as tree:
        assert (tree.closing, tree.closed) == (False, False)
        assert repr(tree).startswith("<ActorTree running in_flight: models=0 files=0")
        assert repr(tree.family("models")).startswith("<ModelsActor models waiting=0")
        await tree.aclose()
        assert (tree.closing, tree.closed) == (True, True)
        assert repr(tree).startswith("<ActorTree closed")
        assert repr(tree.family("files")).startswith("<FamilyActor files closed")


async def test_background_work_runs_in_the_tree_and_ends_with_it():
    started, cancelled = anyio.Event(), anyio.Event()

    async def hang() -> None:
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            cancelled.set()

    with anyio.fail_after(10):
        async with open_actor_tree(CONFIG, ApiKeyAuth("k"), Limits()) as tree:
            tree.start_soon(hang, "hang")
            await started.wait()
        assert cancelled.is_set()
        tree.start_soon(hang, "too late")  # a closed tree starts nothing
