"""Where finished WARC files go: ``LocalStore`` and ``S3Store`` behind one protocol, chosen by URI scheme.

The writer writes into the store's ``spool_dir`` and hands every closed file to
``store()``; ``uri_for(name)`` says where a file will live, which is what
records' pointers name. Nothing above this module knows which store it has.

``S3Store`` spools locally and uploads each closed file on a background thread
(``uploader.py``; the boto3 side is ``s3.py``). The spool mirrors the bucket:
``{WARC_SPOOL_DIR}/{bucket}/{prefix}/YYYY/MM/DD/{name}`` becomes the object
``{prefix}/YYYY/MM/DD/{name}``, so a file left behind by one crawl keeps its
key (and its records' pointers stay true) when a later crawl uploads it. A
spool file is deleted only once its object is verified.

Every closed WARC file gets its CDXJ index beside it (``cdxj.py``), off the
reactor: ``LocalStore`` writes it on the writer's thread and keeps it there;
``S3Store`` writes it in the spool on the upload thread and uploads it right
after its WARC file, to the same key plus ``.cdxj``. An index that cannot be
written is logged and counted (``warc/index_failed``); the WARC file goes on
without it (readers then read the whole file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from scrapy.settings import BaseSettings

from ..cdxj import index_name, index_path, write_index
from ..recovery import owned_by_live_process, repair_open_files
from .uploader import UploadQueue
from ..writer import ClosedFile

logger = logging.getLogger(__name__)


class WarcStore(Protocol):
    """The protocol every store follows."""

    spool_dir: Path
    #: Called with a file's URI once it is safely stored (on the writer or upload thread).
    on_stored: Callable[[str], None] | None

    def uri_for(self, name: str) -> str:
        """The URI a WARC file called ``name`` will have once stored."""

    def recover(self) -> list[ClosedFile]:
        """At start: repair ``.open`` files a dead crawler left and take over leftovers (off the reactor)."""

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


class LocalStore:
    """WARC files in a local directory: the spool is the store."""

    def __init__(self, directory: str | Path, prefix: str | None = None):
        self.spool_dir = Path(directory).expanduser().resolve()
        self.prefix = prefix
        self.stored: list[ClosedFile] = []
        self._counters: Counter[str] = Counter()
        self.on_stored: Callable[[str], None] | None = None

    @classmethod
    def from_uri(cls, uri: str, settings: BaseSettings) -> "LocalStore":
        parts = urlsplit(uri)
        return cls(parts.path if parts.scheme == "file" else uri, settings.get("WARC_PREFIX"))

    def uri_for(self, name: str) -> str:
        return str(self.spool_dir / name)

    def recover(self) -> list[ClosedFile]:
        repaired = []
        for repair in repair_open_files(self.spool_dir):
            self._counters["warc/recovered_bytes_cut"] += repair.cut_bytes
            if repair.closed is not None:
                self._counters["warc/recovered_files"] += 1
                repaired.append(repair.closed)
                self.store(repair.closed)
        return repaired

    def store(self, closed: ClosedFile) -> None:
        # Closed files are fsynced and renamed in place: stored already.
        self.stored.append(closed)
        if _index(closed.path) is None:
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
                  "sha256": _sha256(c.path),
                  "index": index_name(c.path.name) if index_path(c.path).exists() else None}
                 for c in self.stored if c.path.exists()]
        data = {**manifest, "store": str(self.spool_dir), "files": files, "pending_files": [], "complete": True}
        write_json_atomically(self.spool_dir / manifest_name(self.prefix, manifest.get("crawl_id")), data)

    def stats(self) -> dict[str, int]:
        return dict(self._counters)

    @property
    def pending_files(self) -> list[str]:
        return []


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


@dataclass
class _Job:
    path: Path
    entry: StoredFile
    # "warc" (this crawl), "leftover" (an earlier crawl's), "manifest" (this crawl's) or
    # "leftover-manifest" (an earlier crawl's, brought up to date before it goes up)
    kind: str


class ManifestWaiting(Exception):
    """A spooled manifest waits for its files: it goes up after them, saying they are stored."""


class S3Store:
    """WARC files spooled locally, uploaded to ``s3://bucket/prefix`` on a background thread."""

    def __init__(self, bucket: str, prefix: str, settings: BaseSettings, started: datetime | None = None,
                 client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.settings = settings
        self.started = (started or datetime.now(timezone.utc)).astimezone(timezone.utc)
        root = Path(settings.get("WARC_SPOOL_DIR") or ".newscrawl/spool").expanduser().resolve()
        # One spool per bucket/prefix, laid out like the bucket itself.
        self.spool_root = root / quote(bucket, safe="") / quote(self.prefix or "_", safe="")
        self.day = self.started.strftime("%Y/%m/%d")
        self.spool_dir = self.spool_root / self.day
        self.close_timeout = settings.getfloat("WARC_UPLOAD_TIMEOUT", 300)
        self._client = client
        self._client_lock = threading.Lock()
        self._uploader = None
        self._lock = threading.Lock()
        self._counters: Counter[str] = Counter()
        self.files: list[StoredFile] = []  # this crawl's
        self.leftovers: list[StoredFile] = []  # earlier crawls' files this crawl uploads
        self.manifest_entry: StoredFile | None = None
        self.on_stored: Callable[[str], None] | None = None
        self._pending: list[str] = []
        self._queue: UploadQueue[_Job] = UploadQueue(
            self._upload,
            retry_delay=settings.getfloat("WARC_UPLOAD_RETRY_DELAY", 1.0),
            max_retry_delay=settings.getfloat("WARC_UPLOAD_MAX_RETRY_DELAY", 60.0),
            on_failure=self._upload_failed,
        )

    @classmethod
    def from_uri(cls, uri: str, settings: BaseSettings) -> "S3Store":
        from .s3 import parse_s3_uri

        bucket, prefix = parse_s3_uri(uri)
        return cls(bucket, prefix, settings)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key_for(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def uri_for(self, name: str) -> str:
        return f"s3://{self.bucket}/{self.key_for(self.day + '/' + name)}"

    # -- the protocol -------------------------------------------------------

    def recover(self) -> list[ClosedFile]:
        """Repair ``.open`` leftovers, then queue every leftover file ahead of this crawl's."""
        repaired = []
        for repair in repair_open_files(self.spool_root, recursive=True):
            self._count("warc/recovered_bytes_cut", repair.cut_bytes)
            if repair.closed is not None:
                self._count("warc/recovered_files")
                repaired.append(repair.closed)
        records = {c.path: c.records for c in repaired}
        spooled = [p for p in sorted(self.spool_root.glob("*/*/*/*")) if not owned_by_live_process(p.name)]
        # WARC files first: a manifest goes up after its files, saying they are stored.
        for suffix, kind in ((".warc.gz", "leftover"), (".manifest.json", "leftover-manifest")):
            for path in (p for p in spooled if p.name.endswith(suffix)):
                relative = path.relative_to(self.spool_root).as_posix()
                key = self.key_for(relative)
                entry = StoredFile(path.name, key, f"s3://{self.bucket}/{key}", path.stat().st_size, records.get(path))
                if kind == "leftover":
                    self.leftovers.append(entry)
                    self._count("warc/leftover_files")
                logger.info("Uploading %s left in the spool by an earlier crawl", relative)
                self._queue.submit(_Job(path, entry, kind))
        return repaired

    def store(self, closed: ClosedFile) -> None:
        name = closed.path.name
        key = self.key_for(f"{self.day}/{name}")
        entry = StoredFile(name, key, f"s3://{self.bucket}/{key}", closed.size, closed.records)
        with self._lock:
            self.files.append(entry)
        self._queue.submit(_Job(closed.path, entry, "warc"))

    def close(self, manifest: dict | None = None) -> None:
        """Wait (at most ``WARC_UPLOAD_TIMEOUT``) for the uploads; then the manifest; report what is left."""
        deadline = _now() + self.close_timeout
        left = self._queue.drain(self.close_timeout)
        if manifest is not None:
            job = self._write_manifest(manifest, left)
            self._queue.submit(job)
            # The manifest gets its chance even when the files ran out of time.
            left = self._queue.drain(max(deadline - _now(), 1.0))
        self._queue.stop()
        self._pending = [job.entry.key for job in left]
        self._counters["warc/pending_files"] = len(self._pending)
        for key in self._pending:
            logger.error("Not uploaded, kept in the spool for the next crawl or `scrapy upload_pending`: %s", key)
        self._prune_empty_dirs()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counters)

    @property
    def pending_files(self) -> list[str]:
        return list(self._pending)

    # -- the upload thread --------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._counters[key] += n

    def _get_uploader(self):
        with self._client_lock:  # built on the upload thread: the reactor never waits on boto3
            if self._uploader is None:
                from .s3 import S3Uploader, client_from_settings

                client = self._client or client_from_settings(self.settings)
                self._uploader = S3Uploader(
                    client, self.bucket,
                    multipart_threshold=self.settings.getint("WARC_MULTIPART_THRESHOLD", 64 * 1024 * 1024),
                    multipart_chunksize=self.settings.getint("WARC_MULTIPART_CHUNKSIZE", 16 * 1024 * 1024),
                    checksum_algorithm=self.settings.get("WARC_S3_CHECKSUM_ALGORITHM"),
                )
            return self._uploader

    def _upload(self, job: _Job) -> None:
        if not job.path.exists():
            # Another crawl sharing the spool uploaded (and verified) it first.
            logger.warning("%s is gone from the spool; not uploading it", job.path)
            return
        manifest = job.kind in ("manifest", "leftover-manifest")
        waiting_for = self._complete_manifest(job.path) if job.kind == "leftover-manifest" else None
        content_type = "application/json" if manifest else "application/warc"
        index = None if manifest else self._ensure_index(job.path)
        if manifest or not job.entry.uploaded:  # a retry after the index's upload failed sends only the index
            digests = self._get_uploader().upload(job.path, job.entry.key, content_type=content_type)
            job.entry.sha256 = digests.sha256
            job.entry.uploaded = True
            job.entry.size = digests.size
        if index is not None:
            # After its WARC file: an index in the bucket always names an object that is there.
            self._get_uploader().upload(index, index_name(job.entry.key), content_type="application/cdxj")
            job.entry.index = index_name(job.entry.key)
            index.unlink()
            self._count("warc/indexes_uploaded")
        if manifest and waiting_for is None:
            waiting_for = self._spooled_pending(job.path)
        if manifest and waiting_for:
            # Incomplete: it stays in the spool too, to be brought up to date and sent
            # again by the run that uploads its files.
            logger.info("Manifest %s uploaded, incomplete: %d of its files are still in the spool",
                        job.path.name, waiting_for)
        else:
            job.path.unlink()  # only now: the object (and its index) is there, size and checksum verified
        if manifest:
            self._count("warc/manifest_uploaded")
        else:
            self._count("warc/uploaded")
            self._count("warc/uploaded_bytes", job.entry.size)
            if job.kind == "leftover":
                self._count("warc/leftover_uploaded")
            if self.on_stored:
                self.on_stored(job.entry.uri)
        logger.info("Uploaded %s to s3://%s/%s (%d bytes, sha256 %s, verified)",
                    job.path.name, self.bucket, job.entry.key, job.entry.size, job.entry.sha256)

    def _ensure_index(self, warc: Path) -> Path | None:
        """The WARC file's index in the spool, written now unless an earlier try left it."""
        path = index_path(warc)
        if path.exists():
            return path
        path = _index(warc)
        self._count("warc/index_failed" if path is None else "warc/indexed")
        return path

    def _upload_failed(self, job: _Job, exc: BaseException, failures: int) -> None:
        if isinstance(exc, ManifestWaiting):
            logger.debug("%s", exc)
            return
        self._count("warc/upload_failed")
        level = logging.ERROR if failures == 1 else logging.WARNING
        # str(exc) from botocore names the operation and the error code, never credentials.
        logger.log(level, "Upload of %s to s3://%s/%s failed (attempt %d), will retry: %s",
                   job.path.name, self.bucket, job.entry.key, failures, _describe(exc))

    # -- manifest -----------------------------------------------------------

    def _write_manifest(self, info: dict, left: list[_Job]) -> _Job:
        from .s3 import file_digests, safe_endpoint

        for entry, path in [(j.entry, j.path) for j in left]:
            if entry.sha256 is None and path.exists():
                entry.sha256 = file_digests(path, 1 << 62).sha256
        pending = {j.entry.key for j in left}
        manifest = {
            **info,
            "store": self.uri,
            "endpoint": safe_endpoint(self.settings.get("AWS_ENDPOINT_URL")),
            "files": [asdict(e) for e in self.files],
            "leftover_files": [asdict(e) for e in self.leftovers],
            "pending_files": sorted(pending),
            "complete": not pending,
        }
        name = manifest_name(self.settings.get("WARC_PREFIX"), info.get("crawl_id"))
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        path = self.spool_dir / name
        write_json_atomically(path, manifest)
        key = self.key_for(f"{self.day}/{name}")
        self.manifest_entry = StoredFile(name, key, f"s3://{self.bucket}/{key}", path.stat().st_size)
        return _Job(path, self.manifest_entry, "manifest")

    def _spool_path(self, key: str) -> Path:
        relative = key[len(self.prefix) + 1:] if self.prefix and key.startswith(self.prefix + "/") else key
        return self.spool_root / relative

    def _in_spool(self, keys) -> int:
        """How many of these objects' files are still in the spool."""
        return sum(self._spool_path(k).exists() for k in keys)

    def _spooled_pending(self, path: Path) -> int:
        """How many of a manifest's pending files are still in the spool."""
        return self._in_spool(json.loads(path.read_text(encoding="utf-8")).get("pending_files") or [])

    def _complete_manifest(self, path: Path) -> int:
        """Bring an earlier crawl's manifest up to date with what is stored now; its files still in the spool.

        Its pending files that this run uploaded, or that are in the bucket already
        (another run sent them), become ``uploaded`` with their SHA-256; when none is
        left, ``complete`` turns true and ``completed_at`` says when. Raises
        ``ManifestWaiting`` while one of them is still queued in this run.
        """
        data = json.loads(path.read_text(encoding="utf-8"))
        pending = list(data.get("pending_files") or [])
        if not pending:
            return 0
        queued = {e.key: e for e in self.leftovers}
        stored: dict[str, str | None] = {}
        for key in pending:
            entry = queued.get(key)
            if entry is not None:
                if not entry.uploaded:
                    raise ManifestWaiting(f"{path.name} waits for {key}")
                stored[key] = entry.sha256
            elif not self._spool_path(key).exists():
                sha256 = self._get_uploader().stored_sha256(key)
                if sha256 is not None:
                    stored[key] = sha256 or None
        for listed in (*data.get("files", []), *data.get("leftover_files", [])):
            if listed.get("key") in stored:
                listed["uploaded"] = True
                listed["sha256"] = stored[listed["key"]] or listed.get("sha256")
        left = [k for k in pending if k not in stored]
        data["pending_files"] = left
        data["complete"] = not left
        if not left:
            data["completed_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        write_json_atomically(path, data)
        return self._in_spool(left)

    def _prune_empty_dirs(self) -> None:
        if not self.spool_root.is_dir():
            return
        for directory in sorted((p for p in self.spool_root.rglob("*") if p.is_dir()), reverse=True):
            try:
                directory.rmdir()  # only succeeds when empty
            except OSError:
                pass


def manifest_name(prefix: str | None, crawl_id: object) -> str:
    """``{prefix}-{crawl id}-{hostname}-{pid}.manifest.json``, beside the crawl's WARC files."""
    crawl = "".join(c if c.isalnum() or c in "._" else "_" for c in str(crawl_id or "crawl"))
    host = socket.gethostname().replace("-", "_") or "localhost"
    return f"{prefix or 'newscrawl'}-{crawl}-{host}-{os.getpid()}.manifest.json"


def write_json_atomically(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _index(warc: Path) -> Path | None:
    """Write ``warc``'s CDXJ index beside it; None (logged) when it cannot be indexed."""
    try:
        return write_index(warc)
    except Exception as exc:
        logger.error("No CDXJ index for %s (readers will read the whole file): %s", warc.name, _describe(exc))
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> float:
    return time.monotonic()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


STORE_SCHEMES: dict[str, type] = {"": LocalStore, "file": LocalStore, "s3": S3Store}


def store_from_uri(uri: str, settings: BaseSettings) -> WarcStore:
    """The store for ``WARC_STORE``, picked by its scheme (``./warcs``, ``file://``, ``s3://``)."""
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter is a path, not a scheme
        scheme = ""
    try:
        cls = STORE_SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"WARC_STORE={uri!r}: unsupported scheme {scheme!r}; use a directory path"
            f" or one of {sorted(s for s in STORE_SCHEMES if s)}"
        ) from None
    return cls.from_uri(uri, settings)
