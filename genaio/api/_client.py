"""`genaio.Client` and its `aio` property, the AsyncClient."""

from __future__ import annotations

import importlib
import random
import warnings
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from genaio._telemetry import Telemetry, recorder
from genaio.actors._limits import Limits
from genaio.actors._runtime import Runtime
from genaio.api._options import resolve
from genaio.api._resource import Backend, json_bytes
from genaio.api._sync import SyncBridge, SyncProxy
from genaio.api._sync_types import SyncFamilies

if TYPE_CHECKING:
    from genaio.actors._tree import ActorTree
    from genaio.api.agents import AsyncAgents
    from genaio.api.auth_tokens import AsyncTokens
    from genaio.api.batches import AsyncBatches
    from genaio.api.caches import AsyncCaches
    from genaio.api.chats import AsyncChats
    from genaio.api.credentials import AsyncCredentials
    from genaio.api.decisions import AsyncDecisions
    from genaio.api.environments import AsyncEnvironments
    from genaio.api.file_search_stores import AsyncFileSearchStores
    from genaio.api.files import AsyncFiles
    from genaio.api.interactions import AsyncInteractionsResource
    from genaio.api.live import AsyncLive
    from genaio.api.models import AsyncModels
    from genaio.api.operations import AsyncOperations
    from genaio.api.triggers import AsyncTriggers
    from genaio.api.tunings import AsyncTunings
    from genaio.api.voices import AsyncVoices
    from genaio.api.webhooks import AsyncWebhooks
    from genaio.engine import Auth, EngineConfig, Throttle
    from genaio.types import DebugConfig, HttpOptions

__all__ = ["AsyncClient", "Client"]

FamilyT = TypeVar("FamilyT")


_warned: set[str] = set()  # the families that have warned in this process, as the SDK's


class LazyFamily(Generic[FamilyT]):
    """A family attribute of `AsyncClient`, made on first use with its module: a client costs
    little to create, and a program imports only the families it uses (`generate_content`
    loads `models` and the types it needs, not Live's websockets or tunings' types).

    `where` is the family's class by its full name; it is made on the client's `Backend`, or
    on another family (`on="models"`: chats are made on the client's models). An
    `experimental` family warns (`UserWarning`, as the SDK) the first time any client in the
    process uses it. The annotation in `AsyncClient` gives the family's type to type checkers.
    """

    def __init__(self, where: str, *, on: str = "_backend", experimental: bool = False) -> None:
        self._module, _, self._class = where.rpartition(".")
        self._on = on
        self._experimental = experimental
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @property
    def family(self) -> type[FamilyT]:
        """The family's class, its module imported now if it was not yet."""
        return cast("type[FamilyT]", getattr(importlib.import_module(self._module), self._class))

    @overload
    def __get__(self, client: None, owner: type) -> LazyFamily[FamilyT]: ...

    @overload
    def __get__(self, client: AsyncClient, owner: type) -> FamilyT: ...

    def __get__(self, client: AsyncClient | None, owner: type) -> FamilyT | LazyFamily[FamilyT]:
        if client is None:
            return self
        if self._experimental and self._name not in _warned:
            _warned.add(self._name)
            message = f"client.{self._name} is experimental in the Gemini API and may change"
            warnings.warn(message, UserWarning, stacklevel=2)
        family = self.family(getattr(client, self._on))  # type: ignore[call-arg]
        client.__dict__[self._name] = family  # later reads find it there, without this call
        return family


