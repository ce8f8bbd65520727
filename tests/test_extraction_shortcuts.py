"""The extraction's CPU shortcuts change no output: each class of input a shortcut skips
or remembers, in several shapes, reads as it did without the shortcut.

``benchmarks/extraction_cpu.py --against`` checks the same on every dataset page; these
are the edge cases a corpus may not hold: a date line whose year is split by zero-width
characters (``node_text`` drops them, so it is still a date), an epoch written in other
digits, bylines and dates read again from the caches, form controls parsed with the
element classes chosen in C.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from benchmarks.extraction_cpu import differences
from pipelines.extraction.authors import split_authors
from pipelines.extraction.dates import parse_date, shown_dates
from pipelines.extraction.document import parse_html

# zero-width space, BOM and soft hyphen: node_text drops them, the element's text_content keeps them
SPLIT_YEARS = ["17 May 2\u200b024", "17 May 20\ufeff24", "17 May 202\u00ad4", "2\u200b024-05-17"]


@pytest.mark.parametrize("line", SPLIT_YEARS)
def test_a_date_line_whose_year_is_split_by_invisible_characters_is_still_found(line):
    root = parse_html(f"<html><body><h1>Story</h1><p class=date>{line}</p><p>Text.</p></body></html>")
    assert [value for value, _, _ in shown_dates(root)] == ["2024-05-17"]


@pytest.mark.parametrize("text", ["<b>20</b>24 May 17", "May 17, 19 84", "no date here 1234"])
def test_lines_without_a_year_in_one_text_give_no_date(text):
    root = parse_html(f"<html><body><h1>Story</h1><p class=date>{text}</p></body></html>")
    assert shown_dates(root) == []


@pytest.mark.parametrize("value, expected", [
    ("1700000000", "2023-11-14T22:13:20+00:00"),
    ("1700000000123", "2023-11-14T22:13:20+00:00"),
    ("\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660", "2023-11-14T22:13:20+00:00"),  # Arabic-Indic
    ("17 May 1999", "1999-05-17"),
    ("Tuesday", None),
    ("12/05", None),
])
def test_epochs_and_years_in_any_digits(value, expected):
    assert parse_date(value) == expected
    assert parse_date(value) == expected  # a second time: from the cache


def test_a_remembered_date_keeps_its_reading():
    """The same text read day first and month first: two dates, each time."""
    for _ in range(2):
        assert parse_date("06/05/2023") == "2023-05-06"
        assert parse_date("06/05/2023", False) == "2023-06-05"


@pytest.mark.parametrize("byline, names", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Maria Garcia, Foreign Correspondent", ["Maria Garcia"]),
    ("", []),
])
def test_a_remembered_byline_gives_a_list_of_its_own(byline, names):
    first = split_authors(byline)
    first.append("Someone Else")  # a caller may extend the list it got
    assert split_authors(byline) == names
    assert split_authors(None) == []


@pytest.mark.parametrize("control", ["<input name=q value=x>", "<select><option>a</option></select>",
                                     "<textarea>t</textarea>", "<form action=/s><label>L</label></form>"])
def test_form_controls_parse_as_html_elements(control):
    root = parse_html(f"<html><body><p>Before</p>{control}<p>After</p></body></html>")
    assert all(isinstance(el, lxml_html.HtmlElement) for el in root.iter() if isinstance(el.tag, str))
    assert "Before" in root.text_content() and "After" in root.text_content()


def test_two_pages_of_one_url_are_compared_each_with_its_own():
    """A set may hold two pages of one URL: each is compared with its namesake by position."""
    mine = [{"corpus": "c", "url": "u", "output": {"title": "a"}}, {"corpus": "c", "url": "u", "output": {"title": "b"}}]
    assert differences(mine, [dict(e) for e in mine]) == []
    swapped = [mine[1], mine[0]]
    assert differences(mine, swapped) == ["c u: title differ", "c u: title differ"]
