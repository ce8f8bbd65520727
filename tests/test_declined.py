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
UNDATED = ARTICLE.replace(b"Monday 18 June 2023", b"")  # a story the extraction cannot date: declined
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
