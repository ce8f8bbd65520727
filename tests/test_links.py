"""The link-following rules, on small pages of each markup the spider must handle."""

from newscrawl.links import LinkRules, clean_url, find_latest_blocks, latest_links, section_article_links

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
