"""The S3 store (``WARC_STORE = "s3://bucket/prefix"``): the client from Scrapy's settings, verified uploads.

``S3Store`` spools locally and uploads each closed file on a background thread
(``uploader.UploadQueue``). The spool mirrors the bucket:
``{WARC_SPOOL_DIR}/{bucket}/{prefix}/YYYY/MM/DD/{name}`` becomes the object
``{prefix}/YYYY/MM/DD/{name}``, so a file left behind by one crawl keeps its
key (and its records' pointers stay true) when a later crawl uploads it. A
spool file is deleted only once its object is verified. Every closed WARC file
gets its CDXJ index, written in the spool on the upload thread and uploaded right
after its WARC file, to the same key plus ``.cdxj``; an index that cannot be
written is logged and counted (``warc/index_failed``), the WARC file goes on
without it (readers then read the whole file).

This is the only module that imports boto3. A file counts as stored when the
object's size is the file's and a checksum the *server* computed over the
bytes it received matches ours: ``ChecksumSHA256`` where the server keeps one
(AWS, moto; with ``WARC_S3_CHECKSUM_ALGORITHM = "SHA256"``), else the ETag as
MD5 of the whole object (single-part uploads; s3rver for multipart too) or as
the multipart MD5-of-part-MD5s. Anything else is "not verified" and the local
copy stays. The file's sha256 also goes into the object's metadata
(``x-amz-meta-sha256``) and the manifest, for readers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from s3transfer.utils import ChunksizeAdjuster
from scrapy.settings import BaseSettings

from ..cdxj import IndexLines, index_name, index_path
from ..recovery import owned_by_live_process, remove_index_leftovers, repair_open_files
from ..writer import ClosedFile
from .manifest import StoredFile, index_beside, manifest_name, write_json_atomically
from .preflight import StoreUnavailable, check_writable, min_free_bytes
from .uploader import UploadQueue

logger = logging.getLogger(__name__)

_READ_SIZE = 1024 * 1024


class UploadNotVerified(Exception):
    """The object in the bucket is not (provably) the file we sent."""


@dataclass
class Digests:
    """What we know of a local file, computed in one streaming pass."""

    size: int
    sha256: str  # hex, whole file
    md5: str  # hex, whole file
    part_size: int
    part_md5s: list[bytes] = field(default_factory=list)
    part_sha256s: list[bytes] = field(default_factory=list)

    @property
    def sha256_b64(self) -> str:
        return base64.b64encode(bytes.fromhex(self.sha256)).decode()

    def multipart_etag(self) -> str:
        return hashlib.md5(b"".join(self.part_md5s)).hexdigest() + f"-{len(self.part_md5s)}"

    def multipart_sha256_b64(self) -> str:
        return base64.b64encode(hashlib.sha256(b"".join(self.part_sha256s)).digest()).decode()


def file_digests(path: Path, part_size: int) -> Digests:
    """Size, sha256 and MD5 of ``path``, whole and per multipart part, streaming."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    part_md5s, part_sha256s = [], []
    part_md5, part_sha, in_part, size = hashlib.md5(), hashlib.sha256(), 0, 0
    with open(path, "rb") as stream:
        while chunk := stream.read(min(_READ_SIZE, part_size - in_part)):
            sha.update(chunk)
            md5.update(chunk)
            part_md5.update(chunk)
            part_sha.update(chunk)
            in_part += len(chunk)
            size += len(chunk)
            if in_part == part_size:
                part_md5s.append(part_md5.digest())
                part_sha256s.append(part_sha.digest())
                part_md5, part_sha, in_part = hashlib.md5(), hashlib.sha256(), 0
    if in_part or not part_md5s:
        part_md5s.append(part_md5.digest())
        part_sha256s.append(part_sha.digest())
    return Digests(size, sha.hexdigest(), md5.hexdigest(), part_size, part_md5s, part_sha256s)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` → (``bucket``, ``some/prefix``)."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket/prefix URI: {uri!r}")
    return parts.netloc, parts.path.strip("/")


def safe_endpoint(url: str | None) -> str | None:
    """The endpoint without any user:password part, fit for logs and manifests."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def client_from_settings(settings: BaseSettings):
    """A boto3 S3 client from Scrapy's ``AWS_*`` settings, else boto3's own chain.

    Unset settings are passed as ``None`` so that boto3 looks in the
    environment, its config files and instance roles as usual.
    """
    checks = {}
    if settings.get("WARC_S3_REQUEST_CHECKSUM_CALCULATION"):
        checks["request_checksum_calculation"] = settings.get("WARC_S3_REQUEST_CHECKSUM_CALCULATION")
    if settings.get("WARC_S3_RESPONSE_CHECKSUM_VALIDATION"):
        checks["response_checksum_validation"] = settings.get("WARC_S3_RESPONSE_CHECKSUM_VALIDATION")
    s3_config = {}
    if settings.get("WARC_S3_ADDRESSING_STYLE"):
        s3_config["addressing_style"] = settings.get("WARC_S3_ADDRESSING_STYLE")
    config = Config(
        retries={"mode": settings.get("WARC_S3_RETRY_MODE", "standard"),
                 "max_attempts": settings.getint("WARC_S3_MAX_ATTEMPTS", 5)},
        connect_timeout=settings.getfloat("WARC_S3_CONNECT_TIMEOUT", 10),
        read_timeout=settings.getfloat("WARC_S3_READ_TIMEOUT", 60),
        max_pool_connections=settings.getint("AWS_MAX_POOL_CONNECTIONS") or 10,
        s3=s3_config or None,
        **checks,
    )
    # botocore's DEBUG lines carry request headers (Authorization, x-amz-security-token):
    # keep them out of the crawl log whatever LOG_LEVEL says.
    for name in ("botocore", "boto3", "s3transfer", "urllib3"):
        quiet = logging.getLogger(name)
        if quiet.level == logging.NOTSET or quiet.level < logging.INFO:
            quiet.setLevel(logging.INFO)
    session = boto3.session.Session()
    kwargs = {}
    if settings.get("AWS_USE_SSL") is not None:
        kwargs["use_ssl"] = settings.getbool("AWS_USE_SSL")
    if settings.get("AWS_VERIFY") is not None:
        verify = settings.get("AWS_VERIFY")
        kwargs["verify"] = verify if isinstance(verify, str) and verify.lower() not in ("true", "false", "0", "1") \
            else settings.getbool("AWS_VERIFY")
    return session.client(
        "s3",
        aws_access_key_id=settings.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=settings.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=settings.get("AWS_SESSION_TOKEN") or None,
        endpoint_url=settings.get("AWS_ENDPOINT_URL") or None,
        region_name=settings.get("AWS_REGION_NAME") or None,
        config=config,
        **kwargs,
    )


class S3Uploader:
    """Uploads a file (multipart above the threshold) and proves it arrived whole."""

    def __init__(self, client, bucket: str, multipart_threshold: int, multipart_chunksize: int,
                 checksum_algorithm: str | None = None):
        self.client = client
        self.bucket = bucket
        self.checksum_algorithm = (checksum_algorithm or "").upper() or None
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=4,
            use_threads=True,
        )

    def part_size_for(self, size: int) -> int:
        # s3transfer's own adjustment (5 MiB minimum, 10,000 parts at most).
        return ChunksizeAdjuster().adjust_chunksize(self.transfer_config.multipart_chunksize, size)

    def upload(self, path: Path, key: str, content_type: str = "application/warc") -> Digests:
        """Upload ``path`` to ``key``; return its digests once the object is verified."""
        size = path.stat().st_size
        digests = file_digests(path, self.part_size_for(size))
        extra = {"Metadata": {"sha256": digests.sha256}, "ContentType": content_type}
        if self.checksum_algorithm:
            extra["ChecksumAlgorithm"] = self.checksum_algorithm
        # No ACL argument: objects get the bucket's (private) default, never public-read.
        self.client.upload_file(str(path), self.bucket, key, ExtraArgs=extra, Config=self.transfer_config)
        self.verify(key, digests)
        return digests

    def stored_sha256(self, key: str) -> str | None:
        """The SHA-256 an object was uploaded with ("" when it has none), or None when there is no such object."""
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return (head.get("Metadata") or {}).get("sha256", "")

    def verify(self, key: str, digests: Digests) -> None:
        head = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        if head.get("ContentLength") != digests.size:
            raise UploadNotVerified(f"{key}: {head.get('ContentLength')} bytes in the bucket, {digests.size} sent")
        server_sha = head.get("ChecksumSHA256")
        if server_sha:
            value = server_sha.split("-", 1)[0]
            if value in (digests.sha256_b64, digests.multipart_sha256_b64()):
                return
            raise UploadNotVerified(f"{key}: ChecksumSHA256 {server_sha} does not match the file")
        etag = (head.get("ETag") or "").strip('"')
        if etag in (digests.md5, digests.multipart_etag()):
            return
        raise UploadNotVerified(
            f"{key}: cannot verify the object (ETag {etag!r} is not the file's MD5 and the server keeps no"
            " SHA-256 checksum); set WARC_S3_CHECKSUM_ALGORITHM = 'SHA256' for servers that support it")


@dataclass
class _Job:
    path: Path
    entry: StoredFile
    # "warc" (this crawl), "leftover" (an earlier crawl's), "manifest" (this crawl's) or
    # "leftover-manifest" (an earlier crawl's, brought up to date before it goes up)
    kind: str
    # This crawl's file: its index as the writer built it; None: cdxj-indexer reads the file.
    index: IndexLines | None = None


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
        self.min_free = min_free_bytes(settings)
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

    def preflight(self) -> None:
        """The spool must take files; the bucket should be reachable (if not, the spool keeps them)."""
        check_writable(self.spool_root, f"WARC_SPOOL_DIR {self.spool_root} (the spool of WARC_STORE {self.uri})",
                       self.min_free)
        self.remember_store()
        try:
            problem = probe_bucket(self.settings, self.bucket, self._client)
        except BucketUnusable as exc:
            raise StoreUnavailable(f"WARC_STORE {self.uri}: {exc}") from None
        if problem:
            logger.warning("WARC_STORE %s is not reachable now (%s, endpoint %s): WARC files stay in the spool %s"
                           " and go up when it is back", self.uri, problem,
                           safe_endpoint(self.settings.get("AWS_ENDPOINT_URL")) or "AWS", self.spool_root)

    def remember_store(self) -> None:
        """Write ``STORE.json`` in the spool: which store its files belong to, and where its endpoint is.

        ``scrapy upload_pending`` reads it, so it can send every spooled file
        without being told the store; it goes when the spool is empty.
        """
        data = {"store": self.uri, "endpoint": safe_endpoint(self.settings.get("AWS_ENDPOINT_URL"))}
        path = self.spool_root / STORE_FILE
        try:
            if path.exists() and json.loads(path.read_text(encoding="utf-8")) == data:
                return
            self.spool_root.mkdir(parents=True, exist_ok=True)
            write_json_atomically(path, data)
        except (OSError, ValueError) as exc:
            logger.warning("Could not write %s (%s); `scrapy upload_pending` will need -s WARC_STORE", path, exc)

    def spooled_files(self) -> list[Path]:
        """Every WARC file and manifest in this store's spool (``.open`` ones included)."""
        if not self.spool_root.is_dir():
            return []
        return sorted(p for p in self.spool_root.glob("*/*/*/*")
                      if p.name.endswith((".warc.gz", ".warc.gz.open", ".manifest.json")))

    def recover(self, elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[ClosedFile]:
        """Repair ``.open`` leftovers, then queue every leftover file ahead of this crawl's."""
        repaired = []
        for repair in repair_open_files(self.spool_root, recursive=True, elsewhere=elsewhere):
            self._count("warc/recovered_bytes_cut", repair.cut_bytes)
            if repair.closed is not None:
                self._count("warc/recovered_files")
                repaired.append(repair.closed)
        # A leftover WARC file whose index was cut short is indexed again before its upload (_ensure_index).
        removed = remove_index_leftovers(self.spool_root, recursive=True, elsewhere=elsewhere)
        if removed:
            self._count("warc/index_tmp_removed", len(removed))
        records = {c.path: c.records for c in repaired}
        spooled = [p for p in sorted(self.spool_root.glob("*/*/*/*")) if not owned_by_live_process(p.name, elsewhere)]
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
        if not self.files:
            self.remember_store()
        name = closed.path.name
        key = self.key_for(f"{self.day}/{name}")
        entry = StoredFile(name, key, f"s3://{self.bucket}/{key}", closed.size, closed.records)
        with self._lock:
            self.files.append(entry)
        self._queue.submit(_Job(closed.path, entry, "warc", closed.index))

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
        index = None if manifest else self._ensure_index(job)
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

    def _ensure_index(self, job: _Job) -> Path | None:
        """The WARC file's index in the spool, written now unless an earlier try left it."""
        path = index_path(job.path)
        if path.exists():
            return path
        path = index_beside(job.path, job.index)
        job.index = None  # written (or failed: then a retry's cdxj-indexer reads the file)
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
        if [p.name for p in self.spool_root.iterdir()] == [STORE_FILE]:  # nothing left to send: no note needed
            try:
                (self.spool_root / STORE_FILE).unlink()
                self.spool_root.rmdir()
                self.spool_root.parent.rmdir()
            except OSError:
                pass


STORE_FILE = "STORE.json"


def spooled_stores(settings: BaseSettings) -> list[tuple[str, str | None]]:
    """(store URI, endpoint) of every S3 store with a spool under ``WARC_SPOOL_DIR``.

    Read from each spool's ``STORE.json``; a spool without one (written before
    it existed) is named by its layout, ``{bucket}/{prefix or _}``.
    """
    root = Path(settings.get("WARC_SPOOL_DIR") or ".newscrawl/spool").expanduser().resolve()
    found = []
    for spool in sorted(p for p in root.glob("*/*") if p.is_dir()):
        note = spool / STORE_FILE
        try:
            data = json.loads(note.read_text(encoding="utf-8")) if note.exists() else {}
        except (OSError, ValueError):
            data = {}
        if data.get("store"):
            found.append((data["store"], data.get("endpoint")))
        else:
            bucket, prefix = unquote(spool.parent.name), unquote(spool.name)
            found.append((f"s3://{bucket}/{'' if prefix == '_' else prefix}".rstrip("/"), None))
    return found


class BucketUnusable(Exception):
    """The bucket answers, and says it will never take our files (missing, access denied, no credentials)."""


def probe_bucket(settings: BaseSettings, bucket: str, client=None) -> str | None:
    """One quick HeadBucket: None when the bucket is there; a reason when it cannot be reached now.

    Raises ``BucketUnusable`` when waiting will not help (no such bucket,
    access denied, no credentials). Bounded: one attempt, short timeouts.
    """
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if client is None:
        quick = settings.copy()
        quick.frozen = False  # a copy of the crawler's (frozen) settings, for this probe only
        quick.set("WARC_S3_MAX_ATTEMPTS", 1, priority=1000)
        quick.set("WARC_S3_CONNECT_TIMEOUT", min(5.0, quick.getfloat("WARC_S3_CONNECT_TIMEOUT", 10)), priority=1000)
        quick.set("WARC_S3_READ_TIMEOUT", min(10.0, quick.getfloat("WARC_S3_READ_TIMEOUT", 60)), priority=1000)
        client = client_from_settings(quick)
    try:
        client.head_bucket(Bucket=bucket)
    except NoCredentialsError:
        raise BucketUnusable("no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or boto3's"
                             " environment, config files or instance role)") from None
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("404", "NoSuchBucket", "NotFound"):
            raise BucketUnusable(f"the bucket {bucket!r} does not exist") from None
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"):
            raise BucketUnusable(f"access to the bucket {bucket!r} is denied ({code})") from None
        return f"HeadBucket answered {status or code}"
    except (BotoCoreError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _now() -> float:
    return time.monotonic()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
