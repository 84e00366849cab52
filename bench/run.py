"""genaio's benchmarks, side by side with the official SDK and raw HTTP clients, in one run.

    python bench/run.py                  # every comparison (a few minutes)
    python bench/run.py --short          # the same comparisons, smaller (under two minutes)
    python bench/run.py --only throughput,coalesce
    python bench/run.py --only profile   # where genaio's time per request goes (cProfile)
    python bench/run.py --only imports   # cold start: imports, first config, client, first call

It starts its own servers (nginx from the system package with canned answers, the genaio
emulator for batches and request counts), checks that they listen on loopback, runs each client
in its own process (fair CPU, isolated memory, its own event loop), bounds every loop in count
and in time, and prints one table with the ratios the targets of issue 6 are stated in. The
comparisons: `_throughput`, `_fanout`, `_coalesce`, `_hop`, `_memory`, `_http2`, `_streams`,
`_uploads`, `_cold`, `_imports` (cold start: imports, first config, client, first call),
`_profile` (`--short` leaves out `uploads`, `cold` and `imports`, which take tens of seconds
even small, unless `--only` names them).

The aiohttp clients need aiohttp (the `bench` extra). Installing it next to the test suite makes
the official SDK switch its transport there too; `--extra-path DIR` puts a directory made with
`pip install --target DIR aiohttp` on those clients' path only.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _coalesce
import _cold
import _fanout
import _hop
import _http2
import _imports
import _memory
import _profile
import _streams
import _throughput
import _uploads
from _servers import NGINX, Emulator, Nginx
from _table import Check, Section, render
from _workers import Workers

SECTIONS = {
    "throughput": _throughput.run,
    "fanout": _fanout.run,
    "coalesce": _coalesce.run,
    "hop": _hop.run,
    "memory": _memory.run,
    "http2": _http2.run,
    "profile": _profile.run,
    "streams": _streams.run,
    "uploads": _uploads.run,
    "cold": _cold.run,
    "imports": _imports.run,
}
DEFAULT = (
    "throughput",
    "fanout",
    "coalesce",
    "hop",
    "memory",
    "http2",
    "streams",
    "uploads",
    "cold",
    "imports",
)
#: Left out of `--short` unless named in `--only`: each takes tens of seconds even when small.
NOT_SHORT = ("uploads", "cold", "imports")


@attrs.frozen
class Params:
    requests: int  # per throughput run
    cap: float  # seconds per throughput run
    runs: int
    levels_generate: tuple[int, ...]
    levels_embed: tuple[int, ...]
    fanout_levels: tuple[int, ...]
    fanout_rounds: int
    coalesce_calls: int
    coalesce_cap: float
    memory_items: int
    memory_cap: float
    hop_requests: int
    hop_rounds: int
    http2_requests: int
    profile_requests: int
    stream_events: int  # per stream
    stream_count: int  # streams measured, one after the other
    cold_calls: int  # started at once from a fresh client
    upload_mib: int  # the file `files.upload` sends


FULL = Params(
    requests=3000,
    cap=1.2,
    runs=3,
    levels_generate=(1, 16, 64, 256),
    levels_embed=(1, 64, 256),
    fanout_levels=(100, 500, 1000, 2000),
    fanout_rounds=6,
    coalesce_calls=10_000,
    coalesce_cap=25.0,
    memory_items=100_000,
    memory_cap=20.0,
    hop_requests=2000,
    hop_rounds=5,
    http2_requests=3000,
    profile_requests=5000,
    stream_events=5000,
    stream_count=4,
    cold_calls=2000,
    upload_mib=1024,
)
SHORT = Params(
    requests=1200,
    cap=0.7,
    runs=1,
    levels_generate=(1, 64),
    levels_embed=(64,),
    fanout_levels=(100, 2000),
    fanout_rounds=2,
    coalesce_calls=2_000,
    coalesce_cap=10.0,
    memory_items=20_000,
    memory_cap=6.0,
    hop_requests=1000,
    hop_rounds=3,
    http2_requests=1500,
    profile_requests=2000,
    stream_events=2000,
    stream_count=2,
    cold_calls=2000,
    upload_mib=64,
)


class Bench:
    """What every comparison shares: parameters, servers, worker processes, progress."""

    def __init__(self, params: Params, workers: Workers, nginx: Nginx, fanout_server: str):
        self.params = params
        self.workers = workers
        self.nginx = nginx
        self.fanout_server = fanout_server
        self.skipped: dict[str, str] = {}
        self._available: dict[str, str | None] = {}
        self._emulators: dict[tuple[str, ...], Emulator] = {}
        self._t0 = time.monotonic()

    def progress(self, message: str) -> None:
        print(f"[{time.monotonic() - self._t0:6.1f}s] {message}", file=sys.stderr, flush=True)

    def usable(self, clients: tuple[str, ...]) -> list[str]:
        out = []
        for client in clients:
            if client not in self._available:
                self._available[client] = why = self.workers.available(client)
                if why:
                    self.skipped[client] = why
            if self._available[client] is None:
                out.append(client)
        return out

    def emulator(self, *args: str) -> Emulator:
        """An emulator started with `args` (one per distinct set, kept for the run)."""
        emulator = self._emulators.get(args)
        if emulator is None:
            emulator = self._emulators[args] = Emulator(*args).__enter__()
        return emulator

    def slow_server(self, latency: float) -> tuple[str, str]:
        if self.fanout_server == "nginx" and "slow" in self.nginx.urls:
            return self.nginx.urls["slow"], f"nginx `echo_sleep {latency:g}` (worker_processes 1)"
        emulator = self.emulator("--fault-latency-ms", str(int(latency * 1000)))
        return emulator.url, f"genaio emulator, latency fault {latency * 1000:.0f} ms"

    def close(self) -> None:
        for emulator in self._emulators.values():
            emulator.__exit__(None, None, None)
        self._emulators.clear()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "—"


def machine(extra_path: str | None) -> str:
    nginx = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    aiohttp = _version("aiohttp")
    if aiohttp == "—" and extra_path:
        found = sorted(Path(extra_path).glob("aiohttp-*.dist-info"))
        aiohttp = found[0].name.removesuffix(".dist-info").split("-")[1] if found else "—"
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; genaio {_version('genaio')}, "
        f"google-genai {_version('google-genai')}, httpx {_version('httpx')}, "
        f"httpx2 {_version('httpx2')}, aiohttp {aiohttp}, trio {_version('trio')}, "
        f"anyio {_version('anyio')}, h11 {_version('h11')}, h2 {_version('h2')}, "
        f"{nginx.replace('nginx version: ', '')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a short run (under two minutes)")
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help=f"comma-separated comparisons, of: {', '.join(SECTIONS)} (default: all but profile)",
    )
    parser.add_argument(
        "--extra-path",
        default=os.environ.get("GENAIO_BENCH_EXTRA_PATH"),
        help="a directory put on the aiohttp clients' path (pip install --target DIR aiohttp)",
    )
    parser.add_argument("--fanout-server", choices=("nginx", "emulator"), default="nginx")
    parser.add_argument(
        "--upload-size",
        type=int,
        help="MiB uploaded by the uploads comparison (default 1024, 64 with --short)",
    )
    parser.add_argument("--output", help="also write the table (Markdown) to this file")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        parser.error(f"unknown comparison(s): {', '.join(unknown)}")
    if args.short and args.only == ",".join(DEFAULT):
        names = [n for n in names if n not in NOT_SHORT]
    params = SHORT if args.short else FULL
    if args.upload_size:
        params = attrs.evolve(params, upload_mib=args.upload_size)
    header = machine(args.extra_path)
    mode = "short" if args.short else "full"
    command = "python bench/run.py" + (" --short" if args.short else "")
    if args.only != ",".join(DEFAULT):
        command += f" --only {args.only}"

    sections: list[Section] = []
    checks: list[Check] = []
    started = time.monotonic()
    log = tempfile.NamedTemporaryFile("w", prefix="genaio-bench-", suffix=".log", delete=False)
    workers = Workers(args.extra_path, log)
    try:
        with Nginx() as nginx:
            bench = Bench(params, workers, nginx, args.fanout_server)
            try:
                for name in names:
                    bench.progress(f"== {name}")
                    s, c = SECTIONS[name](bench)
                    sections += s
                    checks += c
            finally:
                bench.close()
    finally:
        workers.close()
        log.close()
    elapsed = time.monotonic() - started
    text = (
        f"`{command}` ({mode} run, {elapsed:.0f} s; worker logs: {log.name})\n\n"
        f"Machine: {header}\n\n" + render(sections, checks)
    )
    if bench.skipped:
        text += "\nSkipped: " + "; ".join(f"{c}: {w}" for c, w in bench.skipped.items()) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
