"""The safety net (``evidence``) and the embedded-JSON step (``embedded``), rule by rule,
on synthetic pages built with lxml: each rule on stories of several languages and markups."""

from __future__ import annotations

import json
import types

import lxml.html
import pytest

from pipelines.extraction import embedded, payloads
from pipelines.extraction.document import shingles, word_count
from pipelines.extraction.embedded import (_clean, _coverage, _item_text, _paragraph_lists, _probes, _repetition,
                                           embedded_paragraphs)
from pipelines.extraction.evidence import (STORY_WORDS, Decision, Page, added_text, check_cut, check_growth,
                                           check_replacement, drastic, lead_share, share_in, visible_text)
from tests.test_extraction_general import _OTHER

FLOOD = [
    "Emergency crews worked through the night to reinforce river defences in the north of the county, as water "
    "levels rose faster than forecasters had predicted on Thursday morning.",
    "More than two hundred homes were evacuated in the town of Millbrook, where the river burst its banks shortly "
    "after midnight and flooded the main shopping street and the railway station.",
    "The mayor said temporary shelters had been opened in two schools and a sports hall, and asked residents who "
    "had not yet left their homes to follow the advice of the police.",
    "Insurers warned that the cost of the damage could run into tens of millions of pounds, the third time in five "
    "years that the valley has been hit by severe flooding.",
    "Local farmers said thousands of acres of winter wheat were under water and feared that the crop, sown only "
    "weeks ago, would be lost entirely if the fields did not drain soon.",
    "The environment agency said it would review the flood barriers built after the last disaster, which residents "
    "say failed to hold back the water for more than a few hours.",
]
BAHN = [
    "Die Deutsche Bahn will in den kommenden fünf Jahren mehr als zwanzig Milliarden Euro in die Sanierung ihres "
    "Schienennetzes investieren, wie der Konzern am Mittwoch in Berlin mitteilte.",
    "Besonders stark belastete Strecken sollen zwischen Frankfurt und Mannheim sowie zwischen Hamburg und Berlin "
    "für mehrere Monate vollständig gesperrt und danach von Grund auf erneuert werden.",
    "Fahrgastverbände begrüßten die Pläne grundsätzlich, warnten aber vor langen Umleitungen und überfüllten "
    "Ersatzbussen, die Pendler in den betroffenen Regionen täglich viel Zeit und Geduld kosten würden.",
    "Der Bundesverkehrsminister sprach von einem historischen Schritt und kündigte an, dass der Bund einen großen "
    "Teil der Kosten übernehmen werde, sofern die Bahn ihre Ziele bei der Pünktlichkeit erreiche.",
    "Im vergangenen Jahr war nur knapp zwei Drittel der Fernzüge pünktlich, ein Wert, den Kritiker seit Langem auf "
    "das veraltete Netz und fehlende Investitionen in Weichen und Stellwerke zurückführen.",
]
ECOLES = [
    "Le gouvernement a présenté mercredi un plan de rénovation des écoles publiques qui prévoit la réfection de plus "
    "de deux mille bâtiments d'ici la fin de la décennie, selon le ministère.",
    "Les syndicats d'enseignants ont salué une première étape, tout en estimant que les sommes annoncées restaient "
    "très insuffisantes au regard de l'état de nombreux établissements en zone rurale.",
    "Les travaux commenceront dès cet été dans les régions les plus touchées par les vagues de chaleur, où certaines "
    "salles de classe dépassent régulièrement trente-cinq degrés en juin.",
    "Les maires des petites communes, qui financent souvent seuls l'entretien des écoles primaires, réclament depuis "
    "des années un soutien de l'État pour isoler les toitures et remplacer les fenêtres.",
]
ARBOLES = [
    "El Ayuntamiento de Valencia aprobó el lunes un plan para plantar más de diez mil árboles en los barrios con "
    "menos zonas verdes, con el objetivo de reducir el calor en verano.",
    "Los vecinos podrán proponer calles y plazas a través de una aplicación municipal, y los técnicos decidirán qué "
    "especies se adaptan mejor a la sequía y al suelo de cada zona.",
    "La oposición criticó que el proyecto llegue a un año de las elecciones y pidió que el dinero se destine también "
    "al mantenimiento de los parques que ya existen en la ciudad.",
    "Según los datos municipales, la temperatura media de las noches de julio ha subido casi dos grados en las "
    "últimas tres décadas en los distritos más densos del centro histórico.",
]
_STANDFIRST = ("Nach Jahren der Verspätungen und Zugausfälle kündigt der Konzern das größte Bauprogramm seiner "
               "Geschichte an, doch Fahrgäste müssen sich zunächst auf zahlreiche Sperrungen einstellen.")
# Exactly 24 words: one short of a story-sized paragraph.
LANDSLIDE = [
    "Police closed the coastal road between the two villages on Monday after a landslide brought rocks and mud "
    "down onto both lanes of traffic.",
    "Engineers said the road would stay shut for at least a week while they checked the cliff above it for "
    "further signs of movement.",
]


def _page(paragraphs=(), extra: str = "", head: str = "<title>News</title>") -> Page:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Page(lxml.html.fromstring(f"<html><head>{head}</head><body>{body}{extra}</body></html>"))


def _joined(paragraphs) -> str:
    return " ".join(paragraphs)


def test_stories_are_story_sized_and_the_landslide_lines_one_word_short():
    assert all(word_count(p) >= STORY_WORDS for p in FLOOD + BAHN + ECOLES + ARBOLES + _OTHER)
    assert [word_count(p) for p in LANDSLIDE] == [STORY_WORDS - 1] * 2


# ---------------------------------------------------------------- drastic

@pytest.mark.parametrize("before, after, expected", [
    (40, 60, False), (40, 61, True), (40, 20, False), (40, 19, True),
    (10, 15, False), (10, 16, True), (10, 5, False), (10, 4, True),
])
def test_drastic_means_growing_beyond_half_again_or_shrinking_below_half(before, after, expected):
    assert drastic(before, after) is expected


def test_from_nothing_any_text_is_drastic_and_nothing_stays_nothing():
    assert drastic(0, 1) and drastic(0, 200)
    assert not drastic(0, 0)


@pytest.mark.parametrize("after", [_joined(FLOOD), ""])
def test_the_block_choice_has_no_before_and_is_never_drastic(after):
    assert not Decision("block choice", None, after).drastic


