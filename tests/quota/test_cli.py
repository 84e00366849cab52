"""`genaio embed --quota-url` (or GENAIO_QUOTA_URL) gives the job's client the shared quota."""

from __future__ import annotations

import argparse

from genaio.embedjob._args import add_embed_parser, spec_from_args
from genaio.embedjob._job import _limits


def parse(*argv: str):
    parser = argparse.ArgumentParser()
    add_embed_parser(parser.add_subparsers())
    return spec_from_args(parser.parse_args(["embed", "in.jsonl", "-o", "out.jsonl", *argv]))


def test_the_flag_sets_the_quota(monkeypatch):
    monkeypatch.delenv("GENAIO_QUOTA_URL", raising=False)
    assert _limits(parse("--rpm", "100")).quota is None
    limits = _limits(parse("--rpm", "100", "--quota-url", "redis://quota.example:6379/2"))
    assert limits.quota is not None
    assert limits.quota.url == "redis://quota.example:6379/2"


def test_the_environment_sets_it_too(monkeypatch):
    monkeypatch.setenv("GENAIO_QUOTA_URL", "unix:///run/redis.sock")
    limits = _limits(parse("--rpm", "100"))
    assert limits.quota is not None
    assert limits.quota.url == "unix:///run/redis.sock"
