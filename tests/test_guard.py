"""The destination guard: the policy, the resolver, and the real crawler against a forbidden server.

No test here connects to a real metadata address: 169.254.169.254 only ever
goes through the pure classification functions. The forbidden server is a
loopback address outside the allow list (127.0.0.66 with 127.0.0.0/29).
"""

from __future__ import annotations

import ipaddress
import json

import pytest
from twisted.internet import defer

from newscrawl.demo.hostile import HostileSite
from newscrawl.safety.policy import AddressPolicy, classify, parse_networks, parse_overrides
from newscrawl.safety.resolver import DestinationRefused, GuardedResolver

from .conftest import run_crawl


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12::1", "private"),
    ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("169.254.169.254", "cloud metadata"), ("fd00:ec2::254", "cloud metadata"), ("168.63.129.16", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "non-global"), ("192.0.2.1", "private"),  # documentation: private to Python 3.11
    ("::ffff:127.0.0.1", "loopback (as ::ffff:7f00:1)"), ("64:ff9b::a9fe:a9fe", "cloud metadata (as 64:ff9b::a9fe:a9fe)"),
    ("2002:a00:1::", "private (as 2002:a00:1::)"),
    ("93.184.216.34", None), ("2606:4700::1111", None), ("8.8.8.8", None),
])
def test_classify(address, reason):
    assert classify(ipaddress.ip_address(address)) == reason


def test_allow_list():
    policy = AddressPolicy(parse_networks("127.0.0.0/29, 10.0.0.0/8"))
    assert policy.refusal("127.0.0.5") is None
    assert policy.refusal("127.0.0.66") == "loopback"
    assert policy.refusal("10.9.9.9") is None
    assert policy.refusal("::ffff:10.9.9.9") is None
    assert policy.refusal("8.8.8.8") is None
    assert policy.refusal("not an address") == "not an IP address"


def test_metadata_stays_refused_inside_a_wider_allowed_network():
    assert AddressPolicy(parse_networks("169.254.0.0/16")).refusal("169.254.169.254") == "cloud metadata"
    assert AddressPolicy(parse_networks("169.254.0.0/16")).refusal("169.254.1.1") is None
    assert AddressPolicy(parse_networks("169.254.169.254/32")).refusal("169.254.169.254") is None


def test_overrides_are_validated():
    assert parse_overrides({"Evil.Test.": "127.0.0.66"}) == {"evil.test": "127.0.0.66"}
    with pytest.raises(ValueError, match="DNS_OVERRIDES"):
        parse_overrides({"evil.test": "nowhere"})


def _resolve(resolver, name):
    result = []
    resolver.getHostByName(name).addBoth(result.append)
    assert result, "an override or an IP literal resolves synchronously"
    return result[0]


def test_resolver_serves_overrides_and_refuses_after_resolution():
    from twisted.internet import reactor

    resolver = GuardedResolver(reactor, 0, 5.0, AddressPolicy(parse_networks("127.0.0.0/29")),
                               {"evil.test": "127.0.0.66", "good.test": "127.0.0.5"})
    assert _resolve(resolver, "good.test") == "127.0.0.5"
    failure = _resolve(resolver, "EVIL.test")
    assert isinstance(failure.value, DestinationRefused)
    assert (failure.value.address, failure.value.reason) == ("127.0.0.66", "loopback")


def test_resolver_refuses_addresses_from_the_system_resolver(monkeypatch):
    from twisted.internet import reactor

    resolver = GuardedResolver(reactor, 0, 5.0, AddressPolicy(parse_networks("127.0.0.0/29")))
    # What the threaded lookup would answer, without a thread or DNS.
    monkeypatch.setattr("scrapy.resolver.ThreadedResolver.getHostByName",
                        lambda self, name, timeout=(): defer.succeed("127.0.0.66"))
    failure = _resolve(resolver, "rebinding.test")
    assert isinstance(failure.value, DestinationRefused)


# ---------------------------------------------------------------- the real crawler


