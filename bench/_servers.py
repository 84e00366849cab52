"""The servers the benchmarks talk to, each started by the bench itself and checked to be on
loopback: nginx (canned answers, and slow answers for fan-out) and the genaio emulator.

nginx runs from the system package with a config generated into a temporary directory. Its
answers are fixed strings (`return 200 '...'`), so the server costs next to nothing per request
and the client is what is measured. The slow server answers after a fixed delay with the echo
module's `echo_sleep` (Debian's `libnginx-mod-http-echo`), which costs no CPU while it waits.
The emulator is started with `python -m genaio.emulator._cli` in its own process: it counts the
requests it receives (coalescing) and decodes real batch requests (as many embeddings as asked).
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

__all__ = [
    "ECHO_MODULE",
    "NGINX",
    "Emulator",
    "Nginx",
    "assert_loopback",
    "canned_embedding",
    "canned_generate",
]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
#: Dimensions of the canned embedding: text-embedding-004's default.
EMBED_DIM = 768


def assert_loopback(url: str) -> None:
    """Refuse to benchmark anything but a server on this machine's loopback interface."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if not ipaddress.ip_address(host).is_loopback:
        raise RuntimeError(f"{url} is not on loopback: the benchmarks only talk to 127.0.0.1")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, timeout: float, proc: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def canned_generate() -> str:
    """A generateContent answer shaped like the real API's."""
    return json.dumps(
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": "A canned answer of a few words, like a short reply."}],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 8,
                "candidatesTokenCount": 12,
                "totalTokenCount": 20,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
            },
            "modelVersion": "gemini-2.0-flash",
            "responseId": "bench-canned-0001",
        },
        separators=(",", ":"),
    )


def canned_embedding(dim: int = EMBED_DIM) -> list[float]:
    rng = random.Random(6)
    return [round(rng.uniform(-0.1, 0.1), 9) for _ in range(dim)]


def _nginx_config(tmp: Path, ports: dict[str, int], cert: Path | None, echo: bool) -> str:
    values = canned_embedding()
    www = tmp / "www"
    www.mkdir(exist_ok=True)
    # Embeddings are too long for a config string: static files, which nginx refuses to POST
    # (405) but serves through the error page (an internal GET).
    # One embedding: every benchmark call to batchEmbedContents carries exactly one content.
    files = {
        "batchEmbedContents": json.dumps({"embeddings": [{"values": values}]}),
        "embedContent": json.dumps({"embedding": {"values": values}}),
    }
    for verb, body in files.items():
        (www / f"{verb}.json").write_text(body)
    generate = canned_generate()
    locations = f"        location ~ :generateContent$ {{ return 200 '{generate}'; }}\n" + "".join(
        f"        location ~ :{verb}$ {{ error_page 405 =200 /{verb}.json; return 405; }}\n"
        f"        location = /{verb}.json {{ internal; root {www}; }}\n"
        for verb in files
    )
    # Streams: `models/NAME:streamGenerateContent` answers with the canned SSE body
    # `www/sse/NAME.sse` (written by the streams comparison), as a static file.
    locations += (
        "        location ~ /models/(?<sse>[A-Za-z0-9-]+):streamGenerateContent$ "
        "{ error_page 405 =200 /sse/$sse.sse; return 405; }\n"
        f"        location /sse/ {{ internal; root {www}; default_type text/event-stream; }}\n"
    )
    slow = f"        location ~ :generateContent$ {{ echo_sleep $delay; echo -n '{generate}'; }}\n"
    common = "        keepalive_requests 10000000;\n        keepalive_timeout 300s;\n"
    servers = f"""
    server {{
        listen 127.0.0.1:{ports["http"]} backlog=4096;
{common}        location = /_status {{ stub_status; }}
{locations}    }}
"""
    if echo:
        servers += f"""
    server {{
        # Fan-out: every answer after `delay` seconds (the query's ?delay=, default 1).
        listen 127.0.0.1:{ports["slow"]} backlog=4096;
{common}        set $delay 1;
        if ($arg_delay) {{ set $delay $arg_delay; }}
{slow}    }}
"""
    if cert is not None:
        tls = f"""        ssl_certificate {cert};
        ssl_certificate_key {cert.with_suffix(".key")};
        ssl_protocols TLSv1.3;
        http2_max_requests 10000000;
        http2_max_concurrent_streams 1024;
"""
        servers += f"""
    server {{
        listen 127.0.0.1:{ports["tls"]} ssl backlog=4096;
{common}{tls}{locations}    }}
    server {{
        listen 127.0.0.1:{ports["h2"]} ssl http2 backlog=4096;
{common}{tls}{locations}    }}
"""
        if echo:
            servers += f"""
    server {{
        # Cold fan-out over TLS: every answer after `delay` seconds, as `slow` (HTTP/2 for
        # the clients that offer it, HTTP/1.1 for the others).
        listen 127.0.0.1:{ports["slow_tls"]} ssl http2 backlog=4096;
{common}{tls}        set $delay 1;
        if ($arg_delay) {{ set $delay $arg_delay; }}
{slow}    }}
"""
    load = f"load_module {ECHO_MODULE};\n" if echo else ""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the key in tmp
    return f"""{load}{user}worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log error;
events {{ worker_connections 32768; multi_accept on; }}
http {{
    access_log off;
    default_type application/json;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_body_buffer_size 1m;
{servers}}}
"""