class AsyncClient:
    """The asynchronous client (`client.aio`): every family, served by one actor tree.

    Use it as `async with client.aio as c:` (the tree runs in your task), or simply await its
    methods (the tree starts on first use and lives until `aclose()` or the end of the loop).
    """

    # Each family is made on first use (see `LazyFamily`), in the order google-genai has them.
    models: LazyFamily[AsyncModels] = LazyFamily("genaio.api.models.AsyncModels")
    chats: LazyFamily[AsyncChats] = LazyFamily("genaio.api.chats.AsyncChats", on="models")
    files: LazyFamily[AsyncFiles] = LazyFamily("genaio.api.files.AsyncFiles")
    caches: LazyFamily[AsyncCaches] = LazyFamily("genaio.api.caches.AsyncCaches")
    file_search_stores: LazyFamily[AsyncFileSearchStores] = LazyFamily(
        "genaio.api.file_search_stores.AsyncFileSearchStores"
    )
    batches: LazyFamily[AsyncBatches] = LazyFamily("genaio.api.batches.AsyncBatches")
    tunings: LazyFamily[AsyncTunings] = LazyFamily("genaio.api.tunings.AsyncTunings")
    auth_tokens: LazyFamily[AsyncTokens] = LazyFamily("genaio.api.auth_tokens.AsyncTokens")
    operations: LazyFamily[AsyncOperations] = LazyFamily("genaio.api.operations.AsyncOperations")
    interactions: LazyFamily[AsyncInteractionsResource] = LazyFamily(
        "genaio.api.interactions.AsyncInteractionsResource"
    )
    # Websocket sessions, registered with the running tree when opened.
    live: LazyFamily[AsyncLive] = LazyFamily("genaio.api.live.AsyncLive")
    # The families google-genai 3.6 added (see `api/_managed.py`).
    agents: LazyFamily[AsyncAgents] = LazyFamily("genaio.api.agents.AsyncAgents", experimental=True)
    credentials: LazyFamily[AsyncCredentials] = LazyFamily(
        "genaio.api.credentials.AsyncCredentials", experimental=True
    )
    decisions: LazyFamily[AsyncDecisions] = LazyFamily("genaio.api.decisions.AsyncDecisions")
    environments: LazyFamily[AsyncEnvironments] = LazyFamily(
        "genaio.api.environments.AsyncEnvironments", experimental=True
    )
    triggers: LazyFamily[AsyncTriggers] = LazyFamily(
        "genaio.api.triggers.AsyncTriggers", experimental=True
    )
    voices: LazyFamily[AsyncVoices] = LazyFamily("genaio.api.voices.AsyncVoices")
    webhooks: LazyFamily[AsyncWebhooks] = LazyFamily("genaio.api.webhooks.AsyncWebhooks")

    def __init__(
        self,
        config: EngineConfig,
        auth: Auth,
        limits: Limits,
        *,
        rng: random.Random | None = None,
        telemetry: bool | Telemetry | None = None,
    ) -> None:
        if config.extra_body:
            json_bytes(config.extra_body, "http_options.extra_body")  # merged into every body
        self._config = config
        # Decided once: a client nobody observes pays nothing per call (see `_telemetry`).
        self._otel = recorder(telemetry, config.base_url, config.vertex)

        def open_tree() -> AbstractAsyncContextManager[ActorTree]:
            # The actors and the engine (with httpx) are imported when the first call opens it.
            from genaio.actors._tree import open_actor_tree

            return open_actor_tree(config, auth, limits, rng=rng)

        self._runtime = Runtime(open_tree)
        # All that the families know of their client.
        self._backend = Backend(config, auth, self._runtime, self._otel)

    @property
    def vertexai(self) -> bool:
        return self._config.vertex

    async def aclose(self) -> None:
        """Close the client: in-flight calls get `limits.shutdown_grace` seconds to finish, the
        rest fail with `ClientClosedError`, and the connection pool is closed.

        Idempotent. Cancellation: a cancelled `aclose()` still closes everything (bounded).
        """
        await self._runtime.aclose()

    async def __aenter__(self) -> AsyncClient:
        await self._runtime.enter()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._runtime.exit(exc_info)

    def statistics(self) -> dict[str, Any] | None:
        """Queues, in-flight calls, restarts and retries of the tree running in this loop."""
        connection = self._runtime.current()
        return connection.statistics() if connection is not None else None

    def quota(self, model: str) -> Throttle | None:
        """The throttle of `model`'s quota in this loop's tree: its `statistics()` (429s, the
        pause) and its `limiter`; None until a call to the model has made one. Reads only."""
        return self._runtime.quota(model)

    def __repr__(self) -> str:
        backend = "vertexai" if self.vertexai else "gemini"
        state = "closed" if self._runtime.closed else "open"
        return f"<genaio.AsyncClient {backend} {self._config.base_url} {state}>"


class Client(SyncFamilies):
    """The Gemini API client. `client.aio` is asynchronous; `client.models` etc. block.

    Arguments and environment variables are the official SDK's (see `docs/getting-started.md`);
    `limits` sets genaio's own concurrency, mailbox and rate limits; `telemetry` its
    OpenTelemetry spans and metrics (see `docs/observability.md`).
    """

    def __init__(
        self,
        *,
        enterprise: bool | None = None,
        vertexai: bool | None = None,
        api_key: str | None = None,
        credentials: Any = None,
        project: str | None = None,
        location: str | None = None,
        debug_config: DebugConfig | Mapping[str, Any] | None = None,
        http_options: HttpOptions | Mapping[str, Any] | None = None,
        limits: Limits | None = None,
        telemetry: bool | Telemetry | None = None,
    ) -> None:
        config, auth = resolve(
            api_key=api_key,
            enterprise=enterprise,
            vertexai=vertexai,
            project=project,
            location=location,
            credentials=credentials,
            debug_config=debug_config,
            http_options=http_options,
        )
        limits = limits or Limits()
        self._config = config
        self._aio = AsyncClient(config, auth, limits, telemetry=telemetry)
        # The blocking surface runs its own AsyncClient on a loop in a background thread.
        self._sync = SyncBridge(lambda: AsyncClient(config, auth, limits, telemetry=telemetry))

    @property
    def aio(self) -> AsyncClient:
        return self._aio

    @property
    def vertexai(self) -> bool:
        return self._config.vertex

    def _family(self, name: str) -> SyncProxy:
        """A family of the blocking surface (typed by `SyncFamilies`, generated)."""
        return self._sync.family(name)

    def close(self) -> None:
        """Close the blocking surface (not `client.aio`, which `aclose()` closes)."""
        self._sync.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        backend = "vertexai" if self.vertexai else "gemini"
        return f"<genaio.Client {backend} {self._config.base_url}>"
