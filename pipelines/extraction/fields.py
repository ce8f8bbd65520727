"""Per-field choice between sources: structured data first, then visible page cues."""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from .authors import (
    BYLINE_FIRST, BYLINE_LEAD, NAME_CONNECTORS, authors_from_jsonld, authors_from_values, drop_publication,
    prefer_people, self_credit, split_authors,
)
from .dates import (
    agreeing_date, date_from_url, day_first_locale, day_shift, fallback_date, nearest_date, parse_date, shown_dates,
)
from .document import (
    alternation, clean_text, drop_keeping_tail, elements_after, hidden, html_lang, node_text, outside_story,
    text_lengths,
)
from .furniture import FURNITURE, NOT_BYLINE, marked
from .structured import Structured, jsonld_list, jsonld_text
from .titles import choose_title, clean_title, norm, site_first_words, site_names  # noqa: F401  (re-exported)

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


# The names of the element itself; 'writer', 'contributor' and 'reporter' were left out by
# leave-out runs (issue 13): no page needs them, a check-half page is right without them.
_BYLINE_MARK = re.compile(r"byline|author", re.I)
_SKIP_TAGS = ("meta", "link", "script", "style", "body", "html", "article", "main", "figure", "figcaption",
              "button", "select", "option", "label")  # the last four: controls (see _shown_text)


def _in_story_furniture(el) -> bool:
    """Inside a figure, navigation, a footer or an aside, or a block marked as furniture (a
    caption, comments, other stories) that does not also hold a headline: a wrapper named
    for its comments or a story's "teaser" header that holds the ``<h1>`` is the story's own."""
    for anc in el.iterancestors():
        if anc.tag in ("figure", "figcaption", "nav", "footer", "aside"):
            return True
        if anc.tag in ("article", "main", "body"):
            return False
        if marked(anc, FURNITURE) and anc.find(".//h1") is None:
            return True
    return False


def visible_bylines(root, sites: set[str], first_words: set[str] = frozenset(),
                    sizes: dict | None = None) -> list[tuple[list[str], bool]]:
    """Name lists from byline elements, in page order, each with whether its line reads
    "By …": rel=author links, byline/author classes, "By ..." lines, then "by ..." text
    right under the headline. ``sizes``: ``text_lengths(root)``, when the caller has it."""
    found: list[tuple[list[str], bool]] = []

    def add(names: list[str], explicit: bool) -> None:
        names = drop_publication(names, sites, first_words)
        if names and (names, explicit) not in found:
            found.append((names, explicit))

    sizes = text_lengths(root) if sizes is None else sizes
    rel: list[str] = []
    for a in root.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]'):
        if not _in_story_furniture(a):
            rel.extend(n for n in split_authors(node_text(a)) if n not in rel)
    add(rel, False)
    done: set = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or el in done or not _is_byline(el):
            continue
        if sizes.get(el, 0) > 600 or _in_story_furniture(el):
            continue
        after = _after_author_links(el) | _not_shown(el)
        text = _shown_text(el, after)
        if not 3 <= len(text) <= 160:
            continue
        # A byline block's own innermost byline parts name the people; the block's whole
        # text also holds titles and employers ("Jim Roe Cherry Hill Courier-Post"). Parts
        # that show no text (a portrait, an underline, an icon) are not the name's parts.
        gone = _within(after)
        parts = {d: bool(_shown_text(d, after).strip()) for d in el.iterdescendants()
                 if isinstance(d.tag, str) and _is_byline(d) and d not in gone}
        inner = [d for d, shows in parts.items() if shows and not any(parts.get(x) for x in d.iterdescendants())]
        done.update(el.iterdescendants())
        names: list[str] = []
        for part in inner or [el]:
            names.extend(n for n in split_authors(_shown_text(part, after)) if n not in names)
        explicit = bool(BYLINE_LEAD.match(text))
        line = split_authors(text) if explicit else []
        if line and not _run_together(names, line):
            names = line  # the line itself, cut at its date and credits
        elif any(len(n.split()) > 1 for n in names):
            names = [n for n in names if len(n.split()) > 1 or n.isupper()]
        add(names if inner else _set_apart(el, gone, names), explicit)
    # Old layouts have no markup for it: a short line starting "By " near the top.
    for el in root.iter("p", "div", "span", "td", "font", "b", "strong", "em", "i", "address", "small"):
        if sizes.get(el, 0) > 400:  # cheap bounds before the exact text
            continue
        raw = el.text_content()
        if raw.lstrip()[:1].lower() not in BYLINE_FIRST:
            continue
        linked = el.find(".//a") is not None
        after = _after_author_links(el) if linked else set()
        text = _shown_text(el, after) if linked else node_text(el)
        if 4 <= len(text) <= 100 and BYLINE_LEAD.match(text) and not _in_story_furniture(el):
            add(_set_apart(el, _within(after), split_authors(text)), True)
    add(lead_byline(root, sizes), True)
    # "…</h1> by Jane Doe, <time>…</time>": loose text just under the headline.
    for h in root.iter("h1"):
        parts = [h.tail or ""]
        for sib in h.itersiblings():
            parts.append(node_text(sib) if isinstance(sib.tag, str) else "")
            parts.append(sib.tail or "")
            if sum(map(len, parts)) > 300:
                break
        m = re.search(r"(?:^|\s)by\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})", clean_text(" ".join(parts))[:300])
        if m:
            add(split_authors(m.group(1)), True)
        break
    add(author_links(root, sizes), False)
    return found


