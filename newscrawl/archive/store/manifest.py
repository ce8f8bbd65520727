"""What a store writes beside the WARC files: each file's CDXJ index, the crawl's manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from newscrawl.host import file_name_host

from ..cdxj import IndexLines, index_path, write_index

logger = logging.getLogger(__name__)


@dataclass
class StoredFile:
    """One file on its way to the bucket, as the manifest lists it."""

    name: str
    key: str
    uri: str
    size: int
    records: int | None = None
    sha256: str | None = None
    uploaded: bool = False
    index: str | None = None  # key of its CDXJ index, once uploaded


def manifest_name(prefix: str | None, crawl_id: object) -> str:
    """``{prefix}-{crawl id}-{hostname}-{pid}.manifest.json``, beside the crawl's WARC files."""
    crawl = "".join(c if c.isalnum() or c in "._" else "_" for c in str(crawl_id or "crawl"))
    return f"{prefix or 'newscrawl'}-{crawl}-{file_name_host()}-{os.getpid()}.manifest.json"


def write_json_atomically(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def index_beside(warc: Path, lines: IndexLines | None = None) -> Path | None:
    """Write ``warc``'s CDXJ index beside it; None (logged) when it cannot be indexed.

    ``lines``: the index the writer built as it wrote the file (no second read of it);
    without them (a file repaired or left by another crawl), cdxj-indexer reads the file.
    """
    try:
        return lines.write(index_path(warc)) if lines is not None else write_index(warc)
    except Exception as exc:
        logger.error("No CDXJ index for %s (readers will read the whole file): %s", warc.name, f"{type(exc).__name__}: {exc}")
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
