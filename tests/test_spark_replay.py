"""Replay on Spark (``local[2]``): the same items as ``scrapy replay``, per-file damage reports, --resume, S3.

Spark is real (PySpark from PyPI on Debian's Java); the archives are the demo crawl's WARCs
and a WARC built from the real dataset pages.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO, SCRAPY, run_crawl
from .test_replay import run_replay

pyspark = pytest.importorskip("pyspark", reason="PySpark is installed by make test")
pytestmark = pytest.mark.integration

DATASETS = REPO.parent / "shared" / "datasets"


def canonical(items: list[dict]) -> set[str]:
    """Whole items, comparable as a set."""
    return {json.dumps(item, sort_keys=True, ensure_ascii=False) for item in items}


def read_output(directory: Path) -> list[dict]:
    """Every article the Spark job wrote, from JSON lines or Parquet parts."""
    items = []
    for path in sorted(directory.glob("fetch_date=*/part-*")):
        if path.suffix == ".jsonl":
            items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            items += pq.read_table(path).to_pylist()
    return items


@pytest.fixture(scope="module")
def module_env():
    """Environment variables set for this module's tests only (xdist workers run other modules after)."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def spark(module_env):
    from pyspark.sql import SparkSession

    module_env.setenv("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", os.sys.executable))
    session = (SparkSession.builder.master("local[2]").appName("newscrawl-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def settings(module_env):
    from scrapy.utils.project import get_project_settings

    module_env.setenv("SCRAPY_SETTINGS_MODULE", os.environ.get("SCRAPY_SETTINGS_MODULE", "newscrawl.settings"))
    return get_project_settings()


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory):
    from newscrawl.demo.site import DemoSite

    site = DemoSite(port=0)
    site.start()
    try:
        result = run_crawl(tmp_path_factory.mktemp("crawl"), site.start_urls, "WARC_MAX_SIZE=20000")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.warcs) >= 3, f"several files: several tasks ({len(result.warcs)})"
    return result


@pytest.fixture(scope="module")
def demo_replay(demo_archive, tmp_path_factory):
    result = run_replay(tmp_path_factory.mktemp("replay"), str(demo_archive.warc_dir),
                        settings=("EXTRACTION_PROCESSES=0",))
    assert result.returncode == 0, result.stderr
    assert len(result.items) > 10
    return result


def test_spark_items_equal_scrapy_replay_on_the_demo_archive(spark, settings, demo_archive, demo_replay, tmp_path,
                                                               capfd):
    from newscrawl.replay.spark import run

    status = run([str(demo_archive.warc_dir)], settings, str(tmp_path / "out"), "jsonl", spark=spark)
    assert status == 0
    assert canonical(read_output(tmp_path / "out")) == canonical(demo_replay.items)
    err = capfd.readouterr().err
    for warc in demo_archive.warcs:  # one line per finished file on the driver
        assert f"{warc}: whole" in err
    assert f"{len(demo_archive.warcs)} files ({len(demo_archive.warcs)} whole" in err


def test_parquet_output_has_the_documented_schema_and_the_same_items(spark, settings, demo_archive, demo_replay,
                                                                     tmp_path):
    import pyarrow.dataset as ds

    from newscrawl.replay.spark import article_schema, run

    assert run([str(demo_archive.warc_dir)], settings, str(tmp_path / "pq"), "parquet", spark=spark) == 0
    table = ds.dataset(tmp_path / "pq", format="parquet", partitioning="hive").to_table()
    assert set(article_schema().names) <= set(table.schema.names)
    assert "fetch_date" in table.schema.names  # the partition column
    rows = table.to_pylist()
    days = {row.pop("fetch_date") for row in rows}
    assert days == {item["fetched_at"][:10] for item in demo_replay.items}
    assert canonical(rows) == canonical(demo_replay.items)


