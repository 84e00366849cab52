"""File search stores, importable where google-genai has them
(`from genaio import file_search_stores`).
"""

from genaio.api.file_search_stores import AsyncFileSearchStores

__all__ = ["AsyncFileSearchStores"]
