"""A local, stateful Gemini API server for offline tests, benchmarks and chaos (see
`docs/emulator.md`).

    async with open_emulator(EmulatorConfig(api_keys=("k",))) as emulator:
        ...  # point a client at emulator.base_url

    with run_emulator_in_thread() as emulator:  # any thread, any event loop
        emulator.script.on(prompt_contains="weather").reply(text="Sunny.")
        ...
        assert emulator.requests.last.model == "gemini-2.5-flash"

The emulator never imports the client: it speaks raw JSON over HTTP, served by hypercorn.
Its names are imported on first use, so that the pytest plugin (which imports this package in
every pytest run) costs nothing until a fixture runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genaio._lazy import lazy_names

if TYPE_CHECKING:
    from ._config import DEFAULT_MODELS, EmulatorConfig, FaultConfig, ModelInfo, QuotaLimits
    from ._requests import RecordedRequest, RequestLog
    from ._script import Match, Reply, Rule, RuleBuilder, ScriptControl, ScriptedError
    from ._server import EmulatorHandle, EmulatorThread, open_emulator, run_emulator_in_thread

_WHERE = {
    "DEFAULT_MODELS": "_config",
    "EmulatorConfig": "_config",
    "FaultConfig": "_config",
    "ModelInfo": "_config",
    "QuotaLimits": "_config",
    "RecordedRequest": "_requests",
    "RequestLog": "_requests",
    "Match": "_script",
    "Reply": "_script",
    "Rule": "_script",
    "RuleBuilder": "_script",
    "ScriptControl": "_script",
    "ScriptedError": "_script",
    "EmulatorHandle": "_server",
    "EmulatorThread": "_server",
    "open_emulator": "_server",
    "run_emulator_in_thread": "_server",
}

__all__ = [
    "DEFAULT_MODELS",
    "EmulatorConfig",
    "EmulatorHandle",
    "EmulatorThread",
    "FaultConfig",
    "Match",
    "ModelInfo",
    "QuotaLimits",
    "RecordedRequest",
    "Reply",
    "RequestLog",
    "Rule",
    "RuleBuilder",
    "ScriptControl",
    "ScriptedError",
    "open_emulator",
    "run_emulator_in_thread",
]


__getattr__ = lazy_names(
    __name__, {name: f"{__name__}.{module}" for name, module in _WHERE.items()}
)
