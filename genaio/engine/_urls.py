"""URL assembly for both backends (wire spec §1.1 and §14)."""

from __future__ import annotations

from genaio.engine._config import CallOptions, EngineConfig

__all__ = ["build_url"]


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
    if config.vertex and not config.express and not _is_unscoped_vertex(path, method):
        prefix += f"projects/{config.project}/locations/{config.location}/"
    return base + prefix + path


def _is_unscoped_vertex(path: str, method: str) -> bool:
    return path.startswith("projects/") or (method == "GET" and path.startswith("publishers/"))
