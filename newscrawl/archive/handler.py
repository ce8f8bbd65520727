"""An HTTP/1.1 download handler that keeps the reason phrase and archives oversized bodies truncated.

Scrapy's responses carry the status code but not the reason phrase the server
sent; a WARC response record should have the real status line. This handler
is Scrapy's own HTTP/1.1 handler with two additions:

* the phrase is put in ``request.meta["http_reason"]`` when the headers
  arrive, where the archive middleware reads it;
* a body larger than ``DOWNLOAD_MAXSIZE`` (or the request's
  ``download_maxsize`` meta key) is cut at that size and returned instead of
  failing the download, so that the archive keeps the first ``DOWNLOAD_MAXSIZE``
  bytes: the response gets the ``"truncated"`` flag and
  ``request.meta["warc_truncated"] = "length"`` (the WARC-Truncated reason).
  Memory stays bounded: reading stops (and the connection is dropped) at the
  first network chunk past the limit, through Scrapy's public
  ``bytes_received``/``StopDownload`` mechanism. A page cut short is archived
  but is not a page: the spider should not parse it.

* what went over the wire is kept for the archive, per attempt: the request's
  header block as written (``request.meta["warc_request_head"]``), the
  response's status line and header lines as received, with their case, order
  and repeats (``request.meta["warc_response_head"]``), and the time the
  request was sent (``request.meta["warc_date"]``, the records' WARC-Date).
  The raw lines come from Twisted's parser (``lineReceived``), through the
  protocol and parser classes Scrapy's pool already substitutes;
* a response cut short by the server (the connection closed before the
  Content-Length or the last chunk) is returned with the ``"dataloss"`` flag
  and ``request.meta["warc_truncated"] = "disconnect"``. When the download
  should fail on data loss (Scrapy's ``DOWNLOAD_FAIL_ON_DATALOSS``, default
  True, or the ``download_fail_on_dataloss`` meta key), it then fails with
  ``CutResponse``, a ``ResponseDataLossError`` carrying the partial response:
  the archive middleware archives it in ``process_exception`` and Scrapy's
  retry middleware retries it as it retries any data loss.

It leans on Scrapy's internal agent, protocol and parser classes; if they ever
change shape, the standard ones are used and records fall back to the
standard phrase for the status code and the headers as Scrapy parsed them.
"""

from __future__ import annotations

import logging
import time
import weakref
from datetime import datetime, timezone

from scrapy import signals
from scrapy.core.downloader.handlers import http11
from scrapy.exceptions import ResponseDataLossError, StopDownload
from scrapy.http import Request, Response

from newscrawl.meta import (
    DATALOSS_FLAG, DATE_META, REASON_META, REQUEST_HEAD_META, RESPONSE_HEAD_META, TRUNCATED_FLAG, TRUNCATED_META,
)

logger = logging.getLogger(__name__)

# The states of Twisted's HTTP parser while the status line and headers arrive (the values of
# twisted.web._newclient.STATUS and HEADER: a private module, so not imported).
STATUS, HEADER = "STATUS", "HEADER"
_ATTEMPT_META = (REASON_META, TRUNCATED_META, DATE_META, REQUEST_HEAD_META, RESPONSE_HEAD_META)

_Agent = getattr(http11, "_ScrapyAgent", None)
_SUPPORTED = _Agent is not None and hasattr(_Agent, "_cb_bodyready")
_Protocol = getattr(http11, "_LenientHTTP11ClientProtocol", None)
_Parser = getattr(http11, "_LenientHTTPClientParser", None)
_Factory = getattr(http11, "_LenientHTTP11ClientFactory", None)
_WIRE = None not in (_Protocol, _Parser, _Factory)


class CutResponse(ResponseDataLossError):
    """The server closed the connection before the whole body arrived; ``response`` holds what did."""

    def __init__(self, response: Response):
        super().__init__(f"{response.url}: connection closed after {len(response.body)} bytes of the body")
        self.response = response


if _SUPPORTED:

    class _ReasonKeepingAgent(_Agent):  # type: ignore[misc, valid-type]
        def _cb_bodyready(self, txresponse, request: Request):
            phrase = getattr(txresponse, "phrase", b"") or b""
            request.meta[REASON_META] = phrase.decode("latin-1", "replace") if isinstance(phrase, bytes) else str(phrase)
            for attr, key in (("_newscrawl_sent_at", DATE_META), ("_newscrawl_request_head", REQUEST_HEAD_META),
                              ("_newscrawl_response_head", RESPONSE_HEAD_META)):
                value = getattr(txresponse, attr, None)
                if value is not None:
                    request.meta[key] = value
            return super()._cb_bodyready(txresponse, request)


