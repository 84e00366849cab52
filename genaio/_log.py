"""Loggers for genaio's modules: structlog's API, stdlib logging's routing.

A library never configures logging. Unconfigured structlog prints to stdout; so genaio binds its
structlog loggers to stdlib loggers under `genaio.*`, which stay silent until the application
configures logging. The event's key-value pairs travel as the record's `extra`, where structlog's
`ProcessorFormatter` (or any formatter) can render them.
"""

from __future__ import annotations

import logging
from typing import Any

import structlog

__all__ = ["get_logger"]


def get_logger(name: str) -> Any:
    """A structlog logger that writes to the stdlib logger `name`."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        wrapper_class=structlog.stdlib.BoundLogger,
        processors=[structlog.stdlib.filter_by_level, structlog.stdlib.render_to_log_kwargs],
    )
