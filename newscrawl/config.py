"""Checking settings and spider arguments at start: one line naming the setting, the value, what is allowed.

Every entry point (``scrapy crawl``, ``scrapy replay``, ``scrapy upload_pending``,
Scrapyd jobs, which run ``scrapy crawl``) calls ``check_settings`` before
anything starts; components read their numbers through the same getters
(``get_size``, ``get_int``, ``get_duration``), so a value the check accepts is
the value they use. A mistake raises ``SettingError``: the commands print its
one line and exit 2 (Scrapy's ``UsageError`` convention); the traceback is
logged at DEBUG only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError

_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
               "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class SettingError(UsageError, ValueError):
    """A setting or spider argument has a value newscrawl cannot use; ``str()`` is the one line to show."""

    def __init__(self, name: str, value: object, allowed: str, kind: str = "setting"):
        self.name, self.value, self.allowed = name, value, allowed
        label = f"spider argument {name}" if kind == "argument" else name
        super().__init__(f"{label}={_show(value)}: {allowed}", print_help=False)


class StartupError(RuntimeError):
    """The crawl cannot start for a reason outside its settings' syntax (store or state unreachable, not writable).

    ``str()`` is the one line to show; ``scrapy crawl`` exits 1.
    """


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _raw(settings, name: str):
    return settings.get(name)


# -- scalar getters (components call these in from_crawler) --------------------

def get_int(settings, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(settings, name)
    allowed = _range_text("an integer", minimum, maximum)
    if isinstance(value, bool):
        raise SettingError(name, value, allowed)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise SettingError(name, value, allowed) from None
    _check_range(name, value, number, minimum, maximum, allowed)
    return number


def get_size(settings, name: str, minimum: int | None = 1) -> int:
    """Bytes: an integer, or a number with a unit (``500MB``, ``1GiB``, ``64k``)."""
    value = _raw(settings, name)
    allowed = _range_text("a size in bytes (e.g. 1000000, 500MB, 1GiB)", minimum, None)
    number = parse_size(value)
    if number is None:
        raise SettingError(name, value, allowed)
    _check_range(name, value, number, minimum, None, allowed)
    return number


def parse_size(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
    if not match or match.group(2).lower() not in _SIZE_UNITS:
        return None
    number = float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]
    return int(number) if number.is_integer() else None


def get_duration(settings, name: str, minimum: float | None = 0.0, strictly_positive: bool = False,
                 allow_never: bool = False) -> float | None:
    """Seconds: a number, or a number with a unit (``30s``, ``10m``, ``6h``, ``2d``); ``never`` where allowed."""
    value = _raw(settings, name)
    allowed = "a duration in seconds (e.g. 30, 90s, 10m, 6h, 2d)"
    if allow_never:
        allowed = "'never' or " + allowed
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "never", "none")):
            return None
    number = parse_duration(value)
    if strictly_positive:
        allowed += ", above 0"
    elif minimum is not None:
        allowed += f", at least {minimum:g}"
    if number is None or number != number:  # NaN
        raise SettingError(name, value, allowed)
    if (strictly_positive and number <= 0) or (minimum is not None and number < minimum):
        raise SettingError(name, value, allowed)
    return number


def parse_duration(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value).lower())
    if not match:
        return None
    return float(match.group(1)) * _DURATION_UNITS[match.group(2)]


def get_bool(settings, name: str) -> bool:
    value = _raw(settings, name)
    try:
        return settings.getbool(name)
    except ValueError:
        raise SettingError(name, value, "True or False (1/0, true/false)") from None


def get_choice(settings, name: str, choices: Iterable[str | None], fold=str.lower) -> str | None:
    value = _raw(settings, name)
    choices = list(choices)
    if value in (None, "") and None in choices:
        return None
    folded = {fold(c): c for c in choices if c is not None}
    if isinstance(value, str) and fold(value.strip()) in folded:
        return folded[fold(value.strip())]
    shown = ", ".join(repr(c) for c in choices if c is not None) + (" or unset" if None in choices else "")
    raise SettingError(name, value, f"one of {shown}")


def _range_text(what: str, minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"{what} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{what}, at least {minimum}"
    return what


def _check_range(name, value, number, minimum, maximum, allowed) -> None:
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise SettingError(name, value, allowed)


# -- structured values -----------------------------------------------------------

def _get_list(settings, name: str) -> list:
    value = _raw(settings, name)
    try:
        return settings.getlist(name)
    except (TypeError, ValueError):
        raise SettingError(name, value, "a list (JSON, or comma-separated)") from None


def _get_dict(settings, name: str) -> dict:
    value = _raw(settings, name)
    try:
        return settings.getdict(name)
    except (TypeError, ValueError):
        raise SettingError(name, value, "a JSON object ({...})") from None


def check_titles(settings, name: str = "LATEST_BLOCK_TITLES") -> list[str]:
    titles = _get_list(settings, name)
    if not titles or not all(isinstance(t, str) and re.search(r"\w", t) for t in titles):
        raise SettingError(name, _raw(settings, name), "a non-empty list of non-empty titles (else nothing is followed)")
    return titles


def check_patterns(settings, name: str) -> list[str]:
    patterns = _get_list(settings, name)
    for pattern in patterns:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise SettingError(name, _raw(settings, name), f"regular expressions ({pattern!r}: {exc})") from None
    return patterns


def check_networks(settings, name: str = "ALLOWED_PRIVATE_NETWORKS") -> None:
    value = _raw(settings, name)
    items = value.split(",") if isinstance(value, str) else _get_list(settings, name)
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingError(name, value, f"CIDR networks like 127.0.0.0/8 or ::1/128 ({item!r} is not one)") from None


def check_dns_overrides(settings, name: str = "DNS_OVERRIDES") -> None:
    for host, address in _get_dict(settings, name).items():
        try:
            ipaddress.ip_address(str(address).strip())
        except ValueError:
            raise SettingError(name, _raw(settings, name),
                               f'{{"host": "IP address"}} ({address!r} for {host!r} is not an IP address)') from None


def check_stats_file(settings, name: str = "STATS_FILE") -> None:
    """``STATS_FILE``: unset, or a file path whose directory exists."""
    value = _raw(settings, name)
    if value in (None, ""):
        return
    path = Path(str(value)).expanduser()
    if path.is_dir() or not path.parent.is_dir():
        raise SettingError(name, value, "a file path in an existing directory")


def check_http_url(name: str, value: object, kind: str = "setting", schemes=("http", "https")) -> str:
    allowed = f"an absolute {' or '.join(schemes)} URL with a host"
    if not isinstance(value, str) or not value.strip():
        raise SettingError(name, value, allowed, kind)
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise SettingError(name, value, f"{allowed} ({exc})", kind) from None
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise SettingError(name, value, allowed, kind)
    return value.strip()


def check_store_uri(settings, name: str = "WARC_STORE") -> None:
    value = _raw(settings, name)
    allowed = "a directory path, file:///path or s3://bucket/prefix"
    if not isinstance(value, str) or not value.strip():
        raise SettingError(name, value, allowed)
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise SettingError(name, value, f"{allowed} ({exc})") from None
    scheme = parts.scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter
        scheme = ""
    if scheme not in ("", "file", "s3"):
        raise SettingError(name, value, f"{allowed} (unsupported scheme {scheme!r})")
    if scheme == "s3" and not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", parts.netloc or ""):
        raise SettingError(name, value, f"{allowed} (the bucket name {parts.netloc!r} is not valid)")
    if scheme == "file" and not parts.path:
        raise SettingError(name, value, allowed)


def check_state_uri(settings) -> None:
    value = _raw(settings, "CRAWL_STATE") or ".newscrawl/state.sqlite"
    allowed = "a SQLite file path, redis://host:port/db, rediss://..., unix://... or 'redis' (with REDIS_URL)"
    if not isinstance(value, str):
        raise SettingError("CRAWL_STATE", value, allowed)
    if _redis_target(settings, "CRAWL_STATE", value) is None and "://" in value:
        raise SettingError("CRAWL_STATE", value, allowed)


def _redis_target(settings, name: str, value: str) -> str | None:
    """The Redis URL setting ``name`` = ``value`` names, checked: ``REDIS_URL`` for 'redis', the
    value itself for redis://, rediss:// or unix://; None when the value names no Redis."""
    if value == "redis":
        redis_url = _raw(settings, "REDIS_URL")
        if not redis_url:
            raise SettingError("REDIS_URL", redis_url, f"redis://host:port/db ({name}=redis needs it)")
        _check_redis_url("REDIS_URL", redis_url)
        return redis_url
    if value.startswith(("redis://", "rediss://", "unix://")):
        _check_redis_url(name, value)
        return value
    return None


