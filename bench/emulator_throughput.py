"""Measure the emulator's throughput on loopback (not a test; run it by hand).

    python bench/emulator_throughput.py --requests 20000 --concurrency 64

Starts `genaio emulator` in a subprocess (its own core) and drives it from this process with a
lean client (h11 over trio sockets, one keep-alive connection per worker), so the number is
the emulator's, not the client's. Prints req/s for generateContent and embedContent.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

import h11
import trio

BODIES = {
    "generateContent": (
        "/v1beta/models/gemini-2.5-flash:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "Tell me about the emulator."}]}]},
    ),
    "embedContent": (
        "/v1beta/models/text-embedding-004:embedContent",
        {"content": {"parts": [{"text": "An embedding of this sentence."}]}},
    ),
}


async def worker(port: int, path: str, body: bytes, count: int) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    conn = h11.Connection(h11.CLIENT)
    headers = [
        ("host", f"127.0.0.1:{port}"),
        ("content-type", "application/json"),
        ("x-goog-api-key", "bench"),
        ("content-length", str(len(body))),
    ]
    async with stream:
        for _ in range(count):
            data = conn.send(h11.Request(method="POST", target=path, headers=headers))
            data += conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage())
            await stream.send_all(data)
            status = None
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(await stream.receive_some(65536))
                    continue
                if isinstance(event, h11.Response):
                    status = event.status_code
                if isinstance(event, h11.EndOfMessage):
                    break
            if status != 200:
                raise RuntimeError(f"status {status}")
            conn.start_next_cycle()


async def run(port: int, name: str, total: int, concurrency: int) -> float:
    path, payload = BODIES[name]
    body = json.dumps(payload).encode()
    per = total // concurrency
    start = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for _ in range(concurrency):
            nursery.start_soon(worker, port, path, body, per)
    return per * concurrency / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "genaio.emulator._cli", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        port = int(re.search(r":(\d+)$", line.strip()).group(1))
        for name in BODIES:
            trio.run(run, port, name, 1000, 8)  # warm up
            rate = trio.run(run, port, name, args.requests, args.concurrency)
            print(f"{name:16} {args.concurrency:4} concurrent  {rate:8.0f} req/s")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
