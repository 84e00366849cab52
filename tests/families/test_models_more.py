"""update, delete, compute_tokens, the Imagen methods and generate_videos against the
emulator: results, errors and cancellation."""

from __future__ import annotations

import base64

import httpx
import pytest
import trio

import genaio
from genaio import errors, types
from tests.families.test_models_more_wire import IMAGE, IMAGEN, vertex

VEO = "veo-3.0-generate-001"


def gemini_client(emulator, **options):
    return genaio.Client(api_key="k", http_options={"base_url": emulator.base_url, **options})


def vertex_client(emulator, **options):
    return genaio.Client(**vertex(), http_options={"base_url": emulator.base_url, **options})


def is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


async def test_update_and_delete_a_tuned_model(genaio_emulator):
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{genaio_emulator.base_url}/v1beta/tunedModels",
            headers={"x-goog-api-key": "k"},
            json={"baseModel": "models/gemini-2.0-flash", "displayName": "before"},
        )
    created = answer.json()
    name = created["metadata"]["tunedModel"]
    async with gemini_client(genaio_emulator).aio as aio:
        model = await aio.models.update(
            model=name, config=types.UpdateModelConfig(display_name="after", description="d")
        )
        assert (model.name, model.display_name, model.description) == (name, "after", "d")
        deleted = await aio.models.delete(model=name)
        assert isinstance(deleted, types.DeleteModelResponse)
        assert deleted.sdk_http_response.headers
        with pytest.raises(errors.NotFoundError):
            await aio.models.delete(model=name)
        with pytest.raises(errors.NotFoundError):
            await aio.models.update(model=name, config={"display_name": "x"})


async def test_compute_tokens(genaio_emulator):
    async with vertex_client(genaio_emulator).aio as aio:
        response = await aio.models.compute_tokens(model="gemini-2.0-flash", contents="hello world")
        (info,) = response.tokens_info
        assert info.role == "user"
        assert b"".join(info.tokens).replace(b" ", b"") == b"helloworld"
        assert len(info.token_ids) == len(info.tokens)
        with pytest.raises(errors.NotFoundError):
            await aio.models.compute_tokens(model="no-such-model", contents="x")


async def test_image_methods(genaio_emulator):
    image = types.Image(**IMAGE)
    async with vertex_client(genaio_emulator).aio as aio:
        generated = await aio.models.generate_images(
            model=IMAGEN, prompt="a cat", config=types.GenerateImagesConfig(number_of_images=2)
        )
        assert len(generated.generated_images) == 2
        assert all(is_png(g.image.image_bytes) for g in generated.generated_images)
        assert generated.generated_images[0].image.mime_type == "image/png"
        edited = await aio.models.edit_image(
            model=IMAGEN,
            prompt="a hat",
            reference_images=[types.RawReferenceImage(reference_image=image, reference_id=1)],
        )
        upscaled = await aio.models.upscale_image(model=IMAGEN, image=image, upscale_factor="x2")
        recontexted = await aio.models.recontext_image(
            model=IMAGEN,
            source={"prompt": "beach", "product_images": [{"product_image": image}]},
        )
        for response in (edited, upscaled, recontexted):
            assert is_png(response.generated_images[0].image.image_bytes)
        segmented = await aio.models.segment_image(
            model=IMAGEN,
            source=types.SegmentImageSource(image=image),
            config={"mode": "FOREGROUND"},
        )
        assert is_png(segmented.generated_masks[0].mask.image_bytes)


def test_generated_images_parse_safety_and_the_prompt_rating():
    from genaio.api import _media

    data = {
        "predictions": [
            {
                "bytesBase64Encoded": base64.b64encode(b"img").decode(),
                "mimeType": "image/png",
                "raiFilteredReason": None,
                "prompt": "enhanced",
                "safetyAttributes": {"categories": ["Violence"], "scores": [0.1]},
            },
            {
                "contentType": "Positive Prompt",
                "safetyAttributes": {"categories": [], "scores": []},
            },
        ]
    }
    first, rating = _media.parse_images(data)
    assert first.image.image_bytes == b"img" and first.enhanced_prompt == "enhanced"
    assert first.safety_attributes.categories == ["Violence"]
    assert rating.safety_attributes.content_type == "Positive Prompt" and rating.image is None


async def test_generate_videos_and_refresh_until_done(genaio_emulator):
    async with vertex_client(genaio_emulator).aio as aio:
        operation = await aio.models.generate_videos(
            model=VEO,
            source=types.GenerateVideosSource(prompt="waves"),
            config={"number_of_videos": 2},
        )
        assert isinstance(operation, types.GenerateVideosOperation)
        assert not operation.done and operation.result is None
        path, body = operation.fetch_call()
        assert path.endswith(f"models/{VEO}:fetchPredictOperation")
        assert body == {"operationName": operation.name}
        genaio_emulator.advance(genaio_emulator.config.lro_seconds)
        done = await aio.operations.get(operation)
    assert done.done and isinstance(done, types.GenerateVideosOperation)
    videos = done.result.generated_videos
    assert len(videos) == 2 and videos[0].video.mime_type == "video/mp4"
    assert videos[0].video.video_bytes[4:8] == b"ftyp"
    assert done.response == done.result


def test_a_gemini_api_video_operation_reads_the_same():
    operation = types.GenerateVideosOperation.from_wire(
        {
            "name": "models/veo/operations/1",
            "done": True,
            "response": {
                "@type": "type.googleapis.com/x.PredictLongRunningResponse",
                "generateVideoResponse": {
                    "generatedSamples": [{"video": {"uri": "https://f/v:download?alt=media"}}],
                    "raiMediaFilteredCount": 0,
                },
            },
        }
    )
    assert operation.result.generated_videos[0].video.uri == "https://f/v:download?alt=media"
    assert operation.result.rai_media_filtered_count == 0


async def test_generate_videos_arguments(genaio_emulator):
    aio = vertex_client(genaio_emulator).aio
    with pytest.raises(ValueError):
        await aio.models.generate_videos(model=VEO, prompt="x", source={"prompt": "y"})
    with pytest.raises(ValueError):  # webhooks are the Gemini API's
        await aio.models.generate_videos(
            model=VEO, prompt="x", config={"webhook_config": {"uris": ["https://h"]}}
        )


async def test_errors_and_quota(genaio_emulator):
    async with vertex_client(genaio_emulator, retry_options={"attempts": 1}).aio as aio:
        with pytest.raises(errors.NotFoundError):
            await aio.models.generate_images(model="imagen-0-missing", prompt="x")
        with pytest.raises(errors.NotFoundError):
            await aio.models.generate_videos(model="veo-0-missing", prompt="x")
        with pytest.raises(errors.NotFoundError):  # a video model cannot :predict
            await aio.models.upscale_image(model=VEO, image=IMAGE, upscale_factor="x2")
        genaio_emulator.set_faults(error_429_rate=1.0)
        with pytest.raises(errors.RateLimitError):
            await aio.models.generate_images(model=IMAGEN, prompt="x")


async def test_a_cancelled_call_leaves_the_client_serving(genaio_emulator):
    genaio_emulator.set_faults(latency_ms=300)
    async with vertex_client(genaio_emulator).aio as aio:
        with trio.move_on_after(0.05) as scope:
            await aio.models.generate_images(model=IMAGEN, prompt="slow")
        assert scope.cancelled_caught
        genaio_emulator.set_faults(None)
        response = await aio.models.generate_images(model=IMAGEN, prompt="fast")
        assert response.generated_images