def frontier_url(settings) -> str | None:
    """The Redis URL of the distributed crawl ``CRAWL_FRONTIER`` joins, or None for the in-process frontier.

    ``CRAWL_FRONTIER`` is unset (or ``memory``): this process alone; ``redis``: the server at
    ``REDIS_URL``; ``redis://host:port/db`` (``rediss://``, ``unix://``): that server.
    """
    value = _raw(settings, "CRAWL_FRONTIER")
    allowed = "unset or 'memory' (this process alone), 'redis' (with REDIS_URL) or redis://host:port/db"
    if value in (None, "", "memory"):
        return None
    if not isinstance(value, str):
        raise SettingError("CRAWL_FRONTIER", value, allowed)
    url = _redis_target(settings, "CRAWL_FRONTIER", value)
    if url is None:
        raise SettingError("CRAWL_FRONTIER", value, allowed)
    return url


def is_distributed(settings) -> bool:
    """True when this crawl shares a Redis frontier with other workers (``CRAWL_FRONTIER``)."""
    return frontier_url(settings) is not None


def _check_redis_url(name: str, value: str) -> None:
    allowed = "redis://host:port/db, rediss://host:port/db or unix:///path.sock"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError as exc:
        raise SettingError(name, value, f"{allowed} ({exc})") from None
    if parts.scheme in ("redis", "rediss") and not parts.hostname:
        raise SettingError(name, value, allowed)
    path = parts.path.strip("/")
    if parts.scheme in ("redis", "rediss") and path and not path.isdigit():
        raise SettingError(name, value, f"{allowed} (the database {path!r} is not a number)")


