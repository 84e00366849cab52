"""Every example of the AsyncClient reference page that the models family serves, run against
the emulator with only the import changed, under asyncio.run as written and under trio.run."""

from __future__ import annotations

import ast
import asyncio
import json
import re
import runpy
from pathlib import Path

import pytest
import trio

import genaio

HERE = Path(__file__).parent
EXAMPLES = sorted(
    p.stem for p in (HERE / "asyncio_examples").glob("*.py") if not p.stem.endswith("_property")
)
#: The "Properties" section's snippets: top-level awaits with a `client` in scope.
SNIPPETS = sorted(p.stem for p in (HERE / "asyncio_examples").glob("*_property.py"))
#: Examples whose trio rendering is more than a change of `run`: written out in trio_examples/.
TRIO_REWRITTEN = {p.stem for p in (HERE / "trio_examples").glob("*.py")}


def trio_rendering(name: str) -> str:
    """The example under trio.run: the same code, with asyncio's run swapped for trio's."""
    if name in TRIO_REWRITTEN:
        return (HERE / "trio_examples" / f"{name}.py").read_text()
    source = (HERE / "asyncio_examples" / f"{name}.py").read_text()
    source = source.replace("import asyncio\n", "import trio\n")
    return re.sub(r"asyncio\.run\((\w+)\(\)\)", r"trio.run(\1)", source)


@pytest.fixture
def service_account_file(tmp_path, genaio_emulator):
    """Vertex AI's application default credentials: a service account whose token URI is the
    emulator's `/token`, so google-auth signs and exchanges a real JWT against it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "my-project-id",
        "private_key_id": "test",
        "private_key": pem,
        "client_email": "tester@my-project-id.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{genaio_emulator.base_url}/token",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def pointed_at_emulator(monkeypatch, genaio_emulator, service_account_file):
    for name in (
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_GENAI_USE_VERTEXAI",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", genaio_emulator.base_url)
    monkeypatch.setenv("GOOGLE_VERTEX_BASE_URL", genaio_emulator.base_url)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_account_file))
    return genaio_emulator


def check_output(name: str, out: str) -> None:
    if name in ("accessing", "connection_pooling"):
        assert out == ""
    elif name == "aclose":
        assert out == ""  # it prints nothing; its calls must simply succeed
    else:
        assert out.strip(), f"{name} printed nothing"
        assert "Error" not in out, out


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_under_asyncio(name, pointed_at_emulator, capsys):
    runpy.run_path(str(HERE / "asyncio_examples" / f"{name}.py"), run_name="__main__")
    check_output(name, capsys.readouterr().out)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_under_trio(name, pointed_at_emulator, capsys):
    source = trio_rendering(name)
    assert "asyncio" not in source
    exec(compile(source, f"{name} (trio)", "exec"), {"__name__": "__main__"})
    check_output(name, capsys.readouterr().out)


@pytest.mark.parametrize("run", [asyncio.run, trio.run], ids=["asyncio", "trio"])
@pytest.mark.parametrize("name", SNIPPETS)
def test_property_snippets_with_their_top_level_awaits(
    name, run, pointed_at_emulator, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image.jpg").write_bytes(TINY_JPEG)
    source = (HERE / "asyncio_examples" / f"{name}.py").read_text()
    code = compile(source, f"{name}.py", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    client = genaio.Client(api_key="my-api-key")
    namespace = {"client": client}

    async def main():
        await eval(code, namespace)
        await client.aio.aclose()

    run(main) if run is trio.run else run(main())
    results = {
        "models_property": "response",
        "chats_property": "response",
        "files_property": "file",
        "caches_property": "cache",
    }
    assert namespace[results[name]] is not None
    if name == "files_property":
        assert capsys.readouterr().out.startswith("files/")


#: The smallest valid JPEG (a 1x1 grey pixel), for the files snippet's 'image.jpg'.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b"
    "0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ff"
    "c0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a108"
    "2342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556"
    "5758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7"
    "f8f9faffda0008010100003f00fbd3ffd9"
)


def test_the_concurrent_example_really_runs_concurrently(pointed_at_emulator, capsys):
    runpy.run_path(str(HERE / "trio_examples" / "concurrent_requests.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Response 1", "Response 2", "Response 3"]
    assert "Python" in lines[0] and "JavaScript" in lines[1] and "Go" in lines[2]
