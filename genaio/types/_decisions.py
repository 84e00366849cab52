"""Decisions (`client.aio.decisions`): a model answers named questions about an input, each
as a choice, a score or a yes/no probability ("noul"), with its confidence."""

from __future__ import annotations

from typing import Any

from genaio.types._managed_base import SnakeModel

__all__ = ["CreateDecisionResponse", "DecisionAnswer", "DecisionPromptFeedback"]


class DecisionAnswer(SnakeModel):
    """One question's answer; the fields of its kind (`choice`, `score`, `noul`) are set."""

    type: str | None = None
    confidence: float | None = None
    choice: str | None = None
    score: float | None = None
    noul: float | None = None
    probabilities: dict[str, float] | None = None
    legend: dict[str, str] | None = None


class DecisionPromptFeedback(SnakeModel):
    block_reason: str | None = None
    block_reason_message: str | None = None


class CreateDecisionResponse(SnakeModel):
    answers: dict[str, DecisionAnswer] | None = None
    prompt_feedback: DecisionPromptFeedback | None = None
    usage: dict[str, Any] | None = None
