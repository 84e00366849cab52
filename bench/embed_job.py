"""Benchmark `genaio embed` against the emulator with quotas and faults (not a test).

    python bench/embed_job.py --items 10000 1000000

For each input size: starts `genaio emulator` in its own process with a per-model quota
(`--rpm`, `--tpm`, per *emulated* minute), a compressed clock (`--time-scale`) and faults (5%
503s, 1% connection resets), writes a sample input, and runs `genaio embed` on it in another
process with the same quota scaled to real minutes (`rpm * time_scale`), as a real job would be
told its quota. While it runs, the emulator's quota windows are sampled to measure how full each
emulated minute was. Prints items/s, the fill of each quota once warmed up (the first and last
windows left out), the 429s, and the job's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from genaio.embedjob import write_sample

MODEL = "gemini-embedding-001"
#: The job and the emulator run from this checkout, whatever `genaio` is installed.
CHECKOUT = str(Path(__file__).resolve().parents[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10_000])
    parser.add_argument("--rpm", type=int, default=3000)
    parser.add_argument("--tpm", type=int, default=1_000_000)
    parser.add_argument("--time-scale", type=float, default=2.0)
    parser.add_argument("--dimensions", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--error-503-rate", type=float, default=0.05)
    parser.add_argument("--reset-rate", type=float, default=0.01)
    args = parser.parse_args()
    print(
        f"quota {args.rpm:,} RPM, {args.tpm:,} TPM per emulated minute; time scale "
        f"{args.time_scale} (a minute lasts {60 / args.time_scale:.0f} s); faults: "
        f"{args.error_503_rate:.0%} 503, {args.reset_rate:.0%} resets; "
        f"{args.dimensions} dimensions; concurrency {args.concurrency}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for items in args.items:
            print(json.dumps(run(args, items, Path(folder))), flush=True)


def run(args: argparse.Namespace, items: int, folder: Path) -> dict[str, object]:
    source = write_sample(folder / f"in-{items}.jsonl", items)
    output = folder / f"out-{items}.jsonl"
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "genaio.emulator._cli", "--port", "0"),
            *("--quota", f"{MODEL}=rpm={args.rpm},tpm={args.tpm}"),
            *("--time-scale", str(args.time_scale), "--fault-seed", "1"),
            *("--fault-error-503-rate", str(args.error_503_rate)),
            *("--fault-reset-rate", str(args.reset_rate)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=CHECKOUT,
    )
    try:
        url = re.search(r"http://\S+", emulator.stdout.readline()).group(0)  # type: ignore[union-attr]
        env = {**os.environ, "GOOGLE_API_KEY": "bench", "GOOGLE_GEMINI_BASE_URL": url}
        command = [sys.executable, "-m", "genaio.cli", "embed", str(source), "-o", str(output)]
        command += ["--no-progress"]
        command += ["--rpm", str(args.rpm * args.time_scale)]
        command += ["--tpm", str(args.tpm * args.time_scale)]
        command += ["--dimensions", str(args.dimensions), "--concurrency", str(args.concurrency)]
        started = time.perf_counter()
        job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=CHECKOUT)
        windows, status, usage = _sample_windows(url, job.pid)
        elapsed = time.perf_counter() - started
        summary = job.stdout.read()  # type: ignore[union-attr]
        stats = _get(url, "stats")
    finally:
        emulator.terminate()
        emulator.wait()
    assert os.waitstatus_to_exitcode(status) == 0, summary
    warm = windows[1:-1]
    return {
        "items": items,
        "seconds": round(elapsed, 1),
        "items_per_s": round(items / elapsed),
        "rpm_fill": _mean([w["minute_requests"] / args.rpm for w in warm]),
        "tpm_fill": _mean([w["minute_tokens"] / args.tpm for w in warm]),
        "tpm_fill_by_window": [round(w["minute_tokens"] / args.tpm, 2) for w in windows],
        "rpm_fill_by_window": [round(w["minute_requests"] / args.rpm, 2) for w in windows],
        "http_429": stats["rate_limited"],
        "requests": stats["requests"],
        "faults": stats["faults"],
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "job": summary.strip().splitlines()[-2],
    }


def _sample_windows(url: str, pid: int) -> tuple[list[dict[str, int]], int, resource.struct_rusage]:
    """Each emulated minute's final counts (the quota window is read until it rolls over), until
    the job ends; then its exit status and resource usage (`wait4`: this child's own peak RSS)."""
    windows: list[dict[str, int]] = []
    last: dict[str, int] | None = None
    while True:
        ended, status, usage = os.wait4(pid, os.WNOHANG)
        if ended:
            break
        now = _get(url, "quota").get(f"{MODEL}:batchEmbedContents")
        if now and last and now["minute_requests"] < last["minute_requests"]:
            windows.append(last)
        last = now or last
        time.sleep(0.02)
    if last:
        windows.append(last)
    return windows, status, usage


def _get(url: str, what: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_emulator/{what}") as answer:
        return json.load(answer)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


if __name__ == "__main__":
    main()
