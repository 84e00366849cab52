"""Pagers, importable where google-genai has them (`from genaio import pagers`)."""

from genaio.api.pagers import AsyncPager

__all__ = ["AsyncPager"]
