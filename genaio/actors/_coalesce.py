"""Coalescing: many small calls to a batch endpoint become few requests.

Single `embed_content` calls from any number of callers are gathered, per model and endpoint,
into one `batchEmbedContents` (or Vertex AI `:predict`) request of at most `max_items` entries
and `max_tokens` estimated tokens, sent once, and split back to each caller in order.

When to send is the one decision, made by a synchronous core (`Coalescer`): a batch goes when it
is full; when nothing else waits in the mailbox and no batch of its kind is in flight (so a lone
caller adds no latency at all); when nothing else waits and its `window` has passed since its
first entry (so a partial batch never waits long for company that is not coming); and, while
calls keep arriving (they will fill it), when `max_wait` has passed (so calls of other kinds
cannot starve it).

A merged request refused for one entry's sake (400 INVALID_ARGUMENT) is split in halves and sent
again, down to single calls, so that only the offending caller gets the error. Any other failure
is shared by every caller in the batch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from typing import Any

import anyio
import attrs

from genaio.actors._actor import Dispatch
from genaio.actors._envelope import Envelope
from genaio.actors._reply import Reply
from genaio.actors._rest import Batchable, RestWork
from genaio.engine import HttpTransport, JsonAnswer, Throttle
from genaio.errors import GenaioError, InvalidArgumentError, UnknownApiResponseError

__all__ = ["BatchPolicy", "BatchReply", "BatchWork", "Coalescer", "perform_batch"]


@attrs.frozen
class BatchPolicy:
    """How large a merged request may grow, and how long a partial one may wait (seconds)."""

    max_items: int = 100
    max_tokens: int = 250_000
    window: float = 0.005
    max_wait: float = 0.05


@attrs.frozen
class BatchWork:
    """The work of a merged envelope: its members, in order."""

    key: Hashable
    members: tuple[Envelope[Any], ...]
    batchable: Batchable


class BatchReply(Reply[None]):
    """The reply of a merged envelope. Nobody awaits it: it stands for its members.

    Failing it fails every member not yet answered (after a crash or a close); the merged
    request is cancelled only once every member has abandoned it.
    """

    __slots__ = ("_members", "_present")

    def __init__(self, members: tuple[Envelope[Any], ...]) -> None:
        super().__init__()
        self._members = members
        self._present = len(members)

    def fail(self, error: BaseException) -> None:
        for member in self._members:
            member.reply.fail(error)
        super().fail(error)

    def bind(self, scope: anyio.CancelScope) -> None:
        super().bind(scope)
        for member in self._members:
            member.reply.bind(self)  # type: ignore[arg-type]  # a member leaving calls cancel()

    def cancel(self) -> None:
        """A member has gone; the last one to go cancels the request."""
        self._present -= 1
        if self._present <= 0:
            self.abandon()


@attrs.define
class _Pending:
    opened: float
    members: list[Envelope[Any]] = attrs.field(factory=list)
    items: int = 0
    tokens: int = 0


class Coalescer:
    """The actor's intake for batchable calls: the synchronous core of coalescing."""

    def __init__(self, policy: BatchPolicy) -> None:
        self.policy = policy
        self._pending: dict[Hashable, _Pending] = {}
        self._in_flight: Counter[Hashable] = Counter()
        self.requests = 0  # merged requests sent (statistics)
        self.merged = 0  # calls that went out in them

    def accept(self, envelope: Envelope[Any], now: float, idle: bool) -> list[Dispatch]:
        work: RestWork = envelope.work
        if work.batchable is None:
            return [Dispatch(envelope)]
        key = _key(work)
        count = len(work.call.body[work.batchable.field])
        ready: list[Dispatch] = []
        pending = self._pending.get(key)
        if pending is not None and (
            pending.items + count > self.policy.max_items
            or pending.tokens + work.tokens > self.policy.max_tokens
        ):
            ready.append(self._take(key))
            pending = None
        if pending is None:
            pending = self._pending[key] = _Pending(opened=now)
        pending.members.append(envelope)
        pending.items += count
        pending.tokens += work.tokens
        if pending.items >= self.policy.max_items or (idle and not self._in_flight[key]):
            ready.append(self._take(key))
        return ready

    def due(self, now: float, idle: bool) -> list[Dispatch]:
        wait = self.policy.window if idle else self.policy.max_wait
        keys = [
            key
            for key, pending in self._pending.items()
            if now >= pending.opened + wait or (idle and not self._in_flight[key])
        ]
        return [self._take(key) for key in keys]

    def deadline(self) -> float:
        """When to look again: the oldest batch's window (`due` decides whether it goes)."""
        if not self._pending:
            return math.inf
        return min(p.opened for p in self._pending.values()) + self.policy.window

    def finished(self, key: Hashable) -> None:
        """A merged request of this kind has ended."""
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]

    def _take(self, key: Hashable) -> Dispatch:
        pending = self._pending.pop(key)
        members = tuple(m for m in pending.members if not m.reply.abandoned)
        first: RestWork = pending.members[0].work
        assert first.batchable is not None
        envelope: Envelope[None] = Envelope(
            BatchWork(key, members, first.batchable),
            reply=BatchReply(members),
            deadline=min((m.deadline for m in members), default=math.inf),
        )
        self._in_flight[key] += 1
        self.requests += 1
        self.merged += len(members)
        return Dispatch(envelope, absorbed=tuple(pending.members))


