"""The safety net (``evidence.py``) and the embedded-JSON finder (``embedded.py``), branch
by branch on synthetic text: each kind of evidence, and each refusal, in two instances
(English and German stories)."""

from __future__ import annotations

import json

import pytest

from pipelines.extraction import embedded
from pipelines.extraction.document import parse_html
from pipelines.extraction.evidence import (
    Decision, Page, added_text, check_cut, check_growth, check_replacement, drastic, lead_share, share_in,
)

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


def _page(*shown: str) -> Page:
    paras = "".join(f"<p>{p}</p>" for p in shown)
    return Page(parse_html(f"<html><body><h1>Harbour bridge</h1>{paras}</body></html>"))


def _other(story: list[str]) -> list[str]:
    """Unrelated paragraphs in the story's language: the same words in another order."""
    return [" ".join(reversed(p.split())) for p in story]


# ---------------------------------------------------------------- what "drastic" is

@pytest.mark.parametrize("before, after, expected", [
    (100, 151, True), (100, 150, False), (100, 49, True), (100, 50, False), (0, 1, True), (0, 0, False),
])
def test_drastic_is_more_than_half_again_or_less_than_half(before, after, expected):
    assert drastic(before, after) is expected


@STORIES
def test_a_decision_is_drastic_only_against_a_text_it_had(story):
    assert Decision("clean-up", " ".join(story), story[0]).drastic
    assert not Decision("clean-up", " ".join(story), " ".join(story[:3])).drastic
    assert not Decision("block choice", None, story[0]).drastic  # no reference: trafilatura's own


@STORIES
def test_share_in_counts_shingles_of_the_text_in_the_other(story):
    page = _page(*story[:2])
    assert share_in(story[0], page.shown) == 1.0
    assert share_in(story[3], page.shown) == 0.0
    assert share_in("Kurz.", page.shown) == 1.0  # no shingles: nothing to contradict


@pytest.mark.parametrize("hidden", [
    "<script>var text = '{0}';</script>", "<style>/* {0} */</style>", "<noscript>{0}</noscript>",
    "<template><p>{0}</p></template>",
])
def test_the_page_shows_only_text_outside_scripts_styles_and_templates(hidden):
    for story in (ENGLISH, GERMAN):
        root = parse_html(f"<html><body><p>{story[0]}</p>{hidden.format(story[1])}</body></html>")
        page = Page(root)
        assert share_in(story[0], page.shown) == 1.0 and share_in(story[1], page.shown) == 0.0


@STORIES
def test_added_text_is_the_paragraphs_not_had_before(story):
    assert added_text(story[:2], story) == " ".join(story[2:])
    assert added_text(story, story) == ""


# ---------------------------------------------------------------- growth: declared body, embedded JSON

@STORIES
def test_added_text_the_page_shows_stands(story):
    kept, why = check_growth(_page(*story), story[:1], story)
    assert kept and "shown on the page" in why


@STORIES
def test_added_text_the_declared_body_also_says_stands(story):
    kept, why = check_growth(_page(story[0]), story[:1], story, other_source=" ".join(story), continues=False)
    assert kept and "declared body" in why
    # another source saying something else is no evidence
    assert not check_growth(_page(story[0]), story[:1], story, other_source=" ".join(_other(story)),
                            continues=False)[0]


@STORIES
def test_a_declared_article_with_the_pages_headline_stands_when_we_found_nothing(story):
    empty = _page()
    assert check_growth(empty, [], story, headline=True)[0]
    assert not check_growth(empty, [], story, headline=False)[0]
    # the headline only stands in for text when we had none
    assert not check_growth(_page(story[0]), [story[0]], [story[0], *_other(story)], headline=True,
                            continues=False)[0]


@STORIES
def test_text_that_continues_the_paragraphs_shown_stands(story):
    # a paywalled page: the HTML shows the first paragraphs, the JSON holds them and the rest
    kept, why = check_growth(_page(story[0]), [story[0]], [story[0], *_other(story)[1:]])
    assert kept and "continues" in why


