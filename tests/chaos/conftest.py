"""A client on the emulator (in its own thread, so that only the client's tasks share the
test's loop), warmed up, with the baseline its leak checks compare against."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import pytest

import genaio
from genaio.testing import Snapshot, assert_no_leaks, snapshot
from tests.chaos.counts import TALLY

MODEL = "gemini-2.0-flash"
PROMPT = " ".join(f"word{i}" for i in range(40))  # ten streamed chunks of four words


@attrs.define
class Rig:
    """A running client, its baseline, and the check to run after each cancelled call."""

    aio: genaio.AsyncClient
    emulator: Any
    baseline: Snapshot | None = None
    probes: int = 0

    async def warm(self) -> None:
        """One call starts the tree and opens a connection; then the baseline is taken."""
        await self.probe()
        self.baseline = await snapshot(self.aio)

    async def probe(self) -> None:
        """The actor serves the next request."""
        response = await self.aio.models.generate_content(model=MODEL, contents="probe")
        assert response.text == "You said: probe"
        self.probes += 1

    async def check(self, attempt: object = None) -> None:
        assert self.baseline is not None
        await assert_no_leaks(self.aio, self.baseline)
        await self.probe()


def make_client(
    emulator: Any, options: dict[str, Any] | None = None, **kwargs: Any
) -> genaio.Client:
    http_options = {"base_url": emulator.base_url, **(options or {})}
    return genaio.Client(api_key="test-key", http_options=http_options, **kwargs)


@pytest.fixture
async def rig(genaio_emulator: Any) -> AsyncIterator[Rig]:
    async with make_client(genaio_emulator).aio as aio:
        rig = Rig(aio, genaio_emulator)
        await rig.warm()
        yield rig
        assert rig.baseline is not None
        await assert_no_leaks(aio, rig.baseline, channels=True)  # one heap scan, at the end


@pytest.fixture(scope="session", autouse=True)
def _print_tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if TALLY and reporter is not None and capture is not None:
        counts = ", ".join(f"{key}={value}" for key, value in sorted(TALLY.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ngenaio chaos tally: {counts}")
