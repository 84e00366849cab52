"""Batch jobs, importable where google-genai has them (`from genaio import batches`)."""

from genaio.api.batches import AsyncBatches

__all__ = ["AsyncBatches"]
