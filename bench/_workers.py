"""The parent's side of the worker processes: start one per client, send it commands, and
wait for each answer no longer than its time cap (a worker past it is killed, and the next
command starts a new one)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

__all__ = ["Worker", "Workers"]

HERE = Path(__file__).resolve().parent


class Worker:
    """`bench/_worker.py CLIENT` in a subprocess, with the environment that client needs."""

    def __init__(self, client: str, env: dict[str, str], log: TextIO) -> None:
        self.client = client
        self._env = env
        self._log = log
        self._proc: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._answers = queue.Queue()
        self._proc = subprocess.Popen(
            [sys.executable, str(HERE / "_worker.py"), self.client],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=self._env,
            text=True,
            cwd=HERE,
        )
        threading.Thread(target=self._read, args=(self._proc, self._answers), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen[str], answers: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            answers.put(line)
        answers.put(None)

    def request(self, module: str, op: str, timeout: float, **args: Any) -> dict[str, Any]:
        """Run `module.op(client, **args)` in the worker; an error dict if it fails or takes
        longer than `timeout` seconds."""
        self.start()
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps({"module": module, "op": op, "args": args}) + "\n")
            self._proc.stdin.flush()
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return {"error": f"no answer within {timeout:.0f} s (killed)"}
        except OSError as exc:
            self.stop()
            return {"error": f"worker died: {exc}"}
        if line is None:
            self.stop()
            return {"error": "worker exited (see the log)"}
        return json.loads(line)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Workers:
    """One worker per client, started on first use; `fresh` runs one request in a new one."""

    def __init__(self, extra_path: str | None, log: TextIO) -> None:
        self._log = log
        self._extra = extra_path
        self._workers: dict[str, Worker] = {}

    def env(self, client: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("GOOGLE_GEMINI_BASE_URL", None)
        env.pop("GOOGLE_API_KEY", None)
        env.pop("GEMINI_API_KEY", None)
        if client == "sdk-httpx2":
            env["GOOGLE_GENAI_HTTP_CLIENT"] = "httpx2"
        if client in ("sdk-aiohttp", "aiohttp-raw") and self._extra:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (self._extra, env.get("PYTHONPATH")) if p
            )
        return env

    def available(self, client: str) -> str | None:
        """None if `client` can run here, else why not."""
        needs = {"sdk-httpx2": "google.genai", "sdk-aiohttp": "aiohttp", "aiohttp-raw": "aiohttp"}
        module = needs.get(client)
        if client == "httpx2-trio":
            module = "httpx2"
        if module is None:
            return None
        probe = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            env=self.env(client),
            capture_output=True,
            timeout=60,
        )
        if probe.returncode:
            return f"{module} is not importable (pip install -e '.[bench]', or --extra-path)"
        return None

    def get(self, client: str) -> Worker:
        worker = self._workers.get(client)
        if worker is None:
            worker = self._workers[client] = Worker(client, self.env(client), self._log)
        return worker

    def fresh(
        self, client: str, module: str, op: str, timeout: float, **args: Any
    ) -> dict[str, Any]:
        """`Worker.request` in a new worker, stopped afterwards: a run that starts from a
        process of its own (memory, or a client that slows down from run to run)."""
        worker = Worker(client, self.env(client), self._log)
        try:
            return worker.request(module, op, timeout, **args)
        finally:
            worker.stop()

    def close(self) -> None:
        for worker in self._workers.values():
            worker.stop()
