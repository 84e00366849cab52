"""High fan-out: N calls in flight against a server that answers each after 1 s.

The ideal rate is N per second (in flight / latency); a client that adds nothing reaches it.
After a warm-up burst of N calls (which opens the connections), N callers start spread evenly
over one latency period, as independent callers would come (a single synchronized burst would
measure how fast the client drains a burst of N, again every second, instead), and each keeps
one call in flight; the rate and the client process's CPU time per request are those of the
window that follows the ramp. Bounded in count and in time.

Each caller completes only whole calls in the window, so a short window counts in coarse steps:
a collector pause during the ramp shifts the callers that start after it, and with a window of
3 latencies the same genaio at 2,000 in flight measured anywhere from 89% to 98%; with 8, 95.6%
and 96.4%. The full run's window is 6 latencies.

The slow server is nginx with the echo module's `echo_sleep` when it is there: it waits without
spending CPU, so the 2-core machine's second core stays with the client. The emulator
(`--fanout-server emulator`, latency fault of 1 s) spends about as much CPU per request as the
client does, and at 2,000 requests per second measures itself as much as the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from _table import Check, Section, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["run"]

CLIENTS = ("genaio-trio", "sdk-httpx2", "sdk-aiohttp")
LABELS = {
    "genaio-trio": "genaio on trio",
    "sdk-httpx2": "google-genai, httpx2 (default)",
    "sdk-aiohttp": "google-genai, aiohttp",
}
LATENCY = 1.0


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    url, where = bench.slow_server(LATENCY)
    clients = bench.usable(CLIENTS)
    levels = p.fanout_levels
    results: dict[tuple[str, int], dict] = {}
    for n in levels:
        for client in clients:
            bench.progress(f"fan-out {n} in flight {client}")
            window = p.fanout_rounds * LATENCY
            results[(client, n)] = bench.workers.get(client).request(
                "_load",
                "op_steady",
                timeout=LATENCY * 8 + window + 120,
                url=url,
                endpoint="generate",
                concurrency=n,
                latency=LATENCY,
                window=window,
                max_requests=int(n * (window / LATENCY + 2)),
            )
    section = Section(
        f"High fan-out: rate as % of ideal (in flight / {LATENCY:g} s), CPU µs per request",
        ["client", *(f"{n} in flight" for n in levels)],
        notes=[
            f"server: {where}. After a warm-up burst (connections opened), each client's N "
            f"callers start spread over {LATENCY:g} s and keep one call each in flight; the rate "
            f"and the CPU are those of the {p.fanout_rounds * LATENCY:g} s that follow.",
        ],
    )

    def efficiency(client: str, n: int) -> float | None:
        r = results.get((client, n), {})
        return None if "error" in r or not r.get("done") else r["rate"] / (n / LATENCY)

    def cpu(client: str, n: int) -> float | None:
        r = results.get((client, n), {})
        return None if "error" in r else r.get("cpu_us")

    for client in clients:
        cells = []
        for n in levels:
            r = results[(client, n)]
            if "error" in r:
                cells.append("failed")
                section.notes.append(f"{LABELS[client]} at {n}: {r['error']}")
                continue
            cell = f"{num(100 * efficiency(client, n), 0, '%')} / {num(cpu(client, n))} µs"
            if r.get("errors"):
                cell += f" ({r['errors']} errors)"
                section.notes.append(f"{LABELS[client]} at {n}: {r['first_error']}")
            cells.append(cell)
        section.rows.append([LABELS[client], *cells])
    top, low = max(levels), min(levels)
    eff = efficiency("genaio-trio", top)
    checks = [
        Check(
            f"fan-out: genaio at {top:,} in flight >= 90% of the ideal rate",
            num(None if eff is None else 100 * eff, 1, "%"),
            None if eff is None else eff >= 0.9,
        )
    ]
    growth = ratio(cpu("genaio-trio", top), cpu("genaio-trio", low))
    checks.append(
        Check(
            f"fan-out: genaio CPU/request flat from {low} to {top:,} in flight (<= 1.5x)",
            f"{num(cpu('genaio-trio', low))} -> {num(cpu('genaio-trio', top))} µs "
            f"({num(growth, 2, 'x')})",
            None if growth is None else growth <= 1.5,
        )
    )
    return [section], checks
