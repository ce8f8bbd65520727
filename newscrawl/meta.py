"""The ``request.meta`` keys and response flags newscrawl's components pass each other, in one place.

A component reading a key another one sets imports the key from here, never from
that component: no module imports another just for a constant.
"""

# -- request.meta keys --------------------------------------------------------

#: Set by the spider: how the page was reached: "start", "latest", "section" or "section_article".
ROLE = "newscrawl_role"
#: Set by the archive middleware: the response record's pointer ({uri, offset, record_id}) for the Page.
WARC_RECORD = "warc_record"
#: Set by the link trap middleware: how many times in a row a page's query grew.
GROWTH_META = "newscrawl_query_growth"

# Set by the download handler for the archive middleware, per attempt:
#: the reason phrase the server sent with the status
REASON_META = "http_reason"
#: the WARC-Truncated reason ("length", "disconnect")
TRUNCATED_META = "warc_truncated"
#: datetime (UTC) the request was sent: WARC-Date of both records
DATE_META = "warc_date"
#: bytes: request line and header lines, as written
REQUEST_HEAD_META = "warc_request_head"
#: bytes: status line and header lines, as received
RESPONSE_HEAD_META = "warc_response_head"

# -- response flags -------------------------------------------------------------

#: The body is cut short (DOWNLOAD_MAXSIZE): archive it, do not parse it.
TRUNCATED_FLAG = "truncated"
#: Scrapy's flag: the connection closed before the body was complete.
DATALOSS_FLAG = "dataloss"

# -- the distributed frontier (newscrawl.frontier) ------------------------------

#: The lease id a request was taken from the shared frontier with (kept by its retries and redirects).
FRONTIER_LEASE = "frontier_lease"
#: Set on a leased request handed to the engine by the frontier itself (not a new request to queue).
FRONTIER_DELIVERY = "frontier_delivery"
#: Set once the engine is done with the request (its page parsed, or its download failed for good).
FRONTIER_ENDED = "frontier_ended"
#: Set on each request a leased page's callback yields: that page's lease id (until the request is queued).
FRONTIER_PARENT = "frontier_parent"
#: The cluster-wide politeness slot the request holds while it is downloaded.
FRONTIER_SLOT = "frontier_slot"
