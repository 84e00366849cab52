"""genaio's own knobs: concurrency, mailboxes, rate limits and lifetimes (the official SDK has
none of these)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from genaio.actors._coalesce import BatchPolicy
from genaio.engine import RateLimit

__all__ = ["FamilyLimits", "Limits"]


@attrs.frozen
class FamilyLimits:
    """One family actor's limits.

    `concurrency` bounds the requests it has in flight; `mailbox_size` bounds the calls waiting
    for it (callers beyond that wait to submit: backpressure); `rate` is a requests/tokens per
    minute limit (for `models`, the default per model; see `Limits.model_rates`).
    """

    concurrency: int = 100
    mailbox_size: int = 256
    rate: RateLimit | None = None


@attrs.frozen
class Limits:
    """Limits and lifetimes of a client's actor tree.

    `model_rates` maps a model id (`"gemini-2.0-flash"`) to its own rate limit. `batching` is how
    concurrent single embedding calls are merged into batch requests (None: never). `shutdown_grace`
    is how long `aclose()` lets in-flight calls finish before cancelling them. A crashed actor is
    restarted at most `max_restarts` times in `restart_window` seconds.
    """

    families: Mapping[str, FamilyLimits] = attrs.field(factory=dict)
    model_rates: Mapping[str, RateLimit] = attrs.field(factory=dict)
    batching: BatchPolicy | None = BatchPolicy()
    shutdown_grace: float = 5.0
    max_restarts: int = 3
    restart_window: float = 60.0

    def family(self, name: str) -> FamilyLimits:
        return self.families.get(name) or FamilyLimits()
