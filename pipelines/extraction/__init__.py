"""Article extraction: a pure function from an archived Page to an Article (or None).

Each module holds one idea and can be used alone: ``document`` (decode and parse),
``structured`` (JSON-LD, meta tags, microdata), ``body`` (main text), ``authors``,
``dates``, ``images``, ``language``, ``classify`` (article or not) and ``fields``
(which source wins for each field). Nothing here touches the network, the clock or
random state, so the live crawl and a replay of the same bytes give the same Article.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

import trafilatura

from newscrawl.items import Article, Page

from .body import extract_body
from .classify import is_article
from .document import clean_text, decode_html, node_text, parse_html
from .fields import (
    choose_authors, choose_canonical, choose_dates, choose_publisher, choose_section,
    choose_summary, choose_tags, choose_title,
)
from .images import extract_images, lead_images
from .language import choose_language
from .structured import extract_structured, jsonld_text

__all__ = ["EXTRACTOR_VERSION", "decode_html", "extract_article"]

EXTRACTOR_VERSION = f"newscrawl-extract/0.1.0 trafilatura/{trafilatura.__version__}"

logger = logging.getLogger(__name__)
# trafilatura warns "discarding data" on every page it finds no main text in,
# which is every section page of a crawl: our own stats count those pages.
logging.getLogger("trafilatura.core").setLevel(logging.ERROR)

_HTML_TYPES = {"", "text/html", "application/xhtml+xml", "application/xml", "text/xml"}


def extract_article(page: Page) -> Article | None:
    """Extract an Article from a Page, or None if the page is not a news article.

    None for non-2xx statuses, non-HTML content, home/section/listing pages and error
    pages. Never raises: a failure inside extraction is logged and gives None.
    """
    try:
        return _extract(page)
    except Exception:  # one bad page must not stop a crawl
        logger.exception("extraction failed for %s", getattr(page, "url", None))
        return None


def _looks_like_html(page: Page) -> bool:
    if page.content_type not in _HTML_TYPES:
        return False
    head = (page.body or b"")[:1024].lstrip().lower()
    if head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04")):
        return False
    return b"<" in (page.body or b"")[:4096]


def _extract(page: Page) -> Article | None:
    if not 200 <= (page.status or 0) < 300 or not _looks_like_html(page):
        return None
    root = parse_html(decode_html(page))
    if root is None:
        return None
    base = page.url
    base_el = root.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(page.url, base_el.get("href").strip())

    data = extract_structured(root)
    title = choose_title(root, data, page.url)
    summary = choose_summary(root, data)
    section = choose_section(data)
    images = extract_images(root, base, lead_images(data.article, data.all("og:image", "og:image:url", "twitter:image")))

    # Text that sits near the story but is not part of it.
    drop = {title or "", section or ""}
    drop.update(node_text(h) for h in root.iter("h1"))
    for image in images:
        drop.update(filter(None, (image.get("caption"), image.get("credit"))))
    for img in root.iter("img"):
        drop.add(clean_text(img.get("alt")))
    body = extract_body(root, page.url, drop)
    paragraphs = body.paragraphs

    published, modified = choose_dates(root, data, page.url)
    if not is_article(root, data, page.url, title, paragraphs, has_date=published is not None):
        return None

    html_el = root if root.tag == "html" else root.find(".//html")
    language = choose_language(
        html_el.get("lang") or html_el.get("xml:lang") if html_el is not None else None,
        data.first("og:locale"),
        page.header("Content-Language"),
        data.first("content-language", "dc.language", "language") or jsonld_text((data.article or {}).get("inLanguage")),
        " ".join(paragraphs[:5]),
    )
    return Article(
        url=page.url,
        canonical_url=choose_canonical(data, base),
        title=title,
        summary=summary,
        authors=choose_authors(root, data, body.trailing_authors),
        published=published,
        modified=modified,
        section=section,
        tags=choose_tags(data),
        language=language,
        publisher=choose_publisher(data),
        body="\n\n".join(paragraphs) or None,
        images=images,
        related_urls=list(page.latest_links or []),
        fetched_at=page.fetched_at,
        warc=page.warc,
        extractor_version=EXTRACTOR_VERSION,
    )
