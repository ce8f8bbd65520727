"""The one vocabulary of class and id words that mark blocks which are not the story.

A block's marks are the words of its ``class`` and ``id`` (and ``itemprop``), split at
``-``, ``_`` and camelCase ("relatedArticles" -> related, articles). Each kind of
furniture is a set of words; adjacent words are also read joined ("most-read" ->
mostread), so the vocabulary holds each term once, without separators.

Two ways to match, for two kinds of decision:

- ``marked``: some mark is one of the words (or starts with one of the few unambiguous
  stems, ``related…``, ``recommend…``). For "is this byline or date inside a list of
  other stories?", where a miss costs more than a false alarm.
- ``marked_strictly``: a class or id token *is* the word (split at ``-`` and ``_`` only,
  not at camelCase), after any prefix, followed only by generic suffixes ("article-share-buttons", "ad-slot-2"), so that "tag-jon-talton" or
  "ad-free-article" survive. For pruning blocks out of the page before the main text is
  found, where a false alarm deletes story.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Lists of, and links to, other stories.
OTHER_STORIES = frozenset({
    "related", "recirc", "recommended", "recommend", "recommendations", "promo", "teaser", "trending",
    "popular", "mostread", "mostpopular", "mostviewed", "mostshared", "mostrecent", "latest", "recent",
    "morestories", "morenews", "morefrom", "morearticles", "readmore", "readnext", "upnext", "alsoread",
    "youmay", "topstories", "outbrain", "taboola",
})
# Readers' comments.
COMMENTS = frozenset({"comment", "comments", "disqus"})

# Blocks whose dates belong to other stories or to commenters.
LISTING = OTHER_STORIES | COMMENTS | {"sidebar", "widget"}
# Blocks around a byline that make it someone else's: captions, credits, other stories, comments.
FURNITURE = OTHER_STORIES | COMMENTS | {"caption", "credit"}
# Marks of an element that is not the story's byline even if it says "author".
NOT_BYLINE = FURNITURE | {"photo", "image", "bio", "tooltip", "card"}
# Blocks that are never story prose (pruned before the main text is found). Each of the 35
# words this set held (the lists above, and words of sharing, ads, page chrome and the
# story's own furniture) was left out in turn and the extraction benchmark rerun on the
# three sets (issue 13): a word is here only if two tune-half publishers lose body F1
# without it, or a check-half page does. The 23 others (``share``, ``sidebar``, ``ad``,
# ``newsletter``, ``breadcrumbs``, ``byline``, ``tags`` …) changed no page: trafilatura
# drops those blocks itself; ``modal`` and ``strapline`` changed one tune publisher's
# (Washington Technology, TechRadar). Who needs each word that stays:
BOILERPLATE = frozenset({
    "related",  # Tageszeitung (check)
    "promo",  # LA Times, Macworld
    "comment", "comments",  # The Independent (check, two sets), Stuttgarter Zeitung (check), TimesLive
    "social",  # Focus (check)
    "author",  # LA Times, TechRadar; Occupy Democrats (check)
    "dek",  # The Nation; Bloomberg, Ebony (check)
    "kicker",  # Bild, n-tv; Golem, Junge Welt, taz (check)
    "standfirst",  # Le Figaro (check)
    "timestamp",  # The Telegraph (check)
    "caption",  # In Touch Weekly (check)
    "credit",  # The Boot, NASA (check)
})

# Stems that mark a block wherever they begin a word ("relatedposts", "recommendations").
_STEMS = ("related", "recommend", "trending", "recirc", "outbrain", "taboola")
# Words that may follow a marking word in a strict match: what the block is, not what about.
_GENERIC = frozenset({
    "box", "container", "wrapper", "wrap", "list", "links", "bar", "widget", "module", "section", "block",
    "area", "unit", "panel", "button", "buttons", "icon", "icons", "tools", "text", "item", "items", "content",
    "inner", "outer", "title", "heading", "label", "name", "info", "line", "slot", "placeholder", "bottom",
    "top", "footer", "header",
})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(token: str, camel: bool = True) -> list[str]:
    return [w for w in re.split(r"[-_]+", (_CAMEL.sub("-", token) if camel else token).lower()) if w]


def marks(el) -> str:
    """The class, id and itemprop tokens of an element, as one string."""
    return f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"


def _terms(words: list[str]):
    """(end, term): each word, and each pair of adjacent words read joined."""
    for i, word in enumerate(words):
        yield i + 1, word
        if i + 1 < len(words):
            yield i + 2, word + words[i + 1]


def marked(el, vocabulary: frozenset) -> bool:
    """Some class/id word of ``el`` is in ``vocabulary`` (or begins with one of its stems)."""
    return _marked(marks(el), vocabulary, False)


def marked_strictly(el, vocabulary: frozenset) -> bool:
    """Some class/id token of ``el`` is a ``vocabulary`` word after any prefix, followed
    only by generic suffixes or numbers ("related-links", "ad-slot-3", "c-share")."""
    return _marked(marks(el), vocabulary, True)


def marks_strictly(text: str, vocabulary: frozenset) -> bool:
    """``marked_strictly`` on an element's ``marks`` already read."""
    return _marked(text, vocabulary, True)


@lru_cache(maxsize=8192)  # pages repeat their class strings on many elements
def _marked(text: str, vocabulary: frozenset, strict: bool) -> bool:
    stems = tuple(s for s in _STEMS if s in vocabulary)
    for token in text.split():
        # A strict match does not split camelCase: "BrandPageWrapper-liveAlertAd" names
        # a wrapper, not an ad.
        words = _words(token, camel=not strict)
        for end, term in _terms(words):
            if strict:
                if term in vocabulary and all(w in _GENERIC or w.isdigit() for w in words[end:]):
                    return True
            elif term in vocabulary or (stems and term.startswith(stems)):
                return True
    return False
