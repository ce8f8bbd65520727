"""Per-field choice between sources: structured data first, then visible page cues."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from .authors import authors_from_values, split_authors
from .dates import date_from_url, parse_date, visible_dates
from .document import clean_text, node_text
from .structured import Structured, jsonld_list, jsonld_text

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " / ", ": ")


def _norm(value: str) -> str:
    return re.sub(r"\W+", "", value.lower())


def site_names(data: Structured, url: str) -> set[str]:
    """Normalised names the site calls itself, for stripping them from titles."""
    art = data.article or {}
    names = {data.first("og:site_name", "application-name", "twitter:site", "dc.publisher") or "",
             jsonld_text(art.get("publisher")) or ""}
    host = urlsplit(url or "").hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "com", "co", "uk", "org", "net", "news")]
    names.update(labels)
    return {_norm(n.lstrip("@")) for n in names if n}


def clean_title(title: str | None, sites: set[str], h1: str | None = None) -> str | None:
    """Drop a leading or trailing " | Site name" (or " | Section | Site") from a title."""
    title = clean_text(title).strip(" |·:–—-")
    if not title:
        return None
    if h1 and _norm(h1) and _norm(title) != _norm(h1):
        # "Headline | Opinion | The Paper": when the page's own <h1> opens the title,
        # everything after it is site furniture.
        for sep in _TITLE_SEPARATORS[:-1]:
            head = title.split(sep)[0]
            if sep in title and _norm(head) == _norm(h1):
                return head
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if _norm(tail) in sites or any(s and s in _norm(tail) for s in sites if len(s) > 3):
            return clean_title(head, sites)
        first, _, rest = title.partition(sep)
        if _norm(first) in sites:
            return clean_title(rest, sites)
    return title


def choose_title(root, data: Structured, url: str) -> str | None:
    """JSON-LD headline, og:title, the first <h1>, then <title>; site names stripped."""
    art = data.article or {}
    h1 = next((node_text(h) for h in root.iter("h1") if node_text(h)), None)
    title_el = root.find(".//title")
    candidates = [
        jsonld_text(art.get("headline")),
        data.first("og:title", "twitter:title", "dc.title", "headline"),
        h1,
        node_text(title_el) if title_el is not None else None,
    ]
    sites = site_names(data, url)
    for candidate in candidates:
        cleaned = clean_title(candidate, sites, h1)
        if cleaned and _norm(cleaned) not in sites:
            return cleaned
    return None


_STANDFIRST = re.compile(r"(?:^|[-_ ])(standfirst|dek|summary|subtitle|sub-?headline|strapline|lede|intro|excerpt|teaser|description)(?:$|[-_ ])", re.I)


def choose_summary(root, data: Structured) -> str | None:
    """Standfirst/description: JSON-LD, og/meta description, else a standfirst element."""
    art = data.article or {}
    value = jsonld_text(art.get("description")) or data.first(
        "og:description", "description", "twitter:description", "dc.description", "dcterms.abstract")
    if value:
        return value
    for el in root.iter("p", "div", "h2"):
        if _STANDFIRST.search(f"{el.get('class', '')} {el.get('id', '')}"):
            text = node_text(el)
            if 20 <= len(text) <= 600:
                return text
    return None


_BYLINE_MARK = re.compile(r"byline|author|writer|contributor|reporter", re.I)


def visible_byline(root) -> list[str]:
    """Names from a byline element (class "byline"/"author", rel=author, or a "By ..." line)."""
    for a in root.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]'):
        names = split_authors(node_text(a))
        if names:
            return names
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "script", "body", "html", "article"):
            continue
        if not _BYLINE_MARK.search(f"{el.get('class', '')} {el.get('id', '')}"):
            continue
        text = node_text(el)
        if 3 <= len(text) <= 120:
            names = split_authors(text)
            if names:
                return names
    # Old layouts have no markup for it: a short line starting "By " near the top.
    for el in root.iter("p", "div", "span", "td", "font", "b", "strong", "em", "i"):
        text = node_text(el)
        if 4 <= len(text) <= 100 and re.match(r"^[Bb][Yy]:?\s+[A-Z]", text):
            names = split_authors(text)
            if names:
                return names
    return []


def choose_authors(root, data: Structured, trailing: list[str]) -> list[str]:
    """JSON-LD author, author meta tags, microdata, a visible byline, then a trailing byline."""
    art = data.article or {}
    names = authors_from_values(jsonld_list(art.get("author")) or jsonld_list(art.get("creator")))
    if names:
        return names
    meta = data.all("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                    "sailthru.author", "byl", "byline", "citation_author")
    names = authors_from_values(meta)
    if names:
        return names
    names = authors_from_values(data.itemprops.get("author", [])[:3])
    if names:
        return names
    return visible_byline(root) or trailing


_PUBLISHED_META = (
    "article:published_time", "og:published_time", "published_time", "datepublished",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created",
    "pubdate", "publishdate", "publish-date", "publish_date", "date", "sailthru.date",
    "parsely-pub-date", "article.published", "citation_publication_date", "originalpublicationdate",
)
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "modified_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article.updated",
)


def choose_dates(root, data: Structured, url: str) -> tuple[str | None, str | None]:
    """(published, modified): structured data, meta tags, visible dates, then the URL."""
    art = data.article or {}
    published = parse_date(jsonld_text(art.get("datePublished")) or jsonld_text(art.get("dateCreated")))
    for key in _PUBLISHED_META:
        if published:
            break
        published = next(filter(None, map(parse_date, data.meta.get(key, ()))), None)
    if not published:
        published = next(filter(None, map(parse_date, data.itemprops.get("datepublished", ()))), None)
    if not published:
        shown = visible_dates(root)
        published = shown[0] if shown else None
    if not published:
        published = date_from_url(url)
    modified = parse_date(jsonld_text(art.get("dateModified")))
    for key in _MODIFIED_META:
        if modified:
            break
        modified = next(filter(None, map(parse_date, data.meta.get(key, ()))), None)
    if not modified:
        modified = next(filter(None, map(parse_date, data.itemprops.get("datemodified", ()))), None)
    return published, modified


def choose_canonical(data: Structured, base: str) -> str | None:
    """<link rel=canonical>, og:url, then the JSON-LD url, made absolute."""
    art = data.article or {}
    entity = art.get("mainEntityOfPage")
    for value in (data.canonical, data.first("og:url"), jsonld_text(art.get("url")),
                  entity if isinstance(entity, str) else jsonld_text(entity)):
        if value and not value.startswith(("javascript:", "#")):
            absolute = urljoin(base, value.strip())
            if absolute.startswith(("http://", "https://")):
                return absolute
    return None


def choose_section(data: Structured) -> str | None:
    """JSON-LD articleSection, then article:section and other section meta tags."""
    art = data.article or {}
    return jsonld_text(art.get("articleSection")) or data.first(
        "article:section", "section", "parsely-section", "sailthru.section", "dc.subject", "category")


def choose_tags(data: Structured) -> list[str]:
    """JSON-LD keywords, else article:tag, else news_keywords/keywords meta."""
    art = data.article or {}
    value = art.get("keywords")
    if isinstance(value, str):
        tags = [clean_text(t) for t in value.split(",")]
    else:
        tags = jsonld_list(value)
    if not tags:
        tags = data.all("article:tag")
    if not tags:
        raw = data.first("news_keywords", "keywords", "parsely-tags", "sailthru.tags")
        tags = [clean_text(t) for t in re.split(r"[,;]", raw or "")]
    out: list[str] = []
    for tag in tags:
        if tag and len(tag) < 100 and tag not in out:
            out.append(tag)
    return out


def choose_publisher(data: Structured) -> str | None:
    """JSON-LD publisher name, og:site_name, then other publisher meta."""
    art = data.article or {}
    return jsonld_text(art.get("publisher")) or data.first(
        "og:site_name", "dc.publisher", "dcterms.publisher", "application-name", "publisher")