@pytest.mark.parametrize("before, after, expected", [
    (FLOOD[:2], FLOOD, True),  # grows by three times
    (BAHN, BAHN[:2], True),  # shrinks below half
    (BAHN[:4], BAHN, False),  # a quarter more
    (ECOLES, ECOLES[1:], False),  # a quarter less
])
def test_a_decision_is_drastic_by_the_words_of_its_texts(before, after, expected):
    assert Decision("declared body", _joined(before), _joined(after)).drastic is expected


def test_a_decision_counts_words_of_scripts_written_without_spaces():
    ten = "one two three four five six seven eight nine ten"
    # Ten Han characters count as five words: exactly half of ten, not drastic; eight are four words.
    assert not Decision("clean-up", ten, "北京时间周日上午抵达").drastic
    assert Decision("clean-up", ten, "北京时间周日上午").drastic
    assert Decision("clean-up", "東京都は月曜日に新しい計画を発表した", ten).drastic is False


# ---------------------------------------------------------------- share_in

# Five words, two 4-word shingles; the other text has the first one (in other case).
_HALF = [("Council votes on budget today", "The council votes on budget"),
         ("Der Rat stimmt heute ab", "Morgen: der Rat stimmt heute")]


@pytest.mark.parametrize("text, other", _HALF)
def test_share_in_is_the_share_of_shingles_found_in_any_case(text, other):
    assert share_in(text, shingles(other)) == 0.5


@pytest.mark.parametrize("text", ["", "Three short words", "Drei kurze Wörter"])
def test_share_in_of_a_text_without_shingles_is_whole(text):
    assert share_in(text, set()) == 1.0


def test_share_in_of_a_story_in_another_story_is_none():
    assert share_in(FLOOD[0], shingles(_joined(BAHN))) == 0.0
    assert share_in(ECOLES[1], shingles(_joined(ECOLES))) == 1.0


# ---------------------------------------------------------------- Page.shown

@pytest.mark.parametrize("hidden_in", [
    "<script>var story = '{}';</script>",
    "<style>/* {} */ p {{ color: red }}</style>",
    "<noscript><div><p>{}</p></div></noscript>",
    "<template><section><p>{}</p></section></template>",
])
@pytest.mark.parametrize("visible, hidden", [(FLOOD[0], FLOOD[1]), (BAHN[2], ECOLES[3])])
def test_shown_is_the_visible_text_only(hidden_in, visible, hidden):
    page = _page([visible], extra=hidden_in.format(hidden))
    assert share_in(visible, page.shown) == 1.0
    assert share_in(hidden, page.shown) == 0.0


@pytest.mark.parametrize("title", [FLOOD[3], ARBOLES[2]])
def test_shown_leaves_out_the_head(title):
    page = _page(FLOOD[:1], head=f'<meta charset="utf-8"><title>{title}</title>')
    assert share_in(title, page.shown) == 0.0 and share_in(FLOOD[0], page.shown) == 1.0


@pytest.mark.parametrize("cut", [
    # drop caps: the first letter in its own element
    lambda p: f'<span class="dropcap">{p[0]}</span>{p[1:]}',
    lambda p: f'<p><b class="first-letter">{p[0]}</b>{p[1:]}</p>',
    # a word cut by a link, an emphasis or a soft wrap of inline elements
    lambda p: " ".join(f"{w[:2]}<a href='/w'>{w[2:]}</a>" if len(w) > 5 else w for w in p.split()),
    lambda p: " ".join(f"<em>{w[0]}</em><!-- x -->{w[1:]}<small></small>" for w in p.split()),
])
@pytest.mark.parametrize("paragraph", [FLOOD[0], BAHN[0], ECOLES[0]])
def test_shown_keeps_words_cut_by_inline_elements_whole(cut, paragraph):
    page = _page(extra=f"<div>{cut(paragraph)}</div>")
    assert share_in(paragraph, page.shown) == 1.0


@pytest.mark.parametrize("markup", [
    "<ul><li>{}</li><li>{}</li></ul>", "<table><tr><td>{}</td><td>{}</td></tr></table>",
    "<p>{}<br>{}</p>", "<div>{}<div>{}</div></div>", "<h2>{}</h2>{}",
])
def test_shown_parts_the_text_of_block_elements(markup):
    page = _page(extra=markup.format("Millbrook river defences held overnight", "Residents returned home"))
    assert share_in("Millbrook river defences held overnight Residents returned home", page.shown) == 1.0
    assert "overnightResidents" not in visible_text(page.root)


@pytest.mark.parametrize("story", [FLOOD[:2], BAHN[1:3]])
def test_shown_is_read_when_first_asked_and_then_kept(story):
    page = _page(story)
    first = page.root.find(".//p")
    first.text = "Replaced before anyone asked for the text."
    assert share_in(story[0], page.shown) == 0.0  # read now, not when the page was made
    page.root.find(".//p").getparent().remove(page.root.findall(".//p")[1])
    assert share_in(story[1], page.shown) == 1.0  # kept from the first reading


# ---------------------------------------------------------------- added_text

@pytest.mark.parametrize("before, after, added", [
    (FLOOD[:2], FLOOD[:4], [FLOOD[2], FLOOD[3]]),
    (BAHN[1:3], BAHN, [BAHN[0], BAHN[3], BAHN[4]]),  # new text on either side, in after's order
    (ECOLES, ECOLES[:2], []),
    (ARBOLES[:1], ARBOLES[:1] * 2 + ARBOLES[3:], [ARBOLES[3]]),
])
def test_added_text_is_the_paragraphs_not_had_before(before, after, added):
    assert added_text(before, after) == " ".join(added)


@pytest.mark.parametrize("had, now", [
    (FLOOD[0], FLOOD[0].replace("Thursday", "Friday")),
    (ARBOLES[1], ARBOLES[1].replace("zona.", "zona")),
])
def test_added_text_compares_whole_paragraphs(had, now):
    assert added_text([had], [now]) == now


# ---------------------------------------------------------------- check_growth

@pytest.mark.parametrize("page, before, after", [
    (_page(FLOOD), FLOOD[:2], FLOOD),
    (_page(BAHN[:1], extra="<aside>" + "".join(f"<div>{p}</div>" for p in BAHN[1:]) + "</aside>"), BAHN[:1], BAHN),
])
def test_growth_stands_when_the_added_text_is_shown_on_the_page(page, before, after):
    kept, why = check_growth(page, before, after, continues=False)
    assert kept and why.startswith("added text shown on the page (1.00)")


@pytest.mark.parametrize("added, shown", _HALF)
def test_half_of_the_added_text_shown_is_enough(added, shown):
    assert check_growth(_page([shown]), [], [added]) == (True, "added text shown on the page (0.50)")


