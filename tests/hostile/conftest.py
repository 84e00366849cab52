import pytest


@pytest.fixture(scope="session", autouse=True)
def _print_tally(request: pytest.FixtureRequest):
    """The fuzzer's tally, for docs/reliability.md: how its calls ended, by what they had to."""
    yield
    from tests.hostile.server import TALLY

    if TALLY:
        counts = ", ".join(f"{key}={value}" for key, value in sorted(TALLY.items()))
        print(f"\ngenaio hostile tally: {counts}")
