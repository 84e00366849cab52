"""Request bodies and response shapes of the Imagen and Veo methods, as the official SDK sends
them (Vertex AI's `:predict` and `:predictLongRunning`).

Pure functions, no I/O. Every config is placed by one table: a config field and the path of
its wire key in the body, so each method is a table, not code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaio import types
from genaio.api._normalize import coerce_config

__all__ = [
    "edit_image_body",
    "generate_images_body",
    "generate_videos_body",
    "parse_images",
    "parse_masks",
    "recontext_image_body",
    "segment_image_body",
    "upscale_image_body",
    "vertex_only",
]

Placement = tuple[tuple[str, tuple[str, ...]], ...]

_PARAMS = "parameters"
_OUTPUT: Placement = (
    ("output_gcs_uri", (_PARAMS, "storageUri")),
    ("safety_filter_level", (_PARAMS, "safetySetting")),
    ("person_generation", (_PARAMS, "personGeneration")),
    ("output_mime_type", (_PARAMS, "outputOptions", "mimeType")),
    ("output_compression_quality", (_PARAMS, "outputOptions", "compressionQuality")),
    ("labels", ("labels",)),
)
_IMAGEN: Placement = (
    *_OUTPUT,
    ("negative_prompt", (_PARAMS, "negativePrompt")),
    ("number_of_images", (_PARAMS, "sampleCount")),
    ("aspect_ratio", (_PARAMS, "aspectRatio")),
    ("guidance_scale", (_PARAMS, "guidanceScale")),
    ("seed", (_PARAMS, "seed")),
    ("include_safety_attributes", (_PARAMS, "includeSafetyAttributes")),
    ("include_rai_reason", (_PARAMS, "includeRaiReason")),
    ("language", (_PARAMS, "language")),
    ("add_watermark", (_PARAMS, "addWatermark")),
)
_GENERATE_IMAGES: Placement = (
    *_IMAGEN,
    ("image_size", (_PARAMS, "sampleImageSize")),
    ("enhance_prompt", (_PARAMS, "enhancePrompt")),
)
_EDIT_IMAGE: Placement = (
    *_IMAGEN,
    ("edit_mode", (_PARAMS, "editMode")),
    ("base_steps", (_PARAMS, "editConfig", "baseSteps")),
)
_UPSCALE_IMAGE: Placement = (
    *_OUTPUT,
    ("include_rai_reason", (_PARAMS, "includeRaiReason")),
    ("enhance_input_image", (_PARAMS, "upscaleConfig", "enhanceInputImage")),
    ("image_preservation_factor", (_PARAMS, "upscaleConfig", "imagePreservationFactor")),
)
_RECONTEXT_IMAGE: Placement = (
    *_OUTPUT,
    ("number_of_images", (_PARAMS, "sampleCount")),
    ("base_steps", (_PARAMS, "baseSteps")),
    ("seed", (_PARAMS, "seed")),
    ("add_watermark", (_PARAMS, "addWatermark")),
    ("enhance_prompt", (_PARAMS, "enhancePrompt")),
)
_SEGMENT_IMAGE: Placement = (
    ("mode", (_PARAMS, "mode")),
    ("max_predictions", (_PARAMS, "maxPredictions")),
    ("confidence_threshold", (_PARAMS, "confidenceThreshold")),
    ("mask_dilation", (_PARAMS, "maskDilation")),
    ("binary_color_threshold", (_PARAMS, "binaryColorThreshold")),
    ("labels", ("labels",)),
)
_INSTANCE = ("instances", "0")
_GENERATE_VIDEOS: Placement = (
    ("number_of_videos", (_PARAMS, "sampleCount")),
    ("output_gcs_uri", (_PARAMS, "storageUri")),
    ("fps", (_PARAMS, "fps")),
    ("duration_seconds", (_PARAMS, "durationSeconds")),
    ("seed", (_PARAMS, "seed")),
    ("aspect_ratio", (_PARAMS, "aspectRatio")),
    ("resolution", (_PARAMS, "resolution")),
    ("person_generation", (_PARAMS, "personGeneration")),
    ("pubsub_topic", (_PARAMS, "pubsubTopic")),
    ("negative_prompt", (_PARAMS, "negativePrompt")),
    ("enhance_prompt", (_PARAMS, "enhancePrompt")),
    ("generate_audio", (_PARAMS, "generateAudio")),
    ("compression_quality", (_PARAMS, "compressionQuality")),
    ("resize_mode", (_PARAMS, "resizeMode")),
    ("last_frame", (*_INSTANCE, "lastFrame")),
    ("reference_images", (*_INSTANCE, "referenceImages")),
    ("labels", ("labels",)),
)


def vertex_only(method: str, *, vertex: bool) -> None:
    """Raise for a method the official SDK offers on Vertex AI only."""
    if not vertex:
        raise ValueError(
            f"{method} is only available on Vertex AI; it cannot be used with the "
            "Gemini Developer API"
        )


def generate_images_body(prompt: str, config: Any) -> dict[str, Any]:
    config = coerce_config(types.GenerateImagesConfig, config)
    return _body({"prompt": prompt}, config, _GENERATE_IMAGES)


def edit_image_body(prompt: str, reference_images: Iterable[Any], config: Any) -> dict[str, Any]:
    config = coerce_config(types.EditImageConfig, config)
    references = [_reference_image(r).to_wire() for r in reference_images]
    return _body({"prompt": prompt, "referenceImages": references}, config, _EDIT_IMAGE)


def upscale_image_body(image: Any, upscale_factor: str, config: Any) -> dict[str, Any]:
    """`upscale_factor` is `x2` or `x4`; the method always asks for one image."""
    config = coerce_config(types.UpscaleImageConfig, config)
    body = _body({"image": _image(image)}, config, _UPSCALE_IMAGE)
    parameters = body.setdefault(_PARAMS, {})
    parameters.setdefault("upscaleConfig", {})["upscaleFactor"] = upscale_factor
    parameters.update(sampleCount=1, mode="upscale")
    return body


def recontext_image_body(source: Any, config: Any) -> dict[str, Any]:
    source = coerce_config(types.RecontextImageSource, source)
    config = coerce_config(types.RecontextImageConfig, config)
    instance: dict[str, Any] = {}
    if source.prompt is not None:
        instance["prompt"] = source.prompt
    if source.person_image is not None:
        instance["personImage"] = {"image": source.person_image.to_wire()}
    if source.product_images is not None:
        instance["productImages"] = [
            {"image": p.product_image.to_wire()} if p.product_image else {}
            for p in source.product_images
        ]
    return _body(instance, config, _RECONTEXT_IMAGE)


def segment_image_body(source: Any, config: Any) -> dict[str, Any]:
    source = coerce_config(types.SegmentImageSource, source)
    config = coerce_config(types.SegmentImageConfig, config)
    instance: dict[str, Any] = {}
    if source.prompt is not None:
        instance["prompt"] = source.prompt
    if source.image is not None:
        instance["image"] = source.image.to_wire()
    if source.scribble_image is not None and source.scribble_image.image is not None:
        instance["scribble"] = {"image": source.scribble_image.image.to_wire()}
    return _body(instance, config, _SEGMENT_IMAGE)


def generate_videos_body(source: Any, config: Any) -> dict[str, Any]:
    """The `:predictLongRunning` body: the source is the one instance, the config its
    parameters; `webhook_config` is the Gemini API's and is refused here."""
    source = coerce_config(types.GenerateVideosSource, source)
    config = coerce_config(types.GenerateVideosConfig, config)
    if config.webhook_config is not None:
        raise ValueError(
            "webhook_config is only available on the Gemini Developer API; it cannot be used "
            "with Vertex AI"
        )
    instance = source.to_wire()
    body = _body(instance, config, _GENERATE_VIDEOS)
    if config.mask is not None:
        mask = config.mask
        wire_mask = mask.image.to_wire() if mask.image else {}
        if mask.mask_mode is not None:
            wire_mask["maskMode"] = mask.mask_mode.value
        instance["mask"] = wire_mask
    return body


