"""General rules of issue 13, each on synthetic markup (several instances of its class):
the one "not the story" vocabulary, the evidence a drastic body change needs, prose in
scripts written without spaces, pages without <p> text, odd JSON-LD values."""

from __future__ import annotations

import json

import lxml.html
import pytest

from pipelines.extraction import extract_article, extract_or_reason
from pipelines.extraction.document import node_text, parse_html, word_count
from pipelines.extraction.furniture import BOILERPLATE, FURNITURE, LISTING, NOT_BYLINE, marked, marked_strictly
from tests.test_extraction import MORE, PROSE, _story_with_json, article_html, page


# ---------------------------------------------------------------- the one vocabulary

def _el(cls: str = "", id_: str = ""):
    return parse_html(f'<html><body><div class="{cls}" id="{id_}">x</div></body></html>').find(".//div")


@pytest.mark.parametrize("cls", ["related-links", "social-links", "c-social", "article-comments-box", "promo-slot-2",
                                 "image-caption", "photo_credit", "comments", "c-kicker", "article-dek"])
def test_boilerplate_marks_strictly(cls):
    assert marked_strictly(_el(cls), BOILERPLATE)


@pytest.mark.parametrize("html", [
    # sharing buttons and a newsletter box between the paragraphs
    "<p>{0}</p><div class='share-buttons'><a href='/s'>Share on Facebook</a> <a href='/t'>Share on X</a></div>"
    "<p>{1}</p><div class='newsletter-signup'><p>Sign up for our daily briefing, in your inbox every morning "
    "before seven.</p></div><p>{2}</p><p>{3}</p>",
    # a side rail of headlines and a breadcrumb trail around the story
    "<div class='breadcrumbs'><a href='/'>Home</a> › <a href='/world'>World</a></div><p>{0}</p><p>{1}</p>"
    "<div class='sidebar'><ul><li><a href='/a'>Storm floods the coast road</a></li><li><a href='/b'>Markets "
    "slip on rate fears</a></li></ul></div><p>{2}</p><p>{3}</p>",
])
def test_furniture_left_out_of_the_vocabulary_is_still_left_out_of_the_story(html):
    # "share", "newsletter", "sidebar", "breadcrumbs" changed no page of the three sets when
    # pruned by us: trafilatura drops such blocks itself, as here.
    story = article_html().replace("".join(f"<p>{p}</p>" for p in PROSE), html.format(*PROSE))
    assert extract_article(page(story)).body.split("\n\n") == PROSE


@pytest.mark.parametrize("cls", ["tag-jon-talton", "ad-free-article", "header", "shared-layout", "reading",
                                 "related-coverage-of-the-war", "article-body", "teaser-text",
                                 "BrandPageWrapper-liveAlertAd", "PageWrapper-socialShareSection"])
def test_words_that_only_look_like_boilerplate_do_not(cls):
    assert not marked_strictly(_el(cls), BOILERPLATE)


@pytest.mark.parametrize("cls, vocabulary", [
    ("relatedPosts", LISTING), ("recommendations-rail", LISTING), ("c-most-viewed", LISTING),
    ("comment-list", LISTING), ("promo teaser", FURNITURE), ("image-caption", FURNITURE),
    ("author-card", NOT_BYLINE), ("bylinePhoto", NOT_BYLINE), ("author__bio", NOT_BYLINE),
])
def test_loose_marks_find_the_word_anywhere(cls, vocabulary):
    assert marked(_el(cls), vocabulary)


@pytest.mark.parametrize("cls, vocabulary", [
    ("commentary", LISTING), ("article-header", LISTING), ("byline", NOT_BYLINE), ("author-name", NOT_BYLINE),
    ("story-meta", FURNITURE),
])
def test_loose_marks_are_whole_words(cls, vocabulary):
    assert not marked(_el(cls), vocabulary)


def test_id_counts_like_class():
    assert marked(_el(id_="related-stories"), LISTING) and marked_strictly(_el(id_="comments"), BOILERPLATE)


