"""Quotas (RPM/TPM/RPD, 429 details), fault injection, and statistics, over raw HTTP."""

from __future__ import annotations

import random
import time

import httpx
import pytest
import trio

from genaio.emulator import EmulatorConfig, FaultConfig

FLASH = "/v1beta/models/gemini-2.5-flash"
EMBED = "/v1beta/models/gemini-embedding-001"
# An almost frozen clock: a quota window cannot roll over during a test; `advance` moves it.
FROZEN = 1e-6


def user(text: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


async def post_many(http: httpx.AsyncClient, path: str, body: dict, n: int) -> list[int]:
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await http.post(path, json=body)).status_code)

    async with trio.open_nursery() as nursery:
        for _ in range(n):
            nursery.start_soon(one)
    return statuses


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(quotas={"gemini-2.5-flash": {"rpm": 10}}, time_scale=FROZEN)]
)
async def test_rpm_refuses_the_excess_of_a_concurrent_burst(http, emulator) -> None:
    statuses = await post_many(http, f"{FLASH}:generateContent", user("hi"), 25)
    assert sorted(statuses) == [200] * 10 + [429] * 15
    stats = emulator.stats()
    assert stats["rate_limited"] == 15
    assert stats["by_model"]["gemini-2.5-flash"]["statuses"] == {"200": 10, "429": 15}
    r = await http.post(f"{FLASH}:generateContent", json=user("hi"))
    error = r.json()["error"]
    assert error["code"] == 429 and error["status"] == "RESOURCE_EXHAUSTED"
    failure, help_, retry = error["details"]
    assert failure["@type"] == "type.googleapis.com/google.rpc.QuotaFailure"
    assert failure["violations"] == [
        {
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
            "quotaValue": "10",
        }
    ]
    assert help_["@type"] == "type.googleapis.com/google.rpc.Help"
    assert retry["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    assert retry["retryDelay"].endswith("s")
    # the other models and countTokens are not limited; the next minute is a fresh window
    assert (await http.post(f"{FLASH}:countTokens", json=user("hi"))).status_code == 200
    assert (
        await http.post("/v1beta/models/gemini-2.5-pro:generateContent", json=user("hi"))
    ).status_code == 200
    emulator.advance(60)
    statuses = await post_many(http, f"{FLASH}:streamGenerateContent?alt=sse", user("hi"), 12)
    assert sorted(statuses) == [200] * 10 + [429] * 2


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(quotas={"*": {"tpm": 20}}, time_scale=FROZEN)]
)
async def test_tpm_counts_input_tokens(http, emulator) -> None:
    statuses = await post_many(http, f"{FLASH}:generateContent", user("a b c d e"), 10)
    assert sorted(statuses) == [200] * 4 + [429] * 6
    r = await http.post(f"{FLASH}:generateContent", json=user("x"))
    violation = r.json()["error"]["details"][0]["violations"][0]
    assert violation["quotaId"] == "GenerateContentInputTokensPerModelPerMinute-FreeTier"
    assert violation["quotaValue"] == "20"
    assert emulator.stats()["by_endpoint"]["generateContent"]["prompt_tokens"] == 20


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            quotas={
                "gemini-embedding-001": {"rpm": 2},
                "gemini-embedding-001:batchEmbedContents": {"rpm": 1},
                "*": {"rpd": 1000},
            },
            time_scale=FROZEN,
        )
    ],
)
async def test_batch_embed_has_its_own_quota(http) -> None:
    single = {"content": {"parts": [{"text": "x"}]}}
    batch = {"requests": [{"model": "models/gemini-embedding-001", **single}] * 3}
    assert await post_many(http, f"{EMBED}:embedContent", single, 3) != [200] * 3
    statuses = await post_many(http, f"{EMBED}:batchEmbedContents", batch, 2)
    assert sorted(statuses) == [200, 429]
    r = await http.post(f"{EMBED}:batchEmbedContents", json=batch)
    assert r.json()["error"]["details"][0]["violations"][0]["quotaMetric"] == (
        "generativelanguage.googleapis.com/batch_embed_contents_free_tier_requests"
    )


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(quotas={"*": {"rpd": 3}}, time_scale=FROZEN)]
)
async def test_rpd(http, emulator) -> None:
    # At the start of an emulated day, so that the hour below never crosses into the next one.
    emulator.advance(-emulator.emu.clock.now() % 86_400 + 1)
    assert await post_many(http, f"{FLASH}:generateContent", user("x"), 4) != [200] * 4
    emulator.advance(3600)
    r = await http.post(f"{FLASH}:generateContent", json=user("x"))
    assert r.status_code == 429
    assert "PerDay" in r.json()["error"]["details"][0]["violations"][0]["quotaId"]


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(quotas={"*": {"rpm": 3}}, time_scale=120.0)]
)
async def test_time_scale_compresses_the_window_and_the_retry_delay(http) -> None:
    for _ in range(100):  # a window lasts half a second: a 429 comes within a few requests
        r = await http.post(f"{FLASH}:generateContent", json=user("x"))
        if r.status_code == 429:
            break
    assert r.status_code == 429
    delay = r.json()["error"]["details"][2]["retryDelay"]
    assert 0 < float(delay.removesuffix("s")) <= 0.5


