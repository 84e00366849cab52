"""What an actor reports about itself: a snapshot value, for tests, dashboards and `repr`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from genaio.engine import ThrottleStatistics

__all__ = ["ActorStatistics"]


@attrs.frozen
class ActorStatistics:
    """A snapshot of an actor, for tests, dashboards and `repr`.

    Each caller is counted in one place: `waiting` (to submit, beyond the mailbox:
    `waiting_to_submit`; in the mailbox or the actor's hands: `queued`; at its quota's throttle,
    for a pause, the rate or a slot: `throttled`) or `in_flight` (being sent, or between
    retries). Each call ends counted once: `completed` (answered), `failed` (an error reached
    the caller, by class in `failed_by`: API errors after retries, deadlines, refusals by the
    shedding policy, a closed client), `cancelled` (its caller left after submitting it) or
    `abandoned` (its caller left while waiting to submit). A call whose caller left at its
    deadline counts as failed with `DeadlineExceededError`. Calls merged into one request
    (coalesced embeddings) count as that one request.

    `limit` is how many requests may be in flight now: `concurrency`, or fewer where an
    adaptive limit has shrunk a quota's; `paused_until` is when the latest 429 pause ends, on
    the loop's clock (None: none). `quotas` has each quota's own (one per model for `models`).
    `workers` counts the worker tasks alive, busy or idle (at most `concurrency`; twice that
    for `models`, whose throttles bound the requests themselves).
    """

    name: str
    waiting: int
    waiting_to_submit: int
    queued: int
    throttled: int
    in_flight: int
    concurrency: int
    limit: int
    paused_until: float | None
    mailbox_size: int
    submitted: int
    completed: int
    failed: int
    failed_by: Mapping[str, int]
    cancelled: int
    abandoned: int
    restarts: int
    closed: bool
    workers: int
    quotas: Mapping[str, ThrottleStatistics] = attrs.field(factory=dict)

    def with_quotas(self, quotas: Mapping[str, ThrottleStatistics]) -> ActorStatistics:
        """This snapshot with its quotas' throttles folded in."""
        if not quotas:
            return self
        throttled = sum(q.waiting for q in quotas.values())
        paused = [q.paused_until for q in quotas.values() if q.paused_until is not None]
        return attrs.evolve(
            self,
            waiting=self.waiting + throttled,
            throttled=throttled,
            in_flight=max(0, self.in_flight - throttled),
            limit=min(self.concurrency, sum(q.limit for q in quotas.values())),
            paused_until=max(paused, default=None),
            quotas=dict(quotas),
        )