# ---------------------------------------------------------------- embedded JSON: new text, not repeated text

@pytest.mark.parametrize("make_items", [
    # A rich-text node and its plain copy, both under text keys: every paragraph twice.
    lambda story: [{"text": p, "value": p} for p in story],
    # Each item holding the whole story again (a list of renderings of one document).
    lambda story: [{"text": " ".join(story)} for _ in story],
])
def test_embedded_json_that_only_repeats_the_shown_text_is_not_taken(make_items):
    data = {"props": {"pageProps": {"blocks": make_items(PROSE[:3])}}}
    article = extract_article(page(_story_with_json(data, shown=3)))
    assert article.body.split("\n\n") == PROSE[:3]


def test_embedded_json_with_new_text_still_completes_the_story():
    data = {"props": {"pageProps": {"blocks": [{"text": p} for p in PROSE + MORE]}}}
    article = extract_article(page(_story_with_json(data, shown=2)))
    assert article.body.split("\n\n") == PROSE + MORE


# ---------------------------------------------------------------- the safety net: drastic changes need evidence

_OTHER = [  # other stories' text, as a page-wide JSON document of the site holds it
    "The city council voted on Tuesday to extend the late-night bus service through the winter months, "
    "after a trial that officials described as a clear success with riders and drivers alike.",
    "A heatwave is expected to bring temperatures above thirty degrees to the south of the country by the "
    "weekend, forecasters said, urging people to check on elderly neighbours and relatives.",
    "The museum reopened its east wing on Saturday after a two-year renovation that restored the original "
    "skylights and added rooms for its collection of early photographs and maps.",
]


@pytest.mark.parametrize("items", [
    # The site's data: other stories first, then this one.
    lambda: [{"text": p} for p in _OTHER + PROSE + MORE],
    # A feed of stories, this one in the middle.
    lambda: [{"text": p} for p in _OTHER[:2] + PROSE + MORE + _OTHER[2:]],
])
def test_embedded_json_that_does_not_begin_with_the_shown_story_is_refused(items):
    data = {"props": {"pageProps": {"blocks": items()}}}
    trace: list = []
    article = extract_or_reason(page(_story_with_json(data, shown=2)), trace=trace)
    assert article.body.split("\n\n") == PROSE[:2]
    (decision,) = [d for d in trace if d.step == "embedded JSON"]
    assert decision.drastic and not decision.kept and "before the paragraphs the page shows" in decision.evidence


@pytest.mark.parametrize("lead", [[], ["A standfirst of a few words."]])
def test_embedded_json_that_continues_the_shown_story_is_kept(lead):
    data = {"props": {"pageProps": {"blocks": [{"text": p} for p in lead + PROSE + MORE]}}}
    trace: list = []
    article = extract_or_reason(page(_story_with_json(data, shown=1)), trace=trace)
    assert all(p in article.body for p in PROSE + MORE)
    (decision,) = [d for d in trace if d.step == "embedded JSON"]
    assert decision.drastic and decision.kept and decision.evidence.startswith("continues")


def _declared(text: str, headline: str = "Blinken arrives in Beijing") -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
                     "articleBody": text})
    return f'<script type="application/ld+json">{ld}</script>'


def _shown(paragraphs: list[str], extra_body: str = "") -> str:
    html = article_html(extra_body=extra_body)
    return html.replace("".join(f"<p>{p}</p>" for p in PROSE), "".join(f"<p>{p}</p>" for p in paragraphs))


@pytest.mark.parametrize("declared", [
    # Another story's body declared on this page (a CMS template bug): not shown, not ours.
    lambda: " ".join(_OTHER * 3),
    # A declared body whose text lies in a script the page never shows.
    lambda: " ".join(MORE * 3),
])
def test_a_declared_body_that_is_not_shown_does_not_replace_ours(declared):
    trace: list = []
    html = _shown(PROSE[:2]).replace("</head>", _declared(declared()) + "</head>")
    article = extract_or_reason(page(html), trace=trace)
    assert article.body.split("\n\n") == PROSE[:2]
    (decision,) = [d for d in trace if d.step == "declared body"]
    assert decision.drastic and not decision.kept


