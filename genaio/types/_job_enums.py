"""The enumerations of jobs and files: the states of batch and tuning jobs and of files, where
a file came from, and the tuning methods, modes and adapter sizes.
"""

from __future__ import annotations

from genaio.types._wire_enum import WireEnum

__all__ = [
    "TERMINAL_JOB_STATES",
    "AdapterSize",
    "FileSource",
    "FileState",
    "JobState",
    "TuningJobState",
    "TuningMethod",
    "TuningMode",
]


class JobState(WireEnum):
    """States of batch and tuning jobs."""

    JOB_STATE_UNSPECIFIED = "JOB_STATE_UNSPECIFIED"
    JOB_STATE_QUEUED = "JOB_STATE_QUEUED"
    JOB_STATE_PENDING = "JOB_STATE_PENDING"
    JOB_STATE_RUNNING = "JOB_STATE_RUNNING"
    JOB_STATE_SUCCEEDED = "JOB_STATE_SUCCEEDED"
    JOB_STATE_FAILED = "JOB_STATE_FAILED"
    JOB_STATE_CANCELLING = "JOB_STATE_CANCELLING"
    JOB_STATE_CANCELLED = "JOB_STATE_CANCELLED"
    JOB_STATE_PAUSED = "JOB_STATE_PAUSED"
    JOB_STATE_EXPIRED = "JOB_STATE_EXPIRED"
    JOB_STATE_UPDATING = "JOB_STATE_UPDATING"
    JOB_STATE_PARTIALLY_SUCCEEDED = "JOB_STATE_PARTIALLY_SUCCEEDED"


#: The states a batch or tuning job never leaves.
TERMINAL_JOB_STATES = frozenset(
    {
        JobState.JOB_STATE_SUCCEEDED,
        JobState.JOB_STATE_FAILED,
        JobState.JOB_STATE_CANCELLED,
        JobState.JOB_STATE_EXPIRED,
        JobState.JOB_STATE_PARTIALLY_SUCCEEDED,
    }
)


class FileState(WireEnum):
    """Processing states of an uploaded file."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    PROCESSING = "PROCESSING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"


class FileSource(WireEnum):
    """Where a file came from."""

    SOURCE_UNSPECIFIED = "SOURCE_UNSPECIFIED"
    UPLOADED = "UPLOADED"
    GENERATED = "GENERATED"
    REGISTERED = "REGISTERED"


class TuningJobState(WireEnum):
    """Where a running tuning job is, finer than its `JobState`."""

    TUNING_JOB_STATE_UNSPECIFIED = "TUNING_JOB_STATE_UNSPECIFIED"
    TUNING_JOB_STATE_WAITING_FOR_QUOTA = "TUNING_JOB_STATE_WAITING_FOR_QUOTA"
    TUNING_JOB_STATE_PROCESSING_DATASET = "TUNING_JOB_STATE_PROCESSING_DATASET"
    TUNING_JOB_STATE_WAITING_FOR_CAPACITY = "TUNING_JOB_STATE_WAITING_FOR_CAPACITY"
    TUNING_JOB_STATE_TUNING = "TUNING_JOB_STATE_TUNING"
    TUNING_JOB_STATE_POST_PROCESSING = "TUNING_JOB_STATE_POST_PROCESSING"


class TuningMethod(WireEnum):
    """The kind of tuning a job does."""

    SUPERVISED_FINE_TUNING = "SUPERVISED_FINE_TUNING"
    PREFERENCE_TUNING = "PREFERENCE_TUNING"
    DISTILLATION = "DISTILLATION"
    REINFORCEMENT_TUNING = "REINFORCEMENT_TUNING"


class TuningMode(WireEnum):
    """Tune all weights, or an adapter."""

    TUNING_MODE_UNSPECIFIED = "TUNING_MODE_UNSPECIFIED"
    TUNING_MODE_FULL = "TUNING_MODE_FULL"
    TUNING_MODE_PEFT_ADAPTER = "TUNING_MODE_PEFT_ADAPTER"


class AdapterSize(WireEnum):
    """The rank of a tuning adapter."""

    ADAPTER_SIZE_UNSPECIFIED = "ADAPTER_SIZE_UNSPECIFIED"
    ADAPTER_SIZE_ONE = "ADAPTER_SIZE_ONE"
    ADAPTER_SIZE_TWO = "ADAPTER_SIZE_TWO"
    ADAPTER_SIZE_FOUR = "ADAPTER_SIZE_FOUR"
    ADAPTER_SIZE_EIGHT = "ADAPTER_SIZE_EIGHT"
    ADAPTER_SIZE_SIXTEEN = "ADAPTER_SIZE_SIXTEEN"
    ADAPTER_SIZE_THIRTY_TWO = "ADAPTER_SIZE_THIRTY_TWO"