def _damage_a_response(source: Path, target: Path) -> str:
    """A copy of ``source`` with zeros written over the middle of one response record's gzip member; its URL."""
    from warcio.archiveiterator import ArchiveIterator

    responses = []
    with open(source, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type == "response" and record.http_headers.get_statuscode() == "200":
                record.content_stream().read()
                responses.append((records.get_record_offset(), records.get_record_length(),
                                  record.rec_headers.get_header("WARC-Target-URI")))
    offset, length, uri = responses[len(responses) // 2]
    data = bytearray(source.read_bytes())
    data[offset + length // 3: offset + 2 * length // 3] = bytes(2 * length // 3 - length // 3)
    target.write_bytes(bytes(data))
    return uri


def test_a_damaged_file_is_reported_and_the_rest_processed(spark, settings, demo_archive, demo_replay, tmp_path,
                                                            capfd):
    from newscrawl.replay.spark import run

    archive = tmp_path / "archive"
    archive.mkdir()
    warcs = demo_archive.warcs
    for path in warcs[1:]:
        shutil.copy(path, archive / path.name)
    lost_url = _damage_a_response(warcs[0], archive / warcs[0].name)
    status = run([str(archive)], settings, str(tmp_path / "out"), "jsonl", spark=spark)
    assert status == 1  # something was lost: the job says so, and did not fail
    err = capfd.readouterr().err
    assert f"{archive / warcs[0].name}: damaged" in err
    assert f"lost in {archive / warcs[0].name}" in err
    for path in warcs[1:]:
        assert f"{archive / path.name}: whole" in err
    got = {item["url"] for item in read_output(tmp_path / "out")}
    expected = {item["url"] for item in demo_replay.items}
    assert lost_url not in got
    # every article of the intact files still comes out
    intact = {item["url"] for item in demo_replay.items if not item["warc"]["uri"].endswith(warcs[0].name)}
    assert intact <= got <= expected


def test_resume_processes_nothing_already_done(spark, settings, demo_archive, tmp_path, capfd):
    from newscrawl.replay.spark import run

    out = tmp_path / "out"
    first = sorted(demo_archive.warcs)[:2]
    assert run([str(p) for p in first], settings, str(out), "jsonl", spark=spark) == 0
    parts = {p: p.stat().st_mtime_ns for p in out.rglob("part-*")}
    capfd.readouterr()
    assert run([str(demo_archive.warc_dir)], settings, str(out), "jsonl", resume=True, spark=spark) == 0
    err = capfd.readouterr().err
    assert f"{len(first)} of {len(demo_archive.warcs)} files done already" in err
    for warc in first:
        assert f"{warc}: whole" not in err
    assert all(p.stat().st_mtime_ns == mtime for p, mtime in parts.items()), "a done file was processed again"
    # nothing left to do: a third run starts no task at all
    capfd.readouterr()
    assert run([str(demo_archive.warc_dir)], settings, str(out), "jsonl", resume=True, spark=spark) == 0
    assert "0 files (0 whole" in capfd.readouterr().err


def test_s3_source_and_output_on_the_moto_server(spark, settings, demo_archive, demo_replay, tmp_path, monkeypatch):
    from newscrawl.replay.spark import run

    from .s3_servers import MotoServer, upload_archive

    server = MotoServer(tmp_path).start()
    try:
        client = server.client()
        keys = upload_archive(client, demo_archive.warcs)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
        s3_settings = settings.copy()
        for name, value in (("AWS_ENDPOINT_URL", server.endpoint), ("AWS_REGION_NAME", "us-east-1"),
                            ("WARC_S3_ADDRESSING_STYLE", "path"), ("REPLAY_S3_PAGE_SIZE", 1),
                            ("AWS_ACCESS_KEY_ID", server.access_key),
                            ("AWS_SECRET_ACCESS_KEY", server.secret_key)):
            s3_settings.set(name, value, priority="cmdline")
        status = run(["s3://news-archive/crawls/"], s3_settings, "s3://news-archive/articles", "jsonl", spark=spark)
        assert status == 0
        items = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket="news-archive", Prefix="articles/"):
            for obj in page.get("Contents", []):
                if "/fetch_date=" in obj["Key"]:
                    body = client.get_object(Bucket="news-archive", Key=obj["Key"])["Body"].read().decode()
                    items += [json.loads(line) for line in body.splitlines() if line]
        manifest = [o["Key"] for o in client.list_objects_v2(Bucket="news-archive",
                                                              Prefix="articles/_manifest/").get("Contents", [])]
    finally:
        server.stop()
    expected = [{**a, "warc": {**a["warc"], "uri": keys[a["warc"]["uri"]]}} for a in demo_replay.items]
    assert canonical(items) == canonical(expected)
    assert len(manifest) == len(demo_archive.warcs)


@pytest.mark.slow
def test_dataset_pages_items_equal_scrapy_replay(spark, settings, tmp_path):
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is absent")
    from benchmarks.replay import build_corpus, news_records
    from newscrawl.replay.spark import run

    # Every fourth page of every dataset (about 210 real pages, every publisher): the whole
    # set (844 pages) is what benchmarks/spark.py replays; here it took five minutes of the suite.
    records = news_records()[::4]
    archive = tmp_path / "archive"
    archive.mkdir()
    build_corpus(archive / "a.warc.gz", records[: len(records) // 2], copies=1)
    build_corpus(archive / "b.warc.gz", records[len(records) // 2:], copies=1)
    expected = run_replay(tmp_path, str(archive), settings=("EXTRACTION_PROCESSES=2",), timeout=600)
    assert expected.returncode == 0, expected.stderr
    assert len(expected.items) > 100
    assert run([str(archive)], settings, str(tmp_path / "out"), "jsonl", spark=spark) == 0
    assert canonical(read_output(tmp_path / "out")) == canonical(expected.items)


@pytest.mark.slow
def test_scrapy_replay_engine_spark_command(demo_archive, demo_replay, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([*SCRAPY, "replay", str(demo_archive.warc_dir), "--engine", "spark", "--master", "local[2]",
                           "--output", str(out), "--format", "jsonl"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert canonical(read_output(out)) == canonical(demo_replay.items)
    summary = [line for line in proc.stderr.splitlines() if line.startswith("replay (spark): ") and " files (" in line]
    assert summary and f"{len(demo_replay.items)} articles" in summary[-1]


def test_engine_spark_usage_errors(tmp_path):
    for args, message in ((["--engine", "spark"], "--output"),
                          (["--engine", "spark", "--output", str(tmp_path), "--format", "csv"], "--format"),
                          (["--engine", "flink", "-O", "x.jsonl"], "--engine")):
        proc = subprocess.run([*SCRAPY, "replay", str(tmp_path), *args], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
