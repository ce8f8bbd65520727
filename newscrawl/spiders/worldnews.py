"""The worldnews spider: start URLs → pages; yields Page items and follow-up requests.

What it follows is decided in ``newscrawl.follow.links``; what it archives is decided
by the archive middleware, which sees every exchange. The spider's own job is
scope (the hosts of its start URLs) and turning responses into Pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.safety.middleware import RefusedDestination

from newscrawl.config import check_start_urls, is_distributed
from newscrawl.follow.links import (
    DEFAULT_SECTION_MIN_LINKS,
    clean_url,
    host_of,
    link_rules_from_settings,
    section_links,
)
from newscrawl.follow.pagecheck import BadPage
from newscrawl.follow.pages import latest_blocks, page_from_response
from newscrawl.meta import ROLE, WARC_RECORD
from newscrawl.safety.policy import parse_networks
from newscrawl.safety.resolver import DestinationRefused

# Read through importlib.resources: inside a Scrapyd egg the package is a zip file.
DEFAULT_SEEDS = resources.files("newscrawl").joinpath("seeds.txt")


def read_seeds(path) -> list[str]:
    """URLs of a seeds file (a path or an importlib.resources file), one per line, # for comments."""
    source = Path(path) if isinstance(path, str) else path
    lines = source.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class WorldNewsSpider(scrapy.Spider):
    """Follows "Latest World News" blocks and world-news section pages.

    Arguments: ``-a start_urls=URL,URL,...`` (default: the seeds file,
    ``SEEDS_FILE``).
    """

    name = "worldnews"

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self._start_arg = start_urls

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "WorldNewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.rules = link_rules_from_settings(settings)
        spider.section_min_links = settings.getint("SECTION_MIN_ARTICLE_LINKS", DEFAULT_SECTION_MIN_LINKS)
        if spider.section_min_links < 1:
            raise ValueError(f"SECTION_MIN_ARTICLE_LINKS: {settings.get('SECTION_MIN_ARTICLE_LINKS')!r} "
                             "is not allowed (a whole number of at least 1)")
        spider.allowed_networks = parse_networks(settings.get("ALLOWED_PRIVATE_NETWORKS"))
        if spider._start_arg is not None:
            urls = check_start_urls(spider._start_arg)
        else:
            urls = check_start_urls(read_seeds(settings.get("SEEDS_FILE") or DEFAULT_SEEDS), "SEEDS_FILE", "setting")
        spider.start_urls = [clean_url(u, spider.rules) for u in urls]
        spider.allowed_hosts = {host_of(u) for u in spider.start_urls}
        # OffsiteMiddleware compares host names only; allowed_hosts adds the port.
        spider.allowed_domains = sorted({h.rsplit(":", 1)[0].strip("[]") for h in spider.allowed_hosts})
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.seed_outcomes: dict[str, str | None] = dict.fromkeys(self.start_urls)  # seed → why it failed
        # A job resumed from JOBDIR: the seeds its paused run fetched are not fetched again (Scrapy's
        # seen-requests filter), and count as fetched; Scrapy keeps ``self.state`` in JOBDIR.
        state = getattr(self, "state", None)
        earlier = state.get("fetched_seeds", set()) if isinstance(state, dict) else set()
        self.fetched_seeds: set[str] = {u for u in earlier if u in self.seed_outcomes}
        if isinstance(state, dict):
            state["fetched_seeds"] = self.fetched_seeds
        self._failed_urls: set[str] = set()
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={ROLE: "start"})

    def failed(self, failure: Failure) -> Failure:
        """Every request that ends without a page: counted once per URL, seeds remembered.

        Returns the failure, so that Scrapy and its middlewares log and count it as
        they always do (their lines name the URL); what they leave at DEBUG (robots.txt,
        other ignored requests) gets an INFO line here.
        """
        request = failure.request
        origin = (request.meta.get("redirect_urls") or [request.url])[0]
        if failure.check(BadPage):  # fetched, archived, logged and counted as a bad page
            self._seed_fetched(origin)
            return failure
        key, reason = failure_reason(failure)
        if key == "recrawl":  # archived and fresh: skipped on purpose, counted by the recrawl policy
            return failure
        if origin not in self._failed_urls:
            self._failed_urls.add(origin)
            self.crawler.stats.inc_value("newscrawl/failed")
            self.crawler.stats.inc_value(f"newscrawl/failed/{key}")
            if key not in DELIBERATE:
                self.crawler.stats.inc_value("newscrawl/errors")  # the run summary's errors: per URL
        if key in ("robots", "ignored"):
            self.logger.info("Not fetched: %s (%s)", request.url, reason)
        if origin in getattr(self, "seed_outcomes", {}) and origin not in self.fetched_seeds:
            self.seed_outcomes[origin] = reason
            if self._frontier is not None:
                self._frontier.seed_outcome(origin, reason)
        return failure

    @property
    def _frontier(self):
        """The shared frontier of a distributed crawl (its scheduler), else None."""
        return getattr(self.crawler, "newscrawl_frontier", None) if is_distributed(self.crawler.settings) else None

    def _seed_fetched(self, origin: str) -> None:
        if origin in getattr(self, "seed_outcomes", {}):
            self.fetched_seeds.add(origin)
            if self._frontier is not None:
                self._frontier.seed_outcome(origin, None)

    def closed(self, reason: str) -> None:
        failed = self.no_seed_fetched()
        if not failed:
            return
        self.crawler.stats.set_value("newscrawl/seeds/none_fetched", len(failed))
        # Each seed named once for the cluster: by the worker that tried it (the others say it on stderr).
        tried_here = {url for url, why in getattr(self, "seed_outcomes", {}).items() if why}
        for url, why in failed.items():
            if self._frontier is None or url in tried_here:
                self.logger.error("Start URL not fetched: %s (%s)", url, why)

    def no_seed_fetched(self) -> dict[str, str] | None:
        """{seed: reason} when not one start URL gave a page, else None (for the exit code).

        In a distributed crawl, for the whole cluster: once the crawl is done, when no worker fetched any
        of its start URLs (the frontier keeps what became of each, in Redis).
        """
        if is_distributed(self.crawler.settings):
            frontier = self._frontier
            return getattr(frontier, "no_seed_fetched", None) if frontier is not None else None
        outcomes = getattr(self, "seed_outcomes", {})
        if not outcomes or self.fetched_seeds:
            return None
        return {url: why or "no response" for url, why in outcomes.items()}

    def parse(self, response: Response) -> Iterator[Any]:
        origin = (response.meta.get("redirect_urls") or [response.url])[0]
        self._seed_fetched(origin)
        pointer = response.meta.get(WARC_RECORD)
        blocks = latest_blocks(response, self.rules)
        page = page_from_response(
            response,
            rules=self.rules,
            blocks=blocks,
            request_url=(response.meta.get("redirect_urls") or [response.url])[0],
            fetched_at=pointer.date if pointer else None,
            warc=pointer.as_item_field() if pointer else None,
            capture=pointer.capture if pointer else None,
        )
        page.via = response.meta.get(ROLE)
        yield page
        for url in page.latest_links:
            yield from self._follow(url, "latest")
        for block in blocks:
            if block.see_more:
                yield from self._follow(block.see_more, "section")
        if isinstance(response, TextResponse):
            # What the page is decides, not how it was reached: a section given as a start
            # URL, or linked from a Latest block, is followed like a "See more" target.
            articles = section_links(response.selector, response.url, self.rules, self.section_min_links,
                                     listing_fallback=response.meta.get(ROLE) != "section_article")
            if articles is not None:
                self.crawler.stats.inc_value("newscrawl/pages/section")
                self.logger.info("Section page %s: following %d article link(s)", response.url, len(articles))
                for url in articles:
                    yield from self._follow(url, "section_article")

    def _follow(self, url: str, role: str) -> Iterator[scrapy.Request]:
        if host_of(url) not in self.allowed_hosts:
            self.crawler.stats.inc_value("newscrawl/links/offsite")
            self.logger.debug("Not following off-site link %s", url)
            return
        self.crawler.stats.inc_value(f"newscrawl/links/{role}")
        yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={ROLE: role})


# Failures the crawl chose (refusals, bounds), as opposed to errors of the site or the network.
DELIBERATE = {"guard", "robots", "ignored", "redirect", "oversize"}


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(stat key, words) for why a request gave no page: guard, robots, dns, timeout, refused, http_404, ..."""
    exc = failure.value
    if isinstance(exc, RefusedDestination) or isinstance(exc, DestinationRefused):
        return "guard", f"refused by the destination guard: {getattr(exc, 'detail', None) or str(exc).removeprefix('destination refused: ')}"
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if text.startswith("already archived"):
            return "recrawl", text
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt"
        if "redirect" in text:
            return "redirect", text
        if "DOWNLOAD_MAXSIZE" in text:
            return "oversize", "body larger than DOWNLOAD_MAXSIZE"
        return "ignored", text or "ignored"
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, DestinationRefused):  # the resolver refused it when connecting
        return "guard", f"refused by the destination guard: {cause.detail}"
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", str(exc) if str(exc).startswith("DNS lookup failed") else f"DNS lookup failed: {exc}"
    if isinstance(exc, (TimeoutError, TwistedTimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", f"timed out: {exc}"
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "refused", "connection refused"
    return "error", f"{type(exc).__name__}: {exc}"