def _key(work: RestWork) -> Hashable:
    """Calls share a request only if everything but their entries is the same."""
    call, field = work.call, work.batchable.field  # type: ignore[union-attr]
    rest = {k: v for k, v in call.body.items() if k != field}
    return (call.method, call.path, repr(sorted(rest.items())) if rest else "")


async def perform_batch(
    transport: HttpTransport, envelope: Envelope[None], throttle: Throttle | None
) -> None:
    """Send a merged request and answer each member with its own slice.

    Cancellation: the request is cancelled only when every member has gone.
    """
    work: BatchWork = envelope.work
    live = tuple(m for m in work.members if not m.reply.abandoned)
    if live:
        await _send(transport, live, work.batchable, envelope, throttle)
    envelope.reply.send(None)


async def _send(
    transport: HttpTransport,
    members: tuple[Envelope[Any], ...],
    batchable: Batchable,
    envelope: Envelope[None],
    throttle: Throttle | None,
) -> None:
    """Answer every member: with its slice, or with the error that concerns it."""
    groups = [m.work.call.body[batchable.field] for m in members]
    body = {**members[0].work.call.body, batchable.field: [e for g in groups for e in g]}
    try:
        answer = await transport.send(
            attrs.evolve(members[0].work.call, body=body),
            deadline=envelope.deadline,
            request_id=envelope.request_id,
            throttle=throttle,
            tokens=sum(m.work.tokens for m in members),
        )
        results = _results(answer, batchable, len(body[batchable.field]))
    except InvalidArgumentError as error:
        if len(members) == 1:
            members[0].reply.fail(error)
            return
        half = len(members) // 2
        async with anyio.create_task_group() as halves:
            for part in (members[:half], members[half:]):
                halves.start_soon(_send, transport, part, batchable, envelope, throttle)
        return
    except GenaioError as error:
        for member in members:
            member.reply.fail(error)
        return
    start = 0
    for member, group in zip(members, groups, strict=True):
        own, start = results[start : start + len(group)], start + len(group)
        member.reply.send(JsonAnswer({**answer.data, batchable.answer_field: own}, answer.headers))


def _results(answer: JsonAnswer, batchable: Batchable, expected: int) -> list[Any]:
    results = answer.data.get(batchable.answer_field) if isinstance(answer.data, dict) else None
    if not isinstance(results, list) or len(results) != expected:
        got = len(results) if isinstance(results, list) else "no"
        raise UnknownApiResponseError(f"a merged request of {expected} entries got {got} results")
    return results
