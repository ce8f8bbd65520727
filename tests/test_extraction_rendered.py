"""The story a page ships as data for its scripts (``rendered``), and the Next.js flight format (``flight``).

Each kind of page is built at least twice, with different frameworks, markup and languages:
a Next.js App Router page whose story is a flight text row or an HTML string in a client
component's props, a Pages Router page (``__NEXT_DATA__``), a JSON island.
"""

from __future__ import annotations

import base64
import json

import lxml.html
import pytest

from newscrawl.items import Page
from pipelines.extraction import extract_or_reason, flight, rendered
from pipelines.extraction.document import parse_html, shingle_f1

ENGLISH = [
    "The city council voted on Tuesday to close the northern bridges until the flood water falls, "
    "after engineers found cracks in two of the piers that carry the main road across the river.",
    "Residents of the riverside districts were told to expect detours for at least three weeks, and "
    "the transport authority said extra buses would run between the stations on both banks.",
    "The mayor said the repairs would be paid from the emergency fund, which the council topped up "
    "last spring after the storms that flooded the old town and the harbour warehouses.",
    "Engineers will inspect the remaining bridges over the weekend, and the council will publish "
    "their report before it meets again, the mayor's office said in a statement on Tuesday evening.",
]
GERMAN = [
    "Der Stadtrat hat am Dienstag beschlossen, die nördlichen Brücken zu sperren, bis das Hochwasser "
    "zurückgeht, nachdem Ingenieure Risse in zwei Pfeilern der Hauptstraße über den Fluss gefunden haben.",
    "Die Anwohner der Viertel am Ufer müssen mindestens drei Wochen lang mit Umleitungen rechnen, teilte "
    "die Verkehrsbehörde mit; zusätzliche Busse sollen zwischen den Bahnhöfen beider Ufer fahren.",
    "Die Reparaturen werden aus dem Notfallfonds bezahlt, den der Rat im vergangenen Frühjahr nach den "
    "Stürmen aufgestockt hatte, die die Altstadt und die Lagerhäuser am Hafen überflutet hatten.",
]
HEADLINE_EN = "Council closes the northern bridges after cracks are found"
HEADLINE_DE = "Stadtrat sperrt die nördlichen Brücken nach Rissen in den Pfeilern"
SPINNER = '<main><div class="spinner" aria-busy="true"></div></main>'


def _html(paragraphs) -> str:
    return "".join(f'<p class="body-p">{p}</p>' for p in paragraphs)


def _push(data: str) -> str:
    return f"<script>self.__next_f.push({json.dumps([1, data])})</script>"


def _text_row(row_id: str, text: str) -> str:
    return f"{row_id}:T{len(text.encode('utf-8')):x},{text}"


def _page(body: str, head: str = "", url: str = "https://news.example.com/world/2024/05/01/bridges") -> Page:
    html = f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return Page(url=url, request_url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")],
                body=html.encode("utf-8"), fetched_at="2024-05-01T12:00:00Z")


def _head(headline: str, site: str = "Daily") -> str:
    return (f"<title>{headline} | {site}</title><meta property='og:type' content='article'>"
            f"<meta property='og:site_name' content='{site}'>"
            f"<meta property='article:published_time' content='2024-05-01T09:00:00Z'>")


def _extract(page: Page):
    trace: list = []
    result = extract_or_reason(page, trace=trace)
    return result, [d for d in trace if d.step == "app data"]


def _app_router_text_row(headline: str, paragraphs, owner_title: str | None = None) -> str:
    """An App Router page whose client component sets a flight text row as the story's HTML."""
    story = f'<div class="editor">{_html(paragraphs)}<div class="writer">Jane Smith</div></div>'
    rows = ('1:"$Sreact.fragment"\n3:I[13578,["static/chunks/app.js"],"ArticleBody"]\n:HL["/font.woff2","font"]\n'
            + _text_row("2a", story)
            + json.dumps(["$", "$L3", None, {"article": {"id": "A1", "title": owner_title or headline,
                                                          "contentHtml": "$2a"}}]).join(["5:", "\n"]))
    half = len(rows) // 2  # the stream is cut anywhere, here inside a row
    return SPINNER + _push(rows[:half]) + _push(rows[half:])


