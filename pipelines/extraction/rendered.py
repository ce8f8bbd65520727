"""The page as its scripts render it: what the page ships as data and its HTML lacks.

A page streamed by React (Next.js App Router, Remix, any ``renderToPipeableStream``) sends
the parts that were not ready at first later in the same response, each in a hidden
``<div hidden id="S:n">`` at the end of the body, with an inline script that moves it to
its place: ``$RC("B:n", "S:n")`` where a Suspense boundary's ``<template id="B:n">`` is,
``$RS("S:n", "P:n")`` where a segment's ``<template id="P:n">`` placeholder is (or the
same as ``<template data-rci|data-rsi data-bid|data-pid data-sid>`` for React's external
runtime). Those moves are made first (``complete_streamed``): the story is where the page
shows it, not in a hidden block that the pruning drops. (A boundary's fallback, a spinner
between comments the parser does not keep, stays before it.) So is the content of each
declarative shadow root (``<template shadowrootmode>``, ``open_shadow_roots``), which the
browser shows in its host element.

Some pages build the story in the browser: a client component sets the story's HTML,
shipped in the page as data, as an element's inner HTML, and the HTML the server sent
shows a spinner. The archived response holds the story all the same. Two things are
added to the tree, each only where the HTML lacks it, before anything reads it:

- **head tags** a Next.js App Router page streams in its flight rows (``flight``): a
  ``<title>`` when the page has none, a ``<meta>`` whose name or property the head lacks,
  a JSON-LD script a component renders that the page holds no copy of;
- **the story's HTML**: a text row of the flight payload, or an HTML string in the JSON of
  the flight rows, of ``__NEXT_DATA__`` or of another JSON script. A fragment is the story
  when it reads like one (``STORY_BLOCKS`` block elements, ``STORY_CHARS`` characters of
  text), the page does not show it (fewer than ``UNSHOWN`` of its 4-word shingles are in
  the page's visible text: a page that shows its story is read as it shows it), and the
  object holding it, or one holding that object (``OWNER_DEPTH``), has the page's headline
  as a value, or as a value of an object it holds (``"title": {"rendered": …}``): the
  headline a ``<title>``, og:title, twitter:title or ``<h1>`` declares, whole, or cut at
  either end (a site's name after it, a shortened copy). That is the evidence that the
  fragment is this page's story and not a teaser, a menu or a notice shipped with it.

The story goes at the end of the page's ``<main>`` (else ``<body>``), where the browser
shows it; the extraction then reads the page as it reads any other.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .document import UNSPACED, clean_text, drop_keeping_tail, markup_text, node_text, shingles, text_length, word_key
from .evidence import Decision, visible_text
from .flight import elements, resolve
from .payloads import json_scripts, script_kind

#: Block elements a fragment needs to read as a story, and characters of text.
STORY_BLOCKS = 2
STORY_CHARS = 200
#: A fragment with fewer than this share of its shingles in the visible text is not shown.
UNSHOWN = 0.1
#: How many objects up from a fragment the headline may be (the fragment's own object is 1).
OWNER_DEPTH = 2

_BLOCK = re.compile(r"<(?:p|br|h[1-6]|li|blockquote)\b", re.I)
# React's inline instructions that move a streamed part: $RC/$RR(boundary, part), $RS(part, placeholder).
_INSTRUCTION = re.compile(r'\$R([CRS])\(\s*"([^"]+)"\s*,\s*"([^"]+)"')
# A JSON script holding none of these (as written, or \u-escaped) holds no HTML to read.
_MARKUP = ("<p", "<P", "<br", "<BR", "\\u003c", "\\u003C")
_HEAD_TYPES = frozenset({"title", "meta", "script"})
_JSONLD = "application/ld+json"
_META_ATTRIBUTES = {"name": "name", "property": "property", "content": "content", "itemProp": "itemprop",
                    "httpEquiv": "http-equiv"}
# The shortest headline, in words, that may match a longer one by its start or end.
_HEADLINE_TOKENS = 3


def render(root, table: dict, trace: list | None = None) -> None:
    """Make React's streamed moves in ``root``, and add the head tags and the story its data
    holds and its HTML lacks; ``table``: the rows of its flight data (``flight.rows``), {} for
    a page without."""
    complete_streamed(root)
    open_shadow_roots(root)
    if table:
        _add_head_tags(root, table)
    fragments = list(_fragments(root, table))
    if not fragments:
        return
    headlines = _headlines(root)
    if not headlines:
        return
    shown = None
    story: list[str] = []
    seen: set = set()
    for html, owners in fragments:
        if not any(_is_headline(v, headlines) for owner in owners for v in _strings(owner)):
            continue
        text = markup_text(html)
        mine = shingles(text)
        if not mine or len(mine & seen) >= 0.5 * len(mine):
            continue  # a copy of a fragment already taken
        if shown is None:
            shown = shingles(visible_text(root))
        if len(mine & shown) >= UNSHOWN * len(mine):
            continue  # the page shows it: read as shown
        story.append(html)
        seen |= mine
    if not story:
        return
    container = _container(root)
    for html in story:
        try:
            container.append(lxml.html.fragment_fromstring(html, create_parent="div"))
        except (ValueError, etree.ParserError):
            continue
    if trace is not None:
        trace.append(Decision("app data", None, "\n\n".join(markup_text(h) for h in story), True,
                              "not shown; held with the page's headline"))


def complete_streamed(root) -> int:
    """Move each streamed part a React instruction names to its place; the number moved."""
    moves = []
    for script in root.iter("script"):
        text = script.text or ""
        if "$R" in text:
            for kind, first, second in _INSTRUCTION.findall(text):
                moves.append((second, first) if kind == "S" else (first, second))  # (where, what)
    for template in root.iter("template"):
        if template.get("data-sid"):
            where = template.get("data-bid") if template.get("data-rsi") is None else template.get("data-pid")
            moves.append((where, template.get("data-sid")))
    if not moves:
        return 0
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    moved = 0
    for where, what in moves:
        target, part = by_id.get(where), by_id.get(what)
        parent = target.getparent() if target is not None else None
        if parent is None or part is None or part.get("hidden") is None or target in part.iterancestors():
            continue
        drop_keeping_tail(part)  # out of the hidden place, the text after it left there
        part.tail = None
        target.addnext(part)
        part.drop_tag()  # its text and children where the placeholder is
        moved += 1
    return moved


def open_shadow_roots(root) -> int:
    """Put the content of each declarative shadow root (``<template shadowrootmode="open">``, or
    the older ``shadowroot``) where the browser shows it, in its host; the number opened. A
    ``<template>`` is otherwise never shown, and nothing reads its content as text."""
    opened = 0
    for template in list(root.iter("template")):
        if template.get("shadowrootmode") is None and template.get("shadowroot") is None:
            continue
        if template.getparent() is None:
            continue
        template.drop_tag()  # its text and children take its place in the host
        opened += 1
    return opened


def _add_head_tags(root, table: dict) -> None:
    head = root.find("head")
    if head is None:
        head = lxml.html.Element("head")
        root.insert(0, head)
    has_title = any(node_text(t) for t in root.iter("title"))
    present = {(m.get("name") or m.get("property") or "").lower() for m in root.iter("meta")}
    declared = {clean_text(s.text) for s in root.iter("script") if script_kind(s.get("type")) == _JSONLD}
    for kind, props in elements(table, _HEAD_TYPES):
        if kind == "script":
            # JSON-LD a component renders: {"type": "application/ld+json", "dangerouslySetInnerHTML":
            # {"__html": "{...}" or "$<text row>"}}; added when the page has no copy of it
            inner = props.get("dangerouslySetInnerHTML")
            text = resolve(inner.get("__html"), table) if isinstance(inner, dict) else props.get("children")
            if script_kind(props.get("type")) == _JSONLD and isinstance(text, str) and clean_text(text) not in declared:
                el = lxml.html.Element("script", type=_JSONLD)
                el.text = text
                head.append(el)
                declared.add(clean_text(text))
            continue
        if kind == "title":
            children = props.get("children")
            text = "".join(c for c in (children if isinstance(children, list) else [children]) if isinstance(c, str))
            if text.strip() and not has_title:
                el = lxml.html.Element("title")
                el.text = text
                head.append(el)
                has_title = True
            continue
        key = (props.get("name") or props.get("property") or "")
        if not isinstance(key, str) or not key or key.lower() in present or not isinstance(props.get("content"), str):
            continue
        el = lxml.html.Element("meta")
        for prop, attribute in _META_ATTRIBUTES.items():
            if isinstance(props.get(prop), str):
                el.set(attribute, props[prop])
        head.append(el)
        present.add(key.lower())


def _strings(owner: dict):
    """The object's string values, and those of the objects it holds: a headline may sit one
    down (WordPress's ``"title": {"rendered": …}``, Arc's ``"headlines": {"basic": …}``)."""
    for value in owner.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, str))


def _fragments(root, table: dict):
    """(HTML, the objects holding it, nearest first) for each story-like HTML string in the
    flight rows and the JSON scripts, in the page's order."""
    texts = {k: v for k, v in table.items() if isinstance(v, str) and _story_like(v)}
    sources = [v for v in table.values() if isinstance(v, (dict, list))]
    # cheap test first: a script with no markup holds no fragment
    sources += [data for data, _ in json_scripts(root, lambda text: any(mark in text for mark in _MARKUP))]
    for source in sources:
        stack = [(source, ())]
        while stack:
            node, owners = stack.pop()
            if isinstance(node, dict):
                owners = ((node,) + owners)[:OWNER_DEPTH]
                inner = []
                for value in node.values():
                    if isinstance(value, str):
                        target = resolve(value, texts) if value.startswith("$") else value
                        if target is not value or ("<" in value and _story_like(value)):
                            yield target, owners
                    elif isinstance(value, (dict, list)):
                        inner.append((value, owners))
                stack.extend(reversed(inner))
            elif isinstance(node, list):
                stack.extend((v, owners) for v in reversed(node) if isinstance(v, (dict, list)))


