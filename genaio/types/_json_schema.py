"""`JSONSchema`: a JSON Schema document as a typed model (the subset the API reads from
`response_json_schema` and `parameters_json_schema`), beside `Schema`, the API's OpenAPI
subset. Its keys are JSON Schema's own (`anyOf`, `$ref`, `$defs`), types lower-case."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from genaio.types._base import WireModel
from genaio.types._enums import WireEnum

__all__ = ["JSONSchema", "JSONSchemaType"]


class JSONSchemaType(WireEnum):
    """JSON Schema's primitive types (lower-case on the wire, unlike `Type`)."""

    NULL = "null"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"
    NUMBER = "number"
    INTEGER = "integer"
    STRING = "string"


class JSONSchema(WireModel):
    """A schema; `type` is one type or a list of them (`["string", "null"]`)."""

    type: JSONSchemaType | list[JSONSchemaType] | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    default: Any | None = None
    items: JSONSchema | None = None
    min_items: int | None = None
    max_items: int | None = None
    enum: list[Any] | None = None
    properties: dict[str, JSONSchema] | None = None
    required: list[str] | None = None
    min_properties: int | None = None
    max_properties: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    additional_properties: Any | None = None
    any_of: list[JSONSchema] | None = None
    unique_items: bool | None = None
    ref: str | None = Field(default=None, alias="$ref")
    defs: dict[str, JSONSchema] | None = Field(default=None, alias="$defs")
    one_of: list[JSONSchema] | None = None
