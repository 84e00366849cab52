"""`Schema`: the OpenAPI subset the API uses for structured output and function parameters."""

from __future__ import annotations

import types
from typing import Any, Literal

from pydantic import Field

from genaio.types._base import WireModel
from genaio.types._enums import Type
from genaio.types._json_schema import JSONSchema, JSONSchemaType

__all__ = ["Schema", "SchemaDict", "SchemaUnion"]

# JSON-Schema keywords that map one to one onto a Schema field.
_PLAIN_KEYWORDS = {
    "title": "title",
    "description": "description",
    "format": "format",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "minItems": "min_items",
    "maxItems": "max_items",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minProperties": "min_properties",
    "maxProperties": "max_properties",
    "example": "example",
    "nullable": "nullable",
}


class Schema(WireModel):
    """A data type in the OpenAPI 3.0 subset the API accepts (`type` is upper-case)."""

    type: Type | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    nullable: bool | None = None
    default: Any | None = None
    example: Any | None = None
    enum: list[str] | None = None
    properties: dict[str, Schema] | None = None
    property_ordering: list[str] | None = None
    required: list[str] | None = None
    items: Schema | None = None
    any_of: list[Schema] | None = None
    additional_properties: Any | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_properties: int | None = None
    max_properties: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    ref: str | None = Field(default=None, alias="$ref")
    defs: dict[str, Schema] | None = Field(default=None, alias="$defs")

    @classmethod
    def from_json_schema(
        cls,
        json_schema: dict[str, Any] | JSONSchema,
        *,
        vertex: bool = False,
        api_option: Literal["ENTERPRISE", "GEMINI_API", "VERTEX_AI"] | None = None,
        raise_error_on_unsupported_field: bool = False,
    ) -> Schema:
        """Convert a JSON Schema (a dict as pydantic emits it, or a `JSONSchema`) to a `Schema`.

        `$ref`s are inlined, `anyOf` with `null` becomes `nullable`, enums become string enums
        (the API only has string enums), and keywords the API does not know are dropped, or a
        ValueError with `raise_error_on_unsupported_field`. `additionalProperties` is kept on
        Vertex AI (`vertex=True`, or `api_option` other than `GEMINI_API`, as the SDK names
        it); on the Gemini API `false` (the API's own behaviour) is dropped and anything else
        is a ValueError, since it would be rejected.
        """
        if isinstance(json_schema, JSONSchema):
            json_schema = json_schema.to_wire()
        vertex = vertex or api_option in ("ENTERPRISE", "VERTEX_AI")
        converter = _Converter(
            json_schema.get("$defs", {}), vertex, raise_error_on_unsupported_field
        )
        return converter.convert(json_schema)

    @property
    def json_schema(self) -> JSONSchema:
        """This schema as a JSON Schema: lower-case types, `nullable` as a `null` type, and
        what JSON Schema has no keyword for (`example`, `property_ordering`) left out."""
        fields = self.model_dump(include=_JSON_SCHEMA_FIELDS, exclude_none=True)
        if self.type is not None:
            own = JSONSchemaType(self.type.value.lower())
            fields["type"] = [JSONSchemaType.NULL, own] if self.nullable else own
        if self.items is not None:
            fields["items"] = self.items.json_schema
        if self.properties is not None:
            fields["properties"] = {k: v.json_schema for k, v in self.properties.items()}
        if self.any_of is not None:
            fields["any_of"] = [v.json_schema for v in self.any_of]
        if self.defs is not None:
            fields["defs"] = {k: v.json_schema for k, v in self.defs.items()}
        return JSONSchema(**fields)


SchemaDict = dict[str, Any]
#: What `response_schema=` takes: a `Schema`, a dict, or a Python type (a class, `list[X]`,
#: `X | None`) that pydantic describes.
SchemaUnion = Schema | dict[Any, Any] | type | types.GenericAlias | types.UnionType


#: The fields a `Schema` and a `JSONSchema` share as they are (the rest are converted).
_JSON_SCHEMA_FIELDS = {
    "format",
    "title",
    "description",
    "default",
    "enum",
    "required",
    "min_items",
    "max_items",
    "min_length",
    "max_length",
    "min_properties",
    "max_properties",
    "minimum",
    "maximum",
    "pattern",
    "additional_properties",
    "ref",
}

