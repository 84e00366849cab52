"""`genaio demo`: the engine at work on concurrent calls, against the emulator by default."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Iterator

import trio

import genaio

__all__ = ["run_demo"]


def run_demo(args: argparse.Namespace) -> int:
    with _backend() as (base_url, where):
        print(f"genaio {genaio.__version__}: {where}")
        http_options = {"base_url": base_url} if base_url else None
        client = genaio.Client(api_key=_api_key() or "demo-key", http_options=http_options)
        trio.run(_demo, client, args)
    return 0


async def _demo(client: genaio.Client, args: argparse.Namespace) -> None:
    texts: list[str] = []
    dimensions: set[int] = set()
    async with client.aio as aio:
        started = time.perf_counter()

        async def generate(i: int) -> None:
            response = await aio.models.generate_content(
                model=args.model, contents=f"Write one line about the number {i}."
            )
            texts.append(response.text or "")

        async def embed(i: int) -> None:
            response = await aio.models.embed_content(
                model=args.embedding_model, contents=f"document number {i}"
            )
            dimensions.add(len(response.embeddings[0].values))

        async with trio.open_nursery() as nursery:
            for i in range(args.requests):
                nursery.start_soon(generate, i)
            for i in range(args.embeddings):
                nursery.start_soon(embed, i)
        elapsed = time.perf_counter() - started
        stats = aio.statistics()["families"]["models"]
    total = args.requests + args.embeddings
    print(
        f"{args.requests} generate_content and {args.embeddings} embed_content calls, "
        f"concurrently, in {elapsed:.2f} s ({total / elapsed:.0f} calls/s)"
    )
    print(f"  a response: {texts[0]!r}" if texts else "  no responses")
    print(f"  embedding dimensions: {sorted(dimensions)}")
    print(
        f"  models actor: {stats.completed} completed, {stats.failed} failed, "
        f"{stats.restarts} restarts; closed cleanly"
    )


@contextlib.contextmanager
def _backend() -> Iterator[tuple[str | None, str]]:
    if _api_key():
        yield None, "talking to the Gemini API (an API key is set)"
        return
    from genaio.emulator import run_emulator_in_thread

    with run_emulator_in_thread() as emulator:
        yield (
            emulator.base_url,
            f"no API key set: using the embedded emulator at {emulator.base_url}",
        )


def _api_key() -> str | None:
    return os.environ.get("GOOGLE_API_KEY") or os.environ.get("GEMINI_API_KEY") or None
