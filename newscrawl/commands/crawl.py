"""`scrapy crawl`, exiting non-zero when the archive could not store every WARC file.

Scrapy's own command exits 1 only when the crawl fails to start. A crawl that
ran but left WARC files in the spool (storage unreachable) has not archived
what it fetched yet, and schedulers (cron, systemd, Kubernetes) must see that.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler

# Exit status when the crawl ran but WARC files are still waiting in the spool.
EXIT_PENDING_UPLOADS = 3


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, spname: str) -> Crawler:
        self._crawler = super()._create_crawler(spname)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        crawler = getattr(self, "_crawler", None)
        if self.exitcode == 0 and crawler is not None and crawler.stats.get_value("warc/pending_files"):
            self.exitcode = EXIT_PENDING_UPLOADS
