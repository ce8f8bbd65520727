"""The articles an archive holds, found as `scrapy replay` finds them: same reader, same extraction.

For ``scrapy wacz`` (the pages list) and ``scrapy report`` (coverage, publishers):
every archived 2xx response becomes the Page the live spider would have built
and goes through ``extract_article`` with the crawl's site and link rules, in
this process (an archive's worth of pages for a package or a report, not a
bulk replay). Revisits are resolved to their original's payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from newscrawl.items import Article, Page
from newscrawl.follow.links import link_rules_from_settings
from newscrawl.replay.spider import ArchiveReplay, Progress, RecordFilter
from pipelines.extraction import SiteRules, extract_or_reason


@dataclass
class Extracted:
    page: Page
    article: Article | None  # None: not an article (section page, robots.txt, PDF, error page ...)
    reason: str | None = None  # why not: the extraction's own reason ("listing", "not_html", "status_404" ...)


class ArchiveArticles:
    """Iterate ``Extracted`` for every replayable response of the sources; ``progress`` says what was read."""

    def __init__(self, specs: list[str], settings):
        self._replay = ArchiveReplay(list(specs), RecordFilter(), settings)
        self._rules = SiteRules(settings.getdict("EXTRACTION_SITE_RULES"))
        self._link_rules = link_rules_from_settings(settings)

    @property
    def progress(self) -> Progress:
        return self._replay.progress

    def __iter__(self) -> Iterator[Extracted]:
        while batch := self._replay.next_batch(32):
            for page in batch:
                result = extract_or_reason(page, self._rules, False, self._link_rules)
                if isinstance(result, Article):
                    yield Extracted(page, result)
                else:
                    yield Extracted(page, None, result)
