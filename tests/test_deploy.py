"""deploy/: the systemd units pass `systemd-analyze verify`; the Kubernetes CronJob and the
Dockerfile parse and name only settings that exist; the cron line and the units run the real crawl."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scrapy.settings import default_settings

import newscrawl.settings as project_settings

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"


def known_setting(name: str) -> bool:
    return name.isupper() and (hasattr(project_settings, name) or hasattr(default_settings, name))


def settings_in_args(args: list[str]) -> dict[str, str]:
    """NAME=value of every `-s NAME=value` in a command line."""
    out = {}
    for flag, value in zip(args, args[1:]):
        if flag == "-s":
            name, sep, val = value.partition("=")
            assert sep, value
            out[name] = val
    return out


def unit_command(text: str) -> list[str]:
    exec_start = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", text, re.M)[1]
    return shlex.split(exec_start.replace("\\\n", " ").replace("%%", "%"))


# --------------------------------------------------------------------------- systemd

def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    # The units name /srv/newscrawl; verify checks that ExecStart exists, so point it at this checkout.
    root = tmp_path / "srv"
    root.mkdir()
    (root / "newscrawl").symlink_to(REPO)
    for name in ("newscrawl.service", "newscrawl.timer"):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/srv/newscrawl", str(root / "newscrawl")), encoding="utf-8")
    proc = subprocess.run([analyze, "verify", str(tmp_path / "newscrawl.service"), str(tmp_path / "newscrawl.timer")],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and not proc.stderr.strip() and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_systemd_service_runs_the_crawl_with_real_settings():
    service = (DEPLOY / "systemd" / "newscrawl.service").read_text(encoding="utf-8")
    timer = (DEPLOY / "systemd" / "newscrawl.timer").read_text(encoding="utf-8")
    assert re.search(r"^Type=oneshot$", service, re.M)
    cmd = unit_command(service)
    assert cmd[0].endswith("/scrapy") and cmd[1:3] == ["crawl", "worldnews"]
    settings = settings_in_args(cmd)
    assert {"WARC_STORE", "CRAWL_STATE"} <= set(settings)
    assert [n for n in settings if not known_setting(n)] == []
    assert not [w for w in cmd if "AWS_" in w]  # credentials come from EnvironmentFile
    assert re.search(r"^EnvironmentFile=-/etc/newscrawl/env$", service, re.M)
    assert re.search(r"^OnCalendar=\S+", timer, re.M) and re.search(r"^Unit=newscrawl\.service$", timer, re.M)


# --------------------------------------------------------------------------- Kubernetes and Docker

def load_cronjob() -> tuple[dict, dict]:
    docs = [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "cronjob.yaml").read_text(encoding="utf-8")) if d]
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"CronJob", "PersistentVolumeClaim"}
    return kinds["CronJob"], kinds["PersistentVolumeClaim"]


def test_cronjob_forbids_overlap_and_runs_the_crawl():
    cronjob, pvc = load_cronjob()
    assert cronjob["apiVersion"] == "batch/v1"
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert len(spec["schedule"].split()) == 5
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    (container,) = pod["containers"]
    # The image's entrypoint is `scrapy crawl worldnews`; args only add options.
    assert "command" not in container
    args = container["args"]
    assert all(isinstance(a, str) for a in args)
    settings = settings_in_args(args)
    assert [n for n in settings if not known_setting(n)] == []
    assert settings["CRAWL_STATE"] == "redis" and settings["REDIS_URL"] == "$(REDIS_URL)"
    assert settings["WARC_STORE"].startswith("s3://")
    # Every $(VAR) in the args is a variable the container defines.
    env_names = {e["name"] for e in container["env"]}
    for arg in args:
        for var in re.findall(r"\$\(([A-Z_]+)\)", arg):
            assert var in env_names, var
    # Credentials from Secrets only, never literal values.
    assert {"secretRef": {"name": "newscrawl-aws"}} in container["envFrom"]
    redis_env = next(e for e in container["env"] if e["name"] == "REDIS_URL")
    assert "secretKeyRef" in redis_env["valueFrom"]
    assert not [e for e in container["env"] if e["name"].startswith("AWS_") and "SECRET" in e["name"]]
    assert not [a for a in args if "AWS_SECRET" in a or "AWS_ACCESS_KEY" in a]
    # The spool survives the pod, at the place WARC_SPOOL_DIR names.
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert settings["WARC_SPOOL_DIR"] == mounts["spool"]
    assert volumes["spool"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_builds_the_crawler_image():
    import json

    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    copied = [rest for word, rest in instructions if word == "COPY"]
    sources = {src for rest in copied for src in rest.split()[:-1]}
    assert {"pyproject.toml", "newscrawl", "pipelines", "requirements.lock"} <= sources
    for src in sources:
        assert (REPO / src).exists(), src  # the build context is the repository root
    entry = json.loads(dict(instructions)["ENTRYPOINT"])
    assert entry == ["scrapy", "crawl", "worldnews"]
    env = " ".join(rest for word, rest in instructions if word == "ENV")
    assert "SCRAPY_SETTINGS_MODULE=newscrawl.settings" in env
    assert any(word == "USER" and rest != "root" for word, rest in instructions)
    assert any(word == "RUN" and "pip install" in rest and "-c requirements.lock" in rest for word, rest in instructions)


def test_image_command_line_is_a_valid_crawl():
    """The Dockerfile's entrypoint plus the CronJob's args parse as `scrapy crawl` options."""
    cronjob, _ = load_cronjob()
    args = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "--help"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0
    options = {a for a in args if a.startswith("-")}
    for option in options:
        assert re.search(rf"(^|[\s,]){re.escape(option)}[\s,=]", proc.stdout, re.M), option


# --------------------------------------------------------------------------- cron

def test_cron_line_in_readme():
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.*?)\n```", text, re.S)[1].strip()
    lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert len(fields) == 6 and all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5])
    command = fields[5]
    assert "flock" not in command  # the crawl lock handles overlap
    assert "scrapy crawl worldnews" in command
    words = shlex.split(command.replace("\\%", "%").split(">>")[0].split("&&")[-1])
    settings = settings_in_args(words)
    assert {"WARC_STORE", "CRAWL_STATE"} <= set(settings)
    assert [n for n in settings if not known_setting(n)] == []
    # cron turns a bare % into a newline.
    assert not re.search(r"(?<!\\)%", command)


def test_readme_and_deploy_readme_give_one_table_of_exit_codes():
    def table(path):
        text = path.read_text(encoding="utf-8")
        start = text.index("| code | meaning |")
        return text[start:text.index("\n\n", start)]

    top, deploy = table(REPO / "README.md"), table(REPO / "deploy" / "README.md")
    assert top == deploy
    assert [row.split("|")[1].strip() for row in top.splitlines()[2:]] == ["0", "1", "2", "3", "4", "5", "6", "75"]


# --------------------------------------------------------------------------- Kubernetes: one crawl, N workers

def load_distributed() -> dict[str, dict]:
    docs = [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "distributed.yaml").read_text(encoding="utf-8"))
            if d]
    kinds = {d["kind"]: d for d in docs}
    assert sorted(kinds) == ["CronJob", "PersistentVolumeClaim", "Service", "StatefulSet"]
    assert len(docs) == len(kinds)
    return kinds


def test_distributed_workers_join_one_run_and_share_the_frontier():
    kinds = load_distributed()
    spec = kinds["CronJob"]["spec"]
    assert spec["concurrencyPolicy"] == "Forbid" and len(spec["schedule"].split()) == 5
    job = spec["jobTemplate"]["spec"]
    # N workers, each with an index of its own; a dead one is replaced after it is gone.
    assert job["completionMode"] == "Indexed" and job["parallelism"] == job["completions"] >= 2
    assert job["backoffLimit"] >= 1 and job["podReplacementPolicy"] == "Failed"
    fail_job = [r for r in job["podFailurePolicy"]["rules"] if r["action"] == "FailJob"]
    assert {2, 4} <= set(fail_job[0]["onExitCodes"]["values"])
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert "command" not in container  # the image's entrypoint is `scrapy crawl worldnews`
    args = container["args"]
    settings = settings_in_args(args)
    assert [n for n in settings if not known_setting(n)] == []
    assert settings["CRAWL_FRONTIER"] == "redis" and settings["REDIS_URL"] == "$(REDIS_URL)"
    assert settings["CRAWL_STATE"] == "redis"  # what is archived, shared by every worker
    assert settings["WARC_STORE"].startswith("s3://")
    env = {e["name"]: e for e in container["env"]}
    for arg in args:
        for var in re.findall(r"\$\(([A-Z_]+)\)", arg):
            assert var in env, var
    # The workers of one Job are one run: CRAWL_ID is the Job's name, the same in every pod.
    assert settings["CRAWL_ID"] == "$(JOB_NAME)"
    assert env["JOB_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['batch.kubernetes.io/job-name']"
    # Each worker's spool is its index's directory on a volume every node can mount.
    index = env[re.search(r"\$\((\w+)\)", settings["WARC_SPOOL_DIR"])[1]]
    assert "job-completion-index" in index["valueFrom"]["fieldRef"]["fieldPath"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    (spools,) = [n for n, path in mounts.items() if settings["WARC_SPOOL_DIR"].startswith(path + "/")]
    claim = volumes[spools]["persistentVolumeClaim"]["claimName"]
    assert claim == kinds["PersistentVolumeClaim"]["metadata"]["name"]
    assert kinds["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    # Every worker writes its own feed.
    feed = args[args.index("-o") + 1]
    assert "$(POD_NAME)" in feed
    # Credentials from Secrets only.
    assert {"secretRef": {"name": "newscrawl-aws"}} in container["envFrom"]
    assert "secretKeyRef" in env["REDIS_URL"]["valueFrom"]
    assert not [a for a in args if "AWS_SECRET" in a or "AWS_ACCESS_KEY" in a or "PASSWORD" in a]


def test_distributed_redis_keeps_the_frontier_and_is_what_the_workers_reach():
    kinds = load_distributed()
    redis_set, service = kinds["StatefulSet"], kinds["Service"]
    assert redis_set["spec"]["replicas"] == 1
    pod = redis_set["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    args = container["args"]
    options = dict(zip(args[::2], args[1::2]))
    # Durable, never evicting a queued URL, behind a password from the Secret.
    assert options["--appendonly"] == "yes" and options["--maxmemory-policy"] == "noeviction"
    assert options["--requirepass"] == "$(REDIS_PASSWORD)"
    password = next(e for e in container["env"] if e["name"] == "REDIS_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"]["name"] == "newscrawl-redis"
    data = next(m for m in container["volumeMounts"] if m["mountPath"] == "/data")
    assert data["name"] in {t["metadata"]["name"] for t in redis_set["spec"]["volumeClaimTemplates"]}
    # The Service selects the Redis pod (not the workers) on Redis's port.
    labels = pod["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())
    worker_labels = kinds["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not all(worker_labels.get(k) == v for k, v in service["spec"]["selector"].items())
    port = service["spec"]["ports"][0]
    assert port["port"] == 6379 and port["targetPort"] in {p["name"] for p in container["ports"]}
    assert redis_set["spec"]["serviceName"] == service["metadata"]["name"]


def test_distributed_worker_command_line_is_a_valid_crawl():
    kinds = load_distributed()
    args = kinds["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "--help"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0
    for option in {a for a in args if a.startswith("-")}:
        assert re.search(rf"(^|[\s,]){re.escape(option)}[\s,=]", proc.stdout, re.M), option
