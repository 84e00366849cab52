"""`client.aio.auth_tokens.create` against the emulator, its Vertex AI refusal, and the official
SDK's wire requests for each way of locking fields."""

from __future__ import annotations

import asyncio
import datetime

import google.oauth2.credentials
import pytest

import genaio
from genaio.errors import InvalidArgumentError, UnauthenticatedError
from tests.recording import record_genaio, record_sdk

CONSTRAINTS = {
    "model": "gemini-2.0-flash-live-001",
    "config": {
        "temperature": 0.5,
        "response_modalities": ["TEXT"],
        "system_instruction": "be nice",
        "session_resumption": {},
    },
}


def client(emulator):
    options = {"base_url": emulator.base_url, "api_version": "v1alpha"}
    return genaio.Client(api_key="test-key", http_options=options)


async def test_create_a_token_that_rest_calls_refuse(genaio_emulator):
    async with client(genaio_emulator).aio as aio:
        token = await aio.auth_tokens.create(
            config={"uses": 1, "live_connect_constraints": CONSTRAINTS}
        )
        assert token.name.startswith("auth_tokens/")
        assert (await aio.auth_tokens.create()).name != token.name
        too_late = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
        with pytest.raises(InvalidArgumentError):
            await aio.auth_tokens.create(config={"expire_time": too_late})
    ephemeral = genaio.Client(
        api_key=token.name, http_options={"base_url": genaio_emulator.base_url}
    )
    with pytest.raises(UnauthenticatedError):
        await ephemeral.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
    await ephemeral.aio.aclose()


async def test_vertex_has_no_auth_tokens():
    vertex = genaio.Client(
        vertexai=True,
        project="p",
        location="us-central1",
        credentials=google.oauth2.credentials.Credentials("tok"),
    )
    with pytest.raises(ValueError, match="Gemini API"):
        await vertex.aio.auth_tokens.create()


LOCKS = {
    "no_config": None,
    "times": {
        "uses": 2,
        "expire_time": datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        + datetime.timedelta(hours=1),
        "new_session_expire_time": "2030-01-01T00:01:00Z",
    },
    "lock_all": {"live_connect_constraints": CONSTRAINTS},
    "lock_set": {"live_connect_constraints": CONSTRAINTS, "lock_additional_fields": []},
    "lock_more": {
        "live_connect_constraints": CONSTRAINTS,
        "lock_additional_fields": ["top_k", "output_audio_transcription"],
    },
    "lock_named": {"lock_additional_fields": ["temperature"]},
}


@pytest.mark.filterwarnings("ignore:.*experimental")
@pytest.mark.parametrize("name", sorted(LOCKS))
def test_same_request_as_the_official_sdk(genaio_emulator, name):
    async def create(aio):
        await aio.auth_tokens.create(config=LOCKS[name])

    ours = asyncio.run(record_genaio(genaio_emulator.base_url, create))
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, create))
    assert len(ours) == 1
    assert ours == theirs
