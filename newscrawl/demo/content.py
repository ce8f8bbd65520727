"""Ground truth of the demo world-news site: three publishers, their pages and links.

Everything the integration tests compare against is written here by hand: the
articles' fields, every link in every "Latest World News" block (as it appears on
the page *and* as the crawler must record it), and the list of URLs the crawler
must fetch. ``templates.py`` renders HTML from these records; ``site.py`` serves it.

Paths are relative to the publisher's base URL. Two placeholders may appear in a
link: ``{offsite}`` (the off-site host's base URL) and ``{base}`` (the publisher's
own base URL, for links written as absolute URLs on the page).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Link:
    """One link in a Latest World News block (or a section page list).

    ``href`` is written on the page as is. ``clean`` is what the crawler must record
    and request: fragment and tracking parameters removed, still relative to the
    publisher. ``clean`` may be omitted only when ``href`` has no query or fragment.
    ``clean=None`` with a ``mailto:``/``javascript:`` href means "ignored".
    """

    href: str
    text: str
    img_alt: str | None = None
    clean: str | None = None

    def __post_init__(self) -> None:
        if self.clean is None and not self.ignored:
            if "?" in self.href or "#" in self.href:
                raise ValueError(f"link {self.href!r} needs an explicit clean form")
            object.__setattr__(self, "clean", self.href)

    @property
    def ignored(self) -> bool:
        return self.href.startswith(("mailto:", "javascript:"))


@dataclass(frozen=True)
class Image:
    src: str  # path on the publisher host
    alt: str
    caption: str  # ground truth caption, credit excluded
    credit: str  # ground truth credit, without "Picture:"/"Photograph:"/brackets
    after: int = -1  # shown after body paragraph N; -1 = lead image above the text


@dataclass
class Story:
    """A real article: rendered as a page and expected in ``expected_articles()``."""

    path: str  # final path (+query) the page is served at
    title: str
    summary: str
    byline: str  # visible byline text
    authors: list[str]
    published: str
    modified: str | None
    section: str | None
    tags: list[str]
    paragraphs: list[str]
    latest: list[Link]
    images: list[Image] = field(default_factory=list)
    canonical: str | None = "same"  # "same" = the page's own path; None = no canonical given
    read_more: tuple[int, Link] | None = None  # "Read more:" box after paragraph N
    charset: str = "utf-8"  # herald: one page is windows-1252, declared only in the header
    dublin_core: bool = False  # courier: DC.* meta tags present


@dataclass
class Publisher:
    name: str
    title: str
    octet_offset: int  # address = host_prefix + str(first_octet + octet_offset)
    language: str
    start_path: str
    section_path: str  # the page the "See more" link leads to
    section_title: str
    section_links: list[Link]  # article links in the section page's main list
    other_section_links: list[Link]  # links to other sections shown in the section's main content
    home_latest: list[Link]  # Latest block on the home page (empty if the home page is not crawled)
    home_top_stories: list[Link]  # non-world stories on the home page (never followed)
    nav: list[Link]
    footer: list[Link]
    trending: list[Link]
    most_read: list[Link]
    robots_txt: str
    stories: list[Story]
    redirects: dict[str, tuple[int, str]]  # path -> (status, Location as sent)
    flaky: set[str]  # paths answering 503 on the first request, 200 afterwards
    expected_fetches: list[str]  # hand-written: every path the crawler must request
    must_not_fetch: list[str]  # hand-written: linked somewhere, but must never be requested
    section_charset: str = "utf-8"  # the section page's, declared in the HTTP header


# --------------------------------------------------------------------------------------
# 1. The Daily Globe: modern layout, JSON-LD, gzip. Start URL = the seed-like article.
# --------------------------------------------------------------------------------------

G_SECTION = "/news/world-news/"
G_BLINKEN = "/news/world-news/us-secretary-of-state-arrives-in-beijing-in-effort-to-cool-us-china-tensions-18234"
G_FLOODS = "/news/world-news/flash-floods-kill-at-least-68-people-in-afghanistan-after-heavy-rain-18236"
G_CALEDONIA_OLD = "/news/world-news/new-caledonia-unrest-18230"  # 301 -> G_CALEDONIA
G_CALEDONIA = "/news/world-news/french-authorities-report-sixth-death-in-new-caledonia-unrest-18238"
G_PARIS = "/news/world-news/armed-robbers-hit-luxury-jeweller-in-central-paris-18240"  # 503 once
G_MUNICH = "/news/world-news/climate-protesters-close-munich-airport-runway-18243"
G_DELHI = "/news/world-news/new-delhi-on-high-alert-as-northern-india-scorched-by-heat-18245"
G_GEORGIA = "/news/world-news/georgian-president-vetoes-contested-media-law-18247"
G_DELETED = "/news/world-news/migrant-boat-story-removed-18199"  # 404
G_PDF = "/documents/g7-leaders-communique-2023.pdf"
G_READ_MORE_ONLY = "/news/world-news/chinese-balloon-debris-recovered-off-carolina-coast-17702"
G_TRENDING = ["/news/world-news/pope-calls-for-calm-after-disputed-election-18111", "/news/uk-news/heatwave-warning-issued-for-south-east-18250"]
G_MOST_READ = ["/news/world-news/tourist-rescued-from-volcano-crater-18090", "/lifestyle/travel/ten-best-city-breaks-for-summer-18077"]
OFFSITE_LINK = "{offsite}/world/partner-exclusive-ceasefire-talks"

_G_SEE_MORE = Link(G_SECTION, "See more Latest World News")

GLOBE = Publisher(
    name="globe",
    title="The Daily Globe",
    octet_offset=0,
    language="en-GB",
    start_path=G_BLINKEN,
    section_path=G_SECTION,
    section_title="World News",
    section_links=[
        Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
        Link(G_MUNICH, "Climate protesters close Munich Airport after gluing themselves to runway", "Activists on the runway"),
        Link(G_GEORGIA, "Georgia's president vetoes contested media law after weeks of protests", "President of Georgia"),
        Link(G_DELHI, "New Delhi on high alert as parts of northern India scorched by extreme heat", "Rickshaw driver in New Delhi"),
    ],
    other_section_links=[Link("/sport/football/", "Football"), Link("/news/uk-news/", "UK News"), Link("/business/markets/", "Markets")],
    home_latest=[],
    home_top_stories=[],
    nav=[
        Link("/", "Home"), Link("/news/uk-news/", "UK"), Link(G_SECTION, "World"),
        Link("/sport/football/", "Sport"), Link("/business/markets/", "Markets"),
    ],
    footer=[Link("/about", "About us"), Link("/contact", "Contact"), Link("/privacy", "Privacy policy")],
    trending=[
        Link(G_TRENDING[0], "Pope calls for calm after disputed election"),
        Link(G_TRENDING[1], "Heatwave warning issued for the south-east"),
    ],
    most_read=[
        Link(G_MOST_READ[0], "Tourist rescued from volcano crater after night on ledge"),
        Link(G_MOST_READ[1], "Ten best city breaks for the summer"),
    ],
    robots_txt="User-agent: *\nDisallow: /search\nDisallow: /account/\n",
    stories=[
        Story(
            path=G_BLINKEN,
            title="US secretary of state arrives in Beijing in effort to cool US-China tensions",
            summary="The trip comes after he postponed plans to visit in February after a Chinese surveillance balloon was shot down over the US.",
            byline="By Press Association",
            authors=["Press Association"],
            published="2023-06-18T04:34:00+01:00",
            modified="2023-06-18T06:10:00+01:00",
            section="World News",
            tags=["China", "United States", "Antony Blinken", "Diplomacy"],
            images=[
                Image("/images/2023/06/china-us-blinken.jpg", "China US Blinken", "China US Blinken.", "PA"),
                Image("/images/2023/06/china-blinken-arrives.jpg", "China Blinken",
                      "US secretary of state Antony Blinken arrives in Beijing", "Leah Millis/Pool Photo via AP", after=4),
            ],
            paragraphs=[
                "US secretary of state Antony Blinken arrived in Beijing early on Sunday on a high-stakes diplomatic mission to try to cool exploding US-China tensions that have set many around the world on edge.",
                "Mr Blinken was to begin two days of talks with senior Chinese officials in the afternoon.",
                "He is the highest-level American official to visit China since President Joe Biden took office and the first secretary of state to make the trip in five years.",
                "The trip comes after he postponed plans to visit in February after a Chinese surveillance balloon was shot down over the US.",
                "Yet prospects for any significant breakthrough on the most vexing issues facing the planet’s two largest economies are slim, as already ties have grown increasingly fraught in recent years.",
                "Animosity and recriminations have steadily escalated over a series of disagreements that have implications for global security and stability.",
                "Mr Blinken plans to meet with Chinese foreign minister Qin Gang on Sunday, top diplomat Wang Yi, and possibly President Xi Jinping on Monday, according to US officials.",
                "Mr Biden and Mr Xi agreed to Mr Blinken’s trip early at a meeting last year in Bali.",
                "The list of disagreements and potential conflict points is long: ranging from trade with Taiwan, human rights conditions in China to Hong Kong, as well as the Chinese military assertiveness in the South China Sea to Russia’s war in Ukraine.",
                "US officials said before Mr Blinken’s departure from Washington on Friday that he would raise each of them, though neither side has shown any inclination to back down on their positions.",
                "Shortly before leaving, Mr Blinken emphasised the importance of the US and China establishing and maintaining better lines of communication.",
                "The US wants to make sure “that the competition we have with China doesn’t veer into conflict” due to avoidable misunderstandings, he told reporters.",
                "Mr Biden and Mr Xi had made commitments to improve communications “precisely so that we can make sure we are communicating as clearly as possible to avoid possible misunderstandings and miscommunications,” Mr Blinken said on Friday.",
                "Mr Xi offered a hint of a possible willingness to reduce tensions, saying in a meeting with Microsoft Corporation co-founder Bill Gates on Friday that the United States and China can cooperate to “benefit our two countries”.",
                "“I believe that the foundation of Sino-US relations lies in the people,” Mr Xi said to Mr Gates.",
                "“Under the current world situation, we can carry out various activities that benefit our two countries, the people of our countries, and the entire human race.”",
                "Mr Biden told White House reporters on Saturday he was “hoping that over the next several months, I’ll be meeting with Xi again and talking about legitimate differences we have, but also how … to get along”.",
            ],
            # Followed only by a crawler that wrongly follows "Read more" links in bodies.
            read_more=(3, Link(G_READ_MORE_ONLY, "Chinese balloon debris recovered off Carolina coast")),
            latest=[
                Link(G_CALEDONIA_OLD, "French authorities report sixth death in New Caledonia unrest", "Smoke rises during protests in Noumea, New Caledonia"),
                Link(G_FLOODS + "?utm_source=x&utm_medium=y#comments", "Flash floods kill at least 68 people in Afghanistan after heavy rain",
                     "Damaged houses after heavy flooding in Ghor province", clean=G_FLOODS),
                Link(G_PARIS, "Armed robbers hit luxury jeweller in central Paris", "Police forensic officers outside the shop"),
                Link(OFFSITE_LINK, "Partner exclusive: inside the ceasefire talks", "Negotiators at a table"),
            ],
        ),
        Story(
            path=G_FLOODS,
            title="Flash floods kill at least 68 people in Afghanistan after heavy rain",
            summary="Torrents of mud swept through villages in Ghor province overnight, officials said, with dozens more people missing.",
            byline="By Press Association",
            authors=["Press Association"],
            published="2023-06-17T15:20:00+01:00",
            modified=None,
            section="World News",
            tags=["Afghanistan", "Floods", "Weather"],
            images=[Image("/images/2023/06/ghor-floods.jpg", "Damaged houses after heavy flooding",
                          "Damaged houses after heavy flooding in Ghor province in western Afghanistan.", "AP")],
            paragraphs=[
                "Flash floods triggered by unusually heavy seasonal rain have killed at least 68 people in western Afghanistan, provincial officials said on Saturday.",
                "Torrents of mud and water swept through several villages in Ghor province overnight, destroying more than 2,000 homes and washing away livestock and farmland.",
                "A spokesman for the provincial governor said rescue teams were still searching for dozens of people reported missing, and that the death toll was expected to rise.",
                "Aid agencies warned that roads into the worst-affected districts had been cut, leaving helicopters as the only way to reach some communities.",
                "The World Food Programme said it had begun distributing emergency rations in the provincial capital, Chaghcharan, where hundreds of families had sought shelter in schools and mosques.",
            ],
            latest=[
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                Link(G_PARIS, "Armed robbers hit luxury jeweller in central Paris", "Police forensic officers outside the shop"),
                Link(G_DELETED, "Dozens rescued after migrant boat capsizes off Greek coast", "Coastguard vessel"),
                Link(G_PDF, "Read the G7 leaders' communique in full (PDF)"),
            ],
        ),
        Story(
            path=G_CALEDONIA,
            title="French authorities report sixth death in New Caledonia unrest",
            summary="A police officer was among those killed as Paris sent reinforcements to the Pacific territory.",
            byline="By Sophie Martin, Europe Correspondent",
            authors=["Sophie Martin"],
            published="2023-06-16T19:05:00+01:00",
            modified="2023-06-17T08:30:00+01:00",
            section="World News",
            tags=["France", "New Caledonia", "Pacific"],
            images=[Image("/images/2023/06/noumea-smoke.jpg", "Smoke rises over Noumea",
                          "Smoke rises during protests in Noumea, New Caledonia.", "Nicolas Job/AFP")],
            paragraphs=[
                "French authorities have reported a sixth death in the unrest that has gripped New Caledonia for most of the week, as Paris rushed hundreds of extra police officers to the Pacific territory.",
                "The interior ministry said a gendarme had been killed by an accidental discharge from a colleague’s weapon during an operation to clear roadblocks north of the capital, Noumea.",
                "Shops, car dealerships and a school have been set on fire since protests began over a proposed change to voting rules, which pro-independence groups say would dilute the vote of the Indigenous Kanak population.",
                "A curfew remains in force and the territory’s international airport is closed to commercial flights.",
                "The French prime minister said the government was ready to talk to all sides, but that “order must first be restored”.",
                "Local officials said food and medicine were running short in some neighbourhoods because delivery lorries could not get through the barricades.",
            ],
            latest=[
                Link(G_FLOODS + "?fbclid=abc", "Flash floods kill at least 68 people in Afghanistan after heavy rain",
                     "Damaged houses after heavy flooding in Ghor province", clean=G_FLOODS),
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                Link(G_PARIS, "Armed robbers hit luxury jeweller in central Paris", "Police forensic officers outside the shop"),
            ],
        ),
        Story(
            path=G_PARIS,
            title="Armed robbers hit luxury jeweller in central Paris",
            summary="Thieves armed with an axe and a handgun escaped with jewellery worth several million euros from a store near Place Vendôme.",
            byline="By Press Association",
            authors=["Press Association"],
            published="2023-06-15T11:48:00+01:00",
            modified=None,
            section="World News",
            tags=["France", "Paris", "Crime"],
            paragraphs=[
                "Armed robbers have raided a luxury jewellery store in central Paris, escaping with watches and jewellery worth several million euros, police said.",
                "At least three men, one carrying an axe and another a handgun, entered the shop near Place Vendôme shortly after it opened on Thursday morning.",
                "They smashed display cases and fled on two motor scooters within minutes, according to the Paris prosecutor’s office.",
                "Nobody was injured, although staff were said to be in shock. Forensic officers spent the afternoon examining the entrance to the store.",
                "The shop, popular with celebrities and visiting royalty, has been targeted at least twice before in the past two decades.",
            ],
            latest=[
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                Link(G_FLOODS, "Flash floods kill at least 68 people in Afghanistan after heavy rain", "Damaged houses after heavy flooding in Ghor province"),
                Link(G_DELHI, "New Delhi on high alert as parts of northern India scorched by extreme heat", "Rickshaw driver in New Delhi"),
            ],
        ),
        Story(
            path=G_MUNICH,
            title="Climate protesters close Munich Airport after gluing themselves to runway",
            summary="Dozens of flights were cancelled or diverted after activists cut through a perimeter fence at dawn.",
            byline="By Press Association",
            authors=["Press Association"],
            published="2023-06-14T09:12:00+01:00",
            modified="2023-06-14T13:40:00+01:00",
            section="World News",
            tags=["Germany", "Climate change", "Aviation"],
            images=[Image("/images/2023/06/munich-runway.jpg", "Climate activists on an access road at Munich Airport",
                          "Climate activists lie on an access road for runways at Munich Airport.", "Matthias Balk/dpa via AP")],
            paragraphs=[
                "Climate activists glued themselves to a runway at Munich Airport early on Wednesday, forcing the closure of both runways for several hours at the start of the holiday season.",
                "Police said six people cut through a perimeter fence at dawn and reached the taxiways on foot before attaching their hands to the tarmac.",
                "More than 60 flights were cancelled or diverted to Nuremberg and Stuttgart, an airport spokeswoman said, and passengers were advised to check with their airlines.",
                "The group behind the protest said it wanted the German government to commit to ending the use of fossil fuels by 2030.",
            ],
            latest=[
                Link(G_DELHI, "New Delhi on high alert as parts of northern India scorched by extreme heat", "Rickshaw driver in New Delhi"),
                Link(G_GEORGIA, "Georgia's president vetoes contested media law after weeks of protests", "President of Georgia"),
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
            ],
        ),
        Story(
            path=G_DELHI,
            title="New Delhi on high alert as parts of northern India scorched by extreme heat",
            summary="Temperatures above 45C prompted school closures and warnings to outdoor workers across the capital region.",
            byline="By Priya Nair",
            authors=["Priya Nair"],
            published="2023-06-13T07:55:00+01:00",
            modified=None,
            section="World News",
            tags=["India", "Heatwave", "Climate change"],
            images=[Image("/images/2023/06/delhi-heat.jpg", "An auto-rickshaw driver drinks water",
                          "An auto-rickshaw driver drinks water as he takes a break in New Delhi, India.", "Manish Swarup/AP")],
            paragraphs=[
                "Authorities in New Delhi have issued a red alert as temperatures across northern India climbed above 45C for a fourth consecutive day.",
                "Schools in the capital region were ordered to close early for the summer holidays, and construction work was halted between noon and 4pm.",
                "Hospitals reported a rise in cases of heatstroke, particularly among labourers and street vendors who have little choice but to work outdoors.",
                "Power demand in the city reached a record high on Monday evening, leading to rolling cuts in several districts.",
                "Forecasters said some relief could arrive with pre-monsoon showers at the end of the week.",
                "Scientists have warned that heatwaves in South Asia are becoming longer and more intense as the climate warms.",
            ],
            latest=[
                Link(G_MUNICH, "Climate protesters close Munich Airport after gluing themselves to runway", "Activists on the runway"),
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                Link(G_FLOODS, "Flash floods kill at least 68 people in Afghanistan after heavy rain", "Damaged houses after heavy flooding in Ghor province"),
            ],
        ),
        Story(
            path=G_GEORGIA,
            title="Georgia's president vetoes contested media law after weeks of protests",
            summary="The veto is largely symbolic because the governing party has enough votes in parliament to override it.",
            byline="By Press Association",
            authors=["Press Association"],
            published="2023-06-12T16:27:00+01:00",
            modified=None,
            section="World News",
            tags=["Georgia", "Press freedom", "Protests"],
            paragraphs=[
                "Georgia’s president has vetoed a contested law on “foreign influence” that has brought tens of thousands of protesters on to the streets of Tbilisi.",
                "The law would require media outlets and non-governmental organisations that receive more than a fifth of their funding from abroad to register as bodies pursuing the interests of a foreign power.",
                "Critics say it mirrors legislation used elsewhere to silence independent journalism, and that it threatens the country’s hopes of joining the European Union.",
                "The governing party, which has a large majority in parliament, is expected to override the veto within weeks.",
            ],
            latest=[
                Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                Link(G_MUNICH, "Climate protesters close Munich Airport after gluing themselves to runway", "Activists on the runway"),
                Link(G_DELHI, "New Delhi on high alert as parts of northern India scorched by extreme heat", "Rickshaw driver in New Delhi"),
            ],
        ),
    ],
    redirects={G_CALEDONIA_OLD: (301, "{base}" + G_CALEDONIA)},
    flaky={G_PARIS},
    expected_fetches=[
        "/robots.txt",
        G_BLINKEN,  # start URL
        G_CALEDONIA_OLD,  # 301 source (Latest on the start page)
        G_CALEDONIA,  # 301 target
        G_FLOODS,  # linked twice with different tracking parameters
        G_PARIS,  # 503 first, 200 on retry
        G_DELETED,  # 404
        G_PDF,  # application/pdf
        G_SECTION,  # "See more Latest World News"
        G_MUNICH,  # only from the section page
        G_GEORGIA,  # only from the section page and other Latest blocks
        G_DELHI,
    ],
    must_not_fetch=[
        G_READ_MORE_ONLY, *G_TRENDING, *G_MOST_READ,
        "/", "/news/uk-news/", "/sport/football/", "/business/markets/",
        "/about", "/contact", "/privacy",
    ],
)


# --------------------------------------------------------------------------------------
# 2. Harbour Herald: OpenGraph + article:* only, chunked responses, one cp1252 page.
# --------------------------------------------------------------------------------------

H_SECTION = "/world/"
H_ZURICH = "/world/2023/jun/20/zurich-cafe-owners-rent-rises"  # windows-1252, header only
H_BALTIC = "/world/2023/jun/19/baltic-states-agree-power-grid-timetable"
H_GO = "/go?id=4411"  # 302 -> H_GO_STEP2 -> 302 -> H_AEGEAN
H_GO_STEP2 = "/redirect/4411"
H_AEGEAN = "/world/2023/jun/18/aegean-storm-ferries-suspended"
H_SUDAN_P2 = "/world/2023/jun/21/sudan-ceasefire-live?page=2"  # linked with &utm_campaign=z
H_CHILE = "/world/2023/jun/17/chile-lithium-deal-indigenous-communities"
H_JAPAN = "/world/2023/jun/16/japan-rural-towns-young-families"
H_KENYA = "/world/2023/jun/15/kenya-tea-pickers-strike-over-machines"  # only from the section page
H_PRIVATE = "/private/embargoed-summit-briefing"  # robots.txt disallows /private/
H_TRENDING = ["/world/2023/jun/20/royal-visit-to-canada-confirmed", "/culture/2023/jun/20/festival-lineup-announced"]
H_MOST_READ = ["/world/2023/jun/19/whale-spotted-in-river-seine", "/lifestyle/2023/jun/18/how-to-sleep-in-a-heatwave"]
H_TOP_STORIES = ["/business/2023/jun/20/markets-rally-as-inflation-eases", "/sport/2023/jun/20/harbour-fc-sign-striker"]

_H_SEE_MORE = Link(H_SECTION, "See more world news")

HERALD = Publisher(
    name="herald",
    title="Harbour Herald",
    octet_offset=1,
    language="en",
    start_path="/",
    section_path=H_SECTION,
    section_title="World",
    section_links=[
        Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
        Link(H_KENYA, "Kenya’s tea pickers strike over plans to bring in harvesting machines"),
        Link(H_CHILE, "Chile’s lithium deal leaves Indigenous communities wary"),
        Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
    ],
    other_section_links=[Link("/sport/", "Sport"), Link("/business/markets/", "Markets"), Link("/culture/", "Culture")],
    home_latest=[
        Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
        Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
        Link(H_GO, "Ferries suspended as storm batters Aegean islands", clean=H_GO),
        Link(H_SUDAN_P2 + "&utm_campaign=z", "Sudan ceasefire: live updates (page 2)", clean=H_SUDAN_P2),
    ],
    home_top_stories=[
        Link(H_TOP_STORIES[0], "Markets rally as inflation eases"),
        Link(H_TOP_STORIES[1], "Harbour FC sign striker on three-year deal"),
    ],
    nav=[Link("/", "Home"), Link(H_SECTION, "World"), Link("/sport/", "Sport"), Link("/business/markets/", "Markets"), Link("/culture/", "Culture")],
    footer=[Link("/about", "About the Herald"), Link("/contact", "Contact us")],
    trending=[Link(H_TRENDING[0], "Royal visit to Canada confirmed"), Link(H_TRENDING[1], "Festival line-up announced")],
    most_read=[Link(H_MOST_READ[0], "Whale spotted in the river Seine"), Link(H_MOST_READ[1], "How to sleep in a heatwave")],
    robots_txt="User-agent: *\nDisallow: /private/\n",
    stories=[
        Story(
            path=H_ZURICH,
            charset="windows-1252",
            title="Zürich café owners say rent rises threaten a century-old tradition",
            summary="Landlords in the old town want up to 40% more, and some of the city’s best-known cafés say they cannot pay.",
            byline="Maria Garcia, Foreign Correspondent",
            authors=["Maria Garcia"],
            published="2023-06-20T09:15:00+02:00",
            modified="2023-06-20T11:02:00+02:00",
            section="World",
            tags=["Switzerland", "Zürich", "Housing"],
            images=[Image("/images/2023/06/zurich-cafe.jpg", "A café terrace in Zürich’s old town",
                          "A café terrace in Zürich’s old town", "Anna Keller/Reuters")],
            paragraphs=[
                "For almost a century, the Café Odeon-style coffee houses of Zürich’s old town have been where the city argues, courts and does business. Now several say they may not survive the summer.",
                "Landlords have asked for increases of up to 40% as leases come up for renewal, owners say – rises they blame on a wave of luxury boutiques competing for the same streets.",
                "“We sell coffee, not handbags,” said Beat Müller, whose family has run a café near the Limmat since 1931. “At these prices, a croissant would have to cost €9.”",
                "The city council has promised to look at protections for “historic businesses”, but any change would take at least two years to pass.",
                "Tourism officials say the cafés are among the first things visitors ask about – and that the city’s reputation for being expensive is already hurting bookings.",
            ],
            latest=[
                Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
                Link(H_CHILE, "Chile’s lithium deal leaves Indigenous communities wary"),
            ],
        ),
        Story(
            path=H_BALTIC,
            title="Baltic states agree timetable to leave Russian power grid",
            summary="Estonia, Latvia and Lithuania will synchronise with the European grid in early 2025, a year ahead of schedule.",
            byline="Tomas Lind, Nordic Correspondent",
            authors=["Tomas Lind"],
            published="2023-06-19T14:00:00+03:00",
            modified=None,
            section="World",
            tags=["Estonia", "Latvia", "Lithuania", "Energy"],
            paragraphs=[
                "Estonia, Latvia and Lithuania have agreed to disconnect from the Soviet-era power grid they share with Russia and Belarus in February 2025, a year earlier than planned.",
                "The three countries will instead synchronise with the continental European network through links with Poland and Finland.",
                "Grid operators said the switch had been brought forward because of the risk that Moscow could cut supplies or destabilise the network at short notice.",
                "The European Union is paying most of the €1.6bn cost of new substations and cables.",
                "Officials said households should notice no difference, although a short test in “island mode” will be carried out next spring.",
            ],
            latest=[
                Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
                Link(H_PRIVATE, "Embargoed: summit briefing notes"),
                Link(H_CHILE, "Chile’s lithium deal leaves Indigenous communities wary"),
                Link(H_JAPAN, "Japan’s empty towns try cash and free homes to lure young families"),
            ],
        ),
        Story(
            path=H_AEGEAN,
            title="Ferries suspended as storm batters Aegean islands",
            summary="Gale-force winds left thousands of tourists stranded on Greek islands at the start of the summer season.",
            byline="Maria Garcia, Foreign Correspondent",
            authors=["Maria Garcia"],
            published="2023-06-18T08:40:00+03:00",
            modified="2023-06-18T17:25:00+03:00",
            section="World",
            tags=["Greece", "Weather", "Travel"],
            images=[Image("/images/2023/06/piraeus-ferries.jpg", "Ferries moored at Piraeus",
                          "Ferries remain moored at the port of Piraeus", "Yorgos Karahalis/AP")],
            paragraphs=[
                "Greek authorities suspended all ferry crossings from the port of Piraeus on Sunday as gale-force winds swept across the Aegean Sea.",
                "The coastguard said winds of up to 9 on the Beaufort scale were recorded around the Cyclades, where thousands of tourists had been due to travel.",
                "Hotels on Mykonos and Santorini said they were offering stranded guests extra nights at reduced rates.",
                "Forecasters expect the winds to ease by Tuesday, when services are due to resume on a revised timetable.",
            ],
            latest=[
                Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
                Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
            ],
        ),
        Story(
            path=H_SUDAN_P2,
            title="Sudan ceasefire: live updates",
            summary="A 72-hour truce brokered by Saudi Arabia and the US appears to be largely holding in Khartoum.",
            byline="Ken Ito and Maria Garcia",
            authors=["Ken Ito", "Maria Garcia"],
            published="2023-06-21T06:00:00+02:00",
            modified="2023-06-21T12:45:00+02:00",
            section="World",
            tags=["Sudan", "Ceasefire", "Live"],
            paragraphs=[
                "10.05: Residents of Khartoum report a second night without heavy shelling as the 72-hour truce enters its final day.",
                "10.40: The UN’s humanitarian agency says 40 lorries of food and medical supplies have crossed into Darfur since the ceasefire began.",
                "11.15: Mediators in Jeddah say both sides have agreed to keep talking, but there is still no agreement on extending the truce.",
                "12.30: Aid groups warn that hospitals in the capital are running out of fuel for their generators.",
            ],
            latest=[
                Link(H_JAPAN, "Japan’s empty towns try cash and free homes to lure young families"),
                Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
            ],
        ),
        Story(
            path=H_CHILE,
            title="Chile’s lithium deal leaves Indigenous communities wary",
            summary="A state-backed partnership to expand mining in the Atacama salt flats promises royalties, but villages fear for their water.",
            byline="Maria Garcia, Foreign Correspondent",
            authors=["Maria Garcia"],
            published="2023-06-17T10:30:00-04:00",
            modified=None,
            section="World",
            tags=["Chile", "Lithium", "Mining", "Indigenous rights"],
            paragraphs=[
                "Chile’s plan to expand lithium production in the Atacama desert through a new public-private partnership has been welcomed by investors but met with suspicion by the Indigenous communities who live around the salt flats.",
                "The deal would keep the state in control of the country’s largest lithium reserves until 2060, while private partners would run the extraction.",
                "Community leaders say they were not properly consulted and fear that pumping more brine from beneath the flats will further deplete scarce water supplies.",
                "The government says local communities will receive a larger share of royalties than before and will sit on a new monitoring board.",
                "Chile is the world’s second-largest producer of lithium, a key ingredient in the batteries used in electric cars.",
                "Congress is expected to debate the plan in the autumn.",
            ],
            latest=[
                Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
                Link(H_JAPAN, "Japan’s empty towns try cash and free homes to lure young families"),
            ],
        ),
        Story(
            path=H_JAPAN,
            title="Japan’s empty towns try cash and free homes to lure young families",
            summary="Rural municipalities are offering up to ¥1m per child to families willing to leave Tokyo.",
            byline="Ken Ito, Tokyo Correspondent",
            authors=["Ken Ito"],
            published="2023-06-16T18:20:00+09:00",
            modified=None,
            section="World",
            tags=["Japan", "Population", "Rural life"],
            images=[Image("/images/2023/06/japan-village.jpg", "Terraced rice fields",
                          "Terraced rice fields outside a village in Nagano prefecture", "Kyodo")],
            paragraphs=[
                "Hundreds of rural towns across Japan are offering cash, free houses and cheap childcare in an attempt to reverse decades of population decline.",
                "The central government pays families up to ¥1m per child to move out of the greater Tokyo area, and some municipalities add their own incentives on top.",
                "In one mountain village in Nagano, the number of primary school pupils has doubled in five years, to 14.",
                "But demographers say the schemes mostly move people between regions rather than raising the birth rate, which fell to a record low last year.",
                "“We can fill a few empty houses,” said one town official. “We cannot fill the country.”",
            ],
            latest=[
                Link(H_CHILE, "Chile’s lithium deal leaves Indigenous communities wary"),
                Link(H_BALTIC, "Baltic states agree timetable to leave Russian power grid"),
            ],
        ),
        Story(
            path=H_KENYA,
            title="Kenya’s tea pickers strike over plans to bring in harvesting machines",
            summary="Workers on estates around Kericho walked out after a multinational announced it would mechanise more of its plantations.",
            byline="Maria Garcia, Foreign Correspondent",
            authors=["Maria Garcia"],
            published="2023-06-15T12:10:00+03:00",
            modified=None,
            section="World",
            tags=["Kenya", "Tea", "Labour"],
            paragraphs=[
                "Thousands of tea pickers on estates in Kenya’s western highlands have gone on strike over plans to replace much of the workforce with harvesting machines.",
                "A single machine can do the work of up to 100 pickers, according to the union, which says as many as 30,000 jobs could be at risk across the region.",
                "Plantation owners argue that mechanisation is the only way to stay competitive as prices fall and labour costs rise.",
                "Police were deployed to several estates after reports that machines had been set on fire.",
            ],
            latest=[
                Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
                Link(H_JAPAN, "Japan’s empty towns try cash and free homes to lure young families"),
            ],
        ),
    ],
    redirects={
        H_GO: (302, H_GO_STEP2),  # relative Location
        H_GO_STEP2: (302, "{base}" + H_AEGEAN),
    },
    flaky=set(),
    expected_fetches=[
        "/robots.txt",
        "/",  # start URL (home page)
        H_ZURICH,  # cp1252, charset only in the Content-Type header
        H_BALTIC,
        H_GO,  # 302 chain: first hop
        H_GO_STEP2,  # 302 chain: second hop
        H_AEGEAN,  # 302 chain target
        H_SUDAN_P2,  # linked with &utm_campaign=z; page=2 must be kept
        H_SECTION,  # "See more world news"
        H_CHILE,
        H_JAPAN,
        H_KENYA,  # only from the section page
    ],
    must_not_fetch=[
        H_PRIVATE, *H_TRENDING, *H_MOST_READ, *H_TOP_STORIES,
        "/sport/", "/business/markets/", "/culture/", "/about", "/contact",
    ],
)


# --------------------------------------------------------------------------------------
# 3. The Provincial Courier: table layout, Dublin Core or <time> only, plain responses.
# --------------------------------------------------------------------------------------

C_SECTION = "/world/index.html"
C_DUTCH = "/world/2023/0612-dutch-farmers-party-tops-provincial-polls.html"
C_ICELAND = "/world/2023/0611-iceland-eruption-fishing-town-evacuated.html"
C_SMOKE = "/world/2023/0610-wildfire-smoke-drifts-across-atlantic.html"
C_GRAIN = "/world/2023/0609-polish-border-town-grain-lorries.html"
C_MALTA = "/world/2023/0608-malta-desalination-drought.html"
C_MONGOLIA = "/world/2023/0607-mongolia-winter-herders.html"
C_COFFEE = "/world/2023/0605-brazil-coffee-harvest-frost.html"  # only from the section page
C_MOST_READ = ["/world/2023/0601-lottery-winner-gives-away-prize.html", "/local/2023/0611-bypass-reopens.html"]

COURIER = Publisher(
    name="courier",
    title="The Provincial Courier",
    octet_offset=2,
    language="en",
    start_path="/",
    section_path=C_SECTION,
    section_title="World",
    section_links=[
        Link("2023/0605-brazil-coffee-harvest-frost.html", "Frost threatens Brazil's coffee harvest", clean=C_COFFEE),
        Link("2023/0607-mongolia-winter-herders.html", "Mongolia's herders count the cost of a brutal winter", clean=C_MONGOLIA),
        Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
    ],
    other_section_links=[Link("/sports/index.html", "Sports"), Link("/business/markets.html", "Markets"), Link("/local/index.html", "Local")],
    home_latest=[
        Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
        Link("{base}" + C_ICELAND, "Iceland eruption: fishing town evacuated", clean="{base}" + C_ICELAND),
        Link("world/2023/0610-wildfire-smoke-drifts-across-atlantic.html#comments", "Wildfire smoke drifts across the Atlantic", clean=C_SMOKE),
        Link(C_GRAIN + "?gclid=EAIaIQobChMI8x", "Polish border town overwhelmed by grain lorries", clean=C_GRAIN),
    ],
    home_top_stories=[
        Link("/local/2023/0612-council-approves-new-library.html", "Council approves new library"),
        Link("/sports/2023/0612-rovers-win-cup.html", "Rovers win county cup"),
    ],
    nav=[Link("/index.html", "Home"), Link("/local/index.html", "Local"), Link(C_SECTION, "World"),
         Link("/sports/index.html", "Sports"), Link("/business/index.html", "Business")],
    footer=[Link("/about.html", "About the Courier"), Link("/contact.html", "Contact")],
    trending=[],
    most_read=[Link(C_MOST_READ[0], "Lottery winner gives away prize"), Link(C_MOST_READ[1], "Bypass reopens after repairs")],
    robots_txt="User-agent: *\nDisallow: /cgi-bin/\n",
    stories=[
        Story(
            path=C_DUTCH,
            dublin_core=True,
            canonical=None,
            title="Dutch farmers' party tops polls ahead of provincial vote",
            summary="A party founded four years ago to fight nitrogen rules is on course to win the most seats in every province.",
            byline="By Jane Doe and John Roe",
            authors=["Jane Doe", "John Roe"],
            published="2023-06-12T07:45:00-04:00",
            modified=None,
            section=None,
            tags=["Netherlands", "Elections", "Farming"],
            paragraphs=[
                "A protest party formed by Dutch farmers angry at government plans to cut nitrogen emissions is leading the polls ahead of provincial elections.",
                "The Farmer-Citizen Movement, founded in 2019, is forecast to win the largest number of seats in all twelve provinces.",
                "Its success has been driven by opposition to a plan that could force thousands of livestock farms to close or relocate.",
                "Because provincial councils choose the members of the Dutch senate, a strong result could make it harder for the government to pass legislation.",
            ],
            latest=[
                Link("{base}" + C_ICELAND, "Iceland eruption: fishing town evacuated", clean="{base}" + C_ICELAND),
                Link("javascript:void(0)", "More headlines"),
                Link("mailto:newsdesk@provincialcourier.example", "Email the news desk"),
                Link(C_MALTA, "Malta turns to the sea as drought bites"),
            ],
        ),
        Story(
            path=C_ICELAND,
            dublin_core=False,
            canonical=None,
            title="Iceland eruption: fishing town evacuated",
            summary="Residents of Grindavik were told to leave within hours as magma moved under the town.",
            byline="By Jane Doe",
            authors=["Jane Doe"],
            published="2023-06-11T16:30:00-04:00",
            modified=None,
            section=None,
            tags=["Iceland", "Volcanoes"],
            images=[Image("/img/2023/0611-grindavik.jpg", "Grindavik harbour", "Steam rises near the harbour at Grindavik", "Courier wire services")],
            paragraphs=[
                "Authorities in Iceland evacuated the fishing town of Grindavik overnight after a series of earthquakes suggested that magma was moving beneath it.",
                "About 3,500 people were told to leave their homes within hours. Most were staying with relatives in Reykjavik.",
                "Scientists said an eruption could happen within days, although it was not possible to say exactly where.",
                "Flights in and out of the country were operating normally.",
            ],
            latest=[
                Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
                Link(C_SMOKE, "Wildfire smoke drifts across the Atlantic"),
            ],
        ),
        Story(
            path=C_SMOKE,
            dublin_core=True,
            canonical=None,
            title="Wildfire smoke drifts across the Atlantic",
            summary="Smoke from hundreds of fires in Canada has reached western Europe, turning sunsets orange.",
            byline="By John Roe",
            authors=["John Roe"],
            published="2023-06-10T09:00:00-04:00",
            modified=None,
            section=None,
            tags=["Canada", "Wildfires", "Air quality"],
            paragraphs=[
                "Smoke from the wildfires burning across Canada has crossed the Atlantic and reached Portugal, Spain and France, European monitoring services said.",
                "The smoke is travelling high in the atmosphere and is not expected to affect air quality at ground level, but it has produced hazy skies and vivid sunsets.",
                "More than 400 fires were still burning in Canada this week, about half of them out of control.",
                "Officials in Quebec said some evacuated residents might be able to return home by the weekend if the rain forecast arrives.",
                "Canada’s fire season has already burned a larger area than in any full year for more than a decade.",
            ],
            latest=[
                Link(C_MONGOLIA, "Mongolia's herders count the cost of a brutal winter"),
                Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
            ],
        ),
        Story(
            path=C_GRAIN,
            dublin_core=False,
            canonical=None,
            title="Polish border town overwhelmed by grain lorries",
            summary="Queues of lorries stretching for 20km have brought a border town to a standstill.",
            byline="By Jane Doe and John Roe",
            authors=["Jane Doe", "John Roe"],
            published="2023-06-09T11:20:00-04:00",
            modified=None,
            section=None,
            tags=["Poland", "Ukraine", "Agriculture"],
            paragraphs=[
                "Queues of lorries carrying Ukrainian grain have stretched for more than 20km outside a town on the Polish border, local officials said.",
                "Drivers reported waiting up to five days to cross as inspections were tightened after complaints from Polish farmers.",
                "Residents say the queues have blocked roads to the town’s school and clinic.",
            ],
            latest=[
                Link(C_MALTA, "Malta turns to the sea as drought bites"),
                Link("{base}" + C_ICELAND, "Iceland eruption: fishing town evacuated", clean="{base}" + C_ICELAND),
            ],
        ),
        Story(
            path=C_MALTA,
            dublin_core=True,
            canonical=None,
            title="Malta turns to the sea as drought bites",
            summary="The island will open a fourth desalination plant to cope with a record-dry spring.",
            byline="By John Roe",
            authors=["John Roe"],
            published="2023-06-08T13:05:00-04:00",
            modified=None,
            section=None,
            tags=["Malta", "Drought", "Water"],
            paragraphs=[
                "Malta will build a fourth desalination plant after the driest spring on record left its groundwater at its lowest level in decades.",
                "More than half of the island’s drinking water already comes from the sea.",
                "Farmers say they have been forced to leave fields fallow because they cannot afford to irrigate them.",
                "The government said the new plant would be powered partly by solar panels to limit its emissions.",
            ],
            latest=[
                Link(C_GRAIN, "Polish border town overwhelmed by grain lorries"),
                Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
            ],
        ),
        Story(
            path=C_MONGOLIA,
            dublin_core=False,
            canonical=None,
            title="Mongolia's herders count the cost of a brutal winter",
            summary="Millions of animals died in the harshest winter in half a century.",
            byline="By Jane Doe",
            authors=["Jane Doe"],
            published="2023-06-07",  # the page gives a date only
            modified=None,
            section=None,
            tags=["Mongolia", "Climate change", "Farming"],
            paragraphs=[
                "Mongolia’s herders lost more than five million animals in the winter just ended, one of the harshest in half a century, the government said.",
                "Heavy snow followed by extreme cold, a phenomenon known locally as a dzud, left livestock unable to reach grass.",
                "Many families who depend on their herds for food and income have moved to the outskirts of Ulaanbaatar in search of work.",
                "Aid agencies say such winters have become more frequent as the climate changes.",
                "The government has asked international donors for help to restock herds.",
            ],
            latest=[
                Link(C_SMOKE, "Wildfire smoke drifts across the Atlantic"),
                Link(C_MALTA, "Malta turns to the sea as drought bites"),
            ],
        ),
        Story(
            path=C_COFFEE,
            dublin_core=True,
            canonical=None,
            title="Frost threatens Brazil's coffee harvest",
            summary="An unseasonal cold snap has damaged plantations in Minas Gerais, pushing up prices.",
            byline="By Jane Doe and John Roe",
            authors=["Jane Doe", "John Roe"],
            published="2023-06-05T08:15:00-03:00",
            modified=None,
            section=None,
            tags=["Brazil", "Coffee", "Weather"],
            paragraphs=[
                "Frost has damaged coffee plantations across parts of Minas Gerais, Brazil’s main growing state, raising fears for next year’s harvest.",
                "Arabica futures rose by 6% on the news, their biggest one-day gain in months.",
                "Growers said it would take several weeks to assess how many trees had been affected.",
                "Brazil produces about a third of the world’s coffee.",
            ],
            latest=[
                Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
                Link(C_MONGOLIA, "Mongolia's herders count the cost of a brutal winter"),
            ],
        ),
    ],
    redirects={},
    flaky=set(),
    expected_fetches=[
        "/robots.txt",
        "/",  # start URL (home page)
        C_DUTCH,
        C_ICELAND,  # linked as an absolute URL
        C_SMOKE,  # linked relatively, with #comments
        C_GRAIN,  # linked with ?gclid=
        C_SECTION,  # "See more Latest World News"
        C_MALTA,
        C_MONGOLIA,  # linked relatively from the section page
        C_COFFEE,  # only from the section page (relative link)
    ],
    must_not_fetch=[
        *C_MOST_READ, "/index.html", "/local/index.html", "/sports/index.html", "/business/index.html",
        "/business/markets.html", "/about.html", "/contact.html",
        "/local/2023/0612-council-approves-new-library.html", "/sports/2023/0612-rovers-win-cup.html",
    ],
)

PUBLISHERS = [GLOBE, HERALD, COURIER]

# Linked from a Latest block, on another host: must receive no request at all.
OFFSITE_PATHS = ["/world/partner-exclusive-ceasefire-talks"]


# --------------------------------------------------------------------------------------
# Editions: the site as a scheduled crawler sees it on its next run.
#
# Edition 1 is everything above. Edition 2 is the same site a little later: three
# articles were updated (a paragraph added, and the modification time where the
# publisher shows one), four articles are new, and only the pages that list the new
# articles change with them (the three section pages, the Herald's and the
# Courier's home pages). Every other page — the Globe's start article included —
# is byte-identical to edition 1, so a crawler re-fetching it must find the same
# payload digest. The new articles are reachable from what a run with the default
# recrawl policy fetches (start pages, section pages), so that run finds them.
# --------------------------------------------------------------------------------------

G_RHODES = "/news/world-news/wildfires-force-evacuations-on-greek-island-of-rhodes-18252"  # new, section page
G_UN_SUDAN = "/news/world-news/un-security-council-meets-over-sudan-fighting-18254"  # new, only from G_RHODES
H_NORWAY = "/world/2023/jun/22/norway-salmon-farmers-protest-resource-tax"  # new, home Latest + section
C_PORTUGAL = "/world/2023/0613-portugal-heatwave-vineyards.html"  # new, home Latest + section (relative)


@dataclass
class Edition:
    """One publisher in one edition, as changes to the edition before it (all hand-written)."""

    changed_stories: list[Story] = field(default_factory=list)  # same path, new text
    new_stories: list[Story] = field(default_factory=list)
    section_links: list[Link] | None = None  # None: as in the edition before
    home_latest: list[Link] | None = None  # None: as in the edition before
    # Paths whose bytes differ from the edition before (new pages excluded).
    changed_pages: list[str] = field(default_factory=list)
    # Paths a complete crawl requests in addition to the edition before's.
    new_fetches: list[str] = field(default_factory=list)
    # Paths a run with the default recrawl policy requests, after a complete run of
    # the edition before (of this one, for edition 1): robots.txt, the start page, the
    # section page, and the articles that are new.
    default_policy_fetches: list[str] = field(default_factory=list)


_G_FLOODS_1 = next(s for s in GLOBE.stories if s.path == G_FLOODS)
_H_CHILE_1 = next(s for s in HERALD.stories if s.path == H_CHILE)
_C_SMOKE_1 = next(s for s in COURIER.stories if s.path == C_SMOKE)


def _updated(story: Story, modified: str | None, paragraph: str) -> Story:
    return replace(story, modified=modified, paragraphs=[*story.paragraphs, paragraph])


EDITIONS: dict[int, dict[str, Edition]] = {
    1: {
        "globe": Edition(default_policy_fetches=["/robots.txt", G_BLINKEN, G_SECTION]),
        "herald": Edition(default_policy_fetches=["/robots.txt", "/", H_SECTION]),
        "courier": Edition(default_policy_fetches=["/robots.txt", "/", C_SECTION]),
    },
    2: {
        "globe": Edition(
            changed_stories=[_updated(
                _G_FLOODS_1, "2023-06-18T10:05:00+01:00",
                "On Sunday the provincial governor’s office said the death toll had risen to 74, and that more than 40 people were still unaccounted for.",
            )],
            new_stories=[
                Story(
                    path=G_RHODES,
                    title="Wildfires force thousands to leave their homes on the Greek island of Rhodes",
                    summary="Coastguard boats and private vessels carried holidaymakers from beaches as the flames reached coastal resorts.",
                    byline="By Press Association",
                    authors=["Press Association"],
                    published="2023-06-22T08:40:00+01:00",
                    modified="2023-06-22T12:15:00+01:00",
                    section="World News",
                    tags=["Greece", "Wildfires", "Tourism"],
                    images=[Image("/images/2023/06/rhodes-fire.jpg", "Smoke over a beach on Rhodes",
                                  "Smoke rises over a beach in the south of Rhodes.", "Petros Giannakouris/AP")],
                    paragraphs=[
                        "Thousands of residents and holidaymakers were moved to safety on the Greek island of Rhodes as wildfires fanned by strong winds reached coastal resorts.",
                        "Coastguard vessels and dozens of private boats ferried people from beaches in the south-east of the island, officials said.",
                        "Firefighting aircraft from several European countries joined Greek crews, but the winds kept planes grounded for part of the afternoon.",
                        "Tour operators said they were cancelling flights to the island for the rest of the week.",
                    ],
                    latest=[
                        Link(G_UN_SUDAN, "UN security council meets as fighting in Sudan spreads", "Security council chamber"),
                        Link(G_BLINKEN, "US secretary of state arrives in Beijing in effort to cool US-China tensions", "China US Blinken"),
                        Link(G_MUNICH, "Climate protesters close Munich Airport after gluing themselves to runway", "Activists on the runway"),
                    ],
                ),
                Story(
                    path=G_UN_SUDAN,
                    title="UN security council meets as fighting in Sudan spreads",
                    summary="Diplomats called for the ceasefire to be extended as clashes broke out in two more cities.",
                    byline="By Amara Okafor, Diplomatic Editor",
                    authors=["Amara Okafor"],
                    published="2023-06-22T18:05:00+01:00",
                    modified=None,
                    section="World News",
                    tags=["Sudan", "United Nations", "Diplomacy"],
                    paragraphs=[
                        "The UN security council held an emergency meeting on Thursday as fighting in Sudan spread to two more cities despite a truce in the capital.",
                        "Several members urged the warring sides to extend the ceasefire and to let aid convoys reach Darfur.",
                        "The UN’s envoy said more than two million people had now fled their homes since the conflict began.",
                    ],
                    latest=[
                        Link(G_RHODES, "Wildfires force thousands to leave their homes on the Greek island of Rhodes", "Smoke over a beach on Rhodes"),
                        Link(G_GEORGIA, "Georgia's president vetoes contested media law after weeks of protests", "President of Georgia"),
                    ],
                ),
            ],
            section_links=[
                Link(G_RHODES, "Wildfires force thousands to leave their homes on the Greek island of Rhodes", "Smoke over a beach on Rhodes"),
                *GLOBE.section_links,
            ],
            changed_pages=[G_FLOODS, G_SECTION],
            new_fetches=[G_RHODES, G_UN_SUDAN],
            default_policy_fetches=["/robots.txt", G_BLINKEN, G_SECTION, G_RHODES, G_UN_SUDAN],
        ),
        "herald": Edition(
            changed_stories=[_updated(
                _H_CHILE_1, "2023-06-22T09:30:00-04:00",
                "Update: the government said on Thursday that it would hold further consultations with the communities before the deal is signed.",
            )],
            new_stories=[
                Story(
                    path=H_NORWAY,
                    title="Norway’s salmon farmers protest against new resource tax",
                    summary="Fish farmers say a 25% tax on profits will drive investment abroad; the government says the fjords belong to everyone.",
                    byline="Tomas Lind, Nordic Correspondent",
                    authors=["Tomas Lind"],
                    published="2023-06-22T10:00:00+02:00",
                    modified=None,
                    section="World",
                    tags=["Norway", "Fishing", "Tax"],
                    paragraphs=[
                        "Hundreds of salmon farmers and their employees protested outside parliament in Oslo against a new tax on the industry’s profits.",
                        "The government says the 25% resource rent tax will make sure that the country’s fjords benefit everyone, as oil revenues do.",
                        "Producers say the tax has already led them to cancel or postpone investments worth billions of kroner.",
                        "Parliament is due to vote on the final version of the tax before its summer recess.",
                    ],
                    latest=[
                        Link(H_ZURICH, "Zürich café owners say rent rises threaten a century-old tradition"),
                        Link(H_JAPAN, "Japan’s empty towns try cash and free homes to lure young families"),
                    ],
                ),
            ],
            section_links=[Link(H_NORWAY, "Norway’s salmon farmers protest against new resource tax"), *HERALD.section_links],
            home_latest=[Link(H_NORWAY, "Norway’s salmon farmers protest against new resource tax"), *HERALD.home_latest],
            changed_pages=[H_CHILE, H_SECTION, "/"],
            new_fetches=[H_NORWAY],
            default_policy_fetches=["/robots.txt", "/", H_SECTION, H_NORWAY],
        ),
        "courier": Edition(
            # The Courier shows no modification time, so only the text changes.
            changed_stories=[_updated(
                _C_SMOKE_1, None,
                "By Thursday the smoke had reached Norway, where forecasters said it would thin out over the weekend.",
            )],
            new_stories=[
                Story(
                    path=C_PORTUGAL,
                    dublin_core=True,
                    canonical=None,
                    title="Portugal's winemakers pick early as heatwave scorches vineyards",
                    summary="Growers in the Douro valley began the harvest weeks ahead of schedule.",
                    byline="By Jane Doe",
                    authors=["Jane Doe"],
                    published="2023-06-13T10:10:00-04:00",
                    modified=None,
                    section=None,
                    tags=["Portugal", "Wine", "Heatwave"],
                    paragraphs=[
                        "Winemakers in Portugal's Douro valley have started picking grapes weeks earlier than usual after temperatures passed 40C.",
                        "Growers said the heat had shrivelled some bunches on the vine, and that yields would be well down on last year.",
                        "The country's weather service has put much of the interior on its highest alert for fire risk.",
                    ],
                    latest=[
                        Link(C_DUTCH, "Dutch farmers' party tops polls ahead of provincial vote"),
                        Link(C_MALTA, "Malta turns to the sea as drought bites"),
                    ],
                ),
            ],
            section_links=[
                Link("2023/0613-portugal-heatwave-vineyards.html", "Portugal's winemakers pick early as heatwave scorches vineyards",
                     clean=C_PORTUGAL),
                *COURIER.section_links,
            ],
            home_latest=[Link(C_PORTUGAL, "Portugal's winemakers pick early as heatwave scorches vineyards"), *COURIER.home_latest],
            changed_pages=[C_SMOKE, C_SECTION, "/"],
            new_fetches=[C_PORTUGAL],
            default_policy_fetches=["/robots.txt", "/", C_SECTION, C_PORTUGAL],
        ),
    },
}


def publishers(edition: int = 1) -> list[Publisher]:
    """The publishers as they are in ``edition`` (1: ``PUBLISHERS`` themselves)."""
    if edition not in EDITIONS:
        raise ValueError(f"no edition {edition}; editions: {sorted(EDITIONS)}")
    pubs = list(PUBLISHERS)
    for number in range(2, edition + 1):
        out = []
        for pub in pubs:
            change = EDITIONS[number][pub.name]
            updated = {s.path: s for s in change.changed_stories}
            stories = [updated.get(s.path, s) for s in pub.stories] + change.new_stories
            out.append(replace(
                pub,
                stories=stories,
                section_links=change.section_links if change.section_links is not None else pub.section_links,
                home_latest=change.home_latest if change.home_latest is not None else pub.home_latest,
                expected_fetches=[*pub.expected_fetches, *change.new_fetches],
            ))
        pubs = out
    return pubs
