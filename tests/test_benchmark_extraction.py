"""The extraction benchmark's own logic (benchmarks/extraction.py), on made-up pages."""

from __future__ import annotations

import json

import pytest

from benchmarks.extraction import Case, date_label_evidence


# ---------------------------------------------------------------- the benchmark's date-label check

def _labelled(date: str, html: str, url: str = "https://news.test/story"):
    return Case("naeb-dev", "page", url, html.encode(), "", "", date, [])


@pytest.mark.parametrize("date, html, url, kind", [
    ("2023-12-22", '{"datePublished":"2023-12-22T16:22:00Z"}', "https://news.test/story", "supported"),
    ("2023-12-22", "<p>Posted Dec. 22, 2023</p>", "https://news.test/story", "supported"),
    ("2023-12-22", "<p>nothing</p>", "https://news.test/2023/12/22/story", "supported"),
    ("2023-12-23", '{"datePublished":"2023-12-22T16:22:00Z","dateModified":"2023-12-23T05:39:00Z"}'
                   "<p>23 December 2023 05:39</p>", "https://news.test/story", "modified"),
    ("2023-08-27", '{"datePublished":"2022-08-27T10:00:00Z"}', "https://news.test/2022/08/story", "other year"),
    ("2023-03-19", "<p>nothing</p>", "https://news.test/2020/3/19/story", "other year"),
    ("2023-01-02", '{"datePublished":"2023-12-21T05:15:14Z"}', "https://news.test/story", "absent"),
    ("", "<p>June 1, 2023</p>", "https://news.test/story", "unlabelled"),
])
def test_date_label_evidence_reads_the_page_not_our_extractor(date, html, url, kind):
    assert date_label_evidence(_labelled(date, html, url)) == kind


# ---------------------------------------------------------------- the tune/check split

from benchmarks.extraction import (  # noqa: E402
    Output, drastic, drastic_effect, f1, page_margins, precision_recall, score, split, with_halves,
)


def test_split_alternates_sorted_publisher_names():
    assert split(["c", "a", "b", "a", "d"]) == {"a": "tune", "b": "check", "c": "tune", "d": "check"}


def test_split_depends_on_names_not_on_order_or_pages():
    names = ["de/Spiegel", "us/APNews", "jp/Asahi", "fr/LeMonde", "es/ElPais"]
    assert split(names) == split(reversed(names * 3))


def test_every_page_of_a_publisher_is_in_one_half():
    cases = [Case("s", f"{p}_{i}", "u", b"", "", publisher=p) for p in ("x", "y", "z") for i in range(3)]
    with_halves(cases[::-1])
    for p in ("x", "y", "z"):
        assert len({c.half for c in cases if c.publisher == p}) == 1
    assert {c.half for c in cases} == {"tune", "check"}


# ---------------------------------------------------------------- scoring

def test_precision_recall_of_shingles():
    assert precision_recall("a b c d e", "a b c d e") == (1.0, 1.0)
    p, r = precision_recall("a b c d e f g h", "a b c d e")  # 5 predicted shingles, 2 true, both found
    assert (p, r) == (2 / 5, 1.0)
    assert precision_recall("", "") == (1.0, 1.0)
    assert precision_recall("", "a b c d") == (0.0, 0.0)


def test_drastic_is_more_than_half_again_or_less_than_half_of_trafilaturas_words():
    base = Output(body=" ".join(["w"] * 100))
    assert not drastic(Output(body=" ".join(["w"] * 150)), base)
    assert drastic(Output(body=" ".join(["w"] * 151)), base)
    assert not drastic(Output(body=" ".join(["w"] * 50)), base)
    assert drastic(Output(body=" ".join(["w"] * 49)), base)
    assert drastic(Output(body="a few words"), Output(body=""))


def test_drastic_effect_counts_better_and_worse_pages():
    story = "one two three four five six seven eight nine ten"
    page = "menu home about " * 20 + story
    cases = [Case("s", str(i), "u", b"", story) for i in range(3)]
    ours = [Output(body=story), Output(body=page), Output(body=story)]
    base = [Output(body=page), Output(body=story), Output(body=story)]
    effect = drastic_effect(cases, ours, base)
    assert (effect["pages"], effect["grown"], effect["better"], effect["worse"]) == (2, 1, 1, 1)


