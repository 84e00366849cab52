"""`client.aio.models`: generate, stream, embed, count and compute tokens, get, list, update
and delete models, make images (Imagen) and videos (Veo)."""

from __future__ import annotations

import builtins
import functools
from collections.abc import AsyncIterable, Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from genaio.actors import Batchable
from genaio.api import _bodies, _function_calling, _media, _normalize
from genaio.api._embed_many import EmbedMany
from genaio.api._function_calling import CallingStream
from genaio.api._resource import Resource
from genaio.api._streams import ResponseStream
from genaio.api.pagers import AsyncPager
from genaio.engine import JsonAnswer, RestCall, estimate_tokens
from genaio.types import (
    ComputeTokensConfig,
    ComputeTokensResponse,
    CountTokensConfig,
    CountTokensResponse,
    DeleteModelConfig,
    DeleteModelResponse,
    EditImageConfig,
    EditImageResponse,
    EmbedContentConfig,
    EmbedContentResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    GeneratedImage,
    GenerateImagesConfig,
    GenerateImagesResponse,
    GenerateVideosConfig,
    GenerateVideosOperation,
    GenerateVideosSource,
    GetModelConfig,
    HttpResponse,
    Image,
    ListModelsConfig,
    Model,
    RecontextImageConfig,
    RecontextImageResponse,
    RecontextImageSource,
    SegmentImageConfig,
    SegmentImageResponse,
    SegmentImageSource,
    UpdateModelConfig,
    UpscaleImageConfig,
    UpscaleImageResponse,
    Video,
)

_ImagesResponse = TypeVar(
    "_ImagesResponse", EditImageResponse, UpscaleImageResponse, RecontextImageResponse
)

__all__ = ["AsyncModels"]

#: How each embedding endpoint's calls merge: the request's list of entries, the answer's list.
_BATCHABLE = {
    "batchEmbedContents": Batchable("requests", "embeddings"),
    "predict": Batchable("instances", "predictions"),
}

T = TypeVar("T", ComputeTokensResponse, DeleteModelResponse)


