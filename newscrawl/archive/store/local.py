"""WARC files in a local directory (``WARC_STORE = "warcs"`` or ``file:///path``): the spool is the store.

Each closed file gets its CDXJ index beside it, on the writer's thread: the lines the writer
built as it wrote the file (a repaired file's from cdxj-indexer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from ..cdxj import index_name, index_path
from ..recovery import remove_index_leftovers, repair_open_files
from ..writer import ClosedFile
from .preflight import check_writable, min_free_bytes
from .manifest import file_sha256, index_beside, manifest_name, write_json_atomically


class LocalStore:
    """WARC files in a local directory: the spool is the store."""

    def __init__(self, directory: str | Path, prefix: str | None = None, min_free: int = 0):
        self.spool_dir = Path(directory).expanduser().resolve()
        self.spool_root = self.spool_dir  # everything this store keeps locally (for S3: every day's spool)
        self.prefix = prefix
        self.min_free = min_free
        self.stored: list[ClosedFile] = []
        self._counters: Counter[str] = Counter()
        self.on_stored: Callable[[str], None] | None = None

    @classmethod
    def from_uri(cls, uri: str, settings: BaseSettings) -> "LocalStore":
        parts = urlsplit(uri)
        return cls(parts.path if parts.scheme == "file" else uri, settings.get("WARC_PREFIX"), min_free_bytes(settings))

    def uri_for(self, name: str) -> str:
        return str(self.spool_dir / name)

    def preflight(self) -> None:
        check_writable(self.spool_dir, f"WARC_STORE {self.spool_dir}", self.min_free)

    def recover(self, elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[ClosedFile]:
        repaired = []
        for repair in repair_open_files(self.spool_dir, elsewhere=elsewhere):
            self._counters["warc/recovered_bytes_cut"] += repair.cut_bytes
            if repair.closed is not None:
                self._counters["warc/recovered_files"] += 1
                repaired.append(repair.closed)
                self.store(repair.closed)
        for warc in remove_index_leftovers(self.spool_dir, elsewhere=elsewhere):
            self._counters["warc/index_tmp_removed"] += 1
            if warc.exists() and not index_path(warc).exists():
                self._counters["warc/index_failed" if index_beside(warc) is None else "warc/indexed"] += 1
        return repaired

    def store(self, closed: ClosedFile) -> None:
        # Closed files are fsynced and renamed in place: stored already.
        self.stored.append(closed)
        if index_beside(closed.path, closed.index) is None:
            self._counters["warc/index_failed"] += 1
        else:
            self._counters["warc/indexed"] += 1
        if self.on_stored:
            self.on_stored(self.uri_for(closed.path.name))

    def close(self, manifest: dict | None = None) -> None:
        """Write the crawl's manifest beside its WARC files."""
        if manifest is None or not self.stored:
            return
        files = [{"name": c.path.name, "uri": self.uri_for(c.path.name), "size": c.size, "records": c.records,
                  "sha256": file_sha256(c.path),
                  "index": index_name(c.path.name) if index_path(c.path).exists() else None}
                 for c in self.stored if c.path.exists()]
        data = {**manifest, "store": str(self.spool_dir), "files": files, "pending_files": [], "complete": True}
        write_json_atomically(self.spool_dir / manifest_name(self.prefix, manifest.get("crawl_id")), data)

    def stats(self) -> dict[str, int]:
        return dict(self._counters)

    @property
    def pending_files(self) -> list[str]:
        return []
