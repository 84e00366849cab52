"""Benchmark `genaio embed` at a binding quota: how full it keeps the quota, before and after.

    python bench/embed_job.py --before 074dbf4        # the fill, before and after
    python bench/embed_job.py --items 10000 1000000   # whole jobs, with faults

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

Then the cost of one job both ways, online and `--via batch` (`--cost-items` texts; the
emulator's batch jobs end `--lro-seconds` after they are created): the tokens as the emulator
counts them, the time, and the cost from the list prices of `genaio/embedjob/prices.json` (their
source and date are printed; `--prices FILE` overrides them).

With `--items`, each size instead runs one whole job to its end, with faults (5% 503s, 1%
connection resets) and a quota on both requests and tokens (defaults: 3,000 RPM, 1,000,000 TPM,
time scale 2), and prints its items/s, the fill of each quota, the 429s and the job's peak RSS
(docs/performance.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
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
from typing import Any

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from genaio.embedjob import sample_records, write_sample  # noqa: E402
from genaio.embedjob._prices import load_prices  # noqa: E402
from genaio.emulator._tokenizer import text_tokens  # noqa: E402

MODEL = "gemini-embedding-001"
ITEMS_PER_REQUEST = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also run the job of this git revision")
    parser.add_argument("--items", type=int, nargs="+", help="run whole jobs of these sizes")
    parser.add_argument("--rpm", type=int, help="emulated RPM (RPM-bound: 24; --items: 3,000)")
    parser.add_argument("--tpm", type=int, help="emulated TPM (TPM-bound: 24,000; --items: 1M)")
    parser.add_argument("--time-scale", type=float, help="(default: 5; --items: 2)")
    parser.add_argument("--seconds", type=float, default=40.0, help="each job's run")
    parser.add_argument(
        "--case", choices=("RPM-bound", "TPM-bound"), action="append", help="(default: both)"
    )
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--dimensions", type=int, default=8)
    parser.add_argument("--error-503-rate", type=float, default=0.05, help="(--items)")
    parser.add_argument("--reset-rate", type=float, default=0.01, help="(--items)")
    parser.add_argument("--cost-items", type=int, default=2000, help="the cost's job (0: none)")
    parser.add_argument("--lro-seconds", type=float, default=5.0, help="a batch job's turnaround")
    parser.add_argument("--prices", type=Path, help="a prices JSON file (see prices.json)")
    parser.add_argument("--cost-only", action="store_true", help="only the cost, both ways")
    args = parser.parse_args()
    if args.items:
        whole_jobs(args)
    else:
        if not args.cost_only:
            fill(args)
        if args.cost_items:
            print()
            cost(args)


def fill(args: argparse.Namespace) -> None:
    rpm, tpm = args.rpm or 24, args.tpm or 24_000
    args.time_scale = args.time_scale or 5.0
    cases = {"RPM-bound": (rpm, None), "TPM-bound": (rpm * 10, tpm)}
    cases = {name: quota for name, quota in cases.items() if name in (args.case or cases)}
    print(
        f"time scale {args.time_scale} (a minute lasts {60 / args.time_scale:g} s), "
        f"{args.seconds:g} s a job; RPM-bound: {rpm:,} RPM; TPM-bound: {tpm:,} TPM "
        f"and {rpm * 10:,} RPM (emulated minutes)",
        flush=True,
    )
    results: dict[str, dict[str, dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        checkouts = {"after": CHECKOUT}
        with contextlib.ExitStack() as stack:
            if args.before:
                checkouts = {"before": stack.enter_context(_worktree(args.before)), **checkouts}
            for name, (case_rpm, case_tpm) in cases.items():
                for side, checkout in checkouts.items():
                    where = Path(folder) / f"{name}-{side}"
                    result = run(args, checkout, case_rpm, case_tpm, where)
                    results.setdefault(name, {})[side] = result
                    print(json.dumps({"case": name, "side": side, **result}), flush=True)
    print()
    print(_table(results, list(checkouts)))


def cost(args: argparse.Namespace) -> None:
    """One job online and through the Batch API: tokens, seconds, and cost at list prices."""
    prices = load_prices(args.prices)
    tokens = sum(text_tokens(r["text"]) for r in sample_records(args.cost_items))
    print(f"list prices: {prices.source} (as of {prices.as_of})")
    rows = [
        "| path | items | tokens | seconds | cost (USD) | USD per 1M tokens |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory() as folder:
        source = write_sample(Path(folder) / "in.jsonl", args.cost_items)
        lro = ("--lro-seconds", str(args.lro_seconds))
        for via in ("online", "batch"):
            output = Path(folder) / f"out-{via}.jsonl"
            with _emulator(None, 1.0, lro) as url:
                command = _job_command(args, source, output, None, None)
                command += ["--via", via, "--poll-seconds", "0.5"]
                started = time.perf_counter()
                subprocess.run(
                    command,
                    env=_job_env(url, CHECKOUT),
                    check=True,
                    cwd=CHECKOUT,
                    stdout=subprocess.DEVNULL,
                )
                seconds = time.perf_counter() - started
            spent = prices.cost(MODEL, via, tokens)  # type: ignore[arg-type]
            assert spent is not None, f"no {via} price for {MODEL}"
            rows.append(
                f"| {via} | {args.cost_items:,} | {tokens:,} | {seconds:.1f} | {spent:.6f} | "
                f"{spent / tokens * 1e6:.3f} |"
            )
    print("\n".join(rows))


def whole_jobs(args: argparse.Namespace) -> None:
    args.rpm, args.tpm = args.rpm or 3000, args.tpm or 1_000_000
    args.time_scale = args.time_scale or 2.0
    print(
        f"quota {args.rpm:,} RPM, {args.tpm:,} TPM per emulated minute; time scale "
        f"{args.time_scale} (a minute lasts {60 / args.time_scale:.0f} s); faults: "
        f"{args.error_503_rate:.0%} 503, {args.reset_rate:.0%} resets; "
        f"{args.dimensions} dimensions; concurrency {args.concurrency}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for items in args.items:
            print(json.dumps(whole_job(args, items, Path(folder))), flush=True)


def whole_job(args: argparse.Namespace, items: int, folder: Path) -> dict[str, object]:
    faults: tuple[str, ...]
    source = write_sample(folder / f"in-{items}.jsonl", items)
    output = folder / f"out-{items}.jsonl"
    faults = ("--fault-seed", "1", "--fault-error-503-rate", str(args.error_503_rate))
    faults += ("--fault-reset-rate", str(args.reset_rate))
    with _emulator(f"{MODEL}=rpm={args.rpm},tpm={args.tpm}", args.time_scale, faults) as url:
        command = _job_command(args, source, output, args.rpm, args.tpm)
        started = time.perf_counter()
        job = subprocess.Popen(
            command, env=_job_env(url, CHECKOUT), stdout=subprocess.PIPE, text=True, cwd=CHECKOUT
        )
        windows, ended = _sample_windows(url, job, output, math.inf)
        elapsed = time.perf_counter() - started
        summary = job.stdout.read()  # type: ignore[union-attr]
        stats = _get(url, "stats")
    assert ended is not None
    status, usage = ended
    assert os.waitstatus_to_exitcode(status) == 0, summary
    warm = windows[1:]
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
    """One fill case: the job of `checkout` for `args.seconds`, on an input it cannot finish."""
    folder.mkdir()
    per_second = (rpm * ITEMS_PER_REQUEST if tpm is None else tpm / 10) * args.time_scale / 60
    source = write_sample(folder / "in.jsonl", int(per_second * args.seconds * 1.5) + 1000)
    output = folder / "out.jsonl"
    quota = f"{MODEL}=rpm={rpm}" + (f",tpm={tpm}" if tpm else "")
    with _emulator(quota, args.time_scale, ()) as url:
        job = subprocess.Popen(
            _job_command(args, source, output, rpm, tpm),
            env=_job_env(url, checkout),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=checkout,
        )
        started = time.monotonic()
        try:
            windows, ended = _sample_windows(url, job, output, args.seconds)
        finally:
            elapsed = time.monotonic() - started
            job.send_signal(signal.SIGINT)
            job.send_signal(signal.SIGINT)
            _, _, usage = os.wait4(job.pid, 0)
        assert ended is None, "the job ended early: the input was too short, or it failed"
        stats = _get(url, "stats")
    warm = windows[1:]  # complete windows only; the first one warms up
    if tpm is None:
        fill = _mean([w["items"] / (rpm * ITEMS_PER_REQUEST) for w in warm])
    else:
        fill = _mean([w["minute_tokens"] / tpm for w in warm])
    requests = sum(w["minute_requests"] for w in warm)
    items = sum(w["items"] for w in warm)
    return {
        "fill": fill,
        "items_per_request": round(items / requests, 1) if requests else None,
        "http_429": stats["rate_limited"],
        "warm_windows": len(warm),
        "job_cpu": round((usage.ru_utime + usage.ru_stime) / elapsed, 2),  # of one core
        "rpm_fill_by_window": [round(w["minute_requests"] / rpm, 2) for w in windows],
        **(
            {"tpm_fill_by_window": [round(w["minute_tokens"] / tpm, 3) for w in windows]}
            if tpm
            else {}
        ),
    }


@contextlib.contextmanager
def _emulator(quota: str | None, time_scale: float, extra: tuple[str, ...]) -> Iterator[str]:
    """`genaio emulator` of this checkout in its own process; yields its URL."""
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "genaio.emulator._cli", "--port", "0"),
            *(("--quota", quota) if quota else ()),
            *("--time-scale", str(time_scale), *extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=CHECKOUT,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
    )
    try:
        yield re.search(r"http://\S+", emulator.stdout.readline()).group(0)  # type: ignore[union-attr]
    finally:
        emulator.terminate()
        emulator.wait()


def _job_command(
    args: argparse.Namespace, source: Path, output: Path, rpm: int | None, tpm: int | None
) -> list[str]:
    """The job, told the emulated quota per real minute, as a real job is told its quota."""
    command = [sys.executable, "-m", "genaio.cli", "embed", str(source), "-o", str(output)]
    command += ["--no-progress", "--dimensions", str(args.dimensions)]
    command += ["--concurrency", str(args.concurrency)]
    if rpm:
        command += ["--rpm", str(rpm * args.time_scale)]
    if tpm:
        command += ["--tpm", str(tpm * args.time_scale)]
    return command


def _job_env(url: str, checkout: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOOGLE_API_KEY": "bench",
        "GOOGLE_GEMINI_BASE_URL": url,
        "PYTHONPATH": str(checkout),
    }


def _sample_windows(
    url: str, job: subprocess.Popen[Any], output: Path, seconds: float
) -> tuple[list[dict[str, int]], tuple[int, Any] | None]:
    """Each emulated minute's final counts (the quota window is read until it rolls over), with
    the output's lines written during it, until `seconds` have passed or the job has ended;
    then the job's exit status and resource usage (`wait4`: its own peak RSS), if it ended.

    A window's tokens are exact, not its last sample's (which misses what came after it, up to
    a batch): the emulator's running total of the model's tokens at the window's end, less the
    same at the previous window's end."""
    windows: list[dict[str, int]] = []
    last: dict[str, int] | None = None
    lines = counted = offset = 0
    boundary: int | None = None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ended, status, usage = os.wait4(job.pid, os.WNOHANG)
        if ended:
            return windows, (status, usage)
        now = _get(url, "quota").get(f"{MODEL}:batchEmbedContents")
        if output.exists():
            with output.open("rb") as file:
                file.seek(offset)
                chunk = file.read()
                offset += len(chunk)
                lines += chunk.count(b"\n")
        if now and last and now["minute_requests"] < last["minute_requests"]:
            ended_at = _tokens_at_window_start(url)
            tokens = ended_at - boundary if boundary is not None else last["minute_tokens"]
            windows.append({**last, "minute_tokens": tokens, "items": lines - counted})
            counted, boundary = lines, ended_at
        last = now or last
        time.sleep(0.02)
    return windows, None


def _tokens_at_window_start(url: str) -> int:
    """The model's tokens counted before the current quota window began: the running total
    less the window's, both read between two equal totals (nothing came in between)."""
    while True:
        total = _get(url, "stats")["by_model"][MODEL]["prompt_tokens"]
        window = _get(url, "quota")[f"{MODEL}:batchEmbedContents"]["minute_tokens"]
        if _get(url, "stats")["by_model"][MODEL]["prompt_tokens"] == total:
            return int(total - window)


def _get(url: str, what: str) -> Any:
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
