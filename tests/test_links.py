"""The link-following rules, on small pages of each markup the spider must handle."""

import pytest

from newscrawl.follow.links import (
    LinkRules, clean_url, find_latest_blocks, latest_links, section_article_links, section_links, section_prefix,
)

BASE = "http://news.test/world/story-1"

SECTION_H2_UL = """<html><body><nav><a href="/sport/">Sport</a></nav>
<article><p>Body <a href="/world/read-more-only">Read more</a></p></article>
<section><h2>Latest World News</h2><ul><li><a href="/world/a">A</a></li><li><a href="/world/b">B</a></li></ul>
<a href="/world/">See more Latest World News</a></section>
<section><h2>Trending</h2><ul><li><a href="/world/trend">T</a></li></ul></section>
<footer><a href="/about">About</a></footer></body></html>"""

ASIDE_H3_OL = """<html><body><aside><h3>  latest   WORLD news </h3><ol><li><a href="/world/c#x">C</a></li>
<li><a href="/world/d?utm_source=tw&amp;id=4&amp;fbclid=zz">D</a></li></ol></aside></body></html>"""

TABLE_B_BR = """<html><body><table><tr><td><b>LATEST WORLD NEWS</b><br><a href="/world/e">E</a><br>
<a href="/world/f">F</a><br><a href="mailto:desk@news.test">Mail</a><br><a href="javascript:void(0)">J</a><br>
<a href="/world/index.html">See more Latest World News</a></td><td><b>Most read</b><br><a href="/world/g">G</a></td></tr></table></body></html>"""

SEED_SHAPE = """<html><body><section class="latest"><div class="block-header"><h2>Latest World News</h2>
<a href="/news/world-news/">See more Latest World News</a></div><ul><li><a href="/news/world-news/x-1"><img alt="x"></a>
<a href="/news/world-news/x-1">X</a></li><li><a href="/news/world-news/y-2">Y</a></li></ul></section></body></html>"""


def test_section_with_h2_and_ul():
    [block] = find_latest_blocks(SECTION_H2_UL, BASE)
    assert block.links == ["http://news.test/world/a", "http://news.test/world/b"]
    assert block.see_more == "http://news.test/world/"


def test_aside_with_h3_and_ol_cleans_links():
    [block] = find_latest_blocks(ASIDE_H3_OL, BASE)
    assert block.links == ["http://news.test/world/c", "http://news.test/world/d?id=4"]


def test_table_cell_with_b_and_br():
    [block] = find_latest_blocks(TABLE_B_BR, BASE)
    assert block.links == ["http://news.test/world/e", "http://news.test/world/f"]
    assert block.see_more == "http://news.test/world/index.html"


def test_seed_shape_header_then_list():
    [block] = find_latest_blocks(SEED_SHAPE, BASE)
    assert block.see_more == "http://news.test/news/world-news/"
    assert block.links == ["http://news.test/news/world-news/x-1", "http://news.test/news/world-news/y-2"]


def test_configured_titles_and_site_rules():
    page = "<html><body><div><h4>Around the world</h4><a href='/w/1'>1</a></div><div id='x'><a href='/w/2'>2</a></div></body></html>"
    assert latest_links(find_latest_blocks(page, BASE)) == []
    rules = LinkRules(block_titles=["Around the World"])
    assert latest_links(find_latest_blocks(page, BASE, rules)) == ["http://news.test/w/1"]
    rules = LinkRules(site_rules={"news.test": {"latest_block": "#x"}})
    assert latest_links(find_latest_blocks(page, BASE, rules)) == ["http://news.test/w/2"]


def test_section_page_follows_only_section_articles():
    links = section_article_links(SECTION_H2_UL, "http://news.test/world/")
    assert links == ["http://news.test/world/read-more-only", "http://news.test/world/a", "http://news.test/world/b"]
    assert "http://news.test/world/trend" not in links
    table = section_article_links(TABLE_B_BR, "http://news.test/world/index.html")
    assert "http://news.test/world/g" not in table and "http://news.test/world/e" in table


def test_clean_url_drops_fragments_and_tracking_only():
    assert clean_url("http://a.test/x?page=2&utm_campaign=z#top") == "http://a.test/x?page=2"
    assert clean_url("http://a.test/x?gclid=1&fbclid=2") == "http://a.test/x"
    assert clean_url("http://a.test") == "http://a.test/"
    assert clean_url("http://a.test/p?b=2&a=1") == "http://a.test/p?b=2&a=1"


