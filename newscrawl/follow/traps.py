"""Crawler traps: links and redirects that would keep the crawler busy forever.

``LinkTrapMiddleware`` (a spider middleware) drops follow-up requests whose URL
looks like a trap:

* a path that repeats a segment (``/a/b/a/b/a/b/``: relative links resolved
  against themselves), more than ``LINK_TRAP_MAX_SEGMENT_REPEATS`` times;
* a query parameter given more than ``LINK_TRAP_MAX_PARAM_REPEATS`` times
  (``?a=1&a=1&a=1``), or a query that keeps growing: a link from a page to the
  same path with the page's query plus more, ``LINK_TRAP_MAX_QUERY_GROWTH``
  times in a row;
* more than ``LINK_TRAP_MAX_QUERY_VARIANTS`` different queries for one path;
* calendar-like URLs (a path ending in a date, or a date in the query) beyond
  ``LINK_TRAP_CALENDAR_BUDGET`` URLs of the same shape (digits masked).

Very long URLs are Scrapy's ``URLLENGTH_LIMIT`` (UrlLengthMiddleware, one INFO
line each), and the depth of the crawl its ``DEPTH_LIMIT``: ``DepthLimitMiddleware``
names each link cut there at INFO (Scrapy's own line is DEBUG).

``RedirectLoopMiddleware`` (a downloader middleware next to Scrapy's
RedirectMiddleware) stops a redirect whose target is already in its own chain,
which Scrapy would otherwise drop silently in its duplicate filter, or follow
until ``REDIRECT_MAX_TIMES``.

Each dropped URL gets one INFO line and a ``newscrawl/traps/<kind>`` stat.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import parse_qsl, urljoin, urldefrag, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newscrawl.meta import GROWTH_META

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")
# A path that ends in a date: /2024/05, /2024/05/17/, /2024-05-17, /20240517
_DATE_PATH = re.compile(r"/(19|20)\d\d([/-]?(0?[1-9]|1[0-2]))([/-]?(0?[1-9]|[12]\d|3[01]))?/?$")
_DATE_VALUE = re.compile(r"^(19|20)\d\d[-/]?(0?[1-9]|1[0-2])([-/]?(0?[1-9]|[12]\d|3[01]))?$")
_DATE_KEYS = {"date", "day", "month", "year", "week", "from", "to", "start", "end", "cal", "calendar"}


def repeated_segment(path: str, limit: int) -> str | None:
    """The path segment repeated more than ``limit`` times, if any."""
    counts = Counter(s for s in path.split("/") if s)
    if not counts:
        return None
    segment, n = counts.most_common(1)[0]
    return segment if n > limit else None


def repeated_param(query: str, limit: int) -> str | None:
    counts = Counter(k for k, _ in parse_qsl(query, keep_blank_values=True))
    if not counts:
        return None
    key, n = counts.most_common(1)[0]
    return key if n > limit else None


def is_calendar(path: str, query: str) -> bool:
    """A URL that looks like a page of a calendar or date archive."""
    if _DATE_PATH.search(path):
        return True
    for key, value in parse_qsl(query, keep_blank_values=True):
        if _DATE_VALUE.match(value.strip()) or (key.lower() in _DATE_KEYS and value.strip().isdigit()):
            return True
    return False


def shape(netloc: str, path: str, query: str) -> str:
    """host + path + query keys, digits masked: /cal/2024/05?x=1 → host/cal/#/#?x."""
    keys = "&".join(sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)}))
    return f"{netloc}{_DIGITS.sub('#', path)}" + (f"?{_DIGITS.sub('#', keys)}" if keys else "")


