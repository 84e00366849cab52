"""Memory: N `embed_content` calls through genaio's streaming mapper (`embed_many`, which reads
its input lazily and keeps at most `max_in_flight` in flight), beside the official SDK's
`asyncio.gather` of the same N calls. Peak RSS of each client's own fresh process
(`getrusage`), against the emulator (which answers batches as sent), 64 dimensions.

The SDK's gather creates every task at once and sends one request per call; it is stopped at
its time cap, so its peak is a lower bound of what the whole run would reach.
"""

from __future__ import annotations

import resource
import threading
import time
from typing import TYPE_CHECKING, Any

import anyio
from _clients import API_KEY, EMBED_MODEL, PROMPT, answer_and_exit
from _table import Check, Section, num

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_memory", "run"]

CLIENTS = ("genaio-trio", "sdk-httpx2")
LABELS = {
    "genaio-trio": "genaio on trio, `embed_many` (streaming)",
    "sdk-httpx2": "google-genai, httpx2, `asyncio.gather`",
}
DIMENSIONS = 64
LIMIT_MB = 150


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def op_memory(client: str, url: str, *, items: int, cap: float) -> dict[str, Any]:
    config = {"output_dimensionality": DIMENSIONS}
    texts = (f"{PROMPT} ({i})" for i in range(items))
    done = errors = 0
    first_error = ""
    if client.startswith("genaio"):
        import genaio

        aio_client = genaio.Client(api_key=API_KEY, http_options={"base_url": url})
        async with aio_client.aio as aio:
            await aio.models.embed_content(model=EMBED_MODEL, contents="warm", config=config)
            baseline = _rss_mb()
            t0 = time.perf_counter()
            with anyio.move_on_after(cap) as scope:
                async with aio.models.embed_many(
                    model=EMBED_MODEL, contents=texts, config=config
                ) as results:
                    async for result in results:
                        if result.error is not None:
                            errors += 1
                            first_error = first_error or repr(result.error)[:300]
                        else:
                            done += 1
            elapsed = time.perf_counter() - t0
            capped = scope.cancelled_caught
    else:
        import asyncio

        from google import genai

        sdk = genai.Client(api_key=API_KEY, http_options={"base_url": url})
        models = sdk.aio.models
        await models.embed_content(model=EMBED_MODEL, contents="warm", config=config)
        baseline = _rss_mb()

        async def one(text: str) -> None:
            nonlocal done, errors, first_error
            try:
                await models.embed_content(model=EMBED_MODEL, contents=text, config=config)
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            else:
                done += 1

        t0 = time.perf_counter()

        def at_cap() -> None:
            # A thread, not the loop: 100,000 tasks starting at once keep the loop from
            # looking at its timers for longer than the cap.
            answer_and_exit(
                {
                    "done": done,
                    "errors": errors,
                    "first_error": first_error,
                    "elapsed": time.perf_counter() - t0,
                    "baseline_mb": baseline,
                    "peak_mb": _peak_mb(),
                    "capped": True,
                }
            )

        watchdog = threading.Timer(cap, at_cap)
        watchdog.start()
        await asyncio.gather(*(one(text) for text in texts))
        watchdog.cancel()
        elapsed = time.perf_counter() - t0
        await sdk.aio.aclose()
        capped = False  # the gather finished within the cap
    return {
        "done": done,
        "errors": errors,
        "first_error": first_error,
        "elapsed": elapsed,
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
        "capped": capped,
    }


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    emulator = bench.emulator()
    n = p.memory_items
    results = {}
    for client in bench.usable(CLIENTS):
        bench.progress(f"memory {n:,} calls {client}")
        # genaio must finish (it is the target); the SDK is stopped at the cap.
        cap = p.memory_cap * (4 if client.startswith("genaio") else 1)
        results[client] = bench.workers.fresh(
            client, "_memory", "op_memory", timeout=cap + 90, url=emulator.url, items=n, cap=cap
        )
    section = Section(
        f"Memory: {n:,} embed_content calls (emulator, {DIMENSIONS} dimensions), peak RSS",
        ["client", "peak RSS MB", "RSS before MB", "calls done", "seconds"],
    )
    for client, r in results.items():
        if "error" in r:
            section.rows.append([LABELS[client], "failed", "", "", ""])
            section.notes.append(f"{LABELS[client]}: {r['error']}")
            continue
        capped = r["capped"]
        section.rows.append(
            [
                LABELS[client],
                ("≥ " if capped else "") + num(r["peak_mb"]),
                num(r["baseline_mb"]),
                f"{r['done']:,} of {n:,}",
                ("stopped at " if capped else "") + num(r["elapsed"], 1),
            ]
        )
        if r["errors"]:
            section.notes.append(f"{LABELS[client]}: {r['errors']} errors, e.g. {r['first_error']}")
    g = results.get("genaio-trio", {})
    ok = None
    if g and "error" not in g:
        ok = g["peak_mb"] < LIMIT_MB and not g["capped"] and g["done"] == n
    return [section], [
        Check(
            f"memory: {n:,} calls through embed_many, peak RSS < {LIMIT_MB} MB",
            num(g.get("peak_mb"), 0, " MB") + ("" if not g.get("capped") else " (capped)"),
            ok,
        )
    ]
