"""The actor hop: what the facade -> mailbox -> actor -> worker -> reply path adds per request
over calling the transport directly, on one genaio client against nginx's canned answer.

Three ways to make the same `generateContent` request, one after another (concurrency 1, so
each request's time is its latency), alternated round by round, the median round of each kept:

- `transport`: `HttpTransport.send(RestCall)`, the engine's HTTP layer alone;
- `actor`: the models actor's `call(RestWork)`: envelope, mailbox, worker, reply, then the
  same transport call (the hop);
- `facade`: `client.aio.models.generate_content(...)`: the hop plus argument validation, body
  building and the typed response.

It reaches into genaio's private modules on purpose: the hop has no public entry point.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING, Any

from _clients import API_KEY, GENERATE_MODEL, PROMPT
from _table import Check, Section, num

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_hop", "run"]

LIMIT_US = 50.0


async def op_hop(client: str, url: str, *, requests: int, rounds: int) -> dict[str, Any]:
    import genaio
    from genaio.actors import RestWork

    sdk_client = genaio.Client(
        api_key=API_KEY, http_options={"base_url": url}, limits=genaio.Limits(batching=None)
    )
    async with sdk_client.aio as aio:
        connection = await aio._runtime.tree()
        transport = connection.transport
        family = connection.family("models")
        call, name, _ = aio.models._generate_call(GENERATE_MODEL, PROMPT, None, ":generateContent")
        work = RestWork(call, rate_key=name)

        async def via_transport() -> Any:
            return (await transport.send(call)).data

        async def via_actor() -> Any:
            return (await family.call(work)).data

        async def via_facade() -> Any:
            return (await aio.models.generate_content(model=GENERATE_MODEL, contents=PROMPT)).text

        modes = {"transport": via_transport, "actor": via_actor, "facade": via_facade}
        wall: dict[str, list[float]] = {m: [] for m in modes}
        cpu: dict[str, list[float]] = {m: [] for m in modes}
        for fn in modes.values():  # warm-up
            for _ in range(200):
                await fn()
        for _ in range(rounds):
            for mode, fn in modes.items():
                c0, t0 = time.process_time(), time.perf_counter()
                for _ in range(requests):
                    await fn()
                wall[mode].append(1e6 * (time.perf_counter() - t0) / requests)
                cpu[mode].append(1e6 * (time.process_time() - c0) / requests)
    return {
        "wall": {m: statistics.median(v) for m, v in wall.items()},
        "cpu": {m: statistics.median(v) for m, v in cpu.items()},
        "spread": {m: max(v) - min(v) for m, v in wall.items()},
    }


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    bench.progress("actor hop genaio-trio")
    r = bench.workers.get("genaio-trio").request(
        "_hop",
        "op_hop",
        timeout=600,
        url=bench.nginx.urls["http"],
        requests=p.hop_requests,
        rounds=p.hop_rounds,
    )
    section = Section(
        f"The actor hop: µs per request at concurrency 1 (median of {p.hop_rounds} rounds of "
        f"{p.hop_requests:,}, genaio on trio, nginx)",
        ["path", "wall µs/req", "CPU µs/req", "wall over transport", "CPU over transport"],
    )
    if "error" in r:
        section.notes.append(f"failed: {r['error']}")
        return [section], [Check("actor hop <= 50 µs per request", "failed", None)]
    wall, cpu = r["wall"], r["cpu"]
    labels = {
        "transport": "transport.send (the engine's HTTP layer)",
        "actor": "actor.call (+ envelope, mailbox, worker, reply)",
        "facade": "models.generate_content (+ validation, typed response)",
    }
    for mode, label in labels.items():
        section.rows.append(
            [
                label,
                num(wall[mode]),
                num(cpu[mode]),
                "" if mode == "transport" else num(wall[mode] - wall["transport"], 0, " µs"),
                "" if mode == "transport" else num(cpu[mode] - cpu["transport"], 0, " µs"),
            ]
        )
    section.notes.append(
        "spread between rounds (wall, max - min): "
        + ", ".join(f"{m} {num(v)} µs" for m, v in r["spread"].items())
    )
    hop = wall["actor"] - wall["transport"]
    return [section], [
        Check(
            f"actor hop (facade -> mailbox -> actor -> reply) <= {LIMIT_US:.0f} µs per request",
            f"{num(hop)} µs wall, {num(cpu['actor'] - cpu['transport'])} µs CPU",
            hop <= LIMIT_US,
        )
    ]
