"""The `Model` resource and the options of `models.get/list/update/delete`."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import AliasChoices, Field

from genaio.types._base import WireModel
from genaio.types._http import HttpOptions
from genaio.types._responses import HttpResponse

__all__ = [
    "Checkpoint",
    "DeleteModelConfig",
    "DeleteModelConfigDict",
    "DeleteModelResponse",
    "Endpoint",
    "GetModelConfig",
    "GetModelConfigDict",
    "ListModelsConfig",
    "ListModelsConfigDict",
    "ListModelsResponse",
    "Model",
    "TunedModelInfo",
    "UpdateModelConfig",
    "UpdateModelConfigDict",
]


class Endpoint(WireModel):
    name: str | None = None
    deployed_model_id: str | None = None


class TunedModelInfo(WireModel):
    base_model: str | None = None
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None


class Checkpoint(WireModel):
    checkpoint_id: str | None = None
    epoch: int | None = None
    step: int | None = None


class Model(WireModel):
    """A model. The Gemini API's `supportedGenerationMethods` is `supported_actions` here, and
    Vertex AI's `versionId` is `version`."""

    name: str | None = None
    display_name: str | None = None
    description: str | None = None
    version: str | None = Field(default=None, validation_alias=AliasChoices("version", "versionId"))
    endpoints: list[Endpoint] | None = None
    labels: dict[str, str] | None = None
    tuned_model_info: TunedModelInfo | None = None
    input_token_limit: int | None = None
    output_token_limit: int | None = None
    supported_actions: list[str] | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "supported_actions", "supportedActions", "supportedGenerationMethods"
        ),
        serialization_alias="supportedGenerationMethods",
    )
    default_checkpoint_id: str | None = None
    checkpoints: list[Checkpoint] | None = None
    temperature: float | None = None
    max_temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    thinking: bool | None = None


class ListModelsConfig(WireModel):
    """`query_base=False` lists your tuned models instead of the base models."""

    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None
    filter: str | None = None
    query_base: bool | None = None


class ListModelsResponse(WireModel):
    """One page of models; the server's list key is `models`, `tunedModels` or (Vertex AI base
    models) `publisherModels`."""

    next_page_token: str | None = None
    models: list[Model] | None = Field(
        default=None,
        validation_alias=AliasChoices("models", "tunedModels", "publisherModels"),
    )
    sdk_http_response: HttpResponse | None = None


class GetModelConfig(WireModel):
    http_options: HttpOptions | None = None


class UpdateModelConfig(WireModel):
    http_options: HttpOptions | None = None
    display_name: str | None = None
    description: str | None = None
    default_checkpoint_id: str | None = None


class DeleteModelConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteModelResponse(WireModel):
    sdk_http_response: HttpResponse | None = None


ListModelsConfigDict = dict[str, Any]
GetModelConfigDict = dict[str, Any]
UpdateModelConfigDict = dict[str, Any]
DeleteModelConfigDict = dict[str, Any]
