"""A local, stateful Gemini API server for offline tests, benchmarks and chaos (see
`docs/emulator.md`).

    async with open_emulator(EmulatorConfig(api_keys=("k",))) as emulator:
        ...  # point a client at emulator.base_url

    with run_emulator_in_thread() as emulator:  # any thread, any event loop
        ...

The emulator never imports the client: it speaks raw JSON over HTTP, served by hypercorn.
"""

from ._config import DEFAULT_MODELS, EmulatorConfig, FaultConfig, ModelInfo, QuotaLimits
from ._server import EmulatorHandle, EmulatorThread, open_emulator, run_emulator_in_thread

__all__ = [
    "DEFAULT_MODELS",
    "EmulatorConfig",
    "EmulatorHandle",
    "EmulatorThread",
    "FaultConfig",
    "ModelInfo",
    "QuotaLimits",
    "open_emulator",
    "run_emulator_in_thread",
]