@pytest.mark.parametrize("shown, added, kept", [
    (FLOOD[2:4], FLOOD[2:5], True),  # 0.65 shown
    (FLOOD[2:4], FLOOD[2:6], False),  # 0.49
    (BAHN[1:3], BAHN[1:4], True),  # 0.63
    (BAHN[1:3], BAHN[1:5], False),  # 0.46
])
def test_growth_needs_at_least_half_of_the_added_text_shown(shown, added, kept):
    assert check_growth(_page(shown), [], added)[0] is kept


@pytest.mark.parametrize("before, after, declared", [
    # The JSON's story is shown as its first paragraphs and said whole by the declared body.
    (FLOOD[:1], FLOOD, _joined(FLOOD)),
    # It begins with a long standfirst the HTML leaves out, which the declared body says too.
    (BAHN[:1], [_STANDFIRST, *BAHN], _joined([_STANDFIRST, *BAHN])),
])
def test_growth_stands_when_the_other_source_says_the_added_text(before, after, declared):
    kept, why = check_growth(_page(before), before, after, other_source=declared, continues=False)
    assert kept and why.startswith("added text said by the declared body too (")


@pytest.mark.parametrize("other_source", [None, "", _joined(ECOLES), _joined(_OTHER)])
def test_another_story_or_no_other_source_is_no_evidence(other_source):
    kept, why = check_growth(_page(FLOOD[:1]), FLOOD[:1], FLOOD, other_source=other_source, continues=False)
    assert not kept and why == "added text not shown on the page (0.00), not said by another source"


@pytest.mark.parametrize("declared, kept", [
    (_joined(FLOOD[:4]), True),  # says 3 of the 5 added paragraphs
    (_joined(FLOOD[:3]), False),  # says 2 of them
])
def test_the_other_source_must_say_half_of_the_added_text(declared, kept):
    assert check_growth(_page(FLOOD[:1]), FLOOD[:1], FLOOD, other_source=declared, continues=False)[0] is kept


@pytest.mark.parametrize("story", [FLOOD, ECOLES])
def test_with_nothing_found_the_headline_of_the_declared_article_is_evidence(story):
    kept, why = check_growth(_page(), [], story, headline=True)
    assert kept and why.startswith("nothing found in the page's text")
    kept, why = check_growth(_page(), [], story, headline=False)
    assert not kept and why == "added text not shown on the page (0.00), not said by another source"


@pytest.mark.parametrize("before, after", [(FLOOD[:1], [_OTHER[1], *FLOOD]), (BAHN[:1], [ECOLES[0], *BAHN])])
def test_the_headline_is_no_evidence_once_we_found_text(before, after):
    assert check_growth(_page(before), before, after, headline=True)[0] is False


@pytest.mark.parametrize("before, after, lead", [
    (FLOOD[:2], FLOOD, "0.00"),  # begins with the paragraphs the page shows
    (BAHN[:1], BAHN, "0.00"),
    (FLOOD[:1], ["Water levels are still rising in the valley, officials said.", *FLOOD], "0.05"),
    # Exactly LEAD of it before them: 6 of 60 words, and 10 of 100.
    (BAHN[:1], ["Milliarden für marode Gleise und Brücken", BAHN[0], BAHN[1]], "0.10"),
    (FLOOD[:1], ["Towns in the valley brace for more rain this weekend", FLOOD[0], FLOOD[2], FLOOD[5]], "0.10"),
])
def test_growth_stands_when_it_continues_the_paragraphs_the_page_shows(before, after, lead):
    assert check_growth(_page(before), before, after) == (
        True, f"continues the paragraphs the page shows ({lead} of it before them)")


@pytest.mark.parametrize("before, after", [
    (FLOOD[:2], [_OTHER[0], *FLOOD]),  # another story first: 0.14 of it
    (FLOOD[:2], [*_OTHER, *FLOOD]),  # the site's data, this story last
    (BAHN[:1], [*ECOLES, *BAHN]),
    (BAHN[:1], ECOLES + ARBOLES),  # none of ours in it
])
def test_growth_that_does_not_begin_with_what_the_page_shows_is_refused(before, after):
    kept, why = check_growth(_page(before), before, after)
    assert not kept
    assert why.startswith("added text not shown on the page (0.00), not said by another source, and ")
    assert why.endswith(" of it comes before the paragraphs the page shows")


@pytest.mark.parametrize("before, after", [(FLOOD[:2], FLOOD), (BAHN[:1], BAHN)])
def test_growth_not_allowed_to_continue_needs_other_evidence(before, after):
    kept, why = check_growth(_page(before), before, after, continues=False)
    assert not kept and why == "added text not shown on the page (0.00), not said by another source"


# ---------------------------------------------------------------- check_replacement

_EMPTY = _page(extra="<h1>Headline</h1>")


@pytest.mark.parametrize("before, declared", [
    # We took a page-wide block: the story with other stories around it.
    ([*_OTHER[:2], *FLOOD, _OTHER[2]], FLOOD),
    ([*ARBOLES, *ECOLES], ARBOLES[1:]),
])
def test_a_declared_body_inside_our_longer_text_replaces_it(before, declared):
    kept, why = check_replacement(_EMPTY, before, declared)
    assert kept and why == "declared body inside the longer text (1.00)"


@pytest.mark.parametrize("before, declared, kept", [
    (FLOOD[:5], FLOOD, True),  # 0.83 of it inside
    (FLOOD[:4], FLOOD, False),  # 0.66
    ([*BAHN[:4], BAHN[4][:60], *_OTHER], BAHN, True),
    ([*BAHN[:3], *_OTHER], BAHN, False),
])
def test_a_declared_body_must_be_mostly_inside_our_text(before, declared, kept):
    assert check_replacement(_EMPTY, before, declared)[0] is kept


@pytest.mark.parametrize("page, before, declared", [
    (_page(_OTHER, extra="<aside>" + "".join(f"<p>{p}</p>" for p in FLOOD) + "</aside>"), _OTHER, FLOOD),
    (_page(ECOLES, extra="<footer><div>" + _joined(BAHN) + "</div></footer>"), ECOLES, BAHN),
])
def test_a_declared_body_shown_on_the_page_replaces_our_text(page, before, declared):
    kept, why = check_replacement(page, before, declared)
    assert kept and why == "declared body shown on the page (1.00)"


@pytest.mark.parametrize("declared, shown", _HALF)
def test_a_declared_body_half_shown_on_the_page_is_enough(declared, shown):
    assert check_replacement(_page([shown]), [], [declared]) == (True, "declared body shown on the page (0.50)")


