"""Messages that say what happened and what to do: an unreachable server, a refused key, a
Ctrl-C at any moment."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from genaio.embedjob import JobSpec, run_job, write_sample
from genaio.emulator import EmulatorConfig


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_an_unreachable_server_fails_fast_and_says_so(tmp_path, monkeypatch):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("GOOGLE_API_KEY", "k")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", f"http://127.0.0.1:{port}")
    source = write_sample(tmp_path / "in.jsonl", 5)
    started = time.monotonic()
    status, _, err = job(JobSpec(source, tmp_path / "out.jsonl"))
    assert time.monotonic() - started < 5  # not the 17.5 s of a request's retries
    assert status == 1 and f"cannot reach 127.0.0.1:{port}" in err
    assert "check the network, or that GOOGLE_GEMINI_BASE_URL names a running server" in err
    assert "None UNAVAILABLE" not in err and "{'error'" not in err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("genaio_emulator_config", [EmulatorConfig(api_keys=("right",))])
def test_a_wrong_key_is_called_a_refused_key(genaio_emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "wrong")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", genaio_emulator.base_url)
    source = write_sample(tmp_path / "in.jsonl", 5)
    status, _, err = job(JobSpec(source, tmp_path / "out.jsonl"))
    assert status == 2 and "the API refused the key (API key not valid." in err
    assert "check GOOGLE_API_KEY / GEMINI_API_KEY" in err and "settings" not in err


def test_ctrl_c_at_any_moment_of_a_run_is_one_line(genaio_emulator, tmp_path):
    """From the moment `main` runs (genaio itself imported) to the end, whenever it comes."""
    source = write_sample(tmp_path / "in.jsonl", 20_000)
    env = {**os.environ, "GOOGLE_API_KEY": "k", "GOOGLE_GEMINI_BASE_URL": genaio_emulator.base_url}
    ready = "import genaio.cli, sys; print('ready', flush=True); sys.stdin.readline(); "
    for delay in (0.0, 0.05, 0.2, 0.5):
        output = tmp_path / f"out-{delay}.jsonl"
        code = (
            ready + f"sys.exit(genaio.cli.main(['embed', {str(source)!r}, '-o', {str(output)!r}]))"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout.readline() == "ready\n"
        process.stdin.write("\n")
        process.stdin.flush()
        time.sleep(delay)  # the real clock: a subprocess's moment, not the test's
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        assert "Traceback" not in err, err
        assert err.strip().splitlines()[-1].startswith(("genaio: interrupted", "genaio embed:"))
