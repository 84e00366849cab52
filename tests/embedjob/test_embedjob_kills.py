"""Killed at random points (SIGKILL, SIGINT, SIGTERM) and started again, the job ends with every
input id in its output exactly once and never a torn line; bare `genaio` runs the main job."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from genaio.embedjob import write_sample
from genaio.emulator import EmulatorConfig, FaultConfig
from tests.embedjob.outputs import output_ids

ITEMS = 3000
_WAIT = 60.0  # seconds: a bound on every wait, never a pause


@pytest.fixture
def genaio_emulator_config():
    # Slow enough that kills land mid-run. (No error faults: their retries back off for seconds.)
    faults = FaultConfig(latency_ms=10)
    return EmulatorConfig(faults=faults)


def _start(source, output, env):
    command = [sys.executable, "-m", "genaio.cli", "embed", str(source), "-o", str(output)]
    command += ["--dimensions", "4", "--concurrency", "2", "--max-in-flight", "20"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_lines(path, count, process):
    """Poll until the output holds `count` lines (or the job has ended)."""
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.005)


def test_killed_at_random_points_then_resumed_every_id_once(genaio_emulator, tmp_path):
    env = {**os.environ, "GOOGLE_API_KEY": "k", "GOOGLE_GEMINI_BASE_URL": genaio_emulator.base_url}
    env.pop("GEMINI_API_KEY", None)
    source = write_sample(tmp_path / "in.jsonl", ITEMS)
    output = tmp_path / "out.jsonl"
    rng = random.Random(7)
    done = 0
    for kill in (signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        process = _start(source, output, env)
        _wait_for_lines(output, done + rng.randrange(20, (ITEMS - done) // 3), process)
        assert process.poll() is None, "the job ended before it could be killed"
        process.send_signal(kill)
        _, err = process.communicate(timeout=_WAIT)
        if kill != signal.SIGKILL:
            assert process.returncode == 128 + kill, err
            assert "run the same command again to resume" in err
        ids = output_ids(output) if kill != signal.SIGKILL else None
        assert ids is None or len(ids) == len(set(ids))
        done = output.read_bytes().count(b"\n")

    process = _start(source, output, env)
    out, err = process.communicate(timeout=_WAIT)
    assert process.returncode == 0, err
    assert "resuming: " in out and "done: every input id" in out
    ids = output_ids(output)
    assert sorted(ids) == [f"doc-{n:06}" for n in range(1, ITEMS + 1)]


def test_a_second_signal_stops_at_once(genaio_emulator, tmp_path):
    env = {**os.environ, "GOOGLE_API_KEY": "k", "GOOGLE_GEMINI_BASE_URL": genaio_emulator.base_url}
    source = write_sample(tmp_path / "in.jsonl", ITEMS)
    output = tmp_path / "out.jsonl"
    process = _start(source, output, env)
    _wait_for_lines(output, 100, process)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=_WAIT)
    assert process.returncode == 130 and "stopping" in err
    ids = output_ids(output)
    assert len(ids) == len(set(ids)) < ITEMS


def test_bare_genaio_embeds_the_sample_against_the_embedded_emulator(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_API_KEY", "GEMINI_API_KEY")}
    env["TMPDIR"] = str(tmp_path)
    process = subprocess.run(
        [sys.executable, "-m", "genaio.cli"], env=env, capture_output=True, text=True, timeout=_WAIT
    )
    assert process.returncode == 0, process.stderr
    assert "no API key or base URL set: using the embedded emulator" in process.stdout
    assert "embedded 2,000 items" in process.stdout and "done: every input id" in process.stdout
    (output,) = tmp_path.glob("genaio-sample-*/sample.embeddings.jsonl")
    assert len(set(output_ids(output))) == 2000
