"""The Interactions API (spec §12): create (optionally streamed or in the background), get,
cancel, delete. Wire keys are snake_case; the stream is SSE ending with `data: [DONE]`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._clock import timestamp
from ._generate import reply_text
from ._http import ApiError, Response, StreamResponse, json_response
from ._tokenizer import text_tokens

if TYPE_CHECKING:
    from ._core import Call, Emulator

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
    reply = reply_text([{"role": "user", "parts": [{"text": text}]}])
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
        "status": "completed",
        "created": timestamp(now),
        "updated": timestamp(now),
        "steps": [{"type": "model_output", "content": [{"type": "text", "text": reply}]}],
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
            _events(record, reply, emu.config.stream_chunk_words), sentinel=_DONE_SENTINEL
        )
    return json_response(_public(record, include_input=False))


def _complete(emu: Emulator, record: dict[str, Any]) -> None:
    if record["status"] == "in_progress":
        record["status"] = "completed"
        record["updated"] = timestamp(emu.clock.now())


def _events(record: dict[str, Any], reply: str, words: int) -> list[dict[str, Any]]:
    brief = {"id": record["id"], "status": "in_progress"}
    if "model" in record:
        brief["model"] = record["model"]
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": brief},
        {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
    ]
    pieces = re.findall(r"\S+\s*", reply)
    for start in range(0, len(pieces), max(1, words)):
        events.append(
            {
                "event_type": "step.delta",
                "index": 0,
                "delta": {"type": "text", "text": "".join(pieces[start : start + words])},
            }
        )
    events.append({"event_type": "step.stop", "index": 0})
    done = {**brief, "status": record["status"], "usage": record["usage"]}
    events.append({"event_type": "interaction.completed", "interaction": done})
    for number, event in enumerate(events):
        event["event_id"] = f"evt_{number}"
    return events


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
        reply = "".join(c.get("text", "") for c in record["steps"][-1]["content"])
        events = _events(record, reply, call.emu.config.stream_chunk_words)
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
