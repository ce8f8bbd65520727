"""Extraction against the demo site's ground truth, fetched over HTTP from a local server."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import asdict

import pytest

from newscrawl.items import Page
from pipelines.extraction import extract_article

site_module = pytest.importorskip("newscrawl.demo.site", reason="demo site not available")


@pytest.fixture(scope="module")
def site():
    s = site_module.DemoSite(port=0)
    s.start()
    yield s
    s.stop()


def fetch(site, url: str) -> Page:
    for _ in range(3):  # one demo page answers 503 once, on purpose
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                status, headers, body, final = resp.status, resp.getheaders(), resp.read(), resp.url
        except urllib.error.HTTPError as err:
            status, headers, body, final = err.code, list(err.headers.items()), err.read(), url
        if status != 503:
            break
    return Page(url=final, request_url=url, status=status, headers=headers, body=body,
                fetched_at="2023-06-22T00:00:00Z", latest_links=site.latest_links(final))


def _paragraphs(text):
    return [re.sub(r"\s+", " ", p).strip() for p in (text or "").split("\n\n") if p.strip()]


def test_every_demo_article_matches_ground_truth(site):
    expected = site.expected_articles()
    for url, truth in expected.items():
        article = extract_article(fetch(site, url))
        assert article is not None, url
        got = asdict(article)
        for key, value in truth.items():
            if key == "body":
                assert _paragraphs(got[key]) == _paragraphs(value), url
            else:
                assert got[key] == value, (url, key)


def test_demo_non_articles_give_none(site):
    special = site.special_urls
    for name in ("globe_section", "herald_section", "courier_section", "not_found", "pdf"):
        assert extract_article(fetch(site, special[name])) is None, name
    for url in site.start_urls:  # home pages, where a publisher's crawl starts there
        if url not in site.expected_articles():
            assert extract_article(fetch(site, url)) is None, url
    for base in site.publishers.values():
        assert extract_article(fetch(site, base + "/robots.txt")) is None
