import pytest


@pytest.fixture
def api(genaio_emulator, monkeypatch):
    """The job talks to the test emulator as if it were the Gemini API (a key is set)."""
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", genaio_emulator.base_url)
    return genaio_emulator
