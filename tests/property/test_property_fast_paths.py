"""The facade's shortcuts give exactly what the general path (models built, validated and
dumped) gives: bodies for any text on both backends, remembered embedding configs, and the
headers of any answer."""

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from genaio import types
from genaio.api._bodies import (
    _embed_options,
    _validated_embed_options,
    embed_content_body,
    generate_content_body,
)
from genaio.api._normalize import t_content, t_content_wire, t_contents, text_contents_wire

TEXTS = st.lists(st.text(), min_size=1, max_size=4)
EMBED_MODELS = st.sampled_from(
    ["text-embedding-004", "gemini-embedding-001", "gemini-embedding-2-preview"]
)
EMBED_CONFIGS = st.sampled_from(
    [None, {}, {"output_dimensionality": 64}, {"task_type": "RETRIEVAL_DOCUMENT", "title": "t"}]
)


def as_parts(contents):
    """The same input with no plain str in it: it takes the general path."""
    if isinstance(contents, str):
        return types.Part(text=contents)
    return [types.Part(text=c) if isinstance(c, str) else c for c in contents]


@given(st.text())
def test_one_text_as_wire_is_its_content_dumped(text):
    assert t_content_wire(text) == t_content(text).to_wire()
    assert text_contents_wire(text) == [c.to_wire() for c in t_contents(text)]


@given(TEXTS)
def test_texts_as_wire_are_their_contents_dumped(texts):
    assert text_contents_wire(texts) == [c.to_wire() for c in t_contents(texts)]


@given(st.lists(st.text() | st.builds(types.Part, text=st.text()), min_size=1, max_size=4))
def test_anything_but_plain_texts_takes_the_general_path(contents):
    wire = text_contents_wire(contents)
    assert (wire is None) == any(isinstance(c, types.Part) for c in contents)


@given(st.text() | TEXTS, st.booleans())
def test_generate_bodies_of_texts_are_those_of_their_parts(contents, vertex):
    assert generate_content_body(contents, None, vertex=vertex) == generate_content_body(
        as_parts(contents), None, vertex=vertex
    )


@given(st.text() | TEXTS, EMBED_MODELS, EMBED_CONFIGS, st.booleans())
def test_embed_bodies_of_texts_are_those_of_their_parts(contents, model, config, vertex):
    assert embed_content_body(model, contents, config, vertex=vertex) == embed_content_body(
        model, as_parts(contents), config, vertex=vertex
    )


HEADER = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-", min_size=1, max_size=8)


@given(st.lists(st.tuples(HEADER, st.text(alphabet=st.characters(max_codepoint=126)))))
def test_an_answers_headers_are_the_validated_envelope(pairs):
    headers = httpx.Headers(pairs)
    for given_headers in (headers, dict(headers)):
        built = types.HttpResponse.of(given_headers)
        assert built == types.HttpResponse(headers=dict(headers))
        assert built.model_fields_set == {"headers"}


SCALAR_CONFIGS = st.dictionaries(
    st.sampled_from(
        ["output_dimensionality", "task_type", "title", "auto_truncate", "mime_type", "typo"]
    ),
    st.none() | st.booleans() | st.integers(-2, 3) | st.floats(0, 3) | st.sampled_from(["", "7"]),
)


@given(SCALAR_CONFIGS, st.booleans())
def test_a_remembered_embedding_config_is_the_validated_one(config, vertex):
    try:
        expected = _validated_embed_options(config, vertex)
    except (ValidationError, ValueError) as exc:
        for _ in range(2):  # refused every time: errors are not remembered
            with pytest.raises(type(exc)):
                _embed_options(config, vertex=vertex)
        return
    first = _embed_options(config, vertex=vertex)
    assert first == expected
    first["changed"] = True  # a body may change it; the next call gets its own
    assert _embed_options(config, vertex=vertex) == expected
