"""genaio: an actor-based asynchronous client for the Gemini API, on trio and asyncio.

client = genaio.Client(api_key=...)
response = await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
"""

__version__ = "0.1.0"

from genaio import errors, types
from genaio.actors import FamilyLimits, Limits, fail_fast
from genaio.api import AsyncClient, Client
from genaio.api._lro import PollPolicy
from genaio.engine import RateLimit

__all__ = [
    "AsyncClient",
    "Client",
    "FamilyLimits",
    "Limits",
    "PollPolicy",
    "RateLimit",
    "__version__",
    "errors",
    "fail_fast",
    "types",
]
