"""The frontier's leases, expiry, idle detection, seeding and host slots: its Lua scripts on a real redis-server.

Each test drives the scripts the workers run (newscrawl/frontier/scripts.py)
through the same client (client.py), with short timeouts, and reads the
result back with ``frontier_status``.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from newscrawl.frontier.client import FrontierRedis
from newscrawl.frontier.status import FrontierKeys, frontier_status

from .redis_server import redis_url  # noqa: F401 - the session's server

pytestmark = pytest.mark.integration


class Frontier:
    """The scripts of one crawl, called as a worker named ``worker`` calls them."""

    def __init__(self, url: str, name: str, worker: str):
        self.redis = FrontierRedis(url)
        self.k = FrontierKeys(name)
        self.worker = worker

    async def push(self, fp: bytes, host: str = "h:80", body: bytes = b"r", priority: int = 0, cap: int = 0) -> int:
        k = self.k
        return await self.redis.run("PUSH", [k.seen, k.hosts, k.stats, k.queued_by_host, k.qseq, k.host_cap],
                                    [fp, host.encode() + b" " + body, host, "0", priority, cap, k.queue_prefix])

    async def take(self, n: int, timeout_ms: int = 300, stale_ms: int = 1000) -> list[tuple[str, bytes]]:
        k = self.k
        got = await self.redis.run("TAKE", [k.hosts, k.leases, k.lease_deadline, k.lease_worker, k.seq, k.stats,
                                            k.queued_by_host, k.taken_by_host, k.host_cap, k.lease_score, k.asking,
                                            k.wait_seq, k.hosts_cursor],
                                   [n, self.worker, timeout_ms, k.queue_prefix, k.holders_prefix, k.waiting_prefix,
                                    stale_ms])
        self.waits = int(got[0])
        return [(got[i].decode(), got[i + 1]) for i in range(1, len(got), 2)]

    async def ack(self, lease: str, host: str = "h:80") -> int:
        k = self.k
        return await self.redis.run("ACK", [k.leases, k.lease_deadline, k.lease_worker, k.stats, k.done_by_host,
                                            k.done_by_worker, k.taken_by_host, k.lease_score, k.holders(host),
                                            k.waiting(host)],
                                   [lease, host, self.worker])

    async def give_back(self, lease: str) -> int:
        k = self.k
        return await self.redis.run("GIVE_BACK", [k.leases, k.lease_deadline, k.lease_worker, k.hosts, k.stats,
                                                  k.queued_by_host, k.taken_by_host, k.lease_score, k.asking],
                                    [lease, self.worker, k.queue_prefix, k.holders_prefix])

    async def renew(self, *leases: str, timeout_ms: int = 300) -> list[str]:
        k = self.k
        lost = await self.redis.run("RENEW", [k.lease_deadline, k.lease_worker, k.heartbeat, k.workers],
                                    [self.worker, timeout_ms, "{}", *leases])
        return [x.decode() for x in lost]

    async def reap(self) -> list[str]:
        k = self.k
        return [w.decode() for w in await self.redis.run(
            "REAP", [k.leases, k.lease_deadline, k.lease_worker, k.hosts, k.stats, k.queued_by_host, k.taken_by_host,
                     k.lease_score, k.asking], [100, k.queue_prefix, k.holders_prefix])]

    async def idle(self) -> int:
        k = self.k
        return await self.redis.run("IDLE", [k.hosts, k.leases, k.idle_since], [])

    async def seed(self, *fps: bytes) -> int:
        k = self.k
        args = [self.worker, k.queue_prefix]
        for fp in fps:
            args += [fp, b"h:80 " + fp, "h:80", b"http://h/" + fp, 0, 0]
        return await self.redis.run("SEED", [k.seeded, k.seen, k.hosts, k.stats, k.queued_by_host, k.seeds, k.qseq,
                                             k.host_cap], args)

    async def slot(self, token: str, concurrency: int, delay_ms: int) -> tuple[int, int]:
        k = self.k
        granted, value = await self.redis.run("ACQUIRE_SLOT", [k.slots("h:80"), k.next_start("h:80")],
                                              [token, concurrency, delay_ms, 10_000])
        return int(granted), int(value)


def _run(coro):
    return asyncio.run(coro)


@pytest.fixture
def name():
    return f"leases-{uuid.uuid4().hex[:8]}"


def test_a_taken_request_is_leased_not_lost_and_done_only_when_acked(redis_url, name):  # noqa: F811
    async def scenario():
        a = Frontier(redis_url, name, "a-1")
        assert [await a.push(fp) for fp in (b"1", b"2", b"1")] == [1, 1, 0]  # the crawl's duplicate filter
        (lease, entry), = await a.take(1)
        assert entry == b"h:80 r"
        status = frontier_status(redis.Redis.from_url(redis_url), name)
        assert (status["queued"], status["leased"], status["done"], status["duplicates"]) == (1, 1, 0, 1)
        assert status["workers"]["a-1"]["leased"] == 1 and status["hosts"]["h:80"]["queued"] == 1
        assert await a.ack(lease) == 1
        assert await a.ack(lease) == 0  # a retried ack finds nothing: counted once
        status = frontier_status(redis.Redis.from_url(redis_url), name)
        assert (status["queued"], status["leased"], status["done"]) == (1, 0, 1)
        assert status["workers"]["a-1"]["done"] == 1 and status["hosts"]["h:80"]["done"] == 1
    _run(scenario())


def test_a_lease_that_runs_out_goes_back_to_the_front_and_its_late_ack_fails(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        await a.push(b"1", body=b"first")
        await a.push(b"2", body=b"second")
        (lease, _), = await a.take(1, timeout_ms=200)
        assert await a.reap() == []  # not yet run out
        await asyncio.sleep(0.3)
        assert await a.reap() == ["a-1"]  # the holder stopped renewing: back in the queue...
        assert [e for _, e in await b.take(2)] == [b"h:80 first", b"h:80 second"]  # ...at its front
        assert await a.ack(lease) == 0  # the late holder's ack is refused (its fetch was a duplicate)
        assert await a.renew(lease) == [lease]  # and a renewal tells it so
        assert frontier_status(redis.Redis.from_url(redis_url), name)["requeued"] == 1
    _run(scenario())


def test_renewed_leases_outlive_their_timeout(redis_url, name):  # noqa: F811
    async def scenario():
        a = Frontier(redis_url, name, "a-1")
        await a.push(b"1")
        (lease, _), = await a.take(1, timeout_ms=200)
        for _ in range(4):
            await asyncio.sleep(0.1)
            assert await a.renew(lease, timeout_ms=200) == []
        assert await a.reap() == []
        assert await a.ack(lease) == 1
    _run(scenario())


def test_idle_only_once_queue_and_leases_are_empty_and_counted_from_then(redis_url, name):  # noqa: F811
    async def scenario():
        a = Frontier(redis_url, name, "a-1")
        await a.push(b"1")
        assert await a.idle() == -1  # queued
        (lease, _), = await a.take(1)
        assert await a.idle() == -1  # leased
        await a.ack(lease)
        assert await a.idle() == 0  # idle from now
        await asyncio.sleep(0.2)
        assert 150 <= await a.idle() <= 2000
        await a.push(b"2")
        assert await a.idle() == -1
        (lease, _), = await a.take(1)
        await a.ack(lease)
        assert await a.idle() == 0  # counted again from the new idle moment
    _run(scenario())


def test_start_urls_are_pushed_once_by_the_first_worker(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        results = await asyncio.gather(a.seed(b"s1", b"s2"), b.seed(b"s1", b"s2", b"s3"))
        assert sorted(results) in ([-1, 2], [-1, 3])
        status = frontier_status(redis.Redis.from_url(redis_url), name)
        assert status["queued"] == max(results) and status["seeded_by"] in ("a-1", "b-2")
    _run(scenario())


def test_host_slots_hold_concurrency_and_delay_for_every_worker(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        assert (await a.slot("a:1", 2, 0))[0] == 1
        assert (await b.slot("b:1", 2, 0))[0] == 1
        assert await b.slot("b:2", 2, 0) == (0, -1)  # two in flight for the cluster: the third waits
        await b.redis.run("RELEASE_SLOT", [b.k.slots("h:80"), b.k.next_start("h:80")], ["a:1", 0])
        assert (await b.slot("b:2", 2, 0))[0] == 1
        c, d = Frontier(redis_url, name + "-delay", "c-3"), Frontier(redis_url, name + "-delay", "d-4")
        assert (await c.slot("c:1", 10, 300))[0] == 1
        # With a delay, one at a time for the cluster, whatever CONCURRENT_REQUESTS_PER_DOMAIN says...
        assert await d.slot("d:1", 10, 300) == (0, -1)
        time.sleep(0.4)
        assert await d.slot("d:1", 10, 300) == (0, -1)  # ...however long c's request takes
        # ...and the next one starts DOWNLOAD_DELAY after its response is in, not after its start.
        await c.redis.run("RELEASE_SLOT", [c.k.slots("h:80"), c.k.next_start("h:80")], ["c:1", 300])
        granted, wait_ms = await d.slot("d:1", 10, 300)
        assert granted == 0 and 250 <= wait_ms <= 300
        time.sleep(wait_ms / 1000 + 0.01)
        assert (await d.slot("d:1", 10, 300))[0] == 1
    _run(scenario())


def test_each_host_has_its_queue_best_first_and_a_held_back_host_takes_no_more_than_its_cap(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        # slow:80 is held back by its DOWNLOAD_DELAY (cap 2: one in flight, one waiting), fast:80 is not.
        for i, priority in enumerate((0, 0, 5, 0, -3)):
            await a.push(f"s{i}".encode(), "slow:80", f"s{i}".encode(), priority, cap=2)
        for i in range(4):
            await a.push(f"f{i}".encode(), "fast:80", f"f{i}".encode(), cap=16)
        got = [e.decode() for _, e in await a.take(8)]
        # The hosts in turn; within a host the higher priority first, then the order pushed; two of slow:80.
        assert got == ["fast:80 f0", "slow:80 s2", "fast:80 f1", "slow:80 s0", "fast:80 f2", "fast:80 f3"]
        assert await b.take(8) == []  # slow:80 has its two out: nobody takes a third meanwhile
        status = frontier_status(redis.Redis.from_url(redis_url), name)
        assert (status["queued"], status["leased"], status["hosts"]["slow:80"]["queued"]) == (3, 6, 3)
    _run(scenario())


def test_a_request_given_back_or_run_out_returns_to_its_place_in_its_hosts_queue(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        for i, priority in enumerate((0, 9, 0)):
            await a.push(f"{i}".encode(), body=f"r{i}".encode(), priority=priority, cap=1)
        (first, entry), = await a.take(5, timeout_ms=200)
        assert entry == b"h:80 r1" and await b.take(5) == []  # its cap: one out at a time
        assert await a.give_back(first) == 1
        (second, entry), = await b.take(5, timeout_ms=200)
        assert entry == b"h:80 r1"  # back at the front (its priority), and the host's cap free again
        await asyncio.sleep(0.3)
        assert await a.reap() == ["b-2"]
        assert [e for _, e in await a.take(1)] == [b"h:80 r1"]  # run out: back where it was, again
        assert await b.ack(second) == 0  # the late holder's ack changes nothing...
        assert await a.take(1) == []  # ...and the host still has its one lease out (a-1's)
    _run(scenario())


def test_crawl_frontier_redis_needs_redis_url_and_the_default_is_scrapys_scheduler():
    from scrapy.core.scheduler import Scheduler
    from scrapy.settings import Settings
    from scrapy.utils.test import get_crawler

    from newscrawl import settings as defaults
    from newscrawl.config import SettingError, check_settings
    from newscrawl.frontier.scheduler import FrontierScheduler

    settings = Settings()
    settings.setmodule(defaults)
    settings.set("CRAWL_FRONTIER", "redis", priority="cmdline")
    with pytest.raises(SettingError) as caught:
        check_settings(settings)
    assert str(caught.value).startswith("REDIS_URL=") and "CRAWL_FRONTIER=redis needs it" in str(caught.value)
    settings.set("REDIS_URL", "redis://127.0.0.1:6379/2", priority="cmdline")
    check_settings(settings)
    crawler = get_crawler(settings_dict={"CRAWL_STATE_ENABLED": False})
    assert type(FrontierScheduler.from_crawler(crawler)) is Scheduler  # no CRAWL_FRONTIER: in-process


def test_a_dead_workers_host_slots_free_up_as_its_leases_do(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        slots = a.k.slots("h:80")
        granted, _ = await a.redis.run("ACQUIRE_SLOT", [slots, a.k.next_start("h:80")], ["a:1", 1, 0, 300])
        assert granted == 1
        for _ in range(3):  # a live download: renewed, so held past its lifetime
            await asyncio.sleep(0.15)
            await a.redis.run("RENEW_SLOTS", [slots], [300, "a:1"])
            assert (await b.slot("b:1", 1, 0))[0] == 0
        await asyncio.sleep(0.35)  # its worker died: no renewal, the slot is free again
        assert (await b.slot("b:1", 1, 0))[0] == 1
    _run(scenario())


def _holders(redis_url: str, k: FrontierKeys, host: str) -> dict[str, int]:
    return {w.decode(): int(n) for w, n in redis.Redis.from_url(redis_url).hgetall(k.holders(host)).items()}


def test_a_freed_lease_of_a_host_at_its_cap_goes_to_the_worker_that_has_waited_longest(redis_url, name):  # noqa: F811
    async def scenario():
        a, b, c = (Frontier(redis_url, name, w) for w in ("a-1", "b-2", "c-3"))
        for i in range(8):
            await a.push(f"{i}".encode(), "slow:80", f"r{i}".encode(), cap=2)  # DOWNLOAD_DELAY: cap 2
        first = await a.take(16)
        assert len(first) == 2 and a.waits == 1  # its cap; room to spare: waiting for slow:80 too
        assert await b.take(16) == [] and b.waits == 1
        await asyncio.sleep(0.01)
        assert await c.take(16) == [] and c.waits == 1  # b first, then c
        assert await a.ack(first[0][0], "slow:80") == 1
        # a asks again at once: the freed lease is held for b, who has waited longest...
        assert await a.take(16) == [] and await c.take(16) == []
        (to_b,) = await b.take(16)
        assert await a.ack(first[1][0], "slow:80") == 1
        assert await a.take(16) == [] and await b.take(16) == []  # ...then c's (a and b wait behind it)
        (to_c,) = await c.take(16)
        await b.ack(to_b[0], "slow:80")
        (to_a,) = await a.take(16)  # a began waiting before b asked again: a's turn
        assert [e for _, e in (*first, to_b, to_c, to_a)] == [f"slow:80 r{i}".encode() for i in range(5)]
        assert _holders(redis_url, a.k, "slow:80") == {"a-1": 1, "c-3": 1}
    _run(scenario())


def test_while_others_wait_each_worker_holds_its_share_of_a_hosts_cap(redis_url, name):  # noqa: F811
    async def scenario():
        a, b, c = (Frontier(redis_url, name, w) for w in ("a-1", "b-2", "c-3"))
        for i in range(30):
            await a.push(f"{i}".encode(), "fast:80", f"r{i}".encode(), cap=12)  # no delay: 4 x its concurrency
        held = await a.take(32)
        assert len(held) == 12  # nobody else asked: the whole cap
        assert await b.take(32) == [] and await c.take(32) == []
        for lease, _ in held[:6]:  # six end; a, over its share (12 / 3), gets none of them...
            await a.ack(lease, "fast:80")
        assert await a.take(32) == []
        assert len(await b.take(32)) == 4  # ...b and c get theirs (b leaves c's one of the six)
        assert len(await c.take(32)) == 2
        assert _holders(redis_url, a.k, "fast:80") == {"a-1": 6, "b-2": 4, "c-3": 2}
        for lease, _ in held[6:]:  # a's other six end, and it asks again at once
            await a.ack(lease, "fast:80")
        assert len(await a.take(32)) == 4  # its share, one of the six left for c, who waits and has less
        assert len(await c.take(32)) == 2 and await b.take(32) == []  # c up to its share; b's is full
        assert _holders(redis_url, a.k, "fast:80") == {"a-1": 4, "b-2": 4, "c-3": 4}
    _run(scenario())


@pytest.mark.parametrize("how", ["stops_asking", "fills_up", "its_leases_run_out"])
def test_a_waiter_that_is_gone_or_busy_holds_no_lease_back(redis_url, name, how):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        await a.push(b"h1", "h:80", b"h1", cap=1)
        await a.push(b"h2", "h:80", b"h2", cap=1)
        ((held, _),) = await a.take(1)
        await a.push(b"g1", "g:80", b"g1")
        assert len(await b.take(4, timeout_ms=200)) == 1 and b.waits == 1  # g's, and waiting for h's
        await a.ack(held, "h:80")
        assert await a.take(1) == []  # held for b, who asked a moment ago
        if how == "fills_up":  # with another host's request: it asks no more until one of its own ends
            await a.push(b"g2", "g:80", b"g2")
            assert len(await b.take(1)) == 1
        elif how == "its_leases_run_out":  # it stopped renewing them (died, or stalled)
            await asyncio.sleep(0.3)
            assert await a.reap() == ["b-2"]
        else:  # it died, or stopped: no longer fresh once it has not asked for the stale time
            await asyncio.sleep(0.25)
            assert await a.take(1, stale_ms=1000) == []
        assert b"h:80 h2" in [e for _, e in await a.take(4, stale_ms=200)]
    _run(scenario())


def test_every_end_of_a_lease_gives_back_its_workers_hold_on_its_host(redis_url, name):  # noqa: F811
    async def scenario():
        a, b = Frontier(redis_url, name, "a-1"), Frontier(redis_url, name, "b-2")
        for i in range(6):
            await a.push(f"{i}".encode(), "h:80", f"r{i}".encode(), cap=8)
        mine = [lease for lease, _ in await a.take(4, timeout_ms=200)]
        (theirs, _), = await b.take(1, timeout_ms=10_000)
        assert _holders(redis_url, a.k, "h:80") == {"a-1": 4, "b-2": 1}
        assert await a.ack(mine[0]) == 1 and await a.ack(mine[0]) == 0  # done; a retried ack counts once
        assert _holders(redis_url, a.k, "h:80") == {"a-1": 3, "b-2": 1}
        assert await a.give_back(mine[1]) == 1 and await a.give_back(mine[1]) == 0  # given back (stopping)
        assert _holders(redis_url, a.k, "h:80") == {"a-1": 2, "b-2": 1}
        await asyncio.sleep(0.3)
        assert await b.reap() == ["a-1", "a-1"]  # run out (a died)
        assert _holders(redis_url, a.k, "h:80") == {"b-2": 1}
        assert await b.ack(theirs) == 1
        assert _holders(redis_url, a.k, "h:80") == {}  # nothing left of either: the key is gone
        status = frontier_status(redis.Redis.from_url(redis_url), name)
        assert (status["queued"], status["leased"], status["done"]) == (4, 0, 2)
        assert redis.Redis.from_url(redis_url).hget(a.k.taken_by_host, "h:80") == b"0"
    _run(scenario())


def test_hosts_beyond_the_first_thousand_are_offered_while_those_are_at_their_caps(redis_url, name):  # noqa: F811
    async def scenario():
        a = Frontier(redis_url, name, "a-1")
        busy = [f"busy{i:04d}:80" for i in range(1600)]
        pipe = redis.Redis.from_url(redis_url).pipeline(transaction=False)
        k = a.k
        for i, host in enumerate(busy):  # as PUSH does (faster here): two requests each, cap 1
            for j in range(2):
                pipe.zadd(k.host_queue(host), {f"{2 * i + j} {host} {host}-{j}": 2 * i + j})
            pipe.zadd(k.hosts, {host: 0})
            pipe.hset(k.host_cap, host, 1)
            pipe.hset(k.queued_by_host, host, 2)
        pipe.execute()
        taken = 0
        while taken < len(busy):  # one lease of each: every busy host at its cap
            taken += len(await a.take(len(busy)))
        # Two hosts whose last take came after all of those: behind the 1,600 in the round (before, a take
        # looked at the first 1,000 only: all at their caps, it found nothing, however often it asked).
        for host in ("free-near:80", "free-far:80"):
            await a.push(host.encode(), host, b"x", cap=1)
            await a.push(host.encode() + b"2", host, b"y", cap=1)
            ((lease, _),) = [t for t in await a.take(len(busy)) if t[1].startswith(host.encode())]
            await a.ack(lease, host)
        order = redis.Redis.from_url(redis_url).zrange(k.hosts, 0, -1)
        assert order.index(b"free-near:80") == 1600 and order.index(b"free-far:80") == 1601
        got = []
        for _ in range(4):  # 1,602 hosts: looked at 500 + 500 a call, round the rest in turn
            got += [e for _, e in await a.take(10)]
        assert sorted(got) == [b"free-far:80 y", b"free-near:80 y"], got
    _run(scenario())
