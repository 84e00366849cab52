"""Answers as the server writes them (camelCase JSON) read into typed fields, and written back
unchanged: grounding, logprobs, usage, speech and Live's transcriptions."""

from __future__ import annotations

from genaio import types

GROUNDED = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Spain won Euro 2024."}]},
            "finishReason": "STOP",
            "continuationToken": "Y29udGludWU=",
            "groundingMetadata": {
                "webSearchQueries": ["who won euro 2024"],
                "imageSearchQueries": ["euro 2024 trophy"],
                "retrievalQueries": ["euro 2024 final"],
                "searchEntryPoint": {"renderedContent": "<div>chips</div>", "sdkBlob": "YmxvYg=="},
                "groundingChunks": [
                    {
                        "web": {
                            "uri": "https://example.com/a",
                            "title": "a",
                            "domain": "example.com",
                        }
                    },
                    {
                        "image": {
                            "sourceUri": "https://example.com/p",
                            "imageUri": "https://example.com/i.png",
                            "title": "trophy",
                            "domain": "example.com",
                        }
                    },
                    {
                        "maps": {
                            "uri": "https://maps.example/x",
                            "title": "Stadium",
                            "placeId": "places/1",
                            "text": "a stadium",
                            "route": {
                                "distanceMeters": 1200,
                                "duration": "900s",
                                "encodedPolyline": "abc",
                            },
                            "placeAnswerSources": {
                                "flagContentUri": "https://maps.example/flag",
                                "reviewSnippets": [
                                    {
                                        "review": "great",
                                        "reviewId": "r1",
                                        "title": "t",
                                        "googleMapsUri": "https://maps.example/r1",
                                        "relativePublishTimeDescription": "a week ago",
                                        "authorAttribution": {
                                            "displayName": "Ana",
                                            "uri": "u",
                                            "photoUri": "p",
                                        },
                                    }
                                ],
                            },
                        }
                    },
                    {
                        "retrievedContext": {
                            "uri": "gs://b/doc.pdf",
                            "title": "doc",
                            "text": "the final",
                            "fileSearchStore": "fileSearchStores/s",
                            "pageNumber": 3,
                            "ragChunk": {"text": "x", "pageSpan": {"firstPage": 3, "lastPage": 4}},
                            "customMetadata": [
                                {"key": "year", "numericValue": 2024},
                                {"key": "tags", "stringListValue": {"values": ["a", "b"]}},
                            ],
                        }
                    },
                ],
                "groundingSupports": [
                    {
                        "segment": {
                            "partIndex": 0,
                            "startIndex": 0,
                            "endIndex": 20,
                            "text": "Spain won Euro 2024.",
                        },
                        "groundingChunkIndices": [0, 3],
                        "confidenceScores": [0.9, 0.7],
                    }
                ],
                "retrievalMetadata": {"googleSearchDynamicRetrievalScore": 0.8},
                "googleMapsWidgetContextToken": "widget",
                "sourceFlaggingUris": [{"sourceId": "s1", "flagContentUri": "https://f"}],
            },
            "urlContextMetadata": {
                "urlMetadata": [
                    {
                        "retrievedUrl": "https://example.com/a",
                        "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
                    }
                ]
            },
            "logprobsResult": {
                "chosenCandidates": [{"token": "Spain", "tokenId": 7, "logProbability": -0.1}],
                "topCandidates": [
                    {
                        "candidates": [
                            {"token": "Spain", "logProbability": -0.1},
                            {"token": "Italy", "logProbability": -2.5},
                        ]
                    }
                ],
                "logProbabilitySum": -0.1,
            },
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 10,
        "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 4}],
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
    },
    "modelStatus": {
        "modelStage": "STABLE",
        "retirementTime": "2027-01-01T00:00:00Z",
        "message": "ok",
    },
}


