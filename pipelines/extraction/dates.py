"""Publication dates as ISO 8601 strings that keep the offset the page gave."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from .document import alternation, clean_text, node_text, outside_story, text_lengths
from .furniture import LISTING, marked

# Month names come from dateparser's data for each language (200+ of them), not a table
# of our own: English and the languages most news pages are in are always read, the
# page's own language too when it names one (``languages``).
DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")


@lru_cache(maxsize=64)
def month_names(language: str) -> dict[str, int]:
    """{lower-case month name or abbreviation: month number} in one language, from
    dateparser's translation data; {} for a language it does not know."""
    import importlib

    base = re.split(r"[-_]", language.strip().lower() or "x")[0]
    try:
        info = importlib.import_module(f"dateparser.data.date_translation_data.{base}").info
    except (ImportError, ValueError):
        return {}
    names: dict[str, int] = {}
    for month, key in enumerate(_MONTH_KEYS, 1):
        for name in info.get(key, ()):
            name = name.lower().rstrip(".")
            # two letters only outside Latin script ("मई"): "de", "am" are words
            if (len(name) >= 3 or not _latin(name)) and len(name) >= 2 and not name.isdigit():
                names.setdefault(name, month)
    return names


def _latin(name: str) -> bool:
    return all(ord(c) <= 0x24F for c in name)


@lru_cache(maxsize=64)
def _months(languages: tuple[str, ...]) -> dict[str, int]:
    """Month names of the default languages and ``languages``; a name that means
    different months in two of them is read in the first that has it (the page's own)."""
    table: dict[str, int] = {}
    for language in (*languages, *DEFAULT_LANGUAGES):
        for name, month in month_names(language).items():
            table.setdefault(name, month)
    return table


@lru_cache(maxsize=1)
def zone_offsets() -> dict[str, int]:
    """{lower-case zone abbreviation: minutes east of UTC}, from dateparser's zone data (as
    the month names), not a table of our own; an abbreviation it lists twice is read as it
    lists it first ("IST" +02:00)."""
    from dateparser.timezones import timezone_info_list

    offsets: dict[str, int] = {}
    for info in timezone_info_list:
        for name, seconds in info["timezones"]:
            offsets.setdefault(name.lower(), seconds // 60)
    return offsets

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"
    r"(?:[T ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d|[+-]\d\d(?!\d))?)?",
    re.I,
)
_TIME = r"(?:,?\s*(?:(?:at|um|à|a las|alle|om|kl\.?|-)\s+)?(?P<H>\d{1,2})[:.](?P<M>\d\d)(?::(?P<S>\d\d))?\s*(?P<ampm>[ap]\.?m\.?)?" \
        r"(?:\s*(?P<tz>[A-Z]{2,4}|[+-]\d\d:?\d\d))?)?"


def _marks() -> str:
    """The combining marks (vowel signs, viramas, nuktas …) as a regex class body: ``\\w`` leaves
    them out, and month names in Indic scripts are written with them ("मार्च", "মে")."""
    import unicodedata

    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


# A letter of any script, with its combining marks.
_LETTER = rf"(?:[^\W\d_][{_marks()}]*)"
# Any word may be a month name: month_names decides (names of two characters only outside Latin
# script: "मई", "মে", a letter and its vowel sign).
_MONTH = rf"(?P<mon>{_LETTER}{{1,15}})\.?"
# "18 June 2023, 04:34", "18. Juni 2023", "18 de junio de 2023", "18-Jun-2023"
_DMY = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.)?(?:\s+de)?[\s-]+" + _MONTH
                  + r"(?:,?\s+de)?[,\s-]+(?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
# "June 18, 2023 4:34 pm EDT", "Jun. 18, 2023"
_MDY = re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
# "2024. május 1.", "2024 May 1": the year first (Hungarian)
_YMD_NAMED = re.compile(r"\b(?P<y>(?:19|20)\d\d)\.?\s+" + _MONTH + r"\s+(?P<d>\d{1,2})\b\.?" + _TIME, re.I)
# "2023/06/18", "2023.06.18", "2023年6月18日"
_YMD = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d\d)(?P<sep>[./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.])" + _TIME
                  + r"|(?P<y2>(?:19|20)\d\d)\s*[年년]\s*(?P<m2>\d{1,2})\s*[月월]\s*(?P<d2>\d{1,2})\s*[日일]", re.I)
