"""WARC files that stay where they are (S3), served to pywb by range over a loopback HTTP server.

pywb reads a capture with one HTTP range request for the record's bytes (the offset
and length its CDXJ index gives). ``RangeServer`` answers ``GET /<file name>`` with
``Range: bytes=A-B`` (or ``A-``, or ``-N``) by one ranged read of the file's source
(``Source.open``: one GetObject with that Range for an S3 object), streamed through
in pieces: an object is never copied, and a capture costs the bytes of its record.
The S3 client, its endpoint and credentials stay in this process; pywb sees only the
loopback URL. It runs in threads beside pywb, for as long as ``scrapy serve`` does.
A read of a source that fails (the object gone, S3 down, a body cut short) is logged and kept in
``failures``, so ``scrapy serve`` can say at its end what it could not show and exit non-zero.
"""

from __future__ import annotations

import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from newscrawl.archive.reader import Source

logger = logging.getLogger(__name__)

PIECE = 64 * 1024  # bytes read from the source and written to pywb at a time
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str | None, size: int | None) -> tuple[int, int | None] | None:
    """(offset, length or None for "to the end") of a single ``Range: bytes=...`` header; None when
    the header cannot be honoured (several ranges, a suffix of a file of unknown size, past its end)."""
    if header is None:
        return 0, None
    match = _RANGE.fullmatch(header.strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:  # bytes=-N: the last N bytes
        if size is None:
            return None
        count = min(int(match[2]), size)
        return size - count, count
    start = int(match[1])
    if size is not None and start >= size:
        return None
    if not match[2]:
        return start, None
    end = int(match[2])
    if end < start:
        return None
    if size is not None:
        end = min(end, size - 1)
    return start, end - start + 1


class RangeServer:
    """``files`` (name → source) on ``http://127.0.0.1:<port>/<name>``, with range requests."""

    def __init__(self, files: dict[str, Source], bind: str = "127.0.0.1"):
        self.files = dict(files)
        self._server = _Server((bind, 0), _Handler, self.files)
        self._thread: threading.Thread | None = None

    @property
    def failures(self) -> list[str]:
        """One line per read that failed (which object, which bytes, why), in the order they came."""
        with self._server.lock:
            return list(self._server.failures)

    @property
    def url(self) -> str:
        """The prefix pywb puts before a file name (its ``archive_paths`` entry)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "RangeServer":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="newscrawl-ranges", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "RangeServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a pywb connection left open must not hold up the stop

    def __init__(self, address, handler, files: dict[str, Source]):
        self.files = files
        self.failures: list[str] = []
        self.lock = threading.Lock()
        super().__init__(address, handler)

    def failed(self, message: str, *args) -> None:
        logger.error(message, *args)
        with self.lock:
            self.failures.append(message % args)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: pywb's requests session reuses its connection
    server: _Server

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        name = unquote(self.path.split("?", 1)[0].lstrip("/"))
        source = self.server.files.get(name)
        if source is None:
            self._refuse(404, f"no such file: {name}")
            return
        wanted = parse_range(self.headers.get("Range"), source.size)
        if wanted is None:
            self._refuse(416, f"cannot serve range {self.headers.get('Range')} of {name}",
                         [("Content-Range", f"bytes */{source.size if source.size is not None else '*'}")])
            return
        offset, length = wanted
        if length is None and source.size is not None:
            length = source.size - offset
        try:
            stream = source.open(offset, length) if body else None
        except Exception as exc:
            self.server.failed("Cannot read %s, bytes %s-: %s: %s", source.uri, offset, type(exc).__name__, exc)
            self._refuse(502, f"cannot read {name}: {type(exc).__name__}")
            return
        try:
            ranged = self.headers.get("Range") is not None
            self.send_response(206 if ranged else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            if length is not None:
                self.send_header("Content-Length", str(length))
                if ranged:
                    total = source.size if source.size is not None else "*"
                    self.send_header("Content-Range", f"bytes {offset}-{offset + length - 1}/{total}")
            else:  # size unknown: the body runs to the end of the connection
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if stream is not None:
                self._copy(stream, source, offset, length)
        finally:
            if stream is not None:
                stream.close()

    def _copy(self, stream, source: Source, offset: int, length: int | None) -> None:
        sent = 0
        while length is None or sent < length:
            try:
                piece = stream.read(PIECE if length is None else min(PIECE, length - sent))
            except Exception as exc:
                self.server.failed("Cannot read %s at offset %s: %s: %s", source.uri, offset + sent,
                                   type(exc).__name__, exc)
                break
            if not piece:
                break
            try:
                self.wfile.write(piece)
            except OSError:  # pywb read what it needed and closed: read no more of the object
                self.close_connection = True
                return
            sent += len(piece)
        if length is not None and sent < length:
            # Short: the client sees a body cut before its Content-Length, never a made-up end.
            self.server.failed("Served %s of %s bytes of %s from offset %s", sent, length, source.uri, offset)
            self.close_connection = True

    def _refuse(self, status: int, message: str, headers: list[tuple[str, str]] = ()) -> None:
        data = (message + "\n").encode("utf-8", "replace")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        logger.debug("pywb read %s", format % args)
