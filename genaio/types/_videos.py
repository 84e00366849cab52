"""Veo's videos: what `generate_videos` takes, and its long-running operation (Vertex AI's
wire names; video bytes travel as standard base64)."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator

from genaio.types import _media
from genaio.types._base import StandardBase64Bytes, WireModel
from genaio.types._enums import WireEnum
from genaio.types._http import HttpOptions
from genaio.types._images import Image
from genaio.types._operations import Operation

__all__ = [
    "FetchPredictOperationConfig",
    "GenerateVideosConfig",
    "GenerateVideosOperation",
    "GenerateVideosResponse",
    "GenerateVideosSource",
    "GeneratedVideo",
    "ImageResizeMode",
    "Video",
    "VideoCompressionQuality",
    "VideoGenerationMask",
    "VideoGenerationMaskMode",
    "VideoGenerationReferenceImage",
    "VideoGenerationReferenceType",
    "WebhookConfig",
]


class VideoCompressionQuality(WireEnum):
    OPTIMIZED = "OPTIMIZED"
    LOSSLESS = "LOSSLESS"


class ImageResizeMode(WireEnum):
    CROP = "CROP"
    PAD = "PAD"


class VideoGenerationReferenceType(WireEnum):
    ASSET = "ASSET"
    STYLE = "STYLE"


class VideoGenerationMaskMode(WireEnum):
    INSERT = "INSERT"
    REMOVE = "REMOVE"
    REMOVE_STATIC = "REMOVE_STATIC"
    OUTPAINT = "OUTPAINT"


class Video(WireModel):
    """A video: a URI or bytes. Vertex AI names them `gcsUri` / `bytesBase64Encoded`; the
    Gemini API's `uri` / `encodedVideo` / `encoding` are read too."""

    uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("uri", "gcsUri", "gcs_uri"),
        serialization_alias="gcsUri",
    )
    video_bytes: StandardBase64Bytes | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "video_bytes", "videoBytes", "bytesBase64Encoded", "encodedVideo"
        ),
        serialization_alias="bytesBase64Encoded",
    )
    mime_type: str | None = Field(
        default=None, validation_alias=AliasChoices("mime_type", "mimeType", "encoding")
    )

    @classmethod
    def from_file(cls, *, location: str, mime_type: str | None = None) -> Video:
        """A video from a local file; the MIME type is guessed from the name when not given."""
        data, mime_type = _media.read_file(location, mime_type)
        return cls(video_bytes=data, mime_type=mime_type)

    def save(self, path: str) -> None:
        """Write the video's bytes to a local file."""
        if not self.video_bytes:
            raise NotImplementedError("saving a remote video (uri) is not supported")
        _media.write_file(path, self.video_bytes)

    def show(self) -> None:
        """Display the video inline in a notebook (IPython); elsewhere it does nothing."""
        if not self.video_bytes:
            raise ValueError("this video has no bytes to show (it may be a uri)")
        _media.show_video(self.video_bytes, self.mime_type or "video/mp4")


class VideoGenerationReferenceImage(WireModel):
    image: Image | None = None
    reference_type: VideoGenerationReferenceType | None = None


class VideoGenerationMask(WireModel):
    image: Image | None = None
    mask_mode: VideoGenerationMaskMode | None = None


class WebhookConfig(WireModel):
    uris: list[str] | None = None
    user_metadata: dict[str, Any] | None = None


class GenerateVideosConfig(WireModel):
    """Options of `generate_videos`; `webhook_config` is the Gemini API's only."""

    http_options: HttpOptions | None = None
    number_of_videos: int | None = None
    output_gcs_uri: str | None = None
    fps: int | None = None
    duration_seconds: int | None = None
    seed: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    person_generation: str | None = None
    pubsub_topic: str | None = None
    negative_prompt: str | None = None
    enhance_prompt: bool | None = None
    generate_audio: bool | None = None
    last_frame: Image | None = None
    reference_images: list[VideoGenerationReferenceImage] | None = None
    mask: VideoGenerationMask | None = None
    compression_quality: VideoCompressionQuality | None = None
    labels: dict[str, str] | None = None
    webhook_config: WebhookConfig | None = None
    resize_mode: ImageResizeMode | None = None


class GenerateVideosSource(WireModel):
    """What to make a video from: a prompt, a first frame, or a video to extend."""

    prompt: str | None = None
    image: Image | None = None
    video: Video | None = None


class GeneratedVideo(WireModel):
    video: Video | None = None


class GenerateVideosResponse(WireModel):
    generated_videos: list[GeneratedVideo] | None = None
    rai_media_filtered_count: int | None = None
    rai_media_filtered_reasons: list[str] | None = None


class FetchPredictOperationConfig(WireModel):
    """Options of the request that refreshes a Vertex AI video operation
    (`{model}:fetchPredictOperation`)."""

    http_options: HttpOptions | None = None


class GenerateVideosOperation(Operation):
    """A `generate_videos` operation; once done, `result` (and `response`) hold the videos.

    The server's result is Vertex AI's `{videos: [Video]}` or the Gemini API's
    `{generateVideoResponse: {generatedSamples: [{video}]}}`; both read as one
    `GenerateVideosResponse`. Vertex AI refreshes it with `fetch_call()`.
    """

    response: GenerateVideosResponse | None = None  # type: ignore[assignment]
    result: GenerateVideosResponse | None = None

    @model_validator(mode="before")
    @classmethod
    def _videos_from_wire(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("response"), dict):
            return data
        raw = data["response"]
        raw = raw.get("generateVideoResponse", raw)
        if "generatedSamples" in raw or "videos" in raw:
            videos = raw.get("generatedSamples") or [{"video": v} for v in raw.get("videos") or ()]
            raw = {k: v for k, v in raw.items() if k not in ("generatedSamples", "videos")}
            raw = {**raw, "generatedVideos": videos}
        raw = {k: v for k, v in raw.items() if k != "@type"}
        return {**data, "response": raw, "result": data.get("result", raw)}

    def fetch_call(self) -> tuple[str, dict[str, Any]]:
        """Vertex AI's refresh of this operation: the path and body of
        `POST {model}:fetchPredictOperation {"operationName": name}`."""
        if not self.name or "/operations/" not in self.name:
            raise ValueError(f"not a video operation name: {self.name!r}")
        model = self.name.split("/operations/", 1)[0]
        return f"{model}:fetchPredictOperation", {"operationName": self.name}
