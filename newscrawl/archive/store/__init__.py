"""Where finished WARC files go: a store behind one protocol, chosen by ``WARC_STORE``'s URI scheme.

The writer writes into the store's ``spool_dir`` and hands every closed file to
``store()``; ``uri_for(name)`` says where a file will live, which is what
records' pointers name. Nothing above this package knows which store it has:
``local.LocalStore`` (a directory: the spool is the store) or ``s3.S3Store``
(spooled locally, uploaded on a background thread by ``uploader``, verified,
then deleted from the spool). ``manifest`` writes what goes beside the files:
each one's CDXJ index and the crawl's manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from ..writer import ClosedFile


class WarcStore(Protocol):
    """The protocol every store follows."""

    spool_dir: Path
    #: The directory holding every file the store has not finished with (spool_dir or above it).
    spool_root: Path
    #: Called with a file's URI once it is safely stored (on the writer or upload thread).
    on_stored: Callable[[str], None] | None

    def uri_for(self, name: str) -> str:
        """The URI a WARC file called ``name`` will have once stored."""

    def preflight(self) -> None:
        """Before the first request: raise ``preflight.StoreUnavailable`` when nothing could be archived."""

    def recover(self, elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[ClosedFile]:
        """At start: repair ``.open`` files a dead crawler left and take over leftovers (off the reactor).

        ``elsewhere``: crawlers known to be running on other hosts (file-name host, pid): theirs are left alone.
        """

    def store(self, closed: ClosedFile) -> None:
        """Take a closed file from the spool (called on the writer's thread)."""

    def close(self, manifest: dict | None = None) -> None:
        """Finish pending work, bounded in time; called once at the end (off the reactor).

        ``manifest`` is what the crawl says about itself (id, start, end); a
        store that keeps manifests adds its files and keeps it beside them.
        """

    def stats(self) -> dict[str, int]:
        """Counters for ``crawler.stats`` (``warc/...``)."""

    @property
    def pending_files(self) -> list[str]:
        """Files not safely stored after ``close()``: the crawl must not end "clean"."""


#: WARC_STORE scheme -> the store class, imported only when chosen (S3 brings boto3).
STORE_SCHEMES: dict[str, str] = {
    "": "newscrawl.archive.store.local.LocalStore",
    "file": "newscrawl.archive.store.local.LocalStore",
    "s3": "newscrawl.archive.store.s3.S3Store",
}


def store_from_uri(uri: str, settings: BaseSettings) -> WarcStore:
    """The store for ``WARC_STORE``, picked by its scheme (``./warcs``, ``file://``, ``s3://``)."""
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter is a path, not a scheme
        scheme = ""
    try:
        path = STORE_SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"WARC_STORE={uri!r}: unsupported scheme {scheme!r}; use a directory path"
            f" or one of {sorted(s for s in STORE_SCHEMES if s)}"
        ) from None
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name).from_uri(uri, settings)
