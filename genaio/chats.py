"""Chats, importable where google-genai has them (`from genaio import chats`)."""

from genaio.api.chats import AsyncChat, AsyncChats

__all__ = ["AsyncChat", "AsyncChats"]
