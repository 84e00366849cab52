"""Writes `_sync_types.py`, the blocking surface's types, from the async families' signatures.

    python -m genaio.api._sync_gen        # rewrite genaio/api/_sync_types.py

The blocking surface has no code per family (`_sync.py` proxies every call generically), but an
editor and mypy need each method's signature with its blocking return type. Python's types cannot
map an async class to its blocking twin, so this script writes the twins as Protocols: every
public method of each `client.aio` family (and of what they return: chats, pagers, streams) with
the async method's parameters as they are written, `async def` made `def`, `__aiter__`/`__anext__`
made `__iter__`/`__next__`, and genaio's async classes in annotations replaced by their twins.
tests/api/test_sync_types.py fails when the file is not what this script writes now.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
import typing
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

__all__ = ["render"]

TARGET = Path(__file__).with_name("_sync_types.py")

#: What the blocking surface leaves out, and why.
EXCLUDED = {
    "AsyncClient.live": "the official SDK's blocking client has no Live API",
    "AsyncClient.aclose": "the blocking client's own `close()` closes it",
    "AsyncModels.embed_many": "an async job engine (`async with`); no blocking form",
    "ChatStream.attach": "the chat's own plumbing",
    "ChatStream.next_round": "the chat's own plumbing",
}
#: Dunder methods of an async class and their blocking names.
DUNDERS = {
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__len__": "__len__",
    "__getitem__": "__getitem__",
}
#: Annotations of async things a blocking method hands back as blocking ones.
ASYNC_TYPES = {
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "MemoryObjectReceiveStream": "Iterator",
}
BUILTINS = {"None", "str", "int", "float", "bool", "bytes", "dict", "list", "tuple", "set", "type"}
BUILTINS |= {"frozenset", "object", "BaseException", "Exception"}
# A quoted string (a Literal's value, left as it is) or a dotted name.
NAME = re.compile(r"\"[^\"]*\"|'[^']*'|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class _Writer:
    """Renders the Protocol twin of each class reached from `AsyncClient`'s families."""

    def __init__(self) -> None:
        self.twins: dict[type, str] = {}  # an async class -> its twin's name
        self.queue: list[type] = []
        self.imports: dict[str, str] = {}  # a name -> the module it is imported from
        self.blocks: list[str] = []
        self.typevars: set[str] = set()  # the twins' own type parameters, defined locally
        self.modules: dict[str, str] = {}  # a module named in annotations -> its full name

    def twin(self, cls: type) -> str:
        if cls not in self.twins:
            self.twins[cls] = cls.__name__.removeprefix("Async")
            self.queue.append(cls)
        return self.twins[cls]

    def annotation(
        self, text: str, module: ModuleType, bound: Mapping[str, type] | None = None
    ) -> str:
        """`text` with its names imported, and genaio's async classes as their twins; `bound`:
        the type parameters of a generic base that the class being written fixes."""
        names = _import_map(module)

        def replace(match: re.Match[str]) -> str:
            name = match.group(0)
            if name[0] in "\"'":
                return name
            head = name.split(".", 1)[0]
            if bound and head in bound:
                fixed = bound[head]
                if _is_async(fixed):
                    return self.twin(fixed)
                self.imports[fixed.__name__] = fixed.__module__
                return fixed.__name__
            if head in BUILTINS or head in self.typevars:
                return name
            if head in ASYNC_TYPES:
                self.imports[ASYNC_TYPES[head]] = "collections.abc"
                return ASYNC_TYPES[head]
            value = getattr(module, head, None)
            if isinstance(value, type) and _is_async(value):
                return self.twin(value)
            if isinstance(value, ModuleType):
                self.modules[head] = value.__name__
                return name
            self.imports[head] = names.get(head, module.__name__)
            return name

        return NAME.sub(replace, text)

    def render_class(self, cls: type) -> None:
        module = sys.modules[cls.__module__]
        params = getattr(cls, "__parameters__", ())
        for param in params:
            self.typevars.add(param.__name__)
        generic = f"[{', '.join(p.__name__ for p in params)}]" if params else ""
        doc = f"Blocking `{module.__name__}.{cls.__name__}` (see it for each method's docs)."
        lines = [f"class {self.twins[cls]}(Protocol{generic}):", *_docstring(doc, "    "), ""]
        for name, annotation in _attributes(cls):
            if f"{cls.__name__}.{name}" not in EXCLUDED:
                lines.append(f"    {name}: {self.annotation(annotation, module)}")
        if lines[-1]:
            lines.append("")
        bound = _bound_parameters(cls)
        for name, function in _methods(cls):
            if f"{cls.__name__}.{name}" in EXCLUDED:
                continue
            home = sys.modules[function.__module__]  # where its annotations' names are defined
            lines.extend(self.method(DUNDERS.get(name, name), function, home, bound))
        self.blocks.append("\n".join(lines).rstrip() + "\n")

    def method(
        self,
        name: str,
        function: Callable[..., Any],
        module: ModuleType,
        bound: Mapping[str, type] | None = None,
    ) -> list[str]:
        signature = inspect.signature(function)
        params = []
        star = False
        for param in signature.parameters.values():
            text = param.name
            if param.kind is param.VAR_POSITIONAL:
                text, star = f"*{text}", True
            elif param.kind is param.VAR_KEYWORD:
                text = f"**{text}"
            elif param.kind is param.KEYWORD_ONLY and not star:
                params.append("*")
                star = True
            if param.annotation is not param.empty:
                text += f": {self.annotation(str(param.annotation), module, bound)}"
            if param.default is not param.empty:
                text += " = ..."
            params.append(text)
            if param.kind is param.POSITIONAL_ONLY:
                params.append("/")
        returns = signature.return_annotation
        if returns is signature.empty:
            result = "None"
        else:
            result = self.annotation(str(returns), module, bound)
        if name == "__iter__":
            result = f"Iterator[{_item_type(self, function, module)}]"
            self.imports["Iterator"] = "collections.abc"
        lines = [f"    def {name}("]
        lines.extend(f"        {p}," for p in params)
        lines.append(f"    ) -> {result}: ...")
        lines.append("")
        return lines


