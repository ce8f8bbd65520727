"""Rules of ``classify`` (article or not) and ``titles`` (the headline), each on synthetic
markup, with several instances of its class: for every reason a page is declined, a page
declined for it and a near-identical page that is kept; for every way a title is cleaned,
titles it cleans and titles it must leave alone."""

from __future__ import annotations

import json

import pytest

from pipelines.extraction.classify import decline_reason, shows_headline, story_run
from pipelines.extraction.document import parse_html
from pipelines.extraction.structured import Structured, extract_structured
from pipelines.extraction.titles import choose_title, clean_title, site_names
from tests.test_extraction import MORE, PROSE
from tests.test_extraction_general import _OTHER

STORY_URL = "https://news.example/world/2023/06/18/a-story"
HEADLINE = "Blinken arrives in Beijing"

# More paragraphs of prose (12+ words each), for pages that need many or long ones.
OTHER = [
    *_OTHER,
    "Farmers in the valley said the late frost had cost them most of this year's apricot harvest, and "
    "asked the regional government for help to cover the losses before the autumn.",
]


def _html(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def _paras(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _reason(html: str, title: str | None = HEADLINE, has_date: bool = True, url: str = STORY_URL) -> str | None:
    """``decline_reason`` as extraction asks it: the page's <p> texts are its paragraphs."""
    root = parse_html(html)
    paragraphs = [" ".join(p.text_content().split()) for p in root.iter("p")]
    return decline_reason(root, extract_structured(root), url, title, paragraphs, has_date=has_date)


def _ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# ================================================================ classify: error pages

def _story(head: str = "", title: str = HEADLINE, paragraphs: list[str] = PROSE) -> str:
    """A dated, declared page with a headline over ``paragraphs``."""
    return _html(f"<title>{title}</title>" + '<meta property="og:type" content="article">' + head,
                 f"<article><h1>{title}</h1>{_paras(paragraphs)}</article>")


# What an error page says under its title: a line or two, no story.
_SORRY = [
    ["Sorry, we could not find the page you were looking for. Try the search box or the home page."],
    ["The page you requested has moved or no longer exists on this site, we are sorry about that.",
     "Go back to the front page of The Daily Example for today's news and the latest stories."],
]
# What an error page in another language says under its title.
_SORRY_ABROAD = [
    ["Die von Ihnen aufgerufene Seite existiert leider nicht mehr. Nutzen Sie die Suche oder die Startseite."],
    ["Lo sentimos, la página que busca no existe o ha sido trasladada. Vuelva a la portada del diario."],
    ["お探しのページは削除されたか、URLが変更された可能性があります。トップページからお探しください。"],
]


@pytest.mark.parametrize("sorry", _SORRY + _SORRY_ABROAD)
@pytest.mark.parametrize("title", [
    "404 Not Found",
    "Page not found | The Daily Example",
    "Sorry, this page is no longer available - The Daily Example",
    "403 Forbidden",
    "Error 500: Internal Server Error",
    # in the languages of ERROR_TITLES
    "Seite nicht gefunden | Der Beispielbote",
    "Fehler 404 – Seite wurde nicht gefunden",
    "Página no encontrada - El Ejemplo",
    "Page introuvable – Le Quotidien",
    "Pagina non trovata",
    "Страница не найдена",
    "Sidan hittades inte – Exempelbladet",
    "お探しのページが見つかりません｜例新聞",
    "页面不存在 - 示例日报",
    "الصفحة غير موجودة",
])
def test_a_page_titled_as_an_error_is_an_error_page(title, sorry):
    # The template's declarations (og:type) do not make it a story.
    assert _reason(_story(title=title, paragraphs=sorry), title=title) == "error_page"


@pytest.mark.parametrize("title", [
    HEADLINE,
    # Headlines with an error word over a story are stories.
    "Dow drops 500 points as rates rise",
    "Human error blamed for Tuesday's train crash",
    "Ferry service unavailable after storm",
    "Access denied: court rejects appeal by journalists",
    "Human error, not the weather, was behind the ferry crash that closed the harbour for a week",
])
def test_a_story_titled_like_a_story_is_not_an_error_page(title):
    assert _reason(_story(title=title), title=title) is None


@pytest.mark.parametrize("title", [
    # A headline may say a word of an error title: only a phrase naming the page is one.
    "Vermisster Wanderer weiterhin nicht gefunden",
    "Fehler bei der Stimmauszählung in Berlin",
    "Avioneta no encontrada tras dos días de búsqueda",
    "Le suspect reste introuvable après l'évasion",
    "Ошибка пилота названа причиной аварии",
    "行方不明の登山者、まだ見つかりません",
])
@pytest.mark.parametrize("paragraphs", [PROSE, _SORRY_ABROAD[0] + _SORRY_ABROAD[1]])
def test_a_story_abroad_whose_headline_says_a_word_of_an_error_title_is_not_an_error_page(title, paragraphs):
    assert _reason(_story(title=title, paragraphs=paragraphs), title=title) != "error_page"


# ================================================================ classify: declared listings

def _undeclared_story(head: str = "") -> str:
    return _html(f"<title>{HEADLINE}</title>{head}", f"<h1>{HEADLINE}</h1>{_paras(PROSE)}")


@pytest.mark.parametrize("ld", [
    {"@context": "https://schema.org", "@type": "CollectionPage", "name": "World news"},
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "The Daily Example"},
                                                   {"@type": "ItemList", "itemListElement": []}]},
    {"@type": "SearchResultsPage", "name": "Results for Beijing"},
    {"@type": ["WebPage", "https://schema.org/ProfilePage"], "name": "Jane Doe"},
])
def test_a_page_that_declares_itself_a_listing_is_declined(ld):
    # Prose under a headline and a date: without the declaration, a story.
    assert _reason(_undeclared_story(_ld(ld))) == "declared_listing"


