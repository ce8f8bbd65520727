"""Durable captures: a crawler killed between writing and committing, then an S3 outage, then two more runs.

Real parts only: the crawler in its own process (SIGKILL), a moto S3 server
behind a proxy the test takes down, a loopback news site that logs every
fetch, the SQLite crawl state.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_responses

from .s3_servers import SERVERS, FaultProxy, NewsSite, crawl_command, crawl_env, start_until_hanging

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
STORIES = 12


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    srv = SERVERS["moto"](tmp_path_factory.mktemp("moto-durable")).start()
    yield srv
    srv.stop()


class ArticleSite(NewsSite):
    """The news site, its stories declared as news articles (so each makes an item)."""

    def body_for(self, path: str) -> tuple[int, bytes, str]:
        status, body, ctype = super().body_for(path)
        match = re.fullmatch(r"/world/story-(\d+)", path)
        if match and status == 200:
            declared = json.dumps({"@type": "NewsArticle", "headline": f"Story {match[1]}",
                                   "datePublished": "2026-11-30T10:00:00Z"})
            prose = "".join(f"<p>Paragraph {n} of story {match[1]}, told in plain words for its readers.</p>"
                            for n in range(6))
            body = body.replace(b"<article>", f"<script type='application/ld+json'>{declared}</script>"
                                f"<article>{prose}".encode())
        return status, body, ctype


def _stats(log: str) -> dict[str, int]:
    dump = log.rsplit("Dumping Scrapy stats:", 1)[-1]
    return {k: int(v) for k, v in re.findall(r"'([a-z_/]+[a-z_0-9/]*)': (\d+)", dump)}


def _captures(state: Path) -> dict[str, tuple]:
    db = sqlite3.connect(state)
    try:
        return {row[0]: row for row in db.execute("SELECT url, warc_uri, offset, record_id FROM crawl_captures")}
    finally:
        db.close()


def _items(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.slow
def test_sigkill_before_commit_then_s3_outage_then_two_runs(moto, tmp_path):
    bucket = "durable-captures"
    moto.create_bucket(bucket)
    proxy = FaultProxy(moto.port)
    proxy.up()
    site = ArticleSite(articles=STORIES).start()
    site.hang.add(f"/world/story-{STORIES - 1}")
    state = tmp_path / "state.sqlite"
    runs: list[dict] = []

    def command(run: int, *extra: str) -> list[str]:
        workdir = tmp_path / f"run{run}"
        workdir.mkdir(exist_ok=True)
        cmd = crawl_command(workdir, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "CRAWL_STATE_ENABLED=True", f"CRAWL_STATE={state}", *extra)
        # one spool for every run, as on one machine
        at = cmd.index(f"WARC_SPOOL_DIR={workdir / 'spool'}")
        cmd[at] = f"WARC_SPOOL_DIR={tmp_path / 'spool'}"
        return cmd

    try:
        # Run 1: everything but the hanging story is written to the .open file, nothing is committed: SIGKILL.
        crawler = start_until_hanging(command(1), moto, site, tmp_path, served=3 + STORIES - 1)
        crawler.send_signal(signal.SIGKILL)
        crawler.wait(10)
        assert not state.exists() or not _captures(state)  # killed before committing anything
        runs.append({"served": list(site.log)})
        site.hang.clear()

        def run(number: int, *extra: str) -> dict:
            mark = len(site.log)
            proc = subprocess.run(command(number, *extra), cwd=REPO, env=crawl_env(moto),
                                  capture_output=True, text=True, timeout=180)
            workdir = tmp_path / f"run{number}"
            runs.append({"served": site.log[mark:], "log": (workdir / "crawl.log").read_text(encoding="utf-8"),
                         "code": proc.returncode, "items": _items(workdir / "articles.jsonl")})
            return runs[-1]

        # Run 2: S3 is down. The file of run 1 is repaired and its captures committed; its upload fails.
        proxy.down()
        second = run(2, "WARC_UPLOAD_TIMEOUT=3")
        assert second["code"] != 0, second["log"][-3000:]  # files wait in the spool
        assert list((tmp_path / "spool").rglob("*.warc.gz"))
        # Run 3: S3 still down. Nothing archived is fetched again; still nothing uploaded.
        third = run(3, "WARC_UPLOAD_TIMEOUT=3")
        assert third["code"] != 0, third["log"][-3000:]
        # Run 4: S3 is back; every file in the spool goes up.
        proxy.up()
        fourth = run(4)
        assert fourth["code"] == 0, fourth["log"][-3000:]
    finally:
        site.stop()
        proxy.down()

    stories = {f"{site.base}/world/story-{i}" for i in range(STORIES)}
    fetches = Counter(e["url"] for run in runs for e in run["served"])
    # every story fetched exactly once over the four runs
    assert {u: n for u, n in fetches.items() if u in stories} == {u: 1 for u in stories}
    assert "Committed 14 capture(s) to the crawl state" in runs[1]["log"]
    # the story run 1 never got is run 2's only new capture and new article; later runs find none
    for key in ("newscrawl/run/new", "newscrawl/articles/new"):
        counts = [_stats(run["log"]).get(key, 0) for run in runs[1:]]
        assert counts == [1, 0, 0], (key, counts)
    assert [i["url"] for i in runs[1]["items"]] == [f"{site.base}/world/story-{STORIES - 1}"]
    assert runs[2]["items"] == runs[3]["items"] == []
    # the state names, for every URL, a record that is in the bucket where it says
    captures = _captures(state)
    assert stories <= set(captures)
    client = moto.client()
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    downloaded = {}
    for url in stories:
        _url, uri, offset, record_id = captures[url]
        key = uri.removeprefix(f"s3://{bucket}/")
        assert key in keys, (url, uri)
        if key not in downloaded:
            path = tmp_path / "downloaded" / key.rsplit("/", 1)[-1]
            path.parent.mkdir(exist_ok=True)
            client.download_file(bucket, key, str(path))
            downloaded[key] = {rec.offset: rec for rec in iter_responses(path)}
        rec = downloaded[key][offset]
        assert (rec.uri, rec.record_id) == (url, record_id)
    assert not list((tmp_path / "spool").rglob("*.warc.gz")) and not list((tmp_path / "spool").rglob("*.jsonl"))
