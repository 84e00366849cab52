"""A hostile HTTP/1.1 server on loopback and the answers it plays, as hypothesis generates them.

Each call of a fuzzer example carries a tag (its prompt); the server reads the tag from the
request and plays that call's `Plan`: a generated answer (broken, truncated, oversized, slow,
interleaved) for a hostile call, a proper one for a healthy call. Every proper answer echoes its
tag, so a call that receives another call's answer is seen at once.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
import anyio.abc
import attrs
import trio
from hypothesis import strategies as st

from tests.engine.test_pool import read_request

#: How the fuzzer's calls ended, by what they had to end in (printed at the end of the session).
TALLY: Counter[str] = Counter()

#: A whole second answer the server was not asked for: its text belongs to no call.
INTRUDER = "INTRUDER"


def answer_json(text: str) -> bytes:
    content = {"parts": [{"text": text}], "role": "model"}
    return json.dumps({"candidates": [{"content": content, "index": 0}]}).encode()


def sse(pieces: list[str]) -> bytes:
    return b"".join(b"data: " + answer_json(piece) + b"\r\n\r\n" for piece in pieces)


def head(status: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join([status, b"\r\n", *(b"%s: %s\r\n" % h for h in headers), b"\r\n"])


def whole(body: bytes, *, stream: bool = False) -> bytes:
    kind = b"text/event-stream" if stream else b"application/json"
    return (
        head(b"HTTP/1.1 200 OK", [(b"Content-Type", kind), (b"Content-Length", b"%d" % len(body))])
        + body
    )


@attrs.frozen
class Plan:
    """What the server sends for one call, and what the call may end in.

    `steps`: bytes to send, floats to sleep, `CLOSE` or `SILENCE`. `expected`: the text of a
    complete answer. `must`: "succeed", "fail" or "either" (a success must then be a prefix of
    `expected`: a stream the server ended properly after fewer events).
    """

    steps: tuple[bytes | float | str, ...]
    stream: bool
    expected: str
    must: str
    label: str

    def __repr__(self) -> str:  # hypothesis prints it for a failing example
        return f"Plan({self.label}, must={self.must}, stream={self.stream})"


CLOSE, SILENCE = "close", "silence"


def healthy(tag: str, *, stream: bool) -> Plan:
    if stream:
        pieces = [f"echo {tag}", " and", " more"]
        return Plan((whole(sse(pieces), stream=True),), True, "".join(pieces), "succeed", "healthy")
    return Plan((whole(answer_json(f"echo {tag}")),), False, f"echo {tag}", "succeed", "healthy")


_STATUS = ["ok"] * 5 + ["http10", "error", "bad-line"]
_HEADERS = ["plain"] * 4 + [
    "junk",
    "duplicated",
    "retry-after",
    "close",
    "many",
    "huge",
    "encoding",
]
_FRAMING = (
    ["length"] * 3
    + ["chunked"] * 3
    + ["until-close", "short", "long", "bad-chunk", "no-last-chunk"]
)
_DELIVERY = ["whole"] * 8 + ["split"] * 8 + ["cut"] * 4 + ["silence"]  # silence costs 2 s
_BODY_UNARY = ["valid"] * 5 + ["garbage", "truncated", "deep"]
_BODY_STREAM = ["valid"] * 5 + ["cut-event", "garbage-event", "error-event"]
_ERROR_EVENTS = [
    b'{"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}',
    b'{"error": {"code": "x", "message": [], "status": {}}}',
    b'{"error": {"code": 99999999999999999999999, "details": "no"}}',
    b'{"error": {"code": true, "details": [{"@type": "t.RetryInfo", "retryDelay": "1e999s"}]}}',
    b'{"error": {"details": [{"@type": "t.RetryInfo", "retryDelay": {"seconds": "x"}}]}}',
]
_EXTRA = ["none"] * 4 + ["second-answer", "garbage"]
_BAD_LINES = [
    b"HTTP/1.1 2x0 OK",
    b"HTTP/9.9 200 OK",
    b"HTP/1.1 200 OK",
    b"HTTP/1.1 200 " + b"O" * 20_000,
    b"\x00\xff garbage",
    b"HTTP/1.1 999",
]
_ERROR_BODIES = [
    b'{"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}',
    b'{"error": {"code": "x", "details": [{"@type": "t.RetryInfo", "retryDelay": "nans"}]}}',
    b'{"error": {"details": [{"@type": "t.RetryInfo", "retryDelay": {"seconds": [1]}}]}}',
    b'{"error": {"details": [{"@type": "t.RetryInfo", "retryDelay": "1e400s"}]}}',
    b'{"error": [1, 2, {"a": null}]}',
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    b"<html>not json</html>",
    b"",
]
_RETRY_AFTER = [
    b"soon",
    b"-5",
    b"1e999",
    b"nan",
    b"Fri, 31 Dec 9999 23:59:59 GMT",
    b"\xff\xfe",
    b"0",
]


@st.composite
def hostile(draw: Callable, tag: str, stream: bool) -> Plan:
    """A generated answer for the call tagged `tag`."""
    status_kind = draw(st.sampled_from(_STATUS))
    header_kind = draw(st.sampled_from(_HEADERS))
    framing = draw(st.sampled_from(_FRAMING))
    delivery = draw(st.sampled_from(_DELIVERY))
    body_kind = draw(st.sampled_from(_BODY_STREAM if stream else _BODY_UNARY))
    extra_kind = draw(st.sampled_from(_EXTRA))
    fail: list[str] = []  # why the call must fail
    either: list[str] = []  # why it may also succeed with a part of the answer

    # The body.
    if stream:
        pieces = [
            f"echo {tag}",
            *draw(st.lists(st.sampled_from([" a", " bc", " d e"]), max_size=4)),
        ]
        expected = "".join(pieces)
        body = sse(pieces)
        if body_kind == "cut-event":  # an event cut inside its JSON, then a proper end
            body += b"data: " + answer_json("lost")[:10] + b"\r\n\r\n"
            fail.append("a malformed event")
        elif body_kind == "garbage-event":
            body += b"data: \xff\xfe not json\r\n\r\n"
            fail.append("a malformed event")
        elif body_kind == "error-event":
            body += b"data: " + draw(st.sampled_from(_ERROR_EVENTS)) + b"\r\n\r\n"
            fail.append("an error event")
    else:
        expected = f"echo {tag}"
        body = answer_json(expected)
        if body_kind == "garbage":
            body = draw(st.binary(min_size=1, max_size=200)).replace(b"{", b"<")
            fail.append("a body that is not JSON")
        elif body_kind == "truncated":
            body = body[: draw(st.integers(1, len(body) - 1))]  # (an empty body is `{}`)
            fail.append("a truncated body")
        elif body_kind == "deep":
            body = b"[" * 100_000
            fail.append("a body that is not JSON")

    # The status line.
    status = b"HTTP/1.1 200 OK"
    if status_kind == "http10":
        status = b"HTTP/1.0 200 OK"
        if framing in ("chunked", "bad-chunk", "no-last-chunk"):
            either.append("chunked in HTTP/1.0")
    elif status_kind == "error":
        code = draw(st.sampled_from([400, 404, 429, 500, 503, 599, 302, 304, 418]))
        status = b"HTTP/1.1 %d Whatever" % code
        body = draw(st.sampled_from(_ERROR_BODIES))
        fail.append("an error status")
    elif status_kind == "bad-line":
        status = draw(st.sampled_from(_BAD_LINES))
        fail.append("a bad status line")

    # The headers.
    headers = [(b"Content-Type", b"text/event-stream" if stream else b"application/json")]
    if header_kind == "junk":
        headers += [(b"X-Junk-%d" % i, b"v\x80\xff;=,") for i in range(draw(st.integers(1, 20)))]
    elif header_kind == "duplicated":
        headers += [(b"Set-Cookie", b"a=b")] * draw(st.integers(2, 100))
    elif header_kind == "retry-after":
        headers.append((b"Retry-After", draw(st.sampled_from(_RETRY_AFTER))))
    elif header_kind == "close":
        headers.append((b"Connection", b"close"))
    elif header_kind == "many":
        headers += [(b"X-Many", b"v")] * draw(st.integers(200, 2000))
        fail.append("too many headers")
    elif header_kind == "huge":
        headers.append((b"X-Huge", b"h" * draw(st.integers(17_000, 200_000))))
        fail.append("a header too long")
    elif header_kind == "encoding":
        headers.append((b"Content-Encoding", draw(st.sampled_from([b"gzip", b"br", b"x, y"]))))
        fail.append("a content-encoding the body does not have")
    elif draw(st.booleans()):  # plain, but gzip-encoded properly
        headers.append((b"Content-Encoding", b"gzip"))
        body = gzip.compress(body)

    # The framing.
    ends_by_close = False
    if framing == "length":
        message = head(status, [*headers, (b"Content-Length", b"%d" % len(body))]) + body
    elif framing == "chunked":
        message = head(status, [*headers, (b"Transfer-Encoding", b"chunked")]) + _chunked(
            body, draw(st.integers(1, 64))
        )
    elif framing == "until-close":
        message = head(status, headers) + body
        ends_by_close = True
    elif framing == "short":  # a length shorter than the body: the rest is "extra"
        cut = draw(st.integers(0 if stream else 1, max(1, len(body) - 1)))
        message = head(status, [*headers, (b"Content-Length", b"%d" % cut)]) + body
        if stream:
            _ended_early(fail, either, "a length shorter than the body")
        else:
            fail.append("a length shorter than the body")
    elif framing == "long":
        longer = len(body) + draw(st.integers(1, 1000))
        message = head(status, [*headers, (b"Content-Length", b"%d" % longer)]) + body
        fail.append("a length longer than the body")
    elif framing == "bad-chunk":
        message = head(status, [*headers, (b"Transfer-Encoding", b"chunked")])
        message += b"zz\r\n" + body + b"\r\n0\r\n\r\n"
        fail.append("a chunk size that is not hex")
    else:  # no-last-chunk: a chunked body cut before its terminating chunk
        message = head(status, [*headers, (b"Transfer-Encoding", b"chunked")])
        message += _chunked(body, 50)[: -len(b"0\r\n\r\n")]
        fail.append("a chunked body without its last chunk")

    if ends_by_close and extra_kind != "none":
        extra_kind = "none"  # the body runs to the close: extra bytes would be its own
    extra = b""
    if extra_kind == "second-answer":
        extra = whole(answer_json(INTRUDER))
    elif extra_kind == "garbage":
        extra = draw(st.binary(min_size=1, max_size=64))

    # The delivery.
    steps: list[bytes | float | str] = []
    if delivery == "whole":
        steps.append(message + extra)
    elif delivery == "split":
        cuts = sorted(draw(st.lists(st.integers(1, max(1, len(message) - 1)), max_size=6)))
        pieces = [message[a:b] for a, b in zip([0, *cuts], [*cuts, len(message)], strict=True)]
        pieces[-1] += extra  # unasked bytes come with the answer (see docs/reliability.md)
        for piece in pieces:
            steps += [piece, draw(st.sampled_from([0.0, 0.0, 0.001]))]
    else:  # cut or silence after part of the message
        at = draw(st.integers(0, len(message) - 1))
        steps.append(message[:at])
        if delivery == "silence":
            steps.append(SILENCE)
            fail.append("the server fell silent")
        else:
            steps.append(CLOSE)
            if ends_by_close and stream and at > len(message) - len(body):
                _ended_early(fail, either, "a stream ended by a close")
            else:
                fail.append("the connection closed before the end")
    if ends_by_close or header_kind == "close" or status_kind == "http10":
        steps.append(CLOSE)

    must = "fail" if fail else "either" if either else "succeed"
    label = "/".join([status_kind, header_kind, framing, body_kind, extra_kind, delivery])
    return Plan(tuple(steps), stream, expected, must, label)


def _ended_early(fail: list[str], either: list[str], why: str) -> None:
    """A stream the server's own framing ended early: an event it leaves out is not an answer,
    so the call may end well with the events before it."""
    either.append(why)
    for reason in ("a malformed event", "an error event"):
        if reason in fail:
            fail.remove(reason)


def _chunked(body: bytes, size: int) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [*chunks, b""])


class HostileServer:
    """Plays each request's plan, by the tag in its prompt; counts connections still open."""

    def __init__(self, plans: dict[str, Plan]) -> None:
        self.plans = plans
        self.open = 0
        self.port = 0
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        self.open += 1
        try:
            async with stream:
                leftover = b""
                while True:
                    request, leftover = await read_request(stream, leftover)
                    if request is None:
                        return
                    self.requests += 1
                    body = json.loads(request[3])
                    tag = body["contents"][0]["parts"][0]["text"]
                    if not await self._play(stream, self.plans[tag]):
                        return
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream):
            pass
        finally:
            self.open -= 1

    async def _play(self, stream: anyio.abc.SocketStream, plan: Plan) -> bool:
        for step in plan.steps:
            if isinstance(step, bytes):
                if step:
                    await stream.send(step)
            elif isinstance(step, float):
                await anyio.sleep(step)
            elif step == CLOSE:
                return False
            else:  # silence: until the client gives up and closes
                try:
                    while await stream.receive():
                        pass
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    pass
                return False
        return True


@contextmanager
def hostile_server(plans: dict[str, Plan]) -> Iterator[HostileServer]:
    """The server, on a trio loop in a thread of its own: its tasks are not the client's (the
    leak checks count the client's), and a client stuck in a loop cannot stall it."""
    server = HostileServer(plans)
    ready = threading.Event()
    stop: list[Callable[[], None]] = []

    async def main() -> None:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
            async with anyio.create_task_group() as tg:
                token = trio.lowlevel.current_trio_token()
                stop.append(lambda: token.run_sync_soon(tg.cancel_scope.cancel))
                tg.start_soon(listener.serve, server.handle)
                ready.set()

    thread = threading.Thread(target=anyio.run, args=(main,), kwargs={"backend": "trio"})
    thread.start()
    ready.wait()
    try:
        yield server
    finally:
        stop[0]()
        thread.join()
