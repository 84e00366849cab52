"""The sample app of docs/testing-your-app.md: its tests pass, and the page shows its code.

`examples/gemini_app` is a project of its own (its own pytest.ini), as a user's would be, so
it runs in a pytest of its own. The page's ```py blocks are excerpts of its files, checked to
be verbatim; its TOML blocks are emulator configs, checked to load.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from genaio.emulator import EmulatorConfig

ROOT = Path(__file__).parents[2]
APP = ROOT / "examples" / "gemini_app"
PAGE = ROOT / "docs" / "testing-your-app.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", PAGE.read_text(), re.S | re.M)


def test_the_sample_app_passes_its_tests_on_the_emulator() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"],
        cwd=APP,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_the_page_shows_the_apps_code_as_it_is() -> None:
    sources = "\n".join(p.read_text() for p in sorted(APP.glob("*.py")))
    blocks = _blocks("py")
    assert len(blocks) >= 6
    for block in blocks:
        assert block in sources, block


def test_the_pages_configs_load() -> None:
    (config,) = _blocks("toml")
    loaded = EmulatorConfig.from_dict(tomllib.loads(config))
    assert [rule.times for rule in loaded.script] == [1, None]
