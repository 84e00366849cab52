"""Imagen's images: what the `:predict` methods take and return (Vertex AI's wire names; image
bytes travel as standard base64)."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from genaio.types import _media
from genaio.types._base import StandardBase64Bytes, WireModel
from genaio.types._content import Blob
from genaio.types._enums import WireEnum
from genaio.types._http import HttpOptions
from genaio.types._responses import HttpResponse

__all__ = [
    "BlobImageUnion",
    "EditImageConfig",
    "EditImageResponse",
    "EditMode",
    "EntityLabel",
    "GenerateImagesConfig",
    "GenerateImagesResponse",
    "GeneratedImage",
    "GeneratedImageMask",
    "Image",
    "ImagePromptLanguage",
    "PersonGeneration",
    "ProductImage",
    "RecontextImageConfig",
    "RecontextImageResponse",
    "RecontextImageSource",
    "SafetyAttributes",
    "SafetyFilterLevel",
    "ScribbleImage",
    "SegmentImageConfig",
    "SegmentImageResponse",
    "SegmentImageSource",
    "SegmentMode",
    "UpscaleImageConfig",
    "UpscaleImageResponse",
]


class SafetyFilterLevel(WireEnum):
    BLOCK_LOW_AND_ABOVE = "BLOCK_LOW_AND_ABOVE"
    BLOCK_MEDIUM_AND_ABOVE = "BLOCK_MEDIUM_AND_ABOVE"
    BLOCK_ONLY_HIGH = "BLOCK_ONLY_HIGH"
    BLOCK_NONE = "BLOCK_NONE"


class PersonGeneration(WireEnum):
    DONT_ALLOW = "DONT_ALLOW"
    ALLOW_ADULT = "ALLOW_ADULT"
    ALLOW_ALL = "ALLOW_ALL"


class ImagePromptLanguage(WireEnum):
    auto = "auto"
    en = "en"
    ja = "ja"
    ko = "ko"
    hi = "hi"
    zh = "zh"
    pt = "pt"
    es = "es"


class EditMode(WireEnum):
    EDIT_MODE_DEFAULT = "EDIT_MODE_DEFAULT"
    EDIT_MODE_INPAINT_REMOVAL = "EDIT_MODE_INPAINT_REMOVAL"
    EDIT_MODE_INPAINT_INSERTION = "EDIT_MODE_INPAINT_INSERTION"
    EDIT_MODE_OUTPAINT = "EDIT_MODE_OUTPAINT"
    EDIT_MODE_CONTROLLED_EDITING = "EDIT_MODE_CONTROLLED_EDITING"
    EDIT_MODE_STYLE = "EDIT_MODE_STYLE"
    EDIT_MODE_BGSWAP = "EDIT_MODE_BGSWAP"
    EDIT_MODE_PRODUCT_IMAGE = "EDIT_MODE_PRODUCT_IMAGE"


class SegmentMode(WireEnum):
    FOREGROUND = "FOREGROUND"
    BACKGROUND = "BACKGROUND"
    PROMPT = "PROMPT"
    SEMANTIC = "SEMANTIC"
    INTERACTIVE = "INTERACTIVE"


# -- images and videos -------------------------------------------------------------------


class Image(WireModel):
    """An image: bytes (`bytesBase64Encoded` on the wire) or a Cloud Storage URI."""

    gcs_uri: str | None = None
    image_bytes: StandardBase64Bytes | None = Field(
        default=None,
        validation_alias=AliasChoices("image_bytes", "imageBytes", "bytesBase64Encoded"),
        serialization_alias="bytesBase64Encoded",
    )
    mime_type: str | None = None

    @classmethod
    def from_file(cls, *, location: str, mime_type: str | None = None) -> Image:
        """An image from a local file (read now), or a reference to one in Cloud Storage
        (`gs://...` or `https://storage.googleapis.com/...`); the MIME type is guessed from
        the name when not given."""
        uri = _media.cloud_storage_uri(location)
        if uri is not None:
            return cls(gcs_uri=uri)
        data, mime_type = _media.read_file(location, mime_type)
        return cls(image_bytes=data, mime_type=mime_type)

    def save(self, location: str) -> None:
        """Write the image's bytes to a local file."""
        if self.image_bytes is None:
            raise ValueError("this image has no bytes to save (it may be a gcs_uri)")
        _media.write_file(location, self.image_bytes)

    def show(self) -> None:
        """Display the image: inline in a notebook, else in PIL's viewer. Needs Pillow, which
        genaio imports only here."""
        _media.show_image(self._pil_image)

    @property
    def _pil_image(self) -> Any:
        """The image as a PIL image (the official SDK's name for it); needs Pillow."""
        if self.image_bytes is None:
            raise ValueError("this image has no bytes to show (it may be a gcs_uri)")
        return _media.pil_image(self.image_bytes)


