"""Cold fan-out over TLS: N `generate_content` calls started at once from a fresh client (in a
fresh process) against nginx over TLS answering each after 1 s: the time until all have
answered, against the ideal of 1 s plus the handshakes, and the connections (TLS handshakes)
the client opened, from nginx's `stub_status`. Each client's calls are spawned by its loop's
own task group (`native_task_group`), as in the coalescing bench.

genaio runs with its `models` family's concurrency set to N (its default is lower: a user who
starts N calls at once raises it), on HTTP/2 (its default for https) and on HTTP/1.1 (its pool
opens at most `max_dials` connections at once per origin, and a call waiting for one takes a
connection that comes free first). The
official SDK runs as shipped: its default transport, httpx2, keeps at most 100 connections
(httpx's default limits); with aiohttp it opens as many as it is asked. A third SDK row gives
httpx2 limits of N (`async_client_args`), the most a user can do there. The certificate is a
throwaway one each client is told to trust (`SSL_CERT_FILE` for the SDK, which reads it for both
of its transports).
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import attrs
from _clients import API_KEY, GENERATE_MODEL, PROMPT, native_task_group, open_client
from _table import Check, Section, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_cold", "op_handshakes", "run"]

LATENCY = 1.0


@attrs.frozen
class Variant:
    """One row: a client in a fresh worker, and how it is set up."""

    label: str
    worker: str
    http2: bool = False  # genaio: HTTP/2 instead of HTTP/1.1
    raise_limits: bool = False  # the SDK: httpx2's limits raised to N


VARIANTS = (
    Variant("genaio on trio, HTTP/1.1 (`http2=False`)", "genaio-trio"),
    Variant("genaio on asyncio, HTTP/1.1 (`http2=False`)", "genaio-asyncio"),
    Variant("genaio on trio, HTTP/2 (the default)", "genaio-trio", http2=True),
    Variant("google-genai, httpx2 (default, as shipped)", "sdk-httpx2"),
    Variant("google-genai, httpx2, limits raised to N", "sdk-httpx2", raise_limits=True),
    Variant("google-genai, aiohttp", "sdk-aiohttp"),
)
#: genaio's time until all answered, at most this many times the ideal (`LATENCY` plus the
#: client CPU of the handshakes the protocol needs).
TARGET = 1.5


@asynccontextmanager
async def _sdk(
    client: str, url: str, cafile: str, calls: int, raise_limits: bool
) -> AsyncIterator[Callable[[int], Awaitable[Any]]]:
    from google import genai

    os.environ["SSL_CERT_FILE"] = cafile
    options: dict[str, Any] = {"base_url": url}
    if raise_limits:
        import httpx2

        limits = httpx2.Limits(max_connections=calls, max_keepalive_connections=calls)
        context = ssl.create_default_context(cafile=cafile)
        options["async_client_args"] = {"limits": limits, "verify": context}
    aio = genai.Client(api_key=API_KEY, http_options=options).aio

    async def call(i: int) -> Any:
        contents = f"{PROMPT} ({i})"
        return (await aio.models.generate_content(model=GENERATE_MODEL, contents=contents)).text

    try:
        yield call
    finally:
        await aio.aclose()


async def op_handshakes(client: str, url: str, *, cafile: str, count: int) -> dict[str, Any]:
    """The client CPU of one TLS connection to `url` (TCP connect, TLS handshake, close), the
    least any client pays per connection: blocking sockets, one after the other, no event
    loop. `client` is the worker's; it plays no part."""
    host, port = url.removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=cafile)
    cpu0 = time.process_time()
    for _ in range(count):
        with socket.create_connection((host, int(port))) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                pass
    return {"cpu": (time.process_time() - cpu0) / count}


