"""The story's full text from the JSON a page embeds for its scripts.

Many news sites render the article in the browser from a JSON document shipped in the
page (Next.js ``__NEXT_DATA__`` or App Router flight rows, Nuxt's payload, Arc
``content_elements``, other ``application/json`` islands), and serve only the first
paragraphs as HTML. The archived response holds the whole story all the same; this
module finds it.

A JSON list is taken as the story when its items, read as paragraphs, contain the
paragraphs we found in the HTML and say much more. Nothing is guessed from key names
but where text sits: string leaves under text-like keys, one paragraph per list item;
an HTML string of two paragraphs or more (a CMS's body field) is read as the list of
its paragraphs.
"""

from __future__ import annotations

import html
import json
import re

from .document import UNSPACED, markup_text as _clean, shingles
from .payloads import MAX_SCRIPT, json_scripts

# Keys whose string values are the text of a node in rich-text JSON formats.
_TEXT_KEYS = frozenset({"value", "text", "content", "html", "body", "paragraph"})
_TAG = re.compile(r"<[^>]+>")
# Six words in a row, of any script; a run of letters for scripts written without spaces.
_WORD_RUN = re.compile(r"(?:[^\W_]+ ){5}[^\W_]+")
_LETTER_RUN = re.compile(r"[^\W\d_]{12,}")
# A string of words: a space of any kind, or the entity ("Hochwasser\u00a0im\u00a0Norden").
_SPACED = re.compile(r"\s|&nbsp;|&#160;")
_MAX_DEPTH = 40
# Nested lists are read once per enclosing list: the reading stops after this many times
# the script's size, so a hostile page cannot make it quadratic.
_WORK_FACTOR = 2
# No story is this long: a list holding more text is something else (a whole site's data).
_MAX_TEXT = 500_000
# Where two text leaves meet with no space between them, the first ending a sentence and the
# second starting one, they are two blocks (the paragraphs of a section), not two runs of one
# paragraph: rich text cut by a link keeps its spaces ("in " + "Millbrook"), blocks do not.
_ENDS_SENTENCE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)\]]*$")
_STARTS_SENTENCE = re.compile(r"^[\"'\u201c\u2018\u00ab\u201e(\[]*[^\W_]")


# An HTML string (a CMS's body field) is parted into paragraphs at its block elements and at
# a run of line breaks; it is the story's paragraphs when it holds two paragraphs or more.
_BLOCK_BREAK = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|blockquote|div|section|figure|figcaption|table|tr)\b[^>]*>"
                          r"|(?:<br\s*/?>\s*){2,}", re.I)
_PARAGRAPH = re.compile(r"<p[\s>]|(?:<br\s*/?>\s*){2,}", re.I)


def html_paragraphs(value: str) -> list[str]:
    """The paragraphs of an HTML string, cleaned: ``"<p>One.</p><p>Two.</p>"`` -> ``["One.", "Two."]``."""
    return [text for text in map(_clean, _BLOCK_BREAK.split(value)) if text]


def _escaped(text: str) -> str:
    """``text`` as a JSON string written ASCII-only holds it: "Власти" -> "\\u0412\\u043b..."."""
    return json.dumps(text)[1:-1]


def embedded_paragraphs(root, paragraphs: list[str], app: dict | None = None) -> list[str] | None:
    """A longer version of ``paragraphs`` found in the page's JSON scripts, or in ``app``, the
    rows of its Next.js flight data (``flight.rows``), else None.

    It must contain (nearly) all our paragraphs' text and say half as much again that
    is new: at least one and a half times as many distinct 4-word shingles, and few
    repeated ones. Length alone is no evidence: a list whose items each hold their text
    twice (a rich-text node and its plain copy) or a whole page's teasers is longer too.
    """
    ours = " ".join(paragraphs)
    probes = _probes(paragraphs)
    if not probes:
        return None
    mine = shingles(ours)
    best: list[str] | None = None
    for data, budget in _sources(root, probes, app or {}):
        for candidate in _paragraph_lists(data, probes, budget):
            # the longest list that is a longer version of ours, not the longest list
            if (best is None or sum(map(len, candidate)) > sum(map(len, best))) and _longer_version(ours, mine, candidate):
                best = candidate
    return best