def test_page_margins_count_the_pages_lost_and_won_against_trafilatura_and_the_worst():
    story = "one two three four five six seven eight nine ten eleven twelve"
    half = "one two three four five six"
    cases = [Case("s", str(i), "u", b"", story) for i in range(4)]
    ours = [Output(body=story), Output(body=half), Output(body=story), Output(body=story + " thirteen")]
    base = [Output(body=half), Output(body=story), Output(body=story), Output(body=story)]
    margins = page_margins(cases, ours, base)
    assert (margins["below"], margins["above"]) == (1, 1)  # a page a few words off is neither
    assert margins["worst"] == round(f1(half, story) - 1.0, 3) < -0.1


def test_score_counts_declined_pages_and_those_trafilatura_extracts_at_length():
    cases = [Case("s", str(i), "u", b"", "x y z w") for i in range(3)]
    long_text = " ".join(["word"] * 150)
    ours = [Output(declined=True), Output(declined=True), Output(body="x y z w")]
    base = [Output(body=long_text), Output(body="short"), Output(body="x y z w")]
    result = score(cases, ours, base=base)
    assert (result["declined"], result["declined_long"]) == (2, 1)


def test_decision_effect_counts_each_steps_drastic_decisions_and_their_effect():
    from benchmarks.extraction import decision_effect

    story = " ".join(f"w{i}" for i in range(40))
    page_wide = " ".join(f"x{i}" for i in range(200)) + " " + story
    cases = [Case("s", str(i), "u", b"", story) for i in range(4)]
    base = [Output(body=page_wide), Output(body=story), Output(body=story), Output(body=story)]
    ours = [
        # the block choice cut a page-wide text down to the story (drastic, against trafilatura's)
        Output(body=story, decisions=[{"step": "block choice", "before": None, "after": story, "kept": True}]),
        # the embedded JSON proposed the page-wide text; refused (the right call)
        Output(body=story, decisions=[{"step": "embedded JSON", "before": story, "after": page_wide, "kept": False}]),
        # a declared body kept, growing the text (the wrong call)
        Output(body=page_wide, decisions=[{"step": "declared body", "before": story, "after": page_wide,
                                           "kept": True}]),
        # a clean-up that changed little: not drastic, not counted
        Output(body=story, decisions=[{"step": "clean-up", "before": story + " a b", "after": story, "kept": True}]),
    ]
    effect = decision_effect(cases, ours, base)
    assert effect["block choice"]["drastic"] == 1 and effect["block choice"]["better"] == 1
    assert effect["embedded JSON"] == {**effect["embedded JSON"], "drastic": 1, "refused": 1, "better": 1}
    assert effect["declared body"]["kept"] == 1 and effect["declared body"]["worse"] == 1
    assert effect["clean-up"]["drastic"] == 0
    assert effect["declared body"]["f1_change"] < 0 < effect["embedded JSON"]["f1_change"]


# ---------------------------------------------------------------- house credits

from benchmarks.extraction import house_names, is_house_credit, people_ok  # noqa: E402


def _credited(authors, html, url="https://www.autoblog.test/2024/story"):
    return Case("fundus-tests-dev", "page", url, html.encode(), "", "", "", authors)


def test_house_names_come_from_the_page_and_its_host():
    html = ('<meta property="og:site_name" content="Salzburger Nachrichten">'
            '<script type="application/ld+json">{"publisher": {"@type": "Organization", "name": "SN Media"}}</script>')
    assert house_names(_credited([], html, "https://www.sn.test/a")) == {"salzburgernachrichten", "snmedia"}
    assert house_names(_credited([], "", "https://news.bbc.test/a")) == {"bbc"}


@pytest.mark.parametrize("name, house", [
    ("Autoblog Staff", True), ("The Independent", True), ("Salzburger Nachrichten", True),
    ("BBC News", True), ("Ann Lee", False), ("Associated Press", False),
])
def test_house_credits(name, house):
    assert is_house_credit(name, {"autoblog", "theindependent", "salzburgernachrichten", "bbc"}) is house


