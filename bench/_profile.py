"""Where genaio's time per request goes: the genaio-on-trio client under cProfile at
concurrency 64 against nginx's canned answers, its own time (`tottime`) summed by layer and
divided by the requests made. cProfile slows Python code down by a roughly constant factor, so
the shares are what to read; the unprofiled CPU per request is printed beside them. Then the
anatomy of the coalescing comparison: the collector's passes, trio's own share, and the objects
each waiting call keeps (see `_coalesce.op_anatomy`).

    python bench/run.py --only profile
"""

from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _clients import open_client
from _coalesce import anatomy
from _load import drive
from _table import Check, Section, num

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_profile", "run"]

CONCURRENCY = 64
FANOUT = 2000
#: The checkout's root, left out of the file names printed.
_ROOT = str(Path(__file__).resolve().parent.parent) + "/"
#: Layers, by a fragment of the file's path (the first that matches wins).
LAYERS = (
    ("genaio/engine/_pool", "genaio pool (connection stack, response reading)"),
    ("genaio/engine/_connection", "genaio pool (connection stack, response reading)"),
    ("genaio/engine/_watchdog", "genaio pool (connection stack, response reading)"),
    ("genaio/engine/_transport", "genaio transport (request building, body read, JSON)"),
    ("genaio/engine/_bodies", "genaio transport (request building, body read, JSON)"),
    ("genaio/engine/_calls", "genaio transport (request building, body read, JSON)"),
    ("genaio/engine/_redirects", "genaio transport (request building, body read, JSON)"),
    ("genaio/engine/_httpx_adapter", "genaio transport (request building, body read, JSON)"),
    ("genaio/engine/_http11", "genaio HTTP/1.1 (request bytes, httptools callbacks)"),
    ("genaio/engine/_retry", "genaio retrier"),
    ("genaio/engine", "genaio engine, other"),
    ("genaio/actors", "genaio actors (mailbox, serve loop, worker, reply)"),
    ("genaio/api", "genaio facade (arguments, bodies, typed answers)"),
    ("genaio/types", "genaio types (pydantic models)"),
    ("pydantic", "pydantic / pydantic-core"),
    ("/h11/", "h11 (HTTP/1.1 parsing)"),
    ("/httpx/", "httpx client layer (Request, Response, URL, headers)"),
    ("/httpcore/", "httpcore (httpx's pool)"),
    ("/h2/", "h2"),
    ("/anyio/", "anyio"),
    ("/trio/", "trio (scheduler, sockets)"),
    ("/json/", "json"),
    ("/attr", "attrs"),
    ("/structlog/", "structlog"),
    ("/_load.py", "the load loop (bench)"),
    ("/_clients.py", "the load loop (bench)"),
)


#: C functions worth a layer of their own, by a fragment of their name; the other C functions
#: (str/bytes methods, isinstance, httptools' parser) are "builtins".
C_LAYERS = (
    ("validate_python", "pydantic-core (typed answers, users' arguments)"),
    ("orjson", "orjson (request and answer JSON)"),
    ("_socket.socket", "socket system calls (send, recv)"),
    ("select.epoll", "waiting for the network (epoll)"),
)
#: The parts of a call that the docs' table names, by layer (others: "runtime and other").
PARTS = {
    "genaio facade (arguments, bodies, typed answers)": "facade",
    "genaio types (pydantic models)": "facade",
    "pydantic / pydantic-core": "facade",
    "genaio actors (mailbox, serve loop, worker, reply)": "actor hop",
    "genaio pool (connection stack, response reading)": "engine",
    "genaio transport (request building, body read, JSON)": "engine",
    "genaio HTTP/1.1 (request bytes, httptools callbacks)": "engine",
    "genaio retrier": "engine",
    "genaio engine, other": "engine",
    "pydantic-core (typed answers, users' arguments)": "parse",
    "orjson (request and answer JSON)": "parse",
    "socket system calls (send, recv)": "system calls",
    "trio (scheduler, sockets)": "trio and anyio",
    "anyio": "trio and anyio",
}