def check_start_urls(value: str | list[str] | None, name: str = "start_urls",
                     kind: str = "argument") -> list[str] | None:
    """The ``-a start_urls=URL,URL`` argument (or the seeds file): every URL absolute http(s) with a host."""
    if value is None:
        return None
    urls = [u.strip() for u in value.split(",") if u.strip()] if isinstance(value, str) else list(value)
    if not urls:
        raise SettingError(name, value, "one or more http(s) URLs, comma-separated", kind)
    for url in urls:
        try:
            check_http_url(name, url, kind)
        except SettingError as exc:
            raise SettingError(name, url, exc.allowed, kind) from None
    return urls


# -- the whole table -------------------------------------------------------------

def _int(minimum=None, maximum=None) -> Callable:
    return lambda s, n: get_int(s, n, minimum, maximum)


def _size(minimum=1) -> Callable:
    return lambda s, n: get_size(s, n, minimum)


def _duration(minimum=0.0, positive=False, never=False) -> Callable:
    return lambda s, n: get_duration(s, n, minimum, positive, never)


def _choice(*choices) -> Callable:
    return lambda s, n: get_choice(s, n, choices)


def _url_or_unset(settings, name) -> None:
    if _raw(settings, name):
        check_http_url(name, _raw(settings, name))


CHECKS: dict[str, Callable] = {
    # the archive
    "WARC_STORE": lambda s, n: check_store_uri(s, n),
    "WARC_MAX_SIZE": _size(1),
    "WARC_MIN_FREE_BYTES": _size(0),
    "WARC_UPLOAD_TIMEOUT": _duration(0),
    "WARC_UPLOAD_RETRY_DELAY": _duration(positive=True),
    "WARC_UPLOAD_MAX_RETRY_DELAY": _duration(positive=True),
    "WARC_MULTIPART_THRESHOLD": _size(1),
    "WARC_MULTIPART_CHUNKSIZE": _size(1),
    "WARC_S3_ADDRESSING_STYLE": _choice(None, "path", "virtual", "auto"),
    "WARC_S3_REQUEST_CHECKSUM_CALCULATION": _choice(None, "when_supported", "when_required"),
    "WARC_S3_RESPONSE_CHECKSUM_VALIDATION": _choice(None, "when_supported", "when_required"),
    "WARC_S3_CHECKSUM_ALGORITHM": _choice(None, "SHA256"),
    "WARC_S3_RETRY_MODE": _choice("standard", "adaptive", "legacy"),
    "WARC_S3_MAX_ATTEMPTS": _int(1),
    "WARC_S3_CONNECT_TIMEOUT": _duration(positive=True),
    "WARC_S3_READ_TIMEOUT": _duration(positive=True),
    "AWS_ENDPOINT_URL": _url_or_unset,
    # state and lock
    "CRAWL_STATE_ENABLED": get_bool,
    "CRAWL_LOCK_TTL": _duration(3.0),
    "CRAWL_RUN_WAIT": _duration(0),
    "RECRAWL_ARTICLES_AFTER": _duration(0, never=True),
    # the distributed frontier
    "CRAWL_FRONTIER": lambda s, n: frontier_url(s),
    "FRONTIER_LEASE_TIMEOUT": _duration(1.0),
    "FRONTIER_IDLE": _duration(0),
    "FRONTIER_SYNC_INTERVAL": _duration(positive=True),
    # following links
    "ALLOWED_PRIVATE_NETWORKS": lambda s, n: check_networks(s, n),
    "DNS_OVERRIDES": lambda s, n: check_dns_overrides(s, n),
    "LATEST_BLOCK_TITLES": lambda s, n: check_titles(s, n),
    "LATEST_SEE_MORE_PATTERNS": lambda s, n: check_patterns(s, n),
    "EXCLUDED_BOX_PATTERNS": lambda s, n: check_patterns(s, n),
    "TRACKING_PARAMETERS": lambda s, n: _get_list(s, n),
    "LINK_SITE_RULES": lambda s, n: _get_dict(s, n),
    "LINK_TRAP_MAX_SEGMENT_REPEATS": _int(1),
    "LINK_TRAP_MAX_PARAM_REPEATS": _int(1),
    "LINK_TRAP_MAX_QUERY_GROWTH": _int(1),
    "LINK_TRAP_MAX_QUERY_VARIANTS": _int(1),
    "LINK_TRAP_CALENDAR_BUDGET": _int(1),
    # extraction
    "EXTRACTION_THREADS": _int(1),
    "EXTRACTION_PROCESSES": _int(0),
    "EXTRACTION_BATCH_SIZE": _int(1),
    "EXTRACTION_MAX_PENDING": _int(1),
    "EXTRACTION_SITE_RULES": lambda s, n: _get_dict(s, n),
    # replay
    "REPLAY_MAX_IN_FLIGHT": _int(1),
    "REPLAY_READ_BATCH": _int(1),
    "REPLAY_PROGRESS_INTERVAL": _duration(0),
    "REPLAY_MAX_BODY_SIZE": _size(0),
    "REPLAY_REVISIT_INDEX_SIZE": _int(0),
    "REPLAY_S3_PAGE_SIZE": _int(1, 1000),
    "REPLAY_REVISIT_ARTICLES": get_bool,
    # live stats
    "STATS_FILE": lambda s, n: check_stats_file(s, n),
    "STATS_FILE_INTERVAL": _duration(positive=True),
    # Scrapy's own, where a bad value would only fail deep inside a run
    "CONCURRENT_REQUESTS": _int(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": _int(1),
    "DOWNLOAD_TIMEOUT": _duration(positive=True),
    "DOWNLOAD_DELAY": _duration(0),
    "DOWNLOAD_MAXSIZE": _size(0),
    "DOWNLOAD_WARNSIZE": _size(0),
    "RETRY_TIMES": _int(0),
    "REDIRECT_MAX_TIMES": _int(0),
    "DEPTH_LIMIT": _int(0),
    "URLLENGTH_LIMIT": _int(0),
    "DNS_TIMEOUT": _duration(positive=True),
    "DNSCACHE_SIZE": _int(0),
    "ROBOTSTXT_OBEY": get_bool,
}


def check_settings(settings) -> None:
    """Raise ``SettingError`` for the first setting newscrawl cannot use (only settings that are set)."""
    for name, check in CHECKS.items():
        if settings.get(name) is not None or name == "WARC_STORE":
            check(settings, name)
    check_state_uri(settings)
