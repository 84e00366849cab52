"""Tests marked `anyio` here run on the backend their `anyio_backend` names.

The suite runs in pytest-trio's `trio_mode`, which marks every async test as a trio test, so
that an `anyio` test would run on trio whatever its backend. These tests are about asyncio
too, so the trio mark is taken off the ones that anyio's plugin runs.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("anyio") is not None:
            item.own_markers = [m for m in item.own_markers if m.name != "trio"]
