"""Tools the model may use: function declarations and the built-in tools, and how to call them."""

from __future__ import annotations

import datetime
import inspect
import typing
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import PydanticSchemaGenerationError, TypeAdapter

from genaio.errors import UnsupportedFunctionError
from genaio.types._base import WireModel
from genaio.types._enums import (
    Behavior,
    DynamicRetrievalConfigMode,
    Environment,
    FunctionCallingConfigMode,
    PhishBlockThreshold,
    SafetyPolicy,
)
from genaio.types._loose import LooseModel
from genaio.types._retrieval import AuthConfig, ExternalApi, VertexAISearch, VertexRagStore
from genaio.types._schema import Schema

__all__ = [
    "AutomaticFunctionCallingConfig",
    "AutomaticFunctionCallingConfigDict",
    "ComputerUse",
    "DynamicRetrievalConfig",
    "EnterpriseWebSearch",
    "FileSearch",
    "FunctionCallingConfig",
    "FunctionCallingConfigDict",
    "FunctionDeclaration",
    "FunctionDeclarationDict",
    "GoogleMaps",
    "GoogleMapsGroundingTypes",
    "GoogleMapsPlaces",
    "GoogleMapsRouting",
    "GoogleSearch",
    "GoogleSearchRetrieval",
    "ImageSearch",
    "Interval",
    "LatLng",
    "McpServer",
    "Retrieval",
    "RetrievalConfig",
    "SearchTypes",
    "StreamableHttpTransport",
    "Tool",
    "ToolCodeExecution",
    "ToolConfig",
    "ToolConfigDict",
    "ToolDict",
    "ToolExaAiSearch",
    "ToolListUnion",
    "ToolListUnionDict",
    "ToolParallelAiSearch",
    "ToolUnion",
    "UrlContext",
    "WebSearch",
]

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


class FunctionDeclaration(WireModel):
    """A function the model may call. Give `parameters` (a `Schema`) or a JSON Schema."""

    name: str | None = None
    description: str | None = None
    parameters: Schema | None = None
    parameters_json_schema: Any | None = None
    response: Schema | None = None
    response_json_schema: Any | None = None
    behavior: Behavior | None = None

    @classmethod
    def from_callable(
        cls,
        *,
        client: Any,
        callable: Callable[..., Any],
        behavior: Behavior | None = None,
        use_json_schema: bool = False,
    ) -> FunctionDeclaration:
        """Declare a Python function from its signature, type hints and docstring.

        `client` (a genaio or official SDK client) says the backend: with `use_json_schema`
        False the parameters become a `Schema` in the form that backend accepts; with it True
        (as automatic function calling sends them) a JSON Schema.
        """
        vertex = bool(getattr(client, "vertexai", False))
        return declare_callable(
            callable, behavior=behavior, schema=not use_json_schema, vertex=vertex
        )

    @classmethod
    def from_callable_with_api_option(
        cls,
        *,
        callable: Callable[..., Any],
        api_option: Literal["ENTERPRISE", "GEMINI_API", "VERTEX_AI"] = "GEMINI_API",
        behavior: Behavior | None = None,
        use_json_schema: bool = False,
    ) -> FunctionDeclaration:
        """`from_callable` for a backend named by `api_option` rather than by a client."""
        if api_option not in ("ENTERPRISE", "GEMINI_API", "VERTEX_AI"):
            raise ValueError(
                f"api_option must be ENTERPRISE, GEMINI_API or VERTEX_AI, not {api_option!r}"
            )
        return declare_callable(
            callable,
            behavior=behavior,
            schema=not use_json_schema,
            vertex=api_option != "GEMINI_API",
        )


def function_name(func: Callable[..., Any]) -> str:
    """The name a function is declared and called by."""
    return getattr(func, "__name__", None) or type(func).__name__


