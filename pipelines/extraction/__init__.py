"""Article extraction: a pure function from an archived Page to an Article (or None).

Each module holds one idea and can be used alone: ``document`` (decode and parse),
``rendered`` (what the page's scripts would show that its HTML lacks, with ``flight``,
the Next.js App Router's data, and ``payloads``, the JSON scripts, Nuxt's decoded),
``structured`` (JSON-LD, meta tags, microdata), ``body`` (main text), ``titles``
(the headline), ``authors``, ``dates``, ``images``, ``language``, ``classify``
(article or not), ``fields`` (which source wins for each field) and ``rules``
(per-site selectors from the ``EXTRACTION_SITE_RULES`` setting, which override the
generic value of the fields they name). Nothing here touches the network, the clock or
random state, so the live crawl and a replay of the same bytes (and rules) give the
same Article; ``extractor_version`` names the site rule and its version when one applied.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import urljoin

import trafilatura
from parsel import Selector

from newscrawl.items import Article, Page
from newscrawl.follow.links import LinkRules, find_latest_blocks, latest_links, section_links

from .authors import split_authors
from .body import clean_paragraphs, declared_paragraphs, extract_body, reconcile_with_declared
from .classify import declares_article, decline_reason
from .dates import parse_date
from .document import clean_text, decode_html, html_lang, node_text, parse_html, text_lengths, word_count, word_key
from .fields import (
    choose_authors, choose_canonical, choose_dates, choose_publisher, choose_section,
    choose_summary, choose_tags, choose_title,
)
from . import flight
from .embedded import embedded_paragraphs
from .evidence import Decision, check_growth, check_replacement, drastic
from .evidence import Page as Evidence
from .images import extract_images, lead_images
from .language import choose_language
from .rendered import render
from .rules import SiteRule, SiteRules, as_site_rules, body_paragraphs, remove_blocks
from .structured import extract_structured, jsonld_text

__all__ = ["EXTRACTOR_VERSION", "SiteRules", "decode_html", "extract_article", "extract_or_reason"]

EXTRACTOR_VERSION = f"newscrawl-extract/0.3.0 trafilatura/{trafilatura.__version__}"

logger = logging.getLogger(__name__)
# trafilatura warns "discarding data" on every page it finds no main text in,
# which is every section page of a crawl: our own stats count those pages.
logging.getLogger("trafilatura.core").setLevel(logging.ERROR)

_HTML_TYPES = {"", "text/html", "application/xhtml+xml", "application/xml", "text/xml"}


def extract_article(page: Page, rules: SiteRules | Mapping | None = None, strict: bool = False,
                    link_rules: LinkRules | None = None) -> Article | None:
    """Extract an Article from a Page, or None if the page is not a news article.

    None for non-2xx statuses, non-HTML content, home/section/listing pages and error
    pages. ``rules`` is the ``EXTRACTION_SITE_RULES`` setting (or a compiled
    ``SiteRules``); a matching site rule overrides the generic value of each field it
    names. ``related_urls`` are the Page's Latest World News links; a Page that has
    none found yet (``latest_links`` None: a replay) gets them found here, with
    ``link_rules`` (the crawl's link settings), on the tree parsed for extraction.
    A failure inside extraction is logged with the URL and gives None, unless
    ``strict`` is set: then it is raised, for a caller that counts failures.
    """
    result = extract_or_reason(page, rules, strict, link_rules)
    return result if isinstance(result, Article) else None


def extract_or_reason(page: Page, rules: SiteRules | Mapping | None = None, strict: bool = False,
                      link_rules: LinkRules | None = None, trace: list | None = None) -> Article | str:
    """``extract_article``, saying why when there is no Article: "status_404", "not_html",
    "home_page", "error_page", "declared_listing", "section" (a section page: article links
    under its path), "listing", "too_little_text", "no_date", "failed" (an exception inside
    extraction, raised instead when ``strict``).

    ``trace``, a list, receives one ``evidence.Decision`` per step of the body path (the
    block choice, the clean-up, the declared body, the embedded JSON), whether it stood
    and on what evidence; the Article does not depend on it."""
    try:
        return _extract(page, as_site_rules(rules), link_rules, trace)
    except Exception:  # one bad page must not stop a crawl
        if strict:
            raise
        logger.exception("extraction failed for %s", getattr(page, "url", None))
        return "failed"


def _looks_like_html(page: Page) -> bool:
    if page.content_type not in _HTML_TYPES:
        return False
    head = (page.body or b"")[:1024].lstrip().lower()
    if head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04")):
        return False
    return b"<" in (page.body or b"")[:4096]


def _extract(page: Page, rules: SiteRules | None, link_rules: LinkRules | None = None,
             trace: list | None = None) -> Article | str:
    if not 200 <= (page.status or 0) < 300:
        return f"status_{page.status}"
    if not _looks_like_html(page):
        return "not_html"
    root = parse_html(decode_html(page))
    if root is None:
        return "unparsable"
    related = page.latest_links
    if related is None:  # before anything below changes the tree
        related = latest_links(find_latest_blocks(Selector(root=root, type="html"), page.url, link_rules))
    app = flight.rows(flight.payload(root))  # a Next.js App Router page's data; {} for other pages
    render(root, app, trace)  # what the page's scripts would show that its HTML lacks
    rule = rules.for_url(page.url) if rules else None
    if rule is not None:
        remove_blocks(root, rule)
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
    body, paragraphs = _story(root, page.url, drop, title, data.article or {}, trace, app)

    # Element text lengths, for both: the tree is not changed between them.
    sizes = text_lengths(root)
    published, modified = choose_dates(root, data, page.url, sizes, title)
    authors = choose_authors(root, data, body.trailing_authors, page.url, sizes)
    version = EXTRACTOR_VERSION
    if rule is not None:
        fields = apply_rule(root, rule, dict(title=title, summary=summary, section=section, authors=authors,
                                             published=published, modified=modified, paragraphs=paragraphs))
        title, summary, section, authors = fields["title"], fields["summary"], fields["section"], fields["authors"]
        published, modified, paragraphs = fields["published"], fields["modified"], fields["paragraphs"]
        version = f"{EXTRACTOR_VERSION} {rule.tag}"
    reason = decline_reason(root, data, page.url, title, paragraphs, has_date=published is not None)
    if reason is None and published is None and not declares_article(data) and _is_section(root, page.url, link_rules):
        reason = "section"  # the undated "story" under its <h1> is a section page's teasers
    if reason is not None:
        return _section_or(reason, root, page.url, link_rules)

    language = choose_language(
        html_lang(root),
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
        authors=authors,
        published=published,
        modified=modified,
        section=section,
        tags=choose_tags(data),
        language=language,
        publisher=choose_publisher(data),
        body="\n\n".join(paragraphs) or None,
        images=images,
        related_urls=list(related),
        fetched_at=page.fetched_at,
        warc=page.warc,
        extractor_version=version,
    )


def _story(root, url: str, drop: set[str], title: str | None, article: dict, trace: list | None, app: dict):
    """(Body, paragraphs): trafilatura's cleaned text, replaced by the declared body or completed
    from the embedded JSON where those have the evidence a drastic change needs (``evidence``)."""
    net = Evidence(root)
    article_body = article.get("articleBody")
    body = extract_body(root, url, drop, title, trace)
    declared = reconcile_with_declared(body, article_body)
    if declared is not body:
        before, after = body.text or "", declared.text or ""
        kept, why = True, ""
        if drastic(word_count(before), word_count(after)):
            if word_count(after) > word_count(before):
                same = word_key(jsonld_text(article.get("headline"))) == word_key(title) != ""
                kept, why = check_growth(net, body.paragraphs, declared.paragraphs, headline=same)
            else:
                kept, why = check_replacement(net, body.paragraphs, declared.paragraphs)
        if trace is not None:
            trace.append(Decision("declared body", before, after, kept, why))
        if kept:
            body = declared
    paragraphs = body.paragraphs
    fuller = embedded_paragraphs(root, paragraphs, app) if paragraphs else None
    if fuller:
        fuller = clean_paragraphs(fuller, drop).paragraphs or paragraphs
        before, after = "\n\n".join(paragraphs), "\n\n".join(fuller)
        kept, why = True, ""
        if drastic(word_count(before), word_count(after)):
            kept, why = check_growth(net, paragraphs, fuller, " ".join(declared_paragraphs(article_body)), continues=True)
        if trace is not None:
            trace.append(Decision("embedded JSON", before, after, kept, why))
        if kept:
            paragraphs = fuller
    return body, paragraphs


# Reasons an undeclared page can get that a section page's teasers also earn it.
_SECTION_LOOKALIKE = {"no_date", "too_little_text", "listing"}


def _section_or(reason: str, root, url: str, link_rules: LinkRules | None) -> str:
    """``section`` for a declined page that is a section page (the spider's own test,
    ``section_links``: it lists article links under its path), else ``reason``. Asked only
    of declined pages, so it costs an article nothing."""
    return "section" if reason in _SECTION_LOOKALIKE and _is_section(root, url, link_rules) else reason


def _is_section(root, url: str, link_rules: LinkRules | None) -> bool:
    """The spider's own test: the page lists article links under its path (``section_links``)."""
    return section_links(Selector(root=root, type="html"), url, link_rules) is not None


def apply_rule(root, rule: SiteRule, fields: dict) -> dict:
    """Override generic field values with what the site rule's selectors find."""
    out = dict(fields)
    for name in ("title", "summary", "section"):
        if name in rule.fields:
            out[name] = next(iter(rule.fields[name].texts(root)), None) or out[name]
    if "authors" in rule.fields:
        names: list[str] = []
        for text in rule.fields["authors"].texts(root):
            names.extend(n for n in split_authors(text) if n not in names)
        out["authors"] = names or out["authors"]
    for name in ("published", "modified"):
        if name in rule.fields:
            out[name] = next(filter(None, map(parse_date, rule.fields[name].texts(root))), None) or out[name]
    if "body" in rule.fields:
        out["paragraphs"] = body_paragraphs(root, rule.fields["body"]) or out["paragraphs"]
    return out
