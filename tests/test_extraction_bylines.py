"""Visible bylines, rule by rule on synthetic markup: where a byline may be (marked
elements, bare "By …" lines of old layouts, loose text under the headline), where it may
not (captions, credits, lists of other stories, author cards), and what is no name.
Two instances of each (English and another language, or two layouts)."""

from __future__ import annotations

import pytest

from pipelines.extraction.authors import clean_author, split_authors
from pipelines.extraction.body import clean_paragraphs
from pipelines.extraction.document import parse_html
from pipelines.extraction.fields import _set_apart, choose_authors
from pipelines.extraction.structured import extract_structured
from tests.test_extraction_prune import ENGLISH, GERMAN


def _authors(body: str, url: str = "https://news.example/world/a-story") -> list[str]:
    root = parse_html(f"<html><head></head><body>{body}</body></html>")
    return choose_authors(root, extract_structured(root), [], url)


def _story(lead: str = "", story: list[str] = ENGLISH, after: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in story)
    return f"<article><h1>Harbour bridge closes</h1>{lead}{paras}{after}</article>"


# ---------------------------------------------------------------- marked bylines

@pytest.mark.parametrize("byline, names", [
    ('<div class="byline">By Jane Doe and John Roe</div>', ["Jane Doe", "John Roe"]),
    ('<span class="article-author">Von Jana Roth und Max Weber</span>', ["Jana Roth", "Max Weber"]),
    ('<p class="c-byline__authors"><a class="author-link">Ann Lee</a>, <a class="author-link">Bo Chan</a></p>',
     ["Ann Lee", "Bo Chan"]),
])
def test_a_marked_byline_names_the_authors(byline, names):
    assert _authors(_story(byline)) == names


# A byline block that links its authors: what follows the last link in elements of their own
# is no name (a job title, an icon's title); an unlinked name after a connector or a comma is,
# and a date stays for the byline's reading to cut at.
@pytest.mark.parametrize("byline, names", [
    ('<div class="byline">Von <a href="/autor/sina-roth/">Sina Roth</a><span>Landespolitische Korrespondentin</span>'
     '</div>', ["Sina Roth"]),
    ('<div class="author-info"><a href="/author/eric-lee">Eric Lee</a><div class="author-role"><p>Lead Draft Writer'
     '</p></div></div>', ["Eric Lee"]),
    ('<p class="byline">By <a rel="author" href="/p/todd">Todd Sand</a><a href="#share"><svg><title>Plus Icon</title>'
     '</svg></a></p>', ["Todd Sand"]),
    ('<div class="mb-5"><address>Von <a href="/autoren/philipp-wahl/">Philipp Wahl</a></address><p>Redaktionsleiter'
     '</p></div>', ["Philipp Wahl"]),
])
def test_a_job_title_after_the_last_linked_author_is_no_name(byline, names):
    assert _authors(_story(byline)) == names


@pytest.mark.parametrize("byline, names", [
    ('<div class="byline"><span>By</span><span class="author"><a href="/staff/travis-andersen/">Travis Andersen</a>'
     '<span> and</span></span><span class="author">Adam Sennott</span></div>', ["Travis Andersen", "Adam Sennott"]),
    ('<div class="byline">Von <a href="/autor/jana-roth/">Jana Roth</a>, <span>Max Weber</span></div>',
     ["Jana Roth", "Max Weber"]),
    ('<p class="byline">By <a rel="author" href="/profile/chris/">Chris Hay</a> and <a rel="author" '
     'href="/profile/tom/">Tom Cas</a> on <time>December 21, 2023 at 3:53PM PST</time></p>', ["Chris Hay", "Tom Cas"]),
    ('<p class="byline">By <a rel="author" href="/profile/chris/">Chris Hay</a> and <a rel="author" '
     'href="/profile/tom/">Tom Cas</a> on <span>21.12.2023</span></p>', ["Chris Hay", "Tom Cas"]),
])
def test_an_unlinked_name_or_a_date_after_the_last_linked_author_stays(byline, names):
    assert _authors(_story(byline)) == names