# A text may name a month: three letters in a row, or one letter outside Latin script.
_WORD = re.compile(r"[^\W\d_]{3}|[^\W\d_\x00-\u024f]")
# "18/06/2023", "06/18/2023", "18.06.2023", "6-18-2023"
_NUMERIC = re.compile(r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
# Every pattern above has a year, (19|20) and two digits, and an epoch is all digits: a value
# without either is no date, whatever else it holds (most texts parse_date is asked about).
_YEAR = re.compile(r"(?:19|20)\d\d")
_EPOCH = re.compile(r"\d{10}(\d{3})?")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
# The month as a word between slashes: "/2023/dec/22/" (The Guardian, The Washington Times).
_URL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
_URL_DATE_NAMED = re.compile(
    r"/((?:19|20)\d\d)/(" + "|".join(sorted({*_URL_MONTHS, *(m[:3] for m in _URL_MONTHS), "sept"}, key=len, reverse=True))
    + r")/(0?[1-9]|[12]\d|3[01])/", re.I)
_URL_MONTH_NUMBER = {month[:3]: number for number, month in enumerate(_URL_MONTHS, 1)}  # a name's first three letters


# Zone names that stand for a region's local time, summer time included: "10:30 a.m. ET" is
# EDT (-04:00) in June and EST (-05:00) in January. Read in the region's zone for that date,
# not as the one fixed offset dateparser's data gives them (ET -05:00, PT -08:00).
REGIONAL_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                  "PT": "America/Los_Angeles"}


