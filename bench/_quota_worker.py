"""One of several processes sharing one quota: `python bench/_quota_worker.py JSON`.

JSON names the emulator (`base_url`), the model and its quota (`rpm`, `tpm`, per real minute),
how this process keeps it (`mode`: "redis", the shared quota; "whole", a local throttle set to
the whole quota; "split", a local throttle set to a share), and its load (`requests` calls,
`concurrency` at a time, prompts of `prompt_tokens`). It prints one JSON line: calls that
succeeded, failed, seconds, CPU seconds, Redis round trips. Used by bench/quota.py and
tests/quota/test_processes.py.

Local throttles start empty, as the shared bucket does (`drain`): a job that sends at the
quota for minutes gains nothing from a saved-up minute, and the emulator's per-minute windows
would answer such a burst with 429s in every mode alike.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import anyio

import genaio
from genaio.engine import RateLimiter
from genaio.engine._redis_quota import RedisRateLimiter
from genaio.engine._resp import RedisConnection


def drain_local(rate: RateLimiter, rpm: float | None, tpm: float | None) -> None:
    """Start a local throttle's buckets empty (one minute's allowance taken)."""
    for _ in range(int(rpm or 0)):
        rate.reserve(0)
    if tpm:
        rate.charge_tokens(int(tpm))


async def drain_shared(url: str, key: str) -> None:
    """Start the shared buckets empty: both TATs one minute ahead of Redis's clock."""
    redis = RedisConnection(url, timeout=2.0)
    seconds, micros = await redis.call("TIME")
    full = int(seconds) * 1000 + int(micros) / 1000 + 60_000
    await redis.call("DEL", key)
    await redis.call("HSET", key, "r", f"{full:.3f}", "t", f"{full:.3f}")
    await redis.aclose()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    model = spec.get("model", "gemini-2.0-flash")
    rpm, tpm = spec.get("rpm"), spec.get("tpm")
    share = spec.get("processes", 1) if spec["mode"] == "split" else 1
    rate = genaio.RateLimit(rpm / share if rpm else None, tpm / share if tpm else None)
    quota = None
    if spec["mode"] == "redis":
        quota = genaio.RedisQuota(
            spec["redis_url"],
            project=spec.get("project", "bench"),
            on_error="wait",
            timeout=spec.get("timeout", 0.5),
        )
    limits = genaio.Limits(
        families={"models": genaio.FamilyLimits(concurrency=spec.get("concurrency", 16))},
        model_rates={model: rate},
        quota=quota,
    )
    options = {"base_url": spec["base_url"], "retry_options": {"attempts": 8}}
    client = genaio.Client(api_key="test-key", http_options=options, limits=limits)
    aio = client.aio
    # "abc " is one token to the emulator's tokenizer and to genaio's estimate (4 characters);
    # one output token, so the usage the answer reports (prompt + output) is ~the input
    # tokens the emulator's quota counts.
    prompt = "abc " * spec.get("prompt_tokens", 8)
    config = {"max_output_tokens": 1}
    ok = failed = 0
    # The throttle exists once a call has gone: one call first, then the throttle is drained.
    await aio.models.generate_content(model=model, contents=prompt, config=config)
    throttle = aio.quota(model)
    assert throttle is not None
    limiter = throttle.limiter
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # the parent starts every process at once
    if spec["mode"] != "redis" and limiter is not None:
        drain_local(limiter, rate.requests_per_minute, rate.tokens_per_minute)
    cpu, start = time.process_time(), time.monotonic()
    todo = iter(range(spec["requests"]))

    async def caller() -> None:
        nonlocal ok, failed
        for _ in todo:
            try:
                await aio.models.generate_content(model=model, contents=prompt, config=config)
                ok += 1
            except genaio.errors.APIError:
                failed += 1

    async with anyio.create_task_group() as group:
        for _ in range(spec.get("concurrency", 16)):
            group.start_soon(caller)
    wall = time.monotonic() - start
    trips = limiter.round_trips if isinstance(limiter, RedisRateLimiter) else 0
    await aio.aclose()
    return {
        "ok": ok,
        "failed": failed,
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "round_trips": trips,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = anyio.run(run, spec, backend=spec.get("backend", "trio"))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
