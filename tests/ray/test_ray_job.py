"""`genaio embed --ray`: shards as Ray tasks on a local cluster, leases in a real Redis, the
requests to the test emulator; every input id exactly once in the parts, whatever fails."""

from __future__ import annotations

import fcntl
import io
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import trio

from genaio.embedjob import JobSpec
from genaio.embedjob._journal import read_lines
from genaio.embedjob._lease import Lease, Leases, Outcome
from genaio.embedjob._ray import run_ray_job, shard_tasks
from genaio.embedjob._ray_task import publish, run_shard
from genaio.engine._resp import RedisConnection
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


def test_a_worker_killed_mid_shard_and_the_job_rerun(
    tmp_path: Path, redis_url: str, genaio_emulator
) -> None:
    """Killed with its lease held, the shard waits out the lease, then resumes from its
    journal: nothing it wrote is asked for again, no id is written twice, no part is torn."""
    import ray

    expected = write_input(tmp_path / "in.jsonl", 200)
    spec = JobSpec(
        tmp_path / "in.jsonl",
        tmp_path / "out",
        quota_url=redis_url,
        shards=2,
        ray="",
        concurrency=1,
        max_in_flight=1,
    )
    tasks = shard_tasks(spec, lease_seconds=2.0)
    genaio_emulator.set_faults(latency_ms=20)  # a shard takes ~2 s: time to kill it mid-way
    ref = ray.remote(max_retries=0)(run_shard).remote(tasks[0])  # Ray would retry it
    journal = tasks[0].spec.output
    deadline = time.monotonic() + 60
    while not (journal.exists() and journal.stat().st_size > 0):  # another process: poll
        assert time.monotonic() < deadline, "the shard never started"
        time.sleep(0.05)
    ray.cancel(ref, force=True)  # kills the worker process mid-shard
    with pytest.raises(ray.exceptions.RayError):
        ray.get(ref)
    with journal.open("ab") as file:  # the worker is gone once its lock is
        while True:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "the killed worker kept its lock"
                time.sleep(0.05)
    written = sum(1 for _ in read_lines(journal))
    assert 0 < written < 100
    genaio_emulator.set_faults(None)

    out, err = io.StringIO(), io.StringIO()
    assert run_ray_job(spec, out=out, err=err, lease_seconds=2.0) == 0, err.getvalue()
    ids = parts_ids(tmp_path / "out")
    assert sorted(ids) == sorted(expected)  # each id exactly once
    assert f"embedded {200 - written:,} items" in out.getvalue(), out.getvalue()
    assert not list((tmp_path / "out").glob("part-*.staged"))


def test_a_duplicated_task_is_refused_by_the_fence(tmp_path: Path, redis_url: str) -> None:
    """A task whose lease lapsed (stalled, or a duplicate Ray started) may finish its work, but
    cannot publish it over the part of the task that took the shard after it."""
    write_input(tmp_path / "in.jsonl", 20)
    spec = JobSpec(tmp_path / "in.jsonl", tmp_path / "out", quota_url=redis_url, shards=1)
    task = shard_tasks(spec)[0]

    async def acquire() -> Outcome:
        leases = Leases(redis_url, task.job, ttl=30)
        try:
            return await leases.acquire(0)
        finally:
            await leases.aclose()

    stalled = trio.run(acquire)
    assert stalled.kind == "ok"
    assert run_shard(task).state == "held"  # a duplicate while the lease is live: refused

    async def lapse() -> None:  # as if the stalled task's lease had run out
        redis = RedisConnection(redis_url, timeout=5)
        await redis.call("DEL", Leases(redis_url, task.job, ttl=30)._keys(0)[0])
        await redis.aclose()

    trio.run(lapse)
    assert run_shard(task).state == "published"
    published = task.part.stat()
    assert publish(task, Lease(0, stalled.value)) is False  # the stalled task, done at last
    assert task.part.stat().st_ino == published.st_ino
    assert task.part.stat().st_mtime_ns == published.st_mtime_ns
    assert run_shard(task).state == "finished"  # and a task started after it is done
    assert sorted(parts_ids(tmp_path / "out")) == list(range(20))
    assert not list((tmp_path / "out").glob("part-*.staged"))
