"""Vertex AI tuning and evaluation types: a job's specs, statistics and evaluation runs read
typed from the server's JSON, and the typed options of `tunings.tune` sent in camelCase."""

from __future__ import annotations

import google.oauth2.credentials

import genaio
from genaio import types

VERTEX = {
    "vertexai": True,
    "project": "p",
    "location": "us-central1",
    "credentials": google.oauth2.credentials.Credentials("tok"),
}


def test_a_job_reads_its_specs_stats_and_evaluation_runs() -> None:
    job = types.TuningJob.from_wire(
        {
            "name": "projects/p/locations/l/tuningJobs/1",
            "veoLoraTuningSpec": {
                "videoOrientation": "PORTRAIT",
                "hyperParameters": {"tuningTask": "TUNING_TASK_I2V", "tuningSpeed": "FAST"},
            },
            "tuningDataStats": {
                "supervisedTuningDataStats": {
                    "userInputTokenDistribution": {
                        "billableSum": "12",
                        "buckets": [{"count": 2.0, "left": 0, "right": 8}],
                    }
                }
            },
            "evaluateDatasetRuns": [
                {
                    "checkpointId": "3",
                    "evaluateDatasetResponse": {
                        "aggregationOutput": {
                            "aggregationResults": [
                                {
                                    "aggregationMetric": "AVERAGE",
                                    "pairwiseMetricResult": {"pairwiseChoice": "CANDIDATE"},
                                }
                            ]
                        }
                    },
                    "error": {"code": 3, "message": "bad row", "details": []},
                }
            ],
        }
    )
    assert job.veo_lora_tuning_spec is not None
    assert job.veo_lora_tuning_spec.video_orientation is types.VideoOrientation.PORTRAIT
    stats = job.tuning_data_stats
    assert stats is not None and stats.supervised_tuning_data_stats is not None
    distribution = stats.supervised_tuning_data_stats.user_input_token_distribution
    assert distribution is not None and distribution.billable_sum == 12
    run = (job.evaluate_dataset_runs or [])[0]
    assert run.error is not None and run.error.message == "bad row"
    result = run.evaluate_dataset_response.aggregation_output.aggregation_results[0]
    assert result.pairwise_metric_result.pairwise_choice is types.PairwiseChoice.CANDIDATE


def test_the_tune_options_are_typed_and_written_in_camel_case() -> None:
    config = types.CreateTuningJobConfig(
        method="REINFORCEMENT_TUNING",
        thinking_level="HIGH",
        reward_config=types.SingleReinforcementTuningRewardConfig(
            string_match_reward_scorer=types.ReinforcementTuningStringMatchRewardScorer(
                json_match_expression={
                    "key_name": "answer",
                    "value_string_match_expression": {"match_operation": "REGEX_CONTAINS"},
                }
            )
        ),
        evaluation_config={
            "metrics": [
                {"llm_based_metric_spec": {"rubric_generation_spec": {"prompt_template": "t"}}},
                types.Metric(name="mine", custom_function=len),
            ]
        },
    )
    assert config.thinking_level is types.ReinforcementTuningThinkingLevel.HIGH
    wire = config.to_wire()
    assert wire["rewardConfig"] == {
        "stringMatchRewardScorer": {
            "jsonMatchExpression": {
                "keyName": "answer",
                "valueStringMatchExpression": {"matchOperation": "REGEX_CONTAINS"},
            }
        }
    }
    # A client-side metric's functions run in the caller's process: never sent.
    assert wire["evaluationConfig"]["metrics"] == [
        {"llmBasedMetricSpec": {"rubricGenerationSpec": {"promptTemplate": "t"}}},
        {"name": "mine"},
    ]


async def test_a_reinforcement_tuning_job_round_trips_typed(genaio_emulator):
    options = {"base_url": genaio_emulator.base_url, "retry_options": {"attempts": 1}}
    async with genaio.Client(http_options=options, **VERTEX).aio as aio:
        job = await aio.tunings.tune(
            base_model="gemini-2.5-flash",
            training_dataset={"gcs_uri": "gs://b/prompts.jsonl"},
            config={
                "method": "REINFORCEMENT_TUNING",
                "samples_per_prompt": 4,
                "reward_config": {
                    "reward_name": "judge",
                    "autorater_scorer": {"autorater_config": {"sampling_count": 3}},
                },
                "encryption_spec": {"kms_key_name": "projects/p/keys/k"},
            },
        )
    spec = job.reinforcement_tuning_spec
    assert spec is not None and spec.single_reward_config is not None
    assert spec.training_dataset_uri == "gs://b/prompts.jsonl"
    assert spec.hyper_parameters is not None and spec.hyper_parameters.samples_per_prompt == 4
    scorer = spec.single_reward_config.autorater_scorer
    assert scorer is not None and scorer.autorater_config is not None
    assert scorer.autorater_config.sampling_count == 3
    assert job.encryption_spec == types.EncryptionSpec(kms_key_name="projects/p/keys/k")


def test_a_client_side_metric_needs_a_name_kept_lowercase_and_writes_yaml(tmp_path):
    import pytest
    import yaml

    with pytest.raises(ValueError, match="needs a name"):
        types.Metric(prompt_template="t")
    metric = types.Metric(name="Fluency", prompt_template="Rate {response}", custom_function=len)
    assert metric.name == "fluency"
    path = tmp_path / "fluency.yaml"
    metric.to_yaml_file(str(path), version="v2")
    assert yaml.safe_load(path.read_text()) == {
        "name": "fluency",
        "prompt_template": "Rate {response}",
        "version": "v2",
    }