@pytest.mark.parametrize("hidden", ["<aside>{}</aside>", '<footer><div class="x">{}</div></footer>'])
def test_a_declared_body_shown_on_the_page_replaces_what_we_missed(hidden):
    # The story is on the page, but in markup the block choice drops: we took another text.
    shown = hidden.format("".join(f"<p>{p}</p>" for p in PROSE + MORE))
    html = _shown(_OTHER[:2]).replace("</body>", shown + "</body>")
    html = html.replace("</head>", _declared(" ".join(PROSE + MORE)) + "</head>")
    trace: list = []
    article = extract_or_reason(page(html), trace=trace)
    assert all(p in article.body for p in MORE)
    decisions = [d for d in trace if d.step == "declared body"]
    assert decisions and all(d.kept for d in decisions)


def test_the_declared_body_stands_alone_only_under_the_pages_headline():
    from pipelines.extraction.evidence import Page, check_growth

    empty = parse_html(article_html().replace("".join(f"<p>{p}</p>" for p in PROSE), ""))
    assert check_growth(Page(empty), [], PROSE + MORE, headline=True)[0] is True
    assert check_growth(Page(empty), [], PROSE + MORE, headline=False)[0] is False
    # On a page, trafilatura itself falls back to the declared body when it finds no text.
    story = " ".join(PROSE + MORE)
    same = extract_or_reason(page(article_html().replace("".join(f"<p>{p}</p>" for p in PROSE), "")
                                  .replace("</head>", _declared(story) + "</head>")))
    assert not isinstance(same, str) and MORE[0] in same.body


def test_a_cut_that_removes_more_prose_than_it_keeps_is_refused():
    from pipelines.extraction.evidence import check_cut

    headlines = ["Rain expected across the south", "Museum reopens its east wing", "Council extends bus service"]
    assert check_cut([PROSE[0], "Related", *headlines, *PROSE[1:]], [PROSE[0]])[0] is False
    assert check_cut([*PROSE, "More from World", *headlines, *_OTHER], PROSE)[0] is True
    # An inline box of headlines mid-story, longer than the clean-up looks ahead.
    html = _shown([PROSE[0], "More from World", *headlines, *PROSE[1:], *MORE])
    trace: list = []
    article = extract_or_reason(page(html), trace=trace)
    (cut,) = [d for d in trace if d.step == "clean-up"]
    assert cut.drastic and not cut.kept and MORE[-1] in article.body


def test_drastic_is_more_than_half_again_or_less_than_half():
    from pipelines.extraction.evidence import drastic

    assert not drastic(100, 150) and drastic(100, 151) and not drastic(100, 50) and drastic(100, 49)


# ---------------------------------------------------------------- pages whose story is not in <p>

_DIV_STORY = "".join(f"<div>{p}</div>" for p in PROSE)


@pytest.mark.parametrize("wrapper", [
    # ASP.NET WebForms: the whole page inside one <form>.
    '<form method="post" action="./a" id="aspnetForm"><div class="main"><h1>Blinken arrives in Beijing</h1>'
    '<div class="desc">{story}</div></div></form>',
    # An old table layout inside a page-wide search <form>, the story in table cells.
    '<form name="search" action="/find"><table><tr><td><h1>Blinken arrives in Beijing</h1></td></tr>'
    '<tr><td class="content">{story}</td></tr></table></form>',
])
def test_a_wrapper_of_a_story_without_p_text_is_not_pruned(wrapper):
    html = article_html().replace(article_html().split("<body>")[1].split("</body>")[0],
                                  wrapper.format(story=_DIV_STORY))
    article = extract_article(page(html))
    assert article is not None and all(p in article.body for p in PROSE[:3])


# ---------------------------------------------------------------- prose in scripts without spaces

