"""Coalescing: many small calls to a batch endpoint become few requests.

Single `embed_content` calls from any number of callers are gathered, per model and endpoint,
into one `batchEmbedContents` (or Vertex AI `:predict`) request of at most `max_items` entries
and `max_tokens` estimated tokens, sent once, and split back to each caller in order.

A call waits as a `Member`: its entries already written as JSON, and nothing else of its body
or its `RestCall` kept (ten thousand calls waiting at once are ten thousand members, and every
object each one keeps is one more for the garbage collector to walk, again and again).
Callers join a batch directly (`Coalescer.join`, synchronous) while it waits in the actor's
mailbox; only the caller that opens one takes it there, so the mailbox (and its backpressure)
sees one envelope per batch, not one per call. Once the actor has taken a batch, later callers
open another, which the actor adds to the one it holds (`accept`) while that one has room.

When to send is the one decision, made by a synchronous core (`Coalescer`) on the actor's serve
loop: a batch goes when it is full; when nothing else waits in the mailbox and no batch of its
kind is in flight (so a lone caller adds no latency at all); when nothing else waits and its
`window` has passed since the actor took it (so a partial batch never waits long for company
that is not coming); and, while calls keep arriving (they will fill it), when `max_wait` has
passed (so calls of other kinds cannot starve it). But never before the model's throttle could
admit it: while a request rate (or a 429's pause) holds requests back, a batch stays with the
actor and keeps filling until the throttle is ready, then goes with what it has. Sent any earlier,
it would only wait in the throttle with its members fixed, while later calls start the next,
small, batch: under a binding requests-per-minute quota, that costs items a second.

A merged request refused for one entry's sake (400 INVALID_ARGUMENT) is split in halves and sent
again, down to single calls, so that only the offending caller gets the error. Any other failure
is shared by every caller in the batch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio
import attrs

from genaio._telemetry import CallTrace
from genaio.actors._actor import Dispatch
from genaio.actors._envelope import Envelope
from genaio.actors._reply import Reply
from genaio.actors._rest import Batchable, RestWork
from genaio.engine import (
    HttpTransport,
    JsonAnswer,
    JsonFragment,
    RestCall,
    Throttle,
    dumps_json,
    loads_json,
)
from genaio.errors import GenaioError, InvalidArgumentError, UnknownApiResponseError

__all__ = [
    "BatchPolicy",
    "BatchReply",
    "BatchWork",
    "Coalescer",
    "Member",
    "Rejoin",
    "perform_batch",
]


@attrs.frozen
class BatchPolicy:
    """How large a merged request may grow, and how long a partial one may wait (seconds)."""

    max_items: int = 100
    max_tokens: int = 250_000
    window: float = 0.005
    max_wait: float = 0.05


#: Method, path, and the rest of the body (as JSON) of a batchable call: what calls must share
#: to share a request.
BatchKey = tuple[str, str, bytes]


class Member(Reply[JsonAnswer]):
    """A call waiting in a batch: the reply its caller waits on, with what the batch needs of it.

    `entries` are the call's entries of the batch's list, written as JSON (which the garbage
    collector does not walk). Its reply is the merged answer, of which the caller takes its own
    slice (`own`) in its own task: cut there, it is made and dropped in the same step rather
    than piling up, a hundred at a time, while the worker answers the batch.
    """

    __slots__ = ("batchable", "deadline", "entries", "key", "rate_key", "start", "tokens", "trace")

    def __init__(
        self,
        key: BatchKey,
        entries: tuple[JsonFragment, ...],
        batchable: Batchable,
        rate_key: str | None,
        tokens: int,
        deadline: float,
        trace: CallTrace | None = None,
    ) -> None:
        super().__init__()
        self.trace = trace  # the call's record, for its span's link to the batch's
        self.key, self.entries, self.batchable = key, entries, batchable
        self.rate_key, self.tokens, self.deadline = rate_key, tokens, deadline
        self.start = 0  # where its results begin in the merged answer's list

    def own(self, merged: JsonAnswer) -> JsonAnswer:
        """This call's answer: the merged one with only its own results."""
        field, data = self.batchable.answer_field, merged.data
        results = data[field][self.start : self.start + len(self.entries)]
        return JsonAnswer({**data, field: results}, merged.headers)

    @classmethod
    def of(cls, work: RestWork, deadline: float) -> Member:
        """The member for a batchable call: a call whose body holds its entries, and nothing
        else that calls of one batch could differ in (no query, headers or options of its own;
        the merged request is built from `key` and the entries alone)."""
        call, batchable = work.call, work.batchable
        assert batchable is not None
        assert (call.query, call.headers, call.options) == (None, None, None), call
        assert call.idempotent and call.authenticated, call
        rest = {k: v for k, v in call.body.items() if k != batchable.field}
        key = (call.method, call.path, dumps_json(rest) if rest else b"")
        entries = tuple(JsonFragment(dumps_json(e)) for e in call.body[batchable.field])
        return cls(key, entries, batchable, work.rate_key, work.tokens, deadline, work.trace)

    def renewed(self) -> Member:
        """The same call, to join another batch (a reply is filled only once)."""
        return Member(
            self.key,
            self.entries,
            self.batchable,
            self.rate_key,
            self.tokens,
            self.deadline,
            self.trace,
        )


