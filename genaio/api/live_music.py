"""`client.aio.live.music`: Lyria RealTime, music generated live and steered while it plays.

```
async with client.aio.live.music.connect(model="models/lyria-realtime-exp") as session:
    await session.set_weighted_prompts([{"text": "minimal techno", "weight": 1.0}])
    await session.set_music_generation_config({"bpm": 90})
    await session.play()
    async for message in session.receive():
        play(message.server_content.audio_chunks[0].data)
```

The session is a Live session actor (`genaio.actors.live`) reading the music protocol's
messages (`BidiGenerateMusic`): the same socket, limits, setup timeout and errors as
`client.aio.live.connect`. The protocol has no resumption handles, so a lost connection ends
the session with its `APIError`. Gemini API only, as in the official SDK.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from genaio.actors import single_error
from genaio.actors.live import LiveSessionActor, LiveStatistics, open_session_actor, parse_as
from genaio.api._normalize import coerce_config, t_model
from genaio.api.live import _Opener
from genaio.engine._auth import call_headers
from genaio.engine._urls import live_url
from genaio.engine._websocket import live_limits, ssl_context_from
from genaio.errors import ClientClosedError, ExperimentalWarning
from genaio.types import (
    LiveMusicGenerationConfig,
    LiveMusicPlaybackControl,
    LiveMusicServerMessage,
    WeightedPrompt,
)

if TYPE_CHECKING:
    from genaio.api._resource import Backend

__all__ = ["AsyncLiveMusic", "AsyncMusicSession", "parse_music_message"]


class AsyncMusicSession:
    """An open music session: steer it with prompts, settings and playback controls, and
    receive its audio."""

    def __init__(self, actor: LiveSessionActor[LiveMusicServerMessage]) -> None:
        self._actor = actor

    async def set_weighted_prompts(
        self, prompts: Sequence[WeightedPrompt | Mapping[str, Any]]
    ) -> None:
        """Replace the prompts the music follows (each a text and its weight).

        Cancellation: a frame already queued is still sent, whole.
        """
        if isinstance(prompts, str | bytes | dict) or not isinstance(prompts, Sequence):
            raise TypeError("prompts is a list of WeightedPrompt (or dicts)")
        if any(p is None for p in prompts):
            raise TypeError("a prompt is None")
        wire = [coerce_config(WeightedPrompt, p).to_wire() for p in prompts]
        await self._send({"clientContent": {"weightedPrompts": wire}})

    async def set_music_generation_config(
        self, config: LiveMusicGenerationConfig | Mapping[str, Any]
    ) -> None:
        """Replace the music's settings (`bpm` and `scale` apply after `reset_context`).

        Cancellation: a frame already queued is still sent, whole.
        """
        if config is None:
            raise TypeError("config is a LiveMusicGenerationConfig (or a dict)")
        wire = coerce_config(LiveMusicGenerationConfig, config).to_wire()
        await self._send({"musicGenerationConfig": wire})

    async def play(self) -> None:
        """Start (or resume) the stream. Cancellation: as `set_weighted_prompts`."""
        await self._control(LiveMusicPlaybackControl.PLAY)

    async def pause(self) -> None:
        """Pause the stream. Cancellation: as `set_weighted_prompts`."""
        await self._control(LiveMusicPlaybackControl.PAUSE)

    async def stop(self) -> None:
        """Stop the stream and forget the music so far; prompts and settings stay.

        Cancellation: as `set_weighted_prompts`.
        """
        await self._control(LiveMusicPlaybackControl.STOP)

    async def reset_context(self) -> None:
        """Forget the music so far without stopping (new `bpm`/`scale` take effect).

        Cancellation: as `set_weighted_prompts`.
        """
        await self._control(LiveMusicPlaybackControl.RESET_CONTEXT)

    async def receive(self) -> AsyncIterator[LiveMusicServerMessage]:
        """The server's messages (audio chunks, filtered prompts) until the session is
        closed; the stream has no turns, so this is the whole session.

        Raises:
            APIError: the server closed the session (`code` is the close code), or sent an
                error frame.
            UnknownApiResponseError: a message that is not one, or past the size limit.
            ClientClosedError: the client was closed.

        Cancellation: safe at any point; messages not yet yielded wait for the next call.
        """
        while (message := await self._actor.receive()) is not None:
            yield message

    async def close(self) -> None:
        """Close the session. Idempotent.

        Cancellation: shielded and bounded.
        """
        await self._actor.aclose()

    def statistics(self) -> LiveStatistics:
        """Messages in and out, and the queues (a music session never reconnects)."""
        return self._actor.statistics()

    async def _control(self, control: LiveMusicPlaybackControl) -> None:
        await self._send({"playbackControl": control.value})

    async def _send(self, frame: dict[str, Any]) -> None:
        try:
            await self._actor.send(frame)
        except anyio.ClosedResourceError:
            raise ClientClosedError("this music session is closed") from None

    def __repr__(self) -> str:
        return f"<genaio.AsyncMusicSession {self._actor!r}>"


class AsyncLiveMusic:
    """`client.aio.live.music`: Lyria RealTime sessions (experimental in the API)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def __repr__(self) -> str:
        return f"<genaio.AsyncLiveMusic {self._backend.config.base_url}>"

    def connect(self, *, model: str) -> AbstractAsyncContextManager[AsyncMusicSession]:
        """Open a session: `async with client.aio.live.music.connect(model=...) as s:`.

        Warns `ExperimentalWarning`, as the official SDK does. The block owns the session's
        tasks; leaving it closes the session.

        Raises:
            NotImplementedError: on Vertex AI, which does not serve live music.
            APIError: the server refused the setup (bad key: 1007, unknown model: 1008, ...).
            NetworkError: the connection or its TLS handshake failed.
            DeadlineExceededError: the setup took longer than its timeout (30 s by default;
                `http_options.async_client_args["open_timeout"]`).
            ClientClosedError: the client is closed.

        Cancellation: cancelling the block closes the session (bounded).
        """
        if self._backend.config.vertex:
            raise NotImplementedError("Live music generation is not served by Vertex AI")
        warnings.warn(
            "live music (Lyria RealTime) is experimental in the API and may change",
            ExperimentalWarning,
            stacklevel=2,
        )
        return self._connect(_MusicOpener(self._backend, t_model(model, vertex=False)))

    @asynccontextmanager
    async def _connect(self, opener: _MusicOpener) -> AsyncIterator[AsyncMusicSession]:
        connection = await self._backend.runtime.tree()
        try:
            async with open_session_actor(opener, parse_music_message, resumes=False) as actor:
                # Registered so that closing the client closes the session (ActorTree.aclose).
                connection.live_sessions.add(actor)
                try:
                    yield AsyncMusicSession(actor)
                finally:
                    connection.live_sessions.discard(actor)
        except BaseExceptionGroup as group:
            error = single_error(group)
            if isinstance(error, Exception):
                raise error from None  # groups never leave the facade
            raise


class _MusicOpener(_Opener):
    """The Live opener's connect-and-setup (`_Opener.__call__`) on the music endpoint; the
    actor never asks it to resume (music messages carry no handles)."""

    def __init__(self, backend: Backend, model: str) -> None:
        # Not `_Opener.__init__` (the Live API's setup): what `__call__` reads.
        self.engine, self.auth = backend.config, backend.auth
        self.url = live_url(self.engine, None, music=True)
        self.ssl_context = (
            ssl_context_from(self.engine.client_args) if self.url.startswith("wss") else None
        )
        self.max_size, self.timeout = live_limits(self.engine.client_args)
        self.setup = {"model": model}

    async def _url_and_headers(self) -> tuple[str, dict[str, str]]:
        return self.url, {**self.engine.headers, **await call_headers(self.auth, None)}


#: One music server message, parsed totally (an error frame raises `APIError`).
parse_music_message = functools.partial(parse_as, LiveMusicServerMessage)