# -- faults ---------------------------------------------------------------------------------


async def test_error_faults(http, emulator) -> None:
    emulator.set_faults(error_503_rate=1.0)
    r = await http.post(f"{FLASH}:generateContent", json=user("x"))
    assert r.status_code == 503
    assert r.json()["error"] == {
        "code": 503,
        "status": "UNAVAILABLE",
        "message": "The model is overloaded. Please try again later.",
    }
    emulator.set_faults(error_500_rate=1.0)
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 500
    emulator.set_faults(error_429_rate=1.0)
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 429
    emulator.set_faults(None)
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 200
    assert emulator.stats()["faults"] == {"error_503": 1, "error_500": 1, "error_429": 1}
    assert emulator.stats()["rate_limited"] == 0


async def test_reset_malformed_and_hang(http, emulator) -> None:
    emulator.set_faults(reset_rate=1.0)
    with pytest.raises(httpx.TransportError):
        await http.post(f"{FLASH}:generateContent", json=user("x"))
    emulator.set_faults(malformed_rate=1.0)
    r = await http.post(f"{FLASH}:generateContent", json=user("x"))
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    emulator.set_faults(hang_rate=1.0)
    with pytest.raises(httpx.ReadTimeout):
        await http.post(f"{FLASH}:generateContent", json=user("x"), timeout=0.3)
    emulator.set_faults(None)
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 200
    assert emulator.stats()["faults"] == {"reset": 1, "malformed": 1, "hang": 1}


async def test_stream_faults(http, emulator) -> None:
    body = user(" ".join(["word"] * 20))
    path = f"{FLASH}:streamGenerateContent?alt=sse"
    emulator.set_faults(stream_error_rate=1.0)
    r = await http.post(path, json=body)
    frames = r.text.split("\r\n\r\n")
    assert frames[0].startswith('data: {"candidates"')
    assert frames[1].startswith('data: {"error":{"code":503')
    emulator.set_faults(stream_cut_rate=1.0)
    received = []
    with pytest.raises(httpx.TransportError):
        async with http.stream("POST", path, json=body) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                received.append(line)
    assert any(line.startswith("data: ") for line in received)
    emulator.set_faults(stream_cut_rate=1.0)  # unary calls never get stream-only faults
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 200


async def test_latency_and_time_to_first_byte(http, emulator) -> None:
    emulator.set_faults(latency_ms=60, ttfb_ms=60)
    start = time.perf_counter()
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 200
    assert time.perf_counter() - start >= 0.06
    start = time.perf_counter()
    await http.post(f"{FLASH}:streamGenerateContent?alt=sse", json=user("x"))
    assert time.perf_counter() - start >= 0.12


async def test_seeded_rates_are_reproducible_and_scoped(http, emulator) -> None:
    emulator.set_faults(FaultConfig(seed=7, error_503_rate=0.3, methods=("generateContent",)))
    statuses = [
        (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code for _ in range(40)
    ]
    rng = random.Random(7)
    assert statuses == [503 if rng.random() < 0.3 else 200 for _ in range(40)]
    embed = await http.post(f"{EMBED}:embedContent", json={"content": {"parts": [{"text": "x"}]}})
    assert embed.status_code == 200  # not in `methods`
    assert emulator.stats()["faults"] == {"error_503": statuses.count(503)}


async def test_control_endpoints(http, emulator) -> None:
    r = await http.post("/_emulator/faults", json={"error_503_rate": 1.0})
    assert r.json()["error_503_rate"] == 1.0
    assert (await http.post(f"{FLASH}:generateContent", json=user("x"))).status_code == 503
    await http.post("/_emulator/faults", json={})
    await http.post(f"{FLASH}:generateContent", json=user("hello"))
    stats = (await http.get("/_emulator/stats")).json()
    local = emulator.stats()
    assert {k: v for k, v in stats.items() if k != "in_flight"} == {
        k: v for k, v in local.items() if k != "in_flight"
    }
    assert stats["requests"] == 2 and stats["statuses"] == {"200": 1, "503": 1}
    assert stats["by_endpoint"]["generateContent"]["prompt_tokens"] == 1
    assert (await http.get("/_emulator/config")).json()["host"] == "127.0.0.1"
    assert (await http.post("/_emulator/reset")).status_code == 200
    assert emulator.stats()["requests"] == 0
    assert (await http.post("/_emulator/faults", json={"error_503_rate": 3})).status_code == 400
    assert (await http.get("/_emulator/nothing")).status_code == 404