@pytest.mark.parametrize("declared, ours", [
    ("The council will vote on the budget today", "The council will vote on the budget"),
    ("Der Stadtrat stimmt am Dienstag über den Haushalt", "Der Stadtrat stimmt am Dienstag über den"),
])
def test_a_declared_body_four_fifths_inside_our_text_is_enough(declared, ours):
    # Eight words, five shingles; ours has the first four.
    kept, why = check_replacement(_EMPTY, [ours, *_OTHER], [declared])
    assert kept and why == "declared body inside the longer text (0.80)"


@pytest.mark.parametrize("before, declared", [(_OTHER * 2, FLOOD), (ECOLES, ARBOLES)])
def test_a_declared_body_neither_inside_nor_shown_is_refused(before, declared):
    kept, why = check_replacement(_page(before), before, declared)
    assert not kept and why == "declared body neither inside our text (0.00) nor shown on the page (0.00)"


# ---------------------------------------------------------------- check_cut

_HEADLINES = ["More from World", "Rain expected across the south", "Council extends night buses"]
_SCHLAGZEILEN = ["Mehr zum Thema", "Streik bei der Lufthansa", "Neue Regeln für E-Scooter"]


@pytest.mark.parametrize("before, after", [
    ([*BAHN, *_SCHLAGZEILEN, _OTHER[0]], BAHN),  # 1 removed, 5 kept
    ([*FLOOD[:2], *_HEADLINES, *_OTHER[:1]], FLOOD[:2]),  # 1 removed, 2 kept
])
def test_a_cut_that_removes_fewer_story_paragraphs_than_it_keeps_stands(before, after):
    kept, why = check_cut(before, after)
    assert kept and why.startswith("cut 1 story-sized paragraphs, kept ")


@pytest.mark.parametrize("before, after", [
    (_HEADLINES + _SCHLAGZEILEN, _HEADLINES[:1]),  # a page of headlines only
    ([*LANDSLIDE, "Read more", "Share this"], LANDSLIDE[:1]),  # nothing story-sized anywhere
])
def test_a_cut_that_removes_nothing_story_sized_stands(before, after):
    assert check_cut(before, after) == (True, "cut 0 story-sized paragraphs, kept 0")


@pytest.mark.parametrize("before, after, removed, left", [
    (FLOOD[:4], FLOOD[:2], 2, 2),  # as many as it keeps
    ([ECOLES[0], "Lire aussi", *_HEADLINES, *ECOLES[1:]], ECOLES[:1], 3, 1),  # the story after a box of headlines
    ([ARBOLES[0], *LANDSLIDE, ARBOLES[1]], [ARBOLES[0], *LANDSLIDE], 1, 1),  # 24-word lines are not story-sized
])
def test_a_cut_that_removes_as_many_story_paragraphs_as_it_keeps_is_refused(before, after, removed, left):
    assert check_cut(before, after) == (False, f"the cut removes as many story-sized paragraphs ({removed}) "
                                               f"as it keeps ({left}) or more")


@pytest.mark.parametrize("before, after", [
    ([*LANDSLIDE, FLOOD[0]], [FLOOD[0]]),  # two 24-word lines removed
    ([BAHN[0], *LANDSLIDE], [BAHN[0]]),
])
def test_lines_one_word_short_of_a_story_paragraph_are_not_counted(before, after):
    assert check_cut(before, after) == (True, "cut 0 story-sized paragraphs, kept 1")


@pytest.mark.parametrize("line", [LANDSLIDE[0].replace("Monday", "Monday morning"),
                                  LANDSLIDE[1].replace("the road", "the coastal road")])
def test_a_line_of_exactly_story_words_is_story_sized(line):
    assert word_count(line) == STORY_WORDS
    assert check_cut([FLOOD[0], line], [FLOOD[0]])[0] is False


# ---------------------------------------------------------------- lead_share

@pytest.mark.parametrize("ours, found", [(FLOOD[:2], FLOOD), (BAHN[:1], BAHN[:3]), (ECOLES, ECOLES)])
def test_lead_share_is_nothing_when_the_found_text_begins_with_ours(ours, found):
    assert lead_share(ours, found) == 0.0


@pytest.mark.parametrize("ours, found, before", [
    (FLOOD[1:3], FLOOD, FLOOD[:1]),
    (BAHN[3:], [*ECOLES[:2], *BAHN[3:]], ECOLES[:2]),
])
def test_lead_share_is_the_share_of_words_before_our_first_paragraph(ours, found, before):
    total = sum(word_count(p) for p in found)
    assert lead_share(ours, found) == sum(word_count(p) for p in before) / total


@pytest.mark.parametrize("ours, found", [
    (FLOOD[:1], [FLOOD[0].replace("Thursday morning", "Thursday, the agency said")] + FLOOD[1:]),
    (ARBOLES[:1], [ARBOLES[0].replace("El Ayuntamiento", "El consistorio"), *ARBOLES[1:]]),
])
def test_lead_share_finds_our_paragraph_edited_by_its_shingles(ours, found):
    assert lead_share(ours, found) == 0.0


@pytest.mark.parametrize("ours, found", [(FLOOD[:2], _OTHER), (BAHN, ECOLES + ARBOLES), ([], FLOOD), (FLOOD, [])])
def test_lead_share_is_whole_when_none_of_ours_is_there(ours, found):
    assert lead_share(ours, found) == 1.0


# ---------------------------------------------------------------- embedded_paragraphs

def _script(data, attrs: str = 'type="application/json"') -> str:
    return f"<script {attrs}>{json.dumps(data) if not isinstance(data, str) else data}</script>"


def _root(shown, *scripts: str):
    body = "".join(f"<p>{p}</p>" for p in shown)
    return lxml.html.fromstring(f"<html><head><title>News</title></head><body>{body}{''.join(scripts)}</body></html>")


def _blocks(paragraphs, key: str = "text") -> dict:
    return {"props": {"pageProps": {"blocks": [{"type": "paragraph", key: p} for p in paragraphs]}}}


@pytest.mark.parametrize("attrs", ['type="application/json"', 'type="text/json"', 'type="Application/JSON"',
                                   'id="__NEXT_DATA__"', 'id="__NEXT_DATA__" type="text/plain"'])
@pytest.mark.parametrize("story, shown", [(FLOOD, 2), (BAHN, 1)])
def test_the_story_is_found_in_the_json_scripts_of_the_page(attrs, story, shown):
    root = _root(story[:shown], _script(_blocks(story), attrs))
    assert embedded_paragraphs(root, story[:shown]) == story


