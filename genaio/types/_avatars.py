"""Live avatars (Vertex AI): a Live session can answer as a video of a speaking avatar, one of
the service's by name or the user's own from a picture."""

from __future__ import annotations

from genaio.types._base import Base64Bytes, WireModel

__all__ = ["AvatarConfig", "CustomizedAvatar"]


class CustomizedAvatar(WireModel):
    """An avatar made from the user's picture (its bytes and their MIME type)."""

    image_mime_type: str | None = None
    image_data: Base64Bytes | None = None


class AvatarConfig(WireModel):
    """Which avatar speaks (by `avatar_name`, or a customized one) and the bitrates of its
    audio and video streams."""

    avatar_name: str | None = None
    customized_avatar: CustomizedAvatar | None = None
    audio_bitrate_bps: int | None = None
    video_bitrate_bps: int | None = None
