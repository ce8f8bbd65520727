"""Article extraction quality and speed: our pipelines against trafilatura, same pages, same run.

Datasets come from ``../shared/datasets`` (relative to the repository root) and are never
copied into the repository; see that folder's README for where they come from and for
the metric:

- body: ``\\w+`` tokens, multisets of 4-token shingles, per-page precision and recall
  averaged over pages, F1 the harmonic mean of the two averages (the Scrapinghub/Zyte
  article-extraction benchmark's definition);
- title: exact match after lower-casing and keeping only ``\\w+`` tokens;
- date: same calendar day as the ground truth's ``YYYY-MM-DD`` (what the page says,
  so the day of the ISO string, not converted to UTC);
- authors: the same set of names, each normalised like titles; people: the same with the
  publication's own credits left out on both sides (``people_ok``: the sets disagree on
  whether "BBC News" on a page with no named author is its author).

Each title label is checked against the page's declared titles (``title_label_evidence``:
the <h1>, og:title, both, another declared title, or none), each date label against
its page (``date_label_evidence``: is the day a declared publication day or written on the
page, the declared modification day, the same month and day of another year, or nowhere),
and each author label against the credits the page declares (``author_label_evidence``:
people named, the publication only, or no author where the page declares its
publication, someone else or no one); the right titles, dates and authors are counted
per kind of label.

Labels that a set gives to the wrong page are given back before scoring
(``repair_swapped_labels``: two pages of one publisher whose raw HTML each holds the
other's labelled body, not its own, swap their labels; each pair swapped is printed).

Every set is split by publisher into a fixed *tune* half and *check* half (``split``):
the publisher names (fundus-eval: the file name before ``_<n>``; naeb-dev and
fundus-tests-dev: the ``site`` field) are sorted, and the publishers at even indices
(0, 2, 4, ...) form the tune half, those at odd indices the check half. Extraction rules
are written only from tune-half failures; the check half is the figure we quote.

Besides the scores, each half reports the pages each system *declined* (no article at
all), how many of ours trafilatura extracts with more than 100 words, and the *drastic*
decisions: pages whose body has more than one and a half times or less than half the
words of trafilatura's, with how often that helped or hurt body F1; and per step of our
body path (``pipelines.extraction.evidence``: app data, block choice, clean-up, declared
body, embedded JSON) the drastic changes it proposed, how many the safety net kept or
refused, and what each decision (keeping or refusing) did to that page's body F1. The app
data and the block choice are measured against trafilatura's own text of the whole page.

The baseline is trafilatura's default ``bare_extraction(html, url=..., with_metadata=True)``
on the same decoded HTML. Run ``python -m benchmarks.extraction`` (``--dump FILE`` writes
per-page results for studying failures); the table goes into the ``## Extraction`` section
of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.extraction.document import shingle_f1 as f1
from pipelines.extraction.document import shingle_precision_recall as precision_recall

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
RESULTS = REPO / "benchmarks" / "RESULTS.md"
SECTION = "## Extraction"


@dataclass
class Case:
    """One dataset page and its ground truth (fields the set does not label are None)."""

    dataset: str
    name: str
    url: str
    html: bytes
    body: str
    title: str | None = None
    date: str | None = None
    authors: list[str] | None = None
    publisher: str = ""
    half: str = ""  # "tune" or "check", see split()


@dataclass
class Output:
    body: str = ""
    title: str = ""
    date: str = ""
    authors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    declined: bool = False  # the system gave no article for the page
    decisions: list[dict] = field(default_factory=list)  # ours: the body path's steps (see decision_effect)


# ---------------------------------------------------------------- tune and check halves

HALVES = ("tune", "check")


def split(publishers) -> dict[str, str]:
    """{publisher: "tune" | "check"}: sorted names, even index tune, odd index check.

    Fixed by the names alone, so a page's half never depends on which pages are loaded
    or on the order they come in."""
    return {name: HALVES[i % 2] for i, name in enumerate(sorted(set(publishers)))}


def with_halves(cases: list[Case]) -> list[Case]:
    halves = split(c.publisher for c in cases)
    for case in cases:
        case.half = halves[case.publisher]
    return cases


# ---------------------------------------------------------------- datasets

def load_fundus(root: Path = DATASETS) -> list[Case]:
    folder = root / "fundus-eval"
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    cases = []
    for name, entry in sorted(truth.items()):
        body = entry["body"]
        paragraphs = ast.literal_eval(body) if isinstance(body, str) else body
        html = gzip.decompress((folder / "html" / name).read_bytes())
        publisher = re.sub(r"_\d+\.html\.gz$", "", name)
        cases.append(Case("fundus-eval", name, entry["url"], html, "\n\n".join(paragraphs), publisher=publisher))
    return with_halves(cases)


def _load_articles(dataset: str, authors_of, root: Path = DATASETS) -> list[Case]:
    """A set in the naeb-dev format: ``articles.json`` and ``html/<html_file>.html.gz``;
    the publisher is the ``site`` field. Labels given to the wrong page are put back
    (``repair_swapped_labels``)."""
    import sys

    folder = root / dataset
    cases = []
    for entry in json.loads((folder / "articles.json").read_text(encoding="utf-8")):
        html = gzip.decompress((folder / "html" / f"{entry['html_file']}.html.gz").read_bytes())
        cases.append(Case(dataset, entry["html_file"], entry["link"], html, entry["text"] or "",
                          entry["title"] or "", entry["date"] or "", authors_of(entry), publisher=entry["site"]))
    for a, b in repair_swapped_labels(cases):
        print(f"{dataset}: the labels of {a} and {b} belong to each other's page; swapped back", file=sys.stderr)
    return with_halves(cases)


# ---------------------------------------------------------------- labels given to the wrong page
#
# fundus-tests-dev gives two pages of one publisher each other's labels: the page at the
# entry's ``link`` (its HTML) is one story, the entry's text, title, date and authors are
# the other's. Both systems then "fail" on both pages. A label belongs to a page when the
# page's raw text (HTML with the tags taken out, never our extractor) holds its body.

LABELS = ("body", "title", "date", "authors")
_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"\W+")


def label_fit(case: Case, text: str, samples: int = 40) -> float:
    """The share of (up to ``samples``, evenly spread) 4-token shingles of ``case``'s
    labelled body that ``text`` (a page's ``raw_words``) holds."""
    body = tokens(case.body)
    starts = range(max(0, len(body) - 3))
    picked = starts[::max(1, len(starts) // samples)]
    return sum(f" {' '.join(body[i:i + 4])} " in text for i in picked) / len(picked) if picked else 1.0


def _holds_longest_words(case: Case, n: int = 10) -> bool:
    longest = sorted(set(tokens(case.body)), key=lambda w: (-len(w), w))[:n]
    raw = case.html.decode("utf-8", "replace").lower()  # a word written with entities sends the page on
    return all(word in raw for word in longest)


def raw_words(page: Case) -> str:
    """The page's HTML with the tags taken out, as space-separated tokens (with a space at each end)."""
    return f" {_NON_WORD.sub(' ', _TAG.sub(' ', html_text(page.html)).lower()).strip()} "


def repair_swapped_labels(cases: list[Case], low: float = 0.5, high: float = 0.9) -> list[tuple[str, str]]:
    """Swap the labels of two pages of one publisher when each page holds less than ``low``
    of its own labelled body and at least ``high`` of the other's; the pairs swapped."""
    texts: dict[int, str] = {}

    def text(case: Case) -> str:
        if id(case) not in texts:
            texts[id(case)] = raw_words(case)
        return texts[id(case)]

    swapped: list[tuple[str, str]] = []
    # A page whose raw HTML holds its body's ten longest words holds its body: only the
    # others are read word by word (the whole check takes seconds per set).
    misfits = [c for c in cases if not _holds_longest_words(c) and label_fit(c, text(c)) < low]
    paired: set[int] = set()
    for i, a in enumerate(misfits):
        for b in misfits[i + 1:]:
            if id(a) in paired or id(b) in paired or a.publisher != b.publisher:
                continue
            if label_fit(a, text(b)) >= high and label_fit(b, text(a)) >= high:
                paired |= {id(a), id(b)}
                for key in LABELS:
                    value = getattr(a, key)
                    setattr(a, key, getattr(b, key))
                    setattr(b, key, value)
                swapped.append((a.name, b.name))
                break
    return swapped


def load_naeb(root: Path = DATASETS) -> list[Case]:
    """``authors`` is a comma-separated string."""
    return _load_articles("naeb-dev", lambda e: [a.strip() for a in (e.get("authors") or "").split(",") if a.strip()],
                          root)


def load_fundus_tests(root: Path = DATASETS) -> list[Case]:
    """Fundus's parser test pages; ``authors`` is a list, the body ``text`` (without the
    standfirst, which is our summary)."""
    return _load_articles("fundus-tests-dev", lambda e: [a.strip() for a in e.get("authors") or [] if a.strip()],
                          root)


LOADERS = {"fundus-eval": load_fundus, "naeb-dev": load_naeb, "fundus-tests-dev": load_fundus_tests}


# ---------------------------------------------------------------- metric

def tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def norm_title(text: str | None) -> str:
    return " ".join(tokens(text))


def norm_authors(names: list[str]) -> list[str]:
    return sorted({norm_title(n) for n in names if norm_title(n)})


def title_ok(case: Case, out: Output) -> bool:
    return norm_title(out.title) == norm_title(case.title)


def date_ok(case: Case, out: Output) -> bool:
    return (out.date or "")[:10] == case.date


def authors_ok(case: Case, out: Output) -> bool:
    return norm_authors(out.authors) == norm_authors(case.authors or [])


# ---------------------------------------------------------------- house credits
#
# The sets disagree on whether the publication crediting itself is an author: naeb-dev
# leaves "The Independent", "Autoblog Staff" or "Al Jazeera" unlabelled (no author),
# fundus-tests-dev labels "Salzburger Nachrichten", "BBC News" or "Les Echos" as the
# author, on pages that declare them the same way (JSON-LD ``author``, meta ``author``).
# No extractor can meet both, so ``people_ok`` also compares the names with the house
# credits left out on both sides: a name is one when its letters start with a name the
# page gives itself (``og:site_name``, the JSON-LD publisher's name) or with a label of
# the page's host, read from the raw HTML and URL, never with our extractor.

_PUBLISHER = re.compile(r'"publisher"\s*:\s*\{[^{}]*?"name"\s*:\s*"([^"]+)"')
_HOST_WORDS = {"www", "com", "net", "org", "co", "news", "amp"}


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", (text or "").lower())


def house_names(case: Case) -> set[str]:
    """The names a page gives its publication, as letters: og:site_name, the JSON-LD
    publisher's name, the labels of its host (but the last and generic ones)."""
    from urllib.parse import urlsplit

    text = html_text(case.html)
    names = set(_meta_contents(text, "og:site_name")) | set(_PUBLISHER.findall(text))
    labels = (urlsplit(case.url).hostname or "").split(".")[:-1]
    names |= {label for label in labels if label not in _HOST_WORDS}
    return {key for key in map(_letters, names) if len(key) >= 3}


def is_house_credit(name: str, houses: set[str]) -> bool:
    """"BBC News", "Autoblog Staff", "The Independent": the publication credits itself."""
    key = re.sub(r"^the", "", _letters(name))
    return any(key.startswith(re.sub(r"^the", "", house)) for house in houses)


def people_ok(case: Case, out: Output, houses: set[str] | None = None) -> bool:
    """``authors_ok`` with the house credits left out of both lists (see above)."""
    houses = house_names(case) if houses is None else houses
    return (norm_authors([n for n in out.authors if not is_house_credit(n, houses)])
            == norm_authors([n for n in case.authors or [] if not is_house_credit(n, houses)]))


# ---------------------------------------------------------------- what the page says of its author label
#
# The same conflict, for authors: where the only credit a page declares is its own
# publication, naeb-dev labels no author and fundus-tests-dev labels the publication.
# Each author label is checked against the credits the page declares (JSON-LD or other
# embedded ``"author"``/``"creator"`` values, meta name=author), read from the raw HTML
# with the house names above, never with our extractor:
#
# - "names": the label credits someone besides the publication;
# - "the publication": the label credits only the publication (``is_house_credit``);
# - "none; the publication declared": no label, and the page declares only its publication;
# - "none; others declared": no label, and the page declares someone else (an agency, a person);
# - "none; none declared": no label, and the page declares no author;
# - "unlabelled": the set labels no authors (fundus-eval).

_DECLARED_AUTHOR = re.compile(r'"(?:author|creator)"\s*:\s*(?=["\[{])')


def _credit_names(value) -> list[str]:
    """The names in a declared author value: a string, {"name": ...}, or a list of them."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [name for item in value for name in _credit_names(item)]
    if isinstance(value, dict):
        return _credit_names(value.get("name"))
    return []


def declared_credits(case: Case) -> list[str]:
    """The author names the page declares: embedded JSON "author"/"creator" values and meta name=author."""
    raw = case.html.decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    names: list[str] = []
    for match in _DECLARED_AUTHOR.finditer(raw):
        try:
            value, _ = decoder.raw_decode(raw, match.end())
        except ValueError:
            continue
        names += _credit_names(value)
    names += [n for n in _meta_contents(html_text(case.html), "author") if n.strip()]
    return names


def author_label_evidence(case: Case) -> str:
    """The kind of author label (see the comment above)."""
    if case.authors is None:
        return "unlabelled"
    houses = house_names(case)
    labelled = [n for n in case.authors if norm_title(n)]
    if labelled:
        return "the publication" if all(is_house_credit(n, houses) for n in labelled) else "names"
    declared = [n for n in declared_credits(case) if norm_title(n)]
    if not declared:
        return "none; none declared"
    if all(is_house_credit(n, houses) for n in declared):
        return "none; the publication declared"
    return "none; others declared"


# ---------------------------------------------------------------- what the page says of its date label
#
# The date labels are checked against the page itself, with plain patterns over the raw
# HTML and the URL, never with our extractor (which would make the check circular):
#
# - "supported": the labelled day is a declared publication day (datePublished,
#   article:published_time, the URL's date), or else is written on the page (ISO, numeric
#   or English words) and is not its declared modification day;
# - "other year": the page never writes the labelled day, but it declares or its URL shows
#   a publication on the same month and day of another year;
# - "modified": the labelled day is the page's declared modification day (dateModified,
#   article:modified_time) and none of its declared publication days;
# - "absent": the labelled day appears nowhere on the page;
# - "unlabelled": the page has no date label.

_MONTHS = ("january february march april may june july august september october november december").split()
_STAMP = r"(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
_PUBLISHED = re.compile(
    r'(?:"(?:datePublished|dateCreated)"\s*:\s*"|(?:published_time|pubdate|publish[-_]?date)"?\s+content=")'
    + _STAMP, re.I)
_MODIFIED = re.compile(r'(?:"dateModified"\s*:\s*"|modified_time"?\s+content=")' + _STAMP, re.I)
_URL_DAY = re.compile(r"/(20\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")


def _day_patterns(day: str) -> re.Pattern:
    """The ways a page may write the day ``YYYY-MM-DD``: ISO, numeric, and English words."""
    y, m, d = day.split("-")
    mi, di = int(m), int(d)
    month = _MONTHS[mi - 1]
    name = rf"(?:{month}|{month[:3]}\.?|{month[:4]}\.?)"
    dd = rf"0?{di}(?:st|nd|rd|th)?"
    sep = r"[-/.]"
    forms = [
        rf"{y}{sep}0?{mi}{sep}0?{di}(?!\d)", rf"(?<!\d)0?{mi}/0?{di}/{y}", rf"(?<!\d)0?{di}\.0?{mi}\.{y}",
        rf"{y}{m}{d}(?!\d)",
        rf"\b{name}\s+{dd},?\s+{y}", rf"(?<!\d){dd}\s+(?:of\s+)?{name},?\s+{y}",
    ]
    return re.compile("|".join(forms), re.I)


def _days(stamp: str) -> set[str]:
    """The day a timestamp names, and its UTC day when it has an offset."""
    from datetime import datetime, timezone

    days = {stamp[:10]}
    try:
        moment = datetime.fromisoformat(stamp.replace(" ", "T"))
    except ValueError:
        return days
    if moment.tzinfo is not None:
        days.add(moment.astimezone(timezone.utc).date().isoformat())
    return days


def date_label_evidence(case: Case) -> str:
    """"supported", "other year", "modified", "absent" or "unlabelled": see the comment above."""
    if not case.date:
        return "unlabelled"
    text = html_text(case.html)
    published = {day for stamp in _PUBLISHED.findall(text) for day in _days(stamp)}
    published |= {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _URL_DAY.findall(case.url)}
    modified = {day for stamp in _MODIFIED.findall(text) for day in _days(stamp)}
    if case.date in published:
        return "supported"
    if case.date in modified:
        return "modified"
    written = _day_patterns(case.date)
    if written.search(text) or written.search(case.url):
        return "supported"
    if any(p[4:] == case.date[4:] for p in published):
        return "other year"
    return "absent"


def html_text(raw: bytes) -> str:
    import html as htmlmod

    return htmlmod.unescape(raw.decode("utf-8", "replace")).replace("\\/", "/")


# ---------------------------------------------------------------- what the page says of its title label
#
# The sets label titles by different conventions: naeb-dev labels the headline the page
# shows (its <h1>), fundus-tests-dev what Fundus's parser for the publisher reads (for
# some publishers og:title, for others the JSON-LD headline). Where the page's og:title
# and its <h1> differ, no extractor can meet both. Each title label is checked against
# the page's declared titles with plain patterns over the raw HTML, never our extractor:
#
# - "h1 = og:title": the label is the page's <h1> and its og:title;
# - "h1, og:title differs" / "og:title, h1 differs": the label is one of the two, the
#   other (an <h1> of three words or more, or the og:title) says something else;
# - "h1 only" / "og:title only": the label is one of the two and the page has no other
#   (no og:title; no <h1> of three words or more);
# - "other declared title": the JSON-LD headline, twitter:title or <title> only;
# - "nowhere": none of these; "unlabelled": no title label.
#
# A declared title matches when it is the label, or the label and a part set off by a
# separator (" | Site", "Section: ", or in the <h1> an element of its own): the label's
# words open or close it at a separator.

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_HEAD_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_JSONLD_HEADLINE = re.compile(r'"headline"\s*:\s*"((?:[^"\\]|\\.)*)"')
_TITLE_SEPARATOR = re.compile(r"\s[|\-–—·/»«›:]\s|[|｜：ㅣ]|: ")


def _meta_contents(text: str, name: str) -> list[str]:
    pattern = (rf'<meta[^>]+(?:property|name)=["\']{name}["\'][^>]*content=["\']([^"\']*)'
               rf'|<meta[^>]+content=["\']([^"\']*)["\'][^>]*(?:property|name)=["\']{name}["\']')
    return [a or b for a, b in re.findall(pattern, text, re.I)]


def _title_forms(declared: str) -> set[str]:
    """The declared title and its parts before or after each separator, normalised."""
    parts = _TITLE_SEPARATOR.split(declared)
    forms = {norm_title(declared)}
    forms |= {norm_title(" ".join(parts[:i])) for i in range(1, len(parts))}
    forms |= {norm_title(" ".join(parts[i:])) for i in range(1, len(parts))}
    return forms - {""}


def _json_string(body: str) -> str:
    """A JSON string literal's value (its text between the quotes), as written when it does not parse."""
    try:
        return json.loads(f'"{body}"')
    except ValueError:  # "\'" and other escapes JSON does not have, raw control characters
        return body


def title_label_evidence(case: Case) -> str:
    """The kind of title label (see the comment above)."""
    label = norm_title(case.title)
    if not label:
        return "unlabelled"
    text = html_text(case.html)
    h1s = [_TAG.sub(" | ", h) for h in _H1.findall(text)]  # a kicker in an element of its own is set off too
    ogs = _meta_contents(text, "og:title")
    in_h1 = any(label in _title_forms(h) for h in h1s)
    in_og = any(label in _title_forms(o) for o in ogs)
    if in_h1 and in_og:
        return "h1 = og:title"
    if in_h1:
        return "h1, og:title differs" if ogs else "h1 only"
    if in_og:
        return "og:title, h1 differs" if any(len(tokens(h)) >= 3 for h in h1s) else "og:title only"
    others = _meta_contents(text, "twitter:title") + _HEAD_TITLE.findall(text)
    others += [_json_string(h) for h in _JSONLD_HEADLINE.findall(text)]
    return "other declared title" if any(label in _title_forms(o) for o in others) else "nowhere"


# ---------------------------------------------------------------- the two systems

def _page(case: Case):
    from newscrawl.items import Page

    return Page(url=case.url, request_url=case.url, status=200, headers=[("Content-Type", "text/html")],
                body=case.html, fetched_at="2024-01-01T00:00:00Z")


def run_ours(case: Case) -> Output:
    from pipelines.extraction import extract_or_reason

    page = _page(case)
    trace: list = []
    start = time.perf_counter()
    article = extract_or_reason(page, trace=trace)
    seconds = time.perf_counter() - start
    decisions = [{"step": d.step, "before": d.before, "after": d.after, "kept": d.kept, "evidence": d.evidence}
                 for d in trace]
    if isinstance(article, str):
        return Output(seconds=seconds, declined=True, decisions=decisions)
    return Output(article.body or "", article.title or "", (article.published or "")[:10],
                  list(article.authors), seconds, decisions=decisions)


def run_trafilatura(case: Case) -> Output:
    import trafilatura

    from pipelines.extraction import decode_html

    page = _page(case)
    start = time.perf_counter()
    html = decode_html(page)  # the same decoding we use, so only extraction differs
    doc = trafilatura.bare_extraction(html, url=case.url, with_metadata=True)
    seconds = time.perf_counter() - start
    if doc is None:
        return Output(seconds=seconds, declined=True)
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in (d.get("author") or "").split(";") if a.strip()]
    return Output(d.get("text") or "", d.get("title") or "", (d.get("date") or "")[:10], authors, seconds)


SYSTEMS = {"newscrawl": run_ours, "trafilatura": run_trafilatura}
# newspaper4k and news-please run in a venv of their own (benchmarks/baselines.py).
BASELINES_PYTHON = REPO / ".venv" / "baselines" / "bin" / "python"
BASELINES = ("newspaper4k", "news-please")


def run_baselines(cases: list[Case], python: Path = BASELINES_PYTHON) -> dict[str, list[Output]]:
    """newspaper4k and news-please on the cases, {} when their venv is not there."""
    import subprocess
    import sys

    from pipelines.extraction import decode_html

    if not python.exists():
        print(f"{python} not found (make baselines): newspaper4k and news-please not compared", file=sys.stderr)
        return {}
    pages = "".join(json.dumps({"key": c.name, "url": c.url, "html": decode_html(_page(c))}) + "\n" for c in cases)
    done = subprocess.run([str(python), str(REPO / "benchmarks" / "baselines.py")], input=pages,
                          capture_output=True, text=True, check=True)
    found: dict[tuple[str, str], Output] = {}
    for line in done.stdout.splitlines():
        out = json.loads(line)
        found[(out["system"], out["key"])] = Output(out["body"], out["title"], out["date"], out["authors"],
                                                    out["seconds"], declined=not out["body"])
    return {system: [found.get((system, c.name), Output(declined=True)) for c in cases] for system in BASELINES}


# ---------------------------------------------------------------- scoring

LONG = 100  # words: a page trafilatura extracts this long is an article we must not decline
DRASTIC = 0.5  # a body more than (1 + DRASTIC) or less than (1 - DRASTIC) times trafilatura's words


def words(text: str | None) -> int:
    return len(tokens(text))


def drastic(ours: Output, base: Output) -> bool:
    """Our body has more than half as many words again as trafilatura's, or less than half."""
    n, b = words(ours.body), words(base.body)
    return n > (1 + DRASTIC) * b or n < (1 - DRASTIC) * b


def drastic_effect(cases: list[Case], ours: list[Output], base: list[Output]) -> dict:
    """The pages where our body differs drastically from trafilatura's, and what it did to body F1."""
    deltas = [f1(o.body, c.body) - f1(b.body, c.body)
              for c, o, b in zip(cases, ours, base) if drastic(o, b)]
    return {
        "pages": len(deltas),
        "grown": sum(words(o.body) > words(b.body) for o, b in zip(ours, base) if drastic(o, b)),
        "better": sum(d > 0.01 for d in deltas),
        "worse": sum(d < -0.01 for d in deltas),
        "f1_change": round(sum(deltas) / len(cases), 4),  # their share of the half's mean page F1 change
    }


LOSS = 0.1  # body F1: a page this far below trafilatura's is a page we lose


def page_margins(cases: list[Case], ours: list[Output], base: list[Output]) -> dict:
    """How far each page's body F1 is from trafilatura's: the pages more than ``LOSS`` below
    and above it, and the worst page's difference (the issue-13 failure: few pages, lost badly)."""
    deltas = [f1(o.body, c.body) - f1(b.body, c.body) for c, o, b in zip(cases, ours, base)]
    return {"below": sum(d < -LOSS for d in deltas), "above": sum(d > LOSS for d in deltas),
            "worst": round(min(deltas), 3)}


def decision_effect(cases: list[Case], ours: list[Output], base: list[Output]) -> dict:
    """{step: counts} for the drastic changes our body path proposed (``evidence.STEPS``).

    A step's text before it is the previous step's (trafilatura's text of the whole page
    for the app data and the block choice). Each drastic proposal was kept or refused; ``better``/``worse``
    count the pages where that decision gave a body F1 more than 0.01 above/below the
    other choice, ``f1_change`` is the sum of those differences over the half's pages."""
    from pipelines.extraction.document import word_count
    from pipelines.extraction.evidence import STEPS
    from pipelines.extraction.evidence import drastic as drastic_words

    effect = {step: {"drastic": 0, "kept": 0, "refused": 0, "better": 0, "worse": 0, "f1_change": 0.0}
              for step in STEPS}
    for case, o, b in zip(cases, ours, base):
        for d in o.decisions:
            before = b.body if d["before"] is None else d["before"]
            if not drastic_words(word_count(before), word_count(d["after"])):
                continue
            e = effect[d["step"]]
            e["drastic"] += 1
            e["kept" if d["kept"] else "refused"] += 1
            chosen, other = (d["after"], before) if d["kept"] else (before, d["after"])
            delta = f1(chosen, case.body) - f1(other, case.body)
            e["better"] += delta > 0.01
            e["worse"] += delta < -0.01
            e["f1_change"] += delta / len(cases)
    for e in effect.values():
        e["f1_change"] = round(e["f1_change"], 4)
    return effect


def score(cases: list[Case], outputs: list[Output], labels: list[str] | None = None,
          base: list[Output] | None = None, title_labels: list[str] | None = None,
          author_labels: list[str] | None = None) -> dict:
    """Body, and for labelled sets title/date/authors; ``labels``: each case's ``date_label_evidence``,
    ``title_labels``: its ``title_label_evidence``, ``author_labels``: its ``author_label_evidence``;
    ``base``: trafilatura's outputs, for the declined pages it extracts at length."""
    pairs = [precision_recall(o.body, c.body) for c, o in zip(cases, outputs)]
    precision = sum(p for p, _ in pairs) / len(pairs)
    recall = sum(r for _, r in pairs) / len(pairs)
    result = {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall) if precision + recall else 0.0, 4),
        "seconds_per_page": round(sum(o.seconds for o in outputs) / len(outputs), 5),
        "declined": sum(o.declined for o in outputs),  # no article for the page
        "empty": sum(not o.body for o in outputs),  # no article, or no text
    }
    if base is not None:
        result["declined_long"] = sum(o.declined and words(b.body) > LONG for o, b in zip(outputs, base))
    if cases[0].title is not None:
        for key, ok in (("title", title_ok), ("date", date_ok), ("authors", authors_ok), ("people", people_ok)):
            result[key] = round(sum(ok(c, o) for c, o in zip(cases, outputs)) / len(cases), 4)
        # Right dates per kind of label (see date_label_evidence).
        labels = labels if labels is not None else [date_label_evidence(c) for c in cases]
        result["date_right_by_label"] = right = _right_by_label(labels, cases, outputs, date_ok)
        supported = labels.count("supported")
        result["date_supported"] = round(right.get("supported", 0) / supported, 4) if supported else None
        # Right titles per kind of label (see title_label_evidence).
        title_labels = title_labels if title_labels is not None else [title_label_evidence(c) for c in cases]
        result["title_right_by_label"] = _right_by_label(title_labels, cases, outputs, title_ok)
        # Right authors per kind of label (see author_label_evidence).
        author_labels = author_labels if author_labels is not None else [author_label_evidence(c) for c in cases]
        result["authors_right_by_label"] = _right_by_label(author_labels, cases, outputs, authors_ok)
    return result


