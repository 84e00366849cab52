"""genaio: an actor-based asynchronous client for the Gemini API, on trio and asyncio.

client = genaio.Client(api_key=...)
response = await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")

The names below are imported on first use: `import genaio.emulator.pytest_plugin`, which
pytest does in every run once genaio is installed, must not pay for the client's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from genaio import errors, types
    from genaio._telemetry import Telemetry
    from genaio.actors import FamilyLimits, Limits, fail_fast
    from genaio.api import AsyncClient, Client
    from genaio.api._lro import PollPolicy
    from genaio.engine import RateLimit
    from genaio.engine._redis_quota import RedisQuota

_WHERE = {
    "AsyncClient": "genaio.api",
    "Client": "genaio.api",
    "FamilyLimits": "genaio.actors",
    "Limits": "genaio.actors",
    "fail_fast": "genaio.actors",
    "PollPolicy": "genaio.api._lro",
    "RateLimit": "genaio.engine",
    "RedisQuota": "genaio.engine._redis_quota",
    "Telemetry": "genaio._telemetry",
}

__all__ = [
    "AsyncClient",
    "Client",
    "FamilyLimits",
    "Limits",
    "PollPolicy",
    "RateLimit",
    "RedisQuota",
    "Telemetry",
    "__version__",
    "errors",
    "fail_fast",
    "types",
]


def __getattr__(name: str) -> Any:
    if name in ("errors", "types"):
        value = importlib.import_module(f"genaio.{name}")
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    else:
        raise AttributeError(f"module 'genaio' has no attribute {name!r}")
    globals()[name] = value
    return value
