"""Coalescing: many small calls to a batch endpoint become few requests.

Single `embed_content` calls from any number of callers are gathered, per model and endpoint,
into one `batchEmbedContents` (or Vertex AI `:predict`) request of at most `max_items` entries
and `max_tokens` estimated tokens, sent once, and split back to each caller in order (`_batch`).

Callers join a batch directly (`Coalescer.join`, synchronous) while it waits in the models
actor's batch mailbox; only the caller that opens one takes it there, so that mailbox (and its
backpressure) sees one envelope per batch, not one per call. Once the actor's serve loop has
taken a batch, later callers open another, which the loop adds to the one it holds (`accept`)
while that one has room. Only these merged envelopes take the serve loop; every other call goes
straight to the actor's mailbox and its workers.

When to send is the one decision, made by a synchronous core (`Coalescer`) on the serve loop: a
batch goes when it is full; when nothing else waits in the batch mailbox and no batch of its
kind is in flight (so a lone caller adds no latency at all); when nothing else waits and its
`window` has passed since the actor took it (so a partial batch never waits long for company
that is not coming); and, while calls keep arriving (they will fill it), when `max_wait` has
passed (so calls of other kinds cannot starve it). But never before the model's throttle could
admit it: while a request rate (or a 429's pause) holds requests back, a batch stays with the
actor and keeps filling until the throttle is ready, then goes with what it has. Sent any earlier,
it would only wait in the throttle with its members fixed, while later calls start the next,
small, batch: under a binding requests-per-minute quota, that costs items a second.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from genaio.actors._batch import BatchReply, BatchWork
from genaio.actors._envelope import Envelope

if TYPE_CHECKING:
    from genaio.actors._batch import BatchKey, Member
    from genaio.engine import Throttle

__all__ = ["BatchPolicy", "Coalescer", "Dispatch"]


@attrs.frozen
class BatchPolicy:
    """How large a merged request may grow, and how long a partial one may wait (seconds)."""

    max_items: int = 100
    max_tokens: int = 250_000
    window: float = 0.005
    max_wait: float = 0.05


@attrs.frozen
class Dispatch:
    """A merged envelope to send, and the envelopes it stands for (absorbed into it)."""

    envelope: Envelope[None]
    absorbed: tuple[Envelope[None], ...] = ()


class Coalescer:
    """The models actor's batching: callers `join` batches; the serve loop (`accept`, `due`,
    `deadline`) merges them and decides when each goes. Synchronous, no I/O:
    it asks each batch's throttle (`throttle(rate_key)`) when it could admit it, and takes
    nothing from it."""

    def __init__(
        self,
        policy: BatchPolicy,
        throttle: Callable[[str | None], Throttle | None] = lambda rate_key: None,
    ) -> None:
        self.policy = policy
        self._throttle = throttle
        self._open: dict[BatchKey, Envelope[None]] = {}  # in the mailbox: callers join it
        self._pending: dict[BatchKey, Envelope[None]] = {}  # held by the actor, not yet sent
        self._in_flight: Counter[BatchKey] = Counter()
        # Sent, but not yet at their throttle: the requests a new batch would queue behind.
        self._unstarted: dict[str | None, list[Envelope[None]]] = {}
        self.requests = 0  # merged requests sent (statistics)
        self.merged = 0  # calls that went out in them

    def join(self, member: Member) -> Envelope[None] | None:
        """Add a batchable call to the open batch of its kind; return the merged envelope
        the caller must submit if it opened a new one (None: it joined one on its way)."""
        key, count = member.key, len(member.entries)
        merged = self._open.get(key)
        if merged is not None:
            batch: BatchWork = merged.work
            if batch.open and self._fits(batch, count, member.tokens):
                batch.members.append(member)
                batch.items += count
                batch.tokens += member.tokens
                if batch.items >= self.policy.max_items:
                    self._close(merged)
                return None
            self._close(merged)
        batch = BatchWork(key, member.rate_key, member.batchable, [member], count, member.tokens)
        merged = Envelope(batch, reply=BatchReply(batch))
        if count < self.policy.max_items:
            self._open[key] = merged
        else:
            batch.open = False
        return merged

    def withdraw(self, merged: Envelope[None], error: BaseException) -> None:
        """A merged envelope that never reached the mailbox: fail its members with `error`
        (`Rejoin` sends them to another batch)."""
        self._close(merged)
        merged.reply.fail(error)

    def accept(self, envelope: Envelope[None], now: float, idle: bool) -> list[Dispatch]:
        """The serve loop has taken `envelope` (a merged one); `idle`: nothing else waits in
        the batch mailbox. Returns what to send now."""
        work: BatchWork = envelope.work
        self._close(envelope)
        ready: list[Dispatch] = []
        pending = self._pending.get(work.key)
        if pending is not None and pending.reply.done:  # failed by a crash, before a restart
            del self._pending[work.key]
            pending = None
        if pending is not None and self._fits(pending.work, work.items, work.tokens):
            _absorb(pending, envelope)
            envelope = pending
        else:
            if pending is not None:
                ready.append(self._take(pending))
            self._pending[work.key] = envelope
            work.taken = now
        batch: BatchWork = envelope.work
        if batch.items >= self.policy.max_items or (
            idle and not self._in_flight[batch.key] and self._admitted_at(batch) <= now
        ):
            ready.append(self._take(envelope))
        return ready

    def due(self, now: float, idle: bool) -> list[Dispatch]:
        """What to send now of the batches held."""
        wait = self.policy.window if idle else self.policy.max_wait
        ready = [
            pending
            for key, pending in self._pending.items()
            if (now >= pending.work.taken + wait or (idle and not self._in_flight[key]))
            and self._admitted_at(pending.work) <= now
        ]
        return [self._take(pending) for pending in ready]

    def deadline(self) -> float:
        """When to look again: the first batch's window, or when its throttle will admit it,
        whichever is later (`due` decides whether it goes)."""
        return min(
            (
                max(p.work.taken + self.policy.window, self._admitted_at(p.work))
                for p in self._pending.values()
            ),
            default=math.inf,
        )

    def started(self, merged: Envelope[None]) -> None:
        """A worker is sending `merged`: from now on its throttle counts it."""
        unstarted = self._unstarted.get(merged.work.rate_key, [])
        if merged in unstarted:
            unstarted.remove(merged)

    def finished(self, key: BatchKey) -> None:
        """A merged request of this kind has ended."""
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]

    def _admitted_at(self, batch: BatchWork) -> float:
        """When the batch's throttle could admit it, behind the batches sent before it that
        have not reached the throttle yet (-inf: at once)."""
        throttle = self._throttle(batch.rate_key)
        if throttle is None:
            return -math.inf
        ahead = self._unstarted.get(batch.rate_key, [])
        ahead[:] = [e for e in ahead if not (e.reply.done or e.reply.abandoned)]
        tokens = sum(e.work.tokens for e in ahead)
        return throttle.ready_at(batch.tokens, ahead=len(ahead), ahead_tokens=tokens)

    def _fits(self, batch: BatchWork, items: int, tokens: int) -> bool:
        return (
            batch.items + items <= self.policy.max_items
            and batch.tokens + tokens <= self.policy.max_tokens
        )

    def _close(self, merged: Envelope[None]) -> None:
        """Nobody joins `merged` any more."""
        batch: BatchWork = merged.work
        batch.open = False
        if self._open.get(batch.key) is merged:
            del self._open[batch.key]

    def _take(self, merged: Envelope[None]) -> Dispatch:
        """Send `merged` with the members still waiting for it."""
        batch: BatchWork = merged.work
        del self._pending[batch.key]
        batch.members = [m for m in batch.members if not (m.abandoned or m.done)]
        batch.deadline = min((m.deadline for m in batch.members), default=math.inf)
        self._in_flight[batch.key] += 1
        self._unstarted.setdefault(batch.rate_key, []).append(merged)
        self.requests += 1
        self.merged += len(batch.members)
        return Dispatch(merged, absorbed=tuple(batch.absorbed))


def _absorb(pending: Envelope[None], later: Envelope[None]) -> None:
    """Move the members of `later` (a batch of the same kind) into `pending`."""
    batch, other = pending.work, later.work
    batch.members += other.members
    batch.items += other.items
    batch.tokens += other.tokens
    batch.absorbed.append(later)
    other.members = []  # they are `pending`'s now: failing `later` fails nobody twice
