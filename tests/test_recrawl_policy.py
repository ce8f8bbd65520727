"""The recrawl policy's rules alone (newscrawl.incremental.policy); test_incremental runs them in real crawls."""

from __future__ import annotations

import pytest

from newscrawl.incremental.policy import ARTICLE_ROLES, is_fresh, parse_duration
from newscrawl.incremental.state import Capture

NOW = 1_800_000_000.0


def capture(status: int = 200, age: float = 60.0) -> Capture:
    return Capture("http://a.test/story", "2027-01-15T08:00:00Z", status, "sha1:X", "w.warc.gz", 0, "<urn:x>",
                   NOW - age)


@pytest.mark.parametrize("stored, after, fresh", [
    (None, None, False),  # never archived
    (capture(status=404), None, False),  # archived, but not a page
    (capture(status=503), 3600.0, False),
    (capture(status=200), None, True),  # never fetched again
    (capture(status=301, age=10 ** 7), None, True),
    (capture(age=60), 3600.0, True),  # younger than RECRAWL_ARTICLES_AFTER
    (capture(age=7200), 3600.0, False),  # older: fetched again
])
def test_is_fresh(stored, after, fresh):
    assert is_fresh(stored, after, NOW) is fresh


@pytest.mark.parametrize("value, seconds", [
    (None, None), ("never", None), ("", None), (0, 0.0), (90, 90.0), ("30m", 1800.0), ("6h", 21600.0),
    ("2d", 172800.0), (" 1.5 h ", 5400.0),
])
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


def test_a_bad_duration_names_the_setting():
    with pytest.raises(ValueError, match="RECRAWL_ARTICLES_AFTER='soon'"):
        parse_duration("soon")


def test_only_article_links_are_judged():
    assert ARTICLE_ROLES == {"latest", "section_article"}