def test_word_count_in_any_script():
    assert word_count("Mr Blinken was to begin two days of talks") == 9
    assert word_count("１３日午後９時１９分ごろ、宮崎県で震度５弱の地震があった。") > 12
    assert word_count("美国国务卿布林肯星期日抵达北京，试图缓和紧张关系。") > 12
    assert word_count("") == 0


_JA = ["１３日午後９時１９分ごろ、宮崎県で震度５弱の地震があった。気象庁によると、震源地は日向灘で、震源の深さは約３６キロ。",
       "地震の規模はマグニチュード６・６と推定される。高知県、宮崎県で津波を観測した。",
       "昨年８月に続いて２度目となる臨時情報を発表した。"]
_ZH = ["美国国务卿布林肯星期日抵达北京，开始为期两天的访问，试图缓和日益紧张的中美关系。",
       "他是拜登总统上任以来访问中国的最高级别美国官员，双方将讨论贸易和技术管制等问题。",
       "分析人士说，两国政府都在降低期望，这次访问的目的是稳定关系而不是解决分歧。"]


@pytest.mark.parametrize("lang, paragraphs", [("ja", _JA), ("zh", _ZH)])
def test_a_declared_story_in_a_script_without_spaces_is_an_article(lang, paragraphs):
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": paragraphs[0][:20],
                     "datePublished": "2025-01-13T21:19:00+09:00"})
    html = (f'<html lang="{lang}"><head><script type="application/ld+json">{ld}</script>'
            f'<title>{paragraphs[0][:20]}</title></head><body><article><h1>{paragraphs[0][:20]}</h1>'
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>")
    article = extract_article(page(html, url="https://news.example/article/1011185"))
    assert article is not None and paragraphs[1] in article.body


# ---------------------------------------------------------------- odd JSON-LD values never fail a page

@pytest.mark.parametrize("image", [
    {"@type": "ImageObject", "url": ["https://news.example/a.jpg", "https://news.example/b.jpg"]},
    {"@type": "ImageObject", "url": {"@id": "https://news.example/a.jpg"}},
    [{"@type": "ImageObject", "contentUrl": ["https://news.example/a.jpg"]}],
])
def test_jsonld_image_url_of_any_shape(image):
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Blinken arrives",
                     "image": image})
    article = extract_article(page(article_html(f'<script type="application/ld+json">{ld}</script>')), strict=True)
    assert article is not None


# ---------------------------------------------------------------- bylines in the languages of the data

from pipelines.extraction.authors import BYLINE_LEAD, split_authors, trailing_byline  # noqa: E402


@pytest.mark.parametrize("byline, names", [
    ("Von Seb Dumitru", ["Seb Dumitru"]),
    ("Por Juan Pérez y Ana López", ["Juan Pérez", "Ana López"]),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("Di Mario Rossi", ["Mario Rossi"]),
    ("Av Kari Nordmann", ["Kari Nordmann"]),
    ("Door Jan de Vries", ["Jan de Vries"]),
    ("Autor: Jan Nowak", ["Jan Nowak"]),
    ("记者 王小明", ["王小明"]),
    ("구현모 기자", ["구현모"]),
])
def test_byline_prefixes_beyond_english(byline, names):
    assert split_authors(byline) == names
    assert trailing_byline(byline) == names or not BYLINE_LEAD.match(byline)


def _table(table):
    from pipelines.extraction import authors

    return [(lang, word) for lang, words in getattr(authors, table).items() for word in words]


@pytest.mark.parametrize("lang, word", _table("NAME_CONNECTORS"))
def test_every_connector_of_the_table_splits_two_names(lang, word):
    assert split_authors(f"Jana Roe {word} Ali Kaya") == ["Jana Roe", "Ali Kaya"], lang


@pytest.mark.parametrize("lang, word", _table("BYLINE_ROLES"))
def test_every_role_of_the_table_is_taken_off_the_name(lang, word):
    assert split_authors(f"Jana Roe {word}") == ["Jana Roe"], lang
    assert split_authors(f"신현주 {word}") == ["신현주"], lang