def _right_by_label(kinds: list[str], cases: list[Case], outputs: list[Output], ok) -> dict[str, int]:
    """{kind of label: pages of that kind the system gets right by ``ok``}."""
    right: Counter = Counter()
    for kind, c, o in zip(kinds, cases, outputs):
        right[kind] += ok(c, o)
    return dict(right)


def score_half(cases: list[Case], outputs: dict[str, list[Output]], labels: list[str] | None,
               title_labels: list[str] | None = None, author_labels: list[str] | None = None) -> dict:
    """The scores of every system on some pages, with our drastic decisions against trafilatura."""
    entry: dict = {"pages": len(cases), "publishers": len({c.publisher for c in cases}), "systems": list(outputs)}
    if labels is not None:
        entry["date_labels"] = dict(Counter(labels).most_common())
        title_labels = title_labels if title_labels is not None else [title_label_evidence(c) for c in cases]
        entry["title_labels"] = dict(Counter(title_labels).most_common())
        author_labels = author_labels if author_labels is not None else [author_label_evidence(c) for c in cases]
        entry["author_labels"] = dict(Counter(author_labels).most_common())
    base = outputs["trafilatura"]
    entry.update({key: score(cases, outs, labels, base, title_labels, author_labels) for key, outs in outputs.items()})
    entry["drastic"] = drastic_effect(cases, outputs["newscrawl"], base)
    entry["margins"] = page_margins(cases, outputs["newscrawl"], base)
    entry["decisions"] = decision_effect(cases, outputs["newscrawl"], base)
    entry["time_ratio"] = round(entry["newscrawl"]["seconds_per_page"] / entry["trafilatura"]["seconds_per_page"], 3)
    return entry


