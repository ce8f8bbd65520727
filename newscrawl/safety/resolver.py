"""The guarded resolver: Scrapy's caching DNS resolver, refusing what the address policy refuses.

Twisted's ``HostnameEndpoint`` asks the reactor's resolver for every host, IPv4
literals included, right before it connects; a refused address never reaches
the endpoint, so no connection is attempted. See ``newscrawl.safety.policy``.
"""

from __future__ import annotations

from collections.abc import Mapping

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from newscrawl.safety.policy import AddressPolicy, parse_overrides


class DestinationRefused(DNSLookupError):
    """A host name resolved to an address the policy refuses.

    A ``DNSLookupError`` so that Twisted's resolver plumbing treats it as a
    failed lookup (no connection, no traceback in the log).
    """

    def __init__(self, host: str, address: str, reason: str):
        self.detail = f"{host} resolves to {address}, {reason}, not in ALLOWED_PRIVATE_NETWORKS"
        super().__init__(self.detail)
        self.host = host
        self.address = address
        self.reason = reason


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing addresses the ``AddressPolicy`` refuses.

    ``TWISTED_DNS_RESOLVER = "newscrawl.safety.resolver.GuardedResolver"``. Scrapy
    builds it from the process settings (``scrapy crawl``'s ``-s`` included),
    so ``ALLOWED_PRIVATE_NETWORKS`` and ``DNS_OVERRIDES`` are read there.

    ``DNS_OVERRIDES`` (``{"evil.test": "127.0.0.66"}``) answers for those names
    without asking DNS, like an /etc/hosts entry for the crawler alone: for
    tests, and for operators pinning a site to one address. Overridden
    addresses go through the same policy check.
    """

    def __init__(self, reactor, cache_size: int, timeout: float, policy: AddressPolicy | None = None,
                 overrides: Mapping[str, str] | None = None):
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy or AddressPolicy()
        self.overrides = dict(overrides or {})

    @classmethod
    def from_crawler(cls, crawler, reactor) -> "GuardedResolver":
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), AddressPolicy.from_settings(settings),
                   parse_overrides(settings.getdict("DNS_OVERRIDES")))

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        override = self.overrides.get(name.lower().rstrip("."))
        d = defer.succeed(override) if override else super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        reason = self.policy.refusal(address)
        if reason:
            raise DestinationRefused(name, address, reason)
        return address
