"""Bad pages: one clear log line for each, and the crawl goes on.

``BadPageMiddleware`` is a spider middleware that looks at each response
before the spider does. Every response has already been archived as sent (the
archive middleware sits next to the downloader); this decides only what the
spider gets to parse:

* a body cut at ``DOWNLOAD_MAXSIZE`` (flag ``"truncated"``, see
  ``newscrawl.archive.handler``) is not a page: skipped; nor is a body the
  server cut short (flag ``"dataloss"``, with ``DOWNLOAD_FAIL_ON_DATALOSS``
  off; with it on, the download fails and is retried);
* binary bytes served as text/html (NULs or mostly control bytes in the first
  KiB) are not a page: skipped;
* an empty HTML body, no charset declared anywhere, or a declared charset the
  bytes are not valid in: logged, then parsed as usual (w3lib chooses the
  encoding as the replay does).

Stats: ``newscrawl/pages/skipped/<why>`` and ``newscrawl/pages/warned/<why>``.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, resolve_encoding

from newscrawl.meta import DATALOSS_FLAG, TRUNCATED_FLAG

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
SNIFF = 1024


class BadPage(Exception):
    """Raised from process_spider_input for a response the spider must not parse."""


def looks_binary(body: bytes) -> bool:
    head = body[:SNIFF]
    if not head:
        return False
    if b"\x00" in head:
        return True
    return len(_CONTROL.findall(head)) > len(head) * 0.1


def charset_problem(content_type: str | None, body: bytes) -> str | None:
    """What is wrong with the page's charset, or None."""
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if not declared:
        return "no charset declared"
    encoding = resolve_encoding(declared)
    if encoding is None:
        return f"unknown charset {declared!r}"
    try:
        codecs.decode(body, encoding)
    except UnicodeDecodeError as exc:
        return f"body is not valid {declared} (byte {exc.start})"
    except LookupError:
        return f"unknown charset {declared!r}"
    return None


class BadPageMiddleware:
    """Spider middleware: log bad pages, keep the spider from parsing what is not a page."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BadPageMiddleware":
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        if TRUNCATED_FLAG in response.flags:
            self._skip(response, "truncated", f"body cut at DOWNLOAD_MAXSIZE ({len(response.body)} bytes)")
        if DATALOSS_FLAG in response.flags:
            self._skip(response, "disconnect", f"connection closed after {len(response.body)} bytes of the body")
        content_type = response.headers.get(b"Content-Type") or b""
        if content_type.split(b";")[0].strip().lower() not in HTML_TYPES:
            return
        body = response.body
        if not body:
            self._warn(response, "empty", "empty body")
            return
        if looks_binary(body):
            self._skip(response, "binary", "binary bytes served as text/html")
        problem = charset_problem(content_type.decode("latin-1"), body)
        if problem:
            # The choice newscrawl.follow.pages.decode_text makes for the Page (and the replay).
            chosen = html_to_unicode(content_type.decode("latin-1"), body)[0]
            self._warn(response, "charset", f"{problem}; decoded as {chosen}")

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if isinstance(exception, BadPage):
            return []
        return None

    def _skip(self, response: Response, why: str, detail: str) -> None:
        self.stats.inc_value(f"newscrawl/pages/skipped/{why}")
        logger.warning("Bad page, archived but not parsed: %s (%s)", response.url, detail)
        raise BadPage(why)

    def _warn(self, response: Response, why: str, detail: str) -> None:
        self.stats.inc_value(f"newscrawl/pages/warned/{why}")
        logger.info("Bad page, parsed anyway: %s (%s)", response.url, detail)