def test_people_ok_leaves_house_credits_out_of_both_sides():
    html = '<meta property="og:site_name" content="Autoblog">'
    labelled = _credited(["Autoblog Staff"], html)
    assert people_ok(labelled, Output(authors=[]))  # fundus-tests-dev labels the house credit
    assert people_ok(_credited([], html), Output(authors=["Autoblog Staff"]))  # naeb-dev leaves it out
    assert not people_ok(_credited(["Ann Lee"], html), Output(authors=["Autoblog Staff"]))
    assert not people_ok(_credited(["Ann Lee", "Autoblog Staff"], html), Output(authors=["Bo Chan"]))


# ---------------------------------------------------------------- labels given to the wrong page

from benchmarks.extraction import repair_swapped_labels  # noqa: E402

CABLE_CAR = ("The city's development company shows the first picture of the planned cable car over the lake, "
             "which is to link the new quarter with the station by the end of the decade.")
SPEAKER = ("The speaker of parliament has been under fire for weeks; now a former party leader has joined the "
           "critics and calls her a divisive figure who should step back from the dispute.")
HARBOUR = "Ferries will run every ten minutes from the old harbour once the new pier opens to passengers next spring."


def _labelled_page(name, publisher, shown, body, title):
    return Case("fundus-tests-dev", name, f"https://news.test/{name}", shown.encode(), body, title,
                "2024-03-08", ["Ann Lee"], publisher=publisher)


@pytest.mark.parametrize("markup", [
    "<html><body><h1>{title}</h1><p>{body}</p></body></html>",
    '<html><head><script type="application/ld+json">{{"articleBody": "{body}"}}</script></head>'
    "<body><div class=story>{title}</div></body></html>",
])
def test_two_pages_given_each_others_labels_get_them_back(markup):
    a = _labelled_page("WAZ_1", "de/WAZ", markup.format(title="Cable car", body=CABLE_CAR), SPEAKER, "Speaker")
    b = _labelled_page("WAZ_2", "de/WAZ", markup.format(title="Speaker", body=SPEAKER), CABLE_CAR, "Cable car")
    b.date, b.authors = "2025-09-10", ["Bo Chan"]
    assert repair_swapped_labels([a, b]) == [("WAZ_1", "WAZ_2")]
    assert (a.title, a.body, a.date, a.authors) == ("Cable car", CABLE_CAR, "2025-09-10", ["Bo Chan"])
    assert (b.title, b.body, b.date, b.authors) == ("Speaker", SPEAKER, "2024-03-08", ["Ann Lee"])


def test_a_page_swaps_its_labels_with_one_other_page_only():
    a = _labelled_page("A_1", "x", f"<p>{CABLE_CAR}</p>", SPEAKER, "Speaker")
    b = _labelled_page("A_2", "x", f"<p>{SPEAKER}</p>", CABLE_CAR, "Cable car")
    c = _labelled_page("A_3", "x", f"<p>{SPEAKER}</p><p>{HARBOUR}</p>", CABLE_CAR, "Cable car")
    assert repair_swapped_labels([a, b, c]) == [("A_1", "A_2")]
    assert (a.title, b.title, c.title) == ("Cable car", "Speaker", "Cable car")


def test_labels_that_fit_their_page_or_no_other_page_of_the_publisher_stay():
    shown = "<p>{}</p><aside><a href=/other>{}</a></aside>"
    # Each page also shows the other's story as a teaser: both still hold their own body.
    a = _labelled_page("A_1", "x", shown.format(CABLE_CAR, SPEAKER), CABLE_CAR, "Cable car")
    b = _labelled_page("A_2", "x", shown.format(SPEAKER, CABLE_CAR), SPEAKER, "Speaker")
    # Wrong labels whose page is of another publisher, or nowhere in the set: nothing to swap with.
    c = _labelled_page("B_1", "y", f"<p>{HARBOUR}</p>", CABLE_CAR, "Cable car")
    d = _labelled_page("C_1", "z", f"<p>{CABLE_CAR}</p>", HARBOUR, "Harbour")
    e = _labelled_page("D_1", "w", "<p>An empty page</p>", SPEAKER, "Speaker")
    assert repair_swapped_labels([a, b, c, d, e]) == []
    assert [p.body for p in (a, b, c, d, e)] == [CABLE_CAR, SPEAKER, CABLE_CAR, HARBOUR, SPEAKER]