# A byline's parts that show no text (a portrait, an underline or icon inside the name's link)
# are not where the names are.
@pytest.mark.parametrize("byline, names", [
    ('<div class="author"><img class="author-portrait" src="/p.jpg"><a class="author-name" href="/jo-roe">Jo Roe'
     '<span class="author-underline"></span></a> <a class="author-twitter" href="https://twitter.com/jroe">@jroe</a>'
     '</div>', ["Jo Roe"]),
    ('<div class="article-author"><div class="author-info"><a class="author-link" href="/team/jana-roth">Jana Roth'
     '<i class="author-icon"></i></a></div><div class="author-social"><a href="https://x.com/jroth">@jroth</a></div>'
     '</div>', ["Jana Roth"]),
])
def test_parts_that_show_no_text_are_not_the_names(byline, names):
    assert _authors(_story(byline)) == names


# What a byline does not show is no part of its line (``fields._not_shown``): its tooltips
# (the author's bio, "Twitter" over an icon) and text hidden from sight (for screen readers,
# or shown in another state).
@pytest.mark.parametrize("byline, names", [
    ('<div class="byline">By <a href="/a/jo-roe">Jo Roe</a><span class="tooltip">Jo Roe covers health and science '
     'for the site and was a nurse in Leeds before that.</span></div>', ["Jo Roe"]),
    ('<div class="c-bylines"><div class="c-bylines__item">By <a href="/sherri-gordon">Sherri Gordon</a><div '
     'class="c-author-tooltip"><div class="c-author-tooltip__name">Sherri Gordon, CLC</div><div class="c-author-'
     'tooltip__bio">Sherri Gordon is a certified professional life coach and author who writes on health and '
     'wellness for the site.</div></div></div></div>', ["Sherri Gordon"]),
    ('<div class="byline">Von <a href="/autor/jana-roth">Jana Roth</a><span class="tooltip">Jana Roth schreibt seit '
     '2019 über Gesundheit und Wissenschaft, zuvor war sie Krankenpflegerin in Hamburg.</span></div>', ["Jana Roth"]),
    # an icon's tooltip beside an empty icon: neither is a name
    ('<div class="author-box"><span class="author-name">Jo Roe</span><span class="author-socmed"><a href="https://'
     'twitter.com/jr"><i class="author-twitter"></i></a><span class="tooltiptext">Twitter</span></span><span '
     'class="author-socmed"><a href="https://facebook.com/jr"><i class="author-facebook"></i></a><span '
     'class="tooltiptext">Facebook</span></span></div>', ["Jo Roe"]),
    ('<div class="byline">By <span class="meta__link"><span class="screen-reader-text">Social Links for</span> '
     'Nicholas McEntyre</span></div>', ["Nicholas McEntyre"]),
    ('<div class="c-byline">Von <a href="/autor/jana-roth"><span class="sr-only">Zum Profil von</span>Jana Roth</a>'
     '<span style="display:none">Folgen Sie Jana Roth</span></div>', ["Jana Roth"]),
    ('<div class="author">By <span hidden>Posted by</span><a href="/p/ann-lee">Ann Lee</a></div>', ["Ann Lee"]),
])
def test_what_a_byline_does_not_show_is_not_part_of_it(byline, names):
    assert _authors(_story(byline)) == names


# Names set apart by elements and nothing else, no comma, no "and" (``fields._set_apart``):
# the line's text runs them together ("Birgit Baumann Anna Fink"); each element is a name.
@pytest.mark.parametrize("byline, names", [
    ('<div class="article-byline"><div class="article-origins"><span class="simple">Birgit Baumann</span>'
     '<span class="simple">Anna Giulia Fink</span><span class="simple">Jan Michael Marchart</span></div></div>',
     ["Birgit Baumann", "Anna Giulia Fink", "Jan Michael Marchart"]),
    ('<div class="x-authors"><div>Von</div><div><a href="/autoren/jasper-riemann"><img alt=""><span>Jasper Riemann'
     '</span></a><a href="/autoren/barbara-schneider"><img alt=""><span>Barbara Schneider</span></a></div></div>',
     ["Jasper Riemann", "Barbara Schneider"]),
    ('<div class="author-byline">By <span>Timothy H.J. Nerozzi</span><span>Fox News</span></div>',
     ["Timothy H.J. Nerozzi"]),
    # what a tooltip holds is not read, its unmarked elements neither
    ('<div class="byline"><span>Birgit Baumann</span><span>Anna Fink</span><div class="tooltip"><span>Anna Fink '
     'Berlin</span></div></div>', ["Birgit Baumann", "Anna Fink"]),
])
def test_names_set_apart_by_elements_are_each_a_name(byline, names):
    assert _authors(_story(byline), "https://www.foxnews.com/world/a-story") == names


