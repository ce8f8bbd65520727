"""`scrapy crawl`, with exit codes a scheduler can act on.

Scrapy's own command exits 1 only when the crawl fails to start. Here:

* 0: the crawl ran and every WARC file is stored;
* 3: the crawl ran but WARC files are still waiting in the spool (storage
  unreachable): they go up with the next run or `scrapy upload_pending`;
* 5: none of the start URLs could be fetched (one line per seed on stderr, with
  its reason: refused, DNS, timeout, guard, robots.txt, HTTP status); wins over 3;
* 75 (EX_TEMPFAIL): another run of the same crawl holds the lock; this run
  fetched and wrote nothing (the lock's holder is in the ERROR line);
* 1: any other failure to start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newscrawl.incremental.state import CrawlLocked

EXIT_PENDING_UPLOADS = 3
EXIT_NO_SEED_FETCHED = 5
EXIT_LOCKED = 75


class Command(ScrapyCrawlCommand):
    locked = False

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl worldnews")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        result = self.crawler_process.crawl(crawler, **opts.spargs)
        # A refused run has said why in its ERROR line: no traceback after it.
        if isinstance(result, Deferred):
            result.addErrback(self._trap_locked)
        elif isinstance(result, asyncio.Future):
            result.add_done_callback(self._retrieve_locked)
        self.crawler_process.start()
        if self.locked:
            self.exitcode = EXIT_LOCKED
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif self._report_no_seed(crawler):
            self.exitcode = EXIT_NO_SEED_FETCHED
        elif crawler.stats.get_value("warc/pending_files"):
            self.exitcode = EXIT_PENDING_UPLOADS

    @staticmethod
    def _report_no_seed(crawler) -> bool:
        """True when not one start URL could be fetched; one line per seed on stderr, saying why."""
        check = getattr(crawler.spider, "no_seed_fetched", None)
        failed = check() if check else None
        if not failed:
            return False
        print(f"newscrawl: none of the {len(failed)} start URL(s) could be fetched (exit {EXIT_NO_SEED_FETCHED}):",
              file=sys.stderr)
        for url, why in failed.items():
            print(f"  {url}: {why}", file=sys.stderr)
        return True

    def _trap_locked(self, failure: Failure):
        if failure.check(CrawlLocked):
            self.locked = True
            return None
        return failure

    def _retrieve_locked(self, task: asyncio.Future) -> None:
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it silences asyncio's report...
        if isinstance(exc, CrawlLocked):
            self.locked = True
        elif exc is not None:  # ...which any other failure still gets
            asyncio.get_event_loop().call_exception_handler(
                {"message": "Task exception was never retrieved", "exception": exc, "future": task})