def declare_callable(
    func: Callable[..., Any],
    *,
    behavior: Behavior | None = None,
    schema: bool = False,
    vertex: bool = False,
) -> FunctionDeclaration:
    """A function's declaration: its parameters as a JSON Schema object (pydantic's schema of
    each annotation, the parameters without a default `required`; `*args`/`**kwargs` left
    out), or as a `Schema` when `schema` is set; the return annotation as the response's.
    An unannotated parameter is a ValueError: the model could not know what to pass.
    """
    name = function_name(func)
    hints = typing.get_type_hints(func)
    properties: dict[str, Any] = {}
    required: list[str] = []
    defs: dict[str, Any] = {}
    for param in inspect.signature(func).parameters.values():
        if param.kind in _VARIADIC:
            continue
        if param.name not in hints:
            raise UnsupportedFunctionError(
                f"parameter {param.name!r} of {name}() needs a type annotation"
            )
        try:
            adapter = TypeAdapter(hints[param.name])
            property_schema = adapter.json_schema()
        except PydanticSchemaGenerationError as exc:
            raise UnsupportedFunctionError(
                f"parameter {param.name!r} of {name}() has a type with no JSON Schema"
            ) from exc
        defs.update(property_schema.pop("$defs", {}))
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
        else:
            property_schema["default"] = adapter.dump_python(param.default, mode="json")
        properties[param.name] = property_schema
    declaration = FunctionDeclaration(
        name=name, description=inspect.getdoc(func) or "", behavior=behavior
    )
    if properties:
        parameters: dict[str, Any] = {"type": "object", "properties": properties}
        if defs:
            parameters["$defs"] = defs
        parameters["required"] = required
        if schema:
            declaration.parameters = Schema.from_json_schema(parameters, vertex=vertex)
        else:
            declaration.parameters_json_schema = parameters
    if "return" in hints:
        returned = TypeAdapter(hints["return"]).json_schema()
        if schema and vertex:
            declaration.response = Schema.from_json_schema(returned, vertex=vertex)
        elif not schema:
            declaration.response_json_schema = returned
    return declaration


class Interval(LooseModel):
    """A span of time, start inclusive and end exclusive."""

    start_time: datetime.datetime | None = None
    end_time: datetime.datetime | None = None


class WebSearch(LooseModel):
    """Search the web (no settings yet)."""


class ImageSearch(LooseModel):
    """Search images (no settings yet)."""


class SearchTypes(LooseModel):
    """What Google Search searches: the web, images, or both."""

    web_search: WebSearch | None = None
    image_search: ImageSearch | None = None


class GoogleSearch(LooseModel):
    """Ground answers with Google Search."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"blocking_confidence", "exclude_domains"})

    time_range_filter: Interval | None = None
    exclude_domains: list[str] | None = None
    blocking_confidence: str | None = None
    search_types: SearchTypes | None = None


class DynamicRetrievalConfig(LooseModel):
    mode: DynamicRetrievalConfigMode | None = None
    dynamic_threshold: float | None = None


class GoogleSearchRetrieval(LooseModel):
    """The older, threshold-driven Google Search grounding."""

    dynamic_retrieval_config: DynamicRetrievalConfig | None = None


class ToolCodeExecution(LooseModel):
    """Let the model write and run Python."""


class UrlContext(LooseModel):
    """Let the model read URLs given in the prompt."""


class FileSearch(LooseModel):
    """Search File Search stores (Gemini API)."""

    file_search_store_names: list[str] | None = None
    top_k: int | None = None
    metadata_filter: str | None = None


class GoogleMapsPlaces(LooseModel):
    """Ground on places (no settings yet)."""


class GoogleMapsRouting(LooseModel):
    """Ground on routes (no settings yet)."""


class GoogleMapsGroundingTypes(LooseModel):
    """What Google Maps grounds on: places, routes, or both."""

    places: GoogleMapsPlaces | None = None
    routing: GoogleMapsRouting | None = None


class GoogleMaps(LooseModel):
    """Ground answers with Google Maps."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"grounding_types"})

    enable_widget: bool | None = None
    auth_config: AuthConfig | None = None
    grounding_types: GoogleMapsGroundingTypes | None = None


