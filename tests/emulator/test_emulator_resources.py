"""The stateful REST families over raw HTTP: files (resumable upload), caches, batches,
tuned models, file search stores, operations, auth tokens and interactions.
"""

from __future__ import annotations

import json

import httpx
import pytest

from genaio.emulator import EmulatorConfig

V = "/v1beta"


def user(text: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


async def upload(
    http: httpx.AsyncClient,
    data: bytes,
    chunk: int,
    path: str = "/upload/v1/files",
    body: dict | None = None,
) -> httpx.Response:
    start = await http.post(
        path,
        json=body or {"file": {"display_name": "d"}},
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": "text/plain",
        },
    )
    assert start.status_code == 200
    assert start.headers["x-goog-upload-status"] == "active"
    url = start.headers["X-Goog-Upload-URL"]
    assert url.startswith(str(http.base_url).rstrip("/") + path + "?upload_id=")
    offset = 0
    async with httpx.AsyncClient(timeout=10) as bare:  # chunks carry no API key (spec §6)
        while True:
            piece = data[offset : offset + chunk]
            last = offset + len(piece) >= len(data)
            r = await bare.post(
                url,
                content=piece,
                headers={
                    "X-Goog-Upload-Command": "upload, finalize" if last else "upload",
                    "X-Goog-Upload-Offset": str(offset),
                },
            )
            offset += len(piece)
            if last:
                assert r.headers["x-goog-upload-status"] == "final"
                return r
            assert r.headers["x-goog-upload-status"] == "active"


async def test_resumable_upload_in_chunks_then_get_list_download_delete(http) -> None:
    data = bytes(range(256)) * 40
    r = await upload(http, data, chunk=4096)
    file = r.json()["file"]
    assert file["name"].startswith("files/") and file["name"][6:].isalnum()
    assert file["sizeBytes"] == str(len(data)) and file["state"] == "ACTIVE"
    assert file["mimeType"] == "text/plain" and file["displayName"] == "d"
    assert (await http.get(f"{V}/{file['name']}")).json() == file
    got = await http.get(f"{V}/{file['name']}:download", params={"alt": "media"})
    assert got.content == data
    names = []
    page = (await http.get(f"{V}/files", params={"pageSize": 1})).json()
    names += [f["name"] for f in page["files"]]
    assert "nextPageToken" not in page
    assert names == [file["name"]]
    assert (await http.delete(f"{V}/{file['name']}")).json() == {}
    assert (await http.get(f"{V}/{file['name']}")).status_code == 403


async def test_upload_checks_offsets_sizes_and_names(http) -> None:
    start = await http.post(
        "/upload/v1beta/files",
        json={"file": {"name": "files/my-file"}},
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": "4",
        },
    )
    url = start.headers["x-goog-upload-url"]
    r = await http.post(
        url, content=b"ab", headers={"X-Goog-Upload-Command": "upload", "X-Goog-Upload-Offset": "2"}
    )
    assert r.status_code == 400
    r = await http.post(
        url, content=b"ab", headers={"X-Goog-Upload-Command": "upload", "X-Goog-Upload-Offset": "0"}
    )
    assert r.status_code == 200
    r = await http.post(url, headers={"X-Goog-Upload-Command": "query"})
    assert r.headers["x-goog-upload-size-received"] == "2"
    r = await http.post(
        url,
        content=b"c",
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "2"},
    )
    assert r.status_code == 400  # 3 bytes, 4 announced
    assert (await http.post(url, content=b"")).status_code == 404  # the session is gone
    r = await upload(http, b"x", 1, body={"file": {"name": "files/named-1"}})
    assert r.json()["file"]["name"] == "files/named-1"
    bad = await http.post(
        "/upload/v1beta/files",
        json={"file": {"name": "files/Bad_Name"}},
        headers={"X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start"},
    )
    assert bad.status_code == 400
    empty = await upload(http, b"", 10)
    assert empty.json()["file"]["sizeBytes"] == "0"


async def test_cached_contents_lifecycle_and_expiry(http, emulator) -> None:
    body = {
        "model": "models/gemini-2.5-flash",
        "ttl": "300s",
        "displayName": "c",
        **user("a long shared context"),
    }
    cache = (await http.post(f"{V}/cachedContents", json=body)).json()
    assert cache["name"].startswith("cachedContents/")
    assert cache["usageMetadata"]["totalTokenCount"] == 4 and "contents" not in cache
    used = (
        await http.post(
            f"{V}/models/gemini-2.5-flash:generateContent",
            json={**user("q"), "cachedContent": cache["name"]},
        )
    ).json()
    assert used["usageMetadata"]["cachedContentTokenCount"] == 4
    assert used["usageMetadata"]["promptTokenCount"] == 5
    patched = (await http.patch(f"{V}/{cache['name']}", json={"ttl": "7200s"})).json()
    assert patched["expireTime"] > cache["expireTime"]
    assert (await http.patch(f"{V}/{cache['name']}", json={"model": "x"})).status_code == 400
    assert [
        c["name"] for c in (await http.get(f"{V}/cachedContents")).json()["cachedContents"]
    ] == [cache["name"]]
    emulator.advance(7201)
    assert (await http.get(f"{V}/{cache['name']}")).status_code == 403
    other = await http.post(
        f"{V}/cachedContents", json={**body, "ttl": None, "expire_time": "2999-01-01T00:00:00Z"}
    )
    assert other.json()["expireTime"].startswith("2999-01-01T00:00:00")
    assert (await http.delete(f"{V}/{other.json()['name']}")).json() == {}


