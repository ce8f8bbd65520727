"""`scrapy frontier`: a distributed crawl's queue, leases, done, per worker and per host, its run; --clear.

Redis is a real redis-server; the crawl's keys are laid out as newscrawl.frontier.status
documents them (two hosts, two workers, leases held, requests done), beside another crawl
that must be left alone.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest
import redis

from newscrawl.frontier.status import FrontierKeys, frontier_status
from newscrawl.incremental.run import run_key, workers_key

from .conftest import REPO, SCRAPY
from .redis_server import redis_url  # noqa: F401  (fixture)

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def frontier_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command as a user runs it."""
    return subprocess.run([*SCRAPY, "frontier", *args], cwd=REPO, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def frontier(capsys, monkeypatch):
    """The command through Scrapy's own command line, in this process (a new process costs seconds)."""
    from scrapy.cmdline import execute

    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            execute(["scrapy", "frontier", *args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, exited.value.code or 0, out, err)

    return run


def populate(client, crawl: str, workers_in_run: bool = True) -> None:
    keys = FrontierKeys(crawl)
    now = int(time.time() * 1000)
    client.zadd(keys.host_queue("news.example:8080"), {b"1 news.example:8080 r1": 1, b"2 news.example:8080 r2": 2})
    client.zadd(keys.host_queue("wire.example"), {b"3 wire.example r3": 3})
    client.zadd(keys.hosts, {"news.example:8080": 0, "wire.example": 0})
    client.hset(keys.queued_by_host, mapping={"news.example:8080": 2, "wire.example": 1})
    client.hset(keys.leases, mapping={1: b"news.example:8080 r4", 2: b"wire.example r5", 3: b"wire.example r6"})
    client.hset(keys.lease_worker, mapping={1: "box-1-100", 2: "box-2-200", 3: "box-2-200"})
    client.zadd(keys.lease_deadline, {1: now + 60_000, 2: now + 60_000, 3: now + 60_000})
    client.sadd(keys.seen, *[f"fp{i}".encode() for i in range(11)])
    client.hset(keys.stats, mapping={"pushed": 11, "done": 5, "duplicates": 4, "start_urls": 2})
    client.hset(keys.done_by_host, mapping={"news.example:8080": 3, "wire.example": 2})
    client.hset(keys.done_by_worker, mapping={"box-1-100": 4, "box-2-200": 1})
    client.hset(keys.workers, mapping={"box-1-100": json.dumps({"host": "box-1", "pid": 100, "started": now}),
                                       "box-2-200": json.dumps({"host": "box-2", "pid": 200, "started": now})})
    client.zadd(keys.heartbeat, {"box-1-100": now, "box-2-200": now - 3000})
    client.hset(run_key(crawl), mapping={"id": "run-42", "started": now - 120_000})
    if workers_in_run:
        client.zadd(workers_key(crawl), {"box-1:100:aaaa": now + 600_000, "box-2:200:bbbb": now + 600_000})


@pytest.fixture
def crawl(redis_url):  # noqa: F811
    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(url)
    name = f"fc-{time.monotonic_ns()}"
    populate(client, name)
    populate(client, name + "-other")
    yield url, name, client
    client.close()


def test_shows_queue_leases_done_per_worker_and_per_host(crawl):
    url, name, _client = crawl
    proc = frontier_process("-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"crawl {name} on {url}" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert lines["queued"] == ["3"] and lines["leased"] == ["3"] and lines["done"] == ["5"]
    assert "run run-42: started" in out and "not ended, 2 worker(s) in it" in out
    assert "box-1:100:aaaa" in out and "box-2:200:bbbb" in out
    # Per worker: leased and done; per host: queued, leased, done.
    header = next(line.split() for line in out.splitlines() if line.startswith("workers "))
    row = lines["box-2-200"]
    assert row[header.index("leased") - 1] == "2" and row[header.index("done") - 1] == "1"
    header = next(line.split() for line in out.splitlines() if line.startswith("hosts "))
    row = lines["news.example:8080"]
    assert [row[header.index(c) - 1] for c in ("queued", "leased", "done")] == ["2", "1", "3"]
    row = lines["wire.example"]
    assert [row[header.index(c) - 1] for c in ("queued", "leased", "done")] == ["1", "2", "2"]


def test_json_is_the_status_and_the_run(crawl, frontier):
    url, name, client = crawl
    proc = frontier("--json", "-s", f"REDIS_URL={url}", "-s", "CRAWL_FRONTIER=redis", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    status = frontier_status(client, name)
    for volatile in ("workers", "idle_for_s"):  # seconds since, which moved meanwhile
        status.pop(volatile), report["frontier"].pop(volatile)
    assert report["frontier"] == status
    assert report["crawl"] == name and report["run"]["id"] == "run-42"
    assert set(report["run"]["workers"]) == {"box-1:100:aaaa", "box-2:200:bbbb"}


def test_redis_url_alone_names_the_redis(crawl, frontier):
    url, name, _client = crawl
    proc = frontier("--json", "-s", f"REDIS_URL={url}", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["frontier"]["queued"] == 3


def test_clear_refuses_while_workers_are_in_the_run_then_clears_with_force(crawl, frontier):
    url, name, client = crawl
    mine = lambda: sorted(k for k in client.keys("newscrawl:*") if name.encode() + b":" in k  # noqa: E731
                          and b"-other" not in k)
    others = sorted(k for k in client.keys("newscrawl:*") if b"-other" in k)
    before = mine()
    proc = frontier("--clear", "-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "2 worker(s) are in run run-42" in proc.stderr and "--clear --force" in proc.stderr
    assert mine() == before
    proc = frontier("--clear", "--force", "-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 0, proc.stderr
    assert f"cleared crawl {name} on {url}: queued 3, leased 3, done 5" in proc.stdout
    assert "run: run-42 (2 key(s) removed); forgot 2 worker(s)" in proc.stdout
    assert mine() == []
    assert sorted(k for k in client.keys("newscrawl:*") if b"-other" in k) == others  # the other crawl stays


def test_clear_of_a_finished_crawl_says_what_it_removed(redis_url, frontier):  # noqa: F811
    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(url)
    name = f"fc-done-{time.monotonic_ns()}"
    populate(client, name, workers_in_run=False)
    proc = frontier("--clear", "--json", "-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={name}")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["cleared"]["queued"] == 3 and result["cleared"]["done"] == 5
    assert result["frontier"] >= 10 and result["run"] == "run-42" and result["workers_forgotten"] == []
    assert client.keys(f"newscrawl:*{name}*") == []
    # An empty crawl afterwards.
    proc = frontier("--json", "-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={name}")
    report = json.loads(proc.stdout)
    assert report["frontier"]["queued"] == report["frontier"]["done"] == 0 and report["run"]["id"] is None


@pytest.mark.parametrize("args, message", [
    (["worldnews"], "unexpected argument 'worldnews'"),
    (["--bogus"], "unexpected argument '--bogus'"),
    (["--force"], "--force only goes with --clear"),
    ([], "CRAWL_FRONTIER=None: not set; give -s CRAWL_FRONTIER=redis://host:port/db"),
    (["-s", "CRAWL_FRONTIER=redis"], "REDIS_URL=None: redis://host:port/db (CRAWL_FRONTIER=redis needs it)"),
    (["-s", "REDIS_URL=redis://127.0.0.1:6379/db"], "REDIS_URL=redis://127.0.0.1:6379/db: redis://host:port/db"),
    (["-s", "CRAWL_FRONTIER=http://127.0.0.1:6379/0"], "CRAWL_FRONTIER=http://127.0.0.1:6379/0: "),
])
def test_bad_arguments_are_one_line_and_exit_2(args, message, frontier):
    proc = frontier(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_unreachable_redis_is_one_line_and_exit_1():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    proc = frontier_process("-s", f"CRAWL_FRONTIER=redis://:secret@127.0.0.1:{port}/0")
    assert proc.returncode == 1
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert f"127.0.0.1:{port}" in proc.stderr and "secret" not in proc.stderr
