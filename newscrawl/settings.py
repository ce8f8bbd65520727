"""Settings for newscrawl. Every setting we add is here, with its default and a comment.

Scrapy's own settings keep their meaning; see the README for the full table.
"""

from newscrawl import __version__
from newscrawl.follow.links import (
    DEFAULT_BLOCK_TITLES,
    DEFAULT_SECTION_MIN_LINKS,
    DEFAULT_EXCLUDED_BOX_PATTERNS,
    DEFAULT_SEE_MORE_PATTERNS,
    DEFAULT_TRACKING_PARAMETERS,
)

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
# Outputs of one callback processed at once. A page yields one Page and its links; Scrapy starts this
# many asyncio tasks per response whatever it yields (default 100: ~10% of a crawl's CPU in the profile).
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_ENABLED = True
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# Scrapy's telnet console logs its password at start: no credentials in logs, so off.
TELNETCONSOLE_ENABLED = False

# The archive: a downloader middleware next to the downloader (above 900), so
# it sees raw responses before retry, redirect and decompression.
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.incremental.middleware.RecrawlPolicyMiddleware": 60,
    # Refuses private/loopback/metadata destinations before robots.txt and before any connection.
    "newscrawl.safety.middleware.DestinationGuardMiddleware": 70,
    # Ends redirect loops with one log line (sees 3xx before RedirectMiddleware at 600).
    "newscrawl.follow.traps.RedirectLoopMiddleware": 610,
    # Scrapy's own decompression, counting bodies that inflate past DOWNLOAD_MAXSIZE (gzip bombs) as
    # newscrawl/pages/skipped/decompression_limit, as scrapy replay counts them.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.follow.pagecheck.DecompressionLimitMiddleware": 590,
    "newscrawl.archive.middleware.WarcArchiveMiddleware": 950,
    # CRAWL_FRONTIER only: a host's slot for the whole cluster (after the archive, before the downloader).
    "newscrawl.frontier.middleware.FrontierSlotMiddleware": 990,
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
# Rotate WARC files at this many bytes, or a size like "500MB" (never splitting a request from its response).
WARC_MAX_SIZE = 1_000_000_000
# Before the first request, the WARC directory (or the S3 spool) must have this much free space (bytes, or "256MiB").
WARC_MIN_FREE_BYTES = 256 * 1024 * 1024
# File name prefix: {prefix}-{timestamp}-{serial}-{hostname}-{pid}.warc.gz
WARC_PREFIX = "newscrawl"
# Crawl id written into warcinfo records; default: the UTC start time.
CRAWL_ID = None
# CIDR networks the crawler may reach although private/loopback (e.g. ["127.0.0.0/8"]).
ALLOWED_PRIVATE_NETWORKS: list[str] = []
# Seeds file used when `-a start_urls=` is not given (one URL per line, # comments).
SEEDS_FILE = None  # default: the seeds.txt shipped in the newscrawl package
# Titles of the blocks whose links are followed (case-insensitive, spacing normalised; the
# longest word, past its first letter, in lower case, UPPER CASE or as written here).
LATEST_BLOCK_TITLES = DEFAULT_BLOCK_TITLES
# Regular expressions for the block's link to the section page ("See more ...").
LATEST_SEE_MORE_PATTERNS = DEFAULT_SEE_MORE_PATTERNS
# Boxes on section pages whose links are never followed (matched on class/id or heading).
EXCLUDED_BOX_PATTERNS = DEFAULT_EXCLUDED_BOX_PATTERNS
# Query parameters dropped from every link (glob patterns: utm_*, fbclid, gclid, ...).
TRACKING_PARAMETERS = DEFAULT_TRACKING_PARAMETERS
# A page (start URL, Latest link, "See more" target, any) listing at least this many article links
# under its own path, and not calling itself an article, is a section page: those links are followed.
SECTION_MIN_ARTICLE_LINKS = DEFAULT_SECTION_MIN_LINKS
# Per-site link rules: {"host[:port]": {"latest_block": CSS or XPath, "section_articles": CSS or XPath}}.
LINK_SITE_RULES: dict[str, dict[str, str]] = {}
# The crawl lock and the state across runs are taken before anything else starts.
EXTENSIONS = {
    "newscrawl.incremental.extension.CrawlStateExtension": 0,
    # STATS_FILE: live crawl stats as a JSON file (off unless STATS_FILE is set).
    "newscrawl.browse.stats_file.StatsFileExtension": 500,
}
# Crawl state across runs: a SQLite file path, "redis://host:port/db", or "redis" (use REDIS_URL).
CRAWL_STATE = ".newscrawl/state.sqlite"
# Redis server for CRAWL_STATE = "redis".
REDIS_URL = None
# Keep state and take the lock at all (off: every run fetches everything, no lock).
CRAWL_STATE_ENABLED = True
# Name of the crawl the lock and state belong to; default: the spider's name.
CRAWL_NAME = None
# Seconds a run's lock lives without being refreshed (a crashed run holds it no longer).
CRAWL_LOCK_TTL = 600
# A distributed crawl (CRAWL_FRONTIER=redis...): seconds a new worker waits for the workers of a run
# that has ended to leave before it starts the next run (then exit 75).
CRAWL_RUN_WAIT = 600
# --- one crawl, many machines (a shared frontier on Redis) ---------------------
# Unset or "memory": the frontier is this process's (Scrapy's scheduler). "redis" (the server at
# REDIS_URL) or "redis://host:port/db": join the distributed crawl named CRAWL_NAME, whose queue,
# duplicate filter, leases and per-host politeness slots live in that Redis.
CRAWL_FRONTIER = None
# Seconds a worker's hold on a request lives without being renewed; a killed worker's requests go
# back to the queue after it (a live worker renews every third of it).
FRONTIER_LEASE_TIMEOUT = 60
# The crawl is done when the queue has been empty and no lease outstanding for this many seconds;
# every worker then closes (reason "finished").
FRONTIER_IDLE = 10
# Seconds between the archive's fsyncs that make captures durable (then their leases are done).
FRONTIER_SYNC_INTERVAL = 0.2
# Scrapy's scheduler, or the Redis frontier's when CRAWL_FRONTIER is set.
SCHEDULER = "newscrawl.frontier.scheduler.FrontierScheduler"
# Fetch archived articles again once older than this: "never" (None), seconds, or "6h", "2d".
RECRAWL_ARTICLES_AFTER = None
# Threads running article extraction off the reactor thread when EXTRACTION_PROCESSES = 0.
EXTRACTION_THREADS = 2
# Per-site extraction rules, versioned: {"host": {"version": 1, "title": "css", "body": "xpath:...",
# "authors": ..., "published": "time::attr(datetime)", "remove": [...]}}; the generic path stands without.
EXTRACTION_SITE_RULES: dict[str, dict] = {}

