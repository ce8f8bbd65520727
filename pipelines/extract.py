"""The item pipeline: Page → Article, or drop.

Extraction is CPU-heavy, so it never runs on the reactor thread: on a small
thread pool in the live crawl (``EXTRACTION_THREADS``), or on a pool of
processes (``EXTRACTION_PROCESSES`` > 0; ``scrapy replay`` uses one per core),
where pages of different records are extracted truly in parallel. The function
is the same either way, ``pipelines.extraction.extract_article``. Any exception
on one page is logged with its URL and counted; the page is already archived,
and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import Page
from pipelines.extraction import SiteRules, extract_article

logger = logging.getLogger(__name__)


def _warm_up() -> None:
    """Run in each worker process at start: pay the imports before the first page."""
    import pipelines.extraction  # noqa: F401


class ArticleExtractionPipeline:
    """Turns HTML article pages into Article items and drops every other Page."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.processes = max(0, crawler.settings.getint("EXTRACTION_PROCESSES"))
        self.threads = max(1, crawler.settings.getint("EXTRACTION_THREADS"))
        # Per-site rules (versioned); a bad rule stops the crawl at start-up with RuleError.
        self.site_rules = SiteRules(crawler.settings.getdict("EXTRACTION_SITE_RULES"))
        self._executor = self._new_executor()
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArticleExtractionPipeline":
        return cls(crawler)

    def _new_executor(self) -> Executor:
        if self.processes:
            # "spawn": a fork would copy the reactor, its threads and their locks.
            return ProcessPoolExecutor(max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_warm_up)
        return ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="extract")

    async def open_spider(self) -> None:
        if self.processes:
            # Start the workers (and their imports) before the first page, not on it.
            await asyncio.gather(*(asyncio.wrap_future(self._executor.submit(_warm_up))
                                   for _ in range(self.processes)))

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        if item.capture == "revisit":
            # Archived as a revisit record: its article was emitted when the payload was new.
            self.stats.inc_value("newscrawl/pages/unchanged")
            raise DropItem(f"unchanged since the last capture: {item.url}", log_level="DEBUG")
        loop = asyncio.get_running_loop()
        executor = self._executor
        try:
            article = await asyncio.wrap_future(executor.submit(extract_article, item, self.site_rules, True), loop=loop)
        except BrokenProcessPool:
            # A worker died (a crash in a C extension, the OOM killer): a new pool for the pages after this one.
            logger.error("An extraction process died while extracting %s; starting new ones", item.url)
            self.stats.inc_value("newscrawl/extraction/errors")
            self.stats.inc_value("newscrawl/extraction/broken_pool")
            if self._executor is executor:
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            raise DropItem(f"extraction failed: {item.url}") from None
        except Exception:
            logger.exception("Extraction failed for %s", item.url)
            self.stats.inc_value("newscrawl/extraction/errors")
            raise DropItem(f"extraction failed: {item.url}") from None
        if article is None:
            self.stats.inc_value("newscrawl/pages/not_article")
            raise DropItem(f"not an article: {item.url}", log_level="DEBUG")
        self.stats.inc_value("newscrawl/articles")
        if item.capture:
            self.stats.inc_value(f"newscrawl/articles/{item.capture}")
        return article

    def close(self) -> None:
        self._executor.shutdown(wait=True)
