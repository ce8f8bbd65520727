"""Pause and resume with Scrapy's JOBDIR: the resumed crawl continues the WARC series, the state and the dedup.

The real crawler against the demo site: the first run is stopped with SIGINT
(or SIGTERM) a dozen fetches in, the second runs with the same JOBDIR.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_records
from newscrawl.demo.site import DemoSite

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
PAUSE_AFTER = 12  # fetches before the stop signal
SERIAL = re.compile(r"^newscrawl-\d{17}-(\d{5})-")


def _cmd(workdir: Path, root: Path, site: DemoSite) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", "start_urls=" + ",".join(site.start_urls),
            "-O", str(workdir / "articles.jsonl"), "-s", f"WARC_STORE={root / 'warcs'}",
            "-s", f"CRAWL_STATE={root / 'state.sqlite'}", "-s", f"WARC_SPOOL_DIR={root / 'spool'}",
            "-s", f"JOBDIR={root / 'job'}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8",
            # small files, so each run writes several and the series shows
            "-s", "WARC_MAX_SIZE=20000",
            # one request at a time, slowly, so the crawl is stopped with most of its queue left
            "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.25",
            "-s", f"LOG_FILE={workdir / 'crawl.log'}", "-s", "LOG_LEVEL=DEBUG"]


def _items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_paused_crawl_resumes_with_the_same_jobdir(tmp_path, stop):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with DemoSite(port=0) as site:
        (tmp_path / "run1").mkdir()
        first = subprocess.Popen(_cmd(tmp_path / "run1", tmp_path, site), cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 180  # generous: xdist workers share the cores
        while len(site.log) < PAUSE_AFTER and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
        assert len(site.log) >= PAUSE_AFTER, "the first run stopped early"
        first.send_signal(stop)  # a graceful stop: the request in flight finishes, the queue stays in JOBDIR
        out, _ = first.communicate(timeout=120)
        log1 = (tmp_path / "run1" / "crawl.log").read_text(encoding="utf-8")
        assert "(shutdown)" in log1, out[-3000:]
        first_fetches = len(site.log)
        first_files = sorted(p.name for p in (tmp_path / "warcs").glob("*.warc.gz"))

        (tmp_path / "run2").mkdir()
        second = subprocess.run(_cmd(tmp_path / "run2", tmp_path, site), cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=180)
        log2 = (tmp_path / "run2" / "crawl.log").read_text(encoding="utf-8")
        assert second.returncode == 0, log2[-3000:]
        assert "(finished)" in log2
        assert len(site.log) > first_fetches + 10  # the resumed run had work left

    # every URL the site expects, fetched once over both runs (robots.txt: once per process, by Scrapy's
    # RobotsTxtMiddleware; a 503 is retried, as in any single run)
    fetched = Counter(e["url"] for e in site.log if not e["path"].startswith("/robots.txt") and e["status"] != 503)
    assert set(fetched) | {u for u in site.expected_fetches(1) if u.endswith("/robots.txt")} == site.expected_fetches(1)
    assert {u: n for u, n in fetched.items() if n != 1} == {}

    # every page archived once, in one WARC series
    files = sorted((tmp_path / "warcs").glob("*.warc.gz"), key=lambda p: int(SERIAL.match(p.name)[1]))
    assert len(first_files) >= 2 and len(files) > len(first_files)
    assert [int(SERIAL.match(p.name)[1]) for p in files] == list(range(len(files)))
    assert [p.name for p in files[:len(first_files)]] == sorted(first_files, key=lambda n: int(SERIAL.match(n)[1]))
    crawl_ids, responses = set(), Counter()
    for path in files:
        for _offset, rec in iter_records(path):
            if rec.rec_type == "warcinfo":
                info = rec.content_stream().read().decode()
                crawl_ids.add(re.search(r"isPartOf: (\S+)", info)[1])
            elif rec.rec_type in ("response", "revisit") and rec.http_headers.get_statuscode() != "503":
                uri = rec.rec_headers.get_header("WARC-Target-URI")
                if not uri.endswith("/robots.txt"):
                    responses[uri] += 1
    assert len(crawl_ids) == 1, crawl_ids
    assert {u: n for u, n in responses.items() if n != 1} == {}
    assert set(responses) == set(fetched)

    # every article once, from one run or the other, none "new" twice
    items = _items(tmp_path / "run1" / "articles.jsonl") + _items(tmp_path / "run2" / "articles.jsonl")
    urls = Counter(i["url"] for i in items)
    assert set(urls) == set(site.expected_articles(1)) and set(urls.values()) == {1}
    assert "Resuming crawl" in log2
