"""Coalescing: N concurrent single `embed_content` calls (one text each), all started at once.

genaio (default limits: coalescing on, 100 entries a request at most) should need at most
N / 100 + 1 HTTP requests; the official SDK sends one request per call. The emulator serves
both (it answers a batch with as many embeddings as it was sent) and counts what it received.
Embeddings are asked with 64 dimensions, so that decoding vectors does not hide the cost of
the requests themselves. Each client's calls are spawned by its loop's own task group.

Every client runs `runs` times, interleaved (a round runs each client in turn, the order rotated
from round to round), each in a fresh process, and its run of median time stands for it: one run
of each is at the mercy of whatever else the machine does during its seconds.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

import anyio
from _clients import native_task_group, open_client
from _table import Check, Section, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["anatomy", "op_anatomy", "op_coalesce", "run"]

CLIENTS = ("genaio-trio", "sdk-httpx2", "sdk-aiohttp")
LABELS = {
    "genaio-trio": "genaio on trio (default limits)",
    "sdk-httpx2": "google-genai, httpx2 (default)",
    "sdk-aiohttp": "google-genai, aiohttp",
}
DIMENSIONS = 64


async def op_coalesce(client: str, url: str, *, calls: int, cap: float) -> dict[str, Any]:
    """Start `calls` single embed_content calls at once; wait for all (at most `cap` s)."""
    done = errors = 0
    first_error = ""
    async with open_client(
        client, url, endpoint="embed", concurrency=100, batching=True, dimensions=DIMENSIONS
    ) as call:
        await call(-1)  # warm: the client's tree and one connection

        async def one(i: int) -> None:
            nonlocal done, errors, first_error
            try:
                values = await call(i)
                assert len(values) == DIMENSIONS, len(values)
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            else:
                done += 1

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
        "cpu": cpu,
        "capped": scope.cancelled_caught,
    }


async def op_anatomy(client: str, url: str, *, calls: int) -> dict[str, Any]:
    """Where genaio's time for `calls` coalesced calls goes (trio only): the garbage
    collector's passes during them, trio's own cost for as many tasks that only wait, and the
    objects each waiting call keeps (counted while a silent server holds every batch)."""
    import gc

    import trio

    async with open_client(
        client, url, endpoint="embed", concurrency=100, batching=True, dimensions=DIMENSIONS
    ) as call:
        await call(-1)
        passes: dict[int, list[float]] = {0: [], 1: [], 2: []}
        started: list[float] = []

        def on_pass(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started.append(time.perf_counter())
            elif started:
                passes[info["generation"]].append(time.perf_counter() - started.pop())

        gc.collect()
        gc.callbacks.append(on_pass)
        cpu0, t0 = time.process_time(), time.perf_counter()
        try:
            async with native_task_group() as spawn:
                for i in range(calls):
                    spawn(call, i)
        finally:
            gc.callbacks.remove(on_pass)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0

    async def park_then_wake() -> float:
        """`calls` tasks that each park once, woken 100 at a time: trio's share."""
        parked: list[trio.lowlevel.Task] = []

        async def wait() -> None:
            parked.append(trio.lowlevel.current_task())
            await trio.lowlevel.wait_task_rescheduled(lambda _: trio.lowlevel.Abort.SUCCEEDED)

        async def wake() -> None:
            while True:
                await trio.lowlevel.checkpoint()
                for task in parked[:100]:
                    trio.lowlevel.reschedule(task)
                del parked[:100]

        cpu0 = time.process_time()
        async with trio.open_nursery() as outer:
            outer.start_soon(wake)
            async with trio.open_nursery() as nursery:
                for _ in range(calls):
                    nursery.start_soon(wait)
            outer.cancel_scope.cancel()
        return time.process_time() - cpu0

    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "passes": {g: (len(t), sum(t)) for g, t in passes.items()},
        "trio_cpu": await park_then_wake(),
        "kept": await _kept_per_waiting_call(client, min(calls, 2000)),
    }


