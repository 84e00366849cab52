"""Deterministic model outputs: text from the prompt, function calls, schema-shaped JSON,
seeded unit-vector embeddings, a tiny PNG and a tiny MP4. No state, no I/O.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ._http import g

__all__ = [
    "embedding",
    "embedding_json",
    "function_call",
    "last_user_text",
    "png_bytes",
    "reply_text",
    "schema_value",
    "video_bytes",
]


def _texts(content: Mapping[str, Any]) -> list[str]:
    return [p["text"] for p in content.get("parts") or () if isinstance(p, Mapping) and "text" in p]


def last_user_text(contents: Sequence[Any]) -> str:
    """The text of the last content that has any, whitespace-normalised."""
    for content in reversed(contents or ()):
        if isinstance(content, Mapping):
            texts = _texts(content)
            if texts:
                return " ".join(" ".join(texts).split())
    return ""


def _since_last_text(contents: Sequence[Any]) -> list[Mapping[str, Any]]:
    """The function responses after the last content with text (the prompt), in order."""
    found: list[Mapping[str, Any]] = []
    for content in reversed(contents or ()):
        if not isinstance(content, Mapping) or _texts(content):
            break
        for part in reversed(content.get("parts") or ()):
            response = g(part, "functionResponse") if isinstance(part, Mapping) else None
            if isinstance(response, Mapping):
                found.append(response)
    return found[::-1]


def reply_text(contents: Sequence[Any]) -> str:
    """The model's answer: an echo of the last user text, or the results of the functions
    called since it."""
    responses = _since_last_text(contents)
    if responses:
        return " ".join(
            f"The function {r.get('name', '')} returned "
            f"{json.dumps(r.get('response'), sort_keys=True, separators=(',', ':'))}."
            for r in responses
        )
    text = last_user_text(contents)
    if text:
        return f"You said: {text}"
    parts = sum(len(c.get("parts") or ()) for c in contents or () if isinstance(c, Mapping))
    return f"You sent {parts} part{'s' if parts != 1 else ''} without text."


# -- function calling ----------------------------------------------------------------------


def _declarations(tools: Sequence[Any] | None) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for tool in tools or ():
        if isinstance(tool, Mapping):
            found.extend(d for d in g(tool, "functionDeclarations", ()) if isinstance(d, Mapping))
    return found


def function_call(
    contents: Sequence[Any], tools: Sequence[Any] | None, tool_config: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The function call the model makes, or None to answer in text.

    The functions to call are the declared ones the last user text names (else the first
    allowed one); the model calls them one per turn, in declaration order, each once since
    that text, then answers in text (so automatic function calling terminates). Mode NONE
    never calls. Arguments come from the parameter schema, a top-level one written in the
    prompt as `name=value` taking that value.
    """
    declarations = _declarations(tools)
    calling = g(tool_config, "functionCallingConfig", {})
    mode = str(g(calling, "mode", "AUTO")).upper()
    if not declarations or mode == "NONE":
        return None
    allowed = g(calling, "allowedFunctionNames")
    if allowed:
        declarations = [d for d in declarations if d.get("name") in allowed] or declarations
    text = last_user_text(contents)
    named = [d for d in declarations if d.get("name") and d["name"] in text] or declarations[:1]
    answered = {r.get("name") for r in _since_last_text(contents)}
    chosen = next((d for d in named if d.get("name") not in answered), None)
    if chosen is None:
        return None
    schema = g(chosen, "parametersJsonSchema") or g(chosen, "parameters")
    args = schema_value(schema, text) if schema else {}
    if not isinstance(args, dict):
        args = {}
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    for name, prop in (properties or {}).items():
        written = _written_value(text, name, prop)
        if written is not None:
            args[name] = written
    return {"name": chosen.get("name", ""), "args": args}


def _written_value(text: str, name: str, schema: Any) -> Any:
    """The value the prompt gives `name` as `name=value` (or `name="two words"`), as the
    schema's type, or None."""
    match = re.search(rf'\b{re.escape(name)}=(?:"([^"]*)"|([^\s,;]+))', text)
    if match is None:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2).rstrip(".!?:")
    kind = _type(schema) if isinstance(schema, Mapping) else None
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return None
    if kind == "boolean":
        return raw.lower() in ("true", "yes", "1")
    return raw