# A link to the author's page: the path names what it lists ("/author/jo-roe", "/autor/…",
# "/staff/123/jo-roe/", "/authors/j/jo-roe/"), in the languages of the data.
_AUTHOR_PATH = re.compile(r"/(?:authors?|autor(?:en|es)?|auteurs?|autori?|staff|journalists?|reporters?|redakteur(?:e|in)?|"
                          r"columnists?|writers?|profiles?)/", re.I)


def _author_link(a) -> bool:
    return bool(_AUTHOR_PATH.search(a.get("href") or "")) or "author" in (a.get("rel") or "").split()


# What begins the text after a byline's last linked name when another name follows it:
# "<a>Travis Andersen</a> and <span>Adam Sennott</span>", "<a>Jo Roe</a>, Ann Lee".
_NEXT_NAME = re.compile(rf"\s*(?:[,;&|、]|(?:{alternation(w for ws in NAME_CONNECTORS.values() for w in ws)})(?!\w))",
                        re.I)


def _after_author_links(el) -> set:
    """The elements of a byline block that follow its last link to an author's page (by
    ``_AUTHOR_PATH`` or ``rel=author``): the author's job title in an element of its own
    ("Landespolitische Korrespondentin", "Lead Draft Writer"), an icon's title. Where the
    block links its authors, those links end their names; but not where a connector or a
    comma follows the last link (an unlinked name comes next), and dates stay, in a ``<time>``
    or not (the byline's reading cuts at its date: "… and Tom Cas on <time>May 3</time>").
    Empty without such links."""
    links = [a for a in el.iter("a") if _author_link(a)]
    if not links:
        return set()
    last = links[-1]
    if _NEXT_NAME.match(_text_after(el, last)):
        return set()
    inside = set(last.iterdescendants())
    after: set = set()
    started = False
    for d in el.iterdescendants():
        if d is last:
            started = True
        elif started and d not in inside and isinstance(d.tag, str) and d.tag != "time":
            after.add(d)
    dated = {d for d in after if any(c.isdigit() for c in d.text_content())}
    return {d for d in after if d not in dated and not any(x in dated for x in d.iterdescendants())}


def _text_after(el, node, limit: int = 40) -> str:
    """Up to ``limit`` characters of ``el``'s text after ``node`` (its end tag), in page order."""
    out: list[str] = []
    started = False
    for event, x in etree.iterwalk(el, events=("start", "end")):
        if not started:
            started = event == "end" and x is node
            if started:
                out.append(x.tail or "")
        elif event == "start" and isinstance(x.tag, str):
            out.append(x.text or "")
        elif event == "end" and x is not el:
            out.append(x.tail or "")
        if sum(map(len, out)) >= limit:
            break
    return " ".join(out)


def author_links(root, sizes: dict, elements: int = 60) -> list[str]:
    """Names of links to author pages between the headline and the story's first paragraph
    of prose: the byline of a page that marks it by nothing else (no class, no "By")."""
    headline = _story_headline(root)
    if headline is None:
        return []
    names: list[str] = []
    for n, el in enumerate(elements_after(headline)):
        if n > elements or (el.tag == "p" and sizes.get(el, 0) > 150):
            break
        if el.tag == "a" and _AUTHOR_PATH.search(el.get("href") or "") and not _in_story_furniture(el):
            names.extend(x for x in split_authors(node_text(el)) if x not in names)
    return names


def _story_headline(root):
    """The page's first ``<h1>`` outside its chrome, or None."""
    return next((h for h in root.iter("h1") if not outside_story(h)), None)


