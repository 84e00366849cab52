"""4 processes share one emulator quota: `python bench/quota.py [--seconds 12] [--processes 4]`.

Three ways to keep the quota, side by side, in an RPM-bound and a TPM-bound case:
- `redis`: one `RedisQuota` shared by every process (genaio's answer);
- `whole`: each process a local throttle set to the whole quota (what users do today);
- `split`: each process a local throttle set to its share (quota / processes).
Each case sends about `--seconds` of the quota's worth of requests. Columns: fill (the share
of the quota used while the case ran: requests, or input tokens, over the quota times the
wall time), 429s (per request sent), calls that failed after their retries, wall time.
Then the shared quota's cost per call: Redis round trips per request, and the µs (wall and
CPU) of one reservation.

The emulator runs at time_scale 60 (its per-minute windows last a real second), so a short
run spans many windows; the clients' limits are the same quota per real minute. Needs
redis-server (Debian: apt-get install redis-server).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from _quota_worker import drain_shared  # noqa: E402

from genaio.emulator import EmulatorConfig, run_emulator_in_thread  # noqa: E402
from genaio.engine import RateLimit  # noqa: E402
from genaio.engine._redis_quota import RedisQuota  # noqa: E402
from tests.quota.redis_server import RedisServer  # noqa: E402

MODEL = "gemini-2.0-flash"
#: Per emulated minute (a real second): 20 requests, or 20 requests' worth of 256 tokens.
RPM, TOKENS, TPM = 20, 256, 20 * 256
#: The clients' limits, as a share of the quota: the emulator counts fixed windows, so a
#: client that sends at 100% lands an extra request in a window now and then.
HEADROOM = 0.98


def run_case(
    emulator: Any,
    redis: RedisServer,
    mode: str,
    bound: str,
    processes: int,
    seconds: float,
    uneven: bool = False,
) -> dict[str, Any]:
    quota = {"rpm": RPM} if bound == "rpm" else {"tpm": TPM}
    per_second = RPM  # requests a second the quota allows, either way (256 tokens each)
    total = int(per_second * seconds)
    # Uneven: one process has half of the work (a static split leaves the others' shares idle
    # once they are done).
    shares = [total // 2] + [total // 2 // (processes - 1)] * (processes - 1) if uneven else []
    spec = {
        "base_url": emulator.base_url,
        "mode": mode,
        "redis_url": redis.url,
        "project": f"bench-{bound}",
        "model": MODEL,
        "processes": processes,
        "requests": total // processes,
        "concurrency": 16,
        "prompt_tokens": TOKENS,
        "rpm": RPM * 60 * HEADROOM if bound == "rpm" else None,
        "tpm": TPM * 60 * HEADROOM if bound == "tpm" else None,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_quota_worker.py"),
                json.dumps({**spec, "requests": shares[i]} if shares else spec),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(processes)
    ]
    for worker in workers:
        assert worker.stdout is not None and json.loads(worker.stdout.readline())["ready"]
    if mode == "redis":
        anyio.run(drain_shared, redis.url, f"{{genaio:bench-{bound}:{MODEL}}}")
    emulator.reset()  # the warm-up calls are not counted
    emulator.set_quotas({"*": quota})
    began = time.monotonic()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = [json.loads(w.communicate(timeout=600)[0].strip().splitlines()[-1]) for w in workers]
    wall = time.monotonic() - began
    stats = emulator.stats()
    ok = sum(r["ok"] for r in results)
    sent = stats["requests"] if "requests" in stats else ok
    limited = stats["statuses"].get("429", 0)
    return {
        "mode": mode,
        "bound": bound + (", uneven" if uneven else ""),
        "fill": ok / (per_second * max(r["wall"] for r in results)),
        "ok": ok,
        "sent": sent,
        "429": limited,
        "429_share": limited / max(1, sent),
        "failed": sum(r["failed"] for r in results),
        "wall": wall,
        "round_trips_per_request": sum(r["round_trips"] for r in results) / max(1, ok),
    }


async def reservation_cost(url: str, calls: int = 2000) -> dict[str, float]:
    """One process's reservations back to back, with a limit that never makes them wait."""
    limiter = RedisQuota(url, project="cost").limiter(MODEL, RateLimit(1e9, 1e12))
    await limiter._reserve(1, 100)  # connect, load the script
    cpu, start = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await limiter._reserve(1, 100)
    wall = (time.perf_counter() - start) / calls * 1e6
    used = (time.process_time() - cpu) / calls * 1e6
    await limiter.aclose()
    return {"wall_us": wall, "cpu_us": used}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="each case's length")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        redis = RedisServer(Path(directory))
        redis.start()
        try:
            config = EmulatorConfig(time_scale=60.0)
            with run_emulator_in_thread(config) as emulator:
                for bound, uneven in (("rpm", False), ("tpm", False), ("rpm", True)):
                    for mode in ("redis", "whole", "split"):
                        row = run_case(
                            emulator, redis, mode, bound, args.processes, args.seconds, uneven
                        )
                        rows.append(row)
                        print(
                            f"{row['bound']:>12} {mode:>6}: fill {row['fill']:6.1%}  "
                            f"429s {row['429']:5d} ({row['429_share']:6.2%} of "
                            f"{row['sent']})  failed {row['failed']:4d}  "
                            f"wall {row['wall']:5.1f} s  "
                            f"round trips/request {row['round_trips_per_request']:.2f}",
                            flush=True,
                        )
            for backend in ("trio", "asyncio"):
                cost = anyio.run(reservation_cost, redis.url, backend=backend)
                print(
                    f"one reservation ({backend}): {cost['wall_us']:.0f} µs wall, "
                    f"{cost['cpu_us']:.0f} µs CPU, 1 round trip",
                    flush=True,
                )
                rows.append({"mode": "cost", "backend": backend, **cost})
        finally:
            redis.stop()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
