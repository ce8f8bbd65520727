"""Scheduled, incremental crawls: the crawl lock, the recrawl policy, and the run's state.

``CrawlStateExtension`` opens the state (``CRAWL_STATE``) and takes the crawl's
lock before any other component exists, so a second run of the same crawl
stops before it touches anything. ``RecrawlPolicyMiddleware`` skips articles
already archived (unless older than ``RECRAWL_ARTICLES_AFTER``); section and
listing pages are fetched on every run.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet import task

from newscrawl.meta import ROLE
from newscrawl.incremental.state import CrawlLocked, CrawlState, state_from_settings

logger = logging.getLogger(__name__)

# Requests the spider makes for article links; "start" and "section" pages are fetched every run.
ARTICLE_ROLES = {"latest", "section_article"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value) -> float | None:
    """Seconds from ``RECRAWL_ARTICLES_AFTER``: None/"never", a number of seconds, or "30m", "6h", "2d"."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "never", "none")):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value).lower())
    if not match:
        raise ValueError(f"RECRAWL_ARTICLES_AFTER={value!r}: use 'never', seconds, or a duration like 6h or 2d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


class CrawlStateExtension:
    """Holds the crawl's state and lock for the whole run."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.crawl_name = settings.get("CRAWL_NAME") or (crawler.spidercls.name if crawler.spidercls else "crawl")
        self.lock_ttl = settings.getfloat("CRAWL_LOCK_TTL")
        self.recrawl_after = parse_duration(settings.get("RECRAWL_ARTICLES_AFTER"))
        self.state: CrawlState = state_from_settings(settings.get("CRAWL_STATE"), settings.get("REDIS_URL"))
        try:
            self.state.acquire(self.crawl_name, self.lock_ttl)
        except CrawlLocked as exc:
            logger.error("Not starting: %s. Nothing was fetched or written.", exc)
            self.state.close()
            raise
        # A first run of this crawl (a SQLite state with no capture, only this run writing to it while it
        # holds the lock): nothing can be fresh, so no request waits for a state lookup on a thread. What
        # this run stores itself is never asked for again: the dupefilter drops repeated requests.
        # (A Redis state is shared by other machines' runs: always asked.)
        is_empty = getattr(self.state, "is_empty", None)
        self.nothing_stored_before = bool(is_empty and is_empty())
        self._refresher = task.LoopingCall(self._refresh)
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlStateExtension":
        if not crawler.settings.getbool("CRAWL_STATE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def engine_started(self) -> None:
        self._refresher.start(max(1.0, self.lock_ttl / 3), now=False)

    def _refresh(self):
        return asyncio.ensure_future(asyncio.to_thread(self.state.refresh))

    async def engine_stopped(self) -> None:
        if self._refresher.running:
            self._refresher.stop()
        await asyncio.to_thread(self._release)

    def _release(self) -> None:
        self.state.release()
        self.state.close()

    def is_fresh(self, url: str) -> bool:
        """True when the URL's last stored capture is recent enough not to fetch it again."""
        capture = self.state.get(url)
        if capture is None or not (200 <= capture.status < 400):
            return False
        if self.recrawl_after is None:
            return True
        return time.time() - capture.fetched_ts < self.recrawl_after


class RecrawlPolicyMiddleware:
    """Downloader middleware: skips articles the state says are archived and fresh."""

    def __init__(self, crawler: Crawler, extension: CrawlStateExtension):
        self.extension = extension
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RecrawlPolicyMiddleware":
        extension = crawler.get_extension(CrawlStateExtension)
        if extension is None:
            raise NotConfigured
        return cls(crawler, extension)

    async def process_request(self, request: Request) -> None:
        if request.meta.get(ROLE) not in ARTICLE_ROLES or request.meta.get("redirect_times"):
            return None
        if self.extension.nothing_stored_before:
            return None
        self.stats.inc_value("newscrawl/recrawl/lookups")
        if await asyncio.to_thread(self.extension.is_fresh, request.url):
            self.stats.inc_value("newscrawl/recrawl/skipped")
            raise IgnoreRequest(f"already archived: {request.url}")
        return None
