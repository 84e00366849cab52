"""The families google-genai 3.6 added: agents, credentials, environments, triggers, voices and
webhooks (in-memory collections with create, get, list, update, delete), a trigger's runs,
a webhook's ping and secret rotation, and decisions (answered, not kept).

Wire keys are snake_case; a list answer is one page under the collection's name with
`next_page_token`. What a resource holds is what it was given, plus what the server adds (ids,
times, states); secrets (a credential's token, a webhook's signing secret) never come back
after the answer that made them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ._call import Call
from ._clock import timestamp
from ._http import ApiError, Response, json_response
from ._state import paginate

__all__ = ["COLLECTIONS", "Kind", "create_decision"]

_DAY = 24 * 3600.0


@attrs.frozen
class Kind:
    """One collection: its singular name (for messages and endpoints) and how it makes a
    resource from a create body."""

    collection: str
    singular: str
    make: Callable[[Call, dict[str, Any], str], dict[str, Any]]
    required: tuple[str, ...] = ()
    mutable: frozenset[str] = frozenset()


def _now(call: Call) -> str:
    return timestamp(call.emu.clock.now())


def _new_id(call: Call, body: dict[str, Any], prefix: str) -> str:
    given = body.get("id")
    if given is not None:
        if not isinstance(given, str) or not given or "/" in given:
            raise ApiError(400, f"Invalid id {given!r}.")
        return given
    return prefix + call.emu.state.new_id(16)


def _agent(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    return {**body, "id": id}


def _credential(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    if body.get("type") not in ("bearer_token", "oauth2", "environment_variable"):
        raise ApiError(400, "type must be one of bearer_token, oauth2, environment_variable.")
    now = _now(call)
    # The secret fields are write-only: the record keeps what describes the credential.
    return {
        "id": id,
        "type": body["type"],
        "status": "active",
        "create_time": now,
        "update_time": now,
    }


def _environment(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    now = _now(call)
    record = {**body, "id": id, "status": "active", "created": now, "updated": now}
    record.setdefault("mode", "on_demand")
    return record


def _trigger(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    now = _now(call)
    record = {**body, "id": id, "status": "active", "consecutive_failure_count": 0}
    return record | {"create_time": now, "update_time": now}


def _voice(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    voice = body.get("voice")
    if not isinstance(voice, dict) or voice.get("type") not in (
        "replicated",
        "prompted",
        "prebuilt",
    ):
        raise ApiError(400, "voice.type must be one of replicated, prompted, prebuilt.")
    public = {k: v for k, v in voice.items() if k not in ("replicated",)}  # no source audio back
    return {**public, "id": id, "key": f"voices/{id}"}


def _webhook(call: Call, body: dict[str, Any], id: str) -> dict[str, Any]:
    now = _now(call)
    secret = call.emu.state.new_id(32)
    record = {**body, "id": id, "state": "enabled", "create_time": now, "update_time": now}
    record["_secrets"] = [{"secret": secret, "expire_time": None}]
    return record


COLLECTIONS: dict[str, Kind] = {
    kind.collection: kind
    for kind in (
        Kind("agents", "Agent", _agent),
        Kind("credentials", "Credential", _credential, ("type",), frozenset({"status"})),
        Kind("environments", "Environment", _environment),
        Kind(
            "triggers",
            "Trigger",
            _trigger,
            ("interaction", "schedule", "time_zone"),
            frozenset({"display_name", "status"}),
        ),
        Kind("voices", "Voice", _voice, ("voice",)),
        Kind(
            "webhooks",
            "Webhook",
            _webhook,
            ("subscribed_events", "uri"),
            frozenset({"name", "state", "subscribed_events", "uri"}),
        ),
    )
}


def _store(call: Call) -> dict[str, dict[str, Any]]:
    return call.emu.state.managed.setdefault(call.params["collection"], {})


def _kind(call: Call) -> Kind:
    return COLLECTIONS[call.params["collection"]]


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the API shows it: private fields dropped, a webhook's secrets truncated."""
    shown = {k: v for k, v in record.items() if not k.startswith("_")}
    if "_secrets" in record:
        shown["signing_secrets"] = [
            {"truncated_secret": "..." + s["secret"][-4:]}
            | ({"expire_time": timestamp(s["expire_time"])} if s["expire_time"] else {})
            for s in record["_secrets"]
        ]
    return shown


