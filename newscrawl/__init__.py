"""newscrawl: a Scrapy crawler that archives world news into WARC files."""

__version__ = "0.1.0"
