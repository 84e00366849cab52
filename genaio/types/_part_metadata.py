"""What a part says about the media it holds: which pages, sheets, layers or span of audio the
model reads, and who speaks. Set on input parts to narrow what is read; sent back on output."""

from __future__ import annotations

from genaio.types._base import WireModel
from genaio.types._enums import PartMediaResolutionLevel, WireEnum
from genaio.types._loose import LooseModel

__all__ = [
    "AudioMetadata",
    "DocumentMetadata",
    "DocumentMetadataContentLayer",
    "MediaProcessing",
    "SpeechMetadata",
    "SpreadsheetMetadata",
    "SpreadsheetMetadataContentLayer",
    "VideoMetadataContentLayer",
]


class MediaProcessing(WireEnum):
    """How the model reads a media part: once as given (static), or by exploring it (agentic)."""

    MEDIA_PROCESSING_UNSPECIFIED = "MEDIA_PROCESSING_UNSPECIFIED"
    STATIC = "STATIC"
    AGENTIC = "AGENTIC"


class DocumentMetadataContentLayer(WireEnum):
    """What of a document page the model reads: its image, its text, or both."""

    CONTENT_LAYER_UNSPECIFIED = "CONTENT_LAYER_UNSPECIFIED"
    PAGE_IMAGE = "PAGE_IMAGE"
    PAGE_TEXT = "PAGE_TEXT"


class SpreadsheetMetadataContentLayer(WireEnum):
    """What of a sheet the model reads: its data, formulas, or look."""

    CONTENT_LAYER_UNSPECIFIED = "CONTENT_LAYER_UNSPECIFIED"
    DATA = "DATA"
    FORMULAS = "FORMULAS"
    VISUAL = "VISUAL"


class VideoMetadataContentLayer(WireEnum):
    """What of a video the model reads: frames, audio, transcript."""

    CONTENT_LAYER_UNSPECIFIED = "CONTENT_LAYER_UNSPECIFIED"
    FRAMES = "FRAMES"
    AUDIO = "AUDIO"
    TRANSCRIPT = "TRANSCRIPT"


class AudioMetadata(LooseModel):
    """A span of an audio part, offsets as durations (`"1.5s"`)."""

    start_offset: str | None = None
    end_offset: str | None = None


class DocumentMetadata(LooseModel):
    """Pages of a document part (1-based, inclusive) and the layers read."""

    start_page: int | None = None
    end_page: int | None = None
    content_layers: list[DocumentMetadataContentLayer] | None = None


class SpreadsheetMetadata(LooseModel):
    """A sheet of a spreadsheet part (by index), the cells read (`"A1:D20"`), and the layers."""

    sheet_index: int | None = None
    visible_cells: str | None = None
    content_layers: list[SpreadsheetMetadataContentLayer] | None = None


class SpeechMetadata(LooseModel):
    """Who speaks a part of a speech script, and how."""

    speaker: str | None = None
    style: str | None = None


class VideoMetadata(WireModel):
    """Which part of a video to look at. Offsets are durations such as `"1.5s"`."""

    start_offset: str | None = None
    end_offset: str | None = None
    fps: float | None = None
    content_layers: list[VideoMetadataContentLayer] | None = None


class PartMediaResolution(LooseModel):
    """The resolution at which one media part is tokenized."""

    level: PartMediaResolutionLevel | None = None
    num_tokens: int | None = None
