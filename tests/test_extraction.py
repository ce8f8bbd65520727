"""Unit tests for pipelines.extraction, module by module, plus dataset regressions."""

from __future__ import annotations

import json
import re

import pytest

from newscrawl.items import Page
from pipelines.extraction import EXTRACTOR_VERSION, decode_html, extract_article
from pipelines.extraction.authors import split_authors, trailing_byline
from pipelines.extraction.body import clean_paragraphs, prune_boilerplate
from pipelines.extraction.classify import is_article
from pipelines.extraction.dates import date_from_url, parse_date
from pipelines.extraction.document import parse_html, shingle_f1, shingle_precision_recall
from pipelines.extraction.fields import clean_title
from pipelines.extraction.images import extract_images, split_credit
from pipelines.extraction.language import choose_language, detect_language, normalize_language
from pipelines.extraction.structured import extract_structured



def page(html: str | bytes, url: str = "https://news.example/world/2023/06/18/a-story", status: int = 200,
         content_type: str = "text/html; charset=utf-8", **kw) -> Page:
    body = html.encode("utf-8") if isinstance(html, str) else html
    return Page(url=url, request_url=url, status=status, headers=[("Content-Type", content_type)],
                body=body, fetched_at="2023-06-18T05:00:00Z", **kw)


PROSE = [
    "US secretary of state Antony Blinken arrived in Beijing early on Sunday on a high-stakes diplomatic "
    "mission to try to cool exploding US-China tensions that have set many around the world on edge.",
    "Mr Blinken was to begin two days of talks with senior Chinese officials in the afternoon, and he is "
    "expected to raise a long list of disagreements that have strained ties in recent years.",
    "He is the highest-level American official to visit China since President Joe Biden took office and "
    "the first secretary of state to make the trip in five years, officials said on Friday.",
    "Yet prospects for any significant breakthrough on the most vexing issues facing the planet's two "
    "largest economies are slim, as ties have grown increasingly fraught in recent years.",
]


