"""Argument normalization: what users pass, turned into the typed values the wire needs.

Pure functions, no I/O. They follow the official SDK's transformers (model names, the many
shapes `contents` may take, Python functions as tools, Python types as schemas), so code written
for `google-genai` sends the same requests through genaio. Bad input raises ValueError, TypeError
or pydantic's ValidationError here, before anything is sent.
"""

from __future__ import annotations

import io
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from genaio import types
from genaio.types._content import is_pil_image
from genaio.types._tools import declare_callable

__all__ = [
    "coerce_config",
    "t_cached_content_name",
    "t_content",
    "t_content_wire",
    "t_contents",
    "t_model",
    "t_part",
    "t_parts",
    "t_schema",
    "t_speech_config",
    "t_system_instruction",
    "t_tools",
    "text_contents_wire",
]

_ConfigT = TypeVar("_ConfigT", bound=BaseModel)

# Leading bytes of the media formats the API takes, for bytes passed without a MIME type.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),
    (8, b"WAVE", "audio/wav"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"ID3", "audio/mp3"),
    (0, b"fLaC", "audio/flac"),
    (0, b"OggS", "audio/ogg"),
    (4, b"ftyp", "video/mp4"),
)


def t_model(model: str, *, vertex: bool) -> str:
    """The resource name of a model: `x` is `models/x` (Gemini API) or
    `publishers/google/models/x` (Vertex AI, where `a/b` is `publishers/a/models/b`)."""
    if not model:
        raise ValueError("model is required")
    if ".." in model or "?" in model or "&" in model:
        raise ValueError(f"invalid model name {model!r}: '..', '?' and '&' are not allowed")
    if model.startswith(("models/", "tunedModels/")):
        return model
    if not vertex:
        return f"models/{model}"
    if model.startswith(("projects/", "publishers/")):
        return model
    if "/" in model:
        publisher, name = model.split("/", 1)
        return f"publishers/{publisher}/models/{name}"
    return f"publishers/google/models/{model}"


def t_cached_content_name(name: str, *, parent: str | None = None) -> str:
    """`abc` is `cachedContents/abc`; on Vertex AI `parent` (`projects/p/locations/l`) is
    prepended to names that do not start with `projects/`."""
    if not name:
        raise ValueError("cached_content must not be empty")
    if name.startswith("projects/"):
        return name
    if "/" not in name:
        name = f"cachedContents/{name}"
    return f"{parent}/{name}" if parent and name.startswith("cachedContents/") else name


def t_part(part: Any) -> types.Part:
    """One part from a str, `Part`, `File`, part dict, media bytes or PIL image."""
    if isinstance(part, types.Part):
        return part
    if isinstance(part, str):
        return types.Part(text=part)
    if isinstance(part, dict):
        return types.Part.model_validate(part)
    if isinstance(part, types.File):
        if not part.uri or not part.mime_type:
            raise ValueError(f"file {part.name!r} has no uri or mime_type yet; get it again")
        return types.Part.from_uri(file_uri=part.uri, mime_type=part.mime_type)
    if isinstance(part, bytes | bytearray | memoryview):
        data = bytes(part)
        return types.Part.from_bytes(data=data, mime_type=_sniff_mime_type(data))
    if is_pil_image(part):
        return _pil_part(part)
    if part is None:
        raise ValueError("a content part is required, got None")
    raise TypeError(f"unsupported content part type: {type(part).__name__}")


def t_parts(parts: Any) -> list[types.Part]:
    """A list of parts from one part-like or a list of them."""
    if parts is None or (isinstance(parts, list) and not parts):
        raise ValueError("content parts are required")
    if isinstance(parts, list):
        return [t_part(p) for p in parts]
    return [t_part(parts)]


def t_content(content: Any) -> types.Content:
    """One `Content`: passed through, validated from a dict, or built around its parts.

    A lone part is a `user` turn, or a `model` turn if it is a function call; a list of parts
    is one `user` turn.
    """
    if isinstance(content, types.Content):
        return content
    if _is_content_dict(content):
        return types.Content.model_validate(content)
    if isinstance(content, list):
        return types.Content(role="user", parts=t_parts(content))
    if content is None:
        raise ValueError("content is required, got None")
    part = t_part(content)
    return types.Content(role=_role_of(part), parts=[part])


def t_contents(contents: Any) -> list[types.Content]:
    """`contents=` as a list of `Content`, walking a list in order.

    Consecutive part-likes are grouped into one turn, split where the role flips between `user`
    and `model` (function calls are the model's); `Content`s and content dicts pass through;
    a nested list becomes one `user` turn.
    """
    if contents is None or (isinstance(contents, list) and not contents):
        raise ValueError("contents are required")
    if not isinstance(contents, list):
        return [t_content(contents)]
    result: list[types.Content] = []
    group: list[types.Part] = []
    group_role = "user"
    for item in contents:
        if isinstance(item, types.Content) or _is_content_dict(item) or isinstance(item, list):
            if group:
                result.append(types.Content(role=group_role, parts=group))
                group = []
            result.append(t_content(item))
            continue
        part = t_part(item)
        role = _role_of(part)
        if group and role != group_role:
            result.append(types.Content(role=group_role, parts=group))
            group = []
        group_role = role
        group.append(part)
    if group:
        result.append(types.Content(role=group_role, parts=group))
    return result


