"""Benchmark `genaio embed` at a binding quota: how full it keeps the quota, before and after.

    python bench/embed_job.py --before 074dbf4

Two cases, each against `genaio emulator` in its own process with a compressed clock
(`--time-scale`: an emulated minute lasts 60 / scale real seconds), the job told the quota
scaled to real minutes (as a real job would be told its quota):
- **RPM-bound**: a requests-per-minute quota and no tokens limit, so the possible items/s are
  requests x 100 items (a full batch);
- **TPM-bound**: a tokens-per-minute quota that binds long before the (ten times larger)
  requests quota, so the possible items/s are the tokens quota over the tokens of an item.

Each job runs for `--seconds` on an input it cannot finish, then is stopped. The emulator's
quota windows are sampled as they roll over, with the number of lines in the output at that
moment: the fill is, over the complete windows but the first (the warm-up), the items
written per window over the possible ones (RPM-bound: requests quota x 100), or the tokens
counted over the tokens quota (TPM-bound). With `--before REV`, the same cases run first with
the job's code from REV (a temporary `git worktree` under /tmp, removed at the end), and the
two are printed side by side. The emulator is always this checkout's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from genaio.embedjob import write_sample  # noqa: E402

MODEL = "gemini-embedding-001"
ITEMS_PER_REQUEST = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also run the job of this git revision")
    parser.add_argument("--rpm", type=int, default=24, help="RPM-bound case: emulated RPM")
    parser.add_argument("--tpm", type=int, default=24_000, help="TPM-bound case: emulated TPM")
    parser.add_argument("--time-scale", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=40.0, help="each job's run")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    cases = {
        "RPM-bound": (args.rpm, None),
        "TPM-bound": (args.rpm * 10, args.tpm),
    }
    print(
        f"time scale {args.time_scale} (a minute lasts {60 / args.time_scale:g} s), "
        f"{args.seconds:g} s a job; RPM-bound: {args.rpm:,} RPM; TPM-bound: {args.tpm:,} TPM "
        f"and {args.rpm * 10:,} RPM (emulated minutes)",
        flush=True,
    )
    results: dict[str, dict[str, dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        checkouts = {"after": CHECKOUT}
        with contextlib.ExitStack() as stack:
            if args.before:
                checkouts = {"before": stack.enter_context(_worktree(args.before)), **checkouts}
            for name, (rpm, tpm) in cases.items():
                for side, checkout in checkouts.items():
                    result = run(args, checkout, rpm, tpm, Path(folder) / f"{name}-{side}")
                    results.setdefault(name, {})[side] = result
                    print(json.dumps({"case": name, "side": side, **result}), flush=True)
    print()
    print(_table(results, list(checkouts)))


@contextlib.contextmanager
def _worktree(rev: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="genaio-before-"))
    subprocess.run(
        ["git", "-C", str(CHECKOUT), "worktree", "add", "--detach", str(path), rev],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(CHECKOUT), "worktree", "remove", "--force", str(path)])


def run(
    args: argparse.Namespace, checkout: Path, rpm: int, tpm: int | None, folder: Path
) -> dict[str, object]:
    folder.mkdir()
    per_second = (rpm * ITEMS_PER_REQUEST if tpm is None else tpm / 10) * args.time_scale / 60
    source = write_sample(folder / "in.jsonl", int(per_second * args.seconds * 1.5) + 1000)
    output = folder / "out.jsonl"
    quota = f"{MODEL}=rpm={rpm}" + (f",tpm={tpm}" if tpm else "")
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "genaio.emulator._cli", "--port", "0"),
            *("--quota", quota, "--time-scale", str(args.time_scale)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=CHECKOUT,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
    )
    try:
        url = re.search(r"http://\S+", emulator.stdout.readline()).group(0)  # type: ignore[union-attr]
        env = {
            **os.environ,
            "GOOGLE_API_KEY": "bench",
            "GOOGLE_GEMINI_BASE_URL": url,
            "PYTHONPATH": str(checkout),
        }
        command = [sys.executable, "-m", "genaio.cli", "embed", str(source), "-o", str(output)]
        command += ["--no-progress", "--dimensions", "8", "--concurrency", str(args.concurrency)]
        command += ["--rpm", str(rpm * args.time_scale)]
        if tpm:
            command += ["--tpm", str(tpm * args.time_scale)]
        job = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=checkout
        )
        started = time.monotonic()
        try:
            windows = _sample_windows(url, job, output, args.seconds)
        finally:
            elapsed = time.monotonic() - started
            job.send_signal(signal.SIGINT)
            job.send_signal(signal.SIGINT)
            _, _, usage = os.wait4(job.pid, 0)
            job.returncode = 0
        stats = _get(url, "stats")
    finally:
        emulator.terminate()
        emulator.wait()
    warm = windows[1:]  # complete windows only; the first one warms up
    if tpm is None:
        fill = _mean([w["items"] / (rpm * ITEMS_PER_REQUEST) for w in warm])
    else:
        fill = _mean([w["minute_tokens"] / tpm for w in warm])
    requests = sum(w["minute_requests"] for w in warm)
    return {
        "fill": fill,
        "items_per_request": round(sum(w["items"] for w in warm) / requests, 1)
        if requests
        else None,
        "http_429": stats["rate_limited"],
        "warm_windows": len(warm),
        "job_cpu": round((usage.ru_utime + usage.ru_stime) / elapsed, 2),  # of one core
        "rpm_fill_by_window": [round(w["minute_requests"] / rpm, 2) for w in windows],
    }


def _sample_windows(
    url: str, job: subprocess.Popen[bytes], output: Path, seconds: float
) -> list[dict[str, int]]:
    """Each emulated minute's final counts (the quota window is read until it rolls over), with
    the output's lines written during it, until `seconds` have passed."""
    windows: list[dict[str, int]] = []
    last: dict[str, int] | None = None
    lines = counted = offset = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and job.poll() is None:
        now = _get(url, "quota").get(f"{MODEL}:batchEmbedContents")
        if output.exists():
            with output.open("rb") as file:
                file.seek(offset)
                chunk = file.read()
                offset += len(chunk)
                lines += chunk.count(b"\n")
        if now and last and now["minute_requests"] < last["minute_requests"]:
            windows.append({**last, "items": lines - counted})
            counted = lines
        last = now or last
        time.sleep(0.02)
    return windows


def _get(url: str, what: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_emulator/{what}") as answer:
        return json.load(answer)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _table(results: dict[str, dict[str, dict[str, object]]], sides: list[str]) -> str:
    head = "| case | " + " | ".join(f"{s}: fill | {s}: items/request | {s}: 429s" for s in sides)
    rows = [head + " |", "|" + " --- |" * (1 + 3 * len(sides))]
    for case, by_side in results.items():
        cells = []
        for side in sides:
            r = by_side[side]
            fill = f"{r['fill']:.1%}" if r["fill"] is not None else "n/a"
            cells += [fill, str(r["items_per_request"]), str(r["http_429"])]
        rows.append(f"| {case} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
