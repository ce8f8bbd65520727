"""Bounded work in flight: EXTRACTION_MAX_PENDING pauses the downloads, and no page is lost to it.

The generated benchmark site (``benchmarks/site.py``: small pages, served as fast as
loopback allows) is crawled with a tiny cap, so the downloads run ahead of the
extraction and the cap is hit many times; every story must still come out as an
Article; the pages queued for extraction never pass the cap, and those held
(with the ones waiting for their turn) stay within the cap plus what was
downloading when the downloads paused.
"""

from __future__ import annotations

import re

import pytest

from benchmarks.site import Site

from .conftest import run_crawl

pytestmark = pytest.mark.integration

STORIES = 240
CONCURRENT = 16


def final_stats(log: str) -> dict[str, int]:
    dump = log[log.rfind("Dumping Scrapy stats"):]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)[,}]", dump)}


@pytest.fixture(scope="module")
def site():
    with Site(STORIES) as served:
        yield served


@pytest.mark.parametrize("processes", ["1", "0"], ids=["worker-process", "threads"])
def test_the_cap_pauses_downloads_and_loses_nothing(site, tmp_path, processes):
    cap = 4
    site.reset()
    result = run_crawl(tmp_path, [site.url], "ROBOTSTXT_OBEY=False", f"EXTRACTION_PROCESSES={processes}",
                       f"EXTRACTION_MAX_PENDING={cap}", "EXTRACTION_BATCH_SIZE=2",
                       f"CONCURRENT_REQUESTS={CONCURRENT}", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENT}")
    assert result.returncode == 0, result.log[-3000:]
    stats = final_stats(result.log)
    assert stats["newscrawl/extraction/paused"] >= 1, "the cap was never reached: the test shows nothing"
    assert "downloads paused until half of them are done" in result.log
    assert stats["newscrawl/extraction/pending_max"] <= cap
    # Held (queued, in extraction, or waiting for a turn): the cap, the downloads that were running
    # when it paused them, and the responses between the downloader and this pipeline then.
    assert stats["newscrawl/extraction/held_max"] <= cap + 3 * CONCURRENT
    # Nothing lost: every story fetched (the home and section pages too), every story an Article.
    assert site.served == STORIES + 2
    stories = {f"{site.url}world/story-{i:05d}" for i in range(1, STORIES + 1)}
    assert {item["url"] for item in result.items} == stories
    assert stats["newscrawl/articles"] == STORIES


def test_without_a_cap_in_reach_the_downloads_never_pause(site, tmp_path):
    site.reset()
    result = run_crawl(tmp_path, [site.url], "ROBOTSTXT_OBEY=False", "EXTRACTION_PROCESSES=1",
                       "EXTRACTION_MAX_PENDING=100000")
    assert result.returncode == 0, result.log[-3000:]
    stats = final_stats(result.log)
    assert "newscrawl/extraction/paused" not in stats
    assert stats["newscrawl/articles"] == STORIES
    assert 1 <= stats["newscrawl/extraction/pending_max"] <= STORIES + 2


def test_a_bad_cap_is_one_line_and_exit_2(tmp_path):
    result = run_crawl(tmp_path, ["http://127.0.0.1:9/"], "EXTRACTION_MAX_PENDING=0")
    assert result.returncode == 2
    assert "EXTRACTION_MAX_PENDING" in result.stderr and "Traceback" not in result.stderr
