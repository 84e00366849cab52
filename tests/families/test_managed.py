"""The families google-genai 3.6 added, on genaio against the emulator: every method, async and
blocking; the experimental warning as the SDK's; bad ids refused before a request; and the
official SDK against the same emulator, for each family."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import warnings

import pytest

import genaio
from genaio import types
from genaio.errors import ClientError, NotFoundError

MODEL = "gemini-2.5-flash"


def client(emulator):
    options = {"base_url": emulator.base_url, "retry_options": {"attempts": 1}}
    return genaio.Client(api_key="test-key", http_options=options)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the experimental families' warning
        yield


async def test_webhooks_lifecycle_with_ping_and_secret_rotation(genaio_emulator):
    aio = client(genaio_emulator).aio
    hook = await aio.webhooks.create(
        subscribed_events=["batch.succeeded", "batch.failed"], uri="https://h/x", name="jobs"
    )
    assert isinstance(hook, types.Webhook) and hook.state == "enabled"
    assert hook.new_signing_secret and hook.signing_secrets
    again = await aio.webhooks.get(hook.id)
    assert again.new_signing_secret is None  # the secret is shown once
    assert isinstance(await aio.webhooks.ping(hook.id), types.WebhookPingResponse)
    rotated = await aio.webhooks.rotate_signing_secret(hook.id)
    assert rotated.secret and rotated.secret != hook.new_signing_secret
    kept = await aio.webhooks.get(hook.id)
    assert len(kept.signing_secrets or []) == 2  # the old one expires in a day
    assert kept.signing_secrets[1].expire_time is not None
    await aio.webhooks.rotate_signing_secret(
        hook.id, revocation_behavior="revoke_previous_secrets_immediately"
    )
    assert len((await aio.webhooks.get(hook.id)).signing_secrets or []) == 1
    updated = await aio.webhooks.update(hook.id, update_mask="state", state="disabled")
    assert updated.state == "disabled"
    with pytest.raises(ClientError):
        await aio.webhooks.ping(hook.id)  # a disabled webhook is not pinged
    page = await aio.webhooks.list(page_size=10)
    assert [w.id for w in page.webhooks or []] == [hook.id]
    assert isinstance(await aio.webhooks.delete(hook.id), types.Empty)
    with pytest.raises(NotFoundError):
        await aio.webhooks.get(hook.id)


async def test_triggers_run_and_list_executions(genaio_emulator):
    aio = client(genaio_emulator).aio
    trigger = await aio.triggers.create(
        interaction={"agent": "deep-research-pro-preview-12-2025", "input": "news"},
        schedule="0 9 * * *",
        time_zone="UTC",
    )
    assert trigger.status == "active"
    first = await aio.triggers.run(trigger.id)
    second = await aio.triggers.run(trigger.id)
    assert isinstance(first, types.TriggerExecution) and first.trigger_id == trigger.id
    runs = await aio.triggers.list_executions(trigger.id, page_size=1)
    assert [r.id for r in runs.trigger_executions or []] == [second.id]  # newest first
    rest = await aio.triggers.list_executions(trigger.id, page_token=runs.next_page_token)
    assert [r.id for r in rest.trigger_executions or []] == [first.id]
    paused = await aio.triggers.update(trigger.id, status="paused")
    assert paused.status == "paused" and paused.last_pause_time is not None
    assert (await aio.triggers.get(trigger.id)).last_run_time is not None
    assert [t.id for t in (await aio.triggers.list()).triggers or []] == [trigger.id]
    await aio.triggers.delete(trigger.id)
    with pytest.raises(NotFoundError):
        await aio.triggers.run(trigger.id)


async def test_agents_credentials_environments_voices(genaio_emulator):
    aio = client(genaio_emulator).aio
    agent = await aio.agents.create(id="helper", description="answers", tools=[{"type": "x"}])
    assert agent.id == "helper" and agent.tools == [{"type": "x"}]
    assert (await aio.agents.get("helper")).description == "answers"
    assert [a.id for a in (await aio.agents.list()).agents or []] == ["helper"]
    await aio.agents.delete("helper")

    credential = await aio.credentials.create(type="bearer_token", id="tok", token="s3cret")
    assert credential.status == "active" and "s3cret" not in credential.model_dump_json()
    await aio.credentials.update("tok", update_mask="token", type="bearer_token", token="new")
    with pytest.raises(TypeError, match="not both"):
        await aio.credentials.create(request={"type": "oauth2"}, id="x")
    assert [c.id for c in (await aio.credentials.list()).credentials or []] == ["tok"]
    await aio.credentials.delete("tok")

    env = await aio.environments.create_environment(mode="self_hosted")
    assert isinstance(env, types.ManagedEnvironment) and env.mode == "self_hosted"
    assert (await aio.environments.list(mode="on_demand")).environments == []
    assert (await aio.environments.get(env.id)).id == env.id
    await aio.environments.delete(env.id)

    voice = await aio.voices.create(
        voice={"type": "prompted", "prompted": {"input": "warm"}}, store=True
    )
    assert voice.key == f"voices/{voice.id}"
    assert [v.id for v in (await aio.voices.list(type_=["prompted"])).voices or []] == [voice.id]
    assert isinstance(await aio.voices.delete(voice.id), types.DeleteVoiceResponse)


async def test_decisions_answer_each_question(genaio_emulator):
    aio = client(genaio_emulator).aio
    decision = await aio.decisions.create(
        input="It was long but moving.",
        model=MODEL,
        questions={
            "tone": {"type": "choice", "criteria": {"pos": "+", "neg": "-"}, "instructions": "?"},
            "stars": {"type": "score", "criteria": ["1", "2", "3"], "instructions": "rate"},
            "spoiler": {"type": "noul", "instructions": "spoils the end?"},
        },
    )
    answers = decision.answers or {}
    assert answers["tone"].choice == "pos"
    assert answers["stars"].score == 2.0
    assert answers["spoiler"].noul == 0.5
    with pytest.raises(NotFoundError):
        await aio.decisions.create(input="x", model="no-such-model", questions={"q": {}})


@pytest.mark.parametrize("bad", ["", "a/b", "a?b"])
async def test_an_id_that_is_not_one_path_segment_is_refused(bad):
    aio = genaio.Client(api_key="k", http_options={"base_url": "http://127.0.0.1:9"}).aio
    with pytest.raises(ValueError, match="invalid"):
        await aio.webhooks.get(bad)
    with pytest.raises(ValueError, match="invalid"):
        await aio.triggers.run(bad)


def test_the_blocking_surface_serves_every_new_family(genaio_emulator):
    with client(genaio_emulator) as sync:
        hook = sync.webhooks.create(subscribed_events=["batch.failed"], uri="https://h")
        assert sync.webhooks.ping(hook.id) is not None
        assert sync.agents.create(id="a1").id == "a1"
        trigger = sync.triggers.create(
            interaction={"agent": "a", "input": "x"}, schedule="* * * * *", time_zone="UTC"
        )
        assert sync.triggers.run(trigger.id).trigger_id == trigger.id
        assert sync.environments.list().environments == []
        assert sync.credentials.list().credentials == []
        assert sync.voices.list().voices == []
        assert sync.decisions.create(
            input="x", model=MODEL, questions={"q": {"type": "noul", "instructions": "?"}}
        ).answers


def test_the_experimental_families_warn_once_per_process_as_the_sdk():
    """In a fresh interpreter: the four experimental families warn (UserWarning) on first use,
    once for every client of the process; decisions, voices and webhooks do not."""
    script = """