@pytest.mark.parametrize("attrs", ['type="application/ld+json"', 'type="text/javascript"', "", 'id="__NUXT__"'])
@pytest.mark.parametrize("story", [FLOOD, ECOLES])
def test_other_scripts_are_not_read(attrs, story):
    assert embedded_paragraphs(_root(story[:1], _script(_blocks(story), attrs)), story[:1]) is None


@pytest.mark.parametrize("over, found", [(1, False), (0, True)])
def test_a_script_beyond_the_size_limit_is_not_read(over, found):
    data = {"config": "", "story": [{"text": p} for p in ARBOLES]}
    data["config"] = "x" * (payloads.MAX_SCRIPT - len(json.dumps(data)) + over)
    assert len(json.dumps(data)) == payloads.MAX_SCRIPT + over
    result = embedded_paragraphs(_root(ARBOLES[:1], _script(data)), ARBOLES[:1])
    assert (result == ARBOLES) if found else result is None


@pytest.mark.parametrize("unrelated", [_blocks(_OTHER), {"config": {"locale": "de-DE", "features": ["a", "b"]}}])
def test_a_script_without_our_words_is_not_decoded(monkeypatch, unrelated):
    decoded = []
    monkeypatch.setattr(payloads, "json", types.SimpleNamespace(loads=lambda text: decoded.append(text) or {}))
    assert embedded_paragraphs(_root(BAHN[:1], _script(unrelated)), BAHN[:1]) is None
    assert decoded == []
    embedded_paragraphs(_root(BAHN[:1], _script(unrelated), _script(_blocks(BAHN))), BAHN[:1])
    assert decoded == [json.dumps(_blocks(BAHN))]


@pytest.mark.parametrize("broken", [
    json.dumps(_blocks(FLOOD))[:-40],  # cut short
    "window.__STATE__ = " + json.dumps(_blocks(FLOOD)) + ";",  # JavaScript typed as JSON
])
def test_a_script_that_is_not_json_is_passed_over(broken):
    root = _root(FLOOD[:2], _script(broken), _script(_blocks(FLOOD), 'id="__NEXT_DATA__"'))
    assert embedded_paragraphs(root, FLOOD[:2]) == FLOOD


@pytest.mark.parametrize("story, shorter", [(FLOOD, FLOOD[:4]), (ECOLES, ECOLES[:3])])
def test_the_longest_list_that_holds_our_text_is_taken(story, shorter):
    one_script = _script({"teaser": [{"text": p} for p in shorter], "full": [{"text": p} for p in story]})
    two_scripts = _script(_blocks(story)) + _script(_blocks(shorter))
    for scripts in (one_script, two_scripts):
        assert embedded_paragraphs(_root(story[:1], scripts), story[:1]) == story


@pytest.mark.parametrize("ours, found", [
    (FLOOD[:2], FLOOD[:2] + ["The river is expected to peak on Friday."]),  # 1.14 times
    (BAHN[:2], BAHN[:2] + ["Die Arbeiten sollen im Sommer beginnen und bis zum Jahr 2030 dauern."]),  # 1.24
])
def test_a_list_that_says_little_more_than_ours_is_no_longer_version(ours, found):
    assert len(shingles(_joined(found))) < 1.5 * len(shingles(_joined(ours)))
    assert embedded_paragraphs(_root(ours, _script(_blocks(found))), ours) is None


@pytest.mark.parametrize("ours, found", [
    (FLOOD[:2], FLOOD[:3]),  # 1.57 times
    (BAHN[:2], BAHN[:3]),  # 1.51 times
])
def test_a_list_with_half_as_many_shingles_again_is_taken(ours, found):
    assert 1.5 * len(shingles(_joined(ours))) <= len(shingles(_joined(found))) < 1.6 * len(shingles(_joined(ours)))
    assert embedded_paragraphs(_root(ours, _script(_blocks(found))), ours) == found


@pytest.mark.parametrize("ours, found, taken", [
    # The page's paragraphs with a photo caption the JSON lacks: 0.91 of ours in it.
    ([*FLOOD[:3], "Sandbags stacked outside a house in Millbrook on Thursday."], FLOOD, True),
    # One of our five paragraphs missing from the JSON: 0.79.
    (FLOOD[:5], [*FLOOD[:4], *_OTHER, *ARBOLES], False),
    ([*BAHN[:2], "Ein ICE im Hauptbahnhof Berlin."], BAHN, True),
    (BAHN[:3], [BAHN[0], BAHN[1], *ECOLES], False),
])
def test_the_longer_list_must_hold_most_of_our_text(ours, found, taken):
    result = embedded_paragraphs(_root(ours, _script(_blocks(found))), ours)
    assert (result == found) if taken else result is None


@pytest.mark.parametrize("make_items", [
    lambda story: [{"text": p, "value": p} for p in story],  # a rich-text node and its plain copy
    lambda story: [{"html": f"<p>{p}</p>", "content": [{"text": p}]} for p in story],
])
@pytest.mark.parametrize("story", [FLOOD, BAHN])
def test_a_list_that_holds_its_text_twice_is_not_the_story(make_items, story):
    data = {"body": make_items(story)}
    assert embedded_paragraphs(_root(story[:1], _script(data)), story[:1]) is None


@pytest.mark.parametrize("story, repeated, taken", [
    (FLOOD, FLOOD[:1], True),  # the first paragraph again as a pull quote: 0.12 repeated
    (FLOOD, FLOOD[:2], False),  # 0.23
    (ECOLES, ECOLES[:1], True),  # 0.19
    (BAHN, BAHN[:2], False),  # 0.27
])
def test_a_list_that_repeats_more_than_a_fifth_of_itself_is_not_the_story(story, repeated, taken):
    found = story + repeated
    result = embedded_paragraphs(_root(story[:1], _script(_blocks(found))), story[:1])
    assert (result == found) if taken else result is None


@pytest.mark.parametrize("paragraphs", [[], ["Breaking news.", "More soon: updates, pictures, video."]])
def test_without_probes_nothing_is_looked_for(paragraphs):
    root = _root(paragraphs, _script(_blocks([*paragraphs, *FLOOD])))
    assert embedded_paragraphs(root, paragraphs) is None


