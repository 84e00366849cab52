"""`genaio emulator ...`: serve the emulator until SIGINT or SIGTERM.

Every `EmulatorConfig` field has a flag (`--lro-seconds`, `--time-scale`, ...), every
`FaultConfig` field a `--fault-...` flag, quotas take `--quota KEY=rpm=N,tpm=N,rpd=N` (or
`--rpm/--tpm/--rpd` for every model). `--config FILE` (TOML or JSON) is read first; flags win.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from typing import Any, Protocol, TypeGuard

import attrs
import trio

from ._config import EmulatorConfig, FaultConfig, QuotaLimits
from ._server import open_emulator

__all__ = ["build_parser", "config_from_args", "main"]

_SPECIAL = {"api_keys", "models", "quotas", "faults", "script"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


class _Factory(Protocol):
    factory: Callable[[], object]


def _is_factory(default: object) -> TypeGuard[_Factory]:
    # attrs' stubs present `Factory` as a function returning the value (so that `x: list[int] =
    # Factory(list)` checks); at runtime it is the class of a field's factory default.
    return isinstance(default, attrs.Factory)  # type: ignore[arg-type]


def _kind(field: attrs.Attribute[Any]) -> Any:
    default = field.default
    if _is_factory(default):
        default = default.factory()
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return int
    if isinstance(default, float):
        return float
    if isinstance(default, tuple):
        return "list"
    return str


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genaio emulator",
        description="Serve a local, stateful Gemini API emulator until interrupted.",
    )
    parser.add_argument("--config", metavar="FILE", help="a TOML or JSON config file")
    parser.add_argument(
        "--api-key",
        dest="api_keys",
        action="append",
        metavar="KEY",
        help="accept this API key (repeatable; none: accept any key)",
    )
    parser.add_argument(
        "--model",
        dest="models",
        action="append",
        metavar="NAME",
        help="serve this model (repeatable; replaces the default list)",
    )
    parser.add_argument(
        "--script",
        dest="script",
        action="append",
        metavar="RULE",
        help="a scripted rule as JSON, after the config's, e.g. "
        '\'{"match": {"prompt_contains": "hi"}, "reply": {"text": "hello"}}\' '
        "(repeatable)",
    )
    parser.add_argument(
        "--quota",
        dest="quotas",
        action="append",
        metavar="KEY=LIMITS",
        help="e.g. 'gemini-2.5-flash=rpm=10,tpm=250000' or "
        "'*:batchEmbedContents=rpm=5' (repeatable)",
    )
    for kind in ("rpm", "tpm", "rpd"):
        parser.add_argument(f"--{kind}", type=int, help=f"{kind.upper()} for every model ('*')")
    for field in attrs.fields(EmulatorConfig):
        if field.name in _SPECIAL:
            continue
        _add(parser, field, field.name, f"(default: {field.default!r})")
    for field in attrs.fields(FaultConfig):
        _add(parser, field, f"fault_{field.name}", "fault injection")
    return parser


def _add(
    parser: argparse.ArgumentParser, field: attrs.Attribute[Any], dest: str, text: str
) -> None:
    kind = _kind(field)
    if kind == "bool":
        parser.add_argument(
            _flag(dest), dest=dest, action=argparse.BooleanOptionalAction, default=None, help=text
        )
    elif kind == "list":
        parser.add_argument(_flag(dest), dest=dest, action="append", help=f"{text} (repeatable)")
    else:
        parser.add_argument(_flag(dest), dest=dest, type=kind, default=None, help=text)


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig.from_file(args.config) if args.config else EmulatorConfig()
    changes: dict[str, Any] = {}
    for field in attrs.fields(EmulatorConfig):
        value = getattr(args, field.name, None)
        if field.name not in _SPECIAL and value is not None:
            changes[field.name] = value
    if args.api_keys:
        changes["api_keys"] = tuple(args.api_keys)
    if args.models:
        changes["models"] = tuple(args.models)
    quotas = dict(config.quotas)
    default = {k: getattr(args, k) for k in ("rpm", "tpm", "rpd") if getattr(args, k) is not None}
    if default:
        quotas["*"] = QuotaLimits(**default)
    for spec in args.quotas or ():
        key, _, limits = spec.partition("=")
        quotas[key] = QuotaLimits.coerce(limits)
    changes["quotas"] = quotas
    if args.script:
        changes["script"] = (*config.script, *(json.loads(rule) for rule in args.script))
    faults = {}
    for field in attrs.fields(FaultConfig):
        value = getattr(args, f"fault_{field.name}", None)
        if value is not None:
            faults[field.name] = value
    if faults:
        changes["faults"] = attrs.evolve(config.faults, **faults)
    return attrs.evolve(config, **changes)


def main(argv: list[str] | None = None) -> int:
    """Run `genaio emulator` with `argv` (without the program name); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = config_from_args(args)
    except (OSError, TypeError, ValueError) as error:
        parser.error(str(error))

    async def serve() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with open_emulator(config) as emulator:
                print(f"genaio emulator listening on {emulator.base_url}", flush=True)
                async for _ in signals:
                    break
        print("genaio emulator stopped", flush=True)

    trio.run(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
