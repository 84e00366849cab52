"""Several processes, each its own genaio client, share one emulator quota through Redis.

The emulator runs at `time_scale=60`: its per-minute windows last a real second, so a few
seconds hold many windows; the clients' limits are the same quota per real minute (x60).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from genaio.emulator import EmulatorConfig, run_emulator_in_thread

WORKER = Path(__file__).parents[2] / "bench" / "_quota_worker.py"
MODEL = "gemini-2.0-flash"
RPM = 12  # per emulated minute: per real second


def start(spec: dict) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> dict:
    out, _ = process.communicate(timeout=60)
    return json.loads(out.strip().splitlines()[-1])


def shared(emulator, redis_server, backend: str, requests: int) -> dict:
    return {
        "base_url": emulator.base_url,
        "mode": "redis",
        "redis_url": redis_server.url,
        "project": "t",
        "model": MODEL,
        "rpm": RPM * 60 * 0.95,
        "requests": requests,
        "concurrency": 8,
        "backend": backend,
    }


def run_all(redis_server, specs, during=None) -> tuple[list[dict], float]:
    """Start the processes together, and once every one is ready, empty the shared bucket
    (no credit saved up while they started) and let them go; their results and the wall
    time from the go."""
    processes = [start(spec) for spec in specs]
    for process in processes:
        assert process.stdout is not None
        assert json.loads(process.stdout.readline()) == {"ready": True}
    anyio.run(_drain, redis_server.url)
    began = time.monotonic()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    if during is not None:
        during(processes)
    results = [finish(p) for p in processes if p.returncode is None or p.returncode == 0]
    return results, time.monotonic() - began


async def _drain(url: str) -> None:
    sys.path.insert(0, str(WORKER.parent))
    from _quota_worker import drain_shared

    await drain_shared(url, f"{{genaio:t:{MODEL}}}")


@pytest.fixture
def emulator():
    config = EmulatorConfig(time_scale=60.0, quotas={"*": {"rpm": RPM}})
    with run_emulator_in_thread(config) as emulator:
        yield emulator


def rate_limited(emulator) -> int:
    return emulator.stats()["statuses"].get("429", 0)


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
def test_processes_share_one_quota_with_few_429s(emulator, redis_server, backend):
    specs = [shared(emulator, redis_server, backend, 16) for _ in range(2)]
    results, wall = run_all(redis_server, specs)
    assert sum(r["ok"] for r in results) == 32
    assert rate_limited(emulator) <= 2
    # 32 requests at 95% of 12 a second: ~2.8 s. Together they fill the quota, not twice it.
    assert 2.5 < wall < 2.8 + 2.5
    assert all(r["round_trips"] >= 16 for r in results)


def test_a_process_killed_and_redis_restarted_mid_run(emulator, redis_server):
    """One process is killed with -9 after a second, Redis restarts (losing everything) a
    second later: the others finish at the quota's pace, with a handful of 429s at most."""
    specs = [shared(emulator, redis_server, "trio", 14) for _ in range(3)]

    def kill_then_restart(processes) -> None:
        time.sleep(1.0)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait()
        time.sleep(1.0)
        redis_server.restart()

    results, wall = run_all(redis_server, specs, kill_then_restart)
    assert len(results) == 2
    assert sum(r["ok"] for r in results) == 28
    assert rate_limited(emulator) <= 4
    # What the dead process had reserved and not sent is not held past the quota's pace:
    # ~1 s of its share, then 28 requests at 11.4 a second.
    assert wall < 1.0 + 28 / (RPM * 0.95) + 2.5
