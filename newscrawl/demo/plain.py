"""Two more demo publishers: old table and div layouts without any structured data.

Each is one instance of the classes a crawler meets on small and old news sites,
and the two differ in every markup detail on purpose:

* no JSON-LD, no OpenGraph, no ``<article>``, no ``<h1>``: the headline is only
  visible text, the date is written in words ("Monday 18 June 2023", "June 17,
  2023"), the byline reads "Reporter: X", "By X" or "Written by X";
* paragraphs split at ``<br><br>`` (in ``<font>`` inside ``<td>``, or in
  ``<div class=txt>``), not ``<p>``;
* the charset only in the HTTP header (windows-1252 and ISO-8859-1 pages);
* one rail holding several titled link groups in one container: bold ALL-CAPS
  labels, ``<font>``-wrapped labels, ``<dt>`` and heading titles;
* the world-news section page is the start URL, and it has no Latest block of
  its own: only its article list leads to the articles.

``PlainSite`` serves them like ``DemoSite`` serves the first three (one port,
one loopback address per publisher, a request log).
"""

from __future__ import annotations

from datetime import date
from html import escape

from .content import Link, Publisher, Story
from .site import DemoSite
from .templates import Ctx

# --------------------------------------------------------------------------------------
# The Valley Gazette: one big <table>, <font> tags, windows-1252 in the header only.
# --------------------------------------------------------------------------------------

V_SECTION = "/world/"
V_FLOODS = "/world/2023/06/19/danube-flood-barriers-hold.html"
V_STRIKE = "/world/2023/06/18/lisbon-dockers-end-strike.html"
V_GLACIER = "/world/2023/06/17/swiss-glacier-village-evacuated.html"
V_RICE = "/world/2023/06/16/rice-farmers-mekong-salt.html"  # only from the articles' Latest rails
V_SPORT = ["/sport/2023/06/19/valley-rovers-promoted.html", "/sport/2023/06/18/county-cricket-washout.html"]
V_BUSINESS = ["/business/2023/06/19/mill-reopens.html", "/business/2023/06/18/bank-rates-hold.html"]
V_NAV = [Link("/", "Home"), Link(V_SECTION, "World"), Link("/sport/", "Sport"), Link("/business/", "Business"),
         Link("/letters/", "Letters")]


def _v_latest(*paths: str) -> list[Link]:
    titles = {s.path: s.title for s in _V_STORIES}
    return [Link(p, titles[p]) for p in paths]


_V_STORIES = [
    Story(
        path=V_FLOODS,
        title="Danube flood barriers hold as river peaks in Bratislava",
        summary=None, byline="Reporter: Anna Berg", authors=["Anna Berg"],
        published="2023-06-19", modified=None, section=None, tags=[], canonical=None,
        charset="windows-1252",
        paragraphs=[
            "Mobile flood barriers along the Danube held overnight as the river reached its highest level in Bratislava for a decade.",
            "City officials said the water peaked at just over nine metres on Monday morning and was expected to fall slowly during the week.",
            "About 200 residents of low-lying streets near the old town had been asked to leave their homes as a precaution on Sunday.",
            "Engineers will inspect the barriers before the city decides whether the evacuation order can be lifted.",
        ],
        latest=[],
    ),
    Story(
        path=V_STRIKE,
        title="Lisbon dockers end strike after pay deal",
        summary=None, byline="By Tom Hale", authors=["Tom Hale"],
        published="2023-06-18", modified=None, section=None, tags=[], canonical=None,
        charset="windows-1252",
        paragraphs=[
            "Dock workers in Lisbon have voted to end a three-week strike that left container ships queuing at the mouth of the Tagus.",
            "The union said the agreement raised basic pay by 7% and limited the number of night shifts each worker could be asked to take.",
            "Port authorities estimated that the stoppage had delayed the unloading of more than 40,000 containers, including fresh food.",
            "Normal working is expected to resume on Tuesday, although clearing the backlog could take a month.",
        ],
        latest=[],
    ),
    Story(
        path=V_GLACIER,
        title="Swiss village evacuated as glacier threatens to collapse",
        summary=None, byline="Reporter: Anna Berg", authors=["Anna Berg"],
        published="2023-06-17", modified=None, section=None, tags=[], canonical=None,
        charset="windows-1252",
        paragraphs=[
            "The 300 inhabitants of a mountain village in the canton of Valais were told to leave on Saturday after geologists detected fresh cracks in the glacier above it.",
            "Residents were allowed to return briefly to collect livestock and belongings, escorted by members of the civil protection service.",
            "The mayor said the village had lived with the glacier \u201cfor eight hundred years\u201d and hoped the evacuation would be short.",
        ],
        latest=[],
    ),
    Story(
        path=V_RICE,
        title="Salt water creeps up the Mekong, and rice farmers move out",
        summary=None, byline="By Linh Tran", authors=["Linh Tran"],
        published="2023-06-16", modified=None, section=None, tags=[], canonical=None,
        charset="windows-1252",
        paragraphs=[
            "Farmers in the lower Mekong delta say the salt water that now reaches their fields every dry season has made rice growing impossible.",
            "Many have switched to shrimp, which tolerate brackish water, while younger people have left for factory jobs around Ho Chi Minh City.",
            "Researchers blame a combination of rising seas, sand mining and dams upstream that hold back the sediment the delta needs.",
        ],
        latest=[],
    ),
]
# Every article's Latest rail lists the other three, newest first.
_V_ALL = [s.path for s in _V_STORIES]
for _s in _V_STORIES:
    _s.latest = _v_latest(*[p for p in _V_ALL if p != _s.path])