def lead_byline(root, sizes: dict, paragraphs: int = 4) -> list[str]:
    """Names from a paragraph that is nothing but bold names, among the first paragraphs
    after the headline and before the prose starts: ``<p><strong>Jane Doe/Jo Roe</strong></p>``,
    the byline of layouts that have no markup for it. Every name must be two words at least,
    so a bold lead-in word ("<strong>A</strong> Chinese-owned company …") is not a name."""
    headline = _story_headline(root)
    seen = 0
    for el in root.iter() if headline is None else elements_after(headline):
        if el.tag != "p" or not sizes.get(el, 0) or _in_story_furniture(el):
            continue
        seen += 1
        if seen > paragraphs or sizes[el] > 150:
            break
        bold = [child for child in el if child.tag in ("strong", "b")]
        text = clean_text(el.text_content())
        if len(bold) == 1 and len(text) <= 80 and clean_text(bold[0].text_content()) == text:
            # "Jane Doe/Jo Roe": a slash between full names (not "SRF/hosb", a desk and initials).
            names = [n for part in text.split("/") for n in split_authors(part)]
            if names and all(len(n.split()) >= 2 for n in names):
                return names
    return []


_CONTROLS = ("button", "select", "option", "label")
# Elements whose class or id names a tooltip, in any case: "tooltip", "tooltiptext", "c-Tooltip__body".
_TOOLTIPS = etree.XPath('.//*[contains(translate(concat(@class, " ", @id), "TOLIP", "tolip"), "tooltip")]')


def _not_shown(el) -> set:
    """What a byline holds but does not show, so no part of its line: its tooltips ("Twitter"
    over an icon, the author's bio) and its text hidden from sight ("Social Links for", for
    screen readers)."""
    return set(_TOOLTIPS(el)) | {d for d in el.iterdescendants() if isinstance(d.tag, str) and d.attrib and hidden(d)}


def _set_apart(el, gone: set, names: list[str]) -> list[str]:
    """A byline that sets its names apart by elements, not by commas or "and":
    ``<span>Jo Roe</span><span>Ann Poe</span>`` reads "Jo Roe Ann Poe" as one text. When its
    innermost elements that hold text, each read alone, give two names or more, and the
    line gave ``names`` that are those names run together (or none), they are the names.
    ``gone``: the elements left out of the line and all they hold (``_within``)."""
    apart: list[str] = []
    for d in el.iterdescendants():
        if (not isinstance(d.tag, str) or d in gone or d.tag in _CONTROLS
                or any(isinstance(x.tag, str) and (x.text or "").strip() for x in d.iterdescendants())):
            continue
        text = node_text(d)
        found = split_authors(text)
        if not found or (len(found) == 1 and len(found[0].split()) == 1):
            continue  # a picture, "By", "Von", a weekday
        # each element one full name and nothing else: not "Editor" cut off a job title
        if len(found) != 1 or _key(found[0]) != _key(text):
            return names
        if found[0] not in apart:
            apart.append(found[0])
    return apart if len(apart) >= 2 and (not names or _run_together(apart, names)) else names


def _within(elements: set) -> set:
    """The elements and everything inside them."""
    return {d for el in elements for d in el.iter()}


def _run_together(parts: list[str], names: list[str]) -> bool:
    """``names`` are ``parts`` run together: fewer, the same letters in the same order."""
    return len(parts) > len(names) and _key(" ".join(parts)) == _key(" ".join(names))


def _shown_text(el, leave_out: set = frozenset()) -> str:
    """The element's text without its controls (the "Follow" button in an author box is no
    name) and without the elements in ``leave_out`` (``_after_author_links``)."""
    out = [d for d in el.iterdescendants() if d in leave_out or d.tag in _CONTROLS]
    if not out:
        return node_text(el)
    dropped = set(out)
    twin = copy.deepcopy(el)
    for old, new in zip(el.iterdescendants(), twin.iterdescendants()):
        if old in dropped and old.getparent() not in dropped:
            drop_keeping_tail(new)
    return node_text(twin)


# The block of a picture: an "author" in it is the photographer's credit ("Image: GCIS").
_PICTURE = frozenset({"photo", "image"})


def _byline_marked(el) -> bool:
    return bool(_BYLINE_MARK.search(f"{el.get('class', '')} {el.get('id', '')}"))


def _is_byline(el) -> bool:
    """Marked as a byline or an author, and neither marked as something else ("author-bio",
    "author-card") nor inside a picture's block (but for a byline's own: "author-image")."""
    if not _byline_marked(el) or marked(el, NOT_BYLINE):
        return False
    return not any(marked(a, _PICTURE) and not _byline_marked(a)
                   for a in el.iterancestors() if a.tag not in ("body", "html"))


