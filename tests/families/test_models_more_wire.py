"""genaio sends what the official SDK sends: update, delete, compute_tokens, the Imagen methods
and generate_videos, on each backend where the SDK offers them.

A call the emulator refuses (an unknown tuned model, a Vertex AI path it does not serve) is
still compared: what matters here is the request, so errors are swallowed on both sides.
"""

from __future__ import annotations

import asyncio

import google.oauth2.credentials
import pytest

from genaio import types
from tests.recording import record_genaio, record_sdk

# The SDK warns that the Imagen and prompt/image/video Veo methods are deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore::google.genai._common.ExperimentalWarning", "ignore::DeprecationWarning"
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(16))
IMAGE = {"image_bytes": PNG, "mime_type": "image/png"}
IMAGEN = "imagen-4.0-generate-001"


def vertex() -> dict:
    return {
        "vertexai": True,
        "project": "p",
        "location": "us-central1",
        "credentials": google.oauth2.credentials.Credentials("tok"),
    }


async def _quietly(awaitable):
    try:
        await awaitable
    except Exception:  # the request is what is compared, not the emulator's answer
        pass


def _edit(aio, t):
    references = [
        t.RawReferenceImage(reference_image=t.Image(**IMAGE), reference_id=1),
        t.MaskReferenceImage(
            reference_id=2,
            reference_image=t.Image(**IMAGE),
            config=t.MaskReferenceConfig(
                mask_mode="MASK_MODE_BACKGROUND", segmentation_classes=[1], mask_dilation=0.1
            ),
        ),
        t.ControlReferenceImage(
            reference_id=3,
            reference_image=t.Image(**IMAGE),
            config=t.ControlReferenceConfig(
                control_type="CONTROL_TYPE_CANNY", enable_control_image_computation=True
            ),
        ),
        t.StyleReferenceImage(
            reference_id=4,
            reference_image=t.Image(**IMAGE),
            config=t.StyleReferenceConfig(style_description="watercolour"),
        ),
        t.SubjectReferenceImage(
            reference_id=5,
            reference_image=t.Image(**IMAGE),
            config=t.SubjectReferenceConfig(
                subject_type="SUBJECT_TYPE_PERSON", subject_description="a cat"
            ),
        ),
        t.ContentReferenceImage(reference_id=6, reference_image=t.Image(gcs_uri="gs://b/c.png")),
    ]
    config = {
        "edit_mode": "EDIT_MODE_INPAINT_INSERTION",
        "number_of_images": 1,
        "base_steps": 3,
        "negative_prompt": "dogs",
        "guidance_scale": 1.5,
        "seed": 2,
        "output_mime_type": "image/png",
        "output_compression_quality": 5,
        "labels": {"team": "a"},
    }
    return aio.models.edit_image(
        model="imagen-3.0-generate-002", prompt="a cat", reference_images=references, config=config
    )


def _videos(aio, t):
    config = {
        "number_of_videos": 1,
        "output_gcs_uri": "gs://out",
        "fps": 24,
        "duration_seconds": 5,
        "seed": 1,
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "person_generation": "allow_all",
        "pubsub_topic": "topic",
        "negative_prompt": "rain",
        "enhance_prompt": True,
        "generate_audio": True,
        "last_frame": t.Image(**IMAGE),
        "reference_images": [
            t.VideoGenerationReferenceImage(image=t.Image(**IMAGE), reference_type="ASSET")
        ],
        "mask": t.VideoGenerationMask(image=t.Image(**IMAGE), mask_mode="INSERT"),
        "compression_quality": "LOSSLESS",
        "labels": {"a": "b"},
        "resize_mode": "pad",
    }
    source = t.GenerateVideosSource(
        prompt="waves", image=t.Image(**IMAGE), video=t.Video(uri="gs://v.mp4")
    )
    return aio.models.generate_videos(model="veo-3.0-generate-001", source=source, config=config)