GAZETTE = Publisher(
    name="gazette",
    title="The Valley Gazette",
    octet_offset=0,
    language="en",
    start_path=V_SECTION,
    section_path=V_SECTION,
    section_title="World",
    section_links=[Link("2023/06/19/danube-flood-barriers-hold.html", _V_STORIES[0].title, clean=V_FLOODS),
                   Link(V_STRIKE, _V_STORIES[1].title),
                   Link("/world/2023/06/17/swiss-glacier-village-evacuated.html#more", _V_STORIES[2].title, clean=V_GLACIER)],
    other_section_links=[],
    home_latest=[],
    home_top_stories=[],
    nav=V_NAV,
    footer=[Link("/about.html", "About the Gazette")],
    trending=[],
    most_read=[],
    robots_txt="User-agent: *\nDisallow: /cgi-bin/\n",
    stories=_V_STORIES,
    redirects={},
    flaky=set(),
    expected_fetches=["/robots.txt", V_SECTION, V_FLOODS, V_STRIKE, V_GLACIER, V_RICE],
    must_not_fetch=[*V_SPORT, *V_BUSINESS, "/", "/sport/", "/business/", "/letters/", "/about.html"],
    section_charset="windows-1252",
)


def _v_top(title: str) -> str:
    nav = "<br>".join(_a_plain(link) for link in V_NAV)
    return (
        "<html>\n<head>\n"  # no charset here: only the HTTP header says windows-1252
        f"<title>{escape(title)} - The Valley Gazette</title>\n</head>\n"
        '<body bgcolor="#FFFFFF" topmargin="0" leftmargin="0">\n'
        '<table width="780" border="0" cellspacing="0" cellpadding="5">\n'
        '<tr><td colspan="3" bgcolor="#003366"><img src="/img/gazette.gif" width="300" height="60" alt="The Valley Gazette"></td></tr>\n'
        f'<tr><td width="120" valign="top" bgcolor="#EEEEEE"><font face="Verdana" size="2">{nav}</font></td>\n'
    )


def _a_plain(link: Link) -> str:
    return f'<a href="{escape(link.href)}">{escape(link.text)}</a>'


def _v_rail(latest: list[Link], variant: int) -> str:
    def links(items):
        return "".join(f"{_a_plain(link)}<br>\n" for link in items)

    sport = [Link(V_SPORT[0], "Valley Rovers promoted after play-off win"), Link(V_SPORT[1], "County cricket: rain washes out the derby")]
    business = [Link(V_BUSINESS[0], "Old woollen mill reopens as a brewery"), Link(V_BUSINESS[1], "Banks hold mortgage rates for the summer")]
    if variant % 2:
        # labels wrapped in <font>, one of them a single ALL-CAPS word in a <div>
        return (
            '<td width="200" valign="top" bgcolor="#F5F5F0"><font face="Verdana" size="2">'
            '<font color="#990000"><b>Latest World News</b></font><br>\n' + links(latest)
            + '<br><font color="#990000"><b>MORE FROM SPORT</b></font><br>\n' + links(sport)
            + "<div>BUSINESS</div>\n" + links(business) + "</font></td>\n"
        )
    return (
        '<td width="200" valign="top" bgcolor="#F5F5F0"><font face="Verdana" size="2">'
        "<b>LATEST WORLD NEWS</b><br>\n" + links(latest)
        + "<br><b>MORE FROM SPORT</b><br>\n" + links(sport)
        + "<br><b>BUSINESS BRIEFING</b><br>\n" + links(business) + "</font></td>\n"
    )


