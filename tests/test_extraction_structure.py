"""The structure rules of the body and the byline, on synthetic markup: what pruning drops
whatever it is marked, what spares a block, which <article> is the story, what a closing
run of headlines and an author's bio are, where an unmarked byline of an old layout may
stand and what is no byline or no name. Each rule has at least two instances (English and
another language, or two layouts), and the cases it must leave alone. Rules already tested
in test_extraction_prune and test_extraction_bylines are not repeated here."""

from __future__ import annotations

import pytest

from pipelines.extraction.authors import authors_from_values, split_authors
from pipelines.extraction.body import _drop_trailing_headlines, _headline_like, clean_paragraphs, hidden, story_scope
from pipelines.extraction.document import parse_html
from tests.test_extraction_bylines import _authors, _story
from tests.test_extraction_general import _OTHER
from tests.test_extraction_prune import _long, _ps, _pruned, _text

# Story paragraphs of 25 words or more, in two languages.
WATER = [
    "The city's water board approved a plan on Thursday to replace more than four thousand lead service "
    "pipes in the older neighbourhoods north of the river, a project expected to cost about ninety million dollars.",
    "Crews will start on the streets around the old textile mills in March, the board said, because tests "
    "there last year found lead above the federal action limit in nearly one home in five.",
    "Residents will not be charged for the work on the public side of the meter, but owners will be asked "
    "to pay part of the cost of the pipes on their own land unless they qualify for a grant.",
    "Several council members pressed the board to move faster, noting that families in the affected blocks "
    "have been told for two years to run their taps for a minute before drinking the water.",
]
AGUA = [
    "El ayuntamiento aprobó el jueves un plan para sustituir más de cuatro mil tuberías de plomo en los "
    "barrios antiguos del norte de la ciudad, una obra que costará unos noventa millones de euros.",
    "Las cuadrillas empezarán en marzo por las calles que rodean las viejas fábricas textiles, donde los "
    "análisis del año pasado encontraron plomo por encima del límite legal en una de cada cinco viviendas.",
    "Los vecinos no pagarán las obras en la parte pública de la red, pero los propietarios tendrán que "
    "asumir una parte del coste de las tuberías dentro de sus parcelas si no reciben una ayuda municipal.",
    "Varios concejales de la oposición pidieron acelerar los trabajos y recordaron que desde hace dos años "
    "se recomienda a las familias de la zona dejar correr el agua un minuto antes de beberla.",
]
STORIES = pytest.mark.parametrize("story", [WATER, AGUA], ids=["en", "es"])


# ---------------------------------------------------------------- pruning: what goes whatever it is marked

@STORIES
@pytest.mark.parametrize("furniture", [
    "<footer><p>The Daily Example, 12 Harbour Street. Letters to the editor are welcome.</p></footer>",
    '<form action="/newsletter"><p>Get the morning briefing in your inbox before seven.</p></form>',
    '<button type="button">Listen to this article, four minutes</button>',
    "<noscript><p>Please enable JavaScript to view the comments powered by our partner.</p></noscript>",
    "<template><p>Loading the next story in the feed, please wait a moment.</p></template>",
])
def test_page_chrome_tags_go_without_any_class_or_id(story, furniture):
    root = _pruned(_ps(story[:2]) + furniture + _ps(story[2:]))
    assert parse_html(furniture).text_content() not in _text(root)
    assert all(p in _text(root) for p in story)


# ---------------------------------------------------------------- pruning: what spares a block

@STORIES
@pytest.mark.parametrize("container", [
    '<article class="article article--with-comments">{0}</article>',
    '<main id="content" class="site-main with-related">{0}</main>',
])
def test_an_article_or_main_is_not_pruned_for_its_furniture_classes(story, container):
    # the story is small beside the other text of the page: only its tag saves it
    other = _ps(_OTHER * 2)
    root = _pruned(container.format(_ps(story[:2]) + '<div class="article-comments"><p>First!</p></div>') + other)
    assert story[0] in _text(root) and story[1] in _text(root)
    assert "First!" not in _text(root)  # the exemption is the container's own, not its children's


@STORIES
@pytest.mark.parametrize("marks", [
    'class="story-body story-body--promo"', 'class="post-content has-social"',
    'itemprop="articleBody" class="text credit-line"',
])
def test_each_story_container_name_spares_a_block_marked_like_furniture(story, marks):
    other = _ps(_OTHER * 2)
    root = _pruned(f"<div {marks}>{_ps(story[:2])}</div>{other}")
    assert story[0] in _text(root)


@STORIES
@pytest.mark.parametrize("marks", ['class="story-promo"', 'class="post-related"'])
def test_a_name_that_only_starts_like_a_story_container_does_not_spare_it(story, marks):
    root = _pruned(_ps(story) + f"<div {marks}><p>A teaser for another story on the site.</p></div>")
    assert "A teaser" not in _text(root) and story[0] in _text(root)