@pytest.mark.parametrize("head", [
    _ld({"@type": "WebPage", "name": "World news"}),  # not a listing type
    '<meta property="og:type" content="website">',  # too common to count
    # A listing type, but the page also declares itself an article.
    _ld({"@type": "CollectionPage"}) + '<meta property="og:type" content="article">',
    _ld({"@type": "ItemList", "itemListElement": []}) + '<meta property="article:section" content="World">',
    _ld({"@graph": [{"@type": "CollectionPage"}, {"@type": "NewsArticle", "headline": HEADLINE}]}),
])
def test_a_page_that_does_not_only_declare_a_listing_is_kept(head):
    assert _reason(_undeclared_story(head)) is None


# ================================================================ classify: a wall of teasers

def _teaser_cards(card: str, n: int) -> str:
    return "".join(card.format(i=i) for i in range(n))


_CARDS = [
    '<article class="teaser"><h2><a href="/world/other-{i}">Other story {i}</a></h2></article>',
    '<article><h3>Elsewhere today</h3><span class="kicker">Number {i}</span></article>',
]


def _blurbs(paragraphs: list[str], card: str, n_cards: int) -> str:
    """Each paragraph under a card of its own, as a listing sets its blurbs, then the other cards."""
    cards = [card.format(i=i) for i in range(n_cards)]
    return "".join(c + _paras([p]) for c, p in zip(cards, paragraphs)) + "".join(cards[len(paragraphs):])


@pytest.mark.parametrize("card", _CARDS)
@pytest.mark.parametrize("n_prose, n_cards", [(3, 4), (4, 6)])
def test_more_article_elements_than_paragraphs_of_prose_is_a_listing(card, n_prose, n_cards):
    html = _html(f"<title>{HEADLINE}</title>",
                 f"<h1>{HEADLINE}</h1>{_blurbs((PROSE + MORE)[:n_prose], card, n_cards)}")
    assert _reason(html) == "listing"


# An undeclared story (no JSON-LD, no og:type: a small publisher's page, or one in an
# old archive) over a rail of cards: its paragraphs follow one another under the headline.
@pytest.mark.parametrize("card", _CARDS)
@pytest.mark.parametrize("n_prose, n_cards", [(3, 4), (4, 6), (3, 30)])
def test_a_short_story_over_more_cards_than_paragraphs_is_kept(card, n_prose, n_cards):
    html = _html(f"<title>{HEADLINE}</title>",
                 f"<h1>{HEADLINE}</h1><div>{_paras((PROSE + MORE)[:n_prose])}</div>{_teaser_cards(card, n_cards)}")
    assert _reason(html) is None


