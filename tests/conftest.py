import pytest


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request):
    """`@pytest.mark.anyio` tests run on both backends; trio is the home backend."""
    return request.param
