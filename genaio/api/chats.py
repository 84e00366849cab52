"""`client.aio.chats`: multi-turn chats, with history kept on the client.

There is no chat endpoint: each message is a `generate_content` call whose contents are the
chat's curated history plus the new message, so a chat runs on the models actor and its rate
limits. One chat sends one message at a time: concurrent sends queue up in order, and each sees
the turns recorded before it. A turn is recorded only when it has completed, so a send that is
cancelled or fails (even half-way through a stream) leaves the history as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Mapping
from typing import Any

import anyio

from genaio.api import _function_calling
from genaio.api._function_calling import CallingStream
from genaio.api._normalize import t_content
from genaio.api._streams import ResponseStream
from genaio.api.models import AsyncModels
from genaio.types import Content, GenerateContentConfig, GenerateContentResponse

__all__ = ["AsyncChat", "AsyncChats", "ChatStream"]


def _is_valid(content: Content | None) -> bool:
    """A model turn worth sending back: it has parts and none of them is empty."""
    if content is None or not content.parts:
        return False
    return all(p.to_wire() for p in content.parts)


def _curated(history: list[Content]) -> list[Content]:
    """The turns worth sending: each user turn with its model turns, dropping (with the input
    that led to them) model turns of which any is invalid."""
    curated: list[Content] = []
    i = 0
    while i < len(history):
        role = history[i].role
        if role == "user":
            curated.append(history[i])
            i += 1
            continue
        if role != "model":
            raise ValueError(f"a chat turn's role must be user or model, not {role!r}")
        start = i
        while i < len(history) and history[i].role == "model":
            i += 1
        output = history[start:i]
        if all(_is_valid(c) for c in output):
            curated.extend(output)
        elif curated:
            curated.pop()
    return curated


def _user_turn(message: Any) -> Content:
    """The user's turn for a message: a part or a list of parts (not a `Content`)."""
    items = message if isinstance(message, list) else [message]
    for item in items:
        if isinstance(item, Content | list) or (
            isinstance(item, dict) and ("parts" in item or "role" in item)
        ):
            raise ValueError(
                f"a chat message is a part or a list of parts, got {type(item).__name__}"
            )
    return t_content(message)


class AsyncChat:
    """One conversation. `await chat.send_message(...)` or
    `async for chunk in await chat.send_message_stream(...)`; `get_history()` for the turns.

    Created by `client.aio.chats.create(...)`, which returns it at once; awaiting it (as some
    examples do) gives the same chat.
    """

    def __init__(
        self,
        models: AsyncModels,
        *,
        model: str,
        config: GenerateContentConfig | Mapping[str, Any] | None = None,
        history: list[Content | Mapping[str, Any]] | None = None,
    ) -> None:
        self._models = models
        self._model = model
        self._config = config
        self._history = [t_content(c) for c in history or ()]
        self._curated = _curated(self._history)
        # A one-permit semaphore rather than a lock: a stream's turn ends when the stream does,
        # possibly in another task, and a lock must be released by its owner.
        self._turn = anyio.Semaphore(1)

    def __await__(self) -> Generator[Any, None, AsyncChat]:
        return self._itself().__await__()

    async def _itself(self) -> AsyncChat:
        return self

    async def send_message(
        self, message: Any, config: GenerateContentConfig | Mapping[str, Any] | None = None
    ) -> GenerateContentResponse:
        """Send a message and record the turn; `config` replaces the chat's for this call.

        With Python functions in the config's `tools`, they are called for the model until it
        answers; each round (the model's call, the functions' results) is recorded as a turn.

        Cancellation: cancelling the caller (while queued behind another send, in flight, or
        while a function runs) cancels the request and records nothing.
        """
        user = _user_turn(message)
        config = config or self._config
        calling = _function_calling.plan(config, history=False, vertex=self._models._vertex)
        rounds: list[tuple[list[Content], Content]] = []
        async with self._turn:
            contents = [*self._curated, user]
            if calling.calls:
                response = await calling.generate(
                    contents,
                    functools.partial(self._models._generate, self._model),
                    on_round=lambda turns, answers: rounds.append((turns, answers)),
                )
            else:
                response = await self._models._generate(self._model, contents, config)
            for turns, answers in rounds:
                self.record_history(user, turns, is_valid=_is_valid(turns[0]))
                user = answers
            candidate = response.candidates[0] if response.candidates else None
            output = [candidate.content] if candidate and candidate.content else []
            self.record_history(user, output, is_valid=bool(output) and _is_valid(output[0]))
        return response

    async def send_message_stream(
        self, message: Any, config: GenerateContentConfig | Mapping[str, Any] | None = None
    ) -> ChatStream:
        """Send a message and stream the answer: `async for chunk in await ...`.

        The chat's next send waits until this stream ends or is closed; the turn (each chunk's
        content as a model turn) is recorded when the stream has been read to its end. With
        Python functions in `tools`, the chunks of every round come in this one stream.

        Cancellation: cancelling the caller, or closing the stream early, ends the request and
        records nothing.
        """
        user = _user_turn(message)
        config = config or self._config
        calling = _function_calling.plan(
            config, stream=True, history=False, vertex=self._models._vertex
        )
        contents = [*self._curated, user]
        open_stream = functools.partial(self._models._generate_stream, self._model)
        await self._turn.acquire()
        chat_stream = ChatStream(self, user)
        try:
            if calling.calls:
                stream: Any = await calling.stream(
                    contents, open_stream, on_round=chat_stream.next_round
                )
            else:
                stream = await open_stream(contents, config)
        except BaseException:
            chat_stream.close()
            raise
        chat_stream.attach(stream)
        return chat_stream

    def get_history(self, curated: bool = False) -> list[Content]:
        """Every turn (`curated=False`), or only those sent back to the model."""
        return list(self._curated if curated else self._history)

    def record_history(
        self, user_input: Content, model_output: list[Content], is_valid: bool
    ) -> None:
        """Record a turn: the input and the model's output (an empty model turn if none), in
        the curated history too if `is_valid`."""
        turn = [user_input, *(model_output or [Content(role="model", parts=[])])]
        self._history.extend(turn)
        if is_valid:
            self._curated.extend(turn)

    def __repr__(self) -> str:
        return f"<genaio.AsyncChat {self._model} turns={len(self._history)}>"


