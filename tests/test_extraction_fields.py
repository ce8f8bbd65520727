"""Unit tests for per-field choices: headline, bylines, dates, declared bodies, site rules."""

from __future__ import annotations

import pytest

from newscrawl.items import Page
from pipelines.extraction import EXTRACTOR_VERSION, SiteRules, extract_article
from pipelines.extraction.authors import (
    authors_from_jsonld, drop_publication, prefer_people, split_authors,
)
from pipelines.extraction.body import Body, reconcile_with_declared
from pipelines.extraction.dates import day_first_locale, is_update, parse_date, shown_dates
from pipelines.extraction.document import parse_html
from pipelines.extraction.fields import choose_authors, choose_dates
from pipelines.extraction.rules import RuleError
from pipelines.extraction.structured import extract_structured
from pipelines.extraction.titles import choose_title

PROSE = (
    "The council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers "
    "warned that the 1930s structure could no longer carry heavy traffic safely. "
)


def _doc(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def _root(head: str = "", body: str = ""):
    return parse_html(_doc(head, body))


# ---------------------------------------------------------------- headline

def test_title_prefers_visible_h1_over_seo_metadata():
    root = _root('<meta property="og:title" content="Harbour bridge closure: what drivers need to know">'
                 "<title>Harbour bridge closure: what drivers need to know | The Example Times</title>",
                 "<h1>Example Times</h1><h1>Harbour bridge to close to cars next spring</h1>")
    assert choose_title(root, extract_structured(root), "https://example-times.test/a") == \
        "Harbour bridge to close to cars next spring"


def test_title_picks_the_h1_that_agrees_with_metadata():
    root = _root('<meta property="og:title" content="Why the bridge must close - The Example Times">',
                 "<h1>Opinion</h1><h1>Why the old bridge must close</h1>")
    assert choose_title(root, extract_structured(root), "https://x.test/a") == "Why the old bridge must close"


def test_title_drops_a_bracketed_label():
    root = _root("", "<h1>Bridge closes to cars [Watch]</h1>")
    assert choose_title(root, extract_structured(root), "https://x.test/a") == "Bridge closes to cars"


def test_title_without_h1_uses_cleaned_metadata_and_keeps_colons():
    root = _root('<script type="application/ld+json">{"@type":"NewsArticle","headline":"GOTY: Our top 12 games"}'
                 "</script><title>GOTY: Our top 12 games - Gamesite</title>")
    assert choose_title(root, extract_structured(root), "https://gamesite.test/goty") == "GOTY: Our top 12 games"


@pytest.mark.parametrize("head, body, headline", [
    # The only <h1> is the breadcrumb's search-engine headline; readers see og:title in an <h2>.
    ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"Bridge shut: council votes to close '
     'the old harbour bridge"}</script><meta property="og:title" content="Harbour bridge to close next spring">',
     '<nav class="breadcrumb"><h1>Bridge shut: council votes to close the old harbour bridge</h1></nav>'
     '<header><h2><span class="kicker">Traffic</span> <span class="headline">Harbour bridge to close next spring'
     '</span></h2></header>', "Harbour bridge to close next spring"),
    # Kicker and headline in one <h2> that reads as og:title, with the kicker.
    ('<meta property="og:title" content="Schools: Pupils will learn faster with tutors">'
     '<title>Tutors in every school - The Example Post</title>',
     '<nav><ol class="crumbs"><li><h1>Tutors in every school</h1></li></ol></nav>'
     '<article><h2><em>Schools</em> <span>Pupils will learn faster with tutors</span></h2><p>Text</p></article>',
     "Schools: Pupils will learn faster with tutors"),
])
def test_title_is_the_declared_title_the_page_shows_when_no_h1_is_in_the_story(head, body, headline):
    root = _root(head, body)
    assert choose_title(root, extract_structured(root), "https://x.test/a") == headline


# The same trails as a bare list, with no <nav> around them: the <h1> in the trail's last
# step is the search engines' headline, the readers' one is shown below it.
_TRAIL_HEAD = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour bridge to close '
               'next spring"}</script><meta property="og:title" content="Bridge shut: council votes to close the '
               'old harbour bridge">')
_TRAIL_H2 = "<h2>Harbour bridge to close next spring</h2><p>The council voted on Monday.</p>"


@pytest.mark.parametrize("trail", [
    '<ol><li><a href="/">Home</a></li><li><a href="/city">City</a></li>'
    "<li><h1>Bridge shut: council votes to close the old harbour bridge</h1></li></ol>",
    # separators of their own, an icon step with no text, in German
    '<div><ul><li><a href="/"><i></i></a></li><li>›</li><li><a href="/stadt">Stadt</a></li><li>›</li>'
    "<li><span><h1>Bridge shut: council votes to close the old harbour bridge</h1></span></li></ul></div>",
])
def test_an_h1_ending_a_bare_breadcrumb_trail_gives_way_to_the_shown_headline(trail):
    root = _root(_TRAIL_HEAD, trail + _TRAIL_H2)
    assert choose_title(root, extract_structured(root), "https://x.test/a") == "Harbour bridge to close next spring"


