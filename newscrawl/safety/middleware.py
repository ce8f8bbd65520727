"""The destination guard: no request reaches an address the crawler must not reach.

``DestinationGuardMiddleware`` is a downloader middleware placed before
Scrapy's robots.txt middleware. Every request passes it on its way to the
downloader -- start URLs, followed links, every redirect target (Scrapy's
RedirectMiddleware sends them back through the whole chain) and the
robots.txt requests themselves. It resolves the host through the reactor's
resolver (``newscrawl.safety.resolver.GuardedResolver``, which applies
``DNS_OVERRIDES`` and refuses on its own as well) and refuses anything the
``AddressPolicy`` refuses: one INFO line naming the URL and the address (a
refusal is the policy working, not a fault: a crawl of ordinary news sites meets
links to intranet hosts and IP literals),
``newscrawl/guard/refused`` (and ``.../<reason>``) in the stats, and
``IgnoreRequest``, which Scrapy neither retries nor reports as an error.

The resolver is the second lock: Twisted resolves again when it connects
(through the DNS cache), and a refused answer there fails the download
before any connection is attempted.
"""

from __future__ import annotations

import ipaddress
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from newscrawl.safety.policy import AddressPolicy
from newscrawl.safety.resolver import DestinationRefused

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl/guard/refused"
FETCHABLE_SCHEMES = ("http", "https")


class RefusedDestination(IgnoreRequest):
    """Raised for a request the destination guard refused."""


class DestinationGuardMiddleware:
    """Downloader middleware enforcing ``ALLOWED_PRIVATE_NETWORKS`` on every request."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = AddressPolicy.from_settings(crawler.settings)
        self._literals: dict[str, str] = {}  # URL host → its address if it is an IP address, "" if a name

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DestinationGuardMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in FETCHABLE_SCHEMES:
            self._refuse(request, "scheme", f"not an HTTP(S) URL ({parts.scheme or 'no'} scheme)")
        host = parts.hostname
        if not host:
            self._refuse(request, "no-host", "no host in the URL")
        address = self._literals.get(host)
        if address is None:
            address = self._literal(host)
        if not address:  # a name
            address = await self._resolve(request, host)
            if address is None:
                return None
        reason = self.policy.refusal(address)
        if reason:
            described = f"{host} is" if address == host else f"{host} resolves to {address},"
            self._refuse(request, reason, f"{described} {reason}, not in ALLOWED_PRIVATE_NETWORKS")
        return None

    def _literal(self, host: str) -> str:
        """The address a host written as an IP address is ("" for a name), remembered (few hosts per crawl)."""
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = ""
        if len(self._literals) >= AddressPolicy.MEMO_SIZE:
            self._literals.clear()
        self._literals[host] = address
        return address

    async def _resolve(self, request: Request, host: str) -> str | None:
        """The address Twisted will connect to, or None when the name does not resolve.

        A name that does not resolve is left to the download, which fails (and
        is retried) as usual; the resolver still checks whatever it answers then.
        """
        from twisted.internet import reactor

        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except DestinationRefused as exc:
            self._refuse(request, exc.reason, exc.detail)
        except (DNSLookupError, OSError, ValueError):
            return None
        return None  # pragma: no cover - _refuse raises

    def _refuse(self, request: Request, reason: str, detail: str) -> None:
        key = reason.split(" (", 1)[0].replace(" ", "-")
        self.stats.inc_value(STATS_PREFIX)
        self.stats.inc_value(f"{STATS_PREFIX}/{key}")
        logger.info("Refused %s: %s", request.url, detail)
        raise RefusedDestination(f"destination refused: {detail}")
