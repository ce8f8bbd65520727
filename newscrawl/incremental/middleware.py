"""Applying the recrawl policy to every request: ``RecrawlPolicyMiddleware``."""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawl.incremental.extension import CrawlStateExtension
from newscrawl.incremental.policy import ARTICLE_ROLES
from newscrawl.meta import ROLE
from newscrawl.safety.redact import redact

logger = logging.getLogger(__name__)


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
        try:
            fresh = await asyncio.to_thread(self.extension.is_fresh, request.url)
        except Exception as exc:  # the state is unreachable: fetch it (archived again) rather than lose it
            self.stats.inc_value("newscrawl/state/read_failed")
            logger.error("Could not read the crawl state for %s (%s: %s): fetching it", request.url,
                         type(exc).__name__, redact(str(exc)))
            return None
        if fresh:
            self.stats.inc_value("newscrawl/recrawl/skipped")
            raise IgnoreRequest(f"already archived: {request.url}")
        return None
