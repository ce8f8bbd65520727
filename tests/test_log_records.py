"""Below LOG_LEVEL, Scrapy's loggers make no records at all; what reaches the log stays the same."""

from __future__ import annotations

import logging
import re

import pytest
from scrapy.settings import Settings
from scrapy.utils.log import get_scrapy_root_handler, install_scrapy_root_handler

from newscrawl.commands.crawl import no_records_below_log_level

from .conftest import run_crawl


@pytest.fixture
def scrapy_logging():
    """Scrapy's logging as `scrapy crawl` sets it up (its root handler, its ``scrapy`` logger at DEBUG), undone after."""
    scrapy_logger = logging.getLogger("scrapy")
    saved_levels = scrapy_logger.level, logging.root.level
    saved_handlers: list[logging.Handler] = []
    scrapy_logger.setLevel(logging.DEBUG)

    def install(level) -> Settings:
        # pytest's own capturing handlers (added for each test phase) are set aside meanwhile.
        saved_handlers.extend(logging.root.handlers)
        for handler in saved_handlers:
            logging.root.removeHandler(handler)
        settings = Settings({"LOG_LEVEL": level, "LOG_ENABLED": True})
        install_scrapy_root_handler(settings)
        return settings

    yield install
    handler = get_scrapy_root_handler()
    if handler is not None:
        logging.root.removeHandler(handler)
        handler.close()
    scrapy_logger.setLevel(saved_levels[0])
    logging.root.setLevel(saved_levels[1])
    for handler in saved_handlers:
        logging.root.addHandler(handler)


@pytest.mark.parametrize("level, number", [("INFO", logging.INFO), ("WARNING", logging.WARNING),
                                           (logging.ERROR, logging.ERROR)])
def test_scrapy_loggers_make_no_records_below_log_level(scrapy_logging, level, number):
    no_records_below_log_level(scrapy_logging(level))
    engine = logging.getLogger("scrapy.core.engine")
    assert not engine.isEnabledFor(number - 1) and engine.isEnabledFor(number)


@pytest.mark.parametrize("level", ["DEBUG", logging.DEBUG])
def test_at_debug_every_record_is_made(scrapy_logging, level):
    no_records_below_log_level(scrapy_logging(level))
    assert logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.DEBUG)


@pytest.mark.parametrize("handler_level, debug_records", [(logging.DEBUG, True), (logging.NOTSET, True),
                                                          (logging.INFO, False), (logging.WARNING, False)])
def test_another_handler_below_log_level_still_gets_every_record(scrapy_logging, handler_level, debug_records):
    """A handler of someone else's that takes DEBUG records keeps getting them; one at LOG_LEVEL or above needs none."""
    settings = scrapy_logging("INFO")
    other = logging.Handler(handler_level)
    logging.root.addHandler(other)
    try:
        no_records_below_log_level(settings)
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG) is debug_records
    finally:
        logging.root.removeHandler(other)


@pytest.mark.integration
@pytest.mark.parametrize("level, crawled_lines", [("INFO", False), ("DEBUG", True)])
def test_a_crawls_log_and_log_counts_are_those_of_its_level(demo_site, tmp_path, level, crawled_lines):
    result = run_crawl(tmp_path, demo_site.start_urls, f"LOG_LEVEL={level}")
    assert result.returncode == 0, result.log[-3000:]
    assert ("Crawled (200)" in result.log) is crawled_lines
    counts = dict(re.findall(r"'log_count/(\w+)': (\d+)", result.log))
    assert ("DEBUG" in counts) is crawled_lines and int(counts["INFO"]) > 0
