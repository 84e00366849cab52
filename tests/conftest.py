import pytest


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request):
    """`@pytest.mark.anyio` tests run on both backends; trio is the home backend."""
    return request.param


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`trio_mode` marks every async test as a trio test, which would run an `anyio` test on
    trio whatever its `anyio_backend`: take that mark off, so that anyio's plugin runs it on the
    backend it names (both, with the fixture above). A test on trio's mock clock
    (`autojump_clock`) is about trio's time: it is pytest-trio's, never marked `anyio`."""
    for item in items:
        if item.get_closest_marker("anyio") is not None:
            item.own_markers = [m for m in item.own_markers if m.name != "trio"]
