"""The facade users touch: Client, AsyncClient (`client.aio`) and one module per family.

Only the client is imported with the package: each family's module is imported when a client
first uses the family (`AsyncClient`'s `LazyFamily`), and the names below with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genaio._lazy import lazy_names
from genaio.api._client import AsyncClient, Client

if TYPE_CHECKING:
    from genaio.api._streams import ResponseStream
    from genaio.api.models import AsyncModels
    from genaio.api.pagers import AsyncPager

__all__ = ["AsyncClient", "AsyncModels", "AsyncPager", "Client", "ResponseStream"]

_WHERE = {
    "AsyncModels": "genaio.api.models",
    "AsyncPager": "genaio.api.pagers",
    "ResponseStream": "genaio.api._streams",
}


__getattr__ = lazy_names(__name__, _WHERE)
