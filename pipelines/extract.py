"""The item pipeline: Page → Article, or drop.

Extraction is CPU-heavy, so it runs on a small thread pool, never on the
reactor thread. Any exception on one page is logged with its URL and counted;
the page is already archived, and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import Page
from pipelines.extraction import extract_article

logger = logging.getLogger(__name__)


class ArticleExtractionPipeline:
    """Turns HTML article pages into Article items and drops every other Page."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, crawler.settings.getint("EXTRACTION_THREADS")), thread_name_prefix="extract"
        )
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArticleExtractionPipeline":
        return cls(crawler)

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        loop = asyncio.get_running_loop()
        try:
            article = await asyncio.wrap_future(self._executor.submit(extract_article, item), loop=loop)
        except Exception:
            logger.exception("Extraction failed for %s", item.url)
            self.stats.inc_value("newscrawl/extraction/errors")
            raise DropItem(f"extraction failed: {item.url}") from None
        if article is None:
            self.stats.inc_value("newscrawl/pages/not_article")
            raise DropItem(f"not an article: {item.url}", log_level="DEBUG")
        self.stats.inc_value("newscrawl/articles")
        return article

    def close(self) -> None:
        self._executor.shutdown(wait=True)
