"""Extraction worker processes do not outlive a crawler killed outright.

A ProcessPoolExecutor's workers each hold both ends of their task queue, so a
crawler killed with SIGKILL (or by the OOM killer) used to leave them waiting
for work for ever, one set per killed run. Real parts: ``scrapy crawl`` in its
own process, a loopback news site that holds one story so the crawl is still
running when it is killed, and the process table in /proc.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .s3_servers import NewsSite

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent


def _children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _spawned_workers(pid: int) -> set[int]:
    workers = set()
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            workers.add(child)
    return workers


def test_extraction_workers_leave_when_the_crawler_is_killed(tmp_path):
    processes = 2
    site = NewsSite(articles=6).start()
    site.hang.add("/world/story-5")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", "start_urls=" + ",".join(site.start_urls),
           "-O", str(tmp_path / "articles.jsonl"), "-s", f"WARC_STORE={tmp_path / 'store'}",
           "-s", f"WARC_SPOOL_DIR={tmp_path / 'spool'}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8",
           "-s", f"LOG_FILE={tmp_path / 'crawl.log'}", "-s", "CRAWL_STATE_ENABLED=False",
           "-s", f"EXTRACTION_PROCESSES={processes}"]
    crawler = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 180  # generous: parallel test workers share the cores
        while time.monotonic() < deadline and crawler.poll() is None:
            workers = _spawned_workers(crawler.pid)
            if len(workers) >= processes and len(site.log) >= 3 + 5:  # all but the held story
                break
            time.sleep(0.1)
        assert crawler.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
        assert len(workers) >= processes, f"no extraction workers seen: {workers}"
        crawler.send_signal(signal.SIGKILL)
        crawler.wait(10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        left = sorted(w for w in workers if _alive(w))
        assert not left, f"extraction workers {left} outlived their crawler"
    finally:
        if crawler.poll() is None:
            crawler.kill()
        for w in workers:
            if _alive(w):
                subprocess.run(["kill", "-9", str(w)], check=False)
        site.hang.clear()
        site.stop()
