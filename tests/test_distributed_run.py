"""Workers of a distributed crawl (`-s CRAWL_FRONTIER=redis://...`) as real `scrapy crawl` processes.

Two workers started together join one run: their WARC files land in one WARC_STORE under
names carrying each worker's host and pid, every warcinfo and manifest carries the run's id,
and each manifest names its worker. After the run is done, a late worker of that run
(CRAWL_ID) has nothing to do (exit 0); a worker started while the ended run's workers are
still closing waits for them and gives up with 75 when they do not leave in time.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from newscrawl.archive.reader import iter_records
from newscrawl.demo.site import DemoSite
from newscrawl.frontier.status import frontier_status
from newscrawl.host import file_name_host
from newscrawl.incremental.run import run_key, run_status, workers_key

from .conftest import REPO, SCRAPY
from .redis_server import redis_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

WARC_NAME = re.compile(r"^newscrawl-\d{17}-\d{5}-(?P<host>[^-]+)-(?P<pid>\d+)\.warc\.gz$")


def worker_cmd(workdir: Path, site: DemoSite, store: Path, frontier: str, crawl: str, *settings: str) -> list[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [*SCRAPY, "crawl", "worldnews", "-a", "start_urls=" + ",".join(site.start_urls),
           "-O", str(workdir / "articles.jsonl"), "-s", f"WARC_STORE={store}",
           "-s", f"CRAWL_STATE={store.parent / 'state.sqlite'}", "-s", f"WARC_SPOOL_DIR={workdir / 'spool'}",
           "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8", "-s", f"LOG_FILE={workdir / 'crawl.log'}",
           "-s", "LOG_LEVEL=DEBUG", "-s", f"CRAWL_FRONTIER={frontier}", "-s", f"CRAWL_NAME={crawl}",
           "-s", "EXTRACTION_PROCESSES=0"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def two_workers(redis_url, tmp_path_factory):  # noqa: F811
    frontier = redis_url.rsplit("/", 1)[0] + "/6"
    root = tmp_path_factory.mktemp("distributed")
    store = root / "warcs"
    crawl = f"dist-{time.monotonic_ns()}"
    with DemoSite(port=0) as site:
        # The workers share one frontier: so that both get work on this small site, each holds at most two
        # requests (CONCURRENT_REQUESTS=1), and robots.txt waits until the second has leased a start page.
        site.hold("/robots.txt")
        procs = [subprocess.Popen(worker_cmd(root / f"w{i}", site, store, frontier, crawl, "CONCURRENT_REQUESTS=1",
                                             "DOWNLOAD_TIMEOUT=180"),
                                  cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for i in range(2)]
        client = redis.Redis.from_url(frontier)
        deadline = time.monotonic() + 120
        while not all(frontier_status(client, crawl)["workers"].get(f"{socket.gethostname()}-{p.pid}", {})
                      .get("leased") for p in procs) and time.monotonic() < deadline:
            time.sleep(0.1)
        site.release()
        outs = [p.communicate(timeout=180)[0] for p in procs]
        served = list(site.log)
        logs = [(root / f"w{i}" / "crawl.log").read_text(encoding="utf-8") for i in range(2)]
        for proc, out, log in zip(procs, outs, logs):
            assert proc.returncode == 0, out[-2000:] + log[-3000:]
        # The site stays up for the module's tests: the next run asks for the same URLs.
        yield {"root": root, "store": store, "frontier": frontier, "crawl": crawl, "pids": [p.pid for p in procs],
               "logs": logs, "site": site, "served": served}


@pytest.mark.slow  # the module's two-worker crawl
def test_workers_started_together_share_one_run_id(two_workers):
    run_ids = [re.search(r" run(?: \([^)]*\))? (\S+) of crawl", log)[1] for log in two_workers["logs"]]
    assert run_ids[0] == run_ids[1]
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in two_workers["store"].glob("*.manifest.json")]
    assert len(manifests) == 2
    assert {m["crawl_id"] for m in manifests} == {run_ids[0]}
    # The run is over in Redis: ended, nobody left.
    client = redis.Redis.from_url(two_workers["frontier"])
    status = run_status(client, two_workers["crawl"])
    assert status.id == run_ids[0] and status.ended is not None and status.workers == {}


@pytest.mark.slow  # the module's two-worker crawl
def test_each_worker_writes_its_own_warcs_into_the_store_and_its_manifest_names_it(two_workers):
    store, pids = two_workers["store"], two_workers["pids"]
    warcs = sorted(store.glob("*.warc.gz"))
    by_pid: dict[int, list[Path]] = {}
    for path in warcs:
        match = WARC_NAME.match(path.name)
        assert match, path.name
        assert match["host"] == file_name_host()
        by_pid.setdefault(int(match["pid"]), []).append(path)
    assert set(by_pid) == set(pids)  # each worker wrote files, under its own pid
    manifests = {m["pid"]: m for m in (json.loads(p.read_text(encoding="utf-8"))
                                       for p in store.glob("*.manifest.json"))}
    assert set(manifests) == set(pids)
    workers = set()
    for pid, manifest in manifests.items():
        assert manifest["worker"] == f"{socket.gethostname()}-{pid}"
        workers.add(manifest["worker"])
        # It lists exactly this worker's files, each one's warcinfo naming the run and the worker's pid.
        assert sorted(f["name"] for f in manifest["files"]) == sorted(p.name for p in by_pid[pid])
        for path in by_pid[pid]:
            info = next(r for _offset, r in iter_records(path) if r.rec_type == "warcinfo")
            fields = dict(line.split(": ", 1) for line in info.content_stream().read().decode().splitlines() if ": " in line)
            assert fields["isPartOf"] == manifest["crawl_id"] and fields["pid"] == str(pid)
    assert len(workers) == 2
    # The workers' log lines name the same worker ids as the manifests.
    for log in two_workers["logs"]:
        assert any(f"as worker {w}" in log for w in workers)


@pytest.mark.slow  # the module's two-worker crawl
def test_a_late_worker_of_the_finished_run_has_nothing_to_do(two_workers, tmp_path):
    run_id = json.loads(next(two_workers["store"].glob("*.manifest.json")).read_text())["crawl_id"]
    with DemoSite(port=0) as site:
        proc = subprocess.run(worker_cmd(tmp_path, site, tmp_path / "warcs", two_workers["frontier"],
                                         two_workers["crawl"], f"CRAWL_ID={run_id}"),
                              cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)
        served = len(site.log)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr + log[-3000:]
    assert f"run {run_id} of crawl" in log and "already done" in log
    assert served == 0 and not [p for p in (tmp_path / "warcs").rglob("*") if p.is_file()]


def test_a_worker_waits_for_the_ended_runs_closing_workers_then_gives_up_with_75(redis_url, tmp_path):  # noqa: F811
    frontier = redis_url.rsplit("/", 1)[0] + "/6"
    crawl = f"closing-{time.monotonic_ns()}"
    client = redis.Redis.from_url(frontier)
    now_ms = int(time.time() * 1000)
    # A run that ended, with one worker on another machine still closing (uploading) for a while.
    client.hset(run_key(crawl), mapping={"id": "run-a", "started": now_ms - 60_000, "ended": now_ms})
    client.zadd(workers_key(crawl), {"crawl-box-2-4242": now_ms + 600_000})
    with DemoSite(port=0) as site:
        started = time.monotonic()
        proc = subprocess.run(worker_cmd(tmp_path, site, tmp_path / "warcs", frontier, crawl, "CRAWL_RUN_WAIT=2"),
                              cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)
        waited = time.monotonic() - started
        served = len(site.log)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 75, proc.stdout + proc.stderr + log[-3000:]
    assert "waiting (at most 2 s)" in log and "still closing after 2 s (CRAWL_RUN_WAIT)" in log
    assert waited >= 2 and served == 0 and not [p for p in (tmp_path / "warcs").rglob("*") if p.is_file()]
    assert run_status(client, crawl).id == "run-a"  # the next run did not start


@pytest.mark.slow  # the module's two-worker crawl
def test_the_shared_frontier_fetches_every_page_once_and_scrapy_frontier_shows_it(two_workers, frontier_json):
    site, served = two_workers["site"], two_workers["served"]
    # Each page served once, by one of the workers (the demo site answers some with a 503 first: retried).
    pages = [e["url"] for e in served if not e["url"].endswith("/robots.txt") and e["status"] < 500]
    assert len(pages) == len(set(pages))
    assert {e["url"] for e in served} == site.expected_fetches(1)
    report = frontier_json(two_workers["frontier"], two_workers["crawl"])
    status = report["frontier"]
    # Done counts requests: a redirect followed and its target are one.
    followed = [e for e in served if not e["url"].endswith("/robots.txt") and e["status"] < 500
                and not 300 <= e["status"] < 400]
    assert status["queued"] == 0 and status["leased"] == 0 and len(followed) <= status["done"] <= len(pages)
    workers = {f"{socket.gethostname()}-{pid}" for pid in two_workers["pids"]}
    assert set(status["workers"]) == workers
    assert sum(w["done"] for w in status["workers"].values()) == status["done"]
    assert sum(h["done"] for h in status["hosts"].values()) == status["done"]
    assert report["run"]["ended"] is not None and report["run"]["workers"] == {}


@pytest.mark.slow  # the module's two-worker crawl
def test_the_next_run_starts_on_a_fresh_frontier_and_fetches_the_start_pages_again(two_workers, tmp_path,
                                                                                  frontier_json):
    site = two_workers["site"]
    first_run = run_status(redis.Redis.from_url(two_workers["frontier"]), two_workers["crawl"]).id
    before = len(site.log)
    proc = subprocess.run(worker_cmd(tmp_path, site, two_workers["store"], two_workers["frontier"],
                                     two_workers["crawl"]), cwd=REPO, env=ENV, capture_output=True, text=True,
                          timeout=180)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr + log[-3000:]
    report = frontier_json(two_workers["frontier"], two_workers["crawl"])
    assert report["run"]["id"] != first_run and f"Run {first_run} of crawl" in log
    again = {e["url"] for e in site.log[before:]}
    assert set(site.start_urls) <= again  # the start pages again: the ended run's seen requests are gone
    # Done counts the requests of this run only (the articles archived already are skipped, and done).
    assert report["frontier"]["done"] >= len([u for u in again if not u.endswith("/robots.txt")])
    assert report["frontier"]["done"] <= len({e["url"] for e in two_workers["served"]})


@pytest.fixture
def frontier_json():
    def show(url: str, crawl: str) -> dict:
        proc = subprocess.run([*SCRAPY, "frontier", "--json", "-s", f"CRAWL_FRONTIER={url}", "-s", f"CRAWL_NAME={crawl}"],
                              cwd=REPO, env=ENV, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)
    return show


# --------------------------------------------------------------------------- one directory, many hosts

def _open_warc(directory: Path, name: str) -> Path:
    """A ``.open`` WARC file as a writer leaves it mid-crawl (two whole exchanges), renamed to ``name``."""
    from newscrawl.archive.records import Exchange
    from newscrawl.archive.writer import RotatingWarcWriter

    writer = RotatingWarcWriter(directory, "newscrawl", 10**9, {"software": "t"}, str, lambda c: None)
    for i in range(2):
        writer.write(Exchange(url=f"http://site.test/a/{i}", method="GET", request_headers=[("User-Agent", "t")],
                              request_body=b"", status=200, response_headers=[("Content-Type", "text/plain")],
                              payload=b"x" * 300, ip_address="127.0.0.1"))
    path = writer.current_path
    writer._file.close()  # as a running (or killed) writer leaves it: no rename
    return path.rename(directory / name)


def _shared_store(tmp_path: Path, *hosts: str) -> tuple[Path, list[Path]]:
    """One WARC directory for every host (a network file system), with a ``.open`` file of each host's pid 4242."""
    store = tmp_path / "warcs"
    store.mkdir()
    return store, [_open_warc(store, f"newscrawl-20261202000000000-00000-{host}-4242.warc.gz.open") for host in hosts]


