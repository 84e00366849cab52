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
    text = summary(Counts(embedded=1, skipped=4, bad_lines=2, failed=3), EngineCounts(), 1.0)
    assert text.endswith("; 4 already done; 2 bad input lines skipped; 3 failed")


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
    counts = Counts(total=100, embedded=40, tokens=1234)
    stream = io.StringIO()
    progress = Progress(counts, lambda: EngineCounts(rate_limited=2, retries=3), stream, live=True)
    with trio.move_on_after(0.6):
        await progress.run()
    counts.embedded = 100
    progress.close()
    text = stream.getvalue()
    assert "40/100" in text and "100/100" in text
    assert "1.2k tok" in text and "429s 2" in text and "retries 3" in text


def test_a_log_gets_plain_lines():
    stream = io.StringIO()
    progress = Progress(Counts(total=10, embedded=5), EngineCounts, stream, live=False)
    progress.draw()
    progress.close()
    assert stream.getvalue().startswith("[") and stream.getvalue().count("\n") == 1
