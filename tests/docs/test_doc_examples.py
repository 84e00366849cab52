"""Every ```python block of every page in docs/ runs, against the emulator.

A page's blocks run in order in one namespace, as a reader would paste them into one script,
with GOOGLE_API_KEY set and GOOGLE_GEMINI_BASE_URL pointing at the emulator. Blocks that are not
meant to run are fenced as ```text, ```console or ```pycon instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if "```python" in p.read_text())
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_examples_run(page, genaio_emulator, monkeypatch, tmp_path, capsys):
    for name in ("GEMINI_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", genaio_emulator.base_url)
    monkeypatch.chdir(tmp_path)  # examples may write files
    namespace: dict = {"__name__": "__main__"}
    for number, block in enumerate(_BLOCK.findall(page.read_text()), 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)
    capsys.readouterr()
