"""A real redis-server process for the shared quota's tests and bench/quota.py: on a free
loopback port, in a directory of its own, persistence off (so a restart loses everything, as a
crashed Redis without persistence does)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """One redis-server process; `restart()` keeps its port and loses its data."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}"
        # Short, not in `directory`: a socket's path is limited to ~100 bytes.
        self.socket = Path(tempfile.gettempdir()) / f"genaio-redis-{self.port}.sock"
        self.unix_url = f"unix://{self.socket}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--loglevel",
                "warning",
                "--unixsocket",
                str(self.socket),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:  # a process starting up: nothing to wait on but its port
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None
            self.socket.unlink(missing_ok=True)

    def restart(self) -> None:
        self.stop()
        self.start()
