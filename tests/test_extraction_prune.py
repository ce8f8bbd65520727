"""What the body path removes before and after trafilatura, rule by rule on synthetic
markup: the pruning and its guards, links that are teasers, the story's own <article>
among several, the closing run of headlines and the author's bio line. Two instances of
each (English and German, or two layouts), and the case each rule must leave alone."""

from __future__ import annotations

import pytest

from pipelines.extraction.body import (
    _drop_trailing_headlines, _headline_like, clean_paragraphs, hidden, link_paragraphs, linked_blocks,
    prune_boilerplate, story_scope,
)
from pipelines.extraction.document import parse_html

# Story paragraphs of 25 words or more (a story's, not a teaser's: ``STORY_WORDS``).
ENGLISH = [
    "The regional council voted late on Tuesday to close the old harbour bridge to heavy traffic after "
    "engineers found cracks in two of its steel supports during a routine inspection this spring.",
    "Lorries will be sent along the ring road from next month, a detour of about twelve kilometres that "
    "hauliers say will add cost and time to every delivery made to the port and the market halls.",
    "The council said repairs would begin in the autumn and could take two years, depending on whether "
    "the supports can be strengthened in place or have to be replaced one by one from barges.",
    "Residents of the harbour district welcomed the decision, saying the bridge had shaken under the "
    "weight of passing lorries for years, while shop owners feared that fewer visitors would come.",
]
GERMAN = [
    "Der Gemeinderat hat am Dienstagabend beschlossen, die alte Hafenbrücke für den Schwerverkehr zu "
    "sperren, nachdem Ingenieure bei einer Routineprüfung im Frühjahr Risse an zwei Stahlträgern fanden.",
    "Lastwagen werden vom kommenden Monat an über die Ringstraße geleitet, ein Umweg von rund zwölf "
    "Kilometern, der nach Angaben der Spediteure jede Lieferung zum Hafen teurer und langsamer macht.",
    "Die Reparatur soll im Herbst beginnen und könnte zwei Jahre dauern, je nachdem, ob die Träger an "
    "Ort und Stelle verstärkt werden können oder einzeln von Schiffen aus ersetzt werden müssen.",
    "Anwohner des Hafenviertels begrüßten die Entscheidung, weil die Brücke seit Jahren unter den "
    "schweren Lastwagen gebebt habe, während viele Ladenbesitzer befürchten, dass künftig weniger Besucher kommen.",
]
STORIES = pytest.mark.parametrize("story", [ENGLISH, GERMAN], ids=["en", "de"])


def _ps(story: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in story)


def _pruned(body: str):
    root = parse_html(f"<html><body>{body}</body></html>")
    prune_boilerplate(root)
    return root


def _text(root) -> str:
    return " ".join(root.find(".//body").itertext())


# ---------------------------------------------------------------- pruning and its guards

@STORIES
@pytest.mark.parametrize("furniture", [
    '<div class="article-comments"><p>{0}</p></div>', '<aside><p>{0}</p></aside>', '<nav><p>{0}</p></nav>',
    '<div class="c-promo"><p>{0}</p></div>', '<div style="display: none"><p>{0}</p></div>',
])
def test_furniture_smaller_than_the_story_is_pruned(story, furniture):
    root = _pruned(_ps(story) + furniture.format("Reader text that is not the story at all."))
    assert "not the story" not in _text(root) and story[0] in _text(root)


@STORIES
@pytest.mark.parametrize("wrapper", ['<div class="promo-wrapper">{0}</div>', '<aside>{0}</aside>',
                                     '<div hidden>{0}</div>'])
def test_a_block_holding_most_of_the_text_is_not_pruned_whatever_it_is_marked(story, wrapper):
    root = _pruned(wrapper.format(_ps(story)) + "<p>A short note under the story.</p>")
    assert all(p in _text(root) for p in story)


