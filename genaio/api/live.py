"""`client.aio.live`: the Live API, one long-lived websocket session per `connect`.

```
async with client.aio.live.connect(model="gemini-2.0-flash", config={...}) as session:
    await session.send_client_content(turns={"role": "user", "parts": [{"text": "Hi"}]})
    async for message in session.receive():
        print(message.text)
```

The session is an actor (`genaio.actors.live`) running in the `async with`: it keeps the
session alive across the server's goAway by resuming it on a new connection, and closing the
client closes it. The URL follows the base URL's scheme (`https` gives `wss`, `http` gives
`ws`), and `wss` verifies the server's certificate unless `async_client_args` hands over another
`ssl.SSLContext` (as `ssl` or `verify`).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from genaio._log import get_logger
from genaio.actors import single_error
from genaio.actors.live import (
    LiveSessionActor,
    LiveStatistics,
    open_live_session_actor,
    parse_message,
)
from genaio.api._live_stream import stream_session
from genaio.api._normalize import coerce_config, t_contents, t_model, t_system_instruction, t_tools
from genaio.api._options import call_options
from genaio.api.auth_tokens import _live_setup
from genaio.engine._auth import call_headers
from genaio.engine._urls import live_url, resource_name
from genaio.engine._websocket import WebSocket, connect_websocket, live_limits, ssl_context_from
from genaio.errors import ClientClosedError, DeadlineExceededError
from genaio.types import (
    Blob,
    FunctionResponse,
    LiveClientContent,
    LiveClientRealtimeInput,
    LiveClientToolResponse,
    LiveConnectConfig,
    LiveServerMessage,
)

if TYPE_CHECKING:
    from genaio.api._resource import Backend

__all__ = ["AsyncLive", "AsyncSession"]

log = get_logger("genaio.live")

#: The close code for a setup that failed on our side (no reply in time, a reply not JSON).
_SETUP_FAILED = 1002


class AsyncSession:
    """An open Live session: send turns and input, receive the model's messages."""

    def __init__(self, actor: LiveSessionActor, *, vertex: bool = False) -> None:
        self._actor = actor
        self._vertex = vertex
        setup = actor.setup_complete.setup_complete
        self.session_id: str | None = setup.session_id if setup is not None else None

    async def send_client_content(self, *, turns: Any = None, turn_complete: bool = True) -> None:
        """Append `turns` (contents) to the conversation; `turn_complete` asks for an answer.

        Cancellation: a frame already queued is still sent, whole.
        """
        content: dict[str, Any] = {"turnComplete": turn_complete}
        if turns is not None:
            content["turns"] = [c.to_wire() for c in t_contents(turns)]
        await self._send({"client_content": content})

    async def send_realtime_input(
        self,
        *,
        media: Blob | Mapping[str, Any] | None = None,
        audio: Blob | Mapping[str, Any] | None = None,
        audio_stream_end: bool | None = None,
        video: Blob | Mapping[str, Any] | None = None,
        text: str | None = None,
        activity_start: Any = None,
        activity_end: Any = None,
    ) -> None:
        """Stream one piece of realtime input: exactly one of the arguments.

        Cancellation: a frame already queued is still sent, whole.
        """
        given = {
            "audio": audio,
            "audio_stream_end": audio_stream_end,
            "video": video,
            "text": text,
            "activity_start": activity_start,
            "activity_end": activity_end,
        }
        given = {k: v for k, v in given.items() if v is not None}
        if (media is not None) + len(given) != 1:
            raise ValueError("send_realtime_input takes exactly one argument")
        if media is not None:
            given["media_chunks"] = [media]
        wire = LiveClientRealtimeInput.model_validate(given).to_wire()
        await self._send({"realtime_input": wire})

    async def send_tool_response(self, *, function_responses: Any) -> None:
        """Answer the model's tool call: one `FunctionResponse` (or dict) or a list of them.

        Raises:
            ValueError: a response has no `id` (the Gemini API matches responses by id).

        Cancellation: a frame already queued is still sent, whole.
        """
        if not isinstance(function_responses, list | tuple):
            function_responses = [function_responses]
        responses = [
            r if isinstance(r, FunctionResponse) else FunctionResponse.model_validate(r)
            for r in function_responses
        ]
        if any(r.id is None for r in responses):
            raise ValueError("each FunctionResponse needs the `id` of the call it answers")
        await self._send({"tool_response": {"functionResponses": [r.to_wire() for r in responses]}})

    async def send_context_update(
        self, *, system_instruction: Any = None, tools: list[Any] | None = None
    ) -> None:
        """Change the session's system instruction or tools (`[]` clears them) for what
        follows; updates keep their order with the other input.

        Cancellation: a frame already queued is still sent, whole.
        """
        if system_instruction is None and tools is None:
            raise ValueError("send_context_update needs system_instruction, tools, or both")
        update: dict[str, Any] = {}
        if system_instruction is not None:
            update["systemInstruction"] = t_system_instruction(system_instruction).to_wire()
        if tools is not None:
            update["tools"] = {"tools": [tool.to_wire() for tool in t_tools(tools)]}
        await self._send({"contextUpdate": update})

    async def send(self, *, input: Any = None, end_of_turn: bool | None = False) -> None:
        """Deprecated in the official SDK for `send_client_content`, `send_realtime_input`
        and `send_tool_response`, which it picks from `input` (warns `DeprecationWarning`):
        nothing ends the turn; text, parts and contents are a turn; blobs are realtime
        media; function responses (each with its `id` on the Gemini API) answer a tool call.

        Cancellation: a frame already queued is still sent, whole.
        """
        warnings.warn(
            "session.send is deprecated: use send_client_content, send_realtime_input or "
            "send_tool_response",
            DeprecationWarning,
            stacklevel=2,
        )
        await self._send(_legacy_frame(input, bool(end_of_turn), self._vertex))

    def start_stream(
        self, *, stream: AsyncIterator[bytes], mime_type: str
    ) -> AsyncIterator[LiveServerMessage]:
        """Deprecated in the official SDK (warns `DeprecationWarning`): send each piece of
        `stream` as realtime media while yielding the server's messages, until `stream` is
        exhausted. The sender runs in the session's task group, not in the caller's.

        Raises:
            whatever `stream` raised, or what `receive` raises.

        Cancellation: closing or cancelling the iteration cancels the sender; a frame already
        queued is still sent, whole.
        """
        warnings.warn(
            "session.start_stream is deprecated: use send_realtime_input and receive",
            DeprecationWarning,
            stacklevel=2,
        )
        return stream_session(self._actor, self._send, stream, mime_type)

    async def receive(self) -> AsyncIterator[LiveServerMessage]:
        """The server's messages up to the end of the current turn (`turnComplete`, or
        `interactionStatus` IDLE); call again for the next turn. Tool calls, goAway and
        resumption updates are yielded too and do not end it.

        Raises:
            APIError: the server closed the session (`code` is the close code), or sent an
                error frame.
            UnknownApiResponseError: the server sent a message that is not one (not JSON, not
                of a message's shape) or one past the size limit; the session is closed.
            ClientClosedError: the client was closed.

        Cancellation: safe at any point; messages not yet yielded wait for the next call.
        """
        while (message := await self._actor.receive()) is not None:
            yield message
            if message.ends_turn:
                return

    async def close(self) -> None:
        """Close the session (no reconnection follows). Idempotent.

        Cancellation: shielded and bounded.
        """
        await self._actor.aclose()

    def statistics(self) -> LiveStatistics:
        """Messages in and out, queues, frames kept for resending, reconnections."""
        return self._actor.statistics()

    async def _send(self, frame: dict[str, Any]) -> None:
        try:
            await self._actor.send(frame)
        except anyio.ClosedResourceError:
            raise ClientClosedError("this Live session is closed") from None

    def __repr__(self) -> str:
        return f"<genaio.AsyncSession {self._actor!r}>"


