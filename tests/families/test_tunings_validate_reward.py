"""`tunings.validate_reward` (Vertex AI): the emulator computes string and JSON match rewards
and their weighted sums, input is checked before the wire, and the request is the official
SDK's."""

from __future__ import annotations

import asyncio
import re

import attrs
import pytest

import genaio
from genaio import types
from tests.families.test_tunings import VERTEX, client
from tests.recording import record_genaio, record_sdk

PARENT = "projects/p/locations/us-central1"
EXAMPLE = {
    "contents": [{"role": "user", "parts": [{"text": "What is 2+2? Answer as JSON."}]}],
    "references": {"answer": "4"},
}
ANSWER = {"role": "model", "parts": [{"text": 'Thinking... {"result": "4"}'}]}
EXACT = {
    "reward_name": "exact",
    "parse_response_config": {
        "parse_type": "REGEX_EXTRACT",
        "regex_extract_expression": r"(\{.*\})",
    },
    "string_match_reward_scorer": {
        "correct_answer_reward": 1.0,
        "wrong_answer_reward": -1.0,
        "json_match_expression": {
            "key_name": "result",
            "value_string_match_expression": {
                "match_operation": "EXACT_MATCH",
                "expression": "{answer}",
            },
        },
    },
}
CONTAINS = {
    "reward_name": "mentions_five",
    "string_match_reward_scorer": {
        "string_match_expression": {"match_operation": "PARTIAL_MATCH", "expression": "5"}
    },
}
JUDGE = {"reward_name": "judge", "autorater_scorer": {"autorater_prompt": "Is it right?"}}


@pytest.fixture
def vertex(genaio_emulator):
    return client(genaio_emulator, **VERTEX)


async def test_a_json_match_reward_against_the_references(vertex):
    async with vertex.aio as aio:
        right = await aio.tunings.validate_reward(
            parent=PARENT, sample_response=ANSWER, example=EXAMPLE, single_reward_config=EXACT
        )
        wrong = await aio.tunings.validate_reward(
            parent=PARENT,
            sample_response=types.Content(role="model", parts=[types.Part(text='{"result": 5}')]),
            example=types.ReinforcementTuningExample(**EXAMPLE),
            single_reward_config=types.SingleReinforcementTuningRewardConfig(**EXACT),
        )
    assert isinstance(right, types.ValidateRewardResponse)
    assert right.overall_reward == 1.0 and right.error is None
    assert right.reward_info_details["exact"].reward == 1.0
    assert right.sdk_http_response.headers["content-type"].startswith("application/json")
    assert wrong.overall_reward == -1.0


async def test_a_composite_reward_is_the_weighted_sum(vertex):
    composite = {
        "weighted_reward_configs": [
            {"reward_config": EXACT, "weight": 0.75},
            {"reward_config": CONTAINS, "weight": 0.25},
            {"reward_config": JUDGE, "weight": 1.0},
        ]
    }
    async with vertex.aio as aio:
        answer = await aio.tunings.validate_reward(
            parent=PARENT,
            sample_response=ANSWER,
            example=EXAMPLE,
            composite_reward_config=composite,
        )
    details = answer.reward_info_details
    assert details["exact"].reward == 1.0 and details["mentions_five"].reward == 0.0
    assert answer.overall_reward == 0.75
    # The emulator runs no judge model: that reward says so, and the answer's error too.
    assert details["judge"].reward is None and details["judge"].error_status.code == 12
    assert "judge" in answer.error


async def test_bad_input_is_refused_before_the_wire(vertex, genaio_emulator):
    async with vertex.aio as aio:
        for bad in (
            {"single_reward_config": EXACT, "composite_reward_config": {}},  # both
            {},  # neither
            {"single_reward_config": EXACT, "parent": "projects/p/../../x"},
            {"single_reward_config": EXACT, "parent": "tuningJobs"},
        ):
            arguments = {"parent": PARENT, "sample_response": ANSWER, "example": EXAMPLE, **bad}
            with pytest.raises(ValueError):
                await aio.tunings.validate_reward(**arguments)
    gemini = genaio.Client(api_key="test-key", http_options={"base_url": genaio_emulator.base_url})
    with pytest.raises(ValueError, match="Vertex AI"):
        await gemini.aio.tunings.validate_reward(
            parent=PARENT, sample_response=ANSWER, example=EXAMPLE, single_reward_config=EXACT
        )


def _calls(answers: list):
    async def calls(aio):
        answers.append(
            await aio.tunings.validate_reward(
                parent=PARENT, sample_response=ANSWER, example=EXAMPLE, single_reward_config=EXACT
            )
        )
        answers.append(
            await aio.tunings.validate_reward(
                parent=PARENT,
                sample_response=ANSWER,
                example=EXAMPLE,
                composite_reward_config={"weighted_reward_configs": [{"reward_config": CONTAINS}]},
                config={"http_options": {"headers": {"x-test": "1"}}},
            )
        )

    return calls


def camel(value):
    """Proto-JSON keys in one spelling: the API reads `snake_case` and `lowerCamelCase` alike."""
    if isinstance(value, dict):
        return {re.sub(r"_(\w)", lambda m: m[1].upper(), k): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def test_the_requests_are_the_official_sdks(genaio_emulator):
    our_answers, their_answers = [], []
    ours = asyncio.run(record_genaio(genaio_emulator.base_url, _calls(our_answers), **VERTEX))
    theirs = asyncio.run(record_sdk(genaio_emulator.base_url, _calls(their_answers), **VERTEX))
    assert len(ours) == 2
    # The SDK sends the reward scorers' fields as the user spelled them (snake_case here);
    # genaio sends camelCase throughout. Otherwise the requests are the same.
    assert [attrs.evolve(r, body=camel(r.body)) for r in theirs] == ours
    assert ours[0].path.endswith(f"/{PARENT}/tuningJobs:validateReinforcementTuningReward")
    # And the emulator, reading both spellings, answers both alike.
    assert [a.overall_reward for a in their_answers] == [1.0, 0.0]
    dump = [a.model_dump(exclude={"sdk_http_response"}, exclude_none=True) for a in our_answers]
    assert dump == [
        a.model_dump(exclude={"sdk_http_response"}, exclude_none=True) for a in their_answers
    ]