def _v_bottom() -> str:
    return ('</tr>\n<tr><td colspan="3" align="center"><font size="1">'
            f'{_a_plain(Link("/about.html", "About the Gazette"))} | Copyright \u00a9 1997-2023 The Valley Gazette</font></td></tr>\n'
            "</table>\n</body>\n</html>\n")


def _words_date(iso: str, weekday: bool) -> str:
    d = date.fromisoformat(iso)
    return (f"{d:%A} " if weekday else "") + f"{d.day} {d:%B %Y}"


def gazette_article(ctx: Ctx, s: Story) -> str:
    variant = _V_ALL.index(s.path)
    body = "<br><br>\n".join(escape(p, quote=False) for p in s.paragraphs)
    return (
        _v_top(s.title)
        + '<td width="460" valign="top">\n'
        + f'<font face="Arial" size="5"><b>{escape(s.title)}</b></font><br>\n'
        + f'<font face="Arial" size="1" color="#666666">{_words_date(s.published, weekday=variant != 3)}</font><br>\n'
        + f"<font size=\"2\"><i>{escape(s.byline)}</i></font><br><br>\n"
        + f'<font face="Times New Roman" size="3">{body}</font>\n'
        + '<br><br><font size="1"><a href="javascript:window.print()">Print</a> | '
          '<a href="mailto:news@valleygazette.example">Send us your news</a></font>\n</td>\n'
        + _v_rail(s.latest, variant)
        + _v_bottom()
    )


def gazette_section(ctx: Ctx) -> str:
    pub = ctx.pub
    stories = {s.path: s for s in pub.stories}
    rows = []
    for link in pub.section_links:
        blurb = escape(stories[link.clean].paragraphs[0][:90].rsplit(" ", 1)[0] + " ...")
        rows.append(f'<font face="Arial" size="3"><b>{_a_plain(link)}</b></font><br>\n<font size="2">{blurb}</font><br><br>\n')
    return (
        _v_top("World")
        + '<td width="460" valign="top"><font face="Arial" size="5"><b>World</b></font><br><br>\n'
        + "".join(rows) + "</td>\n"
        + _v_rail([], 0).replace("<b>LATEST WORLD NEWS</b><br>\n", "")
        + _v_bottom()
    )


# --------------------------------------------------------------------------------------
# The Morning Tribune: <div> soup, <div class=txt>, ISO-8859-1 in the header only.
# --------------------------------------------------------------------------------------

T_SECTION = "/news/world"
T_SUMMIT = "/news/world/2023/06/17/baltic-leaders-summit-energy"
T_OLIVES = "/news/world/2023/06/16/andalusia-olive-harvest-drought"
T_METRO = "/news/world/2023/06/15/sao-paulo-metro-line-opens"
T_WHALES = "/news/world/2023/06/14/azores-whale-watching-limits"  # only from the articles' Latest boxes
T_OPINION = ["/opinion/2023/06/17/why-the-bypass-matters", "/opinion/2023/06/16/letters-to-the-editor"]
T_BUSINESS = ["/business/2023/06/17/harbour-jobs-fair", "/business/2023/06/16/fuel-prices-fall"]
T_NAV = [Link("/", "Front page"), Link(T_SECTION, "World"), Link("/opinion/", "Opinion"), Link("/business/", "Business")]

