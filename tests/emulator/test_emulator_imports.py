"""The emulator's modules import at the top (issue 16): no import inside a function or a class,
which is how an import cycle gets worked around and then hidden. Imports for annotations only
sit under a module-level `if TYPE_CHECKING:`.

The pytest plugin is the one exception: pytest loads it in every run of every project that has
genaio installed, so it imports nothing but pytest until a fixture runs."""

from __future__ import annotations

import ast
from pathlib import Path

import genaio.emulator

EMULATOR = Path(genaio.emulator.__file__).parent
LAZY_ON_PURPOSE = {"pytest_plugin.py"}


def nested_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    top = set()
    for node in tree.body:
        top.add(id(node))
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            top.update(id(child) for child in node.body)
    return [
        f"{path.name}:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top
    ]


def test_the_emulator_imports_at_the_top():
    found = [
        line
        for path in sorted(EMULATOR.glob("*.py"))
        if path.name not in LAZY_ON_PURPOSE
        for line in nested_imports(path)
    ]
    assert not found, "imports inside functions:\n" + "\n".join(found)


def test_every_emulator_module_imports_on_its_own():
    """A cycle that a top-level import would close shows up as an ImportError in a fresh
    interpreter importing that module first."""
    import subprocess
    import sys

    for path in sorted(EMULATOR.glob("_*.py")):
        if path.name == "__init__.py":
            continue
        module = f"genaio.emulator.{path.stem}"
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        assert done.returncode == 0, f"{module}: {done.stderr.decode()[-500:]}"
