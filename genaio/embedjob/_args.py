"""`genaio embed`'s command line, parsed into a frozen `JobSpec`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import attrs

from genaio.embedjob._inputs import FORMATS, Columns, Span

__all__ = ["JobSpec", "add_embed_parser", "spec_from_args"]

DEFAULT_MODEL = "gemini-embedding-001"


@attrs.frozen
class JobSpec:
    """Everything a job needs to know; the same spec resumes the same job."""

    input: Path
    output: Path
    model: str = DEFAULT_MODEL
    input_format: str | None = None  # None: from the input's suffix
    output_format: Literal["jsonl", "parquet"] | None = None  # None: from the output's suffix
    columns: Columns = attrs.field(factory=Columns)
    bad_lines: Literal["skip", "fail"] = "skip"
    rpm: float | None = None
    tpm: float | None = None
    quota_url: str | None = None  # a RedisQuota shared by every process of the job
    concurrency: int = 100
    dimensions: int | None = None
    task_type: str | None = None
    max_in_flight: int = 2000
    progress: bool | None = None  # None: a live line on a terminal, periodic lines elsewhere
    emulator: bool = False  # the embedded emulator, even with a key set
    overwrite: bool = False  # start a new output, replacing what is there
    duplicate_ids: Literal["first", "fail"] = "first"
    too_long: Literal["reject", "truncate"] = "reject"
    metrics_port: int | None = None  # serve Prometheus metrics on it while the job runs
    metrics_address: str = "127.0.0.1"
    via: Literal["online", "batch", "auto"] = "online"
    deadline: float | None = None  # hours the job may take (--via auto)
    batch_items: int = 5000  # texts in one batch job at most (--via batch)
    poll_seconds: float = 30.0  # between two looks at a batch job
    ray: str | None = None  # run on Ray (the cluster's address; "": local or $RAY_ADDRESS)
    shards: int | None = None  # with `ray`: the input's shards (None: by its size)
    span: Span | None = None  # one shard's records only (what a Ray task runs)

    @property
    def parquet(self) -> bool:
        if self.output_format is None:
            return self.output.suffix.lower() == ".parquet"
        return self.output_format == "parquet"


def _positive(kind: type) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        value: float | int = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def add_embed_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "embed",
        help="embed every text of a JSONL or CSV file (resumable, exactly once)",
        description="Embed every text of a JSONL or CSV file into JSONL (or Parquet). Against "
        "the Gemini API when GOOGLE_API_KEY or GEMINI_API_KEY is set (at GOOGLE_GEMINI_BASE_URL "
        "if set), against the embedded emulator with --emulator or when neither a key nor a base "
        "URL is set. Killed or interrupted, the same command resumes where it stopped; each id "
        "is written once. Skipped records go to OUTPUT.rejects.jsonl with their reasons.",
    )
    parser.add_argument("input", type=Path, help="a .jsonl, .csv or .parquet file")
    parser.add_argument("--output", "-o", type=Path, required=True, help="the embeddings file")
    parser.add_argument("--model", "-m", default=DEFAULT_MODEL, help="(default: %(default)s)")
    parser.add_argument("--input-format", choices=FORMATS, help="(default: by content/suffix)")
    parser.add_argument(
        "--output-format", choices=("jsonl", "parquet"), help="(default: by suffix, else jsonl)"
    )
    parser.add_argument("--id-column", default="id", help="(default: %(default)s)")
    parser.add_argument("--text-column", default="text", help="(default: %(default)s)")
    parser.add_argument(
        "--bad-lines",
        choices=("skip", "fail"),
        default="skip",
        help="a malformed input record is skipped into the rejects file, or stops the job "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--duplicate-ids",
        choices=("first", "fail"),
        default="first",
        help="an id seen before in the input: the first is embedded and the others skipped into "
        "the rejects file, or the job stops (default: %(default)s)",
    )
    parser.add_argument(
        "--too-long",
        choices=("reject", "truncate"),
        default="reject",
        help="a text over the model's input limit (2,048 tokens, estimated): skipped into the "
        "rejects file, or cut to the limit and counted (default: %(default)s)",
    )
    parser.add_argument(
        "--emulator",
        action="store_true",
        help="use the embedded emulator (fake vectors), even with an API key set",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="start a new output, replacing OUTPUT (and its manifest and rejects file); needed "
        "when the job's settings differ from those OUTPUT was made with",
    )
    parser.add_argument("--rpm", type=_positive(float), help="the model's requests per minute")
    parser.add_argument("--tpm", type=_positive(float), help="the model's tokens per minute")
    parser.add_argument(
        "--quota-url",
        default=os.environ.get("GENAIO_QUOTA_URL") or None,
        help="share --rpm/--tpm with every process using this Redis (redis://host:port/db, "
        "see docs/scale-out.md; default: $GENAIO_QUOTA_URL, else this process alone)",
    )
    parser.add_argument(
        "--concurrency", type=_positive(int), default=100, help="requests in flight at most"
    )
    parser.add_argument("--dimensions", type=_positive(int), help="output dimensionality")
    parser.add_argument("--task-type", help="e.g. RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY")
    parser.add_argument(
        "--max-in-flight",
        type=_positive(int),
        default=2000,
        help="texts read ahead and in flight at most: bounds memory (default: %(default)s)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="show progress (default: live on a terminal, a line every few seconds otherwise)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics on this port while the job runs (genaio[prometheus])",
    )
    parser.add_argument(
        "--metrics-address",
        default="127.0.0.1",
        help="the address the metrics are served on (default: %(default)s; 0.0.0.0: all)",
    )
    parser.add_argument(
        "--via",
        choices=("online", "batch", "auto"),
        default="online",
        help="online requests; the Batch API (half the price, hours not seconds; resumable "
        "like the online path); or auto: the Batch API when --deadline allows its 24 hours "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--deadline", type=_positive(float), metavar="HOURS", help="how long the job may take"
    )
    parser.add_argument(
        "--batch-items",
        type=_positive(int),
        default=5000,
        help="texts in one batch job at most (--via batch; default: %(default)s)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=_positive(float),
        default=30.0,
        help="seconds between two looks at a batch job (default: %(default)s)",
    )
    parser.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="run shards of the input as Ray tasks on the cluster at ADDRESS (default: "
        "$RAY_ADDRESS, else a local one), sharing the quota through --quota-url; OUTPUT is a "
        "directory of parts (genaio[ray], see docs/scale-out.md)",
    )
    parser.add_argument(
        "--shards", type=_positive(int), help="with --ray: the input's shards (default: by size)"
    )
    return parser


def spec_from_args(args: argparse.Namespace) -> JobSpec:
    return JobSpec(
        input=args.input,
        output=args.output,
        model=args.model,
        input_format=args.input_format,
        output_format=args.output_format,
        columns=Columns(args.id_column, args.text_column),
        bad_lines=args.bad_lines,
        rpm=args.rpm,
        tpm=args.tpm,
        quota_url=args.quota_url,
        concurrency=args.concurrency,
        dimensions=args.dimensions,
        task_type=args.task_type,
        max_in_flight=args.max_in_flight,
        progress=args.progress,
        emulator=args.emulator,
        overwrite=args.overwrite,
        duplicate_ids=args.duplicate_ids,
        too_long=args.too_long,
        metrics_port=args.metrics_port,
        metrics_address=args.metrics_address,
        via=args.via,
        deadline=args.deadline,
        batch_items=args.batch_items,
        poll_seconds=args.poll_seconds,
        ray=args.ray,
        shards=args.shards,
    )