@STORIES
@pytest.mark.parametrize("chrome", [
    # a mega menu of links, text shown outside any <p>
    "<ul class='menu'>" + "".join(f"<li><a href='/s{i}'>Section number {i} of the site with its own pages</a></li>"
                                  for i in range(60)) + "</ul>",
    # a table of results in cells
    "<table>" + "".join(f"<tr><td>Harbour United {i}</td><td>City Rovers {i + 1}</td><td>Final score, full time</td>"
                        "</tr>" for i in range(60)) + "</table>",
])
def test_with_enough_p_text_a_wrapper_is_measured_by_its_paragraphs(story, chrome):
    # Shown text would count the menu or the table and make the story look small.
    root = _pruned(chrome + f'<div class="promo-wrapper">{_ps(story)}</div>')
    assert all(p in _text(root) for p in story)


@STORIES
def test_a_marked_block_with_over_two_fifths_of_the_text_is_kept_and_with_a_fifth_is_pruned(story):
    # the story is 41 per cent of the page's <p> text, then 22 per cent
    half = _pruned(f'<div class="promo-wrapper">{_ps(story)}</div>' + _ps(_OTHER * 2))
    assert all(p in _text(half) for p in story)
    fifth = _pruned(f'<div class="promo-wrapper">{_ps(story)}</div>' + _ps(_OTHER * 5))
    assert story[0] not in _text(fifth) and _OTHER[0] in _text(fifth)


@pytest.mark.parametrize("el, expected", [
    ('<div class="d-none">', True), ('<div class="is-hidden">', True), ('<div class="hide">', True), ('<div class="visually-hidden">', True),
    ('<div class="screen-reader-text">', True), ('<div style="DISPLAY:NONE">', True),
    ('<div class="hidden sm:inline-block">', False), ('<div class="hidden xl:grid">', False),
    ('<div class="hidden 2xl:contents">', False),
    # shown only on hover or in print: hidden from a reader of the page
    ('<div class="hidden hover:block">', True), ('<div class="hidden print:block">', True),
    ('<div aria-hidden="true">', False),  # hidden from screen readers only, shown on the screen
    # Bootstrap's own breakpoints, and Tailwind's screen-reader-only undone from a width up
    ('<div class="d-none d-md-block">', False), ('<div class="d-none d-lg-flex">', False),
    ('<div class="d-none d-xxl-inline-block">', False), ('<div class="sr-only md:not-sr-only">', False),
    ('<div class="sr-only lg:not-sr-only">', False), ('<div class="hidden md:inline-flex">', False),
    # shown only on small screens, or by a class of neither framework: hidden on a desktop
    ('<div class="d-none d-print-block">', True), ('<div class="d-none d-md-none">', True),
    ('<div class="sr-only focus:not-sr-only">', True), ('<div class="d-none md-block">', True),
])
def test_more_ways_a_page_hides_an_element_and_shows_it_on_a_desktop(el, expected):
    root = parse_html(f"<html><body>{el}x</div></body></html>")
    assert hidden(root.find(".//div")) is expected


# ---------------------------------------------------------------- the story's own <article>

@STORIES
def test_the_article_whose_h2_is_the_title_is_the_scope(story):
    root = parse_html(f"<html><body><article><h1>Another story</h1>{_long(story[::-1])}</article>"
                      f"<article><h2>Lead pipes: the plan</h2>{_long(story)}</article></body></html>")
    assert story_scope(root, "Lead pipes — the plan") is root.findall(".//article")[1]


@STORIES
@pytest.mark.parametrize("title, heading", [(None, "<h2></h2>"), ("—", "<h1>★</h1>")])
def test_without_letters_in_the_title_an_empty_heading_does_not_choose_the_story(story, title, heading):
    root = parse_html(f"<html><body><article><h1>Lead pipes</h1>{_long(story)}</article>"
                      f"<article>{heading}{_long(story[::-1])}</article></body></html>")
    assert story_scope(root, title) is root.findall(".//article")[0]


@STORIES
@pytest.mark.parametrize("rail", [
    "<ul>" + "".join(f"<li><a href='/s{i}'>{t}</a></li>" for i, t in enumerate(_OTHER * 3)) + "</ul>",
    "".join(f"<div class='card'><a href='/c{i}'>{t}</a></div>" for i, t in enumerate(_OTHER * 3)),
])
def test_an_article_of_links_without_p_text_is_no_second_story(story, rail):
    root = parse_html(f"<html><body><article><h1>Lead pipes</h1>{_long(story)}</article>"
                      f"<article><h2>More stories</h2>{rail}</article></body></html>")
    assert story_scope(root, "Lead pipes") is None