# -- JSON from a schema (OpenAPI subset or JSON Schema) ------------------------------------


def schema_value(schema: Any, text: str, root: Any = None, depth: int = 0) -> Any:
    """A deterministic value that validates against `schema` (`responseSchema` or JSON Schema)."""
    if not isinstance(schema, Mapping) or depth > 12:
        return text
    root = root if root is not None else schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for key in ref[2:].split("/"):
            target = target.get(key, {}) if isinstance(target, Mapping) else {}
        return schema_value(target, text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if enum:
        return enum[0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = g(schema, key)
        if options:
            usable = [o for o in options if not (isinstance(o, Mapping) and _type(o) == "null")]
            return schema_value((usable or options)[0], text, root, depth + 1)
    kind = _type(schema)
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties") or {}
        order = g(schema, "propertyOrdering") or list(props)
        order += [k for k in props if k not in order]
        return {k: _named(props[k], k, text, root, depth) for k in order if k in props}
    if kind == "array":
        count = max(int(g(schema, "minItems", 1) or 1), 1)
        return [schema_value(schema.get("items", {}), text, root, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(g(schema, "minimum", 1) or 1)
    if kind == "number":
        return float(g(schema, "minimum", 1.5) or 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") in ("date-time",):
        return "2025-01-01T00:00:00Z"
    return text


def _named(schema: Any, name: str, text: str, root: Any, depth: int) -> Any:
    value = schema_value(schema, text, root, depth + 1)
    if isinstance(value, str) and value == text:
        return f"{name}: {text}" if text else name
    return value


def _type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # JSON Schema ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    return str(kind).lower() if kind else None


# -- embeddings -----------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _magnitudes(dimension: int) -> tuple[tuple[float, ...], tuple[str, ...], tuple[str, ...]]:
    """Fixed per-position magnitudes (sum of squares 1) and their rendered +/- JSON forms."""
    raw = hashlib.shake_256(f"magnitudes:{dimension}".encode()).digest(2 * dimension)
    weights = [1.0 + (w / 65535.0) for w in struct.unpack(f"<{dimension}H", raw)]
    norm = math.sqrt(sum(w * w for w in weights))
    values = tuple(round(w / norm, 8) for w in weights)
    return values, tuple(repr(v) for v in values), tuple(repr(-v) for v in values)


def _signs(model: str, text: str, dimension: int) -> int:
    seed = hashlib.sha256(f"{model}\0{text}".encode()).digest()
    return int.from_bytes(hashlib.shake_256(seed).digest((dimension + 7) // 8), "little")


def embedding(model: str, text: str, dimension: int) -> list[float]:
    """A unit vector of `dimension` floats seeded by (model, text): same input, same vector.

    Each position has a fixed magnitude; the (model, text) hash picks the signs. So every
    vector has norm 1 and two different texts have a cosine similarity near 0.
    """
    values = _magnitudes(dimension)[0]
    bits = _signs(model, text, dimension)
    return [v if (bits >> j) & 1 else -v for j, v in enumerate(values)]


def embedding_json(model: str, text: str, dimension: int) -> bytes:
    """`embedding(...)` rendered as a JSON array, without going through the JSON encoder."""
    _, positive, negative = _magnitudes(dimension)
    bits = _signs(model, text, dimension)
    items = [positive[j] if (bits >> j) & 1 else negative[j] for j in range(dimension)]
    return ("[" + ",".join(items) + "]").encode()


# -- media -----------------------------------------------------------------------------------


def png_bytes(seed: str, size: int = 8) -> bytes:
    """A valid `size`x`size` RGB PNG whose colour is derived from `seed`."""
    r, gr, b = hashlib.sha256(seed.encode()).digest()[:3]
    row = b"\x00" + bytes((r, gr, b)) * size
    raw = row * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def video_bytes(seed: str) -> bytes:
    """A minimal, well-formed ISO-BMFF (MP4) file: `ftyp`, an empty `moov` and a small `mdat`."""

    def box(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", 8 + len(data)) + kind + data

    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, 0) + b"\x00" * 80)
    return ftyp + box(b"moov", mvhd) + box(b"mdat", hashlib.sha256(seed.encode()).digest())
