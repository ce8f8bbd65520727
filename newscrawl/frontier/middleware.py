"""The frontier's middlewares: start URLs pushed once, per-host slots for the cluster, where a request ends.

All three stand aside (``NotConfigured``) unless ``CRAWL_FRONTIER`` is set.

* ``FrontierStartMiddleware`` (spider middleware, closest to the engine): the
  spider's ``async def start()`` is read to its end and its requests pushed
  in one atomic script: the first worker of the crawl pushes them, the others
  find them in. It also tells the frontier when the engine is done with a
  page: after the last output of its callback has gone to the engine (so its
  new requests are queued before its lease goes), or when its callback failed.
* ``FrontierSlotMiddleware`` (downloader middleware, next to the downloader):
  ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` hold for the whole
  cluster: before a request goes out it takes one of the host's slots in Redis
  (at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` at a time, starts at least
  ``DOWNLOAD_DELAY`` apart by the server's clock), and gives it back when the
  response (or failure) is in (a slot lives ``FRONTIER_LEASE_TIMEOUT``, renewed
  while its download lasts, so a dead worker's slots free up as its leases do).
  The worker's own downloader then adds no delay
  of its own to that host (it would only stack on the cluster's).
* ``FrontierEndMiddleware`` (downloader middleware, closest to the engine):
  a download that failed for good (no retry, no redirect; refused by robots.txt,
  the guard, the recrawl policy) ends its request there.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Iterable

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.config import get_duration, is_distributed
from newscrawl.meta import DATE_META, FRONTIER_DELIVERY, FRONTIER_ENDED, FRONTIER_LEASE, FRONTIER_PARENT, FRONTIER_SLOT

from .scheduler import host_key

logger = logging.getLogger(__name__)

_LEASE_KEYS = (FRONTIER_LEASE, FRONTIER_DELIVERY, FRONTIER_ENDED, FRONTIER_PARENT, FRONTIER_SLOT)


class _FrontierComponent:
    def __init__(self, crawler: Crawler):
        if not is_distributed(crawler.settings):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    @property
    def frontier(self):
        """The FrontierScheduler (built when the spider opens, after the middlewares)."""
        return getattr(self.crawler, "newscrawl_frontier", None)


class FrontierStartMiddleware(_FrontierComponent):
    """Start requests pushed once for the crawl; the end of each page's processing reported."""

    async def process_start(self, start: AsyncIterator) -> AsyncIterator:
        requests = []
        async for item_or_request in start:
            if isinstance(item_or_request, Request):
                requests.append(item_or_request)
            else:
                yield item_or_request
        if self.frontier is None:  # no frontier scheduler (SCHEDULER replaced): plain start
            for request in requests:
                yield request
            return
        await self.frontier.seed(requests)

    def _outputs(self, response, output):
        if isinstance(output, Request):
            for key in _LEASE_KEYS:  # a callback copying its response's meta: still a new request
                output.meta.pop(key, None)
            request = getattr(response, "request", None)
            if request is not None and self.frontier is not None:
                # Scrapy may hold it a while before scheduling it: the page's lease waits for it.
                self.frontier.child(request, output)
        return output

    def process_spider_output(self, response, result: Iterable) -> Iterable:
        try:
            for output in result:
                yield self._outputs(response, output)
        finally:
            self._ended(response)

    async def process_spider_output_async(self, response, result: AsyncIterator) -> AsyncIterator:
        try:
            async for output in result:
                yield self._outputs(response, output)
        finally:
            self._ended(response)

    def process_spider_exception(self, response, exception):
        self._ended(response)
        return None

    def _ended(self, response) -> None:
        request = getattr(response, "request", None)
        if request is not None and self.frontier is not None:
            self.frontier.ended(request)


class FrontierEndMiddleware(_FrontierComponent):
    """A download that failed for good: its request ends (no middleware made a retry or redirect of it)."""

    def process_exception(self, request: Request, exception: Exception):
        if self.frontier is not None:
            self.frontier.ended(request)
        return None


