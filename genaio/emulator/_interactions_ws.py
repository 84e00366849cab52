"""Live interactions (`/{version}/interactions/live` over a websocket): deterministic events.

The handshake carries the key (a bad one is refused before the upgrade: an HTTP 403). The
first frame, `{"event_type": "interaction.connect", "id": ...}`, names an interaction this
emulator created (else a close with 1008); the server answers `interaction.connected`. Each
`input` event is answered as a model turn: `step.start`, one `step.delta` per
`stream_chunk_words` words of the echo the models give, `step.stop`. `interaction.complete`
gets `interaction.completed`; `interaction.cancel` marks the interaction cancelled;
`interaction.disconnect` (a detach) leaves it as it was; after each of these the client closes
the connection (the server waits for that). Any other event is a close with 1007, as the Live
API does.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from ._auth import check_request
from ._call import Call
from ._clock import timestamp
from ._core import Emulator
from ._generate import reply_text
from ._http import ApiError, Request
from ._live import Refused, _next_frame

__all__ = ["INTERACTIONS_WS_PATH", "InteractionsSocketServer"]

INTERACTIONS_WS_PATH = re.compile(r"/(?P<version>v1|v1beta|v1alpha)/interactions/live")
_POLICY, _INVALID = 1008, 1007


class InteractionsSocketServer:
    """The emulator's live interactions endpoint; `counters` and `frames` for the tests."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.counters = dict.fromkeys(("connections", "refused", "detached", "open"), 0)
        #: The last client frames received, for wire tests.
        self.frames: deque[Any] = deque(maxlen=256)

    async def serve(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        """Serve one websocket connection until either side closes it."""
        if (await receive())["type"] != "websocket.connect":
            return
        route = INTERACTIONS_WS_PATH.fullmatch(scope["path"])
        assert route is not None  # the app routes only this path here
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request = Request("GET", scope["path"], b"", headers, b"", "")
        try:
            check_request("key", Call(self.emu, request, {}, route["version"], "gemini", ""))
        except ApiError:
            self.counters["refused"] += 1
            await send({"type": "websocket.close", "code": _POLICY})  # before accept: a 403
            return
        await send({"type": "websocket.accept"})

        async def emit(event: dict[str, Any]) -> None:
            await send({"type": "websocket.send", "text": json.dumps(event)})

        self.counters["connections"] += 1
        self.counters["open"] += 1
        try:
            code, reason = await self._converse(receive, emit)
        except Refused as refused:
            code, reason = refused.code, refused.reason
        finally:
            self.counters["open"] -= 1
        if code is not None:
            await send({"type": "websocket.close", "code": code, "reason": reason})

    async def _converse(self, receive: Any, emit: Any) -> tuple[int | None, str]:
        """The conversation; the close to send at its end (None: the client has gone)."""
        first = await _next_frame(receive)
        if first is None:
            return None, ""
        self.frames.append(first)
        if not isinstance(first, Mapping) or first.get("event_type") != "interaction.connect":
            raise Refused(_INVALID, "The first event must be interaction.connect.")
        record = self.emu.state.interactions.get(str(first.get("id")))
        if record is None:
            raise Refused(_POLICY, f"Interaction {first.get('id')} not found.")
        await emit({"event_type": "interaction.connected", "interaction_id": record["id"]})
        turns = 0
        while True:
            frame = await _next_frame(receive)
            if frame is None:
                return None, ""
            self.frames.append(frame)
            events = frame.get("events") if isinstance(frame, Mapping) else None
            for event in events if isinstance(events, list) else [frame]:
                kind = event.get("event_type") if isinstance(event, Mapping) else None
                if kind == "input":
                    for answer in self._answer(event, turns):
                        await emit(answer)
                    turns += 1
                elif kind == "interaction.complete":
                    done = {"id": record["id"], "status": record["status"]}
                    await emit({"event_type": "interaction.completed", "interaction": done})
                    return await _until_closed(receive)
                elif kind == "interaction.cancel":
                    record["status"] = "cancelled"
                    record["updated"] = timestamp(self.emu.clock.now())
                    return await _until_closed(receive)
                elif kind == "interaction.disconnect":
                    self.counters["detached"] += 1
                    return await _until_closed(receive)
                else:
                    raise Refused(_INVALID, f"Unknown client event: {kind!r}.")

    def _answer(self, event: Mapping[str, Any], index: int) -> list[dict[str, Any]]:
        content = event.get("content")
        items = content if isinstance(content, list) else []
        parts = [{"text": i["text"]} for i in items if isinstance(i, Mapping) and "text" in i]
        reply = reply_text([{"role": "user", "parts": parts}])
        words = re.findall(r"\S+\s*", reply)
        size = max(1, self.emu.config.stream_chunk_words)
        answer: list[dict[str, Any]] = [
            {"event_type": "step.start", "index": index, "step": {"type": "model_output"}}
        ]
        for start in range(0, len(words), size):
            delta = {"type": "text", "text": "".join(words[start : start + size])}
            answer.append({"event_type": "step.delta", "index": index, "delta": delta})
        answer.append({"event_type": "step.stop", "index": index})
        return answer


async def _until_closed(receive: Any) -> tuple[None, str]:
    """Wait for the client's close: a client ends the connection after these events, and a
    close of the server's own racing the answer to the client's would break hypercorn (two
    tasks writing one socket)."""
    while (await receive())["type"] != "websocket.disconnect":
        pass
    return None, ""