@STORIES
@pytest.mark.parametrize("marks", ['class="article-body author-content"', 'class="entry-content c-kicker"'])
def test_a_story_container_is_not_pruned_for_its_other_classes(story, marks):
    # a small story next to much other text: only the container's own name saves it
    other = _ps(["Other text of the page, long enough to outweigh the story. " * 8] * 4)
    root = _pruned(f"<div {marks}>{_ps(story[:1])}</div>{other}")
    assert story[0] in _text(root)


@STORIES
def test_a_block_that_holds_an_article_is_not_pruned(story):
    other = _ps(["Other text of the page, long enough to outweigh the story. " * 8] * 4)
    root = _pruned(f'<div class="article-comments"><article>{_ps(story[:1])}</article></div>{other}')
    assert story[0] in _text(root)


@STORIES
@pytest.mark.parametrize("figure", ["<figure>{0}</figure>", "<figcaption>{0}</figcaption>"])
def test_figures_go_even_when_they_hold_most_of_the_text(story, figure):
    root = _pruned(figure.format(_ps(story)) + "<p>The only line outside the figure.</p>")
    assert story[0] not in _text(root) and "outside the figure" in _text(root)


@pytest.mark.parametrize("el, expected", [
    ('<div hidden>', True), ('<div style="visibility:hidden">', True), ('<div class="sr-only">', True),
    ('<div class="hidden md:block">', False), ('<div class="d-none lg:flex">', False),
    ('<div class="hide-on-print">', False),
    # shown in a state the page is not in as it loads (Alpine.js, Vue); a cloak alone is the app root
    ('<div x-show="isSuccess" x-cloak>', True), ('<div v-if="loggedIn" v-cloak>', True),
    ('<div v-show="open" v-cloak>', True), ('<div id="app" v-cloak>', False), ('<div x-show="open">', False),
])
def test_hidden_is_what_the_pages_markup_hides_on_a_desktop(el, expected):
    root = parse_html(f"<html><body>{el}x</div></body></html>")
    assert hidden(root.find(".//div")) is expected


@STORIES
@pytest.mark.parametrize("shown, classes", [
    (True, "d-none d-md-block"), (True, "sr-only lg:not-sr-only"), (True, "hidden md:flex"),
    (False, "d-none"), (False, "sr-only"), (False, "d-none d-print-block"),
])
def test_a_paragraph_shown_on_a_desktop_is_kept_and_one_shown_only_elsewhere_is_pruned(story, shown, classes):
    root = _pruned(f'<div class="{classes}"><p>{story[0]}</p></div>' + _ps(story[1:]))
    assert (story[0] in _text(root)) is shown and story[-1] in _text(root)


@pytest.mark.parametrize("cloaked", [
    '<div x-show="isSuccess" x-cloak><span>Thanks for signing up!</span><p>Your subscription has been confirmed. '
    'Keep an eye on your inbox!</p></div>',
    '<div v-if="!user" v-cloak><p>Sie müssen angemeldet sein, um zu kommentieren. Bitte melden Sie sich an.</p></div>',
])
def test_a_block_shown_only_in_another_state_of_the_page_is_pruned(cloaked):
    root = _pruned(_ps(ENGLISH[:2]) + cloaked + _ps(ENGLISH[2:]))
    assert "signing up" not in _text(root) and "angemeldet" not in _text(root) and ENGLISH[-1] in _text(root)


@STORIES
def test_a_cloaked_app_root_holding_the_story_stays(story):
    root = _pruned(f'<div id="app" v-cloak x-show="ready">{_ps(story)}</div><p>Footer line.</p>')
    assert story[0] in _text(root)


# ---------------------------------------------------------------- a form's block

