"""`genaio embed --ray` on 1, 2 and 4 Ray workers against one emulator quota, beside one process
of `genaio embed`: `python bench/ray_embed.py [--items 2000] [--cpu-items 8000]`.

Two cases. **quota**: the emulator allows `TPM` tokens per emulated minute (time_scale 60: a
real second), every client is given 98% of it, shared through one Redis (`--quota-url`): more
workers cannot go faster, and the question is whether they fill the quota without 429s.
**cpu**: no quota, no latency: what the workers' CPUs (and the emulator's) allow. A local Ray
cluster with 4 logical CPUs; a worker is one shard's task (`--shards N`, one CPU each), and a
warm-up job starts the worker processes first, so the rows measure the job, not Ray's start.
Columns: items/s (over the job's own elapsed time), the share of the quota used in that time
(tokens the emulator accepted over what it allows), 429s the emulator answered, the peak RSS of
each worker process (Ray's workers; the one process's own for `genaio embed`), wall time.
Needs redis-server and `genaio[ray]`.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE.parent)]

from genaio.embedjob import JobSpec  # noqa: E402
from genaio.embedjob._ray import _Driver, shard_tasks  # noqa: E402
from genaio.emulator import EmulatorConfig, run_emulator_in_thread  # noqa: E402
from tests.quota.redis_server import RedisServer  # noqa: E402

MODEL = "gemini-embedding-001"
TPM = 16_000  # tokens per emulated minute: a real second at time_scale 60
HEADROOM = 0.98
_TEXT = "a sentence of about forty tokens for the embedding bench, number {i}; " * 2


def write_input(path: Path, count: int) -> None:
    with path.open("w") as file:
        for i in range(count):
            file.write(f'{{"id": {i}, "text": "{_TEXT.format(i=i)}"}}\n')


def ray_case(
    emulator: Any, redis_url: str, folder: Path, items: Path, workers: int, quota: bool
) -> dict[str, Any]:
    emulator.reset()
    spec = JobSpec(
        items,
        folder / f"out-{items.stem}-{workers}",
        model=MODEL,
        quota_url=redis_url,
        tpm=TPM * 60 * HEADROOM if quota else None,
        shards=workers,
        progress=False,
        ray="",
    )
    tasks = shard_tasks(spec)
    driver = _Driver(spec, tasks, io.StringIO(), io.StringIO())
    started = time.monotonic()
    elapsed = trio.run(driver.run)
    wall = time.monotonic() - started
    rss = [r.peak_rss for r in driver.results.values()]
    return _row(f"Ray, {workers} worker{'s' * (workers > 1)}", emulator, driver.counts.embedded,
                elapsed, wall, quota, max(rss))


def process_case(
    emulator: Any, redis_url: str, folder: Path, items: Path, quota: bool
) -> dict[str, Any]:
    emulator.reset()
    command = [
        sys.executable, "-m", "genaio.cli", "embed", str(items),
        "-o", str(folder / f"one-{quota}.jsonl"), "-m", MODEL, "--no-progress",
        "--quota-url", redis_url,
    ]  # fmt: skip
    if quota:
        command += ["--tpm", str(TPM * 60 * HEADROOM)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    match = re.search(r"embedded ([\d,]+) items .* in ([\d.]+) s", done.stdout)
    assert match, done.stdout + done.stderr
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    embedded = int(match[1].replace(",", ""))
    return _row("`genaio embed`, 1 process", emulator, embedded, float(match[2]), wall, quota, rss)


def _row(
    name: str, emulator: Any, embedded: int, elapsed: float, wall: float, quota: bool, rss: int
) -> dict[str, Any]:
    stats = emulator.stats()
    share = stats["prompt_tokens"] / (TPM * elapsed) if quota else None
    return {
        "case": "quota" if quota else "cpu",
        "who": name,
        "items/s": embedded / elapsed,
        "share": share,
        "429s": stats["rate_limited"],
        "rss": rss,
        "elapsed": elapsed,
        "wall": wall,
        "embedded": embedded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000, help="quota case: texts")
    parser.add_argument("--cpu-items", type=int, default=8000, help="cpu case: texts")
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        redis = RedisServer(folder)
        redis.start()
        config = EmulatorConfig(time_scale=60)
        try:
            with run_emulator_in_thread(config) as emulator:
                os.environ.update(GOOGLE_API_KEY="bench", GOOGLE_GEMINI_BASE_URL=emulator.base_url)
                os.environ.pop("GEMINI_API_KEY", None)
                ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
                warm = folder / "warm.jsonl"
                write_input(warm, 40)
                ray_case(emulator, redis.url, folder, warm, 4, quota=False)
                rows = []
                for quota, count in ((True, args.items), (False, args.cpu_items)):
                    items = folder / f"in-{count}.jsonl"
                    write_input(items, count)
                    emulator.set_quotas({MODEL: {"tpm": TPM}} if quota else None)
                    rows.append(process_case(emulator, redis.url, folder, items, quota))
                    for workers in (1, 2, 4):
                        rows.append(ray_case(emulator, redis.url, folder, items, workers, quota))
                        print(rows[-1], file=sys.stderr, flush=True)
                ray.shutdown()
        finally:
            redis.stop()
    print(f"quota: {TPM:,} tokens per emulated minute (a real second), clients at {HEADROOM:.0%}")
    print("| case | run by | items/s | quota used | 429s | peak RSS per worker | elapsed |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        share = f"{row['share']:.1%}" if row["share"] is not None else "-"
        print(
            f"| {row['case']} | {row['who']} | {row['items/s']:,.0f} | {share} | "
            f"{row['429s']:,} | {row['rss'] / 2**20:,.0f} MiB | {row['elapsed']:.1f} s |"
        )


if __name__ == "__main__":
    main()