def choose_authors(root, data: Structured, trailing: list[str], url: str = "", sizes: dict | None = None) -> list[str]:
    """JSON-LD author, author meta tags, microdata, a visible byline, then a trailing byline.

    The publication's own name is not an author. A visible byline that names everyone
    the metadata names, and more, wins: metadata often lists only the first author.
    ``sizes``: ``text_lengths(root)``, when the caller has it.
    """
    sites, first_words = site_names(data, url), site_first_words(data)
    art = data.article or {}
    meta = data.all("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                    "sailthru.author", "byl", "byline", "citation_author")
    names: list[str] = []
    for candidate in (
        authors_from_jsonld(art.get("author") or art.get("creator")),
        authors_from_values(meta),
        authors_from_values(data.itemprops.get("author", [])[:3]),
    ):
        names = drop_publication(candidate, sites, first_words)
        if names:
            break
    shown = visible_bylines(root, sites, first_words, sizes)
    if names:
        keys = {_key(n) for n in names}
        # The first "By …" line that names a credited author is the story's own byline.
        own = next((b for b, explicit in shown if explicit and keys & {_key(n) for n in b}), [])
        if len(own) > len(names) and keys <= {_key(n) for n in own}:
            names = own
    else:
        names = shown[0][0] if shown else drop_publication(trailing, sites, first_words)
        # No one else is credited: the publisher, declared the author in JSON-LD and in meta, signs it.
        names = names or self_credit(art.get("author") or art.get("creator"), sites, first_words, meta)
    return prefer_people(names)


def _headline(root, title: str | None):
    """The ``<h1>`` that shows ``title`` (letters and digits compared), outside the page's chrome."""
    key = norm(title)
    if not key:
        return None
    return next((h for h in root.iter("h1") if norm(node_text(h)) == key and not outside_story(h)), None)


def _key(name: str) -> str:
    return re.sub(r"\W+", "", name.lower())


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


def _declared_dates(data: Structured, ld_keys: tuple[str, ...], meta_keys: tuple[str, ...], prop: str):
    art = (data.article or {}) if data.is_article_type else {}
    for key in ld_keys:
        yield parse_date(jsonld_text(art.get(key)))
    for key in meta_keys:
        yield next(filter(None, map(parse_date, data.meta.get(key, ()))), None)
    yield from map(parse_date, data.itemprops.get(prop, ()))


def _structured_date(data: Structured, ld_keys: tuple[str, ...], meta_keys: tuple[str, ...], prop: str) -> str | None:
    """JSON-LD, then meta tags, then microdata. An article node read from microdata (no
    JSON-LD article) waits for the meta tags: its date is the page's first ``itemprop``
    of that name, which on a feed or live page belongs to the container or another post.
    A bare day takes its time and offset from a later source that declares that day."""
    found = None
    for value in _declared_dates(data, ld_keys, meta_keys, prop):
        if not value:
            continue
        if found is None:
            found = value
            if len(found) > 10:
                return found
        elif len(value) > 10 and value[:10] == found:
            return value
    return found


def choose_dates(root, data: Structured, url: str, sizes: dict | None = None,
                 title: str | None = None) -> tuple[str | None, str | None]:
    """(published, modified) as ISO 8601, keeping the offset the page gives.

    Structured data and meta tags anchor the dates; a date the page shows near them
    (from the day before the declared publication, if its instant can fall on that day
    somewhere, to the declared update) is preferred, because it is in the publisher's own
    zone and is the date readers see: first one naming the declared instant, then one on
    its day, then any but the declared update's own instant (see ``agreeing_date``). Dates in lists of other stories, comments,
    navigation and footers do not count. Without
    declarations the URL's date anchors the shown dates; without either, the date shown
    nearest the headline that shows ``title`` (``nearest_date``: not the masthead's date of
    today), else the first date shown, then htmldate's guess. All-numeric dates shown are
    read month first on pages in US English ("06/18/2023"), day first otherwise. ``sizes``: ``text_lengths(root)``,
    when the caller has it.
    """
    published = _structured_date(data, ("datePublished", "dateCreated"), _PUBLISHED_META, "datepublished")
    modified = _structured_date(data, ("dateModified",), _MODIFIED_META, "datemodified")
    locales = (html_lang(root), data.first("og:locale"))
    shown = shown_dates(root, day_first_locale(*locales), tuple(filter(None, locales)), sizes)
    from_url = date_from_url(url)
    if published:
        latest = modified if modified and modified > published else published
        seen = agreeing_date(shown, published, latest, slack_days=1, readable=True)
        if seen and seen[:10] != published[:10]:
            published = seen
    elif from_url:
        published = agreeing_date(shown, from_url, day_shift(from_url, 1), slack_days=1) or from_url
    else:
        headline = _headline(root, title)
        if headline is not None:
            published = nearest_date(root, headline, day_first_locale(*locales), tuple(filter(None, locales)), sizes)
        else:
            published = next((value for value, updated, _ in shown if not updated), None)
        if published is None:
            published = parse_date(fallback_date(lxml.html.tostring(root, encoding="unicode"), url))
    if not modified and published:
        seen = agreeing_date(shown, published, day_shift(published, 3660), updated=True)
        modified = seen if seen and seen > published else None
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
