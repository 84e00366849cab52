"""`genaio embed`: embed every text of a JSONL or CSV file, resumably and exactly once.

`genaio embed INPUT --output OUTPUT [--model ...]` from a shell; `run_job(JobSpec(...))` from
Python. See docs/embed.md.
"""

from genaio.embedjob._args import JobSpec, add_embed_parser, spec_from_args
from genaio.embedjob._inputs import Columns
from genaio.embedjob._job import run_job
from genaio.embedjob._sample import sample_records, write_sample

__all__ = [
    "Columns",
    "JobSpec",
    "add_embed_parser",
    "run_job",
    "sample_records",
    "spec_from_args",
    "write_sample",
]
