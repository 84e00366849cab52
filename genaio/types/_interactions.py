"""The experimental Interactions API: an interaction, its steps, and its stream's events.

Unlike the rest of the API, its wire keys are snake_case, so these types keep their Python
names on the wire. Steps and contents come in many kinds (`text`, `image`, `function_call`,
`model_output`, ...); they are kept as loosely typed records that read any kind.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from genaio.types._base import WireModel

__all__ = [
    "Interaction",
    "InteractionContent",
    "InteractionSSEEvent",
    "InteractionStatus",
    "InteractionStep",
    "InteractionUsage",
]

InteractionStatus = Literal[
    "in_progress",
    "requires_action",
    "completed",
    "failed",
    "cancelled",
    "incomplete",
    "budget_exceeded",
    "queued",
]


class _SnakeModel(WireModel):
    """A WireModel whose wire names are its Python names."""

    model_config = ConfigDict(alias_generator=None)


class InteractionContent(_SnakeModel):
    """One content item: `{"type": "text", "text": ...}`, `{"type": "image", "data", "mime_type"}`
    and so on; fields of other kinds are kept as extra attributes."""

    type: str | None = None
    text: str | None = None
    data: str | None = None
    uri: str | None = None
    mime_type: str | None = None


class InteractionStep(_SnakeModel):
    """One step of an interaction: `user_input`, `model_output`, `thought`, a tool call or its
    result; `content` holds the items of the steps that have them."""

    type: str | None = None
    content: list[InteractionContent] | None = None


class InteractionUsage(_SnakeModel):
    total_input_tokens: int | None = None
    total_output_tokens: int | None = None
    total_thought_tokens: int | None = None
    total_cached_tokens: int | None = None
    total_tool_use_tokens: int | None = None
    total_tokens: int | None = None


class Interaction(_SnakeModel):
    """An interaction with a model or an agent, as the server reports it.

    `output_text` (and `output_image` / `output_audio` / `output_video`) read the model's
    answer to the latest input from `steps`, as the official SDK computes them.
    """

    id: str | None = None
    status: InteractionStatus | str | None = None
    model: str | None = None
    agent: str | None = None
    input: Any = None
    steps: list[InteractionStep] | None = None
    usage: InteractionUsage | None = None
    created: str | None = None
    updated: str | None = None
    environment_id: str | None = None
    errors: list[Any] | None = None
    previous_interaction_id: str | None = None
    # The request's settings, as the server echoes them. The nested objects (tools, configs,
    # the response format) come in many kinds and are kept as the server wrote them.
    system_instruction: str | None = None
    generation_config: dict[str, Any] | None = None
    agent_config: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    response_format: Any = None
    response_mime_type: str | None = None
    response_modalities: list[str] | None = None
    safety_settings: list[dict[str, Any]] | None = None
    cached_content: str | None = None
    service_tier: str | None = None
    labels: dict[str, str] | None = None
    environment: Any = None
    webhook_config: dict[str, Any] | None = None
    #: Where an interrupted interaction continues (`continuation_ids`: the interactions so far).
    continuation_token: str | None = None
    continuation_ids: list[str] | None = None

    def _answer(self) -> list[InteractionStep]:
        """The trailing run of steps after the last user input."""
        steps: list[InteractionStep] = []
        for step in reversed(self.steps or ()):
            if step.type == "user_input":
                break
            steps.append(step)
        return steps[::-1]

    @property
    def output_text(self) -> str:
        """The text of the model's last output (thoughts skipped); "" when there is none."""
        texts: list[str] = []
        for step in reversed(self._answer()):
            if step.type == "thought":
                continue
            if step.type != "model_output":
                if texts:
                    break
                continue
            items = [c.text or "" for c in step.content or () if c.type == "text"]
            texts[:0] = items
        return "".join(texts)

    def _last_output(self, kind: str) -> InteractionContent | None:
        for step in reversed(self._answer()):
            if step.type == "model_output":
                for item in reversed(step.content or ()):
                    if item.type == kind:
                        return item
        return None

    @property
    def output_image(self) -> InteractionContent | None:
        return self._last_output("image")

    @property
    def output_audio(self) -> InteractionContent | None:
        return self._last_output("audio")

    @property
    def output_video(self) -> InteractionContent | None:
        return self._last_output("video")


class InteractionSSEEvent(_SnakeModel):
    """One event of an interaction's stream, by `event_type`: `interaction.created` /
    `interaction.completed` (with `interaction`), `interaction.status_update` (`status`),
    `step.start` (`index`, `step`), `step.delta` (`index`, `delta`), `step.stop`, `error`.
    `event_id` resumes a stream: `interactions.get(id, stream=True, last_event_id=...)`."""

    event_type: str | None = None
    event_id: str | None = None
    interaction: Interaction | None = None
    status: str | None = None
    index: int | None = None
    step: InteractionStep | None = None
    delta: InteractionContent | None = None
    error: Any = None
