"""`AsyncPager`: the items of a list call, page by page, as the official SDK's pager has them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs

from genaio.types import HttpResponse

__all__ = ["AsyncPager", "Page"]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None
    headers: dict[str, str]


class AsyncPager(Generic[T]):
    """The current page (`page`, `len(pager)`, `pager[i]`), and every item with `async for`.

    `async for` walks the current page and fetches the next ones as it goes; `next_page()`
    replaces the current page with the next, or raises `IndexError` when there is none.
    """

    name: str
    page: list[T]
    config: dict[str, Any]
    sdk_http_response: HttpResponse

    def __init__(
        self,
        name: str,
        fetch: Callable[[dict[str, Any]], Awaitable[Page[T]]],
        config: dict[str, Any],
        first: Page[T],
    ) -> None:
        self.name = name
        self._fetch = fetch
        self._page_size = config.get("page_size")
        self._set_page(config, first)

    @classmethod
    async def create(
        cls,
        name: str,
        fetch: Callable[[dict[str, Any]], Awaitable[Page[T]]],
        config: dict[str, Any],
    ) -> AsyncPager[T]:
        return cls(name, fetch, config, await fetch(config))

    def _set_page(self, config: dict[str, Any], page: Page[T]) -> None:
        self.page = page.items
        self.config = {**config, "page_token": page.next_page_token}
        self.sdk_http_response = HttpResponse(headers=page.headers)
        self._index = 0
        if self._page_size is None:
            self._page_size = len(page.items)

    @property
    def page_size(self) -> int:
        return self._page_size or 0

    def __len__(self) -> int:
        return len(self.page)

    def __getitem__(self, index: int) -> T:
        return self.page[index]

    async def next_page(self) -> list[T]:
        """Fetch the next page and make it current.

        Raises:
            IndexError: there are no more pages.
        """
        if not self.config.get("page_token"):
            raise IndexError("No more pages to fetch.")
        self._set_page(self.config, await self._fetch(self.config))
        return self.page

    def __aiter__(self) -> AsyncPager[T]:
        self._index = 0
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self.page):
            if not self.config.get("page_token"):
                raise StopAsyncIteration
            await self.next_page()
        item = self.page[self._index]
        self._index += 1
        return item

    def __repr__(self) -> str:
        more = bool(self.config.get("page_token"))
        return f"<AsyncPager {self.name} page={len(self.page)} more={more}>"
