"""The `genaio` command line: the main job, the emulator."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "emulator":
        from genaio.emulator._cli import main as emulator_main

        return emulator_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="genaio",
        description="An actor-based async client for the Gemini API.",
        epilog="`genaio emulator --help` for the local Gemini API emulator.",
    )
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo",
        help="concurrent generate_content and embed_content calls through client.aio "
        "(against the embedded emulator unless GOOGLE_API_KEY or GEMINI_API_KEY is set)",
    )
    demo.add_argument("--model", default="gemini-2.0-flash")
    demo.add_argument("--embedding-model", default="gemini-embedding-001")
    demo.add_argument("--requests", type=int, default=32, help="generate_content calls")
    demo.add_argument("--embeddings", type=int, default=256, help="embed_content calls")
    commands.add_parser("emulator", help="serve the local Gemini API emulator")
    args = parser.parse_args(argv or ["demo"])
    if args.command in (None, "demo"):
        from genaio._demo import run_demo

        return run_demo(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
