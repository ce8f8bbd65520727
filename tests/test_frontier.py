"""One crawl, many workers: `scrapy crawl worldnews` processes sharing a Redis frontier (issue 17).

Real parts only: each worker is its own `scrapy crawl` process, the site is a
generated news site with a fixed per-request latency that logs the arrival
time of every request (tests/frontier_site.py), Redis is a real redis-server.
What is checked comes from the server's log (each article fetched, and once),
the workers' WARC files (each exchange archived somewhere), their exit codes
and the frontier's own counters in Redis.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis

from benchmarks.site import Site
from newscrawl.archive.reader import iter_responses
from newscrawl.archive.recovery import repair_open_file
from newscrawl.frontier.status import frontier_status

from .frontier_site import BROKEN, FALLBACK, LOOP, MISSING, MOVED, LatencySite
from .redis_server import redis_server, redis_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
slow = pytest.mark.slow


class Cluster:
    """N workers of one distributed crawl, each with its own WARC directory and log."""

    def __init__(self, workdir: Path, site: LatencySite, redis_url: str, *settings: str, spider: str = "worldnews",
                 start_urls: list[str] | None = None):
        self.workdir, self.site, self.redis_url, self.spider = workdir, site, redis_url, spider
        self.start_urls = start_urls or [site.url]
        self.name = f"t-{uuid.uuid4().hex[:8]}"
        self.settings = settings
        self.procs: list[subprocess.Popen] = []

    def command(self, n: int) -> list[str]:
        wd = self.workdir / f"worker{n}"
        cmd = [sys.executable, "-m", "scrapy", "crawl", self.spider, "-a", f"start_urls={','.join(self.start_urls)}",
               "-s", f"CRAWL_FRONTIER={self.redis_url}", "-s", f"CRAWL_NAME={self.name}",
               "-s", f"CRAWL_STATE={self.redis_url}", "-s", f"WARC_STORE={wd / 'warcs'}",
               "-s", f"WARC_SPOOL_DIR={wd / 'spool'}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.1/32",
               "-s", f"LOG_FILE={wd / 'crawl.log'}", "-s", "ITEM_PIPELINES={}", "-s", "FRONTIER_IDLE=1",
               "-s", "FRONTIER_LEASE_TIMEOUT=3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
               "-s", "TELNETCONSOLE_ENABLED=False", "-s", "LOGSTATS_INTERVAL=5"]
        for setting in self.settings:
            cmd += ["-s", setting]
        return cmd

    def start(self, workers: int) -> "Cluster":
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        for n in range(workers):
            (self.workdir / f"worker{n}").mkdir(parents=True)
            self.procs.append(subprocess.Popen(self.command(n), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.PIPE))
        return self

    def wait(self, timeout: float = 240) -> list[int]:
        deadline = time.monotonic() + timeout
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(max(1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                for p in self.procs:
                    p.kill()
                pytest.fail(f"the workers did not finish in {timeout} s:\n{self.logs()[-4000:]}")
        return codes

    def stderr(self, n: int) -> str:
        return self.procs[n].stderr.read().decode(errors="replace")

    def worker_name(self, n: int) -> str:
        return f"{socket.gethostname()}-{self.procs[n].pid}"

    def log(self, n: int) -> str:
        path = self.workdir / f"worker{n}" / "crawl.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- worker {n}\n{self.log(n)}" for n in range(len(self.procs)))

    def archived(self) -> Counter:
        """Response records per URL path in every worker's WARC files (``.open`` ones repaired first)."""
        paths: Counter = Counter()
        for open_file in self.workdir.glob("worker*/warcs/*.warc.gz.open"):
            repair_open_file(open_file)
        for warc in sorted(self.workdir.glob("worker*/warcs/*.warc.gz")):
            for record in iter_responses(warc):
                paths[record.uri.split(str(self.site.port), 1)[1]] += 1
        return paths