def _sources(root, probes: list[str], app: dict):
    """(JSON data, its reading budget) for each JSON script that may hold the story, then each
    row of the flight data (a text row as an object holding it)."""
    # The cheap test looks for each probe's longest word, as the script may hold it: as it is,
    # or \u-escaped (JSON written ASCII-only). Not the whole run: the script may part its words
    # with NBSPs, raw, escaped or as entities; the parsed text is cleaned before it is matched.
    raw = {form for probe in probes for word in [max(probe.split(), key=len)] for form in (word, _escaped(word))}
    for data, size in json_scripts(root, lambda text: any(form in text for form in raw)):
        yield data, [_WORK_FACTOR * size]
    budget = [_WORK_FACTOR * MAX_SCRIPT]  # the rows were read already: one budget for all of them
    for row in app.values():
        yield ({"row": row} if isinstance(row, str) else row), budget


def _longer_version(ours: str, mine: set, candidate: list[str]) -> bool:
    """The candidate holds (nearly) all our text, says half as much again, and does not repeat itself."""
    found = " ".join(candidate)
    return len(shingles(found)) >= 1.5 * len(mine) and _coverage(ours, found) >= 0.8 and _repetition(found) <= 0.2


def _repetition(text: str) -> float:
    """Share of the text's 4-word shingles that repeat an earlier one."""
    total = max(0, len(re.findall(r"\w+", text.lower())) - 3)
    return 1 - len(shingles(text)) / total if total else 0.0


def _probes(paragraphs: list[str]) -> list[str]:
    """Six plain words in a row from each of our first paragraphs, taken from the middle
    of the paragraph: JSON escaping cannot change them, and in rich-text JSON some of
    them are not cut by a link's node."""
    probes = []
    for para in paragraphs[:6]:
        runs = _WORD_RUN.findall(para) or [run[:12] for run in _LETTER_RUN.findall(para)]
        if runs:
            probes.append(runs[len(runs) // 2])
    return probes


def _paragraph_lists(data, probes: list[str], budget: list[int]):
    """Lists in ``data`` whose items, as paragraphs, contain one of the ``probes``.

    ``budget`` (a one-item list) is the number of characters of text left to read."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH or budget[0] <= 0:
            continue
        if isinstance(node, dict):
            for value in node.values():
                if isinstance(value, str):
                    if ("<p" in value or "<br" in value) and len(_PARAGRAPH.findall(value)) >= 2:
                        budget[0] -= len(value)  # an HTML string of the story's paragraphs
                        items = html_paragraphs(value)
                        if (len(items) >= 2 and sum(map(len, items)) <= _MAX_TEXT
                                and any(probe in t for t in items for probe in probes)):
                            yield items
                elif isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            # an item may hold several blocks (a section's paragraphs): each is a paragraph
            items = [block for item in node for block in _item_text(item, budget).split("\n") if block]
            if (len(items) >= 2 and sum(map(len, items)) <= _MAX_TEXT
                    and any(probe in t for t in items for probe in probes)):
                yield items
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


def _item_text(item, budget: list[int]) -> str:
    """The text of one list item: its string leaves under text keys, in order, one line per
    block (see ``_ENDS_SENTENCE``)."""
    if isinstance(item, str):
        budget[0] -= len(item)
        return _clean(item) if _is_text(item) else ""  # words, not a slug or an id
    parts: list[str] = []
    size = 0
    stack = [(item, None)]
    while stack and budget[0] > 0:
        node, key = stack.pop()
        if isinstance(node, str):
            budget[0] -= len(node)
            if key in _TEXT_KEYS:
                parts.append(node)
                size += len(node)
                if size > _MAX_TEXT:
                    return ""  # not a paragraph
        elif isinstance(node, dict):
            stack.extend(reversed([(v, k) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(v, key) for v in node]))
    return "\n".join(filter(None, map(_clean, _blocks(parts))))


def _blocks(parts: list[str]) -> list[str]:
    """The parts joined as they were cut, but split where one block ends and the next starts."""
    blocks = [""]
    previous = ""
    for part in parts:
        shown = html.unescape(_TAG.sub("", part))
        start = _STARTS_SENTENCE.match(shown)
        if (start and not start.group()[-1].islower()
                and _ENDS_SENTENCE.search(previous)):
            blocks.append("")
        blocks[-1] += part
        previous = shown or previous
    return blocks


def _is_text(value: str) -> bool:
    """Words rather than a slug or an id: a space of any kind, or letters of a script written
    without spaces (``document.UNSPACED``: Han, kana, Thai …)."""
    return bool(_SPACED.search(value)) or len(UNSPACED.findall(value[:200])) >= 4


def _coverage(ours: str, found: str) -> float:
    """Share of our 4-word shingles that the found text has."""
    mine = shingles(ours)
    return len(mine & shingles(found)) / len(mine) if mine else 0.0