# ---------------------------------------------------------------- closing headlines

@pytest.mark.parametrize("lines", [
    ["Ferries Return To The Harbour After Repairs", "Lead Pipe Plan Wins Board Approval",
     "Market Halls Reopen With New Stalls"],
    ["Neue Fähren Für Den Alten Hafen", "Bürgermeisterin Stellt Den Haushalt Vor",
     "Markthalle Öffnet Wieder Mit Neuen Ständen", "Stadtrat Beschließt Neue Buslinie"],
])
def test_a_text_that_is_only_headline_like_lines_is_not_cut_to_nothing(lines):
    assert _drop_trailing_headlines(lines) == lines


@pytest.mark.parametrize("line", [
    "Ferries Return To Old Harbour",  # five words
    "Ferries Return To The Old Harbour After a long winter",  # seven words in ten are capitalised
    "Top 10 Trains, 5 Ferries And 3 Buses",  # numbers count with the capitals
    "Board Approves Lead Pipe Plan For Old Mill Streets North Of The River After Two Years Of Tests",  # eighteen
    "Transcontinental Telecommunications Conglomerate Announces Extraordinary Restructuring Affecting "
    "Approximately Seventeen Thousand Employees",  # 139 characters
])
def test_headline_like_lines_at_the_bounds(line):
    assert _headline_like(line)


@pytest.mark.parametrize("line", [
    "Ferries Return To Harbour",  # four words: a list item
    "Board Approves Lead Pipe Plan For The Old Mill Streets North Of The River After Two Years Of Tests",  # 19
    "Transcontinental Telecommunications Conglomerate Announces Extraordinary Restructuring Affecting "
    "Approximately Seventeen Thousand Employees Worldwide",  # 149 characters
    "Ferries Return To The Old Harbour After Repairs.", "Will The Harbour Bridge Ever Reopen To Lorries?", "Ferries Are Back In The Harbour At Last!",
    "Ferries, Trains And Buses Run As Usual,", "Ferries And Trains Will Run As Follows:",
    "Ferries Return To The Old Harbour After a long winter break",
    "2024 Budget Leaves The Harbour Bridge Unfunded",  # a year opens it: a list entry
    "Analysis: Why The Harbour Bridge Had To Close", "Harbour Club Wins The Cup – Again This Year",
])
def test_questions_long_lines_and_list_entries_are_not_headline_like(line):
    assert not _headline_like(line)


# ---------------------------------------------------------------- the author's bio and the closing byline

@pytest.mark.parametrize("bio", [
    "Ana Ruiz is a correspondent in Madrid for The Daily Example.",
    "Tom O’Brien is an associate editor at the paper.",
    "María José García López is a freelance journalist who covers housing and water.",
    "Kwame Mensah is a contributor to the opinion section.",
    "Lena Park is a senior audio producer on the podcast team.",
    "Sam Okafor is a columnist for The Daily Example and writes about city hall every Friday.",
    # the role written as a title
    "Ana Ruiz is a Senior Reporter at The Daily Example. Follow her on X @anaruiz.",
    "Rose is a Senior Editor at the magazine overseeing features and projects.",
    "Kwame Mensah is a Staff Writer for Metro.",
])
def test_a_closing_bio_goes_for_every_role_it_may_name(bio):
    assert clean_paragraphs([*WATER, bio]).paragraphs == WATER


@pytest.mark.parametrize("after", [
    ["Advertisement", "© 2024 The Daily Example. All rights reserved."],
    ["Correction: an earlier version gave the wrong cost.", "Filed under: Water, City Hall"],
])
def test_a_bio_with_two_lines_after_it_still_closes_the_story(after):
    bio = "Ana Ruiz is a reporter covering city hall for The Daily Example."
    assert bio not in clean_paragraphs([*WATER, bio, *after]).paragraphs


@pytest.mark.parametrize("para", [
    # a long closing paragraph of the story about a former reporter
    "Rosa Lind is a former reporter for the port authority's newsletter, and on Thursday she told the board "
    "that she had asked about the pipes in the mill streets as long ago as 2015, when the first tests came "
    "back, and that nobody had answered her letters. The board's chair said the records of that time were "
    "incomplete and promised an inquiry into what had been known, by whom, and why the families living "
    "there were not told about the results for so long.",
    # a person in the story, not a journalist
    "Marta Gil is a nurse at the district clinic and said she had bought bottled water for her family "
    "since the tests were published.",
    # a closing quote from a source who is a reporter
    "Rosa Lind is a reporter for the port newsletter. “We asked about the pipes in 2015,” she said.",
    'Lena Park is a Freelance Journalist who lives on the mill streets. "Nobody told us," she said.',
    "Sam Okafor is a columnist and a parent at the school: « Nous voulons des réponses », dit-il.",
])
def test_a_closing_paragraph_about_someone_else_is_no_bio(para):
    assert clean_paragraphs([*WATER, para]).paragraphs == [*WATER, para]