@pytest.mark.parametrize("text", ["Von der Leyen sagt Nein", "Di Maio attacca", "Par ailleurs", "Por su parte"])
def test_a_sentence_starting_with_a_prefix_word_is_not_a_byline(text):
    assert not BYLINE_LEAD.match(text) and not trailing_byline(text)


def test_a_german_byline_line_names_the_author():
    html = article_html().replace("<meta name=\"author\" content=\"Jane Doe\">", "").replace(
        "<h1>Blinken arrives in Beijing</h1>", "<h1>Blinken arrives in Beijing</h1><p>Von Jana Roe</p>")
    assert extract_article(page(html)).authors == ["Jana Roe"]


# ---------------------------------------------------------------- written dates in the page's language

from pipelines.extraction.dates import month_names, parse_date  # noqa: E402


@pytest.mark.parametrize("text, languages, expected", [
    ("18. Juni 2023, 04:34", (), "2023-06-18T04:34:00"),
    ("3 stycznia 2024", ("pl",), "2024-01-03"),
    ("5 Ocak 2024", ("tr",), "2024-01-05"),
    ("Veröffentlicht am 3. Mai 2024 um 15:47", ("de",), "2024-05-03T15:47:00"),
    ("2023년 6월 18일", ("ko",), "2023-06-18"),
])
def test_written_dates_in_the_pages_language(text, languages, expected):
    assert parse_date(text, languages=languages) == expected


def test_month_names_come_from_dateparser_data():
    assert month_names("pl")["stycznia"] == 1 and month_names("tr-TR")["haziran"] == 6
    assert month_names("xx") == {}
    assert parse_date("3 stycznia 2024") is None  # not a default language: the page must say it is Polish


@pytest.mark.parametrize("text, expected", [
    ("June 18, 2023 4:34 pm EDT", "2023-06-18T16:34:00-04:00"),
    ("18 June 2023 16:34 SAST", "2023-06-18T16:34:00+02:00"),  # zones beyond a hand table's
    ("18 June 2023 10:30 MEZ", "2023-06-18T10:30:00+01:00"),
    ("18 June 2023 10:30 HKT", "2023-06-18T10:30:00+08:00"),
    ("18 June 2023 10:30 et", "2023-06-18T10:30:00"),  # not in capitals: a word, not a zone
])
def test_zone_abbreviations_come_from_dateparser_data(text, expected):
    assert parse_date(text) == expected


def test_a_page_in_polish_gets_its_written_date():
    html = article_html().replace('<html lang="en">', '<html lang="pl">').replace(
        '<meta property="article:published_time" content="2023-06-18T04:34:00+01:00">', "").replace(
        "<h1>Blinken arrives in Beijing</h1>", '<h1>Blinken arrives in Beijing</h1><p class="date">3 stycznia 2024</p>')
    assert extract_article(page(html, url="https://news.example/world/a-story")).published == "2024-01-03"


# ---------------------------------------------------------------- a kicker before the headline in the <h1>

@pytest.mark.parametrize("h1", [
    '<h1><span class="topline">Asia diplomacy</span> <span class="headline">Blinken arrives in Beijing for two days of '
    "talks</span></h1>",
    '<h1><b>Diplomacy in Asia</b> Blinken arrives in Beijing for two days of talks</h1>',
    # A separator for screen readers in an element of its own (no words in it), and the
    # JSON-LD headline saying the <h1>'s words: the kicker is still set apart.
    '<h1><span class="overline">Asia diplomacy</span><span class="offscreen"> - </span>'
    '<span class="title">Blinken arrives in Beijing for two days of talks</span></h1>',
    '<h1><em>Diplomacy in Asia</em><i aria-hidden="true">: </i>Blinken arrives in Beijing for two days of talks</h1>',
])
def test_a_kicker_set_apart_in_the_h1_is_not_the_headline(h1):
    heading = " ".join(lxml.html.fragment_fromstring(h1).text_content().split())
    html = article_html(
        '<meta property="og:title" content="Blinken arrives in Beijing for two days of talks">'
        f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": heading})}</script>'
    ).replace("<h1>Blinken arrives in Beijing</h1>", h1)
    assert extract_article(page(html)).title == "Blinken arrives in Beijing for two days of talks"