# --- WARC storage on S3 (WARC_STORE = "s3://bucket/prefix") -------------------
# Endpoint, credentials and region: Scrapy's AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION_NAME (unset: boto3's own chain).
# Local spool for S3 stores: WARC files are written here and deleted once verified in the bucket.
WARC_SPOOL_DIR = ".newscrawl/spool"
# Seconds the end of the crawl waits for uploads; what is left stays spooled (non-zero exit).
WARC_UPLOAD_TIMEOUT = 300
# First delay (seconds) before an upload that failed is tried again; doubles each time.
WARC_UPLOAD_RETRY_DELAY = 1.0
# Longest delay (seconds) between two tries of the same upload.
WARC_UPLOAD_MAX_RETRY_DELAY = 60.0
# Files at least this big (bytes) go up as multipart uploads.
WARC_MULTIPART_THRESHOLD = 64 * 1024 * 1024
# Part size (bytes) of multipart uploads (S3 raises it to at least 5 MiB).
WARC_MULTIPART_CHUNKSIZE = 16 * 1024 * 1024
# S3 addressing style: None (botocore's default), "path" or "virtual".
WARC_S3_ADDRESSING_STYLE = None
# botocore request_checksum_calculation: None (default "when_supported") or "when_required" (many non-AWS servers).
WARC_S3_REQUEST_CHECKSUM_CALCULATION = None
# botocore response_checksum_validation: None (default "when_supported") or "when_required".
WARC_S3_RESPONSE_CHECKSUM_VALIDATION = None
# Server-side checksum sent with uploads and verified after: None (verify by ETag/MD5) or "SHA256".
WARC_S3_CHECKSUM_ALGORITHM = None
# botocore retry mode ("standard" or "adaptive") and attempts per request, before our own retry loop.
WARC_S3_RETRY_MODE = "standard"
WARC_S3_MAX_ATTEMPTS = 5
# botocore connect and read timeouts (seconds) for S3 requests.
WARC_S3_CONNECT_TIMEOUT = 10
WARC_S3_READ_TIMEOUT = 60

