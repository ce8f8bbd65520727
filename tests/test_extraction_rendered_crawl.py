"""A story a page ships only as data for its scripts, through the real crawler and the real replay.

A loopback server publishes a section page whose Latest World News block links three stories:
two that show a spinner, a Next.js App Router page (the story a flight text row) and a Pages
Router page (``__NEXT_DATA__``), and one whose story React streams after the page's shell in a
hidden block. ``scrapy crawl worldnews`` gives the stories whole, and ``scrapy replay`` of its
WARCs gives the same articles.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from pipelines.extraction.document import shingle_f1

from .conftest import loopback_server, run_crawl
from .test_extraction_rendered import (ENGLISH, GERMAN, HEADLINE_DE, HEADLINE_EN, _app_router_text_row, _head,
                                       _pages_router, _streamed_page)
from .test_replay import assert_same_articles, run_replay

pytestmark = pytest.mark.integration

STORIES = {
    "/world/2024/05/01/council-closes-northern-bridges": (HEADLINE_EN, ENGLISH, _app_router_text_row),
    "/world/2024/05/02/stadtrat-sperrt-bruecken": (HEADLINE_DE, GERMAN, _pages_router),
    "/world/2024/05/03/bridges-streamed": (HEADLINE_EN, ENGLISH, lambda h, p: _streamed_page(h, p, "segment")),
}


def _section() -> bytes:
    links = "".join(f'<li><a href="{path}">{headline}</a></li>' for path, (headline, _, _) in STORIES.items())
    return (f"<html><head><title>World | Daily</title></head><body><h1>World</h1>"
            f"<section><h2>Latest World News</h2><ul>{links}</ul></section></body></html>").encode()


def _story(path: str) -> bytes:
    headline, paragraphs, build = STORIES[path]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{_head(headline)}</head>"
            f"<body>{build(headline, paragraphs)}</body></html>").encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif self.path == "/world/":
            body, kind = _section(), "text/html; charset=utf-8"
        elif self.path in STORIES:
            body, kind = _story(self.path), "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    with loopback_server(Handler, "127.0.0.9") as url:
        yield url


def test_stories_shipped_as_data_are_crawled_whole_and_replayed_the_same(server, tmp_path):
    crawl = run_crawl(tmp_path, [server + "/world/"], "EXTRACTION_PROCESSES=0")
    assert crawl.returncode == 0, crawl.log[-3000:]
    articles = {item["url"].removeprefix(server): item for item in crawl.items}
    assert set(articles) == set(STORIES)
    for path, (headline, paragraphs, _) in STORIES.items():
        assert articles[path]["title"] == headline
        assert shingle_f1(articles[path]["body"], "\n\n".join(paragraphs)) > 0.95
    (tmp_path / "replay").mkdir()
    replay = run_replay(tmp_path / "replay", str(crawl.warc_dir))
    assert replay.returncode == 0, replay.log[-3000:]
    assert_same_articles(replay.items, crawl.items)