async def op_cold(
    client: str,
    url: str,
    *,
    cafile: str,
    calls: int,
    http2: bool,
    raise_limits: bool,
    cap: float,
) -> dict[str, Any]:
    """Open a client, start `calls` calls at once, and time them until the last has answered."""
    if client.startswith("genaio"):
        opened = open_client(client, url, concurrency=calls, cafile=cafile, http2=http2)
    else:
        opened = _sdk(client, url, cafile, calls, raise_limits)
    done = errors = 0
    first_error = ""
    first_answer: float | None = None  # since t0: about the first request out, plus LATENCY
    async with opened as call:

        async def one(i: int) -> None:
            nonlocal done, errors, first_error, first_answer
            try:
                await call(i)
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            else:
                done += 1
                if first_answer is None:
                    first_answer = time.perf_counter() - t0

        cpu0, t0 = time.process_time(), time.perf_counter()
        with anyio.move_on_after(cap) as scope:
            async with native_task_group() as spawn:
                for i in range(calls):
                    spawn(one, i)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    return {
        "done": done,
        "errors": errors,
        "first_error": first_error,
        "elapsed": elapsed,
        "first": first_answer,
        "cpu": cpu,
        "capped": scope.cancelled_caught,
    }


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    n = bench.params.cold_calls
    nginx = bench.nginx
    if "slow_tls" not in nginx.urls:
        why = "no echo module or no openssl"
        return [Section("Cold fan-out over TLS", ["—"], notes=[f"skipped: {why}"])], []
    url = nginx.urls["slow_tls"]  # its default delay: 1 s
    cap = 60.0
    usable = set(bench.usable(tuple({v.worker for v in VARIANTS})))
    section = Section(
        f"Cold fan-out over TLS: {n:,} generate_content calls at once from a fresh client, "
        f"server answering after {LATENCY:g} s (ideal: {LATENCY:g} s plus the handshakes)",
        [
            "client",
            "all answered s",
            "vs 1 s",
            "ideal s",
            "vs ideal",
            "first answered s",
            "connections opened",
            "CPU s",
            "errors",
        ],
        notes=[
            "nginx (`echo_sleep`, worker_processes 1, TLS 1.3, P-256 certificate); connections "
            f"from `stub_status`; each client in a fresh process, stopped at {cap:g} s",
            f"first answered: less {LATENCY:g} s, about when the first request went out (the "
            "burst's calls made, a connection opened); from there to all answered, the time "
            "to send the rest and take in the answers",
            f"ideal: {LATENCY:g} s plus the client CPU of the TLS handshakes the protocol needs "
            "for every call to be in flight at once, one after the other on the client's core: "
            f"one per call on HTTP/1.1 ({n:,}), one per connection opened on HTTP/2; a "
            "handshake measured as the least a client pays (blocking sockets, no event loop): "
            "HANDSHAKE",
        ],
    )
    hs = bench.workers.fresh(
        "genaio-trio",
        "_cold",
        "op_handshakes",
        timeout=120,
        url=url,
        cafile=str(nginx.cert),
        count=200,
    )
    handshake = hs.get("cpu")
    section.notes[-1] = section.notes[-1].replace(
        "HANDSHAKE", f"{1e3 * handshake:.2f} ms" if handshake else f"not measured ({hs})"
    )
    vs_ideal: dict[str, float | None] = {}
    times: dict[str, float] = {}
    for variant in VARIANTS:
        label = variant.label
        if variant.worker not in usable:
            continue
        bench.progress(f"cold fan-out {n:,} over TLS: {label}")
        before = nginx.connections_accepted()
        r = bench.workers.fresh(
            variant.worker,
            "_cold",
            "op_cold",
            timeout=cap + 120,
            url=url,
            cafile=str(nginx.cert),
            calls=n,
            http2=variant.http2,
            raise_limits=variant.raise_limits,
            cap=cap,
        )
        opened = nginx.connections_accepted() - before - 1  # not our own stub_status request
        if "error" in r:
            section.rows.append([label, "failed", "", "", "", "", "", "", ""])
            section.notes.append(f"{label}: {r['error']}")
            continue
        if r["errors"]:
            section.notes.append(f"{label}: {r['errors']} errors, e.g. {r['first_error']}")
        elapsed = r["elapsed"] if r["done"] == n else None
        if elapsed is not None:
            times[label] = elapsed
        handshakes = opened if variant.http2 else n
        ideal = LATENCY + handshakes * handshake if handshake else None
        vs_ideal[label] = ratio(elapsed, ideal)
        section.rows.append(
            [
                label,
                num(elapsed, 2)
                if elapsed is not None
                else f"≥ {r['elapsed']:.1f} ({r['done']:,} done)",
                num(ratio(elapsed, LATENCY), 2, "x"),
                num(ideal, 2),
                num(vs_ideal[label], 2, "x"),
                num(r.get("first"), 2),
                f"{opened:,}",
                num(r["cpu"], 2),
                f"{r['errors']:,}",
            ]
        )
    sdk = min((t for label, t in times.items() if label.startswith("google")), default=None)
    checks = []
    for variant in (v for v in VARIANTS if v.worker == "genaio-trio"):
        v = vs_ideal.get(variant.label)
        checks.append(
            Check(
                f"cold fan-out over TLS: {variant.label}, {n:,} calls, all answered within "
                f"{TARGET:g}x the ideal ({LATENCY:g} s plus the handshakes)",
                num(times.get(variant.label), 2, " s")
                + f", {num(v, 2, 'x')} (SDK's best {num(sdk, 2, ' s')})",
                None if v is None else v <= TARGET,
            )
        )
    return [section], checks
