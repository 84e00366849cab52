"""The models actor: generate, stream, embed and count, rate limited per model."""

from __future__ import annotations

from collections.abc import Mapping

from genaio.actors._family import FamilyActor
from genaio.actors._limits import FamilyLimits
from genaio.engine import HttpTransport, RateLimit

__all__ = ["ModelsActor", "model_id"]


def model_id(model: str) -> str:
    """The bare id a rate limit is keyed by: `models/x`, `publishers/google/models/x` -> `x`."""
    return model.rsplit("/", 1)[-1]


class ModelsActor(FamilyActor):
    """Each model has its own requests and tokens per minute, as the API's quotas do."""

    def __init__(
        self,
        transport: HttpTransport,
        limits: FamilyLimits,
        model_rates: Mapping[str, RateLimit],
    ) -> None:
        super().__init__("models", transport, limits)
        self._model_rates = {model_id(name): rate for name, rate in model_rates.items()}

    def rate_for(self, key: str | None) -> RateLimit | None:
        if key is None:
            return None
        return self._model_rates.get(model_id(key), self.limits.rate)
