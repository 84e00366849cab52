import pytest


@pytest.fixture(scope="session", autouse=True)
def _print_tally(request: pytest.FixtureRequest):
    """The fuzzer's tally, for docs/reliability.md: how its calls ended, by what they had to."""
    yield
    from tests.hostile.server import TALLY

    if TALLY:
        import resource

        counts = ", ".join(f"{key}={value}" for key, value in sorted(TALLY.items()))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\ngenaio hostile tally: {counts}; peak RSS {peak:.0f} MiB")
