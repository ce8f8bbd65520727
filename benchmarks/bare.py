"""The baseline of the crawl benchmark: a bare Scrapy spider following the links newscrawl follows.

No newscrawl code and no project settings: Scrapy's defaults plus the
concurrency and robots settings the benchmark gives both crawlers. It follows
the "Latest World News" block's links, its "See more" link, and the article
links of the section page, as plain XPaths over the benchmark site's markup,
and yields one small item per page.

    python -m benchmarks.bare URL [NAME=VALUE ...]
"""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

BLOCK = '//*[self::h2][normalize-space()="Latest World News"]/following-sibling::ul//a/@href'
SEE_MORE = '//*[self::h2][normalize-space()="Latest World News"]/following-sibling::a[normalize-space()="See more"]/@href'
SECTION_ARTICLES = '//main//a[starts-with(@href, "/world/") and string-length(@href) > 7]/@href'


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [url]

    def parse(self, response):
        yield {"url": response.url}
        for href in response.xpath(BLOCK).getall():
            yield response.follow(href, self.parse)
        for href in response.xpath(SEE_MORE).getall():
            yield response.follow(href, self.parse_section)

    def parse_section(self, response):
        yield from self.parse(response)
        for href in response.xpath(SECTION_ARTICLES).getall():
            yield response.follow(href, self.parse)


def main(argv: list[str]) -> None:
    url, *pairs = argv
    settings = {"LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False}
    for pair in pairs:
        name, _, value = pair.partition("=")
        settings[name] = value
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, url=url)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
