"""Automatic function calling: Python functions in `config.tools`, run for the model.

One module serves `generate_content`, `generate_content_stream` and chats. `plan(config)`
decides once per call what the loop may do (which functions, how many requests, whether the
response keeps the history); `Calling.generate` and `CallingStream` run the loop: send, run the
functions the model called, send their results back, until the model stops calling or the
request budget (`AutomaticFunctionCallingConfig.maximum_remote_calls`, 10 by default) is spent.
The last request's function calls are returned to the caller unanswered, as the official SDK
does.

Where a function runs: a coroutine function in the caller's task, a plain function in a worker
thread (`anyio.to_thread`); never on an actor's task, so a slow tool holds up only its caller.
Cancelling the caller cancels a coroutine function; a function in a thread cannot be
interrupted, so the caller returns at once and the thread's result is dropped.

A bad call is answered to the model, not raised: arguments that do not fit the annotations
(`UnknownFunctionCallArgumentError`), a function that raises (`FunctionInvocationError`), and a
name that is not one of the functions each become `{"error": message}` as the function's
response. (The official SDK raises a bare `KeyError` for the last; the model can correct a
wrong name when it is told.)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import attrs
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from genaio._log import get_logger
from genaio.api._function_arguments import convert_arguments
from genaio.api._normalize import t_contents
from genaio.errors import FunctionInvocationError, UnknownFunctionCallArgumentError
from genaio.types import (
    AutomaticFunctionCallingConfig,
    Content,
    FunctionCall,
    FunctionResponse,
    GenerateContentResponse,
    Part,
    Tool,
)
from genaio.types._tools import declare_callable, function_name

__all__ = ["Calling", "CallingStream", "plan"]

log = get_logger("genaio.function_calling")

#: Requests one call may make when the config does not say (the official SDK's default).
DEFAULT_MAXIMUM_REMOTE_CALLS = 10

#: Sends one request: (contents, config) to a response.
Send = Callable[[Any, Any], Awaitable[GenerateContentResponse]]
#: Opens one streamed request: (contents, config) to an async iterator of chunks.
OpenStream = Callable[[Any, Any], Awaitable[Any]]
#: Told of each answered round: the model's turn(s) and the user turn of function responses.
OnRound = Callable[[list[Content], Content], None]


@attrs.frozen
class Calling:
    """What one call's loop may do, decided before its first request."""

    #: The functions the model may call, by name; empty when nothing is called automatically.
    functions: Mapping[str, Callable[..., Any]]
    #: How many requests the loop may make.
    budget: int
    #: Whether the response carries `automatic_function_calling_history`.
    keep_history: bool
    #: The config each request sends (Python functions already declared).
    config: Any

    async def generate(
        self, contents: Any, send: Send, *, on_round: OnRound | None = None
    ) -> GenerateContentResponse:
        """Send, answer the model's function calls, and send again, within the budget.

        Cancellation: cancelling the caller cancels the request or the function running.
        """
        history: list[Content] = []
        requests = 0
        while True:
            response = await send(contents, self.config)
            requests += 1
            if requests >= self.budget or not self.functions:
                break
            turn = _first_content(response)
            if turn is None:
                break
            answers = await self.answer(turn)
            if answers is None:
                break
            contents = self._next_contents(contents, [turn], answers, history)
            if on_round is not None:
                on_round([turn], answers)
        if self.keep_history:
            response.automatic_function_calling_history = history
        return response

    async def stream(
        self, contents: Any, open_stream: OpenStream, *, on_round: OnRound | None = None
    ) -> CallingStream:
        """Open the first request's stream; later rounds open as the reader reaches them.

        Cancellation: cancelling the caller cancels the request.
        """
        first = await open_stream(contents, self.config)
        return CallingStream(self, contents, open_stream, first, on_round)

    async def answer(self, turn: Content) -> Content | None:
        """The user turn that answers every function call of `turn`, or None if it has none.
        The calls run one after another, in order, as the official SDK runs them."""
        parts: list[Part] = []
        for part in turn.parts or ():
            call = part.function_call
            if call is None or call.name is None:
                continue
            response = await self._call(call)
            answer = FunctionResponse(id=call.id, name=call.name, response=response)
            parts.append(Part(function_response=answer))
        return Content(role="user", parts=parts) if parts else None

    async def _call(self, call: FunctionCall) -> dict[str, Any]:
        """Run one call; its result as `{"result": ...}`, any failure as `{"error": ...}`."""
        name = call.name or ""
        function = self.functions.get(name)
        if function is None:
            known = ", ".join(sorted(self.functions))
            return {"error": f"there is no function named {name!r}; the functions are {known}"}
        try:
            kwargs = convert_arguments(function, call.args or {})
        except UnknownFunctionCallArgumentError as exc:
            return {"error": str(exc)}
        try:
            if _is_coroutine_function(function):
                result = await function(**kwargs)
            else:
                job = functools.partial(function, **kwargs)
                result = await anyio.to_thread.run_sync(job, abandon_on_cancel=True)
        except Exception as exc:
            failure = FunctionInvocationError(
                f"{name}({_show(kwargs)}) raised {type(exc).__name__}: {exc}"
            )
            return {"error": str(failure)}
        return {"result": to_jsonable_python(result, fallback=str)}

    def _next_contents(
        self, contents: Any, turns: list[Content], answers: Content, history: list[Content]
    ) -> list[Content]:
        """The next request's contents, the round recorded in `history`."""
        contents = list(contents) if _all_contents(contents) else t_contents(contents)
        if not history:
            history.extend(contents)
        history.extend(turns)
        history.append(answers)
        return [*contents, *turns, answers]