@pytest.mark.parametrize("body", [
    # a feed of stories set as a list: the items before are teasers, not steps
    "<ul><li><a href='/a'>" + "An earlier story with a long teaser that runs on. " * 3 + "</a></li>"
    "<li><h1>Bridge shut: council votes to close the old harbour bridge</h1><p>The council voted.</p></li></ul>",
    # the first item of a list: no steps before it
    "<ul><li><h1>Bridge shut: council votes to close the old harbour bridge</h1></li>"
    "<li><a href='/b'>Next</a></li></ul>",
])
def test_an_h1_in_a_list_that_is_no_trail_stays_the_headline(body):
    root = _root(_TRAIL_HEAD, body)
    assert choose_title(root, extract_structured(root), "https://x.test/a") == (
        "Bridge shut: council votes to close the old harbour bridge")


@pytest.mark.parametrize("headline, card, h1, title", [
    # JSON-LD headline and og:title agree against a shortened or reworded <h1>.
    ("Johannesburg has failed its informal traders", "Johannesburg has failed its informal traders | The Daily",
     "Joburg has failed its informal traders", "Johannesburg has failed its informal traders"),
    ("Bayern beat Dortmund 4-0 in the Klassiker", "Bayern beat Dortmund 4-0 in the Klassiker",
     "4-0 in the Klassiker", "Bayern beat Dortmund 4-0 in the Klassiker"),
    # When they disagree with each other, the visible <h1> stays the headline.
    ("Bridge closure: what drivers need to know", "Harbour bridge shuts next spring",
     "Harbour bridge to close to cars next spring", "Harbour bridge to close to cars next spring"),
])
def test_title_agreeing_declarations_beat_a_reworded_h1(headline, card, h1, title):
    head = (f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{headline}"}}</script>'
            f'<meta property="og:title" content="{card}"><meta property="og:site_name" content="The Daily">')
    root = _root(head, f"<h1>{h1}</h1><p>{PROSE}</p>")
    assert choose_title(root, extract_structured(root), "https://thedaily.test/a") == title


# ---------------------------------------------------------------- authors

@pytest.mark.parametrize("byline, names", [
    ("By Chris Roe and Tom Poe on December 21, 2023 at 3:53PM PST", ["Chris Roe", "Tom Poe"]),
    ("By Jason Krell Mar 19, 2020, 10:00am EDT Illustrations by Tyson Whiting", ["Jason Krell"]),
    ("Jonathan Wasserman, Bleacher Report", ["Jonathan Wasserman"]),
    ("By — Najib Jobain, Associated Press", ["Najib Jobain"]),
    ("By Gina Scinta , Senior Editor, Thales Trusted Cyber Technologies", ["Gina Scinta"]),
    ("Stephen Edelstein - Contributing Editor", ["Stephen Edelstein"]),
    ("Courtney Carr Courtney Carr", ["Courtney Carr"]),
    ("From staff reports", []),
    ("Not your average news — a mix of analysis with veteran journalist JR Raphael.", []),
    ("By Petrana Radulovic | New", ["Petrana Radulovic"]),
    ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),
    ("By Growing Animal Cells in Rice Grains, Scientists Dish Up Hybrid Food", []),
])
def test_split_authors_cleans_titles_and_labels(byline, names):
    assert split_authors(byline) == names


def test_authors_from_jsonld_shapes():
    assert authors_from_jsonld({"@type": "Person", "name": ["Ann Lee", "Bo Chan"]}) == ["Ann Lee", "Bo Chan"]
    assert authors_from_jsonld([{"@type": "Person", "name": "James O&#039;Neil"}]) == ["James O'Neil"]
    assert authors_from_jsonld(["/authors/ann-lee", "https://x.test/author/bo"]) == []
    assert authors_from_jsonld([{"@type": "Person", "name": "Ann Lee"},
                                {"@type": "Organization", "name": "WBEZ"}]) == ["Ann Lee"]
    assert authors_from_jsonld({"@type": "Organization", "name": "Press Association"}) == ["Press Association"]


def test_publication_is_not_an_author_but_agencies_are():
    sites = {"autoblog", "theindependent", "mlbcom"}
    assert drop_publication(["Autoblog Staff", "The Independent", "MLB.com", "Ann Lee"], sites) == ["Ann Lee"]
    assert prefer_people(["Chip Mitchell", "WBEZ"]) == ["Chip Mitchell"]
    assert prefer_people(["Press Association"]) == ["Press Association"]


def test_visible_byline_extends_metadata_and_replaces_the_site_name():
    head = '<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Ann Lee"}}</script>'
    root = _root(head, '<div class="byline">By Ann Lee and Bo Chan, Example News</div>')
    assert choose_authors(root, extract_structured(root), [], "https://example.test/a") == ["Ann Lee", "Bo Chan"]
    head = '<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":", Example Daily"}}</script>'
    body = ('<div class="byline-section">Kim Park Example Daily<span class="author"><a class="authors">Kim Park</a></span></div>'
            '<figure><span class="credit">By Photo Person</span></figure>')
    root = _root(head, body)
    assert choose_authors(root, extract_structured(root), [], "https://exampledaily.test/a") == ["Kim Park"]


@pytest.mark.parametrize("body, names", [
    ("<h1>Mining blasts shatter homes</h1><p><em>Villagers cry foul</em></p>"
     "<p><strong>Jane Moloi/Thabo Phakela</strong></p><p><strong>A</strong> Chinese-owned quarry " + PROSE + "</p>",
     ["Jane Moloi", "Thabo Phakela"]),
    ("<h1>Headline</h1><div class='content'><p><strong>MTHOBISI SITHOLE</strong></p><p>" + PROSE + "</p></div>",
     ["Mthobisi Sithole"]),
    # Bold lead-ins and bold lines after the prose has started are not bylines.
    ("<h1>Headline</h1><p><strong>Warning</strong></p><p>" + PROSE + "</p><p><strong>Ann Lee</strong></p>", []),
])
def test_a_paragraph_of_bold_names_opening_the_story_is_its_byline(body, names):
    root = _root("", body)
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == names