@pytest.mark.parametrize("h2", [
    '<h2><span class="article__kicker">Asia diplomacy</span> <span class="article__headline">Blinken arrives in '
    "Beijing for two days of talks</span></h2>",
    '<h2 class="headlines"><b>"Diplomacy in Asia"</b><span>Blinken arrives in Beijing for two days of talks</span></h2>',
])
def test_a_kicker_set_apart_in_the_h2_that_shows_the_headline_is_not_the_headline(h2):
    # The page's <h1> is in the breadcrumb (the search engines' "Kicker: Headline", as the
    # JSON-LD headline); readers see the <h2>, the kicker in an element of its own.
    kicker = "Asia diplomacy" if "Asia diplomacy" in h2 else '"Diplomacy in Asia"'
    declared = f"{kicker}: Blinken arrives in Beijing for two days of talks"
    html = article_html(
        '<meta property="og:title" content="Blinken arrives in Beijing for two days of talks">'
        f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": declared})}</script>'
    ).replace('<nav><a href="/">Home</a></nav>', f'<nav><a href="/">Home</a> <h1>{declared}</h1></nav>').replace(
        "<h1>Blinken arrives in Beijing</h1>", h2)
    assert extract_article(page(html)).title == "Blinken arrives in Beijing for two days of talks"


@pytest.mark.parametrize("h1", [
    '<h1><span class="kicker">Asia diplomacy</span><span class="separator">: </span>'
    '<span class="headline">Blinken arrives in Beijing</span></h1>',
    '<h1>  <span class="dh2">Asia diplomacy</span><span class="implied">: </span>\n  <span>Blinken arrives in Beijing'
    '</span> </h1>',
    '<h1><span class="subline">Asia diplomacy<span class="visually-hidden">:</span></span>\t<span>Blinken arrives in '
    'Beijing</span></h1>',
    '<h1><div class="overline-wrapper"><span>Asia diplomacy</span></div><span class="visually-hidden">: </span>'
    '<span>Blinken arrives in Beijing</span></h1>',
])
def test_a_kicker_and_its_separator_in_elements_of_their_own_read_as_written(h1):
    # <title> and og:title say the kicker too, so it stays: "Kicker: Headline", no space before the colon
    html = article_html('<meta property="og:title" content="Asia diplomacy: Blinken arrives in Beijing">').replace(
        "<h1>Blinken arrives in Beijing</h1>", h1).replace("<title>Blinken", "<title>Asia diplomacy: Blinken")
    assert extract_article(page(html)).title == "Asia diplomacy: Blinken arrives in Beijing"


@pytest.mark.parametrize("markup, text", [
    # closing punctuation in an element of its own, or after one, takes no space before it;
    # opening punctuation none after it
    ("<p>Jane Doe<span>,</span> John Roe</p>", "Jane Doe, John Roe"),
    ("<h1><a href='/tv'>The Changeling</a>’s problem</h1>", "The Changeling’s problem"),
    ("<p><a href='/'>news.example</a>.com<i>!</i></p>", "news.example.com!"),
    ("<p>(<span>AFP</span>)</p>", "(AFP)"),
    ("<p>Er sagte: „<em>Nie wieder</em>.“</p>", "Er sagte: „Nie wieder.“"),
    # a space the page writes stays (French typography); other element boundaries part words
    ("<h1><span>Le titre</span><span> : </span><span>la suite</span></h1>", "Le titre : la suite"),
    ("<h1><span>Kicker</span><span>Headline</span></h1>", "Kicker Headline"),
    ("<ul><li>Jane Doe</li><li>John Roe</li></ul>", "Jane Doe John Roe"),
])
def test_node_text_puts_no_space_before_closing_or_after_opening_punctuation(markup, text):
    assert node_text(lxml.html.fragment_fromstring(markup)) == text


