"""Conversation content: `Content`, its `Part`s, and what a part can carry."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import PlainValidator

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._enums import (
    Language,
    Outcome,
    PartMediaResolutionLevel,
    ToolType,
)
from genaio.types._files import File
from genaio.types._function_response import (
    FunctionResponse,
    FunctionResponseBlob,
    FunctionResponseFileData,
    FunctionResponsePart,
)
from genaio.types._part_metadata import (
    AudioMetadata,
    DocumentMetadata,
    MediaProcessing,
    PartMediaResolution,
    SpeechMetadata,
    SpreadsheetMetadata,
    VideoMetadata,
)

if TYPE_CHECKING:
    from genaio.types._images import Image

__all__ = [
    "Blob",
    "CodeExecutionResult",
    "Content",
    "ContentDict",
    "ContentListUnion",
    "ContentListUnionDict",
    "ContentUnion",
    "ContentUnionDict",
    "ExecutableCode",
    "FileData",
    "FunctionCall",
    "FunctionResponse",
    "FunctionResponseBlob",
    "FunctionResponseFileData",
    "FunctionResponsePart",
    "ModelContent",
    "Part",
    "PartDict",
    "PartMediaResolution",
    "PartUnion",
    "PartUnionDict",
    "PartialArg",
    "PilImage",
    "ToolCall",
    "ToolResponse",
    "UserContent",
    "VideoMetadata",
    "is_pil_image",
]


def is_pil_image(value: Any) -> bool:
    """True for a PIL image, without importing PIL (which genaio does not depend on)."""
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(value, module.Image)


def _pil_image(value: Any) -> Any:
    if not is_pil_image(value):
        raise ValueError("not a PIL image")
    return value


#: A PIL image in a pydantic field; accepted only when PIL is installed and the value is one.
PilImage = Annotated[Any, PlainValidator(_pil_image)]


class Blob(WireModel):
    """Inline bytes; `data` travels as URL-safe base64."""

    data: Base64Bytes | None = None
    mime_type: str | None = None
    display_name: str | None = None

    def as_image(self) -> Image | None:
        """These bytes as an `Image`, or None if they are not an image."""
        if not self.data or not self.mime_type or not self.mime_type.startswith("image/"):
            return None
        from genaio.types._images import Image  # _images imports this module

        return Image(image_bytes=self.data, mime_type=self.mime_type)


class FileData(WireModel):
    """A reference to a file by URI (a Files API URI, or gs:// and https:// on Vertex AI)."""

    file_uri: str | None = None
    mime_type: str | None = None
    display_name: str | None = None


class PartialArg(WireModel):
    """A piece of a streamed function call's arguments: the value at `json_path` (one of the
    value fields), and whether more of it follows."""

    json_path: str | None = None
    string_value: str | None = None
    number_value: float | None = None
    bool_value: bool | None = None
    null_value: Literal["NULL_VALUE"] | None = None
    will_continue: bool | None = None


class FunctionCall(WireModel):
    """A call the model asks the client to make."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"partial_args", "will_continue"})

    id: str | None = None
    name: str | None = None
    args: dict[str, Any] | None = None
    partial_args: list[PartialArg] | None = None
    will_continue: bool | None = None


class ExecutableCode(WireModel):
    """Code the model wrote for the code-execution tool."""

    id: str | None = None
    code: str | None = None
    language: Language | None = None


class CodeExecutionResult(WireModel):
    """What running `ExecutableCode` produced."""

    id: str | None = None
    outcome: Outcome | None = None
    output: str | None = None


class ToolCall(WireModel):
    """A call of a built-in tool that the server ran, reported in the answer."""

    id: str | None = None
    tool_type: ToolType | None = None
    args: dict[str, Any] | None = None


class ToolResponse(WireModel):
    """What a built-in tool returned, reported in the answer."""

    id: str | None = None
    tool_type: ToolType | None = None
    response: dict[str, Any] | None = None


class Part(WireModel):
    """One piece of a `Content`. Normally exactly one data field is set."""

    text: str | None = None
    thought: bool | None = None
    thought_signature: Base64Bytes | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    video_metadata: VideoMetadata | None = None
    media_resolution: PartMediaResolution | None = None
    tool_call: ToolCall | None = None
    tool_response: ToolResponse | None = None
    part_metadata: dict[str, Any] | None = None
    audio_transcription: dict[str, Any] | None = None
    media_processing: MediaProcessing | None = None
    audio_metadata: AudioMetadata | None = None
    document_metadata: DocumentMetadata | None = None
    spreadsheet_metadata: SpreadsheetMetadata | None = None
    speech_metadata: SpeechMetadata | None = None

    def __init__(self, value: Any = None, /, **data: Any) -> None:
        """A part from its fields, or (as the official SDK allows) from one value: text, a
        `File`, a part dict or another `Part`."""
        if value is not None:
            if data:
                raise ValueError("pass a Part's value or its fields, not both")
            data = _part_fields(value)
        super().__init__(**data)

    # As WireModel's: validating nested data does not call it (see WireModel.__init__).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def from_text(cls, *, text: str) -> Part:
        return cls(text=text)

    @classmethod
    def from_bytes(
        cls,
        *,
        data: bytes,
        mime_type: str,
        media_resolution: PartMediaResolution | dict[str, Any] | str | None = None,
    ) -> Part:
        return cls(
            inline_data=Blob(data=data, mime_type=mime_type),
            media_resolution=_media_resolution(media_resolution),
        )

    @classmethod
    def from_uri(
        cls,
        *,
        file_uri: str,
        mime_type: str | None = None,
        media_resolution: PartMediaResolution | dict[str, Any] | str | None = None,
    ) -> Part:
        return cls(
            file_data=FileData(file_uri=file_uri, mime_type=mime_type),
            media_resolution=_media_resolution(media_resolution),
        )

    def as_image(self) -> Image | None:
        """The part's inline image as an `Image`, or None if it has none."""
        return self.inline_data.as_image() if self.inline_data is not None else None

    @classmethod
    def from_function_call(cls, *, name: str, args: dict[str, Any]) -> Part:
        return cls(function_call=FunctionCall(name=name, args=args))

    @classmethod
    def from_function_response(
        cls,
        *,
        name: str,
        response: dict[str, Any],
        parts: list[FunctionResponsePart | dict[str, Any]] | None = None,
    ) -> Part:
        items = None if parts is None else [FunctionResponsePart.model_validate(p) for p in parts]
        return cls(function_response=FunctionResponse(name=name, response=response, parts=items))

    @classmethod
    def from_executable_code(cls, *, code: str, language: Language | str) -> Part:
        return cls(executable_code=ExecutableCode(code=code, language=Language(language)))

    @classmethod
    def from_code_execution_result(cls, *, outcome: Outcome | str, output: str) -> Part:
        return cls(
            code_execution_result=CodeExecutionResult(outcome=Outcome(outcome), output=output)
        )


class Content(WireModel):
    """One turn of a conversation: a role (`user` or `model`) and its parts."""

    role: str | None = None
    parts: list[Part] | None = None


class UserContent(Content):
    """A `user` turn: `UserContent(parts)`, the parts as text, `Part`s, part dicts or files."""

    def __init__(self, parts: Any) -> None:
        super().__init__(role="user", parts=_parts(parts))


class ModelContent(Content):
    """A `model` turn: `ModelContent(parts)`, the parts as `UserContent` takes them."""

    def __init__(self, parts: Any) -> None:
        super().__init__(role="model", parts=_parts(parts))


def _part_fields(value: Any) -> dict[str, Any]:
    """The fields of a part given as one value."""
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, File):
        if not value.uri or not value.mime_type:
            raise ValueError(f"file {value.name!r} has no uri or mime_type yet; get it again")
        return {"file_data": FileData(file_uri=value.uri, mime_type=value.mime_type)}
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, Part):
        return {name: getattr(value, name) for name in value.model_fields_set}
    raise TypeError(f"a Part cannot be made from {type(value).__name__}")


