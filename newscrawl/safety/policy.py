"""Network address policy: which addresses the crawler may connect to.

The web is hostile and the crawler runs next to credentials: a page can link to
``http://169.254.169.254/``, redirect to ``http://127.0.0.1:6379/``, or use a
host name whose DNS record points into the office network. So every address
is checked *after* name resolution and *before* a TCP connection is made, and
loopback, private (RFC 1918, unique-local), link-local (cloud metadata
included), multicast, reserved, unspecified and other non-global addresses
are refused unless ``ALLOWED_PRIVATE_NETWORKS`` lists them.

Two places enforce the policy, so neither can be bypassed alone:

* ``newscrawl.safety.resolver.GuardedResolver`` (``TWISTED_DNS_RESOLVER``): Twisted's ``HostnameEndpoint``
  asks the reactor's resolver for every host, IPv4 literals included, right
  before it connects. A refused address never reaches the endpoint, so no
  connection is attempted. It also serves ``DNS_OVERRIDES`` (a test/ops aid).
* ``newscrawl.safety.middleware.DestinationGuardMiddleware``: checks every request that
  goes to the downloader -- start URLs, links, redirect targets and
  robots.txt alike -- resolving host names through that same resolver, and
  refuses with one log line, stats and ``IgnoreRequest`` (no retries).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance-metadata and host-agent endpoints. Most are link-local or
# unique-local anyway; 168.63.129.16 (Azure) is a global address, so it has to
# be named. They stay refused even inside an allowed network, unless that
# network is the single address itself: allowing 169.254.0.0/16 for some
# link-local service must not also hand out the instance's credentials.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ... instance metadata
    "169.254.169.253",  # AWS VPC DNS
    "169.254.169.123",  # AWS time sync
    "169.254.170.2",    # AWS ECS task metadata / credentials
    "169.254.170.23",   # AWS EKS pod identity agent
    "fd00:ec2::254",    # AWS instance metadata over IPv6
    "fd00:ec2::23",     # AWS EKS pod identity agent over IPv6
    "100.100.100.200",  # Alibaba Cloud metadata
    "168.63.129.16",    # Azure host agent (wireserver)
))

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_networks(value: str | Iterable[str] | None) -> list[Network]:
    """CIDRs from a setting value (a list, or a comma-separated string).

    Raises ``ValueError`` naming the bad entry, so a typo stops the crawl at
    start-up rather than silently allowing or refusing everything.
    """
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"ALLOWED_PRIVATE_NETWORKS: {item!r} is not a CIDR network ({exc})") from None
    return networks


def parse_overrides(value: Mapping[str, str] | None) -> dict[str, str]:
    """``DNS_OVERRIDES`` → {lower-case host name: IP address}, validated.

    On the command line: ``-s 'DNS_OVERRIDES={"evil.test": "127.0.0.66"}'`` (JSON).
    """
    if not value:
        return {}
    out = {}
    for name, address in dict(value).items():
        try:
            out[str(name).strip().lower().rstrip(".")] = str(ipaddress.ip_address(str(address).strip()))
        except ValueError:
            raise ValueError(f"DNS_OVERRIDES: {address!r} (for {name!r}) is not an IP address") from None
    return out


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: Address) -> str | None:
    """Why an address is not a public destination ("loopback", ...), or None if it is."""
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    inner = _embedded_ipv4(ip)
    if inner is not None:
        reason = classify(inner)
        return f"{reason} (as {ip})" if reason else None
    for reason, flag in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                         ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                         ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return reason
    if not ip.is_global:  # shared 100.64/10, documentation, benchmarking, ...
        return "non-global"
    return None


class AddressPolicy:
    """Decides whether the crawler may connect to an address."""

    # Verdicts remembered per address string: a crawl meets few addresses, each once per request (and
    # once per connection in the resolver), and ipaddress's checks cost ~15 us each time.
    MEMO_SIZE = 4096

    def __init__(self, allowed_networks: Iterable[Network] = ()):
        self.allowed_networks = list(allowed_networks)
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> "AddressPolicy":
        return cls(parse_networks(settings.get("ALLOWED_PRIVATE_NETWORKS")))

    def refusal(self, address: str | Address) -> str | None:
        """None if the crawler may connect to ``address``, else why not ("loopback", ...)."""
        if not isinstance(address, str):
            return self._refusal(address)
        try:
            return self._verdicts[address]
        except KeyError:
            pass
        if len(self._verdicts) >= self.MEMO_SIZE:
            self._verdicts.clear()
        verdict = self._verdicts[address] = self._refusal(address)
        return verdict

    def _refusal(self, address: str | Address) -> str | None:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        except ValueError:
            return "not an IP address"
        reason = classify(ip)
        if reason is None:
            return None
        if ip in METADATA_ADDRESSES:
            allowed = any(net.num_addresses == 1 and ip in net for net in self.allowed_networks)
        else:
            inner = _embedded_ipv4(ip)
            allowed = any(ip in net or (inner is not None and inner in net) for net in self.allowed_networks)
        return None if allowed else reason