def _record(call: Call, id_param: str = "id") -> dict[str, Any]:
    record = _store(call).get(call.params[id_param])
    if record is None:
        raise ApiError(404, f"{_kind(call).singular} {call.params[id_param]} not found.")
    return record


def create(call: Call) -> Response:
    kind, body = _kind(call), call.body()
    missing = [name for name in kind.required if body.get(name) in (None, "", [])]
    if missing:
        raise ApiError(400, f"{', '.join(missing)} is required.")
    store = _store(call)
    id = _new_id(call, body, kind.collection[0] + "_")
    if id in store:
        raise ApiError(409, f"{kind.singular} {id} already exists.")
    record = kind.make(call, body, id)
    if kind.collection == "voices" and not body.get("store"):
        return json_response(_public(record))  # made for this answer only
    store[id] = record
    shown = _public(record)
    if "_secrets" in record:
        shown["new_signing_secret"] = record["_secrets"][0]["secret"]
    return json_response(shown)


def get(call: Call) -> Response:
    return json_response(_public(_record(call)))


def list_(call: Call) -> Response:
    kind, query = _kind(call), call.req.query
    items = [_public(r) for r in _store(call).values()]
    for field in ("mode", "type"):  # the filters the emulator understands
        if query.get(field):
            items = [i for i in items if i.get(field) == query[field]]
    return json_response(_page(items, call, kind.collection))


def _page(items: list[dict[str, Any]], call: Call, key: str) -> dict[str, Any]:
    page = paginate(items, call.req, key, default_size=50)
    token = page.pop("nextPageToken", None)
    if token:
        page["next_page_token"] = token
    return page


def update(call: Call) -> Response:
    kind, record, body = _kind(call), _record(call), call.body()
    mask = call.req.query.get("update_mask")
    fields = [f.strip() for f in mask.split(",")] if mask else [k for k in body if k != "type"]
    unknown = sorted(set(fields) - kind.mutable - _write_only(kind))
    if unknown:
        raise ApiError(400, f"{', '.join(unknown)} cannot be updated.")
    if kind.collection == "triggers" and body.get("status") not in (None, "active", "paused"):
        raise ApiError(400, "status must be active or paused.")
    for field in fields:
        if field in body and field in kind.mutable:
            record[field] = body[field]
    if kind.collection == "triggers" and "status" in fields:
        record["last_pause_time" if body.get("status") == "paused" else "last_resume_time"] = _now(
            call
        )
    if "update_time" in record:
        record["update_time"] = _now(call)
    return json_response(_public(record))


def _write_only(kind: Kind) -> frozenset[str]:
    """A credential's secret fields: accepted by an update, never stored or shown."""
    if kind.collection != "credentials":
        return frozenset()
    return _CREDENTIAL_SECRETS


_CREDENTIAL_SECRETS = frozenset(
    {
        "token",
        "header_name",
        "prefix",
        "client_id",
        "client_secret",
        "refresh_token",
        "token_url",
        "scopes",
        "value",
        "injection_location",
        "trusted_domains",
    }
)


def delete(call: Call) -> Response:
    record = _record(call)
    del _store(call)[record["id"]]
    call.emu.state.managed.get("executions", {}).pop(record["id"], None)
    return json_response({})


# -- actions ---------------------------------------------------------------------------------


