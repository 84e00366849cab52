"""The progress line and the summary are plain functions of the counts."""

from __future__ import annotations

import io

from genaio.embedjob._progress import Counts, EngineCounts, Progress, render, summary


def test_the_line_shows_items_tokens_rate_429s_retries_and_eta():
    counts = Counts(total=1000, embedded=250, tokens=4000)
    line = render(counts, EngineCounts(rate_limited=3, retries=5), rate=50.0)
    assert line == (
        "[#####...............]  25% 250/1,000 items | 4,000 tokens | 50 items/s | "
        "429s 3 | retries 5 | ETA 0:15"
    )
    assert render(Counts(embedded=7), EngineCounts(), 0.0).startswith("7 items |")


def test_the_summary_mentions_only_what_happened():
    text = summary(Counts(embedded=10, tokens=99), EngineCounts(1, 2), elapsed=2.0)
    assert text == "embedded 10 items (~99 tokens) in 2.0 s, 5 items/s; 429s: 1, retries: 2"
    text = summary(Counts(embedded=1, skipped=4, bad_lines=2, failed=3), EngineCounts(), 1.0)
    assert text.endswith("; 4 already done; 2 bad input lines skipped; 3 failed")


def test_the_rate_is_measured_over_recent_seconds():
    now = [0.0]
    counts = Counts(total=100)
    stream = io.StringIO()
    progress = Progress(counts, EngineCounts, stream, live=True, clock=lambda: now[0])
    for second in range(1, 31):
        now[0] = float(second)
        counts.embedded = second * (1 if second <= 20 else 3)
        rate = progress.rate()
    assert 5.0 < rate < 9.0  # the last ten seconds, not the whole run (3.0)
    progress.draw()
    progress.close()
    assert stream.getvalue().startswith("\r[") and stream.getvalue().endswith("\n")
