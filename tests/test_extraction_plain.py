"""Pages without any structured data are articles: the classes of markup, each in two or more shapes.

No JSON-LD, no OpenGraph, no ``<article>``, no ``<h1>``; the headline is visible text, the
date is written in words, the byline is a label, the paragraphs are split at ``<br><br>``,
and the charset is only in the HTTP header.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from newscrawl.items import Page
from pipelines.extraction import extract_article, extract_or_reason
from pipelines.extraction.body import split_br_paragraphs

PARAS = [
    "The harbour authority said on Monday that the new breakwater would be finished two years late and over budget.",
    "Engineers found that the seabed was softer than the surveys had shown, and the foundations had to be redesigned.",
    "Fishermen, who have waited a decade for shelter from the winter storms, said they were disappointed but not surprised.",
]
HEADLINE = "Harbour breakwater two years late, authority admits"


def _page(body: str, title: str, charset: str = "utf-8", lang: str = "",
          url: str = "http://old.test/world/2023/06/19/breakwater.html") -> Page:
    doc = (f"<html{lang}><head><title>{title}</title></head><body>"
           '<table width="760"><tr><td width="120"><a href="/">Home</a><br><a href="/world/">World</a></td>'
           f'<td valign="top">{body}</td>'
           '<td width="200"><b>LATEST WORLD NEWS</b><br><a href="/world/a.html">A story about something else entirely</a>'
           '<br><a href="/world/b.html">Another story about something else</a></td></tr></table></body></html>')
    return Page(url=url, request_url="", status=200,
                headers=[("Content-Type", f"text/html; charset={charset}")], body=doc.encode(charset),
                fetched_at="2023-06-20T00:00:00Z")


LAYOUTS = {
    "font in a table cell": lambda head, date, byline, paras: (
        f'<font face="Arial" size="5"><b>{head}</b></font><br><font size="1">{date}</font><br>'
        f'<font size="2"><i>{byline}</i></font><br><br><font face="Times" size="3">' + "<br><br>\n".join(paras) + "</font>"),
    "div class=txt": lambda head, date, byline, paras: (
        f'<div class="headline">{head}</div><div class="dateline">{date}</div><div class="author">{byline}</div>'
        '<div class="txt">' + "<br />\n<br />\n".join(paras) + "</div>"),
    "bare cell, three <br>s": lambda head, date, byline, paras: (
        f"<span class=hl>{head}</span><br>{byline} &middot; {date}<br><br><br>" + "<br><br><br>".join(paras)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("title", [f"{HEADLINE} - The Old Paper", f"The Old Paper :: {HEADLINE}"])
def test_table_and_div_layouts_without_metadata_are_articles(layout, title):
    body = LAYOUTS[layout](HEADLINE, "Monday 19 June 2023", "Reporter: Anna Berg", PARAS)
    article = extract_article(_page(body, title), strict=True)
    assert article is not None, extract_or_reason(_page(body, title))
    assert article.title == HEADLINE
    assert article.body == "\n\n".join(PARAS)
    assert article.published == "2023-06-19"
    assert article.authors == ["Anna Berg"]


@pytest.mark.parametrize("byline, authors", [
    ("By Tom Hale", ["Tom Hale"]),
    ("Reporter: Anna Berg", ["Anna Berg"]),
    ("Written by Maria Lopez and Ken Ito", ["Maria Lopez", "Ken Ito"]),
    ("Correspondent: Linh Tran", ["Linh Tran"]),
])
def test_byline_labels(byline, authors):
    body = LAYOUTS["font in a table cell"](HEADLINE, "June 19, 2023", byline, PARAS)
    article = extract_article(_page(body, f"{HEADLINE} | The Old Paper"), strict=True)
    assert article is not None and article.authors == authors
    assert byline not in article.body


@pytest.mark.parametrize("shown, lang", [
    ("Monday 19 June 2023", ""),
    ("19 June 2023", ""),
    ("Monday, June 19, 2023", ""),
    ("June 19, 2023", ""),
    ("Montag, 19. Juni 2023", ' lang="de"'),
    ("lundi 19 juin 2023", ' lang="fr"'),
])
def test_dates_in_words_with_or_without_weekday(shown, lang):
    body = LAYOUTS["div class=txt"](HEADLINE, shown, "By Tom Hale", PARAS)
    article = extract_article(_page(body, f"{HEADLINE} - The Old Paper", lang=lang), strict=True)
    assert article is not None and article.published == "2023-06-19"


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1"])
def test_charset_only_in_the_http_header(charset):
    paras = [PARAS[0].replace("harbour authority", "Café owners’ association" if charset == "windows-1252"
                              else "Café owners' association"), *PARAS[1:]]
    body = LAYOUTS["font in a table cell"](HEADLINE, "19 June 2023", "By Tom Hale", paras)
    article = extract_article(_page(body, f"{HEADLINE} - The Old Paper", charset=charset), strict=True)
    assert article is not None and article.body.split("\n\n")[0] == paras[0]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_undated_story_that_shows_its_headline_is_an_article(layout):
    body = LAYOUTS[layout](HEADLINE, "", "By Tom Hale", PARAS)
    page = _page(body, f"{HEADLINE} - The Old Paper", url="http://old.test/world/breakwater-late.html")
    article = extract_article(page, strict=True)
    assert article is not None and article.title == HEADLINE and article.published is None
    assert article.body == "\n\n".join(PARAS)


def test_undated_prose_under_no_headline_is_declined_with_its_reason():
    body = LAYOUTS["div class=txt"](HEADLINE, "", "By Tom Hale", PARAS).replace(f'<div class="headline">{HEADLINE}</div>', "")
    page = _page(body, f"{HEADLINE} - The Old Paper", url="http://old.test/world/breakwater-late.html")
    assert extract_or_reason(page) == "no_date"


@pytest.mark.parametrize("markup", [
    '<td><a href="/a">One story</a><br><br><a href="/b">Another story</a><br><br><a href="/c">A third</a></td>',
    "<div>The Old Paper<br>1 High Street<br><br>Telephone 01234 567890<br><br>Fax 01234 567891</div>",
])
def test_link_lists_and_address_blocks_keep_their_shape(markup):
    tree = lxml_html.fromstring(f"<html><body>{markup}</body></html>")
    before = lxml_html.tostring(tree)
    split_br_paragraphs(tree)
    assert lxml_html.tostring(tree) == before
