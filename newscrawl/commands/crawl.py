"""`scrapy crawl`, with exit codes a scheduler can act on (the table is in the README and deploy/README.md).

* 0: everything fetched is stored;
* 1: failed to start for another reason: the store's pre-flight check failed,
  the crawl state cannot be reached (nothing fetched);
* 2: a bad setting or spider argument (one line naming it; no traceback);
* 3: WARC files still waiting in the spool (storage unreachable);
* 4: an archive write failed mid-crawl (close reason ``archive_failed``);
* 5: none of the start URLs could be fetched (one line per seed on stderr, with
  its reason: refused, DNS, timeout, guard, robots.txt, HTTP status);
* 6: the crawl lock was lost during the run (close reason ``lock_lost``);
* 75 (EX_TEMPFAIL): another run of the same crawl holds the lock (nothing fetched);
  for a distributed crawl: another run (another ``CRAWL_ID``) is running, or the
  ended run's workers were still closing after ``CRAWL_RUN_WAIT``.

A worker of a distributed crawl whose ``CRAWL_ID`` names a run that has already
ended exits 0 at once (nothing to do).

Where several apply, the most severe (the highest of 4, 6, 5, 3) wins. Before
the crawler starts, settings and spider arguments are checked and the WARC
store is tried (a file written and removed, free space, the bucket), so a
crawl that could not archive fetches nothing and leaves the ``-O`` file as it
was. Whatever way the start fails, the crawl lock is given back.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import get_scrapy_root_handler
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newscrawl.archive.middleware import ARCHIVE_FAILED
from newscrawl.archive.store.preflight import preflight_store
from newscrawl.config import SettingError, StartupError, check_settings, check_start_urls
from newscrawl.incremental.extension import LOCK_LOST, release_lock
from newscrawl.incremental.run import RunAlreadyDone
from newscrawl.incremental.state import CrawlLocked

logger = logging.getLogger(__name__)

EXIT_START_FAILED = 1
EXIT_USAGE = 2
EXIT_PENDING_UPLOADS = 3
EXIT_ARCHIVE_FAILED = 4
EXIT_NO_SEED_FETCHED = 5
EXIT_LOCK_LOST = 6
EXIT_LOCKED = 75


def run_exit_code(stats: dict, no_seed_fetched: bool = False) -> int:
    """The exit status of a crawl that ran: the most severe of what happened (4, 6, 5, 3), else 0."""
    reason = stats.get("finish_reason")
    if reason == ARCHIVE_FAILED or stats.get("warc/write_failed") or stats.get("warc/manifest_failed"):
        return EXIT_ARCHIVE_FAILED
    if reason == LOCK_LOST or stats.get("newscrawl/lock/lost"):
        return EXIT_LOCK_LOST
    if no_seed_fetched:
        return EXIT_NO_SEED_FETCHED
    if stats.get("warc/pending_files"):
        return EXIT_PENDING_UPLOADS
    return 0


def report_start_error(exc: BaseException, settings=None) -> None:
    """One line (the traceback at DEBUG), in the log, and on stderr too when the log goes to a file."""
    logger.debug("Start failed", exc_info=exc)
    line = f"Not starting: {exc}"
    logger.error("%s", line)
    if settings is not None and settings.get("LOG_FILE"):
        print(line, file=sys.stderr)


def no_records_below_log_level(settings) -> None:
    """Scrapy's loggers make no record below ``LOG_LEVEL`` when no handler would take one.

    Scrapy sets its ``scrapy`` logger to DEBUG and leaves it to the root handlers to drop what is
    below ``LOG_LEVEL``: at INFO every response still builds its "Crawled" and "Scraped from"
    records (~2% of the crawler's reactor-thread CPU in a cProfile of the benchmark crawl), and
    nothing reads them. When every handler they could reach (Scrapy's log handler and its
    ``log_count/*`` counter, both at ``LOG_LEVEL``) drops them anyway, the logger does: what
    reaches the log and the counts stay the same.
    """
    level = settings.get("LOG_LEVEL")
    number = level if isinstance(level, int) else logging.getLevelNamesMapping().get(str(level).upper())
    scrapy_logger = logging.getLogger("scrapy")
    handlers = [*logging.root.handlers, *scrapy_logger.handlers]
    if (not number or number <= scrapy_logger.level or get_scrapy_root_handler() not in handlers
            or any(h.level < number for h in handlers)):
        return
    scrapy_logger.setLevel(number)


class Command(ScrapyCrawlCommand):
    start_exit: int | None = None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl worldnews")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        # Before the crawler exists in the reactor: no lock taken yet, no feed file opened.
        try:
            check_settings(crawler.settings)
            check_start_urls(opts.spargs.get("start_urls"))
            preflight_store(crawler.settings)
        except (SettingError, StartupError) as exc:
            report_start_error(exc, crawler.settings)
            self.exitcode = EXIT_USAGE if isinstance(exc, SettingError) else EXIT_START_FAILED
            return
        crawler.newscrawl_store_checked = True
        # Once the crawler has set logging up (its root handler is installed when it starts).
        self._logging_of = crawler
        crawler.signals.connect(self._engine_started, signal=signals.engine_started)
        result = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(result, Deferred):
            result.addErrback(self._trap_start_failure, crawler)
        elif isinstance(result, asyncio.Future):
            result.add_done_callback(lambda task: self._retrieve_start_failure(task, crawler))
        self.crawler_process.start()
        if self.start_exit is not None:
            self.exitcode = self.start_exit
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_START_FAILED
        else:
            self.exitcode = run_exit_code(crawler.stats.get_stats(), self._report_no_seed(crawler))

    def _engine_started(self) -> None:
        no_records_below_log_level(self._logging_of.settings)

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

    def _start_failed(self, exc: BaseException, crawler) -> bool:
        """True when ``exc`` was expected (said in one line); the lock is released in any case."""
        release_lock(crawler)
        if isinstance(exc, RunAlreadyDone):  # its line is out already
            self.start_exit = 0
        elif isinstance(exc, CrawlLocked):  # its ERROR line is out already
            self.start_exit = EXIT_LOCKED
        elif isinstance(exc, SettingError):
            self.start_exit = EXIT_USAGE
        elif isinstance(exc, StartupError):
            self.start_exit = EXIT_START_FAILED
        else:
            self.start_exit = EXIT_START_FAILED
            return False
        if not isinstance(exc, CrawlLocked):
            report_start_error(exc, crawler.settings)
        return True

    def _trap_start_failure(self, failure: Failure, crawler):
        return None if self._start_failed(failure.value, crawler) else failure

    def _retrieve_start_failure(self, task: asyncio.Future, crawler) -> None:
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it silences asyncio's report...
        if exc is not None and not self._start_failed(exc, crawler):  # ...which any other failure still gets
            asyncio.get_event_loop().call_exception_handler(
                {"message": "Task exception was never retrieved", "exception": exc, "future": task})
