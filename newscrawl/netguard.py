"""Network address policy: which private networks the crawler may reach.

``ALLOWED_PRIVATE_NETWORKS`` is parsed and validated here; the destination
guard that enforces it before connecting builds on ``parse_networks``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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
