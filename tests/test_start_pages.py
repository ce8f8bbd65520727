"""What a page is decides how it is followed; old layouts without metadata are articles.

The real crawler (`scrapy crawl`) against the demo publishers on loopback: from
their world-news section pages alone, and from article pages alone, every article
is fetched and yields an Article, and no link of another block (MORE FROM SPORT,
Opinion, Business) is requested.
"""

from __future__ import annotations

import pytest

from newscrawl.demo.plain import PlainSite
from newscrawl.demo.site import DemoSite

from .conftest import run_crawl

pytestmark = pytest.mark.integration


@pytest.fixture
def plain_site():
    with PlainSite() as site:
        yield site


def _fetched(site) -> set[str]:
    return {e["url"] for e in site.log}


def _check_articles(site, items) -> None:
    by_url = {item["url"]: item for item in items}
    for url, expected in site.expected_articles().items():
        assert url in by_url, f"no Article for {url}"
        got = by_url[url]
        for key in ("title", "authors", "published", "body"):
            assert got[key] == expected[key], (url, key)


def test_from_section_pages_alone_every_article(plain_site, tmp_path):
    result = run_crawl(tmp_path, plain_site.start_urls)
    assert result.returncode == 0, result.log[-3000:]
    assert _fetched(plain_site) == plain_site.expected_fetches()
    assert not _fetched(plain_site) & plain_site.must_not_fetch()
    _check_articles(plain_site, result.items)
    assert len(result.items) == 8
    for url in plain_site.start_urls:
        assert f"Section page {url}: following 3 article link(s)" in result.log
        assert f"Not an article: {url} (section)" in result.log  # a reason of its own, not no_date
    assert f"'newscrawl/pages/not_article/section': {len(plain_site.start_urls)}" in result.log


def test_from_article_pages_alone_every_article(plain_site, tmp_path):
    result = run_crawl(tmp_path, plain_site.article_start_urls())
    assert result.returncode == 0, result.log[-3000:]
    assert _fetched(plain_site) == plain_site.expected_fetches_from_articles()
    assert not _fetched(plain_site) & plain_site.must_not_fetch()
    _check_articles(plain_site, result.items)


def test_the_first_publishers_section_pages_as_start_urls(tmp_path):
    with DemoSite() as site:
        sections = [site.special_urls[f"{name}_section"] for name in ("globe", "herald", "courier")]
        result = run_crawl(tmp_path, sections)
        assert result.returncode == 0, result.log[-3000:]
        fetched = _fetched(site)
        assert not fetched & site.must_not_fetch()
        got = {item["url"] for item in result.items}
        for url in sections:
            assert f"Section page {url}: following" in result.log
            assert f"Not an article: {url} (section)" in result.log
        # every article the section pages list is fetched and is an Article
        from newscrawl.demo import content
        for pub in content.PUBLISHERS:
            base = site.publishers[pub.name]
            for link in pub.section_links:
                url = base + link.clean
                if site.expected_status(url) == 200:
                    assert url in got, url


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_crawl_that_fetches_no_start_url_exits_5_with_one_line_per_seed(tmp_path):
    import os
    import subprocess

    from .conftest import REPO, SCRAPY

    with DemoSite() as site:
        port = _closed_port()
        seeds = {
            f"http://127.0.0.1:{port}/world/": "connection refused",
            f"http://127.0.0.2:{port}/news/": "connection refused",
            "http://10.0.0.1/world/": "refused by the destination guard: 10.0.0.1 is private",
            site.publishers["herald"] + "/private/embargoed-summit-briefing": "forbidden by robots.txt",
            "http://no-such-host.invalid/world/": "DNS lookup failed",
        }
        cmd = [*SCRAPY, "crawl", "worldnews", "-a", "start_urls=" + ",".join(seeds),
               "-s", f"WARC_STORE={tmp_path / 'warcs'}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8",
               "-s", f"LOG_FILE={tmp_path / 'crawl.log'}", "-s", f"CRAWL_STATE={tmp_path / 'state.sqlite'}",
               "-s", "DNS_TIMEOUT=5", "-s", "RETRY_TIMES=2"]
        proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                              text=True, timeout=180)
    log = (tmp_path / "crawl.log").read_text()
    assert proc.returncode == 5, proc.stderr + log[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "newscrawl: none of the 5 start URL(s) could be fetched (exit 5):"
    assert len(lines) == 6
    for url, why in seeds.items():
        assert [line for line in lines if line.startswith(f"  {url}: {why}")], url
        assert len([line for line in log.splitlines() if f"Start URL not fetched: {url} ({why}" in line]) == 1, url
    # counted per URL, not per attempt (each refused seed was tried three times)
    assert "'newscrawl/failed': 5," in log and "'newscrawl/failed/refused': 2," in log


def test_one_fetched_start_url_is_enough_and_failures_count_per_url(plain_site, tmp_path):
    dead = f"http://127.0.0.1:{_closed_port()}/world/"
    result = run_crawl(tmp_path, [dead, *plain_site.start_urls], "RETRY_TIMES=2")
    assert result.returncode == 0, result.log[-3000:]
    assert "'newscrawl/failed/refused': 1," in result.log
    assert "Start URL not fetched" not in result.log


def test_links_cut_at_the_depth_limit_are_named(plain_site, tmp_path):
    from newscrawl.demo import plain

    result = run_crawl(tmp_path, plain_site.start_urls, "DEPTH_LIMIT=1")
    assert result.returncode == 0, result.log[-3000:]
    for name, path in (("gazette", plain.V_RICE), ("tribune", plain.T_WHALES)):  # two hops from the section page
        url = plain_site.publishers[name] + path
        assert url not in _fetched(plain_site)
        lines = [line for line in result.log.splitlines() if f"Depth limit (DEPTH_LIMIT=1), not following {url} " in line]
        assert len(lines) == 1 and "INFO" in lines[0], url  # linked from three pages, named once
    assert "'newscrawl/traps/depth':" in result.log
