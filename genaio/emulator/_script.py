"""Scripted answers: rules that match a request and say how to answer it. Synchronous, no I/O.

A `Rule` pairs a `Match` (API method, model, a substring of the prompt, whether tools are
declared, a predicate) with a `Reply` (text, a JSON value, function calls, stream chunks cut
after N, chosen embeddings, a token count, an error, latency) and a number of `times` it may
be used (None: always). `Script.decide` picks the first rule, in the order they were added,
that matches and has uses left; a request no rule matches gets the deterministic default.

Rules come from three places, all building the same values: Python (`handle.script.on(...)`),
the config file (`script = [{match = {...}, reply = {...}, times = 1}]`) and
`POST /_emulator/script` for servers in other processes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._clock import duration
from ._http import ApiError, g
from ._requests import RecordedRequest, prompt_of

if TYPE_CHECKING:
    from ._call import Call

__all__ = ["Match", "Reply", "Rule", "RuleBuilder", "Script", "ScriptControl", "ScriptedError"]


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True)
class Match:
    """Which requests a rule answers; every field given must hold (none given: all requests).

    `method`: API method names (`generateContent`, `streamGenerateContent`, `embedContent`,
    `batchEmbedContents`, `countTokens`, ...). `model`: a bare model id. `prompt_contains`: a
    substring of the prompt (the last turn's text; for embeddings the text to embed).
    `tools`: whether the request declares functions. `predicate`: any test of the
    `RecordedRequest` (Python only).
    """

    method: tuple[str, ...] = attrs.field(default=(), converter=_names)
    model: str | None = None
    prompt_contains: str | None = None
    tools: bool | None = None
    predicate: Callable[[RecordedRequest], bool] | None = attrs.field(default=None, eq=False)

    def matches(self, call: Call) -> bool:
        if self.method and call.endpoint not in self.method:
            return False
        if self.model is not None and _model_of(call) != self.model.removeprefix("models/"):
            return False
        if self.prompt_contains is not None or self.tools is not None:
            body = _body(call)
            if self.prompt_contains is not None:
                if self.prompt_contains not in prompt_of(call.endpoint, body):
                    return False
            if self.tools is not None and bool(_declares(body)) != self.tools:
                return False
        if self.predicate is not None:
            recorded = RecordedRequest.of(call.req, call.endpoint, _model_of(call), 0)
            try:
                return bool(self.predicate(recorded))
            except Exception as error:  # the test's bug: answer it, visibly, as a 500
                raise ApiError(500, f"A scripted rule's predicate raised {error!r}.") from None
        return True

    def to_dict(self) -> dict[str, Any]:
        found = {
            "method": list(self.method),
            "model": self.model,
            "prompt_contains": self.prompt_contains,
            "tools": self.tools,
        }
        return {k: v for k, v in found.items() if v not in ([], None)}


@attrs.frozen(kw_only=True)
class ScriptedError:
    """An error answer: the Google error envelope with `code`, `message`, `status` and, when
    `retry_delay` (seconds) is given, a `RetryInfo` detail a client's backoff honours."""

    code: int = 500
    message: str = "Scripted error."
    status: str | None = None
    retry_delay: float | None = None

    def api_error(self) -> ApiError:
        details = None
        if self.retry_delay is not None:
            details = [
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": duration(self.retry_delay),
                }
            ]
        return ApiError(self.code, self.message, self.status, details)


def _error(value: Any) -> ScriptedError | None:
    if value is None or isinstance(value, ScriptedError):
        return value
    return ScriptedError(**dict(value))


def _vectors(value: Any) -> tuple[tuple[float, ...], ...] | None:
    return None if value is None else tuple(tuple(float(x) for x in v) for v in value)


def _calls(value: Any) -> tuple[Mapping[str, Any], ...]:
    return tuple({"name": c["name"], "args": dict(c.get("args") or {})} for c in value or ())


def _chunks(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(c) for c in value)


@attrs.frozen(kw_only=True)
class Reply:
    """How a matched request is answered.

    Content (generateContent, streamGenerateContent): `text`, `json` (any JSON value, sent as
    its text), `function_calls` (`{"name", "args"}`), `chunks` (one stream event each; joined
    parts when not streamed), with `finish_reason`. `cut_after`: a stream's connection is reset
    after that many events. Embeddings: `embeddings`, one vector per text (cycled).
    countTokens: `total_tokens`. Any method: `error` (answered before the handler runs, so it
    spends no quota and changes no state) and `latency` (seconds before answering).
    """

    text: str | None = None
    json: Any = None
    function_calls: tuple[Mapping[str, Any], ...] = attrs.field(default=(), converter=_calls)
    chunks: tuple[str, ...] | None = attrs.field(default=None, converter=_chunks)
    finish_reason: str = "STOP"
    cut_after: int | None = None
    embeddings: tuple[tuple[float, ...], ...] | None = attrs.field(default=None, converter=_vectors)
    total_tokens: int | None = None
    error: ScriptedError | None = attrs.field(default=None, converter=_error)
    latency: float = 0.0

    def parts(self) -> list[dict[str, Any]] | None:
        """The answer's content parts, or None when the reply leaves content to the default."""
        parts: list[dict[str, Any]] = []
        if self.text is not None:
            parts.append({"text": self.text})
        if self.json is not None:
            parts.append({"text": json.dumps(self.json)})
        parts.extend({"text": chunk} for chunk in self.chunks or ())
        parts.extend({"functionCall": dict(call)} for call in self.function_calls)
        return parts or None

    def to_dict(self) -> dict[str, Any]:
        defaults = {a.name: a.default for a in attrs.fields(Reply)}
        return {
            k: v
            for k, v in attrs.asdict(self, recurse=True).items()
            if v != defaults[k] and v is not None
        }