def _parts(parts: Any) -> list[Any]:
    """Text and files as parts; `Part`s and dicts are validated by the field."""
    items = parts if isinstance(parts, list) else [parts]
    result: list[Any] = []
    for item in items:
        if isinstance(item, str):
            item = Part(text=item)
        elif isinstance(item, File):
            item = Part.from_uri(file_uri=item.uri or "", mime_type=item.mime_type)
        result.append(item)
    return result


def _media_resolution(value: Any) -> PartMediaResolution | None:
    """A part's media resolution from a `PartMediaResolution`, a dict or a level."""
    if value is None or isinstance(value, PartMediaResolution):
        return value
    if isinstance(value, dict):
        return PartMediaResolution.model_validate(value)
    return PartMediaResolution(level=PartMediaResolutionLevel(value))


PartDict = dict[str, Any]
ContentDict = dict[str, Any]

#: What may stand for one part: a `Part`, a `File`, text (and a PIL image, when PIL is there).
PartUnion = File | Part | str
PartUnionDict = PartUnion | PartDict
#: What may stand for one `Content`.
ContentUnion = Content | list[PartUnion] | PartUnion
ContentUnionDict = ContentUnion | ContentDict | list[PartUnionDict]
#: What `contents=` takes.
ContentListUnion = list[ContentUnion] | ContentUnion
ContentListUnionDict = list[ContentUnionDict] | ContentUnionDict