async def _kept_per_waiting_call(client: str, calls: int) -> dict[str, float]:
    """Tracked objects per waiting call, by kind, with every batch held by a silent server."""
    import gc

    import trio
    import trio.testing

    async def silent(stream: trio.SocketStream) -> None:
        await trio.sleep_forever()

    async with trio.open_nursery() as server:
        listeners = await server.start(
            functools.partial(trio.serve_tcp, silent, 0, host="127.0.0.1")
        )
        port = listeners[0].socket.getsockname()[1]
        async with open_client(
            client,
            f"http://127.0.0.1:{port}",
            endpoint="embed",
            concurrency=100,
            batching=True,
            dimensions=DIMENSIONS,
        ) as call:
            gc.collect()
            before = {id(o) for o in gc.get_objects()}
            async with trio.open_nursery() as callers:
                for i in range(calls):
                    callers.start_soon(call, i)
                await trio.testing.wait_all_tasks_blocked()
                gc.collect()
                kinds: dict[str, int] = {}
                for o in gc.get_objects():
                    if id(o) not in before:
                        module = getattr(type(o), "__module__", "") or ""
                        kind = "genaio" if module.startswith("genaio") else "other"
                        if type(o).__name__ == "coroutine":
                            kind = "genaio" if "/genaio/" in o.cr_code.co_filename else "other"
                        elif type(o).__name__ == "method":
                            owner = getattr(o.__func__, "__module__", "") or ""
                            kind = "genaio" if owner.startswith("genaio") else "other"
                        kinds[kind] = kinds.get(kind, 0) + 1
                callers.cancel_scope.cancel()
        server.cancel_scope.cancel()
    return {kind: count / calls for kind, count in kinds.items()}


