"""Vertex AI URL shapes, Bearer auth and the OAuth token endpoint: raw HTTP and the SDK."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from genaio.emulator import EmulatorConfig, EmulatorThread, run_emulator_in_thread

genai = pytest.importorskip("google.genai")
rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
from cryptography.hazmat.primitives import serialization  # noqa: E402
from google.oauth2 import service_account  # noqa: E402

PREFIX = "/v1beta1/projects/p/locations/us-central1/publishers/google/models"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorThread]:
    # With api_keys set, a Bearer token must be one the emulator's /token endpoint issued.
    with run_emulator_in_thread(EmulatorConfig(api_keys=("k",), lro_seconds=1.0)) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def service_account_info(server: EmulatorThread) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "sa@p.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{server.base_url}/token",
    }


def test_token_endpoint_and_bearer_auth(
    server: EmulatorThread, service_account_info: dict[str, Any]
) -> None:
    creds = service_account.Credentials.from_service_account_info(
        service_account_info, scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    import google.auth.transport.requests

    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token.startswith("ya29.") and creds.valid
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    with httpx.Client(base_url=server.base_url) as http:
        ok = http.post(
            f"{PREFIX}/gemini-2.5-flash:generateContent",
            json=body,
            headers={"Authorization": f"Bearer {creds.token}"},
        )
        assert ok.status_code == 200
        missing = http.post(f"{PREFIX}/gemini-2.5-flash:generateContent", json=body)
        assert missing.status_code == 401
        assert missing.json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
        forged = http.post(
            f"{PREFIX}/gemini-2.5-flash:generateContent",
            json=body,
            headers={"Authorization": "Bearer ya29.forged"},
        )
        assert forged.status_code == 401
        express = http.post(
            "/v1beta1/publishers/google/models/gemini-2.5-flash:generateContent",
            json=body,
            headers={"x-goog-api-key": "k"},
        )
        assert express.status_code == 200
        bad_grant = http.post("/token", data={"grant_type": "password"})
        assert bad_grant.status_code == 400 and bad_grant.json()["error"] == (
            "unsupported_grant_type"
        )
        embed = http.post(
            f"{PREFIX}/text-embedding-004:predict",
            headers={"Authorization": f"Bearer {creds.token}"},
            json={
                "instances": [{"content": "a", "task_type": "RETRIEVAL_QUERY"}, {"content": "b c"}],
                "parameters": {"outputDimensionality": 4},
            },
        )
        predictions = embed.json()["predictions"]
        assert [len(p["embeddings"]["values"]) for p in predictions] == [4, 4]
        assert predictions[1]["embeddings"]["statistics"]["token_count"] == 2


def test_sdk_on_vertex(server: EmulatorThread, service_account_info: dict[str, Any]) -> None:
    creds = service_account.Credentials.from_service_account_info(
        service_account_info, scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )

    async def main() -> None:
        client = genai.Client(
            vertexai=True,
            project="p",
            location="us-central1",
            credentials=creds,
            http_options={"base_url": server.base_url},
        )
        aio = client.aio
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                await scenario(aio)
        finally:
            await aio.aclose()

    async def scenario(aio: Any) -> None:
        reply = await aio.models.generate_content(model="gemini-2.5-flash", contents="Hi vertex")
        assert reply.text == "You said: Hi vertex"
        chunks = [
            c.text
            async for c in await aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents="one two three four five"
            )
        ]
        assert "".join(chunks) == "You said: one two three four five"
        embedded = await aio.models.embed_content(
            model="text-embedding-004", contents=["a", "b"], config={"output_dimensionality": 8}
        )
        assert [len(e.values) for e in embedded.embeddings] == [8, 8]
        count = await aio.models.count_tokens(model="gemini-2.5-flash", contents="Hello, world!")
        assert count.total_tokens == 4
        computed = await aio.models.compute_tokens(
            model="gemini-2.5-flash", contents="Hello, world!"
        )
        assert computed.tokens_info[0].tokens == [b"Hello", b",", b"world", b"!"]
        images = await aio.models.generate_images(
            model="imagen-4.0-generate-001", prompt="a cat", config={"number_of_images": 2}
        )
        assert len(images.generated_images) == 2
        assert images.generated_images[0].image.image_bytes.startswith(b"\x89PNG\r\n\x1a\n")
        operation = await aio.models.generate_videos(model="veo-3.0-generate-001", prompt="a dog")
        assert not operation.done
        server.advance(5)
        operation = await aio.operations.get(operation)
        assert operation.done
        video = operation.result.generated_videos[0].video
        assert video.video_bytes[4:8] == b"ftyp" and video.mime_type == "video/mp4"

    asyncio.run(main())
    stats = server.stats()["by_endpoint"]
    assert stats["fetchPredictOperation"]["statuses"] == {"200": 1}
    assert stats["computeTokens"]["statuses"] == {"200": 1}


def test_png_is_valid() -> None:
    import struct
    import zlib

    from genaio.emulator._generate import png_bytes

    png = png_bytes("seed", size=4)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length = struct.unpack(">I", png[8:12])[0]
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (4, 4)
    crc = struct.unpack(">I", png[16 + length : 20 + length])[0]
    assert crc == zlib.crc32(png[12 : 16 + length])
