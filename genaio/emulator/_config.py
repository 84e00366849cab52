"""The emulator's configuration: attrs value classes, loadable from a dict, a TOML or JSON file.

Every field of `EmulatorConfig`, `FaultConfig` and `QuotaLimits` can be set from a config file
(`EmulatorConfig.from_file`) and from the command line (`genaio emulator --help`). Durations
named `*_seconds` are in *emulated* seconds (see `time_scale`); `*_ms` fault delays are real
milliseconds.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ._script import Rule

__all__ = [
    "DEFAULT_MODELS",
    "EmulatorConfig",
    "FaultConfig",
    "ModelInfo",
    "QuotaLimits",
]

_GENERATE = (
    "generateContent",
    "streamGenerateContent",
    "countTokens",
    "batchGenerateContent",
    "createCachedContent",
)
_EMBED = ("embedContent", "batchEmbedContents", "asyncBatchEmbedContent", "countTokens")


@attrs.frozen
class ModelInfo:
    """One model the emulator serves: what `GET models/{name}` answers and what it accepts."""

    name: str  # bare id, e.g. "gemini-2.5-flash"
    display_name: str = ""
    input_token_limit: int = 1_048_576
    output_token_limit: int = 65_536
    supported_methods: tuple[str, ...] = _GENERATE
    embedding_dimension: int = 0  # 0: not an embedding model

    @classmethod
    def infer(cls, name: str) -> ModelInfo:
        """A plausible `ModelInfo` for a bare model name, judged by its family."""
        name = name.removeprefix("models/")
        if "embedding" in name:
            dim = 768 if name.startswith("text-embedding") else 3072
            return cls(name, _display(name), 2048, 1, _EMBED, dim)
        if name.startswith("imagen"):
            return cls(name, _display(name), 480, 8192, ("predict",))
        if name.startswith("veo"):
            return cls(name, _display(name), 480, 8192, ("predictLongRunning",))
        return cls(name, _display(name))

    @classmethod
    def coerce(cls, value: Any) -> ModelInfo:
        if isinstance(value, ModelInfo):
            return value
        if isinstance(value, str):
            return cls.infer(value)
        if isinstance(value, Mapping):
            base = cls.infer(str(value["name"]))
            if value.get("embedding_dimension") and not base.embedding_dimension:
                # An embedder by its table, whatever its name: it embeds, it does not generate.
                base = attrs.evolve(
                    base, input_token_limit=2048, output_token_limit=1, supported_methods=_EMBED
                )
            fields = {k: v for k, v in value.items() if k != "name"}
            if "supported_methods" in fields:
                fields["supported_methods"] = tuple(fields["supported_methods"])
            return attrs.evolve(base, **fields)
        raise TypeError(f"not a model: {value!r}")


def _display(name: str) -> str:
    return " ".join(w.capitalize() if w.isalpha() else w for w in name.split("-"))


#: The Gemini API's current catalogue (the names its docs and cookbook use), older names kept.
DEFAULT_MODELS: tuple[str, ...] = (
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-2.5-flash-lite",
    "gemini-flash-latest",
    "gemini-flash-lite-latest",
    "gemini-2.5-flash-image",
    "gemini-2.5-flash-preview-tts",
    "gemini-2.5-pro-preview-tts",
    "gemini-2.5-flash-native-audio-preview-09-2025",
    "gemini-live-2.5-flash-preview",
    "gemini-2.0-flash",
    "gemini-2.0-flash-001",
    "gemini-2.0-flash-lite",
    "gemini-2.0-flash-live-001",
    "gemini-3-flash-preview",
    "gemini-3-pro-preview",
    "gemini-3-pro-image-preview",
    # The Gemini 3 names google-genai 3.6 lists for the Interactions API.
    "gemini-pro-latest",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite",
    "gemini-3.1-flash-image",
    "gemini-3.1-flash-tts-preview",
    "gemini-3-pro-image",
    "gemini-3.5-flash",
    "gemini-3.5-flash-lite",
    "gemini-3.6-flash",
    "gemini-3.7-flash",
    "gemini-3.8-flash",
    "gemini-3.8-flash-tts",
    "gemini-3.8-flash-lite-tts",
    "gemini-embedding-001",
    "text-embedding-004",
    "text-embedding-005",
    "imagen-4.0-generate-001",
    "imagen-4.0-fast-generate-001",
    "imagen-4.0-ultra-generate-001",
    "imagen-3.0-generate-002",
    "veo-3.1-generate-preview",
    "veo-3.1-fast-generate-preview",
    "veo-3.0-generate-001",
    "veo-3.0-fast-generate-001",
    "veo-2.0-generate-001",
)


@attrs.frozen
class QuotaLimits:
    """Per-model limits; `None` means unlimited. Counted in fixed windows of the emulated clock."""

    rpm: int | None = None  # requests per minute
    tpm: int | None = None  # input tokens per minute
    rpd: int | None = None  # requests per day

    @classmethod
    def coerce(cls, value: Any) -> QuotaLimits:
        if isinstance(value, QuotaLimits):
            return value
        if isinstance(value, str):  # "rpm=10,tpm=1000"
            pairs = (p.split("=", 1) for p in value.split(",") if p.strip())
            return cls(**{k.strip(): int(v) for k, v in pairs})
        return cls(**{k: (None if v is None else int(v)) for k, v in dict(value).items()})


def _rate(value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a fault rate must be within [0, 1], not {value}")
    return value


@attrs.frozen
class FaultConfig:
    """Fault injection. Each request draws once from a `random.Random(seed)`; rates add up.

    `methods` limits the faults to these endpoint names (e.g. `generateContent`); empty means
    every API endpoint. Stream-only faults apply only to streaming endpoints.
    """

    seed: int = 0
    error_500_rate: float = attrs.field(default=0.0, converter=_rate)
    error_503_rate: float = attrs.field(default=0.0, converter=_rate)  # "The model is overloaded."
    error_429_rate: float = attrs.field(default=0.0, converter=_rate)  # spurious, quota-less 429
    error_429_retry_delay: float = 1.0  # the RetryInfo delay of those 429s, in real seconds
    reset_rate: float = attrs.field(default=0.0, converter=_rate)  # TCP reset, no response
    hang_rate: float = attrs.field(default=0.0, converter=_rate)  # never answers
    malformed_rate: float = attrs.field(default=0.0, converter=_rate)  # 200 with a broken body
    stream_cut_rate: float = attrs.field(default=0.0, converter=_rate)  # reset mid-stream
    stream_cut_after: int | None = None  # events sent before that reset (None: half of them)
    stream_error_rate: float = attrs.field(default=0.0, converter=_rate)  # error event mid-stream
    latency_ms: float = 0.0  # added before every response
    latency_jitter_ms: float = 0.0  # extra latency drawn from `latency_distribution`
    latency_distribution: str = attrs.field(
        default="uniform", validator=attrs.validators.in_(("uniform", "exponential"))
    )
    ttfb_ms: float = 0.0  # streams: delay before the first event
    chunk_interval_ms: float = 0.0  # streams: delay between events
    methods: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    @classmethod
    def coerce(cls, value: Any) -> FaultConfig:
        if isinstance(value, FaultConfig):
            return value
        return cls(**dict(value or {}))


def _models(value: Any) -> tuple[ModelInfo, ...]:
    return tuple(ModelInfo.coerce(v) for v in value)


def _quotas(value: Any) -> Mapping[str, QuotaLimits]:
    return {str(k): QuotaLimits.coerce(v) for k, v in dict(value or {}).items()}


def _rules(value: Any) -> tuple[Rule, ...]:
    return tuple(Rule.coerce(v) for v in value or ())


def _faults(value: Any) -> FaultConfig:
    # A function, like its neighbours: the attrs type-checker plugin takes no classmethod here.
    return FaultConfig.coerce(value)


@attrs.frozen
class EmulatorConfig:
    """How an emulator serves. Build directly, with `from_dict`, or with `from_file`.

    `quotas` keys: `"*"` (every model), a model id (its generate, embed and batch-embed
    families, each counted on its own), or `"model:method"` / `"*:method"` for one method
    (e.g. `"gemini-embedding-001:batchEmbedContents"`). The most specific key wins.
    """

    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port
    api_keys: tuple[str, ...] = attrs.field(default=(), converter=tuple)  # empty: any key
    models: tuple[ModelInfo, ...] = attrs.field(default=DEFAULT_MODELS, converter=_models)
    quotas: Mapping[str, QuotaLimits] = attrs.field(factory=dict, converter=_quotas)
    faults: FaultConfig = attrs.field(factory=FaultConfig, converter=_faults)
    lro_seconds: float = 2.0  # emulated seconds for operations, batches and tunings to finish
    time_scale: float = 1.0  # emulated seconds per real second (60: a minute lasts a second)
    stream_chunk_words: int = 4  # words of text per streamed chunk
    default_page_size: int = 50
    max_batch_embed_requests: int = 100
    file_ttl_seconds: float = 48 * 3600.0
    project: str = "emulator-project"  # reported in Vertex error details
    public_url: str = ""  # absolute URL the emulator names itself by; default: from the request
    log_requests: bool = False  # one structlog line per request
    request_log_size: int = 10_000  # requests kept for `handle.requests` (the newest); 0: all
    script: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)  # scripted answers

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmulatorConfig:
        known = {f.name for f in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown emulator config keys: {sorted(unknown)}")
        return cls(**dict(data))

    @classmethod
    def from_file(cls, path: str | Path) -> EmulatorConfig:
        """Load a `.toml` or `.json` file whose keys are this class's fields."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        return cls.from_dict(data)

    def evolve(self, **changes: Any) -> EmulatorConfig:
        return attrs.evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that `from_dict` accepts back (a scripted rule's Python predicate,
        which JSON cannot carry, is left out)."""
        return attrs.asdict(self, recurse=True, filter=lambda a, _: a.name != "predicate")

    def model(self, name: str) -> ModelInfo | None:
        bare = name.removeprefix("models/")
        for info in self.models:
            if info.name == bare:
                return info
        return None

    def quota_for(self, model: str, method: str) -> QuotaLimits | None:
        quotas = self.quotas
        for key in (f"{model}:{method}", f"*:{method}"):
            if key in quotas:
                return quotas[key]
        if method in ("generateContent", "embedContent", "batchEmbedContents"):
            for key in (model, "*"):
                if key in quotas:
                    return quotas[key]
        return None
