"""The types' helpers the official SDK offers: images and videos from and to files, a part's
image, the turns `UserContent` and `ModelContent`, a part's media resolution."""

from __future__ import annotations

import sys

import pytest

from genaio import types
from genaio.emulator._generate import png_bytes, video_bytes


def test_a_parts_image_saves_and_loads(tmp_path):
    part = types.Part.from_bytes(data=png_bytes("x"), mime_type="image/png")
    image = part.as_image()
    assert image == types.Image(image_bytes=png_bytes("x"), mime_type="image/png")
    image.save(str(tmp_path / "a.png"))
    assert types.Image.from_file(location=str(tmp_path / "a.png")) == image
    assert types.Part(text="x").as_image() is None
    assert types.Blob(data=b"abc", mime_type="audio/wav").as_image() is None


def test_an_image_in_cloud_storage_is_a_reference():
    expected = types.Image(gcs_uri="gs://bucket/a b.png")
    assert types.Image.from_file(location="gs://bucket/a b.png") == expected
    url = "https://storage.googleapis.com/bucket/a%20b.png"
    assert types.Image.from_file(location=url) == expected
    with pytest.raises(ValueError, match="no bytes"):
        expected.save("never")


def test_a_video_saves_and_loads(tmp_path):
    video = types.Video(video_bytes=video_bytes("v"), mime_type="video/mp4")
    video.save(str(tmp_path / "v.mp4"))
    assert types.Video.from_file(location=str(tmp_path / "v.mp4")) == video
    with pytest.raises(NotImplementedError):
        types.Video(uri="gs://b/v.mp4").save(str(tmp_path / "w.mp4"))
    video.show()  # outside a notebook: nothing to do


def test_show_needs_pillow_only_when_called(monkeypatch):
    assert "PIL" not in sys.modules or "PIL.Image" in sys.modules
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    image = types.Image(image_bytes=png_bytes("x"), mime_type="image/png")
    with pytest.raises(RuntimeError, match="pip install pillow"):
        image.show()


def test_generate_images_response_images():
    response = types.GenerateImagesResponse(
        generated_images=[{"image": {"gcs_uri": "gs://b/1.png"}}, {"rai_filtered_reason": "x"}]
    )
    assert response.images == [types.Image(gcs_uri="gs://b/1.png"), None]
    assert types.GenerateImagesResponse().images == []


def test_user_and_model_content():
    user = types.UserContent("hi")
    assert user.to_wire() == {"role": "user", "parts": [{"text": "hi"}]}
    model = types.ModelContent([types.Part(text="a"), {"text": "b"}, "c"])
    assert model.role == "model" and [p.text for p in model.parts] == ["a", "b", "c"]
    assert isinstance(user, types.Content)


def test_media_resolution_on_parts():
    part = types.Part.from_uri(
        file_uri="gs://b/x.png", mime_type="image/png", media_resolution="MEDIA_RESOLUTION_LOW"
    )
    assert part.to_wire()["mediaResolution"] == {"level": "MEDIA_RESOLUTION_LOW"}
    part = types.Part.from_bytes(
        data=b"x", mime_type="image/png", media_resolution={"level": "MEDIA_RESOLUTION_HIGH"}
    )
    assert part.media_resolution.level == types.PartMediaResolutionLevel.MEDIA_RESOLUTION_HIGH


def test_the_same_as_the_official_sdk(tmp_path):
    st = pytest.importorskip("google.genai.types")
    data = png_bytes("y")
    ours = types.Part.from_bytes(data=data, mime_type="image/png").as_image()
    theirs = st.Part.from_bytes(data=data, mime_type="image/png").as_image()
    assert ours.model_dump(exclude_none=True) == theirs.model_dump(exclude_none=True)
    assert types.UserContent("hi").to_json_dict() == st.UserContent("hi").model_dump(
        mode="json", exclude_none=True
    )


def test_a_class_stands_for_its_default_instance():
    tool = types.Tool(code_execution=types.ToolCodeExecution, url_context=types.UrlContext)
    assert tool.to_wire() == {"codeExecution": {}, "urlContext": {}}
    assert types.Tool(google_search=types.GoogleSearch).google_search == types.GoogleSearch()
    # Only where an instance of that class goes: a response schema stays a class.
    config = types.GenerateContentConfig(response_schema=types.Blob)
    assert config.response_schema is types.Blob
    with pytest.raises(ValueError):
        types.Tool(code_execution=types.UrlContext(), google_search=types.Blob)
