"""Settings for newscrawl. Every setting we add is here, with its default and a comment.

Scrapy's own settings keep their meaning; see the README for the full table.
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

USER_AGENT = f"newscrawl/{__version__} (news archive crawler)"
ROBOTSTXT_OBEY = True

# Plain gzip/deflate keep the archive readable by every WARC tool (no br/zstd).
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_ENABLED = True
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# The archive: a downloader middleware next to the downloader (above 900), so
# it sees raw responses before retry, redirect and decompression.
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.archive.middleware.WarcArchiveMiddleware": 950,
}
# Scrapy's HTTP/1.1 handler, keeping the reason phrase for the archive's status lines.
DOWNLOAD_HANDLERS = {
    "http": "newscrawl.archive.handler.ReasonKeepingDownloadHandler",
    "https": "newscrawl.archive.handler.ReasonKeepingDownloadHandler",
}
ITEM_PIPELINES = {
    "pipelines.extract.ArticleExtractionPipeline": 300,
}

# --- newscrawl settings -------------------------------------------------------
# Where WARC files go: a directory (default "warcs"), or file:///path.
WARC_STORE = "warcs"
# Rotate WARC files at this many bytes (never splitting a request from its response).
WARC_MAX_SIZE = 1_000_000_000
# File name prefix: {prefix}-{timestamp}-{serial}-{hostname}-{pid}.warc.gz
WARC_PREFIX = "newscrawl"
# Crawl id written into warcinfo records; default: the UTC start time.
CRAWL_ID = None
# CIDR networks the crawler may reach although private/loopback (e.g. ["127.0.0.0/8"]).
ALLOWED_PRIVATE_NETWORKS: list[str] = []
# Seeds file used when `-a start_urls=` is not given (one URL per line, # comments).
SEEDS_FILE = None  # default: the seeds.txt shipped in the newscrawl package
# Titles of the blocks whose links are followed (case-insensitive, spacing normalised).
LATEST_BLOCK_TITLES = ["Latest World News"]
# Regular expressions for the block's link to the section page ("See more ...").
LATEST_SEE_MORE_PATTERNS = [r"^(see|view|show)\s+(more|all)\b", r"^more\b"]
# Boxes on section pages whose links are never followed (matched on class/id or heading).
EXCLUDED_BOX_PATTERNS = [r"trending", r"most[\s_-]*(read|popular|viewed|shared)", r"popular"]
# Query parameters dropped from every link (glob patterns).
TRACKING_PARAMETERS = [
    "utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "_ga", "_gl", "igshid", "ocid", "cmpid", "at_medium", "at_campaign", "ito",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
]
# Per-site link rules: {"host[:port]": {"latest_block": CSS or XPath, "section_articles": CSS or XPath}}.
LINK_SITE_RULES: dict[str, dict[str, str]] = {}
# Threads running article extraction off the reactor thread.
EXTRACTION_THREADS = 2