def _stats(log: str) -> dict[str, int]:
    dump = log.rsplit("Dumping Scrapy stats:", 1)[-1]
    return {k: int(v) for k, v in re.findall(r"'([a-z_/]+[a-z_0-9/]*)': (\d+)", dump)}


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@slow
def test_three_workers_fetch_and_archive_every_article_once(tmp_path, redis_url):  # noqa: F811
    with LatencySite(1000, 0.02, tmp_path / "site.log") as site:
        # Leases long enough that a worker slowed by a busy machine keeps them: every fetch once.
        cluster = Cluster(tmp_path, site, redis_url, "FRONTIER_LEASE_TIMEOUT=30").start(3)
        codes = cluster.wait()
        fetched = site.counts()
    assert codes == [0, 0, 0], cluster.logs()[-4000:]
    stories = site.story_paths()
    assert fetched.pop(BROKEN) == 3  # tried and retried twice, on one worker, under one lease
    assert {p: n for p, n in fetched.items() if n > 1 and p != "/robots.txt"} == {}  # each once...
    assert stories | {MISSING, MOVED, LOOP} <= set(fetched)  # ...and every one (the 404 and the 301s too)
    archived = cluster.archived()
    assert archived.pop(BROKEN) == 3  # every attempt archived
    assert stories | {MISSING, MOVED, LOOP} <= set(archived) and {p: n for p, n in archived.items() if n > 1 and p != "/robots.txt"} == {}
    client = redis.Redis.from_url(redis_url)
    status = frontier_status(client, cluster.name)
    # Done: every story, /, /world/, the 404, the 301 (its redirect to story 7 was filtered as seen, or
    # fetched under the 301's lease), the 500 and the redirect loop.
    assert (status["queued"], status["leased"], status["done"]) == (0, 0, len(stories) + 6)
    done_by = {name: w["done"] for name, w in status["workers"].items()}
    # Every worker joined, and each did a share: one host's lease cap (4 x CONCURRENT_REQUESTS_PER_DOMAIN for
    # the cluster) is shared between the workers that want its leases, a worker started late on a busy
    # machine included (before, two could hold it all: seen once, 477 / 529 / 0).
    assert sorted(done_by) == sorted(cluster.worker_name(n) for n in range(3)), done_by
    assert min(done_by.values()) >= (len(stories) + 6) / 6 and sum(done_by.values()) == len(stories) + 6, done_by
    for n in range(3):
        log = cluster.log(n)
        assert "Closing spider (finished)" in log and "The distributed crawl" in log
        stats = _stats(log)
        assert stats["frontier/done"] == done_by[cluster.worker_name(n)]
        assert "frontier/leases/ended_at_idle" not in stats  # every request's end was seen as it happened


@pytest.mark.parametrize("spider", ["worldnews", "worldnews_fallback"])
def test_a_request_no_middleware_sees_end_ends_its_lease_when_it_ends(tmp_path, redis_url, spider):  # noqa: F811
    """The redirect loop fails in a downloader middleware's process_response and goes to its errback, which
    gives the failure back (worldnews) or yields a request for the fallback page (worldnews_fallback)."""
    with LatencySite(20, 0.01, tmp_path / "site.log") as site:
        cluster = Cluster(tmp_path, site, redis_url, "SPIDER_MODULES=newscrawl.spiders,tests.frontier_spiders",
                          "CONCURRENT_REQUESTS=2", spider=spider).start(2)
        codes = cluster.wait()
        fetched = site.counts()
    assert codes == [0, 0], cluster.logs()[-4000:]
    assert fetched[LOOP] == 1 and fetched[FALLBACK] == (spider == "worldnews_fallback")
    assert site.story_paths() <= set(fetched)
    status = frontier_status(redis.Redis.from_url(redis_url), cluster.name)
    assert (status["queued"], status["leased"]) == (0, 0)
    for n in range(2):
        log = cluster.log(n)
        # Not left for the engine to go idle (the safety net, counted): each lease ended as its request did.
        assert "frontier/leases/ended_at_idle" not in _stats(log) and "the engine is idle" not in log, log[-3000:]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("one_works", [False, True], ids=["none_works", "one_works"])
def test_exit_5_is_decided_for_the_whole_cluster_once_the_crawl_is_done(tmp_path, redis_url, one_works):  # noqa: F811
    with LatencySite(5, 0.0, tmp_path / "site.log") as site:
        refused = f"http://127.0.0.1:{_closed_port()}/"
        seeds = {refused: "connection refused", site.url + BROKEN[1:]: "HTTP 500", site.url + MISSING[1:]: "HTTP 404"}
        start_urls = [*seeds, site.url] if one_works else list(seeds)
        # One request at a time per worker: the seeds are shared out between the two workers.
        cluster = Cluster(tmp_path, site, redis_url, "CONCURRENT_REQUESTS=1", "FRONTIER_IDLE=3",
                          start_urls=start_urls).start(2)
        codes = cluster.wait()
        errors = [cluster.stderr(n) for n in range(2)]
    status = frontier_status(redis.Redis.from_url(redis_url), cluster.name)
    if one_works:  # one start URL fetched, on whichever worker: the crawl worked
        assert codes == [0, 0], cluster.logs()[-4000:]
        assert "could be fetched" not in "".join(errors) and "Start URL not fetched" not in cluster.logs()
        assert (status["seeds_fetched"], status["seeds_failed"]) == (1, 3)
        return
    assert codes == [5, 5], (errors, cluster.logs()[-4000:])
    assert (status["seeds_fetched"], status["seeds_failed"]) == (0, 3)
    # Every worker lists each seed once, with its reason, wherever it was tried (a worker started late
    # on a busy machine may have tried none of them: it exits 5 all the same).
    for n in range(2):
        assert "none of the 3 start URL(s) could be fetched (exit 5)" in errors[n], errors[n]
        for url, why in seeds.items():
            assert errors[n].count(f"  {url}: ") == 1 and f"  {url}: {why}" in errors[n], errors[n]
    logs = cluster.log(0) + cluster.log(1)
    for url, why in seeds.items():  # ...and the cluster's logs name it once: the worker that tried it
        assert logs.count(f"Start URL not fetched: {url} ({why}") == 1, logs[-4000:]


