"""Names a package imports from their modules on first use, so that importing the package costs
nothing until a name is used (a client is created without its transport, a config without Live)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, where: Mapping[str, str], renamed: Mapping[str, str] | None = None
) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: imports a name from the module `where` says (under its
    `renamed` name there, if any) the first time it is used, and keeps it in the package's
    globals so that later lookups never come back here."""
    namespace = sys.modules[package].__dict__
    renamed = renamed or {}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), renamed.get(name, name))
        namespace[name] = value
        return value

    return __getattr__
