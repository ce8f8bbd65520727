"""The stripped-markup benchmark (benchmarks/stripped.py): its page variants, on made-up pages of
two layouts, and one small run on the real sets."""

from __future__ import annotations

import re

import lxml.html
import pytest

from benchmarks.extraction import DATASETS, Case, _page
from benchmarks.stripped import VARIANTS, run, stripped, table
from pipelines.extraction import decode_html

_NEWS = """<!DOCTYPE html><html><head><meta charset="iso-8859-1"><title>Storm hits coast - The Gazette</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Storm hits coast"}</script></head>
<body><nav class="site-nav" role="navigation"><a href="/">Home</a></nav>
<main id="content"><article class="story story--lead" itemscope itemtype="https://schema.org/NewsArticle">
<header><h1 itemprop="headline" class="story__title">Storm hits coast</h1>
<a rel="author" class="byline" href="/author/jo">Jo Roe</a> <time datetime="2024-05-01">1 May</time></header>
<section class="story__body" data-component="body"><p aria-label="lead">The storm came ashore at dawn. Caf\u00e9s closed.</p>
<figure class="story__image"><img src="a.jpg" alt="waves"><figcaption>Waves</figcaption></figure></section>
</article><aside class="related">More</aside></main><footer class="site-footer">\u00a9 The Gazette</footer></body></html>"""

_BLOG = """<html lang="de"><head><title>Wahl: Ergebnis</title></head><body>
<div id="wrap" class="container"><section class="post post-42"><h2 class="entry-title">Wahl</h2>
<div class="entry-content" data-id="42"><p>Die W\u00e4hler haben entschieden.</p><p>Ein zweiter Absatz.</p></div>
</section><footer id="colophon">Impressum</footer></div></body></html>"""


def _case(html: str, encoding: str = "utf-8") -> Case:
    return Case("naeb-dev", "page", "https://news.test/story", html.encode(encoding), "")


def _root(case: Case):
    return lxml.html.document_fromstring(decode_html(_page(case)))  # by its declared charset


@pytest.mark.parametrize("html, encoding", [(_NEWS, "iso-8859-1"), (_BLOG, "utf-8")])
def test_every_variant_keeps_the_text_the_head_and_the_scripts(html, encoding):
    page = _case(html, encoding)
    shown = " ".join(lxml.html.document_fromstring(html).find("body").text_content().split())
    for variant, steps in VARIANTS.items():
        out = stripped(page, steps)
        root = _root(out)
        assert " ".join(root.find("body").text_content().split()) == shown, variant
        assert root.findtext(".//title") == lxml.html.document_fromstring(html).findtext(".//title")
        if variant != "no metadata":
            assert [s.text for s in root.iter("script")] == [
                s.text for s in lxml.html.document_fromstring(html).iter("script")]
        assert out.body == page.body and out.title == page.title  # the labels of the page as published


@pytest.mark.parametrize("html", [_NEWS, _BLOG])
def test_names_hashed_hashes_classes_and_ids_alike_and_drops_naming_attributes(html):
    root = _root(stripped(_case(html), VARIANTS["names hashed"]))
    original = lxml.html.document_fromstring(html)
    for before, after in zip(original.find("body").iter(), root.find("body").iter()):
        assert after.tag == before.tag  # the elements stay
        for attr in ("class", "id"):
            if before.get(attr):
                assert len(after.get(attr).split()) == len(before.get(attr).split())
                assert not set(before.get(attr).split()) & set(after.get(attr).split())
        assert not [a for a in after.attrib if a in ("rel", "role", "itemprop", "itemscope", "itemtype")
                    or a.startswith(("data-", "aria-"))]
    # Elements that shared a class still do: the structure is kept, the vocabulary is not.
    classes = [el.get("class") for el in root.iter() if el.get("class")]
    assert not any(re.search(r"story|entry|post|byline|nav|footer|related|content", c) for c in classes)


@pytest.mark.parametrize("html", [_NEWS, _BLOG])
def test_sectioning_as_div_leaves_no_sectioning_element_and_keeps_the_names(html):
    root = _root(stripped(_case(html), VARIANTS["sectioning as div"]))
    assert not list(root.iter("article", "main", "section", "header", "footer", "nav", "aside", "figure",
                              "figcaption", "time"))
    original = lxml.html.document_fromstring(html)
    assert sorted(el.get("class") for el in root.iter() if el.get("class")) == sorted(
        el.get("class") for el in original.iter() if el.get("class"))


def test_the_stripped_page_declares_utf8_once():
    out = stripped(_case(_NEWS, "iso-8859-1"), VARIANTS["both"])
    text = out.html.decode("utf-8")
    assert re.findall(r"charset=\"?([\w-]+)", text) == ["utf-8"]
    assert "Caf\u00e9s" in text and "\u00a9" in text


@pytest.mark.skipif(not DATASETS.is_dir(), reason="datasets not found")
def test_a_small_run_scores_every_variant_of_both_halves():
    results = run(("naeb-dev",), limit=1)
    for half in ("tune", "check"):
        assert list(results["naeb-dev"][half]) == list(VARIANTS)
        for entry in results["naeb-dev"][half].values():
            assert entry["pages"] == 1 and {"f1", "title", "declined"} <= set(entry["newscrawl"])
    text = table(results)
    assert text.startswith("## Extraction on stripped markup")
    assert text.count("| naeb-dev |") == 2 * len(VARIANTS)


_DECLARED = """<html><head><meta charset="utf-8"><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:type" content="article"><meta name="author" content="Jo Roe">
<meta property="article:published_time" content="2024-05-01T08:00:00Z"><title>Storm hits coast</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Storm hits coast"}</script>
<script id="__NEXT_DATA__" type="application/json">{"props":{}}</script><script>var shown = 1;</script></head>
<body><article itemscope itemtype="https://schema.org/NewsArticle"><h1 itemprop="headline">Storm hits coast</h1>
<p itemprop="articleBody">The storm came ashore at dawn.</p></article></body></html>"""


@pytest.mark.parametrize("html", [_DECLARED, _NEWS])
def test_no_metadata_leaves_only_what_the_page_shows(html):
    root = _root(stripped(_case(html), VARIANTS["no metadata"]))
    assert [m.attrib for m in root.iter("meta")] == [{"charset": "utf-8"}] * len(list(root.iter("meta")))
    assert not [s for s in root.iter("script") if "json" in (s.get("type") or "")]
    assert not [el for el in root.iter() if {"itemprop", "itemscope", "itemtype"} & set(el.attrib)]
    assert root.find(".//h1").text == "Storm hits coast" and root.findtext(".//title")
    if html is _DECLARED:
        assert [s.text for s in root.iter("script")] == ["var shown = 1;"]  # the page's own code stays