#: The JSON Schema keywords the conversion reads (the others are dropped, or refused).
_READ_KEYWORDS = _PLAIN_KEYWORDS.keys() | {
    "default",
    "anyOf",
    "oneOf",
    "type",
    "const",
    "enum",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "$ref",
    "$defs",
}


class _Converter:
    """One conversion: holds the `$defs` and the chain of refs being expanded."""

    def __init__(self, defs: dict[str, Any], vertex: bool, strict: bool = False) -> None:
        self._defs = defs
        self._vertex = vertex
        self._strict = strict
        self._expanding: list[str] = []

    def convert(self, node: dict[str, Any]) -> Schema:
        if self._strict and node.keys() - _READ_KEYWORDS:
            unsupported = ", ".join(sorted(node.keys() - _READ_KEYWORDS))
            raise ValueError(f"JSON Schema keyword(s) a Schema has no field for: {unsupported}")
        if "$ref" in node:
            return self._convert_ref(node)
        fields: dict[str, Any] = {}
        for key, name in _PLAIN_KEYWORDS.items():
            if key in node:
                fields[name] = node[key]
        if node.get("default") is not None:
            fields["default"] = node["default"]
        variants = node.get("anyOf") or node.get("oneOf")
        json_type = node.get("type")
        if isinstance(json_type, list):
            # One variant per type, each with the node's other keywords (`properties`...).
            rest = {k: v for k, v in node.items() if k not in ("type", "anyOf", "oneOf")}
            variants = [{**rest, "type": t} if t != "null" else {"type": t} for t in json_type]
            json_type = None
        if variants is not None:
            return self._convert_union(variants, fields)
        if "const" in node:
            fields["enum"] = [_enum_str(node["const"])]
            json_type = "string"
        if "enum" in node:
            fields["enum"] = [_enum_str(v) for v in node["enum"]]
            json_type = "string"
        if json_type is not None:
            fields["type"] = Type(json_type)
        if "items" in node and isinstance(node["items"], dict):
            fields["items"] = self.convert(node["items"])
        if "properties" in node:
            fields["properties"] = {k: self.convert(v) for k, v in node["properties"].items()}
        if "required" in node:
            fields["required"] = list(node["required"])
        self._additional_properties(node, fields)
        return Schema(**fields)

    def _convert_ref(self, node: dict[str, Any]) -> Schema:
        ref = node["$ref"]
        name = ref.rsplit("/", 1)[-1]
        if name in self._expanding:
            raise ValueError(f"recursive schema {name!r} cannot be inlined; pass a JSON schema")
        if name not in self._defs:
            raise ValueError(f"unresolved schema reference {ref!r}")
        self._expanding.append(name)
        try:
            resolved = self.convert(self._defs[name])
        finally:
            self._expanding.pop()
        overlay = {k: v for k, v in node.items() if k != "$ref"}
        if not overlay:
            return resolved
        extra = self.convert(overlay)
        return resolved.model_copy(update={k: getattr(extra, k) for k in extra.model_fields_set})

    def _convert_union(self, variants: list[dict[str, Any]], fields: dict[str, Any]) -> Schema:
        rest = [v for v in variants if v.get("type") != "null"]
        if len(rest) < len(variants):
            fields["nullable"] = True
        if len(rest) == 1:
            inner = self.convert(rest[0])
            return inner.model_copy(update=fields)
        fields["any_of"] = [self.convert(v) for v in rest]
        return Schema(**fields)

    def _additional_properties(self, node: dict[str, Any], fields: dict[str, Any]) -> None:
        extra = node.get("additionalProperties")
        if extra is None:
            return
        if self._vertex:
            fields["additional_properties"] = extra
        elif extra is not False:
            raise ValueError(
                "free-form objects (additionalProperties, e.g. dict[str, X]) need Vertex AI "
                "in response_schema; use response_json_schema on the Gemini API"
            )


def _enum_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
