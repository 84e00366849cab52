"""List prices of the embedding models, online and through the Batch API, kept as data.

`prices.json` beside this module holds them with their source and date; prices change, so a
user's own file (same shape, any subset of models) overrides them model by model.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

import attrs

__all__ = ["Prices", "load_prices"]

Via = Literal["online", "batch"]


@attrs.frozen
class Prices:
    """USD per million input tokens, by model and path; where they come from, and when."""

    per_million: dict[str, dict[str, float]]
    source: str
    as_of: str

    def cost(self, model: str, via: Via, tokens: int) -> float | None:
        """What `tokens` input tokens cost; None: no price known for the model."""
        price = self.per_million.get(model.removeprefix("models/"), {}).get(via)
        return None if price is None else price * tokens / 1_000_000


def load_prices(override: Path | None = None) -> Prices:
    """The package's list prices, with `override`'s models (a JSON file of the same shape)
    in place of theirs. Raises `ValueError` for a file that is not of that shape."""
    data = json.loads(resources.files("genaio.embedjob").joinpath("prices.json").read_text())
    prices = Prices(data["usd_per_million_tokens"], data["source"], data["as_of"])
    if override is None:
        return prices
    try:
        mine = json.loads(override.read_text())
        models = {
            str(m): {str(k): float(v) for k, v in p.items()}
            for m, p in mine["usd_per_million_tokens"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"{override}: not a prices file ({error})") from None
    return Prices(
        {**prices.per_million, **models},
        str(mine.get("source", override)),
        str(mine.get("as_of", "unknown")),
    )
