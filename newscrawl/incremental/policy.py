"""The recrawl policy: which requests are articles, and when an archived one is fetched again.

Articles already archived are not fetched again unless older than
``RECRAWL_ARTICLES_AFTER``; start, section and listing pages are fetched on
every run. Pure rules; ``middleware.RecrawlPolicyMiddleware`` applies them.
"""

from __future__ import annotations

import re

from newscrawl.incremental.state import Capture

# Requests the spider makes for article links; "start" and "section" pages are fetched every run.
ARTICLE_ROLES = {"latest", "section_article"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value) -> float | None:
    """Seconds from ``RECRAWL_ARTICLES_AFTER``: None/"never", a number of seconds, or "30m", "6h", "2d"."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "never", "none")):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value).lower())
    if not match:
        raise ValueError(f"RECRAWL_ARTICLES_AFTER={value!r}: use 'never', seconds, or a duration like 6h or 2d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def is_fresh(capture: Capture | None, recrawl_after: float | None, now: float) -> bool:
    """True when a URL's last stored capture is recent enough not to fetch it again."""
    if capture is None or not (200 <= capture.status < 400):
        return False
    if recrawl_after is None:
        return True
    return now - capture.fetched_ts < recrawl_after