@pytest.mark.parametrize("byline, line", [
    # an element that is more than a name ("Editor" cut off a job title), one name in two
    # elements, a lone word beside one name: the names the line reads stand
    ('<div><span>Houston Mitchell</span><span>Assistant Sports Editor</span></div>',
     ["Houston Mitchell Assistant Sports"]),
    ('<div><span>Jo</span><span>Roe</span></div>', ["Jo Roe"]),
    ('<div>Von <span>Jana Roth</span> <span>Donnerstag</span></div>', ["Jana Roth Donnerstag"]),
])
def test_elements_that_are_not_each_a_full_name_leave_the_names_the_line_reads(byline, line):
    assert _set_apart(parse_html(f"<html><body>{byline}</body></html>").find(".//div"), set(), line) == line


@pytest.mark.parametrize("where", [
    '<figure><img src="/a.jpg"><figcaption><span class="author">By Photo Person</span></figcaption></figure>',
    '<div class="image-credit"><span class="byline">Foto: Lisa Bild</span></div>',
    '<div class="related-stories"><h3>Storm shuts the coast road</h3><div class="byline">By Tom Other</div></div>',
    '<aside><div class="byline">By Sam Side</div></aside>',
])
def test_a_byline_in_a_caption_credit_or_list_of_other_stories_is_someone_elses(where):
    assert _authors(_story(after=where)) == []
    # the story's own byline is found next to it all the same
    assert _authors(_story('<div class="byline">By Jane Doe</div>', after=where)) == ["Jane Doe"]


@pytest.mark.parametrize("card", ["author-card", "author-tooltip", "byline-photo"])
def test_an_author_card_tooltip_or_photo_is_not_the_byline(card):
    # marks of NOT_BYLINE make the element no byline, though it says "author"
    assert _authors(_story(after=f'<div class="{card}">Max Weber</div>')) == []
    assert _authors(_story(after='<div class="author">Max Weber</div>')) == ["Max Weber"]


def test_a_marked_element_holding_much_text_is_no_byline():
    long_text = " ".join(ENGLISH)
    assert _authors(_story(f'<div class="author-wrap">By Jane Doe. {long_text}</div>')) == []


# ---------------------------------------------------------------- old layouts: unmarked "By" lines

@pytest.mark.parametrize("line, names", [
    ("<p>By Jane Doe</p>", ["Jane Doe"]),
    ("<font size='2'><b>Von Jana Roth</b></font>", ["Jana Roth"]),
    ("<td>Written by John Roe</td>", ["John Roe"]),
])
def test_a_short_by_line_of_an_old_layout_is_a_byline(line, names):
    if line.startswith("<td>"):
        line = f"<table><tr>{line}</tr></table>"
    assert _authors(_story(line)) == names


@pytest.mark.parametrize("story", [ENGLISH, GERMAN], ids=["en", "de"])
def test_prose_that_starts_with_by_is_no_byline(story):
    sentence = "By the time the council met on Tuesday, the bridge had been closed for a week."
    assert _authors(_story(f"<p>{sentence}</p>", story)) == []
    # "Von" before a single capitalised word is a name particle, not a byline
    assert _authors(_story("<p>Von Neumann</p>", story)) == []


