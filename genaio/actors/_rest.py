"""The one way any family actor performs a REST call: a JSON answer, raw bytes, or a stream.

A stream is pumped by the worker into a small memory channel whose receiving end is the reply;
the connection stays in the actor's task group, and the caller's pace is the backpressure. The
caller closing its end (or going away) stops the pump and releases the connection.

The end of a stream is a fact, not an absence: the pump marks the stream ended only once the
server has ended it properly, and otherwise records the error that stopped it. A channel that
closes with neither (the pump cancelled: the client closed, the actor stopped) is an interrupted
stream, which the reader raises as an error.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from genaio.actors._errors import call_error
from genaio.errors import StreamInterruptedError

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectReceiveStream

    from genaio._telemetry import CallTrace
    from genaio.actors._envelope import Envelope
    from genaio.engine import HttpTransport, RestCall, Throttle

__all__ = ["Answer", "Batchable", "OpenStream", "RestWork", "perform"]

#: Events a stream may run ahead of its reader: enough to hide one network round trip.
STREAM_BUFFER = 8


class Answer(enum.Enum):
    JSON = "json"
    RAW = "raw"
    STREAM = "stream"


@attrs.frozen
class Batchable:
    """Marks a call that may share a request with others (see `_coalesce`): its body's list
    `field` holds its entries, and the answer's list `answer_field` one result per entry."""

    field: str
    answer_field: str


@attrs.frozen
class RestWork:
    """What a family actor is asked to do: a REST call and the kind of answer wanted.

    `rate_key` names the rate limiter the call is charged to (a model, for the models family),
    and `tokens` is its estimated cost in tokens.
    """

    call: RestCall
    answer: Answer = Answer.JSON
    rate_key: str | None = None
    tokens: int = 0
    batchable: Batchable | None = None
    #: The call's record for its log line and span (`genaio._telemetry`), when observed.
    trace: CallTrace | None = attrs.field(default=None, eq=False)


class OpenStream:
    """The caller's end of a stream: its events, the pump's cancel, and how the stream ended.

    Closing it stops the pump at once, even while the pump waits on the network. The pump
    settles the outcome before it closes its end of the channel, so a reader that finds the
    channel drained finds the outcome too.
    """

    __slots__ = ("_outcome", "cancel", "events")

    def __init__(self, events: MemoryObjectReceiveStream[Any], cancel: Callable[[], object]):
        self.events = events
        self.cancel = cancel
        self._outcome: BaseException | None = None

    def end(self) -> None:
        """The server ended the stream properly."""
        if self._outcome is None:
            self._outcome = StopAsyncIteration()

    def fail(self, error: BaseException) -> None:
        """`error` ended the stream (after the events already sent)."""
        if self._outcome is None:
            self._outcome = error

    def ending(self) -> BaseException:
        """What a reader raises once the events are drained: `StopAsyncIteration` only if the
        server ended the stream, else the error that ended it."""
        if self._outcome is not None:
            return self._outcome
        return StreamInterruptedError(
            "the stream ended before the server ended it (the client was closed, the stream "
            "was closed while being read, or the work pumping it was stopped); the answer is "
            "incomplete"
        )

    def close(self) -> None:
        self.events.close()
        self.cancel()


async def perform(
    transport: HttpTransport, envelope: Envelope[Any], throttle: Throttle | None = None
) -> None:
    """Run `envelope.work` (a `RestWork`) on `transport` and reply; each attempt of a JSON call
    or a stream is admitted by `throttle`."""
    work: RestWork = envelope.work
    deadline, request_id = envelope.deadline, envelope.request_id
    if work.answer is Answer.JSON:
        answer = await transport.send(
            work.call,
            deadline=deadline,
            request_id=request_id,
            throttle=throttle,
            tokens=work.tokens,
        )
        envelope.reply.send(answer)
    elif work.answer is Answer.RAW:
        response = await transport.send_raw(work.call, deadline=deadline, request_id=request_id)
        envelope.reply.send(response)
    else:
        await _pump(transport, envelope, throttle)


async def _pump(
    transport: HttpTransport, envelope: Envelope[Any], throttle: Throttle | None
) -> None:
    work: RestWork = envelope.work
    if work.trace is None:
        await _pump_events(transport, envelope, throttle, None)
        return
    # The call's trace ends with the stream (the facade ends it if the stream fails to open):
    # the last event carries the usage, the finish reason and the model's version.
    last: list[Any] = [None]
    try:
        stream = await _pump_events(transport, envelope, throttle, last)
    except BaseException as error:
        work.trace.finish(error)
        raise
    ending = stream.ending() if stream is not None else None
    failed = None if isinstance(ending, StopAsyncIteration | None) else ending
    work.trace.finish(failed, last[0])


async def _pump_events(
    transport: HttpTransport,
    envelope: Envelope[Any],
    throttle: Throttle | None,
    last: list[Any] | None,
) -> OpenStream | None:
    """Pump the stream's events to the reader; return its `OpenStream` (None: it never opened),
    keeping the latest event in `last` if given."""
    work: RestWork = envelope.work
    stream: OpenStream | None = None
    with anyio.CancelScope() as pump:
        async with transport.open_stream(
            work.call,
            deadline=envelope.deadline,
            request_id=envelope.request_id,
            throttle=throttle,
            tokens=work.tokens,
        ) as events:
            # Made once the stream is open: a stream that fails to open leaves no channel.
            send, receive = anyio.create_memory_object_stream[Any](STREAM_BUFFER)
            with send:
                stream = OpenStream(receive, pump.cancel)
                envelope.reply.send(stream, discard=stream.close)
                try:
                    async for event in events:
                        if last is not None:
                            last[0] = event
                        try:
                            await send.send(event)
                        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                            return stream  # the reader closed its end: stop, release the connection
                except Exception as exc:  # what ended it: the reader raises it after the events
                    stream.fail(call_error(exc, "reading a stream"))
                else:
                    stream.end()
    return stream
