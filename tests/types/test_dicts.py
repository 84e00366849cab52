"""The `*Dict` TypedDicts and the lazy index of `genaio.types`, both written by
scripts/generate_typed_dicts.py: checked in, current, and google-genai's keys."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest
from typing_extensions import is_typeddict

from genaio import types

ROOT = Path(__file__).resolve().parents[2]
GAPS = Path(__file__).with_name("sdk_surface_gaps.json")

#: Fields the SDK's models have and its TypedDicts leave out (objects, not data); genaio's
#: TypedDicts keep every field of the model.
SDK_LEAVES_OUT = {
    "HttpOptionsDict": {"httpx_client", "httpx_async_client", "aiohttp_client"},
    "GenerateContentResponseDict": {"parsed", "automatic_function_calling_history"},
}


def load_generator() -> ModuleType:
    path = ROOT / "scripts" / "generate_typed_dicts.py"
    spec = importlib.util.spec_from_file_location("generate_typed_dicts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def models() -> dict[str, type[pydantic.BaseModel]]:
    return {
        name: value
        for name in types.__all__
        if isinstance(value := getattr(types, name), type)
        and issubclass(value, pydantic.BaseModel)
        and value.__module__ != "genaio.types._base"  # the bases, with no fields of their own
    }


def test_generated_files_are_current():
    generator = load_generator()
    stale = generator.stale(generator.generate())
    assert not stale, (
        f"stale generated files {[str(p) for p in stale]}: "
        "run `python scripts/generate_typed_dicts.py` and commit what it writes"
    )


def test_every_model_has_a_typed_dict_with_its_fields():
    for name, model in models().items():
        typed_dict = getattr(types, f"{name}Dict")
        assert is_typeddict(typed_dict), name
        assert f"{name}Dict" in types.__all__
        assert not typed_dict.__required_keys__, name
        assert set(model.model_fields) <= set(typed_dict.__annotations__), name


def test_a_typed_dict_validates_into_its_model():
    config: dict[str, Any] = types.GenerateContentConfigDict(
        temperature=0.2,
        thinking_config={"thinking_budget": 0},
        safety_settings=[{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    )
    assert types.GenerateContentConfig.model_validate(config).thinking_config is not None


def test_the_sdks_typed_dicts_exist_with_its_keys():
    """Each TypedDict google-genai has for a model genaio has: same name, same keys, except
    the fields genaio's model still lacks (listed by test_sdk_surface.py's ratchet)."""
    sdk_types = pytest.importorskip("google.genai.types")
    gaps = set(json.loads(GAPS.read_text())["fields"])
    compared, problems = 0, []
    for name, sdk_dict in vars(sdk_types).items():
        model = name.removesuffix("Dict")
        if name == model or not is_typeddict(sdk_dict) or model not in models():
            continue
        compared += 1
        ours = getattr(types, name, None)
        if ours is None or not is_typeddict(ours):
            problems.append(f"{name}: missing")
            continue
        theirs, keys = set(sdk_dict.__annotations__), set(ours.__annotations__)
        missing = {k for k in theirs - keys if f"{model}.{k}" not in gaps}
        extra = keys - theirs - SDK_LEAVES_OUT.get(name, set())
        extra -= set(models()[model].model_fields) - set(vars(sdk_types)[model].model_fields)
        if missing or extra:
            problems.append(f"{name}: missing {sorted(missing)}, extra {sorted(extra)}")
    print(f"compared {compared} TypedDicts with google-genai's")
    assert compared > 250
    assert not problems, "\n".join(problems)


def test_index_names_every_public_name_and_imports_nothing_before_use():
    code = textwrap.dedent(
        """
        import sys
        import genaio.types as t
        assert not [m for m in sys.modules if m.startswith("genaio.types._")], sys.modules
        assert "pydantic" not in sys.modules
        assert set(t.__all__) <= set(dir(t))
        t.PartDict
        assert "genaio.types._dicts_content" in sys.modules
        assert "genaio.types._content" not in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        types.NoSuchThing  # noqa: B018


def test_typed_user_code_type_checks(tmp_path: Path):
    """A program written against google-genai's types, with the import changed, passes
    mypy --strict; and a wrong key or value type in a dict is caught."""
    program = tmp_path / "user_code.py"
    program.write_text(
        textwrap.dedent(
            """
            import genaio
            from genaio import types

            part: types.PartDict = {"text": "hi"}
            content: types.ContentDict = {"role": "user", "parts": [part, {"text": "again"}]}
            config: types.GenerateContentConfigDict = {
                "temperature": 0.2,
                "system_instruction": "be brief",
                "thinking_config": {"thinking_budget": 0},
                "safety_settings": [
                    {
                        "category": types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
                        "threshold": types.HarmBlockThreshold.BLOCK_NONE,
                    }
                ],
                "tools": [{"google_search": {}}],
                "response_mime_type": "application/json",
            }
            embed: types.EmbedContentConfigDict = {"output_dimensionality": 8}
            schema: types.TextResponseFormatDict = {"schema": {"type": "object"}}
            model = types.GenerateContentConfig.model_validate(config)

            async def call(client: genaio.Client) -> None:
                # The facade's parameters take `X | Mapping[str, Any]`: a TypedDict passes.
                await client.aio.models.generate_content(model="m", contents="hi", config=config)
                client.models.embed_content(model="m", contents="hi", config=embed)
            wrong: types.ThinkingConfigDict = {"thinking_budget": "many"}  # E: wrong type
            typo: types.PartDict = {"txt": "hi"}  # E: unknown key
            """
        )
    )
    command = [
        sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
        "--no-pretty", "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(ROOT / ".mypy_cache" / "strict"), str(program),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    lines = {int(line.split(":")[1]) for line in errors}
    expected = {n for n, text in enumerate(program.read_text().splitlines(), 1) if "# E:" in text}
    assert lines == expected, result.stdout
