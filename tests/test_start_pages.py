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
        # every article the section pages list is fetched and is an Article
        from newscrawl.demo import content
        for pub in content.PUBLISHERS:
            base = site.publishers[pub.name]
            for link in pub.section_links:
                url = base + link.clean
                if site.expected_status(url) == 200:
                    assert url in got, url