def test_each_script_is_read_with_a_budget_of_twice_its_size(monkeypatch):
    budgets, read = [], _paragraph_lists

    def spy(data, probes, budget):
        budgets.append(budget[0])
        yield from read(data, probes, budget)
    monkeypatch.setattr(embedded, "_paragraph_lists", spy)
    scripts = [json.dumps(_blocks(FLOOD)), json.dumps({"nested": [_blocks(FLOOD[:3]), _blocks(FLOOD[3:])]})]
    embedded_paragraphs(_root(FLOOD[:1], *(_script(s) for s in scripts)), FLOOD[:1])
    assert budgets == [2 * len(s) for s in scripts]


# ---------------------------------------------------------------- _probes

@pytest.mark.parametrize("paragraph, probe", [
    # Runs of six plain words: the middle one of four.
    (FLOOD[0], "as water levels rose faster than"),
    # Commas and the like end a run; letters of any script are words ("fünf").
    (BAHN[0], "Milliarden Euro in die Sanierung ihres"),
    ("Власти Москвы объявили о закрытии нескольких станций метро в центре города на выходные дни.",
     "станций метро в центре города на"),
    # Scripts written without spaces: twelve letters from the middle run of letters.
    ("中国国家统计局周一公布的数据显示，今年前三个季度经济同比增长百分之五点二，略高于市场预期。", "今年前三个季度经济同比增"),
    ("東京都は来年度から、都内の公立小中学校の給食費を全額無償化する方針を固めた。", "都内の公立小中学校の給食"),
    # Of two runs, the second.
    ("Officials met on Monday in Paris to agree a new climate fund.", "to agree a new climate fund"),
])
def test_a_probe_is_the_middle_run_of_six_plain_words(paragraph, probe):
    assert _probes([paragraph]) == [probe]


@pytest.mark.parametrize("paragraph", [
    "Rain, wind, snow: the forecast for Friday, Saturday and Sunday.",
    "短い見出し、速報。",
    "",
])
def test_a_paragraph_without_six_plain_words_in_a_row_gives_no_probe(paragraph):
    assert _probes([paragraph]) == []


@pytest.mark.parametrize("story", [[*FLOOD, *_OTHER], ["Updated.", *BAHN, *ECOLES]])
def test_probes_come_from_the_first_six_paragraphs(story):
    probes = _probes(story)
    assert probes == [p for para in story[:6] for p in _probes([para])]
    assert not any(probe in para for probe in probes for para in story[6:])


# ---------------------------------------------------------------- _paragraph_lists

_PROBE = _probes(FLOOD[:1])


def test_lists_holding_a_probe_are_yielded_as_their_items_texts():
    data = {"page": {"story": [{"type": "paragraph", "text": p} for p in FLOOD],
                     "related": [{"text": p} for p in _OTHER]}}
    assert list(_paragraph_lists(data, _PROBE, [10**6])) == [FLOOD]
    german = [{"content": [{"type": "text", "value": p}]} for p in BAHN]
    assert list(_paragraph_lists({"doc": german}, _probes(BAHN[:1]), [10**6])) == [BAHN]


@pytest.mark.parametrize("data", [
    {"story": [{"text": _joined(FLOOD)}]},  # one item
    {"story": [{"text": FLOOD[0]}, {"type": "ad", "slot": "mid-1"}, {"image": {"url": "/a.jpg"}}]},  # one with text
])
def test_a_list_of_fewer_than_two_texts_is_not_a_story(data):
    assert list(_paragraph_lists(data, _PROBE, [10**6])) == []


@pytest.mark.parametrize("story", [FLOOD[:2], FLOOD[:3]])
def test_items_without_text_are_left_out(story):
    items = [{"text": story[0]}, {"type": "ad", "id": "ad-1"}, *({"text": p} for p in story[1:]), {"text": 42}]
    assert list(_paragraph_lists({"body": items}, _PROBE, [10**6])) == [story]


@pytest.mark.parametrize("limit_over_text, yielded", [(0, True), (-1, False)])
def test_a_list_holding_more_text_than_a_story_is_left_out(monkeypatch, limit_over_text, yielded):
    for story in (FLOOD, BAHN):
        monkeypatch.setattr(embedded, "_MAX_TEXT", sum(map(len, story)) + limit_over_text)
        found = list(_paragraph_lists({"items": [{"text": p} for p in story]}, _probes(story), [10**6]))
        assert found == ([story] if yielded else [])


@pytest.mark.parametrize("levels, yielded", [(embedded._MAX_DEPTH, True), (embedded._MAX_DEPTH + 1, False)])
@pytest.mark.parametrize("story", [FLOOD, ARBOLES])
def test_lists_nested_deeper_than_the_limit_are_not_read(levels, yielded, story):
    data: object = [{"text": p} for p in story]
    for _ in range(levels):
        data = {"child": data}
    assert list(_paragraph_lists(data, _probes(story), [10**6])) == ([story] if yielded else [])


@pytest.mark.parametrize("story", [FLOOD, ECOLES])
def test_reading_spends_the_callers_budget_in_place(story):
    budget = [10**6]
    data = {"story": [{"text": p} for p in story]}
    list(_paragraph_lists(data, _probes(story), budget))
    assert budget == [10**6 - sum(map(len, story))]  # each string once: only the list reads its items
    assert list(_paragraph_lists(data, _probes(story), [0])) == []
    assert list(_paragraph_lists({"story": story}, _probes(story), [0])) == []  # string items too


def test_nested_lists_are_each_yielded_and_their_text_read_once_per_list():
    data = {"sections": [{"paragraphs": [{"text": p} for p in FLOOD[:3]]},
                         {"paragraphs": [{"text": p} for p in FLOOD[3:]]}]}
    budget = [10**6]
    found = list(_paragraph_lists(data, _probes(FLOOD), budget))
    # the outer list's items are sections: their paragraphs, not one paragraph per section
    assert found[0] == FLOOD and FLOOD[:3] in found and FLOOD[3:] in found and len(found) == 3
    assert budget == [10**6 - 2 * sum(map(len, FLOOD))]


# ---------------------------------------------------------------- _item_text

@pytest.mark.parametrize("item, text", [
    ("  The river  <b>burst</b> its banks.\n", "The river burst its banks."),
    ("Die Bahn investiert &amp; saniert", "Die Bahn investiert & saniert"),
    ("floods-in-millbrook", ""),  # a slug or an id: no space, no paragraph
    ("Millbrook", ""),
    # spaces of other kinds, and scripts written without spaces, are words
    ("Hochwasser\u00a0im\u00a0Norden", "Hochwasser im Norden"),
    ("Hochwasser&nbsp;im&nbsp;Norden", "Hochwasser im Norden"),
    ("今年前三个季度经济同比增长。", "今年前三个季度经济同比增长。"),
    ("東京都は来年度から無償化する。", "東京都は来年度から無償化する。"),
])
def test_a_string_item_is_its_cleaned_text_if_it_has_words(item, text):
    budget = [1000]
    assert _item_text(item, budget) == text
    assert budget == [1000 - len(item)]