async def test_inline_batch_runs_through_its_states(http, emulator) -> None:
    body = {
        "batch": {
            "displayName": "b",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {"request": user("one"), "metadata": {"key": "1"}},
                        {"request": user("two")},
                    ]
                }
            },
        }
    }
    op = (await http.post(f"{V}/models/gemini-2.5-flash:batchGenerateContent", json=body)).json()
    name = op["name"]
    assert name.startswith("batches/") and op["metadata"]["state"] == "BATCH_STATE_PENDING"
    assert "done" not in op and op["metadata"]["batchStats"]["requestCount"] == "2"
    emulator.advance(emulator.config.lro_seconds / 2)
    assert (await http.get(f"{V}/{name}")).json()["metadata"]["state"] == "BATCH_STATE_RUNNING"
    emulator.advance(emulator.config.lro_seconds)
    done = (await http.get(f"{V}/{name}")).json()
    assert done["done"] is True and done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    results = done["metadata"]["output"]["inlinedResponses"]["inlinedResponses"]
    assert results[0]["metadata"] == {"key": "1"}
    assert results[1]["response"]["candidates"][0]["content"]["parts"][0]["text"] == "You said: two"
    listed = (await http.get(f"{V}/batches")).json()
    assert [o["name"] for o in listed["operations"]] == [name]
    assert (await http.delete(f"{V}/{name}")).json() == {}
    assert (await http.get(f"{V}/{name}")).status_code == 404


async def test_file_batch_writes_a_responses_file_and_cancel(http, emulator) -> None:
    lines = "\n".join(json.dumps({"key": str(i), "request": user(f"q{i}")}) for i in range(3))
    file = (await upload(http, lines.encode(), 1 << 20)).json()["file"]
    body = {"batch": {"inputConfig": {"fileName": file["name"]}}}
    op = (await http.post(f"{V}/models/gemini-2.5-flash:batchGenerateContent", json=body)).json()
    emulator.advance(60)
    done = (await http.get(f"{V}/{op['name']}")).json()
    out = done["metadata"]["output"]["responsesFile"]
    data = (await http.get(f"{V}/{out}:download", params={"alt": "media"})).text
    rows = [json.loads(line) for line in data.splitlines()]
    assert [r["key"] for r in rows] == ["0", "1", "2"]
    cancelled = (
        await http.post(f"{V}/models/gemini-2.5-flash:batchGenerateContent", json=body)
    ).json()
    assert (await http.post(f"{V}/{cancelled['name']}:cancel")).status_code == 200
    emulator.advance(60)
    after = (await http.get(f"{V}/{cancelled['name']}")).json()
    assert after["metadata"]["state"] == "BATCH_STATE_CANCELLED" and after["done"] is True
    bad = {"batch": {"inputConfig": {"fileName": "files/missing"}}}
    assert (
        await http.post(f"{V}/models/gemini-2.5-flash:batchGenerateContent", json=bad)
    ).status_code == 400


async def test_embedding_batch(http, emulator) -> None:
    body = {
        "batch": {
            "inputConfig": {
                "requests": {
                    "requests": [
                        {
                            "request": {
                                "content": {"parts": [{"text": t}]},
                                "outputDimensionality": 8,
                            }
                        }
                        for t in ("a", "b")
                    ]
                }
            }
        }
    }
    op = (
        await http.post(f"{V}/models/gemini-embedding-001:asyncBatchEmbedContent", json=body)
    ).json()
    emulator.advance(60)
    done = (await http.get(f"{V}/{op['name']}")).json()
    out = done["metadata"]["output"]["inlinedEmbedContentResponses"]["inlinedResponses"]
    assert [len(r["response"]["embedding"]["values"]) for r in out] == [8, 8]


async def test_tuned_model_operation_then_generate(http, emulator) -> None:
    op = (
        await http.post(
            f"{V}/tunedModels",
            json={
                "baseModel": "models/gemini-2.5-flash",
                "displayName": "t",
                "tuningTask": {
                    "hyperparameters": {"epochCount": 2},
                    "trainingData": {
                        "examples": {"examples": [{"textInput": "a", "output": "b"}] * 3}
                    },
                },
            },
        )
    ).json()
    model = op["metadata"]["tunedModel"]
    assert op["name"].startswith(model + "/operations/") and op["metadata"]["totalSteps"] == 6
    assert (await http.get(f"{V}/{model}")).json()["state"] == "CREATING"
    r = await http.post(f"{V}/{model}:generateContent", json=user("x"))
    assert r.status_code == 400
    emulator.advance(60)
    assert (await http.get(f"{V}/{op['name']}")).json()["done"] is True
    assert (await http.get(f"{V}/{model}")).json()["state"] == "ACTIVE"
    r = await http.post(f"{V}/{model}:generateContent", json=user("x"))
    assert r.json()["candidates"][0]["content"]["parts"][0]["text"] == "You said: x"
    assert (await http.patch(f"{V}/{model}", json={"displayName": "u"})).json()[
        "displayName"
    ] == "u"
    assert len((await http.get(f"{V}/tunedModels")).json()["tunedModels"]) == 1
    assert (await http.delete(f"{V}/{model}")).json() == {}


