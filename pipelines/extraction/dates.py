"""Publication dates as ISO 8601 strings that keep the offset the page gave."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .document import clean_text, node_text

_MONTHS = {
    m: i + 1
    for i, names in enumerate([
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
        ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
        ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ])
    for m in names
}
_TZ_NAMES = {"utc": 0, "gmt": 0, "z": 0, "bst": 60, "cet": 60, "cest": 120, "est": -300,
             "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480,
             "pdt": -420, "ist": 330, "aest": 600, "aedt": 660, "jst": 540}

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"
    r"(?:[T ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d|[+-]\d\d(?!\d))?)?",
    re.I,
)
_TIME = r"(?:,?\s*(?:at\s+)?(?P<H>\d{1,2})[:.](?P<M>\d\d)(?::(?P<S>\d\d))?\s*(?P<ampm>[ap]\.?m\.?)?" \
        r"(?:\s*(?P<tz>[A-Z]{2,4}|[+-]\d\d:?\d\d))?)?"
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# "18 June 2023, 04:34" and "June 18, 2023 4:34 pm EDT"
_DMY = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
_MDY = re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>(?:19|20)\d\d)\b" + _TIME, re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")


def _offset(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.strip()
    if tz.lower() in _TZ_NAMES:
        return timezone(timedelta(minutes=_TZ_NAMES[tz.lower()]))
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
        value = datetime(int(y), int(mo), int(d), hour, int(M), int(S or 0), tzinfo=_offset(tz))
    except (ValueError, TypeError):
        return None
    return value.isoformat()


def parse_date(value: str | None) -> str | None:
    """Parse one date string into ISO 8601, keeping its UTC offset when it has one.

    A bare date stays a date ("2023-06-18"); a time without an offset stays naive,
    because inventing the server's zone would be a guess.
    """
    value = clean_text(value)
    if not value or len(value) > 200:
        return None
    m = _ISO.search(value)
    if m:
        return _render(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["tz"])
    for pattern in (_DMY, _MDY):
        m = pattern.search(value)
        if m:
            month = _MONTHS[m["mon"].lower().rstrip(".")[:3]]
            return _render(m["y"], month, m["d"], m["H"], m["M"], m["S"], m["tz"], m["ampm"])
    m = _NUMERIC.search(value)
    if m:
        return _render(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["tz"], m["ampm"])
    if re.fullmatch(r"\d{10}(\d{3})?", value):  # Unix epoch seconds or milliseconds
        seconds = int(value[:10])
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
    return None


def date_from_url(url: str) -> str | None:
    """A date embedded in the URL path (/2023/06/18/ or 2023-06-18), as YYYY-MM-DD."""
    m = _URL_DATE.search(url or "")
    return _render(*m.groups()) if m else None


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|meta|byline", re.I)


def visible_dates(root) -> list[str]:
    """Dates shown on the page: ``<time datetime>`` first, then short date-like lines."""
    found: list[str] = []
    for el in root.iter("time"):
        value = parse_date(el.get("datetime")) or parse_date(node_text(el))
        if value and value not in found:
            found.append(value)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "time", "a"):
            continue
        if len(el) > 4:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        text = node_text(el)
        # Only short, date-dominated lines: a date inside prose is usually about an event.
        if not text or len(text) > 80 or not (_DATE_CLASS.search(marker) or len(text) < 40):
            continue
        value = parse_date(text)
        if value and value not in found:
            found.append(value)
    return found


_DIGIT = re.compile(r"\d")
_UPDATED = re.compile(r"updat|modif|edited|revised", re.I)
_OUTSIDE_STORY = ("nav", "footer", "aside")


def shown_dates(root) -> list[tuple[str, bool, bool]]:
    """Dates the page carries outside its metadata, in page order, as
    (ISO value, labelled as an update, readable in the text).

    ``<time>`` elements and short date lines (class "date"/"time"/..., or under 40
    characters). A ``<time>``'s ``datetime`` is used when its text names the same day
    (it is more precise); when they differ the text wins, since readers see the text and
    it is in the publisher's own zone.
    """
    found: list[tuple[str, bool, bool]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a", "noscript", "template"):
            continue
        if len(el) > 4 and el.tag != "time":
            continue
        if el.tag != "time":
            raw = el.text_content()  # cheap bound before the exact text: date lines are short
            if len(raw) > 300 or not _DIGIT.search(raw):
                continue
        marker = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        text = node_text(el)
        if el.tag == "time":
            attr = parse_date(el.get("datetime"))
            shown = parse_date(text) if len(text) <= 80 else None
            value = shown if shown and (not attr or shown[:10] != attr[:10]) else attr or shown
            readable = shown is not None
        else:
            # Only short, date-dominated lines: a date inside prose is usually about an event.
            if not text or len(text) > 80 or not (_DATE_CLASS.search(marker) or len(text) < 40):
                continue
            if el.find(".//time") is not None:
                continue  # the <time> inside says it better
            value, readable = parse_date(text), True
        if not value or any(a.tag in _OUTSIDE_STORY for a in el.iterancestors()):
            continue
        updated = bool(_UPDATED.search(text) or _UPDATED.search(marker))
        if (value, updated, readable) not in found:
            found.append((value, updated, readable))
    return found


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def agreeing_date(shown: list[tuple[str, bool, bool]], low: str, high: str, updated: bool = False,
                  slack_days: int = 0, readable: bool = False) -> str | None:
    """The first shown date between two anchors, of the kind asked for.

    Shown dates with a zone are compared as instants when the anchors have one (so
    "23 December, 5.30am AEDT" agrees with "22 December, 18:30 UTC"); the others by
    calendar day, from ``slack_days`` before the low anchor's day. ``readable`` asks
    for dates shown in the text only.
    """
    lo, hi = _day(low) - timedelta(days=slack_days), _day(high)
    lo_t, hi_t = _instant(low), _instant(high)
    for value, is_update, in_text in shown:
        if is_update != updated or (readable and not in_text):
            continue
        moment = _instant(value)
        if moment and lo_t and hi_t:
            if lo_t - timedelta(hours=1) <= moment <= hi_t + timedelta(hours=1):
                return value
        elif lo <= _day(value) <= hi:
            return value
    return None


def day_shift(value: str, days: int) -> str:
    return (_day(value) + timedelta(days=days)).isoformat()


def fallback_date(html: str, url: str) -> str | None:
    """htmldate's original-publication guess, for pages with no other date cue."""
    try:
        import htmldate

        return htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
    except Exception:  # a heuristic last resort must never fail the page
        return None