class AsyncLive:
    """`client.aio.live`: Live API sessions."""

    def __init__(self, backend: Backend) -> None:
        from genaio.api.live_music import AsyncLiveMusic  # it builds on this module

        self._backend = backend
        self.music = AsyncLiveMusic(backend)

    def __repr__(self) -> str:
        return f"<genaio.AsyncLive {self._backend.config.base_url}>"

    def connect(
        self, *, model: str, config: LiveConnectConfig | Mapping[str, Any] | None = None
    ) -> AbstractAsyncContextManager[AsyncSession]:
        """Open a session: `async with client.aio.live.connect(model=..., config=...) as s:`.

        The block owns the session's tasks; leaving it closes the session.

        Raises:
            APIError: the server refused the setup (bad key: 1007, unknown model: 1008, ...).
            NetworkError: the connection or its TLS handshake failed.
            DeadlineExceededError: the setup took longer than its timeout (30 s by default;
                `http_options.async_client_args["open_timeout"]`).
            UnknownApiResponseError: the server's reply to the setup is not a message.
            ClientClosedError: the client is closed.
            ValueError: a bad `max_size` or `open_timeout` in `async_client_args`.

        Cancellation: cancelling the block closes the session (bounded).
        """
        return self._connect(model, coerce_config(LiveConnectConfig, config))

    @asynccontextmanager
    async def _connect(self, model: str, config: LiveConnectConfig) -> AsyncIterator[AsyncSession]:
        opener = _Opener(self._backend, model, config)
        connection = await self._backend.runtime.tree()
        try:
            async with open_live_session_actor(opener) as actor:
                # Registered so that closing the client closes the session (ActorTree.aclose).
                connection.live_sessions.add(actor)
                try:
                    yield AsyncSession(actor, vertex=self._backend.config.vertex)
                finally:
                    connection.live_sessions.discard(actor)
        except BaseExceptionGroup as group:
            error = single_error(group)
            if isinstance(error, Exception):
                raise error from None  # groups never leave the facade
            raise