@pytest.mark.parametrize("item, text", [
    # Rich text with a link node: the runs in order, joined as they were cut.
    ({"type": "paragraph", "id": "p-3", "content": [
        {"type": "text", "value": "Crews worked through the night in Mill"},
        {"type": "link", "url": "https://news.example/millbrook", "content": [{"type": "text", "value": "brook"}]},
        {"type": "text", "value": ", officials said."}]},
     "Crews worked through the night in Millbrook, officials said."),
    # Strings in a list inherit the list's key; other keys are not text.
    ({"tags": ["Bahn", "Berlin Verkehr"], "content": ["Die Bahn will ", "ihr Netz sanieren."], "caption": "Ein ICE"},
     "Die Bahn will ihr Netz sanieren."),
    # A node's own text, then its children's.
    ({"type": "paragraph", "text": "The mayor said ", "children": [{"text": "shelters were open."}]},
     "The mayor said shelters were open."),
    ({"html": "<p>Les travaux commenceront d&egrave;s cet &eacute;t&eacute;.</p>", "text": 42, "value": None},
     "Les travaux commenceront dès cet été."),
])
def test_an_object_item_is_the_text_under_its_text_keys_in_order(item, text):
    assert _item_text(item, [1000]) == text


@pytest.mark.parametrize("size, text", [(100, True), (101, False)])
def test_an_item_holding_more_text_than_a_story_is_not_a_paragraph(monkeypatch, size, text):
    monkeypatch.setattr(embedded, "_MAX_TEXT", 100)
    for word in ("flood ", "Flut "):
        parts = (word * 100)[:size - 10], (word * 5)[:10]
        item = {"content": [{"text": parts[0]}, {"text": parts[1]}]}
        assert (_item_text(item, [1000]) != "") is text


@pytest.mark.parametrize("story", [FLOOD, BAHN])
def test_an_item_is_read_only_while_the_budget_lasts(story):
    item = {"content": [{"text": p + " "} for p in story]}
    budget = [len(story[0])]
    assert _item_text(item, budget) == story[0]  # the first string spends it
    assert budget[0] <= 0 and _item_text(item, [0]) == ""


# ---------------------------------------------------------------- _clean, _coverage, _repetition

@pytest.mark.parametrize("raw, text", [
    ("<p>Die Bahn</p><p>investiert</p>", "Die Bahn investiert"),
    ("Water<br>levels&nbsp;rose", "Water levels rose"),
    ("Fahrgast&shy;verbände   begr&uuml;&szlig;ten\n die Pläne", "Fahrgastverbände begrüßten die Pläne"),
    ("Use the &lt;br&gt; tag", "Use the <br> tag"),  # escaped markup is text, kept as written
])
def test_clean_turns_markup_into_spaces_and_entities_into_characters(raw, text):
    assert _clean(raw) == text


@pytest.mark.parametrize("ours, found", _HALF)
def test_coverage_is_the_share_of_our_shingles_in_the_found_text(ours, found):
    assert _coverage(ours, found) == 0.5
    assert _coverage(found, ours + " " + found) == 1.0


@pytest.mark.parametrize("ours", ["", "Breaking news"])
def test_coverage_of_no_shingles_is_none(ours):
    assert _coverage(ours, _joined(FLOOD)) == 0.0


@pytest.mark.parametrize("text, share", [
    ("Water rising fast now. Water rising fast now.", 0.2),  # 5 shingles, one of them again
    ("Die Flut steigt weiter. die FLUT steigt weiter.", 0.2),
    (_joined(FLOOD), 0.0),
    ("Flood warning", 0.0),
    ("", 0.0),
])
def test_repetition_is_the_share_of_shingles_that_repeat_an_earlier_one(text, share):
    assert _repetition(text) == pytest.approx(share)


# ---------------------------------------------------------------- other scripts, other escapings

RUSSIAN = [
    "Власти Москвы объявили о закрытии нескольких станций метро в центре города на выходные дни, чтобы "
    "заменить старые эскалаторы и отремонтировать вестибюли для пассажиров.",
    "Пассажирам предложат бесплатные автобусы, которые будут ходить вдоль закрытого участка линии каждые "
    "пять минут с раннего утра и до позднего вечера.",
    "В департаменте транспорта пообещали, что работы закончатся к понедельнику, а движение поездов "
    "восстановят до начала утреннего часа пик.",
    "Жители соседних районов жалуются, что ремонт на этой линии проводится уже третий раз за год и каждый "
    "раз занимает больше времени, чем обещали.",
    "Эксперты отмечают, что эскалаторам на старых станциях больше пятидесяти лет и их давно пора было "
    "заменить на современные и более безопасные.",
    "Городские власти также планируют открыть две новые станции на окраине уже в следующем году, если "
    "строители успеют закончить тоннели вовремя.",
]
CHINESE = [
    f"中国国家统计局周一公布的数据显示，今年前三个季度经济同比增长百分之五点二，第{i}段说明消费和投资都有所回升，略高于市场预期。"
    for i in "一二三四五六"
]


@pytest.mark.parametrize("story", [RUSSIAN, CHINESE], ids=["ru", "zh"])
@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "raw"])
def test_a_story_in_any_script_is_found_in_json_written_either_way(story, ascii_only):
    # the HTML shows the first two paragraphs; the JSON, written \\u-escaped or as it is, holds all six
    data = json.dumps(_blocks(story), ensure_ascii=ascii_only)
    assert embedded_paragraphs(_root(story[:2], _script(data)), story[:2]) == story


@pytest.mark.parametrize("kind", ["application/json; charset=utf-8", "Application/JSON"])
def test_a_json_script_type_with_parameters_is_json(kind):
    data = _blocks(FLOOD)
    assert embedded_paragraphs(_root(FLOOD[:2], _script(data, f'type="{kind}"')), FLOOD[:2]) == FLOOD


@pytest.mark.parametrize("story", [FLOOD, BAHN], ids=["en", "de"])
def test_the_longest_list_that_is_a_longer_version_wins_not_the_longest_list(story):
    # an AMP copy holds every paragraph twice (rich text and plain): longer, but it repeats itself
    data = {"story": [{"text": p} for p in story], "amp": [{"text": p, "value": p} for p in story]}
    assert embedded_paragraphs(_root(story[:2], _script(data)), story[:2]) == story


