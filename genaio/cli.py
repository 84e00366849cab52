"""The `genaio` command line: the embedding job (bare `genaio` runs it on a sample), the
emulator."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

__all__ = ["main"]

#: Texts in the sample that bare `genaio` embeds: enough to show the engine, quick to run.
SAMPLE_SIZE = 2000
SAMPLE_DIMENSIONS = 128


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BaseException as error:
        if not _interrupted(error):
            raise
        # Before the job's own signal handling is in place (or after it): one line, no
        # traceback. What a job had written is kept, as always.
        print("genaio: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "emulator":
        from genaio.emulator._cli import main as emulator_main

        return emulator_main(argv[1:])
    from genaio.embedjob import add_embed_parser, run_job, spec_from_args

    parser = argparse.ArgumentParser(
        prog="genaio",
        description="An actor-based async client for the Gemini API. With no command, runs the "
        f"main job, `genaio embed`, on a sample of {SAMPLE_SIZE:,} texts.",
        epilog="`genaio embed --help` for the job, `genaio emulator --help` for the emulator.",
    )
    commands = parser.add_subparsers(dest="command")
    add_embed_parser(commands)
    commands.add_parser("emulator", help="serve the local Gemini API emulator")
    args = parser.parse_args(argv)
    if args.command is None:
        return _sample_job()
    spec = spec_from_args(args)
    if spec.ray is not None:
        from genaio.embedjob._ray import run_ray_job

        return run_ray_job(spec)
    return run_job(spec)


def _interrupted(error: BaseException) -> bool:
    """A Ctrl-C, alone or in a group (raised through a task group)."""
    if isinstance(error, BaseExceptionGroup):
        match, rest = error.split(KeyboardInterrupt)
        return match is not None and rest is None
    return isinstance(error, KeyboardInterrupt)


def _sample_job() -> int:
    """`genaio embed` on a generated sample, into a fresh directory; says how to do it by hand."""
    import genaio
    from genaio.embedjob import JobSpec, run_job, write_sample

    folder = Path(tempfile.mkdtemp(prefix="genaio-sample-"))
    source = write_sample(folder / "sample.jsonl", SAMPLE_SIZE)
    output = folder / "sample.embeddings.jsonl"
    print(f"genaio {genaio.__version__}: embedding a sample of {SAMPLE_SIZE:,} texts ({source})")
    status = run_job(JobSpec(source, output, dimensions=SAMPLE_DIMENSIONS))
    print(
        "the same by hand (again: it resumes, and finds everything done):\n"
        f"  genaio embed {source} --output {output} --dimensions {SAMPLE_DIMENSIONS}"
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
