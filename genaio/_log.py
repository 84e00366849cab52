"""Loggers for genaio's modules: structlog's API, stdlib logging's routing.

A library never configures logging. Unconfigured structlog prints to stdout; so genaio binds its
structlog loggers to stdlib loggers under `genaio.*`, which stay silent until the application
configures logging. The event's key-value pairs travel as the record's `extra`, where structlog's
`ProcessorFormatter` (or any formatter) can render them.

structlog is imported with the first event a logger lets through, not with genaio: importing it
imports its development console renderer (rich's tracebacks, colorama), which only an
application configures, and a library that never logs pays nothing for it.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["Logger", "get_logger"]


class Logger:
    """A structlog logger on the stdlib logger `name`, made when its first event is let through.

    An event below the stdlib logger's level is dropped here, as structlog's `filter_by_level`
    (the bound logger's first processor) would drop it, without importing structlog.
    """

    __slots__ = ("_bound", "_stdlib")

    def __init__(self, name: str) -> None:
        self._stdlib = logging.getLogger(name)
        self._bound: Any = None

    def debug(self, event: str, **fields: Any) -> None:
        self._log(logging.DEBUG, "debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log(logging.INFO, "info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log(logging.WARNING, "warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._log(logging.ERROR, "error", event, fields)

    def _log(self, level: int, method: str, event: str, fields: dict[str, Any]) -> None:
        stdlib = self._stdlib
        if stdlib.disabled or level < stdlib.getEffectiveLevel():
            return
        if self._bound is None:
            import structlog

            self._bound = structlog.wrap_logger(
                stdlib,
                wrapper_class=structlog.stdlib.BoundLogger,
                processors=[
                    structlog.stdlib.filter_by_level,
                    structlog.stdlib.render_to_log_kwargs,
                ],
            )
        getattr(self._bound, method)(event, **fields)


def get_logger(name: str) -> Logger:
    """A structlog logger that writes to the stdlib logger `name`."""
    return Logger(name)