def test_a_bio_four_lines_from_the_end_is_story():
    bio = "Ana Ruiz is a reporter who grew up in the mill streets and still lives there."
    paras = [WATER[0], bio, *WATER[1:]]
    assert clean_paragraphs(paras).paragraphs == paras


@pytest.mark.parametrize("line, names", [
    ("Reporter: Jo Roe · 18 June 2023", ["Jo Roe"]),
    ("Texto: Ana López · 18 de junio de 2023", ["Ana López"]),
])
def test_a_closing_byline_with_a_date_is_read_as_a_byline_not_a_dateline(line, names):
    body = clean_paragraphs([*WATER, line])
    assert body.paragraphs == WATER and body.trailing_authors == names


# ---------------------------------------------------------------- old layouts: unmarked lines in other languages

@pytest.mark.parametrize("markup, line", [
    ("<address>{}</address>", "Por Juan Pérez"), ("<small>{}</small>", "Par Jean Dupont"),
    ("<em>{}</em>", "Di Mario Rossi"), ("<i>{}</i>", "Av Kari Nordmann"), ("<strong>{}</strong>", "Texto: Ana López"),
    ("<span>{}</span>", "記者 王小明"), ("<b>{}</b>", "Door Jan de Vries"), ("<div>{}</div>", "Af Mette Hansen"),
    ("<font face='Arial' size='2'>{}</font>", "Av Lars Berg"), ("<table><tr><td>{}</td></tr></table>", "Di Marco Bianchi"),
])
def test_a_short_byline_line_in_any_inline_or_block_element_names_the_author(markup, line):
    name = line.split(" ", 1)[1]  # the line less its prefix word or label
    assert _authors(_story(markup.format(line), AGUA)) == [name]


@pytest.mark.parametrize("sentence", [
    "Por Semana Santa, los hoteles de Sevilla ya están llenos y los precios se han duplicado respecto al año pasado.",
    "Par Grand Vent, les ferries de la Manche sont restés à quai toute la journée, a indiqué la préfecture maritime.",
])
def test_a_long_line_opening_with_a_byline_word_and_capitals_is_no_byline(sentence):
    assert _authors(_story(f"<p>{sentence}</p>", AGUA)) == []


# ---------------------------------------------------------------- elements that are no byline

@pytest.mark.parametrize("marks, markup, name", [
    # WordPress comments: the list's class names no furniture word, the commenter's does
    ("comment-author vcard", '<ol class="commentlist"><li><cite class="{}">Bob Smith</cite><p>Great news.</p></li></ol>',
     "Bob Smith"),
    ("teaser-author", '<ul><li><a href="/lead-landlords">Lead pipes: what to ask a landlord</a> '
                      '<span class="{}">Tom Other</span></li></ul>', "Tom Other"),
    ("author-bio", '<div class="{}"><p>Max Weber</p></div>', "Max Weber"),
    ("author-image", '<div class="{}"><img src="/weber.jpg" alt=""><span>Max Weber</span></div>', "Max Weber"),
])
def test_an_author_mark_beside_a_furniture_bio_or_image_mark_is_no_byline(marks, markup, name):
    assert _authors(_story(after=markup.format(marks))) == []
    assert _authors(_story(after=markup.format("author"))) == [name]  # the mark alone decides


# ---------------------------------------------------------------- what is no name

@pytest.mark.parametrize("value", [
    "admin", "Administrator", "null", "None", "Guest", "Wires", "Reports", "From", "Editors", "Authors",
    "The", "A", "Click Here", "News", "Author", "Wire", "Comments", "Posts", "E-mail Jana Roth",
])
def test_placeholder_values_of_an_author_field_are_no_names(value):
    assert authors_from_values([value]) == []


@pytest.mark.parametrize("value", [
    "Jana Roth Share", "Jana Roth Subscribe", "View Jana Roth", "Jana Roth Profile", "From Jana Roth",
])
def test_a_name_run_together_with_a_buttons_word_is_no_name(value):
    assert authors_from_values([value]) == []


@pytest.mark.parametrize("text", ["Staff Staff", "Admin Admin", "Editor Editor"])
def test_a_label_doubled_by_a_screen_reader_copy_is_still_no_name(text):
    assert split_authors(text) == []


@pytest.mark.parametrize("name", ["Theo Fromm", "Noa Sharett", "Ada Viewegh"])
def test_a_name_holding_a_refused_word_inside_it_is_a_name(name):
    assert split_authors(name) == [name]
