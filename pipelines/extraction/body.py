"""Main text: trafilatura finds the content block, our rules clean it into paragraphs."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

import trafilatura

from .authors import trailing_byline
from .dates import parse_date
from .document import clean_text

# Class/id tokens of blocks that are never article prose. Matched per token so that
# "share" does not hit "shared-layout" and "ad" does not hit "header".
_BOILER_TOKEN = re.compile(
    r"^(?:[a-z0-9-]*[-_])?"
    r"(share|sharing|social|newsletter|signup|sign-up|subscribe|subscription|"
    r"related|recirc|recommended|promo|advert|advertisement|ad|ads|adslot|dfp|outbrain|taboola|"
    r"latest|most-?read|most-?popular|popular|trending|more-stories|read-more|readmore|"
    r"byline|author|caption|credit|breadcrumbs?|tags|toolbar|comments?|disqus|"
    r"cookie|consent|modal|sidebar|rail|standfirst|strapline|kicker|dek|dateline|timestamp)"
    # Only generic suffixes may follow, so "tag-jon-talton" or "ad-free-article" survive.
    r"(?:[-_](?:box|container|wrapper|wrap|list|links|bar|widget|module|section|block|area|"
    r"unit|panel|buttons?|icons?|tools|text|items?|content|inner|outer|title|heading|"
    r"label|name|info|line|slot|placeholder|bottom|top|footer|header|wrapper|\d+))*$",
    re.I,
)
# Containers of the story itself are never pruned, whatever their classes say.
_STORY = re.compile(r"articlebody|article-body|story-body|post-content|entry-content", re.I)
# Below this many characters a precision-mode result is double-checked.
SHORT_TEXT = 1500
_ALWAYS_DROP = ("figure", "figcaption", "aside", "nav", "footer", "form", "button", "noscript", "template")

_JUNK_LINE = re.compile(
    r"^(?:advertisement|advert|sponsored( content)?|ad|story continues( below)?( advertisement)?"
    r"|continue reading( below)?|scroll to continue.*|skip (to )?(main )?(content|ad(vertisement)?)"
    r"|read (more|also|next|this|the full story)\b.*|see also\b.*|related\s*:.*|more\s*:.*"
    r"|share( this)?( article| story| on \w+)?|share via\b.*|tweet|email|print|copy link|comments?"
    r"|(sign up|subscribe)\b.*|.*\bnewsletters?\b.{0,60}(sign up|subscribe|inbox).*"
    r"|.*\b(sign up|subscribe)\b.{0,60}\bnewsletters?\b.*|click here\b.*"
    r"|follow us on\b.*|(all rights reserved|copyright\b|©).{0,80}|.{0,80}all rights reserved\.?"
    r"|(image|photo|picture)( credit)?\s*:.*|watch\s*:.*|listen\s*:.*"
    r"|(print|e-?mail|share|save)( this)? (story|article|page)\b.*)$",
    re.I,
)
# A short heading like "Latest World News" or "More from Politics" ends the story:
# everything after it is a list of other stories.
_END_MARKER = re.compile(
    r"^(?:latest\b.*|more (from|on|in|about|stories|news)\b.*|related( stories| articles| news| content| coverage)?|"
    r"recommended( for you| stories| reading)?|most (read|popular|viewed|shared)\b.*|"
    r"(you|we think you) (may|might) (also )?like.*|see more\b.*|top stories|trending( now)?|"
    r"what to read next|read next|editor'?s picks?|don'?t miss|also in\b.*)$",
    re.I,
)


@dataclass
class Body:
    """The cleaned paragraphs, plus any byline found trailing the text."""

    paragraphs: list[str] = field(default_factory=list)
    trailing_authors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str | None:
        return "\n\n".join(self.paragraphs) or None


def _boilerplate(el) -> bool:
    marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
    if el.tag in ("article", "main") or _STORY.search(marks):
        return False
    return any(_BOILER_TOKEN.match(t) for t in marks.split())


def prune_boilerplate(tree) -> None:
    """Remove non-prose blocks in place, sparing any that hold most of the page's text.

    The guard matters because some sites put "related" or "ad" classes on wrappers
    around the whole story.
    """
    # Story size is measured in <p> text: script and style text would dwarf it.
    total = sum(len(p.text_content() or "") for p in tree.iter("p")) or 1
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.tag in ("figure", "figcaption"):
            doomed.append(el)
        elif el.tag in _ALWAYS_DROP or _boilerplate(el):
            if el.find(".//article") is not None:
                continue
            if sum(len(p.text_content() or "") for p in el.iter("p")) > 0.4 * total:
                continue
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            # keep the tail: it is text of the parent, not of the removed block
            if el.tail and el.tail.strip():
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)


def _blocks(body) -> list[str]:
    """Paragraph strings from trafilatura's XML body, one per block or list item."""
    out: list[str] = []
    for el in body:
        if el.tag == "list":
            for item in el.iter("item"):
                out.append(clean_text(" ".join(item.itertext())))
        elif el.tag == "quote" and len(el) and all(c.tag == "p" for c in el):
            out.extend(clean_text(" ".join(p.itertext())) for p in el)
        elif el.tag == "table":
            for row in el.iter("row"):
                out.append(clean_text(" ".join(row.itertext())))
        else:
            out.append(clean_text(" ".join(el.itertext())))
    return [p for p in out if p]


def clean_paragraphs(paragraphs: list[str], drop: set[str] | None = None) -> Body:
    """Apply our cleanup rules to raw paragraphs.

    ``drop`` holds normalised strings (title, captions, date lines) that must not be
    repeated as body paragraphs.
    """
    drop = {d.lower() for d in (drop or set()) if d}
    result = Body()
    seen: set[str] = set()
    for i, para in enumerate(paragraphs):
        key = para.lower()
        if len(para) < 80 and _END_MARKER.match(para) and i > 0:
            # An inline "You may like" box mid-story is followed by more prose; a real
            # end-of-story list is followed by headlines only.
            if not any(len(p.split()) >= 25 for p in paragraphs[i + 1 : i + 4]):
                break
            continue
        if key in drop or key in seen:
            continue
        if len(para) < 200 and _JUNK_LINE.match(para):
            continue
        if len(para) < 60 and parse_date(para) and not para.endswith("."):
            continue  # a dateline such as "June 12, 2023" or "18 June 2023, 04:34"
        names = trailing_byline(para)
        if names:
            result.trailing_authors = names
            continue
        seen.add(key)
        result.paragraphs.append(para)
    return result


def extract_body(tree, url: str | None = None, drop: set[str] | None = None) -> Body:
    """Main text of an article page as cleaned paragraphs; empty Body if none is found.

    ``tree`` is not modified.
    """
    work = deepcopy(tree)
    prune_boilerplate(work)
    precise = _trafilatura(work, url, favor_precision=True)
    # Precision mode drops whole short stories and some list-like ones; only then is a
    # second, plain pass worth its cost, and it must find clearly more to win.
    if precise is None or len(precise.text or "") < SHORT_TEXT:
        plain = _trafilatura(work, url, favor_precision=False)
        if plain is not None and len(plain.text or "") > 1.3 * len((precise.text or "") if precise else ""):
            precise = plain
    if precise is None or precise.body is None:
        return Body()
    return clean_paragraphs(_blocks(precise.body), drop)


def _trafilatura(tree, url: str | None, favor_precision: bool):
    try:
        return trafilatura.bare_extraction(
            tree, url=url, include_comments=False, include_tables=False,
            include_images=False, include_links=False, favor_precision=favor_precision,
        )
    except Exception:  # trafilatura has raised on pathological trees; we never do
        return None