@pytest.mark.parametrize("card", _CARDS)
@pytest.mark.parametrize("n_prose, n_cards", [(3, 3), (2, 3)])
def test_fewer_than_four_article_elements_is_not_a_listing(card, n_prose, n_cards):
    html = _html(f"<title>{HEADLINE}</title>",
                 f"<h1>{HEADLINE}</h1>{_paras((PROSE + MORE)[:n_prose])}{_teaser_cards(card, n_cards)}")
    assert _reason(html) is None


_RAILS = [
    '<li><a href="/world/other-{i}">Other headline number {i} about something else entirely</a></li>',
    '<div class="card"><a href="https://news.example/sport/s{i}">Late goal sinks United in cup tie {i}</a></div>',
]


# The same 2000-odd characters of prose in four long paragraphs.
_LONG = PROSE + MORE + OTHER
_LONG_PARAGRAPHS = [" ".join(_LONG[i:i + 3]) for i in range(0, len(_LONG), 3)]


@pytest.mark.parametrize("rail", _RAILS)
@pytest.mark.parametrize("paragraphs, n_links", [(PROSE[:2], 26), (PROSE[:3], 40)])
def test_headline_links_far_beyond_the_prose_is_a_listing(rail, paragraphs, n_links):
    # 3 x prose paragraphs + 20 headline links or more, and not much prose, set as blurbs
    # (a headline link before each).
    links = [rail.format(i=i) for i in range(n_links)]
    body = "".join(f"<div>{link}</div><p>{p}</p>" for link, p in zip(links, paragraphs))
    html = _html(f"<title>{HEADLINE}</title>", f"<h1>{HEADLINE}</h1>{body}<ul>{''.join(links[len(paragraphs):])}</ul>")
    assert _reason(html) == "listing"


def _with_rail(rail: str, n_links: int, paragraphs: list[str], headline: str = HEADLINE) -> str:
    return _html(f"<title>{headline}</title>",
                 f"<h1>{headline}</h1>{_paras(paragraphs)}<ul>{_teaser_cards(rail, n_links)}</ul>")


# A topic's name (three words at most) is no headline: two paragraphs in a row under it are
# its introduction, and two paragraphs are no story's run (STORY_PARAGRAPHS).
@pytest.mark.parametrize("rail", _RAILS)
@pytest.mark.parametrize("topic", ["Climate crisis", "Krieg in Nahost", "気候"])
def test_two_paragraphs_under_a_topics_name_over_a_rail_of_headline_links_are_a_listing(rail, topic):
    assert _reason(_with_rail(rail, 26, PROSE[:2], topic)) == "listing"


@pytest.mark.parametrize("rail", _RAILS)
@pytest.mark.parametrize("paragraphs, n_links", [
    (PROSE[:2], 20),  # fewer links
    (PROSE[:3], 25),
    (PROSE[:3], 40),  # three paragraphs in a row under the headline: a short story
    (PROSE + MORE + OTHER, 60),  # more than 2000 characters of prose: a long story with a big rail
    (_LONG_PARAGRAPHS, 40),
])
def test_a_story_with_a_rail_of_headline_links_is_kept(rail, paragraphs, n_links):
    assert _reason(_with_rail(rail, n_links, paragraphs)) is None


# A story's paragraphs in a row however the page wraps them: sections parted by
# subheadings, a figure between, each paragraph a <div> of its own; in English and German.
_GERMAN = [
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen, "
    "das nach Angaben des Ministeriums bis zum Jahresende in Kraft treten soll.",
    "Kritiker aus der Opposition bemängelten, dass die geplanten Maßnahmen zu spät kämen und die Kosten "
    "für private Haushalte weiter steigen würden, wenn nicht nachgebessert werde.",
    "Der Verband der Stadtwerke begrüßte den Beschluss grundsätzlich, forderte aber mehr Planungssicherheit "
    "für Investitionen in Netze und Speicher in den kommenden zehn Jahren.",
]
_RUNS = [
    "<section><h4>The visit</h4><p>{0}</p><p>{1}</p></section><section><h4>The stakes</h4><p>{2}</p></section>",
    "<div><div>{0}</div><figure><img src='a.jpg'><figcaption>Bild</figcaption></figure><div>{1}</div>"
    "<div class='ad'></div><div>{2}</div></div>",
]


