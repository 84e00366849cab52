"""`client.aio.models`: generate, stream, embed, count tokens, get and list models."""

from __future__ import annotations

from typing import Any

from genaio.api import _bodies, _normalize
from genaio.api._resource import Resource
from genaio.api._streams import ResponseStream
from genaio.api.pagers import AsyncPager
from genaio.engine import RestCall, estimate_tokens
from genaio.types import (
    CountTokensConfig,
    CountTokensResponse,
    EmbedContentConfig,
    EmbedContentResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    GetModelConfig,
    HttpResponse,
    ListModelsConfig,
    Model,
)

__all__ = ["AsyncModels"]


class AsyncModels(Resource):
    """The Models API, served by the models actor (rate limited per model)."""

    family = "models"

    async def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> GenerateContentResponse:
        """Generate a response to `contents`.

        Cancellation: cancelling the caller cancels the request and frees its connection.
        """
        call, name = self._generate_call(model, contents, config, ":generateContent")
        answer = await self._json(call, rate_key=name, tokens=estimate_tokens(call.body))
        response = GenerateContentResponse.from_wire(answer.data)
        response.sdk_http_response = HttpResponse(headers=dict(answer.headers))
        return _bodies.attach_parsed(response, config)

    async def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> ResponseStream[GenerateContentResponse]:
        """Open a stream of response chunks: `async for chunk in await ...`.

        Cancellation: cancelling the caller (or closing the stream) ends the request and frees
        its connection; nothing is retried once the first chunk has arrived.
        """
        call, name = self._generate_call(
            model, contents, config, ":streamGenerateContent", query={"alt": "sse"}
        )

        def parse(event: Any) -> GenerateContentResponse:
            return _bodies.attach_parsed(GenerateContentResponse.from_wire(event), config)

        return await self._stream(call, parse, rate_key=name, tokens=estimate_tokens(call.body))

    async def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | dict[str, Any] | None = None,
    ) -> EmbedContentResponse:
        """Embed one content or many (one embedding per list element)."""
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(EmbedContentConfig, config)
        verb, body = _bodies.embed_content_body(name, contents, parsed_config, vertex=self._vertex)
        call = RestCall("POST", f"{name}:{verb}", body=body, options=self._options(parsed_config))
        answer = await self._json(call, rate_key=name, tokens=estimate_tokens(body))
        return _bodies.parse_embed_response(verb, answer.data)

    async def count_tokens(
        self, *, model: str, contents: Any, config: CountTokensConfig | dict[str, Any] | None = None
    ) -> CountTokensResponse:
        """Count the tokens of `contents` as the model would."""
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(CountTokensConfig, config)
        body = _bodies.count_tokens_body(contents, parsed_config, vertex=self._vertex)
        call = RestCall(
            "POST", f"{name}:countTokens", body=body, options=self._options(parsed_config)
        )
        answer = await self._json(call)
        return CountTokensResponse.from_wire(answer.data)

    async def get(
        self, *, model: str, config: GetModelConfig | dict[str, Any] | None = None
    ) -> Model:
        """A model's metadata."""
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(GetModelConfig, config)
        answer = await self._json(RestCall("GET", name, options=self._options(parsed_config)))
        return Model.from_wire(answer.data)

    async def list(
        self, *, config: ListModelsConfig | dict[str, Any] | None = None
    ) -> AsyncPager[Model]:
        """Base models (or, with `query_base=False`, tuned models), page by page."""
        parsed_config = _normalize.coerce_config(ListModelsConfig, config)
        options = self._options(parsed_config)
        path, items_key = _bodies.list_models_path(parsed_config, vertex=self._vertex)

        def page_call(page_config: dict[str, Any]) -> RestCall:
            query = _bodies.list_models_query(page_config, vertex=self._vertex)
            return RestCall("GET", path, query=query, options=options)

        config_dict = parsed_config.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager("models", page_call, items_key, Model.from_wire, config_dict)

    def _generate_call(
        self,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None,
        verb: str,
        query: dict[str, str] | None = None,
    ) -> tuple[RestCall, str]:
        """The call and its model; `config` goes to the body builder as the caller gave it
        (None and `{}` send no `generationConfig`, as the official SDK does)."""
        name = _normalize.t_model(model, vertex=self._vertex)
        body = _bodies.generate_content_body(contents, config, vertex=self._vertex)
        call = RestCall("POST", name + verb, query=query, body=body, options=self._options(config))
        return call, name
