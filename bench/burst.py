"""Bursts of calls at once from one genaio client, with the garbage collector's share of them.

    python bench/burst.py [--calls 2000] [--rounds 3] [--http1]

Starts the bench's nginx (TLS, answering each `generate_content` after 1 s), then runs
`--rounds` bursts of `--calls` calls started at once on one client (the first burst is the
cold one: fresh client, no connection yet). For each burst it prints the time until all have
answered, the client's CPU per call, the collector's time per call and its full collections
(from `gc.callbacks`), and the tracked objects alive before the burst (what every full
collection walks). It measures genaio only; `bench/run.py --only cold` compares clients.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import trio
from _clients import open_client
from _servers import Nginx


class Collections:
    """The collector's time and full collections, from `gc.callbacks`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.full += info["generation"] == 2


async def bursts(url: str, cafile: str, calls: int, rounds: int, http2: bool) -> None:
    collections = Collections()
    async with open_client(
        "genaio-trio", url, concurrency=calls, cafile=cafile, http2=http2
    ) as call:
        for burst in range(rounds):
            heap = len(gc.get_objects())
            gc0, full0 = collections.seconds, collections.full
            cpu0, t0 = time.process_time(), time.perf_counter()
            async with trio.open_nursery() as nursery:
                for i in range(calls):
                    nursery.start_soon(call, i)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(
                f"burst {burst} ({'cold' if burst == 0 else 'warm'}): all answered in "
                f"{elapsed:.3f} s, CPU {1e6 * cpu / calls:.0f} µs/call, collector "
                f"{1e6 * (collections.seconds - gc0) / calls:.0f} µs/call "
                f"({collections.full - full0} full), {heap:,} tracked objects before",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--http1", action="store_true", help="HTTP/1.1 instead of HTTP/2")
    args = parser.parse_args()
    with Nginx() as nginx:
        if "slow_tls" not in nginx.urls:
            sys.exit("needs nginx's echo module and openssl (see bench/_servers.py)")
        trio.run(
            bursts,
            nginx.urls["slow_tls"],
            str(nginx.cert),
            args.calls,
            args.rounds,
            not args.http1,
        )


if __name__ == "__main__":
    main()