def _a_run(frontier: str, crawl: str, run_id: str, members: dict[str, float]) -> None:
    """A run of ``crawl`` crawling now; each member's membership expires in so many seconds (< 0: expired)."""
    client = redis.Redis.from_url(frontier)
    now_ms = int(time.time() * 1000)
    client.hset(run_key(crawl), mapping={"id": run_id, "started": now_ms - 60_000})
    client.zadd(workers_key(crawl), {worker: now_ms + int(seconds * 1000) for worker, seconds in members.items()})
    client.close()


@pytest.mark.parametrize("host", ["crawl_box_2", "ip_10_0_3_17"])
def test_another_hosts_open_file_is_left_alone_while_its_worker_is_in_the_run(tmp_path, host):
    from newscrawl.archive.recovery import EVERY_OTHER_HOST, repair_open_files

    live = _open_warc(tmp_path, f"newscrawl-20261202000000000-00000-{host}-4242.warc.gz.open")
    dead = _open_warc(tmp_path, f"newscrawl-20261202000000000-00000-{host}-4243.warc.gz.open")
    before = live.read_bytes()
    repairs = repair_open_files(tmp_path, elsewhere=frozenset({(host, 4242)}))
    assert [r.closed.path.name for r in repairs] == [dead.name.removesuffix(".open")]
    assert live.read_bytes() == before
    assert repair_open_files(tmp_path, elsewhere=EVERY_OTHER_HOST) == [] and live.exists()


