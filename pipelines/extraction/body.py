"""Main text: trafilatura finds the content block, our rules clean it into paragraphs."""

from __future__ import annotations

import html
import re
from copy import copy, deepcopy
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import Extractor

from .authors import trailing_byline
from .dates import parse_date
from .document import clean_text, drop_keeping_tail, hidden, shingles, word_count
from .evidence import STORY_WORDS, Decision, check_cut, drastic
from .furniture import BOILERPLATE, marks, marks_strictly

# Containers of the story itself are never pruned, whatever their classes say. A guard, not
# a finder: left out (each word, and all), it changed no page of the three sets (286 pages
# hold one of its words), and a false prune deletes the story.
_STORY = re.compile(r"articlebody|article-body|story-body|post-content|entry-content", re.I)
# Elements that are never story prose by what they are (figures and their captions go even
# when they hold most of the text). Left out one at a time, only nav and form changed a page
# (Anime News Network, -0.61): trafilatura drops the others itself; they stay as structure,
# not vocabulary.
_ALWAYS_DROP = ("figure", "figcaption", "aside", "nav", "footer", "form", "button", "noscript", "template")

# Lines that are page furniture, not story. Pruned by leave-out runs (issue 13): every
# alternative was removed in turn and the extraction benchmark rerun; one stays only if
# at least two publishers (of either half) lose body F1 without it. Those are named
# below; the alternatives one publisher or no page needed are gone (one exception, named).
_JUNK_LINE = re.compile(
    # SFGATE, and the ad slots of all three layouts of the bundled demo site.
    r"^(?:advertisement"
    # Autoblog, Evening Standard, The Independent, Yahoo.
    r"|read (more|also|next|this|the full story)\b.*"
    # Anime News Network, CNBC, The Crimson, EW, Daily Star.
    r"|.*\b(sign up|subscribe)\b.{0,60}\bnewsletters?\b.*"
    # Washington Times, RealClearPolitics.
    r"|(all rights reserved|copyright\b|©).{0,80}"
    # Taipei Times, Durban Local, Isolezwe lesiXhosa.
    r"|(image|photo|picture)( credit)?\s*:.*"
    # etonline, The Independent, EW, US News.
    r"|related( video| articles?| stories| content| coverage| reading)?\s*:.*"
    # Credits and contact lines under the story: the people belong in ``authors``.
    # Global News, ESPN, Miami Herald; Boston Globe, The Crimson.
    r"|.{0,80}\bcontributed (reporting )?to this (report|story|article)\.?"
    r"|.{0,120}\bcan be reached at\b.{0,80}@.*"
    # Elle, New York Magazine.
    r"|(this (interview|conversation|transcript)|(reviews|quotes|responses|comments)) ha(s|ve) been "
    r"(lightly )?(edited|condensed)\b.*"
    # A row of menu items: "Interior & Technology | Passenger & Cargo Space | Performance".
    # Autoblog, Rivals, Seznam Zprávy.
    r"|[^|]{2,40}(?:\s\|\s[^|]{2,40}){2,}\|?)$",
    re.I,
)
# Lines dropped whatever their length: syndication notes (Discover, Heritage, TED, Yahoo).
_JUNK_ANY_LENGTH = re.compile(
    r"^(?:this (article|story|post|piece)\b.{0,300}\boriginally (appeared|published|ran) (on|in|at)\b.*)$",
    re.I | re.S,
)
# "Jo Roe is a writer for The Paper. Send tips to…": the author's bio, not the story. The
# role in any case ("is a Senior Reporter at …"); a paragraph that quotes someone is story.
_AUTHOR_BIO = re.compile(
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3} is an? (?:[\w-]+ ){0,4}"
    r"(?i:writer|reporter|correspondent|editor|contributor|journalist|producer|columnist)\b")
