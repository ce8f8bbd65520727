"""Bytes to text to tree: the only place that decides how a page is decoded and parsed."""

from __future__ import annotations

import html
import re
from collections import Counter

import lxml.html
from lxml import etree
from newscrawl.items import Page
from newscrawl.decoding import decode_text

# lxml refuses str input that carries an XML encoding declaration.
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def decode_html(page: Page) -> str:
    """Decode ``page.body`` as the Latest links were found (``newscrawl.decoding.decode_text``).

    The charset comes from the Content-Type header, then a BOM or ``<meta charset>``,
    then detection; undecodable bytes are replaced, so this never raises.
    """
    body = page.body or b""
    try:
        text = decode_text(page.headers, body)
    except Exception:  # w3lib is robust, but a page must never stop the pipeline
        text = body.decode("utf-8", errors="replace")
    return text.replace("\x00", "")


# lxml.html's own parser picks each element's class in Python (``HtmlElementClassLookup.lookup``,
# run every time an element is first touched from Python: a tenth of the extraction's CPU on a
# large page); these are the classes it picks, chosen in C. Only form controls differ (lxml.html
# gives them form-field properties, which nothing here uses).
_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                           pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """Parse decoded HTML into an lxml tree, or None when nothing usable is there."""
    text = _XML_DECL.sub("", text or "", count=1)
    if not text.strip():
        return None
    # Parsing UTF-8 bytes with an explicit encoding stops lxml second-guessing the
    # charset from a <meta> tag we have already honoured while decoding.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_CLASSES)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    return tree if tree is not None and len(tree) else None


def html_lang(root) -> str | None:
    """The page's ``<html lang>`` (or ``xml:lang``), as written."""
    html_el = root if root.tag == "html" else root.find(".//html")
    return html_el.get("lang") or html_el.get("xml:lang") if html_el is not None else None


def clean_text(value: str | None) -> str:
    """Collapse whitespace (including NBSPs and zero-width chars) to single spaces."""
    if not value:
        return ""
    value = value.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    # str.split() cuts at exactly what ``\s`` matches (str.isspace), runs and ends included:
    # re.sub(r"\s+", " ", value).strip(), without the regex (this runs on every text of a page).
    return " ".join(value.split())


