"""What made an output's vectors: backend, model, dimensions, task type, genaio's version.

Vectors of different models, dimensions or task types do not belong in one file, and the
emulator's vectors must never pass for the API's. So every output records the settings that
made it (a JSONL output in a sidecar, `OUTPUT.manifest.json`; a Parquet file in its metadata,
under the key `genaio`), and a job refuses to add to an output made with other settings. The
genaio version is recorded, not compared: an upgrade does not change what a vector means. So is
the server's count of the input's tokens per estimated token (`_calibrate`), for a rerun to reuse.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs
from attrs import NOTHING

import genaio
from genaio.embedjob._journal import OutputError

__all__ = ["METADATA_KEY", "Manifest", "check_settings", "manifest_path"]

METADATA_KEY = b"genaio"
_COMPARED = ("backend", "host", "model", "dimensions", "task_type")


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


@attrs.frozen
class Manifest:
    backend: str  # "emulator" or "gemini-api"
    host: str | None  # the API's host; None for the emulator
    model: str
    dimensions: int | None  # None: the model's default
    task_type: str | None
    genaio_version: str = genaio.__version__
    tokens_per_estimate: float | None = None  # None: not measured

    def to_json(self) -> bytes:
        return json.dumps(attrs.asdict(self), indent=1).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes, where: Path) -> Manifest:
        try:
            fields = json.loads(data)
            wanted = [f.name for f in attrs.fields(cls) if f.name in fields or f.default is NOTHING]
            return cls(**{name: fields[name] for name in wanted})  # older ones lack a field
        except (ValueError, TypeError, KeyError):
            raise OutputError(f"{where}: not a genaio embed manifest") from None

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        try:
            return cls.from_json(path.read_bytes(), path)
        except FileNotFoundError:
            return None

    def write(self, path: Path) -> None:
        """Atomically: a crash leaves the old manifest or the new one, never half of one."""
        partial = path.with_name(path.name + ".tmp")
        partial.write_bytes(self.to_json())
        os.replace(partial, path)

    def differences(self, other: Manifest) -> list[str]:
        """How `other` (this job's settings) differs from this (the output's), in words."""
        return [
            f"{name} is {_show(getattr(self, name))} in the output, {_show(getattr(other, name))}"
            " now"
            for name in _COMPARED
            if _normal(name, getattr(self, name)) != _normal(name, getattr(other, name))
        ]


def _normal(name: str, value: Any) -> Any:
    if name == "model" and isinstance(value, str):
        return value.removeprefix("models/")
    return value


def _show(value: Any) -> str:
    return "not set" if value is None else repr(value)


def check_settings(
    output: Path, made_with: Manifest | None, now: Manifest, has_vectors: bool
) -> None:
    """Refuse to add vectors of another kind (or of unknown kind) to an output."""
    if not has_vectors:
        return
    hint = "run with the settings it was made with, or with --overwrite to start a new output"
    if made_with is None:
        raise OutputError(
            f"{output} records no settings (no manifest): its vectors cannot be told apart from "
            f"new ones; {hint}"
        )
    differences = made_with.differences(now)
    if differences:
        raise OutputError(
            f"{output} was made with other settings ({'; '.join(differences)}): {hint}"
        )