def test_the_sites_own_accounts_and_buttons_are_not_authors():
    # "Ilanga D" (an account named after the site), "Lesotho Times November 24": the site.
    head = ('<meta property="og:site_name" content="Ilanga News"><script type="application/ld+json">'
            '{"@type":"NewsArticle","author":{"@type":"Person","name":"Ilanga D"}}</script>')
    root = _root(head, "<h1>T</h1><p>" + PROSE + "</p>")
    assert choose_authors(root, extract_structured(root), [], "https://ilanganews.test/a") == []
    head = '<meta property="og:site_name" content="Valley Times"><meta name="author" content="Valley Times">'
    root = _root(head, '<h1>T</h1><div class="byline">By Valley Times November 24, 2025</div><p>' + PROSE + "</p>")
    assert choose_authors(root, extract_structured(root), [], "https://vt.test/a") == []
    # A "follow the author" button is a control, not a name.
    root = _root("", '<h1>T</h1><div class="author-box"><button class="followAuthorBtn">Folgen</button></div>')
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == []


def test_publisher_meta_with_a_bracketed_address_names_the_site():
    head = ('<meta name="twitter:site" content="@dw_deutsch"><meta name="publisher" content="Deutsche Welle '
            '(www.dw.com)"><meta name="author" content="Deutsche Welle (www.dw.com)">')
    root = _root(head, "<h1>T</h1><p>" + PROSE + "</p>")
    assert choose_authors(root, extract_structured(root), [], "https://www.dw.test/a") == []
    assert split_authors("Jo Roe (www.example.test)") == ["Jo Roe"]


def _ld(author: str, publisher: str = "") -> str:
    return ('<script type="application/ld+json">{"@type":"NewsArticle","author":%s%s}</script>'
            % (author, f',"publisher":{publisher}' if publisher else ""))


_VT = '{"@type":"Organization","name":"Valley Times"}'


@pytest.mark.parametrize("head, url, names", [
    # The publisher, declared the author twice (a typed JSON-LD Organization and an author meta
    # tag), no one else credited: it signs the story.
    ('<meta name="author" content="Valley Times">'
     + _ld('{"@type":"Organization","name":"Valley Times","url":"https://vt.test/"}',
           '{"@type":"NewsMediaOrganization","name":"Valley Times"}'), "https://vt.test/a", ["Valley Times"]),
    ('<meta property="og:site_name" content="hillpost.test"><meta name="dc.creator" content="Hillpost.test">'
     + _ld('[{"@type":"NewsMediaOrganization","name":"hillpost.test"}]'), "https://www.hillpost.test/a", ["Hillpost.test"]),
    # Declared in JSON-LD alone, the house is not taken for the author.
    (_ld(_VT, _VT), "https://vt.test/a", []),
    ('<meta property="og:site_name" content="hillpost.test">'
     + _ld('{"@type":"NewsMediaOrganization","name":"hillpost.test"}'), "https://www.hillpost.test/a", []),
    # The site's name as a Person is a placeholder, not a signature, even with the meta tag agreeing.
    ('<meta name="author" content="Valley Times">' + _ld('{"@type":"Person","name":"Valley Times"}', _VT),
     "https://vt.test/a", []),
    # An agency is not the publisher: it is the author as before, agreeing tags or not.
    (_ld('{"@type":"Organization","name":"Press Association"}', _VT), "https://vt.test/a", ["Press Association"]),
])
def test_the_publisher_declared_the_author_twice_signs_an_unbylined_story(head, url, names):
    root = _root(head, "<h1>Bridge closes</h1><p>" + PROSE + "</p>")
    assert choose_authors(root, extract_structured(root), [], url) == names


def test_a_visible_byline_beats_the_publisher_declared_as_the_author():
    head = '<meta name="author" content="Valley Times">' + _ld(_VT, _VT)
    for body in ('<div class="byline">By Ann Lee</div>', '<p class="meta"><a rel="author" href="/a/ann">Ann Lee</a></p>'):
        root = _root(head, "<h1>Bridge closes</h1>" + body + "<p>" + PROSE + "</p>")
        assert choose_authors(root, extract_structured(root), [], "https://vt.test/a") == ["Ann Lee"]


def test_byline_text_under_the_headline():
    root = _root("", "<div><h1>Bridge closes</h1>by MrAJCosplay, <small><time>Dec 19</time></small></div>")
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == ["MrAJCosplay"]


# ---------------------------------------------------------------- dates

