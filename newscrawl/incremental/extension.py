"""The run's crawl state and lock: ``CrawlStateExtension``.

It opens the state (``CRAWL_STATE``) and takes the crawl's lock before any
other component exists, so a second run of the same crawl stops before it
touches anything; it refreshes the lock while the run lasts and releases it at
the end. What is fetched again is decided in ``policy`` and applied per request
by ``middleware.RecrawlPolicyMiddleware``.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newscrawl.config import StartupError, check_state_uri, frontier_url, get_bool, get_duration
from newscrawl.incremental.policy import is_fresh
from newscrawl.incremental.run import CrawlRun, RunAlreadyDone
from newscrawl.incremental.state import CrawlLocked, CrawlState, LockLost, state_from_settings
from newscrawl.safety.redact import redact

logger = logging.getLogger(__name__)

LOCK_LOST = "lock_lost"  # the close reason of a run that lost its lock (`scrapy crawl` exits 6)


class StateUnavailable(StartupError):
    """The crawl state (and so its lock) cannot be reached: nothing may start."""


class CrawlStateExtension:
    """Holds the crawl's state and lock for the whole run.

    The lock is given up on every way out: at ``engine_stopped``, by
    ``release_lock(crawler)`` when the crawl fails to start (``scrapy crawl``
    calls it), and at interpreter exit as a last resort. It is refreshed every
    third of ``CRAWL_LOCK_TTL``; when another run holds it, or refreshing has
    failed for so long that it may have expired, the crawl stops with reason
    ``lock_lost``.

    A distributed crawl (``CRAWL_FRONTIER=redis...``) has no lock of its own:
    its workers share one run (``newscrawl.incremental.run``), joined here
    instead, kept by the same refresher and left at the end (the crawl done,
    when this worker's spider finished).
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.crawl_name = settings.get("CRAWL_NAME") or (crawler.spidercls.name if crawler.spidercls else "crawl")
        self.lock_ttl = get_duration(settings, "CRAWL_LOCK_TTL", 3.0)
        self.interval = max(1.0, self.lock_ttl / 3)
        self.recrawl_after = get_duration(settings, "RECRAWL_ARTICLES_AFTER", allow_never=True)
        check_state_uri(settings)
        where = redact(str(settings.get("CRAWL_STATE") or ".newscrawl/state.sqlite"))
        frontier = frontier_url(settings)  # a bad CRAWL_FRONTIER: SettingError (exit 2)
        self.run: CrawlRun | None = None
        self.finish_reason: str | None = None
        try:
            self.state: CrawlState = state_from_settings(settings.get("CRAWL_STATE"), settings.get("REDIS_URL"),
                                                          self.crawl_name)
            if frontier:
                where = f"CRAWL_FRONTIER {redact(frontier)}"
                self.run = CrawlRun.from_url(frontier, self.crawl_name, self.lock_ttl)
                self.run.join(settings.get("CRAWL_ID"), wait=get_duration(settings, "CRAWL_RUN_WAIT", 0.0))
            else:
                where = f"CRAWL_STATE {where}"
                self.state.acquire(self.crawl_name, self.lock_ttl)
        except RunAlreadyDone as exc:
            logger.info("Not starting: %s. Nothing was fetched or written.", exc)
            self._close_quietly()
            raise
        except CrawlLocked as exc:
            logger.error("Not starting: %s. Nothing was fetched or written.", exc)
            self._close_quietly()
            raise
        except Exception as exc:
            self._close_quietly()
            logger.debug("The crawl state could not be opened", exc_info=True)
            raise StateUnavailable(f"{where}: cannot take the crawl's lock"
                                   f" ({type(exc).__name__}: {redact(str(exc))})") from exc
        self._held = True
        self._release_mutex = threading.Lock()
        self._last_refresh = time.monotonic()
        crawler.newscrawl_state_extension = self  # for release_lock() when the start fails
        atexit.register(self._release)
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
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def run_id(self) -> str | None:
        """The id of the distributed run this worker joined (its WARCs' ``isPartOf``), or None."""
        return self.run.run_id if self.run is not None else None


    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlStateExtension":
        if not get_bool(crawler.settings, "CRAWL_STATE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def _close_quietly(self) -> None:
        run = getattr(self, "run", None)
        if run is not None:
            run.close()
        state = getattr(self, "state", None)
        if state is not None:
            try:
                state.close()
            except Exception:  # closing after a failure must not hide it
                logger.debug("Closing the crawl state failed", exc_info=True)

    def engine_started(self) -> None:
        self._last_refresh = time.monotonic()
        self._refresher.start(self.interval, now=False).addErrback(
            lambda failure: logger.error("The lock refresher stopped: %s", failure.getErrorMessage()))

    def _refresh(self):
        return deferred_from_coro(self._refresh_async())

    async def _refresh_async(self) -> None:
        try:
            await asyncio.to_thread(self.run.refresh if self.run is not None else self.state.refresh)
        except LockLost as exc:
            self._lost(str(exc))
            return
        except Exception as exc:
            self.crawler.stats.inc_value("newscrawl/lock/refresh_failed")
            why = f"{type(exc).__name__}: {redact(str(exc))}"
            # Stop while the lock is surely still ours: before the next try could come too late.
            if time.monotonic() + self.interval >= self._last_refresh + self.lock_ttl:
                self._lost(f"could not refresh it for {time.monotonic() - self._last_refresh:.0f} s ({why})")
            else:
                logger.error("Could not refresh the lock of crawl %r (%s); trying again in %.0f s",
                             self.crawl_name, why, self.interval)
            return
        self._last_refresh = time.monotonic()

    def _lost(self, why: str) -> None:
        self.crawler.stats.set_value("newscrawl/lock/lost", 1)
        self._held = False  # release() would only find another run's lock
        if self._refresher.running:
            self._refresher.stop()
        logger.error("Lost the lock of crawl %r: %s. Stopping: no new requests, the run exits 6.",
                     self.crawl_name, why)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            asyncio.ensure_future(engine.close_spider_async(reason=LOCK_LOST))

    def spider_closed(self, reason: str) -> None:
        self.finish_reason = reason

    async def engine_stopped(self) -> None:
        if self._refresher.running:
            self._refresher.stop()
        await asyncio.to_thread(self._release)

    def _release(self) -> None:
        with self._release_mutex:
            if not self._held:
                return
            self._held = False
            try:
                if self.run is not None:
                    # The crawl is done for everyone once one worker's spider finished; any other reason
                    # (lock lost, killed, a limit) leaves the run open for the others.
                    self.run.leave(done=self.finish_reason == "finished")
                else:
                    self.state.release()
            except Exception as exc:
                logger.error("Could not release the lock of crawl %r (%s: %s); it expires in at most %.0f s",
                             self.crawl_name, type(exc).__name__, redact(str(exc)), self.lock_ttl)
            finally:
                self._close_quietly()
            atexit.unregister(self._release)

    @property
    def nothing_stored_before(self) -> bool:
        if self._nothing_stored_before is None:
            # Other workers of a distributed run write to the same state: always asked.
            is_empty = getattr(self.state, "is_empty", None) if self.run is None else None
            self._nothing_stored_before = bool(is_empty and is_empty())
        return self._nothing_stored_before

    def is_fresh(self, url: str) -> bool:
        """True when the URL's last stored capture is recent enough not to fetch it again."""
        return is_fresh(self.state.get(url), self.recrawl_after, time.time())


def release_lock(crawler: Crawler) -> None:
    """Give up the crawl's lock after a failed start (the engine never ran, so ``engine_stopped`` never came)."""
    extension = getattr(crawler, "newscrawl_state_extension", None)
    if extension is not None:
        extension._release()
