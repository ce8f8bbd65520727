"""Talking to S3-compatible storage: the client from Scrapy's settings, and verified uploads.

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
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from s3transfer.utils import ChunksizeAdjuster
from scrapy.settings import BaseSettings

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