# Scripts written without spaces between words: Han ideographs, kana, Thai, Lao, Khmer, Myanmar.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def word_count(text: str | None) -> int:
    """Words in the text, in any script: space-separated tokens, plus, for scripts
    written without spaces, one word per two characters (a typical word length in
    Chinese and Japanese)."""
    text = text or ""
    unspaced = len(UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = len(UNSPACED.sub(" ", text).split())
    return spaced + (unspaced + 1) // 2


def text_length(text: str | None) -> int:
    """Length in characters, where a character of a script written without spaces counts
    three times: a two-character Japanese word weighs what a six-character English word
    and its space do, so length thresholds mean the same in every language."""
    text = text or ""
    return len(text) + 2 * len(UNSPACED.findall(text))


#: Page chrome: what is inside these is never the story's (its headline, its dates).
OUTSIDE_STORY = ("nav", "footer", "aside")


def outside_story(el, tags: tuple[str, ...] = OUTSIDE_STORY) -> bool:
    """True when ``el`` sits inside page chrome (``nav``, ``footer``, ``aside``, or ``tags``)."""
    return any(a.tag in tags for a in el.iterancestors())


def shingle_counts(text: str | None) -> Counter[tuple[str, ...]]:
    """The text's 4-word shingles (lower-cased ``\\w+`` tokens) with their counts, to compare two texts."""
    tokens = re.findall(r"\w+", (text or "").lower())
    return Counter(tuple(tokens[i:i + 4]) for i in range(max(0, len(tokens) - 3)))


def shingles(text: str | None) -> set[tuple[str, ...]]:
    """The text's distinct 4-word shingles."""
    return set(shingle_counts(text))


def shingle_precision_recall(predicted: str | None, true: str | None) -> tuple[float, float]:
    """How much of ``predicted`` is in ``true`` and of ``true`` in ``predicted``, by shingle multisets.

    Empty against empty counts as perfect; the one way extraction quality is
    measured (the benchmark, the dataset tests).
    """
    p, t = shingle_counts(predicted), shingle_counts(true)
    hit = sum((p & t).values())
    precision = hit / sum(p.values()) if p else (1.0 if not t else 0.0)
    recall = hit / sum(t.values()) if t else 1.0
    return precision, recall


def shingle_f1(predicted: str | None, true: str | None) -> float:
    """The harmonic mean of ``shingle_precision_recall``."""
    precision, recall = shingle_precision_recall(predicted, true)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def unescape_text(value: str | None) -> str:
    """clean_text for attribute values, which some CMSs escape twice ("&amp;#39;")."""
    value = clean_text(value)
    return clean_text(html.unescape(value)) if "&" in value and ";" in value else value


_MARKUP_TAG = re.compile(r"<[^>]+>")


def markup_text(value: str) -> str:
    """The text of an HTML string (a CMS field, a JSON leaf): tags part words, entities are
    decoded, whitespace is collapsed."""
    return clean_text(html.unescape(_MARKUP_TAG.sub(" ", value)))


def word_key(text: str | None) -> str:
    """The text's ``\\w`` words, lower-cased, joined by one space: two titles that say the same."""
    return " ".join(re.findall(r"\w+", (text or "").lower()))


def alternation(words) -> str:
    """A regex alternation of ``words`` (phrases: any run of whitespace between their words),
    longest first, so a phrase wins over a word it starts with."""
    return "|".join(sorted({re.escape(w).replace(r"\ ", r"\s+") for w in words}, key=len, reverse=True))


# Text that closes what comes before it, or opens what follows: an element boundary puts no
# space there ("<span>Kicker</span><span>: </span><span>Headline</span>" reads "Kicker:
# Headline", "(<a>AFP</a>)" "(AFP)"). A space the page writes stays ("Le titre<span> : </span>…"
# in French typography). Not “, which opens a quote in English and closes one in German.
_CLOSING = (":", ",", ".", ";", "!", "?", ")", "]", "\u2019", "\u201d")
_OPENING = ("(", "[", "\u2018", "\u201e")


def node_text(node) -> str:
    """Visible text of an element, whitespace-collapsed; scripts and styles excluded.

    Text nodes are parted by a space, as CSS may make any element a block, but not before
    closing or after opening punctuation (``_CLOSING``, ``_OPENING``)."""
    parts: list[str] = []
    for piece in _itertext(node):
        if parts and not piece.startswith(_CLOSING) and not parts[-1].endswith(_OPENING):
            parts.append(" ")
        parts.append(piece)
    return clean_text("".join(parts))


def _itertext(node):
    # itertext() would include <script>/<style> contents, which are never visible.
    if not isinstance(node.tag, str):
        return
    if node.tag in ("script", "style", "noscript", "template"):
        return
    if node.text:
        yield node.text
    for child in node:
        yield from _itertext(child)
        if child.tail:
            yield child.tail


def text_lengths(root) -> dict:
    """{element: length of its ``text_content()``} for every element under ``root``,
    in one pass from the leaves up, so bounding the text of every element of a page
    costs one walk instead of one per element."""
    sizes: dict = {}
    for el in reversed(list(root.iter())):
        n = len(el.text or "") if isinstance(el.tag, str) else 0
        for child in el:
            n += sizes.get(child, 0) + len(child.tail or "")
        sizes[el] = n
    return sizes


def elements_after(el):
    """The elements after ``el`` in page order (its descendants and what follows it)."""
    started = False
    for node in el.getroottree().getroot().iter():
        if node is el:
            started = True
            continue
        if started and isinstance(node.tag, str):
            yield node


def drop_keeping_tail(el) -> None:
    """Remove an element from its tree; its tail is text of the parent, so it stays."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


_HIDDEN_CLASS = {"hidden", "is-hidden", "d-none", "hide", "visually-hidden", "sr-only", "screen-reader-text"}
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A class that shows the element again from a screen width up: Tailwind's ``md:block`` and
# ``md:not-sr-only``, Bootstrap's ``d-md-block`` (both frameworks' breakpoint names).
_SHOWN_FROM_BREAKPOINT = re.compile(
    r"^(?:(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|inline-block|inline-flex|inline-grid|contents|table"
    r"|table-cell|table-row|flow-root|list-item|not-sr-only)"
    r"|d-(?:sm|md|lg|xl|xxl)-(?:block|flex|grid|inline|inline-block|inline-flex|table|table-cell|table-row))$")


# Shown or not as the page's state says, and hidden until the script has decided (the
# frameworks' cloak attribute, ``[x-cloak] {display: none}``): a form's "Thanks for signing
# up!", a login prompt, a menu. Alpine.js and Vue; a cloak without a state (Vue's app root)
# is only hidden until the script runs, and stays.
_CLOAKS = ("x-cloak", "v-cloak")
_STATES = ("x-show", "v-show", "v-if")


def hidden(el) -> bool:
    """True when the page's own markup hides the element from readers (not only on small
    screens: Tailwind's ``hidden md:block`` and Bootstrap's ``d-none d-md-block`` are shown on
    a desktop), or shows it only in a state the page is not in as it loads (``_CLOAKS``)."""
    if el.get("hidden") is not None or _DISPLAY_NONE.search(el.get("style", "")):
        return True
    if any(el.get(a) is not None for a in _CLOAKS) and any(el.get(a) is not None for a in _STATES):
        return True
    classes = el.get("class", "").split()
    if _HIDDEN_CLASS.isdisjoint(classes):
        return False
    return not any(_SHOWN_FROM_BREAKPOINT.match(c) for c in classes)
