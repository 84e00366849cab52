"""Live's client messages and the session setup genaio writes from a `LiveConnectConfig`:
the same setup as the official SDK's for the same config."""

from __future__ import annotations

import json

from google.genai import _api_client, _live_converters
from google.genai import types as sdk_types

from genaio import types
from genaio.api.auth_tokens import _live_setup

CONFIG = {
    "labels": {"team": "voice"},
    "avatar_config": {"avatar_name": "Kai", "video_bitrate_bps": 500_000},
    "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
}


def sdk_setup(config: dict[str, object]) -> object:
    client = _api_client.BaseApiClient(api_key="k")
    parameters = {"model": "m", "config": sdk_types.LiveConnectConfig(**config)}
    message = _live_converters._LiveConnectParameters_to_mldev(client, parameters)
    # The SDK keeps models in the message and dumps them (snake_case) when it sends it.
    dump = lambda model: model.model_dump(mode="json", exclude_none=True)  # noqa: E731
    return json.loads(json.dumps(message["setup"], default=dump))


def test_the_setup_is_the_sdks_with_labels_avatar_and_safety_settings() -> None:
    ours = _live_setup("m", types.LiveConnectConfig(**CONFIG))
    assert json.loads(json.dumps(ours)) == sdk_setup(CONFIG)
    # Safety settings stay a list of settings (a regression: they were folded into one dict).
    assert ours["safetySettings"] == [
        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
    ]


def test_an_avatar_from_a_picture_goes_as_base64() -> None:
    config = types.LiveConnectConfig(
        avatar_config=types.AvatarConfig(
            customized_avatar=types.CustomizedAvatar(image_data=b"\xff\xfe", image_mime_type="x")
        )
    )
    setup = json.loads(json.dumps(_live_setup("m", config)))
    avatar = setup["avatarConfig"]["customized_avatar"]
    assert types.CustomizedAvatar.model_validate(avatar).image_data == b"\xff\xfe"


def test_a_client_message_reads_and_writes_in_camel_case() -> None:
    wire = {
        "setup": {
            "model": "models/m",
            "systemInstruction": {"parts": [{"text": "be brief"}]},
            "tools": [{"googleSearch": {}}],
            "avatarConfig": {"avatarName": "Kai"},
            "labels": {"a": "b"},
        }
    }
    message = types.LiveClientMessage.from_wire(wire)
    assert message.setup is not None and message.setup.avatar_config is not None
    assert message.setup.avatar_config.avatar_name == "Kai"
    assert message.to_wire() == wire
    update = types.LiveClientMessage(
        context_update=types.LiveClientContextUpdate(
            tools=types.LiveClientContextUpdateTools(tools=[types.Tool(url_context={})])
        )
    )
    assert update.to_wire() == {"contextUpdate": {"tools": {"tools": [{"urlContext": {}}]}}}
