"""`client.aio.auth_tokens`: ephemeral tokens for the Live API (Gemini API only).

A token is created with the account's API key on a trusted server and handed to a client,
which passes it as its `api_key` to open Live sessions (REST calls refuse it). The API serves
this under `v1alpha`: build the client with `http_options={"api_version": "v1alpha"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python

from genaio.api._normalize import coerce_config, t_model, t_system_instruction, t_tools
from genaio.api._resource import Resource
from genaio.types import AuthToken, CreateAuthTokenConfig, GenerationConfig

__all__ = ["AsyncTokens"]

#: `LiveConnectConfig` fields that the Live setup carries under `generationConfig`.
_GENERATION = (
    "response_modalities",
    "temperature",
    "top_p",
    "top_k",
    "max_output_tokens",
    "media_resolution",
    "seed",
    "speech_config",
    "thinking_config",
    "enable_affective_dialog",
    "translation_config",
)
#: `LiveConnectConfig` fields at the top of the Live setup, in the setup's order.
_SETUP = (
    "session_resumption",
    "input_audio_transcription",
    "output_audio_transcription",
    "realtime_input_config",
    "context_window_compression",
    "proactivity",
    "history_config",
    "avatar_config",
    "safety_settings",
    "labels",
)


class AsyncTokens(Resource):
    """Ephemeral tokens for the Live API."""

    family = "auth_tokens"

    async def create(
        self, *, config: CreateAuthTokenConfig | Mapping[str, Any] | None = None
    ) -> AuthToken:
        """Create a token: `uses` sessions, opened before `new_session_expire_time`, working
        until `expire_time`, limited to `live_connect_constraints`.

        Cancellation: cancelling the caller cancels the request; a token the server had
        already made simply goes unused.
        """
        if self._vertex:
            raise ValueError("auth_tokens.create is only available on the Gemini API")
        parsed = coerce_config(CreateAuthTokenConfig, config)
        # No fields: an empty body, as the official SDK sends (JSON `null` is not an object).
        call = self._rest(
            "POST",
            "auth_tokens",
            body=_token_body(parsed) or b"",
            options=self._options(parsed),
            idempotent=False,
        )
        return AuthToken.from_wire((await self._request(call)).data)


def _token_body(config: CreateAuthTokenConfig) -> dict[str, Any]:
    """The request, with the Live setup the token allows and the mask of its locked fields.

    `lock_additional_fields` None locks everything the setup sets (no mask is sent); `[]` sends
    the set fields as the mask; names are added to it, generation fields under
    `generationConfig.` when there is a setup, as the official SDK spells them.
    """
    body = config.model_dump(
        mode="json",
        by_alias=True,
        exclude_none=True,
        include={"expire_time", "new_session_expire_time", "uses"},
    )
    constraints = config.live_connect_constraints
    setup = _live_setup(constraints.model, constraints.config) if constraints else {}
    if setup:
        body["bidiGenerateContentSetup"] = setup
    extra = config.lock_additional_fields
    if extra is None or not (setup or extra):
        return body
    if not setup:  # nothing constrained: the names go as they are
        body["fieldMask"] = ",".join(extra)
        return body
    locked: list[str] = []
    for key, value in setup.items():
        nested = isinstance(value, dict) and value
        locked += [f"{key}.{inner}" for inner in value] if nested else [key]
    generation = set(GenerationConfig.model_fields)
    locked += [f"generationConfig.{name}" if name in generation else name for name in extra]
    body["fieldMask"] = ",".join(locked)
    return body


def _live_setup(model: str | None, config: Any) -> dict[str, Any]:
    """The Live API's setup message for `model` and a `LiveConnectConfig` (a dict or model)."""
    fields = _as_dict(config)
    setup: dict[str, Any] = {}
    if model:
        setup["model"] = t_model(model, vertex=False)
    generation = {_camel(k): _wire(v) for k, v in _as_dict(fields.get("generation_config")).items()}
    generation.update(
        {_camel(k): _wire(fields[k]) for k in _GENERATION if fields.get(k) is not None}
    )
    if generation:
        setup["generationConfig"] = generation
    if fields.get("system_instruction") is not None:
        content = t_system_instruction(fields["system_instruction"]).to_wire()
        # Parts first, as the official SDK writes it (the field mask lists them in this order).
        setup["systemInstruction"] = {k: content[k] for k in ("parts", "role") if k in content}
    if fields.get("tools") is not None:
        setup["tools"] = [tool.to_wire() for tool in t_tools(fields["tools"])]
    for name in _SETUP:
        if fields.get(name) is not None:
            # As they are (a list stays a list), JSON-ready (bytes as base64).
            setup[_camel(name)] = to_jsonable_python(fields[name], bytes_mode="base64")
    return setup


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if hasattr(value, "model_dump"):
        dumped: dict[str, Any] = value.model_dump(exclude_none=True)
        return dumped
    return dict(value)


def _wire(value: Any) -> Any:
    return value.to_wire() if hasattr(value, "to_wire") else value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)
