"""The distributed-crawl benchmark's own parts (benchmarks/frontier.py): they cannot rot.

The site (benchmarks/site.py) answers after its latency and logs each request with its
User-Agent, which tells the workers apart; the proxy in front of redis-server counts a
round trip per request, a pipeline as one.
"""

from __future__ import annotations

import http.client
import time

import pytest

from benchmarks import frontier
from benchmarks.site import Site

pytestmark = pytest.mark.integration


def _get(port: int, path: str, agent: str) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    began = time.monotonic()
    conn.request("GET", path, headers={"User-Agent": agent})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.monotonic() - began


def test_slow_site_waits_its_latency_and_logs_which_worker_asked(tmp_path):
    with Site(20, 0.2, log_path=tmp_path / "site.log") as site:
        status, took = _get(site.port, "/world/story-00003", frontier.UA + "2")
        assert status == 200 and took >= 0.2
        assert _get(site.port, "/", "Mozilla/5.0")[0] == 200
        assert _get(site.port, "/robots.txt", frontier.UA + "1")[0] == 200  # not a page: not counted
        assert _get(site.port, "/world/story-00021", frontier.UA + "12")[0] == 404
        assert [who for _, who in frontier.page_requests(site)] == [2, 0, 12]
        stamps = [t for t, _, _ in site.requests()]
        assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 0.6  # logged as they came, a latency apart
        site.reset()
        assert site.requests() == [] and frontier.page_requests(site) == [] and site.served == 0
        assert _get(site.port, "/", "x")[0] == 200 and [p for _, p, _ in site.requests()] == ["/"]


def test_proxy_counts_round_trips_not_commands(tmp_path):
    import redis

    server = frontier.Redis(tmp_path)
    try:
        client = redis.Redis.from_url(server.url)
        client.ping()
        before = server.trips.value
        client.set("a", 1)
        client.get("a")
        pipe = client.pipeline(transaction=False)
        for i in range(20):
            pipe.incr("b")
        pipe.execute()
        client.eval("redis.call('set', 'c', 1) redis.call('incr', 'd') return 1", 0)
        assert server.trips.value - before == 4  # set, get, one pipeline, one script
        stats = server.commandstats()
        assert stats["incrby"] == 20 and stats["incr"] == 1 and stats["set"] == 2  # every command, inside scripts too
        client.close()
    finally:
        server.close()


def test_table_names_the_speedup_round_trips_and_memory():
    workers = {k: {"rate": 8.0 * k, "whole_rate": 7.5 * k, "trips_per_page": 9.5, "commands_per_page": 30.1,
                   "top_commands": {"evalsha": 100, "zadd": 50}, "per_worker": {i: 100 for i in range(1, k + 1)},
                   "runs": [8.0 * k], "speedup": float(k)} for k in (1, 2, 3)}
    text = frontier.table({"pages": 300, "rounds": 1, "latency_s": 0.25, "per_worker_concurrency": 2,
                           "redis": "7.0.15", "memory": {"urls": 1000, "bytes_per_url": 210.4}, "workers": workers})
    assert text.startswith(frontier.SECTION)
    assert "| 3 | 24.0 | **3.0** |" in text and "**210 bytes**" in text and "`evalsha` 100" in text
