"""The frontier's middlewares: start URLs pushed once, per-host slots for the cluster, where a request ends.

Both stand aside (``NotConfigured``) unless ``CRAWL_FRONTIER`` is set.

* ``FrontierStartMiddleware`` (spider middleware, closest to the engine): the
  spider's ``async def start()`` is read to its end and its requests pushed
  in one atomic script: the first worker of the crawl pushes them, the others
  find them in. It also tells the frontier when the engine is done with a
  page: after the last output of its callback has gone to the engine (so its
  new requests are queued before its lease goes), or when its callback failed.
* ``FrontierSlotMiddleware`` (downloader middleware, next to the downloader):
  ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` (or the host's
  ``DOWNLOAD_SLOTS`` entry) hold for the whole cluster: before a request goes out it takes one of the host's slots in Redis
  and gives it back when its response (or failure) is in
  (``request_left_downloader``). Without a delay, at most
  ``CONCURRENT_REQUESTS_PER_DOMAIN`` at a time. With one, a single request to
  the host at a time, the next one starting ``DOWNLOAD_DELAY`` after the
  previous response came in (by Redis's clock): the server saw that request
  before answering it, so the starts it sees are at least ``DOWNLOAD_DELAY``
  apart whatever the way there took (a new connection, a busy machine). A slot
  lives ``FRONTIER_LEASE_TIMEOUT``, renewed while its download lasts, so a dead
  worker's slots free up as its leases do. The worker's own downloader then
  adds no delay of its own to that host (it would only stack on the cluster's).
* Where a request ends when no middleware sees it end (its download failed and
  went to its errback, whatever yielded requests that errback made): the
  scheduler finds it once the engine holds nothing of it
  (``FrontierScheduler._sweep``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Iterable

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.config import get_duration, is_distributed
from newscrawl.meta import FRONTIER_DELIVERY, FRONTIER_ENDED, FRONTIER_LEASE, FRONTIER_PARENT, FRONTIER_SLOT

from .scheduler import Politeness, host_key

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


class FrontierSlotMiddleware(_FrontierComponent):
    """Per-host politeness for the whole cluster, in Redis (see the module docstring)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.politeness = Politeness(settings)
        # A slot lives as long as a lease, renewed like one: a dead worker's slots free up as its leases do.
        self.life_ms = int(get_duration(settings, "FRONTIER_LEASE_TIMEOUT", 1.0) * 1000)
        self._tokens = itertools.count(1)
        self._held: dict[str, str] = {}  # token → host, while its request is downloaded
        self._renewer: asyncio.Task | None = None
        self._releases: set[asyncio.Task] = set()
        self._host_locks: dict[str, asyncio.Lock] = {}
        crawler.signals.connect(self.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.request_left_downloader, signal=signals.request_left_downloader)
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
        if self._renewer is None:
            self._renewer = asyncio.ensure_future(self._renew_loop())
        concurrency, delay_ms = self.politeness.of(request)
        # Polling for a busy host's slot: often enough that its DOWNLOAD_DELAY is not stretched by much.
        poll_ms = min(250, max(10, delay_ms // 4)) if delay_ms else 10
        waited = False
        # One request per host at a time asks Redis (the others queue behind it here, in order).
        lock = self._host_locks.get(host)
        if lock is None:
            lock = self._host_locks[host] = asyncio.Lock()
        async with lock:
            while True:
                granted, value = await frontier.redis.run("ACQUIRE_SLOT", keys,
                                                          [token, concurrency, delay_ms, self.life_ms])
                if granted:
                    break
                waited = True
                # -1: the host's requests in flight must come back first (no telling when: ask again soon).
                await asyncio.sleep((poll_ms if int(value) < 0 else max(int(value), 1)) / 1000)
        if waited:
            self.crawler.stats.inc_value("frontier/slot_waits")
        request.meta[FRONTIER_SLOT] = (host, token, delay_ms)
        self._held[token] = host
        return None

    def request_reached_downloader(self, request: Request) -> None:
        if FRONTIER_SLOT not in request.meta:
            return
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(request.meta.get("download_slot")) if engine else None
        if slot is not None and slot.delay:
            slot.delay = 0  # the cluster's slot spaced this request already

    def request_left_downloader(self, request: Request) -> None:
        """Its response (or failure) is in: the slot goes back, and the host's next start counts from now."""
        self._release(request)

    def _background(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(FRONTIER_SLOT, None)
        frontier = self.frontier
        if held is None or frontier is None or frontier.redis is None:
            return
        host, token, delay_ms = held
        self._held.pop(token, None)
        self._background(frontier.redis.run(
            "RELEASE_SLOT", [frontier.keys.slots(host), frontier.keys.next_start(host)], [token, delay_ms]))

    # A request that never reached the downloader (a later middleware answered or failed it) still gives
    # its slot back; one that did was released by request_left_downloader already.
    def process_response(self, request: Request, response):
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception):
        self._release(request)
        return None
