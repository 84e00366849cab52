"""Fixtures for the emulator's own tests: an emulator in the test's trio loop, and httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from genaio.emulator import EmulatorConfig, EmulatorHandle, open_emulator

KEY = {"x-goog-api-key": "test-key"}


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Override (or parametrize) to run `emulator` with another configuration."""
    return EmulatorConfig()


@pytest.fixture
async def emulator(emulator_config: EmulatorConfig) -> AsyncIterator[EmulatorHandle]:
    async with open_emulator(emulator_config) as handle:
        yield handle


@pytest.fixture
async def http(emulator: EmulatorHandle) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emulator.base_url, headers=KEY, timeout=10) as client:
        yield client