@attrs.define(eq=False)
class BatchWork:
    """The work of a merged envelope: its members, in order.

    Callers join it while it is `open` (in the mailbox); `taken` is when the actor took it;
    `absorbed` are the batches of its kind the actor added to it since; `deadline` is its
    members' earliest, fixed when it is sent.
    """

    key: BatchKey
    rate_key: str | None
    batchable: Batchable
    members: list[Member]
    items: int
    tokens: int
    open: bool = True
    taken: float = math.inf
    absorbed: list[Envelope[None]] = attrs.field(factory=list)
    deadline: float = math.inf


class Rejoin(Exception):
    """The member's batch never reached the actor (its opener left on the way): join another.
    A signal between the coalescer's callers; it never leaves `ModelsActor.call`."""


class BatchReply(Reply[None]):
    """The reply of a merged envelope. Nobody awaits it: it stands for its members.

    Failing it fails every member not yet answered (after a crash or a close); the merged
    request is cancelled only once every member has abandoned it.
    """

    __slots__ = ("_batch", "_present")

    def __init__(self, batch: BatchWork) -> None:
        super().__init__()
        self._batch = batch
        self._present = 0

    def fail(self, error: BaseException) -> None:
        self._batch.open = False
        for member in self._batch.members:
            member.fail(error)
        super().fail(error)

    def bind(self, scope: anyio.CancelScope) -> None:
        super().bind(scope)
        self._present = len(self._batch.members)
        for member in self._batch.members:
            member.bind(self)  # type: ignore[arg-type]  # a member leaving calls cancel()

    def cancel(self) -> None:
        """A member has gone; the last one to go cancels the request."""
        self._present -= 1
        if self._present <= 0:
            self.abandon()


class Coalescer:
    """The models actor's batching: callers `join` batches; the serve loop's intake
    (`accept`, `due`, `deadline`) merges them and decides when each goes. Synchronous, no I/O:
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

    def accept(self, envelope: Envelope[Any], now: float, idle: bool) -> list[Dispatch]:
        work = envelope.work
        if not isinstance(work, BatchWork):
            return [Dispatch(envelope)]
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


async def perform_batch(
    transport: HttpTransport, envelope: Envelope[None], throttle: Throttle | None
) -> None:
    """Send a merged request and answer each member with its own slice.

    Cancellation: the request is cancelled only when every member has gone.
    """
    work: BatchWork = envelope.work
    live = [m for m in work.members if not m.abandoned]
    if live:
        await _send(transport, live, envelope, throttle)
    envelope.reply.send(None)
    # Every member is answered. Each member still points at the batch's reply (`bind`);
    # dropping the members breaks the cycle, so that each member and the merged answer go
    # when their calls return, not at the collector's next full pass.
    work.members, work.absorbed = [], []


async def _send(
    transport: HttpTransport,
    members: list[Member],
    envelope: Envelope[None],
    throttle: Throttle | None,
) -> None:
    """Answer every member: with its slice, or with the error that concerns it."""
    work: BatchWork = envelope.work
    method, path, rest = work.key
    field, entries = work.batchable.field, [e for m in members for e in m.entries]
    body = {field: entries, **(loads_json(rest) if rest else {})}
    try:
        answer = await transport.send(
            RestCall(method, path, body=body),
            deadline=work.deadline,
            request_id=envelope.request_id,
            throttle=throttle,
            tokens=sum(m.tokens for m in members),
        )
        _check_results(answer, work.batchable, len(entries))
    except InvalidArgumentError as error:
        if len(members) == 1:
            members[0].fail(error)
            return
        half = len(members) // 2
        async with anyio.create_task_group() as halves:
            for part in (members[:half], members[half:]):
                halves.start_soon(_send, transport, part, envelope, throttle)
        return
    except GenaioError as error:
        for member in members:
            member.fail(error)
        return
    start = 0
    for member in members:
        member.start, start = start, start + len(member.entries)
        member.send(answer)


def _check_results(answer: JsonAnswer, batchable: Batchable, expected: int) -> None:
    results = answer.data.get(batchable.answer_field) if isinstance(answer.data, dict) else None
    if not isinstance(results, list) or len(results) != expected:
        got = len(results) if isinstance(results, list) else "no"
        raise UnknownApiResponseError(f"a merged request of {expected} entries got {got} results")