def test_a_grounded_answer_reads_into_typed_fields():
    response = types.GenerateContentResponse.from_wire(GROUNDED)
    candidate = response.candidates[0]
    metadata = candidate.grounding_metadata
    assert candidate.continuation_token == b"continue"
    assert metadata.web_search_queries == ["who won euro 2024"]
    assert metadata.search_entry_point.sdk_blob == b"blob"
    web, image, maps, context = metadata.grounding_chunks
    assert isinstance(web.web, types.GroundingChunkWeb) and web.web.domain == "example.com"
    assert image.image.image_uri.endswith("i.png")
    assert maps.maps.route.distance_meters == 1200
    snippet = maps.maps.place_answer_sources.review_snippets[0]
    assert snippet.author_attribution.display_name == "Ana"
    assert context.retrieved_context.rag_chunk.page_span.last_page == 4
    assert context.retrieved_context.custom_metadata[1].string_list_value.values == ["a", "b"]
    support = metadata.grounding_supports[0]
    assert support.segment.end_index == 20 and support.grounding_chunk_indices == [0, 3]
    assert metadata.retrieval_metadata.google_search_dynamic_retrieval_score == 0.8
    assert metadata.source_flagging_uris[0].source_id == "s1"
    assert not metadata.model_extra, "every field typed, none left as a raw extra"
    status = candidate.url_context_metadata.url_metadata[0].url_retrieval_status
    assert status is types.UrlRetrievalStatus.URL_RETRIEVAL_STATUS_SUCCESS
    logprobs = candidate.logprobs_result
    assert logprobs.top_candidates[0].candidates[1].token == "Italy"
    assert logprobs.chosen_candidates[0].token_id == 7
    usage = response.usage_metadata
    assert usage.cache_tokens_details[0].token_count == 4
    assert response.model_status.model_stage is types.ModelStage.STABLE


def test_a_grounded_answer_is_written_back_as_it_came():
    assert types.GenerateContentResponse.from_wire(GROUNDED).to_wire() == GROUNDED


def test_new_finish_reasons_and_thinking_levels_are_members():
    candidate = types.Candidate.from_wire({"finishReason": "MODEL_ARMOR"})
    assert candidate.finish_reason is types.FinishReason.MODEL_ARMOR
    assert types.ThinkingConfig(thinking_level="XHIGH").thinking_level is types.ThinkingLevel.XHIGH


SPEECH = {
    "multiSpeakerVoiceConfig": {
        "speakerVoiceConfigs": [
            {"speaker": "Joe", "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
            {
                "speaker": "Jane",
                "voiceConfig": {
                    "replicatedVoiceConfig": {
                        "mimeType": "audio/wav",
                        "voiceSampleAudio": "UklGRg==",
                        "voiceConsentSignature": {"signature": "sig"},
                    }
                },
            },
        ]
    },
    "languageCode": "en-US",
}


def test_speech_configs_are_typed_both_ways():
    config = types.SpeechConfig.model_validate(SPEECH)
    joe, jane = config.multi_speaker_voice_config.speaker_voice_configs
    assert isinstance(joe.voice_config, types.VoiceConfig)
    assert joe.voice_config.prebuilt_voice_config.voice_name == "Kore"
    assert jane.voice_config.replicated_voice_config.voice_sample_audio == b"RIFF"
    assert config.to_wire() == SPEECH


def test_a_speech_config_built_from_the_sdks_names():
    config = types.GenerateContentConfig(
        speech_config=types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Puck")
            )
        )
    )
    assert config.to_wire()["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}
    }


LIVE = {
    "serverContent": {
        "inputTranscription": {
            "text": "hello there",
            "finished": True,
            "languageCode": "en-US",
            "speakerLabel": "A",
            "startOffset": "0s",
            "endOffset": "1.2s",
            "words": [
                {"word": "hello", "startOffset": "0s", "endOffset": "0.5s"},
                {"word": "there", "startOffset": "0.6s", "endOffset": "1.2s"},
            ],
        },
        "interimInputTranscription": {"text": "hel"},
        "turnCompleteReason": "GENERATED_AUDIO_SAFETY",
    },
    "usageMetadata": {
        "promptTokenCount": 3,
        "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 2}],
        "toolUsePromptTokensDetails": [{"modality": "TEXT", "tokenCount": 1}],
        "serviceTier": "priority",
    },
}


def test_live_transcriptions_and_usage_are_typed_both_ways():
    message = types.LiveServerMessage.from_wire(LIVE)
    heard = message.server_content.input_transcription
    assert heard.words[1].word == "there" and heard.end_offset == "1.2s"
    assert heard.language_code == "en-US" and heard.speaker_label == "A"
    assert message.server_content.interim_input_transcription.text == "hel"
    reason = message.server_content.turn_complete_reason
    assert reason is types.TurnCompleteReason.GENERATED_AUDIO_SAFETY
    assert message.usage_metadata.cache_tokens_details[0].token_count == 2
    assert message.usage_metadata.service_tier is types.ServiceTier.PRIORITY
    assert message.to_wire() == LIVE


