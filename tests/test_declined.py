"""A page a Latest World News link led to is never dropped silently."""

from __future__ import annotations

import asyncio
import logging

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import Article, Page
from pipelines.extract import ArticleExtractionPipeline

STORY = "".join(f"<p>Paragraph {n} of the story says what the ministers decided about the harbour, and why the "
                f"council and the port authority could not agree on it before the summer.</p>" for n in "ABCD")
ARTICLE = (b'<html><head><title>Ministers meet over the harbour plan</title></head><body>'
           b'<h1>Ministers meet over the harbour plan</h1><p class="date">Monday 18 June 2023</p>'
           + STORY.encode() + b"</body></html>")
# Prose the extraction cannot date, under no headline it shows: declined (an undated story
# that shows its headline is an article, see test_extraction_plain).
UNDATED = ARTICLE.replace(b"Monday 18 June 2023", b"").replace(b"<h1>Ministers meet over the harbour plan</h1>", b"")
HTML = [("Content-Type", "text/html; charset=utf-8")]


def _page(url: str, body: bytes, via: str | None = "latest", headers=HTML) -> Page:
    return Page(url=url, request_url=url, status=200, headers=headers, body=body, fetched_at="2023-06-19T00:00:00Z",
                via=via)


def _run(pages: list[Page]):
    crawler = get_crawler(settings_dict={"EXTRACTION_PROCESSES": 0, "EXTRACTION_THREADS": 1})
    pipeline = ArticleExtractionPipeline.from_crawler(crawler)
    results = []

    async def go():
        for page in pages:
            try:
                results.append(await pipeline.process_item(page))
            except DropItem as exc:
                results.append(exc)

    asyncio.run(go())
    pipeline.close()
    return crawler.stats, results


def test_each_declined_page_gets_a_line_and_a_counter_per_reason(caplog):
    pages = [
        _page("http://a.test/world/1", ARTICLE),
        _page("http://a.test/world/2", UNDATED),
        _page("http://a.test/", ARTICLE, via="start"),
        _page("http://a.test/doc.pdf", b"%PDF-1.4", headers=[("Content-Type", "application/pdf")]),
    ]
    with caplog.at_level(logging.INFO, logger="pipelines.extract"):
        stats, results = _run(pages)
    assert isinstance(results[0], Article) and all(isinstance(r, DropItem) for r in results[1:])
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Not an article")]
    assert lines == ["Not an article: http://a.test/world/2 (no_date)", "Not an article: http://a.test/ (home_page)",
                     "Not an article: http://a.test/doc.pdf (not_html)"]
    assert stats.get_value("newscrawl/pages/not_article") == 3
    assert stats.get_value("newscrawl/pages/not_article/no_date") == 1
    assert stats.get_value("newscrawl/pages/not_article/home_page") == 1
    assert stats.get_value("newscrawl/pages/not_article/not_html") == 1
    assert any("Declined 3 page(s) as not articles: home_page 1, no_date 1, not_html 1" == r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize("declined, total, warns", [(2, 4, True), (1, 4, False), (2, 7, True), (1, 5, False)])
def test_a_host_whose_latest_linked_pages_are_mostly_declined_is_named(caplog, declined, total, warns):
    pages = [_page(f"http://b.test/world/{i}", UNDATED if i < declined else ARTICLE) for i in range(total)]
    pages.append(_page("http://b.test/world/section", UNDATED, via="section"))  # not Latest-linked: not counted
    with caplog.at_level(logging.INFO, logger="pipelines.extract"):
        stats, _ = _run(pages)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    expected = f"{declined} of {total} pages that Latest World News links led to on b.test were declined"
    assert any(w.startswith(expected) for w in warnings) == warns, warnings


TEASER = ("The council and the port authority could not agree on the harbour plan before the summer, "
          "and the ministers met again on Monday to decide what happens next.")
SECTIONS = {
    # A modern section: a list of story cards with teaser blurbs, no date of its own.
    "cards": ("http://c.test/world/", "<html><head><title>World</title></head><body><main><h1>World</h1>" + "".join(
        f"<div class='card'><h2><a href='/world/story-{i}'>Ministers meet over harbour plan, part {i}</a></h2>"
        f"<p>{TEASER}</p></div>" for i in range(6)) + "</main></body></html>"),
    # An old table layout: a section index.html, links and blurbs in table cells split by <br><br>.
    "table": ("http://d.test/news/world-news/index.html", "<html><head><title>World news</title></head><body>"
              "<table><tr><td><font size=4>World news</font><br><br>" + "".join(
                  f"<a href='/news/world-news/{i}.html'>Harbour talks go on in the capital, day {i}</a><br>{TEASER}"
                  "<br><br>" for i in range(5)) + "</td></tr></table></body></html>"),
}


@pytest.mark.parametrize("shape", sorted(SECTIONS))
def test_a_section_page_is_declined_as_a_section(caplog, shape):
    """Its teasers read like prose, but the reason is its own (issue 12), not no_date or too_little_text."""
    url, html = SECTIONS[shape]
    with caplog.at_level(logging.INFO, logger="pipelines.extract"):
        stats, results = _run([_page(url, html.encode(), via="start")])
    assert isinstance(results[0], DropItem)
    assert f"Not an article: {url} (section)" in [r.getMessage() for r in caplog.records]
    assert stats.get_value("newscrawl/pages/not_article/section") == 1
    assert stats.get_value("newscrawl/pages/not_article") == 1
