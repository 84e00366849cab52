"""The Interactions API (spec §12): create (optionally streamed or in the background), get,
cancel, delete. Wire keys are snake_case; the stream is SSE ending with `data: [DONE]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._answer import grounding_metadata
from ._call import Call
from ._clock import timestamp
from ._generate import function_call, last_user_text, reply_text, schema_value
from ._http import ApiError, Response, StreamResponse, json_response
from ._tokenizer import text_tokens

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = ["cancel_interaction", "create_interaction", "delete_interaction", "get_interaction"]

_DONE_SENTINEL = b"data: [DONE]\r\n\r\n"


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        if isinstance(value.get("text"), str):
            return [value["text"]]
        return [t for v in value.values() if isinstance(v, list | dict) for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def create_interaction(call: Call) -> Response | StreamResponse:
    emu = call.emu
    body = call.body()
    model, agent = body.get("model"), body.get("agent")
    if bool(model) == bool(agent):
        raise ApiError(400, "Exactly one of model and agent must be set.")
    if model:
        info = emu.model_info(str(model))
        if info is None or "generateContent" not in info.supported_methods:
            raise ApiError(
                404,
                f"models/{model} is not found for API version {call.version}, or "
                "is not supported for interactions.",
            )
        call.model = info.name
    if body.get("input") is None:
        raise ApiError(400, "input is required.")
    previous = body.get("previous_interaction_id")
    if previous and previous not in emu.state.interactions:
        raise ApiError(404, f"Interaction {previous} not found.")
    text = " ".join(_texts(body["input"]))
    history = _contents(emu.state.interactions[previous], body["input"]) if previous else []
    contents = history + _contents(None, body["input"])
    steps = _answer_steps(call, body, contents)
    reply = " ".join(
        c.get("text", "") for step in steps for c in step.get("content") or () if "text" in c
    )
    system = body.get("system_instruction")
    input_tokens = text_tokens(text) + (text_tokens(str(system)) if system else 0)
    if model:
        emu.quota.admit(call.model or str(model), "generateContent", input_tokens)
    now = emu.clock.now()
    interaction_id = "v1_" + emu.state.new_id(24)
    usage = {
        "total_input_tokens": input_tokens,
        "total_output_tokens": text_tokens(reply),
        "total_tokens": input_tokens + text_tokens(reply),
    }
    record: dict[str, Any] = {
        "id": interaction_id,
        "status": "requires_action" if steps[-1]["type"] == "function_call" else "completed",
        "created": timestamp(now),
        "updated": timestamp(now),
        "steps": steps,
        "usage": usage,
        "_input": body["input"],
    }
    record["model" if model else "agent"] = model or agent
    if previous:
        record["previous_interaction_id"] = previous
    emu.state.interactions[interaction_id] = record
    emu.stats.tokens(call.endpoint, call.model, input_tokens, usage["total_output_tokens"])
    if body.get("background"):
        record["status"] = "in_progress"
        emu.state.timers.at(now + emu.config.lro_seconds, lambda: _complete(emu, record))
    if body.get("stream") is True:
        return StreamResponse(
            _events(record, emu.config.stream_chunk_words), sentinel=_DONE_SENTINEL
        )
    return json_response(_public(record, include_input=False))


def _complete(emu: Emulator, record: dict[str, Any]) -> None:
    if record["status"] == "in_progress":
        record["status"] = "completed"
        record["updated"] = timestamp(emu.clock.now())


def _events(record: dict[str, Any], words: int) -> list[dict[str, Any]]:
    """The interaction as a stream: a model output's text in deltas of `words` words, any
    other step whole in its `step.start`."""
    brief = {"id": record["id"], "status": "in_progress"}
    if "model" in record:
        brief["model"] = record["model"]
    events: list[dict[str, Any]] = [{"event_type": "interaction.created", "interaction": brief}]
    for index, step in enumerate(record["steps"]):
        if step["type"] != "model_output":
            events.append({"event_type": "step.start", "index": index, "step": step})
            events.append({"event_type": "step.stop", "index": index})
            continue
        events.append(
            {"event_type": "step.start", "index": index, "step": {"type": "model_output"}}
        )
        reply = "".join(c.get("text", "") for c in step["content"])
        pieces = re.findall(r"\S+\s*", reply)
        for start in range(0, len(pieces), max(1, words)):
            delta = {"type": "text", "text": "".join(pieces[start : start + words])}
            events.append({"event_type": "step.delta", "index": index, "delta": delta})
        events.append({"event_type": "step.stop", "index": index})
    done = {**brief, "status": record["status"], "usage": record["usage"]}
    events.append({"event_type": "interaction.completed", "interaction": done})
    for number, event in enumerate(events):
        event["event_id"] = f"evt_{number}"
    return events


def _contents(previous: dict[str, Any] | None, input: Any) -> list[dict[str, Any]]:
    """An interaction's turns as generateContent contents (a previous interaction's input and
    steps, else this input), so that the models' answer rules serve interactions too."""
    if previous is not None:
        return _contents(None, previous["_input"]) + [
            _step_content(step) for step in previous["steps"]
        ]
    if isinstance(input, str):
        return [{"role": "user", "parts": [{"text": input}]}]
    items = input if isinstance(input, list) else [input]
    if all(isinstance(i, Mapping) and i.get("type") in _STEP_KINDS for i in items):
        return [_step_content(step) for step in items]
    return [{"role": "user", "parts": [_part(i) for i in items]}]


