"""The two items that flow through newscrawl.

``Page`` is the seam between fetching and extraction: the live crawl and the
replay build it from the same archived bytes, so the pipelines cannot tell them
apart. ``Article`` is what users keep; its field names are a public contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    """One archived HTTP response, as the pipelines see it.

    ``body`` is the entity body with any ``Content-Encoding`` removed (the
    archive keeps it encoded); ``headers`` are the HTTP response headers as
    archived, minus ``Content-Encoding`` once the body is decoded.
    """

    url: str  # final URL: WARC-Target-URI of the response record
    request_url: str  # the URL first requested, before redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: str  # WARC-Date of the response record (ISO 8601, UTC)
    warc: dict[str, Any] | None = None  # {uri, offset, record_id} of the response record
    # Latest World News links found; None: not looked for yet (a replay's Page: the
    # extraction finds them on its own parse of the page).
    latest_links: list[str] | None = field(default_factory=list)
    # Against the crawl state: "new", "changed", "revisit" (payload unchanged since the last
    # capture: archived as a revisit record, no article item), or None (no state kept).
    capture: str | None = None
    # How the live crawl reached the page: "start", "latest" (a Latest World News link),
    # "section" (a "See more" link) or "section_article"; None in a replay.
    via: str | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        """First value of an HTTP header, case-insensitively."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return default

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Article:
    """A news article pulled out of a Page. Field names are the public contract."""

    url: str
    canonical_url: str | None = None
    title: str | None = None
    summary: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    publisher: str | None = None
    body: str | None = None
    images: list[dict[str, str | None]] = field(default_factory=list)
    related_urls: list[str] = field(default_factory=list)
    fetched_at: str | None = None
    warc: dict[str, Any] | None = None
    extractor_version: str | None = None