@pytest.mark.parametrize("run", _RUNS)
@pytest.mark.parametrize("paragraphs", [PROSE[:3], _GERMAN])
def test_a_storys_paragraphs_in_a_row_however_wrapped_outweigh_a_wall_of_teasers(run, paragraphs):
    rail = "".join(f'<article><h3><a href="/o/{i}">Another story about a different matter {i}</a></h3></article>'
                   for i in range(30))
    html = _html(f"<title>{HEADLINE}</title>", f"<h1>{HEADLINE}</h1>{run.format(*paragraphs)}{rail}")
    root = parse_html(html)
    paras = [" ".join(el.text_content().split()) for el in root.iter("p", "div")
             if len(el) == 0 and el.text_content().strip() in paragraphs]
    assert story_run(root, paras) == 3
    assert decline_reason(root, extract_structured(root), STORY_URL, HEADLINE, paras) is None


@pytest.mark.parametrize("paragraphs", [PROSE[:3], _GERMAN])
def test_blurbs_each_under_a_headline_link_are_no_run(paragraphs):
    html = _html("", "".join(f'<div><a href="/o/{i}">Another story about a different matter {i}</a><p>{p}</p></div>'
                             for i, p in enumerate(paragraphs)))
    assert story_run(parse_html(html), paragraphs) == 1


# One long block of prose under the shown headline (its paragraphs set apart by <br>s only, or
# joined) is a story whatever the rail; a blurb-sized one is not. In English and Japanese
# (whose characters ``text_length`` weighs three times).
_JAPANESE = ("政府は十三日、南海トラフ地震の評価検討会を開き、宮崎県で観測された地震との関連を調べた。" * 5)


@pytest.mark.parametrize("block", [" ".join(PROSE + MORE[:1]), _JAPANESE])
def test_one_long_block_of_prose_under_the_shown_headline_is_a_story(block):
    html = _with_rail(_RAILS[0], 40, [block])
    assert _reason(html) is None


@pytest.mark.parametrize("block", [PROSE[0], _JAPANESE[:60]])
def test_one_blurb_sized_block_is_too_little_text(block):
    assert _reason(_with_rail(_RAILS[0], 40, [block])) in ("too_little_text", "listing")


def test_one_long_block_needs_the_headline_shown():
    html = _with_rail(_RAILS[0], 40, [" ".join(PROSE + MORE[:1])]).replace(f"<h1>{HEADLINE}</h1>", "")
    assert _reason(html) in ("too_little_text", "listing")


# A short story (a brief, or one a paywall cuts short) on a dated page: its two paragraphs run
# on from under its headline, and hold most of the page's prose, whatever its rails.
_PAYWALL = "<div class='promo'><a href='/subscribe'>Subscribe now to read the whole story</a></div>"
_BRIEFS = [
    (HEADLINE, PROSE[:2], ""),
    ("Bundesregierung beschließt neues Energiegesetz", _GERMAN[:2], ""),
    (HEADLINE, PROSE[:2], _PAYWALL + _paras(OTHER[:1])),  # a promo after the cut, under a link
    ("南海トラフ、一時調査　巨大地震、基準達せず", [_JAPANESE[:70], _JAPANESE[70:140]], _PAYWALL),
]


@pytest.mark.parametrize("rail", _RAILS)
@pytest.mark.parametrize("headline, paragraphs, after", _BRIEFS)
def test_a_dated_short_story_under_its_headline_outweighs_a_rail_of_headline_links(rail, headline, paragraphs,
                                                                                    after):
    html = _html(f"<title>{headline}</title>",
                 f"<h1>{headline}</h1><figure><img src='a.jpg'><a href='/licensing'>Purchase licensing rights "
                 f"for this picture</a></figure>{_paras(paragraphs)}{after}<ul>{_teaser_cards(rail, 40)}</ul>")
    assert _reason(html, title=headline) is None
    # Undated, two paragraphs are too few for a story (no_date), and a short story must be dated.
    assert _reason(html, title=headline, has_date=False) in ("no_date", "listing")


