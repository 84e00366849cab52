"""How much of google-genai's `types` genaio has, by introspection of the installed SDK.

Counts the SDK's pydantic models and enums that `genaio.types` lacks, the members missing from
the enums both have, and the fields (snake_case; a property counts, as reading it gives the
same) missing from the models both have; prints the counts and the lists. What is still missing
is listed in `sdk_surface_gaps.json`: a gap not in that file fails (a new SDK release, or a
regression), and so does an entry that is no longer missing (delete it: the list only
shrinks). Run with `-s` to see the counts.

The models genaio has must keep what the server sends that they do not know (`extra="allow"`),
so that a field genaio has not typed yet is still there, as an attribute, in camelCase.
"""

from __future__ import annotations

import enum
import inspect
import json
from pathlib import Path
from typing import Any

import pydantic
import pytest
from pydantic.alias_generators import to_snake

from genaio import types

sdk_types = pytest.importorskip("google.genai.types")

RATCHET = Path(__file__).with_name("sdk_surface_gaps.json")
KINDS = ("models", "enums", "members", "fields")

#: Types the SDK keeps outside its `types` module, compared field by field all the same.
ELSEWHERE = {"Interaction": "google.genai.interactions"}

#: Why each name still in the ratchet file is missing: every entry has a reason here.
REASONS = {
    # genaio's `InteractionStatus` is the Interactions API's (a string literal); the SDK's
    # `types.InteractionStatus` is Live's, reachable as `LiveServerContent.interaction_status`.
    "InteractionStatus": "the name is taken by the Interactions API's status",
    # The SDK's switch for its own resumable uploads: the raw HTTP answer instead of the
    # parsed one. genaio's uploads run their own resumable protocol and always parse; a field
    # that is accepted and then ignored would be a silent wrong answer.
    "RegisterFilesConfig.should_return_http_response": "genaio always parses the answer",
    "UploadToFileSearchStoreConfig.should_return_http_response": "as above",
}


def sdk_classes(base: type) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(sdk_types).items()
        if not name.startswith("_")
        and inspect.isclass(value)
        and issubclass(value, base)
        and value.__module__ == sdk_types.__name__
    }


def ours(name: str, base: type) -> Any:
    value = getattr(types, name, None)
    return value if inspect.isclass(value) and issubclass(value, base) else None


def attributes(model: type[pydantic.BaseModel]) -> set[str]:
    """A model's fields, and its properties: what the SDK stores as a field computed from the
    others (`Interaction.output_text`) genaio may compute on read; a caller sees the same."""
    names = {n for n in dir(model) if isinstance(inspect.getattr_static(model, n), property)}
    return names | model.model_fields.keys()


def gaps() -> dict[str, list[str]]:
    """What genaio lacks, by kind: `Model`, `Enum`, `Enum.MEMBER`, `Model.field`."""
    import importlib

    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    models = sdk_classes(pydantic.BaseModel)
    for name, module in ELSEWHERE.items():
        models[name] = getattr(importlib.import_module(module), name)
    for name, sdk in sorted(models.items()):
        mine = ours(name, pydantic.BaseModel)
        if mine is None:
            found["models"].append(name)
            continue
        fields = {f if f.islower() else to_snake(f) for f in sdk.model_fields}
        found["fields"] += [f"{name}.{f}" for f in sorted(fields - attributes(mine))]
    for name, sdk in sorted(sdk_classes(enum.Enum).items()):
        mine = ours(name, enum.Enum)
        if mine is None:
            found["enums"].append(name)
            continue
        found["members"] += [
            f"{name}.{m}" for m in sorted(sdk.__members__.keys() - mine.__members__.keys())
        ]
    return found


def totals() -> dict[str, int]:
    models = sdk_classes(pydantic.BaseModel)
    enums = sdk_classes(enum.Enum)
    shared_models = [m for n, m in models.items() if ours(n, pydantic.BaseModel)]
    shared_enums = [e for n, e in enums.items() if ours(n, enum.Enum)]
    return {
        "models": len(models) + len(ELSEWHERE),
        "enums": len(enums),
        "members": sum(len(e.__members__) for e in shared_enums),
        "fields": sum(len(m.model_fields) for m in shared_models),
    }


def test_the_gap_with_the_sdk_only_shrinks():
    found, allowed, total = gaps(), json.loads(RATCHET.read_text()), totals()
    for kind in KINDS:
        print(f"{kind}: {len(found[kind])} missing of {total[kind]}")
    for kind in KINDS:
        print(f"missing {kind}: {' '.join(found[kind])}")
    new = {k: sorted(set(found[k]) - set(allowed[k])) for k in KINDS}
    done = {k: sorted(set(allowed[k]) - set(found[k])) for k in KINDS}
    assert not any(new.values()), f"missing and not in {RATCHET.name}: {new}"
    assert not any(done.values()), f"no longer missing: delete from {RATCHET.name}: {done}"


def test_every_gap_left_has_a_reason():
    allowed = json.loads(RATCHET.read_text())
    left = {name for kind in KINDS for name in allowed[kind]}
    assert left == REASONS.keys()


def test_the_ratchet_file_is_sorted_and_has_no_duplicates():
    """So that a change to it is one line per type closed, easy to review."""
    allowed = json.loads(RATCHET.read_text())
    assert sorted(allowed) == sorted(KINDS)
    for kind in KINDS:
        assert allowed[kind] == sorted(set(allowed[kind])), kind


def test_every_model_keeps_what_the_server_sends_that_it_does_not_know():
    for name in types.__all__:
        model = ours(name, pydantic.BaseModel)
        if model is not None:
            assert model.model_config.get("extra") == "allow", name


def test_an_untyped_field_from_the_server_is_kept():
    metadata = types.GroundingMetadata.from_wire({"someNewField": {"a": 1}})
    assert metadata.model_extra == {"someNewField": {"a": 1}}
    assert metadata.to_wire() == {"someNewField": {"a": 1}}


if __name__ == "__main__":
    # Rewrite the ratchet from what is missing now: after closing gaps (review the diff: it
    # must only remove lines), or for a new SDK release (then it may add some: say why).
    RATCHET.write_text(json.dumps(gaps(), indent=1) + "\n")