# ---------------------------------------------------------------- what the page says of its title label

from benchmarks.extraction import title_label_evidence  # noqa: E402


def _titled(title: str, html: str):
    return Case("naeb-dev", "page", "https://news.test/story", html.encode(), "", title, "", [])


@pytest.mark.parametrize("title, html, kind", [
    ("Blinken arrives in Beijing", '<meta property="og:title" content="Blinken arrives in Beijing | The Daily">'
                                   "<h1 class=headline>Blinken arrives in Beijing</h1>", "h1 = og:title"),
    ("Blinken lands", '<meta content="World: Blinken lands" property="og:title"><h1><span>World</span> '
                      "Blinken lands</h1>", "h1 = og:title"),
    ("Inside Ohtani's $700 million contract", '<meta property="og:title" content="How Ohtani became a Dodger">'
                                              "<h1>Inside Ohtani&#39;s $700 million contract</h1>",
     "h1, og:title differs"),
    ("Tories pick a leader", "<title>Tories pick a leader - The Paper</title><h1>Tories pick a leader</h1>",
     "h1 only"),
    ("Chelsea send a message", '<meta property="og:title" content="Chelsea send a message">'
                               "<h1>Chelsea send a message in battling win</h1>", "og:title, h1 differs"),
    ("Judy Lybke, ganz und gar", '<meta property="og:title" content="Judy Lybke, ganz und gar">'
                                 "<h1>Die Zeit</h1>", "og:title only"),
    ("Krieg im News-Ticker", '<meta property="og:title" content="Nahost-Ticker: Neues">'
                             '<script type="application/ld+json">{"headline": "Krieg im News-Ticker"}</script>'
                             "<h1>Nahost-Ticker: Neues</h1>", "other declared title"),
    ("南海トラフ、一時調査", "<title>南海トラフ、一時調査：中日新聞Web</title>", "other declared title"),
    ("It's a ticker", """<script>{"headline": "It\\'s a ticker"}</script>""", "other declared title"),  # not JSON
    ("Memphis to Maryville", '<meta property="og:title" content="Cultural adventures"><h1>Cultural adventures</h1>',
     "nowhere"),
    ("", "<h1>Anything</h1>", "unlabelled"),
])
def test_title_label_evidence_reads_the_pages_declared_titles(title, html, kind):
    assert title_label_evidence(_titled(title, html)) == kind


def test_score_counts_right_titles_per_kind_of_label():
    cases = [_titled("A story here", '<meta property="og:title" content="A story here"><h1>A story here</h1>'),
             _titled("Short one here", '<meta property="og:title" content="Short one here">'
                                       "<h1>Short one here and more</h1>")]
    result = score(cases, [Output(body="", title="A story here"), Output(body="", title="Short one here and more")])
    assert result["title_right_by_label"] == {"h1 = og:title": 1, "og:title, h1 differs": 0}


# ---------------------------------------------------------------- the benchmark's author-label check

from benchmarks.extraction import author_label_evidence, declared_credits  # noqa: E402

_SITE = '<meta property="og:site_name" content="Autoblog">'


def _ld(author) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "author": author})}</script>'


def test_declared_credits_read_embedded_author_values_and_meta():
    html = (_ld([{"@type": "Person", "name": "Ann Lee"}, "Bo Chan"]) + '<meta name="author" content="Cy Dee">'
            '<script>window.state = {"story": {"creator": {"name": "Di Eve"}}};</script>')
    assert declared_credits(_credited([], html)) == ["Ann Lee", "Bo Chan", "Di Eve", "Cy Dee"]
    assert declared_credits(_credited([], '<p>"author": none</p>')) == []


