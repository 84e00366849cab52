"""Deterministic model outputs: text from the prompt, function calls, schema-shaped JSON,
bag-of-words embeddings, a tiny PNG and a tiny MP4. No state, no I/O.
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
#
# A vector is two parts, normalised together: a bag of words (each lower-cased word adds +-1
# at a few positions hashed from (model, word)), which carries most of the norm, and a dense
# noise part whose signs a hash of (model, text) picks. So texts that share words are closer
# than texts that share none (a search can be tested), the same text always gives the same
# vector, and every position is non-zero. Only the bag's few positions are rendered per call:
# the noise is rendered from precomputed strings (this is the emulator's hot path).

_WORD = re.compile(r"\w+")
_SLOTS = 4  # positions per word
_NOISE = 0.5  # the noise part's scale: its share of the squared norm is at most 0.25


@lru_cache(maxsize=16)
def _magnitudes(dimension: int) -> tuple[float, ...]:
    """Fixed per-position magnitudes whose squares sum to 1."""
    raw = hashlib.shake_256(f"magnitudes:{dimension}".encode()).digest(2 * dimension)
    weights = [1.0 + (w / 65535.0) for w in struct.unpack(f"<{dimension}H", raw)]
    norm = math.sqrt(sum(w * w for w in weights))
    return tuple(w / norm for w in weights)


@lru_cache(maxsize=32)
def _rendered(dimension: int, scale: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The +/- JSON forms of the magnitudes times `scale`."""
    values = [round(m * scale, 8) for m in _magnitudes(dimension)]
    return tuple(repr(v) for v in values), tuple(repr(-v) for v in values)


def _signs(model: str, text: str, dimension: int) -> int:
    seed = hashlib.sha256(f"{model}\0{text}".encode()).digest()
    return int.from_bytes(hashlib.shake_256(seed).digest((dimension + 7) // 8), "little")


@lru_cache(maxsize=65536)
def _slots(model: str, word: str, dimension: int) -> tuple[tuple[int, int], ...]:
    digest = hashlib.blake2b(f"{model}\0{word}".encode(), digest_size=4 * _SLOTS).digest()
    found = []
    for i in range(_SLOTS):
        value = int.from_bytes(digest[4 * i : 4 * i + 4], "little")
        found.append(((value >> 1) % dimension, 1 if value & 1 else -1))
    return tuple(found)


def _bag(model: str, text: str, dimension: int) -> dict[int, float]:
    """The bag-of-words part, scaled so that the whole vector has norm 1 (empty: no words)."""
    counts: dict[int, int] = {}
    for word in _WORD.findall(text.lower()):
        for position, sign in _slots(model, word, dimension):
            counts[position] = counts.get(position, 0) + sign
    counts = {j: c for j, c in counts.items() if c}
    if not counts:
        return {}
    squares = _squares(dimension)
    noise = _NOISE * _NOISE * max(0.0, 1.0 - sum([squares[j] for j in counts]))
    scale = math.sqrt((1.0 - noise) / sum([c * c for c in counts.values()]))
    return {j: c * scale for j, c in counts.items()}


@lru_cache(maxsize=16)
def _squares(dimension: int) -> tuple[float, ...]:
    return tuple(m * m for m in _magnitudes(dimension))


def embedding_json(model: str, text: str, dimension: int) -> bytes:
    """The embedding of `text` as a JSON array of `dimension` floats (norm 1)."""
    bag = _bag(model, text, dimension)
    positive, negative = _rendered(dimension, _NOISE if bag else 1.0)
    # Bit j of the signs picks position j's sign (one string, not a shift per position).
    bits = format(_signs(model, text, dimension), "b").zfill(dimension)[: -dimension - 1 : -1]
    items = [p if b == "1" else n for p, n, b in zip(positive, negative, bits, strict=False)]
    for j, value in bag.items():
        items[j] = repr(round(value, 8))
    return ("[" + ",".join(items) + "]").encode()


def embedding(model: str, text: str, dimension: int) -> list[float]:
    """`embedding_json(...)` as floats."""
    values: list[float] = json.loads(embedding_json(model, text, dimension))
    return values


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
