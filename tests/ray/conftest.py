"""A local Ray cluster (two logical CPUs: the tests run on a 2-core box) and a real
redis-server, each started once for the module that asks for them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.quota.redis_server import REDIS_SERVER, RedisServer


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
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