INTERACTION = {
    "id": "v1_abc",
    "status": "completed",
    "model": "gemini-2.5-flash",
    "system_instruction": "Be brief.",
    "generation_config": {"temperature": 0.2, "thinking_level": "low"},
    "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
    "response_format": {"type": "object", "properties": {"city": {"type": "string"}}},
    "response_mime_type": "application/json",
    "response_modalities": ["text"],
    "safety_settings": [{"category": "hate", "threshold": "block_none"}],
    "service_tier": "flex",
    "labels": {"team": "a"},
    "webhook_config": {"uris": ["https://example.com/hook"]},
    "continuation_token": "tok",
    "continuation_ids": ["v1_prev"],
    "steps": [{"type": "model_output", "content": [{"type": "text", "text": "Paris"}]}],
}


def test_an_interaction_echoes_its_settings_both_ways():
    interaction = types.Interaction.from_wire(INTERACTION)
    assert interaction.service_tier == "flex"
    assert interaction.tools[0]["name"] == "get_weather"
    assert interaction.generation_config["temperature"] == 0.2
    assert interaction.continuation_ids == ["v1_prev"]
    assert interaction.output_text == "Paris"
    assert not interaction.model_extra
    assert interaction.to_wire() == INTERACTION


TOOLS = [
    {"googleSearch": {"searchTypes": {"webSearch": {}, "imageSearch": {}}}},
    {
        "googleMaps": {
            "groundingTypes": {"places": {}, "routing": {}},
            "authConfig": {"authType": "API_KEY_AUTH", "apiKeyConfig": {"apiKeyString": "k"}},
        }
    },
    {
        "retrieval": {
            "vertexRagStore": {
                "ragResources": [{"ragCorpus": "projects/p/locations/l/ragCorpora/c"}],
                "ragRetrievalConfig": {
                    "topK": 5,
                    "hybridSearch": {"alpha": 0.5},
                    "ranking": {"rankService": {"modelName": "semantic-ranker"}},
                },
            },
            "disableAttribution": True,
        }
    },
    {"retrieval": {"externalApi": {"endpoint": "https://s", "apiSpec": "ELASTIC_SEARCH"}}},
    {
        "computerUse": {
            "environment": "ENVIRONMENT_BROWSER",
            "disabledSafetyPolicies": ["FINANCIAL_TRANSACTIONS"],
        }
    },
    {"enterpriseWebSearch": {"blockingConfidence": "BLOCK_HIGH_AND_ABOVE"}},
    {
        "mcpServers": [
            {"name": "m", "streamableHttpTransport": {"url": "https://m", "timeout": "5s"}}
        ]
    },
    {"parallelAiSearch": {"apiKey": "k", "customConfigs": {"depth": 2}}},
]


def test_built_in_tools_are_typed_both_ways():
    tools = [types.Tool.model_validate(t) for t in TOOLS]
    search, maps, rag, external, computer, enterprise, mcp, parallel = tools
    assert isinstance(search.google_search.search_types.image_search, types.ImageSearch)
    assert maps.google_maps.auth_config.api_key_config.api_key_string == "k"
    store = rag.retrieval.vertex_rag_store
    assert store.rag_retrieval_config.ranking.rank_service.model_name == "semantic-ranker"
    assert external.retrieval.external_api.api_spec == "ELASTIC_SEARCH"
    assert computer.computer_use.environment is types.Environment.ENVIRONMENT_BROWSER
    assert computer.computer_use.disabled_safety_policies == [
        types.SafetyPolicy.FINANCIAL_TRANSACTIONS
    ]
    threshold = enterprise.enterprise_web_search.blocking_confidence
    assert threshold is types.PhishBlockThreshold.BLOCK_HIGH_AND_ABOVE
    assert mcp.mcp_servers[0].streamable_http_transport.timeout == "5s"
    assert parallel.parallel_ai_search.custom_configs == {"depth": 2}
    assert [t.to_wire() for t in tools] == TOOLS


