"""Writing a WACZ package (Web Archive Collection Zipped, 1.1.1) from WARC files and their indexes.

Layout, as the specification has it:

- ``archive/<name>.warc.gz``: the WARC files, stored (not deflated), so a player
  can read a record by its offset with a range request into the ZIP;
- ``indexes/index.cdx.gz`` and ``indexes/index.idx``: the files' CDXJ indexes merged
  (still sorted) as compressed CDXJ, gzip blocks of ``INDEX_BLOCK_LINES`` lines (stored in
  the ZIP, so a player fetches one block by a range request) and the index of the blocks
  (their first key, offset and length): cdxj-indexer's ``CompressedWriter``, the layout
  py-wacz writes and ReplayWeb.page reads;
- ``pages/pages.jsonl``: a ``json-pages-1.0`` header line, then one line per page
  (``url``, ``ts``, ``title``);
- ``datapackage.json``: a Frictionless data package listing every file with
  its size and ``sha256:`` hash, ``wacz_version`` and ``created``;
- ``datapackage-digest.json``: the hash of ``datapackage.json``.

Everything is streamed (no WARC file is held in memory) and the package is
written beside its final name, then renamed.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import os
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .collect import ArchiveFile

WACZ_VERSION = "1.1.1"
INDEX_BLOCK_LINES = 300  # index lines per gzip block of index.cdx.gz (cdxj-indexer's and py-wacz's default)
_CHUNK = 1024 * 1024
_ZIP64_FROM = 1 << 31


@dataclass
class PageEntry:
    url: str
    ts: str  # ISO 8601 (the capture's WARC-Date)
    title: str | None = None


def pages_jsonl(pages: list[PageEntry]) -> bytes:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})]
    for page in pages:
        entry = {"url": page.url, "ts": page.ts}
        if page.title:
            entry["title"] = page.title
        lines.append(json.dumps(entry, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_wacz(output: Path, files: list[ArchiveFile], pages: list[PageEntry], *, title: str, software: str,
               main_page: PageEntry | None = None) -> dict:
    """Write the package; returns its datapackage (what it lists)."""
    output = Path(output)
    tmp = output.with_name(output.name + ".tmp")
    resources = []
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as package:
            for file in files:
                resources.append(_add_file(package, f"archive/{file.name}", file.path, zipfile.ZIP_STORED))
            resources += _add_index(package, [f.index for f in files])
            resources.append(_add_bytes(package, "pages/pages.jsonl", pages_jsonl(pages)))
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            datapackage = {"profile": "data-package", "wacz_version": WACZ_VERSION, "title": title,
                           "created": now, "modified": now, "software": software, "resources": resources}
            if main_page is not None:
                datapackage["mainPageUrl"] = main_page.url
                datapackage["mainPageDate"] = main_page.ts
            data = json.dumps(datapackage, indent=2, ensure_ascii=False).encode("utf-8")
            _add_bytes(package, "datapackage.json", data)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
            _add_bytes(package, "datapackage-digest.json", json.dumps(digest, indent=2).encode("utf-8"))
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return datapackage


def _resource(path: str, digest, size: int) -> dict:
    return {"name": path.rsplit("/", 1)[-1].lower(), "path": path, "hash": "sha256:" + digest.hexdigest(),
            "bytes": size}


def _add_file(package: zipfile.ZipFile, path: str, source: Path, compression: int) -> dict:
    info = zipfile.ZipInfo.from_file(source, path)
    info.compress_type = compression
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as stream, package.open(info, "w", force_zip64=info.file_size >= _ZIP64_FROM) as out:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return _resource(path, digest, size)


class _Hashing:
    """A binary stream that hashes and counts what goes through it."""

    def __init__(self, out):
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)


def _add_index(package: zipfile.ZipFile, sources: list[Path]) -> list[dict]:
    """The sorted indexes merged (a streaming merge: each is sorted) into compressed CDXJ and its idx."""
    from cdxj_indexer.main import CompressedWriter

    info = zipfile.ZipInfo("indexes/index.cdx.gz", datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED  # gzip blocks already; read by range
    idx = io.StringIO()
    # Zip64 headers only when needed: ReplayWeb.page's ZIP reader misplaces members that carry
    # them. The compressed index is smaller than the indexes it merges.
    big = sum(p.stat().st_size for p in sources) >= _ZIP64_FROM
    with ExitStack() as stack, package.open(info, "w", force_zip64=big) as out:
        data = _Hashing(out)
        writer = CompressedWriter(idx, data_out=data, num_lines=INDEX_BLOCK_LINES, data_out_name="index.cdx.gz")
        streams = [stack.enter_context(open(p, encoding="utf-8")) for p in sources]
        for line in heapq.merge(*streams):
            if line.strip():
                writer.write(line if line.endswith("\n") else line + "\n")
        if writer.block:
            writer.flush()
    return [_resource("indexes/index.cdx.gz", data.digest, data.size),
            _add_bytes(package, "indexes/index.idx", idx.getvalue().encode("utf-8"))]


def _add_bytes(package: zipfile.ZipFile, path: str, data: bytes) -> dict:
    info = zipfile.ZipInfo(path, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    package.writestr(info, data)
    return _resource(path, hashlib.sha256(data), len(data))
