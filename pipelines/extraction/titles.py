"""The headline: the page's visible <h1>, checked against what its metadata declares.

Metadata titles (JSON-LD ``headline``, ``og:title``, ``<title>``) are often written for
search engines and social cards and differ from the headline readers see; the ``<h1>``
is what the page shows, but pages also use ``<h1>`` for logos and section names. So the
metadata titles pick *which* ``<h1>`` is the headline (by word overlap), and stand in
for it when the page has none.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .document import OUTSIDE_STORY, clean_text, node_text, outside_story, text_lengths
from .structured import Structured, jsonld_text

# Spaced separators first; a bar, fullwidth or not, and the fullwidth colon of Chinese and
# Japanese titles part a title with no spaces around them ("見出し｜毎日新聞").
_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " / ", " « ", " » ", "｜", "|", "：")
# Host labels that never name a site.
_HOST_NOISE = {"www", "com", "co", "uk", "org", "net", "news", "au", "in", "de", "fr", "ca", "blogs", "m", "amp"}
_LABEL = re.compile(r"\s*\[[^\]]{1,20}\]$")


def norm(value: str | None) -> str:
    return re.sub(r"\W+", "", (value or "").lower())


def words(value: str | None) -> list[str]:
    return re.findall(r"\w+", (value or "").lower())


def site_names(data: Structured, url: str) -> set[str]:
    """Normalised names the site calls itself, for stripping them from titles and bylines."""
    art = data.article or {}
    names = {*data.all("og:site_name", "application-name", "twitter:site", "dc.publisher", "publisher"),
             jsonld_text(art.get("publisher")) or ""}
    host = urlsplit(url or "").hostname or ""
    names.update(label for label in host.split(".") if label not in _HOST_NOISE)
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    if len(labels) >= 2:
        names.add(".".join(labels))  # "MLB.com" as a byline names the site too
    # "Deutsche Welle (www.dw.com)": the name without its bracketed address.
    return {norm(re.sub(r"\(.*?\)", "", n)) for n in names if norm(n)}  # norm drops an "@" too


def site_first_words(data: Structured) -> set[str]:
    """The first words (four letters or more) of the names of several words the site
    declares for itself (``og:site_name``, the JSON-LD publisher): "lesotho" for
    "Lesotho Times". A credited "person" whose name starts with one is the site's own
    account ("Ilanga D", "Lesotho Times November 24")."""
    art = data.article or {}
    out = set()
    for name in (data.first("og:site_name"), jsonld_text(art.get("publisher"))):
        parts = words(name)
        if len(parts) >= 2 and len(parts[0]) >= 4 and parts[0] != "the":
            out.add(parts[0])
    return out


def _is_site(part: str, sites: set[str]) -> bool:
    key = norm(part)
    if not key:
        return False
    if key in sites:
        return True
    # "Anglophenia | BBC America", "The Independent": a short tail that contains a site name.
    return len(words(part)) <= 6 and any(len(s) > 3 and (s in key or key in s) for s in sites)


def clean_title(title: str | None, sites: set[str], h1: str | None = None,
                sections: frozenset[str] = frozenset()) -> str | None:
    """Drop leading or trailing " | Site name" parts (and " | Section | Site") from a title;
    ``sections``: the normalised sections the page declares, a part that is one exactly goes too."""
    title = clean_text(title).strip(" |·:–—-｜：")
    if not title:
        return None
    if h1 and norm(h1) and norm(title) != norm(h1):
        # "Headline | Opinion | The Paper": when the page's own <h1> opens the title,
        # everything after it is site furniture.
        for sep in _SEPARATORS:
            head = title.split(sep)[0]
            if sep in title and norm(head) == norm(h1):
                return head
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if (_is_site(tail, sites) or norm(tail) in sections) and norm(head):
            return clean_title(head, sites, sections=sections)
        first, _, rest = title.partition(sep)
        if _is_site(first, sites) and norm(rest):
            return clean_title(rest, sites, sections=sections)
    # "Site: Headline" only when the part before the colon is exactly the site's name.
    first, sep, rest = title.partition(": ")
    if sep and norm(first) in sites and norm(rest):
        return clean_title(rest, sites, sections=sections)
    return title


def similarity(a: str, b: str) -> float:
    """Word-set overlap (Jaccard) of two titles."""
    x, y = set(words(a)), set(words(b))
    return len(x & y) / len(x | y) if x and y else 0.0


def _contained(outer: str, inner: str) -> tuple[int, int] | None:
    """(extra words before, after) when ``inner``'s words occur contiguously in ``outer``."""
    o, i = words(outer), words(inner)
    for start in range(len(o) - len(i) + 1):
        if o[start:start + len(i)] == i:
            return start, len(o) - start - len(i)
    return None


def in_trail(el) -> bool:
    """Whether ``el`` is the last step of a breadcrumb trail: in an ``<li>`` after steps that
    are each a short link or a separator ("Home › Politics › <h1>Headline</h1>").

    Pages that put their search-engine headline in the trail show the readers' headline
    elsewhere; in a ``<nav>`` the trail is chrome already, but many trails are a bare list.
    A feed of stories in a list is no trail: its items are long.
    """
    item = el if el.tag == "li" else next(el.iterancestors("li"), None)
    if item is None:
        return False
    steps = list(item.itersiblings("li", preceding=True))
    linked = [s for s in steps if s.find(".//a") is not None]
    return bool(linked) and all(
        len(s.text_content().strip()) <= (_TRAIL_STEP if s in linked else 3) for s in steps)


