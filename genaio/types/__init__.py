"""Typed models for what genaio's methods take and return."""

from genaio.types._http import HttpOptions, HttpOptionsDict, HttpRetryOptions

__all__ = ["HttpOptions", "HttpOptionsDict", "HttpRetryOptions"]
