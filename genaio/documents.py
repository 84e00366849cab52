"""A file search store's documents, importable where google-genai has them
(`from genaio import documents`).
"""

from genaio.api.file_search_stores import AsyncDocuments

__all__ = ["AsyncDocuments"]
