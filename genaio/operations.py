"""Long-running operations, importable where google-genai has them
(`from genaio import operations`).
"""

from genaio.api.operations import AsyncOperations

__all__ = ["AsyncOperations"]