@pytest.mark.parametrize("tail, names", [
    ("<h1>Harbour bridge closes</h1> by Jane Doe, <time>18 June</time>", ["Jane Doe"]),
    ("<h1>Harbour bridge closes</h1><span>by Ann Lee</span>", ["Ann Lee"]),
])
def test_loose_by_text_just_under_the_headline_is_the_byline(tail, names):
    paras = "".join(f"<p>{p}</p>" for p in ENGLISH)
    assert _authors(f"<div>{tail}</div>{paras}") == names


# ---------------------------------------------------------------- what is no name

@pytest.mark.parametrize("text", [
    "Staff", "Editor", "Unknown", "Anonymous", "Follow", "Share this story", "Email the author",
    "Jane Doe 2024", "View profile", "Subscribe to Jane Doe", "More", "About",
    # a name in a button or a link around the byline: the action word says it is no byline
    "Follow Jane Doe", "Email Jane Doe", "View Profile", "Contact Jana Roth", "Jane Doe Articles",
])
def test_labels_buttons_and_prose_are_no_names(text):
    assert clean_author(text) is None


@pytest.mark.parametrize("text, name", [
    ("JANE DOE", "Jane Doe"), ("jana roth", "Jana Roth"),  # a styling choice, stored in title case
    ("Jane Doe Jane Doe", "Jane Doe"),  # a visible and a screen-reader copy
    ("Ludwig van Beethoven", "Ludwig van Beethoven"), ("Vanessa de la Cruz", "Vanessa de la Cruz"),
    ("Jo Roe Herald Correspondent", "Jo Roe"), ("Posts by Jane Doe", "Jane Doe"), ("신현주 기자", "신현주"),
    ("Jane Doe (@janedoe)", "Jane Doe"), ("By Jane Doe - Contributing Editor", "Jane Doe"),
])
def test_a_name_is_cleaned_of_what_the_byline_adds(text, name):
    assert clean_author(text) == name


# ---------------------------------------------------------------- a role that names no one

@pytest.mark.parametrize("byline", ["By Our Correspondent", "By Our Staff Reporter", "Special Correspondent",
                                    "By Sports Desk"])
def test_a_byline_that_is_only_a_role_names_no_one(byline):
    assert _authors(_story(f'<div class="byline">{byline}</div>')) == []
    # ...and a name beside the role is the author
    assert _authors(_story(f'<div class="byline">By Jane Doe, {byline[3:] if byline.startswith("By ") else byline}'
                           '</div>')) == ["Jane Doe"]


@pytest.mark.parametrize("byline, names", [
    ("AFP Correspondent", ["AFP"]), ("Reuters Staff", ["Reuters"]),  # an agency or a wire is named
    ("홍길동 기자", ["홍길동"]), ("大渡 美咲 記者", ["大渡 美咲"]),  # a name in a script without case
])
def test_a_role_after_an_agency_or_a_name_without_case_keeps_the_name(byline, names):
    assert _authors(_story(f'<div class="byline">{byline}</div>')) == names


# ---------------------------------------------------------------- a closing byline line

@pytest.mark.parametrize("story", [ENGLISH, GERMAN], ids=["en", "de"])
@pytest.mark.parametrize("line, names", [
    ("By Jane Doe.", ["Jane Doe"]), ("Von Anna Schmidt.", ["Anna Schmidt"]),
    ("By J. R. Doe", ["J. R. Doe"]), ("By J.R. Doe.", ["J.R. Doe"]),
    ("By Jane Doe and John Roe.", ["Jane Doe", "John Roe"]),
])
def test_a_closing_byline_line_ending_in_a_full_stop_is_the_byline(story, line, names):
    body = clean_paragraphs([*story, line])
    assert body.paragraphs == story and body.trailing_authors == names


@pytest.mark.parametrize("line", ["By Jane Doe. She covers the courts for the paper.",
                                  "Von Anna Schmidt. Sie berichtet aus Berlin.", "By Tuesday the water had gone."])
def test_a_closing_sentence_that_starts_like_a_byline_is_story(line):
    body = clean_paragraphs([*ENGLISH, line])
    assert body.paragraphs == [*ENGLISH, line] and body.trailing_authors == []