class LinkTrapMiddleware:
    """Spider middleware dropping follow-up requests that look like crawler traps."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.stats = crawler.stats
        self.max_segment_repeats = settings.getint("LINK_TRAP_MAX_SEGMENT_REPEATS", 2)
        self.max_param_repeats = settings.getint("LINK_TRAP_MAX_PARAM_REPEATS", 2)
        self.max_query_growth = settings.getint("LINK_TRAP_MAX_QUERY_GROWTH", 3)
        self.max_query_variants = settings.getint("LINK_TRAP_MAX_QUERY_VARIANTS", 50)
        self.calendar_budget = settings.getint("LINK_TRAP_CALENDAR_BUDGET", 30)
        # Bounded by the number of distinct paths/shapes the crawl requests.
        self._variants: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self._calendar: defaultdict[str, set[str]] = defaultdict(set)  # shape → URLs let through (at most the budget)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "LinkTrapMiddleware":
        return cls(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        for item in result:
            if not isinstance(item, Request) or self._allowed(response, item):
                yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if not isinstance(item, Request) or self._allowed(response, item):
                yield item

    def _allowed(self, response: Response, request: Request) -> bool:
        if request.dont_filter:  # retries and the like, not links
            return True
        url = urlsplit(request.url)
        trap = None
        segment = repeated_segment(url.path, self.max_segment_repeats)
        param = repeated_param(url.query, self.max_param_repeats)
        if segment is not None:
            trap = ("repeated_segment", f"path repeats {segment!r}")
        elif param is not None:
            trap = ("repeated_parameter", f"query repeats {param!r}")
        else:
            growth = self._growth(response, url)
            if growth:
                request.meta[GROWTH_META] = growth
            if growth > self.max_query_growth:
                trap = ("growing_query", f"query grew {growth} times in a row")
            elif url.query:
                variants = self._variants[(url.netloc, url.path)]
                if url.query not in variants and len(variants) >= self.max_query_variants:
                    trap = ("query_variants", f"more than {self.max_query_variants} queries for {url.path}")
                else:
                    variants.add(url.query)
            if trap is None and is_calendar(url.path, url.query):
                key = shape(url.netloc, url.path, url.query)
                seen = self._calendar[key]
                if request.url not in seen and len(seen) >= self.calendar_budget:
                    trap = ("calendar", f"more than {self.calendar_budget} calendar pages like {key}")
                else:
                    seen.add(request.url)  # a URL already let through is the duplicate filter's business
        if trap is None:
            return True
        kind, detail = trap
        self.stats.inc_value(f"newscrawl/traps/{kind}")
        logger.info("Link trap (%s), not following %s: %s", kind, request.url, detail)
        return False

    @staticmethod
    def _growth(response: Response, url) -> int:
        """How many times in a row the query grew from page to link on the same path."""
        page = urlsplit(response.url)
        if (page.netloc, page.path) != (url.netloc, url.path) or len(url.query) <= len(page.query):
            return 0
        page_params = set(parse_qsl(page.query, keep_blank_values=True))
        if not page_params <= set(parse_qsl(url.query, keep_blank_values=True)) and not url.query.startswith(page.query):
            return 0
        return response.meta.get(GROWTH_META, 0) + 1


class DepthLimitMiddleware:
    """Spider middleware (above Scrapy's DepthMiddleware at 900) naming each link cut at ``DEPTH_LIMIT``.

    Scrapy drops those links with a DEBUG line only; here each gets one INFO line
    and ``newscrawl/traps/depth``, and Scrapy's middleware never sees them.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.max_depth = crawler.settings.getint("DEPTH_LIMIT")
        self._cut: set[str] = set()  # URLs cut so far (bounded by the links of pages at the limit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DepthLimitMiddleware":
        return cls(crawler)

    def _allowed(self, response: Response, item: Any) -> bool:
        if not isinstance(item, Request) or not self.max_depth:
            return True
        depth = response.meta.get("depth", 0) + 1
        if depth <= self.max_depth:
            return True
        if item.url in self._cut:  # named once; the same link on the next page is the same URL
            return False
        self._cut.add(item.url)
        self.stats.inc_value("newscrawl/traps/depth")
        logger.info("Depth limit (DEPTH_LIMIT=%d), not following %s (linked from %s)",
                    self.max_depth, item.url, response.url)
        return False

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        for item in result:
            if self._allowed(response, item):
                yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if self._allowed(response, item):
                yield item


REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RedirectLoopMiddleware:
    """Downloader middleware (above RedirectMiddleware's 600) ending redirect loops with one log line."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedirectLoopMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = urldefrag(urljoin(request.url, location))[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {urldefrag(u)[0] for u in chain}:
            self.stats.inc_value("newscrawl/traps/redirect_loop")
            logger.info("Redirect loop, not following %s → %s (after %d redirect(s))", request.url, target, len(chain) - 1)
            raise IgnoreRequest("redirect loop")
        if self.max_times and len(chain) > self.max_times:
            self.stats.inc_value("newscrawl/traps/too_many_redirects")
            logger.info("Too many redirects (REDIRECT_MAX_TIMES=%d), not following %s → %s",
                        self.max_times, request.url, target)
            raise IgnoreRequest("max redirections reached")
        return response
