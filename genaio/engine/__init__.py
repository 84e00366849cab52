"""What actors use to do the work: transport, retries, rate limits, SSE, credentials."""

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