def _make_cert(path: Path) -> None:
    """A throwaway self-signed certificate for 127.0.0.1 (for the TLS and HTTP/2 servers)."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(path.with_suffix(".key")),
            "-out",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


class Nginx:
    """nginx with canned answers. `urls` maps a server's role to its base URL:
    `http` (canned; canned SSE streams from `www/sse/`), `slow` (canned after a delay; needs the
    echo module), `tls` (HTTP/1.1 over TLS), `h2` (HTTP/2 over TLS) and `slow_tls` (`slow` over
    TLS); `cert` is the PEM file a client must trust for the TLS ones.
    """

    def __init__(self, *, tls: bool = True) -> None:
        self.tls = tls and shutil.which("openssl") is not None
        self.echo = ECHO_MODULE.exists()
        self.urls: dict[str, str] = {}
        self.cert: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Nginx:
        self._tmp = tempfile.TemporaryDirectory(prefix="genaio-bench-nginx-")
        tmp = Path(self._tmp.name)
        roles = ["http"] + (["slow"] if self.echo else []) + (["tls", "h2"] if self.tls else [])
        roles += ["slow_tls"] if self.echo and self.tls else []
        self.www = tmp / "www"
        ports = {role: _free_port() for role in roles}
        if self.tls:
            self.cert = tmp / "cert.pem"
            _make_cert(self.cert)
        conf = tmp / "nginx.conf"
        conf.write_text(_nginx_config(tmp, ports, self.cert, self.echo))
        # -e: the error log before the config is read (the default one may not be writable).
        self._proc = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for port in ports.values():
                _wait_listening(port, 10, self._proc)
        except RuntimeError as exc:
            self.__exit__(None, None, None)
            err = (tmp / "error.log").read_text() if (tmp / "error.log").exists() else ""
            raise RuntimeError(f"nginx did not start: {exc}\n{err}") from None
        for role, port in ports.items():
            scheme = "https" if role in ("tls", "h2", "slow_tls") else "http"
            self.urls[role] = f"{scheme}://127.0.0.1:{port}"
            assert_loopback(self.urls[role])
        return self

    def connections_accepted(self) -> int:
        """Connections nginx has accepted so far, all servers together (`stub_status`): over
        TLS, one handshake each."""
        with urllib.request.urlopen(self.urls["http"] + "/_status", timeout=30) as response:
            return int(response.read().decode().splitlines()[2].split()[0])

    def __exit__(self, *exc_info: Any) -> None:
        if self._proc is not None:
            self._proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            self._proc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


class Emulator:
    """`genaio emulator` in its own process, on 127.0.0.1 and a free port."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Emulator:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                *("-m", "genaio.emulator._cli", "--host", "127.0.0.1", "--port", "0"),
                *self.args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        match = re.search(r"(http://[^\s]+):(\d+)$", line)
        if not match:
            self.__exit__(None, None, None)
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = f"{match.group(1)}:{match.group(2)}"
        assert_loopback(self.url)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            self._proc = None

    def _control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method="GET" if data is None else "POST"
        )
        request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stats(self) -> dict[str, Any]:
        return self._control("/_emulator/stats")

    def reset(self) -> None:
        """Forget every count, once the emulator is quiet: a client stopped at its time cap
        leaves requests behind, which the next client would otherwise wait behind (and have
        counted as its own)."""
        deadline = time.monotonic() + 120
        last = None
        while time.monotonic() < deadline:
            stats = self.stats()
            # Quiet: nothing in flight, and nothing more handled in the last half second
            # (requests a stopped client wrote are read and answered after it has gone).
            if not stats.get("in_flight") and stats.get("requests") == last:
                break
            last = stats.get("requests")
            time.sleep(0.5)
        self._control("/_emulator/reset", {})

    def requests(self, endpoint: str) -> int:
        return int(self.stats().get("by_endpoint", {}).get(endpoint, {}).get("requests", 0))