class AsyncModels(Resource):
    """The Models API, served by the models actor (rate limited per model)."""

    family = "models"

    async def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None = None,
    ) -> GenerateContentResponse:
        """Generate a response to `contents`.

        Python functions in `config.tools` are called for the model and their results sent
        back until it answers (automatic function calling: see docs/function-calling.md).

        Cancellation: cancelling the caller cancels the request (or the function running)
        and frees its connection.
        """
        calling = _function_calling.plan(config, vertex=self._vertex)
        if calling.calls:
            return await calling.generate(contents, functools.partial(self._generate, model))
        response = await self._generate(model, contents, config)
        if calling.keep_history:
            response.automatic_function_calling_history = []  # as the official SDK has it
        return response

    async def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None = None,
    ) -> ResponseStream[GenerateContentResponse] | CallingStream:
        """Open a stream of response chunks: `async for chunk in await ...`.

        With Python functions in `config.tools`, the chunks of every round of automatic
        function calling come in one stream.

        Cancellation: cancelling the caller (or closing the stream) ends the request and frees
        its connection; nothing is retried once the first chunk has arrived.
        """
        calling = _function_calling.plan(config, stream=True, vertex=self._vertex)
        open_stream = functools.partial(self._generate_stream, model)
        if not calling.calls:
            return await open_stream(contents, config)
        return await calling.stream(contents, open_stream)

    async def _generate(
        self, model: str, contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
    ) -> GenerateContentResponse:
        """One `generateContent` request."""
        call, name, tokens = self._generate_call(model, contents, config, ":generateContent")
        answer = await self._request(call, rate_key=name, tokens=tokens)
        response = GenerateContentResponse.from_wire(answer.data)
        response.sdk_http_response = HttpResponse.of(answer.headers)
        return _bodies.attach_parsed(response, config)

    async def _generate_stream(
        self, model: str, contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
    ) -> ResponseStream[GenerateContentResponse]:
        """One `streamGenerateContent` request."""
        call, name, tokens = self._generate_call(
            model, contents, config, ":streamGenerateContent", query={"alt": "sse"}
        )

        def parse(event: Any) -> GenerateContentResponse:
            return _bodies.attach_parsed(GenerateContentResponse.from_wire(event), config)

        return await self._stream(call, parse, rate_key=name, tokens=tokens)

    async def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | Mapping[str, Any] | None = None,
    ) -> EmbedContentResponse:
        """Embed one content or many (one embedding per list element).

        Concurrent calls for the same model share batch requests (see `genaio.Limits.batching`):
        many callers embedding one text each cost a few requests, not one each.

        Cancellation: cancelling the caller withdraws its entry; a batch request it shares is
        cancelled only when every caller in it has gone.
        """
        verb, answering = self._embed(model, contents, config)
        answer = await answering
        return _bodies.parse_embed_response(verb, answer.data)

    def _embed(
        self, model: str, contents: Any, config: Any
    ) -> tuple[str, Coroutine[Any, Any, JsonAnswer]]:
        """The verb `embed_content` calls, and the coroutine that calls it. Built here, the
        body and the `RestCall` are not kept by `embed_content`'s frame while it waits."""
        name = _normalize.t_model(model, vertex=self._vertex)
        verb, body = _bodies.embed_content_body(name, contents, config, vertex=self._vertex)
        options = self._options(config)
        # Calls with their own http_options keep them to themselves.
        batchable = _BATCHABLE.get(verb) if options is None else None
        path, tokens = f"{name}:{verb}", estimate_tokens(body)
        if batchable is None:
            call = self._rest("POST", path, body=body, options=options)
        else:  # its entries are written as it joins a batch (the coalescer's `Member.of`)
            call = RestCall("POST", path, body=body)
        return verb, self._request(call, rate_key=name, tokens=tokens, batchable=batchable)

    def embed_many(
        self,
        *,
        model: str,
        contents: Iterable[Any] | AsyncIterable[Any],
        config: EmbedContentConfig | Mapping[str, Any] | None = None,
        max_in_flight: int = 2000,
    ) -> EmbedMany:
        """Embed every item of a (sync or async) iterable, in memory bounded by what is in flight.

            async with client.aio.models.embed_many(model=m, contents=texts) as results:
                async for result in results:  # as they finish, each with its input `index`
                    ...

        Each item is one `embed_content` call (coalesced into batch requests); an item's error
        is its result's `error`, and the others go on. Leaving the block early cancels the rest.
        """
        return EmbedMany(
            self, model=model, contents=contents, config=config, max_in_flight=max_in_flight
        )

    async def count_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: CountTokensConfig | Mapping[str, Any] | None = None,
    ) -> CountTokensResponse:
        """Count the tokens of `contents` as the model would."""
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(CountTokensConfig, config)
        body = _bodies.count_tokens_body(contents, parsed_config, vertex=self._vertex)
        call = self._rest(
            "POST", f"{name}:countTokens", body=body, options=self._options(parsed_config)
        )
        answer = await self._request(call)
        return CountTokensResponse.from_wire(answer.data)

    async def compute_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: ComputeTokensConfig | Mapping[str, Any] | None = None,
    ) -> ComputeTokensResponse:
        """The tokens (ids and bytes) of each content; Vertex AI only.

        Cancellation: cancelling the caller cancels the request.
        """
        name = _normalize.t_model(model, vertex=self._vertex)
        body = _bodies.compute_tokens_body(contents, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(ComputeTokensConfig, config)
        call = self._rest(
            "POST", f"{name}:computeTokens", body=body, options=self._options(parsed_config)
        )
        return _with_headers(ComputeTokensResponse, await self._request(call))

    async def get(
        self, *, model: str, config: GetModelConfig | Mapping[str, Any] | None = None
    ) -> Model:
        """A model's metadata."""
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(GetModelConfig, config)
        answer = await self._request(self._rest("GET", name, options=self._options(parsed_config)))
        return Model.from_wire(answer.data)

    async def list(
        self, *, config: ListModelsConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[Model]:
        """Base models (or, with `query_base=False`, tuned models), page by page."""
        parsed_config = _normalize.coerce_config(ListModelsConfig, config)
        options = self._options(parsed_config)
        path, items_key = _bodies.list_models_path(parsed_config, vertex=self._vertex)

        def page_call(page_config: dict[str, Any]) -> RestCall:
            query = _bodies.list_models_query(page_config, vertex=self._vertex)
            return self._rest("GET", path, query=query, options=options)

        config_dict = parsed_config.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager("models", page_call, items_key, Model.from_wire, config_dict)

    async def update(
        self, *, model: str, config: UpdateModelConfig | Mapping[str, Any] | None = None
    ) -> Model:
        """Change a tuned model's display name, description or default checkpoint.

        Cancellation: cancelling the caller cancels the request; the change may still land.
        """
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(UpdateModelConfig, config)
        body = _bodies.update_model_body(parsed_config)
        call = self._rest("PATCH", name, body=body, options=self._options(parsed_config))
        return Model.from_wire((await self._request(call)).data)

    async def delete(
        self, *, model: str, config: DeleteModelConfig | Mapping[str, Any] | None = None
    ) -> DeleteModelResponse:
        """Delete a tuned model.

        Cancellation: cancelling the caller cancels the request; the deletion may still land.
        """
        name = _normalize.t_model(model, vertex=self._vertex)
        parsed_config = _normalize.coerce_config(DeleteModelConfig, config)
        call = self._rest("DELETE", name, options=self._options(parsed_config))
        return _with_headers(DeleteModelResponse, await self._request(call))

    async def generate_images(
        self,
        *,
        model: str,
        prompt: str,
        config: GenerateImagesConfig | Mapping[str, Any] | None = None,
    ) -> GenerateImagesResponse:
        """Images from a prompt (Imagen); Vertex AI only, as in the official SDK 3.4.

        Cancellation: cancelling the caller cancels the request.
        """
        _media.vertex_only("generate_images", vertex=self._vertex)
        body = _media.generate_images_body(prompt, config)
        answer = await self._predict(model, body, config)
        images = _media.parse_images(answer.data)
        rating = [i for i in images if _is_prompt_rating(i)]
        return GenerateImagesResponse(
            generated_images=[i for i in images if not _is_prompt_rating(i)],
            positive_prompt_safety_attributes=rating[0].safety_attributes if rating else None,
            sdk_http_response=HttpResponse.of(answer.headers),
        )

    async def edit_image(
        self,
        *,
        model: str,
        prompt: str,
        # builtins': in this class body `list` is the method above.
        reference_images: builtins.list[Any],
        config: EditImageConfig | Mapping[str, Any] | None = None,
    ) -> EditImageResponse:
        """Edit images (inpaint, outpaint, restyle...) from reference images; Vertex AI only.

        Cancellation: cancelling the caller cancels the request.
        """
        _media.vertex_only("edit_image", vertex=self._vertex)
        body = _media.edit_image_body(prompt, reference_images, config)
        return await self._predict_images(EditImageResponse, model, body, config)

    async def upscale_image(
        self,
        *,
        model: str,
        image: Image | Mapping[str, Any],
        upscale_factor: str,
        config: UpscaleImageConfig | Mapping[str, Any] | None = None,
    ) -> UpscaleImageResponse:
        """Upscale an image by `upscale_factor` (`x2` or `x4`); Vertex AI only.

        Cancellation: cancelling the caller cancels the request.
        """
        _media.vertex_only("upscale_image", vertex=self._vertex)
        body = _media.upscale_image_body(image, upscale_factor, config)
        return await self._predict_images(UpscaleImageResponse, model, body, config)

    async def recontext_image(
        self,
        *,
        model: str,
        source: RecontextImageSource | Mapping[str, Any],
        config: RecontextImageConfig | Mapping[str, Any] | None = None,
    ) -> RecontextImageResponse:
        """Put a product (or a person) into a new scene; Vertex AI only.

        Cancellation: cancelling the caller cancels the request.
        """
        _media.vertex_only("recontext_image", vertex=self._vertex)
        body = _media.recontext_image_body(source, config)
        return await self._predict_images(RecontextImageResponse, model, body, config)

    async def segment_image(
        self,
        *,
        model: str,
        source: SegmentImageSource | Mapping[str, Any],
        config: SegmentImageConfig | Mapping[str, Any] | None = None,
    ) -> SegmentImageResponse:
        """Masks of an image's foreground, background, or what a prompt names; Vertex AI only.

        Cancellation: cancelling the caller cancels the request.
        """
        _media.vertex_only("segment_image", vertex=self._vertex)
        body = _media.segment_image_body(source, config)
        answer = await self._predict(model, body, config)
        return SegmentImageResponse(
            generated_masks=_media.parse_masks(answer.data),
            sdk_http_response=HttpResponse.of(answer.headers),
        )

    async def generate_videos(
        self,
        *,
        model: str,
        prompt: str | None = None,
        image: Image | Mapping[str, Any] | None = None,
        video: Video | Mapping[str, Any] | None = None,
        source: GenerateVideosSource | Mapping[str, Any] | None = None,
        config: GenerateVideosConfig | Mapping[str, Any] | None = None,
    ) -> GenerateVideosOperation:
        """Start making videos (Veo); Vertex AI only, as in the official SDK 3.4.

        Returns the long-running operation at once; refresh it with
        `client.aio.operations.get(operation)` until `done`, then read `operation.result`.

        Cancellation: cancelling the caller cancels the request; if the server already
        started the operation, it runs on.
        """
        _media.vertex_only("generate_videos", vertex=self._vertex)
        if source is None:
            # Validated, not constructed: `image` and `video` may be dicts.
            source = GenerateVideosSource.model_validate(
                {"prompt": prompt, "image": image, "video": video}
            )
        elif prompt is not None or image is not None or video is not None:
            raise ValueError("pass either source or prompt/image/video, not both")
        name = _normalize.t_model(model, vertex=self._vertex)
        body = _media.generate_videos_body(source, config)
        call = self._rest(
            "POST",
            f"{name}:predictLongRunning",
            body=body,
            options=self._options(config),
            idempotent=False,
        )
        return GenerateVideosOperation.from_wire((await self._request(call, rate_key=name)).data)

    async def _predict_images(
        self, response_type: type[_ImagesResponse], model: str, body: dict[str, Any], config: Any
    ) -> _ImagesResponse:
        """A `:predict` call whose answer is a list of images, as `response_type`."""
        answer = await self._predict(model, body, config)
        return response_type(
            generated_images=_media.parse_images(answer.data),
            sdk_http_response=HttpResponse.of(answer.headers),
        )

    async def _predict(self, model: str, body: dict[str, Any], config: Any) -> JsonAnswer:
        """One `:predict` call, charged to the model's rate limit."""
        name = _normalize.t_model(model, vertex=self._vertex)
        call = self._rest("POST", f"{name}:predict", body=body, options=self._options(config))
        return await self._request(call, rate_key=name)

    def _generate_call(
        self,
        model: str,
        contents: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None,
        verb: str,
        query: dict[str, str] | None = None,
    ) -> tuple[RestCall, str, int]:
        """The call, its model and its estimated tokens; `config` goes to the body builder as
        the caller gave it (None and `{}` send no `generationConfig`, as the official SDK does)."""
        name = _normalize.t_model(model, vertex=self._vertex)
        body = _bodies.generate_content_body(contents, config, vertex=self._vertex)
        self._prepare_answers(GenerateContentResponse)
        call = self._rest(
            "POST", name + verb, query=query, body=body, options=self._options(config)
        )
        return call, name, estimate_tokens(body)


def _with_headers(cls: type[T], answer: JsonAnswer) -> T:
    """`cls` from the answer's body, with its headers as `sdk_http_response`."""
    response = cls.from_wire(answer.data)
    response.sdk_http_response = HttpResponse.of(answer.headers)
    return response


def _is_prompt_rating(image: GeneratedImage) -> bool:
    """A prediction that rates the prompt instead of being an image."""
    attributes = image.safety_attributes
    return attributes is not None and attributes.content_type == "Positive Prompt"
