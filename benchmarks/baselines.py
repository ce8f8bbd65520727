"""newspaper4k and news-please on the extraction benchmark's pages, in a venv of their own.

The issue compares us with trafilatura, news-please and newspaper4k. news-please pins
libraries of its own (and brings a second Scrapy), so both run in ``.venv/baselines``
(``make baselines``, from ``requirements-baselines.lock``), never in the project's venv.
``benchmarks/extraction.py`` starts this script with that venv's Python when it exists:

    python benchmarks/baselines.py < pages.jsonl > outputs.jsonl

Each input line is ``{"key", "url", "html"}`` (the HTML decoded as our pipeline decodes
it, so only extraction differs); each output line is ``{"key", "system", "body", "title",
"date", "authors", "seconds"}``. This file imports nothing from the project.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import warnings


def run_newspaper4k(url: str, html: str) -> dict:
    import newspaper

    article = newspaper.Article(url, fetch_images=False)
    article.download(input_html=html)
    article.parse()
    published = article.publish_date
    return {"body": article.text or "", "title": article.title or "", "authors": list(article.authors or []),
            "date": published.isoformat()[:10] if published else ""}


def run_news_please(url: str, html: str) -> dict:
    from newsplease import NewsPlease

    article = NewsPlease.from_html(html, url=url, fetch_images=False)
    published = article.date_publish
    return {"body": article.maintext or "", "title": article.title or "", "authors": list(article.authors or []),
            "date": published.isoformat()[:10] if published else ""}


SYSTEMS = {"newspaper4k": run_newspaper4k, "news-please": run_news_please}


def main() -> None:
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    for line in sys.stdin:
        page = json.loads(line)
        for name, system in SYSTEMS.items():
            start = time.perf_counter()
            try:
                out = system(page["url"], page["html"])
            except Exception as exc:  # a baseline failing on a page scores as empty
                out = {"body": "", "title": "", "authors": [], "date": "", "error": repr(exc)[:200]}
            out.update(key=page["key"], system=name, seconds=time.perf_counter() - start)
            sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