def _is_async(cls: type) -> bool:
    """A class of genaio's facade with a blocking twin: any but its values (attrs classes)."""
    return cls.__module__.startswith("genaio.api.") and not attrs.has(cls)


def _bound_parameters(cls: type) -> dict[str, type]:
    """The type parameters of `cls`'s generic bases that it fixes: `Webhooks(Collection[Webhook,
    Empty])` gives {"ItemT": Webhook, "DeletedT": Empty}."""
    bound: dict[str, type] = {}
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            origin, args = typing.get_origin(base), typing.get_args(base)
            for param, arg in zip(getattr(origin, "__parameters__", ()), args, strict=False):
                if isinstance(arg, type):
                    bound.setdefault(param.__name__, arg)
    return bound


def _item_type(writer: _Writer, aiter: Callable[..., Any], module: ModuleType) -> str:
    """What `__next__` of the class that `aiter` belongs to returns."""
    owner = getattr(module, aiter.__qualname__.split(".")[0])
    anext = owner.__anext__
    return writer.annotation(str(inspect.signature(anext).return_annotation), module)


def _attributes(cls: type) -> Iterator[tuple[str, str]]:
    """Public annotated attributes and properties, in the order the class has them."""
    for klass in reversed(cls.__mro__[:-1]):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not name.startswith("_") and "ClassVar" not in str(annotation):
                yield name, str(annotation)
    for name, value in vars(cls).items():
        if isinstance(value, property) and not name.startswith("_") and value.fget is not None:
            yield name, str(inspect.signature(value.fget).return_annotation)


def _methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    seen: set[str] = set()
    for klass in cls.__mro__[:-1]:
        for name, value in vars(klass).items():
            if name in seen or not inspect.isfunction(value):
                continue
            if name.startswith("_") and name not in DUNDERS:
                continue
            seen.add(name)
            yield name, value