def run(datasets: tuple[str, ...] = tuple(LOADERS), dump: str | None = None, write: bool = True,
        halves: tuple[str, ...] = HALVES, baselines: bool = True,
        limit: int | None = None) -> dict:
    """Score the systems on each dataset and half: {dataset: {half: {pages, newscrawl, trafilatura, ...}}}."""
    import pipelines.extraction  # noqa: F401  (import cost and logger setup outside the timings)

    if not DATASETS.is_dir():
        raise SystemExit(f"datasets not found at {DATASETS}")
    results: dict = {}
    per_page: dict = {}
    for name in datasets:
        cases = [c for c in LOADERS[name]() if c.half in halves]
        if limit:  # the first pages of each half only (make bench QUICK=1)
            cases = [c for half in halves for c in [c for c in cases if c.half == half][:limit]]
        # Warm both systems up once so one-off imports and model loads are not timed.
        for system in SYSTEMS.values():
            system(cases[0])
        # Interleaved page by page, so both systems run under the same machine load.
        outputs: dict[str, list[Output]] = {key: [] for key in SYSTEMS}
        for case in cases:
            for key, system in SYSTEMS.items():
                outputs[key].append(system(case))
        if baselines:
            outputs.update(run_baselines(cases))
        labels = [date_label_evidence(c) for c in cases] if cases[0].date is not None else None
        title_labels = [title_label_evidence(c) for c in cases] if cases[0].title is not None else None
        author_labels = [author_label_evidence(c) for c in cases] if cases[0].title is not None else None
        results[name] = {}
        for half in halves:
            index = [i for i, c in enumerate(cases) if c.half == half]
            results[name][half] = score_half(
                [cases[i] for i in index], {key: [outs[i] for i in index] for key, outs in outputs.items()},
                [labels[i] for i in index] if labels is not None else None,
                [title_labels[i] for i in index] if title_labels is not None else None,
                [author_labels[i] for i in index] if author_labels is not None else None)
        if dump:
            for i, case in enumerate(cases):
                per_page[f"{name}/{case.name}"] = {
                    "truth": {"url": case.url, "body": case.body, "title": case.title, "date": case.date,
                              "authors": case.authors, "publisher": case.publisher, "half": case.half},
                    **{key: outs[i].__dict__ for key, outs in outputs.items()},
                }
    if dump:
        Path(dump).write_text(json.dumps(per_page, ensure_ascii=False), encoding="utf-8")
    if write:
        write_results(results)
    return results


