"""Reading a job's JSONL output in the tests."""

import json


def output_ids(path):
    """Every id of a JSONL output, in order; fails on a torn or malformed line."""
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "a torn last line"
    return [json.loads(line)["id"] for line in data.splitlines()]
