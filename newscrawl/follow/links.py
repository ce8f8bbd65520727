"""The link-following rules: which links on a page the crawler follows.

Only three kinds of link are followed:

* links inside a "Latest World News" block (an element whose own text is a
  configured block title, and the list of links that belongs to it);
* the block's "See more ..." link, which leads to the world-news section page;
* on a section page, links to articles of that section (URLs under the
  section's path), outside navigation, header, footer, asides and
  "Trending"/"Most read" boxes.

Everything here is a pure function of the page text and URL, so the live crawl
and the replay find the same links.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from w3lib.url import url_query_cleaner

logger = logging.getLogger(__name__)

HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Containers whose links are never section-article links: site chrome and
# boxes of other lists.
CHROME_TAGS = ("nav", "header", "footer", "aside")
FOLLOWABLE_SCHEMES = {"http", "https"}
_SPACES = re.compile(r"\s+")

# Defaults of the link settings (newscrawl/settings.py names these).
DEFAULT_BLOCK_TITLES = ["Latest World News"]
DEFAULT_SEE_MORE_PATTERNS = [r"^(see|view|show)\s+(more|all)\b", r"^more\b"]
DEFAULT_EXCLUDED_BOX_PATTERNS = [r"trending", r"most[\s_-]*(read|popular|viewed|shared)", r"popular"]
DEFAULT_TRACKING_PARAMETERS = [
    "utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "_ga", "_gl", "igshid", "ocid", "cmpid", "at_medium", "at_campaign", "ito",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
]


def normalise_title(text: str) -> str:
    """Case-folded text with runs of whitespace collapsed, for title matching."""
    return _SPACES.sub(" ", text).strip().casefold()


@dataclass
class LinkRules:
    """What the link finder looks for; built from settings (see settings.py)."""

    block_titles: list[str] = field(default_factory=lambda: list(DEFAULT_BLOCK_TITLES))
    see_more_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_SEE_MORE_PATTERNS))
    excluded_box_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDED_BOX_PATTERNS))
    tracking_params: list[str] = field(default_factory=lambda: list(DEFAULT_TRACKING_PARAMETERS))
    # Per-host overrides: {"host[:port]": {"latest_block": "css or xpath", "section_articles": "..."}}
    site_rules: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._titles = {normalise_title(t) for t in self.block_titles}
        self._see_more = [re.compile(p, re.I) for p in self.see_more_patterns]
        self._excluded = re.compile("|".join(self.excluded_box_patterns), re.I) if self.excluded_box_patterns else None
        self._candidates_xpath = _title_candidates_xpath(self)

    def is_block_title(self, text: str) -> bool:
        return normalise_title(text) in self._titles

    def is_see_more(self, text: str) -> bool:
        text = normalise_title(text)
        return any(p.search(text) for p in self._see_more)

    def is_excluded_box(self, text: str) -> bool:
        return bool(self._excluded and self._excluded.search(text))

    def rule_for(self, url: str, name: str) -> str | None:
        parts = urlsplit(url)
        for key in (parts.netloc, parts.hostname or ""):
            rule = self.site_rules.get(key, {}).get(name)
            if rule:
                return rule
        return None


def link_rules_from_settings(settings) -> LinkRules:
    """LinkRules from settings; a setting left out keeps its default (above)."""
    return LinkRules(
        block_titles=settings.getlist("LATEST_BLOCK_TITLES", DEFAULT_BLOCK_TITLES),
        see_more_patterns=settings.getlist("LATEST_SEE_MORE_PATTERNS", DEFAULT_SEE_MORE_PATTERNS),
        excluded_box_patterns=settings.getlist("EXCLUDED_BOX_PATTERNS", DEFAULT_EXCLUDED_BOX_PATTERNS),
        tracking_params=settings.getlist("TRACKING_PARAMETERS", DEFAULT_TRACKING_PARAMETERS),
        site_rules=settings.getdict("LINK_SITE_RULES"),
    )


@dataclass
class LatestBlock:
    """One "Latest World News" block: its article links and its "See more" link."""

    links: list[str]
    see_more: str | None = None


def clean_url(url: str, rules: LinkRules | None = None) -> str:
    """Drop the fragment and tracking parameters (w3lib's ``url_query_cleaner``), keeping the rest as written.

    The remaining query keeps its order and spelling so the URL fetched is the
    URL the site linked to, minus what only identifies the referrer. Parameter
    names match ``TRACKING_PARAMETERS`` case-insensitively, percent-decoded.
    """
    patterns = (rules or LinkRules()).tracking_params
    query = urlsplit(url).query
    keys = {pair.partition("=")[0] for pair in query.split("&") if pair}
    tracking = sorted(k for k in keys if any(fnmatch.fnmatchcase(unquote_plus(k).lower(), p) for p in patterns))
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path or "/", fragment=""))


def _absolute(href: str | None, base_url: str, rules: LinkRules) -> str | None:
    if not href:
        return None
    href = href.strip()
    url = urljoin(base_url, href)
    if urlsplit(url).scheme not in FOLLOWABLE_SCHEMES:
        logger.info("Not following non-HTTP link %.200s on %s", url, base_url)
        return None
    return clean_url(url, rules)


def _tag(el) -> str:
    """Lower-case tag name of an lxml element ("" for comments and processing instructions)."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _own_text(el) -> str:
    """The element's own text nodes (not its children's), joined by spaces."""
    parts = [el.text or ""]
    parts.extend(child.tail or "" for child in el)
    return " ".join(parts)


@functools.lru_cache(maxsize=64)
def _compiled(expression: str) -> etree.XPath:
    """An XPath compiled once: ``el.xpath(str)`` compiles its expression at every call (~5x the cost)."""
    return etree.XPath(expression, smart_strings=False)


_STRING = _compiled("string(.)")


def _text(el) -> str:
    """All text inside the element, whitespace collapsed."""
    return " ".join(_STRING(el).split())


def _title_candidates_xpath(rules: LinkRules) -> str | None:
    """An XPath that finds, in C, the few elements which may have a block title as own text.

    A title's words never span two text nodes (own text joins them with a
    space), so such an element has a text node holding the title's longest
    word; the XPath looks for that word without its first letter, in lower
    case, in UPPER CASE or as configured ("atest", "ATEST": Latest, latest,
    LATEST), and ``is_block_title`` then decides. (XPath 1.0 has no cheap case
    folding: ``translate`` costs milliseconds on a large page.) None when a word
    cannot be written as an XPath literal: then every element with text is a
    candidate.
    """
    tests = []
    for title in rules.block_titles:
        word = max(_SPACES.split(title.strip()), key=len, default="")
        rest = word[1:] or word
        variants = dict.fromkeys((rest, rest.lower(), rest.upper()))
        if not rest or any("'" in v for v in variants):
            return None
        tests.extend(f"contains(., '{v}')" for v in variants)
    return f"//body//*[text()[{' or '.join(dict.fromkeys(tests))}]]" if tests else None


# Elements whose short, link-free text is the title of a block of links.
LABEL_TAGS = {"b", "strong", "label", "th", "legend", "caption"}
# Block-level elements an ALL-CAPS one-word text may title (a <span>LIVE</span> badge does not).
BLOCK_LABEL_TAGS = {"div", "p", "td", "li", "dd", "font", "center"}
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(title|heading|header|head|hd|label|kicker)(?:$|[\s_-])", re.I)
MAX_TITLE_WORDS = 8
_TITLED_GROUP_TAGS = {"ul", "ol", "dl", "table", "menu"}
INLINE_TAGS = {"b", "strong", "span", "font", "label", "i", "em", "small", "abbr", "mark", "time"}


def _has_link(el) -> bool:
    return _tag(el) == "a" or any(True for _ in el.iter("a", "A"))


def _is_caps_label(text: str, tag: str) -> bool:
    """ALL-CAPS text: a label ("MORE FROM SPORT", "<div>BUSINESS</div>"), not a badge, a date or an abbreviation."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or any(c.islower() or c.isdigit() for c in text):
        return False
    return len(text.split()) >= 2 or tag in BLOCK_LABEL_TAGS


def is_title_element(el) -> bool:
    """True for an element that titles a block of links: what ends the block before it.

    A heading, a ``<dt>``, a short bold or ``<label>``-like text without a link, a
    short ALL-CAPS text, or a short link-free element whose class or role says it
    is a title ("box-title", "rail-head", ``role=heading``).
    """
    tag = _tag(el)
    if not tag:
        return False
    text = _text(el)
    if not text:
        return False
    if tag in HEADING_TAGS or tag == "dt" or el.get("role") == "heading":
        return True
    if len(text.split()) > MAX_TITLE_WORDS or _has_link(el):
        return False
    if tag in LABEL_TAGS or _is_caps_label(text, tag):
        return True
    return bool(_TITLE_CLASS.search(el.get("class") or ""))


def _first_child_element(el):
    """The first child element, if no text comes before it; else None."""
    if (el.text or "").strip():
        return None
    for child in el:
        if not _tag(child):
            if (child.tail or "").strip():
                return None
            continue
        return child
    return None


def starts_block(el) -> bool:
    """True when ``el`` is a block title, or a titled group: a title followed by its own links.

    ``<li><b>Sport</b><ul>...</ul></li>``, ``<div><h3>Business</h3>...</div>``,
    ``<font><b>MORE FROM SPORT</b></font>``. A list item that merely starts with a
    badge and holds one link (``<li><b>Live</b> <a>...</a></li>``) is not a group.
    """
    if is_title_element(el):
        return True
    first = _first_child_element(el)
    depth = 0
    while first is not None and depth < 3:
        if is_title_element(first):
            links = sum(1 for _ in el.iter("a", "A"))
            return (links != 1 or _tag(first) not in INLINE_TAGS
                    or any(_tag(d) in _TITLED_GROUP_TAGS for d in el.iter()))
        if _has_link(first):
            return False
        first = _first_child_element(first)
        depth += 1
    return False


def _links_after(title, rules: LinkRules) -> list:
    """Links that follow the block title: its following siblings, up to the next block title.

    Starting from the title element and climbing at most three levels, the
    first level whose following siblings hold links other than a "See more"
    link is the block. The next block title in the same container (a heading,
    a ``<dt>``, a bold or ALL-CAPS label, a titled sub-list: ``starts_block``)
    ends the block, so that two blocks in one container stay apart; so does the
    end of the title's own container, at the level where links were found.
    """
    found: list = []
    node = title
    for _ in range(4):
        level_links: list = []
        for sibling in node.itersiblings():
            tag = _tag(sibling)
            if not tag:
                continue
            if starts_block(sibling):
                break
            level_links.extend(a for a in sibling.iter("a", "A") if a.get("href") is not None)
        found.extend(level_links)
        if any(not rules.is_see_more(_text(a)) for a in found):
            return found
        parent = node.getparent()
        if parent is None or _tag(parent) in {"body", "html", ""}:
            break
        node = parent
    return found


def find_latest_blocks(html: str | Selector, base_url: str, rules: LinkRules | None = None) -> list[LatestBlock]:
    """Every "Latest World News" block on the page, with absolute, cleaned links.

    Works on the parsed tree (``Selector.root``) with lxml directly: the page's
    elements are filtered in C by one XPath, and only the few that can hold a
    block title are looked at in Python.
    """
    rules = rules or LinkRules()
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    blocks: list[LatestBlock] = []
    custom = rules.rule_for(base_url, "latest_block")
    if custom:
        containers = sel.xpath(custom) if custom.startswith(("/", "(")) else sel.css(custom)
        candidates = [(None, [a.root for a in c.xpath(".//a[@href]")]) for c in containers]
    else:
        root = sel.root
        if not hasattr(root, "xpath"):  # not an element tree (e.g. a JSON selector)
            return []
        candidates = []
        for el in _compiled(rules._candidates_xpath or "//body//*[text()]")(root):
            tag = _tag(el)
            if tag in {"script", "style", ""} or not rules.is_block_title(_own_text(el)):
                continue
            anchors = _links_after(el, rules)
            if tag == "a":
                # A linked title ("<h2><a href=/world>Latest World News</a></h2>")
                # leads to the section page, like a "See more" link.
                anchors = [el, *anchors]
            candidates.append((el, anchors))
    for title, anchors in candidates:
        block = LatestBlock(links=[])
        for a in anchors:
            url = _absolute(a.get("href"), base_url, rules)
            if url is None:
                continue
            if block.see_more is None and (a is title or rules.is_see_more(_text(a))):
                block.see_more = url
            elif url not in block.links:
                block.links.append(url)
        blocks.append(block)
    return blocks


def latest_links(blocks: list[LatestBlock]) -> list[str]:
    """The article links of all blocks, in page order, each once."""
    seen: dict[str, None] = {}
    for block in blocks:
        for url in block.links:
            seen.setdefault(url, None)
    return list(seen)


def section_prefix(section_url: str) -> str:
    """The path the articles of a section page live under.

    ``/world/`` and ``/world/index.html`` → ``/world/``; ``/news/world`` →
    ``/news/world/``; ``/world.html`` → ``/world/``. An article's own URL gives a
    prefix nothing lives under (``/world/2023/story.html`` → ``/world/2023/story/``),
    so an article page is never mistaken for its own section.
    """
    path = urlsplit(section_url).path or "/"
    if path.endswith("/"):
        return path
    head, _, last = path.rpartition("/")
    stem, dot, _ext = last.rpartition(".")
    if dot and _INDEX_NAME.fullmatch(stem):
        return head + "/"
    return f"{head}/{stem if dot else last}/"


_INDEX_NAME = re.compile(r"index|default|home|main|start", re.I)


def section_article_links(html: str | Selector, section_url: str, rules: LinkRules | None = None) -> list[str]:
    """Links on a section page to articles of that section.

    An article of the section lives under the section's path (``section_prefix``:
    ``/world/`` → ``/world/some-story``; ``/world/index.html`` → ``/world/...``;
    ``/news/world`` → ``/news/world/...``). Links in site chrome (nav, header,
    footer, aside) and in Trending/Most read boxes are left out, even when they
    point into the section.
    """
    rules = rules or LinkRules()
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    custom = rules.rule_for(section_url, "section_articles")
    base = urlsplit(section_url)
    prefix = section_prefix(section_url)
    links: dict[str, None] = {}
    for a in _main_anchors(sel, section_url, rules, custom):
        url = _absolute(a.attrib.get("href"), section_url, rules)
        if url is None:
            continue
        parts = urlsplit(url)
        if parts.netloc != base.netloc or url == clean_url(section_url, rules):
            continue
        if parts.path.startswith(prefix) and len(parts.path) > len(prefix):
            links.setdefault(url, None)
    return list(links)


def _main_anchors(sel: Selector, url: str, rules: LinkRules, custom: str | None = None) -> list:
    """The page's links outside site chrome and Trending/Most read boxes (or a site rule's)."""
    if custom:
        anchors = sel.xpath(custom) if custom.startswith(("/", "(")) else sel.css(custom)
        return [x for a in anchors for x in a.xpath("descendant-or-self::a[@href]")]
    chrome = " or ".join(f"ancestor::{t}" for t in CHROME_TAGS)
    return [a for a in sel.xpath(f"//body//a[@href][not({chrome})]") if not _in_excluded_box(a, rules)]


# -- What a page is: a section page is followed as one, however it was reached ------------

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting", "report",
}
_LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage"}
DEFAULT_SECTION_MIN_LINKS = 3
# A text this long outside links is a paragraph of prose, longer than a teaser's blurb.
_PROSE_CHARS = 200


def _declared_types(sel: Selector) -> set[str]:
    """Lower-case schema.org types of the page's top-level JSON-LD nodes (and @graph members)."""
    types: set[str] = set()
    for raw in _compiled("//script[@type='application/ld+json']/text()")(sel.root):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        nodes = data if isinstance(data, list) else [data]
        for node in list(nodes):
            if isinstance(node, dict) and isinstance(node.get("@graph"), list):
                nodes.extend(node["@graph"])
        for node in nodes:
            if isinstance(node, dict):
                kind = node.get("@type")
                for t in kind if isinstance(kind, list) else [kind]:
                    if isinstance(t, str):
                        types.add(t.rsplit("/", 1)[-1].lower())
    return types