@STORIES
def test_text_that_starts_with_something_else_does_not_continue_the_story(story):
    other = _other(story)
    # what the HTML shows comes only after three unshown paragraphs: that is no continuation
    kept, why = check_growth(_page(story[0]), [story[0]], [*other[1:], story[0]])
    assert not kept and "before the paragraphs the page shows" in why
    # and with continuation not asked for, unshown text is refused whatever its order
    kept, why = check_growth(_page(story[0]), [story[0]], [story[0], *other[1:]], continues=False)
    assert not kept and "before the paragraphs" not in why


@STORIES
def test_lead_share_is_the_share_of_words_before_our_first_paragraph(story):
    other = _other(story)
    assert lead_share([story[0]], [story[0], *other[1:]]) == 0.0
    share = lead_share([story[1]], [other[0], story[1], other[2]])
    assert 0.25 < share < 0.4  # one paragraph of three before ours
    assert lead_share([story[0]], other) == 1.0  # none of ours in it


# ---------------------------------------------------------------- replacement by a shorter declared body

@STORIES
def test_a_declared_body_inside_our_longer_text_replaces_it(story):
    kept, why = check_replacement(_page(), [*story, *_other(story)], story[:2])
    assert kept and "inside" in why


@STORIES
def test_a_declared_body_the_page_shows_replaces_our_text(story):
    kept, why = check_replacement(_page(*story[:2]), _other(story), story[:2])
    assert kept and "shown on the page" in why


@STORIES
def test_a_declared_body_neither_inside_nor_shown_is_refused(story):
    kept, why = check_replacement(_page(*_other(story)), _other(story), story[:2])
    assert not kept and "neither inside" in why


# ---------------------------------------------------------------- a clean-up that cuts more than half

def _teasers(n: int) -> list[str]:
    return [f"Headline number {i} about the weather" for i in range(n)]


@STORIES
def test_a_cut_of_boxes_and_teasers_stands(story):
    before = [*story[:3], "More from the region", *_teasers(40)]
    kept, why = check_cut(before, story[:3])
    assert kept and "cut 0 story-sized paragraphs, kept 3" in why


@pytest.mark.parametrize("brief", [
    ["Storm warning for the coast tonight.", "Ferries stay in port until noon.", "Schools open as usual."],
    ["Sturmwarnung für die Küste heute Nacht.", "Die Fähren bleiben bis Mittag im Hafen."],
])
def test_a_cut_of_a_brief_without_story_sized_paragraphs_stands(brief):
    # nothing story-sized on either side: the cut removes no story
    kept, why = check_cut([*brief, "Most read", *_teasers(12)], brief)
    assert kept and "cut 0 story-sized paragraphs, kept 0" in why


@STORIES
def test_a_cut_that_removes_fewer_story_paragraphs_than_it_keeps_stands(story):
    before = [*story, "Most read", *_teasers(60)]
    assert check_cut(before, story[:3])[0]  # cut 1, kept 3


@STORIES
def test_a_cut_that_removes_as_much_story_as_it_keeps_is_refused(story):
    # an end marker after the first paragraphs, then more of the story after a box of headlines
    before = [*story[:2], "More from the region", *_teasers(3), *story[2:]]
    kept, why = check_cut(before, story[:2])
    assert not kept and "(2) as it keeps (2)" in why


# ---------------------------------------------------------------- the embedded JSON

def _root(data, shown: list[str], script_type: str = "application/json", script_id: str = "") -> object:
    paras = "".join(f"<p>{p}</p>" for p in shown)
    ident = f' id="{script_id}"' if script_id else ""
    return parse_html(f'<html><body>{paras}<script type="{script_type}"{ident}>{json.dumps(data)}</script>'
                      "</body></html>")


WHOLE = pytest.mark.parametrize("story", [ENGLISH + _other(ENGLISH), GERMAN + _other(GERMAN)], ids=["en", "de"])


@WHOLE
def test_a_list_of_paragraphs_holding_ours_and_much_more_is_the_story(story):
    data = {"article": {"content_elements": [{"type": "text", "content": p} for p in story]}}
    assert embedded.embedded_paragraphs(_root(data, story[:2]), story[:2]) == story


@WHOLE
def test_the_next_data_script_is_read_whatever_its_type(story):
    data = {"props": {"pageProps": {"body": [{"text": p} for p in story]}}}
    root = _root(data, story[:2], script_type="text/plain", script_id="__NEXT_DATA__")
    assert embedded.embedded_paragraphs(root, story[:2]) == story
    # another script of that type is not data
    root = _root(data, story[:2], script_type="text/plain")
    assert embedded.embedded_paragraphs(root, story[:2]) is None