def _layer(filename: str, function: str) -> str:
    if filename == "~":  # C functions, charged here rather than to their Python caller
        for fragment, layer in C_LAYERS:
            if fragment in function:
                return layer
        return "builtins (str/bytes methods, isinstance, httptools' parser, ...)"
    for fragment, layer in LAYERS:
        if fragment in filename:
            return layer
    return "other (stdlib, outcome, sniffio, ...)"


async def op_profile(
    client: str, url: str, *, endpoint: str, requests: int, concurrency: int, cap: float
) -> dict[str, Any]:
    async with open_client(client, url, endpoint=endpoint, concurrency=concurrency) as call:
        await drive(call, concurrency, max(500, concurrency), cap)
        plain = await drive(call, concurrency, requests, cap)
        profiler = cProfile.Profile()
        cpu0 = time.process_time()
        profiler.enable()
        result = await drive(call, concurrency, requests, 3 * cap)
        profiler.disable()
        cpu = time.process_time() - cpu0
    stats = pstats.Stats(profiler)
    layers: dict[str, float] = {}
    functions = []
    for (filename, line, function), (_, calls, tottime, _cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        layer = _layer(filename, function)
        layers[layer] = layers.get(layer, 0.0) + tottime
        short = filename.split("site-packages/")[-1].split(_ROOT)[-1]
        functions.append((tottime, calls, f"{short}:{line} {function}"))
    functions.sort(reverse=True)
    done = result["done"] or 1
    return {
        "plain_cpu_us": plain["cpu_us"],
        "plain_rate": plain["rate"],
        "profiled_cpu_us": 1e6 * cpu / done,
        "layers": {k: 1e6 * v / done for k, v in layers.items()},
        "top": [(1e6 * t / done, c / done, name) for t, c, name in functions[:25]],
    }


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    sections = []
    n = bench.params.profile_requests
    slow, _ = bench.slow_server(1.0)
    runs = [
        ("generate_content", "generate", bench.nginx.urls["http"], CONCURRENCY, n, 60.0),
        ("embed_content", "embed", bench.nginx.urls["http"], CONCURRENCY, n, 60.0),
        ("generate_content, 1 s server", "generate", slow, FANOUT, 2 * FANOUT, 2.0),
    ]
    for label, endpoint, url, concurrency, requests, cap in runs:
        bench.progress(f"profile {label} c={concurrency}")
        r = bench.workers.get("genaio-trio").request(
            "_profile",
            "op_profile",
            timeout=600,
            url=url,
            endpoint=endpoint,
            requests=requests,
            concurrency=concurrency,
            cap=cap,
        )
        title = f"Profile: genaio on trio, {label}, c={concurrency} (cProfile, own time)"
        if "error" in r:
            sections.append(Section(title, ["—"], notes=[r["error"]]))
            continue
        total = sum(r["layers"].values())
        section = Section(
            title,
            ["layer", "µs/req (profiled)", "share"],
            notes=[
                f"unprofiled: {num(r['plain_cpu_us'])} µs CPU/req, {num(r['plain_rate'])} req/s; "
                f"profiled: {num(r['profiled_cpu_us'])} µs CPU/req",
                "by part of the call: "
                + ", ".join(f"{part} {num(100 * us / total, 1, '%')}" for part, us in _parts(r)),
                "top functions by own time (µs/req, calls/req): "
                + "; ".join(f"{n} {num(t, 1)} ({num(c, 1)})" for t, c, n in r["top"][:15]),
            ],
        )
        for layer, us in sorted(r["layers"].items(), key=lambda kv: -kv[1]):
            if us >= 0.5:
                section.rows.append([layer, num(us, 1), num(100 * us / total, 1, "%")])
        sections.append(section)
    bench.progress("profile coalescing")
    sections.append(anatomy(bench))
    return sections, []


def _parts(result: dict[str, Any]) -> list[tuple[str, float]]:
    """The profiled µs per request of each part of a call (`PARTS`), largest first."""
    parts: dict[str, float] = {}
    for layer, us in result["layers"].items():
        part = PARTS.get(layer, "runtime and other")
        parts[part] = parts.get(part, 0.0) + us
    return sorted(parts.items(), key=lambda kv: -kv[1])
