"""The safety net around the base extractor: a drastic change to its text needs evidence.

trafilatura's text is the base. Our steps may change it a lot: the *app data*
(``rendered``: a story the page ships only as data for its scripts, added to the tree)
and the *block choice* (boilerplate pruned, one story's ``<article>`` of several) change
what trafilatura reads; the *clean-up* drops lines and cuts the text at an end-of-story marker; the
*declared body* (JSON-LD ``articleBody``) may replace it and the *embedded JSON* of the
page's scripts may complete it. A change is *drastic* when the body grows by more than
half or shrinks by more than half, in words of any script (``word_count``). A drastic
change stands only with evidence beyond the rule that proposed it:

- text that is *added* (declared body, embedded JSON) must be shown on the page (most
  of its 4-word shingles are in the page's visible text), or be said by the declared
  body as well (for the embedded JSON), or, for the embedded JSON, follow what the page
  shows: a story served as its first paragraphs in HTML and whole in JSON begins with
  the paragraphs the HTML shows (at most a standfirst before them, ``LEAD``); the same
  holds for a declared body that completes a paywalled page's first paragraphs. When we
  found no text at all, the declared body stands if the article it belongs to has the
  page's headline;
- a declared body that *replaces* a much longer text of ours must be inside what we had
  (we took a page-wide block around the story) or be shown on the page;
- a clean-up that *cuts* more than half must cut fewer story-sized paragraphs
  (``STORY_WORDS``) than it keeps: an end-of-story marker followed, after a box of
  headlines, by more of the story is not the end.

Otherwise the text before the step stands. Every step that ran is one ``Decision``;
callers that pass a list to ``extract_or_reason(trace=...)`` get them (the extraction
benchmark counts the drastic ones and what they did to body F1). The app data and the
block choice have no reference in the extraction itself (trafilatura runs once, on the
tree as they left it): their decisions carry the text they gave, and the benchmark
compares that with trafilatura's own on the page as served. The app data carries its own
evidence (``rendered``): the page does not show the text, and it is held with the
page's headline.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import clean_text, shingles, word_count

#: A body more than (1 + DRASTIC) or less than (1 - DRASTIC) times the words it had is a drastic change.
DRASTIC = 0.5
#: Share of the added text's shingles that the page must show (or the other source say).
SHOWN = 0.5
#: Share of the embedded story's words that may come before the first paragraph the HTML shows.
LEAD = 0.1
#: Share of a declared body's shingles that must be inside the longer text it replaces.
INSIDE = 0.8

STEPS = ("app data", "block choice", "clean-up", "declared body", "embedded JSON")


@dataclass(frozen=True)
class Decision:
    """One step of the body path: the text it had, the text it proposed, whether that stood."""

    step: str  # one of STEPS
    before: str | None  # None for the app data and the block choice (their reference: trafilatura on the page)
    after: str
    kept: bool = True
    evidence: str = ""  # what supported a drastic change, or why it was refused

    @property
    def drastic(self) -> bool:
        return self.before is not None and drastic(word_count(self.before), word_count(self.after))


def drastic(before: int, after: int) -> bool:
    """``after`` words are more than half as many again as ``before``, or fewer than half."""
    return after > (1 + DRASTIC) * before or after < (1 - DRASTIC) * before


def share_in(text: str, other: set) -> float:
    """Share of ``text``'s 4-word shingles that are in the shingle set ``other`` (1.0 for no shingles)."""
    mine = shingles(text)
    return len(mine & other) / len(mine) if mine else 1.0


# Elements that do not part words: text either side of them runs on ("<b>E</b>mergency",
# "Mill<a>brook</a>"). Any other element (a paragraph, a cell, a ``<br>``) ends a word.
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
                     "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
                     "u", "var"})
_UNSHOWN = frozenset({"script", "style", "noscript", "template"})