@pytest.mark.parametrize("url, cleaned", [
    # tracking names in any case, percent-encoded, valueless, or matched by a glob
    ("http://a.test/p?UTM_Source=x&id=7", "http://a.test/p?id=7"),
    ("http://a.test/p?utm%5Fmedium=x&id=7#c", "http://a.test/p?id=7"),
    ("http://a.test/p?id=7&fbclid", "http://a.test/p?id=7"),
    ("http://a.test/p?ns_campaign=1&id=7&_ga=2", "http://a.test/p?id=7"),
    # what stays keeps its order and its spelling
    ("http://a.test/p?q=a%20b&utm_source=x&z=a%2Bb&q=c", "http://a.test/p?q=a%20b&z=a%2Bb&q=c"),
    ("http://a.test/s?q=caf%C3%A9&gclid=1", "http://a.test/s?q=caf%C3%A9"),
    # no tracking: only the fragment goes
    ("http://a.test/p?q=a+b&&x=1#top", "http://a.test/p?q=a+b&&x=1"),
    ("http://a.test?x=1", "http://a.test/?x=1"),
])
def test_clean_url_tracking_parameters_of_every_spelling(url, cleaned):
    assert clean_url(url) == cleaned


def test_title_after_an_icon_and_titles_with_quotes():
    # The title's own text comes after a child element (an icon) and blank text.
    page = """<html><body><div><h2>
      <span class="icon"></span> Latest World News</h2><ul><li><a href="/w/1">1</a></li></ul></div>
      <p>Latest<b>!</b> news from the world, not a block title</p></body></html>"""
    assert latest_links(find_latest_blocks(page, BASE)) == ["http://news.test/w/1"]
    # A title that cannot go into an XPath literal still works (every element is a candidate).
    rules = LinkRules(block_titles=["Today's World"])
    page = "<html><body><h3>today's world</h3><ul><li><a href='/w/2'>2</a></li></ul></body></html>"
    assert latest_links(find_latest_blocks(page, BASE, rules)) == ["http://news.test/w/2"]


# -- A block ends at the next block title in the same container ------------------------
# Each page: a Latest block (links /world/1, /world/2) and, in the same container, a
# second titled group whose links (/sport/..., /biz/...) must not be followed.

NEXT_TITLE_PAGES = {
    "bold caps label in one table cell": """<table><tr><td><b>LATEST WORLD NEWS</b><br>
        <a href="/world/1">One</a><br><a href="/world/2">Two</a><br>
        <b>MORE FROM SPORT</b><br><a href="/sport/3">Three</a><br><a href="/sport/4">Four</a></td></tr></table>""",
    "font-wrapped bold labels": """<td><font size="2"><b>Latest World News</b></font><br>
        <a href="/world/1">One</a><br><a href="/world/2">Two</a><br>
        <font size="2"><b>Business</b></font><br><a href="/biz/3">Three</a></td>""",
    "headings in one rail": """<div class="rail"><h3>Latest World News</h3><a href="/world/1">One</a>
        <a href="/world/2">Two</a><h4>Sport</h4><a href="/sport/3">Three</a></div>""",
    "ALL-CAPS divs": """<div class="rail"><div>LATEST WORLD NEWS</div><a href="/world/1">One</a>
        <a href="/world/2">Two</a><div>BUSINESS</div><a href="/biz/3">Three</a></div>""",
    "definition list": """<dl class="rail"><dt>Latest World News</dt><dd><a href="/world/1">One</a></dd>
        <dd><a href="/world/2">Two</a></dd><dt>Most popular in sport</dt><dd><a href="/sport/3">Three</a></dd></dl>""",
    "titled sub-lists": """<ul class="rail"><li><span>Latest World News</span><ul><li><a href="/world/1">One</a></li>
        <li><a href="/world/2">Two</a></li></ul></li><li><span>Opinion</span><ul><li><a href="/biz/3">Three</a></li>
        <li><a href="/biz/4">Four</a></li></ul></li></ul>""",
    "titled groups as siblings": """<div class="rail"><div class="hd"><strong>Latest World News</strong></div>
        <p><a href="/world/1">One</a></p><p><a href="/world/2">Two</a></p>
        <div class="group"><p class="group-title">Sport</p><p><a href="/sport/3">Three</a></p></div></div>""",
    "class-titled labels": """<div class="rail"><p class="rail-title">Latest World News</p><ul><li><a href="/world/1">One</a></li>
        <li><a href="/world/2">Two</a></li></ul><p class="rail-title">Sport</p><ul><li><a href="/sport/3">Three</a></li></ul></div>""",
}