@pytest.mark.parametrize("authors, html, kind", [
    (["Ann Lee"], _SITE + _ld({"name": "Ann Lee"}), "names"),
    (["Ann Lee", "Autoblog Staff"], _SITE, "names"),  # a person next to the house credit
    (["Autoblog Staff"], _SITE + _ld({"@type": "Organization", "name": "Autoblog"}), "the publication"),
    (["The Autoblog"], "", "the publication"),  # the house named by the host alone
    ([], _SITE + _ld({"@type": "Organization", "name": "Autoblog"}), "none; the publication declared"),
    ([], _SITE + '<meta name="author" content="Autoblog Staff">', "none; the publication declared"),
    ([], _SITE + _ld({"@type": "Organization", "name": "Associated Press"}), "none; others declared"),
    ([], '<meta name="author" content="Ann Lee">', "none; others declared"),
    ([], _SITE, "none; none declared"),
    ([], _ld({"@type": "Person", "name": ""}), "none; none declared"),
    (None, _SITE, "unlabelled"),
])
def test_author_label_evidence_reads_the_credits_the_page_declares(authors, html, kind):
    assert author_label_evidence(_credited(authors, html)) == kind


def test_score_counts_right_authors_per_kind_of_label():
    house = _SITE + _ld({"@type": "Organization", "name": "Autoblog"})
    cases = [_credited(["Autoblog"], house), _credited([], house), _credited(["Ann Lee"], _SITE)]
    result = score(cases, [Output(body="", authors=["Autoblog"])] * 2 + [Output(body="", authors=["Ann Lee"])])
    assert result["authors_right_by_label"] == {"the publication": 1, "none; the publication declared": 0,
                                                "names": 1}


# ---------------------------------------------------------------- the same checks on real tune-half pages

from benchmarks.extraction import DATASETS, load_fundus_tests, load_naeb  # noqa: E402

needs_datasets = pytest.mark.skipif(not DATASETS.is_dir(), reason=f"datasets not found at {DATASETS}")


@needs_datasets
def test_the_swapped_pair_of_fundus_tests_dev_gets_its_labels_back():
    cases = {c.name: c for c in load_fundus_tests()}
    cable_car, speaker = cases["WAZ_2024_03_08"], cases["WAZ_2025_09_10"]
    assert {cable_car.half, speaker.half} == {"tune"}
    assert cable_car.title == "Erstes Bild: So könnte die Duisburger Seilbahn aussehen"
    assert speaker.title == "Grünen-Spitze gegen Klöckner: Nun attackiert auch Ricarda Lang"
    assert (cable_car.date, speaker.date) == ("2024-03-08", "2025-09-10")


@needs_datasets
def test_title_labels_of_real_pages():
    # The same evidence, labelled both ways: og:title and twitter:title on one side, the
    # <h1>, the JSON-LD headline and <title> on the other.
    fundus = {c.name: c for c in load_fundus_tests() if c.half == "tune"}
    naeb = {c.name: c for c in load_naeb() if c.half == "tune"}
    for name in ("EveningStandard_2024_05_02", "EveningStandard_2024_10_24", "ZwanzigMinuten_2025_11_06"):
        assert title_label_evidence(fundus[name]) == "og:title, h1 differs", name
    for name in ("afaafe2df44ca297a679041b43132253", "ac70aa4b5a0cf11866247c8576381704"):  # ESPN, etonline
        assert title_label_evidence(naeb[name]) == "h1, og:title differs", name
    # The label after a kicker set off by a colon in the <h1> (NTV); <h1> and og:title in the same words (Tagesschau).
    for name in ("NTV_2023_04_28", "Tagesschau_2023_04_28"):
        assert title_label_evidence(fundus[name]) == "h1 = og:title", name
    assert title_label_evidence(fundus["BR_2024_08_27"]) == "other declared title"  # the JSON-LD headline


@needs_datasets
def test_author_labels_of_real_pages():
    # The publication declared as the only author: fundus-tests-dev labels it, naeb-dev does not.
    fundus = {c.name: c for c in load_fundus_tests() if c.half == "tune"}
    naeb = {c.name: c for c in load_naeb() if c.half == "tune"}
    for name in ("SalzburgerNachrichten_2025_06_05", "LesEchos_2024_07_18", "BBC_2024_08_01"):
        assert author_label_evidence(fundus[name]) == "the publication", name
    for name in ("5a81012714cd42ca08bf080ccf9a0ca4", "f61450a85b606c5fd72802903c6ab7b7"):  # Autoblog, The Independent
        assert author_label_evidence(naeb[name]) == "none; the publication declared", name
    assert author_label_evidence(naeb["4f7bf7b9cfd49b73e8b372c567fac25b"]) == "none; others declared"  # AFP