# Each call is written once and run with either library's `types` module.
VERTEX_CALLS = {
    "compute_tokens": lambda aio, t: aio.models.compute_tokens(
        model="gemini-2.0-flash", contents=["hello world", "again"]
    ),
    "generate_images": lambda aio, t: aio.models.generate_images(
        model=IMAGEN,
        prompt="a cat",
        config={
            "number_of_images": 2,
            "aspect_ratio": "1:1",
            "negative_prompt": "dog",
            "guidance_scale": 3.0,
            "seed": 1,
            "safety_filter_level": "BLOCK_NONE",
            "person_generation": "ALLOW_ADULT",
            "include_safety_attributes": True,
            "include_rai_reason": True,
            "language": "en",
            "output_mime_type": "image/jpeg",
            "output_compression_quality": 80,
            "add_watermark": False,
            "labels": {"a": "b"},
            "image_size": "1K",
            "enhance_prompt": True,
            "output_gcs_uri": "gs://b/x",
        },
    ),
    "edit_image": _edit,
    "upscale_image": lambda aio, t: aio.models.upscale_image(
        model=IMAGEN,
        image=t.Image(**IMAGE),
        upscale_factor="x2",
        config={
            "output_gcs_uri": "gs://x",
            "include_rai_reason": True,
            "output_mime_type": "image/jpeg",
            "enhance_input_image": True,
            "image_preservation_factor": 0.5,
        },
    ),
    "upscale_image_plain": lambda aio, t: aio.models.upscale_image(
        model=IMAGEN, image=t.Image(**IMAGE), upscale_factor="x4"
    ),
    "recontext_image": lambda aio, t: aio.models.recontext_image(
        model=IMAGEN,
        source=t.RecontextImageSource(
            prompt="on a beach",
            person_image=t.Image(**IMAGE),
            product_images=[t.ProductImage(product_image=t.Image(**IMAGE))],
        ),
        config={"number_of_images": 1, "base_steps": 2, "seed": 1, "enhance_prompt": True},
    ),
    "segment_image": lambda aio, t: aio.models.segment_image(
        model=IMAGEN,
        source=t.SegmentImageSource(
            prompt="the cat",
            image=t.Image(**IMAGE),
            scribble_image=t.ScribbleImage(image=t.Image(**IMAGE)),
        ),
        config={
            "mode": "PROMPT",
            "max_predictions": 1,
            "confidence_threshold": 0.5,
            "mask_dilation": 0.1,
            "binary_color_threshold": 9,
            "labels": {"a": "b"},
        },
    ),
    "generate_videos": _videos,
    "generate_videos_bytes": lambda aio, t: aio.models.generate_videos(
        model="veo-3.0-generate-001",
        prompt="waves",
        video=t.Video(video_bytes=b"mp4", mime_type="video/mp4"),
    ),
    "update": lambda aio, t: _quietly(
        aio.models.update(
            model="projects/p/locations/us-central1/models/m1",
            config={"display_name": "d", "description": "x", "default_checkpoint_id": "2"},
        )
    ),
    "delete": lambda aio, t: _quietly(aio.models.delete(model="m1")),
}

GEMINI_CALLS = {
    "update": lambda aio, t: _quietly(
        aio.models.update(
            model="tunedModels/m1",
            config={"display_name": "d", "description": "x", "default_checkpoint_id": "2"},
        )
    ),
    "delete": lambda aio, t: _quietly(aio.models.delete(model="tunedModels/m1")),
}


def record_both(emulator, run, *, sdk_run=None, **client):
    """What genaio and the SDK send for `run(aio)` (`sdk_run` for the SDK, if it differs),
    each from a freshly reset emulator so that the ids it hands out agree."""
    emulator.reset()
    ours = asyncio.run(record_genaio(emulator.base_url, run, **client))
    emulator.reset()
    theirs = asyncio.run(record_sdk(emulator.base_url, sdk_run or run, **client))
    return ours, theirs


def _compare(emulator, call, **client):
    from google.genai import types as sdk_types

    ours, theirs = record_both(
        emulator,
        lambda aio: call(aio, types),
        sdk_run=lambda aio: call(aio, sdk_types),
        **client,
    )
    assert ours, "nothing was recorded"
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(VERTEX_CALLS))
def test_same_request_on_vertex(name, genaio_emulator):
    _compare(genaio_emulator, VERTEX_CALLS[name], **vertex())


@pytest.mark.parametrize("name", sorted(GEMINI_CALLS))
def test_same_request_on_gemini(name, genaio_emulator):
    _compare(genaio_emulator, GEMINI_CALLS[name])


@pytest.mark.parametrize(
    "name", ["compute_tokens", "generate_images", "edit_image", "generate_videos"]
)
def test_vertex_only_methods_refuse_the_gemini_api_like_the_sdk(name, genaio_emulator):
    from google.genai import types as sdk_types

    for record, t in ((record_genaio, types), (record_sdk, sdk_types)):
        with pytest.raises(ValueError):
            asyncio.run(
                record(genaio_emulator.base_url, lambda aio, t=t: VERTEX_CALLS[name](aio, t))
            )
