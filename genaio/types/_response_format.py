"""The response format of a generation: per modality, what to produce and how to deliver it
(inline in the answer, or as a URI), and the translation settings of speech output."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from genaio.types._enums import WireEnum
from genaio.types._loose import LooseModel

__all__ = [
    "AspectRatio",
    "AudioResponseFormat",
    "Delivery",
    "ImageResponseFormat",
    "ImageSize",
    "ResponseFormat",
    "TextResponseFormat",
    "TranslationConfig",
    "VideoResponseFormat",
]


class Delivery(WireEnum):
    """Whether generated media comes inline in the answer or as a URI."""

    DELIVERY_UNSPECIFIED = "DELIVERY_UNSPECIFIED"
    INLINE = "INLINE"
    URI = "URI"


class AspectRatio(WireEnum):
    """Aspect ratios of generated images and videos."""

    ASPECT_RATIO_UNSPECIFIED = "ASPECT_RATIO_UNSPECIFIED"
    ASPECT_RATIO_ONE_BY_ONE = "ASPECT_RATIO_ONE_BY_ONE"
    ASPECT_RATIO_TWO_BY_THREE = "ASPECT_RATIO_TWO_BY_THREE"
    ASPECT_RATIO_THREE_BY_TWO = "ASPECT_RATIO_THREE_BY_TWO"
    ASPECT_RATIO_THREE_BY_FOUR = "ASPECT_RATIO_THREE_BY_FOUR"
    ASPECT_RATIO_FOUR_BY_THREE = "ASPECT_RATIO_FOUR_BY_THREE"
    ASPECT_RATIO_FOUR_BY_FIVE = "ASPECT_RATIO_FOUR_BY_FIVE"
    ASPECT_RATIO_FIVE_BY_FOUR = "ASPECT_RATIO_FIVE_BY_FOUR"
    ASPECT_RATIO_NINE_BY_SIXTEEN = "ASPECT_RATIO_NINE_BY_SIXTEEN"
    ASPECT_RATIO_SIXTEEN_BY_NINE = "ASPECT_RATIO_SIXTEEN_BY_NINE"
    ASPECT_RATIO_TWENTY_ONE_BY_NINE = "ASPECT_RATIO_TWENTY_ONE_BY_NINE"
    ASPECT_RATIO_ONE_BY_EIGHT = "ASPECT_RATIO_ONE_BY_EIGHT"
    ASPECT_RATIO_EIGHT_BY_ONE = "ASPECT_RATIO_EIGHT_BY_ONE"
    ASPECT_RATIO_ONE_BY_FOUR = "ASPECT_RATIO_ONE_BY_FOUR"
    ASPECT_RATIO_FOUR_BY_ONE = "ASPECT_RATIO_FOUR_BY_ONE"


class ImageSize(WireEnum):
    """Sizes of generated images."""

    IMAGE_SIZE_UNSPECIFIED = "IMAGE_SIZE_UNSPECIFIED"
    IMAGE_SIZE_FIVE_TWELVE = "IMAGE_SIZE_FIVE_TWELVE"
    IMAGE_SIZE_ONE_K = "IMAGE_SIZE_ONE_K"
    IMAGE_SIZE_TWO_K = "IMAGE_SIZE_TWO_K"
    IMAGE_SIZE_FOUR_K = "IMAGE_SIZE_FOUR_K"


class TextResponseFormat(LooseModel):
    """Text output: its MIME type and, for JSON, the JSON Schema it must follow (`schema` on
    the wire)."""

    mime_type: str | None = None
    json_schema: Any = Field(
        default=None,
        validation_alias=AliasChoices("json_schema", "jsonSchema", "schema"),
        serialization_alias="schema",
    )


class AudioResponseFormat(LooseModel):
    mime_type: str | None = None
    delivery: Delivery | None = None
    sample_rate: int | None = None
    bit_rate: int | None = None


class ImageResponseFormat(LooseModel):
    mime_type: str | None = None
    delivery: Delivery | None = None
    aspect_ratio: AspectRatio | None = None
    image_size: ImageSize | None = None


class VideoResponseFormat(LooseModel):
    """Video output; `duration` as the API writes durations (`"8s"`), `gcs_uri` where a URI
    delivery writes it."""

    delivery: Delivery | None = None
    aspect_ratio: AspectRatio | None = None
    duration: str | None = None
    resolution: str | None = None
    gcs_uri: str | None = None


class ResponseFormat(LooseModel):
    """The format of one modality of the answer: set one field."""

    text: TextResponseFormat | None = None
    audio: AudioResponseFormat | None = None
    image: ImageResponseFormat | None = None
    video: VideoResponseFormat | None = None


class TranslationConfig(LooseModel):
    """Speak the answer in `target_language_code`; `echo_target_language` also when the input
    is in that language already."""

    target_language_code: str | None = None
    echo_target_language: bool | None = None