def declares_article(sel: Selector) -> bool:
    """True when the page's own markup calls it one article (JSON-LD, og:type, article:* meta)."""
    if _declared_types(sel) & _ARTICLE_TYPES:
        return True
    og = next(iter(_compiled("//meta[@property='og:type']/@content")(sel.root)), "").strip().lower()
    return og == "article" or bool(_compiled("//meta[@property='article:published_time']")(sel.root))


def _prose_blocks(sel: Selector) -> int:
    """Text nodes of paragraph length outside links: a story's paragraphs, not a listing's teasers."""
    return int(_compiled(
        f"count(//body//text()[string-length(normalize-space(.)) >= {_PROSE_CHARS}]"
        "[not(ancestor::a or ancestor::script or ancestor::style)])")(sel.root))


def headline_links(sel: Selector, url: str, rules: LinkRules) -> list[str]:
    """Same-host links in the page's main content whose text reads like a headline (4-30 words)."""
    host = urlsplit(url).netloc
    links: dict[str, None] = {}
    own = clean_url(url, rules)
    for a in _main_anchors(sel, url, rules):
        words = _text(a.root).split()
        if not 4 <= len(words) <= 30:
            continue
        target = _absolute(a.attrib.get("href"), url, rules)
        if target and target != own and urlsplit(target).netloc == host and urlsplit(target).path not in ("", "/"):
            links.setdefault(target, None)
    return list(links)