class BlobImageUnion(Blob):
    """Inline bytes where the API takes either a blob or an image: a `Blob`'s fields."""


class SafetyAttributes(WireModel):
    categories: list[str] | None = None
    scores: list[float] | None = None
    content_type: str | None = None


class GeneratedImage(WireModel):
    image: Image | None = None
    rai_filtered_reason: str | None = None
    safety_attributes: SafetyAttributes | None = None
    enhanced_prompt: str | None = None


class EntityLabel(WireModel):
    label: str | None = None
    score: float | None = None


class GeneratedImageMask(WireModel):
    mask: Image | None = None
    labels: list[EntityLabel] | None = None


# -- image configs -----------------------------------------------------------------------


class _ImageOutputConfig(WireModel):
    """Options every Imagen method shares (the official SDK repeats them per config)."""

    http_options: HttpOptions | None = None
    output_gcs_uri: str | None = None
    safety_filter_level: SafetyFilterLevel | None = None
    person_generation: PersonGeneration | None = None
    output_mime_type: str | None = None
    output_compression_quality: int | None = None
    labels: dict[str, str] | None = None


class GenerateImagesConfig(_ImageOutputConfig):
    negative_prompt: str | None = None
    number_of_images: int | None = None
    aspect_ratio: str | None = None
    guidance_scale: float | None = None
    seed: int | None = None
    include_safety_attributes: bool | None = None
    include_rai_reason: bool | None = None
    language: ImagePromptLanguage | None = None
    add_watermark: bool | None = None
    image_size: str | None = None
    enhance_prompt: bool | None = None


class EditImageConfig(_ImageOutputConfig):
    negative_prompt: str | None = None
    number_of_images: int | None = None
    aspect_ratio: str | None = None
    guidance_scale: float | None = None
    seed: int | None = None
    include_safety_attributes: bool | None = None
    include_rai_reason: bool | None = None
    language: ImagePromptLanguage | None = None
    add_watermark: bool | None = None
    edit_mode: EditMode | None = None
    base_steps: int | None = None


class UpscaleImageConfig(_ImageOutputConfig):
    include_rai_reason: bool | None = None
    enhance_input_image: bool | None = None
    image_preservation_factor: float | None = None


class RecontextImageConfig(_ImageOutputConfig):
    number_of_images: int | None = None
    base_steps: int | None = None
    seed: int | None = None
    add_watermark: bool | None = None
    enhance_prompt: bool | None = None


class SegmentImageConfig(WireModel):
    http_options: HttpOptions | None = None
    mode: SegmentMode | None = None
    max_predictions: int | None = None
    confidence_threshold: float | None = None
    mask_dilation: float | None = None
    binary_color_threshold: float | None = None
    labels: dict[str, str] | None = None


# -- recontext and segment sources -------------------------------------------------------


class ProductImage(WireModel):
    product_image: Image | None = None


class RecontextImageSource(WireModel):
    prompt: str | None = None
    person_image: Image | None = None
    product_images: list[ProductImage] | None = None


class ScribbleImage(WireModel):
    image: Image | None = None


class SegmentImageSource(WireModel):
    prompt: str | None = None
    image: Image | None = None
    scribble_image: ScribbleImage | None = None


# -- image responses ---------------------------------------------------------------------


class GenerateImagesResponse(WireModel):
    """The images; a prediction that rates the prompt itself (`content_type` "Positive
    Prompt") is `positive_prompt_safety_attributes`, not an image."""

    generated_images: list[GeneratedImage] | None = None
    positive_prompt_safety_attributes: SafetyAttributes | None = None
    sdk_http_response: HttpResponse | None = None

    @property
    def images(self) -> list[Image | None]:
        """The image of each generated image."""
        return [generated.image for generated in self.generated_images or ()]


class EditImageResponse(WireModel):
    generated_images: list[GeneratedImage] | None = None
    sdk_http_response: HttpResponse | None = None


class UpscaleImageResponse(WireModel):
    generated_images: list[GeneratedImage] | None = None
    sdk_http_response: HttpResponse | None = None


class RecontextImageResponse(WireModel):
    generated_images: list[GeneratedImage] | None = None
    sdk_http_response: HttpResponse | None = None


class SegmentImageResponse(WireModel):
    generated_masks: list[GeneratedImageMask] | None = None
    sdk_http_response: HttpResponse | None = None
