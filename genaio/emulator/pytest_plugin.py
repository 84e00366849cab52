"""pytest fixtures for a running Gemini API emulator (entry point `genaio_emulator`).

- `genaio_emulator_config`: the `EmulatorConfig` to run; override it in a conftest or module.
- `genaio_emulator`: a running emulator handle (`.base_url`, `.stats()`, `.reset()`,
  `.set_faults()`, `.advance()`), on its own thread so it serves tests under any backend.
  One server per session for the default config (reset, faults off, before each test); a test
  whose `genaio_emulator_config` differs from the default gets its own server.
- `genaio_client`: a `genaio.Client(api_key="test-key", http_options={"base_url": ...})`.

This module imports nothing heavy at load time: pytest loads it in every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from genaio.emulator import EmulatorConfig, EmulatorThread


@pytest.fixture
def genaio_emulator_config() -> EmulatorConfig:
    """The emulator's configuration; override this fixture to change it."""
    from genaio.emulator import EmulatorConfig

    return EmulatorConfig()


@pytest.fixture(scope="session")
def _genaio_emulator_session() -> Iterator[EmulatorThread]:
    from genaio.emulator import run_emulator_in_thread

    with run_emulator_in_thread() as emulator:
        yield emulator


@pytest.fixture
def genaio_emulator(
    request: pytest.FixtureRequest, genaio_emulator_config: EmulatorConfig
) -> Iterator[EmulatorThread]:
    """A running emulator, reset for this test."""
    from genaio.emulator import EmulatorConfig, run_emulator_in_thread

    if genaio_emulator_config == EmulatorConfig():
        shared: EmulatorThread = request.getfixturevalue("_genaio_emulator_session")
        shared.reset()
        shared.set_faults(None)
        yield shared
        return
    with run_emulator_in_thread(genaio_emulator_config) as emulator:
        yield emulator


@pytest.fixture
def genaio_client(genaio_emulator: EmulatorThread) -> Any:
    """A genaio `Client` pointed at the emulator with the key `test-key`."""
    import genaio

    client_class = getattr(genaio, "Client", None)
    if client_class is None:
        pytest.skip("genaio.Client is not available yet")
    return client_class(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})