# ---------------------------------------------------------------- RESULTS.md

def _by_half(results: dict):
    """(set, half, entry) for every scored half: the check halves first, then the tune halves."""
    for half in ("check", "tune"):
        for name, entry in results.items():
            if half in entry:
                yield name, half, entry[half]


def table(results: dict) -> str:
    import trafilatura

    from pipelines.extraction import EXTRACTOR_VERSION

    lines = [
        SECTION,
        "",
        f"`python -m benchmarks.extraction` — {EXTRACTOR_VERSION}; baseline trafilatura "
        f"{trafilatura.__version__} `bare_extraction` (defaults, with metadata) on the same decoded pages.",
        "",
        "**Tune and check halves.** Each set is split by publisher (`benchmarks/extraction.py`, `split`): "
        "publisher names sorted (fundus-eval: the file name before `_<n>`; naeb-dev, fundus-tests-dev: the "
        "`site` field), even indices (0, 2, …) the tune half, odd indices the check half. Extraction rules are "
        "written only from tune-half failures; **the check half is the figure we quote**.",
        "",
        "Body: 4-token shingle precision/recall averaged over pages, F1 of the averages. "
        "Title: exact after token normalisation; date: same day; authors: same set of names "
        "(fundus-eval labels body only); people: the same with the publication's own credits (names that "
        "start with its og:site_name, JSON-LD publisher or host name) left out on both sides, because "
        "naeb-dev leaves those unlabelled and fundus-tests-dev labels them as the author "
        "(`people_ok`). Labels a set gives to the wrong page are swapped back first (`repair_swapped_labels`: "
        "two pages of one publisher whose raw HTML each holds the other's labelled body and not its own, "
        "printed as the run loads the set). declined: pages the system gave no article for "
        f"(in brackets: of those, pages trafilatura extracts with more than {LONG} words). "
        "Time: seconds per page, one thread. "
        "newspaper4k and news-please (`benchmarks/baselines.py`, in `.venv/baselines` from "
        "`requirements-baselines.lock`) get the same decoded HTML; they run after the other two, "
        "so only newscrawl and trafilatura have comparable times.",
        "",
        "| set | half | pages (publishers) | system | body P | body R | body F1 | title | date | authors "
        "| people | declined | s/page |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, half, e in _by_half(results):
        for system in e["systems"]:
            r = e[system]
            cells = [f"{r[k]:.3f}" if k in r else "–" for k in ("title", "date", "authors", "people")]
            declined = f"{r['declined']}" + (f" ({r['declined_long']})" if r.get("declined") else "")
            strong = "**" if half == "check" and system == "newscrawl" else ""
            lines.append(f"| {name} | {half} | {e['pages']} ({e['publishers']}) | {system} | "
                         f"{r['precision']:.3f} | {r['recall']:.3f} | {strong}{r['f1']:.3f}{strong} | "
                         f"{' | '.join(cells)} | {declined} | {r['seconds_per_page']:.4f} |")
    lines.append("")
    ratios = ", ".join(f"{name} {half} {entry[half]['time_ratio']:.2f}×" for name, entry in results.items()
                       for half in entry)
    lines.append(f"Time ratio newscrawl / trafilatura: {ratios} (pages interleaved, so both run under the "
                 "same machine load).")
    lines += [
        "",
        f"**Drastic decisions**: pages where newscrawl's body has more than {1 + DRASTIC:g}× or less than "
        f"{1 - DRASTIC:g}× the words of trafilatura's (app data, block choice, clean-up, the declared or embedded body). "
        "better/worse: body F1 up/down by more than 0.01 against trafilatura's on that page; F1 change: "
        "their sum divided by the half's pages (their share of the half's mean per-page F1 change).",
        "",
        "| set | half | pages | drastic | of which grown | better | worse | F1 change |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, half, e in _by_half(results):
        d = e["drastic"]
        lines.append(f"| {name} | {half} | {e['pages']} | {d['pages']} | {d['grown']} | "
                     f"{d['better']} | {d['worse']} | {d['f1_change']:+.4f} |")
    lines += [
        "",
        f"**Page by page**: the pages whose body F1 is more than {LOSS:g} below (lost) or above (won) "
        "trafilatura's on the same page, and the worst page's difference.",
        "",
        "| set | half | pages | lost | won | worst page |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, half, e in _by_half(results):
        m = e["margins"]
        lines.append(f"| {name} | {half} | {e['pages']} | {m['below']} | {m['above']} | {m['worst']:+.3f} |")
    lines += [
        "",
        "**The safety net, per step** (`pipelines/extraction/evidence.py`): the drastic changes (more than "
        f"{1 + DRASTIC:g}× or less than {1 - DRASTIC:g}× the words) each step of our body path proposed, against "
        "the text before that step (for the app data and the block choice: trafilatura's text of the whole page); kept: with "
        "evidence beyond the rule that fired, refused: without (the text before the step stands). better/worse: "
        "that decision's body F1 more than 0.01 above/below the other choice's; F1 change: the sum of the "
        "differences divided by the half's pages. The app data and the block choice have no reference inside the "
        "extraction, so they are only counted.",
        "",
        "| set | half | step | drastic | kept | refused | better | worse | F1 change |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, half, e in _by_half(results):
        if "decisions" in e:
            for step, d in e["decisions"].items():
                lines.append(f"| {name} | {half} | {step} | {d['drastic']} | {d['kept']} | {d['refused']} | "
                             f"{d['better']} | {d['worse']} | {d['f1_change']:+.4f} |")
    lines.append("")
    for labels, right, intro in _KIND_TABLES:
        lines += _kind_table(results, labels, right, intro)
    for name, entry in results.items():
        for half, e in entry.items():
            if "date_labels" in e:
                lines += _date_label_table(f"{name}, {half} half", e)
    return "\n".join(lines).rstrip() + "\n"


def _kind_table(results: dict, labels: str, right: str, intro: str) -> list[str]:
    """Labels per kind (``entry[labels]``) and the fields each system gets right per kind (``entry[system][right]``)."""
    halves = [(name, half, e) for name, half, e in _by_half(results) if labels in e]
    if not halves:
        return []
    systems = halves[0][2]["systems"]
    lines = [intro, "", "| set | half | label | pages | " + " | ".join(systems) + " |",
             "| --- | --- | --- | ---: | " + " | ".join("---:" for _ in systems) + " |"]
    for name, half, e in halves:
        for kind, n in e[labels].items():
            cells = " | ".join(str(e[system][right].get(kind, 0)) for system in systems)
            lines.append(f"| {name} | {half} | {kind} | {n} | {cells} |")
    return lines + [""]


# The kinds of label tables: (label counts key, right-per-kind key, the table's introduction).
_KIND_TABLES = (
    ("title_labels", "title_right_by_label",
     "**Title labels**, checked against the page's declared titles by `title_label_evidence` (raw HTML, "
     "not our extractor): naeb-dev labels the `<h1>` readers see, fundus-tests-dev what Fundus's parser for "
     "the publisher reads (og:title for some, the JSON-LD headline for others). Where og:title and the `<h1>` "
     "differ, an extractor meets one set's labels or the other's. Cells: titles right of the pages of that "
     "kind."),
    ("author_labels", "authors_right_by_label",
     "**Author labels**, checked against the credits the page declares by `author_label_evidence` (JSON-LD "
     "and other embedded `author`/`creator` values, meta name=author; raw HTML, not our extractor): "
     "*names*: the label credits someone besides the publication; *the publication*: only the publication "
     "itself (see `people_ok`); *none; …*: no author labelled, and what the page declares. Where a page "
     "declares only its publication, naeb-dev labels no author and fundus-tests-dev the publication, so an "
     "extractor meets one set's labels or the other's. Cells: author lists right of the pages of that kind."),
)


def _date_label_table(what: str, entry: dict) -> list[str]:
    lines = [
        f"Date labels of {what}, checked against the page itself by `date_label_evidence`, and the dates "
        "each system gets right per kind of label:",
        "",
        "| label | pages | " + " | ".join(entry["systems"]) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in entry["systems"]) + " |",
    ]
    for kind, n in entry["date_labels"].items():
        cells = " | ".join(str(entry[system]["date_right_by_label"].get(kind, 0)) for system in entry["systems"])
        lines.append(f"| {kind} | {n} | {cells} |")
    labels = entry["date_labels"]
    contradicted = labels.get("other year", 0) + labels.get("absent", 0)
    accuracy = ", ".join(f"{system} {entry[system]['date_supported']:.3f}" for system in entry["systems"]
                         if entry[system]["date_supported"] is not None)
    lines += [
        "",
        f"Date accuracy on supported labels: {accuracy}. The {contradicted} labels the page contradicts "
        f"cap any extractor's date accuracy here at {(entry['pages'] - contradicted) / entry['pages']:.3f}.",
        "",
    ]
    return lines


def write_results(results: dict, path: Path | None = None) -> None:
    """Replace the ``## Extraction`` section of RESULTS.md (or ``BENCH_RESULTS``), leaving other sections alone."""
    from benchmarks.results import write_section

    write_section(SECTION, table(results), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=list(LOADERS), help="dataset(s); default all")
    parser.add_argument("--dump", help="write per-page outputs and truth to this JSON file")
    parser.add_argument("--half", choices=HALVES, help="one half only (for studying the tune half)")
    parser.add_argument("--no-baselines", action="store_true", help="newscrawl and trafilatura only")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args()
    whole = not (args.set or args.half or args.no_baselines)
    # RESULTS.md holds whole runs only: every set, both halves, every baseline.
    results = run(tuple(args.set or LOADERS), dump=args.dump, write=whole and not args.no_write,
                  halves=(args.half,) if args.half else HALVES, baselines=not args.no_baselines)
    for name, entry in results.items():
        for half, e in entry.items():
            ours, base = e["newscrawl"], e["trafilatura"]
            print(f"{name:17} {half:5} {e['pages']:4} body F1 {ours['f1']:.3f} vs {base['f1']:.3f}"
                  + "".join(f"  {k} {ours[k]:.3f} vs {base[k]:.3f}" for k in ("title", "date", "authors", "people")
                            if k in ours)
                  + f"  declined {ours['declined']} ({ours['declined_long']})  drastic {e['drastic']}"
                  f"  margins {e['margins']}  time {e['time_ratio']:.2f}x")
            for field, (labels, right, _) in zip(("title", "author"), _KIND_TABLES):
                if labels in e:
                    print(f"{'':23} {field} labels (pages: newscrawl, trafilatura right): " + ", ".join(
                        f"{kind} {n}: {ours[right].get(kind, 0)}, {base[right].get(kind, 0)}"
                        for kind, n in e[labels].items()))
            for step, d in e["decisions"].items():
                if d["drastic"]:
                    print(f"{'':23} {step}: {d}")


if __name__ == "__main__":
    main()
