"""Regressions on real pages for the title, author and date rules (``titles.py``, ``authors.py``,
``fields.py``): each class of markup a rule handles, on pages of two publishers at least.

Only pages of the tune half of ``../shared/datasets/fundus-tests-dev`` (``benchmarks.extraction.split``):
the check half is what the benchmark reports, so no rule is fitted to it. Nothing in the
extraction names these pages or their sites. Skipped when the datasets are absent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from benchmarks.extraction import load_fundus_tests, norm_authors, norm_title, run_ours

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason=f"datasets not found at {DATASETS}")


@lru_cache(maxsize=1)
def _cases() -> dict:
    return {case.name: case for case in load_fundus_tests(DATASETS)}


def _article(html_file: str):
    """The page through the one extraction function, as the benchmark runs it."""
    out = run_ours(_cases()[html_file])
    assert not out.declined, html_file
    return out


# html_file: the class of markup (two publishers per class)
TITLES = {
    "NTV_2024_08_05": "the only <h1> is in the breadcrumb; the headline readers see (og:title) is in an <h2>",
    "RheinischePost_2024_04_21": "the only <h1> is in the breadcrumb; kicker + headline <h2> reads as og:title",
    "DailyMaverick_2026_01_06": "JSON-LD headline and og:title agree against a reworded <h1>",
    "SportSchau_2024_04_25": "JSON-LD headline and og:title agree against the <h1>",
}
AUTHORS = {
    "LesothoTimes_2025_05_23": "a bold paragraph of names opens the story; the site credits itself in meta",
    "LesothoTimes_2025_11_24": "bold 'Name/Name' paragraph; 'By <site name> <date>' byline is the site",
    "Ilanga_2025_12_03": "bold capitals name opens the story; JSON-LD author is the site's account ('Ilanga D')",
}


# The same class with the page's <nav> made a <div> (``benchmarks.stripped``): the trail is a
# bare list, and its last step still does not pass for the headline.
BARE_TRAILS = {
    "RheinischePost_2024_04_21": "the <h1> ends an <ol> trail; kicker + headline <h2> reads as og:title",
    "WAZ_2025_09_10": "the <h1> ends a <ul> trail; the headline readers see is the JSON-LD headline",
}


# A date line's update label, in the page's language (``dates.is_update``): (the start of the
# line, whether its date, the line's first, is the update).
UPDATE_LINES = {
    "ElPais_2024_10_15": ("Actualizado:", True),
    "LesEchos_2024_07_18": ("Mis à jour le", True),
    "Expressen_2025_10_23": ("Uppdaterad kl", True),
    # the label is the second date's; the first, the one read, is the publication
    "ChunichiShimbun_2025_01_13": ("2025年1月14日 01時28分", False),
    "HankookIlbo_2025_05_15": ("입력 2025.05.15", False),
}


def test_regression_pages_are_in_the_tune_half():
    halves = {name: case.half for name, case in _cases().items()}
    assert {halves[name] for name in [*TITLES, *AUTHORS, *BARE_TRAILS, *UPDATE_LINES]} == {"tune"}


@pytest.mark.parametrize("html_file", sorted(UPDATE_LINES))
def test_an_update_label_in_the_pages_language(html_file):
    from benchmarks.extraction import html_text
    from pipelines.extraction.dates import _shown
    from pipelines.extraction.document import node_text, parse_html

    start, update = UPDATE_LINES[html_file]
    root = parse_html(html_text(_cases()[html_file].html))
    flags = {updated for _, updated, _, el in _shown(root, None, (), None) if node_text(el).startswith(start)}
    assert flags == {update}, html_file


@pytest.mark.parametrize("html_file", sorted(BARE_TRAILS))
def test_title_with_the_breadcrumb_out_of_its_nav(html_file):
    from benchmarks.stripped import stripped, strip_sectioning

    case = _cases()[html_file]
    out = run_ours(stripped(case, (strip_sectioning,)))
    assert norm_title(out.title) == norm_title(case.title), BARE_TRAILS[html_file]


@pytest.mark.parametrize("html_file", sorted(TITLES))
def test_title(html_file):
    assert norm_title(_article(html_file).title) == norm_title(_cases()[html_file].title), TITLES[html_file]


@pytest.mark.parametrize("html_file", sorted(AUTHORS))
def test_authors(html_file):
    assert norm_authors(_article(html_file).authors) == norm_authors(_cases()[html_file].authors), AUTHORS[html_file]