def test_a_host_held_back_by_its_delay_does_not_keep_the_other_hosts_waiting(tmp_path, redis_url):  # noqa: F811
    delay = 3.0
    with LatencySite(30, 0.05, tmp_path / "fast.log") as fast, \
            Site(8, log_path=tmp_path / "slow.log", host="127.0.0.2") as slow:
        # 127.0.0.2 (a host name of its own) gets a long DOWNLOAD_DELAY of its own (Scrapy's DOWNLOAD_SLOTS),
        # and six start URLs pushed before the fast host's.
        slow_seeds = [f"{slow.url}world/story-{i:05d}" for i in range(1, 7)]
        cluster = Cluster(tmp_path, fast, redis_url, "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8", "CONCURRENT_REQUESTS=4",
                          f'DOWNLOAD_SLOTS={{"127.0.0.2": {{"delay": {delay}}}}}',
                          start_urls=[*slow_seeds, fast.url]).start(1)
        codes = cluster.wait()
        fast_times = sorted(t for t, _ in fast.fetches())
        slow_times = sorted(t for t, _, _ in slow.requests())
    assert codes == [0], cluster.logs()[-4000:]
    assert fast.story_paths() <= set(fast.counts())
    assert len(slow_times) == 7 and min(b - a for a, b in zip(slow_times, slow_times[1:])) >= delay  # robots.txt, 6
    # At most two of the slow host's requests leased at a time (one in flight, one waiting for its turn): the
    # worker's other downloads go to the fast host, whose whole crawl is done before the slow host's third
    # request. (With one queue for all, the slow host's first four filled the worker's CONCURRENT_REQUESTS,
    # and the fast host waited behind them.)
    assert fast_times[-1] < slow_times[2], (fast_times[0] - slow_times[0], fast_times[-1] - slow_times[0],
                                            [t - slow_times[0] for t in slow_times])