def visible_text(root) -> str:
    """The text of the page's ``<body>`` as it reads: words cut by inline elements are whole,
    block elements part their text, scripts, styles and templates are left out."""
    parts: list[str] = []
    for body in root.iter("body"):
        parts.append(body.text or "")
        stack = [(child, False) for child in reversed(body)]  # not the body's tail: after </body>
        while stack:
            node, closing = stack.pop()
            tag = node.tag if isinstance(node.tag, str) else None  # None: a comment or a PI
            inline = tag in _INLINE
            if closing:
                parts.append("" if inline else " ")
                parts.append(node.tail or "")
                continue
            if tag is None or tag in _UNSHOWN:
                parts.append(" " if tag else "")
                parts.append(node.tail or "")
                continue
            parts.append("" if inline else " ")
            parts.append(node.text or "")
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node))
    return clean_text("".join(parts))


class Page:
    """What the evidence is read from: the page's visible text, computed once and only if asked."""

    def __init__(self, root):
        self.root = root
        self._shown: set | None = None

    @property
    def shown(self) -> set:
        if self._shown is None:
            self._shown = shingles(visible_text(self.root))
        return self._shown


def added_text(before: list[str], after: list[str]) -> str:
    """The paragraphs of ``after`` that are not paragraphs of ``before``."""
    had = set(before)
    return " ".join(p for p in after if p not in had)


def check_growth(page: Page, before: list[str], after: list[str], other_source: str | None = None,
                 continues: bool = True, headline: bool = False) -> tuple[bool, str]:
    """(kept, evidence) for text added by the declared body or the embedded JSON.

    ``other_source``: the other source's text (the declared body, for the embedded JSON);
    ``continues``: the added text may be evidenced by following the paragraphs we had;
    ``headline``: the added text belongs to an article declared with the page's headline."""
    new = added_text(before, after)
    shown = share_in(new, page.shown)
    if shown >= SHOWN:
        return True, f"added text shown on the page ({shown:.2f})"
    if other_source:
        said = share_in(new, shingles(other_source))
        if said >= SHOWN:
            return True, f"added text said by the declared body too ({said:.2f})"
    if not before and headline:
        return True, "nothing found in the page's text; the declared article has the page's headline"
    lead = lead_share(before, after) if continues else 1.0
    if lead <= LEAD:
        return True, f"continues the paragraphs the page shows ({lead:.2f} of it before them)"
    why = f"added text not shown on the page ({shown:.2f}), not said by another source"
    if before and continues:
        why += f", and {lead:.2f} of it comes before the paragraphs the page shows"
    return False, why


def check_replacement(page: Page, before: list[str], declared: list[str]) -> tuple[bool, str]:
    """(kept, evidence) for a declared body that replaces a much longer text of ours."""
    text = " ".join(declared)
    inside = share_in(text, shingles(" ".join(before)))
    if inside >= INSIDE:
        return True, f"declared body inside the longer text ({inside:.2f})"
    shown = share_in(text, page.shown)
    if shown >= SHOWN:
        return True, f"declared body shown on the page ({shown:.2f})"
    return False, f"declared body neither inside our text ({inside:.2f}) nor shown on the page ({shown:.2f})"


#: Words of a paragraph of a story (a teaser's blurb is shorter); the clean-up's own measure.
STORY_WORDS = 25


def _story_sized(paragraphs: list[str]) -> int:
    return sum(1 for p in paragraphs if word_count(p) >= STORY_WORDS)


def check_cut(before: list[str], after: list[str]) -> tuple[bool, str]:
    """(kept, evidence) for a clean-up that removes more than half of the words."""
    kept = set(after)
    removed = _story_sized([p for p in before if p not in kept])
    left = _story_sized(after)
    if removed < left or not removed:
        return True, f"cut {removed} story-sized paragraphs, kept {left}"
    return False, f"the cut removes as many story-sized paragraphs ({removed}) as it keeps ({left}) or more"


def lead_share(ours: list[str], found: list[str]) -> float:
    """Share of ``found``'s words that come before the first of our paragraphs in it (1.0 if
    none of ours is there): a story served as its first paragraphs in HTML and whole in
    JSON begins with what the HTML shows."""
    mine = shingles(" ".join(ours))
    total = sum(word_count(p) for p in found) or 1
    seen = 0
    for para in found:
        if shingles(para) & mine:
            return seen / total
        seen += word_count(para)
    return 1.0
