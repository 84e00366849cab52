"""A local Ray cluster (two logical CPUs: the tests run on a 2-core box), started once for the
session, and a real redis-server, once for each module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.quota.redis_server import REDIS_SERVER, RedisServer


@pytest.fixture(scope="session")
def ray_cluster(_genaio_emulator_session: Any) -> Iterator[None]:
    """Its workers find the test emulator as code that builds its own client does (the
    shared emulator, reset before each test by `genaio_emulator`)."""
    ray = pytest.importorskip("ray")
    env = {
        "GOOGLE_API_KEY": "test-key",
        "GOOGLE_GEMINI_BASE_URL": _genaio_emulator_session.base_url,
    }
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": env},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def write_input(path: Path, count: int) -> set[int]:
    """`count` JSONL records with integer ids; the ids."""
    with path.open("w") as file:
        for i in range(count):
            file.write(f'{{"id": {i}, "text": "text number {i}"}}\n')
    return set(range(count))
