"""Counts over a run (cancellation points, faults, requests, items lost), printed at its end
for docs/reliability.md. One module, imported by one name, so that every test adds to it."""

TALLY: dict[str, int] = {}


def tally(**counts: int) -> None:
    for key, value in counts.items():
        TALLY[key] = TALLY.get(key, 0) + value
