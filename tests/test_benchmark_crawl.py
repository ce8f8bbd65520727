"""The crawl benchmark's own parts (benchmarks/crawl.py, site.py, bare.py), on a small site: they cannot rot."""

from __future__ import annotations

import pytest

from benchmarks import crawl
from benchmarks.site import Site, response_for

pytestmark = pytest.mark.integration


def test_site_pages_link_as_described():
    home = response_for("/", 25).decode()
    assert "Latest World News" in home and 'href="/world/story-00010"' in home and 'href="/world/"' in home
    story = response_for("/world/story-00002", 25).decode()
    assert "story-00021" in story and "story-00025" in story and "story-00026" not in story  # 21..25 only
    assert response_for("/world/story-00026", 25).startswith(b"HTTP/1.1 404")


def test_bare_and_newscrawl_fetch_the_same_pages_and_newscrawl_archives_them(tmp_path):
    with Site(120) as site:
        bare = crawl.crawl("bare", site, tmp_path / "bare")
        ours = crawl.crawl("extract", site, tmp_path / "extract")
        on_disk = crawl.crawl(crawl.DISK_QUEUE, site, tmp_path / "jobdir")
    # the home page, the section page and every story, each once, by both crawlers
    assert bare["pages"] == ours["pages"] == 122
    assert ours["archived"] == 122
    assert ours["articles"] == 120
    assert ours["cpu_ms_per_page"] > 0 and ours["peak_rss_mb"] > 0
    # the frontier in Scrapy's disk queues (JOBDIR): every request through them, the same pages and articles
    assert on_disk["disk_queue"] == {"enqueued/disk": 122}
    assert on_disk["pages"] == on_disk["archived"] == 122 and on_disk["articles"] == 120
    results = crawl.summarise({v: [bare if v == "bare" else ours] for v in crawl.VARIANTS},
                              [(120, bare, ours), (120, bare, on_disk)], 120, "test machine")
    text = crawl.table(results)
    assert text.startswith(crawl.SECTION)
    assert "| 122 |" in text and f"(median {ours['load_average']:.1f})" in text
    growth = crawl.growth_table(results)
    assert growth.startswith(crawl.GROWTH_SECTION)
    assert "| 122, JOBDIR (122 requests on disk, 0 in memory) |" in growth