import warnings
import genaio
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as seen:
    for _ in range(2):
        aio = genaio.Client(api_key="k").aio
        for name in ("agents", "credentials", "decisions", "environments", "triggers",
                     "voices", "webhooks"):
            getattr(aio, name)
            getattr(aio, name)
print(sorted(str(w.message).split()[0] for w in seen if w.category is UserWarning))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    expected = ["client.agents", "client.credentials", "client.environments", "client.triggers"]
    assert out.stdout.strip() == str(expected)


def test_the_official_sdk_runs_each_new_family_against_the_emulator(genaio_emulator):
    from google import genai

    async def run() -> None:
        sdk = genai.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})
        aio = sdk.aio
        hook = await aio.webhooks.create(subscribed_events=["batch.succeeded"], uri="https://h")
        assert (await aio.webhooks.rotate_signing_secret(hook.id)).secret
        await aio.webhooks.ping(hook.id)
        assert (await aio.webhooks.list()).webhooks[0].id == hook.id
        trigger = await aio.triggers.create(
            interaction={"agent": "a", "input": "x"}, schedule="* * * * *", time_zone="UTC"
        )
        run = await aio.triggers.run(trigger.id)
        executions = await aio.triggers.list_executions(trigger.id)
        assert executions.trigger_executions[0].id == run.id
        assert (await aio.agents.create(id="a1")).id == "a1"
        assert (await aio.agents.list()).agents[0].id == "a1"
        cred = await aio.credentials.create(type="bearer_token", id="c1", token="t")
        assert cred.status == "active"
        env = await aio.environments.create(mode="on_demand")
        assert (await aio.environments.get(env.id)).status == "active"
        voice = await aio.voices.create(voice={"type": "prompted", "prompted": {"input": "w"}})
        assert voice.type == "prompted"
        decision = await aio.decisions.create(
            input="x", model=MODEL, questions={"q": {"type": "noul", "instructions": "?"}}
        )
        assert decision.answers["q"].noul == 0.5
        await aio.webhooks.delete(hook.id)
        await aio.triggers.delete(trigger.id)

    asyncio.run(run())
