"""Per-model quotas (RPM, TPM, RPD) in fixed windows of the emulated clock. Synchronous.

A request is admitted only if every limit has room for it; an admitted request is counted
(requests and input tokens), a refused one is not. A refusal is the real API's 429
RESOURCE_EXHAUSTED with QuotaFailure, Help and RetryInfo details; `retryDelay` is in real
seconds (the emulated wait divided by `time_scale`), so a client that honours it waits right.
"""

from __future__ import annotations

import math
import re
from typing import Any

import attrs

from ._clock import Clock, duration
from ._config import EmulatorConfig, QuotaLimits
from ._http import ApiError

__all__ = ["QuotaBook"]

_MINUTE = 60.0
_DAY = 86_400.0
_HELP_URL = "https://ai.google.dev/gemini-api/docs/rate-limits"


@attrs.define
class _Window:
    index: int = -1
    requests: int = 0
    tokens: int = 0

    def roll(self, index: int) -> None:
        if index != self.index:
            self.index, self.requests, self.tokens = index, 0, 0


@attrs.define
class _Counter:
    minute: _Window = attrs.Factory(_Window)
    day: _Window = attrs.Factory(_Window)


def _group(method: str) -> str:
    return "generateContent" if method == "streamGenerateContent" else method


class QuotaBook:
    """Counts requests and tokens per (model, method group) and refuses those over a limit."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._counters: dict[tuple[str, str], _Counter] = {}

    def reset(self) -> None:
        self._counters.clear()

    def admit(self, model: str, method: str, tokens: int) -> None:
        """Count one request of `tokens` input tokens, or raise the 429 `ApiError`."""
        group = _group(method)
        limits = self._config.quota_for(model, group)
        if limits is None:
            return
        now = self._clock.now()
        counter = self._counters.setdefault((model, group), _Counter())
        counter.minute.roll(int(now // _MINUTE))
        counter.day.roll(int(now // _DAY))
        refusal = _check(limits, counter, tokens)
        if refusal is not None:
            kind, limit = refusal
            window = _DAY if kind == "rpd" else _MINUTE
            wait = (math.floor(now / window) + 1) * window - now
            raise _exhausted(model, group, kind, limit, self._clock.to_real(wait))
        counter.minute.requests += 1
        counter.minute.tokens += tokens
        counter.day.requests += 1

    def usage(self) -> dict[str, Any]:
        return {
            f"{model}:{group}": {
                "minute_requests": c.minute.requests,
                "minute_tokens": c.minute.tokens,
                "day_requests": c.day.requests,
            }
            for (model, group), c in self._counters.items()
        }


def _check(limits: QuotaLimits, counter: _Counter, tokens: int) -> tuple[str, int] | None:
    if limits.rpd is not None and counter.day.requests + 1 > limits.rpd:
        return "rpd", limits.rpd
    if limits.rpm is not None and counter.minute.requests + 1 > limits.rpm:
        return "rpm", limits.rpm
    if limits.tpm is not None and counter.minute.tokens + tokens > limits.tpm:
        return "tpm", limits.tpm
    return None


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


def _metric(group: str, kind: str) -> tuple[str, str]:
    snake = _snake(group)
    pascal = group[0].upper() + group[1:]
    if kind == "tpm":
        return (
            f"generativelanguage.googleapis.com/{snake}_free_tier_input_token_count",
            f"{pascal}InputTokensPerModelPerMinute-FreeTier",
        )
    per = "Day" if kind == "rpd" else "Minute"
    prefix = "Generate" if group == "generateContent" else pascal  # as the real API names it
    return (
        f"generativelanguage.googleapis.com/{snake}_free_tier_requests",
        f"{prefix}RequestsPer{per}PerProjectPerModel-FreeTier",
    )


def _exhausted(model: str, group: str, kind: str, limit: int, wait: float) -> ApiError:
    metric, quota_id = _metric(group, kind)
    delay = duration(math.ceil(wait)) if wait >= 10 else duration(round(max(wait, 0.001), 3))
    message = (
        "You exceeded your current quota, please check your plan and billing details. For more "
        f"information on this error, head to: {_HELP_URL}. To monitor your current usage, head "
        "to: https://ai.dev/usage?tab=rate-limit. \n"
        f"* Quota exceeded for metric: {metric}, limit: {limit}, model: {model}\n"
        f"Please retry in {wait:.2f}s."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": metric,
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(limit),
                }
            ],
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{"description": "Learn more about Gemini API quotas", "url": _HELP_URL}],
        },
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
    ]
    return ApiError(429, message, "RESOURCE_EXHAUSTED", details)
