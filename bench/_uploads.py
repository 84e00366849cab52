"""Uploads: `files.upload` of a large file on loopback, throughput against a plain socket copy
of the same bytes to the same sink (the issue's reference), and the peak RSS of each client's
own fresh process; the official SDK beside it.

The server is a sink of our own (`python bench/_uploads.py`, threads on blocking sockets): it
speaks just enough of the resumable upload protocol (start, chunks, finalize) and reads every
body into one reused buffer, so it keeps nothing and costs little more than the kernel's copy.
The genaio emulator is not used here: it hashes every byte as it arrives (and keeps the bytes
of files up to 64 MiB), so a large upload would measure its hashing and its parser. The socket
copy is one POST of the whole file, read from disk 1 MiB at a time into a reused buffer and
written with `sendall`, one after the other: a client that reads the next chunk while it sends
one (genaio does) can pass it. The file is in the page cache for every client.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _servers import assert_loopback
from _streams import open_aio
from _table import Check, Section, median, num, ratio

if TYPE_CHECKING:
    from run import Bench

__all__ = ["op_socket_copy", "op_upload", "run"]

CLIENTS = ("genaio-trio", "genaio-asyncio", "sdk-httpx2", "sdk-aiohttp")
LABELS = {
    "genaio-trio": "genaio on trio",
    "genaio-asyncio": "genaio on asyncio",
    "sdk-httpx2": "google-genai on asyncio, httpx2 (default)",
    "sdk-aiohttp": "google-genai on asyncio, aiohttp",
}
COPY = "plain socket copy (read, then send)"
#: The kernel's zero-copy path: no client does better on loopback, so it says what is left.
SENDFILE = "plain socket copy (sendfile, zero-copy)"
BUFFER = 1 << 20
TARGET = 0.8
#: Flat memory: what the upload may add to the process's peak, whatever the file's size.
GROWTH_MB = 64


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


async def op_upload(client: str, url: str, *, path: str, size: int) -> dict[str, Any]:
    """One `files.upload` of `path`; seconds, CPU seconds, RSS before and peak after."""
    async with open_aio(client, url) as aio:
        baseline, peak_before = _rss_mb(), _peak_mb()
        cpu0, t0 = time.process_time(), time.perf_counter()
        file = await aio.files.upload(file=path, config={"mime_type": "application/octet-stream"})
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    if int(file.size_bytes or 0) != size:
        return {"error": f"the sink received {file.size_bytes} bytes of {size:,}"}
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "baseline_mb": baseline,
        "peak_before_mb": peak_before,
        "peak_mb": _peak_mb(),
    }


async def op_socket_copy(
    client: str, url: str, *, path: str, size: int, sendfile: bool = False
) -> dict[str, Any]:
    """The same bytes in one POST through a blocking socket: the reference for an upload."""
    baseline, peak_before = _rss_mb(), _peak_mb()
    cpu0, t0 = time.process_time(), time.perf_counter()
    answer = _socket_copy(url, path, size, sendfile=sendfile)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    if not answer.startswith(b"HTTP/1.1 200"):
        return {"error": f"the sink answered {answer!r}"}
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "baseline_mb": baseline,
        "peak_before_mb": peak_before,
        "peak_mb": _peak_mb(),
    }


def _socket_copy(url: str, path: str, size: int, *, sendfile: bool) -> bytes:
    """POST the file's `size` bytes, 1 MiB at a time through one reused buffer (or by the
    kernel's `sendfile`); the answer's status line."""
    parts = urllib.parse.urlsplit(url)
    buffer = bytearray(BUFFER)
    view = memoryview(buffer)
    with socket.create_connection((parts.hostname, parts.port)) as sock, open(path, "rb") as f:
        head = f"POST /sink HTTP/1.1\r\nhost: {parts.netloc}\r\ncontent-length: {size}\r\n\r\n"
        sock.sendall(head.encode())
        if sendfile:
            sock.sendfile(f)
            return sock.makefile("rb").readline()
        while n := f.readinto(buffer):
            sock.sendall(view[:n])
        return sock.makefile("rb").readline()


# The sink (its own process).


def _serve_connection(conn: socket.socket, port: int, received: dict[str, int]) -> None:
    buffer = bytearray(BUFFER)
    view = memoryview(buffer)
    reader = conn.makefile("rb", buffering=BUFFER)

    def discard(n: int) -> bool:
        while n:
            k = reader.readinto(view[: min(n, BUFFER)])
            if not k:
                return False
            n -= k
        return True

    with conn, reader:
        while True:
            line = reader.readline()
            if not line:
                return
            target = line.split()[1].decode()
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            length = 0
            if headers.get("transfer-encoding", "").lower() == "chunked":
                while size := int(reader.readline().split(b";")[0], 16):
                    length += size
                    if not discard(size + 2):
                        return
                while reader.readline() not in (b"\r\n", b"\n", b""):
                    pass
            else:
                length = int(headers.get("content-length", 0))
                if not discard(length):
                    return
            path, _, query = target.partition("?")
            upload_id = urllib.parse.parse_qs(query).get("upload_id", [None])[0]
            command = headers.get("x-goog-upload-command", "")
            extra: dict[str, str] = {}
            body = b""
            if upload_id is None and path.startswith("/upload/"):
                upload_id = str(next(_IDS))
                received[upload_id] = 0
                extra["x-goog-upload-url"] = (
                    f"http://127.0.0.1:{port}{path}?upload_id={upload_id}&upload_protocol=resumable"
                )
                extra["x-goog-upload-status"] = "active"
            elif upload_id is not None:
                received[upload_id] += length
                extra["x-goog-upload-status"] = "active"
                if "finalize" in command:
                    extra["x-goog-upload-status"] = "final"
                    extra["content-type"] = "application/json"
                    name = f"files/bench-{upload_id}"
                    file = {
                        "name": name,
                        "mimeType": "application/octet-stream",
                        "sizeBytes": str(received.pop(upload_id)),
                        "state": "ACTIVE",
                        "uri": f"http://127.0.0.1:{port}/v1beta/{name}",
                    }
                    body = json.dumps({"file": file}).encode()
            else:
                extra["content-type"] = "application/json"
                body = json.dumps({"received": length}).encode()
            head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra.items())
            conn.sendall(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)


_IDS = itertools.count(1)


def serve_sink() -> None:
    """Listen on 127.0.0.1 and a free port (printed as a URL), a thread per connection."""
    received: dict[str, int] = {}
    with socket.create_server(("127.0.0.1", 0), backlog=128) as server:
        port = server.getsockname()[1]
        print(f"http://127.0.0.1:{port}", flush=True)
        while True:
            conn, _ = server.accept()
            args = (conn, port, received)
            threading.Thread(target=_serve_connection, args=args, daemon=True).start()


def _write_file(path: Path, mib: int) -> None:
    block = os.urandom(BUFFER)
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(block)


def run(bench: Bench) -> tuple[list[Section], list[Check]]:
    p = bench.params
    mib = p.upload_mib
    clients = bench.usable(CLIENTS)
    results: dict[str, list[dict[str, Any]]] = {}
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="genaio-bench-upload-") as tmp:
        path = Path(tmp) / "upload.bin"
        bench.progress(f"uploads: writing {mib} MiB")
        _write_file(path, mib)
        sink = subprocess.Popen(
            [sys.executable, __file__], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent
        )
        try:
            assert sink.stdout is not None
            url = sink.stdout.readline().strip()
            assert_loopback(url)
            for rep in range(p.runs):
                for client in [COPY, SENDFILE, *clients]:
                    bench.progress(f"uploads {mib} MiB run {rep + 1} {client}")
                    copy = client in (COPY, SENDFILE)
                    r = bench.workers.fresh(
                        "genaio-trio" if copy else client,
                        "_uploads",
                        "op_socket_copy" if copy else "op_upload",
                        timeout=60 + mib,
                        url=url,
                        path=str(path),
                        size=mib * BUFFER,
                        **({"sendfile": client == SENDFILE} if copy else {}),
                    )
                    if "error" in r:
                        errors.append(f"{LABELS.get(client, client)}: {r['error']}")
                        continue
                    results.setdefault(client, []).append(r)
        finally:
            sink.kill()
            sink.wait(10)

    def rate(client: str) -> float | None:
        return median([mib / r["elapsed"] for r in results.get(client, [])])

    def growth(client: str) -> float | None:
        rs = results.get(client, [])
        return max((r["peak_mb"] - r["baseline_mb"] for r in rs), default=None)

    reference = rate(COPY)
    section = Section(
        f"Uploads: files.upload of {mib:,} MiB on loopback to a discarding sink "
        f"(median of {p.runs})",
        [
            "client",
            "MiB/s",
            "vs socket copy",
            "vs sendfile",
            "CPU s",
            "peak RSS MB",
            "peak - before MB",
        ],
        notes=errors,
    )
    zero_copy = rate(SENDFILE)
    for client in [COPY, SENDFILE, *clients]:
        rs = results.get(client, [])
        section.rows.append(
            [
                LABELS.get(client, client),
                num(rate(client)),
                num(None if not reference else 100 * (rate(client) or 0) / reference, 0, "%"),
                num(None if not zero_copy else 100 * (rate(client) or 0) / zero_copy, 0, "%"),
                num(median([r["cpu"] for r in rs]), 2),
                num(max((r["peak_mb"] for r in rs), default=None)),
                num(growth(client)),
            ]
        )
    share = ratio(rate("genaio-trio"), reference)
    g = growth("genaio-trio")
    return [section], [
        Check(
            f"uploads: genaio/trio >= {TARGET:.0%} of a plain socket copy ({mib:,} MiB)",
            num(None if share is None else 100 * share, 0, "%"),
            None if share is None else share >= TARGET,
        ),
        Check(
            f"uploads: genaio/trio's peak RSS grows <= {GROWTH_MB} MB ({mib:,} MiB file)",
            num(g, 0, " MB"),
            None if g is None else g <= GROWTH_MB,
        ),
    ]


if __name__ == "__main__":
    serve_sink()
