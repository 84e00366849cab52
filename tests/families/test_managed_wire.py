"""The families google-genai 3.6 added send what the official SDK's do: the same method, path,
query and JSON body for the same call, with the emulator's real answers on both sides."""

from __future__ import annotations

import warnings

import pytest

from tests.families.test_models_more_wire import record_both, vertex


async def _webhooks(aio):
    hook = await aio.webhooks.create(subscribed_events=["batch.succeeded"], uri="https://h/x")
    await aio.webhooks.list(page_size=1)
    await aio.webhooks.get(hook.id)
    await aio.webhooks.update(hook.id, update_mask="uri,state", uri="https://h/y", state="disabled")
    await aio.webhooks.update(hook.id, update_mask="state", state="enabled")
    await aio.webhooks.ping(hook.id)
    await aio.webhooks.ping(hook.id, body={})
    await aio.webhooks.rotate_signing_secret(hook.id)
    await aio.webhooks.rotate_signing_secret(
        hook.id, revocation_behavior="revoke_previous_secrets_immediately"
    )
    await aio.webhooks.delete(hook.id)


async def _triggers(aio):
    trigger = await aio.triggers.create(
        interaction={"agent": "deep-research-pro-preview-12-2025", "input": "news"},
        schedule="0 9 * * *",
        time_zone="Europe/Paris",
        display_name="daily",
        max_consecutive_failures=3,
    )
    await aio.triggers.run(trigger.id)
    await aio.triggers.list_executions(trigger.id, page_size=5)
    await aio.triggers.update(trigger.id, status="paused")
    await aio.triggers.list(filter_="status=paused", page_size=2)
    await aio.triggers.get(trigger.id)
    await aio.triggers.delete(trigger.id)


async def _agents(aio):
    await aio.agents.create(
        id="helper",
        description="answers",
        system_instruction="be brief",
        tools=[{"type": "google_search"}],
    )
    await aio.agents.list(page_size=3)
    await aio.agents.get("helper")
    await aio.agents.delete("helper")


async def _credentials(aio):
    await aio.credentials.create(type="bearer_token", id="tok", token="secret")
    await aio.credentials.update("tok", update_mask="token", type="bearer_token", token="new")
    await aio.credentials.list(page_size=4)
    await aio.credentials.get("tok")
    await aio.credentials.delete("tok")


async def _environments(aio):
    env = await aio.environments.create(mode="on_demand", system_instruction="a sandbox")
    await aio.environments.list(mode="on_demand", page_size=2)
    await aio.environments.get(env.id)
    await aio.environments.get_environment(env.id)
    await aio.environments.list_environments()
    await aio.environments.delete_environment(env.id)


async def _voices(aio):
    voice = await aio.voices.create(
        voice={"type": "prompted", "prompted": {"input": "a warm voice"}}, store=True
    )
    await aio.voices.list(accent=["british", "irish"], search="warm", type_=["prompted"])
    await aio.voices.get(voice.id)
    await aio.voices.delete(voice.id)


async def _decisions(aio):
    await aio.decisions.create(
        input="The film was long but moving.",
        model="gemini-2.5-flash",
        questions={
            "tone": {"type": "choice", "criteria": {"pos": "+", "neg": "-"}, "instructions": "?"},
            "stars": {"type": "score", "criteria": ["1", "2", "3"], "instructions": "rate"},
            "spoiler": {"type": "noul", "instructions": "does it spoil the end?"},
        },
    )


async def _overrides(aio):
    await aio.webhooks.list(
        api_version="v1alpha", extra_query={"x": "1"}, extra_headers={"X-Trace": "t"}, timeout=30
    )
    await aio.webhooks.create(subscribed_events=["video.generated"], uri="u", extra_body={"k": 1})


CALLS = {
    "agents": _agents,
    "credentials": _credentials,
    "decisions": _decisions,
    "environments": _environments,
    "triggers": _triggers,
    "voices": _voices,
    "webhooks": _webhooks,
    "overrides": _overrides,
}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the experimental families' warning
        yield


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_request_as_the_official_sdk(name, genaio_emulator):
    ours, theirs = record_both(genaio_emulator, CALLS[name])
    assert ours, "nothing was recorded"
    assert ours == theirs


def test_same_request_on_vertex(genaio_emulator):
    async def get(aio):
        try:
            await aio.webhooks.get("w1")
        except Exception:  # the request is what is compared, not the emulator's answer
            pass

    ours, theirs = record_both(genaio_emulator, get, **vertex())
    assert ours[0].path == "/v1beta1/projects/p/locations/us-central1/webhooks/w1"
    assert ours == theirs
