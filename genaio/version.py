"""genaio's version, importable where google-genai has its (`from genaio import version`)."""

from genaio import __version__

__all__ = ["__version__"]