JAPANESE = [
    f"東京都は来年度から、都内の公立小中学校の給食費を全額無償化する方針を固めた。第{i}段落では、対象となる児童と生徒の数や必要な予算の規模、区市町村との費用の分担について説明している。"
    for i in "一二三四五六"
]


@pytest.mark.parametrize("story", [CHINESE, JAPANESE], ids=["zh", "ja"])
def test_a_story_as_a_list_of_plain_strings_in_a_script_without_spaces_is_found(story):
    data = {"article": {"paragraphs": story}}
    assert embedded_paragraphs(_root(story[:2], _script(data)), story[:2]) == story


# ---------------------------------------------------------------- blocks in one item

@pytest.mark.parametrize("item, lines", [
    # A section's paragraphs: one ends a sentence, the next starts one, nothing between them.
    ({"title": "Evacuations", "paras": [{"text": p} for p in FLOOD[:3]]}, FLOOD[:3]),
    ({"content": [{"type": "text", "value": p} for p in BAHN[:2]]}, BAHN[:2]),
    # after closing quotes or a bracket, before an opening quote; CJK full stops
    ({"content": ['He said: "We will rebuild."', "\u201eDas dauert\u201c, sagte sie.", "(Reuters) Crews left."]},
     ['He said: "We will rebuild."', "\u201eDas dauert\u201c, sagte sie.", "(Reuters) Crews left."]),
    ({"paragraphs": [{"text": p} for p in CHINESE[:2]]}, CHINESE[:2]),
    ({"html": ["<p>Les travaux commenceront cet été.</p>", "<p>Le maire l&#39;a confirmé.</p>"]},
     ["Les travaux commenceront cet été.", "Le maire l'a confirmé."]),
])
def test_blocks_that_meet_without_a_space_are_lines_of_the_item(item, lines):
    assert _item_text(item, [10**4]).split("\n") == lines


@pytest.mark.parametrize("runs, text", [
    # runs of one paragraph: a space at the cut, a lower-case word, or no full stop before it
    (["The river burst its banks.", " Crews were sent."], "The river burst its banks. Crews were sent."),
    (["Crews reached Millbrook ", "St.", " Mary's at dawn."], "Crews reached Millbrook St. Mary's at dawn."),
    (["Visit news.", "example", ".com for updates."], "Visit news.example.com for updates."),
    (["Die Bahn investiert in ", "Berlin", " und Hamburg."], "Die Bahn investiert in Berlin und Hamburg."),
    (["Officials put the cost at ", "£20m", "."], "Officials put the cost at £20m."),
])
def test_runs_of_one_paragraph_stay_one_line(runs, text):
    assert _item_text({"content": [{"text": r} for r in runs]}, [10**4]) == text


@pytest.mark.parametrize("story, shown", [(FLOOD, 2), (BAHN, 1), (RUSSIAN, 2)])
def test_a_story_in_sections_is_found_paragraph_by_paragraph(story, shown):
    sections = {"article": {"sections": [{"heading": "Part one", "paras": [{"text": p} for p in story[:3]]},
                                         {"heading": "Part two", "paras": [{"text": p} for p in story[3:]]}]}}
    assert embedded_paragraphs(_root(story[:shown], _script(sections)), story[:shown]) == story


# ---------------------------------------------------------------- words parted by NBSPs

@pytest.mark.parametrize("space", ["\u00a0", "&nbsp;", "&#160;"], ids=["nbsp", "entity", "numeric"])
@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "raw"])
@pytest.mark.parametrize("story", [FLOOD, BAHN, RUSSIAN], ids=["en", "de", "ru"])
def test_a_story_whose_words_are_parted_by_nbsps_is_found(story, ascii_only, space):
    # the JSON parts every word with a no-break space (written raw, \\u00a0-escaped or as an entity);
    # the HTML shows the first two paragraphs with plain spaces
    data = json.dumps(_blocks([p.replace(" ", space) for p in story]), ensure_ascii=ascii_only)
    assert not any(form in data for probe in _probes(story[:2]) for form in (probe, embedded._escaped(probe)))
    assert embedded_paragraphs(_root(story[:2], _script(data)), story[:2]) == story


# ---------------------------------------------------------------- a story as one HTML string

@pytest.mark.parametrize("story, html", [
    (FLOOD, lambda ps: "".join(f'<p class="p">{p}</p>' for p in ps)),
    (BAHN, lambda ps: "<br /><br />\n".join(ps)),
    (ECOLES, lambda ps: "<p>" + "</p>\n<h2>Intertitre</h2>\n<p>".join(ps) + "</p>"),
], ids=["p", "br-br", "p-h2"])
def test_a_story_the_json_holds_as_one_html_string_completes_the_shown_paragraphs(story, html):
    data = {"props": {"pageProps": {"story": {"headline": "News", "body": html(story)}}}}
    found = embedded_paragraphs(_root(story[:2], _script(data, 'id="__NEXT_DATA__"')), story[:2])
    assert [p for p in found if p != "Intertitre"] == story


@pytest.mark.parametrize("story", [FLOOD, BAHN], ids=["en", "de"])
def test_an_html_string_without_the_shown_paragraphs_is_not_the_story(story):
    data = {"story": {"body": "".join(f"<p>{p}</p>" for p in _OTHER)}}
    assert embedded_paragraphs(_root(story[:2], _script(data)), story[:2]) is None


@pytest.mark.parametrize("value, paragraphs", [
    ("<p>One.</p><p>Two <a href='/x'>words</a> here.</p>", ["One.", "Two words here."]),
    ("One.<br><br>Two.<br>Still two.", ["One.", "Two. Still two."]),
    ("<div><h2>Head</h2><ul><li>A</li><li>B</li></ul></div>", ["Head", "A", "B"]),
    ("<P>Upper.</P><BR/><BR/>Case.", ["Upper.", "Case."]),
    ("Plain text, no markup.", ["Plain text, no markup."]),
])
def test_html_paragraphs_part_an_html_string_at_its_blocks(value, paragraphs):
    assert embedded.html_paragraphs(value) == paragraphs


def test_an_html_string_of_one_paragraph_is_not_a_list_of_paragraphs():
    data = {"story": {"body": "<p>" + " ".join(FLOOD) + "</p>"}}
    assert embedded_paragraphs(_root(FLOOD[:1], _script(data)), FLOOD[:1]) is None
