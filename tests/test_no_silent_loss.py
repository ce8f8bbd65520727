"""No silent loss (issue 14): the store checked before the first request, a failed write stopping the crawl,
settings and arguments refused in one line, the crawl lock given back on every way out.

Real faults, real processes: a store under /proc or under a regular file, a tiny tmpfs, RLIMIT_FSIZE in the
crawler's process, a real redis-server, a second crawler identity in its own UTS namespace (another host name).
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import run_crawl
from .redis_server import redis_url  # noqa: F401  (fixture)

WARCIO = str(Path(sys.executable).parent / "warcio")
PREVIOUS_FEED = '{"previous": "run"}\n'


class FailsAtStart:
    """A downloader middleware that fails while the crawler is being built, after the lock is taken."""

    @classmethod
    def from_crawler(cls, crawler):
        raise RuntimeError("this component is broken")


class RefusesItsSetting:
    """A component refusing a setting value at start, after the lock is taken."""

    @classmethod
    def from_crawler(cls, crawler):
        from newscrawl.config import get_int

        get_int({"SOME_COMPONENT_LIMIT": "many"}, "SOME_COMPONENT_LIMIT", 1)


def _with_previous_feed(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    feed = workdir / "articles.jsonl"
    feed.write_text(PREVIOUS_FEED, encoding="utf-8")
    return feed


def _errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "] ERROR:" in line]


def _warcio_check(paths) -> None:
    for path in paths:
        proc = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, (path, proc.stdout[-2000:], proc.stderr[-2000:])


def _sqlite_lock_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        try:
            return db.execute("SELECT crawl, holder FROM locks").fetchall()
        except sqlite3.OperationalError:  # never created: the state was never opened
            return []


# -- 1. never fetch what cannot be archived ---------------------------------------

UNWRITABLE = {
    "under /proc": lambda tmp: ["WARC_STORE=/proc/newscrawl-test/warcs"],
    "under a regular file": lambda tmp: [f"WARC_STORE={tmp / 'a-file' / 'warcs'}"],
    "s3 spool under a regular file": lambda tmp: ["WARC_STORE=s3://some-bucket/prefix",
                                                  f"WARC_SPOOL_DIR={tmp / 'a-file' / 'spool'}"],
    "free space below the floor": lambda tmp: [f"WARC_STORE={tmp / 'warcs'}", "WARC_MIN_FREE_BYTES=1000TB"],
}


@pytest.mark.parametrize("case", sorted(UNWRITABLE))
def test_unusable_store_fetches_nothing_and_leaves_the_feed(demo_site, tmp_path, case):
    (tmp_path / "a-file").write_text("not a directory")
    feed = _with_previous_feed(tmp_path)
    before = len(demo_site.log)
    result = run_crawl(tmp_path, demo_site.start_urls, *UNWRITABLE[case](tmp_path), "LOG_LEVEL=INFO")
    assert result.returncode == 1
    assert len(demo_site.log) == before, "something was fetched"
    assert feed.read_text(encoding="utf-8") == PREVIOUS_FEED
    errors = _errors(result.log)
    assert len(errors) == 1 and "Not starting: WARC_" in errors[0], errors
    assert "Traceback" not in result.log + result.stderr
    assert _sqlite_lock_rows(tmp_path / "state.sqlite") == []
    assert not list(tmp_path.rglob("*.warc.gz*"))


# -- 2. a failed write stops the crawl cleanly ------------------------------------

def _fsize_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG from write(), not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.fixture
def tiny_filesystem(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=36k", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (tests run as root): {proc.stderr.decode()}")
    yield mount / "warcs"
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _assert_stopped_cleanly(result, demo_site, fetched_before, warc_dir: Path):
    assert result.returncode == 4, result.log[-3000:]
    assert "Archive write failed: WARC file " + str(warc_dir) in result.log
    assert "close reason archive_failed" in result.log and "'finish_reason': 'archive_failed'" in result.log
    assert not list(warc_dir.glob("*.open")), "a WARC file was left .open"
    warcs = sorted(warc_dir.glob("*.warc.gz"))
    assert warcs
    _warcio_check(warcs)
    # The crawl stopped: fewer fetches than a whole crawl of the demo site.
    fetched = len(demo_site.log) - fetched_before
    assert fetched < len(demo_site.expected_fetches())
    # Every article handed on points at a record that is in a WARC file kept.
    from warcio.archiveiterator import ArchiveIterator

    ids = set()
    for path in warcs:
        with open(path, "rb") as stream:
            ids |= {r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(stream)}
    assert result.items and all(item["warc"]["record_id"] in ids for item in result.items)
    not_archived = [line for line in result.log.splitlines() if "Not archived, not passed to the spider: " in line]
    assert not_archived
    assert f"'warc/not_archived': {len(not_archived)}" in result.log
    assert "Traceback" not in result.log


def test_file_size_limit_mid_crawl_stops_with_exit_4(demo_site, tmp_path):
    before = len(demo_site.log)
    # The limit is per file: without the state's SQLite files, the WARC file is the one that reaches it.
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", "CONCURRENT_REQUESTS=2",
                       "CRAWL_STATE_ENABLED=False", preexec_fn=_fsize_limit(45_000))
    _assert_stopped_cleanly(result, demo_site, before, tmp_path / "warcs")


def test_full_filesystem_mid_crawl_stops_with_exit_4(demo_site, tmp_path, tiny_filesystem):
    before = len(demo_site.log)
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", f"WARC_STORE={tiny_filesystem}",
                       "WARC_MIN_FREE_BYTES=0", "CONCURRENT_REQUESTS=2")
    _assert_stopped_cleanly(result, demo_site, before, tiny_filesystem)


# -- 3. settings and spider arguments checked at start ----------------------------

# The values the issue found, each in a real crawl process; the whole table of checks is tested below, in-process.
BAD_VALUES = [
    ("WARC_MAX_SIZE=abc", "WARC_MAX_SIZE=abc"),
    ("WARC_MAX_SIZE=0", "WARC_MAX_SIZE=0"),
    ("WARC_MAX_SIZE=-5", "WARC_MAX_SIZE=-5"),
    ("EXTRACTION_THREADS=abc", "EXTRACTION_THREADS=abc"),
    ("WARC_UPLOAD_TIMEOUT=abc", "WARC_UPLOAD_TIMEOUT=abc"),
    ("LATEST_BLOCK_TITLES=", "LATEST_BLOCK_TITLES="),
    ("ALLOWED_PRIVATE_NETWORKS=127.0.0.0/33", "ALLOWED_PRIVATE_NETWORKS="),
    ("CRAWL_FRONTIER=mysql://db/x", "CRAWL_FRONTIER=mysql://db/x"),
]

IN_PROCESS_BAD_VALUES = {
    "LATEST_BLOCK_TITLES": ["[]", " , ", []],
    "CRAWL_LOCK_TTL": ["soon", "1", "-3"],
    "RECRAWL_ARTICLES_AFTER": ["6 weeks", "-1d"],
    "WARC_STORE": ["ftp://example.org/warcs", "s3://", "s3://Bad_Bucket/x", ""],
    "CRAWL_STATE": ["redis://127.0.0.1:99999/0", "redis://127.0.0.1:6379/zero", "postgres://db/x"],
    "AWS_ENDPOINT_URL": ["localhost:9000", "http://", "http://[::1"],
    "WARC_S3_ADDRESSING_STYLE": ["sideways"],
    "WARC_S3_CHECKSUM_ALGORITHM": ["MD4"],
    "DOWNLOAD_TIMEOUT": ["-1", "0", "forever"],
    "WARC_MULTIPART_CHUNKSIZE": ["0", "16 parsecs"],
    "WARC_MIN_FREE_BYTES": ["-1", "lots"],
    "REPLAY_S3_PAGE_SIZE": ["0", "5000"],
    "CONCURRENT_REQUESTS": ["0", "1.5"],
    "ALLOWED_PRIVATE_NETWORKS": ["10.0.0.0/8,300.1.0.0/16", ["fe80::/129"]],
    "DNS_OVERRIDES": ['{"a.test": "not-an-ip"}', "{broken"],
    "LATEST_SEE_MORE_PATTERNS": ["(unclosed"],
    "ROBOTSTXT_OBEY": ["perhaps"],
    "STATS_FILE_INTERVAL": ["0", "fast", "-5"],
    "STATS_FILE": ["/no/such/directory/stats.json", "/"],
    "CRAWL_FRONTIER": ["redis://127.0.0.1:6379/zero", "postgres://db/x", "redis://:99999", "disk"],
    "FRONTIER_LEASE_TIMEOUT": ["0.5", "soon"],
    "FRONTIER_IDLE": ["-1"],
    "FRONTIER_SYNC_INTERVAL": ["0"],
}


@pytest.mark.parametrize("name,value", [(n, v) for n, vs in IN_PROCESS_BAD_VALUES.items() for v in vs])
def test_every_checked_setting_names_itself_in_one_line(name, value):
    from scrapy.settings import Settings

    from newscrawl import settings as defaults
    from newscrawl.config import SettingError, check_settings

    settings = Settings()
    settings.setmodule(defaults)
    check_settings(settings)  # the defaults pass
    settings.set(name, value, priority="cmdline")
    with pytest.raises(SettingError) as caught:
        check_settings(settings)
    line = str(caught.value)
    assert line.startswith(f"{name}=") and "\n" not in line and ": " in line


@pytest.mark.parametrize("name,value,parsed", [("WARC_MAX_SIZE", "500MB", 500_000_000),
                                               ("WARC_MAX_SIZE", "1GiB", 1 << 30), ("WARC_MAX_SIZE", 1000, 1000),
                                               ("CRAWL_LOCK_TTL", "10m", 600.0), ("CRAWL_LOCK_TTL", 30, 30.0)])
def test_sizes_and_durations_take_units(name, value, parsed):
    from newscrawl.config import get_duration, get_size

    get = get_size if name == "WARC_MAX_SIZE" else get_duration
    assert get({name: value}, name) == parsed


@pytest.mark.parametrize("setting,named", BAD_VALUES)
def test_bad_setting_is_one_line_and_exit_2(demo_site, tmp_path, setting, named):
    feed = _with_previous_feed(tmp_path)
    before = len(demo_site.log)
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", setting)
    assert result.returncode == 2
    errors = _errors(result.log)
    assert len(errors) == 1 and f"Not starting: {named}" in errors[0], errors
    assert "Traceback" not in result.log + result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Not starting: " + named.split("=")[0])
    assert len(demo_site.log) == before and feed.read_text(encoding="utf-8") == PREVIOUS_FEED


@pytest.mark.parametrize("urls", ["http://[::1", "ftp://example.org/", "example.org/news"])
def test_bad_start_urls_argument_is_one_line_and_exit_2(demo_site, tmp_path, urls):
    before = len(demo_site.log)
    result = run_crawl(tmp_path, [urls], "LOG_LEVEL=INFO")
    assert result.returncode == 2
    errors = _errors(result.log)
    assert len(errors) == 1 and f"Not starting: spider argument start_urls={urls}" in errors[0], errors
    assert "Traceback" not in result.log + result.stderr
    assert len(demo_site.log) == before


def test_bad_setting_has_its_traceback_at_debug(demo_site, tmp_path):
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=DEBUG", "WARC_MAX_SIZE=abc")
    assert result.returncode == 2 and "Traceback" in result.log


def test_unreachable_redis_state_is_one_line(demo_site, tmp_path):
    before = len(demo_site.log)
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", "CRAWL_STATE=redis://127.0.0.1:1/0")
    assert result.returncode == 1
    errors = _errors(result.log)
    assert len(errors) == 1 and "Not starting: CRAWL_STATE redis://127.0.0.1:1/0: cannot take" in errors[0], errors
    assert "Traceback" not in result.log + result.stderr
    assert len(demo_site.log) == before


# -- 4. the lock: given back on every way out, lost locks noticed -----------------

def _other_host(name: str) -> list[str]:
    """Run the next crawl as another machine would: its own UTS namespace and host name."""
    if not shutil.which("unshare"):
        pytest.fail("unshare (util-linux) is needed for a second crawler identity")
    return ["unshare", "--uts", "sh", "-c", f'hostname {name} && exec "$0" "$@"']


FAILED_STARTS = {
    "a broken component": ('DOWNLOADER_MIDDLEWARES={"tests.test_no_silent_loss.FailsAtStart": 1}', 1),
    "a setting refused by a component": ('DOWNLOADER_MIDDLEWARES={"tests.test_no_silent_loss.RefusesItsSetting": 1}',
                                         2),
}


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
@pytest.mark.parametrize("case", sorted(FAILED_STARTS))
def test_failed_start_releases_the_lock_for_another_host(demo_site, tmp_path, request, backend, case):
    state = f"CRAWL_STATE={tmp_path / 'state.sqlite'}"
    if backend == "redis":
        url = request.getfixturevalue("redis_url")
        state = f"CRAWL_STATE={url}"
        import redis

        redis.Redis.from_url(url).flushdb()
    setting, code = FAILED_STARTS[case]
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    failed = run_crawl(tmp_path / "first", demo_site.start_urls, "LOG_LEVEL=INFO", state, setting,
                       "CRAWL_LOCK_TTL=600")
    assert failed.returncode == code, failed.log[-3000:]
    if backend == "sqlite":
        assert _sqlite_lock_rows(tmp_path / "state.sqlite") == []
    else:
        import redis

        assert redis.Redis.from_url(url).keys("newscrawl:lock:*") == []
    # The next run, from another host (it cannot tell whether the first one still runs), starts at once.
    second = run_crawl(tmp_path / "second", demo_site.start_urls, state, "CRAWL_LOCK_TTL=600",
                       wrapper=_other_host("second-host"))
    assert second.returncode == 0, second.log[-3000:]
    assert "already running" not in second.log and "second_host" in "".join(p.name for p in second.warcs)


def _steal_lock(backend: str, where: str, stop: threading.Event) -> None:
    """Wait until the crawl holds its lock, then make it another machine's (as after an expiry and a takeover)."""
    deadline = time.monotonic() + 180  # generous: xdist workers share the cores
    while time.monotonic() < deadline and not stop.is_set():
        time.sleep(0.2)
        if backend == "sqlite":
            with sqlite3.connect(where, timeout=30) as db:
                try:
                    if db.execute("UPDATE locks SET holder = 'other-host:1:thief'").rowcount:
                        return
                except sqlite3.OperationalError:
                    continue
        else:
            import redis

            client = redis.Redis.from_url(where)
            keys = client.keys("newscrawl:lock:*")
            if keys:
                client.set(keys[0], "other-host:1:thief", px=600_000)
                return


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_lost_lock_stops_the_crawl_with_exit_6(demo_site, tmp_path, request, backend):
    if backend == "redis":
        where = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(where).flushdb()
    else:
        where = str(tmp_path / "state.sqlite")
    stop = threading.Event()
    thief = threading.Thread(target=_steal_lock, args=(backend, where, stop), daemon=True)
    thief.start()
    before = len(demo_site.log)
    result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", f"CRAWL_STATE={where}",
                       "CRAWL_LOCK_TTL=3", "DOWNLOAD_DELAY=1", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    stop.set()
    thief.join()
    assert result.returncode == 6, result.log[-3000:]
    assert "Lost the lock of crawl 'worldnews'" in result.log and "other-host:1:thief" in result.log
    assert "'finish_reason': 'lock_lost'" in result.log
    assert len(demo_site.log) - before < len(demo_site.expected_fetches())
    # What was fetched is archived and whole; the other holder's lock is left alone.
    _warcio_check(result.warcs)
    if backend == "sqlite":
        assert _sqlite_lock_rows(Path(where)) == [("worldnews", "other-host:1:thief")]
    else:
        import redis

        client = redis.Redis.from_url(where)
        assert client.get("newscrawl:lock:worldnews") == b"other-host:1:thief"
        client.flushdb()


