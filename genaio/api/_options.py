"""Client arguments and the environment, resolved once into the engine's configuration.

The official SDK's names, environment variables and precedence: explicit arguments win, then
the environment; `GOOGLE_API_KEY` before `GEMINI_API_KEY`; `GOOGLE_GENAI_USE_ENTERPRISE`, then
`GOOGLE_GENAI_USE_VERTEXAI`, only when neither `enterprise` nor `vertexai` is passed; base URLs
from `HttpOptions.base_url`, else `GOOGLE_GEMINI_BASE_URL` / `GOOGLE_VERTEX_BASE_URL`.
"""

from __future__ import annotations

import os
import platform
import warnings
from collections.abc import Mapping
from typing import Any

from genaio import __version__
from genaio._log import get_logger
from genaio.engine import (
    ApiKeyAuth,
    Auth,
    CallOptions,
    EngineConfig,
    GoogleCredentialsAuth,
    RetryPolicy,
)
from genaio.types import DebugConfig, HttpOptions, HttpRetryOptions

__all__ = ["call_options", "coerce_http_options", "resolve"]

log = get_logger("genaio.client")

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/"
GEMINI_API_VERSION = "v1"  # as the official SDK 3.4.0
VERTEX_API_VERSION = "v1beta1"
_CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
USER_AGENT = f"genaio/{__version__} gl-python/{platform.python_version()}"


def resolve(
    *,
    api_key: str | None,
    vertexai: bool | None,
    project: str | None,
    location: str | None,
    credentials: Any,
    http_options: HttpOptions | Mapping[str, Any] | None,
    enterprise: bool | None = None,
    debug_config: DebugConfig | Mapping[str, Any] | None = None,
) -> tuple[EngineConfig, Auth]:
    """The engine configuration and credentials for these arguments and this environment.

    Raises:
        ValueError: conflicting or missing credentials, options that do not fit the backend,
            `enterprise` and `vertexai` both given and different, a bad `debug_config`.
        NotImplementedError: a `debug_config` mode of the SDK's record/replay harness.
    """
    _check_debug_config(debug_config)
    if enterprise is not None and vertexai is not None and enterprise != vertexai:
        raise ValueError(
            f"enterprise={enterprise} and vertexai={vertexai} conflict: vertexai is the old "
            "name of enterprise; pass only enterprise"
        )
    vertexai = enterprise if enterprise is not None else vertexai
    options = coerce_http_options(http_options) or HttpOptions()
    if vertexai is None:
        vertexai = _vertex_from_env()
    if credentials is not None and api_key:
        raise ValueError("credentials and api_key are mutually exclusive; pass one of them")
    if vertexai:
        return _vertex(api_key, project, location, credentials, options)
    if project or location:
        raise ValueError("project and location are for Vertex AI; pass vertexai=True to use them")
    if credentials is not None:
        raise ValueError("credentials are for Vertex AI; the Gemini API takes an api_key")
    api_key = api_key or _api_key_from_env()
    if not api_key:
        raise ValueError(
            "no API key: pass api_key=..., or set GOOGLE_API_KEY or GEMINI_API_KEY "
            "(or use Vertex AI with vertexai=True)"
        )
    base_url = options.base_url or _env("GOOGLE_GEMINI_BASE_URL") or GEMINI_BASE_URL
    version = options.api_version or _version_from_env(vertex=False) or GEMINI_API_VERSION
    return _config(options, base_url, version, vertex=False), ApiKeyAuth(api_key)


def _vertex(
    api_key: str | None,
    project: str | None,
    location: str | None,
    credentials: Any,
    options: HttpOptions,
) -> tuple[EngineConfig, Auth]:
    """Express mode (an API key) or a project and location with OAuth credentials.

    Explicit arguments decide first: a key with a project or location is a conflict; a key alone
    is express mode; a project, location or credentials ignore any key in the environment.
    Otherwise the environment's project/location win over its key.
    """
    if api_key and (project or location):
        raise ValueError("project/location and api_key are mutually exclusive on Vertex AI")
    if not (api_key or project or location or credentials):
        project, location = _env("GOOGLE_CLOUD_PROJECT"), _env("GOOGLE_CLOUD_LOCATION")
        if not (project or location):
            api_key = _api_key_from_env()
    elif not api_key:
        project = project or _env("GOOGLE_CLOUD_PROJECT")
        location = location or _env("GOOGLE_CLOUD_LOCATION")
    version = options.api_version or _version_from_env(vertex=True) or VERTEX_API_VERSION
    env_base = _env("GOOGLE_VERTEX_BASE_URL")
    if api_key:
        base_url = options.base_url or env_base or "https://aiplatform.googleapis.com/"
        config = _config(options, base_url, version, vertex=True, express=True)
        return config, ApiKeyAuth(api_key)
    if credentials is None:
        credentials, default_project = _default_credentials()
        project = project or default_project
    if not project:
        raise ValueError(
            "Vertex AI needs a project: pass project=..., set GOOGLE_CLOUD_PROJECT, or use "
            "credentials that name one"
        )
    location = location or "global"
    base_url = options.base_url or env_base or _vertex_base_url(location)
    config = _config(options, base_url, version, vertex=True, project=project, location=location)
    return config, GoogleCredentialsAuth(credentials)


