"""Sharding the input: spans that start on a record's first line, and that together read
exactly the records the whole file reads (no Ray needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genaio.embedjob._inputs import Columns, read
from genaio.embedjob._shards import plan_spans

CSV = (
    'id,text\n1,plain\n2,"two\nlines"\n3,"a ""quoted"" word"\n\n4,"three\n\nlines"\n'
    "5,five\n6,six\n7,seven"
)


@pytest.mark.parametrize("shards", [1, 2, 3, 5, 8, 40])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_spans_read_every_record_once(tmp_path: Path, fmt: str, shards: int) -> None:
    path = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        path.write_text(CSV)
    else:
        path.write_text("".join(f'{{"id": {i}, "text": "t{i}"}}\n' for i in range(30)) + "\n")
    whole = list(read(path, fmt, Columns()))
    spans = plan_spans(path, fmt, shards)
    assert 1 <= len(spans) <= shards
    assert [s.end for s in spans[:-1]] == [s.start for s in spans[1:]]
    assert spans[-1].end == path.stat().st_size
    pieces = [item for span in spans for item in read(path, fmt, Columns(), span)]
    assert pieces == whole


def test_genaio_and_its_job_do_not_import_ray() -> None:
    import subprocess
    import sys

    code = "import sys, genaio, genaio.embedjob, genaio.cli; assert 'ray' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ray_needs_a_redis_and_a_server_every_worker_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from genaio.embedjob import JobSpec
    from genaio.embedjob._journal import OutputError
    from genaio.embedjob._ray import shard_tasks

    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "one"}\n')
    spec = JobSpec(tmp_path / "in.jsonl", tmp_path / "out", ray="")
    with pytest.raises(OutputError, match="--ray needs --quota-url"):
        shard_tasks(spec)
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(OutputError, match="one server every worker reaches"):
        shard_tasks(JobSpec(spec.input, spec.output, quota_url="redis://127.0.0.1:1", ray=""))
    assert not spec.output.exists()  # nothing made for a command that cannot run
