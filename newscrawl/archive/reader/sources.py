"""Sources: where WARC and ARC files are (paths, directories, globs, ``s3://bucket/prefix``) and how to stream them."""

from __future__ import annotations

import glob as globlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from ..cdxj import index_name, index_path

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")  # ARC files are read too


class Source(Protocol):
    """One WARC file somewhere: a name for pointers and a way to stream it."""

    uri: str  # what a record pointer's ``warc.uri`` names: absolute path, or s3://bucket/key
    size: int | None

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        """A binary stream of the file from ``offset`` on, ``length`` bytes of it when given (never the
        whole file in memory)."""

    def open_index(self) -> Iterator[str] | None:
        """The lines of the file's CDXJ index (``cdxj.py``), or None when it has none beside it."""


@dataclass
class LocalSource:
    """A WARC file on a local disk; ``uri`` is its absolute path, as ``LocalStore.uri_for`` writes it."""

    path: Path
    uri: str = ""
    size: int | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser().resolve()
        self.uri = self.uri or str(self.path)

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        stream = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        if offset:
            stream.seek(offset)
        return stream if length is None else _Bounded(stream, length)

    def open_index(self) -> Iterator[str] | None:
        path = index_path(self.path)
        if not path.is_file():
            return None
        with open(path, encoding="utf-8") as lines:
            return iter(lines.readlines())


class _Bounded:
    """The first ``length`` bytes of a stream: what a range request gives, for local files."""

    def __init__(self, stream: BinaryIO, length: int):
        self.stream = stream
        self.left = length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(self.left if size is None or size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> "_Bounded":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class S3Source:
    """An object in S3, streamed with GetObject (a Range from ``offset``)."""

    client: object
    bucket: str
    key: str
    size: int | None = None
    uri: str = ""

    def __post_init__(self) -> None:
        self.uri = self.uri or f"s3://{self.bucket}/{self.key}"

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        if length is not None:
            kwargs = {"Range": f"bytes={offset}-{offset + length - 1}"}
        else:
            kwargs = {"Range": f"bytes={offset}-"} if offset else {}
        return self.client.get_object(Bucket=self.bucket, Key=self.key, **kwargs)["Body"]

    def open_index(self) -> Iterator[str] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=index_name(self.key))["Body"]
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        try:
            return iter(body.read().decode("utf-8").splitlines())
        finally:
            body.close()


class SourceError(Exception):
    """A SOURCE argument that names nothing readable."""


def is_warc_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def expand_sources(specs: Iterable[str], s3_client: Callable[[], object] | None = None,
                   s3_page_size: int = 1000) -> Iterator[Source | SourceError]:
    """Every WARC file named by ``specs``, in order, each once; a ``SourceError`` for a spec naming none.

    A spec is a file (taken whatever its name), a directory (every ``*.warc``,
    ``*.warc.gz``, ``*.arc`` and ``*.arc.gz`` under it, recursively), a glob, or ``s3://bucket/prefix``
    (every WARC object under the prefix, listed page by page). ``s3_client``
    builds the boto3 client when the first ``s3://`` spec is met.
    """
    seen: set[str] = set()
    client = None
    for spec in specs:
        found = 0
        if spec.lower().startswith("s3://"):
            if client is None:
                try:
                    if s3_client is None:
                        raise ValueError("no S3 client configured")
                    client = s3_client()
                except Exception as exc:
                    yield SourceError(f"{spec}: cannot make an S3 client: {_describe(exc)}")
                    continue
            sources = _s3_sources(client, spec, s3_page_size)
        else:
            sources = _local_sources(spec)
        try:
            for source in sources:
                found += 1  # named by this spec, even if an earlier spec named it too
                if source.uri not in seen:
                    seen.add(source.uri)
                    yield source
        except Exception as exc:  # listing failed (permissions, network): report, go on with the rest
            yield SourceError(f"{spec}: cannot list: {type(exc).__name__}: {exc}")
            continue
        if not found:
            yield SourceError(f"{spec}: no WARC files found")


def _local_sources(spec: str) -> Iterator[LocalSource]:
    path = Path(spec).expanduser()
    if path.is_file():
        yield LocalSource(path, size=path.stat().st_size)
    elif path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                if is_warc_name(name):
                    file = Path(root, name)
                    yield LocalSource(file, size=file.stat().st_size)
    elif globlib.has_magic(spec):
        for match in sorted(globlib.glob(os.path.expanduser(spec), recursive=True)):
            file = Path(match)
            if file.is_file():
                yield LocalSource(file, size=file.stat().st_size)
            elif file.is_dir():
                yield from _local_sources(match)


def _s3_sources(client, spec: str, page_size: int) -> Iterator[S3Source]:
    parts = urlsplit(spec)
    bucket, prefix = parts.netloc, parts.path.lstrip("/")
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}):
        for obj in page.get("Contents", []):
            if is_warc_name(obj["Key"]):
                yield S3Source(client, bucket, obj["Key"], size=obj.get("Size"))


def s3_client_from_settings(settings):
    """The boto3 client the WARC store uses (``newscrawl.archive.store.s3``), from Scrapy's AWS_* settings."""
    from ..store.s3 import client_from_settings

    return client_from_settings(settings)


def _printable(text: str) -> str:
    """``text`` with control characters escaped (a damaged header line is full of them)."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), text)


def _describe(exc: BaseException) -> str:
    text = _printable(str(exc).strip())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__
