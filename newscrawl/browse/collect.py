"""Gathering WARC files and their CDXJ indexes, from any SOURCE the reader knows.

``scrapy wacz`` and ``scrapy report`` need the files on disk (a WACZ holds them):
local WARC files are used where they are; objects in S3 are streamed into a work
directory. ``scrapy serve`` asks for no copies: pywb reads an S3 object's records
by range (``ranges.py``), so the object stays where it is. Each file comes with
its CDXJ index, kept in the work directory: the one beside it (the crawl writes
one for every file), else one written now with cdxj-indexer (an S3 object is
streamed through it once, not stored).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newscrawl.archive.cdxj import index_name, index_path, parse_index, write_index
from newscrawl.archive.reader import LocalSource, Source, SourceError, expand_sources, s3_client_from_settings

logger = logging.getLogger(__name__)


@dataclass
class ArchiveFile:
    """One WARC file and its CDXJ index (on local disk); ``path`` is None for an S3 object not copied."""

    name: str
    path: Path | None
    index: Path
    uri: str  # where it came from (path or s3://bucket/key)
    source: Source | None = None  # the reader's source, to read it where it is


@dataclass
class Gathered:
    files: list[ArchiveFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: a source named nothing readable


def gather(specs: Iterable[str], workdir: Path, settings, copy: bool = True) -> Gathered:
    """Every WARC file the specs name, with an index each; S3 objects are copied into ``workdir``
    unless ``copy`` is false (then their ``path`` is None: read them through ``source``)."""
    out = Gathered()
    names: dict[str, str] = {}
    copies, indexes = workdir / "s3", workdir / "indexes"
    for source in expand_sources(list(specs), s3_client=lambda: s3_client_from_settings(settings),
                                 s3_page_size=settings.getint("REPLAY_S3_PAGE_SIZE") or 1000):
        if isinstance(source, SourceError):
            out.errors.append(str(source))
            continue
        name = source.uri.rsplit("/", 1)[-1]
        if name in names:
            # Index lines name files by their bare name: two files of one name cannot share a collection.
            out.errors.append(f"{source.uri}: another file of the same name ({names[name]}) is already included")
            continue
        try:
            if isinstance(source, LocalSource):
                path = source.path
            elif not copy:
                path = None
            else:
                copies.mkdir(parents=True, exist_ok=True)
                path = copies / name
                with source.open() as stream, open(path, "wb") as local:
                    shutil.copyfileobj(stream, local, 1024 * 1024)
                if source.size is not None and path.stat().st_size != source.size:
                    raise OSError(f"copied {path.stat().st_size} of its {source.size} bytes")
            index = _index_for(source, path, indexes)
        except Exception as exc:
            out.errors.append(f"{source.uri}: cannot read: {type(exc).__name__}: {exc}")
            continue
        names[name] = source.uri
        out.files.append(ArchiveFile(name, path, index, source.uri, source))
    return out


def _index_for(source, path: Path | None, indexes: Path) -> Path:
    """The file's own index when it has a sound one, else one written now (from ``path``, or
    streamed from the source when it has no local copy)."""
    indexes.mkdir(parents=True, exist_ok=True)
    name = source.uri.rsplit("/", 1)[-1]
    target = indexes / index_name(name)
    try:
        lines = source.open_index()
        if lines is not None:
            lines = list(lines)
            parse_index(lines, origin=f"index of {source.uri}")  # all or nothing
            if isinstance(source, LocalSource) and index_path(source.path).is_file():
                return index_path(source.path)
            target.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines),
                              encoding="utf-8")
            return target
    except ValueError as exc:
        logger.warning("%s; indexing %s again", exc, source.uri)
    if path is not None:
        return write_index(path, target)
    with source.open() as stream:
        return write_index(Path(name), target, stream=stream)