@WHOLE
def test_a_list_saying_little_more_than_we_found_is_not_taken(story):
    data = {"blocks": [{"text": p} for p in story[:4]]}
    assert embedded.embedded_paragraphs(_root(data, story[:3]), story[:3]) is None  # 4 for 3: < 1.5 times
    data = {"blocks": [{"text": p} for p in story[:5]]}
    assert embedded.embedded_paragraphs(_root(data, story[:3]), story[:3]) == story[:5]  # 5 for 3


@WHOLE
def test_a_list_that_misses_most_of_our_paragraphs_is_not_taken(story):
    # it holds the probe of our first paragraph, not the rest of what we found
    ours = [story[0], *story[1:4]]
    data = {"blocks": [{"text": p} for p in [story[0], *story[4:]]] + [{"text": p} for p in _teasers(20)]}
    assert embedded.embedded_paragraphs(_root(data, ours), ours) is None


@WHOLE
def test_a_list_repeating_its_text_is_not_taken(story):
    data = {"blocks": [{"text": p} for p in story[:4] * 3]}
    assert embedded._repetition(" ".join(story[:4] * 3)) > 0.2
    assert embedded.embedded_paragraphs(_root(data, story[:2]), story[:2]) is None


@pytest.mark.parametrize("story", [ENGLISH, GERMAN], ids=["en", "de"])
def test_repetition_is_the_share_of_shingles_said_before(story):
    assert embedded._repetition(" ".join(story)) == 0.0
    assert embedded._repetition(" ".join(story + story)) == pytest.approx(0.5, abs=0.02)
    assert embedded._repetition("two words") == 0.0


@STORIES
def test_probes_are_six_plain_words_from_the_middle_of_each_of_the_first_six_paragraphs(story):
    probes = embedded._probes(story * 2)
    assert len(probes) == 6
    for probe, para in zip(probes, story * 2):
        assert probe in para and len(probe.split()) == 6
    assert embedded._probes(["Kurz, knapp: zwei Wörter."]) == []


@STORIES
def test_item_text_reads_string_leaves_under_text_keys_in_order(story):
    item = {"type": "paragraph", "id": "p-1 x y z",
            "content": [{"type": "text", "value": story[0][:40]},
                        {"type": "link", "href": "https://x.example/a b", "content": [{"value": story[0][40:]}]}]}
    budget = [10_000]
    assert embedded._item_text(item, budget) == story[0]
    assert budget[0] < 10_000
    assert embedded._item_text(f"<p>{story[1]}</p>", [10_000]) == story[1]  # HTML strings lose their tags
    assert embedded._item_text("slug-without-spaces", [10_000]) == ""


@pytest.mark.parametrize("decoy", [["word " * 1000] * 5, [{"text": "wort " * 2500}, {"text": "wort " * 2500}]])
def test_a_list_after_the_budget_is_spent_is_not_read(decoy):
    story = ENGLISH + _other(ENGLISH)
    # values are read last first: the decoy spends the budget before the story's list is reached
    data = {"story": story, "decoy": decoy}
    probes = embedded._probes(story)
    assert list(embedded._paragraph_lists(data, probes, budget=[100_000])) == [story]
    assert list(embedded._paragraph_lists(data, probes, budget=[10_000])) == []


def test_reading_stops_when_the_budget_is_spent():
    story = ENGLISH + _other(ENGLISH)
    data = {"blocks": [{"text": p} for p in story]}
    assert list(embedded._paragraph_lists(data, embedded._probes(story), budget=[0])) == []
    assert list(embedded._paragraph_lists(data, embedded._probes(story), budget=[10 ** 6])) == [story]


@WHOLE
def test_coverage_is_the_share_of_our_shingles_the_found_text_has(story):
    assert embedded._coverage(" ".join(story[:2]), " ".join(story)) == 1.0
    assert embedded._coverage(" ".join(story[:2]), " ".join(story[2:])) == 0.0
    assert embedded._coverage("", " ".join(story)) == 0.0