class _Opener:
    """Opens one connection of a session and completes its setup (with a handle, if any).

    Its URL, headers and Vertex AI model name are the REST calls' (`engine._urls`,
    `engine._auth`), so that both paths name and authenticate a resource alike.
    """

    def __init__(self, backend: Backend, model: str, config: LiveConnectConfig) -> None:
        engine = backend.config
        if config.http_options is not None:
            extra = config.http_options.model_fields_set - {"base_url", "api_version", "headers"}
            if extra:
                raise ValueError(
                    f"live.connect http_options takes only base_url, api_version "
                    f"and headers, not {sorted(extra)}"
                )
        self.engine, self.auth = engine, backend.auth
        self.options = call_options(config.http_options)
        url = live_url(engine, self.options, constrained=False)
        self.ssl_context = ssl_context_from(engine.client_args) if url.startswith("wss") else None
        self.max_size, self.timeout = live_limits(engine.client_args)
        self.setup = self._setup(model, config)

    def _setup(self, model: str, config: LiveConnectConfig) -> dict[str, Any]:
        setup = _live_setup(model, config)
        if self.engine.vertex:
            setup["model"] = resource_name(self.engine, t_model(model, vertex=True))
            generation = setup.setdefault("generationConfig", {})
            generation.setdefault("responseModalities", ["AUDIO"])
            if config.explicit_vad_signal is not None:
                setup["explicitVadSignal"] = config.explicit_vad_signal
        # genaio always asks for resumption handles: they are what a goAway is survived with.
        setup.setdefault("sessionResumption", {})
        return setup

    async def _url_and_headers(self) -> tuple[str, dict[str, str]]:
        engine, options = self.engine, self.options
        own = options.headers if options is not None else None
        headers = {**engine.headers, **await call_headers(self.auth, own)}
        key = headers.get("x-goog-api-key", "")
        constrained = not engine.vertex and key.startswith("auth_tokens/")
        if constrained:  # an ephemeral token (wire spec §11)
            headers["authorization"] = f"Token {key}"
            version = (options and options.api_version) or engine.api_version
            if version != "v1alpha":
                log.warning("ephemeral tokens are served under v1alpha", api_version=version)
        return live_url(engine, options, constrained=constrained), headers

    async def __call__(self, handle: str | None) -> tuple[WebSocket, LiveServerMessage]:
        """Connect and complete the setup, all within the setup timeout.

        Cancellation: safe; a half-open socket is closed.
        """
        setup = dict(self.setup)
        if handle is not None:
            setup["sessionResumption"] = {**setup["sessionResumption"], "handle": handle}
        with anyio.move_on_after(math.inf if self.timeout is None else self.timeout) as scope:
            url, headers = await self._url_and_headers()
            ws = await connect_websocket(
                url, headers, ssl_context=self.ssl_context, max_size=self.max_size
            )
            try:
                await ws.send_text(json.dumps({"setup": setup}))
                first = parse_message(await ws.receive())
            except BaseException:
                await ws.aclose(_SETUP_FAILED)  # not waiting for a server that failed the setup
                raise
            return ws, first
        assert scope.cancelled_caught
        raise DeadlineExceededError(self.timeout or 0.0)


def _legacy_frame(input: Any, end_of_turn: bool, vertex: bool) -> dict[str, Any]:
    """The one client message `session.send(input=...)` stands for (see `AsyncSession.send`)."""
    if not input:
        return {"client_content": {"turnComplete": True}}
    if isinstance(input, LiveClientContent | LiveClientRealtimeInput | LiveClientToolResponse):
        key = {
            LiveClientContent: "client_content",
            LiveClientRealtimeInput: "realtime_input",
            LiveClientToolResponse: "tool_response",
        }[type(input)]
        return {key: input.to_wire()}
    items = list(input) if isinstance(input, list | tuple) else [input]
    if all(_is_function_response(i) for i in items):
        responses = [FunctionResponse.model_validate(i) for i in items]
        if not vertex and any(r.id is None for r in responses):
            raise ValueError("each FunctionResponse needs the `id` of the call it answers")
        return {"tool_response": {"functionResponses": [r.to_wire() for r in responses]}}
    if all(_is_blob(i) for i in items):
        chunks = [Blob.model_validate(i).to_wire() for i in items]
        return {"realtime_input": {"mediaChunks": chunks}}
    if isinstance(input, Mapping):
        if "turns" in input or "content" in input:
            turns = input.get("turns", input.get("content"))
            content = {"turns": [c.to_wire() for c in t_contents(turns)]}
            if input.get("turn_complete") is not None:
                content["turnComplete"] = input["turn_complete"]
            return {"client_content": content}
        for key, model in (
            ("media_chunks", LiveClientRealtimeInput),
            ("function_responses", LiveClientToolResponse),
        ):
            if key in input:
                return _legacy_frame(model.model_validate(input), end_of_turn, vertex)
    turns = [c.to_wire() for c in t_contents(input)]
    return {"client_content": {"turns": turns, "turnComplete": end_of_turn}}


def _is_function_response(value: Any) -> bool:
    return isinstance(value, FunctionResponse) or (
        isinstance(value, Mapping) and "name" in value and "response" in value
    )


def _is_blob(value: Any) -> bool:
    return isinstance(value, Blob) or (isinstance(value, Mapping) and "data" in value)
