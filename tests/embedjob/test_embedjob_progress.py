"""The progress line and the summary are plain functions of the counts."""

from __future__ import annotations

import io

import trio

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
    counts = Counts(embedded=1, skipped=4, failed=3, failed_before=1)
    counts.rejected.update({"bad-record": 2, "duplicate": 1, "failed": 1})
    text = summary(counts, EngineCounts(), 1.0)
    assert text.endswith(
        "; 4 already done; skipped 5 (2 bad records, 1 duplicate ids, "
        "1 refused for good (permanent), 1 refused for good by an earlier run); 3 failed for now"
    )


def test_a_pause_for_quota_is_shown_as_such():
    counts = Counts(total=10_000, embedded=2_500)
    line = render(counts, EngineCounts(rate_limited=1, paused_for=12.2), rate=0.0)
    assert "25% 2,500/10,000 items" in line and "| waiting for quota, 12 s |" in line
    assert "ETA" not in line and "0 items/s" not in line


def test_the_rate_is_measured_over_recent_seconds():
    now = [0.0]
    counts = Counts(total=100)
    stream = io.StringIO()
    progress = Progress(counts, EngineCounts, stream, live=False, clock=lambda: now[0])
    for second in range(1, 31):
        now[0] = float(second)
        counts.embedded = second * (1 if second <= 20 else 3)
        rate = progress.rate()
    assert 5.0 < rate < 9.0  # the last ten seconds, not the whole run (3.0)


async def test_a_terminal_gets_rich_live_bar_and_a_final_state(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # a terminal's width (rich assumes 80 for a StringIO)
    counts = Counts(total=10_000, embedded=4_000, tokens=1234)
    engine = EngineCounts(rate_limited=2, retries=3, paused_for=7.0)
    stream = io.StringIO()
    progress = Progress(counts, lambda: engine, stream, live=True)
    with trio.move_on_after(0.6):
        await progress.run()
    counts.embedded = 10_000
    engine = EngineCounts(rate_limited=2, retries=3)
    progress.close()
    text = stream.getvalue()
    assert " 40% 4,000/10,000" in text and "100% 10,000/10,000" in text
    assert "waiting for quota, 7 s" in text
    assert "1.2k tok" in text and "429s 2" in text and "retries 3" in text


def test_a_log_gets_plain_lines():
    stream = io.StringIO()
    progress = Progress(Counts(total=10, embedded=5), EngineCounts, stream, live=False)
    progress.draw()
    progress.close()
    assert stream.getvalue().startswith("[") and stream.getvalue().count("\n") == 1
