"""Counters the emulator keeps: requests, statuses, 429s, tokens and faults, per model/endpoint."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

__all__ = ["Stats"]


class _Bucket:
    __slots__ = ("faults", "output_tokens", "prompt_tokens", "rate_limited", "requests", "statuses")

    def __init__(self) -> None:
        self.requests = 0
        self.rate_limited = 0
        self.prompt_tokens = 0
        self.output_tokens = 0
        self.statuses: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.prompt_tokens + self.output_tokens,
            "statuses": dict(self.statuses),
            "faults": dict(self.faults),
        }


class Stats:
    """Mutated only on the server's event loop; `snapshot()` gives a JSON-able copy."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = _Bucket()
        self.in_flight = 0
        self.by_endpoint: defaultdict[str, _Bucket] = defaultdict(_Bucket)
        self.by_model: defaultdict[str, _Bucket] = defaultdict(_Bucket)

    def _buckets(self, endpoint: str, model: str | None) -> tuple[_Bucket, ...]:
        if model:
            return (self.total, self.by_endpoint[endpoint], self.by_model[model])
        return (self.total, self.by_endpoint[endpoint])

    def request(self, endpoint: str, model: str | None, status: int, fault: str | None) -> None:
        key = str(status)
        for bucket in self._buckets(endpoint, model):
            bucket.requests += 1
            bucket.statuses[key] += 1
            if status == 429 and fault is None:
                bucket.rate_limited += 1
            if fault is not None:
                bucket.faults[fault] += 1

    def tokens(self, endpoint: str, model: str | None, prompt: int, output: int = 0) -> None:
        for bucket in self._buckets(endpoint, model):
            bucket.prompt_tokens += prompt
            bucket.output_tokens += output

    def snapshot(self) -> dict[str, Any]:
        total = self.total.as_dict()
        return {
            **total,
            "in_flight": self.in_flight,
            "by_endpoint": {k: v.as_dict() for k, v in sorted(self.by_endpoint.items())},
            "by_model": {k: v.as_dict() for k, v in sorted(self.by_model.items())},
        }
