"""Author names from bylines, meta values and JSON-LD, as a clean list.

A name is what is left of a byline once "By", job titles, dates, URLs and
the publication's own name are taken away. News agencies ("Press Association", "AP")
are authors when they are the only ones credited; next to named people they are the
people's affiliation ("Najib Jobain, Associated Press").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .document import alternation, clean_text, unescape_text

# What a byline says before the names, by language: one table, from which every byline
# pattern below is built (add a language here and all of them know it). Words are matched
# case-insensitively as whole words; labels are followed by a colon ("Reporter: Jo Roe").
# The names must follow in capitals, and after a word other than English "by" they must
# be at least two words, so "Von der Leyen" or "Di Maio" stay what they are.
# English: "by" and "written by" (the bundled demo site's bylines); the other lead phrases
# ("reported by", "story by", "posted by", "photo by"...) were left out one at a time and
# all together on both halves of the three sets, and no page changed (72 pages use them).
BYLINE_WORDS = {
    "en": ("by", "written by"),
    "de": ("von", "ein kommentar von", "ein gastbeitrag von"),
    "nl": ("door",),
    "fr": ("par",),
    "es": ("por",), "pt": ("por",),
    "it": ("di", "a cura di"),
    "sv": ("av",), "nb": ("av",), "da": ("af",),
    "pl": ("autor", "autorka"),
    "id": ("oleh",), "ms": ("oleh",),
    "ar": ("بقلم", "كتب"),
    "el": ("του", "της", "των"),  # "Του Γιώργου Παπαδόπουλου": the name stays in the genitive
}
BYLINE_LABELS = {
    "en": ("reporter", "reporters", "author", "authors", "correspondent", "writer", "writers"),
    "de": ("autor", "autorin", "autoren", "text"),
    "fr": ("auteur", "texte"),
    "es": ("autor", "texto", "redacción"), "pt": ("autor", "texto", "reportagem"),
    "it": ("autore", "testo"),
    "ja": ("記者", "文"), "zh": ("记者", "記者", "文", "撰文"),
    "ru": ("автор", "авторы", "текст"), "uk": ("автор", "автори", "текст"),
    "cs": ("autor", "autorka", "text"), "pl": ("autor", "autorka", "tekst"),
    "hu": ("szerző", "szöveg"), "fi": ("teksti", "kirjoittaja"), "tr": ("yazar", "haber"),
    "id": ("penulis", "pewarta"), "hi": ("लेखक",), "ar": ("بقلم", "كتب", "الكاتب"),
    "hr": ("piše", "autor"), "sr": ("piše", "пише", "autor"), "sl": ("avtor", "avtorica"),
}
# Written before the names with no space or colon needed: "記者 王小明", "记者王小明".
BYLINE_MARKS = ("記者", "记者")
# What a byline says after a name, by language, taken off it: "Jo Roe Staff Writer",
# "신현주 기자", "王小明 記者" (a paper named just before the role goes too, see
# ``_strip_trailing_role``).
BYLINE_ROLES = {
    "en": ("staff", "correspondent", "reporter", "writer", "editor", "contributor", "columnist", "report", "reports",
           "desk", "team"),
    "ko": ("기자",), "ja": ("記者", "特派員"), "zh": ("记者", "記者", "特派员"),
}
# Words between two names in one byline, by language: "Jo Roe and Ann Lee", "Jo Roe und Ann Lee".
# Written in lower case between two names: outside English they are matched in lower case only,
# since a capital is a name's initial or a name ("John Y. Smith", "Dan Brown", "Ivan I Petrov").
NAME_CONNECTORS = {"en": ("and", "with"), "de": ("und",), "fr": ("et",), "es": ("y",), "it": ("e",), "pt": ("e",),
                   "nl": ("en",), "da": ("og",), "nb": ("og",), "sv": ("och",), "fi": ("ja",), "pl": ("i",),
                   "hr": ("i",), "cs": ("a",), "sk": ("a",), "hu": ("és",), "tr": ("ve",), "ro": ("și",),
                   "id": ("dan",), "ru": ("и",), "uk": ("і", "та"), "el": ("και",)}


_ENGLISH = alternation(BYLINE_WORDS["en"])
_OTHER = alternation(w for lang, ws in BYLINE_WORDS.items() if lang != "en" for w in ws)
_LABELS = alternation(w for ws in BYLINE_LABELS.values() for w in ws)
_MARKS = alternation(BYLINE_MARKS)
# A name's word: a capital (Latin, Greek, Cyrillic), or a letter of a script without case
# (Arabic, Hebrew, Devanagari and the other Indic scripts, Thai, Hangul, Han, kana), then
# letters, their combining marks, and "." "'" "-".
_CASELESS = "\u05d0-\u05ea\u0620-\u064a\u0671-\u06d3\u0900-\u0dff\u0e01-\u0e30\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3"
_NAME_START = r"(?-i:[A-Z\u00C0-\u024F\u0391-\u03A9\u0400-\u042F]|[" + _CASELESS + r"])"
_NAME = _NAME_START + r"[\w.'’\u0300-\u036f\u064b-\u065f\u0900-\u0dff\u0e31-\u0e4e-]*"
_FULL_NAME = rf"{_NAME}\s+(?:(?:van|von|de|der|den|del|della|di|da|du|la|le|ter|ten)\s+)*{_NAME}"
# The prefix of a byline, to take off a name: "By ", "Von ", "Reporter: ", "记者".
_BY = re.compile(rf"^\s*[-–—•|]*\s*(?:(?:{_ENGLISH})\b[:\s]*|(?:{_OTHER}):?\s+(?={_FULL_NAME})"
                 rf"|(?:{_LABELS})\s*[:：]\s*|(?:{_MARKS})\s*)[-–—]*\s*", re.I)
# A line that is a byline by its first words: "By …", "Written by …", "Von Jana Roe", "Reporter: …".
BYLINE_LEAD = re.compile(rf"^(?:(?:{_ENGLISH}):?\s+(?={_NAME})|(?:{_OTHER}):?\s+(?={_FULL_NAME})"
                         rf"|(?:{_LABELS})\s*[:：]\s*(?=\S)|(?:{_MARKS})\s*(?=\S))", re.I)
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+", re.I)
# Connectors between names (NAME_CONNECTORS); ``,`` is handled separately because it also introduces titles.
_CONNECTORS = alternation(NAME_CONNECTORS["en"])
_OTHER_CONNECTORS = alternation(w for lang, ws in NAME_CONNECTORS.items() if lang != "en" for w in ws)
# The ideographic comma parts names in Chinese and Japanese ("山田太郎、鈴木花子"); the middle dot
# does not (it parts a foreign name's words: "ジョン・スミス").
# A connector of another language parts two names only before a name ("a mix of analysis" is prose).
_SPLIT = re.compile(rf"\s*(?:;|\||\s&\s|\b(?:{_CONNECTORS})\b"
                    rf"|(?<=\s)(?-i:{_OTHER_CONNECTORS})(?=\s+{_NAME_START})|\s[•·]\s|、)\s*", re.I)
# Words that make a comma-separated chunk a job title or a place rather than a name.
_ROLE = re.compile(
    r"\b(correspondent|editor|reporter|writer|journalist|contributor|columnist|producer|"
    r"chief|senior|staff|bureau|analyst|author|director|manager|intern|fellow|"
    r"photographer|critic|presenter|host|anchor|news|desk|team|for|in|at|from|"
    r"published|updated|posted|minutes?|hours?|ago)\b",
    re.I,
)
# Words of an organisation's name: a comma chunk holding one is an affiliation.
_ORG = re.compile(
    r"\b(press|news|times|post|journal|media|network|agency|agencies|wire|wires|tv|radio|"
    r"magazine|daily|herald|tribune|gazette|associated|reuters|service|group|inc|ltd|llc|university|institute)\b",
    re.I,
)
_NOT_NAME = re.compile(
    r"\d|^(?:the|a|an|by|and|staff|admin|administrator|editor|editors|unknown|anonymous|null|none|about|news|"
    r"more|share|follow|contact|email|guest|author|authors|wire|wires|reports?|from)$"
    r"|\b(?:follow|email|e-mail|share|contact|subscribe|from|view|posts|articles|comments?|click|profile)\b",
    re.I,
)
# Role words that trail a name without a comma: "Dave Epstein Globe Correspondent".
# A role written in Han, kana or Hangul may follow the name with no space: "山田太郎記者", "홍길동기자".
_UNSPACED_ROLES = [w for ws in BYLINE_ROLES.values() for w in ws if not re.search(r"[a-z]", w)]
_TRAILING_ROLE = re.compile(rf"(\s+(?:{alternation(w for ws in BYLINE_ROLES.values() for w in ws)})"
                            rf"|(?<=\S)(?:{alternation(_UNSPACED_ROLES)}))+$", re.I)
# Lower-case words a name may hold ("Ludwig van Beethoven", "Vanessa de la Cruz").
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos", "du", "la", "le",
              "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "st", "mac", "ap"}
# A date or a "Published"/"Updated" label ends a byline line.
_BYLINE_END = re.compile(
    r"(?:\s+(?:on\s+|at\s+)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,4}[./-]\d)"
    r"|\b(?:updated|published|posted|last updated|modified)\b|\s[•·]\s|\s+\d+\s+min(?:ute)?s?\s+read).*$",
    re.I,
)


def _capital(ch: str) -> bool:
    """An upper-case letter, or a letter of a script without case (Han, Hangul, Arabic…)."""
    return ch.isupper() or (ch.isalpha() and not ch.islower())


def looks_like_name(name: str) -> bool:
    """True for "Jane Doe", "JR Raphael", "Ludwig van Beethoven", "大渡 美咲"; False for prose and labels."""
    tokens = name.split()
    if not tokens or len(tokens) > 6:
        return False
    for token in tokens:
        bare = token.strip(".,'’\"()")
        if not bare:
            continue
        if not (_capital(bare[0]) or bare.lower() in _PARTICLES or not bare[0].isalpha()):
            return False
    return _capital(tokens[0].strip(".,'’\"()")[:1] or "a")


def is_org(name: str) -> bool:
    """Organisation-like: "Associated Press", "Bleacher Report", "WBEZ", "Tennis.com"."""
    return bool(_ORG.search(name)) or bool(re.fullmatch(r"[A-Z]{2,6}", name)) or bool(re.search(r"\.\w{2,3}\b", name))


def _strip_trailing_role(name: str) -> str:
    """ "Dave Epstein Globe Correspondent" -> "Dave Epstein": the role, and the paper named before it;
    "" for a role that names no one ("Our Correspondent").

    Publication words go only with a role after them, and never below two words
    left ("John Post Reporter" stays "John Post").
    """
    stripped = _TRAILING_ROLE.sub("", name)
    if stripped == name:
        return name
    words = stripped.split()
    if len(words) == 1 and words[0].lower() != words[0].upper() and not words[0].isupper() and not is_org(words[0]):
        # "Our Correspondent", "Special Correspondent", "Sports Desk": a role with no one named
        # (an agency's initials, "AFP Correspondent", or a wire, "Reuters Staff", stay).
        return ""
    while len(words) > 2 and _ORG.fullmatch(words[-1]):
        words.pop()
    return " ".join(words)


def clean_author(name: str) -> str | None:
    """One name cleaned of "By", URLs, handles and trailing punctuation; None if not a name."""
    # Brackets first: "Deutsche Welle (www.dw.com)" must not leave a "(" behind.
    name = _BRACKETS.sub(" ", name or "")
    name = clean_text(_URL.sub(" ", name))
    name = _BY.sub("", name)
    # "Android Intelligence By JR Raphael": the name follows an inner "By".
    name = re.split(r"\s[Bb]y\s+(?=(?-i:[A-Z]))", name)[-1]
    name = re.split(r"\s[-–—]\s", clean_text(name))[0]  # "Jane Doe - Contributing Editor"
    name = clean_text(name).strip(" ,;:-|/·•–—")
    name = _strip_trailing_role(name)
    name = clean_text(name).strip(" ,.;:-|/·•–—")
    if not name or len(name) > 60 or _NOT_NAME.search(name):
        return None
    words = name.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        words = words[:half]  # "Jane Doe Jane Doe": a visible and a screen-reader copy
        name = " ".join(words)
    # ALL-CAPS (and all-lower-case meta) bylines are a styling choice; names are stored in title case.
    if (name.isupper() and len(name) > 3 and len(words) > 1) or name.islower():
        name = " ".join(w.capitalize() if len(w) > 1 else w for w in words)
    if _NOT_NAME.search(name) or not looks_like_name(name):
        return None
    return name


def split_authors(text: str) -> list[str]:
    """Split a byline into names.

    "By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"];
    "Maria Garcia, Foreign Correspondent" -> ["Maria Garcia"];
    "By Chris Roe and Tom Poe on December 21, 2023" -> ["Chris Roe", "Tom Poe"].
    """
    return list(_split_authors(text or ""))


# A site's bylines repeat from page to page, and a page's byline is read from several
# elements (the line, its name links): each distinct text is split once.
@lru_cache(maxsize=4096)
def _split_authors(text: str) -> tuple[str, ...]:
    text = clean_text(_URL.sub(" ", _BRACKETS.sub(" ", text or "")))
    text = _BY.sub("", text)
    text = _BYLINE_END.sub("", text)
    names: list[str] = []
    for chunk in _SPLIT.split(text):
        parts = [p.strip() for p in chunk.split(",")]
        for i, part in enumerate(parts):
            # After the first comma, a chunk is a title, place or employer unless it looks like a name.
            if i > 0 and (_ROLE.search(part) or _ORG.search(part) or not part[:1].isupper()
                          or len(part.split()) == 1):
                break
            name = clean_author(part)
            if name is None and i == 0 and not looks_like_name(clean_text(_BY.sub("", part))):
                break  # a sentence, not a name ("By Growing Cells in Rice, Scientists Dish Up Food")
            if name and name not in names:
                names.append(name)
    # Next to full names, a lone word is a label or an outlet ("New", "HuffPost"), unless
    # it is an agency's initials ("AP").
    if any(len(n.split()) > 1 for n in names):
        names = [n for n in names if len(n.split()) > 1 or n.isupper()]
    return tuple(names)


def authors_from_values(values: list[str]) -> list[str]:
    """Names from several raw values (meta tags, JSON-LD names), each possibly a byline."""
    names: list[str] = []
    for value in values:
        if not value or re.match(r"(?:https?://|/)", value.strip()):
            continue
        for name in split_authors(value):
            if name not in names:
                names.append(name)
    return names


def authors_from_jsonld(value: Any) -> list[str]:
    """Names from a JSON-LD ``author``/``creator`` value.

    Accepts strings, objects with a string or list ``name``, and lists of either. URLs
    (``"/authors/jane-doe"``) are not names. When people are credited, Organization
    entries are their employer and are left out.
    """
    items = value if isinstance(value, list) else [value]
    people: list[str] = []
    orgs: list[str] = []
    for item in items:
        kind = ""
        if isinstance(item, dict):
            kind = str(item.get("@type") or "").lower()
            raw = item.get("name") or item.get("alternateName")
        else:
            raw = item
        raws = raw if isinstance(raw, list) else [raw]
        target = orgs if "organization" in kind else people
        for name in authors_from_values([unescape_text(r) for r in raws if isinstance(r, str)]):
            if name not in target:
                target.append(name)
    return people or orgs


def self_credit(value: Any, sites: set[str], first_words: set[str] = frozenset(),
                declared: list[str] = ()) -> list[str]:
    """The publication itself, when a JSON-LD ``author`` of type Organization is the page's own
    publisher (``{"@type": "Organization", "name": "Salzburger Nachrichten"}`` on sn.at) and a
    second declaration agrees: one of ``declared`` (the page's author meta values) is the same
    name.

    Two declarations that name the house as the author say it signs the story, so on a page
    with no visible byline it is the author. Declared in JSON-LD alone it is left out (the
    development sets label that shape both ways), as is a person's "author" that is the
    site's name ("The Independent" as a Person); an agency is not the publisher.
    """
    agreed = {_letters(v) for v in declared if isinstance(v, str)}
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict) or "organization" not in str(item.get("@type") or "").lower():
            continue
        raw = item.get("name")
        if not isinstance(raw, str) or _letters(unescape_text(raw)) not in agreed:
            continue
        for name in authors_from_values([unescape_text(raw)]):
            if not drop_publication([name], sites, first_words) and name not in out:
                out.append(name)
    return out


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", (text or "").lower())


def drop_publication(names: list[str], sites: set[str], first_words: set[str] = frozenset()) -> list[str]:
    """Remove names that are the publication itself ("The Independent", "Autoblog Staff", "MLB.com"),
    and its accounts: names whose first word opens the site's name (``first_words``, see
    ``titles.site_first_words``: "Ilanga D" on Ilanga News)."""
    out = []
    for name in names:
        if name.split()[0].lower() in first_words:
            continue
        key = _letters(name)
        bare = _letters(_TRAILING_ROLE.sub("", name))
        bare = re.sub(r"^the", "", bare)
        if key in sites or bare in sites or (bare and any(bare == re.sub(r"^the", "", s) for s in sites)):
            continue
        if re.search(r"\.(?:com|net|org|co|in|uk|tv)\b", name, re.I):
            continue  # a domain name credits the site, not a person
        out.append(name)
    return out


def prefer_people(names: list[str]) -> list[str]:
    """Next to named people, organisations in a byline are their affiliation."""
    people = [n for n in names if not is_org(n)]
    return people if people else names


# The first letters a byline line can start with: a cheap test before BYLINE_LEAD.
BYLINE_FIRST = frozenset(w[0] for table in (BYLINE_WORDS, BYLINE_LABELS) for ws in table.values() for w in ws) | {
    m[0] for m in BYLINE_MARKS}
_TRAILING_BYLINE = re.compile(rf"^(?:[-–—]\s*)?(?:{BYLINE_LEAD.pattern[1:]})(.{{2,80}})$", re.I)


_INITIAL = re.compile(r"(?<!\w)(?-i:[A-Z\u00C0-\u024F])\.")


def trailing_byline(paragraph: str) -> list[str]:
    """Names when a body paragraph is only a byline ("By Press Association", "Reporter: Jo Roe"), else []."""
    m = _TRAILING_BYLINE.match(clean_text(paragraph))
    # A sentence is no byline; the full stop that closes the line ("By Jane Doe.") and initials
    # ("By J. R. Doe") are no sentence.
    if not m or len(m.group(1).split()) > 10 or re.search(r"[.!?]", _INITIAL.sub("", m.group(1).rstrip(". "))):
        return []
    return split_authors(m.group(1).rstrip(". "))
