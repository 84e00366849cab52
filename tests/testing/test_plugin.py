"""The pytest plugin: its fixtures under pytest-trio, anyio's plugin (both backends) and plain
sync tests, its clients closed after each test, the real-API guard, the environment it sets,
and its cost at pytest's start.

The fixtures' teardown is what is under test, so the scenarios run in a pytest of their own
(one subprocess for all of them) and this test reads its report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).parents[2]

SCENARIOS = """
import threading

import pytest

STATE = {}


def test_baseline(genaio_client):
    assert genaio_client.models.generate_content(model="gemini-2.5-flash", contents="x").text
    STATE["threads"] = threading.active_count()


@pytest.mark.parametrize("i", range(5))
def test_sync_genaio_client(genaio_client, genaio_emulator, i):
    genaio_emulator.script.on(times=2).fail(503, "The model is overloaded.")
    answer = genaio_client.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert answer.text == "You said: x"


def test_no_client_thread_is_left():
    assert threading.active_count() <= STATE["threads"]


def test_code_that_builds_its_own_client_finds_the_emulator(genaio_emulator):
    from google import genai

    with genai.Client() as client:
        assert client.models.generate_content(model="gemini-2.5-flash", contents="env").text
    assert genaio_emulator.requests.last.prompt == "env"


def test_vertex_code_finds_the_emulator_too(genaio_emulator):
    from google import genai

    with genai.Client(vertexai=True) as client:  # express mode, with GOOGLE_API_KEY
        assert client.models.generate_content(model="gemini-2.5-flash", contents="v").text
    assert "publishers/google/models" in genaio_emulator.requests.last.path


def test_the_real_api_is_blocked(genaio_emulator):
    from google import genai

    options = {"base_url": "https://generativelanguage.googleapis.com",
               "retry_options": {"attempts": 1}}
    with genai.Client(api_key="real", http_options=options) as client:
        with pytest.raises(Exception) as raised:
            client.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert "real Gemini API" in repr(raised.value) + repr(raised.value.__cause__)


def test_genai_sync(genai_client):
    assert genai_client.models.generate_content(model="gemini-2.5-flash", contents="x").text


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_genaio_async_under_anyio(genaio_async_client, anyio_backend):
    answer = await genaio_async_client.models.generate_content(
        model="gemini-2.5-flash", contents="x")
    assert answer.text == "You said: x"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_genai_async_under_anyio(genai_async_client, anyio_backend):
    answer = await genai_async_client.models.generate_content(
        model="gemini-2.5-flash", contents="x")
    assert answer.text == "You said: x"


@pytest.mark.trio
async def test_genaio_async_under_pytest_trio(genaio_async_client):
    answer = await genaio_async_client.models.generate_content(
        model="gemini-2.5-flash", contents="x")
    assert answer.text == "You said: x"
"""


def test_fixtures_in_a_pytest_of_their_own(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = ignore::UserWarning\n"
    )
    (tmp_path / "test_scenarios.py").write_text(textwrap.dedent(SCENARIOS))
    report = tmp_path / "report.xml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcomes: dict[str, list[str]] = {}
    for case in ET.parse(report).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes.setdefault(case.get("name", ""), []).extend(kinds)
    bad = {
        name: kinds
        for name, kinds in outcomes.items()
        if kinds and name != "test_the_real_api_is_blocked"
    }
    assert not bad, done.stdout[-4000:]
    # The blocked call raised inside the test, and the guard failed the test at teardown.
    assert outcomes["test_the_real_api_is_blocked"] == ["error"], done.stdout[-4000:]
    assert "tried to reach the real Gemini API" in done.stdout
    assert len(outcomes) == 15


def test_the_plugin_imports_nothing_heavy() -> None:
    """pytest imports the plugin in every run: it must not import the client or the server."""
    probe = (
        "import sys, genaio.emulator.pytest_plugin;"
        "print(sorted(m for m in ('trio', 'hypercorn', 'pydantic', 'httpx', 'genaio.api',"
        " 'genaio.emulator._server', 'google.genai') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
