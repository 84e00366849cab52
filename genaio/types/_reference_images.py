"""The images `edit_image` works from (Imagen on Vertex AI): raw, mask, control, style,
subject and content references, each with its own settings."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from genaio.types._base import WireModel
from genaio.types._enums import WireEnum
from genaio.types._images import Image

__all__ = [
    "ContentReferenceImage",
    "ControlReferenceConfig",
    "ControlReferenceImage",
    "ControlReferenceType",
    "MaskReferenceConfig",
    "MaskReferenceImage",
    "MaskReferenceMode",
    "RawReferenceImage",
    "ReferenceImage",
    "StyleReferenceConfig",
    "StyleReferenceImage",
    "SubjectReferenceConfig",
    "SubjectReferenceImage",
    "SubjectReferenceType",
]


class MaskReferenceMode(WireEnum):
    MASK_MODE_DEFAULT = "MASK_MODE_DEFAULT"
    MASK_MODE_USER_PROVIDED = "MASK_MODE_USER_PROVIDED"
    MASK_MODE_BACKGROUND = "MASK_MODE_BACKGROUND"
    MASK_MODE_FOREGROUND = "MASK_MODE_FOREGROUND"
    MASK_MODE_SEMANTIC = "MASK_MODE_SEMANTIC"


class ControlReferenceType(WireEnum):
    CONTROL_TYPE_DEFAULT = "CONTROL_TYPE_DEFAULT"
    CONTROL_TYPE_CANNY = "CONTROL_TYPE_CANNY"
    CONTROL_TYPE_SCRIBBLE = "CONTROL_TYPE_SCRIBBLE"
    CONTROL_TYPE_FACE_MESH = "CONTROL_TYPE_FACE_MESH"


class SubjectReferenceType(WireEnum):
    SUBJECT_TYPE_DEFAULT = "SUBJECT_TYPE_DEFAULT"
    SUBJECT_TYPE_PERSON = "SUBJECT_TYPE_PERSON"
    SUBJECT_TYPE_ANIMAL = "SUBJECT_TYPE_ANIMAL"
    SUBJECT_TYPE_PRODUCT = "SUBJECT_TYPE_PRODUCT"


class MaskReferenceConfig(WireModel):
    mask_mode: MaskReferenceMode | None = None
    segmentation_classes: list[int] | None = Field(default=None, serialization_alias="maskClasses")
    mask_dilation: float | None = Field(default=None, serialization_alias="dilation")


class ControlReferenceConfig(WireModel):
    control_type: ControlReferenceType | None = None
    enable_control_image_computation: bool | None = Field(
        default=None, serialization_alias="computeControl"
    )


class StyleReferenceConfig(WireModel):
    # Sent with its Python name, as the official SDK does (the API takes both spellings).
    style_description: str | None = Field(default=None, serialization_alias="style_description")


class SubjectReferenceConfig(WireModel):
    subject_type: SubjectReferenceType | None = Field(
        default=None, serialization_alias="subject_type"
    )
    subject_description: str | None = Field(default=None, serialization_alias="subject_description")


class ReferenceImage(WireModel):
    """An image `edit_image` works from; each kind sets its `reference_type` and sends its
    `config` under its own key (`maskImageConfig`, ...)."""

    _type: ClassVar[str] = "REFERENCE_TYPE_RAW"
    _config_key: ClassVar[str | None] = None

    reference_image: Image | None = None
    reference_id: int | None = None
    reference_type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = super().to_wire()
        wire.pop("config", None)
        wire["referenceType"] = self.reference_type or self._type
        config = getattr(self, "config", None)
        if self._config_key and config is not None:
            wire[self._config_key] = config.to_wire()
        return wire


class RawReferenceImage(ReferenceImage):
    pass


class MaskReferenceImage(ReferenceImage):
    _type = "REFERENCE_TYPE_MASK"
    _config_key = "maskImageConfig"
    config: MaskReferenceConfig | None = None

    @property
    def mask_image_config(self) -> MaskReferenceConfig | None:
        """`config`, by the name of the key it is sent under."""
        return self.config


class ControlReferenceImage(ReferenceImage):
    _type = "REFERENCE_TYPE_CONTROL"
    _config_key = "controlImageConfig"
    config: ControlReferenceConfig | None = None

    @property
    def control_image_config(self) -> ControlReferenceConfig | None:
        """`config`, by the name of the key it is sent under."""
        return self.config


class StyleReferenceImage(ReferenceImage):
    _type = "REFERENCE_TYPE_STYLE"
    _config_key = "styleImageConfig"
    config: StyleReferenceConfig | None = None

    @property
    def style_image_config(self) -> StyleReferenceConfig | None:
        """`config`, by the name of the key it is sent under."""
        return self.config


class SubjectReferenceImage(ReferenceImage):
    _type = "REFERENCE_TYPE_SUBJECT"
    _config_key = "subjectImageConfig"
    config: SubjectReferenceConfig | None = None

    @property
    def subject_image_config(self) -> SubjectReferenceConfig | None:
        """`config`, by the name of the key it is sent under."""
        return self.config


class ContentReferenceImage(ReferenceImage):
    _type = "REFERENCE_TYPE_CONTENT"