@pytest.mark.parametrize("rail", _RAILS)
@pytest.mark.parametrize("paragraphs", [PROSE[:2], _GERMAN[:2]])
def test_two_paragraphs_under_the_headline_over_more_blurbs_are_a_listing(rail, paragraphs):
    # The run under the headline holds less than half the page's prose: the rest are blurbs,
    # each under a headline link of its own.
    links = [rail.format(i=i) for i in range(60)]
    blurbs = "".join(f"<div>{link}</div><p>{p}</p>" for link, p in zip(links, MORE + OTHER))
    html = _html(f"<title>{HEADLINE}</title>", f"<h1>{HEADLINE}</h1>{_paras(paragraphs)}{blurbs}"
                 f"<ul>{''.join(links[len(MORE + OTHER):])}</ul>")
    assert _reason(html) == "listing"


@pytest.mark.parametrize("rail", _RAILS)
def test_a_short_story_needs_its_headline_shown(rail):
    html = _with_rail(rail, 26, PROSE[:2]).replace(f"<h1>{HEADLINE}</h1>", "")
    assert _reason(html) == "listing"


# ================================================================ classify: the headline the page shows

def _undated(headline_markup: str) -> str:
    return _html("<title>Blinken arrives in Beijing - The Daily Example</title>",
                 f'<nav><a href="/">Home</a></nav><div class="story">{headline_markup}{_paras(PROSE)}</div>')


@pytest.mark.parametrize("markup", [
    f'<nav><a href="/">Home</a> <span>{HEADLINE}</span></nav>',  # in the navigation
    f'<footer><p>Most shared</p><p class="title">{HEADLINE}</p></footer>',  # in the footer
    f'<aside class="most-read"><h3>Most read</h3><ol><li>{HEADLINE}</li></ol></aside>',  # in a side rail
    f'<h2><a href="/world/blinken">{HEADLINE}</a></h2>',  # an element whose headline is a link: a teaser
    # Chrome that holds the headline alone is chrome too.
    f"<aside><h3>{HEADLINE}</h3></aside>",
    f"<footer><p>{HEADLINE}</p></footer>",
    f"<nav><span>{HEADLINE}</span></nav>",
])
def test_an_undated_story_whose_headline_shows_only_outside_the_story_is_declined(markup):
    assert _reason(_undated(markup), has_date=False) == "no_date"


@pytest.mark.parametrize("markup", [
    f"<h1>{HEADLINE}</h1>",
    f'<div class="headline"><b>{HEADLINE}</b></div>',
    f"<h2>{HEADLINE}</h2>",
])
def test_an_undated_story_that_shows_its_headline_in_the_story_is_kept(markup):
    assert _reason(_undated(markup), has_date=False) is None


# A kicker in the headline's own element: a word or a few in a child of their own, before or
# after the headline ("News", "Analysis", "Live"), in any language.
@pytest.mark.parametrize("markup", [
    f'<h1><div class="sub-title">News</div>{HEADLINE}</h1>',
    f'<h1><span class="kicker">Analyse</span> {HEADLINE}</h1>',
    f'<h2>{HEADLINE} <small>Live</small></h2>',
    f'<h1><b>速報</b>{HEADLINE}</h1>',
])
def test_a_headline_with_a_kicker_of_its_own_is_shown(markup):
    assert shows_headline(parse_html(_undated(markup)), HEADLINE)
    assert _reason(_undated(markup), has_date=False) is None


@pytest.mark.parametrize("markup", [
    f"<h1><span>Five words that are not a kicker</span> {HEADLINE}</h1>",  # more than a kicker
    f"<h1>Analysis: {HEADLINE}</h1>",  # in no element of its own: the headline reads otherwise
    f'<h1><span>News</span>{HEADLINE}<span>Live</span></h1>',  # two of them
])
def test_a_headline_with_more_than_a_kicker_is_another_headline(markup):
    assert not shows_headline(parse_html(_undated(markup)), HEADLINE)


# Fewer than three paragraphs, but a story's worth of prose (600 characters) under the shown
# headline: a review, a short report; in English and German. Less prose is no story undated.
_GERMAN_MORE = ("Bis zur Abstimmung im Bundesrat im Herbst wollen die Länder noch eigene Vorschläge zu den Fristen "
                "und zur Verteilung der Mittel einbringen, hieß es aus mehreren Staatskanzleien.")