_T_STORIES = [
    Story(
        path=T_SUMMIT,
        title="Baltic leaders agree to pool electricity reserves",
        summary=None, byline="Written by Maria Lopez", authors=["Maria Lopez"],
        published="2023-06-17", modified=None, section=None, tags=[], canonical=None,
        charset="iso-8859-1",
        paragraphs=[
            "The leaders of Estonia, Latvia and Lithuania agreed on Saturday to share their emergency electricity reserves from next winter.",
            "The arrangement is meant to protect the three countries during the months after they leave the Russian-controlled power grid.",
            "Officials said the reserves would be managed jointly from a control room in Riga and tested every quarter.",
        ],
        latest=[],
    ),
    Story(
        path=T_OLIVES,
        title="Andalusia's olive growers brace for a second dry harvest",
        summary=None, byline="By Jos\u00e9 Mart\u00edn", authors=["Jos\u00e9 Mart\u00edn"],
        published="2023-06-16", modified=None, section=None, tags=[], canonical=None,
        charset="iso-8859-1",
        paragraphs=[
            "Olive growers in southern Spain expect another poor harvest after a spring with less than half the usual rainfall.",
            "Prices for olive oil in Spanish supermarkets have already doubled in a year, and producers warn they could rise further.",
            "Some cooperatives in Ja\u00e9n have started to share irrigation water, a practice that was almost unknown a decade ago.",
            "The regional government has promised aid, but farmers say it will not cover the cost of the trees they may lose.",
        ],
        latest=[],
    ),
    Story(
        path=T_METRO,
        title="S\u00e3o Paulo opens its longest metro line",
        summary=None, byline="Written by Maria Lopez", authors=["Maria Lopez"],
        published="2023-06-15", modified=None, section=None, tags=[], canonical=None,
        charset="iso-8859-1",
        paragraphs=[
            "A new metro line linking the eastern suburbs of S\u00e3o Paulo to the city centre opened on Thursday after nine years of construction.",
            "The line is expected to carry 600,000 passengers a day and to cut some commutes by more than an hour.",
            "Passengers on the first trains said the stations were clean and quiet, though several escalators were not yet working.",
        ],
        latest=[],
    ),
    Story(
        path=T_WHALES,
        title="Azores limit whale-watching boats to protect sperm whales",
        summary=None, byline="By Ana Sousa", authors=["Ana Sousa"],
        published="2023-06-14", modified=None, section=None, tags=[], canonical=None,
        charset="iso-8859-1",
        paragraphs=[
            "The regional government of the Azores will cap the number of whale-watching boats allowed near a group of sperm whales at any one time.",
            "Scientists had warned that the growing number of tours was disturbing the whales while they rested at the surface between dives.",
            "Tour operators, who depend on the whales for much of their income, said they supported the rule but wanted it enforced fairly.",
        ],
        latest=[],
    ),
]
_T_ALL = [s.path for s in _T_STORIES]
for _s in _T_STORIES:
    _s.latest = [Link(o.path, o.title) for o in _T_STORIES if o.path != _s.path]

TRIBUNE = Publisher(
    name="tribune",
    title="The Morning Tribune",
    octet_offset=1,
    language="en",
    start_path=T_SECTION,
    section_path=T_SECTION,
    section_title="World",
    section_links=[Link(T_SUMMIT, _T_STORIES[0].title), Link("world/2023/06/16/andalusia-olive-harvest-drought", _T_STORIES[1].title, clean=T_OLIVES),
                   Link(T_METRO + "#top", _T_STORIES[2].title, clean=T_METRO)],
    other_section_links=[],
    home_latest=[],
    home_top_stories=[],
    nav=T_NAV,
    footer=[],
    trending=[],
    most_read=[],
    robots_txt="User-agent: *\nDisallow:\n",
    stories=_T_STORIES,
    redirects={},
    flaky=set(),
    expected_fetches=["/robots.txt", T_SECTION, T_SUMMIT, T_OLIVES, T_METRO, T_WHALES],
    must_not_fetch=[*T_OPINION, *T_BUSINESS, "/", "/opinion/", "/business/"],
    section_charset="iso-8859-1",
)


def _t_top(title: str) -> str:
    menu = " &middot; ".join(_a_plain(link) for link in T_NAV)
    return (
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<html>\n<head>\n"
        f"<title>{escape(title)} :: The Morning Tribune</title>\n"
        '<link rel="stylesheet" href="/css/tribune.css" type="text/css">\n</head>\n<body>\n'
        '<div id="wrap"><div id="top"><img src="/img/tribune-logo.png" alt="The Morning Tribune"></div>\n'
        f'<div id="menu">{menu}</div>\n'
    )