# --- replay (`scrapy replay`) ---------------------------------------------------
# Processes running article extraction, in the live crawl and in `scrapy replay`: None = one per
# core; 0 = threads (EXTRACTION_THREADS) in the crawler's own process.
EXTRACTION_PROCESSES = None
# Pages between the archive reader and the feed at any time (bounds replay memory).
REPLAY_MAX_IN_FLIGHT = 64
# Pages the archive reader thread prepares per hand-over to the reactor.
REPLAY_READ_BATCH = 8
# Seconds between progress lines on stderr during a replay (0: only the final line).
REPLAY_PROGRESS_INTERVAL = 10
# Largest archived body replayed, decoded or not (bytes); 0: Scrapy's DOWNLOAD_MAXSIZE.
REPLAY_MAX_BODY_SIZE = 0
# Response records remembered (by digest, record id, URI+date) to resolve revisits at once;
# revisits whose original is not remembered are resolved by a second pass at the end.
REPLAY_REVISIT_INDEX_SIZE = 200_000
# Keys per ListObjectsV2 page when a SOURCE is s3://bucket/prefix.
REPLAY_S3_PAGE_SIZE = 1000
# Articles from revisit records too (resolved to their original's payload). False: their Pages are
# marked capture="revisit" and the pipeline drops them, as the live incremental crawl does.
REPLAY_REVISIT_ARTICLES = False

# --- hostile web: destination guard, bad pages, traps ---------------------------
# Resolver that refuses non-public addresses after resolution (and serves DNS_OVERRIDES).
TWISTED_DNS_RESOLVER = "newscrawl.safety.resolver.GuardedResolver"
# {"host.name": "IP"} answered without DNS, still checked by the guard (a test/ops aid, like /etc/hosts).
DNS_OVERRIDES: dict[str, str] = {}
# Spider middlewares: bad pages are logged (truncated/binary ones not parsed); link traps are not followed.
SPIDER_MIDDLEWARES = {
    # CRAWL_FRONTIER only: start URLs pushed once for the crawl; when a page's lease may end.
    "newscrawl.frontier.middleware.FrontierStartMiddleware": 5,
    "newscrawl.follow.pagecheck.BadPageMiddleware": 60,
    "newscrawl.follow.traps.LinkTrapMiddleware": 780,
    # Names each link cut at DEPTH_LIMIT (before Scrapy's DepthMiddleware at 900 drops it quietly).
    "newscrawl.follow.traps.DepthLimitMiddleware": 910,
}
# Bodies past this many bytes are cut and archived with WARC-Truncated: length (Scrapy default: 1 GiB).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
# Log a warning for bodies past this many bytes (Scrapy default: 32 MiB).
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Links longer than this are not followed (Scrapy's UrlLengthMiddleware logs each one).
URLLENGTH_LIMIT = 2000
# Redirect chains longer than this are dropped (Scrapy default: 20).
REDIRECT_MAX_TIMES = 10
# Links more than this many hops from a start URL are not followed (Scrapy default: 0, unlimited).
DEPTH_LIMIT = 25
# A link whose path repeats one segment more than this many times is a trap (/a/b/a/b/a/b).
LINK_TRAP_MAX_SEGMENT_REPEATS = 2
# A link whose query repeats one parameter more than this many times is a trap (?a=1&a=1&a=1).
LINK_TRAP_MAX_PARAM_REPEATS = 2
# A link to the same path with a longer query than its page's, this many times in a row, is a trap.
LINK_TRAP_MAX_QUERY_GROWTH = 3
# At most this many different queries are followed for one path.
LINK_TRAP_MAX_QUERY_VARIANTS = 50
# At most this many calendar-like URLs (path ending in a date, date in the query) of one shape.
LINK_TRAP_CALENDAR_BUDGET = 30
# Pages per task sent to an extraction process (EXTRACTION_PROCESSES > 0); at most two tasks per
# process at a time, so a batch is sent as soon as a process has room, full or not.
EXTRACTION_BATCH_SIZE = 8
# Pages waiting for (or in) extraction at most: at this many the downloads pause (engine.pause())
# until half are done, so memory stays bounded when pages come faster than they are extracted.
EXTRACTION_MAX_PENDING = 256

# --- looking at the archive (`scrapy serve`, `scrapy wacz`, `scrapy report`, STATS_FILE) ---------
# pywb's venv (it pins old libraries): None looks in .venv/pywb (`make .venv/pywb/.installed`), then PATH.
PYWB_DIR = None
# A JSON file rewritten every STATS_FILE_INTERVAL seconds during a crawl (crawled, pending, failed,
# archived bytes, per host), like browsertrix-crawler's stats file; None: none.
STATS_FILE = None
STATS_FILE_INTERVAL = 5.0
