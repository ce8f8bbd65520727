"""Is this page a news article, or a home, section, listing or error page?"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .document import (
    OUTSIDE_STORY, UNSPACED, alternation, clean_text, elements_after, outside_story, text_length, text_lengths,
    word_count,
)
from .structured import LISTING_TYPES, Structured
from .titles import norm

# What an error page's title says, by language: "Page not found", "Seite nicht gefunden",
# "ページが見つかりません". Beyond English only phrases that name the page, as a story's
# headline may say a word of them ("Vermisster Wanderer nicht gefunden"). The languages are
# those of the data (``../shared/datasets``) and their neighbours.
ERROR_TITLES = {
    "en": ("404", "410", "500", "not found", "page not found", "error", "no longer available", "does not exist",
           "access denied", "forbidden", "unavailable"),
    "de": ("seite nicht gefunden", "seite wurde nicht gefunden", "seite existiert nicht", "seite nicht verfügbar"),
    "nl": ("pagina niet gevonden", "pagina bestaat niet"),
    "fr": ("page introuvable", "page non trouvée", "page n'existe pas", "page n’existe pas"),
    "es": ("página no encontrada", "página no existe", "no se encontró la página"),
    "pt": ("página não encontrada", "página não existe"),
    "it": ("pagina non trovata", "pagina non esiste", "pagina non disponibile"),
    "sv": ("sidan hittades inte", "sidan kunde inte hittas", "sidan finns inte"),
    "nb": ("siden finnes ikke", "siden ble ikke funnet"), "da": ("siden blev ikke fundet", "siden findes ikke"),
    "pl": ("nie znaleziono strony", "strona nie została znaleziona", "strona nie istnieje"),
    "cs": ("stránka nenalezena", "stránka nebyla nalezena"), "fi": ("sivua ei löytynyt",),
    "tr": ("sayfa bulunamadı",), "ro": ("pagina nu a fost găsită",), "hu": ("az oldal nem található",),
    "el": ("η σελίδα δεν βρέθηκε",), "ru": ("страница не найдена",), "uk": ("сторінку не знайдено",),
    "ar": ("الصفحة غير موجودة", "الصفحة المطلوبة غير موجودة"), "he": ("הדף לא נמצא",),
    "ja": ("ページが見つかりません", "ページは見つかりません"), "zh": ("页面不存在", "页面未找到", "找不到页面", "頁面不存在"),
    "ko": ("페이지를 찾을 수 없습니다",),
}


def _error_title() -> re.Pattern:
    phrases = {p for ps in ERROR_TITLES.values() for p in ps}
    unspaced = {p for p in phrases if UNSPACED.search(p)}  # no word bounds in a script without spaces
    return re.compile(rf"\b(?:{alternation(phrases - unspaced)})\b|{alternation(unspaced)}", re.I)


_ERROR_TITLE = _error_title()
_SECTION_PATH = re.compile(r"^/?(?:[\w-]+/?){0,1}$")
_ARTICLE_META = ("article:published_time", "article:section", "article:author")
_DC_ARTICLE = re.compile(r"^(text|article|newsarticle)$", re.I)
#: Paragraphs of prose under a visible headline that make an undated, undeclared page a story.
STORY_PARAGRAPHS = 3
#: Characters (``text_length``) of one block of prose that is a story's, not a teaser's blurb.
STORY_BLOCK = 600
#: Paragraphs of prose running on from a dated page's shown headline that make it a short story.
LEAD_PARAGRAPHS = 2


def prose_stats(paragraphs: list[str]) -> tuple[int, int]:
    """(number, total length) of paragraphs long enough to be sentences of prose, in
    words and characters of any script (``word_count``, ``text_length``)."""
    prose = [p for p in paragraphs if word_count(p) >= 12]
    return len(prose), sum(map(text_length, prose))


def headline_links(root) -> int:
    """Links whose text reads like a headline (4+ words): the stuff listing pages are made of."""
    return sum(1 for a in root.iter("a") if _headline_link(a))


def _headline_link(el) -> bool:
    return el.tag == "a" and 4 <= word_count(clean_text(el.text_content())) <= 30


# Elements a paragraph of a story is set in: its own element, with inline markup only.
_PARAGRAPH_TAGS = ("p", "div", "li", "td", "blockquote", "section")
_INLINE_CHILDREN = 4


def _prose_elements(root, paragraphs: list[str]) -> tuple[set, set]:
    """(The elements the page sets ``paragraphs``' prose in, the elements inside them)."""
    prose = {clean_text(p) for p in paragraphs if word_count(p) >= 12}
    if not prose:
        return set(), set()
    shortest, longest = min(map(len, prose)), max(map(len, prose))
    sizes = text_lengths(root)  # one pass: no element's text is read unless it has a paragraph's length
    found = set()
    for el in root.iter(*_PARAGRAPH_TAGS):
        if len(el) > _INLINE_CHILDREN or not shortest <= sizes.get(el, 0) <= 2 * longest or outside_story(el):
            continue
        if clean_text(el.text_content()) in prose:
            found.add(el)
    inside = {d for el in found for d in el.iterdescendants()}  # a paragraph's own links are inline
    return found, inside


def _is_teaser(el) -> bool:
    """An ``<article>`` card, or a link that reads like a headline (4+ words)."""
    return el.tag == "article" or _headline_link(el)


def story_run(root, paragraphs: list[str]) -> int:
    """The most paragraphs of prose (``prose_stats``) the page shows one after another, in
    page order, with no teaser between them: no link that reads like a headline (4+ words)
    and no ``<article>`` card. Subheadings, figures and wrappers between them do not count.

    A story's paragraphs follow one another; a listing's blurbs each sit under a headline
    link of their own. Language-independent structure, read where a page declares nothing:
    its rails of teasers (and ``<article>`` cards) can outnumber a short story's paragraphs
    without making it a listing.
    """
    found, inside = _prose_elements(root, paragraphs)
    best = run = 0
    for el in root.iter():
        if el in found and el not in inside:
            run += 1
            best = max(best, run)
        elif el not in inside and _is_teaser(el):
            run = 0
    return best


def lead_run(root, title: str | None, paragraphs: list[str]) -> tuple[int, int]:
    """(Paragraphs, characters) of the prose that runs on from the shown headline
    (``headline_element``): the first paragraph after it and those that follow it with no
    teaser (``_is_teaser``) between them; links between the headline and that paragraph (a
    picture's licensing link, a share bar) do not count. (0, 0) where the page shows no headline."""
    head = headline_element(root, title)
    if head is None:
        return 0, 0
    found, inside = _prose_elements(root, paragraphs)
    skip = set(head.iterdescendants()) | inside
    count = chars = 0
    for el in elements_after(head):
        if el in skip:
            continue
        if el in found:
            count += 1
            chars += text_length(clean_text(el.text_content()))
        elif count and _is_teaser(el):
            break
    return count, chars


def short_story(root, title: str | None, paragraphs: list[str]) -> bool:
    """True when most of the page's prose (``LEAD_PARAGRAPHS`` paragraphs or more, half its
    characters or more) runs on from under a headline the page shows that reads as one
    (4+ words, as a teaser's link does): a brief, or a story a paywall cuts short, whose
    rails of teasers outnumber its paragraphs. A listing's blurbs each sit under a headline
    link of their own, and a topic page's name is no headline."""
    if word_count(title) < 4:
        return False
    count, chars = lead_run(root, title, paragraphs)
    return count >= LEAD_PARAGRAPHS and 2 * chars >= prose_stats(paragraphs)[1]


def shows_headline(root, title: str | None) -> bool:
    """True when the page shows ``title`` as a headline (``headline_element``)."""
    return headline_element(root, title) is not None


def headline_element(root, title: str | None):
    """The element that shows ``title`` as the page's headline: one outside its navigation,
    footer and side rails (an ``<h1>``, a ``<b>``, a ``<div class=headline>``...) whose
    whole text reads the same (``titles.norm``: letters and digits, any case), or the same
    and a kicker of its own (``_reads``). Not a link: a teaser's headline is one. None
    where there is none."""
    key = norm(title)
    body = root.find(".//body")
    if not key or body is None or key not in norm(body.text_content()):
        return None
    for el in body.iter():
        if (isinstance(el.tag, str) and el.tag not in _NOT_HEADLINE and len(el.text_content()) <= 2 * len(title)
                and _reads(el, key) and not outside_story(el, ("a", *OUTSIDE_STORY))
                and not any(norm(a.text_content()) == key for a in el.iter("a"))):
            return el
    return None


def _reads(el, key: str) -> bool:
    """True when ``el``'s text is ``key``, or ``key`` and a kicker of four words at most in a
    child element of its own before or after it (``<h1><span>Analysis</span> Title</h1>``)."""
    text = norm(el.text_content())
    if text == key:
        return True
    if key not in text:
        return False
    for child in el:
        if isinstance(child.tag, str) and word_count(clean_text(child.text_content())) <= 4:
            kicker = norm(child.text_content())
            if kicker and text in (kicker + key, key + kicker):
                return True
    return False


# Page chrome is no headline, in itself as inside it (an <aside> that holds only the title).
_NOT_HEADLINE = ("a", "script", "style", "noscript", "template", "option", "button", "label", *OUTSIDE_STORY)


def declares_article(data: Structured) -> bool:
    """True when structured data or meta tags say the page is a single article."""
    if data.article is not None:
        return True
    if (data.first("og:type") or "").lower() == "article":
        return True
    if any(data.first(key) for key in _ARTICLE_META):
        return True
    return bool(_DC_ARTICLE.match(data.first("dc.type", "dcterms.type") or ""))


def declares_listing(data: Structured) -> bool:
    """True when the page calls itself a collection or list (og:type=website is too common to
    count). A page that also declares an article is one (the caller asks ``declares_article``)."""
    return bool(data.types & LISTING_TYPES)


def is_article(root, data: Structured, url: str, title: str | None, paragraphs: list[str],
               has_date: bool = True) -> bool:
    """Decide whether a parsed page is one news article (``decline_reason`` says why not)."""
    return decline_reason(root, data, url, title, paragraphs, has_date) is None


def decline_reason(root, data: Structured, url: str, title: str | None, paragraphs: list[str],
                   has_date: bool = True) -> str | None:
    """None for one news article, else why the page is not one (a short stat-friendly key).

    A title that reads like an error ("404", "Page not found") declines the page only when
    it has fewer than ``STORY_PARAGRAPHS`` paragraphs of prose.
    Declarations (JSON-LD type, og:type, article:* meta) are trusted when the page also
    carries some prose; undeclared pages must look like a story: several paragraphs of
    prose (or one block of ``STORY_BLOCK`` characters under the shown headline), not a wall
    of teasers (headline links or ``<article>`` cards outnumbering the prose, unless
    ``STORY_PARAGRAPHS`` paragraphs run one after another: ``story_run``, or the page is
    dated and most of its prose runs on from under its headline: ``short_story``), and a publication
    date unless the page shows its headline (``shows_headline``) over ``STORY_PARAGRAPHS``
    paragraphs of prose or ``STORY_BLOCK`` characters of it: a story whose date we cannot
    read is still a story.
    (The caller asks an undated page it keeps whether it is a section page, the spider's
    own test, since teaser blurbs under a section's <h1> read like prose too.)
    """
    path = urlsplit(url or "").path
    if path in ("", "/") or re.fullmatch(r"/(index|default|home)(\.\w+)?", path, re.I):
        return "home_page"
    n_prose, prose_chars = prose_stats(paragraphs)
    # An error page says so in its title and carries no story: a headline with an error
    # word over paragraphs of prose is a story ("Dow drops 500 points", "Human error …").
    if title and len(title) < 80 and _ERROR_TITLE.search(title) and n_prose < STORY_PARAGRAPHS:
        return "error_page"
    links = headline_links(root)
    articles = len(root.xpath("//article"))
    if declares_listing(data) and not declares_article(data):
        return "declared_listing"
    if declares_article(data):
        # Some declared stories are lists (award nominees, results) with little prose.
        ok = prose_chars >= 150 or sum(map(text_length, paragraphs)) >= 600
        return None if ok else "too_little_text"
    # Undeclared: demand a story, and not a wall of teasers. Section pages carry teaser
    # blurbs that read like prose, but no publication date of their own and no headline
    # of a story over them.
    # One long block of prose under the headline the page shows is a story too: its
    # paragraphs run together (set apart by <br>s, or joined), and no blurb is that long.
    block = max((text_length(p) for p in paragraphs if word_count(p) >= 12), default=0)
    one_block = block >= STORY_BLOCK and shows_headline(root, title)
    if (n_prose < 2 or prose_chars < 200) and not one_block:
        return "too_little_text"
    enough = n_prose >= STORY_PARAGRAPHS or prose_chars >= STORY_BLOCK
    if not has_date and not (enough and shows_headline(root, title)):
        return "no_date"
    teasers = (articles >= 4 and n_prose < articles) or not (links < 3 * n_prose + 20 or prose_chars > 2000)
    # A wall of teasers, unless the prose is one story's: paragraphs that follow one another.
    if teasers and not one_block and story_run(root, paragraphs) < STORY_PARAGRAPHS:
        if not (has_date and short_story(root, title, paragraphs)):
            return "listing"
    return None
