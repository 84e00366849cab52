"""genaio's own knobs: concurrency, mailboxes, shedding, rate limits and lifetimes (the official
SDK has none of these)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from genaio.actors._coalesce import BatchPolicy

if TYPE_CHECKING:
    from genaio.engine import RateLimit
    from genaio.engine._redis_quota import RedisQuota

__all__ = ["DEFAULT_FAMILIES", "FamilyLimits", "Limits"]


def _finite_positive(
    instance: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None and not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be a positive number of seconds, not {value!r}")


@attrs.frozen
class FamilyLimits:
    """One family actor's limits.

    `concurrency` bounds the requests it has in flight. `mailbox_size` bounds the calls queued
    for it; callers beyond that wait to submit (backpressure), at most `max_waiting` of them
    and each for at most `max_wait` seconds (None: as long as it takes); past either, a call
    fails at once with `QueueFullError`. `when_full="fail"` sheds instead of waiting: a call
    that finds the mailbox full fails at once (`fail_fast()` does that for the calls of one
    block). `rate` is a requests/tokens per minute limit (for `models`, the default per model;
    see `Limits.model_rates`). `adaptive` lets each quota's concurrency limit follow the
    service's latency and sustained failures (see `docs/getting-started.md`); False holds it at
    `concurrency`.
    """

    concurrency: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    mailbox_size: int = attrs.field(default=256, validator=attrs.validators.ge(0))
    rate: RateLimit | None = None
    adaptive: bool = True
    max_waiting: int = attrs.field(default=10_000, validator=attrs.validators.ge(0))
    max_wait: float | None = attrs.field(default=None, validator=_finite_positive)
    when_full: Literal["wait", "fail"] = attrs.field(
        default="wait", validator=attrs.validators.in_(("wait", "fail"))
    )


#: Families whose defaults differ: an upload holds a whole chunk (8 MiB) in memory while it is
#: sent, so a few at a time keep a burst of uploads to tens of MiB, not hundreds.
DEFAULT_FAMILIES: Mapping[str, FamilyLimits] = {
    "files": FamilyLimits(concurrency=8),
    "file_search_stores": FamilyLimits(concurrency=8),
}


@attrs.frozen
class Limits:
    """Limits and lifetimes of a client's actor tree.

    `model_rates` maps a model id (`"gemini-2.0-flash"`) to its own rate limit. `batching` is how
    concurrent single embedding calls are merged into batch requests (None: never). `shutdown_grace`
    is how long `aclose()` lets in-flight calls finish before cancelling them (finite: `aclose()`
    takes at most that plus a few bounded seconds to close connections). A crashed actor is
    restarted at most `max_restarts` times in `restart_window` seconds. `quota` keeps the models'
    rate limits in Redis, shared by every process that names the same project (see
    `docs/scale-out.md`); None: each client's own buckets.
    """

    families: Mapping[str, FamilyLimits] = attrs.field(factory=dict)
    model_rates: Mapping[str, RateLimit] = attrs.field(factory=dict)
    batching: BatchPolicy | None = BatchPolicy()
    shutdown_grace: float = attrs.field(default=5.0, validator=attrs.validators.ge(0.0))
    max_restarts: int = 3
    restart_window: float = 60.0
    quota: RedisQuota | None = None

    def __attrs_post_init__(self) -> None:
        if not math.isfinite(self.shutdown_grace):
            raise ValueError("shutdown_grace must be finite: aclose() is always bounded")

    def family(self, name: str) -> FamilyLimits:
        return self.families.get(name) or DEFAULT_FAMILIES.get(name) or FamilyLimits()
