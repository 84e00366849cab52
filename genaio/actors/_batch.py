"""A merged request and its members: what coalescing sends, and how each caller gets its share.

A call waits as a `Member`: its entries already written as JSON, and nothing else of its body
or its `RestCall` kept (ten thousand calls waiting at once are ten thousand members, and every
object each one keeps is one more for the garbage collector to walk, again and again). Its
reply is the merged answer, of which it cuts its own slice in its own task.

A merged request refused for one entry's sake (400 INVALID_ARGUMENT) is split in halves and sent
again, down to single calls, so that only the offending caller gets the error. Any other failure
is shared by every caller in the batch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import anyio
import attrs

from genaio.actors._reply import Cancellable, Reply
from genaio.engine import JsonAnswer, JsonFragment, RestCall, dumps_json, loads_json
from genaio.errors import GenaioError, InvalidArgumentError, UnknownApiResponseError

if TYPE_CHECKING:
    from genaio._telemetry import CallTrace
    from genaio.actors._envelope import Envelope
    from genaio.actors._rest import Batchable, RestWork
    from genaio.engine import HttpTransport, Throttle

__all__ = ["BatchKey", "BatchReply", "BatchWork", "Member", "Rejoin", "perform_batch"]


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

    def bind(self, scope: Cancellable) -> None:
        super().bind(scope)
        self._present = len(self._batch.members)
        for member in self._batch.members:
            member.bind(self)  # a member leaving calls cancel()

    def cancel(self) -> None:
        """A member has gone; the last one to go cancels the request."""
        self._present -= 1
        if self._present <= 0:
            self.abandon()


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
