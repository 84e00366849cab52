"""The model's arguments for a Python function: validated into its annotated types.

Automatic function calling's one conversion (`convert_arguments`), with the pydantic
validators of each function's parameters built once and kept for the next call.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import PydanticSchemaGenerationError, TypeAdapter, ValidationError

from genaio.errors import UnknownFunctionCallArgumentError
from genaio.types._tools import function_name

__all__ = ["convert_arguments"]

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
#: A parameter's annotation and the adapter that converts to it (None: taken as it comes).
_Adapter = tuple[Any, TypeAdapter[Any] | None]


def convert_arguments(function: Callable[..., Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """The model's arguments as the function's annotated types (pydantic, lax: `2.0` is an
    `int`, a dict is a model); arguments the function does not take are dropped.

    Raises:
        UnknownFunctionCallArgumentError: an argument does not fit its annotation.
    """
    adapters = _adapters(function)
    kwargs: dict[str, Any] = {}
    for name, value in _integral(args).items():
        if name not in adapters:
            continue
        hint, adapter = adapters[name]
        if adapter is None:
            kwargs[name] = value
            continue
        try:
            kwargs[name] = adapter.validate_python(value)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"]
            raise UnknownFunctionCallArgumentError(
                f"argument {name!r} of {function_name(function)}() is {value!r}, not a valid "
                f"{getattr(hint, '__name__', hint)}: {reason}"
            ) from exc
    return kwargs


@functools.lru_cache(maxsize=256)
def _cached_adapters(function: Callable[..., Any]) -> dict[str, _Adapter]:
    return _build_adapters(function)


def _adapters(function: Callable[..., Any]) -> dict[str, _Adapter]:
    try:
        return _cached_adapters(function)
    except TypeError:  # an unhashable callable
        return _build_adapters(function)


def _build_adapters(function: Callable[..., Any]) -> dict[str, _Adapter]:
    try:
        hints = typing.get_type_hints(function)
    except (NameError, TypeError):
        hints = {}
    adapters: dict[str, _Adapter] = {}
    for param in inspect.signature(function).parameters.values():
        if param.kind in _VARIADIC:
            continue
        hint = hints.get(param.name)
        adapters[param.name] = (hint, None if hint in (None, Any) else _adapter(hint))
    return adapters


def _adapter(hint: Any) -> TypeAdapter[Any] | None:
    """A validator for the annotation; None (the value passed as it comes) for a type pydantic
    cannot validate."""
    try:
        return TypeAdapter(hint)
    except PydanticSchemaGenerationError:
        return None


def _integral(value: Any) -> Any:
    """Whole floats as ints, all the way down: the API's numbers are doubles (`2.0` for 2),
    and a function that takes a `dict` or `Any` should see 2, as with the official SDK."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value
