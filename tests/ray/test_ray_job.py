"""`genaio embed --ray`: shards as Ray tasks on a local cluster, leases in a real Redis, the
requests to the test emulator; every input id exactly once in the parts, whatever fails."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from genaio.embedjob import JobSpec
from genaio.embedjob._ray import run_ray_job
from tests.ray.conftest import write_input

pytestmark = pytest.mark.usefixtures("ray_cluster", "genaio_emulator")


def parts_ids(directory: Path) -> list[int]:
    """Every id of every part, read back whole (a torn part would not read)."""
    ids: list[int] = []
    for part in sorted(directory.glob("part-*.parquet")):
        ids += pq.read_table(part, columns=["id"]).column(0).to_pylist()
    return ids


def test_a_job_over_several_shards_writes_each_id_once(tmp_path: Path, redis_url: str) -> None:
    expected = write_input(tmp_path / "in.jsonl", 400)
    spec = JobSpec(tmp_path / "in.jsonl", tmp_path / "out", quota_url=redis_url, shards=4, ray="")
    out, err = io.StringIO(), io.StringIO()
    assert run_ray_job(spec, out=out, err=err) == 0, err.getvalue()
    assert sorted(parts_ids(tmp_path / "out")) == sorted(expected)
    assert len(list((tmp_path / "out").glob("part-*.parquet"))) == 4
    assert (tmp_path / "out" / "manifest.json").exists()
    assert not list((tmp_path / "out").glob("*.staged"))
    assert "embedded 400 items" in out.getvalue()

    again = io.StringIO()
    assert run_ray_job(spec, out=again, err=err) == 0
    assert "4 done already" in again.getvalue()
