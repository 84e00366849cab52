"""The arguments of some methods as one object each (the SDK's `*Parameters` types), for code
that builds, stores or logs a call's arguments as data; genaio's methods take the arguments
themselves."""

from __future__ import annotations

from genaio.types._auth_tokens import CreateAuthTokenConfig
from genaio.types._base import WireModel
from genaio.types._content import ContentListUnion
from genaio.types._embeddings import EmbedContentConfig
from genaio.types._enums import WireEnum
from genaio.types._images import Image, UpscaleImageConfig

__all__ = [
    "CreateAuthTokenParameters",
    "EmbedContentParameters",
    "EmbeddingApiType",
    "UpscaleImageParameters",
]


class EmbeddingApiType(WireEnum):
    """Which endpoint embeds: `predict` (Vertex AI's older models), `embedContent`, or
    `batchEmbedContents`."""

    PREDICT = "PREDICT"
    EMBED_CONTENT = "EMBED_CONTENT"
    BATCH_EMBED_CONTENTS = "BATCH_EMBED_CONTENTS"


class CreateAuthTokenParameters(WireModel):
    """The arguments of `auth_tokens.create`."""

    config: CreateAuthTokenConfig | None = None


class EmbedContentParameters(WireModel):
    """The arguments of `models.embed_content`."""

    model: str | None = None
    contents: ContentListUnion | None = None
    config: EmbedContentConfig | None = None


class UpscaleImageParameters(WireModel):
    """The arguments of `models.upscale_image`; `upscale_factor` is `x2` or `x4`."""

    model: str | None = None
    image: Image | None = None
    upscale_factor: str | None = None
    config: UpscaleImageConfig | None = None