def test_a_worker_leaves_the_files_of_the_runs_other_hosts_alone(redis_url, tmp_path):  # noqa: F811
    frontier = redis_url.rsplit("/", 1)[0] + "/6"
    crawl = f"shared-dir-{time.monotonic_ns()}"
    store, (live, dead) = _shared_store(tmp_path, "crawl_box_2", "crawl_box_3")
    before = live.read_bytes()
    # A run crawling now, with a worker on crawl-box-2 (pid 4242); crawl-box-3's is not in it (it died).
    _a_run(frontier, crawl, "run-nfs", {"crawl-box-2-4242": 600})
    with DemoSite(port=0) as site:
        proc = subprocess.run(worker_cmd(tmp_path / "w", site, store, frontier, crawl, "DEPTH_LIMIT=1",
                                         "CLOSESPIDER_PAGECOUNT=3"),
                              cwd=REPO, env=ENV, capture_output=True, text=True, timeout=180)
    log = (tmp_path / "w" / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr + log[-3000:]
    assert "Joined run (1 other worker(s)) run-nfs" in log
    assert live.read_bytes() == before and f"Leaving {live.name} alone" in log
    assert not dead.exists() and (store / dead.name.removesuffix(".open")).exists()


def _upload_pending(store: Path, *settings: str) -> subprocess.CompletedProcess:
    cmd = [*SCRAPY, "upload_pending", "-s", f"WARC_STORE={store}", "-s", f"WARC_SPOOL_DIR={store.parent / 'spool'}"]
    for setting in settings:
        cmd += ["-s", setting]
    return subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)


