"""The item pipeline: Page → Article, or drop.

Extraction is CPU-heavy, so it never runs on the reactor thread, nor in the
crawler's process by default: on a pool of ``EXTRACTION_PROCESSES`` processes
(default one per core, in the live crawl and in ``scrapy replay`` alike), where
pages are extracted truly in parallel while the crawler's process downloads,
archives and finds links; or, with ``EXTRACTION_PROCESSES = 0``, on a small
thread pool of the crawler's process (``EXTRACTION_THREADS``). The function
is the same either way, ``pipelines.extraction.extract_article``. Any exception
on one page is logged with its URL and counted; the page is already archived,
and the crawl goes on.

With processes, pages go to the workers in small batches (up to
``EXTRACTION_BATCH_SIZE`` per task, at most two tasks per process at a time):
one round trip per batch instead of per page keeps the Scrapy process's share
of the work, and the workers' waits for it, small. A batch is sent as soon as a
process has room for it, so a lone page is not held back waiting for others.

Work in flight is bounded: at most ``EXTRACTION_MAX_PENDING`` pages are queued
for or in extraction; a page past that waits (on an asyncio semaphore: the
reactor never waits) for one of them to be done, and the engine is paused
(``engine.pause()``: no new download starts) until the pages held are down to half
the cap. The downloads that were running when it paused finish and their pages
wait their turn: none is dropped. Stats: ``newscrawl/extraction/pending_max``
(never above the cap), ``newscrawl/extraction/held_max`` (with the pages waiting
for their turn), ``newscrawl/extraction/paused`` (times the cap paused downloads).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import traceback
from collections import deque
from urllib.parse import urlsplit
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import Page
from newscrawl.follow.links import LinkRules, link_rules_from_settings
from pipelines.extraction import SiteRules, extract_or_reason

logger = logging.getLogger(__name__)


def _warm_up(rules: SiteRules | None = None, link_rules: LinkRules | None = None) -> None:
    """Run in each worker process at start: pay the imports before the first page; keep the rules."""
    import pipelines.extraction  # noqa: F401

    global _worker_rules, _worker_link_rules, _watching_parent
    if not _watching_parent:
        # What the imports made lives as long as the worker: frozen, it is left out of the
        # collector's passes (which a large page's garbage triggers: ~2% of its CPU).
        gc.freeze()
        # A crawler killed outright (SIGKILL, the OOM killer) cannot stop its pool: each worker
        # holds both ends of its task queue, so it would wait for work forever. It leaves instead.
        _watching_parent = True
        parent = multiprocessing.parent_process()
        if parent is not None:
            threading.Thread(target=_leave_with_parent, args=(parent.sentinel,), name="parent-watch",
                             daemon=True).start()
    if rules is not None:
        _worker_rules = rules
    if link_rules is not None:
        _worker_link_rules = link_rules


def _leave_with_parent(sentinel: int) -> None:
    """In a worker process: exit as soon as the process that started it is gone (its sentinel,
    a pipe the parent holds open, becomes readable; unlike ``getppid`` this holds even when the
    parent died before the worker got here)."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


# In a worker process: whether it watches for its crawler's end (started once).
_watching_parent = False
# In a worker process: the crawl's site rules and link rules, sent once at start.
_worker_rules: SiteRules | None = None
_worker_link_rules: LinkRules | None = None


def extract_batch(pages: list[Page]) -> list[tuple[bool, object]]:
    """In a worker process: ``extract_or_reason`` on each page; (True, Article or reason) or (False, traceback text)."""
    out: list[tuple[bool, object]] = []
    for page in pages:
        try:
            out.append((True, extract_or_reason(page, _worker_rules, True, _worker_link_rules)))
        except Exception:
            out.append((False, traceback.format_exc()))
    return out


def extraction_processes(settings) -> int:
    """``EXTRACTION_PROCESSES``: None (default) = one per core; 0 = threads; a one-line error otherwise."""
    value = settings.get("EXTRACTION_PROCESSES")
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "auto")):
        return os.cpu_count() or 1
    try:
        processes = int(value)
    except (TypeError, ValueError):
        processes = -1
    if processes < 0:
        raise ValueError(f"EXTRACTION_PROCESSES={value!r}: give a number of processes (0: threads in "
                             "the crawler's process; unset: one per core)")
    return processes


