"""What a candidate says about its sources: grounding (Google Search, Maps, file search and
retrieval) and the URLs the url_context tool fetched.

All of it comes from the server; genaio only reads it. The models keep what they do not know
(`LooseModel`), because the API adds sources here more often than anywhere else.
"""

from __future__ import annotations

from genaio.types._base import Base64Bytes
from genaio.types._enums import UrlRetrievalStatus
from genaio.types._loose import LooseModel

__all__ = [
    "GroundingChunk",
    "GroundingChunkCustomMetadata",
    "GroundingChunkImage",
    "GroundingChunkMaps",
    "GroundingChunkMapsPlaceAnswerSources",
    "GroundingChunkMapsPlaceAnswerSourcesAuthorAttribution",
    "GroundingChunkMapsPlaceAnswerSourcesReviewSnippet",
    "GroundingChunkMapsRoute",
    "GroundingChunkRetrievedContext",
    "GroundingChunkStringList",
    "GroundingChunkWeb",
    "GroundingMetadata",
    "GroundingMetadataSourceFlaggingUri",
    "GroundingSupport",
    "RagChunk",
    "RagChunkPageSpan",
    "RetrievalMetadata",
    "SearchEntryPoint",
    "Segment",
    "UrlContextMetadata",
    "UrlMetadata",
]


# -- chunks: the sources themselves -----------------------------------------------------------


class GroundingChunkWeb(LooseModel):
    """A web page."""

    uri: str | None = None
    title: str | None = None
    domain: str | None = None


class GroundingChunkImage(LooseModel):
    """An image found by image search, and the page it is on (`source_uri`)."""

    source_uri: str | None = None
    image_uri: str | None = None
    title: str | None = None
    domain: str | None = None


class GroundingChunkMapsRoute(LooseModel):
    """A route; `duration` as the API writes durations (`"1800s"`)."""

    distance_meters: int | None = None
    duration: str | None = None
    encoded_polyline: str | None = None


class GroundingChunkMapsPlaceAnswerSourcesAuthorAttribution(LooseModel):
    display_name: str | None = None
    photo_uri: str | None = None
    uri: str | None = None


class GroundingChunkMapsPlaceAnswerSourcesReviewSnippet(LooseModel):
    """A user review of a place, to be shown with its author."""

    author_attribution: GroundingChunkMapsPlaceAnswerSourcesAuthorAttribution | None = None
    flag_content_uri: str | None = None
    google_maps_uri: str | None = None
    relative_publish_time_description: str | None = None
    review: str | None = None
    review_id: str | None = None
    title: str | None = None


class GroundingChunkMapsPlaceAnswerSources(LooseModel):
    """The reviews behind what the answer says of a place (`review_snippet` is the older
    spelling of `review_snippets`; the server may send either)."""

    review_snippet: list[GroundingChunkMapsPlaceAnswerSourcesReviewSnippet] | None = None
    review_snippets: list[GroundingChunkMapsPlaceAnswerSourcesReviewSnippet] | None = None
    flag_content_uri: str | None = None


class GroundingChunkMaps(LooseModel):
    """A place (or route) from Google Maps."""

    uri: str | None = None
    title: str | None = None
    text: str | None = None
    place_id: str | None = None
    place_answer_sources: GroundingChunkMapsPlaceAnswerSources | None = None
    route: GroundingChunkMapsRoute | None = None


class RagChunkPageSpan(LooseModel):
    """Pages of a document, 1-based and inclusive."""

    first_page: int | None = None
    last_page: int | None = None


class RagChunk(LooseModel):
    """A retrieved piece of a document."""

    text: str | None = None
    page_span: RagChunkPageSpan | None = None
    chunk_id: str | None = None
    file_id: str | None = None


class GroundingChunkStringList(LooseModel):
    values: list[str] | None = None


class GroundingChunkCustomMetadata(LooseModel):
    """One metadata entry of a file search document: a key and one kind of value."""

    key: str | None = None
    string_value: str | None = None
    numeric_value: float | None = None
    string_list_value: GroundingChunkStringList | None = None


class GroundingChunkRetrievedContext(LooseModel):
    """A document from a retrieval tool (file search, Vertex RAG, Vertex AI Search)."""

    uri: str | None = None
    title: str | None = None
    text: str | None = None
    document_name: str | None = None
    rag_chunk: RagChunk | None = None
    custom_metadata: list[GroundingChunkCustomMetadata] | None = None
    file_search_store: str | None = None
    page_number: int | None = None
    media_id: str | None = None


class GroundingChunk(LooseModel):
    """One source; one of its fields is set, by the kind of source."""

    web: GroundingChunkWeb | None = None
    image: GroundingChunkImage | None = None
    maps: GroundingChunkMaps | None = None
    retrieved_context: GroundingChunkRetrievedContext | None = None


# -- supports: which part of the answer rests on which chunks ---------------------------------


class Segment(LooseModel):
    """A span of the answer: `start_index` and `end_index` count bytes of `part_index`'s text
    (UTF-8), end exclusive."""

    part_index: int | None = None
    start_index: int | None = None
    end_index: int | None = None
    text: str | None = None


class GroundingSupport(LooseModel):
    """A segment of the answer, the indices (in `grounding_chunks`) of the chunks that support
    it, and the model's confidence in each."""

    segment: Segment | None = None
    grounding_chunk_indices: list[int] | None = None
    confidence_scores: list[float] | None = None
    rendered_parts: list[int] | None = None


class RetrievalMetadata(LooseModel):
    """How likely Google Search was to help (dynamic retrieval's score, 0 to 1)."""

    google_search_dynamic_retrieval_score: float | None = None


class SearchEntryPoint(LooseModel):
    """The search suggestions an app must show with a search-grounded answer: HTML to embed
    (`rendered_content`), or an opaque blob for SDKs that draw it themselves."""

    rendered_content: str | None = None
    sdk_blob: Base64Bytes | None = None


class GroundingMetadataSourceFlaggingUri(LooseModel):
    """Where a user can report a source (`source_id` names the chunk)."""

    source_id: str | None = None
    flag_content_uri: str | None = None


class GroundingMetadata(LooseModel):
    """What a grounded answer rests on: the queries the model ran, the sources it found
    (`grounding_chunks`), and which segments of the answer each source supports."""

    web_search_queries: list[str] | None = None
    image_search_queries: list[str] | None = None
    retrieval_queries: list[str] | None = None
    search_entry_point: SearchEntryPoint | None = None
    grounding_chunks: list[GroundingChunk] | None = None
    grounding_supports: list[GroundingSupport] | None = None
    retrieval_metadata: RetrievalMetadata | None = None
    google_maps_widget_context_token: str | None = None
    source_flagging_uris: list[GroundingMetadataSourceFlaggingUri] | None = None


# -- url context ------------------------------------------------------------------------------


class UrlMetadata(LooseModel):
    """One URL the url_context tool was asked to read, and whether it could."""

    retrieved_url: str | None = None
    url_retrieval_status: UrlRetrievalStatus | None = None


class UrlContextMetadata(LooseModel):
    """The URLs the url_context tool fetched."""

    url_metadata: list[UrlMetadata] | None = None
