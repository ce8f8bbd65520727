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


def test_a_table_from_the_log_of_a_run_that_could_not_finish(tmp_path):
    """--from-log: the rounds' table from the per-crawl lines a run prints, unfinished crawls named as such."""
    import json

    def line(r, variant, rate, cpu):
        return json.dumps({"round": r, "variant": variant, "load_average": 2.0, "pages": 5002, "pages_per_s": rate,
                           "cpu_ms_per_page": cpu, "worker_cpu_ms_per_page": 9.0 if variant != "bare" else 0.0,
                           "workers": 2, "peak_rss_mb": 130, "archived": None if variant == "bare" else 5002,
                           "articles": 4997 if variant in ("extract", "s3") else None})

    log = tmp_path / "rounds.err"
    log.write_text("\n".join([line(0, "bare", 100.0, 5.0), "not json", line(0, "archive", 90.0, 5.5),
                              line(1, "archive", 80.0, 5.0), line(0, "extract", 50.0, 6.0)]) + "\n")
    runs = crawl.from_log(log, 3)
    assert runs["bare"][0]["pages_per_s"] == 100.0 and runs["bare"][1] is None and runs["s3"] == [None] * 3
    results = crawl.summarise(runs, [], 5000, "test machine", parallel=True)
    assert results["complete_rounds"] == 0 and results["crawls_done"]["archive"] == 2
    # ratios only where the bare spider of the same round finished: round 0 alone
    assert results["variants"]["archive"]["ratio"] == 0.9 and results["variants"]["archive"]["pairs"] == 1
    assert results["variants"]["extract"]["ratio"] == 0.5
    text = crawl.table(results)
    assert "| (d) (c), WARC files into S3 (moto server) | – | not finished when written |" in text
    assert "**Partial**" in text and "0 of 3 rounds were complete" in text and "**0.90** (0.90–0.90, n=1)" in text


def test_a_growth_table_from_logged_crawls(tmp_path, monkeypatch):
    import json

    log = tmp_path / "g.log"
    log.write_text(json.dumps({"variant": "extract", "pages": 20002, "seconds": 1000.0, "cpu_ms_per_page": 6.5,
                               "peak_rss_mb": 145.2, "largest_worker_mb": 118.5, "rss_mb_by_tenth": [0, 135, 141],
                               "archived": 20002, "articles": 19997}) + "\n")
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "RESULTS.md"))
    crawl.main(["--growth-from-log", str(log), "--growth-section", "## Crawl cost growth at 20,000 pages",
                "--note", "measured earlier"])
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## Crawl cost growth at 20,000 pages" in text and "| 20,002 | – | " in text and "| 6.50 | 145 MB (–) |" in text
    assert "Peak RSS under 400 MB at 20,002 pages: ✓." in text and "Note on this log: measured earlier" in text
