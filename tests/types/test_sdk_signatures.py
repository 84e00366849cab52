"""genaio's public methods and types helpers against the installed google-genai's, by
introspection: the parameters' names, kinds and whether they are required.

When a new SDK release changes a signature, adds a method or a helper, the test fails and
prints every difference. What differs on purpose is in the allow-lists below, each with its
reason; an entry that no longer differs fails too, so that the lists stay true.

Scope: the families and types genaio has. Families and types it does not have yet are not
listed here (issue 18); the methods they lack within a family are, as "missing".
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import pydantic
import pytest
import trio

import genaio
from genaio import types
from genaio.api import chats, live, live_music, pagers

genai = pytest.importorskip("google.genai")
from google.genai import _common  # noqa: E402
from google.genai import chats as sdk_chats  # noqa: E402
from google.genai import live as sdk_live  # noqa: E402
from google.genai import live_music as sdk_live_music  # noqa: E402
from google.genai import pagers as sdk_pagers  # noqa: E402
from google.genai import types as sdk_types  # noqa: E402

FAMILIES = [
    "models",
    "chats",
    "files",
    "caches",
    "batches",
    "tunings",
    "operations",
    "file_search_stores",
    "auth_tokens",
    "interactions",
    "live",
    # The families 3.6 added (their signatures: see `sdk_methods`).
    "agents",
    "credentials",
    "decisions",
    "environments",
    "triggers",
    "voices",
    "webhooks",
]

#: Methods whose parameters differ on purpose (or are not there yet), and why.
DIFFERENT = {
    # genaio's own, documented in docs/files.md: a path as `path=`, then `file` is optional.
    "files.upload": "path= besides file=",
    # genaio's own, documented in docs/caches.md: the contents beside the model, not in config.
    "caches.create": "contents= besides config=",
    # The Interactions client names every body field as a parameter; genaio takes the same
    # fields as named parameters (and the rest as checked keywords: see interactions.py);
    # `request=` (a whole request object) and `automatic_continuation=` are not there yet.
    "interactions.create": "body fields as parameters; no request=, automatic_continuation=",
}

#: Methods the SDK has and genaio does not (yet), and why.
MISSING = {
    "interactions.do_request_async": "the Interactions client's plumbing, not an API call",
    **{
        f"{family}.do_request_async": "the generated client's plumbing, not an API call"
        for family in (
            "agents",
            "credentials",
            "decisions",
            "environments",
            "triggers",
            "voices",
            "webhooks",
        )
    },
}

#: genaio's own methods, documented on their family's page.
OWN = {
    "models.embed_many": "docs/embeddings: many inputs in bounded memory",
    "batches.wait": "docs/batches: poll until done",
    "tunings.wait": "docs/tunings: poll until done",
    "operations.wait": "docs/operations: poll until done",
    "AsyncSession.statistics": "docs/live: the session's counters (introspection is API)",
    "AsyncMusicSession.statistics": "docs/live: the music session's counters",
    "AsyncPager.create": "the pager's constructor: fetches the first page (awaitable)",
}

#: Types helpers (methods, classmethods, properties) that differ or are missing, and why.
TYPES_DIFFERENT = {
    # `Part(value)` as the SDK; its fields as keywords, like every model's (the SDK lists ten
    # of them by name and takes the others through **kwargs).
    "Part.__init__": "the fields as **data",
    # genaio's takes the schema positionally too (as a dict, as pydantic emits it, or a
    # JSONSchema) and `vertex=` besides the SDK's keywords.
    "Schema.from_json_schema": "json_schema positional as well; vertex= besides api_option=",
}


def shape(function: Any) -> tuple[Any, ...]:
    """What a caller sees of a signature: positional parameters in order, keyword-only ones as
    a set (their order does not matter to a caller), each with its kind and whether it is
    required; `*args` and `**kwargs` as kinds."""
    parameters = list(inspect.signature(function).parameters.values())
    positional = tuple(
        (p.name, p.kind.name, p.default is inspect.Parameter.empty)
        for p in parameters
        if p.kind is not inspect.Parameter.KEYWORD_ONLY
    )
    keyword = frozenset(
        (p.name, p.default is inspect.Parameter.empty)
        for p in parameters
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    )
    return positional, keyword


def describe(sdk: Any, ours: Any) -> str:
    (sdk_positional, sdk_keyword), (our_positional, our_keyword) = shape(sdk), shape(ours)
    lines = []
    if sdk_positional != our_positional:
        lines.append(f"positional: sdk {sdk_positional} genaio {our_positional}")
    for name, required in sorted(sdk_keyword - our_keyword):
        lines.append(f"keyword {name}{'' if required else '=...'}: sdk only")
    for name, required in sorted(our_keyword - sdk_keyword):
        lines.append(f"keyword {name}{'' if required else '=...'}: genaio only")
    return "; ".join(lines)


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: value
        for name in dir(cls)
        if not name.startswith("_") and callable(value := getattr(cls, name))
    }


def compare(owner: str, sdk_cls: type, our_cls: type) -> dict[str, str]:
    """Every difference between the classes' public methods, by `owner.method`."""
    found = {}
    sdk_methods_, our_methods = sdk_methods(sdk_cls), public_methods(our_cls)
    for name, sdk in sdk_methods_.items():
        key = f"{owner}.{name}"
        if name not in our_methods:
            found[key] = "missing"
        elif difference := describe(sdk, our_methods[name]):
            found[key] = difference
    for name in our_methods.keys() - sdk_methods_.keys():
        found[f"{owner}.{name}"] = "genaio only"
    return found


