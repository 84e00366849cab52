"""What creating a client and making its first call import: structural facts that keep the cold
start small (bench/run.py --only imports has the timings; tests/test_import_time.py covers
`import genaio` and the types). Each check runs in a fresh interpreter, as a user's first call
does, so that no other test's imports hide a regression."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Every family of `client.aio` but `models`: each is imported when first used.
OTHER_FAMILIES = tuple(
    f"genaio.api.{name}"
    for name in (
        "agents",
        "auth_tokens",
        "batches",
        "caches",
        "chats",
        "credentials",
        "decisions",
        "environments",
        "file_search_stores",
        "files",
        "interactions",
        "live",
        "live_music",
        "operations",
        "triggers",
        "tunings",
        "voices",
        "webhooks",
    )
)
#: What neither a client nor a `generate_content` call needs: the other families, websockets,
#: structlog while no logger lets an event through (its package imports its development console
#: renderer, and rich and pygments with it), OpenTelemetry while telemetry is off.
NOT_NEEDED = (
    *OTHER_FAMILIES,
    "genaio.actors.live",
    "genaio.engine._websocket",
    "wsproto",
    "structlog",
    "genaio._otel",
    "opentelemetry",
)

PRELUDE = f"""
import sys

NOT_NEEDED = {NOT_NEEDED!r}
OTHER_FAMILIES = {OTHER_FAMILIES!r}

def loaded(names):
    \"\"\"The modules of `names` (and of the packages among them) imported so far.\"\"\"
    packages = tuple(name + "." for name in names)
    return sorted(m for m in sys.modules if m in names or m.startswith(packages))
"""


def run_fresh(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_a_client_is_created_without_its_families_transport_or_logging() -> None:
    run_fresh(
        """
        import genaio
        client = genaio.Client(api_key="k")
        aio = client.aio
        assert not loaded(NOT_NEEDED + ("genaio.api.models",)), loaded(NOT_NEEDED)
        # The transport, the actors and httpx (which imports rich for its command line) come
        # with the first call, when the actor tree opens.
        late = ("genaio.engine._transport", "genaio.actors._tree", "httpx", "rich", "pygments")
        assert not loaded(late), loaded(late)
        aio.models
        assert "genaio.api.models" in sys.modules
        assert not loaded(NOT_NEEDED), loaded(NOT_NEEDED)
        aio.chats  # made on the models: imports its own module only
        assert "genaio.api.chats" in sys.modules
        others = tuple(f for f in OTHER_FAMILIES if f != "genaio.api.chats")
        assert not loaded(others), loaded(others)
        """
    )


def test_a_first_generate_content_imports_only_what_it_needs(genaio_emulator) -> None:
    run_fresh(
        f"""
        import httpx, trio
        before = set(sys.modules)  # httpx imports rich, pygments and click for its CLI
        import genaio

        async def main():
            options = {{"base_url": {genaio_emulator.base_url!r}}}
            async with genaio.Client(api_key="k", http_options=options).aio as aio:
                answer = await aio.models.generate_content(model="gemini-2.0-flash", contents="hi")
            assert answer.text

        trio.run(main)
        assert not loaded(NOT_NEEDED), loaded(NOT_NEEDED)
        new = [m for m in set(sys.modules) - before if m.split(".")[0] in ("rich", "pygments")]
        assert not new, sorted(new)
        """
    )


def test_structlog_comes_with_the_first_event_a_logger_lets_through() -> None:
    run_fresh(
        """
        import logging
        from genaio._log import get_logger

        log = get_logger("genaio.cold")
        log.info("unheard", n=1)  # the stdlib logger is at WARNING: dropped, as structlog would
        assert "structlog" not in sys.modules
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record)

        logging.getLogger("genaio.cold").addHandler(Keep())
        logging.getLogger("genaio.cold").setLevel(logging.INFO)
        log.debug("below", n=0)
        assert "structlog" not in sys.modules and not records
        log.info("heard", n=2)
        assert "structlog" in sys.modules
        [record] = records
        assert record.getMessage() == "heard" and record.n == 2 and record.levelno == logging.INFO
        """
    )
