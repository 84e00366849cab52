"""Triggers (`client.aio.triggers`): an agent interaction run on a cron schedule, and the
record of each of its runs. Experimental in the API."""

from __future__ import annotations

import datetime
from typing import Any

from genaio.types._managed_base import Empty, SnakeModel

__all__ = [
    "ListTriggerExecutionsResponse",
    "ListTriggersResponse",
    "Trigger",
    "TriggerDeleteResponse",
    "TriggerExecution",
]


class Trigger(SnakeModel):
    id: str | None = None
    display_name: str | None = None
    interaction: dict[str, Any] | None = None
    schedule: str | None = None  # cron syntax
    time_zone: str | None = None
    status: str | None = None  # active | paused | error
    environment_id: str | None = None
    execution_timeout_seconds: int | None = None
    max_consecutive_failures: int | None = None
    consecutive_failure_count: int | None = None
    previous_interaction_id: str | None = None
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    last_run_time: datetime.datetime | None = None
    next_run_time: datetime.datetime | None = None
    last_pause_time: datetime.datetime | None = None
    last_resume_time: datetime.datetime | None = None


class ListTriggersResponse(SnakeModel):
    triggers: list[Trigger] | None = None
    next_page_token: str | None = None


class TriggerExecution(SnakeModel):
    id: str | None = None
    trigger_id: str | None = None
    status: str | None = None  # in_progress | completed | failed | skipped | timed_out
    interaction_id: str | None = None
    environment_id: str | None = None
    error: str | None = None
    scheduled_time: datetime.datetime | None = None
    start_time: datetime.datetime | None = None
    end_time: datetime.datetime | None = None


class ListTriggerExecutionsResponse(SnakeModel):
    trigger_executions: list[TriggerExecution] | None = None
    next_page_token: str | None = None


TriggerDeleteResponse = Empty