def test_words_before_the_headline_in_the_h2_that_are_not_set_apart_stay():
    declared = "Asia diplomacy: Blinken arrives in Beijing for two days of talks"
    html = article_html(
        '<meta property="og:title" content="Blinken arrives in Beijing for two days of talks">'
        f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": declared})}</script>'
    ).replace('<nav><a href="/">Home</a></nav>', f'<nav><a href="/">Home</a> <h1>{declared}</h1></nav>').replace(
        "<h1>Blinken arrives in Beijing</h1>", f"<h2>{declared}</h2>")
    assert extract_article(page(html)).title == declared


@pytest.mark.parametrize("h1", [
    "Why Antony Blinken arrives in Beijing for talks",
    "Diplomacy: Blinken arrives in Beijing for talks",  # a colon alone (pruned by leave-out runs)
    "Analysis Blinken arrives in Beijing for talks",  # one word before the title (pruned likewise)
])
def test_words_before_the_headline_that_are_not_set_apart_stay(h1):
    html = article_html('<meta property="og:title" content="Blinken arrives in Beijing for talks">').replace(
        "<h1>Blinken arrives in Beijing</h1>", f"<h1>{h1}</h1>")
    assert extract_article(page(html)).title == h1


# ---------------------------------------------------------------- an undated story is still a story

