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

It leans on Scrapy's internal agent class for the reason phrase; if that ever
changes shape, the standard agent is used and records fall back to the
standard phrase for the status code.
"""

from __future__ import annotations

import logging
import weakref

from scrapy import signals
from scrapy.core.downloader.handlers import http11
from scrapy.exceptions import StopDownload
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

REASON_META = "http_reason"
TRUNCATED_META = "warc_truncated"  # WARC-Truncated reason ("length") for the archive middleware
TRUNCATED_FLAG = "truncated"  # response flag: the body is cut short, archive it but do not parse it

_Agent = getattr(http11, "_ScrapyAgent", None)
_SUPPORTED = _Agent is not None and hasattr(_Agent, "_cb_bodyready")


if _SUPPORTED:

    class _ReasonKeepingAgent(_Agent):  # type: ignore[misc, valid-type]
        def _cb_bodyready(self, txresponse, request: Request):
            phrase = getattr(txresponse, "phrase", b"") or b""
            request.meta[REASON_META] = phrase.decode("latin-1", "replace") if isinstance(phrase, bytes) else str(phrase)
            return super()._cb_bodyready(txresponse, request)


class ReasonKeepingDownloadHandler(http11.HTTP11DownloadHandler):
    """``DOWNLOAD_HANDLERS`` entry for http and https."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

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
        # Content-Length); _bytes_received does the limiting instead.
        request.meta.pop(TRUNCATED_META, None)
        agent_cls = _ReasonKeepingAgent if _SUPPORTED else http11._ScrapyAgent
        agent = agent_cls(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=0,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with http11.wrap_twisted_exceptions():
                response = await http11.maybe_deferred_to_future(agent.download_request(request))
        except http11.ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(http11.get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        finally:
            self._received.pop(request, None)
        if request.meta.get(TRUNCATED_META):
            limit = self._limit(request)
            logger.warning("Truncated %s at DOWNLOAD_MAXSIZE (%d bytes): archived with WARC-Truncated: length, not parsed",
                           request.url, limit)
            self._crawler.stats.inc_value("newscrawl/truncated")
            response = response.replace(body=response.body[:limit], flags=[*response.flags, TRUNCATED_FLAG])
        return response
