"""Fidelity that matters to an application's tests: references to files and caches that do
not exist fail as on the real API; embeddings carry word overlap, so a search can be tested;
embedding inputs are cut at the models' 2,048-token limit."""

from __future__ import annotations

import math

import httpx
import pytest

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _file_part(uri: str, mime: str = "text/plain") -> types.Part:
    return types.Part.from_uri(file_uri=uri, mime_type=mime)


def test_a_deleted_or_unknown_file_is_403(genai_client, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Meeting at noon.")
    uploaded = genai_client.files.upload(file=path)
    models = genai_client.models
    ok = models.generate_content(model="gemini-2.5-flash", contents=[uploaded, "Summarise"])
    assert ok.text
    genai_client.files.delete(name=uploaded.name)
    for uri in (uploaded.uri, "files/abc"):
        with pytest.raises(errors.ClientError) as raised:
            models.generate_content(model="gemini-2.5-flash", contents=[_file_part(uri), "Hi"])
        assert (raised.value.code, raised.value.status) == (403, "PERMISSION_DENIED")
        assert "or it may not exist" in raised.value.message
    with pytest.raises(errors.ClientError) as raised:
        models.count_tokens(model="gemini-2.5-flash", contents=[_file_part("files/abc"), "Hi"])
    assert raised.value.code == 403


def test_a_video_still_processing_is_400(genai_client, tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom")
    video = genai_client.files.upload(file=path)
    assert video.state == "PROCESSING"
    with pytest.raises(errors.ClientError) as raised:
        genai_client.models.generate_content(
            model="gemini-2.5-flash", contents=[_file_part(video.uri, "video/mp4"), "Describe"]
        )
    assert (raised.value.code, raised.value.status) == (400, "FAILED_PRECONDITION")


def test_an_unknown_cache_is_403(genai_client):
    with pytest.raises(errors.ClientError) as raised:
        genai_client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Hi",
            config=types.GenerateContentConfig(cached_content="cachedContents/gone"),
        )
    assert (raised.value.code, raised.value.status) == (403, "PERMISSION_DENIED")


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


DOCS = [f"Document {i} is about topic{i} and subject{i} in region{i % 7}" for i in range(48)] + [
    "The Eiffel Tower stands in Paris",
    "Rainfall in the Amazon basin",
]


@pytest.mark.parametrize("model", ["text-embedding-004", "gemini-embedding-001"])
def test_texts_that_share_words_are_closer_so_a_search_works(genai_client, model):
    vectors = [
        e.values for e in genai_client.models.embed_content(model=model, contents=DOCS).embeddings
    ]
    assert all(math.isclose(_cosine(v, v), 1.0, abs_tol=1e-6) for v in vectors)
    for query, expected in [
        ("Where is the Eiffel Tower?", 48),
        ("amazon rainfall", 49),
        ("topic17 facts", 17),
    ]:
        (q,) = genai_client.models.embed_content(model=model, contents=[query]).embeddings
        ranked = sorted(range(len(DOCS)), key=lambda i: -_cosine(q.values, vectors[i]))
        assert ranked[0] == expected, query
    # Sharing no word at all: close to orthogonal.
    (a, b) = genai_client.models.embed_content(
        model=model, contents=["red green blue", "alpha beta gamma"]
    ).embeddings
    assert abs(_cosine(a.values, b.values)) < 0.1


def test_embedding_input_is_cut_at_2048_tokens(genaio_emulator, genai_client):
    head = " ".join(f"w{i}" for i in range(2048))
    long_text = head + " tail words beyond the limit"

    def embed(text: str) -> list[float]:
        response = genai_client.models.embed_content(model="gemini-embedding-001", contents=text)
        return response.embeddings[0].values

    assert embed(long_text) == embed(head)  # what lies beyond the limit is not read
    assert embed(head) != embed(head.rsplit(" ", 1)[0])  # up to the limit, every token is
    # Vertex: autoTruncate false refuses instead.
    url = (
        f"{genaio_emulator.base_url}/v1beta1/projects/p/locations/us-central1/publishers/google/"
        "models/text-embedding-005:predict"
    )
    body = {"instances": [{"content": long_text}], "parameters": {"autoTruncate": False}}
    refused = httpx.post(url, json=body, headers={"x-goog-api-key": "k"})
    assert refused.status_code == 400 and "supports up to 2048" in refused.text
    body["parameters"] = {}
    cut = httpx.post(url, json=body, headers={"x-goog-api-key": "k"}).json()
    assert cut["predictions"][0]["embeddings"]["statistics"] == {
        "token_count": 2048,
        "truncated": True,
    }


def test_a_model_table_with_a_dimension_is_an_embedder_whatever_its_name():
    from genaio.emulator import EmulatorConfig

    (info,) = EmulatorConfig(models=[{"name": "my-embedder", "embedding_dimension": 256}]).models
    assert info.embedding_dimension == 256 and info.input_token_limit == 2048
    assert "embedContent" in info.supported_methods
    assert "generateContent" not in info.supported_methods
