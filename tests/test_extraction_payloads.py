"""The JSON a page ships for its scripts (``payloads``): Nuxt's devalue payload read as the tree
it stands for, and through it the story a Nuxt page ships (``rendered``, ``embedded``)."""

from __future__ import annotations

import json

import pytest

from newscrawl.items import Page
from pipelines.extraction import extract_or_reason
from pipelines.extraction.document import parse_html, shingle_f1
from pipelines.extraction.payloads import json_scripts, unflatten
from tests.test_extraction_rendered import ENGLISH, GERMAN, HEADLINE_DE, HEADLINE_EN, _head, _html


def devalue(value) -> list:
    """``value`` as devalue writes it (what Nuxt puts in __NUXT_DATA__): one flat array, every
    container holding the indexes of its values; the root state wrapped as Nuxt wraps it."""
    entries: list = [None]

    def add(v) -> int:
        index = len(entries)
        entries.append(None)
        if isinstance(v, dict):
            entries[index] = {k: add(x) for k, x in v.items()}
        elif isinstance(v, list):
            entries[index] = [add(x) for x in v]
        else:
            entries[index] = v
        return index

    entries[0] = ["ShallowReactive", add(value)]
    return entries


def test_unflatten_reads_typed_values_and_shared_objects():
    payload = [["Reactive", 1], {"a": 2, "b": 2, "when": 3, "tags": 4, "lookup": 7, "bare": 9, "gone": -1},
               {"x": 5}, ["Date", "2024-05-01T10:00:00.000Z"], ["Set", 5, 6], "one", "two",
               ["Map", 5, 6], "unused", ["null", "k", 6]]
    data = unflatten(payload)
    assert data["a"] is data["b"] == {"x": "one"}
    assert data["when"] == "2024-05-01T10:00:00.000Z" and data["tags"] == ["one", "two"]
    assert data["lookup"] == {"one": "two"} and data["bare"] == {"k": "two"} and data["gone"] is None


def test_unflatten_survives_a_cycle_and_bad_indexes():
    data = unflatten([{"self": 0, "far": 99, "flag": True}])
    assert data["self"] is data and data["far"] is None and data["flag"] is None  # True is no index
    assert unflatten({"not": "a payload"}) == {"not": "a payload"} and unflatten([]) == []


@pytest.mark.parametrize("attrs, unflattened", [
    ('type="application/json" id="__NUXT_DATA__" data-ssr="true"', True),
    ('type="application/json" data-nuxt-data="nuxt-app" data-ssr="true"', True),
    ('type="application/json" id="config"', False),  # another JSON array is read as written
])
def test_only_nuxts_payload_is_unflattened(attrs, unflattened):
    payload = devalue({"title": "T"})
    root = parse_html(f"<html><body><script {attrs}>{json.dumps(payload)}</script></body></html>")
    ((data, _),) = list(json_scripts(root, lambda text: True))
    assert (data == {"title": "T"}) if unflattened else data == payload


def _nuxt_page(shown: str, state: dict, headline: str) -> Page:
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{_head(headline)}</head><body>"
            f'<div id="__nuxt">{shown}</div><script type="application/json" id="__NUXT_DATA__" data-ssr="true">'
            f"{json.dumps(devalue(state), ensure_ascii=False)}</script></body></html>")
    url = "https://news.example.com/world/2024/05/01/bridges"
    return Page(url=url, request_url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")],
                body=html.encode("utf-8"), fetched_at="2024-05-01T12:00:00Z")


@pytest.mark.parametrize("headline, paragraphs", [(HEADLINE_EN, ENGLISH), (HEADLINE_DE, GERMAN)], ids=["en", "de"])
def test_a_nuxt_page_that_shows_a_spinner_is_read_from_its_payload(headline, paragraphs):
    state = {"data": {"story-bridges": {"title": headline, "body": _html(paragraphs)}}, "state": {}}
    trace: list = []
    article = extract_or_reason(_nuxt_page('<div class="spinner"></div>', state, headline), trace=trace)
    assert not isinstance(article, str), article
    assert shingle_f1(article.body, "\n\n".join(paragraphs)) > 0.95
    assert [d.step for d in trace if d.step == "app data"] == ["app data"]


@pytest.mark.parametrize("headline, paragraphs, n", [(HEADLINE_EN, ENGLISH, 2), (HEADLINE_DE, GERMAN, 1)],
                         ids=["en", "de"])
def test_a_nuxt_page_that_shows_its_first_paragraphs_is_completed_from_its_payload(headline, paragraphs, n):
    state = {"data": {"article": {"headline": headline,
                                  "blocks": [{"type": "paragraph", "text": p} for p in paragraphs]}}}
    shown = f"<article><h1>{headline}</h1>{_html(paragraphs[:n])}</article>"
    article = extract_or_reason(_nuxt_page(shown, state, headline))
    assert article.body == "\n\n".join(paragraphs)
