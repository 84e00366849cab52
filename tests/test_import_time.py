"""What a cold start imports: structural facts, not timings (bench/run.py --only imports has
those). Each check runs in a fresh interpreter, as a user's first import does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Libraries a cold start must not pay for before it needs them.
HEAVY = ("pydantic", "httpx", "rich", "structlog", "trio", "anyio")


def run_fresh(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_import_genaio_imports_no_library_and_no_type():
    run_fresh(
        f"""
        import sys
        import genaio
        loaded = [m for m in sys.modules if m.split(".")[0] in {HEAVY!r}]
        assert not loaded, loaded
        ours = [m for m in sys.modules if m.startswith("genaio.")]
        assert not ours, ours
        """
    )


def test_import_types_loads_no_topic_until_a_name_is_used():
    run_fresh(
        f"""
        import sys
        from genaio import types
        assert not [m for m in sys.modules if m.startswith("genaio.types._")]
        assert not [m for m in sys.modules if m.split(".")[0] in {HEAVY!r}]
        assert "GenerateContentConfig" in dir(types) and "PartDict" in dir(types)
        types.GenerateContentConfig(temperature=0.2)
        assert "genaio.types._config" in sys.modules
        # Only the topics the config is made of: not the other families' types.
        for topic in ("_live", "_batches", "_tunings", "_interactions", "_images", "_videos"):
            assert f"genaio.types.{{topic}}" not in sys.modules, topic
        # Nor the client, its transport or its logging.
        client = ("httpx", "rich", "structlog", "trio")
        assert not [m for m in sys.modules if m.split(".")[0] in client]
        assert not [m for m in sys.modules if m.startswith(("genaio.api", "genaio.engine"))]
        """
    )


def test_models_build_their_validators_on_first_use():
    run_fresh(
        """
        from genaio import types
        assert not types.LiveConnectConfig.__pydantic_complete__
        types.LiveConnectConfig(temperature=0.5)
        assert types.LiveConnectConfig.__pydantic_complete__
        """
    )


def test_typed_dicts_import_no_model():
    run_fresh(
        """
        import sys
        from genaio import types
        config: types.GenerateContentConfigDict = {"temperature": 0.2}
        assert "pydantic" not in sys.modules
        assert not [m for m in sys.modules if m.startswith("genaio.types._") and "_dicts_" not in m]
        """
    )
