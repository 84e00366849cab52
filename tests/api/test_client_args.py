"""`Client(enterprise=..., debug_config=...)`: google-genai 3.6's two newer arguments, with its
meaning, checked against the installed SDK where it can run offline."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable

import pytest

import genaio
from genaio import types

genai = pytest.importorskip("google.genai")

ENV = [
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_GENAI_CLIENT_MODE",
    "GOOGLE_GENAI_REPLAYS_DIRECTORY",
    "GOOGLE_GENAI_REPLAY_ID",
]

FLAGS = [None, True, False]
#: Environment values: unset, empty (set: it decides, and is False), true-ish, false-ish.
ENV_VALUES = [None, "", "true", "TRUE", "1", "false", "0", "yes"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def outcome(make: Callable[[], object]) -> object:
    """The backend a client reports, or the type of the error that refused it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client = make()
    except Exception as error:  # the type is what is compared
        return type(error)
    return bool(client.vertexai)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("enterprise", "vertexai"), list(itertools.product(FLAGS, FLAGS)))
def test_enterprise_and_vertexai_resolve_as_the_sdk(
    enterprise: bool | None, vertexai: bool | None
) -> None:
    """An API key works on both backends (express mode on Vertex AI): the backend is the only
    difference, and the conflict (both given, different) the SDK's ValueError."""
    args = dict(enterprise=enterprise, vertexai=vertexai, api_key="k")
    theirs = outcome(lambda: genai.Client(**args))
    ours = outcome(lambda: genaio.Client(**args))
    assert ours == theirs
    if enterprise is not None and vertexai is not None and enterprise != vertexai:
        assert ours is ValueError


@pytest.mark.parametrize(
    ("use_enterprise", "use_vertexai"), list(itertools.product(ENV_VALUES, ENV_VALUES))
)
@pytest.mark.parametrize(("enterprise", "vertexai"), [(None, None), (True, None), (None, False)])
def test_the_environment_decides_only_without_arguments_as_the_sdk(
    monkeypatch: pytest.MonkeyPatch,
    use_enterprise: str | None,
    use_vertexai: str | None,
    enterprise: bool | None,
    vertexai: bool | None,
) -> None:
    for name, value in [
        ("GOOGLE_GENAI_USE_ENTERPRISE", use_enterprise),
        ("GOOGLE_GENAI_USE_VERTEXAI", use_vertexai),
    ]:
        if value is not None:
            monkeypatch.setenv(name, value)
    args = dict(enterprise=enterprise, vertexai=vertexai, api_key="k")
    assert outcome(lambda: genaio.Client(**args)) == outcome(lambda: genai.Client(**args))


def test_conflicting_environment_flags_warn_and_enterprise_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_ENTERPRISE", "false")
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    with pytest.warns(UserWarning, match="GOOGLE_GENAI_USE_ENTERPRISE decides") as caught:
        client = genaio.Client(api_key="k")
    assert client.vertexai is False
    assert caught[0].filename == __file__  # points at the caller's line


def test_the_conflict_names_both_arguments() -> None:
    with pytest.raises(ValueError, match="enterprise=True and vertexai=False"):
        genaio.Client(enterprise=True, vertexai=False, api_key="k")


def test_enterprise_alone_picks_vertex_ai() -> None:
    assert genaio.Client(enterprise=True, api_key="k").vertexai is True
    assert genaio.Client(enterprise=False, api_key="k").vertexai is False


def test_debug_config_is_importable_where_the_sdk_has_it() -> None:
    from genaio.client import DebugConfig

    assert DebugConfig is types.DebugConfig
    fields = set(types.DebugConfig.model_fields)
    assert fields == set(genai.client.DebugConfig.model_fields)


@pytest.mark.parametrize(
    "debug_config",
    [
        None,
        types.DebugConfig(),
        {},
        {"client_mode": "api"},
        types.DebugConfig(client_mode="api", replays_directory="/r", replay_id="x"),
    ],
)
def test_a_debug_config_without_a_replay_mode_leaves_the_client_as_it_is(
    debug_config: object,
) -> None:
    client = genaio.Client(api_key="k", debug_config=debug_config)  # type: ignore[arg-type]
    assert client.vertexai is False
    assert repr(client) == repr(genaio.Client(api_key="k"))


@pytest.mark.parametrize("mode", ["record", "replay", "auto"])
@pytest.mark.parametrize("form", ["model", "dict", "env"])
def test_a_record_or_replay_mode_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, mode: str, form: str
) -> None:
    """Never ignored: the SDK would record or replay; genaio says it does not, and where to go."""
    debug_config: object = None
    if form == "model":
        debug_config = types.DebugConfig(client_mode=mode)
    elif form == "dict":
        debug_config = {"client_mode": mode, "replay_id": "t"}
    else:
        monkeypatch.setenv("GOOGLE_GENAI_CLIENT_MODE", mode)
    with pytest.raises(NotImplementedError, match=f"client_mode='{mode}'") as error:
        genaio.Client(api_key="k", debug_config=debug_config)  # type: ignore[arg-type]
    assert "emulator" in str(error.value)
    assert "docs/testing-your-app.md" in str(error.value)


def test_the_environment_mode_reads_as_the_sdks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_CLIENT_MODE", "replay")
    monkeypatch.setenv("GOOGLE_GENAI_REPLAYS_DIRECTORY", "/replays")
    monkeypatch.setenv("GOOGLE_GENAI_REPLAY_ID", "case")
    ours = types.DebugConfig().model_dump()
    assert ours == genai.client.DebugConfig().model_dump()
    assert ours == {"client_mode": "replay", "replays_directory": "/replays", "replay_id": "case"}


@pytest.mark.parametrize(
    ("debug_config", "error"),
    [
        ({"client_mode": "bogus"}, ValueError),
        ({"clientmode": "replay"}, ValueError),  # a misspelt field is not dropped
        ("replay", TypeError),
    ],
)
def test_a_bad_debug_config_is_a_clear_error(debug_config: object, error: type) -> None:
    with pytest.raises(error, match=r"(?i)debug_?config"):
        genaio.Client(api_key="k", debug_config=debug_config)  # type: ignore[arg-type]