_FORWARDING = ((("self", "POSITIONAL_OR_KEYWORD", True), ("args", "VAR_POSITIONAL", True),
               ("kwargs", "VAR_KEYWORD", True)), frozenset())  # fmt: skip


def sdk_methods(cls: type) -> dict[str, Any]:
    """The SDK's public methods by name. The families 3.6 added are public classes whose
    methods take `(*args, **kwargs)` and forward to the generated class they subclass: the
    signature is the generated method's (environments' short names forward to the long ones,
    `create` to `create_environment`)."""
    methods = public_methods(cls)
    generated = cls.__mro__[1]
    for name, method in methods.items():
        if shape(method) == _FORWARDING:
            long_name = f"{name}_environments" if name == "list" else f"{name}_environment"
            methods[name] = getattr(generated, name, None) or getattr(generated, long_name)
    return methods


def differences() -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sdk_aio = genai.Client(api_key="k").aio
    our_aio = genaio.Client(api_key="k").aio
    found = {}
    for family in FAMILIES:
        found.update(
            compare(family, type(getattr(sdk_aio, family)), type(getattr(our_aio, family)))
        )
    found.update(compare("AsyncChat", sdk_chats.AsyncChat, chats.AsyncChat))
    found.update(compare("AsyncSession", sdk_live.AsyncSession, live.AsyncSession))
    found.update(compare("live.music", type(sdk_aio.live.music), type(our_aio.live.music)))
    found.update(
        compare(
            "AsyncMusicSession", sdk_live_music.AsyncMusicSession, live_music.AsyncMusicSession
        )
    )
    found.update(compare("AsyncPager", sdk_pagers.AsyncPager, pagers.AsyncPager))
    return found


def test_every_public_method_takes_the_sdks_parameters():
    found = differences()
    expected = {**dict.fromkeys(DIFFERENT), **dict.fromkeys(MISSING), **dict.fromkeys(OWN)}
    for key, difference in sorted(found.items()):
        if key not in expected:
            print(f"{key}: {difference}")
    unexplained = sorted(found.keys() - expected.keys())
    stale = sorted(expected.keys() - found.keys())
    assert not unexplained, f"differ from the SDK (see the printed lines): {unexplained}"
    assert not stale, f"allow-listed but no longer different: {stale}"
    assert all(found[k] == "missing" for k in MISSING)
    assert all(found[k] == "genaio only" for k in OWN)


# -- types helpers ---------------------------------------------------------------------------

_PYDANTIC = set(dir(_common.BaseModel)) | set(dir(pydantic.BaseModel))


def type_helpers(cls: type) -> dict[str, Any]:
    """The helpers a types class defines itself: methods, classmethods, properties."""
    helpers = {}
    for name in vars(cls):
        if name.startswith("_") or name in _PYDANTIC:
            continue
        value = inspect.getattr_static(cls, name)
        if isinstance(value, property):
            helpers[name] = "property"
        elif isinstance(value, classmethod | staticmethod) or inspect.isfunction(value):
            helpers[name] = getattr(cls, name)
    return helpers


def type_differences() -> dict[str, str]:
    found = {}
    for name in sorted(types.__all__):
        ours, sdk = getattr(types, name), getattr(sdk_types, name, None)
        if not (inspect.isclass(sdk) and issubclass(sdk, pydantic.BaseModel)):
            continue
        if "__init__" in vars(sdk) and describe(sdk.__init__, ours.__init__):
            found[f"{name}.__init__"] = describe(sdk.__init__, ours.__init__)
        for helper, sdk_value in type_helpers(sdk).items():
            key = f"{name}.{helper}"
            our_value = inspect.getattr_static(ours, helper, None)
            if our_value is None:
                found[key] = "missing"
            elif sdk_value == "property":
                if not isinstance(our_value, property):
                    found[key] = "not a property"
            elif difference := describe(sdk_value, getattr(ours, helper)):
                found[key] = difference
    return found


def test_every_types_helper_takes_the_sdks_parameters():
    found = type_differences()
    for key, difference in sorted(found.items()):
        if key not in TYPES_DIFFERENT:
            print(f"{key}: {difference}")
    unexplained = sorted(found.keys() - TYPES_DIFFERENT.keys())
    stale = sorted(TYPES_DIFFERENT.keys() - found.keys())
    assert not unexplained, f"differ from the SDK (see the printed lines): {unexplained}"
    assert not stale, f"allow-listed but no longer different: {stale}"


def test_an_unknown_keyword_is_a_type_error_before_any_request():
    """Strict arguments need no checking code: real signatures refuse what they do not name,
    and the one method that takes keywords (interactions.create) checks them. The client
    points at a closed port: a request would fail with a network error, not a TypeError."""
    client = genaio.Client(api_key="k", http_options={"base_url": "http://127.0.0.1:9"})
    calls = [
        ("confg", lambda aio: aio.models.get(model="m", confg={})),
        ("page_size", lambda aio: aio.files.list(page_size=3)),
        ("extra", lambda aio: aio.caches.get(name="x", config={}, extra=1)),
        ("config", lambda aio: aio.interactions.create(model="m", input="hi", config={})),
        ("cfg", lambda aio: aio.chats.create(model="m").send_message("hi", cfg={})),
    ]

    async def each() -> None:
        for name, call in calls:
            with pytest.raises(TypeError, match=name):
                await call(client.aio)

    trio.run(each)