# ---------------------------------------------------------------- bylines in other languages and scripts

@pytest.mark.parametrize("byline, names", [
    ("Автор: Иван Петров", ["Иван Петров"]),  # a label and a colon, Cyrillic
    ("Автори: Олена Коваль, Петро Шевченко", ["Олена Коваль", "Петро Шевченко"]),
    ("Szerző: Kovács János", ["Kovács János"]),
    ("Teksti: Matti Virtanen", ["Matti Virtanen"]),
    ("Yazar: Ahmet Yılmaz", ["Ahmet Yılmaz"]),
    ("Autorka: Jana Nováková", ["Jana Nováková"]),
    ("लेखक: राहुल शर्मा", ["राहुल शर्मा"]),  # Devanagari, with its vowel signs
    ("الكاتب: أحمد علي", ["أحمد علي"]),
    ("Oleh Budi Santoso", ["Budi Santoso"]),  # a lead word: Indonesian "by"
    ("بقلم أحمد علي", ["أحمد علي"]),  # Arabic "by the pen of", before a name of a script without case
    ("山田太郎記者", ["山田太郎"]),  # a role after the name, with no space between
    ("홍길동기자", ["홍길동"]),
    ("王小明 记者", ["王小明"]),
    ("Του Γιώργου Παπαδόπουλου", ["Γιώργου Παπαδόπουλου"]),  # Greek: the article before the genitive
    ("Της Μαρίας Οικονόμου", ["Μαρίας Οικονόμου"]),
    ("Piše: Ivana Horvat", ["Ivana Horvat"]),
    ("Avtorica: Mateja Novak", ["Mateja Novak"]),
])
def test_bylines_in_other_languages_and_scripts_give_the_names(byline, names):
    assert _authors(_story(f'<div class="author">{byline}</div>')) == names


@pytest.mark.parametrize("text, name", [
    ("Oleh Sentsov", "Oleh Sentsov"),  # one name after a lead word: the word is the first name
    ("Von Trier", "Von Trier"),
    ("Текст: Reuters", "Reuters"),
    ("Oleh: Siti Aminah", "Siti Aminah"),
])
def test_lead_words_of_other_languages_come_off_names_only(text, name):
    assert clean_author(text) == name


@pytest.mark.parametrize("byline, names", [
    ("Marco Rossi e Giulia Bianchi", ["Marco Rossi", "Giulia Bianchi"]),
    ("Jan Jansen en Piet de Vries", ["Jan Jansen", "Piet de Vries"]),
    ("Lars Hansen og Ole Nielsen", ["Lars Hansen", "Ole Nielsen"]),
    ("Anna Svensson och Erik Johansson", ["Anna Svensson", "Erik Johansson"]),
    ("Jan Kowalski i Anna Nowak", ["Jan Kowalski", "Anna Nowak"]),
    ("Jan Novák a Petr Svoboda", ["Jan Novák", "Petr Svoboda"]),
    ("Ahmet Yılmaz ve Mehmet Demir", ["Ahmet Yılmaz", "Mehmet Demir"]),
    ("Иван Петров и Олена Коваль", ["Иван Петров", "Олена Коваль"]),
    ("Budi Santoso dan Siti Aminah", ["Budi Santoso", "Siti Aminah"]),
    ("山田太郎、鈴木花子", ["山田太郎", "鈴木花子"]),
])
def test_names_joined_by_the_word_for_and_of_their_language_are_two_names(byline, names):
    assert split_authors(byline) == names


@pytest.mark.parametrize("byline, names", [
    ("John Y. Smith", ["John Y. Smith"]),  # a capital is an initial, not Spanish "y"
    ("Dan Brown", ["Dan Brown"]),  # nor Indonesian "dan"
    ("Ivan I Petrov", ["Ivan I Petrov"]),
    ("Maria da Silva", ["Maria da Silva"]),
    ("Not your average news — a mix of analysis with veteran journalist JR Raphael.", []),  # "a" before prose
])
def test_a_connector_parts_names_only_in_lower_case_and_before_a_name(byline, names):
    assert split_authors(byline) == names
