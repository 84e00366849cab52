"""Faults a test can aim: a 429's retry delay, a stream cut after a chosen event, quotas set
on the shared server of the pytest plugin (and gone in the next test)."""

from __future__ import annotations

import httpx
import pytest

genai = pytest.importorskip("google.genai")
from google.genai import errors  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

BODY = {"contents": [{"parts": [{"text": "one two three four five six seven eight nine"}]}]}


def _generate(emulator) -> httpx.Response:
    url = f"{emulator.base_url}/v1beta/models/gemini-2.5-flash:generateContent"
    return httpx.post(url, json=BODY, headers={"x-goog-api-key": "k"})


def test_the_429_retry_delay_can_be_chosen(genaio_emulator):
    genaio_emulator.set_faults(error_429_rate=1.0, error_429_retry_delay=7.5)
    refused = _generate(genaio_emulator)
    assert refused.status_code == 429
    assert refused.json()["error"]["details"][0]["retryDelay"] == "7.500s"


def test_a_stream_is_cut_after_the_chosen_event(genaio_emulator, genai_client):
    genaio_emulator.set_faults(stream_cut_rate=1.0, stream_cut_after=1)
    received = []
    with pytest.raises(Exception) as raised:
        for chunk in genai_client.models.generate_content_stream(
            model="gemini-2.5-flash", contents=BODY["contents"][0]["parts"][0]["text"]
        ):
            received.append(chunk.text)
    assert received == ["You said: one two "]
    assert not isinstance(raised.value, errors.APIError)


def test_quotas_on_the_shared_server(genaio_emulator, genai_client):
    genaio_emulator.set_quotas({"gemini-2.5-flash": {"rpm": 2}})
    assert _generate(genaio_emulator).status_code == 200
    assert _generate(genaio_emulator).status_code == 200
    assert _generate(genaio_emulator).status_code == 429
    assert genaio_emulator.stats()["rate_limited"] == 1
    assert httpx.get(f"{genaio_emulator.base_url}/_emulator/quotas").json() == {
        "gemini-2.5-flash": {"rpm": 2, "tpm": None, "rpd": None}
    }


def test_the_next_test_has_no_quota_left_over(genaio_emulator):
    assert all(_generate(genaio_emulator).status_code == 200 for _ in range(3))
