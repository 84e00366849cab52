"""A deterministic sample input: short English-like sentences with ids, as JSONL.

Bare `genaio` embeds one; the benchmark and the tests make inputs of any size with it. A seeded
generator rather than a bundled file: the same bytes for every count, nothing large in the wheel.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

__all__ = ["sample_records", "write_sample"]

_SUBJECTS = ("The river", "A small robot", "Our team", "The old library", "Every sensor", "She")
_VERBS = ("measures", "remembers", "describes", "ignores", "repairs", "follows", "embeds")
_OBJECTS = (
    "the morning light",
    "a quiet street",
    "seven blue bicycles",
    "the price of tea",
    "an unfinished map",
    "the last train home",
    "a list of questions",
)
_TAILS = ("", " before noon", " with great care", " again and again", " in the rain")


def sample_records(count: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """`count` records `{"id": "doc-000001", "text": ...}`, the same for the same seed."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        text = (
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f"{rng.choice(_TAILS)} (note {rng.randrange(10_000)})."
        )
        yield {"id": f"doc-{n:06}", "text": text}


def write_sample(path: Path, count: int, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as file:
        for record in sample_records(count, seed):
            file.write(json.dumps(record) + "\n")
    return path