@pytest.fixture
def site():
    with HostileSite(huge_size=1000, bomb_size=1000) as hostile:
        yield hostile


def _guarded_crawl(site, tmp_path, *settings):
    return run_crawl(tmp_path, site.start_urls, "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/29",
                     "DNS_OVERRIDES=" + json.dumps(site.dns_overrides), "RETRY_TIMES=0", *settings, timeout=120)


@pytest.mark.integration
def test_link_redirect_and_name_to_a_forbidden_address_never_connect(site, tmp_path):
    result = _guarded_crawl(site, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert site.connections == 0
    assert site.fetched("/news/calm-after"), "the allowed site was crawled"
    refused = {
        site.evil_base + "/linked": "127.0.0.66 is loopback",                      # a link to an IP literal
        site.evil_name_base + "/linked": "evil.test resolves to 127.0.0.66, loopback",  # a link to a name
        site.evil_base + "/from-redirect": "127.0.0.66 is loopback",               # a redirect target
        site.evil_name_base + "/from-redirect": "evil.test resolves to 127.0.0.66, loopback",
        site.evil_decimal_base + "/start": "resolves to 127.0.0.66, loopback",     # 2130706498 == 127.0.0.66
    }
    for url, detail in refused.items():
        lines = [line for line in result.log.splitlines() if f"Refused {url}: " in line]
        assert len(lines) == 1 and detail in lines[0] and "ALLOWED_PRIVATE_NETWORKS" in lines[0], url
        # A refusal is the policy at work, not a fault: INFO (issue 12, item 5), not WARNING.
        assert "] INFO: Refused " in lines[0], lines[0]
    assert "'newscrawl/guard/refused': 7" in result.log
    assert "'newscrawl/guard/refused/loopback': 7" in result.log


@pytest.mark.integration
def test_resolver_alone_stops_the_connection(site, tmp_path):
    """With the middleware switched off, Twisted's own lookup before connecting is refused."""
    unguarded = json.dumps({"newscrawl.safety.middleware.DestinationGuardMiddleware": None,
                            "newscrawl.archive.middleware.WarcArchiveMiddleware": 950})
    result = _guarded_crawl(site, tmp_path, f"DOWNLOADER_MIDDLEWARES={unguarded}")
    assert result.returncode == 0, result.log[-3000:]
    assert "DestinationGuardMiddleware" not in result.log.split("Enabled downloader middlewares:")[1].split("]")[0]
    assert site.connections == 0
    # Twisted passes IP literals through the resolver too (Twisted 26, Scrapy 2.19).
    assert "no results for hostname lookup: 127.0.0.66" in result.log
    assert site.fetched("/news/calm-after")


@pytest.mark.integration
def test_the_forbidden_server_does_count_when_allowed(site, tmp_path):
    """The zero above means something: allowing 127.0.0.66 lets the same crawl connect."""
    result = _guarded_crawl(site, tmp_path, "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/29,127.0.0.66/32")
    assert result.returncode == 0, result.log[-3000:]
    assert site.connections > 0
    assert "Refused " not in result.log


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "93.184.216.34", "::ffff:10.0.0.1",
                                     "fe80::1%eth0", "not-an-address"])
def test_a_remembered_verdict_is_the_policys_verdict(address):
    """The policy remembers its verdict per address (few per crawl, one check per request): asked again, it is the same."""
    policy = AddressPolicy(parse_networks(["127.0.0.0/8"]))
    first = policy.refusal(address)
    assert first == policy._refusal(address) == policy.refusal(address)
    assert policy._verdicts == {address: first}


def test_remembered_verdicts_are_bounded():
    policy = AddressPolicy()
    addresses = [f"10.0.{i // 256}.{i % 256}" for i in range(AddressPolicy.MEMO_SIZE + 10)]
    assert all(policy.refusal(a) == "private" for a in addresses)
    assert len(policy._verdicts) <= AddressPolicy.MEMO_SIZE
