"""Real S3-compatible servers on loopback for the tests, a fault-injecting proxy, and a small news site.

- ``MotoServer``: moto's server mode (``moto_server``, PyPI ``moto[server]``), in memory.
- ``S3rverServer``: s3rver (npm), installed in ``tests/.s3rver`` (``npm install --prefix tests/.s3rver s3rver@3.7.1``).
- ``FaultProxy``: a TCP proxy in front of either; the crawler talks to it, so a test can
  take "S3" down, bring it back, or cut the connection in the middle of an upload. It
  also records every HTTP request line it forwards (to prove no ``.open`` key is ever sent),
  and counts the bytes the server sends back (what a reader really fetched).
- ``NewsSite``: a tiny news site the worldnews spider crawls, logging every exchange it
  served completely (URL, status, sha1 of the body), with optional delays and a page
  that hangs (to SIGKILL a crawler at a known point).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from newscrawl.archive.recovery import complete_prefix

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
S3RVER_DIR = TESTS / ".s3rver"  # git-ignored; `make test` installs s3rver here
S3RVER_VERSION = "3.7.1"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


class S3Server:
    """Common part: a server process, its endpoint, credentials and extra crawler settings."""

    name = "s3"
    access_key = "test-access-key"
    secret_key = "test-secret-key-do-not-leak"
    settings: dict[str, str] = {}

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, endpoint: str | None = None):
        return boto3.client(
            "s3", endpoint_url=endpoint or self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                          response_checksum_validation="when_required", retries={"max_attempts": 2}),
        )

    def create_bucket(self, bucket: str) -> None:
        self.client().create_bucket(Bucket=bucket)

    def _launch(self, argv, log_name: str, attempts: int = 5) -> None:
        """Start ``argv(port)`` on a free port. Under pytest-xdist another worker can take the port
        between the probe and the server's bind: the server exits (or something else answers
        while it does), and another port is tried."""
        for attempt in range(attempts):
            if attempt:
                self.port = free_port()
            log = open(self.workdir / log_name, "ab")
            self.proc = subprocess.Popen(argv(self.port), stdout=log, stderr=subprocess.STDOUT)
            log.close()
            try:
                wait_for_port(self.port, timeout=60, proc=self.proc)
                time.sleep(0.2)
                if self.proc.poll() is None:
                    return
            except RuntimeError:
                pass
            self.stop()
        raise RuntimeError(f"{self.name} did not start (see {self.workdir / log_name})")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class MotoServer(S3Server):
    name = "moto"
    # moto checks nothing, so the crawler uses botocore's defaults and SHA-256 checksums here.
    settings = {"WARC_S3_CHECKSUM_ALGORITHM": "SHA256"}

    def start(self) -> "MotoServer":
        exe = Path(sys.executable).parent / "moto_server"
        self._launch(lambda port: [str(exe), "-H", "127.0.0.1", "-p", str(port)], "moto.log")
        return self


class S3rverServer(S3Server):
    name = "s3rver"
    access_key = "S3RVER"  # s3rver's fixed credentials; it checks signatures
    secret_key = "S3RVER"
    # s3rver predates botocore 1.36's default checksums (aws-chunked with trailers).
    settings = {"WARC_S3_REQUEST_CHECKSUM_CALCULATION": "when_required",
                "WARC_S3_RESPONSE_CHECKSUM_VALIDATION": "when_required"}

    @staticmethod
    def executable() -> Path:
        exe = S3RVER_DIR / "node_modules" / ".bin" / "s3rver"
        if not exe.exists() and shutil.which("npm"):
            # Same as the Makefile's step; reaches only the npm registry.
            subprocess.run(["npm", "install", "--prefix", str(S3RVER_DIR), "--no-audit", "--no-fund",
                            f"s3rver@{S3RVER_VERSION}"], check=True, capture_output=True)
        if not exe.exists():
            raise RuntimeError(f"s3rver is not installed: npm install --prefix tests/.s3rver s3rver@{S3RVER_VERSION}")
        return exe

    def start(self) -> "S3rverServer":
        data = self.workdir / "s3rver-data"
        data.mkdir(exist_ok=True)
        exe = str(self.executable())
        self._launch(lambda port: [exe, "-d", str(data), "-a", "127.0.0.1", "-p", str(port), "--no-vhost-buckets"],
                     "s3rver.log")
        return self


SERVERS = {"moto": MotoServer, "s3rver": S3rverServer}

_REQUEST_LINE = re.compile(rb"(GET|PUT|POST|HEAD|DELETE) (/[^ \r\n]*) HTTP/1\.[01]\r\n")


class FaultProxy:
    """A TCP proxy to an S3 server that tests can take down, bring up, or cut mid-upload."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request forwarded
        self.ranges: list[str | None] = []  # each request's Range header (None without), same order
        self.received = 0  # bytes the server sent back through the proxy, headers included
        self.cut_upload_after: int | None = None  # bytes of a WARC PUT to forward before going down
        self.cut_done = threading.Event()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_up(self) -> bool:
        return self._listener is not None

    def up(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            sock.listen(64)
            sock.settimeout(0.1)
            self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and break the open ones, as a server that went away."""
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, set()
        if listener is not None:
            listener.close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._conns |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, to_server: bool) -> None:
        carry = b""
        put_bytes = None  # counting bytes of a WARC PUT, when cutting
        try:
            while data := src.recv(65536):
                if to_server:
                    window = carry + data
                    for match in _REQUEST_LINE.finditer(window):
                        if match.end() > len(carry):
                            method, path = match[1].decode(), match[2].decode("latin-1")
                            self.requests.append((method, path))
                            head = window[match.end():].split(b"\r\n\r\n", 1)[0].decode("latin-1")
                            found = re.search(r"(?im)^range:\s*(\S+)", head)
                            self.ranges.append(found[1] if found else None)
                            if (self.cut_upload_after is not None and method == "PUT"
                                    and ".warc.gz" in path and not self.cut_done.is_set()):
                                put_bytes = 0
                    carry = window[-300:]
                    if put_bytes is not None:
                        room = self.cut_upload_after - put_bytes
                        if len(data) >= room:
                            dst.sendall(data[:room])
                            time.sleep(0.2)  # let the server take the partial body
                            self.cut_done.set()
                            self.down()
                            return
                        put_bytes += len(data)
                else:
                    with self._lock:
                        self.received += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# --- the news site -------------------------------------------------------------

def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{body}</body></html>").encode()


class NewsSite:
    """A home page with a "Latest World News" block, a /world/ section and articles.

    Every article carries ``article_size`` bytes of text, so WARC files rotate
    quickly with a small ``WARC_MAX_SIZE``. ``delay`` slows every page;
    ``hang`` names paths that never answer (until ``hang`` is emptied).
    """

    def __init__(self, articles: int = 24, article_size: int = 6000, delay: float = 0.0):
        self.articles = articles
        self.article_size = article_size
        self.delay = delay
        self.hang: set[str] = set()
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def start_urls(self) -> list[str]:
        return [self.base + "/"]

    def body_for(self, path: str) -> tuple[int, bytes, str]:
        latest = self.articles // 2
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/":
            links = "".join(f"<li><a href='/world/story-{i}'>Story number {i}</a></li>" for i in range(latest))
            return 200, _page("Home", f"<h1>News</h1><section><h2>Latest World News</h2><ul>{links}</ul>"
                                      "<p><a href='/world/'>See more</a></p></section>"), "text/html"
        if path == "/world/":
            links = "".join(f"<li><a href='/world/story-{i}'>Story number {i}</a></li>"
                            for i in range(latest, self.articles))
            return 200, _page("World", f"<h1>World</h1><ul>{links}</ul>"), "text/html"
        match = re.fullmatch(r"/world/story-(\d+)", path)
        if match and int(match[1]) < self.articles:
            rng = random.Random(int(match[1]))
            # hex text: compresses about 2:1, so files rotate at predictable sizes
            words = " ".join(rng.randbytes(16).hex() for _ in range(self.article_size // 33))
            return 200, _page(f"Story {match[1]}", f"<article><h1>Story {match[1]}</h1><p>{words}</p></article>"), \
                "text/html"
        return 404, _page("Not found", "<p>Not found</p>"), "text/html"

    def start(self) -> "NewsSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                while path in site.hang:
                    time.sleep(0.05)
                if site.delay:
                    time.sleep(site.delay)
                status, body, ctype = site.body_for(path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    return
                with site._lock:
                    site.log.append({"url": site.base + self.path, "status": status,
                                     "sha1": hashlib.sha1(body).hexdigest()})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.hang.clear()
        if self.server:
            self.server.shutdown()
            self.server.server_close()


# --- running the crawler against S3 ----------------------------------------------

def crawl_command(workdir: Path, start_urls: list[str], store_uri: str, endpoint: str, server: S3Server,
                  *settings: str) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", "start_urls=" + ",".join(start_urls),
           "-O", str(workdir / "articles.jsonl"), "-s", f"WARC_STORE={store_uri}",
           "-s", f"WARC_SPOOL_DIR={workdir / 'spool'}", "-s", f"AWS_ENDPOINT_URL={endpoint}",
           "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path",
           "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8", "-s", f"LOG_FILE={workdir / 'crawl.log'}",
           "-s", "LOG_LEVEL=DEBUG", "-s", "WARC_UPLOAD_RETRY_DELAY=0.2", "-s", "WARC_UPLOAD_MAX_RETRY_DELAY=1",
           "-s", "WARC_S3_MAX_ATTEMPTS=2", "-s", "WARC_S3_CONNECT_TIMEOUT=2", "-s", "WARC_S3_READ_TIMEOUT=10",
           # The crawl lock and recrawl state (newscrawl/incremental/) live in the working
           # directory and are shared by every crawl there; these tests restart killed crawls.
           "-s", "CRAWL_STATE_ENABLED=False"]
    for name, value in server.settings.items():
        cmd += ["-s", f"{name}={value}"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def crawl_env(server: S3Server) -> dict[str, str]:
    """Credentials through boto3's standard chain (the environment), as in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "PYTHONPATH": str(REPO), "AWS_ACCESS_KEY_ID": server.access_key,
            "AWS_SECRET_ACCESS_KEY": server.secret_key, "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}


_STAT = re.compile(r"'(warc/[^']+)': (\d+)")


def stats_from_log(text: str) -> dict[str, int]:
    """The warc/ counters from the final stats dump of a crawl log."""
    dump = text.rsplit("Dumping Scrapy stats:", 1)[-1] if "Dumping Scrapy stats:" in text else ""
    return {k: int(v) for k, v in _STAT.findall(dump)}


def start_until_hanging(cmd, moto, site, tmp_path, served: int) -> subprocess.Popen:
    """Start a crawl and wait until it has archived ``served`` exchanges and hangs on the next page."""
    crawler = subprocess.Popen(cmd, cwd=REPO, env=crawl_env(moto),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180  # generous: xdist workers share the cores
    while time.monotonic() < deadline:
        open_files = list((tmp_path / "spool").rglob("*.open"))
        if len(site.log) >= served and open_files and complete_prefix(open_files[0])[1] == 1 + 2 * served:
            return crawler
        time.sleep(0.05)
    crawler.kill()
    pytest.fail(f"crawl did not reach the hanging page: {len(site.log)} served")


def upload_archive(client, paths, bucket: str = "news-archive", prefix: str = "crawls/2024") -> dict[str, str]:
    """Create ``bucket`` and put each WARC file under ``prefix``; local path → its s3:// URI."""
    client.create_bucket(Bucket=bucket)
    uris = {}
    for path in paths:
        key = f"{prefix}/{path.name}"
        client.upload_file(str(path), bucket, key)
        uris[str(path)] = f"s3://{bucket}/{key}"
    return uris
