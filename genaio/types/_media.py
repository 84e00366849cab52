"""Types of the media methods of `models`: Imagen's images and Veo's videos."""

from genaio.types import _images, _videos
from genaio.types._images import *  # noqa: F403
from genaio.types._videos import *  # noqa: F403

__all__ = [*_images.__all__, *_videos.__all__]
