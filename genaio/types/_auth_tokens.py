"""Ephemeral tokens for the Live API: `AuthToken` and the options of `auth_tokens.create`."""

from __future__ import annotations

from typing import Any

from genaio.types._base import WireModel
from genaio.types._caches import IsoDatetime
from genaio.types._http import HttpOptions
from genaio.types._loose import LooseModel

__all__ = [
    "AuthToken",
    "CreateAuthTokenConfig",
    "CreateAuthTokenConfigDict",
    "LiveConnectConstraints",
    "LiveConnectConstraintsDict",
]


class AuthToken(WireModel):
    """An ephemeral token: pass `name` (`auth_tokens/...`) as the `api_key` of a Live client."""

    name: str | None = None
    expire_time: IsoDatetime | None = None
    new_session_expire_time: IsoDatetime | None = None
    uses: int | None = None


class LiveConnectConstraints(WireModel):
    """The Live session a token may open: its model and its `LiveConnectConfig` fields (a
    dict, or any model with them), locked for the holder of the token."""

    model: str | None = None
    config: LooseModel | dict[str, Any] | None = None


class CreateAuthTokenConfig(WireModel):
    """How long and how often the token works, and what it may do.

    `lock_additional_fields`: None locks every field the constraints set; `[]` locks exactly
    the fields set; a list locks those plus the ones named.
    """

    http_options: HttpOptions | None = None
    expire_time: IsoDatetime | None = None
    new_session_expire_time: IsoDatetime | None = None
    uses: int | None = None
    live_connect_constraints: LiveConnectConstraints | None = None
    lock_additional_fields: list[str] | None = None


CreateAuthTokenConfigDict = dict[str, Any]
LiveConnectConstraintsDict = dict[str, Any]
