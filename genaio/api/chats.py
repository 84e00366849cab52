"""`client.aio.chats`: multi-turn chats, with history kept on the client."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncChats"]


class AsyncChats(Resource):
    """Multi-turn chats, with history kept on the client."""

    family = "models"  # a chat is generate_content with history kept here: no actor of its own
