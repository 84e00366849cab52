"""Models build their validators on first use (`defer_build` on `WireModel`), so that loading
a topic costs only its class definitions: no topic may build a model when it is imported (a
module-level validation or `TypeAdapter` would, and with it every model it holds)."""

from __future__ import annotations

import subprocess
import sys

from genaio import types
from genaio.types._base import WireModel


def test_every_model_defers_its_validator() -> None:
    models = [
        value
        for name in types.__all__
        if isinstance(value := getattr(types, name), type) and issubclass(value, WireModel)
    ]
    assert len(models) > 300
    assert not [m.__name__ for m in models if not m.model_config.get("defer_build")]


def test_loading_every_topic_builds_no_model() -> None:
    script = (
        "from genaio import types\n"
        "from genaio.types._base import WireModel\n"
        "models = [v for n in types.__all__ if isinstance(v := getattr(types, n), type)"
        " and issubclass(v, WireModel)]\n"
        "print(len(models), [m.__name__ for m in models if m.__pydantic_complete__])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    count, built = out.stdout.split(" ", 1)
    assert int(count) > 300
    assert built.strip() == "[]"
