"""The extraction pipeline's process path: pages go to the workers in batches.

Each page of a batch gets its own outcome (an Article, a drop for a non-article, a
drop for a failure that is logged with its URL), the same as ``extract_article``
called in this process; a worker that dies takes down only the pages of its batch,
and the pages after it are extracted by new processes.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import pipelines.extract
from newscrawl.items import Article, Page
from pipelines.extract import ArticleExtractionPipeline, extract_batch
from pipelines.extraction import extract_article

from .test_extraction import article_html, page

CRASH_URL = "https://news.example/world/crash-the-worker"


def crash_on_marker(pages: list[Page]):
    """Stands in for extract_batch in the workers: dies (as a C extension crash would) on CRASH_URL."""
    if any(p.url == CRASH_URL for p in pages):
        os._exit(1)
    return extract_batch(pages)


def pages_for_test(n: int) -> list[Page]:
    out = []
    for i in range(n):
        if i % 5 == 3:
            out.append(page("<html><body><ul><li><a href=/x>x</a></li></ul></body></html>",
                            url=f"https://news.example/section-{i}"))  # not an article
        elif i % 5 == 4:
            out.append(Page(url=f"https://news.example/broken-{i}", request_url="x", status="200",  # type: ignore
                            headers=[("Content-Type", "text/html")], body=b"<html></html>",
                            fetched_at="2023-06-18T05:00:00Z"))  # extract_article raises (str status)
        else:
            out.append(page(article_html(), url=f"https://news.example/world/2023/06/18/story-{i}"))
    return out


def run_pipeline(pages: list[Page], **settings) -> tuple[list, dict]:
    crawler = get_crawler(settings_dict={"EXTRACTION_PROCESSES": 1, "EXTRACTION_BATCH_SIZE": 3, **settings})
    crawler._apply_settings()

    async def main():
        pipeline = ArticleExtractionPipeline(crawler)
        try:
            await pipeline.open_spider()

            async def one(p):
                try:
                    return await pipeline.process_item(p)
                except DropItem as exc:
                    return exc

            return await asyncio.gather(*(one(p) for p in pages))
        finally:
            pipeline.close()

    return asyncio.run(main()), crawler.stats.get_stats()


def test_batches_give_each_page_its_own_outcome(caplog):
    pages = pages_for_test(20)
    results, stats = run_pipeline(pages)
    for p, result in zip(pages, results):
        if p.url.startswith("https://news.example/broken-"):
            assert isinstance(result, DropItem) and "extraction failed" in str(result)
            assert f"Extraction failed for {p.url}" in caplog.text
        else:
            expected = extract_article(p, None, True)
            if expected is None:
                assert isinstance(result, DropItem) and "not an article" in str(result)
            else:
                assert isinstance(result, Article) and result == expected
    assert stats["newscrawl/extraction/errors"] == 4
    assert stats["newscrawl/pages/not_article"] == 4
    assert stats["newscrawl/articles"] == 12
    assert "TypeError" in caplog.text  # the worker's traceback is in the log


def test_a_dying_worker_loses_only_its_batch(monkeypatch, caplog):
    monkeypatch.setattr(pipelines.extract, "extract_batch", crash_on_marker)
    pages = [page(article_html(), url=f"https://news.example/world/2023/06/18/story-{i}") for i in range(12)]
    pages[4] = page(article_html(), url=CRASH_URL)
    results, stats = run_pipeline(pages)
    lost = [p.url for p, r in zip(pages, results) if isinstance(r, DropItem)]
    assert CRASH_URL in lost
    assert stats["newscrawl/extraction/broken_pool"] == len(lost) == stats["newscrawl/extraction/errors"]
    # at most the batches in the dead pool when it died (two tasks of three pages each)
    assert len(lost) <= 6
    assert all(isinstance(r, Article) for p, r in zip(pages, results) if p.url not in lost)
    assert "An extraction process died while extracting" in caplog.text


@pytest.mark.parametrize("batch", [1, 64])
def test_batch_size_does_not_change_outcomes(batch):
    pages = pages_for_test(10)
    results, _ = run_pipeline(pages, EXTRACTION_BATCH_SIZE=batch)
    assert [type(r) for r in results] == [type(r) for r in run_pipeline(pages, EXTRACTION_BATCH_SIZE=3)[0]]
