"""The public surface of `genaio.types`."""

from genaio import types


def test_all_names_exist_and_are_public():
    assert len(types.__all__) == len(set(types.__all__))
    for name in types.__all__:
        assert not name.startswith("_")
        assert hasattr(types, name), name


def test_transport_options_stay_exported():
    for name in ("HttpOptions", "HttpOptionsDict", "HttpRetryOptions"):
        assert name in types.__all__


def test_every_config_has_a_dict_alias():
    configs = [n for n in types.__all__ if n.endswith("Config") and not n.startswith("Audio")]
    for name in (
        "GenerateContentConfig",
        "EmbedContentConfig",
        "CountTokensConfig",
        "ListModelsConfig",
        "GetModelConfig",
        "ThinkingConfig",
        "ToolConfig",
    ):
        assert name in configs
        assert f"{name}Dict" in types.__all__, name


def test_official_spelling_works():
    config = types.GenerateContentConfig(temperature=0.2)
    assert config.temperature == 0.2