@attrs.frozen
class Rule:
    """A `Match`, its `Reply`, and how many times it answers (None: every time)."""

    match: Match = attrs.field(factory=Match)
    reply: Reply = attrs.field(factory=Reply)
    times: int | None = None

    @classmethod
    def coerce(cls, value: Any) -> Rule:
        """A `Rule`, or its dict form `{"match": {...}, "reply": {...}, "times": n}`."""
        if isinstance(value, Rule):
            return value
        if not isinstance(value, Mapping):
            raise TypeError(f"not a script rule: {value!r}")
        unknown = set(value) - {"match", "reply", "times"}
        if unknown:
            raise ValueError(f"unknown script rule keys: {sorted(unknown)}")
        times = value.get("times")
        return cls(
            Match(**dict(value.get("match") or {})),
            Reply(**dict(value.get("reply") or {})),
            None if times is None else int(times),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match.to_dict(), "reply": self.reply.to_dict(), "times": self.times}


class Script:
    """The rules in force and how often each has answered; lives on the server's loop."""

    def __init__(self, rules: Sequence[Rule] = ()) -> None:
        self._rules: list[Rule] = []
        self._used: list[int] = []
        for rule in rules:
            self.add(rule)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, rule: Rule) -> None:
        self._rules.append(rule)
        self._used.append(0)

    def decide(self, call: Call) -> Reply | None:
        """The reply of the first rule that matches `call` and has uses left (counted)."""
        for index, rule in enumerate(self._rules):
            if rule.times is not None and self._used[index] >= rule.times:
                continue
            if rule.match.matches(call):
                self._used[index] += 1
                return rule.reply
        return None

    def snapshot(self) -> list[dict[str, Any]]:
        """Each rule as a dict, with `used`: how many requests it answered."""
        return [{**r.to_dict(), "used": n} for r, n in zip(self._rules, self._used, strict=True)]


def _model_of(call: Call) -> str | None:
    model = call.params.get("model")
    return model.removeprefix("models/") if model else None


def _body(call: Call) -> Any:
    try:
        return call.body()
    except ApiError:  # not JSON: the handler answers that; no prompt, no tools here
        return None


def _declares(body: Any) -> bool:
    return any(g(tool, "functionDeclarations") for tool in g(body, "tools", ()) or ())


# -- the Python API: `handle.script` ----------------------------------------------------------


class ScriptControl:
    """`handle.script`: add rules to a running emulator from any thread.

        emulator.script.on(prompt_contains="weather").reply(
            function_calls=[{"name": "get_weather", "args": {"city": "Paris"}}])
        emulator.script.on(method="generateContent", times=1).fail(503, retry_delay=2)

    Rules answer in the order they were added; `times=None` answers every time.
    """

    def __init__(self, run: Callable[[Callable[[], Any]], Any], script: Callable[[], Script]):
        self._run = run  # runs a function on the server's loop
        self._script = script

    def on(
        self,
        method: str | Sequence[str] | None = None,
        *,
        model: str | None = None,
        prompt_contains: str | None = None,
        tools: bool | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        times: int | None = None,
    ) -> RuleBuilder:
        """Start a rule for the requests that match all of the given fields (see `Match`)."""
        match = Match(
            method=method,
            model=model,
            prompt_contains=prompt_contains,
            tools=tools,
            predicate=predicate,
        )
        return RuleBuilder(self, match, times)

    def add(self, rule: Rule | Mapping[str, Any]) -> Rule:
        """Add a rule (or its dict form) after the others."""
        rule = Rule.coerce(rule)
        self._run(lambda: self._script().add(rule))
        return rule

    def rules(self) -> list[dict[str, Any]]:
        """The rules in force, each with `used`: how many requests it answered."""
        result: list[dict[str, Any]] = self._run(lambda: self._script().snapshot())
        return result


@attrs.frozen
class RuleBuilder:
    """A rule's match, waiting for its answer: `.reply(...)` or `.fail(...)`."""

    control: ScriptControl
    match: Match
    times: int | None

    def reply(
        self,
        text: str | None = None,
        *,
        json: Any = None,
        function_call: Mapping[str, Any] | None = None,
        function_calls: Sequence[Mapping[str, Any]] = (),
        chunks: Sequence[str] | None = None,
        cut_after: int | None = None,
        finish_reason: str = "STOP",
        embedding: Sequence[float] | None = None,
        embeddings: Sequence[Sequence[float]] | None = None,
        total_tokens: int | None = None,
        latency: float = 0.0,
    ) -> Rule:
        """Answer with this content (see `Reply`); `function_call` and `embedding` are the
        one-item forms of `function_calls` and `embeddings`."""
        calls = [*([function_call] if function_call else []), *function_calls]
        vectors = [embedding] if embedding is not None else embeddings
        reply = Reply(
            text=text,
            json=json,
            function_calls=calls,
            chunks=chunks,
            cut_after=cut_after,
            finish_reason=finish_reason,
            embeddings=vectors,
            total_tokens=total_tokens,
            latency=latency,
        )
        return self.control.add(Rule(self.match, reply, self.times))

    def fail(
        self,
        code: int = 500,
        message: str = "Scripted error.",
        *,
        status: str | None = None,
        retry_delay: float | None = None,
        latency: float = 0.0,
    ) -> Rule:
        """Answer with an API error: `code`, `message`, the status name (default: the code's),
        and a `RetryInfo` of `retry_delay` seconds when given."""
        error = ScriptedError(code=code, message=message, status=status, retry_delay=retry_delay)
        return self.control.add(Rule(self.match, Reply(error=error, latency=latency), self.times))