@slow
def test_a_killed_worker_loses_nothing(tmp_path, redis_url):  # noqa: F811
    with LatencySite(1000, 0.05, tmp_path / "site.log") as site:
        cluster = Cluster(tmp_path, site, redis_url).start(3)
        _wait_for(lambda: len(site.fetches()) >= 300, 120, "300 fetches")
        os.kill(cluster.procs[0].pid, signal.SIGKILL)
        client = redis.Redis.from_url(redis_url)
        held = frontier_status(client, cluster.name)["workers"][cluster.worker_name(0)]["leased"]
        codes = cluster.wait()
        fetched = site.counts()
    assert codes[0] == -signal.SIGKILL and codes[1:] == [0, 0], cluster.logs()[-4000:]
    stories = site.story_paths()
    assert stories <= set(fetched)
    duplicates = {p: n - 1 for p, n in fetched.items() if n > 1 and p not in ("/robots.txt", BROKEN)}
    if fetched[BROKEN] > 3:  # three attempts per lease (tried and retried twice): more is a lease fetched again
        duplicates[BROKEN] = -(-fetched[BROKEN] // 3) - 1
    # At most the requests the killed worker held (in flight or waiting in its memory), each once more.
    assert sum(duplicates.values()) <= held, (duplicates, held)
    assert stories <= set(cluster.archived())
    status = frontier_status(client, cluster.name)
    assert (status["queued"], status["leased"]) == (0, 0)
    assert status["requeued"] == held  # counted...
    survivors = cluster.log(1) + cluster.log(2)
    reported = sum(int(n) for n in re.findall(r"Put back (\d+) request\(s\) whose leases ran out", survivors))
    assert reported == held  # ...and reported
    print(f"killed worker held {held} lease(s); {len(duplicates)} article(s) fetched twice")


@slow
def test_download_delay_holds_across_workers(tmp_path, redis_url):  # noqa: F811
    delay = 0.1
    with LatencySite(60, 0.0, tmp_path / "site.log") as site:
        cluster = Cluster(tmp_path, site, redis_url, f"DOWNLOAD_DELAY={delay}").start(3)
        codes = cluster.wait()
        times = sorted(t for t, _ in site.fetches())
    assert codes == [0, 0, 0], cluster.logs()[-4000:]
    gaps = [b - a for a, b in zip(times, times[1:])]
    status = frontier_status(redis.Redis.from_url(redis_url), cluster.name)
    done_by = sorted(status["workers"][cluster.worker_name(n)]["done"] for n in range(3))
    # Across workers: the host's leases go round the three (none keeps them by asking again first).
    assert done_by[0] >= sum(done_by) / 6, done_by
    print(f"{len(times)} requests in {times[-1] - times[0]:.2f} s, smallest gap {min(gaps):.4f} s"
          f" (DOWNLOAD_DELAY {delay}); done per worker {done_by}")
    # Without the cluster's slot, three workers each keeping DOWNLOAD_DELAY would come ~delay/3 apart; with
    # starts spaced from when the previous request left its worker, a slow way there (a new connection, a
    # busy machine) made some gaps shorter. The next start counts from the previous response: never shorter.
    assert min(gaps) >= delay, sorted(gaps)[:8]


@slow
@pytest.mark.parametrize("pages, latency, settings", [
    (60, 0.0, ("DOWNLOAD_DELAY=0.1",)),  # a host held back by its delay: cap 2, one in flight and one waiting
    (300, 0.02, ("CONCURRENT_REQUESTS_PER_DOMAIN=2",)),  # a host without a delay: cap 8, each worker room for 32
], ids=["delayed_host", "host_without_delay"])
def test_three_workers_on_one_host_each_do_a_fair_share(tmp_path, redis_url, pages, latency, settings):  # noqa: F811
    with LatencySite(pages, latency, tmp_path / "site.log") as site:
        cluster = Cluster(tmp_path, site, redis_url, *settings).start(3)
        codes = cluster.wait()
        fetched = site.counts()
    assert codes == [0, 0, 0], cluster.logs()[-4000:]
    status = frontier_status(redis.Redis.from_url(redis_url), cluster.name)
    # Once (run 7 of 10 under load) stories were skipped as archived by an earlier test's crawl whose site had
    # the same port (one Redis for the session's state): the state is per crawl now (the test below).
    missing = sorted(site.story_paths() - set(fetched))
    assert not missing, (len(missing), missing[:12], sorted(set(fetched) - site.story_paths()), status,
                         cluster.logs()[-6000:])
    done_by = {cluster.worker_name(n): status["workers"].get(cluster.worker_name(n), {}).get("done", 0)
               for n in range(3)}
    total = sum(done_by.values())
    assert total == status["done"], (done_by, status["done"])
    print(f"requests done per worker: {sorted(done_by.values())} of {total}")
    # A third each when shared evenly; a worker that asks again at once after each request it finishes
    # (the one whose leases came first) no longer keeps the host's leases from workers that wait for one.
    assert min(done_by.values()) >= total / 6, done_by


def test_a_crawl_sharing_the_state_server_with_another_crawl_of_the_same_urls_fetches_them_all(tmp_path, redis_url):  # noqa: F811
    # Seen in the fair-share test under load: all workers exited 0 with stories never fetched. The test
    # session shares one Redis for frontier and state, and a site of a later test can get the port of an
    # earlier one's: its URLs were then "archived already" by another crawl (into another WARC_STORE) and
    # skipped. The state is per CRAWL_NAME: each crawl fetches and archives every article itself.
    with LatencySite(30, 0.0, tmp_path / "site.log") as site:
        first = Cluster(tmp_path / "first", site, redis_url).start(1)
        assert first.wait() == [0], first.logs()[-4000:]
        second = Cluster(tmp_path / "second", site, redis_url).start(1)
        assert second.wait() == [0], second.logs()[-4000:]
        fetched = site.counts()
    assert {path: fetched[path] for path in site.story_paths()} == dict.fromkeys(site.story_paths(), 2)
    assert site.story_paths() <= set(second.archived()), second.logs()[-4000:]


@slow
def test_a_redis_restart_mid_crawl_loses_nothing(tmp_path, redis_server):  # noqa: F811
    with LatencySite(400, 0.02, tmp_path / "site.log") as site:
        cluster = Cluster(tmp_path, site, redis_server.url).start(2)
        client = redis.Redis.from_url(redis_server.url)
        # Both workers in the crawl first: one still starting when Redis goes cannot join it (exit 1, by design).
        _wait_for(lambda: len(frontier_status(client, cluster.name)["workers"]) == 2, 120, "both workers to join")
        _wait_for(lambda: len(site.fetches()) >= 100, 120, "100 fetches")
        client.close()
        redis_server.stop()
        time.sleep(2)
        redis_server.start()
        codes = cluster.wait()
        fetched = site.counts()
    assert codes == [0, 0], cluster.logs()[-4000:]
    stories = site.story_paths()
    assert stories <= set(fetched) and stories <= set(cluster.archived())
    for n in range(2):
        log = cluster.log(n)
        assert log.count("is unreachable") == 1 and log.count("is back after") == 1, log[-3000:]
