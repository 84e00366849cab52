"""The rarely used families' models build their validators on first use (`LazyWireModel`), so
that importing `genaio.types` does not pay for them; a model that is built when it is defined
and holds a lazy one would build that one's schema at import all the same."""

from __future__ import annotations

import subprocess
import sys
import typing
from typing import Any

from genaio import types
from genaio.types._base import LazyWireModel, WireModel


def classes_in(annotation: Any) -> set[type]:
    found = {annotation} if isinstance(annotation, type) else set()
    for argument in typing.get_args(annotation):
        found |= classes_in(argument)
    return found


def test_no_eager_model_holds_a_lazy_one() -> None:
    eager = [
        value
        for value in vars(types).values()
        if isinstance(value, type)
        and issubclass(value, WireModel)
        and not issubclass(value, LazyWireModel)
    ]
    holding = {
        f"{model.__name__}.{name}"
        for model in eager
        for name, field in model.model_fields.items()
        if any(issubclass(c, LazyWireModel) for c in classes_in(field.annotation))
    }
    assert not holding


def test_importing_the_types_builds_no_lazy_model() -> None:
    script = (
        "from genaio import types\n"
        "from genaio.types._base import LazyWireModel\n"
        "built = [n for n, v in vars(types).items() if isinstance(v, type)"
        " and issubclass(v, LazyWireModel) and v.__pydantic_complete__]\n"
        "print(len([v for v in vars(types).values() if isinstance(v, type)"
        " and issubclass(v, LazyWireModel)]), built)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    count, built = out.stdout.split(" ", 1)
    assert int(count) > 100
    assert built.strip() == "[]"