PARTS = [
    {
        "fileData": {"fileUri": "https://f/doc.pdf", "mimeType": "application/pdf"},
        "documentMetadata": {"startPage": 2, "endPage": 5, "contentLayers": ["PAGE_TEXT"]},
        "mediaProcessing": "AGENTIC",
    },
    {
        "fileData": {"fileUri": "https://f/s.xlsx", "mimeType": "application/vnd.ms-excel"},
        "spreadsheetMetadata": {
            "sheetIndex": 1,
            "visibleCells": "A1:D9",
            "contentLayers": ["DATA"],
        },
    },
    {"text": "Hello!", "speechMetadata": {"speaker": "Joe", "style": "cheerful"}},
    {
        "fileData": {"fileUri": "https://f/a.mp3", "mimeType": "audio/mpeg"},
        "audioMetadata": {"startOffset": "1s", "endOffset": "9s"},
    },
    {
        "fileData": {"fileUri": "https://f/v.mp4", "mimeType": "video/mp4"},
        "videoMetadata": {"fps": 1.0, "contentLayers": ["FRAMES", "TRANSCRIPT"]},
    },
]


def test_part_metadata_is_typed_both_ways():
    document, sheet, speech, audio, video = (types.Part.from_wire(p) for p in PARTS)
    assert document.document_metadata.content_layers == [
        types.DocumentMetadataContentLayer.PAGE_TEXT
    ]
    assert document.media_processing is types.MediaProcessing.AGENTIC
    assert sheet.spreadsheet_metadata.visible_cells == "A1:D9"
    assert speech.speech_metadata.style == "cheerful"
    assert audio.audio_metadata.end_offset == "9s"
    assert video.video_metadata.content_layers[1] is types.VideoMetadataContentLayer.TRANSCRIPT
    assert [p.to_wire() for p in (document, sheet, speech, audio, video)] == PARTS


GENERATION_OPTIONS = {
    "imageConfig": {
        "prominentPeople": "BLOCK_PROMINENT_PEOPLE",
        "imageOutputOptions": {"mimeType": "image/jpeg", "compressionQuality": 80},
    },
    "routingConfig": {"autoMode": {"modelRoutingPreference": "PRIORITIZE_COST"}},
    "modelSelectionConfig": {"featureSelectionPreference": "PRIORITIZE_QUALITY"},
}


def test_generation_options_are_typed_both_ways():
    config = types.GenerationConfig.model_validate(GENERATION_OPTIONS)
    assert config.image_config.prominent_people is types.ProminentPeople.BLOCK_PROMINENT_PEOPLE
    assert config.image_config.image_output_options.compression_quality == 80
    assert config.routing_config.auto_mode.model_routing_preference == "PRIORITIZE_COST"
    preference = config.model_selection_config.feature_selection_preference
    assert preference is types.FeatureSelectionPreference.PRIORITIZE_QUALITY
    assert config.to_wire() == GENERATION_OPTIONS
    transcription = types.AudioTranscriptionConfig(
        language_hints=types.LanguageHints(language_codes=["en-US"]),
        mode="VERBATIM",
        word_timestamp=True,
    )
    assert transcription.mode is types.AudioTranscriptionConfigMode.VERBATIM
    assert transcription.to_wire() == {
        "languageHints": {"languageCodes": ["en-US"]},
        "mode": "VERBATIM",
        "wordTimestamp": True,
    }
    armor = types.ModelArmorConfig.model_validate({"promptTemplateName": "t"})
    assert armor.prompt_template_name == "t"


RESPONSE_FORMAT = {
    "responseFormat": [
        {"text": {"mimeType": "application/json", "schema": {"type": "object"}}},
        {"image": {"delivery": "URI", "aspectRatio": "ASPECT_RATIO_SIXTEEN_BY_NINE"}},
        {"audio": {"mimeType": "audio/wav", "sampleRate": 24000}},
        {"video": {"duration": "8s"}},
    ],
    "translationConfig": {"targetLanguageCode": "fr-FR", "echoTargetLanguage": True},
    "enableAffectiveDialog": True,
}


