"""STATS_FILE: a real crawl of the demo site, held half-way, its stats file read while it runs and after."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from newscrawl.demo import content

from .conftest import REPO, SCRAPY

pytestmark = pytest.mark.integration


def crawl_cmd(workdir: Path, start_urls: list[str], *settings: str) -> list[str]:
    cmd = [*SCRAPY, "crawl", "worldnews", "-a", "start_urls=" + ",".join(start_urls),
           "-O", str(workdir / "articles.jsonl"), "-s", f"WARC_STORE={workdir / 'warcs'}",
           "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8", "-s", f"LOG_FILE={workdir / 'crawl.log'}",
           "-s", f"CRAWL_STATE={workdir / 'state.sqlite'}", "-s", f"WARC_SPOOL_DIR={workdir / 'spool'}",
           "-s", "EXTRACTION_PROCESSES=0"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))  # raises on a half-written file


def test_stats_file_during_and_after_a_crawl(tmp_path):
    from newscrawl.demo.site import DemoSite

    stats_file = tmp_path / "stats.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with DemoSite(port=0) as site:
        site.hold(content.G_SECTION)  # the crawl waits on the Globe's section page until released
        proc = subprocess.Popen(crawl_cmd(tmp_path, site.start_urls, f"STATS_FILE={stats_file}",
                                          "STATS_FILE_INTERVAL=0.2", "CRAWL_ID=stats-demo"),
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 180  # generous: xdist workers share the cores
            while site.waiting == 0 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            assert site.waiting, "the crawl never reached the held page"
            # Read it over and over while it is rewritten: never a half-written file.
            snapshots = []
            while time.monotonic() < deadline:
                if stats_file.exists():
                    snapshots.append(read(stats_file))
                    last = snapshots[-1]
                    if len({s["updated"] for s in snapshots}) >= 4 and last["pending"] >= 1 and last["crawled"] >= 5:
                        break
                time.sleep(0.02)
            running = snapshots[-1]
        finally:
            site.release()
            out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + (tmp_path / "crawl.log").read_text()[-3000:]

    assert running["state"] == "running" and running["crawl_id"] == "stats-demo"
    assert running["pending"] >= 1  # the held section page, at least
    globe = site.publishers["globe"].split("//", 1)[1]
    assert running["per_host"][globe]["downloading"] >= 1
    assert 0 < running["crawled"] and running["archived_bytes"] > 0
    # it moves: successive snapshots never go back
    assert [s["crawled"] for s in snapshots] == sorted(s["crawled"] for s in snapshots)

    final = read(stats_file)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    dump = log[log.rfind("Dumping Scrapy stats"):]
    responses = int(dump.split("'warc/responses': ", 1)[1].split(",")[0].split("}")[0])
    assert final["state"] == "finished" and final["finish_reason"] == "finished"
    assert final["crawled"] == responses == sum(h["crawled"] for h in final["per_host"].values())
    # failed: what the crawl itself counts as requests that gave no page (404s, 503s, refusals ...)
    import re

    failed = sum(int(n) for n in re.findall(r"'newscrawl/failed/[^']+': (\d+)", dump))
    assert final["pending"] == 0 and final["failed"] == failed > 0
    warcs = sorted((tmp_path / "warcs").glob("*.warc.gz"))
    assert final["archived_bytes"] == sum(w.stat().st_size for w in warcs) and final["warc_files"] == len(warcs)
    items = [line for line in (tmp_path / "articles.jsonl").read_text().splitlines() if line.strip()]
    assert final["articles"] == len(items)
    assert set(final["per_host"]) == {u.split("//", 1)[1] for u in site.publishers.values()}
    assert sum(h["bytes"] for h in final["per_host"].values()) > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_stats_file_counts_failures_per_host(tmp_path):
    """A host that refuses connections: its requests count as failed, per host and in total."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # closed again: nothing listens there
    stats_file = tmp_path / "stats.json"
    proc = subprocess.run(crawl_cmd(tmp_path, [f"http://127.0.0.1:{dead}/"], f"STATS_FILE={stats_file}",
                                    "RETRY_TIMES=0", "ROBOTSTXT_OBEY=False"),
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0  # nothing could be fetched
    final = read(stats_file)
    assert final["state"] == "finished" and final["crawled"] == 0
    assert final["failed"] >= 1 and final["per_host"][f"127.0.0.1:{dead}"]["failed"] == 1


@pytest.mark.parametrize("value", ["0", "every now and then"])
def test_bad_interval_is_one_line_and_exit_2(tmp_path, value):
    """Checked with every other setting (newscrawl/config.py): exit 2, one line, no traceback."""
    proc = subprocess.run(crawl_cmd(tmp_path, ["http://127.0.0.1:9/"], f"STATS_FILE={tmp_path / 's.json'}",
                                    f"STATS_FILE_INTERVAL={value}", "LOG_LEVEL=INFO"),
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=120)
    text = proc.stderr + ((tmp_path / "crawl.log").read_text() if (tmp_path / "crawl.log").exists() else "")
    assert proc.returncode == 2, text[-2000:]
    assert "Traceback" not in text
    assert proc.stderr.strip().splitlines()[-1] == (f"Not starting: STATS_FILE_INTERVAL={value}: a duration in "
                                                    "seconds (e.g. 30, 90s, 10m, 6h, 2d), above 0")
    assert not (tmp_path / "s.json").exists()