def section_links(html: str | Selector, url: str, rules: LinkRules | None = None,
                  min_links: int = DEFAULT_SECTION_MIN_LINKS, listing_fallback: bool = True) -> list[str] | None:
    """The article links to follow if the page is a section page, else None.

    Decided from the page, not from how it was reached. A section page is not a
    home page (path ``/`` or ``/index.html``), does not call itself an article,
    and lists at least ``min_links`` article links under its path
    (``section_article_links``). A page that declares itself a listing
    (JSON-LD CollectionPage, ItemList) and carries no prose is a section too
    even when its articles live elsewhere on the site (``/world-news`` →
    ``/article/...``): then its headline links in the main content are followed
    (``listing_fallback``; the spider turns it off for pages found on a section,
    so that it never chains from listing to listing).
    """
    rules = rules or LinkRules()
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    if not hasattr(sel.root, "xpath"):
        return None
    path = urlsplit(url).path
    if path in ("", "/") or re.fullmatch(r"/(index|default|home)(\.\w+)?", path, re.I):
        return None
    if declares_article(sel):
        return None
    links = section_article_links(sel, url, rules)
    if len(links) >= max(1, min_links) or (links and rules.rule_for(url, "section_articles")):
        return links
    if listing_fallback and _declared_types(sel) & _LISTING_TYPES and _prose_blocks(sel) < 3:
        found = headline_links(sel, url, rules)
        if len(found) >= max(1, min_links):
            return found
    return None


def _in_excluded_box(anchor: Selector, rules: LinkRules) -> bool:
    """True inside a Trending/Most read box: by class or id, or by the box's heading."""
    for ancestor in anchor.xpath("ancestor::*[self::div or self::section or self::ul or self::ol or self::table or self::td]"):
        marker = " ".join(filter(None, (ancestor.attrib.get("class"), ancestor.attrib.get("id"))))
        if marker and rules.is_excluded_box(marker):
            return True
        heading = ancestor.xpath("./*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::b or self::strong][1]")
        if heading and rules.is_excluded_box(_text(heading[0].root)):
            return True
    return False


def host_of(url: str) -> str:
    """host:port of a URL, the unit of crawl scope."""
    return urlsplit(url).netloc.lower()
