"""File and display helpers of `Image` and `Video`: Pillow and IPython are imported only when
a helper needs them, so that importing genaio stays fast and neither is a dependency."""

from __future__ import annotations

import io
import mimetypes
import pathlib
import sys
import urllib.parse
from typing import Any

__all__ = [
    "cloud_storage_uri",
    "pil_image",
    "read_file",
    "show_image",
    "show_video",
    "write_file",
]


def cloud_storage_uri(location: str) -> str | None:
    """`location` as a `gs://` URI if it names a Cloud Storage object, else None."""
    url = urllib.parse.urlparse(location)
    if url.scheme == "gs":
        return location
    if url.scheme == "https" and url.netloc == "storage.googleapis.com":
        return "gs://" + urllib.parse.unquote(url.path).lstrip("/")
    return None


def read_file(location: str, mime_type: str | None) -> tuple[bytes, str | None]:
    """A local file's bytes, and its MIME type (guessed from the name if not given)."""
    data = pathlib.Path(location).read_bytes()
    return data, mime_type or mimetypes.guess_type(location)[0]


def write_file(location: str, data: bytes) -> None:
    pathlib.Path(location).write_bytes(data)


def pil_image(data: bytes) -> Any:
    """The bytes opened as a PIL image."""
    try:
        from PIL import Image  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise RuntimeError("showing an image needs Pillow: pip install pillow") from exc
    return Image.open(io.BytesIO(data))


def show_image(image: Any) -> None:
    """Display a PIL image inline in a notebook, else in PIL's viewer."""
    display = _notebook_display()
    if display is not None:
        display.display(image)
    else:
        image.show()


def show_video(data: bytes, mime_type: str) -> None:
    display = _notebook_display()
    if display is not None:
        display.display(display.Video(data=data, mimetype=mime_type, embed=True))


def _notebook_display() -> Any:
    """IPython's display module when running in a notebook kernel, else None."""
    if "ipykernel" not in sys.modules:
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    return display
