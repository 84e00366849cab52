"""The facade's shape: one way to build and send a call, and no family reaching into its
client's private state (a family knows only its `Backend`)."""

from __future__ import annotations

import re
from pathlib import Path

API = Path(__file__).parents[2] / "genaio" / "api"
FAMILIES = sorted(p for p in API.glob("*.py") if p.name not in {"_resource.py", "_client.py"})


def test_no_family_reads_a_client_s_private_attributes() -> None:
    reaching = re.compile(r"\bclient\._[a-z]")
    found = [f"{p.name}: {m.group(0)}" for p in FAMILIES for m in reaching.finditer(p.read_text())]
    assert found == []


def test_every_call_is_built_by_rest_and_sent_by_request() -> None:
    # `RestCall(` directly only where a body must stay a value: a batchable embedding, whose
    # entries the coalescer writes as it joins a batch.
    direct = {p.name: p.read_text().count("RestCall(") for p in FAMILIES}
    assert {name: n for name, n in direct.items() if n} == {"models.py": 1}
    assert not any("self._json(" in p.read_text() for p in FAMILIES)