def _config(
    options: HttpOptions, base_url: str, version: str, *, vertex: bool, **fields: Any
) -> EngineConfig:
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "x-goog-api-client": USER_AGENT,
    }
    for key, value in (options.headers or {}).items():
        if key.lower() in ("user-agent", "x-goog-api-client"):
            value = f"{USER_AGENT} {value}"
        headers[key.lower()] = value
    return EngineConfig(
        base_url=base_url,
        api_version=version,
        vertex=vertex,
        collection_scope=options.base_url_resource_scope == "COLLECTION",
        headers=headers,
        timeout=options.timeout / 1000 if options.timeout else None,
        retry=retry_policy(options.retry_options),
        extra_body=options.extra_body,
        client_args=options.async_client_args or {},
        injected_client=options.httpx_async_client,
        **fields,
    )


def retry_policy(options: HttpRetryOptions | None) -> RetryPolicy:
    """The engine's policy: genaio's defaults, with whatever fields the caller set."""
    default = RetryPolicy()
    if options is None:
        return default
    return RetryPolicy(
        attempts=max(1, options.attempts) if options.attempts is not None else default.attempts,
        initial_delay=_or(options.initial_delay, default.initial_delay),
        max_delay=_or(options.max_delay, default.max_delay),
        exp_base=_or(options.exp_base, default.exp_base),
        jitter=_or(options.jitter, default.jitter),
        status_codes=(
            frozenset(options.http_status_codes)
            if options.http_status_codes is not None
            else default.status_codes
        ),
    )


def coerce_http_options(value: HttpOptions | Mapping[str, Any] | None) -> HttpOptions | None:
    if value is None or isinstance(value, HttpOptions):
        return value
    if isinstance(value, Mapping):
        return HttpOptions.model_validate(dict(value))
    raise TypeError(f"http_options must be HttpOptions or a dict, not {type(value).__name__}")


def call_options(value: HttpOptions | Mapping[str, Any] | None) -> CallOptions | None:
    """A per-call `config.http_options` as the engine's override."""
    options = coerce_http_options(value)
    if options is None:
        return None
    return CallOptions(
        base_url=options.base_url,
        api_version=options.api_version,
        headers={k.lower(): v for k, v in (options.headers or {}).items()} or None,
        timeout=options.timeout / 1000 if options.timeout else None,
        retry=retry_policy(options.retry_options) if options.retry_options else None,
        extra_body=options.extra_body,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _vertex_base_url(location: str) -> str:
    if location == "global":
        return "https://aiplatform.googleapis.com/"
    if location in ("us", "eu"):
        return f"https://aiplatform.{location}.rep.googleapis.com/"
    return f"https://{location}-aiplatform.googleapis.com/"


def _default_credentials() -> tuple[Any, str | None]:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        return google.auth.default(scopes=[_CLOUD_PLATFORM_SCOPE])
    except DefaultCredentialsError as exc:
        raise ValueError(f"Vertex AI needs Google credentials: {exc}") from exc


def _api_key_from_env() -> str | None:
    google, gemini = _env("GOOGLE_API_KEY"), _env("GEMINI_API_KEY")
    if google and gemini:
        log.warning("both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY")
    return google or gemini


def _version_from_env(*, vertex: bool) -> str | None:
    value = _env("GOOGLE_GENAI_API_VERSION")
    if value == "beta":
        return "v1beta1" if vertex else "v1beta"
    return value


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _vertex_from_env() -> bool:
    """`GOOGLE_GENAI_USE_ENTERPRISE`, else `GOOGLE_GENAI_USE_VERTEXAI`: "true" or "1" (any
    case) is True; any other value, even empty, is False and still decides, as the SDK."""
    enterprise = os.environ.get("GOOGLE_GENAI_USE_ENTERPRISE")
    legacy = os.environ.get("GOOGLE_GENAI_USE_VERTEXAI")
    flags = [value.lower() in ("true", "1") for value in (enterprise, legacy) if value is not None]
    if len(flags) == 2 and flags[0] != flags[1]:
        warnings.warn(
            "GOOGLE_GENAI_USE_ENTERPRISE and GOOGLE_GENAI_USE_VERTEXAI conflict; "
            "GOOGLE_GENAI_USE_ENTERPRISE decides",
            UserWarning,
            stacklevel=4,
        )
    return flags[0] if flags else False


#: The modes of google-genai's record/replay test harness (`debug_config.client_mode`).
_REPLAY_MODES = ("record", "replay", "auto")


def _check_debug_config(debug_config: DebugConfig | Mapping[str, Any] | None) -> None:
    """Accept the debug options that leave the client as it is (no mode, or "api": the real
    calls); refuse the SDK's record/replay modes, which genaio does not have, loudly.

    The options come from the argument, else the environment (`DebugConfig`'s defaults).
    """
    if debug_config is None:
        debug_config = DebugConfig()
    elif isinstance(debug_config, Mapping):
        debug_config = DebugConfig.model_validate(debug_config)
    elif not isinstance(debug_config, DebugConfig):
        raise TypeError(
            f"debug_config must be a genaio.types.DebugConfig or a dict, "
            f"not {type(debug_config).__name__}"
        )
    mode = debug_config.client_mode
    if mode in _REPLAY_MODES:
        raise NotImplementedError(
            f"debug_config client_mode={mode!r} (google-genai's record/replay harness, also set "
            "by GOOGLE_GENAI_CLIENT_MODE) is not in genaio: test against genaio's emulator "
            "instead, see docs/testing-your-app.md"
        )
    if mode not in (None, "api"):
        raise ValueError(
            f"debug_config client_mode={mode!r} is not a mode; the modes are "
            "'api', 'record', 'replay', 'auto'"
        )
