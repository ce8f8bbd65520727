"""The Redis key schema of a distributed crawl, and a read-only view of it.

Every key of the crawl named ``CRAWL_NAME`` (say ``worldnews``) starts with
``newscrawl:frontier:worldnews:`` (``P`` below). Times are the Redis server's
clock in milliseconds (``TIME``), so workers on machines whose clocks differ
agree on deadlines and on the spacing of requests to a host.

=============================  ========  =================================================================
key                            type      what it holds
=============================  ========  =================================================================
``P:queue:<host>``             zset      the host's requests waiting: ``"<seq> <host> <request>"``
                                         (``<host>`` is ``host[:port]``, ``<request>`` a pickled
                                         ``request_to_dict``), scored by priority (higher first), then
                                         by ``<seq>`` (the order pushed); a lease that runs out or is
                                         given back returns where it was
``P:hosts``                    zset      hosts with requests waiting → when one was last taken (ms):
                                         workers take from each host in turn
``P:qseq``                     string    the last queue sequence number given out (INCR)
``P:hosts_cursor``             string    where in ``P:hosts`` the next take looks beyond the first 500 (500
                                         more each take, round the whole set)
``P:taken_by_host``            hash      host → leases out (taken, not yet done)
``P:host_cap``                 hash      host → at most that many leases out at a time (a host with a
                                         ``DOWNLOAD_DELAY``: 2; else 4 × its concurrency)
``P:holders:<host>``           hash      worker → leases of the host it holds (fairness between workers)
``P:waiting:<host>``           zset      workers that asked for work with room to spare and got none of the
                                         host (at its cap, or its free leases held for others) → the order
                                         they began waiting in (``P:wait_seq``); freed leases go that way
``P:asking``                   zset      worker → when it last asked for work with room to spare (ms): a
                                         waiter that stopped asking (dead, or full) no longer holds a
                                         host's leases back
``P:lease_score``              hash      lease id → ``"<score> <seq>"``: its place in its host's queue
                                         (where it goes back)
``P:seen``                     set       request fingerprints (Scrapy's, 20 raw bytes) ever queued: the
                                         duplicate filter of the whole crawl
``P:leases``                   hash      lease id → the entry (``"<host> <request>"``) a worker took and has
                                         not finished
``P:lease_deadline``           zset      lease id → deadline (ms); a lease past it goes back to the queue
``P:lease_worker``             hash      lease id → worker name
``P:seq``                      string    the last lease id given out (INCR)
``P:wait_seq``                 string    the last place given out in a host's ``P:waiting:<host>`` (INCR)
``P:seeded``                   string    ``"<worker> <ms>"``: the start URLs are in (pushed once, atomically)
``P:seeds``                    hash      start URL → what became of it: ``""`` (not yet), ``ok`` (a page
                                         came of it, on some worker), or why it failed (refused, HTTP 500,
                                         ...): decides exit 5 once the run is done
``P:stats``                    hash      counters: ``pushed``, ``duplicates``, ``leased``, ``done``,
                                         ``requeued`` (leases that ran out), ``start_urls``
``P:queued_by_host``           hash      host → entries waiting in ``P:queue:<host>``
``P:done_by_host``             hash      host → requests done
``P:done_by_worker``           hash      worker → requests done
``P:workers``                  hash      worker → JSON ``{"host", "pid", "started"}`` (joined the crawl)
``P:heartbeat``                zset      worker → last time it was heard from (ms)
``P:idle_since``               string    ms since when the queue has been empty and no lease outstanding
``P:slots:<host>``             zset      per-host politeness: slot token → expiry (ms), at most
                                         ``CONCURRENT_REQUESTS_PER_DOMAIN`` live tokens for the cluster
``P:next:<host>``              string    per-host politeness: earliest start (ms) of the next request
                                         (last start + ``DOWNLOAD_DELAY``)
=============================  ========  =================================================================

A worker's name is ``<hostname>-<pid>`` (``worker_name()``). A request is done
only when its exchange is in that worker's WARC file and fsynced, and the
requests its page led to are queued; then its lease goes and ``done`` counts
it. Nothing is deleted when workers close: ``clear_frontier`` (``scrapy
frontier --clear``) is the only way a crawl's keys go.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

PREFIX = "newscrawl:frontier"


def worker_name() -> str:
    """This process as a worker of a distributed crawl: ``<hostname>-<pid>``."""
    return f"{socket.gethostname()}-{os.getpid()}"


class FrontierKeys:
    """The Redis key names of one crawl (see the module docstring)."""

    def __init__(self, crawl_name: str):
        self.crawl = crawl_name
        self.prefix = f"{PREFIX}:{crawl_name}"
        p = self.prefix
        self.hosts = f"{p}:hosts"
        self.qseq = f"{p}:qseq"
        self.taken_by_host = f"{p}:taken_by_host"
        self.host_cap = f"{p}:host_cap"
        self.lease_score = f"{p}:lease_score"
        self.seen = f"{p}:seen"
        self.leases = f"{p}:leases"
        self.lease_deadline = f"{p}:lease_deadline"
        self.lease_worker = f"{p}:lease_worker"
        self.seq = f"{p}:seq"
        self.seeded = f"{p}:seeded"
        self.seeds = f"{p}:seeds"
        self.stats = f"{p}:stats"
        self.queued_by_host = f"{p}:queued_by_host"
        self.done_by_host = f"{p}:done_by_host"
        self.done_by_worker = f"{p}:done_by_worker"
        self.workers = f"{p}:workers"
        self.heartbeat = f"{p}:heartbeat"
        self.idle_since = f"{p}:idle_since"
        self.asking = f"{p}:asking"
        self.wait_seq = f"{p}:wait_seq"
        self.hosts_cursor = f"{p}:hosts_cursor"

    @property
    def queue_prefix(self) -> str:
        """``P:queue:``: a host's queue is this and the host (the scripts build the key)."""
        return f"{self.prefix}:queue:"

    def host_queue(self, host: str) -> str:
        return self.queue_prefix + host

    @property
    def holders_prefix(self) -> str:
        """``P:holders:``: a host's leases per worker are this and the host."""
        return f"{self.prefix}:holders:"

    @property
    def waiting_prefix(self) -> str:
        """``P:waiting:``: the workers waiting for a lease of a host are this and the host."""
        return f"{self.prefix}:waiting:"

    def holders(self, host: str) -> str:
        return self.holders_prefix + host

    def waiting(self, host: str) -> str:
        return self.waiting_prefix + host

    def slots(self, host: str) -> str:
        return f"{self.prefix}:slots:{host}"

    def next_start(self, host: str) -> str:
        return f"{self.prefix}:next:{host}"

    @property
    def pattern(self) -> str:
        """A SCAN pattern matching every key of the crawl (glob characters in the name escaped)."""
        escaped = "".join("\\" + c if c in "*?[]\\" else c for c in self.prefix)
        return escaped + ":*"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _counts(mapping: dict) -> dict[str, int]:
    return {_text(k): int(v) for k, v in mapping.items()}


