"""``FrontierScheduler``: Scrapy's scheduler, or, with ``CRAWL_FRONTIER``, a worker of a crawl shared on Redis.

The design is scrapy-redis's (a scheduler whose queue and duplicate filter are
Redis keys, requests pickled with ``Request.to_dict``), with what it lacks:

* **leases** instead of destructive pops: a request taken from the queue is
  held under a lease (``FRONTIER_LEASE_TIMEOUT``, renewed every third of it
  while the worker lives). It is done, and its lease deleted, only once the
  engine is done with it (page parsed and the requests it led to queued, or the
  download failed for good), and its exchanges are durable: written to this
  worker's WARC file and fsynced (the archive's ``sync_captures``, one fsync per
  ``FRONTIER_SYNC_INTERVAL`` for all). A lease that runs out (a killed worker)
  puts its request back where it was in its host's queue, for any worker.
  Retries and redirects of a leased request stay with its lease, on this worker.
* **a queue per host**: each host's requests wait in a queue of their own,
  the higher priority first, then in the order pushed; workers take from the
  hosts in turn, and never more of a host's requests at a time than it can
  start soon (``Politeness.lease_cap``: a host held back by its
  ``DOWNLOAD_DELAY`` has two out at most), so a slow host never fills a
  worker's ``CONCURRENT_REQUESTS`` while other hosts wait.
* **a fair share of each host**: a worker that asks with room to spare and
  gets none of a host waits for it; a lease of the host that ends goes to the
  worker that has waited longest, and none holds more than its share of the
  host's cap while others wait (scripts.py, ``_FAIR``), so the worker that has
  just finished a request, and asks again at once, does not keep them all.
* **done means done for everyone**: the crawl is over when the queue has been
  empty and no lease outstanding for ``FRONTIER_IDLE`` seconds (Redis keeps
  the time); until then an idle worker stays (``DontCloseSpider``) and asks
  for work; then every worker closes with reason ``finished``.
* **never flushed at close**: what a worker cannot finish when it stops goes
  back to the queue; nothing else is touched (``scrapy frontier --clear``).
* **never blocking the reactor**: redis.asyncio, with pushes and acks sent in
  order in pipelines by one task; an outage pauses the crawl (client.py).

Order is what makes it lose nothing: a page's new requests are pushed before
its lease is acknowledged, on the same ordered pipe, so at every moment each
request still to fetch is either queued or under a lease. Without
``CRAWL_FRONTIER``, ``from_crawler`` returns Scrapy's own scheduler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import socket
import time
from collections import deque
from datetime import datetime, timezone

from scrapy import Request, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.request import request_from_dict

from newscrawl.config import StartupError, frontier_url, get_duration
from newscrawl.meta import FRONTIER_DELIVERY, FRONTIER_ENDED, FRONTIER_LEASE, FRONTIER_PARENT
from newscrawl.signals import exchange_archived, sync_captures

from .client import FrontierRedis
from .status import FrontierKeys, worker_name

logger = logging.getLogger(__name__)


def host_key(request: Request) -> str:
    """The host a request counts against for politeness and per-host counts: ``host[:port]``, lower case."""
    return (urlparse_cached(request).netloc or "-").lower()


class Politeness:
    """``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` of a request's host for the cluster: Scrapy's
    ``DOWNLOAD_SLOTS`` entry for its host name (``concurrency``, ``delay``) first, else the settings."""

    def __init__(self, settings):
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self.slots = settings.getdict("DOWNLOAD_SLOTS")

    def of(self, request: Request) -> tuple[int, int]:
        """(concurrency, delay in ms) for the request's host."""
        slot = self.slots.get(urlparse_cached(request).hostname or "") or {}
        return (max(1, int(slot.get("concurrency", self.concurrency))),
                int(round(float(slot.get("delay", self.delay)) * 1000)))

    def lease_cap(self, request: Request) -> int:
        """At most this many of the host's requests leased at a time, cluster-wide: with a delay, one in flight
        and one waiting for its turn (more would only sit in workers' downloaders, keeping other hosts out);
        without, four per request it may have in flight (a lease lasts past its download, while its page is
        parsed and its exchange fsynced: fewer would leave a fast host's slots unused)."""
        concurrency, delay_ms = self.of(request)
        return 2 if delay_ms else 4 * concurrency


class Lease:
    """A request this worker holds: what must still happen before it is done."""

    __slots__ = ("id", "host", "url", "parts", "children", "unsynced", "waiting", "acked")

    def __init__(self, lease_id: str, host: str, url: str):
        self.id, self.host, self.url = lease_id, host, url
        self.parts = 1  # the request (or its retry/redirect) is still in the engine
        self.children = 0  # requests its page yielded that have not reached the scheduler yet
        self.unsynced = 0  # its exchanges written but not yet fsynced
        self.waiting = 0  # its redirects waiting for the crawl's duplicate filter
        self.acked = False


class FrontierScheduler(BaseScheduler):
    """A worker's view of the shared frontier (see the module docstring)."""

    # A worker with room that got nothing asks again after POLL_INTERVAL seconds, or WAITING_POLL_INTERVAL
    # when it waits for the lease of at most WAITING_POLL_HOSTS hosts (held for it meanwhile; more hosts make
    # a take cost Redis more: every one of them is looked at); a waiter that has not asked for WAITER_STALE
    # seconds (dead, or busy) holds nothing back any more (scripts.py, _FAIR).
    POLL_INTERVAL = 0.25
    WAITING_POLL_INTERVAL = 0.05
    WAITING_POLL_HOSTS = 50
    WAITER_STALE = 1.0

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        url = frontier_url(crawler.settings)
        if url is None:
            return ScrapyScheduler.from_crawler(crawler)
        return cls(crawler, url)

    def __init__(self, crawler: Crawler, url: str):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.lease_timeout = get_duration(settings, "FRONTIER_LEASE_TIMEOUT", 1.0)
        self.idle_after = get_duration(settings, "FRONTIER_IDLE", 0.0)
        self.sync_interval = get_duration(settings, "FRONTIER_SYNC_INTERVAL", strictly_positive=True)
        self.concurrency = settings.getint("CONCURRENT_REQUESTS")
        self.max_leases = 2 * self.concurrency
        self.crawl_name = settings.get("CRAWL_NAME") or (crawler.spidercls.name if crawler.spidercls else "crawl")
        self.keys = FrontierKeys(self.crawl_name)
        self.worker = worker_name()
        self.fingerprinter = crawler.request_fingerprinter
        self.politeness = Politeness(settings)
        self.local: deque[Request] = deque()
        self.leases: dict[str, Lease] = {}
        self.known: set[bytes] = set()  # fingerprints this worker pushed or found seen
        self.ops: list[tuple] = []
        self.redis: FrontierRedis | None = None
        self.spider = None
        self.closing = False
        self.finished = False
        self._tasks: list[asyncio.Task] = []
        self._ops_ready = asyncio.Event()
        self._room = asyncio.Event()
        self._written = asyncio.Event()
        self._idle = False
        self._sweep_soon = False
        # Once the crawl is done: {start URL: why} when not one of them gave a page on any worker (exit 5).
        self.no_seed_fetched: dict[str, str] | None = None
        self._lost: set[str] = set()  # leases that ran out while held (not renewed again)
        crawler.newscrawl_frontier = self  # the frontier's middlewares find it here

    # -- Scrapy's scheduler interface ------------------------------------------

    def open(self, spider):
        self.spider = spider
        return deferred_from_coro(self._open())

    async def _open(self) -> None:
        self.redis = FrontierRedis(self.url, self.stats)
        try:
            await asyncio.wait_for(self.redis.client.ping(), 10)
        except Exception as exc:
            await self.redis.close()
            raise StartupError(f"CRAWL_FRONTIER {self.redis.where}: cannot reach Redis"
                               f" ({type(exc).__name__}: {exc})") from exc
        await self._renew()
        self.crawler.signals.connect(self._exchange_archived, signal=exchange_archived)
        self.crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        for loop in (self._refill_loop, self._flush_loop, self._sync_loop, self._lease_loop, self._idle_loop):
            self._tasks.append(asyncio.ensure_future(loop()))
        logger.info("Joined the distributed crawl %r on Redis %s as worker %s (leases %.0f s, done after %.0f s"
                    " idle)", self.crawl_name, self.redis.where, self.worker, self.lease_timeout, self.idle_after)

    def close(self, reason: str):
        return deferred_from_coro(self._close(reason))

    def has_pending_requests(self) -> bool:
        return bool(self.local)

    def enqueue_request(self, request: Request) -> bool:
        parent = request.meta.pop(FRONTIER_PARENT, None)
        try:
            return self._enqueue(request)
        finally:
            if parent is not None:  # after its push: the page's lease may be done now, acked after it
                lease = self.leases.get(parent)
                if lease is not None:
                    lease.children -= 1
                    self._maybe_done(lease)

    def _enqueue(self, request: Request) -> bool:
        lease_id = request.meta.get(FRONTIER_LEASE)
        if lease_id is not None:
            if request.meta.pop(FRONTIER_DELIVERY, False):  # taken from Redis by _refill_loop
                self.local.append(request)
                return True
            lease = self.leases.get(lease_id)
            if lease is not None and not lease.acked:
                # A retry or redirect of a leased request: fetched here, under the same lease.
                self.stats.inc_value("frontier/continued")
                if request.dont_filter:
                    self.local.appendleft(request)
                else:  # followed once in the whole crawl, like Scrapy's dupefilter does with redirects
                    lease.waiting += 1
                    self._add_op(("see", self.fingerprinter.fingerprint(request), request, lease))
                return True
            del request.meta[FRONTIER_LEASE]
        fingerprint = self.fingerprinter.fingerprint(request)
        if not request.dont_filter:
            if fingerprint in self.known:
                self.stats.inc_value("dupefilter/filtered")
                return False
            self.known.add(fingerprint)
        self._add_op(("push", fingerprint, self._entry(request), request))
        return True

    def next_request(self) -> Request | None:
        # The engine asks after each request it is done with: look for leases that ended unseen, soon.
        if not self._sweep_soon:
            self._sweep_soon = True
            asyncio.get_running_loop().call_soon(self._sweep)
        if self.local:
            self._idle = False
            self.stats.inc_value("scheduler/dequeued/redis")
            return self.local.popleft()
        self._room.set()
        return None

    # -- what the middlewares tell us -------------------------------------------

    def ended(self, request: Request) -> None:
        """The engine is done with this request: its page parsed (requests queued), or failed for good."""
        if request.meta.get(FRONTIER_ENDED):
            return
        lease = self.leases.get(request.meta.get(FRONTIER_LEASE))
        if lease is None:
            return
        request.meta[FRONTIER_ENDED] = True
        lease.parts -= 1
        self._maybe_done(lease)

    def _sweep(self) -> None:
        """End the leases the engine no longer holds anything of, however their requests ended.

        The middlewares see most ends (a page parsed). Some no middleware sees: a download whose failure
        went to its errback without a page (an exception raised in a downloader middleware's
        ``process_response``, a refused connection), the requests that errback yielded scheduled
        meanwhile; a request a ``request_scheduled`` handler refused. Once the engine holds no request of
        a lease (not downloading, not scraping, not queued here, not waiting for the duplicate filter),
        nothing more can come of it: it is done (after the fsync of its exchanges).
        """
        self._sweep_soon = False
        if self.closing or self.finished:
            return
        held = self._held_by_engine()
        if held is None:
            return
        for lease in list(self.leases.values()):
            if lease.acked or lease.waiting or lease.id in held or (lease.parts <= 0 and lease.children <= 0):
                continue
            logger.debug("Lease %s (%s): the engine is done with it", lease.id, lease.url)
            lease.parts = lease.children = 0
            self._maybe_done(lease)

    def _held_by_engine(self) -> set[str] | None:
        """The leases of every request the engine holds now (downloading, scraping) or this scheduler queues."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) if engine is not None else None
        inprogress = getattr(slot, "inprogress", None)
        if inprogress is None:  # not open (or not the engine we know): leave it to the idle check
            return None
        scraper = getattr(engine.scraper, "slot", None)
        held = set()
        for group in (inprogress, engine.downloader.active, scraper.active if scraper else (), self.local):
            for request in group:
                lease_id = request.meta.get(FRONTIER_LEASE)
                if lease_id is not None:
                    held.add(lease_id)
        return held

    def child(self, response_request: Request, request: Request) -> None:
        """``request`` comes from the page of ``response_request``: its lease waits until it is queued."""
        lease = self.leases.get(response_request.meta.get(FRONTIER_LEASE))
        if lease is not None:
            lease.children += 1
            request.meta[FRONTIER_PARENT] = lease.id

    def _exchange_archived(self, request: Request, pointer=None) -> None:
        lease = self.leases.get(request.meta.get(FRONTIER_LEASE))
        if lease is not None:
            lease.unsynced += 1
            self._written.set()

    async def seed(self, requests: list[Request]) -> None:
        """Push the start requests, once for the whole crawl: the first worker's call pushes them all."""
        k = self.keys
        args: list = [self.worker, k.queue_prefix]
        for request in requests:
            args += [self.fingerprinter.fingerprint(request), self._entry(request), host_key(request), request.url,
                     request.priority, self.politeness.lease_cap(request)]
        pushed = await self.redis.run("SEED", [k.seeded, k.seen, k.hosts, k.stats, k.queued_by_host, k.seeds, k.qseq,
                                               k.host_cap], args)
        if pushed < 0:
            seeded = await self.redis.call(lambda: self.redis.client.get(k.seeded))
            logger.info("The start URLs of crawl %r are in already (pushed by worker %s); %d start request(s)"
                        " of this worker not pushed", self.crawl_name,
                        (seeded or b"?").decode().split(" ")[0], len(requests))
            self.stats.set_value("frontier/seeded", 0)
        else:
            logger.info("Pushed %d start request(s) of crawl %r (of %d; the others were duplicates)",
                        pushed, self.crawl_name, len(requests))
            self.stats.set_value("frontier/seeded", pushed)

    def seed_outcome(self, url: str, failed: str | None) -> None:
        """A start URL gave a page here (``failed`` None) or failed for good (why): for the whole crawl.

        Sent on the ordered pipe, so it is in Redis before the lease of its request is done: once the
        crawl is done, every seed's outcome is in.
        """
        self._add_op(("seed", url, failed or "ok"))

    async def _judge_seeds(self) -> None:
        """The crawl is done: when not one of its start URLs gave a page on any worker, which and why."""
        try:
            outcomes = await self.redis.call(lambda: self.redis.client.hgetall(self.keys.seeds))
        except Exception as exc:  # closing with Redis gone: no verdict (the exit code cannot say 5)
            logger.error("Could not read what became of the start URLs of crawl %r (%s: %s)", self.crawl_name,
                         type(exc).__name__, exc)
            return
        seeds = {url.decode(): why.decode() for url, why in outcomes.items()}
        if seeds and "ok" not in seeds.values():
            self.no_seed_fetched = {url: why or "no response" for url, why in sorted(seeds.items())}

    # -- leases -------------------------------------------------------------------

    def _entry(self, request: Request) -> bytes:
        data = request.to_dict(spider=self.spider)
        data["meta"] = {k: v for k, v in data.get("meta", {}).items()
                        if k not in (FRONTIER_LEASE, FRONTIER_DELIVERY, FRONTIER_ENDED, FRONTIER_PARENT)}
        return host_key(request).encode() + b" " + pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    def _maybe_done(self, lease: Lease) -> None:
        if lease.parts <= 0 and lease.children <= 0 and lease.unsynced <= 0 and lease.waiting <= 0 and not lease.acked:
            lease.acked = True
            self._add_op(("ack", lease))

    def _add_op(self, op: tuple) -> None:
        self.ops.append(op)
        self._ops_ready.set()

    def _deliver(self, lease_id: str, entry: bytes) -> None:
        host, _, payload = entry.partition(b" ")
        try:
            request = request_from_dict(pickle.loads(payload), spider=self.spider)
        except Exception as exc:
            # Not ours to drop silently: it stays leased and comes back; say so each time.
            self.stats.inc_value("frontier/undecodable")
            logger.error("Lease %s holds a request this worker cannot read (%s: %s); it goes back when its"
                         " lease runs out", lease_id, type(exc).__name__, exc)
            return
        request.meta[FRONTIER_LEASE] = lease_id
        request.meta[FRONTIER_DELIVERY] = True
        self.leases[lease_id] = Lease(lease_id, host.decode(), request.url)
        self.stats.inc_value("frontier/leased")
        if self.closing or self.crawler.engine is None or self.crawler.engine.spider is None:
            self.local.append(request)
            return
        self.crawler.engine.crawl(request)  # → enqueue_request → self.local; wakes the engine

    def _forget(self, lease: Lease) -> None:
        self.leases.pop(lease.id, None)
        self._lost.discard(lease.id)
        self._room.set()

    # -- background tasks -----------------------------------------------------------

    async def _refill_loop(self) -> None:
        k = self.keys
        while not self.closing:
            room = min(self.max_leases - len(self.leases), self.concurrency - len(self.local))
            if room <= 0 or self.finished:
                await _wait(self._room, 0.5)
                continue
            got = await self.redis.run("TAKE", [k.hosts, k.leases, k.lease_deadline, k.lease_worker, k.seq, k.stats,
                                                k.queued_by_host, k.taken_by_host, k.host_cap, k.lease_score, k.asking,
                                                k.wait_seq, k.hosts_cursor],
                                       [room, self.worker, int(self.lease_timeout * 1000), k.queue_prefix,
                                        k.holders_prefix, k.waiting_prefix, int(self.WAITER_STALE * 1000)])
            waits, got = int(got[0]), got[1:]
            if self.closing:
                for i in range(0, len(got), 2):  # too late to fetch them: straight back
                    self.leases[got[i].decode()] = Lease(got[i].decode(), "", "")
                    self._add_op(("give_back", self.leases[got[i].decode()]))
                break
            for i in range(0, len(got), 2):
                self._deliver(got[i].decode(), got[i + 1])
            if not got:
                # Waiting for a host's lease: it is held for this worker until it asks again, so ask soon.
                await _wait(self._room, self.WAITING_POLL_INTERVAL if 0 < waits <= self.WAITING_POLL_HOSTS
                            else self.POLL_INTERVAL)

    async def _flush_loop(self) -> None:
        while True:
            await self._ops_ready.wait()
            self._ops_ready.clear()
            while self.ops:
                batch = self.ops[:500]
                results = await self.redis.call(lambda: self._send(batch))
                del self.ops[:len(batch)]
                for op, result in zip(batch, results):
                    self._handled(op, result)

    async def _send(self, batch: list[tuple]) -> list:
        k = self.keys
        pipe = self.redis.client.pipeline(transaction=False)
        scripts = self.redis.scripts
        for op in batch:
            kind = op[0]
            if kind == "push":
                _, fingerprint, entry, request = op
                await scripts["PUSH"](keys=[k.seen, k.hosts, k.stats, k.queued_by_host, k.qseq, k.host_cap],
                                      args=[fingerprint, entry, host_key(request), "1" if request.dont_filter else "0",
                                            request.priority, self.politeness.lease_cap(request), k.queue_prefix],
                                      client=pipe)
            elif kind == "see":
                await scripts["SEE"](keys=[k.seen, k.stats], args=[op[1]], client=pipe)
            elif kind == "ack":
                lease = op[1]
                await scripts["ACK"](keys=[k.leases, k.lease_deadline, k.lease_worker, k.stats, k.done_by_host,
                                           k.done_by_worker, k.taken_by_host, k.lease_score, k.holders(lease.host),
                                           k.waiting(lease.host)],
                                     args=[lease.id, lease.host, self.worker], client=pipe)
            elif kind == "seed":
                await scripts["SEED_OUTCOME"](keys=[k.seeds], args=[op[1], op[2]], client=pipe)
            elif kind == "give_back":
                await scripts["GIVE_BACK"](keys=[k.leases, k.lease_deadline, k.lease_worker, k.hosts, k.stats,
                                                 k.queued_by_host, k.taken_by_host, k.lease_score, k.asking],
                                           args=[op[1].id, self.worker, k.queue_prefix, k.holders_prefix],
                                           client=pipe)
        return await pipe.execute()

    def _handled(self, op: tuple, result) -> None:
        kind = op[0]
        if kind == "push":
            self.stats.inc_value("frontier/pushed" if result else "frontier/duplicates")
        elif kind == "see":
            _, fingerprint, request, lease = op
            self.known.add(fingerprint)
            lease.waiting -= 1
            if result:
                engine = self.crawler.engine
                if engine is not None and engine.spider is not None and not self.closing:
                    request.meta[FRONTIER_DELIVERY] = True
                    engine.crawl(request)  # → enqueue_request → self.local; wakes the engine
                else:
                    self.local.appendleft(request)
            else:
                self.stats.inc_value("frontier/duplicates")
                logger.debug("Not following %s: another request of the crawl fetched it already", request.url)
                request.meta[FRONTIER_ENDED] = True
                lease.parts -= 1
                self._maybe_done(lease)
        elif kind == "ack":
            lease = op[1]
            self._forget(lease)
            if result:
                self.stats.inc_value("frontier/done")
            else:
                self.stats.inc_value("frontier/leases/lost")
                logger.warning("Fetched and archived %s, but its lease %s had run out: another worker fetches it"
                               " again (a duplicate, counted in frontier/leases/lost)", lease.url, lease.id)
        elif kind == "give_back":
            self._forget(op[1])
            if result:
                self.stats.inc_value("frontier/given_back")

    async def _sync_loop(self) -> None:
        while True:
            await self._written.wait()
            await asyncio.sleep(self.sync_interval)
            await self._sync()

    async def _sync(self) -> None:
        self._written.clear()
        pending = [(lease, lease.unsynced) for lease in self.leases.values() if lease.unsynced > 0]
        if not pending:
            return
        await self.crawler.signals.send_catch_log_async(signal=sync_captures)
        self.stats.inc_value("frontier/syncs")
        for lease, count in pending:
            lease.unsynced -= count
            self._maybe_done(lease)

    async def _renew(self) -> None:
        k = self.keys
        ids = [lid for lid in self.leases if lid not in self._lost]  # acked too, until Redis confirms the ack
        info = json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                           "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        lost = await self.redis.run("RENEW", [k.lease_deadline, k.lease_worker, k.heartbeat, k.workers],
                                    [self.worker, int(self.lease_timeout * 1000), info, *ids])
        for lease_id in lost:
            lease = self.leases.get(lease_id.decode())
            self._lost.add(lease_id.decode())
            if lease is not None and not lease.acked:
                self.stats.inc_value("frontier/leases/expired_while_held")
                logger.warning("The lease of %s ran out while this worker held it (Redis unreachable, or the"
                               " worker stalled): another worker may fetch it too", lease.url or lease.id)

    async def _lease_loop(self) -> None:
        k = self.keys
        interval = max(0.2, self.lease_timeout / 3)
        while True:
            await asyncio.sleep(interval)
            await self._renew()
            if time.monotonic() - self.redis.up_since < self.lease_timeout:
                continue  # after an outage, every worker first gets a lease timeout to renew its own
            workers = await self.redis.run("REAP", [k.leases, k.lease_deadline, k.lease_worker, k.hosts, k.stats,
                                                    k.queued_by_host, k.taken_by_host, k.lease_score, k.asking],
                                           [1000, k.queue_prefix, k.holders_prefix])
            if workers:
                self.stats.inc_value("frontier/requeued", len(workers))
                names = sorted({w.decode() for w in workers})
                logger.warning("Put back %d request(s) whose leases ran out (worker %s stopped renewing them):"
                               " they are fetched again; those it fetched already are duplicates", len(workers),
                               ", ".join(names))

    def _spider_idle(self) -> None:
        if self.finished:
            return
        self._idle = True
        # The engine goes idle straight after asking for a request (next_request), before the sweep that
        # asked for runs: sweep now, so a lease whose request just ended ends as it does elsewhere.
        self._sweep()
        stuck = [lease for lease in self.leases.values()
                 if (lease.parts > 0 or lease.children > 0) and not lease.waiting and not lease.acked]
        if stuck and not self.local and self.crawler.engine is not None and self.crawler.engine.spider_is_idle():
            for lease in stuck:
                # The engine holds nothing, so nothing more can come of it: done (after its fsync).
                self.stats.inc_value("frontier/leases/ended_at_idle")
                logger.info("Lease %s (%s): the engine is idle and holds nothing of it: done", lease.id, lease.url)
                lease.parts = lease.children = 0
                self._maybe_done(lease)
        self._room.set()
        raise DontCloseSpider

    async def _idle_loop(self) -> None:
        k = self.keys
        while not self.finished:
            await asyncio.sleep(0.5)
            self._sweep()  # the engine may not have asked for a request since the last one ended
            if not self._idle or self.local or self.leases or self.ops or self.redis.paused:
                continue
            idle_ms = await self.redis.run("IDLE", [k.hosts, k.leases, k.idle_since], [])
            if idle_ms >= 0 and idle_ms >= self.idle_after * 1000 and not self.leases and not self.local:
                self.finished = True
                logger.info("The distributed crawl %r is done: its queue has been empty and no lease outstanding"
                            " for %.1f s", self.crawl_name, idle_ms / 1000)
                engine = self.crawler.engine
                if engine is not None and engine.spider is not None:
                    asyncio.ensure_future(engine.close_spider_async(reason="finished"))

    async def _close(self, reason: str) -> None:
        self.closing = True
        if self.redis is None:
            return
        self.redis.closing = True
        # What this worker cannot finish goes back to the queue at once (not after a lease timeout).
        for request in self.local:
            lease = self.leases.get(request.meta.get(FRONTIER_LEASE))
            if lease is not None and not lease.acked:
                lease.acked = True
                self._add_op(("give_back", lease))
        self.local.clear()
        await self._sync()
        for lease in list(self.leases.values()):
            if not lease.acked:
                if lease.parts > 0 or lease.children > 0 or lease.unsynced > 0:
                    lease.acked = True
                    self._add_op(("give_back", lease))
                else:
                    self._maybe_done(lease)
        deadline = time.monotonic() + 60
        while (self.ops or self.leases) and time.monotonic() < deadline:
            self._ops_ready.set()
            await asyncio.sleep(0.05)
        if self.finished and not self.ops:
            await self._judge_seeds()
        for task in self._tasks:
            task.cancel()
        if self.ops or self.leases:
            self.stats.set_value("frontier/unsent", len(self.ops))
            logger.error("Could not tell Redis %s about %d request(s) of this worker: their leases run out and"
                         " they are fetched again (duplicates); new links of their pages may be missing",
                         self.redis.where, len(self.leases))
        done = self.stats.get_value("frontier/done", 0)
        logger.info("Worker %s leaves crawl %r (%s): %d request(s) done here, %d given back", self.worker,
                    self.crawl_name, reason, done, self.stats.get_value("frontier/given_back", 0))
        await self.redis.close()


async def _wait(event: asyncio.Event, timeout: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except asyncio.TimeoutError:
        pass
    event.clear()
