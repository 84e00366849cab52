"""Retrieval tools of Vertex AI (Vertex AI Search, RAG Engine, an external search API) and the
credentials a tool uses to reach a service (also Google Maps').

Forwarded as given (`LooseModel`): genaio checks the names it knows and leaves the rest to the
server, which adds options here often.
"""

from __future__ import annotations

from genaio.types._enums import WireEnum
from genaio.types._loose import LooseModel

__all__ = [
    "ApiAuth",
    "ApiAuthApiKeyConfig",
    "ApiKeyConfig",
    "ApiSpec",
    "AuthConfig",
    "AuthConfigGoogleServiceAccountConfig",
    "AuthConfigHttpBasicAuthConfig",
    "AuthConfigOauthConfig",
    "AuthConfigOidcConfig",
    "AuthType",
    "ExternalApi",
    "ExternalApiElasticSearchParams",
    "ExternalApiSimpleSearchParams",
    "HttpElementLocation",
    "RagRetrievalConfig",
    "RagRetrievalConfigFilter",
    "RagRetrievalConfigHybridSearch",
    "RagRetrievalConfigRanking",
    "RagRetrievalConfigRankingLlmRanker",
    "RagRetrievalConfigRankingRankService",
    "VertexAISearch",
    "VertexAISearchDataStoreSpec",
    "VertexRagStore",
    "VertexRagStoreRagResource",
]


# -- credentials ------------------------------------------------------------------------------


class AuthType(WireEnum):
    AUTH_TYPE_UNSPECIFIED = "AUTH_TYPE_UNSPECIFIED"
    NO_AUTH = "NO_AUTH"
    API_KEY_AUTH = "API_KEY_AUTH"
    HTTP_BASIC_AUTH = "HTTP_BASIC_AUTH"
    GOOGLE_SERVICE_ACCOUNT_AUTH = "GOOGLE_SERVICE_ACCOUNT_AUTH"
    OAUTH = "OAUTH"
    OIDC_AUTH = "OIDC_AUTH"


class HttpElementLocation(WireEnum):
    """Where in an HTTP request an API key goes."""

    HTTP_IN_UNSPECIFIED = "HTTP_IN_UNSPECIFIED"
    HTTP_IN_QUERY = "HTTP_IN_QUERY"
    HTTP_IN_HEADER = "HTTP_IN_HEADER"
    HTTP_IN_PATH = "HTTP_IN_PATH"
    HTTP_IN_BODY = "HTTP_IN_BODY"
    HTTP_IN_COOKIE = "HTTP_IN_COOKIE"


class ApiKeyConfig(LooseModel):
    """An API key, given inline (`api_key_string`) or as a Secret Manager version."""

    name: str | None = None
    api_key_string: str | None = None
    api_key_secret: str | None = None
    http_element_location: HttpElementLocation | None = None


class AuthConfigGoogleServiceAccountConfig(LooseModel):
    service_account: str | None = None


class AuthConfigHttpBasicAuthConfig(LooseModel):
    """Basic auth, the credential as a Secret Manager version."""

    credential_secret: str | None = None


class AuthConfigOauthConfig(LooseModel):
    access_token: str | None = None
    service_account: str | None = None


class AuthConfigOidcConfig(LooseModel):
    id_token: str | None = None
    service_account: str | None = None


class AuthConfig(LooseModel):
    """How a tool authenticates: `auth_type` and the config of that kind."""

    auth_type: AuthType | None = None
    api_key: str | None = None
    api_key_config: ApiKeyConfig | None = None
    google_service_account_config: AuthConfigGoogleServiceAccountConfig | None = None
    http_basic_auth_config: AuthConfigHttpBasicAuthConfig | None = None
    oauth_config: AuthConfigOauthConfig | None = None
    oidc_config: AuthConfigOidcConfig | None = None


# -- Vertex AI Search -------------------------------------------------------------------------


class VertexAISearchDataStoreSpec(LooseModel):
    """One data store of a search engine, with its own filter."""

    data_store: str | None = None
    filter: str | None = None


class VertexAISearch(LooseModel):
    """A Vertex AI Search data store (`datastore`) or engine (`engine`), by resource name."""

    datastore: str | None = None
    engine: str | None = None
    data_store_specs: list[VertexAISearchDataStoreSpec] | None = None
    filter: str | None = None
    max_results: int | None = None


# -- RAG Engine -------------------------------------------------------------------------------


class RagRetrievalConfigFilter(LooseModel):
    metadata_filter: str | None = None
    vector_distance_threshold: float | None = None
    vector_similarity_threshold: float | None = None


class RagRetrievalConfigHybridSearch(LooseModel):
    """Weight of dense (1) against sparse (0) retrieval."""

    alpha: float | None = None


class RagRetrievalConfigRankingLlmRanker(LooseModel):
    model_name: str | None = None


class RagRetrievalConfigRankingRankService(LooseModel):
    model_name: str | None = None


class RagRetrievalConfigRanking(LooseModel):
    """Rerank the retrieved chunks, by a model or by the ranking service."""

    llm_ranker: RagRetrievalConfigRankingLlmRanker | None = None
    rank_service: RagRetrievalConfigRankingRankService | None = None


class RagRetrievalConfig(LooseModel):
    top_k: int | None = None
    filter: RagRetrievalConfigFilter | None = None
    hybrid_search: RagRetrievalConfigHybridSearch | None = None
    ranking: RagRetrievalConfigRanking | None = None


class VertexRagStoreRagResource(LooseModel):
    """A RAG corpus, or some of its files."""

    rag_corpus: str | None = None
    rag_file_ids: list[str] | None = None


class VertexRagStore(LooseModel):
    rag_corpora: list[str] | None = None
    rag_resources: list[VertexRagStoreRagResource] | None = None
    rag_retrieval_config: RagRetrievalConfig | None = None
    similarity_top_k: int | None = None
    store_context: bool | None = None
    vector_distance_threshold: float | None = None


# -- an external search API -------------------------------------------------------------------


class ApiSpec(WireEnum):
    API_SPEC_UNSPECIFIED = "API_SPEC_UNSPECIFIED"
    SIMPLE_SEARCH = "SIMPLE_SEARCH"
    ELASTIC_SEARCH = "ELASTIC_SEARCH"


class ApiAuthApiKeyConfig(LooseModel):
    api_key_string: str | None = None
    api_key_secret_version: str | None = None


class ApiAuth(LooseModel):
    """The older spelling of an external API's credentials; `AuthConfig` replaces it."""

    api_key_config: ApiAuthApiKeyConfig | None = None


class ExternalApiElasticSearchParams(LooseModel):
    index: str | None = None
    num_hits: int | None = None
    search_template: str | None = None


class ExternalApiSimpleSearchParams(LooseModel):
    """A simple search API takes no parameters."""


class ExternalApi(LooseModel):
    """A search API of the user's, at `endpoint`, of the kind `api_spec`."""

    endpoint: str | None = None
    api_spec: ApiSpec | None = None
    auth_config: AuthConfig | None = None
    api_auth: ApiAuth | None = None
    elastic_search_params: ExternalApiElasticSearchParams | None = None
    simple_search_params: ExternalApiSimpleSearchParams | None = None