@pytest.mark.parametrize("paragraphs", [[" ".join(PROSE[:2]), " ".join(PROSE[2:])],
                                        [" ".join(_GERMAN[:2]), " ".join([_GERMAN[2], _GERMAN_MORE])]])
def test_an_undated_story_of_two_long_paragraphs_under_its_shown_headline_is_kept(paragraphs):
    html = _html("<title>Blinken arrives in Beijing - The Daily Example</title>",
                 f"<div class='story'><h1>{HEADLINE}</h1>{_paras(paragraphs)}</div>")
    assert _reason(html, has_date=False) is None
    assert _reason(html.replace(f"<h1>{HEADLINE}</h1>", ""), has_date=False) == "no_date"


@pytest.mark.parametrize("paragraphs", [PROSE[:2], _GERMAN[:2]])
def test_an_undated_page_of_two_paragraphs_short_of_a_story_is_declined(paragraphs):
    html = _html("<title>Blinken arrives in Beijing - The Daily Example</title>",
                 f"<div class='story'><h1>{HEADLINE}</h1>{_paras(paragraphs)}</div>")
    assert _reason(html, has_date=False) == "no_date"


# ================================================================ classify: a declared article overrides the heuristics

_DECLARATIONS = [
    '<meta property="og:type" content="article">',
    '<meta property="og:type" content="Article">',
    '<meta property="article:section" content="World">',
    '<meta property="article:author" content="https://news.example/people/jane-doe">',
    '<meta name="DC.type" content="Text">',
    '<meta name="dcterms.type" content="NewsArticle">',
    _ld({"@type": "NewsArticle", "headline": HEADLINE}),
    _ld({"@type": "BlogPosting", "headline": HEADLINE}),
]
_NOT_DECLARATIONS = [
    "",
    '<meta property="og:type" content="website">',
    '<meta name="DC.type" content="Image">',
    _ld({"@type": "WebPage", "name": HEADLINE}),
]

# (page, has_date, the reason an undeclared copy of it is declined)
_DECLINED_UNLESS_DECLARED = [
    # Undated, and no headline of the story over its prose.
    (lambda head: _html(f"<title>World</title>{head}", f"<h1>World</h1>{_paras(PROSE)}"), False, "no_date"),
    # Dated, but two paragraphs under a topic's name and a rail of 30 headline links.
    (lambda head: _html(f"<title>Climate crisis</title>{head}", f"<h1>Climate crisis</h1>{_paras(PROSE[:2])}"
                        + _teaser_cards(_RAILS[0], 30)), True, "listing"),
    # Dated, but one paragraph of prose (a declared story needs 150 characters of it).
    (lambda head: _html(f"<title>{HEADLINE}</title>{head}", f"<h1>{HEADLINE}</h1>{_paras(PROSE[:1])}"),
     True, "too_little_text"),
]


@pytest.mark.parametrize("declaration", _DECLARATIONS)
@pytest.mark.parametrize("make, has_date, _why", _DECLINED_UNLESS_DECLARED)
def test_a_declared_article_is_kept_where_an_undeclared_page_is_not(declaration, make, has_date, _why):
    assert _reason(make(declaration), has_date=has_date) is None


@pytest.mark.parametrize("declaration", _NOT_DECLARATIONS)
@pytest.mark.parametrize("make, has_date, why", _DECLINED_UNLESS_DECLARED)
def test_an_undeclared_page_must_look_like_a_story(declaration, make, has_date, why):
    assert _reason(make(declaration), has_date=has_date) == why


# ================================================================ titles: "Headline | Section | Site"

@pytest.mark.parametrize("title, sites, h1", [
    ("Harbour bridge to close | Opinion | The Example Times", {"theexampletimes"}, "Harbour bridge to close"),
    ("Sturm trifft die Küste - Wetter - Regionales - Beispielzeitung", {"beispielzeitung"}, "Sturm trifft die Küste"),
    # The site is not known: the <h1> alone says where the headline ends.
    ("Tempête sur la côte — Météo — Le Journal du Port", set(), "Tempête sur la côte"),
    ("Blinken arrives in Beijing · World · Asia", {"thedailyexample"}, "Blinken arrives in Beijing!"),
])
def test_what_follows_the_h1_that_opens_the_title_is_site_furniture(title, sites, h1):
    assert clean_title(title, sites, h1) == h1.rstrip("!")