def _app_router_props(headline: str, paragraphs) -> str:
    """An App Router page whose client component gets the story's HTML as a prop."""
    element = ["$", "$L7", None, {"story": {"headline": headline, "bodyHtml": _html(paragraphs)}}]
    return SPINNER + _push('7:I[4242,[],"Story"]\n') + _push("8:" + json.dumps(element, ensure_ascii=False) + "\n")


def _pages_router(headline: str, paragraphs) -> str:
    data = {"props": {"pageProps": {"story": {"headline": headline, "body": {"html": _html(paragraphs)}}}},
            "page": "/[section]/[slug]", "buildId": "b1"}
    return ('<div id="__next"><div class="loading"></div></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{_escaped(json.dumps(data))}</script>')


def _escaped(text: str) -> str:
    """JSON as Next.js writes it into a page: no "<", ">" or "&" in it (``htmlEscapeJsonString``)."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _json_island(headline: str, paragraphs) -> str:
    text = "<br><br>".join(paragraphs)
    data = {"item": {"name": headline, "text": text, "url": "/world/bridges"}}
    return f'<div id="app"></div><script type="application/json" data-island="story">{json.dumps(data)}</script>'


STORY_ONLY_IN_DATA = [
    pytest.param(_app_router_text_row, HEADLINE_EN, ENGLISH, id="app-router-text-row-en"),
    pytest.param(_app_router_text_row, HEADLINE_DE, GERMAN, id="app-router-text-row-de"),
    pytest.param(_app_router_props, HEADLINE_DE, GERMAN, id="app-router-props-de"),
    pytest.param(_app_router_props, HEADLINE_EN, ENGLISH, id="app-router-props-en"),
    pytest.param(_pages_router, HEADLINE_EN, ENGLISH, id="pages-router-en"),
    pytest.param(_json_island, HEADLINE_DE, GERMAN, id="json-island-de"),
]


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_a_story_the_page_ships_only_as_data_is_read(build, headline, paragraphs):
    article, decisions = _extract(_page(build(headline, paragraphs), _head(headline)))
    assert not isinstance(article, str), article
    assert shingle_f1(article.body, "\n\n".join(paragraphs)) > 0.95
    assert article.title == headline
    assert len(decisions) == 1 and decisions[0].before is None and decisions[0].kept


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_without_its_data_the_same_page_is_declined(build, headline, paragraphs, monkeypatch):
    monkeypatch.setattr(rendered, "_fragments", lambda root, table: iter(()))
    article, decisions = _extract(_page(build(headline, paragraphs), _head(headline)))
    assert isinstance(article, str) and not decisions


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_a_story_the_page_shows_is_not_added_again(build, headline, paragraphs):
    shown = f"<article><h1>{headline}</h1>{_html(paragraphs)}</article>"
    body = build(headline, paragraphs).replace(SPINNER, "")
    with_data, decisions = _extract(_page(shown + body, _head(headline)))
    alone, _ = _extract(_page(shown, _head(headline)))
    assert not decisions
    assert with_data.body == alone.body


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_html_held_with_another_headline_is_not_the_story(build, headline, paragraphs):
    other = "Ferry services resume on the southern lakes"
    article, decisions = _extract(_page(build(other, paragraphs), _head(headline)))
    assert isinstance(article, str) and not decisions


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_one_paragraph_is_not_a_story(build, headline, paragraphs):
    article, decisions = _extract(_page(build(headline, paragraphs[:1]), _head(headline)))
    assert not decisions


@pytest.mark.parametrize("build, headline, paragraphs", STORY_ONLY_IN_DATA)
def test_two_short_paragraphs_are_not_a_story(build, headline, paragraphs):
    short = ["The bridges are closed.", "Buses run instead on both banks."]
    article, decisions = _extract(_page(build(headline, short), _head(headline)))
    assert not decisions


def test_a_story_the_data_holds_twice_is_added_once():
    body = _app_router_props(HEADLINE_EN, ENGLISH) + _pages_router(HEADLINE_EN, ENGLISH).replace(
        '<div id="__next"><div class="loading"></div></div>', "")
    article, decisions = _extract(_page(body, _head(HEADLINE_EN)))
    assert len(decisions) == 1
    assert decisions[0].after.count(ENGLISH[0]) == 1 and article.body.count(ENGLISH[0]) == 1


def test_a_text_row_is_held_with_the_headline_its_object_declares():
    headline = HEADLINE_EN
    article, decisions = _extract(_page(_app_router_text_row(headline, ENGLISH, owner_title="Another story"),
                                        _head(headline)))
    assert isinstance(article, str) and not decisions


@pytest.mark.parametrize("depth, read", [(1, True), (2, True), (3, False)])
def test_the_headline_may_be_at_most_owner_depth_objects_up(depth, read):
    node: dict = {"html": _html(ENGLISH)}
    for _ in range(depth - 1):
        node = {"content": node}
    node["headline"] = HEADLINE_EN
    body = f'<div id="app"></div><script type="application/json">{json.dumps({"data": node})}</script>'
    article, decisions = _extract(_page(body, _head(HEADLINE_EN)))
    assert bool(decisions) is read


@pytest.mark.parametrize("value, headlines, expected", [
    ("Council closes the northern bridges", ["council closes the northern bridges daily"], True),  # site after it
    ("Council closes the northern bridges", ["world council closes the northern bridges"], True),  # section before
    ("Council closes the", ["council closes the northern bridges"], True),  # a shortened copy, three words
    ("Council closes", ["council closes the northern bridges"], False),  # two words say nothing
    ("Council closes the northern bridges", ["council closes"], False),
    ("長野県で大雨", ["長野県で大雨 北部の橋を通行止めに"], True),  # six characters of an unspaced script
    ("長野県で", ["長野県で大雨 北部の橋を通行止めに"], False),
    ("Council closes the northern bridges", ["ferry services resume on the lakes"], False),
    ("Council closes the northern", ["council closes the northern bridges after cracks"], True),
    ("Council closes the bridges", ["council closes the northern bridges"], False),  # not a cut copy
    ("長野県で大雨、北部の橋を通行止めに", ["長野県で大雨 北部の橋を通行止めに 毎日新聞"], True),
])
def test_a_headline_is_one_the_page_declares_whole_or_cut_at_one_end(value, headlines, expected):
    assert rendered._is_headline(value, [" ".join(h.split()) for h in headlines]) is expected


def test_streamed_head_tags_fill_in_what_the_head_lacks_and_do_not_override_it():
    rows = ('9:{"metadata":' + json.dumps([
        ["$", "title", "0", {"children": "Flight title | Daily"}],
        ["$", "meta", "1", {"name": "author", "content": "Flight Author"}],
        ["$", "meta", "2", {"property": "article:published_time", "content": "2024-04-30T08:00:00Z"}],
        ["$", "meta", "3", {"property": "og:title", "content": HEADLINE_EN}],
        ["$", "meta", "4", {"name": "robots"}],  # no content: nothing to add
    ]) + "}\n")
    root = parse_html(f"<html><head><meta name='Author' content='Page Author'></head><body>{_push(rows)}</body></html>")
    rendered.render(root, flight.rows(flight.payload(root)))
    head = root.find("head")
    assert [t.text for t in head.iter("title")] == ["Flight title | Daily"]
    assert [m.get("content") for m in head.iter("meta") if (m.get("name") or "").lower() == "author"] == ["Page Author"]
    assert head.xpath("meta[@property='article:published_time']/@content") == ["2024-04-30T08:00:00Z"]
    assert head.xpath("meta[@property='og:title']/@content") == [HEADLINE_EN]
    assert not head.xpath("meta[@name='robots']")


def test_a_page_with_a_title_keeps_it():
    rows = '9:[["$","title","0",{"children":"Flight title"}]]\n'
    root = parse_html(f"<html><head><title>Page title</title></head><body>{_push(rows)}</body></html>")
    rendered.render(root, flight.rows(flight.payload(root)))
    assert [t.text for t in root.iter("title")] == ["Page title"]


def test_streamed_head_tags_give_the_article_its_date_and_author():
    meta = json.dumps([["$", "meta", "1", {"name": "author", "content": "Jane Smith"}],
                       ["$", "meta", "2", {"property": "article:published_time", "content": "2024-04-30T08:00:00Z"}]])
    body = f"<article><h1>{HEADLINE_EN}</h1>{_html(ENGLISH)}</article>" + _push(f'9:{{"metadata":{meta}}}\n')
    article, _ = _extract(_page(body, "<meta property='og:type' content='article'>"))
    assert article.published.startswith("2024-04-30") and article.authors == ["Jane Smith"]


# ---------------------------------------------------------------- the flight format

def test_rows_read_text_rows_by_their_byte_length_and_skip_rows_with_nothing_to_read():
    text = "Zürich – 東京\n<p>two lines</p>"
    data = (f'0:["$","div",null,{{"children":"$1"}}]\n3:I[1,[],"X"]\n:HL["/a.css","style"]\n'
            f"{_text_row('1', text)}2:{{\"a\":1}}\nnot a row\n4:{{broken\n5:\"$$literal\"\n").encode("utf-8")
    table = flight.rows(data)
    assert table["1"] == text
    assert table["2"] == {"a": 1} and table["5"] == "$$literal"
    assert table["0"] == ["$", "div", None, {"children": "$1"}]
    assert set(table) == {"0", "1", "2", "5"}


def test_a_text_row_cut_short_by_a_torn_stream_is_what_is_there():
    assert flight.rows(b"1:T100,<p>only this</p>") == {"1": "<p>only this</p>"}


def test_payload_joins_data_pushes_in_order_and_reads_base64_ones():
    scripts = ("<script>self.__next_f.push([0])</script>"
               + _push('1:"one"\n2:')
               + f"<script>self.__next_f.push({json.dumps([3, base64.b64encode(b'[1,2]').decode()])});"
                 f"self.__next_f.push({json.dumps([1, chr(10) + '3:3' + chr(10)])})</script>"
               + "<script>self.__next_f.push([2, \"form state\"])</script>"
               + "<script>self.__next_f.push([1, broken])</script>")
    root = lxml.html.document_fromstring(f"<html><body>{scripts}</body></html>")
    data = flight.payload(root)
    assert data == b'1:"one"\n2:[1,2]\n3:3\n'
    assert flight.rows(data) == {"1": "one", "2": [1, 2], "3": 3}


def test_a_page_without_flight_scripts_has_no_payload():
    assert flight.payload(lxml.html.document_fromstring("<html><body><script>var a=1</script></body></html>")) == b""


def test_references_resolve_to_their_rows():
    table = {"1a": "text", "2": ["x"]}
    assert flight.resolve("$1a", table) == "text" and flight.resolve("$L2", table) == ["x"]
    assert flight.resolve("$3", table) == "$3" and flight.resolve("plain", table) == "plain"


def test_elements_finds_head_elements_at_any_depth_in_row_order():
    table = {"0": ["$", "div", None, {"children": [["$", "title", "t", {"children": "A"}]]}],
             "1": {"metadata": [["$", "meta", "m", {"name": "x", "content": "y"}], ["$", "link", "l", {}]]}}
    assert list(flight.elements(table, frozenset({"title", "meta"}))) == [
        ("title", {"children": "A"}), ("meta", {"name": "x", "content": "y"})]


@pytest.mark.parametrize("build, headline, paragraphs, n", [
    pytest.param(_pages_router, HEADLINE_EN, ENGLISH, 2, id="pages-router-en"),
    pytest.param(_json_island, HEADLINE_DE, GERMAN, 1, id="json-island-de"),
    pytest.param(_app_router_text_row, HEADLINE_EN, ENGLISH, 2, id="app-router-text-row-en"),
    pytest.param(_app_router_props, HEADLINE_DE, GERMAN, 1, id="app-router-props-de"),
])
def test_a_page_that_shows_the_first_paragraphs_is_completed_from_its_data(build, headline, paragraphs, n):
    # the data says half as much again as the page shows: the embedded-JSON step completes it
    shown = f"<article><h1>{headline}</h1>{_html(paragraphs[:n])}<p>Subscribe to read more.</p></article>"
    trace: list = []
    article = extract_or_reason(_page(shown + build(headline, paragraphs).replace(SPINNER, ""), _head(headline)),
                                trace=trace)
    assert article.body.startswith("\n\n".join(paragraphs))
    assert shingle_f1(article.body, "\n\n".join(paragraphs)) > 0.95
    assert [d.step for d in trace if d.step in ("app data", "embedded JSON")] == ["embedded JSON"]


# ---------------------------------------------------------------- parts React streams later in the same response

TEASERS = "".join(
    f"<li><a href='/world/{i}'><h3>Other story number {i} in the world today</h3></a><p>Teaser {i}: a different "
    f"event happened somewhere else, and officials there answered questions about it on Monday.</p></li>"
    for i in range(14))


def _streamed_page(headline: str, paragraphs, shape: str) -> str:
    """The story streamed after the shell, as React sends it, with a long visible list of teasers."""
    story = f'<div class="story-body">{_html(paragraphs)}</div>'
    more = f'<section class="more"><h2>More stories</h2><ul>{TEASERS}</ul></section>'
    if shape == "segment":  # a placeholder in the visible article, the segment at the end
        return (f"<main><article><h1>{headline}</h1><template id=\"P:2\"></template></article>{more}</main>"
                f'<div hidden id="S:2">{story}</div><script>$RS("S:2","P:2")</script>')
    if shape == "boundary":  # a Suspense boundary's fallback in the article, its content at the end
        return (f'<main><article><h1>{headline}</h1><template id="B:0"></template><div class="skeleton"></div>'
                f'</article>{more}</main><div hidden id="S:0">{story}</div>'
                '<script>$RC=function(b,c,e){};$RC("B:0","S:0")</script>')
    if shape == "styles":  # the same with the stylesheets it waits for
        return (f'<main><article><h1>{headline}</h1><template id="B:1"></template></article>{more}</main>'
                f'<div hidden id="S:1">{story}</div><script>$RR("B:1","S:1",[["/a.css","high"]])</script>')
    if shape == "external runtime":  # React's external runtime: instructions as template attributes
        return (f'<main><article><h1>{headline}</h1><template id="B:3"></template></article>{more}</main>'
                f'<div hidden id="S:3">{story}</div><template data-rci="" data-bid="B:3" data-sid="S:3"></template>')
    if shape == "external runtime segment":
        return (f'<main><article><h1>{headline}</h1><template id="P:6"></template></article>{more}</main>'
                f'<div hidden id="S:6">{story}</div><template data-rsi="" data-sid="S:6" data-pid="P:6"></template>')
    if shape == "nested":  # a boundary inside a streamed segment, its instruction first
        inner = f'<div hidden id="S:5">{_html(paragraphs[1:])}</div>'
        outer = f'<div hidden id="S:4"><div class="story-body">{_html(paragraphs[:1])}<template id="B:5"></template></div></div>'
        return (f'<main><article><h1>{headline}</h1><template id="P:4"></template></article>{more}</main>'
                f'{inner}{outer}<script>$RC("B:5","S:5")</script><script>$RS("S:4","P:4")</script>')
    raise ValueError(shape)


SHAPES = ["segment", "boundary", "styles", "external runtime", "external runtime segment", "nested"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("headline, paragraphs", [(HEADLINE_EN, ENGLISH), (HEADLINE_DE, GERMAN)], ids=["en", "de"])
def test_a_story_react_streamed_later_is_read_where_the_page_shows_it(shape, headline, paragraphs):
    article, _ = _extract(_page(_streamed_page(headline, paragraphs, shape), _head(headline)))
    assert article.body == "\n\n".join(paragraphs), shape
    assert "Teaser" not in article.body


@pytest.mark.parametrize("shape", SHAPES)
def test_the_streamed_part_moves_to_its_place_and_its_hidden_block_goes(shape):
    root = parse_html(f"<html><body>{_streamed_page(HEADLINE_EN, ENGLISH, shape)}</body></html>")
    assert rendered.complete_streamed(root) == (2 if shape == "nested" else 1)
    article = next(root.iter("article"))
    assert [p.text for p in article.iter("p")] == ENGLISH
    assert not root.xpath("//div[@hidden]")


@pytest.mark.parametrize("body", [
    '<main><h1>A</h1></main><div hidden id="S:0"><p>Not named by any instruction.</p></div>',  # stays hidden
    '<main><h1>A</h1></main><div hidden id="S:0"><p>Its place is gone.</p></div><script>$RC("B:9","S:0")</script>',
    '<main><template id="B:0"></template></main><div id="S:0"><p>Not hidden.</p></div><script>$RC("B:0","S:0")</script>',
    '<main><template id="P:0"></template></main><script>$RS("S:7","P:0")</script>',  # no such part
])
def test_an_instruction_without_both_ends_moves_nothing(body):
    root = parse_html(f"<html><body>{body}</body></html>")
    before = lxml.html.tostring(root)
    assert rendered.complete_streamed(root) == 0
    assert lxml.html.tostring(root) == before


def test_an_instruction_definition_is_not_an_instruction():
    root = parse_html('<html><body><template id="B:0"></template><div hidden id="S:0"><p>x</p></div>'
                      '<script>$RC=function(b,c){c=document.getElementById(c)};$RS=function(a,b){}</script></body></html>')
    assert rendered.complete_streamed(root) == 0


def _ld_element(data: dict, as_text_row: bool = False) -> tuple[str, str]:
    """(rows before, the element) of a JSON-LD script a component renders, inline or as a text row."""
    text = json.dumps(data, ensure_ascii=False)
    if as_text_row:
        return _text_row("3f", text), json.dumps(["$", "script", "ld", {
            "type": "application/ld+json", "dangerouslySetInnerHTML": {"__html": "$3f"}}])
    return "", json.dumps(["$", "script", "ld", {"type": "application/ld+json",
                                                  "dangerouslySetInnerHTML": {"__html": text}}], ensure_ascii=False)


@pytest.mark.parametrize("as_text_row", [False, True], ids=["inline", "text-row"])
@pytest.mark.parametrize("author, published", [("Jane Smith", "2024-04-30T08:00:00Z"), ("Jörg Müller", "2023-11-02")])
def test_json_ld_a_component_renders_gives_the_article_its_date_and_author(as_text_row, author, published):
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE_EN,
          "datePublished": published, "author": {"@type": "Person", "name": author}}
    before, element = _ld_element(ld, as_text_row)
    body = f"<article><h1>{HEADLINE_EN}</h1>{_html(ENGLISH)}</article>" + _push(f"{before}9:{element}\n")
    article, _ = _extract(_page(body))
    assert article.authors == [author] and article.published.startswith(published[:10])


def test_json_ld_the_page_holds_already_is_not_added_again():
    ld = {"@type": "NewsArticle", "headline": HEADLINE_EN, "datePublished": "2024-04-30"}
    _, element = _ld_element(ld)
    html = (f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            f"<h1>{HEADLINE_EN}</h1>{_html(ENGLISH)}" + _push(f"9:{element}\n"))
    root = parse_html(f"<html><head></head><body>{html}</body></html>")
    rendered.render(root, flight.rows(flight.payload(root)))
    assert len(root.xpath("//script[@type='application/ld+json']")) == 1


def test_a_script_element_that_is_not_json_ld_is_not_added():
    element = json.dumps(["$", "script", "s", {"dangerouslySetInnerHTML": {"__html": "window.a = 1"}}])
    root = parse_html(f"<html><head></head><body>{_push(f'9:{element}{chr(10)}')}</body></html>")
    rendered.render(root, flight.rows(flight.payload(root)))
    assert [s.text for s in root.find("head").iter("script")] == []


@pytest.mark.parametrize("data, headline, paragraphs", [
    # a headless WordPress post (the REST API's shape) in __NEXT_DATA__
    ({"props": {"pageProps": {"post": {"id": 7, "title": {"rendered": HEADLINE_EN},
                                       "content": {"rendered": _html(ENGLISH), "protected": False}}}}},
     HEADLINE_EN, ENGLISH),
    # an Arc-like story: the headline one object down, the body an HTML field
    ({"globalContent": {"headlines": {"basic": HEADLINE_DE}, "body": {"html": _html(GERMAN)}}}, HEADLINE_DE, GERMAN),
])
def test_the_headline_may_be_a_value_of_an_object_the_owner_holds(data, headline, paragraphs):
    body = (f'<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">'
            f'{_escaped(json.dumps(data))}</script>')
    article, decisions = _extract(_page(body, _head(headline)))
    assert decisions and shingle_f1(article.body, "\n\n".join(paragraphs)) > 0.95


# ---------------------------------------------------------------- declarative shadow roots

@pytest.mark.parametrize("attribute", ['shadowrootmode="open"', 'shadowrootmode="closed"', 'shadowroot="open"'])
@pytest.mark.parametrize("headline, paragraphs", [(HEADLINE_EN, ENGLISH), (HEADLINE_DE, GERMAN)], ids=["en", "de"])
def test_a_story_in_a_declarative_shadow_root_is_shown_text(attribute, headline, paragraphs):
    from pipelines.extraction.evidence import visible_text

    body = (f"<main><news-story><template {attribute}><style>p {{ margin: 0 }}</style><article><h1>{headline}</h1>"
            f"<story-body><template {attribute}>{_html(paragraphs)}</template></story-body></article></template>"
            "</news-story></main>")
    root = parse_html(f"<html><body>{body}</body></html>")
    assert rendered.open_shadow_roots(root) == 2
    assert not list(root.iter("template"))
    assert paragraphs[0] in visible_text(root)
    article, _ = _extract(_page(body, _head(headline)))
    assert article.body == "\n\n".join(paragraphs) and article.title == headline


def test_a_template_that_is_no_shadow_root_stays_unshown():
    root = parse_html('<html><body><template id="row"><p>A row to copy.</p></template></body></html>')
    assert rendered.open_shadow_roots(root) == 0 and len(list(root.iter("template"))) == 1


@pytest.mark.parametrize("headline, paragraphs", [(HEADLINE_EN, ENGLISH), (HEADLINE_DE, GERMAN)], ids=["en", "de"])
def test_a_story_shown_in_a_shadow_root_is_not_added_again_from_the_data(headline, paragraphs):
    shown = (f'<main><news-story><template shadowrootmode="open"><article><h1>{headline}</h1>{_html(paragraphs)}'
             "</article></template></news-story></main>")
    article, decisions = _extract(_page(shown + _json_island(headline, paragraphs), _head(headline)))
    assert not decisions  # the page shows it: nothing from the data
    assert article.body == "\n\n".join(paragraphs)
