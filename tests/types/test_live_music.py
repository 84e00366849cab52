"""Live music's messages, from the server's JSON and to the client's."""

from __future__ import annotations

from genaio import types


def test_a_server_chunk_is_decoded_with_what_it_was_made_from() -> None:
    message = types.LiveMusicServerMessage.from_wire(
        {
            "serverContent": {
                "audioChunks": [
                    {
                        "data": "AAEC",
                        "mimeType": "audio/l16;rate=48000;channels=2",
                        "sourceMetadata": {
                            "clientContent": {"weightedPrompts": [{"text": "jazz", "weight": 1}]},
                            "musicGenerationConfig": {"bpm": 90, "scale": "D_MAJOR_B_MINOR"},
                        },
                        "newField": True,
                    }
                ]
            }
        }
    )
    assert message.server_content is not None and message.server_content.audio_chunks
    chunk = message.server_content.audio_chunks[0]
    assert chunk.data == b"\x00\x01\x02"
    assert chunk.source_metadata is not None
    config = chunk.source_metadata.music_generation_config
    assert config is not None and config.scale is types.Scale.D_MAJOR_B_MINOR
    assert chunk.model_extra == {"newField": True}


def test_a_client_message_is_written_in_camel_case() -> None:
    message = types.LiveMusicClientMessage(
        music_generation_config=types.LiveMusicGenerationConfig(
            only_bass_and_drums=True, music_generation_mode=types.MusicGenerationMode.QUALITY
        )
    )
    assert message.to_wire() == {
        "musicGenerationConfig": {"onlyBassAndDrums": True, "musicGenerationMode": "QUALITY"}
    }
    control = types.LiveMusicClientMessage(playback_control="PLAY")
    assert control.to_wire() == {"playbackControl": "PLAY"}
    assert str(control.playback_control) == "LiveMusicPlaybackControl.PLAY"