class ComputerUse(LooseModel):
    """Let the model drive a computer through predefined actions."""

    environment: Environment | None = None
    excluded_predefined_functions: list[str] | None = None
    disabled_safety_policies: list[SafetyPolicy] | None = None
    enable_prompt_injection_detection: bool | None = None


class Retrieval(LooseModel):
    """Vertex AI Search, RAG Engine or an external search API (Vertex AI only): set one."""

    vertex_ai_search: VertexAISearch | None = None
    vertex_rag_store: VertexRagStore | None = None
    external_api: ExternalApi | None = None
    disable_attribution: bool | None = None


class EnterpriseWebSearch(LooseModel):
    """Web search with enterprise controls (Vertex AI only)."""

    exclude_domains: list[str] | None = None
    blocking_confidence: PhishBlockThreshold | None = None


class StreamableHttpTransport(LooseModel):
    """How to reach an MCP server over streamable HTTP; durations as `"30s"`."""

    url: str | None = None
    headers: dict[str, str] | None = None
    timeout: str | None = None
    sse_read_timeout: str | None = None
    terminate_on_close: bool | None = None


class McpServer(LooseModel):
    """A remote MCP server the model may use."""

    name: str | None = None
    streamable_http_transport: StreamableHttpTransport | None = None


class ToolParallelAiSearch(LooseModel):
    """Parallel's web search (Vertex AI only)."""

    api_key: str | None = None
    custom_configs: dict[str, Any] | None = None
    enable_data_retention: bool | None = None
    enable_zero_data_retention: bool | None = None


class ToolExaAiSearch(LooseModel):
    """Exa's web search (Vertex AI only)."""

    api_key: str | None = None
    custom_configs: dict[str, Any] | None = None


class Tool(WireModel):
    """One tool: function declarations, or one of the built-in tools."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset(
        {"retrieval", "enterprise_web_search", "parallel_ai_search", "exa_ai_search"}
    )

    function_declarations: list[FunctionDeclaration] | None = None
    google_search: GoogleSearch | None = None
    google_search_retrieval: GoogleSearchRetrieval | None = None
    code_execution: ToolCodeExecution | None = None
    url_context: UrlContext | None = None
    file_search: FileSearch | None = None
    google_maps: GoogleMaps | None = None
    computer_use: ComputerUse | None = None
    mcp_servers: list[McpServer] | None = None
    retrieval: Retrieval | None = None
    enterprise_web_search: EnterpriseWebSearch | None = None
    parallel_ai_search: ToolParallelAiSearch | None = None
    exa_ai_search: ToolExaAiSearch | None = None


class FunctionCallingConfig(WireModel):
    """Whether the model may call functions (`mode`), and which."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"stream_function_call_arguments"})

    mode: FunctionCallingConfigMode | None = None
    allowed_function_names: list[str] | None = None
    stream_function_call_arguments: bool | None = None


class LatLng(WireModel):
    latitude: float | None = None
    longitude: float | None = None


class RetrievalConfig(WireModel):
    """Where the user is, for location-aware tools."""

    lat_lng: LatLng | None = None
    language_code: str | None = None


class ToolConfig(WireModel):
    """Settings shared by all the tools of a request."""

    function_calling_config: FunctionCallingConfig | None = None
    retrieval_config: RetrievalConfig | None = None
    include_server_side_tool_invocations: bool | None = None


class AutomaticFunctionCallingConfig(WireModel):
    """Client-side: whether genaio calls Python tools itself, and how many rounds at most."""

    disable: bool | None = None
    maximum_remote_calls: int | None = None
    ignore_call_history: bool | None = None


ToolDict = dict[str, Any]
ToolConfigDict = dict[str, Any]
FunctionDeclarationDict = dict[str, Any]
FunctionCallingConfigDict = dict[str, Any]
AutomaticFunctionCallingConfigDict = dict[str, Any]
#: One tool: a `Tool`, or a plain Python function.
ToolUnion = Tool | Callable[..., Any]
#: What `tools=` takes: `Tool`s and plain Python functions.
ToolListUnion = list[ToolUnion]
ToolListUnionDict = list[Tool | ToolDict | Callable[..., Any]]
