"""A small-scale smoke run of the load benchmark (benchmarks/load.py): every page archived, memory bounded."""

from __future__ import annotations

import pytest

from benchmarks import load

pytestmark = pytest.mark.integration


def test_small_load_run_archives_every_page():
    result = load.run(pages=300, timeout=120)
    assert result["returncode"] == 0, result
    assert result["all_archived"], result
    assert result["requests_served"] == 300 + 2  # the pages, the home page, robots.txt: each once
    assert result["errors"] == 0
    assert result["peak_rss_mb"] < 400