# Two sign-up blocks of different shapes and languages: a heading and a pitch above the
# form; a pitch, the form and its small print in a wrapper of their own.
SIGN_UPS = [
    '<div class="c-x1"><h4>Apple fan?</h4><p>Sign up for our weekly brief for the latest news, reviews and tips '
    'delivered right to your inbox.</p><div><form><input type="email"><button>Sign up</button></form></div></div>',
    '<section><div><p>Ein Newsletter für Sie: alle zwei Wochen sonntags Antworten auf Beziehungsfragen, ehrlich '
    'und nah.</p><form><input type="EMAIL" name="e"></form><p>Mit meiner Anmeldung zum Newsletter stimme ich der '
    'Werbevereinbarung zu.</p></div></section>',
]


@STORIES
@pytest.mark.parametrize("sign_up", SIGN_UPS, ids=["heading-pitch-form", "pitch-form-small-print"])
def test_the_block_of_an_email_form_goes_with_it(story, sign_up):
    root = _pruned(_ps(story[:2]) + sign_up + _ps(story[2:]))
    assert "inbox" not in _text(root) and "Newsletter" not in _text(root)
    assert all(p in _text(root) for p in story)


@STORIES
@pytest.mark.parametrize("form", [
    '<form><input type="search"><button>Search</button></form>',  # no email asked for
    '<form><select name="n"><option>2</option></select><input type="submit" value="Buy tickets"></form>',
])
def test_the_block_of_another_form_stays(story, form):
    root = _pruned(f"<div>{_ps(story[:1])}<div>{form}</div></div>" + _ps(story[1:]))
    assert all(p in _text(root) for p in story)


def test_a_short_story_beside_an_email_form_stays():
    # three paragraphs of prose in the form's block: a story that carries a form, not its pitch
    short = ["The harbour bridge closes to lorries from Monday, the council said.",
             "Engineers found cracks in two of its steel supports during an inspection.",
             "Repairs will begin in the autumn and could take two years to finish."]
    other = _ps(["Other text of the page, long enough to outweigh the story. " * 8] * 4)
    root = _pruned(f'<div>{_ps(short)}<form><input type="email"></form></div>{other}')
    assert all(p in _text(root) for p in short)


# ---------------------------------------------------------------- links that are teasers

@pytest.mark.parametrize("teaser", [
    '<p><a href="/world/storm">Storm closes the coast road for a week</a></p>',
    '<h3><a href="/de/sturm">Sturm sperrt die Küstenstraße für eine Woche</a></h3>',
])
def test_a_paragraph_that_is_one_link_is_a_teaser(teaser):
    root = parse_html(f"<html><body>{_ps(ENGLISH)}{teaser}</body></html>")
    assert [el.text_content() for el in link_paragraphs(root)] == [parse_html(teaser).text_content()]


@pytest.mark.parametrize("para", [
    '<p>He said <a href="/a">the council</a> had voted late on Tuesday.</p>',  # a link inside prose
    '<p><a href="#notes">Read the notes</a></p>',  # an anchor on the page
    '<p><a href="/b">Weather</a></p>',  # too short to be a headline
    '<p>Write to the desk at <a href="mailto:desk@example.org">desk@example.org</a> with tips.</p>',  # prose
])
def test_prose_with_a_link_in_it_is_not_a_teaser(para):
    assert link_paragraphs(parse_html(f"<html><body>{para}</body></html>")) == []


@pytest.mark.parametrize("tools", ['<p><a href="javascript:print()">Print</a> | <a href="mailto:?s=x">E-mail</a></p>',
                                   '<p><a href="mailto:desk@example.org">Mail</a></p>'])
def test_a_row_of_page_tools_goes(tools):
    assert len(link_paragraphs(parse_html(f"<html><body>{tools}</body></html>"))) == 1


@STORIES
def test_a_card_wrapped_in_a_link_is_a_teaser_but_not_a_page_wrapped_in_one(story):
    card = '<a href="/next"><div><h3>Risk remains for the harbour towns</h3></div></a>'
    root = parse_html(f"<html><body>{_ps(story)}{card}</body></html>")
    size = lambda el: sum(len(p.text_content()) for p in el.iter("p", "h3"))  # noqa: E731
    assert [el.tag for el in linked_blocks(root, size, size(root))] == ["h3"]
    wrapped = parse_html(f'<html><body><a href="/story">{_ps(story)}</a></body></html>')
    assert linked_blocks(wrapped, size, size(wrapped)) == []