def article_html(extra_head: str = "", extra_body: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in PROSE)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Blinken arrives in Beijing | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:type" content="article">
<meta property="og:locale" content="en_GB">
<meta property="og:image" content="/img/lead.jpg">
<meta property="article:published_time" content="2023-06-18T04:34:00+01:00">
<meta property="article:tag" content="China"><meta property="article:tag" content="Diplomacy">
<meta name="author" content="Jane Doe">
{extra_head}</head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Blinken arrives in Beijing</h1>
<figure><img src="/img/lead.jpg" alt="Blinken"><figcaption>China US Blinken. Picture: PA</figcaption></figure>
<div class="story-body">{paras}
<p class="read-more"><strong>Read more:</strong> <a href="/other">Another story</a></p>
<div class="ad"><span>Advertisement</span></div>
</div>{extra_body}</article>
<section class="latest"><h2>Latest World News</h2><ul>
<li><a href="/a">First other headline about something else entirely</a></li>
<li><a href="/b">Second other headline about something else entirely</a></li></ul></section>
</body></html>"""


# ---------------------------------------------------------------- authors

@pytest.mark.parametrize("byline, names", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("By Press Association", ["Press Association"]),
    ("Maria Garcia, Foreign Correspondent", ["Maria Garcia"]),
    ("Ken Ito and Maria Garcia", ["Ken Ito", "Maria Garcia"]),
    ("By JANE DOE, JOHN ROE and Mary Major", ["Jane Doe", "John Roe", "Mary Major"]),
    ("By Jane Doe https://twitter.com/janedoe", ["Jane Doe"]),
    # a role after the name, with the publication before it: both go
    ("Dave Epstein Tribune Correspondent", ["Dave Epstein"]),
    ("Jane Doe Times Staff Writer", ["Jane Doe"]),
    ("Mary Major Herald Correspondent", ["Mary Major"]),
    ("John Post Reporter", ["John Post"]),  # a name's own word is kept
    ("https://www.facebook.com/someone", []),
])
def test_split_authors(byline, names):
    assert split_authors(byline) == names


def test_trailing_byline_only_for_byline_lines():
    assert trailing_byline("By Press Association") == ["Press Association"]
    assert trailing_byline("By the time the talks ended, nothing had changed.") == []


# ---------------------------------------------------------------- images

@pytest.mark.parametrize("text, caption, credit", [
    ("China US Blinken. Picture: PA", "China US Blinken.", "PA"),
    ("US secretary of state Antony Blinken arrives in Beijing (Leah Millis/Pool Photo via AP)",
     "US secretary of state Antony Blinken arrives in Beijing", "Leah Millis/Pool Photo via AP"),
    ("A café terrace. Photo: Anna Keller/Reuters", "A café terrace.", "Anna Keller/Reuters"),
    ("Harbour at dusk Credit: Jo Bloggs", "Harbour at dusk", "Jo Bloggs"),
    ("Harbour at dusk Image: Getty Images", "Harbour at dusk", "Getty Images"),
    ("Harbour at dusk ©Reuters", "Harbour at dusk", "Reuters"),
    ("The mayor (left) with aides", "The mayor (left) with aides", None),
    ("", None, None),
])
def test_split_credit(text, caption, credit):
    assert split_credit(text) == (caption, credit)


def test_extract_images_merges_lead_with_its_figure():
    root = parse_html(
        '<html><body><article><figure><img src="/i/a.jpg?w=300"><figcaption>Lead shot '
        '<span class="credit">(Jo Bloggs/AP)</span></figcaption></figure>'
        '<figure><img data-src="b.jpg"><figcaption>Second. Photograph: Kyodo</figcaption></figure>'
        '<figure><img src="/teaser.jpg"></figure></article>'
        '<aside><figure><img src="/side.jpg"><figcaption>Other story</figcaption></figure></aside></body></html>'
    )
    lead = [{"url": "/i/a.jpg", "caption": None, "credit": None}]
    assert extract_images(root, "https://x.example/news/s", lead) == [
        {"url": "https://x.example/i/a.jpg", "caption": "Lead shot", "credit": "Jo Bloggs/AP"},
        {"url": "https://x.example/news/b.jpg", "caption": "Second.", "credit": "Kyodo"},
    ]


def test_extract_images_old_layout_photo_box():
    root = parse_html('<html><body><div class="photo"><img src="/p.jpg"><br>'
                      '<small>Steam over the harbour. Photo: Wire services</small></div></body></html>')
    assert extract_images(root, "http://c.example/") == [
        {"url": "http://c.example/p.jpg", "caption": "Steam over the harbour", "credit": "Wire services"}]


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("text, iso", [
    ("2023-06-18T04:34:00+01:00", "2023-06-18T04:34:00+01:00"),
    ("2023-06-18T04:34:00.000+0100", "2023-06-18T04:34:00+01:00"),
    ("2023-06-18T03:34:00Z", "2023-06-18T03:34:00+00:00"),
    ("2023-06-18", "2023-06-18"),
    ("18 June 2023, 04:34", "2023-06-18T04:34:00"),
    ("June 12, 2023", "2023-06-12"),
    ("Sun 18 Jun 2023 04.34 BST", "2023-06-18T04:34:00+01:00"),
    ("June 18, 2023 4:34 pm EDT", "2023-06-18T16:34:00-04:00"),
    ("Tue 20 Jun 2023 09.15 (UTC+0200)", "2023-06-20T09:15:00"),
    ("yesterday", None),
    ("2023-02-30", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_date_from_url():
    assert date_from_url("https://x.example/news/2023/06/18/story") == "2023-06-18"
    assert date_from_url("https://x.example/world/2023-06-18-story.html") == "2023-06-18"
    assert date_from_url("https://x.example/world/story-18234") is None


@pytest.mark.parametrize("url, day", [
    ("https://www.theguardian.test/us-news/2023/dec/22/trump-michigan", "2023-12-22"),
    ("https://www.washingtontimes.test/news/2023/apr/28/budget/?utm_source=RSS", "2023-04-28"),
    ("https://x.example/2023/September/3/story", "2023-09-03"),
    ("https://x.example/2023/sept/3/story", "2023-09-03"),
    # a word that only starts like a month, a day the month has not, no day at all
    ("https://x.example/2023/mayor/2/story", None),
    ("https://x.example/2023/feb/30/story", None),
    ("https://x.example/2023/dec/story", None),
])
def test_date_from_url_with_the_month_in_words(url, day):
    assert date_from_url(url) == day


# ---------------------------------------------------------------- language

@pytest.mark.parametrize("raw, tag", [
    ("en_GB", "en-GB"), ("EN-gb", "en-GB"), ("en-US,en;q=0.9", "en-US"),
    ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"), ("not a tag", None), (None, None),
])
def test_normalize_language(raw, tag):
    assert normalize_language(raw) == tag


def test_choose_language_refines_and_detects():
    assert choose_language("en", "en_GB", None, None, None) == "en-GB"
    assert choose_language(None, None, "de", None, None) == "de"
    text = "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Mieten begrenzen soll."
    assert choose_language(None, None, None, None, text) == detect_language(text) == "de"


# ---------------------------------------------------------------- structured data and titles

def test_structured_reads_jsonld_graph_and_meta():
    root = parse_html("""<html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebSite","name":"X"},
 {"@type":["ReportageNewsArticle"],"headline":"H &amp; I","author":[{"@type":"Person","name":"Ann Lee"}],}
]}</script>
<script type="application/ld+json">{not json</script>
<meta property="og:title" content="OG">
<link rel="canonical" href="/c"></head><body></body></html>""")
    data = extract_structured(root)
    assert data.article["headline"] == "H &amp; I"
    assert "reportagenewsarticle" in data.types and data.is_article_type
    assert data.first("og:title") == "OG" and data.canonical == "/c"


@pytest.mark.parametrize("title, clean", [
    ("Blinken arrives | The Daily Example", "Blinken arrives"),
    ("The Daily Example - Blinken arrives", "Blinken arrives"),
    ("Ferries suspended: storm hits islands", "Ferries suspended: storm hits islands"),
])
def test_clean_title(title, clean):
    assert clean_title(title, {"thedailyexample"}) == clean


# ---------------------------------------------------------------- body cleanup

def test_clean_paragraphs_drops_furniture_and_cuts_at_more_from_block():
    body = clean_paragraphs([
        "18 June 2023, 04:34", PROSE[0], "Read more: Another story", PROSE[1],
        "Sign up to our newsletter for the day's top stories",
        "By Press Association", "More from World", "A headline", "Another headline",
    ])
    assert body.paragraphs == PROSE[:2]
    assert body.trailing_authors == ["Press Association"]


def test_clean_paragraphs_keeps_prose_after_inline_you_may_like():
    body = clean_paragraphs([PROSE[0], "You may like", PROSE[1] + " " + PROSE[2]])
    assert body.paragraphs == [PROSE[0], PROSE[1] + " " + PROSE[2]]


def test_clean_paragraphs_keeps_repeated_list_items_but_not_repeated_sentences():
    # A list of nominees names the same artist under several awards.
    items = ["Album of the Year", "Raye", "Blur", "Artist of the Year", "Raye", "Dave"]
    assert clean_paragraphs([PROSE[0], *items]).paragraphs == [PROSE[0], *items]
    assert clean_paragraphs([PROSE[0], PROSE[1], PROSE[0]]).paragraphs == PROSE[:2]


@pytest.mark.parametrize("line", [
    "___",
    "* * *",
    "Related video: Closing arguments heard in bid to remove the prosecutor",
    "Example News's Jo Roe contributed to this story.",
    "Jo Roe can be reached at jo.roe@example.test. Al Poe can be reached at al.poe@example.test.",
    "This interview has been lightly edited and condensed for clarity.",
    "Reviews have been edited for length and/or clarity.",
    "Interior & Technology | Passenger & Cargo Space | Performance & Fuel Economy",
    "This piece originally appeared in The Example Review",
    "© 2024 Example Media Inc.",
    "Copyright The Example Times, all rights reserved",
    "Photo credit: Jo Roe / Example Agency",
    "Image: Al Poe",
    # Dropped whatever their length:
    "This article 'An interesting headline' originally appeared on Example.com. " * 3,
])
def test_clean_paragraphs_drops_page_furniture(line):
    assert clean_paragraphs([PROSE[0], line, PROSE[1]]).paragraphs == PROSE[:2]


def test_clean_paragraphs_keeps_shouted_subheadings():
    # AP sets its section heads in capitals; they are part of the story.
    heading = "A FRIENDSHIP BRACELET WITH A PHONE NUMBER"
    assert clean_paragraphs([PROSE[0], heading, PROSE[1]]).paragraphs == [PROSE[0], heading, PROSE[1]]


def test_prune_drops_link_only_teasers_and_hidden_blocks():
    root = parse_html(
        '<html><body><article><p>' + PROSE[0] + '</p>'
        '<p><b><a href="/other-story">MAN ARRESTED AFTER A CHASE THROUGH TOWN</a></b></p>'
        '<h3><a href="https://example.test/x">Trump claims rights over documents</a></h3>'
        '<p>See <a href="/report">the full report</a> for the figures and the method used here.</p>'
        '<p><a href="#comments">Jump to the comments below the story</a></p>'
        '<div class="hidden support-box"><p>At Example News we believe in journalism for all readers.</p></div>'
        '<div style="display: none"><p>Hidden teaser text that readers never see.</p></div>'
        '<div class="hidden md:block"><p>Shown on a desktop screen, as Tailwind says.</p></div>'
        '<p>' + PROSE[1] + '</p></article></body></html>')
    prune_boilerplate(root)
    text = root.text_content()
    assert "MAN ARRESTED" not in text and "Trump claims" not in text
    assert "At Example News" not in text and "Hidden teaser" not in text
    assert "the full report" in text and "Jump to the comments" in text and "Shown on a desktop" in text
    assert PROSE[0] in text and PROSE[1] in text


def test_prune_spares_story_container():
    root = parse_html('<html><body><article class="post tag-jon-talton"><p>' + PROSE[0] + '</p></article>'
                      '<div class="social-buttons"><a>Share</a></div><div class="related">x</div></body></html>')
    prune_boilerplate(root)
    assert root.find(".//article") is not None
    assert not root.xpath('//*[@class="social-buttons" or @class="related"]')


# ---------------------------------------------------------------- classification

def _classify(html: str, url: str, date: bool = True) -> bool:
    root = parse_html(html)
    paragraphs = [p.text_content().strip() for p in root.iter("p")]
    return is_article(root, extract_structured(root), url, None, paragraphs, has_date=date)


def test_listing_page_is_not_an_article():
    items = "".join(f'<li><h2><a href="/s{i}">Headline number {i} about world events today</a></h2>'
                    f"<p>{PROSE[i % 4][:120]}</p></li>" for i in range(12))
    html = f'<html><head><meta property="og:type" content="website"></head><body><ul>{items}</ul></body></html>'
    assert not _classify(html, "https://x.example/world/", date=False)


def test_undeclared_story_is_an_article_and_home_is_not():
    html = "<html><body><h1>T</h1>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</body></html>"
    assert _classify(html, "https://x.example/world/2023/story.html")
    assert not _classify(html, "https://x.example/")
    assert not _classify(html, "https://x.example/world/2023/story.html", date=False)


def test_declared_article_needs_some_text():
    html = '<html><head><meta property="og:type" content="article"></head><body><p>Short.</p></body></html>'
    assert not _classify(html, "https://x.example/a/b")


# ---------------------------------------------------------------- text the page embeds as JSON

MORE = [
    "Officials in Washington said the talks would cover trade, technology controls and the flow of "
    "fentanyl precursors, as well as military communication channels that Beijing has frozen.",
    "Analysts cautioned that both governments were managing expectations, describing the visit as a "
    "chance to stabilise relations rather than to resolve the disputes that divide them.",
    "China's foreign ministry said it hoped the United States would show sincerity and work with "
    "Beijing to bring ties back on track, according to a statement issued on Saturday evening.",
]


def _story_with_json(data: dict, shown: int = 2) -> str:
    script = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
    return article_html(extra_body=script).replace(
        "".join(f"<p>{p}</p>" for p in PROSE), "".join(f"<p>{p}</p>" for p in PROSE[:shown]))


@pytest.mark.parametrize("shape", ["rich-text", "html-items"])
def test_body_completed_from_the_json_the_page_embeds(shape):
    story = PROSE + MORE
    if shape == "rich-text":  # Bloomberg-style document tree, text split around a link
        content = [{"type": "paragraph", "content": [{"type": "text", "value": p[:30]},
                                                     {"type": "link", "content": [{"type": "text", "value": p[30:]}]}]}
                   for p in story]
        content.insert(2, {"type": "ad", "data": {"adType": "box"}, "content": []})
        data = {"props": {"pageProps": {"story": {"body": {"type": "document", "content": content}}}}}
    else:  # Arc-style content elements holding HTML
        data = {"globalContent": {"content_elements": [{"type": "text", "content": f"<p>{p}</p>"} for p in story]}}
    article = extract_article(page(_story_with_json(data)))
    assert article.body.split("\n\n") == story


def test_embedded_json_that_is_not_the_story_is_ignored():
    teasers = {"related": [{"headline": "Another story about something", "text": PROSE[3]},
                           {"headline": "A third story", "text": MORE[0]}]}
    article = extract_article(page(_story_with_json(teasers)))
    assert article.body.split("\n\n") == PROSE[:2]
    # A JSON copy of the text that says no more than the page does changes nothing.
    same = {"items": [{"text": p} for p in PROSE[:2]]}
    assert extract_article(page(_story_with_json(same))).body.split("\n\n") == PROSE[:2]


def test_embedded_json_reading_is_bounded():
    from pipelines.extraction.embedded import _MAX_TEXT, embedded_paragraphs

    # A list holding more text than any story is some other data, not the article.
    huge = {"items": [{"text": PROSE[0] + " " + "word " * (_MAX_TEXT // 5)} for _ in range(2)]}
    root = parse_html(_story_with_json(huge))
    assert embedded_paragraphs(root, PROSE[:2]) is None
    # Deep nesting is read within a budget of characters, not once more per level.
    from pipelines.extraction.embedded import _paragraph_lists

    node = {"text": PROSE[0]}
    for _ in range(39):
        node = {"content": [node, {"text": MORE[0]}]}
    budget = [20_000]
    list(_paragraph_lists({"items": [node] * 50}, ["Antony Blinken arrived in Beijing early"], budget))
    assert -1000 < budget[0] <= 0  # spent, overshooting by one string at most


# ---------------------------------------------------------------- decoding

def test_decode_html_charset_from_header_then_meta():
    body = "<html><body><p>Zürich café</p></body></html>".encode("cp1252")
    assert "Zürich café" in decode_html(page(body, content_type="text/html; charset=windows-1252"))
    meta = '<html><head><meta charset="windows-1252"></head><body>Zürich</body></html>'.encode("cp1252")
    assert "Zürich" in decode_html(page(meta, content_type="text/html"))


# ---------------------------------------------------------------- the whole function

def test_extract_article_end_to_end():
    p = page(article_html(), latest_links=["https://news.example/a"], warc={"uri": "x.warc.gz"})
    a = extract_article(p)
    assert a is not None
    assert a.title == "Blinken arrives in Beijing"
    assert a.publisher == "The Daily Example"
    assert a.published == "2023-06-18T04:34:00+01:00"
    assert a.authors == ["Jane Doe"]
    assert a.tags == ["China", "Diplomacy"]
    assert a.language == "en-GB"
    assert a.body == "\n\n".join(PROSE)
    assert a.images == [{"url": "https://news.example/img/lead.jpg", "caption": "China US Blinken.", "credit": "PA"}]
    assert a.related_urls == ["https://news.example/a"] and a.warc == {"uri": "x.warc.gz"}
    assert a.fetched_at == "2023-06-18T05:00:00Z" and a.extractor_version == EXTRACTOR_VERSION
    assert extract_article(p) == a  # pure: same page, same article


def test_related_urls_found_on_the_extraction_parse_when_not_known_yet():
    # A replay's Page: latest_links None; the links are found with the crawl's link rules.
    latest = ('<section><h2>Around the <!-- x --> World</h2><ul><li><a href="/world/b?utm_source=x">B</a></li>'
              '<li><a href="/world/c#top">C</a></li></ul><a href="/world/">See more</a></section>')
    from newscrawl.follow.links import LinkRules, find_latest_blocks, latest_links

    rules = LinkRules(block_titles=["Around the World"])
    html = article_html(extra_body=latest)
    a = extract_article(page(html, latest_links=None), link_rules=rules)
    assert a.related_urls == ["https://news.example/world/b", "https://news.example/world/c"]
    # what the live spider finds on Scrapy's own parse of the same text
    assert a.related_urls == latest_links(find_latest_blocks(html, page(html).url, rules))
    default = extract_article(page(html, latest_links=None)).related_urls  # the page's Latest World News block
    assert default and default == latest_links(find_latest_blocks(html, page(html).url))
    assert extract_article(page(html, latest_links=[]), link_rules=rules).related_urls == []  # known: kept


@pytest.mark.parametrize("p", [
    page(article_html(), status=404),
    page(article_html(), status=301),
    page(b"%PDF-1.4 junk", content_type="application/pdf"),
    page(b"User-agent: *\nDisallow: /", content_type="text/plain"),
    page(b""),
    page(bytes(range(256)) * 50),
    page("<html><<<>>><p>unclosed <div><table><td>" * 200),
    page(article_html(), url="https://news.example/"),
    page("<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
         "<p>Sorry, we could not find that page.</p></body></html>"),
])
def test_non_articles_and_junk_give_none(p):
    assert extract_article(p) is None


@pytest.mark.parametrize("body", [
    b"\x00" * 100,  # binary served as HTML
    b"<html>" + "é".encode("latin-1") * 1000,  # undeclared latin-1, no text structure
    b"<?xml version='1.0'?><rss></rss>",  # a feed
    b"",  # empty
    b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",  # UTF-16 with a BOM
    b"<div>" * 500,  # deep, never closed
    b"<!-- only a comment -->",
    b'<html><script>var a = "</p><p>";</script></html>',  # markup inside a script
    b'\xef\xbb\xbf<html><head><meta charset="klingon"></head><body><p>Hello</p></body></html>',  # unknown charset
])
def test_odd_inputs_are_not_articles_and_do_not_raise(body):
    # strict: an exception inside extraction is raised here, not logged and swallowed.
    assert extract_article(page(body), strict=True) is None


# ---------------------------------------------------------------- dataset regressions

def test_one_shingle_f1_measures_extraction_everywhere():
    import benchmarks.extraction as bench

    assert bench.f1 is shingle_f1 and bench.precision_recall is shingle_precision_recall
    text = "one two three four five six"
    assert shingle_f1(text, text) == 1.0
    assert shingle_f1(text, "seven eight nine ten eleven") == 0.0
    assert shingle_precision_recall("one two three four", text) == (1.0, 1 / 3)  # one shingle of three
    assert shingle_precision_recall("", "") == (1.0, 1.0) and shingle_f1(None, text) == 0.0