@pytest.mark.parametrize("title, sites, h1, clean", [
    # The <h1> is not the title's opening part: only the site's name goes.
    ("Harbour bridge to close | Opinion | The Example Times", {"theexampletimes"}, "Opinion",
     "Harbour bridge to close | Opinion"),
    ("Harbour bridge to close | Opinion | The Example Times", {"theexampletimes"}, "Harbour bridge",
     "Harbour bridge to close | Opinion"),
    ("Sturm trifft die Küste - Wetter - Beispielzeitung", {"beispielzeitung"}, None, "Sturm trifft die Küste - Wetter"),
    # The <h1> is the whole title.
    ("Tempête sur la côte — Météo", set(), "Tempête sur la côte — Météo", "Tempête sur la côte — Météo"),
])
def test_a_title_the_h1_does_not_open_keeps_its_parts(title, sites, h1, clean):
    assert clean_title(title, sites, h1) == clean


# ================================================================ titles: "Site: Headline"

_NO_META = Structured()


@pytest.mark.parametrize("title, sites, clean", [
    ("The Daily Example: Blinken arrives in Beijing", {"thedailyexample"}, HEADLINE),
    ("Beispielzeitung: Sturm trifft die Küste", {"beispielzeitung"}, "Sturm trifft die Küste"),
    ("MLB.com: Ohtani homers twice in win", site_names(_NO_META, "https://www.mlb.com/news/ohtani"),
     "Ohtani homers twice in win"),
])
def test_the_sites_name_before_a_colon_is_dropped(title, sites, clean):
    assert clean_title(title, sites) == clean


@pytest.mark.parametrize("title, sites", [
    # Not the site's name: a kicker, or the name of one of its sections (it contains the site's name).
    ("Analysis: Blinken arrives in Beijing", {"thedailyexample"}),
    ("The Daily Example Sport: Late goal sinks United", {"thedailyexample"}),
    ("Beispielzeitung Wetter: Sturm trifft die Küste", {"beispielzeitung"}),
    ("Example: how a harbour bridge is closed", {"thedailyexample"}),
])
def test_other_words_before_a_colon_stay(title, sites):
    assert clean_title(title, sites) == title


# ================================================================ titles: a short part that contains the site's name

@pytest.mark.parametrize("title, sites, clean", [
    # The part contains the site's name ("The Independent" for "independent")...
    ("Storm hits coast | The Independent", {"independent"}, "Storm hits coast"),
    ("The Independent - Storm hits coast", {"independent"}, "Storm hits coast"),
    # ...or the site's name contains the part ("BBC America" of "Anglophenia | BBC America").
    ("Doctor Who returns for a new series | BBC America", {"anglopheniabbcamerica"},
     "Doctor Who returns for a new series"),
    ("Welt | Sturm trifft die Küste", {"weltnachrichtenonline"}, "Sturm trifft die Küste"),
])
def test_a_short_part_that_contains_or_is_contained_in_the_sites_name_is_dropped(title, sites, clean):
    assert clean_title(title, sites) == clean


@pytest.mark.parametrize("title, sites", [
    # More than six words: a headline that names the site, not the site's name.
    ("Live - Independent inquiry into the harbour bridge collapse opens", {"independent"}),
    ("Opinion | Why an independent harbour authority would serve the city better", {"independent"}),
    # Site names of three letters or fewer are not looked for inside words.
    ("Storm hits coast | Left out", {"ft", "ftcom"}),
    ("Storm hits coast - Nosy neighbours", {"nos", "nosnl"}),
    # A part that has nothing of the site's name.
    ("Storm hits coast | Weather", {"independent"}),
])
def test_a_part_that_is_not_the_sites_name_stays(title, sites):
    assert clean_title(title, sites) == title


# ================================================================ titles: the names a site calls itself

