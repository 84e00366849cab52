"""The `cachedContents` family (spec §9): create, get, list, patch (ttl/expireTime), delete.

A cache disappears at its `expireTime` on the emulated clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._answer import prompt_tokens
from ._call import Call
from ._clock import parse_duration, parse_timestamp, timestamp
from ._files import check_file_references
from ._http import ApiError, Response, g, json_response
from ._models import resolve_model
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = ["create_cache", "delete_cache", "get_cache", "list_caches", "update_cache"]

_DEFAULT_TTL = 3600.0
_MUTABLE = {"ttl", "expireTime", "expire_time"}


def _expiry(emu: Emulator, body: dict[str, Any], default: float | None) -> float | None:
    ttl, expire = g(body, "ttl"), g(body, "expireTime")
    if ttl is not None and expire is not None:
        raise ApiError(400, "Only one of ttl and expire_time may be set.")
    try:
        if ttl is not None:
            return emu.clock.now() + parse_duration(ttl)
        if expire is not None:
            return parse_timestamp(expire)
    except ValueError as error:
        raise ApiError(400, f"Invalid ttl or expire_time: {error}") from None
    return default


def _schedule_expiry(emu: Emulator, record: dict[str, Any], at: float) -> None:
    def expire() -> None:
        name = record["name"]
        current = emu.state.caches.get(name)
        if current is record and parse_timestamp(record["expireTime"]) <= emu.clock.now():
            del emu.state.caches[name]

    emu.state.timers.at(at, expire)


def create_cache(call: Call) -> Response:
    emu = call.emu
    body = call.body()
    model = g(body, "model")
    if not model:
        raise ApiError(
            400, "* CreateCachedContentRequest.cached_content.model: model is required\n"
        )
    info = resolve_model(call, model, "createCachedContent")
    check_file_references(call, g(body, "contents"))
    now = emu.clock.now()
    expire_at = _expiry(emu, body, now + _DEFAULT_TTL)
    assert expire_at is not None
    if expire_at <= now:
        raise ApiError(400, "expire_time must be in the future.")
    name = f"cachedContents/{emu.state.new_id()}"
    record: dict[str, Any] = {
        "name": name,
        "model": f"models/{info.name}",
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
        "expireTime": timestamp(expire_at),
        "usageMetadata": {"totalTokenCount": prompt_tokens(body)},
    }
    for key in ("displayName", "contents", "systemInstruction", "tools", "toolConfig"):
        value = g(body, key)
        if value is not None:
            record[key] = value
    emu.state.caches[name] = record
    _schedule_expiry(emu, record, expire_at)
    return json_response(_public(record))


_HIDDEN = ("contents", "systemInstruction", "tools", "toolConfig")


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of a cache: its metadata, never its contents."""
    return {k: v for k, v in record.items() if k not in _HIDDEN}


def _record(call: Call) -> dict[str, Any]:
    name = call.params["name"]
    record = call.emu.state.caches.get(name)
    if record is None:
        raise ApiError(
            403, f"CachedContent not found (or permission denied): {name}", "PERMISSION_DENIED"
        )
    return record


def get_cache(call: Call) -> Response:
    return json_response(_public(_record(call)))


def list_caches(call: Call) -> Response:
    caches = [_public(c) for c in call.emu.state.caches.values()]
    return json_response(paginate(caches, call.req, "cachedContents", 10, 1000))


def update_cache(call: Call) -> Response:
    """PATCH without `updateMask` (the SDK sends none): the fields present are the mask."""
    record = _record(call)
    body = call.body()
    mask = call.req.query.get("updateMask") or call.req.query.get("update_mask")
    fields = set(mask.split(",")) if mask else set(body)
    if not fields or not fields <= _MUTABLE | {"displayName", "display_name"}:
        raise ApiError(400, "Only ttl or expire_time of a cached content can be updated.")
    expire_at = _expiry(call.emu, body, None)
    now = call.emu.clock.now()
    if expire_at is not None:
        if expire_at <= now:
            raise ApiError(400, "expire_time must be in the future.")
        record["expireTime"] = timestamp(expire_at)
        _schedule_expiry(call.emu, record, expire_at)
    record["updateTime"] = timestamp(now)
    return json_response(_public(record))


def delete_cache(call: Call) -> Response:
    record = _record(call)
    del call.emu.state.caches[record["name"]]
    return json_response({})