def test_upload_pending_takes_only_the_files_of_writers_gone_from_the_run(redis_url, tmp_path):  # noqa: F811
    frontier = redis_url.rsplit("/", 1)[0] + "/6"
    crawl = f"shared-pending-{time.monotonic_ns()}"
    store, (live, left_run, expired) = _shared_store(tmp_path, "nfs_box_2", "nfs_box_3", "nfs_box_4")
    before = live.read_bytes()
    # A run crawling now: nfs-box-2's worker is in it; nfs-box-3's has left it; nfs-box-4's stopped
    # refreshing its membership (its heartbeat), which has expired.
    _a_run(frontier, crawl, "run-pending", {"nfs-box-2-4242": 600, "nfs-box-4-4242": -1})

    # Without the crawl's Redis no other host's crawler can be checked: every file stays, each said why.
    unknown = _upload_pending(store)
    assert unknown.returncode == 0, unknown.stdout + unknown.stderr
    for path in (live, left_run, expired):
        assert path.exists() and re.search(rf"  left +{re.escape(path.name)} \(written on host nfs_box_\d: "
                                           r"whether its crawler still runs cannot be checked", unknown.stdout)
    assert live.read_bytes() == before

    proc = _upload_pending(store, f"CRAWL_FRONTIER={frontier}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert live.read_bytes() == before  # its worker is still in the run: left, and why
    assert (f"  left      {live.name} (worker nfs-box-2-4242 of run run-pending of crawl {crawl!r} is still in it)"
            in proc.stdout), proc.stdout
    for gone in (left_run, expired):  # their writers are gone from the run: repaired like a dead one's here
        assert not gone.exists() and (store / gone.name.removesuffix(".open")).exists(), proc.stdout
        assert f"  repaired  {gone.name.removesuffix('.open')}" in proc.stdout