class ChatStream:
    """The chunks of one streamed chat turn; holds the chat's turn until it ends or closes."""

    def __init__(self, chat: AsyncChat, user: Content) -> None:
        self._chat = chat
        self._user = user
        self._stream: Any = None
        #: Rounds of automatic function calling that ended: (input, output, valid).
        self._rounds: list[tuple[Content, list[Content], bool]] = []
        self._output: list[Content] = []
        self._valid = True
        self._finished = False
        self._open = True

    def attach(self, stream: ResponseStream[Any] | CallingStream) -> None:
        self._stream = stream

    def next_round(self, turns: list[Content], answers: Content) -> None:
        """A round of function calling ended: its turns are kept, the next starts."""
        self._rounds.append((self._user, self._output, self._valid and self._finished))
        self._user, self._output = answers, []
        self._valid, self._finished = True, False

    def __aiter__(self) -> ChatStream:
        return self

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"<genaio.ChatStream {state} rounds={len(self._rounds) + 1}>"

    async def __anext__(self) -> GenerateContentResponse:
        """The next chunk.

        Cancellation: cancelling the wait closes the stream; the turn is not recorded.
        """
        try:
            chunk: GenerateContentResponse = await self._stream.__anext__()
        except StopAsyncIteration:
            if self._open:
                for user, output, round_valid in self._rounds:
                    self._chat.record_history(user, output, is_valid=round_valid)
                valid = self._valid and bool(self._output) and self._finished
                self._chat.record_history(self._user, self._output, is_valid=valid)
            self.close()
            raise
        except BaseException:
            self.close()
            raise
        candidate = chunk.candidates[0] if chunk.candidates else None
        if candidate is None or not _is_valid(candidate.content):
            self._valid = False
        if candidate is not None and candidate.content is not None:
            self._output.append(candidate.content)
        if candidate is not None and candidate.finish_reason is not None:
            self._finished = True
        return chunk

    def close(self) -> None:
        """Stop reading and let the chat's next send go; an unfinished turn is dropped."""
        if self._stream is not None:
            self._stream.close()
        if self._open:
            self._open = False
            self._chat._turn.release()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_open", False):
            self.close()


class AsyncChats:
    """Multi-turn chats, with history kept on the client: a chat is `generate_content` with
    history kept here, with no actor of its own."""

    def __init__(self, models: AsyncModels) -> None:
        self._models = models

    def __repr__(self) -> str:
        return f"<genaio.AsyncChats {self._models!r}>"

    def create(
        self,
        *,
        model: str,
        config: GenerateContentConfig | Mapping[str, Any] | None = None,
        history: list[Content | Mapping[str, Any]] | None = None,
    ) -> AsyncChat:
        """A new chat (no request is made); `history` seeds it with earlier turns."""
        return AsyncChat(self._models, model=model, config=config, history=history)
