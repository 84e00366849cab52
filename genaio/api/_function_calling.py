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

An MCP client session (`mcp.ClientSession`) in `tools` stands for the tools its server lists:
they are listed once per call, declared in the session's place, and called through the session
in the caller's task, as the official SDK does; a result the server marks as an error goes back
as `{"error": result}`. genaio never imports `mcp`: a session can only exist once it is loaded.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import attrs
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from genaio._log import get_logger
from genaio.api._function_arguments import convert_arguments
from genaio.api._normalize import t_contents
from genaio.api._sync import in_blocking_surface
from genaio.errors import (
    FunctionInvocationError,
    UnknownFunctionCallArgumentError,
    UnsupportedFunctionError,
)
from genaio.types import (
    AutomaticFunctionCallingConfig,
    Content,
    FunctionCall,
    FunctionDeclaration,
    FunctionResponse,
    GenerateContentResponse,
    Part,
    Schema,
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
    functions: Mapping[str, Callable[..., Any] | McpTool]
    #: How many requests the loop may make.
    budget: int
    #: Whether the response carries `automatic_function_calling_history`.
    keep_history: bool
    #: The config each request sends (Python functions already declared).
    config: Any
    #: MCP client sessions in `tools`, whose tools `started` lists and declares.
    sessions: tuple[Any, ...] = ()
    #: Declare MCP tools as Vertex AI takes them (their JSON Schema as it is).
    vertex: bool = False

    @property
    def calls(self) -> bool:
        """Whether the call goes through the loop: functions to run, or sessions to list."""
        return bool(self.functions or self.sessions)

    async def started(self) -> Calling:
        """This plan with each MCP session's tools listed and declared in its place.

        Raises:
            UnsupportedFunctionError: on the blocking surface (the session is the caller's
                loop's), as the official SDK's blocking methods do.
            ValueError: two tools (or a tool and a function) have the same name.

        Cancellation: cancelling the caller cancels the listing.
        """
        if in_blocking_surface():
            raise UnsupportedFunctionError("MCP sessions are not supported in synchronous methods.")
        functions: dict[str, Callable[..., Any] | McpTool] = dict(self.functions)
        tools: list[Any] = []
        for tool in _tools(self.config):
            if not _is_mcp_session(tool):
                tools.append(tool)
                continue
            for listed in (await tool.list_tools()).tools:
                if listed.name in functions:
                    raise ValueError(f"Tool {listed.name} is already defined for the request.")
                functions[listed.name] = McpTool(tool, listed.name)
                declaration = _mcp_declaration(listed, vertex=self.vertex)
                tools.append(Tool(function_declarations=[declaration]))
        return attrs.evolve(
            self, functions=functions, config=_with_tools(self.config, tools), sessions=()
        )

    async def generate(
        self, contents: Any, send: Send, *, on_round: OnRound | None = None
    ) -> GenerateContentResponse:
        """Send, answer the model's function calls, and send again, within the budget.

        Cancellation: cancelling the caller cancels the request or the function running.
        """
        if self.sessions:
            return await (await self.started()).generate(contents, send, on_round=on_round)
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
        if self.sessions:
            return await (await self.started()).stream(contents, open_stream, on_round=on_round)
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
        if isinstance(function, McpTool):
            return await function.call(call.args or {})
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


def plan(
    config: Any, *, stream: bool = False, history: bool = True, vertex: bool = False
) -> Calling:
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
    # Sessions are listed and declared even when nothing is called for the model.
    sessions = tuple(t for t in tools or () if _is_mcp_session(t))
    off = Calling({}, 1, False, config, sessions, vertex) if sessions else _OFF
    if settings.disable or budget <= 0:
        return off
    if _declares_functions(tools):
        if any(_is_function(t) or _is_mcp_session(t) for t in tools or ()):
            log.warning(
                "automatic function calling is off: a tool declares functions; give only "
                "Python functions in `tools` to have them called"
            )
        return off
    if stream and _streams_arguments(config):
        raise ValueError(
            "stream_function_call_arguments cannot be used with automatic function calling; "
            "set automatic_function_calling.disable=True to stream a call's arguments"
        )
    keep_history = history and not settings.ignore_call_history
    functions = {function_name(t): t for t in tools or () if _is_function(t)}
    if not functions and not sessions:
        return _PLAIN if keep_history else _OFF
    config = _declared(config, tools or [])
    return Calling(functions, budget, keep_history, config, sessions, vertex)


#: The plans that call nothing: with the (empty) history on the response, and without.
_PLAIN = Calling({}, 1, True, None)
_OFF = Calling({}, 1, False, None)


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
    return _with_tools(config, declared)


def _with_tools(config: Any, tools: list[Any]) -> Any:
    if isinstance(config, Mapping):
        return {**config, "tools": tools}
    return config.model_copy(update={"tools": tools})


def _tools(config: Any) -> list[Any]:
    tools = config.get("tools") if isinstance(config, Mapping) else config.tools
    return list(tools or ())


# -- MCP sessions ---------------------------------------------------------------------------


def _is_mcp_session(tool: Any) -> bool:
    """Whether `tool` is an `mcp.ClientSession` (without importing mcp: none exists unless
    the caller has loaded it)."""
    mcp = sys.modules.get("mcp")
    session_class = getattr(mcp, "ClientSession", None)
    return session_class is not None and isinstance(tool, session_class)


@attrs.frozen
class McpTool:
    """A tool of an MCP server, called through the caller's session."""

    session: Any
    name: str

    async def call(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """The tool's result as `{"result": ...}`, or `{"error": ...}` when the server marks
        it as an error or the call fails; the result as the official SDK writes it (the MCP
        result's fields by name, unset ones left out).

        Cancellation: cancelling the caller cancels the call (the session's request).
        """
        try:
            result = await self.session.call_tool(name=self.name, arguments=_whole(dict(args)))
        except Exception as exc:
            failure = FunctionInvocationError(
                f"{self.name}({_show(args)}) raised {type(exc).__name__}: {exc}"
            )
            return {"error": str(failure)}
        written = to_jsonable_python(result, by_alias=False, exclude_none=True, fallback=str)
        failed = getattr(result, "is_error", getattr(result, "isError", False))
        return {"error": written} if failed else {"result": written}


def _mcp_declaration(tool: Any, *, vertex: bool) -> FunctionDeclaration:
    """An MCP tool as a declaration: its input schema as a `Schema` (the Gemini API), or as
    the JSON Schema it is (Vertex AI), as the official SDK declares it."""
    schema = getattr(tool, "input_schema", None) or getattr(tool, "inputSchema", None) or {}
    if vertex:
        return FunctionDeclaration(
            name=tool.name, description=tool.description, parameters_json_schema=schema
        )
    parameters = Schema.from_json_schema(dict(schema))
    return FunctionDeclaration(name=tool.name, description=tool.description, parameters=parameters)


def _whole(value: Any) -> Any:
    """JSON numbers the model wrote as floats with no fraction, as integers (`3.0` is `3`), as
    the official SDK passes arguments to a tool."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


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
