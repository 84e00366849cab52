"""The package type-checks: mypy, with pyproject.toml's `[tool.mypy]` settings, reports nothing.

CI runs only pytest, so this test is where a type error fails the build. A cold run takes about
five seconds; mypy's incremental cache (the repository's `.mypy_cache`, shared with a plain
`python -m mypy`) makes a repeat run well under a second.

mypy runs in a child process, not through `mypy.api.run` in this one: in-process it leaves some
1.8 million objects alive and raises the garbage collector's threshold for the whole session,
so every later `gc.collect()` (the leak checks', pytest's own at exit) costs over a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_reports_no_errors():
    # The package's own directory, not `-p genaio`: an editable install elsewhere must not be
    # what gets checked.
    command = [
        sys.executable,
        "-m",
        "mypy",
        str(ROOT / "genaio"),
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(ROOT / ".mypy_cache"),
        "--no-pretty",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"