@pytest.mark.parametrize("url, has, has_not", [
    ("https://www.thedailyexample.co.uk/world/a-story", {"thedailyexample", "thedailyexamplecouk"},
     {"www", "co", "uk", "couk"}),
    ("https://m.beispielzeitung.de/politik/a", {"beispielzeitung", "beispielzeitungde"}, {"m", "de"}),
    ("https://news.examplegazette.com/a", {"examplegazette", "newsexamplegazettecom"}, {"news", "com"}),
    ("https://www.mlb.com/news/ohtani", {"mlb", "mlbcom"}, {"www", "com"}),
])
def test_site_names_from_the_host(url, has, has_not):
    names = site_names(_NO_META, url)
    assert has <= names and not names & has_not


@pytest.mark.parametrize("title, url, clean", [
    # "MLB.com" names the site: the host with its suffix (a three-letter name alone is not
    # looked for inside the part's words).
    ("Ohtani homers twice in win | MLB.com", "https://www.mlb.com/news/ohtani", "Ohtani homers twice in win"),
    ("CBC.ca - Ferries suspended as storm hits islands", "https://www.cbc.ca/news/ferries",
     "Ferries suspended as storm hits islands"),
    # The host's own label, with no declared name.
    ("Sturm trifft die Küste - Beispielzeitung", "https://www.beispielzeitung.de/a", "Sturm trifft die Küste"),
    ("Examplegazette :: Storm hits coast", "https://news.examplegazette.com/a", "Storm hits coast"),
])
def test_titles_lose_the_name_the_host_gives_the_site(title, url, clean):
    assert clean_title(title, site_names(_NO_META, url)) == clean


@pytest.mark.parametrize("url", ["https://www.com/a", "https://news.co.uk/a"])
def test_a_host_of_noise_labels_names_no_site(url):
    assert not {"www", "com", "news", "co", "uk"} & site_names(_NO_META, url)


# ================================================================ titles: separators with no spaces, a declared section

@pytest.mark.parametrize("title, sites, clean", [
    ("北部の橋が洪水で通行止めに｜毎日新聞", {"毎日新聞"}, "北部の橋が洪水で通行止めに"),  # fullwidth bar
    ("北部の橋が洪水で通行止めに：日本経済新聞", {"日本経済新聞"}, "北部の橋が洪水で通行止めに"),  # fullwidth colon
    ("暴雨致北部桥梁关闭｜新华网", {"新华网"}, "暴雨致北部桥梁关闭"),
    ("Storm hits coast|The Daily Example", {"thedailyexample"}, "Storm hits coast"),
    ("毎日新聞｜北部の橋が洪水で通行止めに", {"毎日新聞"}, "北部の橋が洪水で通行止めに"),
])
def test_a_bar_or_a_fullwidth_colon_parts_a_title_without_spaces(title, sites, clean):
    assert clean_title(title, sites) == clean


@pytest.mark.parametrize("title", ["首相：「国民に説明する」", "Q&A|What the storm means", "見出し｜別の見出し"])
def test_a_part_that_is_not_the_site_stays_at_a_separator_without_spaces(title):
    assert clean_title(title, {"毎日新聞", "thedailyexample"}) == title


@pytest.mark.parametrize("title, section, clean", [
    ("Storm hits coast | World | The Daily Example", "World", "Storm hits coast"),
    ("Sturm trifft die Küste – Panorama – Beispielzeitung", "Panorama", "Sturm trifft die Küste"),
    ("Storm hits coast - World", "World", "Storm hits coast"),
    ("Storm hits coast | World Cup | The Daily Example", "World", "Storm hits coast | World Cup"),  # not the section
])
def test_a_part_that_is_the_declared_section_goes_with_the_sites_name(title, section, clean):
    head = (f'<meta property="og:title" content="{title}"><meta property="article:section" content="{section}">'
            '<meta property="og:site_name" content="The Daily Example">')
    root = parse_html(f"<html><head>{head}</head><body><p>{' '.join(PROSE)}</p></body></html>")
    sites = {"thedailyexample", "beispielzeitung"}
    assert clean_title(title, sites, sections=frozenset({section.lower()})) == clean
    if "Beispielzeitung" not in title:
        assert choose_title(root, extract_structured(root), "https://www.thedailyexample.com/a") == clean