@pytest.mark.parametrize("setting", ["REPLAY_MAX_IN_FLIGHT=abc", "EXTRACTION_THREADS=0"])
def test_replay_refuses_a_bad_setting_in_one_line(tmp_path, setting):
    from .conftest import REPO, SCRAPY

    log = tmp_path / "replay.log"
    proc = subprocess.run([*SCRAPY, "replay", str(tmp_path / "none.warc.gz"), "-s", setting,
                           "-s", f"LOG_FILE={log}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(f"Not starting: {setting}: ")
    assert "Traceback" not in proc.stderr + log.read_text(encoding="utf-8")


def test_refresh_failing_stops_the_crawl_with_exit_6(demo_site, tmp_path):
    """The Redis server goes away mid-run: the refresh fails; before the lock may have expired, the crawl stops."""
    from .redis_server import start_redis

    server, port = start_redis(tmp_path)  # a server of its own: this test stops it
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)

        def stop_redis_once_locked():
            deadline = time.monotonic() + 180  # generous: xdist workers share the cores
            while time.monotonic() < deadline:
                try:
                    if client.keys("newscrawl:lock:*"):
                        server.terminate()
                        return
                except redis.ConnectionError:
                    return
                time.sleep(0.2)

        killer = threading.Thread(target=stop_redis_once_locked, daemon=True)
        killer.start()
        before = len(demo_site.log)
        result = run_crawl(tmp_path, demo_site.start_urls, "LOG_LEVEL=INFO", f"CRAWL_STATE={url}",
                           "CRAWL_LOCK_TTL=3", "DOWNLOAD_DELAY=1", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        killer.join()
    finally:
        server.kill()
        server.wait()
    assert result.returncode == 6, result.log[-3000:]
    assert "Could not refresh the lock of crawl 'worldnews'" in result.log
    assert "Lost the lock of crawl 'worldnews': could not refresh it for" in result.log
    assert "'newscrawl/lock/refresh_failed'" in result.log and "'finish_reason': 'lock_lost'" in result.log
    assert len(demo_site.log) - before < len(demo_site.expected_fetches())
    _warcio_check(result.warcs)
