"""URL assembly for both backends (wire spec §1.1 and §14)."""

from __future__ import annotations

from genaio.engine._config import CallOptions, EngineConfig

__all__ = ["build_url", "live_url", "resource_name"]


def build_url(
    config: EngineConfig, path: str, *, method: str = "GET", options: CallOptions | None = None
) -> str:
    """The absolute URL of a resource path such as `models/x:generateContent`.

    An absolute `path` (an upload URL handed out by the server) is used as it is; a path that
    starts with `upload/` is an upload endpoint (`upload/{version}/files`).
    """
    if path.startswith(("http://", "https://")):
        return path
    base = (options and options.base_url) or config.base_url
    version = (options and options.api_version) or config.api_version
    if not base.endswith("/"):
        base += "/"
    if config.collection_scope:
        return base + path
    if path.startswith("upload/"):
        # Upload endpoints carry the version after the `upload/` segment.
        return f"{base}upload/{version}/{path.removeprefix('upload/')}"
    prefix = f"{version}/" if version else ""
    return base + prefix + resource_name(config, path, method=method)


def resource_name(config: EngineConfig, path: str, *, method: str = "POST") -> str:
    """`path` as the API names it: on Vertex AI with a project, under `projects/p/locations/l/`
    (a path that names its project, or a GET of a publisher's model, stays as it is; express
    mode has no project)."""
    if config.vertex and not config.express and not _is_unscoped_vertex(path, method):
        return f"projects/{config.project}/locations/{config.location}/{path}"
    return path


def live_url(
    config: EngineConfig,
    options: CallOptions | None,
    *,
    constrained: bool = False,
    music: bool = False,
) -> str:
    """The Live API's websocket URL (wire spec §11): the base URL's scheme as `ws`/`wss`;
    `constrained` for a session opened with an ephemeral token, `music` for Lyria RealTime's
    (both Gemini API only)."""
    base, version = _socket_base(config, options)
    if config.vertex:
        return f"{base}/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent"
    method = "BidiGenerateContentConstrained" if constrained else "BidiGenerateContent"
    if music:
        method = "BidiGenerateMusic"
    return f"{base}/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"


def interactions_live_url(config: EngineConfig, options: CallOptions | None) -> str:
    """The websocket URL of live interactions (`interactions.connect`, Gemini API only)."""
    base, version = _socket_base(config, options)
    return f"{base}/{version}/interactions/live" if version else f"{base}/interactions/live"


def _socket_base(config: EngineConfig, options: CallOptions | None) -> tuple[str, str]:
    """The base URL as a websocket's (`http` -> `ws`, anything else `wss`), and the version."""
    base = ((options and options.base_url) or config.base_url).rstrip("/")
    version = (options and options.api_version) or config.api_version
    scheme, _, rest = base.partition("://")
    return f"{'ws' if scheme in ('http', 'ws') else 'wss'}://{rest}", version


def _is_unscoped_vertex(path: str, method: str) -> bool:
    return path.startswith("projects/") or (method == "GET" and path.startswith("publishers/"))