class CallingStream:
    """The chunks of every round of a streamed call, as one stream.

    The model's function calls are run as their chunks arrive; when a round's stream ends with
    calls answered (and budget left), the next request is sent with their results and its
    chunks follow. The last round's calls are left to the caller.
    """

    def __init__(
        self,
        calling: Calling,
        contents: Any,
        open_stream: OpenStream,
        first: Any,
        on_round: OnRound | None,
    ) -> None:
        self._calling = calling
        self._contents = contents
        self._open_stream = open_stream
        self._stream: Any = first
        self._on_round = on_round
        self._requests = 1
        self._history: list[Content] = []
        self._round_output: list[Content] = []
        self._round_answers: list[Part] = []

    def __aiter__(self) -> CallingStream:
        return self

    def __repr__(self) -> str:
        return f"<genaio.CallingStream requests={self._requests} stream={self._stream!r}>"

    async def __anext__(self) -> GenerateContentResponse:
        """The next chunk, from this round or the next.

        Cancellation: cancelling the wait (or a function the chunk called) closes the stream.
        """
        try:
            return await self._next()
        except BaseException:
            self.close()
            raise

    async def _next(self) -> GenerateContentResponse:
        while True:
            if self._stream is None:
                raise StopAsyncIteration
            try:
                chunk: GenerateContentResponse = await self._stream.__anext__()
            except StopAsyncIteration:
                self._stream = None
                if self._answers_owed() and self._round_answers:
                    await self._next_round()
                continue
            await self._observe(chunk)
            return chunk

    async def _observe(self, chunk: GenerateContentResponse) -> None:
        if self._calling.keep_history and self._history:
            chunk.automatic_function_calling_history = self._history
        content = _first_content(chunk)
        if self._answers_owed() and content is not None:
            answers = await self._calling.answer(content)
            if answers is not None:
                self._round_answers.extend(answers.parts or ())
        candidate = chunk.candidates[0] if chunk.candidates else None
        if candidate is not None and candidate.content is not None:
            self._round_output.append(candidate.content)

    def _answers_owed(self) -> bool:
        return bool(self._calling.functions) and self._requests < self._calling.budget

    async def _next_round(self) -> None:
        answers = Content(role="user", parts=self._round_answers)
        turns = self._round_output
        self._contents = self._calling._next_contents(self._contents, turns, answers, self._history)
        if self._on_round is not None:
            self._on_round(turns, answers)
        self._round_output, self._round_answers = [], []
        self._requests += 1
        self._stream = await self._open_stream(self._contents, self._calling.config)

    def close(self) -> None:
        """Stop reading: the open request ends and no further round is sent."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> CallingStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


# -- planning ------------------------------------------------------------------------------


def plan(config: Any, *, stream: bool = False, history: bool = True) -> Calling:
    """What automatic function calling does for a call with this `config`.

    Off (one request, no history) when `disable` is set or `maximum_remote_calls` is 0 or less,
    and when a tool is given as a function declaration rather than a function (the caller
    answers those). Otherwise every Python function in `tools` may be called, and the response
    carries the history unless `ignore_call_history` (or `history=False`: a chat keeps its own).

    When no function is to be called, the plan is one of two shared ones (whose `config` is
    None: the caller sends its own): this runs on every `generate_content`.
    """
    if config is None:
        return _PLAIN if history else _OFF
    if isinstance(config, dict):
        tools = config.get("tools")
        settings = config.get("automatic_function_calling")
    else:
        tools = getattr(config, "tools", None)
        settings = getattr(config, "automatic_function_calling", None)
    if not tools and settings is None and not stream:
        return _PLAIN if history else _OFF
    settings = _settings(settings)
    budget = settings.maximum_remote_calls
    if budget is None:
        budget = DEFAULT_MAXIMUM_REMOTE_CALLS
    if settings.disable or budget <= 0:
        return _OFF
    if _declares_functions(tools):
        if any(_is_function(t) for t in tools or ()):
            log.warning(
                "automatic function calling is off: a tool declares functions; give only "
                "Python functions in `tools` to have them called"
            )
        return _OFF
    if stream and _streams_arguments(config):
        raise ValueError(
            "stream_function_call_arguments cannot be used with automatic function calling; "
            "set automatic_function_calling.disable=True to stream a call's arguments"
        )
    keep_history = history and not settings.ignore_call_history
    functions = {function_name(t): t for t in tools or () if _is_function(t)}
    if not functions:
        return _PLAIN if keep_history else _OFF
    return Calling(
        functions, budget, keep_history=keep_history, config=_declared(config, tools or [])
    )


#: The plans that call nothing: with the (empty) history on the response, and without.
_PLAIN = Calling({}, 1, keep_history=True, config=None)
_OFF = Calling({}, 1, keep_history=False, config=None)


def _settings(value: Any) -> AutomaticFunctionCallingConfig:
    if value is None:
        return _NO_SETTINGS
    if isinstance(value, AutomaticFunctionCallingConfig):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    return AutomaticFunctionCallingConfig.model_validate(value)


_NO_SETTINGS = AutomaticFunctionCallingConfig()


def _is_function(tool: Any) -> bool:
    return callable(tool) and not isinstance(tool, BaseModel | Mapping | type)


def _declares_functions(tools: Any) -> bool:
    for tool in tools or ():
        if isinstance(tool, Mapping):
            declared = tool.get("function_declarations") or tool.get("functionDeclarations")
        else:
            declared = getattr(tool, "function_declarations", None)
        if declared:
            return True
    return False


def _streams_arguments(config: Any) -> bool:
    if isinstance(config, Mapping):
        tool_config = config.get("tool_config")
    else:
        tool_config = getattr(config, "tool_config", None)
    if isinstance(tool_config, Mapping):
        calling = tool_config.get("function_calling_config")
    else:
        calling = getattr(tool_config, "function_calling_config", None)
    if isinstance(calling, Mapping):
        return bool(calling.get("stream_function_call_arguments"))
    return bool(getattr(calling, "stream_function_call_arguments", None))


def _declared(config: Any, tools: list[Any]) -> Any:
    """`config` with each function in `tools` replaced by its declaration, once per call
    rather than once per request."""
    declared = [
        Tool(function_declarations=[declare_callable(t)]) if _is_function(t) else t for t in tools
    ]
    if isinstance(config, Mapping):
        return {**config, "tools": declared}
    return config.model_copy(update={"tools": declared})


# -- helpers --------------------------------------------------------------------------------


def _is_coroutine_function(function: Any) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 (an object with an async __call__)
    )


def _first_content(response: GenerateContentResponse) -> Content | None:
    """The first candidate's content, if it has parts."""
    if not response.candidates:
        return None
    content = response.candidates[0].content
    return content if content is not None and content.parts else None


def _all_contents(contents: Any) -> bool:
    return isinstance(contents, list) and all(isinstance(c, Content) for c in contents)


def _show(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
