"""What actors use to do the work: transport, retries, rate limits, SSE, credentials.

Each name is imported from its module the first time it is used: a client is created with the
configuration's few modules, and the transport (and httpx) is imported when its actor tree opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genaio._lazy import lazy_names

if TYPE_CHECKING:
    from genaio.engine._auth import ApiKeyAuth, Auth, GoogleCredentialsAuth, NoAuth
    from genaio.engine._calls import DeferredBody, JsonAnswer, RestCall
    from genaio.engine._config import CallOptions, EngineConfig, RetryPolicy
    from genaio.engine._json import Fragment as JsonFragment
    from genaio.engine._json import dumps as dumps_json
    from genaio.engine._json import loads as loads_json
    from genaio.engine._ratelimit import RateLimit, RateLimiter
    from genaio.engine._throttle import Throttle, ThrottleStatistics
    from genaio.engine._tokens import estimate_tokens
    from genaio.engine._transport import HttpTransport
    from genaio.engine._upload import resumable_upload
    from genaio.engine._upload_source import Uploadable, guess_mime_type, open_source

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "CallOptions",
    "DeferredBody",
    "EngineConfig",
    "GoogleCredentialsAuth",
    "HttpTransport",
    "JsonAnswer",
    "JsonFragment",
    "NoAuth",
    "RateLimit",
    "RateLimiter",
    "RestCall",
    "RetryPolicy",
    "Throttle",
    "ThrottleStatistics",
    "Uploadable",
    "dumps_json",
    "estimate_tokens",
    "guess_mime_type",
    "loads_json",
    "open_source",
    "resumable_upload",
]

#: Where each name is defined, imported the first time it is used.
_WHERE = {
    "ApiKeyAuth": "genaio.engine._auth",
    "Auth": "genaio.engine._auth",
    "GoogleCredentialsAuth": "genaio.engine._auth",
    "NoAuth": "genaio.engine._auth",
    "DeferredBody": "genaio.engine._calls",
    "JsonAnswer": "genaio.engine._calls",
    "RestCall": "genaio.engine._calls",
    "CallOptions": "genaio.engine._config",
    "EngineConfig": "genaio.engine._config",
    "RetryPolicy": "genaio.engine._config",
    "JsonFragment": "genaio.engine._json",
    "dumps_json": "genaio.engine._json",
    "loads_json": "genaio.engine._json",
    "RateLimit": "genaio.engine._ratelimit",
    "RateLimiter": "genaio.engine._ratelimit",
    "Throttle": "genaio.engine._throttle",
    "ThrottleStatistics": "genaio.engine._throttle",
    "estimate_tokens": "genaio.engine._tokens",
    "HttpTransport": "genaio.engine._transport",
    "Uploadable": "genaio.engine._upload_source",
    "guess_mime_type": "genaio.engine._upload_source",
    "open_source": "genaio.engine._upload_source",
    "resumable_upload": "genaio.engine._upload",
}
#: The names exported under another name than their module's.
_RENAMED = {
    "JsonFragment": "Fragment",
    "dumps_json": "dumps",
    "loads_json": "loads",
}


__getattr__ = lazy_names(__name__, _WHERE, _RENAMED)
