"""pytest fixtures for testing any Gemini application offline (entry point `genaio_emulator`).

- `genaio_emulator_config`: the `EmulatorConfig` to run; override it in a conftest or module.
- `genaio_emulator`: a running emulator (`.base_url`, `.script`, `.requests`, `.stats()`,
  `.set_faults()`, `.set_quotas()`, `.advance()`), on its own thread so it serves tests on any
  event loop. One server per session for the default config, reset before each test
  (resources, counters, faults, quotas, scripted rules, request log); a test whose config
  differs gets its own. While it is in use, `GOOGLE_GEMINI_BASE_URL`, `GOOGLE_VERTEX_BASE_URL`
  and `GOOGLE_API_KEY` point code that builds its own client at it, and the real API is
  blocked (`genaio_block_real_api`).
- `genai_client` / `genai_async_client`: a google-genai `Client` / its `client.aio` (asyncio).
- `genaio_client` / `genaio_async_client`: a genaio `Client` / its `client.aio` (trio, asyncio).
  Every client has the key `test-key`, retries that wait milliseconds instead of seconds, and
  is closed after the test.

pytest imports this module in every run of every project where genaio is installed, so it
imports nothing but pytest at load time: the emulator and the clients are imported by the
fixtures that need them.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from genaio.emulator import EmulatorConfig, EmulatorThread

__all__ = ["REAL_API_HOSTS", "RealApiBlocked"]

TEST_KEY = "test-key"
REAL_API_HOSTS = ("generativelanguage.googleapis.com", "aiplatform.googleapis.com")
# Fast retries for the fixtures' clients: a test that injects a 503 takes milliseconds.
_RETRIES: dict[str, Any] = {"attempts": 3, "initial_delay": 0.01, "max_delay": 0.05}


class RealApiBlocked(OSError):
    """A test tried to reach the real Gemini API (an `OSError`, as a failed lookup is, so that
    it surfaces through the client as a connection error; the test fails at teardown anyway)."""


def _is_real_api(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")  # a name on the wire is ASCII (IDNA-encoded)
    if not isinstance(host, str):
        return False
    host = host.lower().rstrip(".")
    # aiplatform.googleapis.com, us-central1-aiplatform..., aiplatform.us.rep.googleapis.com
    return host == REAL_API_HOSTS[0] or (host.endswith(".googleapis.com") and "aiplatform" in host)


@pytest.fixture
def genaio_block_real_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make any lookup of the real API's hosts fail, and fail the test if one was tried.

    Only those names are refused (by wrapping `socket.getaddrinfo`, which every client's
    connect goes through: sync, asyncio and trio), so loopback and everything else work.
    Yields the hosts tried.
    """
    tried: list[str] = []
    original = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_real_api(host):
            tried.append(str(host))
            raise RealApiBlocked(
                f"genaio_emulator: this test tried to reach the real Gemini API ({host}); "
                "point the client at the emulator (genaio_emulator.base_url)"
            )
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield tried
    if tried:
        pytest.fail(f"the test tried to reach the real Gemini API: {sorted(set(tried))}")


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
    request: pytest.FixtureRequest,
    genaio_emulator_config: EmulatorConfig,
    genaio_block_real_api: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[EmulatorThread]:
    """A running emulator, reset for this test, that clients built in the test find."""
    from genaio.emulator import EmulatorConfig, run_emulator_in_thread

    def point_at(emulator: EmulatorThread) -> None:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.base_url)
        monkeypatch.setenv("GOOGLE_VERTEX_BASE_URL", emulator.base_url)
        monkeypatch.setenv("GOOGLE_API_KEY", TEST_KEY)
        monkeypatch.delenv("GEMINI_API_KEY", raising=False)

    if genaio_emulator_config == EmulatorConfig():
        shared: EmulatorThread = request.getfixturevalue("_genaio_emulator_session")
        shared.reset()
        shared.set_faults(None)
        shared.set_quotas(None)
        point_at(shared)
        yield shared
        return
    with run_emulator_in_thread(genaio_emulator_config) as emulator:
        point_at(emulator)
        yield emulator


def _genai_client(emulator: EmulatorThread) -> Any:
    from google.genai import Client, types

    options = types.HttpOptions(
        base_url=emulator.base_url, retry_options=types.HttpRetryOptions(**_RETRIES)
    )
    return Client(api_key=TEST_KEY, http_options=options)


@pytest.fixture
def genai_client(genaio_emulator: EmulatorThread) -> Iterator[Any]:
    """A google-genai `Client` on the emulator (blocking surface), closed after the test."""
    client = _genai_client(genaio_emulator)
    with client:
        yield client


@pytest.fixture
async def genai_async_client(genaio_emulator: EmulatorThread) -> AsyncIterator[Any]:
    """A google-genai `client.aio` on the emulator (asyncio only, as google-genai), closed
    after the test."""
    client = _genai_client(genaio_emulator)
    try:
        yield client.aio
    finally:
        await client.aio.aclose()
        client.close()


def _genaio_client(emulator: EmulatorThread) -> Any:
    import genaio

    options = {"base_url": emulator.base_url, "retry_options": _RETRIES}
    return genaio.Client(api_key=TEST_KEY, http_options=options)


@pytest.fixture
def genaio_client(genaio_emulator: EmulatorThread) -> Iterator[Any]:
    """A genaio `Client` on the emulator, closed after the test (its blocking surface runs a
    thread; `client.aio` ends with its event loop)."""
    client = _genaio_client(genaio_emulator)
    with client:
        yield client


@pytest.fixture
async def genaio_async_client(genaio_emulator: EmulatorThread) -> AsyncIterator[Any]:
    """A genaio `client.aio` on the emulator (trio or asyncio), closed after the test."""
    client = _genaio_client(genaio_emulator)
    try:
        yield client.aio
    finally:
        await client.aio.aclose()
        client.close()