def t_content_wire(content: Any) -> dict[str, Any]:
    """`t_content(content).to_wire()`; a plain str, the common case, is built as JSON directly
    (no models: it sits on every embedding call's path)."""
    if type(content) is str:
        return {"role": "user", "parts": [{"text": content}]}
    return t_content(content).to_wire()


def text_contents_wire(contents: Any) -> list[dict[str, Any]] | None:
    """The wire form of `t_contents(contents)` when `contents` is a str or a non-empty list of
    str (one `user` turn), built as JSON directly; None for any other shape.

    Plain text is what most calls send, and building and dumping models for it costs more than
    the rest of the facade; `tests/property` checks that both ways give the same JSON.
    """
    if type(contents) is str:
        return [{"role": "user", "parts": [{"text": contents}]}]
    if type(contents) is list and contents and all(type(c) is str for c in contents):
        return [{"role": "user", "parts": [{"text": c} for c in contents]}]
    return None


def t_system_instruction(instruction: Any) -> types.Content:
    """A system instruction as one `Content`; text and parts make a `user` turn."""
    return t_content(instruction)


def t_tools(tools: list[Any] | None) -> list[types.Tool]:
    """`tools=` as wire `Tool`s: Python functions are declared from their signature, and all
    function declarations are merged into one tool placed last; other tools keep their order."""
    result: list[types.Tool] = []
    declarations: list[types.FunctionDeclaration] = []
    for tool in tools or ():
        if isinstance(tool, dict):
            tool = types.Tool.model_validate(tool)
        if not isinstance(tool, types.Tool):
            if not callable(tool):
                raise TypeError(f"unsupported tool type: {type(tool).__name__}")
            declarations.append(declare_callable(tool))
            continue
        if tool.function_declarations:
            declarations.extend(tool.function_declarations)
            tool = tool.model_copy(update={"function_declarations": None})
            if not tool.to_wire():
                continue
        result.append(tool)
    if declarations:
        result.append(types.Tool(function_declarations=declarations))
    return result


def t_schema(schema: Any, *, vertex: bool = False) -> types.Schema:
    """A `Schema` from a `Schema`, a dict, or a Python type (pydantic model, enum, builtin,
    `list[X]`, `X | None`, `Literal`...). The properties of the top-level object (or of the
    objects of a top-level list) keep their declared order through `property_ordering`, as the
    official SDK does; the API would otherwise order them alphabetically."""
    if isinstance(schema, types.Schema):
        return schema
    if isinstance(schema, dict):
        return types.Schema.model_validate(schema)
    if not (isinstance(schema, type) or typing.get_origin(schema) is not None):
        raise TypeError(f"cannot make a schema from {type(schema).__name__}")
    result = types.Schema.from_json_schema(TypeAdapter(schema).json_schema(), vertex=vertex)
    for node in (result, result.items):
        if node is not None and node.properties and node.property_ordering is None:
            node.property_ordering = list(node.properties)
    return result


def t_speech_config(config: Any) -> types.SpeechConfig:
    """A `SpeechConfig`; a str names a prebuilt voice."""
    if isinstance(config, str):
        voice = types.PrebuiltVoiceConfig(voice_name=config)
        return types.SpeechConfig(voice_config=types.VoiceConfig(prebuilt_voice_config=voice))
    return coerce_config(types.SpeechConfig, config)


def coerce_config(cls: type[_ConfigT], config: Any) -> _ConfigT:
    """`config=` as an instance of `cls`: None gives the defaults, a dict is validated, and a
    model of another class with the same fields (say, the official SDK's) is converted."""
    if config is None:
        return cls()
    if isinstance(config, cls):
        return config
    if isinstance(config, dict):
        return cls.model_validate(config)
    if isinstance(config, BaseModel):
        return cls.model_validate(config.model_dump(exclude_none=True))
    raise TypeError(f"config must be a {cls.__name__} or a dict, not {type(config).__name__}")


def _is_content_dict(value: Any) -> bool:
    return isinstance(value, dict) and ("parts" in value or "role" in value)


def _role_of(part: types.Part) -> str:
    return "model" if part.function_call is not None else "user"


def _sniff_mime_type(data: bytes) -> str:
    for offset, magic, mime_type in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime_type
    raise ValueError(
        "cannot tell the MIME type of these bytes; pass "
        "types.Part.from_bytes(data=..., mime_type=...) instead"
    )


def _pil_part(image: Any) -> types.Part:
    """PNG, or JPEG for an image read from a JPEG (re-encoding it as PNG would only grow it)."""
    image_format = "JPEG" if getattr(image, "format", None) == "JPEG" else "PNG"
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return types.Part.from_bytes(data=buffer.getvalue(), mime_type=f"image/{image_format.lower()}")