_STEP_KINDS = frozenset({"user_input", "model_output", "function_call", "function_result"})


def _part(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"text": item}
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        return {"text": item["text"]}
    return {"inlineData": {"mimeType": "application/octet-stream", "data": ""}}


def _step_content(step: Mapping[str, Any]) -> dict[str, Any]:
    kind = step.get("type")
    if kind == "function_call":
        call = {"name": step.get("name", ""), "args": step.get("arguments") or {}}
        return {"role": "model", "parts": [{"functionCall": call}]}
    if kind == "function_result":
        result = {"name": step.get("name", ""), "response": {"result": step.get("result")}}
        return {"role": "user", "parts": [{"functionResponse": result}]}
    role = "model" if kind == "model_output" else "user"
    return {"role": role, "parts": [_part(c) for c in step.get("content") or ()] or [{"text": ""}]}


def _answer_steps(call: Call, body: Mapping[str, Any], contents: list[Any]) -> list[dict[str, Any]]:
    """The model's steps: a call of a declared function (`tools` of type `function`) when the
    models' rules make one, else its output: JSON for `response_format` (a JSON Schema, or a
    text format with `mime_type` and `schema`) or `response_mime_type="application/json"`,
    text otherwise. Google Search (`{"type": "google_search"}`) adds its call and result."""
    tools = [t for t in body.get("tools") or () if isinstance(t, Mapping)]
    declarations = [
        {k: t[k] for k in ("name", "description", "parameters") if k in t}
        for t in tools
        if t.get("type") == "function"
    ]
    made = function_call(contents, [{"functionDeclarations": declarations}], None)
    if made is not None:
        call_id = "call_" + call.emu.state.new_id(12)
        return [
            {
                "type": "function_call",
                "id": call_id,
                "name": made["name"],
                "arguments": made["args"],
            }
        ]
    steps: list[dict[str, Any]] = []
    prompt = last_user_text(contents)
    if any(t.get("type") == "google_search" for t in tools):
        search_id = "search_" + call.emu.state.new_id(12)
        chip = grounding_metadata(prompt, "")["searchEntryPoint"]["renderedContent"]
        steps.append(
            {"type": "google_search_call", "id": search_id, "arguments": {"queries": [prompt]}}
        )
        steps.append(
            {
                "type": "google_search_result",
                "call_id": search_id,
                "result": [{"search_suggestions": chip}],
            }
        )
    schema, mime = _response_format(body)
    if schema is not None or mime == "application/json":
        text = json.dumps(
            schema_value(schema, prompt) if schema else {"response": reply_text(contents)}
        )
    else:
        text = reply_text(contents)
    steps.append({"type": "model_output", "content": [{"type": "text", "text": text}]})
    return steps


def _response_format(body: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The JSON Schema asked for, if any, and the MIME type."""
    mime = body.get("response_mime_type")
    formats = body.get("response_format")
    for fmt in formats if isinstance(formats, list) else [formats]:
        if not isinstance(fmt, Mapping):
            continue
        if fmt.get("type") == "text" and ("schema" in fmt or "mime_type" in fmt):
            return fmt.get("schema"), fmt.get("mime_type") or mime
        if fmt.get("type") not in ("text", "audio", "image"):
            return fmt, mime  # a JSON Schema itself
    return None, mime


def _public(record: dict[str, Any], include_input: bool) -> dict[str, Any]:
    result = {k: v for k, v in record.items() if not k.startswith("_")}
    if include_input:
        result["input"] = record["_input"]
    return result


def _record(call: Call) -> dict[str, Any]:
    record = call.emu.state.interactions.get(call.params["id"])
    if record is None:
        raise ApiError(404, f"Interaction {call.params['id']} not found.")
    return record


def get_interaction(call: Call) -> Response | StreamResponse:
    record = _record(call)
    if call.req.flag("stream"):
        events = _events(record, call.emu.config.stream_chunk_words)
        last = call.req.query.get("last_event_id")
        if last:
            ids = [e["event_id"] for e in events]
            events = events[ids.index(last) + 1 :] if last in ids else events
        return StreamResponse(events, sentinel=_DONE_SENTINEL)
    return json_response(_public(record, include_input=call.req.flag("include_input")))


def cancel_interaction(call: Call) -> Response:
    record = _record(call)
    if record["status"] not in ("in_progress", "queued"):
        raise ApiError(
            400,
            f"Interaction {record['id']} is {record['status']} and cannot be cancelled.",
            "FAILED_PRECONDITION",
        )
    record["status"] = "cancelled"
    record["updated"] = timestamp(call.emu.clock.now())
    return json_response(_public(record, include_input=False))


def delete_interaction(call: Call) -> Response:
    record = _record(call)
    del call.emu.state.interactions[record["id"]]
    return json_response({})