def _t_sidebar(latest: list[Link], variant: int) -> str:
    opinion = [Link(T_OPINION[0], "Why the harbour bypass matters to us all"), Link(T_OPINION[1], "Letters to the editor, Friday")]
    business = [Link(T_BUSINESS[0], "Harbour jobs fair draws a record crowd"), Link(T_BUSINESS[1], "Fuel prices fall for the third week")]
    if variant % 2:
        # headings, each followed by its list, all in one container
        return (
            '<div id="sidebar"><h4>Latest World News</h4><ul>'
            + "".join(f"<li>{_a_plain(link)}</li>" for link in latest) + "</ul>\n"
            + "<h4>Opinion</h4><ul>" + "".join(f"<li>{_a_plain(link)}</li>" for link in opinion) + "</ul>\n"
            + "<h4>Business</h4><ul>" + "".join(f"<li>{_a_plain(link)}</li>" for link in business) + "</ul></div>\n"
        )
    return (
        '<div id="sidebar"><dl class="links"><dt>Latest World News</dt>'
        + "".join(f"<dd>{_a_plain(link)}</dd>" for link in latest)
        + "<dt>Opinion</dt>" + "".join(f"<dd>{_a_plain(link)}</dd>" for link in opinion)
        + "<dt>Business</dt>" + "".join(f"<dd>{_a_plain(link)}</dd>" for link in business) + "</dl></div>\n"
    )


def _t_bottom() -> str:
    return '<div id="bottom">&copy; 2023 The Morning Tribune &middot; All rights reserved</div></div>\n</body>\n</html>\n'


def tribune_article(ctx: Ctx, s: Story) -> str:
    variant = _T_ALL.index(s.path)
    d = date.fromisoformat(s.published)
    shown = f"{d:%A}, {d:%B} {d.day}, {d.year}" if variant % 2 else f"{d:%B} {d.day}, {d.year}"
    sep = "<br /><br />\n" if variant % 2 else "<br>\n<br>\n"
    body = sep.join(escape(p, quote=False) for p in s.paragraphs)
    return (
        _t_top(s.title)
        + '<div id="content">\n'
        + f'<div class="headline">{escape(s.title)}</div>\n'
        + f'<div class="dateline">{shown}</div>\n'
        + f'<div class="author">{escape(s.byline)}</div>\n'
        + f'<div class="txt">{body}</div>\n'
        + '<div class="tools"><a href="javascript:print()">Print</a></div>\n</div>\n'
        + _t_sidebar(s.latest, variant)
        + _t_bottom()
    )


def tribune_section(ctx: Ctx) -> str:
    pub = ctx.pub
    stories = {s.path: s for s in pub.stories}
    items = []
    for link in pub.section_links:
        s = stories[link.clean.split("?")[0]]
        items.append(f'<div class="item">{_a_plain(link)}<br><span class="blurb">{escape(s.paragraphs[0][:80])}...</span></div>\n')
    sidebar = _t_sidebar([], 0).replace("<dt>Latest World News</dt>", "")
    return _t_top("World news") + '<div id="content"><div class="headline">World</div>\n' + "".join(items) + "</div>\n" + sidebar + _t_bottom()


class PlainSite(DemoSite):
    """The Valley Gazette and The Morning Tribune (one edition), plus the off-site host."""

    PUBLISHERS = [GAZETTE, TRIBUNE]
    OFFSITE_PATHS: list[str] = []
    HOME: dict = {}
    SECTION = {"gazette": gazette_section, "tribune": tribune_section}
    ARTICLE = {"gazette": gazette_article, "tribune": tribune_article}

    @staticmethod
    def publishers_in(edition: int) -> list[Publisher]:
        if edition != 1:
            raise ValueError(f"no edition {edition}; editions: [1]")
        return PlainSite.PUBLISHERS

    def __init__(self, host_prefix: str = "127.0.0.", first_octet: int = 21, port: int = 0):
        super().__init__(host_prefix=host_prefix, first_octet=first_octet, port=port)

    def article_start_urls(self) -> list[str]:
        """One article page per publisher: a crawl from these alone reaches every article too."""
        return [self.publishers[p.name] + p.stories[0].path for p in self.PUBLISHERS]

    def expected_fetches_from_articles(self) -> set[str]:
        """What a crawl from ``article_start_urls`` must request: robots.txt and every article."""
        return {self.publishers[p.name] + path for p in self.PUBLISHERS for path in ["/robots.txt", *(s.path for s in p.stories)]}