def parse_images(data: Mapping[str, Any]) -> list[types.GeneratedImage]:
    """The `GeneratedImage` of each prediction (the image is the prediction itself)."""
    return [_generated_image(p) for p in data.get("predictions") or ()]


def parse_masks(data: Mapping[str, Any]) -> list[types.GeneratedImageMask]:
    return [
        types.GeneratedImageMask.from_wire({"mask": _image_of(p), "labels": p.get("labels")})
        for p in data.get("predictions") or ()
    ]


def _generated_image(prediction: Mapping[str, Any]) -> types.GeneratedImage:
    safety = prediction.get("safetyAttributes") or {}
    attributes = {
        "categories": safety.get("categories"),
        "scores": safety.get("scores"),
        "contentType": prediction.get("contentType"),
    }
    attributes = {k: v for k, v in attributes.items() if v is not None}
    shaped = {
        "image": _image_of(prediction),
        "raiFilteredReason": prediction.get("raiFilteredReason"),
        "safetyAttributes": attributes or None,
        "enhancedPrompt": prediction.get("prompt"),
    }
    return types.GeneratedImage.from_wire({k: v for k, v in shaped.items() if v is not None})


def _image_of(prediction: Mapping[str, Any]) -> dict[str, Any] | None:
    keys = ("gcsUri", "bytesBase64Encoded", "mimeType")
    image = {k: prediction[k] for k in keys if k in prediction}
    return image or None


def _image(image: Any) -> dict[str, Any]:
    return coerce_config(types.Image, image).to_wire()


def _reference_image(reference: Any) -> types.ReferenceImage:
    if isinstance(reference, types.ReferenceImage):
        return reference
    if isinstance(reference, Mapping):
        kind = str(reference.get("reference_type") or "REFERENCE_TYPE_RAW")
        cls = _REFERENCE_TYPES.get(kind, types.RawReferenceImage)
        return cls.model_validate(dict(reference))
    raise TypeError(f"not a reference image: {type(reference).__name__}")


_REFERENCE_TYPES: dict[str, type[types.ReferenceImage]] = {
    cls._type: cls
    for cls in (
        types.RawReferenceImage,
        types.MaskReferenceImage,
        types.ControlReferenceImage,
        types.StyleReferenceImage,
        types.SubjectReferenceImage,
        types.ContentReferenceImage,
    )
}


def _body(
    instance: dict[str, Any], config: types.WireModel, placement: Placement
) -> dict[str, Any]:
    """`{"instances": [instance], "parameters": {...}, ...}` with each set config field at
    its place; `instance` is the body's one instance (and may gain fields from the config)."""
    body: dict[str, Any] = {"instances": [instance]}
    for field, path in placement:
        value = getattr(config, field)
        if value is None:
            continue
        target: Any = body
        for key in path[:-1]:
            target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
        target[path[-1]] = _wire(value)
    return body


def _wire(value: Any) -> Any:
    if isinstance(value, types.WireModel):
        return value.to_wire()
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, types.WireEnum):
        return value.value
    return value