def frontier_status(client, crawl_name: str) -> dict:
    """What the crawl's frontier holds now, from a redis-py client (sync; read-only, a few round trips).

    ``{"crawl", "queued", "leased", "done", "seen", "pushed", "duplicates", "requeued", "start_urls",
    "seeded_by", "seeds_fetched", "seeds_failed", "idle_for_s", "workers": {name: {"leased", "done", "last_seen_s", "host", "pid",
    "started"}}, "hosts": {host: {"queued", "leased", "done", "in_flight"}}}``; ``idle_for_s`` is None
    while there is work, ``last_seen_s`` seconds since the worker was last heard from.
    """
    keys = FrontierKeys(crawl_name)
    pipe = client.pipeline(transaction=True)
    pipe.zcard(keys.hosts)
    pipe.hlen(keys.leases)
    pipe.scard(keys.seen)
    pipe.hgetall(keys.stats)
    pipe.get(keys.seeded)
    pipe.get(keys.idle_since)
    pipe.hgetall(keys.queued_by_host)
    pipe.hgetall(keys.done_by_host)
    pipe.hgetall(keys.done_by_worker)
    pipe.hgetall(keys.workers)
    pipe.zrange(keys.heartbeat, 0, -1, withscores=True)
    pipe.hgetall(keys.lease_worker)
    pipe.hvals(keys.leases)
    pipe.time()
    pipe.hvals(keys.seeds)
    (queued, leased, seen, stats, seeded, idle_since, queued_by_host, done_by_host, done_by_worker, workers,
     heartbeat, lease_worker, lease_entries, server_time, seeds) = pipe.execute()
    now_ms = server_time[0] * 1000 + server_time[1] // 1000
    stats = _counts(stats)
    per_worker: dict[str, dict] = {}

    def worker(name: str) -> dict:
        return per_worker.setdefault(name, {"leased": 0, "done": 0, "last_seen_s": None, "host": None,
                                            "pid": None, "started": None})

    for name, raw in workers.items():
        try:
            info = json.loads(raw)
        except ValueError:
            info = {}
        worker(_text(name)).update({k: info.get(k) for k in ("host", "pid", "started")})
    for name, score in heartbeat:
        worker(_text(name))["last_seen_s"] = round(max(0, now_ms - score) / 1000, 1)
    for name, count in _counts(done_by_worker).items():
        worker(name)["done"] = count
    for name in lease_worker.values():
        worker(_text(name))["leased"] += 1
    hosts: dict[str, dict] = {}

    def host(name: str) -> dict:
        return hosts.setdefault(name, {"queued": 0, "leased": 0, "done": 0, "in_flight": 0})

    for name, count in _counts(queued_by_host).items():
        if count:
            host(name)["queued"] = count
    for name, count in _counts(done_by_host).items():
        host(name)["done"] = count
    for entry in lease_entries:
        host(_text(entry.split(b" ", 1)[0]))["leased"] += 1
    if hosts:
        pipe = client.pipeline(transaction=False)
        for name in hosts:
            pipe.zcount(keys.slots(name), now_ms, "+inf")
        for name, in_flight in zip(list(hosts), pipe.execute()):
            hosts[name]["in_flight"] = int(in_flight)
    return {
        "crawl": crawl_name,
        "queued": sum(_counts(queued_by_host).values()) if queued else 0,
        "leased": int(leased),
        "done": stats.get("done", 0),
        "seen": int(seen),
        "pushed": stats.get("pushed", 0),
        "duplicates": stats.get("duplicates", 0),
        "requeued": stats.get("requeued", 0),
        "start_urls": stats.get("start_urls", 0),
        "seeded_by": _text(seeded).split(" ", 1)[0] if seeded else None,
        "seeds_fetched": sum(1 for v in seeds if v == b"ok"),
        "seeds_failed": sum(1 for v in seeds if v not in (b"ok", b"")),
        "idle_for_s": round(max(0, now_ms - int(idle_since)) / 1000, 1) if idle_since and not queued and not leased
        else None,
        "workers": dict(sorted(per_worker.items())),
        "hosts": dict(sorted(hosts.items())),
    }


def clear_frontier(client, crawl_name: str) -> int:
    """Delete every key of the crawl (queue, leases, duplicate filter, counters, host slots); returns how many."""
    keys = FrontierKeys(crawl_name)
    deleted = 0
    batch: list = []
    for key in client.scan_iter(match=keys.pattern, count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += client.unlink(*batch)
            batch = []
    if batch:
        deleted += client.unlink(*batch)
    return deleted


def now_ms(client) -> int:
    """The Redis server's clock in ms (the clock every deadline and slot uses)."""
    seconds, micros = client.time()
    return seconds * 1000 + micros // 1000


__all__ = ["FrontierKeys", "PREFIX", "clear_frontier", "frontier_status", "now_ms", "worker_name"]