@lru_cache(maxsize=8)
def _region(name: str):
    """The IANA zone, from the system's zone data or pytz's (dateparser's dependency); None without either."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no zone data on this system
        try:
            import pytz

            return pytz.timezone(name)
        except Exception:
            return None


def _offset(tz: str | None, when: datetime | None = None) -> timezone | None:
    """The UTC offset ``tz`` names ("EDT", "+02:00", "ET" on the date ``when``), or None."""
    if not tz:
        return None
    tz = tz.strip()
    if tz in REGIONAL_ZONES and when is not None and (zone := _region(REGIONAL_ZONES[tz])) is not None:
        offset = (zone.localize(when) if hasattr(zone, "localize") else when.replace(tzinfo=zone)).utcoffset()
        if offset is not None:
            return timezone(offset)
    # Zone abbreviations are written in capitals: "10:30 et" or "10:30 mit" is prose.
    minutes = zone_offsets().get(tz.lower()) if tz.isupper() else None
    if minutes is not None:
        return timezone(timedelta(minutes=minutes))
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)?", tz)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return timezone((-1 if m.group(1) == "-" else 1) * timedelta(minutes=minutes))


def _render(y, mo, d, H=None, M=None, S=None, tz=None, ampm=None) -> str | None:
    try:
        if H is None:
            return datetime(int(y), int(mo), int(d)).date().isoformat()
        hour = int(H)
        if ampm:
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        value = datetime(int(y), int(mo), int(d), hour, int(M), int(S or 0))
        value = value.replace(tzinfo=_offset(tz, value))
    except (ValueError, TypeError):
        return None
    return value.isoformat()


def parse_date(value: str | None, dayfirst: bool | None = None, languages: tuple[str, ...] = ()) -> str | None:
    """Parse one date string into ISO 8601, keeping its UTC offset when it has one.

    A bare date stays a date ("2023-06-18"); a time without an offset stays naive,
    because inventing the server's zone would be a guess. An all-numeric date is read
    day first ("18/06/2023") unless one of its numbers can only be a day, or
    ``dayfirst`` is False (pages in US English write "06/18/2023"); dotted dates
    ("18.06.2023") are always day first. Month names are read in ``languages`` (the
    page's) and the ``DEFAULT_LANGUAGES``.
    """
    value = clean_text(value)
    if value and not value.isascii():
        value = value.translate(_digits())  # "١ مايو ٢٠٢٤", "১ মে ২০২৪": the digits of any script
    if not value or len(value) > 200 or not (_YEAR.search(value) or _EPOCH.fullmatch(value)):
        return None
    return _parse_date(value, dayfirst, tuple(languages))


@lru_cache(maxsize=1)
def _digits() -> dict[int, str]:
    """{code point of a decimal digit of any script: its ASCII digit} (Arabic-Indic, Devanagari, …)."""
    import unicodedata

    return {code: str(unicodedata.decimal(chr(code))) for code in range(0x80, 0x10000)
            if unicodedata.category(chr(code)) == "Nd"}


# A site writes its dates the same way on every page ("17 May 2024, 08:00"), and a page
# shows one date in several places: each distinct text is read once.
@lru_cache(maxsize=4096)
def _parse_date(value: str, dayfirst: bool | None, languages: tuple[str, ...]) -> str | None:
    m = _ISO.search(value)
    if m:
        return _render(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["tz"])
    if _WORD.search(value):
        months = _months(tuple(languages))
        for pattern in (_DMY, _MDY, _YMD_NAMED):
            for m in pattern.finditer(value):
                month = months.get(m["mon"].lower())
                if month:
                    return _render(m["y"], month, m["d"], m["H"], m["M"], m["S"], m["tz"], m["ampm"])
    m = _YMD.search(value)
    if m:
        if m["y2"]:
            return _render(m["y2"], m["m2"], m["d2"])
        return _render(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["tz"], m["ampm"])
    m = _NUMERIC.search(value)
    if m:
        a, b = int(m["a"]), int(m["b"])
        day_first = a > 12 or (b <= 12 and (m["sep"] == "." or dayfirst is not False))
        d, mo = (a, b) if day_first else (b, a)
        return _render(m["y"], mo, d, m["H"], m["M"], m["S"], m["tz"], m["ampm"])
    if _EPOCH.fullmatch(value):  # Unix epoch seconds or milliseconds
        seconds = int(value[:10])
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
    return None


def day_first_locale(*locales: str | None) -> bool | None:
    """Whether all-numeric dates on a page are day first, from its language tags
    (``<html lang>``, ``og:locale``): False for US English ("en-US", "en_US"), True
    for other regional tags, None when no tag names a region."""
    for tag in locales:
        m = re.fullmatch(r"\s*([a-z]{2,3})[-_]([a-z]{2})\b.*", tag or "", re.I | re.S)
        if m:
            return not (m.group(1).lower() == "en" and m.group(2).lower() in ("us", "ph"))
    return None


def date_from_url(url: str) -> str | None:
    """A date embedded in the URL path (/2023/06/18/, 2023-06-18 or /2023/jun/18/), as YYYY-MM-DD."""
    m = _URL_DATE.search(url or "")
    if m:
        return _render(*m.groups())
    m = _URL_DATE_NAMED.search(url or "")
    return _render(m.group(1), _URL_MONTH_NUMBER[m.group(2)[:3].lower()], m.group(3)) if m else None


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|meta|byline", re.I)
# What parse_date needs (a year, or an epoch's ten digits), as it can sit in an element's
# text_content: node_text, the line read, drops the zero-width characters between digits.
_Z = "[\u200b\ufeff\u00ad]*"
_MAYBE_DATE = re.compile(rf"(?:1{_Z}9|2{_Z}0){_Z}\d{_Z}\d|\d(?:{_Z}\d){{9}}")
# What labels a shown date as an update, by language (the stem where words inflect:
# "updated", "Updates"; "modifié", "modificado", "modificato"), matched in the date's line
# and its class or id. The date lines of five tune-half publishers carry one outside
# English ("Actualizado", "Mis à jour", "Uppdaterad", "수정", "更新"); a page that declares
# no date and shows its update first was dated by the update. See ``is_update`` for a
# label after the line's first date.
UPDATE_LABELS = {
    "en": ("updat", "modif", "edited", "revised"),
    "de": ("aktualisiert", "geändert"), "nl": ("bijgewerkt", "gewijzigd"),
    "fr": ("mis à jour", "mise à jour", "actualisé"), "es": ("actualizad", "actualización"),
    "pt": ("atualizad", "atualização"), "it": ("aggiornat",),
    "sv": ("uppdaterad",), "nb": ("oppdatert",), "da": ("opdateret",), "fi": ("päivitetty",),
    "pl": ("zaktualizowano", "aktualizacja"), "cs": ("aktualizováno", "aktualizace"),
    "hu": ("frissítve", "frissítés"), "ro": ("actualizat",), "tr": ("güncelle",),
    "ru": ("обновлено", "обновлен"), "uk": ("оновлено",), "el": ("ενημερώθηκε", "ενημέρωση"),
    "id": ("diperbarui",), "ja": ("更新",), "zh": ("更新",), "ko": ("수정", "업데이트"),
    "ar": ("تحديث",), "he": ("עודכן",),
}
_UPDATED = re.compile(alternation(w for ws in UPDATE_LABELS.values() for w in ws), re.I)
_CLOCK = re.compile(r"(?<![\d.])\d{1,2}\s*[:時h.]\s*\d{2}(?![\d.])")  # 12:17, 12.17, 12h17, 12時17(分)


def is_update(text: str, marker: str = "") -> bool:
    """Whether a shown date line (``text``, with its element's class and id in ``marker``)
    labels its date as an update. The date read from a line is its first one, so a label
    after it counts only when the line holds no other date: "Updated 4 May", "1月14日
    01時40分更新", but not "Published 3 May 2024, updated 4 May 2024", "입력 2025.05.15
    20:00 수정 2025.05.15 20:57" or "01時28分 (01時40分更新)", where it labels a second date."""
    if _UPDATED.search(marker):
        return True
    label = _UPDATED.search(text)
    if not label:
        return False
    first_digit = re.search(r"\d", text)
    if first_digit is None or label.start() < first_digit.start():
        return True
    return len(_YEAR.findall(text)) <= 1 and len(_CLOCK.findall(text)) <= 1


def _maybe_date(text: str) -> bool:
    """The text may hold a date: a year (or an epoch) in ASCII digits, or four digits of another script."""
    if _MAYBE_DATE.search(text):
        return True
    return not text.isascii() and bool(_other_digits().search(text))


@lru_cache(maxsize=1)
def _other_digits() -> re.Pattern:
    return re.compile("[" + "".join(map(chr, sorted(_digits()))) + "]{4}")


def _story_ancestors(root) -> set:
    """The headline(s) and everything that contains them: the blocks the story sits in."""
    found: set = set()
    for h in root.iter("h1"):
        found.add(h)
        found.update(h.iterancestors())
    return found


def _in_listing(el, story: set) -> bool:
    """Inside nav/footer/aside, or inside a block marked as a list of other stories or
    comments that does not also hold the headline (page-wide wrappers such as
    ``<body class="has-sidebar">`` hold it, so they do not count)."""
    if outside_story(el):
        return True
    for node in (el, *el.iterancestors()):
        if node in story or node.tag in ("body", "html"):
            return False
        if marked(node, LISTING):
            return True
    return False


def shown_dates(root, dayfirst: bool | None = None, languages: tuple[str, ...] = (),
                sizes: dict | None = None) -> list[tuple[str, bool, bool]]:
    """Dates the page carries outside its metadata, in page order, as
    (ISO value, labelled as an update, readable in the text).

    ``<time>`` elements and short date lines (class "date"/"time"/..., or under 40
    characters), leaving out those in navigation, footers, asides and blocks that list
    other stories or comments. A ``<time>``'s ``datetime`` is used when its text names
    the same day (it is more precise); when they differ the text wins, since readers see
    the text and it is in the publisher's own zone. ``dayfirst`` is for all-numeric dates
    (see ``parse_date``), ``languages`` those of the page, for month names. ``sizes``:
    ``text_lengths(root)``, when the caller has it already.
    """
    found: list[tuple[str, bool, bool]] = []
    for value, updated, readable, _ in _shown(root, dayfirst, languages, sizes):
        if (value, updated, readable) not in found:
            found.append((value, updated, readable))
    return found


def _shown(root, dayfirst: bool | None, languages: tuple[str, ...], sizes: dict | None):
    """``shown_dates``' dates with the element that shows each, in page order, repeats kept."""
    story = _story_ancestors(root)
    sizes = text_lengths(root) if sizes is None else sizes
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a", "noscript", "template"):
            continue
        if len(el) > 4 and el.tag != "time":
            continue
        if el.tag != "time":
            # cheap bounds before the exact text: date lines are short, and have a year
            size = sizes.get(el, 0)
            if not size or size > 300 or not _maybe_date(el.text_content()):
                continue
        marker = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        text = node_text(el)
        if el.tag == "time":
            attr = parse_date(el.get("datetime"))
            shown = parse_date(text, dayfirst, languages) if len(text) <= 80 else None
            value = shown if shown and (not attr or shown[:10] != attr[:10]) else attr or shown
            readable = shown is not None
        else:
            # Only short, date-dominated lines: a date inside prose is usually about an event.
            if not text or len(text) > 80 or not (_DATE_CLASS.search(marker) or len(text) < 40):
                continue
            if el.find(".//time") is not None:
                continue  # the <time> inside says it better
            value, readable = parse_date(text, dayfirst, languages), True
        if not value or _in_listing(el, story):
            continue
        updated = is_update(text, marker)
        yield value, updated, readable, el


def nearest_date(root, headline, dayfirst: bool | None = None, languages: tuple[str, ...] = (),
                 sizes: dict | None = None) -> str | None:
    """The date the page shows closest to its headline in the tree, for a page that declares
    no date and has none in its URL: the one whose common ancestor with ``headline`` is
    deepest (the story's header or byline), the first in page order of those, a publication
    date before an update. Today's date in the masthead, above the headline, shares only the
    page's wrappers with it, whatever it says.
    """
    depth = {el: i for i, el in enumerate(reversed([headline, *headline.iterancestors()]))}
    best, best_key = None, None
    for order, (value, updated, _, el) in enumerate(_shown(root, dayfirst, languages, sizes)):
        common = next((a for a in (el, *el.iterancestors()) if a in depth), None)
        key = (-depth.get(common, -1), updated, order)
        if best_key is None or key < best_key:
            best, best_key = value, key
    return best


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# Civil time runs from UTC-12:00 to UTC+14:00: the calendar days one instant can fall on.
_WEST, _EAST = timedelta(hours=12), timedelta(hours=14)
_NEAR = timedelta(hours=1)


def _local_days(moment: datetime) -> tuple[date, date]:
    utc = moment.astimezone(timezone.utc)
    return (utc - _WEST).date(), (utc + _EAST).date()


def _same_instant_naive(value: str, moment: datetime) -> bool:
    """Whether a date-time shown without a zone is ``moment`` read in some real zone:
    it differs from the UTC wall time by a whole quarter-hour offset (to the minute)."""
    if len(value) <= 10:
        return False
    try:
        shown = datetime.fromisoformat(value)
    except ValueError:
        return False
    delta = (shown - moment.astimezone(timezone.utc).replace(tzinfo=None)).total_seconds()
    if not -_WEST.total_seconds() - 60 <= delta <= _EAST.total_seconds() + 60:
        return False
    return abs(delta - round(delta / 900) * 900) <= 60


def _names_instant(value: str, moment: datetime | None, target: datetime) -> bool:
    """Whether a shown date (``moment``: its instant, if it has a zone) is ``target``."""
    return abs(moment - target) <= _NEAR if moment else _same_instant_naive(value, target)


def agreeing_date(shown: list[tuple[str, bool, bool]], low: str, high: str, updated: bool = False,
                  slack_days: int = 0, readable: bool = False) -> str | None:
    """A shown date between two anchors, of the kind asked for.

    Shown dates with a zone are compared as instants when the anchors have one (so
    "23 December, 5.30am AEDT" agrees with "22 December, 18:30 UTC"); the others by
    calendar day, from ``slack_days`` before the low anchor's day (but never before the
    earliest day the low anchor's instant can be anywhere) to the high anchor's day.
    ``readable`` asks for dates shown in the text only.

    Update dates: the first in page order. Publication dates: the first that names the
    low anchor's instant (in any zone), else the first on its calendar day, else the
    first in range, so that an unrelated date shown higher up on the page (a story in a
    list, today's date) does not beat the one that agrees with the declaration; never
    one that names the high anchor's instant when that is a later update.
    """
    lo, hi = _day(low) - timedelta(days=slack_days), _day(high)
    lo_t, hi_t = _instant(low), _instant(high)
    if lo_t:
        lo = max(lo, _local_days(lo_t)[0])
    # A publication date must not be the declared update shown on its own ("23 December
    # 2023 05:39" on a page published the day before and updated then).
    later_update = not updated and lo_t and hi_t and hi_t - lo_t > _NEAR
    best, best_rank = None, 3
    for value, is_update, in_text in shown:
        if is_update != updated or (readable and not in_text):
            continue
        moment = _instant(value)
        if later_update and _names_instant(value, moment, hi_t):
            continue
        if moment and lo_t and hi_t:
            if not lo_t - _NEAR <= moment <= hi_t + _NEAR:
                continue
            rank = 0 if abs(moment - lo_t) <= _NEAR else 2
        elif lo <= _day(value) <= hi:
            if lo_t and _names_instant(value, moment, lo_t):
                rank = 0
            else:
                rank = 1 if _day(value) == _day(low) else 2
        else:
            continue
        if updated:
            return value
        if rank < best_rank:
            best, best_rank = value, rank
    return best


def day_shift(value: str, days: int) -> str:
    return (_day(value) + timedelta(days=days)).isoformat()


def fallback_date(html: str, url: str) -> str | None:
    """htmldate's original-publication guess, for pages with no other date cue."""
    try:
        import htmldate

        return htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
    except Exception:  # a heuristic last resort must never fail the page
        return None

