"""A bounded soak: a producer far faster than the quota, against the emulator, with faults.

    python bench/soak.py --requests 20000 --producers 500 --rpm 60000

Every producer task sends its next call as soon as the previous one returned, so the client
always has far more callers than its quota admits. Every half second it prints the process's
resident memory, the pool's connections, the sockets open to the emulator and what the models
actor holds; at the end, the peaks and the outcome counts. Memory should stay flat: what the
client holds is bounded by its mailbox and workers, not by the number of callers or requests.
"""

from __future__ import annotations

import argparse
import time

import trio

import genaio
from genaio.actors import FamilyLimits
from genaio.emulator import EmulatorConfig, run_emulator_in_thread
from genaio.errors import GenaioError
from genaio.testing import open_sockets, pool_counts

MODEL = "gemini-2.0-flash"


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def soak(args: argparse.Namespace, emulator) -> None:
    limits = genaio.Limits(
        families={"models": FamilyLimits(concurrency=args.concurrency, mailbox_size=64)},
        model_rates={MODEL: genaio.RateLimit(requests_per_minute=args.rpm)},
    )
    options = {
        "base_url": emulator.base_url,
        "retry_options": {"attempts": 5, "initial_delay": 0.01, "max_delay": 2.0},
    }
    client = genaio.Client(api_key="k", http_options=options, limits=limits)
    items = iter(range(args.requests))
    outcome = {"ok": 0, "error": 0}
    peaks = {"rss_mib": 0.0, "connections": 0, "sockets": 0, "held": 0}

    async def producer() -> None:
        for item in items:
            try:
                response = await client.aio.models.generate_content(model=MODEL, contents=str(item))
                outcome["ok" if response.text == f"You said: {item}" else "error"] += 1
            except GenaioError:
                outcome["error"] += 1

    async def monitor() -> None:
        start = time.monotonic()
        print(f"{'s':>6} {'done':>7} {'rss MiB':>8} {'conns':>6} {'socks':>6} {'held':>5}")
        while True:
            stats = client.aio.statistics()
            if stats is not None:
                actor = stats["families"]["models"]
                pool = pool_counts(client.aio)
                row = {
                    "rss_mib": rss_mib(),
                    "connections": pool.open if pool else 0,
                    "sockets": open_sockets(emulator.port) or 0,
                    "held": actor.queued + actor.in_flight,
                }
                for key, value in row.items():
                    peaks[key] = max(peaks[key], value)
                done = outcome["ok"] + outcome["error"]
                print(
                    f"{time.monotonic() - start:6.1f} {done:7d} {row['rss_mib']:8.1f} "
                    f"{row['connections']:6d} {row['sockets']:6d} {row['held']:5d}"
                )
            await trio.sleep(0.5)

    started = time.monotonic()
    async with trio.open_nursery() as outer:
        outer.start_soon(monitor)
        async with trio.open_nursery() as nursery:
            for _ in range(args.producers):
                nursery.start_soon(producer)
        outer.cancel_scope.cancel()
    await client.aio.aclose()
    took = time.monotonic() - started
    print(
        f"requests={args.requests} ok={outcome['ok']} errors={outcome['error']} "
        f"lost={args.requests - outcome['ok'] - outcome['error']} seconds={took:.1f}"
    )
    print("peaks: " + ", ".join(f"{k}={v:.1f}" for k, v in peaks.items()))
    print(f"sockets after aclose: {open_sockets(emulator.port)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--producers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rpm", type=float, default=60_000, help="the client's own quota")
    parser.add_argument("--fault-rate", type=float, default=0.02, help="503s, resets, 429s")
    args = parser.parse_args()
    rate = args.fault_rate / 3
    config = EmulatorConfig(log_requests=False)
    with run_emulator_in_thread(config) as emulator:
        emulator.set_faults(error_503_rate=rate, reset_rate=rate, error_429_rate=rate, seed=1)
        trio.run(soak, args, emulator)
        stats = emulator.stats()
        print(f"emulator: {stats['requests']} requests, faults {stats['faults']}")


if __name__ == "__main__":
    main()
