"""The frontier's read-only view and its clearing, on a real redis-server (keys written as the schema says)."""

from __future__ import annotations

import json

import pytest
import redis

from newscrawl.frontier.status import FrontierKeys, clear_frontier, frontier_status, now_ms

from .redis_server import redis_url  # noqa: F401 - the session's server

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_url):  # noqa: F811
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


def _fill(client, name: str) -> FrontierKeys:
    k = FrontierKeys(name)
    now = now_ms(client)
    client.zadd(k.host_queue("a.example:80"), {b"1 a.example:80 x": 1, b"2 a.example:80 y": 2})
    client.zadd(k.host_queue("b.example:80"), {b"3 b.example:80 z": 3})
    client.zadd(k.hosts, {"a.example:80": 0, "b.example:80": 0})
    client.hset(k.queued_by_host, mapping={"a.example:80": 2, "b.example:80": 1})
    client.sadd(k.seen, b"1" * 20, b"2" * 20, b"3" * 20, b"4" * 20, b"5" * 20)
    client.hset(k.leases, mapping={"7": b"b.example:80 w", "8": b"a.example:80 v"})
    client.hset(k.lease_worker, mapping={"7": "m1-10", "8": "m2-20"})
    client.zadd(k.lease_deadline, {"7": now + 30_000, "8": now + 30_000})
    client.hset(k.stats, mapping={"pushed": 5, "done": 1, "duplicates": 3, "start_urls": 1})
    client.hset(k.done_by_worker, "m1-10", 1)
    client.hset(k.done_by_host, "a.example:80", 1)
    client.hset(k.workers, "m1-10", json.dumps({"host": "m1", "pid": 10, "started": "2026-12-02T00:00:00Z"}))
    client.zadd(k.heartbeat, {"m1-10": now - 2000, "m2-20": now})
    client.zadd(k.slots("a.example:80"), {"t1": now + 10_000, "old": now - 10})
    client.set(k.seeded, f"m1-10 {now}")
    return k


def test_status_counts_queue_leases_workers_and_hosts(client):
    _fill(client, "status-one")
    status = frontier_status(client, "status-one")
    assert (status["queued"], status["leased"], status["done"], status["seen"]) == (3, 2, 1, 5)
    assert (status["pushed"], status["duplicates"], status["seeded_by"], status["idle_for_s"]) == (5, 3, "m1-10", None)
    assert status["workers"]["m1-10"]["leased"] == 1 and status["workers"]["m1-10"]["done"] == 1
    assert status["workers"]["m1-10"]["pid"] == 10 and 1.5 <= status["workers"]["m1-10"]["last_seen_s"] <= 5
    assert status["workers"]["m2-20"]["leased"] == 1 and status["workers"]["m2-20"]["done"] == 0
    assert status["hosts"]["a.example:80"] == {"queued": 2, "leased": 1, "done": 1, "in_flight": 1}
    assert status["hosts"]["b.example:80"] == {"queued": 1, "leased": 1, "done": 0, "in_flight": 0}


def test_clear_removes_only_that_crawl(client):
    _fill(client, "clear-me")
    _fill(client, "clear-me-not")
    _fill(client, "clear*")  # a glob character in the name matches nothing else
    assert clear_frontier(client, "clear*") >= 10
    assert frontier_status(client, "clear-me")["queued"] == 3
    assert clear_frontier(client, "clear-me") >= 10
    assert not list(client.scan_iter(match="newscrawl:frontier:clear-me:*"))
    assert frontier_status(client, "clear-me-not")["queued"] == 3
    empty = frontier_status(client, "clear-me")
    assert (empty["queued"], empty["leased"], empty["workers"], empty["hosts"]) == (0, 0, {}, {})
