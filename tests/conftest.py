import pytest


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request):
    """`@pytest.mark.anyio` tests run on both backends; trio is the home backend."""
    return request.param


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`trio_mode` marks every async test as a trio test, which would run an `anyio` test on
    trio whatever its `anyio_backend`: take that mark off, so that anyio's plugin runs it on the
    backend it names (both, with the fixture above).

    A test that uses trio's mock clock (`autojump_clock`, `mock_clock`) is about trio's time:
    it stays pytest-trio's, and its asyncio variant is dropped.
    """
    kept, dropped = [], []
    for item in items:
        if item.get_closest_marker("anyio") is None:
            kept.append(item)
            continue
        fixtures = getattr(item, "fixturenames", ())
        if "autojump_clock" in fixtures or "mock_clock" in fixtures:
            callspec = getattr(item, "callspec", None)
            backend = callspec.params.get("anyio_backend") if callspec else None
            (dropped if backend == "asyncio" else kept).append(item)
            continue
        item.own_markers = [m for m in item.own_markers if m.name != "trio"]
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
