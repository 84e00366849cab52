"""`genaio.ray.Embedder` in a Ray Data pipeline: the example of docs/scale-out.md, run as
written, on a local cluster against the test emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("ray.data")
pytestmark = pytest.mark.usefixtures("ray_cluster")

PAGE = Path(__file__).parents[2] / "docs" / "scale-out.md"


def test_the_documented_pipeline_embeds_every_row(genaio_emulator) -> None:
    (example,) = re.findall(r"^```py\n(.*?)^```", PAGE.read_text(), re.S | re.M)
    scope: dict[str, object] = {}
    exec(compile(example, str(PAGE), "exec"), scope)
    rows = scope["rows"]
    assert isinstance(rows, list)
    assert sorted(row["id"] for row in rows) == list(range(1000))
    assert {len(row["embedding"]) for row in rows} == {256}
    stats = genaio_emulator.stats()
    assert 0 < stats["requests"] < 1000 / 2  # coalesced into batch requests