def ping_webhook(call: Call) -> Response:
    record = _record(call)
    if record["state"] != "enabled":
        raise ApiError(400, f"Webhook {record['id']} is {record['state']}.", "FAILED_PRECONDITION")
    record.setdefault("_pings", 0)
    record["_pings"] += 1
    return json_response({})


def rotate_signing_secret(call: Call) -> Response:
    record = _record(call)
    behaviour = call.body().get("revocation_behavior") or "revoke_previous_secrets_after_h24"
    if behaviour not in (
        "revoke_previous_secrets_after_h24",
        "revoke_previous_secrets_immediately",
    ):
        raise ApiError(400, f"Invalid revocation_behavior {behaviour!r}.")
    now = call.emu.clock.now()
    if behaviour == "revoke_previous_secrets_immediately":
        record["_secrets"] = []
    else:
        for secret in record["_secrets"]:
            secret["expire_time"] = secret["expire_time"] or now + _DAY
    secret = call.emu.state.new_id(32)
    record["_secrets"].insert(0, {"secret": secret, "expire_time": None})
    record["update_time"] = timestamp(now)
    return json_response({"secret": secret})


def run_trigger(call: Call) -> Response:
    trigger = _record(call, "trigger_id")
    now = _now(call)
    execution = {
        "id": "x_" + call.emu.state.new_id(16),
        "trigger_id": trigger["id"],
        "status": "completed",
        "interaction_id": "v1_" + call.emu.state.new_id(24),
        "scheduled_time": now,
        "start_time": now,
        "end_time": now,
    }
    if trigger.get("environment_id"):
        execution["environment_id"] = trigger["environment_id"]
    runs = call.emu.state.managed.setdefault("executions", {}).setdefault(trigger["id"], [])
    runs.insert(0, execution)  # newest first
    trigger["last_run_time"] = now
    trigger["previous_interaction_id"] = execution["interaction_id"]
    return json_response(execution)


def list_executions(call: Call) -> Response:
    trigger = _record(call, "trigger_id")
    runs = call.emu.state.managed.get("executions", {}).get(trigger["id"], [])
    return json_response(_page(runs, call, "trigger_executions"))


def create_decision(call: Call) -> Response:
    """Deterministic answers: a choice question picks its first choice, a score question the
    middle of its scale, a yes/no question 0.5; each with confidence 0.5."""
    body = call.body()
    for field in ("input", "model", "questions"):
        if not body.get(field):
            raise ApiError(400, f"{field} is required.")
    model = str(body["model"])
    info = call.emu.model_info(model)
    if info is None:
        raise ApiError(404, f"models/{model} is not found for API version {call.version}.")
    call.model = info.name
    questions = body["questions"]
    if not isinstance(questions, dict):
        raise ApiError(400, "questions must be an object of named questions.")
    answers = {name: _answer(name, q) for name, q in questions.items()}
    return json_response({"answers": answers, "usage": {"total_tokens": 1 + len(answers)}})


def _answer(name: str, question: Any) -> dict[str, Any]:
    kind = question.get("type") if isinstance(question, dict) else None
    criteria = question.get("criteria") if isinstance(question, dict) else None
    if kind == "choice" and isinstance(criteria, dict) and criteria:
        choices = list(criteria)
        share = 1.0 / len(choices)
        probabilities = {c: share for c in choices}
        answer = {"type": "choice", "choice": choices[0], "confidence": 0.5}
        return answer | {"probabilities": probabilities}
    if kind == "score" and isinstance(criteria, list) and criteria:
        legend = {str(i + 1): str(c) for i, c in enumerate(criteria)}
        probabilities = {k: 1.0 / len(legend) for k in legend}
        score = float((len(criteria) + 1) // 2)
        answer = {"type": "score", "score": score, "confidence": 0.5, "legend": legend}
        return answer | {"probabilities": probabilities}
    if kind == "noul":
        return {"type": "noul", "noul": 0.5, "confidence": 0.5}
    raise ApiError(400, f"Question {name} must be a choice, score or noul question.")
