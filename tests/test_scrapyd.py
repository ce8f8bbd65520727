"""Scrapyd: deploy the project with scrapyd-client to a real Scrapyd on loopback, schedule
`worldnews` through schedule.json against the demo site with WARCs on S3 (moto), and find
them in the bucket.

The project is deployed from a copy (newscrawl, pipelines, scrapy.cfg, pyproject.toml,
README.md), because scrapyd-deploy writes setup.py, build/ and *.egg-info beside scrapy.cfg.
Scrapyd and its jobs run without the repository on sys.path: the job runs the egg.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_responses
from newscrawl.demo.site import DemoSite

from .s3_servers import MotoServer, free_port, wait_for_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRAPYD_SETTINGS_ENTRY = '[project.entry-points.scrapy]\nsettings = "newscrawl.settings"'


def copy_project(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    dest.mkdir(parents=True)
    for name in ("newscrawl", "pipelines"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    for name in ("scrapy.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """No repository on the path, no AWS settings from the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SCRAPY", "PYTHONPATH"))}
    return {**env, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true", **extra}


def build_egg(project: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(out)], cwd=project, env=clean_env(),
                          capture_output=True, text=True, timeout=120)


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None, **query: str) -> dict:
    url = f"{base}/{endpoint}" + ("?" + urllib.parse.urlencode(query) if query else "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    """A real Scrapyd on 127.0.0.1, configured from deploy/scrapyd/scrapyd.conf (port and polling changed)."""
    home = tmp_path_factory.mktemp("scrapyd")
    conf = configparser.ConfigParser()
    conf.read(REPO / "deploy" / "scrapyd" / "scrapyd.conf")
    assert conf["scrapyd"]["bind_address"] == "127.0.0.1"
    port = free_port()
    conf["scrapyd"]["http_port"] = str(port)
    conf["scrapyd"]["poll_interval"] = "0.2"
    with open(home / "scrapyd.conf", "w") as f:
        conf.write(f)
    moto = MotoServer(home).start()
    env = clean_env(AWS_ACCESS_KEY_ID=moto.access_key, AWS_SECRET_ACCESS_KEY=moto.secret_key)
    log = open(home / "scrapyd.log", "wb")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc=proc)
        yield {"url": f"http://127.0.0.1:{port}", "home": home, "moto": moto}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        moto.stop()


def test_scrapy_cfg_deploy_targets():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(REPO / "scrapy.cfg")
    assert cfg["settings"]["default"] == "newscrawl.settings"
    assert cfg["deploy"]["project"] == cfg["deploy:env"]["project"] == "newscrawl"
    assert cfg["deploy"]["url"] == "http://127.0.0.1:6800/"
    assert cfg["deploy:env"]["url"] == "${SCRAPYD_URL}"


def test_egg_has_the_packages_the_seeds_and_the_settings_entry_point(tmp_path):
    project = copy_project(tmp_path / "project")
    proc = build_egg(project, tmp_path / "newscrawl.egg")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with zipfile.ZipFile(tmp_path / "newscrawl.egg") as egg:
        names = set(egg.namelist())
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    assert {"newscrawl/settings.py", "newscrawl/spiders/worldnews.py", "newscrawl/seeds.txt",
            "newscrawl/commands/crawl.py", "pipelines/extract.py", "pipelines/extraction/__init__.py"} <= names
    assert not any(n.startswith("tests/") for n in names)
    # Scrapyd finds the settings module through this entry point (scrapyd/runner.py).
    assert re.search(r"^\[scrapy\]\s*\nsettings = newscrawl\.settings$", entry_points, re.M), (
        "pyproject.toml must declare it for Scrapyd:\n" + SCRAPYD_SETTINGS_ENTRY + "\ngot:\n" + entry_points)


@pytest.mark.slow
def test_deploy_and_schedule_worldnews_to_s3(scrapyd, tmp_path):
    base, moto = scrapyd["url"], scrapyd["moto"]
    project = copy_project(tmp_path / "project")
    pyproject = project / "pyproject.toml"
    if "[project.entry-points.scrapy]" not in pyproject.read_text(encoding="utf-8"):
        # Until pyproject.toml declares the entry point (the egg test above fails meanwhile).
        pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n" + SCRAPYD_SETTINGS_ENTRY + "\n",
                             encoding="utf-8")
    # Mark the deployed copy, so the job's own manifest shows it ran the egg and not the repository
    # (which the test venv may have installed in editable mode).
    init = project / "newscrawl" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "([^"]+)"', r'__version__ = "\1+egg"', init.read_text(encoding="utf-8")),
                    encoding="utf-8")
    deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "env"], cwd=project, capture_output=True, text=True,
                            env=clean_env(SCRAPYD_URL=base + "/"), timeout=120)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert json.loads(deploy.stdout)["status"] == "ok" and json.loads(deploy.stdout)["spiders"] >= 1
    assert "worldnews" in api(base, "listspiders.json", project="newscrawl")["spiders"]

    bucket = "scrapyd-warcs"
    moto.create_bucket(bucket)
    with DemoSite(port=0) as site:
        settings = {
            "WARC_STORE": f"s3://{bucket}/news", "WARC_SPOOL_DIR": str(tmp_path / "spool"),
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION_NAME": "us-east-1", "WARC_S3_ADDRESSING_STYLE": "path",
            **moto.settings, "ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8", "CRAWL_STATE": str(tmp_path / "state.sqlite"),
            "CRAWL_ID": "scrapyd-test",
        }
        data = [("project", "newscrawl"), ("spider", "worldnews"), ("start_urls", ",".join(site.start_urls))]
        data += [("setting", f"{k}={v}") for k, v in settings.items()]
        job = api(base, "schedule.json", data)
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 180  # generous: xdist workers share the cores
        while time.monotonic() < deadline:
            jobs = api(base, "listjobs.json", project="newscrawl")
            finished = [j for j in jobs["finished"] if j["id"] == job["jobid"]]
            if finished:
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"the job did not finish: {jobs}")
        served = {e["url"] for e in site.log}

    log = (scrapyd["home"] / "logs" / "newscrawl" / "worldnews" / f"{job['jobid']}.log").read_text(encoding="utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert served == site.expected_fetches()
    keys = [o["Key"] for o in moto.client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    warcs = [k for k in keys if k.endswith(".warc.gz")]
    manifests = [k for k in keys if k.endswith(".manifest.json")]
    assert warcs and len(manifests) == 1, keys
    manifest = json.loads(moto.client().get_object(Bucket=bucket, Key=manifests[0])["Body"].read())
    assert manifest["crawl_id"] == "scrapyd-test" and manifest["summary"]["pages"] == len(site.log)
    assert re.match(r"newscrawl/[^ ]+\+egg ", manifest["software"]), manifest["software"]
    archived = set()
    for key in warcs:
        path = tmp_path / key.rsplit("/", 1)[-1]
        moto.client().download_file(bucket, key, str(path))
        archived |= {rec.uri for rec in iter_responses(path)}
    assert archived == served
    assert not [p for p in (tmp_path / "spool").rglob("*") if p.is_file()]
    assert "Run summary (crawl scrapyd-test)" in log
