"""A service under load: the same ASGI app on genaio and on google-genai, in three weathers.

Each library serves `GET /` from a one-route ASGI app under hypercorn (asyncio, one worker, in
its own process); each request is one `generate_content` against the genaio emulator (in its
own process, with a fixed latency). A closed-loop load of `--clients` connections runs for
`--seconds`, then the app gets SIGTERM while the load is still on, and the time until it has
exited is its drain. Weathers: calm; 5% of answers a 503; a binding quota (a per-minute
request quota on a compressed clock, answered with 429 and RetryInfo).

The app is the code a user writes, only the import changed: no timeout, the library's default
retries (genaio retries 429 and 5xx; the official SDK retries nothing unless told). A call that
raises answers 502 with the exception's class name, which the load counts as that error.

    python bench/service.py                        # about two minutes on 2 cores
    python bench/service.py --seconds 5 --clients 100 --output table.md
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import Emulator, assert_loopback

API_KEY = "bench-key"
MODEL = "gemini-2.5-flash"
QUOTA_MODEL = "gemini-2.5-flash-lite"
#: The emulator's clock runs this much faster: a per-minute quota window lasts 10 s.
TIME_SCALE = 6
QUOTA_RPM = 600  # per emulated minute: 60 requests per real second
WEATHERS = {
    "calm": (MODEL, {}),
    "5% 503s": (MODEL, {"error_503_rate": 0.05}),
    "binding quota": (QUOTA_MODEL, {}),
}
LIBRARIES = ("genaio", "google-genai")
REQUEST = b"GET / HTTP/1.1\r\nhost: bench\r\n\r\n"


# -- the app (run with --serve) ----------------------------------------------------------------


def make_app(library: str, base_url: str, model: str) -> Any:
    """The ASGI app: one route, one call, the library's defaults."""
    if library == "genaio":
        import genaio

        client: Any = genaio.Client(api_key=API_KEY, http_options={"base_url": base_url})
    else:
        from google import genai

        client = genai.Client(api_key=API_KEY, http_options={"base_url": base_url})
    aio = client.aio

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await aio.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        try:
            await aio.models.generate_content(model=model, contents="Tell me about the bench.")
            status, body = 200, b"ok"
        except Exception as exc:
            status, body = 502, type(exc).__name__.encode()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve(library: str, base_url: str, model: str, port: int) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 60.0  # the drain measured is the app's, not hypercorn's cut-off
    config.backlog = 4096

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await hypercorn_serve(
            make_app(library, base_url, model), config, shutdown_trigger=stop.wait
        )

    asyncio.run(main())


# -- the load ----------------------------------------------------------------------------------


async def load(port: int, clients: int, seconds: float) -> tuple[list[float], collections.Counter]:
    """Closed-loop requests from `clients` connections for `seconds`: successful latencies, and
    the count of each ending (`ok`, an error class, `closed`)."""
    latencies: list[float] = []
    endings: collections.Counter[str] = collections.Counter()
    stop_at = trio.current_time() + seconds

    async def one_client() -> None:
        try:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
        except OSError:
            endings["refused"] += 1
            return
        buffer = b""
        async with stream:
            while trio.current_time() < stop_at:
                started = trio.current_time()
                try:
                    await stream.send_all(REQUEST)
                    while b"\r\n\r\n" not in buffer:
                        data = await stream.receive_some(65536)
                        if not data:
                            raise trio.BrokenResourceError
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    while len(buffer) < length:
                        data = await stream.receive_some(65536)
                        if not data:
                            raise trio.BrokenResourceError
                        buffer += data
                except (trio.BrokenResourceError, OSError):
                    endings["closed"] += 1
                    return
                body, buffer = buffer[:length], buffer[length:]
                if head.split(b" ", 2)[1] == b"200":
                    latencies.append(trio.current_time() - started)
                    endings["ok"] += 1
                else:
                    endings[body.decode(errors="replace") or "error"] += 1

    async with trio.open_nursery() as nursery:
        for _ in range(clients):
            nursery.start_soon(one_client)
    return latencies, endings


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the app exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the app did not listen within 60 s")


def run_one(library: str, weather: str, emulator: Emulator, args: argparse.Namespace) -> dict:
    model, faults = WEATHERS[weather]
    emulator.reset()
    emulator._control("/_emulator/faults", {"latency_ms": args.latency_ms, **faults})
    port = _free_port()
    app = subprocess.Popen(
        [sys.executable, __file__, "--serve", library, emulator.url, model, str(port)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        _wait_listening(port, app)
        started = time.monotonic()
        result: dict[str, Any] = {}

        async def drive() -> None:
            async def terminate_at_the_end() -> None:
                await trio.sleep(args.seconds)
                result["rss"] = peak_rss_mb(app.pid)
                app.send_signal(signal.SIGTERM)
                result["sigterm"] = time.monotonic()

            async with trio.open_nursery() as nursery:
                nursery.start_soon(terminate_at_the_end)
                result["latencies"], result["endings"] = await load(
                    port, args.clients, args.seconds
                )

        trio.run(drive)
        app.wait(timeout=120)
        drain = time.monotonic() - result["sigterm"]
        elapsed = result["sigterm"] - started
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    latencies = sorted(result["latencies"])
    endings = result["endings"]
    return {
        "library": library,
        "weather": weather,
        "rps": endings["ok"] / elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "errors": {k: v for k, v in endings.items() if k != "ok"},
        "rss": result["rss"],
        "drain": drain,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| weather | library | successful req/s | p50 ms | p99 ms | errors (count by type) "
        "| peak RSS MB | drain s |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in rows:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(r["errors"].items())) or "none"
        lines.append(
            f"| {r['weather']} | {r['library']} | {r['rps']:,.0f} | {r['p50'] * 1000:,.0f} "
            f"| {r['p99'] * 1000:,.0f} | {errors} | {r['rss']:,.0f} | {r['drain']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        library, base_url, model, port = sys.argv[2:6]
        assert_loopback(base_url)
        serve(library, base_url, model, int(port))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    rows = []
    emulator_args = ("--time-scale", str(TIME_SCALE), "--quota", f"{QUOTA_MODEL}=rpm={QUOTA_RPM}")
    with Emulator(*emulator_args) as emulator:
        for weather in WEATHERS:
            for library in LIBRARIES:
                row = run_one(library, weather, emulator, args)
                print(row, file=sys.stderr, flush=True)
                rows.append(row)
    text = table(rows)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
