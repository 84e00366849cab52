"""The base every wire type stands on.

Fields are snake_case in Python and lowerCamelCase on the wire; both spellings are accepted on
input, as Google's JSON mapping does. Types validate what users give strictly (an unknown field
is a typo, and a `ValidationError` before anything is sent) but keep what the server sends that
they do not know (a newer API is not an error, and nothing it says is dropped).
"""

from __future__ import annotations

import base64
import binascii
import types
import typing
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.functional_validators import BeforeValidator
from pydantic_core import CoreConfig, SchemaValidator

from genaio.errors import UnknownApiResponseError

__all__ = [
    "WIRE_CONTEXT",
    "Base64Bytes",
    "StandardBase64Bytes",
    "WireModel",
    "wire_prepared",
]

#: Validation context for data that comes from the server: unknown fields are kept.
WIRE_CONTEXT = {"wire": True}


class WireModel(BaseModel):
    """A pydantic model with the API's JSON conventions."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        arbitrary_types_allowed=True,
        ser_json_bytes="base64",
        protected_namespaces=(),
        defer_build=True,
    )

    #: Per class: the fields whose type admits a model, and those model classes.
    _model_valued_fields: ClassVar[dict[str, tuple[type[BaseModel], ...]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        found = {}
        for name, field in cls.model_fields.items():
            classes = tuple(_model_classes(field.annotation))
            if classes:
                found[name] = classes
                if field.alias and field.alias != name:
                    found[field.alias] = classes
        cls._model_valued_fields = found

    def __init__(self, /, **data: Any) -> None:
        """pydantic's, and a model class given where an instance of it goes stands for its
        default instance (`Tool(code_execution=ToolCodeExecution)`), as the official SDK
        allows.

        Marked as pydantic's own `__init__` (`__pydantic_base_init__`, as pydantic marks its
        `RootModel`'s) so that validating nested data does not call it: a class only ever
        arrives as a keyword here, and answers from the server (validated, never constructed)
        pay nothing for it.
        """
        fields = self._model_valued_fields
        if fields:
            for key, value in data.items():
                if isinstance(value, type) and key in fields and issubclass(value, fields[key]):
                    data[key] = value()
        super().__init__(**data)

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="after")
    def _reject_unknown_fields_from_users(self, info: ValidationInfo) -> Self:
        extra = self.__pydantic_extra__
        if extra and not (info.context and info.context.get("wire")):
            names = ", ".join(sorted(extra))
            raise ValueError(f"unknown field(s) for {type(self).__name__}: {names}")
        return self

    @classmethod
    def from_wire(cls, data: Any) -> Self:
        """Parse a server response, keeping the fields this version does not know.

        Raises:
            UnknownApiResponseError: the answer does not have this shape (a server's fault,
                not the caller's: not a `ValidationError`, which means bad input).
        """
        try:
            parsed: Self = _wire_validator(cls).validate_python(data)
        except ValidationError as exc:
            message = f"the answer is not a valid {cls.__name__}: {exc}"
            raise UnknownApiResponseError(message) from exc
        return parsed

    @classmethod
    def prepare_wire(cls) -> None:
        """Build now what `from_wire` builds on first use: the class's validator for answers.

        A class whose schema pydantic deferred (`GenerateContentResponse` and its ~60 nested
        models) takes tens of milliseconds to build (about 55 ms for that one), which is better
        spent while a first call waits for its answer than when the answer has come, in the
        way of every answer behind it (`ActorTree.prepare` runs this when the loop is idle).
        """
        _wire_validator(cls)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object to send: camelCase keys, unset fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json_dict(self) -> dict[str, Any]:
        """The same object with Python (snake_case) names, for logs and `model_dump` users."""
        return self.model_dump(mode="json", exclude_none=True)


#: Per class: its validator for answers from the server, built at its first `from_wire`.
_WIRE_VALIDATORS: dict[type[BaseModel], SchemaValidator] = {}


def _wire_validator(cls: type[WireModel]) -> SchemaValidator:
    """`cls`'s validator without the unknown-field check, for answers from the server.

    The check is a Python callback on every model of an answer (seven in a one-part
    `GenerateContentResponse`), there only to refuse a user's typo, and it passes everything
    the server sends (`WIRE_CONTEXT`). So answers go through a copy of the class's own core
    schema with those callbacks taken out: the same fields, aliases, enums and checks, the same
    classes built, at pydantic-core's speed (2 µs less per one-part answer; about 3 ms once
    per class).
    """
    validator = _WIRE_VALIDATORS.get(cls)
    if validator is None:
        cls.model_rebuild()  # a no-op once built; builds a class still deferred
        schema = _without_user_checks(cls.__pydantic_core_schema__)
        config = CoreConfig(title=cls.__name__)
        validator = _WIRE_VALIDATORS[cls] = SchemaValidator(schema, config)
    return validator


def wire_prepared(cls: type[WireModel]) -> bool:
    """Whether `cls`'s validator for answers is built (by `prepare_wire` or a `from_wire`)."""
    return cls in _WIRE_VALIDATORS


def _without_user_checks(node: Any) -> Any:
    """A copy of a core schema with every `_reject_unknown_fields_from_users` step removed
    (the model schema it wraps keeps the wrapper's `ref`, by which other models refer to it)."""
    if isinstance(node, list):
        return [_without_user_checks(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "function-after" and _is_user_check(node["function"]["function"]):
        inner = _without_user_checks(node["schema"])
        if "ref" in node:
            inner["ref"] = node["ref"]
        return inner
    return {key: _without_user_checks(value) for key, value in node.items()}


def _is_user_check(function: Any) -> bool:
    return getattr(function, "__name__", None) == "_reject_unknown_fields_from_users"


def _model_classes(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation admits directly (`X`, `X | None`, `Union[X, Y]`), not
    inside containers: a class stands for an instance only where one instance goes."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _model_classes(arg)]
    return []


def _decode_base64(value: Any) -> Any:
    """Accept bytes as they are, and str in standard, URL-safe or unpadded base64."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        padded = value + "=" * (-len(value) % 4)
        try:
            return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except binascii.Error as exc:
            raise ValueError("not valid base64") from exc
    return value


#: bytes sent as URL-safe base64 with padding (`Part.inline_data.data`, Live blobs).
Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    PlainSerializer(
        lambda b: base64.urlsafe_b64encode(b).decode("ascii"), return_type=str, when_used="json"
    ),
]

#: bytes sent as standard base64 (`Image.bytesBase64Encoded`, `Video.encodedVideo`).
StandardBase64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    PlainSerializer(
        lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"
    ),
]
