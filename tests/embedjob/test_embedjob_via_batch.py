"""Issue 23: `genaio embed --via batch`, exactly once and resumable like the online path."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from genaio.embedjob import JobSpec, run_job, write_sample
from genaio.embedjob._via_batch import BatchLog, Shard, batches_path, chosen, why
from genaio.emulator import EmulatorConfig
from tests.embedjob.outputs import output_ids

NEVER = 1_000_000.0  # emulated seconds: a batch that ends only when the test moves the clock
_WAIT = 60.0  # seconds: a bound on every wait, never a pause


@pytest.fixture
def genaio_emulator_config():
    return EmulatorConfig(lro_seconds=0.3)  # a batch job ends 0.3 s after it is created


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def batch_spec(source, output, **fields):
    return JobSpec(
        source, output, dimensions=4, via="batch", batch_items=40, poll_seconds=0.01, **fields
    )


def created(api):
    return len(api.requests.filter(method="asyncBatchEmbedContent", status=200))


def lines(output):
    return [json.loads(line) for line in output.read_text().splitlines()]


def finish_batches(api):
    api.advance(NEVER)


def test_a_batch_job_end_to_end_gives_the_online_vectors(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 100)
    output = tmp_path / "out.jsonl"
    status, out, err = job(batch_spec(source, output))
    assert status == 0, err
    assert "via the Batch API (--via batch)" in out and "done: every input id" in out
    assert created(api) == 3  # shards of 40, 40 and 20
    online = tmp_path / "online.jsonl"
    assert job(JobSpec(source, online, dimensions=4))[0] == 0
    assert sorted(map(json.dumps, lines(output))) == sorted(map(json.dumps, lines(online)))
    log = BatchLog.open(batches_path(output))
    assert [s.end for s in log.shards.values()] == ["JOB_STATE_SUCCEEDED"] * 3
    log.close()


@pytest.mark.parametrize("genaio_emulator_config", [EmulatorConfig(lro_seconds=NEVER)])
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGINT])
def test_killed_while_polling_a_rerun_polls_again_and_writes_each_id_once(api, tmp_path, kill):
    source = write_sample(tmp_path / "in.jsonl", 100)
    output = tmp_path / "out.jsonl"
    env = {**os.environ, "GOOGLE_API_KEY": "k", "GOOGLE_GEMINI_BASE_URL": api.base_url}
    env.pop("GEMINI_API_KEY", None)
    command = [sys.executable, "-m", "genaio.cli", "embed", str(source), "-o", str(output)]
    command += ["--dimensions", "4", "--via", "batch", "--batch-items", "40"]
    command += ["--poll-seconds", "0.01", "--no-progress"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log_file = batches_path(output)
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline and process.poll() is None:
        if log_file.exists() and log_file.read_bytes().count(b'"job"') == 3:
            break
        time.sleep(0.005)
    assert process.poll() is None, process.communicate()
    process.send_signal(kill)
    _, err = process.communicate(timeout=_WAIT)
    if kill == signal.SIGINT:  # at once: nothing in flight here; the jobs run on
        assert process.returncode == 130, err
        assert b"the batch jobs run on at the server" in err and b"run the same command" in err
    assert created(api) == 3  # all submitted, and nothing back
    assert not output.exists() or output.read_bytes() == b""

    finish_batches(api)
    status, _, err = job(batch_spec(source, output))
    assert status == 0, err
    assert created(api) == 3  # polled again, not submitted again
    assert sorted(output_ids(output)) == [f"doc-{n:06}" for n in range(1, 101)]
    assert job(batch_spec(source, output))[0] == 0  # and a third run has nothing to do
    assert created(api) == 3 and len(output_ids(output)) == 100


def test_a_job_whose_name_was_lost_is_adopted_and_one_never_created_is_sent_again(
    api, tmp_path, genaio_client
):
    source = write_sample(tmp_path / "in.jsonl", 100)
    output = tmp_path / "out.jsonl"
    texts = [json.loads(line)["text"] for line in source.read_text().splitlines()]
    log = BatchLog.open(batches_path(output))
    ids = [f"doc-{n:06}" for n in range(1, 101)]
    log.intend(Shard("genaio-embed-lost-0", ids[:40], list(range(1, 41)), [1] * 40))
    log.intend(Shard("genaio-embed-lost-1", ids[40:80], list(range(41, 81)), [1] * 40))
    log.close()
    # The first was created, and the run killed before it logged the job's name.
    genaio_client.batches.create_embeddings(
        model="gemini-embedding-001",
        src={"inlined_requests": {"contents": texts[:40], "config": {"output_dimensionality": 4}}},
        config={"display_name": "genaio-embed-lost-0"},
    )
    finish_batches(api)

    status, _, err = job(batch_spec(source, output))
    assert status == 0, err
    assert created(api) == 1 + 2  # the lost one adopted; 41-80 and 81-100 sent
    assert sorted(output_ids(output)) == ids
    shards = BatchLog.open(batches_path(output)).shards
    assert shards["genaio-embed-lost-0"].end == "JOB_STATE_SUCCEEDED"
    assert shards["genaio-embed-lost-1"].end == "NOT_SUBMITTED"


def test_a_cancelled_batch_job_leaves_its_ids_for_the_next_run(api, tmp_path, genaio_client):
    source = write_sample(tmp_path / "in.jsonl", 60)
    output = tmp_path / "out.jsonl"
    log = BatchLog.open(batches_path(output))
    log.intend(Shard("genaio-embed-gone-0", ["doc-000001"], [1], [1]))
    log.close()
    made = genaio_client.batches.create_embeddings(
        model="gemini-embedding-001",
        src={"inlined_requests": {"contents": ["x"]}},
        config={"display_name": "genaio-embed-gone-0"},
    )
    genaio_client.batches.cancel(name=made.name)
    status, _, err = job(batch_spec(source, output))
    assert status == 1 and "1 items failed for now" in err
    assert len(output_ids(output)) == 59
    status, _, err = job(batch_spec(source, output))
    assert status == 0, err
    assert sorted(output_ids(output)) == [f"doc-{n:06}" for n in range(1, 61)]


@pytest.mark.parametrize(
    ("via", "deadline", "batch", "words"),
    [
        ("online", 100.0, False, "online (--via online)"),
        ("batch", None, True, "via the Batch API (--via batch)"),
        ("auto", None, False, "no --deadline"),
        ("auto", 6.0, False, "--deadline 6 h is shorter than the Batch API's 24 h"),
        ("auto", 48.0, True, "--deadline 48 h leaves the Batch API's 24 h turnaround"),
    ],
)
def test_via_auto_takes_the_batch_api_when_the_deadline_allows_it(via, deadline, batch, words):
    assert chosen(via, deadline) is batch
    assert words in why(via, deadline)


def test_list_prices_are_data_with_a_source_and_a_date_and_a_file_overrides_them(tmp_path):
    from genaio.embedjob._prices import load_prices

    prices = load_prices()
    assert prices.source.startswith("https://ai.google.dev/") and prices.as_of
    online = prices.cost("models/gemini-embedding-001", "online", 1_000_000)
    assert online is not None
    assert prices.cost("gemini-embedding-001", "batch", 1_000_000) == pytest.approx(online / 2)
    assert prices.cost("no-such-model", "online", 1) is None

    mine = tmp_path / "prices.json"
    mine.write_text(json.dumps({"usd_per_million_tokens": {"gemini-embedding-001": {"batch": 1}}}))
    assert load_prices(mine).cost("gemini-embedding-001", "batch", 2_000_000) == 2.0
    mine.write_text("[]")
    with pytest.raises(ValueError, match="not a prices file"):
        load_prices(mine)


def test_the_command_line_names_the_path():
    import argparse

    from genaio.embedjob import add_embed_parser, spec_from_args

    parser = argparse.ArgumentParser()
    add_embed_parser(parser.add_subparsers())
    args = parser.parse_args(["embed", "in.jsonl", "-o", "out.jsonl", "--via", "auto"])
    assert spec_from_args(args).via == "auto" and spec_from_args(args).deadline is None
    args = parser.parse_args(
        [
            *("embed", "in.jsonl", "-o", "o.jsonl", "--via", "batch", "--deadline", "36"),
            *("--batch-items", "100", "--poll-seconds", "5"),
        ]
    )
    spec = spec_from_args(args)
    assert (spec.via, spec.deadline, spec.batch_items, spec.poll_seconds) == ("batch", 36, 100, 5)