def anatomy(bench: Bench) -> Section:
    """The profile comparison's section on coalescing (`python bench/run.py --only profile`)."""
    n = bench.params.coalesce_calls
    emulator = bench.emulator()
    emulator.reset()
    result = bench.workers.fresh(
        "genaio-trio", "_coalesce", "op_anatomy", timeout=300, url=emulator.url, calls=n
    )
    title = f"Anatomy: {n:,} coalesced embed_content calls, genaio on trio (emulator)"
    if "error" in result:
        return Section(title, ["—"], notes=[result["error"]])
    section = Section(title, ["part", "seconds", "what"])
    passes = {int(g): v for g, v in result["passes"].items()}
    section.rows += [
        ["all of it (wall)", num(result["elapsed"], 3), f"CPU {num(result['cpu'], 3)} s"],
        *(
            [
                f"collector, generation {g}",
                num(passes[g][1], 3),
                f"{passes[g][0]} pass{'' if passes[g][0] == 1 else 'es'}",
            ]
            for g in (0, 1, 2)
        ),
        [
            "trio alone",
            num(result["trio_cpu"], 3),
            f"CPU of {n:,} tasks that park once and are woken 100 at a time",
        ],
    ]
    kept = result["kept"]
    section.notes.append(
        "tracked objects each waiting call keeps: "
        f"{num(kept.get('genaio', 0), 1)} of genaio's, {num(kept.get('other', 0), 1)} others "
        "(its task, trio's parking, the caller's coroutines)"
    )
    return section


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    emulator = bench.emulator()
    n = p.coalesce_calls
    clients = bench.usable(CLIENTS)
    runs: dict[str, list[dict[str, Any]]] = {client: [] for client in clients}
    failures: dict[str, str] = {}
    for rep in range(p.runs):
        order = clients[rep % len(clients) :] + clients[: rep % len(clients)]
        for client in order:
            if client in failures:
                continue
            bench.progress(f"coalescing {n:,} calls, run {rep + 1}, {client}")
            emulator.reset()
            # A fresh process for each run: the official SDK gets slower from one run to the
            # next in the same process (12.0, 12.2 then 13.7 s here), which is not what is
            # measured.
            result = bench.workers.fresh(
                client,
                "_coalesce",
                "op_coalesce",
                timeout=p.coalesce_cap + 90,
                url=emulator.url,
                calls=n,
                cap=p.coalesce_cap,
            )
            if "error" in result:
                failures[client] = result["error"]
                continue
            stats = emulator.stats()
            counts = stats.get("by_endpoint", {})
            result["statuses"] = stats.get("statuses", {})
            result["requests"] = (
                sum(
                    counts.get(e, {}).get("requests", 0)
                    for e in ("batchEmbedContents", "embedContent")
                )
                - 1
            )  # the warm-up call
            # A capped run finished only part of the calls: its full time is at least
            # elapsed * n / done, which is what its ratio uses (a lower bound of genaio's lead).
            result["full"] = result["elapsed"] * n / max(result["done"], 1)
            runs[client].append(result)
    # Each client's run of median time stands for it (the median of its full times).
    results = {client: _median_run(r) for client, r in runs.items() if r}
    section = Section(
        f"Coalescing: {n:,} concurrent single embed_content calls "
        f"(emulator, {DIMENSIONS} dimensions{f', median of {p.runs}' if p.runs > 1 else ''})",
        ["client", "HTTP requests", "seconds", "calls/s", "CPU s", "genaio faster by"],
    )
    g = results.get("genaio-trio", {})
    g_clean = bool(runs.get("genaio-trio")) and not any(
        r["capped"] or r["errors"] for r in runs["genaio-trio"]
    )
    g_time = g["full"] if g_clean else None
    sdk_times = []
    for client in clients:
        if client in failures:
            section.rows.append([LABELS[client], "failed", "", "", "", ""])
            section.notes.append(f"{LABELS[client]}: {failures[client]}")
            continue
        r = results[client]
        capped = r["capped"]
        seconds = f"> {r['elapsed']:.1f} (cap)" if capped else num(r["elapsed"], 2)
        if client != "genaio-trio" and not r["errors"]:
            sdk_times.append(r["full"])
        faster = "" if client == "genaio-trio" else num(ratio(r["full"], g_time), 1, "x")
        if capped and faster:
            faster = ">= " + faster
        section.rows.append(
            [
                LABELS[client],
                num(r["requests"]),
                seconds,
                num(r["done"] / r["elapsed"] if r["elapsed"] else None),
                num(r["cpu"], 2),
                faster,
            ]
        )
        answers = [x["statuses"] for x in runs[client] if set(x["statuses"]) - {"200"}]
        if answers:
            section.notes.append(f"{LABELS[client]}: the emulator answered {answers}")
        errors = [x for x in runs[client] if x["errors"]]
        if errors:
            e = errors[0]
            section.notes.append(f"{LABELS[client]}: {e['errors']} errors, e.g. {e['first_error']}")
    if p.runs > 1:
        times = "; ".join(
            f"{LABELS[c]}: " + ", ".join(f"{x['elapsed']:.2f}" for x in r)
            for c, r in runs.items()
            if r
        )
        section.notes.append(f"Each run's seconds, in order: {times}.")
    limit = n // 100 + 1
    requests = max((x["requests"] for x in runs.get("genaio-trio", ())), default=None)
    checks = [
        Check(
            f"coalescing: {n:,} calls become <= {limit} requests",
            num(requests),
            None if requests is None else requests <= limit and g_clean,
        )
    ]
    best_sdk = min(sdk_times, default=None)
    speedup = ratio(best_sdk, g_time)
    checks.append(
        Check(
            f"coalescing: genaio >= 20x faster than the SDK's best on {n:,} calls",
            num(speedup, 1, "x"),
            None if speedup is None else speedup >= 20,
        )
    )
    return [section], checks


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose time is the median (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda r: r["full"])
    return ordered[(len(ordered) - 1) // 2]