async def test_file_search_store_documents_and_operations(http, emulator) -> None:
    store = (await http.post(f"{V}/fileSearchStores", json={"displayName": "s"})).json()
    name = store["name"]
    assert store["activeDocumentsCount"] == "0"
    op = (
        await upload(
            http,
            b"some text",
            100,
            path=f"/upload/v1beta/{name}:uploadToFileSearchStore",
            body={"displayName": "doc", "mimeType": "text/plain"},
        )
    ).json()
    assert op["name"].startswith(f"{name}/upload/operations/") and "done" not in op
    file = (await upload(http, b"more", 100)).json()["file"]
    imported = (
        await http.post(
            f"{V}/{name}:importFile",
            json={"fileName": file["name"], "customMetadata": [{"key": "k", "string_value": "v"}]},
        )
    ).json()
    assert imported["name"].startswith(f"{name}/operations/")
    assert (await http.get(f"{V}/{name}")).json()["pendingDocumentsCount"] == "2"
    emulator.advance(60)
    done = (await http.get(f"{V}/{op['name']}")).json()
    assert done["done"] is True and done["response"]["sizeBytes"] == "9"
    doc_name = done["response"]["documentName"]
    doc = (await http.get(f"{V}/{doc_name}")).json()
    assert doc["state"] == "STATE_ACTIVE" and doc["displayName"] == "doc"
    docs = (await http.get(f"{V}/{name}/documents", params={"pageSize": 1})).json()
    assert len(docs["documents"]) == 1 and docs["nextPageToken"]
    media = doc_name.replace("/documents/", "/media/")
    assert (await http.get(f"{V}/{media}", params={"alt": "media"})).content == b"some text"
    assert (await http.delete(f"{V}/{name}")).status_code == 400  # not empty without force
    assert (await http.delete(f"{V}/{doc_name}", params={"force": "True"})).json() == {}
    assert (await http.delete(f"{V}/{name}", params={"force": "True"})).json() == {}
    assert (await http.get(f"{V}/fileSearchStores")).json()["fileSearchStores"] == []


async def test_auth_tokens(http) -> None:
    token = (await http.post("/v1alpha/auth_tokens", json={"uses": 2})).json()
    assert token["name"].startswith("auth_tokens/")
    r = await http.post(
        f"{V}/models/gemini-2.5-flash:generateContent",
        json=user("x"),
        headers={"x-goog-api-key": token["name"]},
    )
    assert r.status_code == 401


async def test_interactions(http, emulator) -> None:
    done = (
        await http.post(
            f"{V}/interactions", json={"model": "gemini-2.5-flash", "input": "Hello there"}
        )
    ).json()
    assert done["status"] == "completed" and done["steps"][-1]["content"][0]["text"] == (
        "You said: Hello there"
    )
    got = (
        await http.get(f"{V}/interactions/{done['id']}", params={"include_input": "true"})
    ).json()
    assert got["input"] == "Hello there"
    stream = await http.post(
        f"{V}/interactions",
        json={
            "model": "gemini-2.5-flash",
            "input": [{"type": "text", "text": "a b c d e f"}],
            "stream": True,
        },
    )
    frames = stream.text.split("\r\n\r\n")[:-1]
    assert frames[-1] == "data: [DONE]"
    events = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    kinds = [e["event_type"] for e in events]
    assert kinds[0] == "interaction.created" and kinds[-1] == "interaction.completed"
    assert "".join(e["delta"]["text"] for e in events if e["event_type"] == "step.delta") == (
        "You said: a b c d e f"
    )
    background = (
        await http.post(
            f"{V}/interactions", json={"agent": "deep-research", "input": "x", "background": True}
        )
    ).json()
    assert background["status"] == "in_progress"
    cancelled = (await http.post(f"{V}/interactions/{background['id']}/cancel")).json()
    assert cancelled["status"] == "cancelled"
    assert (await http.delete(f"{V}/interactions/{done['id']}")).json() == {}
    assert (await http.get(f"{V}/interactions/{done['id']}")).status_code == 404
    both = await http.post(
        f"{V}/interactions", json={"model": "gemini-2.5-flash", "agent": "a", "input": "x"}
    )
    assert both.status_code == 400


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(lro_seconds=0)])
async def test_gemini_videos_operation(http) -> None:
    op = (
        await http.post(
            f"{V}/models/veo-3.0-generate-001:predictLongRunning",
            json={"instances": [{"prompt": "a cat"}]},
        )
    ).json()
    done = (await http.get(f"{V}/{op['name']}")).json()
    sample = done["response"]["generateVideoResponse"]["generatedSamples"][0]
    video = await http.get(sample["video"]["uri"])
    assert video.content[4:8] == b"ftyp"