def test_response_formats_are_typed_both_ways():
    config = types.GenerationConfig.model_validate(RESPONSE_FORMAT)
    text, image, audio, video = config.response_format
    assert text.text.json_schema == {"type": "object"}
    assert image.image.delivery is types.Delivery.URI
    assert image.image.aspect_ratio is types.AspectRatio.ASPECT_RATIO_SIXTEEN_BY_NINE
    assert audio.audio.sample_rate == 24000 and video.video.duration == "8s"
    assert config.translation_config.target_language_code == "fr-FR"
    assert config.to_wire() == RESPONSE_FORMAT
    assert types.TextResponseFormat(json_schema={"type": "string"}).to_wire() == {
        "schema": {"type": "string"}
    }


FUNCTION_PARTS = [
    {
        "functionCall": {
            "name": "plot",
            "partialArgs": [{"jsonPath": "$.title", "stringValue": "Sal", "willContinue": True}],
        }
    },
    {
        "functionResponse": {
            "name": "plot",
            "response": {"output": "done"},
            "parts": [
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw==", "displayName": "c"}},
                {"fileData": {"fileUri": "gs://b/r.pdf", "mimeType": "application/pdf"}},
            ],
        }
    },
    {"toolCall": {"id": "t1", "toolType": "URL_CONTEXT", "args": {"url": "https://e"}}},
    {"toolResponse": {"id": "t1", "toolType": "URL_CONTEXT", "response": {"ok": True}}},
]


def test_function_and_tool_parts_are_typed_both_ways():
    call, response, tool_call, tool_response = (types.Part.from_wire(p) for p in FUNCTION_PARTS)
    assert call.function_call.partial_args[0].string_value == "Sal"
    image, document = response.function_response.parts
    assert image.inline_data.data == b"\x89PNG"
    assert document.file_data.file_uri == "gs://b/r.pdf"
    assert tool_call.tool_call.tool_type is types.ToolType.URL_CONTEXT
    assert tool_response.tool_response.response == {"ok": True}
    parts = [call, response, tool_call, tool_response]
    assert [p.to_wire() for p in parts] == FUNCTION_PARTS


def test_dates_and_intervals_are_typed_both_ways():
    citation = {"uri": "https://e", "publicationDate": {"year": 2024, "month": 7}}
    assert types.Citation.from_wire(citation).publication_date.year == 2024
    assert types.Citation.from_wire(citation).to_wire() == citation
    search = {"timeRangeFilter": {"startTime": "2024-01-01T00:00:00Z"}}
    google_search = types.GoogleSearch.model_validate(search)
    assert google_search.time_range_filter.start_time.year == 2024
    assert google_search.to_wire() == search


def test_function_response_parts_from_bytes_and_uri():
    image = types.FunctionResponsePart.from_bytes(data=b"\x89PNG", mime_type="image/png")
    document = types.FunctionResponsePart.from_uri(file_uri="gs://b/r.pdf", display_name="r")
    assert types.FunctionResponse(name="plot", parts=[image, document]).to_wire()["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
        {"fileData": {"fileUri": "gs://b/r.pdf", "displayName": "r"}},
    ]


TUNING_JOB = {
    "name": "projects/p/locations/l/tuningJobs/1",
    "state": "JOB_STATE_RUNNING",
    "tuningJobState": "TUNING_JOB_STATE_TUNING",
    "tuningJobMetadata": {"completedEpochCount": 1, "completedStepCount": 40},
    "customBaseModel": "gs://b/model",
    "gcsMetricsUri": "gs://b/metrics",
    "fullFineTuningSpec": {
        "trainingDatasetUri": "gs://b/train.jsonl",
        "hyperParameters": {"epochCount": 3, "adapterSize": "ADAPTER_SIZE_FOUR"},
    },
}


def test_a_tuning_job_is_typed_both_ways():
    job = types.TuningJob.from_wire(TUNING_JOB)
    assert job.tuning_job_state is types.TuningJobState.TUNING_JOB_STATE_TUNING
    assert job.tuning_job_metadata.completed_step_count == 40
    adapter = job.full_fine_tuning_spec.hyper_parameters.adapter_size
    assert adapter is types.AdapterSize.ADAPTER_SIZE_FOUR
    assert job.to_wire() == TUNING_JOB
    config = types.CreateTuningJobConfig(method="PREFERENCE_TUNING", tuning_mode="TUNING_MODE_FULL")
    assert config.method is types.TuningMethod.PREFERENCE_TUNING
    assert config.method == "PREFERENCE_TUNING"