def _import_map(module: ModuleType) -> dict[str, str]:
    """Each name the module imports (also under TYPE_CHECKING) -> the module it comes from."""
    tree = ast.parse(inspect.getsource(module))
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


def _docstring(text: str, indent: str) -> list[str]:
    """`text` as a docstring wrapped to the project's line length."""
    wrapped = textwrap.wrap(f'"""{text}"""', width=100 - len(indent))
    return [indent + line for line in wrapped]


HEADER = """\
\"\"\"The blocking surface's types (`genaio.Client().models` ...): GENERATED, do not edit.

Written by `python -m genaio.api._sync_gen` from the async families' signatures; the calls
themselves go through `_sync.SyncProxy`. tests/api/test_sync_types.py checks it is current.
\"\"\"

from __future__ import annotations
"""


def render() -> str:
    """The text of `_sync_types.py` for the families as they are now."""
    from genaio.api._client import AsyncClient, LazyFamily

    writer = _Writer()
    families = {  # each made on first use: the descriptor holds its class
        name: writer.twin(value.family)
        for name, value in vars(AsyncClient).items()
        if isinstance(value, LazyFamily) and f"AsyncClient.{name}" not in EXCLUDED
    }
    while writer.queue:
        writer.render_class(writer.queue.pop(0))
    local = writer.typevars
    typing_names = {"Any", "Protocol", "TYPE_CHECKING", "cast"} | ({"TypeVar"} if local else set())
    typing_names |= {n for n, source in writer.imports.items() if source == "typing"}
    typing_line = ", ".join(sorted(typing_names, key=_isort_key))
    guarded = sorted(
        (source, name)
        for name, source in writer.imports.items()
        if source != "typing" and name not in local
    )
    out = [HEADER, f"from typing import {typing_line}", ""]
    out.append("if TYPE_CHECKING:")
    by_module: dict[str, list[str]] = {}
    for source, name in guarded:
        by_module.setdefault(source, []).append(name)
    for section in ("stdlib", "third", "first"):
        plain = [(a, f) for a, f in sorted(writer.modules.items()) if _section(f) == section]
        froms = sorted(m for m in by_module if _section(m) == section)
        if (plain or froms) and out[-1] != "if TYPE_CHECKING:":
            out.append("")
        for alias, full in plain:
            out.append(f"    import {full}" if alias == full else f"    import {full} as {alias}")
        for source in froms:
            imported = sorted(by_module[source], key=_isort_key)
            if len(imported) == 1:
                out.append(f"    from {source} import {imported[0]}")
            else:
                out.append(f"    from {source} import (")
                out.extend(f"        {name}," for name in imported)
                out.append("    )")
    out.append("")
    names = sorted(["SyncFamilies", *writer.twins.values()])
    out.append("__all__ = [")
    out.extend(f'    "{name}",' for name in names)
    out.append("]")
    out.append("")
    out.extend(f'{name} = TypeVar("{name}")' for name in sorted(local))
    out.extend(["", "", ""] if local else ["", ""])
    text = "\n".join(out) + "\n\n".join(block.rstrip() + "\n" for block in writer.blocks)
    mixin = [
        "class SyncFamilies:",
        '    """The blocking client\'s families, each a `SyncProxy` typed as its twin."""',
        "",
        "    def _family(self, name: str) -> Any:",
        "        raise NotImplementedError",
    ]
    for name, twin in families.items():
        mixin.extend(
            [
                "",
                "    @property",
                f"    def {name}(self) -> {twin}:",
                f'        return cast("{twin}", self._family("{name}"))',
            ]
        )
    return text + "\n\n" + "\n".join(mixin) + "\n"


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name.lower()


def _section(module: str) -> str:
    top = module.split(".", 1)[0]
    return "first" if top == "genaio" else "stdlib" if top in sys.stdlib_module_names else "third"


def main() -> None:
    TARGET.write_text(render())
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
