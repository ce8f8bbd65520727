"""`scrapy demo` (what `make demo` runs): the whole loop on the demo site and a local S3 server."""

import re
import subprocess
import sys

import pytest

from newscrawl.archive.reader import iter_responses

from .conftest import REPO

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("extra", [[], ["--local"]], ids=["s3", "local"])
def test_demo_prints_its_summary_and_leaves_valid_warcs(tmp_path, extra):
    proc = subprocess.run([sys.executable, "-m", "scrapy", "demo", "--output", str(tmp_path), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = dict(re.findall(r"^  (\w[\w ]*?)\s*: (.*)$", proc.stdout, re.M))
    assert summary["pages fetched"] == "35"
    assert summary["articles"].startswith("21 in ")
    assert ("s3://newscrawl-demo/warcs/" in summary["WARC files"]) == (not extra)
    warcs = sorted((tmp_path / "warcs").glob("*.warc.gz"))
    assert warcs and sum(1 for w in warcs for _ in iter_responses(w)) == 35
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)], capture_output=True)
    assert check.returncode == 0
