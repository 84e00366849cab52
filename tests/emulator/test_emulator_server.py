"""Running the emulator: in the test's loop, under asyncio, in a thread, from the CLI, from a
config file, and through the pytest plugin's fixtures.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from genaio.emulator import (
    EmulatorConfig,
    FaultConfig,
    QuotaLimits,
    open_emulator,
    run_emulator_in_thread,
)
from genaio.emulator._cli import build_parser, config_from_args

BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
PATH = "/v1/models/gemini-2.5-flash:generateContent"


async def test_open_emulator_stops_promptly_with_a_hung_request() -> None:
    import trio

    async with open_emulator(EmulatorConfig(faults=FaultConfig(hang_rate=1.0))) as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:") and emulator.port > 0
        async with httpx.AsyncClient(base_url=emulator.base_url) as http:
            with trio.move_on_after(0.2):
                await http.post(PATH, json=BODY, headers={"x-goog-api-key": "k"})
    with trio.fail_after(2):  # the server is gone
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient() as http:
                await http.get(f"{emulator.base_url}/_emulator/stats")


def test_open_emulator_under_asyncio() -> None:
    async def main() -> int:
        async with open_emulator() as emulator:
            async with httpx.AsyncClient(base_url=emulator.base_url) as http:
                r = await http.post(PATH, json=BODY, headers={"x-goog-api-key": "k"})
                emulator.set_faults(reset_rate=1.0)  # without a socket to reset: a cut body
                with pytest.raises(httpx.TransportError):
                    await http.post(PATH, json=BODY, headers={"x-goog-api-key": "k"})
                return r.status_code

    assert asyncio.run(main()) == 200


def test_thread_emulator_serves_any_thread_and_shuts_down() -> None:
    with run_emulator_in_thread() as emulator:
        thread = emulator._thread
        statuses = []

        def call() -> None:
            statuses.append(
                httpx.post(
                    emulator.base_url + PATH, json=BODY, headers={"x-goog-api-key": "k"}
                ).status_code
            )

        workers = [threading.Thread(target=call) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert statuses == [200] * 4
        assert emulator.stats()["requests"] == 4
        emulator.reset()
        assert emulator.stats()["requests"] == 0
    assert thread is not None and not thread.is_alive()


def test_config_from_file_and_flags(tmp_path: Path) -> None:
    toml = tmp_path / "emulator.toml"
    toml.write_text(
        'port = 0\napi_keys = ["a"]\nmodels = ["gemini-2.5-flash", {name = "my-embedder", '
        "embedding_dimension = 16}]\nlro_seconds = 5\n"
        '[quotas."gemini-2.5-flash"]\nrpm = 10\n[faults]\nseed = 3\nerror_503_rate = 0.1\n'
    )
    config = EmulatorConfig.from_file(toml)
    assert config.api_keys == ("a",) and config.lro_seconds == 5
    assert config.quotas["gemini-2.5-flash"] == QuotaLimits(rpm=10)
    assert config.model("my-embedder").embedding_dimension == 16
    assert config.faults == FaultConfig(seed=3, error_503_rate=0.1)
    as_json = tmp_path / "emulator.json"
    as_json.write_text(json.dumps(config.to_dict()))
    assert EmulatorConfig.from_file(as_json) == config
    args = build_parser().parse_args(
        [
            "--config",
            str(toml),
            "--api-key",
            "b",
            "--api-key",
            "c",
            "--rpm",
            "7",
            "--quota",
            "*:batchEmbedContents=rpm=2,tpm=100",
            "--fault-error-500-rate",
            "0.2",
            "--fault-methods",
            "generateContent",
            "--time-scale",
            "60",
            "--log-requests",
        ]
    )
    flagged = config_from_args(args)
    assert flagged.api_keys == ("b", "c") and flagged.time_scale == 60 and flagged.log_requests
    assert flagged.quotas["*"] == QuotaLimits(rpm=7)
    assert flagged.quotas["*:batchEmbedContents"] == QuotaLimits(rpm=2, tpm=100)
    assert flagged.faults.error_500_rate == 0.2 and flagged.faults.seed == 3
    assert flagged.faults.methods == ("generateContent",)
    with pytest.raises(ValueError):
        EmulatorConfig.from_dict({"nope": 1})
    with pytest.raises(ValueError):
        FaultConfig(error_503_rate=2)


def test_cli_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "genaio.emulator._cli", "--port", "0", "--api-key", "k"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("genaio emulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        r = httpx.post(url + PATH, json=BODY, headers={"x-goog-api-key": "k"})
        assert r.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_plugin_fixtures(genaio_emulator, genaio_emulator_config) -> None:
    assert genaio_emulator_config == EmulatorConfig()
    r = httpx.post(
        genaio_emulator.base_url + PATH, json=BODY, headers={"x-goog-api-key": "test-key"}
    )
    assert r.status_code == 200
    assert genaio_emulator.stats()["requests"] == 1  # reset for each test


class TestPluginWithOwnConfig:
    @pytest.fixture
    def genaio_emulator_config(self) -> EmulatorConfig:
        return EmulatorConfig(api_keys=("only",))

    def test_own_server(self, genaio_emulator) -> None:
        r = httpx.post(
            genaio_emulator.base_url + PATH, json=BODY, headers={"x-goog-api-key": "test-key"}
        )
        assert r.status_code == 400


def test_plugin_client(genaio_client, genaio_emulator) -> None:
    assert genaio_client is not None
