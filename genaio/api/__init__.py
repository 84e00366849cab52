"""The facade users touch: Client, AsyncClient (`client.aio`) and one module per family."""

from genaio.api._client import AsyncClient, Client
from genaio.api._streams import ResponseStream
from genaio.api.models import AsyncModels
from genaio.api.pagers import AsyncPager

__all__ = ["AsyncClient", "AsyncModels", "AsyncPager", "Client", "ResponseStream"]
