"""The run's crawl state and lock: ``CrawlStateExtension``.

It opens the state (``CRAWL_STATE``) and takes the crawl's lock before any
other component exists, so a second run of the same crawl stops before it
touches anything; it refreshes the lock while the run lasts and releases it at
the end. What is fetched again is decided in ``policy`` and applied per request
by ``middleware.RecrawlPolicyMiddleware``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newscrawl.incremental.policy import is_fresh, parse_duration
from newscrawl.incremental.state import CrawlLocked, CrawlState, state_from_settings

logger = logging.getLogger(__name__)

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
        # (A Redis state is shared by other machines' runs: always asked.) Looked at once, on the first
        # article request: by then the archive has committed what a killed run left in its capture
        # journals (newscrawl.archive.journal), which a first look at start would miss.
        self._nothing_stored_before: bool | None = None
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

    @property
    def nothing_stored_before(self) -> bool:
        if self._nothing_stored_before is None:
            is_empty = getattr(self.state, "is_empty", None)
            self._nothing_stored_before = bool(is_empty and is_empty())
        return self._nothing_stored_before

    def is_fresh(self, url: str) -> bool:
        """True when the URL's last stored capture is recent enough not to fetch it again."""
        return is_fresh(self.state.get(url), self.recrawl_after, time.time())
