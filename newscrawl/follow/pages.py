"""Building a Page from an HTTP response, the one way both the crawl and the replay do it."""

from __future__ import annotations

from scrapy.http import Response, TextResponse

from ..archive.records import header_pairs
from ..decoding import decode_text, is_html
from ..items import Page
from .links import LatestBlock, LinkRules, find_latest_blocks, latest_links


def build_page(*, url: str, request_url: str, status: int, headers: list[tuple[str, str]], body: bytes,
               fetched_at: str, warc: dict | None, rules: LinkRules,
               links: list[str] | None = None, capture: str | None = None) -> Page:
    """A Page from a decoded response; finds the Latest World News links unless given."""
    if links is None:
        links = latest_links(find_latest_blocks(decode_text(headers, body), url, rules)) if is_html(headers) else []
    return Page(url=url, request_url=request_url, status=status, headers=headers, body=body,
                fetched_at=fetched_at, warc=warc, latest_links=links, capture=capture)


def latest_blocks(response: Response, rules: LinkRules) -> list[LatestBlock]:
    """The Latest World News blocks of a response (none for non-text responses)."""
    return find_latest_blocks(response.selector, response.url, rules) if isinstance(response, TextResponse) else []


def page_from_response(response: Response, *, rules: LinkRules, request_url: str, fetched_at: str | None,
                       warc: dict | None, capture: str | None = None,
                       blocks: list[LatestBlock] | None = None) -> Page:
    """The Page of a Scrapy response (decoded body), as the live spider and the replay both build it.

    The Latest World News links are found on the response's own selector, so
    the text they are found in is the text Scrapy decoded for the spider.
    """
    headers = header_pairs(response.headers)
    if blocks is None:
        blocks = latest_blocks(response, rules)
    return build_page(url=response.url, request_url=request_url, status=response.status, headers=headers,
                      body=response.body, fetched_at=fetched_at, warc=warc, rules=rules,
                      links=latest_links(blocks), capture=capture)