def article_outcome(page: Page, rules: SiteRules | None, link_rules: LinkRules | None) -> tuple[str, object]:
    """What this pipeline decides for one Page, as plain data (the Spark replay's executors call it):
    ("unchanged", None) for a revisit, ("article", Article), ("declined", reason) or ("error", traceback)."""
    if page.capture == "revisit":
        return "unchanged", None
    try:
        result = extract_or_reason(page, rules, True, link_rules)
    except Exception:
        return "error", traceback.format_exc()
    return ("declined", result) if isinstance(result, str) else ("article", result)


class _PoolBroken(Exception):
    pass


class ArticleExtractionPipeline:
    """Turns HTML article pages into Article items and drops every other Page."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.processes = extraction_processes(crawler.settings)
        self.threads = max(1, crawler.settings.getint("EXTRACTION_THREADS"))
        # Per-site rules (versioned); a bad rule stops the crawl at start-up with RuleError.
        self.site_rules = SiteRules(crawler.settings.getdict("EXTRACTION_SITE_RULES"))
        # For Pages whose Latest World News links are not found yet (a replay's): related_urls.
        self.link_rules = link_rules_from_settings(crawler.settings)
        self.batch_size = max(1, crawler.settings.getint("EXTRACTION_BATCH_SIZE", 8))
        self._queue: deque[tuple[Page, asyncio.Future]] = deque()  # pages waiting for room in the processes
        self._tasks = 0  # batches submitted and not yet back
        self._flush_scheduled = False
        self._executor = self._new_executor()
        self._latest_by_host: dict[str, tuple[int, int]] = {}  # host → (Latest-linked pages, declined)
        self.crawler = crawler
        self.max_pending = max(1, crawler.settings.getint("EXTRACTION_MAX_PENDING", 256))
        self._pending = 0  # pages queued for or in extraction (at most max_pending)
        self._held = 0  # those and the pages waiting for their turn
        self._turns: asyncio.Semaphore | None = None
        self._paused = False  # whether this pipeline paused the engine (and so must resume it)
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArticleExtractionPipeline":
        return cls(crawler)

    def _new_executor(self) -> Executor:
        if self.processes:
            # "spawn": a fork would copy the reactor, its threads and their locks.
            return ProcessPoolExecutor(max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_warm_up, initargs=(self.site_rules, self.link_rules))
        return ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="extract")

    async def open_spider(self) -> None:
        # How extraction runs in this crawl: N worker processes, or 0 (threads of this process).
        self.stats.set_value("newscrawl/extraction/processes", self.processes)
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
        self._hold()
        try:
            if self._turns is None:
                self._turns = asyncio.Semaphore(self.max_pending)
            async with self._turns:
                self._pending += 1
                self.stats.max_value("newscrawl/extraction/pending_max", self._pending)
                try:
                    article = await self._extract(item)
                finally:
                    self._pending -= 1
        finally:
            self._release()
        if isinstance(article, str):
            self._declined(item, article)
            raise DropItem(f"not an article: {item.url} ({article})", log_level="DEBUG")
        self._linked(item, declined=False)
        self.stats.inc_value("newscrawl/articles")
        if item.capture:
            self.stats.inc_value(f"newscrawl/articles/{item.capture}")
        return article

    async def _extract(self, item: Page):
        """The Article or the reason it is not one; DropItem when extraction failed."""
        if self.processes:
            ok, article = await self._in_process(item)
            if not ok:
                self.stats.inc_value("newscrawl/extraction/errors")
                if isinstance(article, _PoolBroken):
                    self.stats.inc_value("newscrawl/extraction/broken_pool")
                else:
                    logger.error("Extraction failed for %s\n%s", item.url, article)
                raise DropItem(f"extraction failed: {item.url}")
        else:
            try:
                article = await asyncio.wrap_future(
                    self._executor.submit(extract_or_reason, item, self.site_rules, True, self.link_rules))
            except Exception:
                logger.exception("Extraction failed for %s", item.url)
                self.stats.inc_value("newscrawl/extraction/errors")
                raise DropItem(f"extraction failed: {item.url}") from None
        return article

    # -- bounded work in flight: EXTRACTION_MAX_PENDING ------------------------------

    def _hold(self) -> None:
        self._held += 1
        self.stats.max_value("newscrawl/extraction/held_max", self._held)
        if self._held >= self.max_pending and not self._paused:
            engine = self.crawler.engine
            if engine is None or engine.paused:  # paused by someone else: theirs to resume
                return
            if not self.stats.get_value("newscrawl/extraction/paused"):
                logger.info("%d pages are waiting for extraction (EXTRACTION_MAX_PENDING=%d): downloads paused "
                            "until half of them are done (counted in newscrawl/extraction/paused)",
                            self._held, self.max_pending)
            self.stats.inc_value("newscrawl/extraction/paused")
            engine.pause()
            self._paused = True

    def _release(self) -> None:
        self._held -= 1
        if self._paused and self._held <= self.max_pending // 2:
            self._paused = False
            engine = self.crawler.engine
            if engine is not None:
                engine.unpause()
                # Start the next downloads now rather than at the engine's next heartbeat (seconds away).
                nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
                if nextcall is not None:
                    nextcall.schedule()

    # -- declined pages: one line each, a counter per reason, a warning per host -----

    def _declined(self, page: Page, reason: str) -> None:
        self.stats.inc_value("newscrawl/pages/not_article")
        self.stats.inc_value(f"newscrawl/pages/not_article/{reason}")
        logger.info("Not an article: %s (%s)", page.url, reason)
        self._linked(page, declined=True)

    def _linked(self, page: Page, declined: bool) -> None:
        """Count the pages a Latest World News link led to, per host, and those declined."""
        if page.via != "latest":
            return
        host = urlsplit(page.url).netloc
        seen, lost = self._latest_by_host.get(host, (0, 0))
        self._latest_by_host[host] = (seen + 1, lost + declined)

    def summary(self) -> None:
        """At the end of the crawl: how many pages were declined, and where extraction looks broken."""
        declined = self.stats.get_value("newscrawl/pages/not_article") or 0
        if declined:
            reasons = {k.rsplit("/", 1)[1]: v for k, v in self.stats.get_stats().items()
                       if k.startswith("newscrawl/pages/not_article/")}
            logger.info("Declined %d page(s) as not articles: %s", declined,
                        ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
        for host, (seen, lost) in sorted(self._latest_by_host.items()):
            if lost and lost * 4 > seen:
                self.stats.set_value(f"newscrawl/hosts_mostly_declined/{host}", lost)
                logger.warning("%d of %d pages that Latest World News links led to on %s were declined as not "
                               "articles: extraction is probably broken on that site (reasons in the lines "
                               "'Not an article: ...')", lost, seen, host)

    # -- batches to the worker processes ------------------------------------------

    def _in_process(self, page: Page) -> asyncio.Future:
        """(True, Article or None) or (False, traceback text or _PoolBroken) for ``page``, from a worker."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((page, future))
        if not self._flush_scheduled:
            # at the end of this turn of the loop: pages queued in the same turn share a batch
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._flush_scheduled = False
        loop = asyncio.get_running_loop()
        while self._queue and self._tasks < 2 * self.processes:
            batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            executor = self._executor
            try:
                task = executor.submit(extract_batch, [page for page, _ in batch])
            except BrokenProcessPool:
                # The pool broke since the last batch (its own pages are dropped when they come back):
                # these pages were not in it, so they go to a new pool.
                self._replace(executor)
                try:
                    task = self._executor.submit(extract_batch, [page for page, _ in batch])
                except RuntimeError as exc:
                    self._deliver(self._executor, batch, None, exc)
                    continue
                executor = self._executor
            self._tasks += 1
            task.add_done_callback(
                lambda t, batch=batch, executor=executor: loop.call_soon_threadsafe(self._done, executor, batch, t))

    def _done(self, executor: Executor, batch: list[tuple[Page, asyncio.Future]], task) -> None:
        self._tasks -= 1
        if task.cancelled():  # cancelled by the shutdown of a broken pool before it started: on the new pool
            self._queue.extendleft(reversed(batch))
        else:
            exc = task.exception()
            self._deliver(executor, batch, None if exc else task.result(), exc)
        if self._queue and not self._flush_scheduled:
            self._flush()

    def _deliver(self, executor: Executor, batch, results, exc: BaseException | None) -> None:
        if exc is None:
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
            return
        if isinstance(exc, (BrokenProcessPool, RuntimeError)):  # RuntimeError: a submit to a pool shut down
            # A worker died (a crash in a C extension, the OOM killer): a new pool for the pages after these.
            logger.error("An extraction process died while extracting %s; starting new ones",
                         ", ".join(page.url for page, _ in batch))
            self._replace(executor)
            outcome: tuple[bool, object] = (False, _PoolBroken())
        else:  # e.g. a page that cannot be pickled
            outcome = (False, "".join(traceback.format_exception(exc)))
        for _, future in batch:
            if not future.done():
                future.set_result(outcome)

    def _replace(self, executor: Executor) -> None:
        """A new pool instead of ``executor``, a broken one (once, whichever batch notices first)."""
        if self._executor is executor:
            executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.summary()
