"""One run per distributed crawl (newscrawl.incremental.run), on a real redis-server.

Workers started together join one run; a worker started after the run ended
waits for every worker of it to leave, then starts the next run; a worker
whose CRAWL_ID names another, running run is refused (exit 75); one whose
CRAWL_ID names the run that ended has nothing to do; dead workers do not
hold a run forever.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import threading
import time

import pytest
import redis

from newscrawl.frontier.status import FrontierKeys
from newscrawl.incremental.run import CrawlRun, RunAlreadyDone, run_status
from newscrawl.incremental.state import CrawlLocked, LockLost

from .redis_server import redis_url  # noqa: F401  (fixture)

_names = itertools.count()


@pytest.fixture
def client(redis_url):  # noqa: F811
    c = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/5")
    yield c
    c.close()


@pytest.fixture
def crawl():
    return f"run-test-{next(_names)}-{time.monotonic_ns()}"


def worker(client, crawl, ttl=30.0) -> CrawlRun:
    """A worker as on another machine (one process here plays them all)."""
    run = CrawlRun(client, crawl, ttl)
    n = next(_names)
    run.worker = f"crawl-box-{n}-{1000 + n}"
    return run


def test_workers_started_together_join_one_run(client, crawl):
    a, b, c = worker(client, crawl), worker(client, crawl), worker(client, crawl)
    run_id = a.join()
    assert a.joined == "started"
    assert b.join() == run_id and b.joined == "joined"
    assert c.join() == run_id
    assert len({a.worker, b.worker, c.worker}) == 3
    status = run_status(client, crawl)
    assert status.id == run_id and set(status.workers) == {a.worker, b.worker, c.worker} and status.ended is None
    # A worker that leaves without the crawl being done (killed by a limit, a signal) leaves the run open.
    assert a.leave(done=False) == 2
    d = worker(client, crawl)
    assert d.join() == run_id and d.joined == "joined"


def test_next_run_waits_until_every_worker_of_the_ended_run_has_left(client, crawl):
    a, b = worker(client, crawl), worker(client, crawl)
    first = a.join()
    b.join()
    assert a.leave(done=True) == 1  # a saw the crawl finish: the run has ended, b is still closing
    assert run_status(client, crawl).ended is not None
    late = worker(client, crawl)
    left_at = []

    def b_closes():
        time.sleep(0.6)
        left_at.append(time.monotonic())
        b.leave(done=True)

    closer = threading.Thread(target=b_closes)
    closer.start()
    second = late.join(wait=10, poll=0.05)
    joined_at = time.monotonic()
    closer.join()
    assert second != first
    assert late.joined == "started" and joined_at >= left_at[0]
    status = run_status(client, crawl)
    assert status.ended is None and set(status.workers) == {late.worker}
    # Workers started with it join the new run, not the old one.
    assert worker(client, crawl).join() == second


def test_the_wait_for_an_ended_run_is_bounded_and_refused_with_75(client, crawl):
    a, b = worker(client, crawl), worker(client, crawl)
    a.join()
    b.join()
    a.leave(done=True)
    late = worker(client, crawl)
    started = time.monotonic()
    with pytest.raises(CrawlLocked, match="still closing after 0 s") as refused:
        late.join(wait=0.3, poll=0.05)
    assert not isinstance(refused.value, RunAlreadyDone)
    assert 0.3 <= time.monotonic() - started < 5
    assert late.worker not in run_status(client, crawl).workers


def test_crawl_id_names_the_run_to_join(client, crawl):
    a = worker(client, crawl)
    assert a.join("job-1") == "job-1"
    assert worker(client, crawl).join("job-1") == "job-1"
    # The next scheduled run (another id) while job-1 is still crawling: refused, like the lock (exit 75).
    with pytest.raises(CrawlLocked, match="already running as run job-1") as busy:
        worker(client, crawl).join("job-2")
    assert not isinstance(busy.value, RunAlreadyDone)
    # No CRAWL_ID: the worker helps the running run.
    assert worker(client, crawl).join() == "job-1"


def test_a_late_worker_of_a_finished_run_has_nothing_to_do(client, crawl):
    a = worker(client, crawl)
    a.join("job-7")
    a.leave(done=True)
    with pytest.raises(RunAlreadyDone, match="already done"):
        worker(client, crawl).join("job-7")
    # The next scheduled run starts at once: nobody of job-7 is left.
    nxt = worker(client, crawl)
    assert nxt.join("job-8") == "job-8" and nxt.joined == "started"


def test_a_run_whose_workers_all_died_is_resumed_or_taken_over(client, crawl):
    a = worker(client, crawl, ttl=1.0)
    first = a.join()
    a.run_id = None  # a dies: it never refreshes or leaves
    time.sleep(1.1)
    b = worker(client, crawl)
    assert b.join() == first and b.joined == "resumed"  # the frontier it left is worked on
    b.run_id = None
    client.zrem(f"newscrawl:run:{crawl}:workers", b.worker)  # b died too
    c = worker(client, crawl)
    assert c.join("job-9") == "job-9" and c.joined == "started"  # another named run takes over
    assert client.hget(f"newscrawl:run:{crawl}", "previous").decode() == first


def test_a_dead_worker_on_this_host_is_dropped_at_once(client, crawl):
    a = worker(client, crawl, ttl=600)
    a.join()
    a.leave(done=False)
    # A worker of this host whose process is gone (SIGKILL): its pid no longer runs.
    dead = subprocess.Popen(["true"])
    dead.wait()
    ghost = f"{socket.gethostname()}-{dead.pid}"
    client.zadd(f"newscrawl:run:{crawl}:workers", {ghost: (time.time() + 600) * 1000})
    client.hset(f"newscrawl:run:{crawl}", "ended", int(time.time() * 1000))
    late = worker(client, crawl)
    late.join(wait=0)  # no wait: the ghost is dropped, the next run starts
    assert late.joined == "started" and ghost not in run_status(client, crawl).workers


def test_refresh_keeps_the_membership_and_tells_when_it_is_gone(client, crawl):
    a = worker(client, crawl, ttl=1.0)
    a.join()
    for _ in range(3):
        time.sleep(0.4)
        a.refresh()
    assert a.worker in run_status(client, crawl).workers
    client.zrem(f"newscrawl:run:{crawl}:workers", a.worker)
    with pytest.raises(LockLost, match="no longer a member"):
        a.refresh()


def _fill_frontier(client, crawl) -> FrontierKeys:
    keys = FrontierKeys(crawl)
    client.sadd(keys.seen, b"fp1", b"fp2")
    client.set(keys.seeded, "crawl-box-1-1 0")
    client.hset(keys.stats, mapping={"done": 2, "pushed": 2})
    client.hset(keys.done_by_worker, "crawl-box-1-1", 2)
    return keys


def test_the_next_run_starts_on_a_fresh_frontier_and_a_joined_one_keeps_it(client, crawl):
    a = worker(client, crawl)
    a.join()
    keys = _fill_frontier(client, crawl)
    other = _fill_frontier(client, crawl + "-other")
    b = worker(client, crawl)
    b.join()  # joining: the frontier is the run's, untouched
    assert client.scard(keys.seen) == 2 and client.exists(keys.seeded)
    a.leave(done=True)
    b.leave(done=True)
    nxt = worker(client, crawl)
    nxt.join()
    assert nxt.joined == "started"
    # The start URLs are pushed again, nothing is seen yet, the counters start at 0.
    assert [k for k in client.keys(keys.prefix + ":*")] == []
    assert client.scard(other.seen) == 2 and client.exists(other.seeded)  # another crawl's frontier stays


def test_a_run_taking_over_an_abandoned_one_keeps_its_frontier(client, crawl):
    a = worker(client, crawl, ttl=1.0)
    a.join()
    keys = _fill_frontier(client, crawl)
    a.run_id = None  # killed
    time.sleep(1.1)
    b = worker(client, crawl)
    assert b.join("job-x") == "job-x" and b.joined == "started"
    assert client.scard(keys.seen) == 2  # the unfinished work is carried on
