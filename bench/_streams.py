"""Streams: one long `generate_content_stream` answer (thousands of SSE events), read chunk by
chunk (`chunk.text` of each), CPU per event and events per second, each client in its own
process, beside the official SDK.

The answer is a canned SSE body nginx serves as a static file (`www/sse/NAME.sse`, where the
model's name is NAME), so the server costs next to nothing and the client is what is measured.
Each event is a chunk shaped like the real API's: a few words of text, the usage so far, the
model version and the response id; the last one carries `finishReason`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from _clients import API_KEY, PROMPT
from _table import Check, Section, median, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_stream", "open_aio", "run"]

CLIENTS = ("genaio-trio", "genaio-asyncio", "sdk-httpx2", "sdk-aiohttp")
LABELS = {
    "genaio-trio": "genaio on trio",
    "genaio-asyncio": "genaio on asyncio",
    "sdk-httpx2": "google-genai on asyncio, httpx2 (default)",
    "sdk-aiohttp": "google-genai on asyncio, aiohttp",
}
TARGET = 5.0


def sse_body(events: int) -> str:
    """A streamed answer of `events` chunks, as the API sends it (`data: ...` + CRLF CRLF)."""
    out = []
    for i in range(events):
        chunk: dict[str, Any] = {
            "candidates": [
                {"content": {"parts": [{"text": f"word{i} and a few more "}], "role": "model"}}
            ],
            "usageMetadata": {
                "promptTokenCount": 8,
                "candidatesTokenCount": i + 1,
                "totalTokenCount": i + 9,
            },
            "modelVersion": "gemini-2.0-flash",
            "responseId": "bench-stream-0001",
        }
        if i == events - 1:
            chunk["candidates"][0]["finishReason"] = "STOP"
        out.append("data: " + json.dumps(chunk, separators=(",", ":")) + "\r\n\r\n")
    return "".join(out)


@asynccontextmanager
async def open_aio(client: str, url: str) -> AsyncIterator[Any]:
    """The `client.aio` surface of genaio or of the official SDK (`client` names which)."""
    if client.startswith("genaio"):
        import genaio

        async with genaio.Client(api_key=API_KEY, http_options={"base_url": url}).aio as aio:
            yield aio
    else:
        from google import genai

        aio = genai.Client(api_key=API_KEY, http_options={"base_url": url}).aio
        try:
            yield aio
        finally:
            await aio.aclose()


async def op_stream(client: str, url: str, *, model: str, streams: int) -> dict[str, Any]:
    """Read `streams` streams one after the other (after one not counted); events, seconds, CPU."""
    async with open_aio(client, url) as aio:
        models = aio.models

        async def one() -> tuple[int, int]:
            events = chars = 0
            stream = await models.generate_content_stream(model=model, contents=PROMPT)
            async for chunk in stream:
                events += 1
                chars += len(chunk.text or "")
            return events, chars

        expected = await one()
        events = 0
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(streams):
            got = await one()
            if got != expected:
                return {"error": f"a stream read {got} (events, chars), the first {expected}"}
            events += got[0]
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    return {"events": events, "elapsed": elapsed, "cpu_us": 1e6 * cpu / events}


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    n, streams = p.stream_events, p.stream_count
    model = f"bench-stream-{n}"
    sse = bench.nginx.www / "sse"
    sse.mkdir(exist_ok=True)
    (sse / f"{model}.sse").write_text(sse_body(n))
    clients = bench.usable(CLIENTS)
    results: dict[str, dict[str, Any]] = {}
    for rep in range(p.runs):
        order = clients[rep % len(clients) :] + clients[: rep % len(clients)]
        for client in order:
            bench.progress(f"streams {n:,} events x {streams} run {rep + 1} {client}")
            r = bench.workers.get(client).request(
                "_streams",
                "op_stream",
                timeout=600,
                url=bench.nginx.urls["http"],
                model=model,
                streams=streams,
            )
            results.setdefault(client, {"rates": [], "cpu": [], "error": None})
            if "error" in r:
                results[client]["error"] = r["error"]
                continue
            results[client]["rates"].append(r["events"] / r["elapsed"])
            results[client]["cpu"].append(r["cpu_us"])
    rate = {c: median(r["rates"]) for c, r in results.items()}
    cpu = {c: median(r["cpu"]) for c, r in results.items()}
    sdk_rate = max((v for c, v in rate.items() if c.startswith("sdk") and v), default=None)
    sdk_cpu = min((v for c, v in cpu.items() if c.startswith("sdk") and v), default=None)
    section = Section(
        f"Streams: one generate_content_stream answer of {n:,} SSE events, {streams} in a row "
        f"(median of {p.runs})",
        ["client", "events/s", "CPU µs/event", "events/s vs SDK's best", "CPU vs SDK's best"],
        notes=[f"nginx serves the canned SSE body ({(sse / f'{model}.sse').stat().st_size:,} B)"],
    )
    for client in clients:
        section.rows.append(
            [
                LABELS[client],
                num(rate.get(client)),
                num(cpu.get(client), 1),
                num(ratio(rate.get(client), sdk_rate), 2, "x"),
                num(ratio(sdk_cpu, cpu.get(client)), 2, "x"),
            ]
        )
        if results.get(client, {}).get("error"):
            section.notes.append(f"{LABELS[client]}: {results[client]['error']}")
    v = ratio(rate.get("genaio-trio"), sdk_rate)
    return [section], [
        Check(
            f"streams: genaio/trio events per second >= {TARGET:g}x the SDK's best",
            num(v, 2, "x"),
            None if v is None else v >= TARGET,
        )
    ]