def _undated(headline_markup: str, paragraphs: list[str], url: str = "https://news.example/world/a-story") -> str:
    return ("<html><head><title>Blinken arrives in Beijing - The Daily Example</title></head><body>"
            '<nav><a href="/">Home</a> <a href="/world/">World</a></nav>'
            f"{headline_markup}" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>")


@pytest.mark.parametrize("headline", [
    "<h1>Blinken arrives in Beijing</h1>",
    '<div class="headline"><b>Blinken arrives in Beijing</b></div>',
    '<table><tr><td><font size="5">Blinken arrives in Beijing</font></td></tr></table>',
])
def test_an_undated_undeclared_story_under_its_shown_headline_is_an_article(headline):
    # No date anywhere, no declaration: the headline readers see and paragraphs of prose make a story.
    article = extract_article(page(_undated(headline, PROSE[:3]), url="https://news.example/world/a-story"))
    assert article is not None and article.published is None and article.title == "Blinken arrives in Beijing"


@pytest.mark.parametrize("headline, paragraphs", [
    ("", PROSE[:4]),  # no headline shown
    ('<p><a href="/world/blinken">Blinken arrives in Beijing</a></p>', PROSE[:4]),  # only as a teaser's link
    ("<h1>Blinken arrives in Beijing</h1>", PROSE[:2]),  # two paragraphs: not enough to be sure without a date
])
def test_undated_prose_without_a_shown_headline_over_a_few_paragraphs_is_declined(headline, paragraphs):
    assert extract_or_reason(page(_undated(headline, paragraphs), url="https://news.example/world/a-story")) == "no_date"


def test_an_undated_section_page_under_its_headline_is_a_section():
    # A section's teaser blurbs read like prose under its <h1>: the spider's own test says what it is.
    teasers = "".join(f'<h2><a href="/world/story-{i}">{p[:50]}</a></h2><p>{p}</p>' for i, p in enumerate(PROSE))
    html = ("<html><head><title>World</title></head><body><h1>World</h1>" + teasers + "</body></html>")
    assert extract_or_reason(page(html, url="https://news.example/world/")) == "section"


# ---------------------------------------------------------------- teaser cards wrapped whole in a link

@pytest.mark.parametrize("card", [
    '<a href="/world/other-{i}"><div class="c"><p>{text}</p></div></a>',
    '<a href="https://news.example/world/other-{i}"><h3>{text}</h3></a>',
    '<li><a href="/world/other-{i}"><div><p><b>OTHER NEWS:</b> {text}</p></div></a></li>',
])
def test_paragraphs_inside_a_link_to_another_page_are_teasers_not_the_story(card):
    cards = "".join(card.format(i=i, text=t) for i, t in enumerate(_OTHER))
    html = _shown(PROSE, extra_body=f"<div>{cards}</div>")
    article = extract_article(page(html))
    assert article.body.split("\n\n") == PROSE


# ---------------------------------------------------------------- rails of teaser cards, named nothing

# Other stories' cards under the story, as a page whose markup names nothing (hashed classes,
# no sectioning) sets them: each a headline link to another page of the site and one blurb.
_HEADLINES = ["Night buses to run all winter after trial", "Heatwave to bring thirty degrees by the weekend",
              "Museum reopens its east wing after two years"]
_RAIL_CARDS = [
    '<li class="n1"><a href="/city/story-{i}">{headline}</a><p>{blurb}</p></li>',
    '<div class="n2"><a href="/c/{i}"><img src="t{i}.jpg"></a><div><div><a href="/c/{i}">{headline}</a></div>'
    '<a href="/writer/jo">Jo Bloggs</a><span>February 17, 2024</span></div><p>{blurb}</p></div>',
    '<div><div><a href="https://www.news.example/wissen/{i}">{headline}</a></div><p>{blurb}</p></div>',
]


def _rail(card: str) -> str:
    cards = "".join(card.format(i=i, headline=h, blurb=b) for i, (h, b) in enumerate(zip(_HEADLINES, _OTHER)))
    return f"<div class='n9'>{cards}</div>"


@pytest.mark.parametrize("card", _RAIL_CARDS)
def test_a_rail_of_teaser_cards_named_nothing_is_left_out(card):
    html = _shown(PROSE + MORE, extra_body=_rail(card))
    assert extract_article(page(html)).body.split("\n\n") == PROSE + MORE


def test_cards_that_link_to_other_sites_are_a_roundups_items():
    # A shopping roundup's product cards link to the shops: the cards are the story.
    card = '<div><a href="https://shop.example/item/{i}">{headline}</a><p>{blurb}</p></div>'
    cards = "".join(card.format(i=i, headline=h, blurb=b) for i, (h, b) in enumerate(zip(_HEADLINES, _OTHER)))
    article = extract_article(page(_shown(PROSE + MORE, extra_body=f"<div>{cards}</div>")))
    assert all(b in article.body for b in _OTHER)


@pytest.mark.parametrize("card", [_RAIL_CARDS[0], _RAIL_CARDS[2]])
def test_cards_that_hold_most_of_the_page_are_its_story(card):
    # A roundup of the site's own reviews: one line of introduction, then the cards.
    article = extract_article(page(_shown(PROSE[:1], extra_body=_rail(card))))
    assert all(b in article.body for b in _OTHER)


def test_one_card_is_no_rail():
    card = _RAIL_CARDS[0].format(i=0, headline=_HEADLINES[0], blurb=_OTHER[0])
    article = extract_article(page(_shown(PROSE, extra_body=f"<ul>{card}</ul>")))
    assert _OTHER[0] in article.body


def test_a_story_wrapped_whole_in_a_link_is_kept():
    # Much of the page's text inside one <a href>: a page wrapped in a link, not a teaser.
    html = article_html().replace("".join(f"<p>{p}</p>" for p in PROSE),
                                  '<a href="/world/2023/06/18/a-story">' + "".join(f"<p>{p}</p>" for p in PROSE) + "</a>")
    assert extract_article(page(html)).body.split("\n\n") == PROSE


def test_a_declared_body_that_continues_the_paragraphs_shown_completes_them():
    # The page shows the story's first two paragraphs; its declared articleBody is the whole story.
    trace: list = []
    html = _shown(PROSE[:2]).replace("</head>", _declared(" ".join(PROSE + MORE)) + "</head>")
    article = extract_or_reason(page(html), trace=trace)
    assert all(p in article.body for p in MORE)
    (decision,) = [d for d in trace if d.step == "declared body"]
    assert decision.drastic and decision.kept and decision.evidence.startswith("continues the paragraphs")
