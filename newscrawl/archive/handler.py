"""An HTTP/1.1 download handler that keeps the server's reason phrase.

Scrapy's responses carry the status code but not the reason phrase the server
sent; a WARC response record should have the real status line. This handler
is Scrapy's own HTTP/1.1 handler with one addition: the phrase is put in
``request.meta["http_reason"]`` when the headers arrive, where the archive
middleware reads it. It leans on Scrapy's internal agent class; if that ever
changes shape, the standard handler is used and records fall back to the
standard phrase for the status code.
"""

from __future__ import annotations

import logging

from scrapy.core.downloader.handlers import http11
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

REASON_META = "http_reason"

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

    async def download_request(self, request: Request) -> Response:
        if not _SUPPORTED:
            return await super().download_request(request)
        agent = _ReasonKeepingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with http11.wrap_twisted_exceptions():
                return await http11.maybe_deferred_to_future(agent.download_request(request))
        except http11.ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(http11.get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
