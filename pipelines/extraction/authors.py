"""Author names from bylines, meta values and JSON-LD, as a clean list."""

from __future__ import annotations

import re

from .document import clean_text

_BY = re.compile(r"^\s*(?:(?:written|words|reporting|report|story|text|photos?)\s+)?by[:\s]+", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+", re.I)
# Connectors between names; ``,`` is handled separately because it also introduces titles.
_SPLIT = re.compile(r"\s*(?:;|\||\s&\s|\band\b|\bund\b|\bet\b|\by\b|\bwith\b)\s*", re.I)
# Words that make a comma-separated chunk a job title or a place rather than a name.
_ROLE = re.compile(
    r"\b(correspondent|editor|reporter|writer|journalist|contributor|columnist|producer|"
    r"chief|senior|staff|bureau|analyst|author|director|manager|intern|fellow|"
    r"photographer|critic|presenter|host|anchor|news|desk|team|for|in|at|from|"
    r"published|updated|posted|minutes?|hours?|ago)\b",
    re.I,
)
_NOT_NAME = re.compile(
    r"\d|^(?:the|a|an|by|and|staff|admin|editor|unknown|anonymous|null|none|sponsored|about|"
    r"analysis|opinion|comment|news|more|share|follow|contact|email|view all posts)$",
    re.I,
)
# Role words that trail a name without a comma: "Dave Epstein Globe Correspondent".
_TRAILING_ROLE = re.compile(r"(\s+(?:staff|correspondent|reporter|writer|editor|contributor|columnist))+$", re.I)


def clean_author(name: str) -> str | None:
    """One name cleaned of "By", URLs, handles and trailing punctuation; None if not a name."""
    name = clean_text(_URL.sub(" ", name or ""))
    name = _BY.sub("", name)
    name = re.sub(r"\(.*?\)|\[.*?\]", " ", name)
    # "Android Intelligence By JR Raphael": the name follows an inner "By".
    name = re.split(r"\s[Bb]y\s+(?=[A-Z])", name)[-1]
    name = _TRAILING_ROLE.sub("", name)
    name = clean_text(name).strip(" ,.;:-|/·•")
    if not name or len(name) > 60 or _NOT_NAME.search(name):
        return None
    words = name.split()
    if len(words) > 6:
        return None
    # ALL-CAPS bylines are a styling choice; names are stored in title case.
    if name.isupper() and len(name) > 3:
        name = " ".join(w.capitalize() if len(w) > 1 else w for w in words)
    return name


def split_authors(text: str) -> list[str]:
    """Split a byline into names.

    "By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"];
    "Maria Garcia, Foreign Correspondent" -> ["Maria Garcia"].
    """
    text = clean_text(_URL.sub(" ", text or ""))
    text = _BY.sub("", text)
    names: list[str] = []
    for chunk in _SPLIT.split(text):
        parts = [p.strip() for p in chunk.split(",")]
        for i, part in enumerate(parts):
            # After the first comma, a chunk is a title/place unless it looks like a name.
            if i > 0 and (_ROLE.search(part) or not part[:1].isupper() or len(part.split()) == 1):
                break
            name = clean_author(part)
            if name and name not in names:
                names.append(name)
    return names


def authors_from_values(values: list[str]) -> list[str]:
    """Names from several raw values (meta tags, JSON-LD names), each possibly a byline."""
    names: list[str] = []
    for value in values:
        if not value or re.match(r"https?://", value.strip()):
            continue
        for name in split_authors(value):
            if name not in names:
                names.append(name)
    return names


_TRAILING_BYLINE = re.compile(r"^(?:[-–—]\s*)?[Bb][Yy]:?\s+([A-Z][^.!?]{1,80})$")


def trailing_byline(paragraph: str) -> list[str]:
    """Names when a body paragraph is only a byline ("By Press Association"), else []."""
    m = _TRAILING_BYLINE.match(clean_text(paragraph))
    if not m or len(m.group(1).split()) > 10:
        return []
    return split_authors(m.group(1))