_QUOTATION = re.compile(r"[\"“”„«»「」『』]")
# A short heading like "More from Politics" or "Most read" ends the story:
# everything after it is a list of other stories (when no story-sized paragraph follows
# it, and the cut has the safety net's evidence). Each heading is one publisher's (The
# Gateway Pundit; The Sun; Politico Europe; The Daily Journal): the leave-out runs keep
# the rule as a whole, which three tune-half publishers need, not heading by heading.
_END_MARKER = re.compile(
    r"^(?:more (from|on|in|about|stories|news)\b.*|most (read|popular|viewed|shared)\b.*"
    r"|(you|we think you) (may|might) (also )?like.*|see more\b.*)$",
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
    if el.tag in ("article", "main"):
        return False
    text = marks(el)  # read once for both tests: this runs on every element of the page
    return not _STORY.search(text) and marks_strictly(text, BOILERPLATE)


_NOT_SHOWN = ("script", "style", "noscript", "template")
# Below this many characters of <p> text, a page sets its story in other elements
# (<div>, <td>, <br> runs), and the story's size is measured in all the text shown.
_FEW_P = 500


def _shown_text(el) -> int:
    """Characters of text the element shows (script, style and templates left out)."""
    return sum(len(t.strip()) for t in el.xpath(".//text()[not(ancestor::script or ancestor::style "
                                                "or ancestor::noscript or ancestor::template)]"))


def _p_text(el) -> int:
    return sum(len(p.text_content() or "") for p in el.iter("p"))


def prune_boilerplate(tree, url: str | None = None) -> None:
    """Remove non-prose blocks in place, sparing any that hold most of the page's text.

    The guard matters because some sites put "related" or "ad" classes on wrappers
    around the whole story, or wrap the whole page in a <form> (ASP.NET). The story's
    size is measured in <p> text (script and style text would dwarf it), or in all the
    text shown when the page has hardly any <p> text.
    """
    p_text = _p_text(tree)
    size = _p_text if p_text >= _FEW_P else _shown_text
    total = (p_text if size is _p_text else size(tree)) or 1
    doomed = []
    gone: set = set()  # doomed elements and their descendants: nothing left to decide there
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.getparent() in gone:
            gone.add(el)
            continue
        if el.tag in ("figure", "figcaption"):
            doomed.append(el)
        # (an element without attributes has no marks and is not hidden)
        elif el.tag in _ALWAYS_DROP or (el.attrib and (_boilerplate(el) or hidden(el))):
            if el.find(".//article") is not None:
                continue
            if size(el) > 0.4 * total:
                continue
            doomed.append(el)
        else:
            continue
        gone.add(el)
    doomed.extend(p for p in link_paragraphs(tree) if p not in gone)
    doomed.extend(p for p in linked_blocks(tree, size, total) if p not in gone)
    doomed.extend(c for c in teaser_cards(tree, size, total, url) if c not in gone)
    doomed.extend(b for b in form_blocks(tree, size, total) if b not in gone)
    for el in doomed:
        drop_keeping_tail(el)


FORM_BLOCK = 600  # characters shown: a form's own block (its heading, pitch, small print) is no longer


def form_blocks(tree, size, total: int) -> list:
    """The block around a form that asks for an email address (``<input type=email>``, in
    any language): "Apple Fan? Sign up for our Weekly Apple Brief …", the form, "This
    newsletter may contain advertising …". The form goes (``_ALWAYS_DROP``); so does its
    widest ancestor that shows at most ``FORM_BLOCK`` characters, below the story's own
    containers, unless it holds much of the page's text (``size``)."""
    found = []
    for form in tree.iter("form"):
        if not any((i.get("type") or "").strip().lower() == "email" for i in form.iter("input")):
            continue
        block, inside = form, set(form.iter())
        for el in form.iterancestors():
            if el.tag in ("body", "html", "article", "main") or _shown_text(el) > FORM_BLOCK:
                break
            # three paragraphs of prose beside the form: a story that carries one, not its pitch
            if sum(len(p.text_content().split()) >= 8 for p in el.iter("p") if p not in inside) >= 3:
                break
            block = el
        if block is not form and block not in found and size(block) <= 0.4 * total:
            found.append(block)
    return found


def _to_another_page(a) -> bool:
    """A link with an address of another page: not empty, not "#…" on this one, no script or mail."""
    href = (a.get("href") or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:"))


def link_paragraphs(tree) -> list:
    """Paragraphs and subheadings that are one link to another page and nothing else:
    "MAN ARRESTED AFTER …" or "Trump claims …" teasers set between the story's paragraphs;
    and rows of page tools ("Print | E-mail"), only script and mail links."""
    found = []
    for el in tree.iter("p", "h2", "h3", "h4"):
        links = el.findall(".//a")
        if links and all((a.get("href") or "").strip().lower().startswith(("javascript:", "mailto:")) for a in links):
            # "Print | E-mail this story": page tools, nothing but script and mail links
            outside = "".join(el.xpath(".//text()[not(ancestor::a)]"))
            if not re.search(r"\w", outside):
                found.append(el)
                continue
        if len(links) != 1:
            continue
        if not _to_another_page(links[0]):
            continue
        text = clean_text(el.text_content())
        if len(text.split()) >= 4 and clean_text(links[0].text_content()) == text:
            found.append(el)
    return found


def linked_blocks(tree, size, total: int) -> list:
    """Paragraphs and subheadings inside a link to another page: a teaser card wrapped
    whole in ``<a href>`` (``<a><div><p>RISK REMAINS: …</p></div></a>``, ``<a><h3>…</h3></a>``)
    beside the story. Not when the link holds much of the page's text (``size``, as
    ``prune_boilerplate`` measures it): that is a page wrapped in a link, not a teaser."""
    found = []
    for a in tree.iter("a"):
        if not _to_another_page(a):
            continue
        blocks = [el for el in a.iter("p", "h2", "h3", "h4") if len(clean_text(el.text_content()).split()) >= 4]
        if blocks and size(a) <= 0.4 * total:  # most links hold no block: measured only when one does
            found.extend(blocks)
    return found


def _site(host: str | None) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


def teaser_cards(tree, size, total: int, url: str | None = None) -> list:
    """Rails of teaser cards: two or more sibling elements, each holding one paragraph of prose
    (its blurb, 8+ words) and, outside it, a link to another page of the same site that reads
    like a headline (4 to 30 words), as a listing of other stories sets them under the story.
    Language-independent structure for pages whose markup names nothing. A roundup's product
    cards link to shops, not to the site; and cards that hold much of the page's text
    (``size``, as ``prune_boilerplate`` measures it) are the story."""
    site = _site(urlsplit(url or "").hostname)
    blurbs: dict = {}  # element: blurbs inside it
    inside: set = set()  # the blurbs and what they hold
    for p in tree.iter("p"):
        if len(p.text_content().split()) >= 8:
            inside.update(p.iter())
            for el in p.iterancestors():
                blurbs[el] = blurbs.get(el, 0) + 1
    if blurbs.get(tree, 0) < 2:
        return []
    linked: set = set()  # elements holding a headline link to the site outside any blurb
    for a in tree.iter("a"):
        if a in inside or not _site_link(a, site):
            continue
        for el in a.iterancestors():
            if el in linked:
                break
            linked.add(el)
    found = []
    for parent in tree.iter():
        if blurbs.get(parent, 0) >= 2 and parent in linked:
            cards = [c for c in parent if blurbs.get(c) == 1 and c in linked]
            if len(cards) >= 2:
                found.extend(cards)
    return found if sum(size(c) for c in found) <= 0.4 * total else []


def _site_link(a, site: str) -> bool:
    """A link to another page of the site (``site``: its host, no "www.") that reads like a headline."""
    if not _to_another_page(a) or not 4 <= len(clean_text(a.text_content()).split()) <= 30:
        return False
    host = urlsplit(a.get("href").strip()).hostname
    return host is None or _site(host) == site


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


def clean_paragraphs(paragraphs: list[str], drop: set[str] | None = None, cut: bool = True) -> Body:
    """Apply our cleanup rules to raw paragraphs.

    ``drop`` holds normalised strings (title, captions, date lines) that must not be
    repeated as body paragraphs. ``cut`` False keeps what follows an end-of-story marker
    and a closing run of headline-like lines (when the cut lacks evidence, see ``evidence``).
    """
    drop = {d.lower() for d in (drop or set()) if d}
    result = Body()
    seen: set[str] = set()
    for i, para in enumerate(paragraphs):
        key = para.lower()
        if cut and len(para) < 80 and _END_MARKER.match(para) and i > 0:
            # An inline "You may like" box mid-story is followed by more prose; a real
            # end-of-story list is followed by headlines only.
            if not any(len(p.split()) >= STORY_WORDS for p in paragraphs[i + 1 : i + 4]):
                break
            continue
        # Repeated short lines are list content ("Raye" nominated in three categories);
        # repeated sentences are a pull quote or a teaser shown twice.
        if key in drop or (key in seen and len(para.split()) >= 6):
            continue
        if not re.search(r"[^\W_]", para):
            continue  # a rule drawn with characters: "___", "* * *"
        if (len(para) < 200 and _JUNK_LINE.match(para)) or _JUNK_ANY_LENGTH.match(para):
            continue
        names = trailing_byline(para)  # before the dateline rule: "Reporter: Jo Roe · 18 June 2023"
        if names:
            result.trailing_authors = names
            continue
        if len(para) < 60 and parse_date(para) and not para.endswith("."):
            continue  # a dateline such as "June 12, 2023" or "18 June 2023, 04:34"
        if i >= len(paragraphs) - 3 and len(para) < 400 and _AUTHOR_BIO.match(para) and not _QUOTATION.search(para):
            continue
        seen.add(key)
        result.paragraphs.append(para)
    if cut:
        result.paragraphs = _drop_trailing_headlines(result.paragraphs)
    return result


def _headline_like(para: str) -> bool:
    words = para.split()
    # Headlines are full phrases; short items ("Rising Star", "2003: Jo Roe – Club") are list content.
    if not 5 <= len(words) <= 18 or para.endswith((".", "?", "!", ":", ",")) or len(para) > 140:
        return False
    if para[:1].isdigit() or " – " in para or ": " in para:
        return False
    capitals = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return capitals >= 0.7 * len(words)


def _drop_trailing_headlines(paragraphs: list[str]) -> list[str]:
    """Cut a run of three or more headline-like lines that ends the text: a list of other
    stories or deals, not part of this one."""
    end = len(paragraphs)
    while end and _headline_like(paragraphs[end - 1]):
        end -= 1
    return paragraphs[:end] if len(paragraphs) - end >= 3 and end > 0 else paragraphs


def story_scope(tree, title: str | None = None):
    """The one <article> that holds the story when a page carries several full stories
    (infinite scroll, "next story" feeds), else None.

    It is the story-sized <article> whose heading matches the title, else the first one.
    """
    stories = []
    for el in tree.iter("article"):
        if el.find(".//article") is not None:
            continue  # a wrapper of other articles
        if sum(len(p.text_content()) for p in el.iter("p")) >= 800:
            stories.append(el)
    if len(stories) < 2:
        return None
    key = re.sub(r"\W+", "", (title or "").lower())
    for el in stories:
        for h in el.iter("h1", "h2"):
            if key and re.sub(r"\W+", "", h.text_content().lower()) == key:
                return el
    return stories[0]


# Containers whose <br><br> runs are not paragraph breaks of a story.
_NO_SPLIT = {"p", "li", "dd", "dt", "pre", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol",
             "dl", "select", "script", "style", "textarea", "head", "title"}
_BLOCK_TAGS = {"div", "p", "table", "ul", "ol", "dl", "section", "article", "blockquote", "pre", "form",
               "h1", "h2", "h3", "h4", "h5", "h6", "hr", "center", "header", "footer", "nav", "aside", "main",
               "figure", "iframe", "script", "style", "noscript"}


def _double_br(el) -> bool:
    """A <br> followed, after nothing but white space, by another <br>."""
    if el.tag != "br" or (el.tail or "").strip():
        return False
    nxt = el.getnext()
    return nxt is not None and nxt.tag == "br"


def _prose_words(nodes: list) -> int:
    """Words of text outside links in a run of text strings and inline elements."""
    words = 0
    for node in nodes:
        if isinstance(node, str):
            words += len(node.split())
        elif node.tag != "a":
            words += len(" ".join(t for t in node.xpath(".//text()[not(ancestor::a)]")).split())
    return words


def _br_runs(el) -> list[list]:
    """The container's content cut at each run of two or more ``<br>``: text strings and
    elements, in order; a block-level child is a run of its own."""
    runs: list[list] = [[]]
    if el.text:
        runs[-1].append(el.text)
    in_break = False
    for child in el:
        if child.tag == "br" and (in_break or _double_br(child)):
            if not in_break:
                runs.append([])
            # a further <br> of the same run continues the break
            in_break = not (child.tail or "").strip() and child.getnext() is not None and child.getnext().tag == "br"
        else:
            in_break = False
            if isinstance(child.tag, str) and (child.tag in _BLOCK_TAGS or child.find(".//p") is not None):
                runs.extend([[child], []])
            else:
                runs[-1].append(child)
        if child.tail:
            runs[-1].append(child.tail)
    return runs


def split_br_paragraphs(tree) -> None:
    """Paragraphs written as text separated by ``<br><br>`` become ``<p>`` elements, in place.

    Old and hand-made pages (``<td><font>para<br><br>para</font></td>``, ``<div
    class=txt>``) have no ``<p>``: trafilatura then sees one block of text. A
    container is split only when at least two of its runs read as prose (twelve
    words or more outside links), so link lists and address blocks keep their shape.
    """
    # Only the parents of a <br> followed by another can hold a run: found from the
    # <br>s, so a page without any costs one pass over its <br>s, not over all elements.
    parents = {br.getparent() for br in tree.iter("br") if _double_br(br)}
    if not parents:
        return
    candidates = [el for el in tree.iter() if el in parents and isinstance(el.tag, str) and el.tag not in _NO_SPLIT]
    for el in reversed(candidates):  # innermost first: a container split already is a block
        runs = _br_runs(el)
        if sum(1 for run in runs if _prose_words(run) >= 12) < 2:
            continue
        el.text = None
        for child in list(el):
            child.tail = None
            el.remove(child)
        for run in runs:
            if len(run) == 1 and not isinstance(run[0], str) and (run[0].tag in _BLOCK_TAGS or run[0].find(".//p") is not None):
                el.append(run[0])
                continue
            for line in _lines(run):
                if not any(n.strip() if isinstance(n, str) else True for n in line):
                    continue
                para = el.makeelement("p", {})
                for node in line:
                    if isinstance(node, str):
                        if len(para):
                            para[-1].tail = (para[-1].tail or "") + node
                        else:
                            para.text = (para.text or "") + node
                    else:
                        para.append(node)
                el.append(para)


def _lines(run: list) -> list[list]:
    """A run as one paragraph, or as its ``<br>``-separated lines when none of them is prose:
    a headline, a date and a byline stacked above the story are three lines, not a paragraph."""
    lines: list[list] = [[]]
    for node in run:
        if not isinstance(node, str) and node.tag == "br":
            lines.append([])
        else:
            lines[-1].append(node)
    if len(lines) > 1 and all(_prose_words(line) < 12 for line in lines):
        return lines
    return [run]


def extract_body(tree, url: str | None = None, drop: set[str] | None = None, title: str | None = None,
                 trace: list | None = None) -> Body:
    """Main text of an article page as cleaned paragraphs; empty Body if none is found.

    ``tree`` is not modified. trafilatura runs once, in its default (balanced) mode, on
    the tree with boilerplate blocks pruned and, when the page holds several stories, on
    the story's own <article> only. A clean-up that removes more than half of the words
    stands only if it removes less prose than it keeps (``evidence.check_cut``). The
    block choice and the clean-up are appended to ``trace`` as ``Decision``s.
    """
    work = deepcopy(tree)
    split_br_paragraphs(work)
    prune_boilerplate(work, url)
    scope = story_scope(work, title)
    if scope is not None:
        body_el = work.find(".//body")
        for child in list(body_el if body_el is not None else []):
            body_el.remove(child)
        if body_el is not None:
            body_el.append(scope)
    source = [t for t in (clean_text(p.text_content()) for p in work.iter("p")) if t]
    result = _trafilatura(work, url, favor_precision=False)
    if result is None or result.body is None:
        return Body()
    blocks = resplit(_blocks(result.body), source)
    cleaned = clean_paragraphs(blocks, drop)
    before, after = "\n\n".join(blocks), cleaned.text or ""
    kept, why = True, ""
    if drastic(word_count(before), word_count(after)):
        kept, why = check_cut(blocks, cleaned.paragraphs)
    if trace is not None:
        trace.append(Decision("block choice", None, before))
        trace.append(Decision("clean-up", before, after, kept, why))
    return cleaned if kept else clean_paragraphs(blocks, drop, cut=False)


def resplit(blocks: list[str], source: list[str]) -> list[str]:
    """Blocks that are several of the page's own ``<p>`` run together, split back into them.

    trafilatura joins the paragraphs of a ``<div>`` inside a table cell into one block
    (``<td><div><p>…</p><p>…</p></div></td>``, common on old layouts).
    """
    if len(source) < 2:
        return blocks
    starts: dict[str, list[int]] = {}
    for i, text in enumerate(source):
        starts.setdefault(text[:40], []).append(i)
    out: list[str] = []
    for block in blocks:
        parts = None
        for i in starts.get(block[:40], ()):
            if len(source[i]) >= len(block):
                continue
            joined, j = source[i], i + 1
            while len(joined) < len(block) and j < len(source):
                joined, j = f"{joined} {source[j]}", j + 1
            if joined == block:
                parts = source[i:j]
                break
        out.extend(parts or [block])
    return out


# trafilatura's options, built once per mode (building them reads its config: a tenth of
# trafilatura's time on a small page); each call gets a copy naming its URL.
_TRAFILATURA_OPTIONS: dict[bool, Extractor] = {}


def _trafilatura_options(url: str | None, favor_precision: bool) -> Extractor:
    base = _TRAFILATURA_OPTIONS.get(favor_precision)
    if base is None:
        base = _TRAFILATURA_OPTIONS[favor_precision] = Extractor(
            output_format="python", comments=False, tables=False, images=False, links=False,
            precision=favor_precision)
    options = copy(base)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


def _trafilatura(tree, url: str | None, favor_precision: bool):
    try:
        return trafilatura.bare_extraction(tree, url=url, options=_trafilatura_options(url, favor_precision))
    except Exception:  # trafilatura has raised on pathological trees; we never do
        return None


_TRUNCATED = re.compile(r"(?:\.\.\.|…|\[&hellip;\]|\[…\]|&hellip;)\s*\]?\s*$")


def declared_paragraphs(article_body) -> list[str]:
    """A JSON-LD ``articleBody`` as paragraphs (entities decoded, tags dropped); [] if unusable."""
    if not isinstance(article_body, str):
        return []
    text = html.unescape(re.sub(r"<[^>]+>", "\n", article_body))
    return [clean_text(p) for p in re.split(r"\n\s*\n|\n", text) if clean_text(p)]


def reconcile_with_declared(body: Body, article_body) -> Body:
    """Use the publisher's declared ``articleBody`` when our extraction missed the story.

    That is: we found little or nothing, or what we found is mostly not in the declared
    text while the declared text is long and complete (not a teaser ending in "…").
    Otherwise our paragraphs stand: declared bodies are often teasers, or lack
    paragraph breaks.
    """
    declared = declared_paragraphs(article_body)
    text = " ".join(declared)
    if len(text) < 500 or _TRUNCATED.search(article_body or ""):
        return body
    ours = " ".join(body.paragraphs)
    found = shingles(ours)
    inside = len(found & shingles(text)) / len(found) if found else 0.0
    if len(ours) < 200 or (found and inside < 0.3):
        return Body(paragraphs=declared, trailing_authors=body.trailing_authors)
    if inside >= 0.8 and word_count(text) > 1.5 * word_count(ours):
        # What we found is the beginning of the declared story, which says much more (a
        # page that shows its first paragraphs): whether it stands is the safety net's call.
        return Body(paragraphs=declared, trailing_authors=body.trailing_authors)
    return body
