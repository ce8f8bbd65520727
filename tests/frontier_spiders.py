"""Spiders for the frontier tests only (``-s SPIDER_MODULES=tests.frontier_spiders``)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy

from newscrawl.spiders.worldnews import WorldNewsSpider

from .frontier_site import FALLBACK, LOOP


class FallbackSpider(WorldNewsSpider):
    """worldnews, whose errback fetches the site's fallback page when the redirect loop fails: an errback
    that yields a request, for a download that failed in a downloader middleware's ``process_response``."""

    name = "worldnews_fallback"

    def failed(self, failure):
        super().failed(failure)
        if urlsplit(failure.request.url).path == LOOP:
            yield scrapy.Request(urljoin(failure.request.url, FALLBACK), callback=self.parse, errback=self.failed)