def _story_like(value: str) -> bool:
    return len(_BLOCK.findall(value[:200_000])) >= STORY_BLOCKS and text_length(markup_text(value)) >= STORY_CHARS


def _headlines(root) -> list[str]:
    """The page's declared headlines, as word tokens joined by a space."""
    found = [node_text(t) for t in root.iter("title", "h1")]
    found += [m.get("content") or "" for m in root.iter("meta")
              if (m.get("property") or m.get("name") or "").lower() in ("og:title", "twitter:title")]
    return [h for h in map(word_key, found) if h]


def _is_headline(value: str, headlines: list[str]) -> bool:
    """``value`` is one of the page's headlines, or one is the other cut at one end."""
    mine = word_key(value[:1000])
    if not _says_enough(mine):
        return False
    for headline in headlines:
        short, long = sorted((mine, headline), key=len)
        if not _says_enough(short):
            continue
        if short == long or long.startswith(short + " ") or long.endswith(" " + short):
            return True
    return False


def _says_enough(words: str) -> bool:
    """Enough of a headline to tell it from another: ``_HEADLINE_TOKENS`` words, or as many
    pairs of characters of a script written without spaces."""
    return len(words.split()) >= _HEADLINE_TOKENS or len(UNSPACED.findall(words)) >= 2 * _HEADLINE_TOKENS


def _container(root):
    main = next(root.iter("main"), None)
    if main is not None:
        return main
    body = root.find("body")
    if body is None:
        body = lxml.html.Element("body")
        root.append(body)
    return body