class FrontierSlotMiddleware(_FrontierComponent):
    """Per-host politeness for the whole cluster, in Redis (see the module docstring)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay_ms = int(round(settings.getfloat("DOWNLOAD_DELAY") * 1000))
        # A slot lives as long as a lease, renewed like one: a dead worker's slots free up as its leases do.
        self.life_ms = int(get_duration(settings, "FRONTIER_LEASE_TIMEOUT", 1.0) * 1000)
        self._tokens = itertools.count(1)
        self._held: dict[str, str] = {}  # token → host, while its request is downloaded
        self._renewer: asyncio.Task | None = None
        self._releases: set[asyncio.Task] = set()
        self._host_locks: dict[str, asyncio.Lock] = {}
        crawler.signals.connect(self.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(max(0.2, self.life_ms / 3000))
            frontier = self.frontier
            held = list(self._held.items())
            if held and frontier is not None and frontier.redis is not None:
                await frontier.redis.run("RENEW_SLOTS", [frontier.keys.slots(h) for _, h in held],
                                         [self.life_ms, *(t for t, _ in held)])

    def spider_closed(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()

    async def process_request(self, request: Request):
        frontier = self.frontier
        if frontier is None or frontier.redis is None:
            return None
        host = host_key(request)
        keys = [frontier.keys.slots(host), frontier.keys.next_start(host)]
        token = f"{frontier.worker}:{next(self._tokens)}"
        life_ms = self.life_ms
        if self._renewer is None:
            self._renewer = asyncio.ensure_future(self._renew_loop())
        waited = False
        # One request per host at a time asks Redis (the others queue behind it here, in order).
        lock = self._host_locks.get(host)
        if lock is None:
            lock = self._host_locks[host] = asyncio.Lock()
        async with lock:
            while True:
                granted, value = await frontier.redis.run("ACQUIRE_SLOT", keys,
                                                          [token, self.concurrency, self.delay_ms, life_ms])
                if granted:
                    break
                waited = True
                await asyncio.sleep(max(int(value), 10) / 1000)
        if waited:
            self.crawler.stats.inc_value("frontier/slot_waits")
        # The grant's time by Redis's clock and by ours: when the request really goes out is measured
        # by ours (DATE_META), and the host's next start is counted from then (see _release).
        request.meta[FRONTIER_SLOT] = (host, token, int(value), time.time())
        self._held[token] = host
        return None

    def request_reached_downloader(self, request: Request) -> None:
        if FRONTIER_SLOT not in request.meta:
            return
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(request.meta.get("download_slot")) if engine else None
        if slot is not None and slot.delay:
            slot.delay = 0  # the cluster's slot spaced this request already
        # It goes out now, maybe well after its grant (a busy reactor): the host's next start counts from now.
        host, _, granted_ms, granted_at = request.meta[FRONTIER_SLOT]
        late_ms = int((time.time() - granted_at) * 1000)
        frontier = self.frontier
        if self.delay_ms and late_ms > 0 and frontier is not None and frontier.redis is not None:
            self._background(frontier.redis.run("BUMP_NEXT", [frontier.keys.next_start(host)],
                                                [granted_ms + late_ms + self.delay_ms, self.delay_ms + 60_000]))

    def _background(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(FRONTIER_SLOT, None)
        frontier = self.frontier
        if held is None or frontier is None or frontier.redis is None:
            return
        host, token, granted_ms, granted_at = held
        self._held.pop(token, None)
        args = [token]
        sent = request.meta.get(DATE_META)
        if self.delay_ms and sent is not None:
            # Sent later than granted (a new connection, a busy reactor): the next request to the host
            # waits DOWNLOAD_DELAY from the moment this one went out, by Redis's clock.
            late_ms = int((sent.timestamp() - granted_at) * 1000)
            if late_ms > 0:
                args += [granted_ms + late_ms + self.delay_ms, self.delay_ms + 60_000]
        self._background(frontier.redis.run(
            "RELEASE_SLOT", [frontier.keys.slots(host), frontier.keys.next_start(host)], args))

    def process_response(self, request: Request, response):
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception):
        self._release(request)
        return None
