"""The package type-checks: mypy, with pyproject.toml's `[tool.mypy]` settings (`strict`),
reports nothing; and a user's program sees the async and blocking surfaces' real types.

CI runs only pytest, so this test is where a type error fails the build. A cold run takes about
five seconds; mypy's incremental cache (the repository's `.mypy_cache`, shared with a plain
`python -m mypy`) makes a repeat run well under a second.

mypy runs in a child process, not through `mypy.api.run` in this one: in-process it leaves some
1.8 million objects alive and raises the garbage collector's threshold for the whole session,
so every later `gc.collect()` (the leak checks', pytest's own at exit) costs over a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mypy(*paths: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "mypy",
        *map(str, paths),
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(ROOT / ".mypy_cache"),
        "--no-pretty",
    ]
    # This tree's genaio, not an install elsewhere, is the one a user program imports.
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_mypy_reports_no_errors():
    # The package's own directory, not `-p genaio`: an editable install elsewhere must not be
    # what gets checked.
    result = mypy(ROOT / "genaio")
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"


def test_a_user_program_sees_every_type_on_both_surfaces():
    result = mypy(ROOT / "tests" / "typing_programs" / "user_program.py")
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"
