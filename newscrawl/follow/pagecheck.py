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

``judge_page`` is that decision as a function: ``scrapy replay`` calls it on
every replayed page, so a replay skips, warns and counts exactly as the live
crawl did. ``DecompressionLimitMiddleware`` is Scrapy's HttpCompressionMiddleware
(a body that inflates past DOWNLOAD_MAXSIZE, a gzip bomb, is ignored with its
one WARNING line, after the archive has kept it) with a counter.

Stats: ``newscrawl/pages/skipped/<why>`` and ``newscrawl/pages/warned/<why>``;
``newscrawl/pages/skipped/decompression_limit`` for bombs.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, resolve_encoding

from newscrawl.meta import DATALOSS_FLAG, TRUNCATED_FLAG

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
SNIFF = 1024


class BadPage(Exception):
    """Raised from process_spider_input for a response the spider must not parse."""


@dataclass(frozen=True)
class Verdict:
    """What is wrong with a page: skipped (archived but not parsed) or only warned about."""

    skip: bool
    why: str  # the stats key's last part: newscrawl/pages/{skipped|warned}/<why>
    detail: str

    @property
    def stat(self) -> str:
        return f"newscrawl/pages/{'skipped' if self.skip else 'warned'}/{self.why}"

    def log(self, url: str) -> None:
        if self.skip:
            logger.warning("Bad page, archived but not parsed: %s (%s)", url, self.detail)
        else:
            logger.info("Bad page, parsed anyway: %s (%s)", url, self.detail)


def judge_page(content_type: str, body: bytes, cut: tuple[str, str] | None = None) -> Verdict | None:
    """The one decision on a page, for the live crawl and the replay alike; None for a good page.

    ``cut`` is (why, detail) for a body cut short: ``truncated`` (DOWNLOAD_MAXSIZE, or a
    record's WARC-Truncated), ``disconnect`` (the server closed the connection early).
    """
    if cut:
        return Verdict(True, *cut)
    if content_type.split(";")[0].strip().lower().encode("latin-1", "replace") not in HTML_TYPES:
        return None
    if not body:
        return Verdict(False, "empty", "empty body")
    if looks_binary(body):
        return Verdict(True, "binary", "binary bytes served as text/html")
    problem = charset_problem(content_type, body)
    if problem:
        # The choice newscrawl.follow.pages.decode_text makes for the Page (and the replay).
        chosen = html_to_unicode(content_type, body)[0]
        return Verdict(False, "charset", f"{problem}; decoded as {chosen}")
    return None


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
        cut = None
        if TRUNCATED_FLAG in response.flags:
            cut = ("truncated", f"body cut at DOWNLOAD_MAXSIZE ({len(response.body)} bytes)")
        elif DATALOSS_FLAG in response.flags:
            cut = ("disconnect", f"connection closed after {len(response.body)} bytes of the body")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        verdict = judge_page(content_type, response.body, cut)
        if verdict is None:
            return
        self.stats.inc_value(verdict.stat)
        verdict.log(response.url)
        if verdict.skip:
            raise BadPage(verdict.why)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if isinstance(exception, BadPage):
            return []
        return None


DECOMPRESSION_LIMIT_STAT = "newscrawl/pages/skipped/decompression_limit"


class DecompressionLimitMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, counting the responses it ignores for inflating past DOWNLOAD_MAXSIZE."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:  # only raised there for a body past the size limit (Scrapy logs the WARNING)
            if self.stats is not None:
                self.stats.inc_value(DECOMPRESSION_LIMIT_STAT)
            raise
