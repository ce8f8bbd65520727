"""The store's pre-flight check: before the first request, can WARC files be written at all?

``scrapy crawl`` runs it before the crawler exists (no lock taken, no feed
file opened); a crawl started otherwise runs it from the archive middleware's
``from_crawler``, still before the engine opens the spider.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from scrapy.settings import BaseSettings

from newscrawl.config import StartupError


class StoreUnavailable(StartupError):
    """The store cannot take WARC files: the crawl must not fetch anything."""


def check_writable(directory: Path, what: str, min_free: int = 0) -> None:
    """Create ``directory``, write, fsync and remove a file in it, and check its free space; else StoreUnavailable."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"{what}: cannot create the directory ({_os_error(exc)})") from None
    probe = directory / f".newscrawl-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with open(probe, "xb") as stream:
            stream.write(b"newscrawl pre-flight check\n")
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        raise StoreUnavailable(f"{what}: cannot write a file there ({_os_error(exc)})") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    free = shutil.disk_usage(directory).free
    if free < min_free:
        raise StoreUnavailable(f"{what}: {free} bytes free, below WARC_MIN_FREE_BYTES={min_free}")


def _os_error(exc: OSError) -> str:
    return f"{exc.strerror or type(exc).__name__}" + (f" [errno {exc.errno}]" if exc.errno else "")


def min_free_bytes(settings: BaseSettings) -> int:
    from newscrawl.config import get_size

    return get_size(settings, "WARC_MIN_FREE_BYTES", 0) if settings.get("WARC_MIN_FREE_BYTES") else 0


def preflight_store(settings: BaseSettings) -> None:
    """The check ``scrapy crawl`` runs before the crawler starts (nothing fetched, no feed opened yet)."""
    from . import store_from_uri

    store_from_uri(settings.get("WARC_STORE"), settings).preflight()
