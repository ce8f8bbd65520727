"""The extraction benchmark's own logic (benchmarks/extraction.py), on made-up pages."""

from __future__ import annotations

import pytest

from benchmarks.extraction import Case, date_label_evidence


# ---------------------------------------------------------------- the benchmark's date-label check

def _labelled(date: str, html: str, url: str = "https://news.test/story"):
    return Case("naeb-dev", "page", url, html.encode(), "", "", date, [])


@pytest.mark.parametrize("date, html, url, kind", [
    ("2023-12-22", '{"datePublished":"2023-12-22T16:22:00Z"}', "https://news.test/story", "supported"),
    ("2023-12-22", "<p>Posted Dec. 22, 2023</p>", "https://news.test/story", "supported"),
    ("2023-12-22", "<p>nothing</p>", "https://news.test/2023/12/22/story", "supported"),
    ("2023-12-23", '{"datePublished":"2023-12-22T16:22:00Z","dateModified":"2023-12-23T05:39:00Z"}'
                   "<p>23 December 2023 05:39</p>", "https://news.test/story", "modified"),
    ("2023-08-27", '{"datePublished":"2022-08-27T10:00:00Z"}', "https://news.test/2022/08/story", "other year"),
    ("2023-03-19", "<p>nothing</p>", "https://news.test/2020/3/19/story", "other year"),
    ("2023-01-02", '{"datePublished":"2023-12-21T05:15:14Z"}', "https://news.test/story", "absent"),
    ("", "<p>June 1, 2023</p>", "https://news.test/story", "unlabelled"),
])
def test_date_label_evidence_reads_the_page_not_our_extractor(date, html, url, kind):
    assert date_label_evidence(_labelled(date, html, url)) == kind
