"""newscrawl: a Scrapy crawler that archives world news into WARC files."""

from newscrawl.safety import redact

__version__ = "0.1.0"

# Before any crawl logs its settings: credentials passed as settings stay out of logs.
redact.install()
