"""A frontier on disk: with JOBDIR, the crawl's pending requests live in Scrapy's disk queues
(SCHEDULER_DISK_QUEUE), not in memory, and a crawl stopped half-way resumes from them.

The generated benchmark site (``benchmarks/site.py``) is crawled with a page budget
(CLOSESPIDER_PAGECOUNT) that stops it early, then again with the same JOBDIR and
crawl state: between the two runs every page is archived exactly once, every story
becomes an Article, and every request went through the disk queue.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks.site import Site
from newscrawl.archive.reader import iter_responses

from .conftest import run_crawl

pytestmark = pytest.mark.integration

STORIES = 150


def final_stats(log: str) -> dict[str, int]:
    dump = log[log.rfind("Dumping Scrapy stats"):]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)[,}]", dump)}


@pytest.mark.slow
def test_a_crawl_stopped_half_way_resumes_from_its_disk_queue(tmp_path):
    common = ("ROBOTSTXT_OBEY=False", f"JOBDIR={tmp_path / 'job'}", f"WARC_STORE={tmp_path / 'warcs'}",
              f"CRAWL_STATE={tmp_path / 'state.sqlite'}", f"WARC_SPOOL_DIR={tmp_path / 'spool'}")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with Site(STORIES) as site:
        first = run_crawl(tmp_path / "one", [site.url], *common, "CLOSESPIDER_PAGECOUNT=40")
        assert first.returncode == 0, first.log[-3000:]
        one = final_stats(first.log)
        assert "'finish_reason': 'closespider_pagecount'" in first.log
        assert one["downloader/request_count"] < STORIES // 2, "the budget did not stop the first run early"
        assert one["scheduler/enqueued/disk"] == one["scheduler/enqueued"] > one["scheduler/dequeued"]
        assert "scheduler/enqueued/memory" not in one
        assert list((tmp_path / "job").glob("requests.queue/*")), "no disk queue left for the next run"

        second = run_crawl(tmp_path / "two", [site.url], *common)
        assert second.returncode == 0, second.log[-3000:]
        two = final_stats(second.log)
        assert two["scheduler/dequeued/disk"] == two["scheduler/dequeued"] > 0
        assert "scheduler/enqueued/memory" not in two
        served = site.served

    archived = Counter(rec.uri for path in sorted((tmp_path / "warcs").glob("*.warc.gz"))
                       for rec in iter_responses(path))
    stories = {f"{site.url}world/story-{i:05d}" for i in range(1, STORIES + 1)}
    assert set(archived) == stories | {site.url, f"{site.url}world/"}
    assert max(archived.values()) == 1, [u for u, n in archived.items() if n > 1]
    assert served == len(archived) == one["downloader/request_count"] + two["downloader/request_count"]
    assert {item["url"] for item in first.items + second.items} == stories