_TRAIL_STEP = 80  # characters of a step's link text: a section name, not a teaser


def heading_candidates(root, sites: set[str]) -> list[str]:
    """Texts of the page's <h1>s, in order, leaving out navigation, footers, side rails and
    breadcrumb trails."""
    out = []
    for h in root.iter("h1"):
        if outside_story(h) or in_trail(h):
            continue
        text = clean_text(node_text(h))
        if text and len(text) <= 300 and norm(text) not in sites and text not in out:
            out.append(text)
    return out


def shown_headline(root, declared: list[str | None]) -> list[str]:
    """The declared title (or part of one) that the page shows as text of its own, when
    no <h1> holds the story's headline.

    "Headline - The Valley Gazette" on a page that shows "Headline" in a ``<b>``, a
    ``<font>`` or a ``<div class=headline>``: the rest of the title is the site's name.
    Pages that keep their only <h1> in the breadcrumb (the search-engine headline) show
    the readers' headline in an ``<h2>`` or a ``<span>``: of the declared titles
    (JSON-LD ``headline``, ``og:title``, ``twitter:title``, ``<title>``), the one the
    story shows first is the headline.
    """
    keys: dict[str, str] = {}
    for title in filter(None, map(clean_text, declared)):
        parts = [title] + [title.split(sep)[0] for sep in _SEPARATORS if sep in title]
        parts += [title.rsplit(sep, 1)[-1] for sep in _SEPARATORS if sep in title]
        for part in parts:
            if len(words(part)) >= 3:
                keys.setdefault(norm(part), part)
    if not keys:
        return []
    body = root.find(".//body")
    sizes = text_lengths(body) if body is not None else {}
    for el in (body.iter() if body is not None else ()):
        if not isinstance(el.tag, str) or el.tag in ("a", "title", "script", "style", "option", *OUTSIDE_STORY):
            continue
        if not 10 <= sizes.get(el, 0) <= 400 or outside_story(el, ("a", *OUTSIDE_STORY)) or in_trail(el):
            continue
        text = el.text_content()
        if len(text) <= 300 and norm(text) in keys:
            return [keys[norm(text)]]
    return []


def choose_title(root, data: Structured, url: str) -> str | None:
    """The headline: the <h1> that agrees best with the metadata titles, else metadata.

    A headline that is a metadata title after a kicker in an element of its own (in the
    <h1>, or in the <h2> that shows the headline) gives way to that title; a trailing
    bracketed label ("… [Watch]") is dropped.
    """
    art = data.article or {}
    sites = site_names(data, url)
    title_el = root.find(".//title")
    declared = [
        jsonld_text(art.get("headline")),
        data.first("og:title"), data.first("twitter:title"), data.first("dc.title", "headline"),
        node_text(title_el) if title_el is not None else None,
    ]
    h1s = heading_candidates(root, sites) or shown_headline(root, declared)
    sections = frozenset(filter(None, map(norm, (jsonld_text(art.get("articleSection")), data.first("article:section")))))
    meta = [t for t in (clean_title(d, sites, h1s[0] if h1s else None, sections) for d in declared) if t]
    meta = [t for t in meta if norm(t) not in sites]

    best = None
    if h1s:
        # A leave-out run (issue 13) pruned a rule that set one-word <h1>s aside as logos:
        # it changed no page of the three sets (the metadata agreement already passes over
        # a section-name <h1>, and <h1>s naming the site are left out above).
        scored = [(max((similarity(h, m) for m in meta), default=0.0), -i, h) for i, h in enumerate(h1s)]
        top = max(scored)  # best agreement; the earlier heading on a tie
        best = top[2] if top[0] > 0 else h1s[0]
    if best is None:
        return meta[0] if meta else None
    best = clean_title(best, sites) or best
    best = _LABEL.sub("", best) or best
    # The JSON-LD headline and og:title, written apart, saying the same against the <h1>:
    # the <h1> is the shortened or reworded one ("Joburg has …" for "Johannesburg has …").
    headline, card = (clean_title(d, sites) for d in declared[:2])
    if headline and card and norm(headline) == norm(card) and norm(headline) != norm(best):
        return headline
    # Leave-out runs (issue 13) pruned two kicker rules no two tune-half publishers need:
    # one extra word before a metadata title (no page) and a lead ended by a colon (one
    # publisher; a check-half page is right without it).
    for m in meta:
        span = _contained(best, m)
        if span and span[1] == 0 and len(words(m)) >= 4 and span[0] <= 6 and _kicker(root, best, span[0]):
            return m
    return best


def _kicker(root, heading: str, n: int) -> bool:
    """Whether the first ``n`` words of the heading reading ``heading`` are a kicker set
    apart from the headline in an element of their own
    (``<h1><span>Premier League</span><span>…</span></h1>``). The heading is the <h1>, or
    the <h2> that shows the headline on pages that keep their <h1> in the breadcrumb
    (``<h2><span>Kicker</span><span>Headline</span></h2>``, the <h1> and JSON-LD
    headline reading "Kicker: Headline"); words are compared, not punctuation."""
    if n < 1:
        return False  # no words before the title: nothing is set apart (a " - " separator span has no words)
    whole, prefix = words(heading), " ".join(words(heading)[:n])
    for h in root.iter("h1", "h2"):
        if words(node_text(h)) == whole and any(
                " ".join(words(node_text(child))) == prefix for child in h if isinstance(child.tag, str)):
            return True
    return False
