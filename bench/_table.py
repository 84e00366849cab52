"""What the benchmarks report: sections of Markdown tables, and the targets checked."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["Check", "Section", "median", "num", "ratio", "render"]


@attrs.define
class Section:
    title: str
    headers: list[str]
    rows: list[list[str]] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)


@attrs.define
class Check:
    """A target of issue 6, and what this run measured for it."""

    target: str
    measured: str
    ok: bool | None  # None: not measured (a client missing, a run that failed)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def num(value: Any, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}{suffix}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _markdown(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i]))
        return "| " + " | ".join(out) + " |"

    sep = (
        "| "
        + " | ".join(("-" * w if i == 0 else "-" * (w - 1) + ":") for i, w in enumerate(widths))
        + " |"
    )
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def render(sections: list[Section], checks: list[Check]) -> str:
    parts = []
    for section in sections:
        parts.append(f"### {section.title}\n\n{_markdown(section.headers, section.rows)}")
        if section.notes:
            parts.append("\n".join(f"- {note}" for note in section.notes))
    if checks:
        rows = [
            [c.target, c.measured, {True: "met", False: "NOT met", None: "not measured"}[c.ok]]
            for c in checks
        ]
        parts.append("### Targets\n\n" + _markdown(["target", "measured", ""], rows))
    return "\n\n".join(parts) + "\n"
