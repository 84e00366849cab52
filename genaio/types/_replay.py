"""The record-and-replay files of google-genai's own test suite, as typed models: code that
reads or writes those recordings (a request, its answer, the table of test cases) can use
them with genaio too. genaio's own tests record with `tests/recording.py` instead."""

from __future__ import annotations

from typing import Any

from genaio.types._base import WireModel

__all__ = [
    "ReplayFile",
    "ReplayInteraction",
    "ReplayRequest",
    "ReplayResponse",
    "TestTableFile",
    "TestTableItem",
]


class ReplayRequest(WireModel):
    """A recorded request; its body split in JSON segments."""

    method: str | None = None
    url: str | None = None
    headers: dict[str, str] | None = None
    body_segments: list[dict[str, Any]] | None = None


class ReplayResponse(WireModel):
    """A recorded answer: its body's segments as sent, and as the SDK parsed them."""

    status_code: int | None = None
    headers: dict[str, str] | None = None
    body_segments: list[dict[str, Any]] | None = None
    sdk_response_segments: list[dict[str, Any]] | None = None


class ReplayInteraction(WireModel):
    request: ReplayRequest | None = None
    response: ReplayResponse | None = None


class ReplayFile(WireModel):
    """One recording: its id and the exchanges, in order."""

    replay_id: str | None = None
    interactions: list[ReplayInteraction] | None = None


class TestTableItem(WireModel):
    """One test case: the method's parameters, the error expected on each backend, and the
    keys a comparison ignores."""

    __test__ = False  # not a pytest test class, despite its name

    name: str | None = None
    parameters: dict[str, Any] | None = None
    exception_if_mldev: str | None = None
    exception_if_vertex: str | None = None
    override_replay_id: str | None = None
    has_union: bool | None = None
    skip_in_api_mode: str | None = None
    ignore_keys: list[str] | None = None


class TestTableFile(WireModel):
    """The test cases of one method."""

    __test__ = False  # not a pytest test class, despite its name

    comment: str | None = None
    test_method: str | None = None
    parameter_names: list[str] | None = None
    test_table: list[TestTableItem] | None = None