# ---------------------------------------------------------------- the story's own <article>

def _long(story: list[str]) -> str:
    return _ps(story + story[::-1])  # story-sized: 800 characters of <p> text or more


@STORIES
def test_of_several_stories_the_one_with_the_headline_is_the_scope(story):
    first = f"<article><h2>Another story</h2>{_long(story[::-1])}</article>"
    own = f"<article><h1>Harbour bridge: closed!</h1>{_long(story)}</article>"
    root = parse_html(f"<html><body>{first}{own}</body></html>")
    assert story_scope(root, "Harbour bridge — closed") is root.findall(".//article")[1]
    assert story_scope(root, "A title no article has") is root.findall(".//article")[0]


@STORIES
def test_one_story_or_teaser_sized_articles_give_no_scope(story):
    one = parse_html(f"<html><body><article><h1>Harbour bridge</h1>{_long(story)}</article>"
                     f"<article><h2>Harbour bridge</h2>{_ps(story[:2])}</article></body></html>")
    assert story_scope(one, "Harbour bridge") is None
    nested = parse_html(f"<html><body><article><article>{_long(story)}</article><article>{_long(story)}"
                        "</article></article></body></html>")
    assert story_scope(nested, None) is nested.findall(".//article")[1]  # the wrapper is no story


# ---------------------------------------------------------------- after trafilatura

@pytest.mark.parametrize("tail", [
    ["Storm Closes Coast Road For A Week", "Markets Slip As Rate Fears Return", "New Ferry Timetable Starts In May"],
    ["Sturm Sperrt Die Küstenstraße Eine Woche", "Börsen Geben Nach Wegen Der Zinsangst",
     "Neuer Fahrplan Für Die Fähren Ab Mai", "Hafenfest Fällt In Diesem Jahr Aus"],
])
def test_a_closing_run_of_three_headlines_is_cut(tail):
    assert _drop_trailing_headlines([*ENGLISH, *tail]) == ENGLISH


@pytest.mark.parametrize("tail", [
    ["Storm Closes Coast Road For A Week", "Markets Slip As Rate Fears Return"],  # two are not a list
    ["The council will meet again in May.", "Repairs Start In The Autumn Of Next Year", "Ferries Run As Usual Today"],
])
def test_fewer_than_three_headlines_at_the_end_stay(tail):
    paras = [*ENGLISH, *tail]
    assert _drop_trailing_headlines(paras) == paras


@pytest.mark.parametrize("line, expected", [
    ("Storm Closes Coast Road For A Week", True),
    ("Sturm Sperrt Die Küstenstraße Für Eine Woche", True),
    ("The council will meet again in May.", False),  # a sentence
    ("Rising Star", False),  # a short item
    ("2003: Jo Roe – Harbour Club", False),  # a list entry
    ("the council will meet again in may and june", False),  # lower case
])
def test_headline_like_lines(line, expected):
    assert _headline_like(line) is expected


@pytest.mark.parametrize("bio", [
    "Jane Doe is a senior reporter covering transport for The Daily Example.",
    "Max Mustermann is a staff writer based in Hamburg. Send tips to the desk.",
])
def test_the_authors_bio_closing_the_story_goes(bio):
    assert clean_paragraphs([*ENGLISH, bio]).paragraphs == ENGLISH


def test_a_bio_like_sentence_early_in_the_story_stays():
    line = "Jane Doe is a reporter who lives by the harbour and crosses the bridge every day."
    paras = [ENGLISH[0], line, *ENGLISH[1:]]
    assert clean_paragraphs(paras).paragraphs == paras