if _WIRE:

    class _WireParser(_Parser):  # type: ignore[misc, valid-type]
        """Scrapy's lenient parser, keeping the status and header lines exactly as they came."""

        def lineReceived(self, line: bytes) -> None:  # noqa: N802 (Twisted's name)
            # LineReceiver splits on LF and hands the line without it (a CR stays).
            if self.state in (STATUS, HEADER):
                self.__dict__.setdefault("_newscrawl_lines", []).append(line + b"\n")
            super().lineReceived(line)

        def allHeadersReceived(self) -> None:  # noqa: N802
            lines = self.__dict__.pop("_newscrawl_lines", [])
            response = getattr(self, "response", None)
            if response is not None and not 100 <= response.code < 200:  # a 1xx is skipped, and its lines
                response._newscrawl_response_head = b"".join(lines)
            super().allHeadersReceived()

    class _WireProtocol(_Protocol):  # type: ignore[misc, valid-type]
        """Scrapy's protocol, noting when each request was sent and the header block it wrote."""

        def request(self, request):
            transport = self.transport
            written: list[bytes] = []
            original = transport.writeSequence
            recording = False

            def write_sequence(data) -> None:
                data = list(data)
                if not written:  # the first write is the request line and headers (Request._writeHeaders)
                    written.append(b"".join(data))
                original(data)

            try:
                transport.writeSequence = write_sequence
                recording = True
            except AttributeError:
                pass
            sent_at = datetime.fromtimestamp(time.time(), timezone.utc)
            try:
                deferred = super().request(request)
            finally:
                if recording:
                    del transport.writeSequence
            if self._parser is not None and type(self._parser) is _Parser:
                self._parser.__class__ = _WireParser

            def note(response):
                response._newscrawl_sent_at = sent_at
                if written:
                    response._newscrawl_request_head = written[0]
                return response

            deferred.addCallback(note)
            return deferred

    class _WireFactory(_Factory):  # type: ignore[misc, valid-type]
        def buildProtocol(self, addr):  # noqa: N802
            return _WireProtocol(self._quiescentCallback)


class ReasonKeepingDownloadHandler(http11.HTTP11DownloadHandler):
    """``DOWNLOAD_HANDLERS`` entry for http and https."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)
        if _WIRE and getattr(self._pool, "_factory", None) is _Factory:
            self._pool._factory = _WireFactory

    def _limit(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize", self._default_maxsize) or 0)

    def _bytes_received(self, data: bytes, request: Request, **_kwargs) -> None:
        limit = self._limit(request)
        if not limit:
            return
        received = self._received.get(request, 0) + len(data)
        self._received[request] = received
        if received > limit:
            request.meta[TRUNCATED_META] = "length"
            raise StopDownload(fail=False)

    async def download_request(self, request: Request) -> Response:
        # Scrapy's agent would fail the download at maxsize (and up front, from
        # Content-Length); _bytes_received does the limiting instead. It would
        # also drop a cut body on data loss: the agent always keeps it, and the
        # failure is raised here, after, with the body (CutResponse).
        for key in _ATTEMPT_META:
            request.meta.pop(key, None)
        fail_on_dataloss = request.meta.get("download_fail_on_dataloss", self._fail_on_dataloss)
        had_meta = "download_fail_on_dataloss" in request.meta
        request.meta["download_fail_on_dataloss"] = False
        agent_cls = _ReasonKeepingAgent if _SUPPORTED else http11._ScrapyAgent
        agent = agent_cls(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=0,
            warnsize=self._default_warnsize,
            fail_on_dataloss=False,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with http11.wrap_twisted_exceptions():
                response = await http11.maybe_deferred_to_future(agent.download_request(request))
        finally:
            self._received.pop(request, None)
            if had_meta:
                request.meta["download_fail_on_dataloss"] = fail_on_dataloss
            else:
                request.meta.pop("download_fail_on_dataloss", None)
        if request.meta.get(TRUNCATED_META) == "length":
            limit = self._limit(request)
            logger.warning("Truncated %s at DOWNLOAD_MAXSIZE (%d bytes): archived with WARC-Truncated: length, not parsed",
                           request.url, limit)
            self._crawler.stats.inc_value("newscrawl/truncated")
            response = response.replace(body=response.body[:limit], flags=[*response.flags, TRUNCATED_FLAG])
        elif DATALOSS_FLAG in response.flags:
            request.meta[TRUNCATED_META] = "disconnect"
            if fail_on_dataloss:
                if not self._fail_on_dataloss_warned:
                    logger.warning(http11.get_dataloss_msg(request.url))
                    self._fail_on_dataloss_warned = True
                raise CutResponse(response)
        return response
