"""The blocking surface's types are generated from the async families and kept current."""

from __future__ import annotations

import inspect

import genaio
from genaio.api import _sync_gen
from genaio.api._client import LazyFamily


def test_the_generated_types_are_current() -> None:
    written = _sync_gen.TARGET.read_text()
    assert written == _sync_gen.render(), (
        "genaio/api/_sync_types.py is stale: run `python -m genaio.api._sync_gen`"
    )


def test_every_family_of_the_async_client_has_a_blocking_twin_or_a_reason() -> None:
    families = {n for n, v in vars(genaio.AsyncClient).items() if isinstance(v, LazyFamily)}
    blocking = {n for n in dir(genaio.Client) if isinstance(getattr(genaio.Client, n), property)}
    excluded = {key.split(".")[1] for key in _sync_gen.EXCLUDED if key.startswith("AsyncClient.")}
    assert families - excluded <= blocking, families - excluded - blocking


def test_dir_and_signatures_show_the_methods() -> None:
    client = genaio.Client(api_key="k")
    try:
        assert {"generate_content", "embed_content", "list"} <= set(dir(client.models))
        assert {"models", "files", "chats"} <= set(dir(client))
        signature = inspect.signature(client.models.generate_content)
        assert list(signature.parameters) == ["model", "contents", "config"]
        assert "_request" not in dir(client.models)
    finally:
        client.close()
