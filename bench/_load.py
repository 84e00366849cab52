"""The load loop every request-rate comparison shares (worker side).

`concurrency` tasks each make one call after another until `requests` calls have started or
`cap` seconds have passed, whichever comes first: every loop is bounded in count and in time.
A warm-up of the same shape runs first (connections opened, caches filled) and is not counted.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from _clients import open_client

__all__ = ["drive", "op_load"]


async def drive(
    call: Callable[[int], Awaitable[Any]],
    concurrency: int,
    requests: int,
    cap: float,
    grace: float = 10.0,
) -> dict[str, Any]:
    """Run the load; return the count, the rate, the CPU per request and any error.

    No call starts after `cap` seconds; calls still running `grace` seconds later are cancelled
    (and not counted).
    """
    started = done = errors = 0
    first_error = ""
    deadline = time.perf_counter() + cap

    async def worker() -> None:
        nonlocal started, done, errors, first_error
        while started < requests and time.perf_counter() < deadline:
            i = started
            started += 1
            try:
                await call(i)
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            else:
                done += 1

    cpu0, t0 = time.process_time(), time.perf_counter()
    with anyio.move_on_after(cap + grace) as scope:
        async with anyio.create_task_group() as tasks:
            for _ in range(concurrency):
                tasks.start_soon(worker)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    return {
        "done": done,
        "errors": errors,
        "first_error": first_error,
        "elapsed": elapsed,
        "rate": done / elapsed if elapsed else 0.0,
        "cpu_us": 1e6 * cpu / done if done else None,
        "capped": started < requests or scope.cancelled_caught,
        "cancelled": started - done - errors,
    }


async def op_load(
    client: str,
    url: str,
    *,
    concurrency: int,
    requests: int,
    cap: float,
    warmup: int,
    warmup_cap: float = 10.0,
    grace: float = 10.0,
    **options: Any,
) -> dict[str, Any]:
    """Open `client`, warm it up, then measure `requests` calls at `concurrency`."""
    async with open_client(client, url, concurrency=concurrency, **options) as call:
        warm = await drive(call, concurrency, warmup, warmup_cap, grace)
        if warm["done"] == 0 and warm["errors"]:
            return {"error": warm["first_error"]}
        result = await drive(call, concurrency, requests, cap, grace)
    return result


async def drive_steady(
    call: Callable[[int], Awaitable[Any]],
    concurrency: int,
    *,
    stagger: float,
    window: float,
    max_requests: int,
    grace: float = 10.0,
) -> dict[str, Any]:
    """Keep `concurrency` calls in flight, their first calls spread evenly over `stagger`
    seconds (as independent callers would come, rather than in one synchronized burst), and
    count the calls that complete in the `window` seconds after that ramp: the steady rate and
    the CPU per request in it. No call starts after the window or past `max_requests`."""
    started = in_window = errors = 0
    first_error = ""
    t0 = time.perf_counter()
    start, end = t0 + stagger, t0 + stagger + window
    cpu_marks: list[float] = []

    async def worker(k: int) -> None:
        nonlocal started, in_window, errors, first_error
        await anyio.sleep(stagger * k / concurrency)
        while started < max_requests and time.perf_counter() < end:
            i = started
            started += 1
            try:
                await call(i)
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
            else:
                if start <= time.perf_counter() <= end:
                    in_window += 1

    async def clock() -> None:
        await anyio.sleep(max(0.0, start - time.perf_counter()))
        cpu_marks.append(time.process_time())
        await anyio.sleep(max(0.0, end - time.perf_counter()))
        cpu_marks.append(time.process_time())

    with anyio.move_on_after(stagger + window + grace) as scope:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(clock)
            for k in range(concurrency):
                tasks.start_soon(worker, k)
    cpu = cpu_marks[1] - cpu_marks[0] if len(cpu_marks) == 2 else None
    return {
        "done": in_window,
        "errors": errors,
        "first_error": first_error,
        "elapsed": window,
        "rate": in_window / window,
        "cpu_us": 1e6 * cpu / in_window if cpu is not None and in_window else None,
        "capped": started >= max_requests or scope.cancelled_caught,
        "cancelled": scope.cancelled_caught,
    }


async def op_steady(
    client: str,
    url: str,
    *,
    concurrency: int,
    latency: float,
    window: float,
    max_requests: int,
    **options: Any,
) -> dict[str, Any]:
    """Open `client`, warm it with one burst of `concurrency` calls (its connections open),
    then measure the steady rate with `concurrency` calls in flight (see `drive_steady`)."""
    async with open_client(client, url, concurrency=concurrency, **options) as call:
        warm = await drive(call, concurrency, concurrency, 2 * latency, 2 * latency)
        if warm["done"] == 0 and warm["errors"]:
            return {"error": warm["first_error"]}
        return await drive_steady(
            call,
            concurrency,
            stagger=latency,
            window=window,
            max_requests=max_requests,
            grace=2 * latency,
        )