def test_shown_local_date_wins_over_utc_metadata_on_the_same_instant():
    head = '<meta property="article:published_time" content="2023-12-22T18:30:00+00:00">'
    root = _root(head, '<time datetime="2023-12-23T05:30:00+11:00">December 23, 2023 — 5.30am</time>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a") == ("2023-12-23T05:30:00+11:00", None)
    root = _root(head, '<time datetime="2023-12-22T23:30:00Z">Dec. 22, 2023 1:30 pm EST</time>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2023-12-22T18:30:00+00:00"


def test_todays_date_bar_and_update_lines_are_not_publication_dates():
    head = ('<meta property="article:published_time" content="2023-12-22T11:09:34-05:00">')
    body = ('<div class="date">Sunday, December 24, 2023</div><h1>T</h1>'
            '<time datetime="2023-12-26T10:48:20-05:00">Updated December 26, 2023 10:48 AM</time>')
    root = _root(head, body)
    assert choose_dates(root, extract_structured(root), "https://x.test/a") == \
        ("2023-12-22T11:09:34-05:00", "2023-12-26T10:48:20-05:00")


def test_the_declared_update_shown_alone_is_not_the_publication_date():
    # The page shows only "23 December 2023 05:39, UK": that is the declared update, not
    # the publication the day before.
    head = ('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-12-22T16:22:00Z",'
            '"dateModified":"2023-12-23T05:39:00Z"}</script>')
    root = _root(head, '<h1>T</h1><div class="date">23 December 2023 05:39, UK</div>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a") == \
        ("2023-12-22T16:22:00+00:00", "2023-12-23T05:39:00+00:00")
    root = _root(head, '<h1>T</h1><time datetime="2023-12-23T05:39:00Z">23 December 2023</time>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2023-12-22T16:22:00+00:00"
    # A shown date on the publication's instant still gives the page's own zone and day.
    root = _root(head, '<h1>T</h1><time datetime="2023-12-23T03:22:00+11:00">23 December 2023, 3.22am</time>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2023-12-23T03:22:00+11:00"


@pytest.mark.parametrize("time_el, shown", [
    # The attribute in UTC is the next day; readers see the publisher's evening.
    ('<time datetime="2023-12-22T04:00:41+00:00">Dec. 21, 2023  11:00 pm EST</time>', "2023-12-21"),
    ('<time datetime="2024-01-01T03:30:00Z">31 décembre 2023, 19h30</time>', "2023-12-31"),
])
def test_a_time_whose_text_names_another_day_than_its_attribute_gives_the_text(time_el, shown):
    root = _root("", f"<h1>T</h1>{time_el}")
    assert [v[:10] for v, _, _ in shown_dates(root, languages=("en", "fr"))] == [shown]


def test_a_time_whose_text_names_its_attributes_day_gives_the_precise_attribute():
    root = _root("", '<h1>T</h1><time datetime="2023-12-21T16:00:41-05:00">Dec. 21, 2023</time>')
    assert [v for v, _, _ in shown_dates(root)] == ["2023-12-21T16:00:41-05:00"]


def test_url_date_anchors_shown_dates_when_nothing_is_declared():
    body = ('<aside><time datetime="2023-12-24T13:05:00-05:00">13:05</time></aside>'
            '<time datetime="2023-12-24T12:05:00-05:00">12:05</time>'
            '<small>posted on <time datetime="2023-12-19T23:30:00-05:00">Dec 19</time></small>')
    root = _root("", body)
    assert choose_dates(root, extract_structured(root), "https://x.test/news/2023-12-20/story")[0] == \
        "2023-12-19T23:30:00-05:00"


def test_htmldate_is_the_last_resort():
    root = _root("", "<p>Some text without any date at all, long enough to be prose for the test.</p>"
                     "<p>Copyright 2021. Posted 2021-03-04.</p>")
    published, _ = choose_dates(root, extract_structured(root), "https://x.test/story")
    assert published == "2021-03-04"


def test_dates_in_lists_of_other_stories_do_not_beat_the_storys_own():
    head = '<meta property="article:published_time" content="2024-02-29T18:15:55+00:00">'
    body = ('<body class="single has-sidebar"><div class="top-hits recent-articles">'
            '<div class="item"><a href="/a">Older story</a><div class="date">February 28, 2024</div></div></div>'
            '<article><h1>Story</h1><div class="byline">By A. Writer</div><div class="date">February 29, 2024</div>'
            '<p>Text.</p></article>'
            '<div class="comments"><time datetime="2024-03-01T08:00:00Z">March 1, 2024</time></div></body>')
    root = parse_html(f"<html><head>{head}</head>{body}</html>")
    assert [v for v, _, _ in shown_dates(root)] == ["2024-02-29"]
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2024-02-29T18:15:55+00:00"


def test_a_day_the_declared_instant_cannot_fall_on_is_not_its_local_date():
    # 18:15 UTC is 29 February everywhere from UTC-12 to UTC+5:45: a "February 28" shown
    # above the story's own line is another story's, even outside any marked list.
    head = '<meta property="article:published_time" content="2024-02-29T18:15:55+00:00">'
    root = _root(head, '<div class="d">February 28, 2024</div><h1>T</h1><div class="d">February 29, 2024</div>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2024-02-29T18:15:55+00:00"
    # 04:20 UTC is still 28 February in the Americas: a shown 22:20 on the 28th names that
    # instant (UTC-6) and beats a same-day date that names nothing more.
    head = '<meta property="article:published_time" content="2024-02-29T04:20:17+00:00">'
    root = _root(head, '<div class="d">February 29, 2024</div><h1>T</h1><span>Feb 28, 2024 10:20 pm</span>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2024-02-28T22:20:00"


def test_feed_page_microdata_waits_for_meta_and_a_bare_day_takes_a_time():
    head = ('<meta property="article:published_time" content="2023-12-21">'
            '<meta property="article:modified_time" content="2023-12-24">')
    body = ('<div itemscope itemtype="https://schema.org/Article"><h2>Breaking News</h2>'
            '<time itemprop="datePublished" datetime="2022-11-01T10:34:37-04:00">November 1, 2022</time>'
            '<div class="post"><h1>Post</h1><time itemprop="datePublished" datetime="2023-12-21T16:43:28-05:00">'
            'December 21, 2023</time></div></div>')
    root = _root(head, body)
    published, modified = choose_dates(root, extract_structured(root), "https://x.test/post/1")
    assert published == "2023-12-21T16:43:28-05:00" and modified == "2023-12-24"


@pytest.mark.parametrize("text, dayfirst, iso", [
    ("18. Juni 2023, 04:34", None, "2023-06-18T04:34:00"),
    ("18 de junio de 2023", None, "2023-06-18"),
    ("1er janvier 2024", None, "2024-01-01"),
    ("7 maggio 2022", None, "2022-05-07"),
    ("18-Jun-2023", None, "2023-06-18"),
    ("Jun. 18, 2023", None, "2023-06-18"),
    ("2023/06/18 04:34", None, "2023-06-18T04:34:00"),
    ("2023年6月18日", None, "2023-06-18"),
    ("03/04/2023", None, "2023-04-03"),
    ("03/04/2023", False, "2023-03-04"),
    ("03.04.2023", False, "2023-04-03"),  # dotted dates are day first everywhere
    ("06/18/2023 4:34 pm", True, "2023-06-18T16:34:00"),  # 18 can only be the day
    ("18/06/2023", False, "2023-06-18"),
])
def test_parse_date_formats_and_numeric_order(text, dayfirst, iso):
    assert parse_date(text, dayfirst) == iso


def test_numeric_dates_follow_the_page_locale():
    assert day_first_locale("en-US") is False and day_first_locale(None, "en_GB") is True
    assert day_first_locale("en", None) is None and day_first_locale("fr-FR") is True
    page = '<html lang="en-US"><head></head><body><h1>T</h1><div class="date">03/04/2023</div></body></html>'
    root = parse_html(page)
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2023-03-04"
    root = parse_html(page.replace("en-US", "en-GB"))
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == "2023-04-03"


# ---------------------------------------------------------------- declared body

def test_declared_body_replaces_an_extraction_that_missed_the_story():
    declared = "&#8220;Quoted&#8221; opening line.\n" + PROSE * 5
    missed = Body(paragraphs=["Sign in to your account to manage newsletters and your saved stories."] * 3)
    assert reconcile_with_declared(missed, declared).paragraphs[0] == "\u201cQuoted\u201d opening line."
    ours = Body(paragraphs=[PROSE * 5])
    assert reconcile_with_declared(ours, declared) is ours
    teaser = PROSE * 5 + " One brother, however, was [&hellip;]"
    assert reconcile_with_declared(missed, teaser) is missed


MORE_PROSE = (
    "Residents said the detour through the industrial estate added twenty minutes to the school run, and "
    "shop owners on the quay feared that fewer visitors would stop once the bridge was closed to cars. ",
    "Die Gemeinde will die Brücke im nächsten Frühjahr für Autos sperren, nachdem Ingenieure gewarnt hatten, "
    "dass das Bauwerk aus den Dreißigerjahren den Schwerverkehr nicht mehr sicher tragen könne. ",
)


@pytest.mark.parametrize("more", MORE_PROSE)
def test_declared_body_that_goes_on_from_what_we_found_replaces_it(more):
    # The page shows the story's first paragraphs; the declared articleBody has them and much more.
    shown = [PROSE.strip(), more.strip()]
    declared = "\n\n".join(shown + [f"{n}. {more.strip()}" for n in range(6)])
    assert reconcile_with_declared(Body(paragraphs=shown), declared).paragraphs == declared.split("\n\n")
    # Not when it says about as much as we found, nor when what we found is not its beginning.
    alike = Body(paragraphs=shown[:1] + [f"{n}. {more.strip()}" for n in range(5)])
    assert reconcile_with_declared(alike, declared) is alike
    partly = Body(paragraphs=shown + [f"Another story entirely, number {n}, in words of its own." for n in range(4)])
    assert reconcile_with_declared(partly, declared) is partly


# ---------------------------------------------------------------- site rules and failures

def _page(html: str, url: str = "https://www.example.test/world/2023/06/18/story") -> Page:
    return Page(url=url, request_url=url, status=200, headers=[("Content-Type", "text/html")],
                body=html.encode(), fetched_at="2023-06-18T05:00:00Z")


RULE_PAGE = _doc(
    '<meta property="og:type" content="article"><meta property="article:published_time" content="2023-06-18T04:34:00Z">',
    '<h1>Generic headline</h1><p class="hl">Rule headline</p><span class="who">By Ann Lee and Bo Chan</span>'
    '<span class="when" data-ts="2023-06-17T09:00:00+02:00"></span>'
    f'<div class="story"><p>{PROSE}</p><div class="newsletter-box">Sign up now for our daily briefing</div>'
    f'<p>Second: {PROSE}</p></div><div class="other"><p>{PROSE.upper()}</p></div>',
)


def test_site_rules_override_fields_and_are_recorded():
    rules = {"example.test": {"version": 3, "title": "p.hl", "authors": "css:span.who",
                              "published": "span.when::attr(data-ts)", "body": "xpath://div[@class='story']",
                              "remove": [".newsletter-box"]}}
    article = extract_article(_page(RULE_PAGE), rules=rules)
    assert article.title == "Rule headline"
    assert article.authors == ["Ann Lee", "Bo Chan"]
    assert article.published == "2023-06-17T09:00:00+02:00"
    assert article.body == f"{PROSE.strip()}\n\nSecond: {PROSE.strip()}"
    assert article.extractor_version == f"{EXTRACTOR_VERSION} rules:example.test@v3"
    # Compiled once, same result; other hosts and no rules give the generic path.
    assert extract_article(_page(RULE_PAGE), rules=SiteRules(rules)) == article
    generic = extract_article(_page(RULE_PAGE, "https://other.test/world/2023/06/18/story"), rules=rules)
    assert generic.title == "Generic headline" and generic.extractor_version == EXTRACTOR_VERSION


def test_site_rule_that_matches_nothing_falls_back():
    rules = {"www.example.test": {"version": 1, "title": "h2.nothing", "body": "div.nothing"}}
    article = extract_article(_page(RULE_PAGE), rules=rules)
    assert article.title == "Generic headline" and PROSE.strip() in article.body


@pytest.mark.parametrize("rules", [
    {"x.test": {"title": "h1"}},  # no version
    {"x.test": {"version": 1, "headline": "h1"}},  # unknown field
    {"x.test": {"version": 1, "title": "xpath://h1[["}},
    {"x.test": {"version": 1, "title": "css:h1[[["}},
])
def test_bad_rules_are_refused(rules):
    with pytest.raises(RuleError):
        SiteRules(rules)


def test_failures_are_logged_or_raised_for_counting(monkeypatch, caplog):
    import pipelines.extraction as extraction

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(extraction, "extract_structured", boom)
    page = _page(RULE_PAGE)
    assert extract_article(page) is None
    assert page.url in caplog.text
    with pytest.raises(RuntimeError):
        extract_article(page, strict=True)


def test_site_rules_pickle_for_worker_processes():
    import pickle

    rules = SiteRules({"example.test": {"version": 1, "title": "p.hl"}})
    copy = pickle.loads(pickle.dumps(rules))
    assert copy.for_url("https://www.example.test/a").tag == "rules:example.test@v1"
    assert extract_article(_page(RULE_PAGE), rules=copy).title == "Rule headline"


# ---------------------------------------------------------------- zone names that keep summer time

@pytest.mark.parametrize("text, expected", [
    ("June 18, 2024 4:34 pm ET", "2024-06-18T16:34:00-04:00"),  # summer: EDT
    ("January 18, 2024 4:34 pm ET", "2024-01-18T16:34:00-05:00"),  # winter: EST
    ("July 4, 2023, 9:15 a.m. PT", "2023-07-04T09:15:00-07:00"),
    ("December 4, 2023, 9:15 a.m. PT", "2023-12-04T09:15:00-08:00"),
    ("18 June 2024 10:00 CT", "2024-06-18T10:00:00-05:00"),
    ("18 December 2024 10:00 MT", "2024-12-18T10:00:00-07:00"),
    ("June 18, 2024 4:34 pm EST", "2024-06-18T16:34:00-05:00"),  # a fixed zone stays fixed
    ("June 18, 2024 4:34 pm EDT", "2024-06-18T16:34:00-04:00"),
])
def test_a_regional_zone_name_is_read_with_the_summer_time_of_its_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("shown, declared, published", [
    # the declared instant is the next day in UTC; the page shows the publisher's evening
    ("June 18, 2024 10:30 pm ET", "2024-06-19T02:30:00Z", "2024-06-18T22:30:00-04:00"),
    ("August 2, 2023 7:05 p.m. PT", "2023-08-03T02:05:00Z", "2023-08-02T19:05:00-07:00"),
])
def test_a_page_showing_its_instant_in_a_regional_zone_gives_its_own_day(shown, declared, published):
    head = f'<meta property="article:published_time" content="{declared}">'
    root = _root(head, f'<h1>T</h1><div class="date">Published {shown}</div>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == published


def test_without_zone_data_a_regional_zone_name_is_its_fixed_offset(monkeypatch):
    from pipelines.extraction import dates

    monkeypatch.setattr(dates, "_region", lambda name: None)
    dates._parse_date.cache_clear()
    try:
        assert parse_date("June 18, 2024 4:34 pm ET") == "2024-06-18T16:34:00-05:00"  # dateparser's ET
    finally:
        dates._parse_date.cache_clear()


# ---------------------------------------------------------------- month names and digits of other scripts

@pytest.mark.parametrize("text, languages, expected", [
    ("15 अगस्त 2023, 10:30", ("hi",), "2023-08-15T10:30:00"),  # Devanagari: vowel signs and viramas
    ("1 मई 2024", ("hi",), "2024-05-01"),  # a month name of two letters
    ("3 মার্চ 2024", ("bn",), "2024-03-03"),
    ("1 মে 2024", ("bn",), "2024-05-01"),  # one letter and its vowel sign
    ("5 மே 2024", ("ta",), "2024-05-05"),
    ("3 ਮਈ 2024", ("pa",), "2024-05-03"),
    ("2024. május 1.", ("hu",), "2024-05-01"),  # the year first
    ("2023. december 24. 18:05", ("hu",), "2023-12-24T18:05:00"),
])
def test_month_names_are_read_in_scripts_with_combining_marks_and_with_the_year_first(text, languages, expected):
    assert parse_date(text, languages=languages) == expected


@pytest.mark.parametrize("text, languages, expected", [
    ("١ مايو ٢٠٢٤", ("ar",), "2024-05-01"),  # Arabic-Indic digits
    ("١٢/٠٥/٢٠٢٤", ("ar",), "2024-05-12"),
    ("१ मई २०२४", ("hi",), "2024-05-01"),  # Devanagari digits
    ("১ মে ২০২৪", ("bn",), "2024-05-01"),  # Bengali digits
    ("۱۲ مه ۲۰۲۴", ("fa",), "2024-05-12"),  # Persian digits
])
def test_dates_written_in_the_digits_of_another_script_are_read(text, languages, expected):
    assert parse_date(text, languages=languages) == expected


@pytest.mark.parametrize("text", ["1 a 2024", "Room 12 de 2024", "2024 am 3"])
def test_a_short_latin_word_is_no_month_name(text):
    assert parse_date(text, languages=("de", "es")) is None


@pytest.mark.parametrize("lang, shown, expected", [
    ("hi", "प्रकाशित: १५ अगस्त २०२३", "2023-08-15"),
    ("ar", "نشر في ٣ مارس ٢٠٢٤", "2024-03-03"),
])
def test_a_page_showing_its_date_in_its_own_digits_is_dated(lang, shown, expected):
    root = parse_html(f'<html lang="{lang}"><body><h1>T</h1><div class="date">{shown}</div>'
                      '<p>Text of the story.</p></body></html>')
    assert choose_dates(root, extract_structured(root), "https://x.test/a")[0] == expected


# ---------------------------------------------------------------- the date shown nearest the headline

# A page that declares no date and has none in its URL: today's date in the masthead, above
# the headline, is no story's date; the one in the story's header or byline is, labelled as
# published, as updated, or not at all; in English and German, above or below the headline.
_MASTHEADS = [
    "<div class='top'><span>Monday, November 24, 2025</span><a href='/'>The Example Times</a></div>",
    "<div><div><p>Montag, 24. November 2025</p></div><a href='/'>Beispielblatt</a></div>",
]
_STORIES = [
    ("<div class='story'><div><h1>{h}</h1><p class='by'>By Jo Roe | November 21, 2025</p></div><p>{p}</p></div>",
     "2025-11-21"),
    ("<div><div class='kopf'><span>Politik · 21.11.2025</span><h1>{h}</h1></div><div><p>{p}</p></div></div>",
     "2025-11-21"),
    ("<div><div><h1>{h}</h1><div><span>Last updated: November 21, 2025 15:34</span></div></div><p>{p}</p></div>",
     "2025-11-21T15:34:00"),
]


@pytest.mark.parametrize("masthead", _MASTHEADS)
@pytest.mark.parametrize("story, day", _STORIES)
def test_an_undeclared_pages_date_is_the_one_shown_nearest_its_headline(masthead, story, day):
    title = "Mining blasts shatter homes in the valley"
    root = _root(f"<title>{title} - The Example Times</title>",
                 masthead + story.format(h=title, p=PROSE))
    published, _ = choose_dates(root, extract_structured(root), "https://x.test/mining-blasts", title=title)
    assert published.startswith(day)


def test_without_a_headline_the_first_date_shown_stays():
    root = _root("<title>No headline here</title>", _MASTHEADS[0] + "<p>By Jo Roe | November 21, 2025</p>")
    published, _ = choose_dates(root, extract_structured(root), "https://x.test/a", title="No headline here")
    assert published.startswith("2025-11-24")


# ---------------------------------------------------------------- links to author pages

# A byline marked by nothing but where it links: no class, no rel, no "By" (hashed class
# names, or a layout that never had any), between the headline and the first paragraph.
@pytest.mark.parametrize("byline, names", [
    ('<div><a href="/author/jo-roe/">Jo Roe</a> <span>1 May 2024</span></div>', ["Jo Roe"]),
    ('<ul><li><a href="https://zeitung.test/autoren/anna-fink">Anna Fink</a></li>'
     '<li><a href="/autoren/jan-marchart">Jan Marchart</a></li></ul>', ["Anna Fink", "Jan Marchart"]),
    ('<span><a href="/staff/12135490002/kaitlyn-mccormick/">Kaitlyn McCormick</a></span>', ["Kaitlyn McCormick"]),
])
def test_a_link_to_an_author_page_under_the_headline_is_the_byline(byline, names):
    root = _root("", f"<h1>Storm hits the coast</h1>{byline}<p>{PROSE}</p>")
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == names


@pytest.mark.parametrize("body", [
    # after the story's first paragraph: an author box or "more from" list, not the byline
    f'<h1>Storm hits the coast</h1><p>{PROSE}</p><div><a href="/author/jo-roe/">Jo Roe</a></div>',
    # a link that is no author page
    '<h1>Storm hits the coast</h1><div><a href="/politics/jo-roe">Jo Roe</a></div>' + f"<p>{PROSE}</p>",
])
def test_other_links_near_the_headline_are_no_byline(body):
    root = _root("", body)
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == []


def test_a_marked_byline_comes_before_a_link_to_an_author_page():
    root = _root("", '<h1>Storm hits the coast</h1><div><a href="/author/jo-roe/">Jo Roe</a></div>'
                     f'<p class="byline">By Ann Lee</p><p>{PROSE}</p>')
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == ["Ann Lee"]


# ---------------------------------------------------------------- update labels, by language

@pytest.mark.parametrize("line", [
    "Updated May 4, 2024 12:00", "Aktualisiert am 04.05.2024", "04.05.2024, 12:00 Uhr aktualisiert",
    "Mis à jour le 4 mai 2024 à 09:06", "Actualizado: 4 may 2024 - 17:38 CEST", "Uppdaterad kl 12.17",
    "Oppdatert 04.05.2024", "2024年5月4日 01時40分更新", "수정 2024.05.04 20:57", "Güncelleme: 04.05.2024 - 18:57",
])
def test_an_update_label_in_the_languages_of_the_data(line):
    assert is_update(line)


@pytest.mark.parametrize("line", [
    # the line's first date, the one read, is the publication; the label is the second's
    "Published 3 May 2024, updated 4 May 2024", "March 2, 2024 6:00 am (Updated 6:01 am)",
    "2024年5月3日 01時28分 (5月4日 01時40分更新)", "입력 2024.05.03 20:00 수정 2024.05.04 20:57",
    # no label
    "May 3, 2024", "Publié le 3 mai 2024", "Veröffentlicht am 03.05.2024",
])
def test_a_line_whose_first_date_is_no_update(line):
    assert not is_update(line)


@pytest.mark.parametrize("header, day", [
    ("<p>Mis à jour le 5 mai 2024 à 10:00</p><p>Publié le 3 mai 2024 à 08:00</p>", "2024-05-03"),
    ("<p>Aktualisiert am 05.05.2024, 10:00 Uhr</p><p>Veröffentlicht am 03.05.2024, 08:00 Uhr</p>", "2024-05-03"),
    ("<p>Actualizado: 5 may 2024 - 10:00</p><p>3 may 2024 - 08:00</p>", "2024-05-03"),
])
def test_an_undeclared_page_is_dated_by_its_publication_not_its_update(header, day):
    title = "Mining blasts shatter homes in the valley"
    root = _root(f"<title>{title}</title>", f"<div><div><h1>{title}</h1><div>{header}</div></div><p>{PROSE}</p></div>")
    published, _ = choose_dates(root, extract_structured(root), "https://x.test/mining-blasts", title=title)
    assert published.startswith(day)


@pytest.mark.parametrize("url, shown, expected", [
    # the masthead's today is the only date shown
    ("https://x.test/world/2024/mar/02/mining-blasts", "", "2024-03-02"),
    ("https://x.test/news/2024/march/2/mining-blasts", "", "2024-03-02"),
    # the URL's day anchors the dates shown: the story's line, on that day, gives the time
    ("https://x.test/news/2024/Mar/2/mining-blasts", "<p class='date'>Saturday 2 March 2024 10:15 GMT</p>",
     "2024-03-02T10:15"),
])
def test_an_undeclared_page_is_dated_by_the_month_in_words_in_its_url(url, shown, expected):
    title = "Mining blasts shatter homes in the valley"
    root = _root(f"<title>{title}</title>", _MASTHEADS[0] + f"<div><h1>{title}</h1>{shown}<p>{PROSE}</p></div>")
    published, _ = choose_dates(root, extract_structured(root), url, title=title)
    assert published.startswith(expected)


# ---------------------------------------------------------------- where a byline sits

@pytest.mark.parametrize("page, names", [
    # a wrapper named for the comments under the story, holding the story
    ('<div class="comments-enabled"><h1>Storm hits the coast</h1><div class="article-author">Jo Roe</div>'
     f'<p>{PROSE}</p></div>', ["Jo Roe"]),
    # a German "Teaser": the story's own header, headline and byline
    ('<section class="article-teaser"><h1>Sturm trifft die Küste</h1><span class="author">Von Anna Fink</span>'
     f'</section><p>{PROSE}</p>', ["Anna Fink"]),
])
def test_a_byline_in_a_furniture_named_block_that_holds_the_headline_is_the_storys(page, names):
    root = _root("", page)
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == names


@pytest.mark.parametrize("block", [
    '<div class="related-stories"><h3>More news</h3><div class="author">Jo Roe</div></div>',
    '<div class="teaser-list"><a href="/b">Storm closes the road</a><span class="author">Von Anna Fink</span></div>',
])
def test_a_byline_in_a_block_of_other_stories_is_not_the_storys(block):
    root = _root("", f"<h1>Storm hits the coast</h1><p>{PROSE}</p>{block}")
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == []


@pytest.mark.parametrize("picture", [
    '<div class="image-container"><img src="a.jpg"><div class="image-text"><span class="author">Image: GCIS</span></div></div>',
    '<div class="photo"><img src="a.jpg"><span class="author">Foto: Jan Roth</span></div>',
])
def test_an_author_in_a_pictures_block_is_its_photographer(picture):
    root = _root("", f'<h1>Storm hits the coast</h1>{picture}<div class="byline">By Jo Roe</div><p>{PROSE}</p>')
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == ["Jo Roe"]


def test_a_bylines_own_picture_block_stays_a_byline():
    root = _root("", '<h1>Storm hits the coast</h1><div class="author-info_wrapper-image"><img src="jo.jpg">'
                     f'<p class="author__name">Jo Roe</p></div><p>{PROSE}</p>')
    assert choose_authors(root, extract_structured(root), [], "https://x.test/a") == ["Jo Roe"]
