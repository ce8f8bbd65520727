"""The worldnews spider's arguments and settings."""

import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.spiders.worldnews import DEFAULT_SEEDS, WorldNewsSpider, read_seeds

from .conftest import REPO


def _spider(settings=None, **kwargs):
    crawler = get_crawler(WorldNewsSpider, settings_dict=settings or {})
    return WorldNewsSpider.from_crawler(crawler, **kwargs)


def test_default_start_urls_come_from_the_shipped_seeds_file():
    spider = _spider()
    seeds = read_seeds(DEFAULT_SEEDS)
    assert len(seeds) >= 5 and all(u.startswith("https://") for u in seeds)
    assert spider.start_urls == seeds


def test_start_urls_argument_is_cleaned_and_scopes_the_crawl():
    spider = _spider(start_urls="http://a.test:8080/world/?utm_source=x#top, http://b.test/news")
    assert spider.start_urls == ["http://a.test:8080/world/", "http://b.test/news"]
    assert spider.allowed_hosts == {"a.test:8080", "b.test"}


def test_seeds_file_setting(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# comment\nhttp://c.test/world\n\n")
    assert _spider({"SEEDS_FILE": str(seeds)}).start_urls == ["http://c.test/world"]


def test_allowed_private_networks_are_validated():
    assert [str(n) for n in _spider({"ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8, ::1/128"}).allowed_networks] == [
        "127.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not a CIDR network"):
        _spider({"ALLOWED_PRIVATE_NETWORKS": ["10.0.0.0/33"]})


def test_bad_settings_stop_the_crawl_with_a_clear_message():
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", "start_urls=http://127.0.0.1:9/",
                           "-s", "ALLOWED_PRIVATE_NETWORKS=localhost"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Not starting: ALLOWED_PRIVATE_NETWORKS=localhost: CIDR networks" in proc.stderr
    assert "'localhost' is not one" in proc.stderr and "Traceback" not in proc.stderr