def test_a_block_ends_at_the_next_block_title_in_its_container():
    for name, body in NEXT_TITLE_PAGES.items():
        links = latest_links(find_latest_blocks(f"<html><body>{body}</body></html>", BASE))
        assert links == ["http://news.test/world/1", "http://news.test/world/2"], name


def test_badges_dates_and_bold_headlines_do_not_end_a_block():
    page = """<html><body><td><b>LATEST WORLD NEWS</b><br>
        <span>LIVE</span> <a href="/world/1">One</a><br>
        <b><a href="/world/2">A bold headline link</a></b><br>
        <font size="1">18 JUNE 2023</font><br>
        <li><b>Live</b> <a href="/world/3">Three</a></li>
        <span class="time">12:45 GMT</span> <a href="/world/4">Four</a><br>
        <a href="/world/">SEE MORE</a></td></body></html>"""
    [block] = find_latest_blocks(page, BASE)
    assert block.links == [f"http://news.test/world/{i}" for i in (1, 2, 3, 4)]
    assert block.see_more == "http://news.test/world/"


# -- What a page is decides how it is followed -------------------------------------------

def _teasers(*paths: str) -> str:
    return "".join(f'<div class="teaser"><a href="{p}">A headline about {p.strip("/").replace("/", " ")} today</a>'
                   "<p>A short blurb.</p></div>" for p in paths)


CHROME = """<header><nav><a href="/world/">World</a><a href="/world/europe/">Europe</a><a href="/sport/">Sport</a></nav></header>
<div class="trending"><h3>Trending</h3><a href="/world/trend-1">A trending story elsewhere</a></div>
<footer><a href="/world/about-our-world-desk">About</a></footer>"""


def test_section_pages_are_recognised_from_their_markup():
    pages = {
        # directory-like path, articles under it
        "http://news.test/world/": _teasers("/world/2024/may/20/a", "/world/2024/may/20/b", "/world/2024/may/19/c", "/sport/x"),
        # no trailing slash: articles under /news/world/
        "http://news.test/news/world": _teasers("/news/world/europe/a-1.html", "/news/world/asia/b-2.html", "/news/world/c-3.html"),
        # an index file: its directory
        "http://news.test/intl/index.html": "<table>" + "".join(
            f'<tr><td><font><b><a href="{p}">{p}</a></b></font></td></tr>' for p in ("a.html", "b.html", "2024/c.html")) + "</table>",
    }
    for url, body in pages.items():
        links = section_links(f"<html><body>{CHROME}<main>{body}</main></body></html>", url)
        assert links is not None and len(links) == 3, url
        assert not any("/sport/" in u or "trend" in u or "about" in u for u in links), url


def test_articles_home_pages_and_thin_pages_are_not_sections():
    related = _teasers("/world/2023/a.html", "/world/2023/b.html", "/world/2023/c.html")
    pages = {
        "http://news.test/world/2023/story.html": related,  # undeclared article among its siblings
        "http://news.test/world/2023/story": related,
        "http://news.test/": related,  # a home page: only its Latest blocks are followed
        "http://news.test/index.html": related,
        "http://news.test/world/two/": _teasers("/world/two/a", "/world/two/b"),  # fewer than 3
    }
    for url, body in pages.items():
        assert section_links(f"<html><body>{body}</body></html>", url) is None, url
    declared = '<html><head><meta property="og:type" content="article"></head><body>' + _teasers(
        "/world/a", "/world/b", "/world/c") + "</body></html>"
    assert section_links(declared, "http://news.test/world/") is None
    assert section_links(declared.replace('"article"', '"website"'), "http://news.test/world/") is not None
    assert section_links(_teasers("/world/a", "/world/b", "/world/c"), "http://news.test/world/", min_links=4) is None


def test_a_declared_listing_whose_articles_live_elsewhere():
    ld = '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "CollectionPage"}</script>'
    page = f"<html><head>{ld}</head><body>{CHROME}" + _teasers("/article/one-a1", "/article/two-b2", "/article/three-c3") + "</body></html>"
    links = section_links(page, "http://news.test/world-news")
    assert links == ["http://news.test/article/one-a1", "http://news.test/article/two-b2", "http://news.test/article/three-c3"]
    assert section_links(page, "http://news.test/world-news", listing_fallback=False) is None
    prose = "<p>" + "A paragraph of a story long enough to be prose and not a teaser blurb. " * 4 + "</p>"
    assert section_links(page.replace("</body>", prose * 3 + "</body>"), "http://news.test/world-news") is None
    assert section_prefix("http://news.test/world.html") == "/world/"
