"""`.ci/audit.py` against a real OSV-API server on loopback: it fails on a known
vulnerability, passes on a clean answer, and never calls a service error a pass."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AUDIT = REPO / ".ci" / "audit.py"
PIP_AUDIT = REPO / ".venv" / "audit" / "bin" / "pip-audit"

pytestmark = pytest.mark.skipif(not PIP_AUDIT.exists(),
                                reason=f"pip-audit is not installed at {PIP_AUDIT} (run `make audit` once)")


def locked(name: str) -> str:
    """`name==version` as pinned in requirements.lock."""
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.strip()
    raise AssertionError(f"{name} is not in requirements.lock")


REQUESTS = locked("requests")
IDNA = locked("idna")
REQUESTS_VERSION = REQUESTS.split("==")[1]


class OsvServer:
    """Enough of OSV's `POST /v1/query` for pip-audit: `vulns` maps a package name
    to the OSV records to answer for it; `status` other than 200 answers an error."""

    def __init__(self) -> None:
        self.vulns: dict[str, list[dict]] = {}
        self.status = 200
        self.queries: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/v1/query":
                    return self._answer(404, {"code": 5, "message": "Not Found"})
                query = json.loads(body)
                server.queries.append(query)
                if server.status != 200:
                    return self._answer(server.status, {"code": 13, "message": "internal error"})
                package = query["package"]
                assert package["ecosystem"] == "PyPI"
                vulns = server.vulns.get(package["name"], [])
                # OSV answers `{}` when nothing affects the package version.
                self._answer(200, {"vulns": vulns} if vulns else {})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/query"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def osv_record(vuln_id: str, package: str, introduced: str, fixed: str, aliases: tuple[str, ...] = ()) -> dict:
    return {
        "schema_version": "1.6.0",
        "id": vuln_id,
        "aliases": list(aliases),
        "summary": f"{package} leaks test secrets",
        "details": "Made up for the audit test.",
        "modified": "2099-01-02T00:00:00Z",
        "published": "2099-01-01T00:00:00Z",
        "affected": [{
            "package": {"name": package, "ecosystem": "PyPI", "purl": f"pkg:pypi/{package}"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": introduced}, {"fixed": fixed}]}],
            "versions": [],
        }],
    }


@pytest.fixture
def osv():
    server = OsvServer()
    yield server
    server.close()


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.lock"
    path.write_text(f"{REQUESTS}\n{IDNA}\n")
    return path


def run_audit(lock: Path, osv_url: str | None = None, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k.upper() not in {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"}}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.pop("AUDIT_OSV_URL", None)
    if osv_url is not None:
        env["AUDIT_OSV_URL"] = osv_url
    proc = subprocess.run([sys.executable, str(AUDIT), "--requirements", str(lock), *args],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    print(proc.stdout, proc.stderr, sep="\n")
    return proc


def assert_not_a_pass(proc: subprocess.CompletedProcess) -> None:
    assert "no known vulnerabilities" not in proc.stdout
    assert proc.returncode == 1 or "DEPENDENCY AUDIT INCOMPLETE" in proc.stdout
    assert "DEPENDENCY AUDIT FAILED" in proc.stdout or "DEPENDENCY AUDIT INCOMPLETE" in proc.stdout


def test_known_vulnerability_fails_the_audit(osv: OsvServer, lock: Path) -> None:
    osv.vulns["requests"] = [osv_record("GHSA-test-0001", "requests", "0", "9999.0", aliases=("CVE-2099-0001",))]
    proc = run_audit(lock, osv.url)
    assert proc.returncode == 1
    vulnerable = [line for line in proc.stdout.splitlines() if line.startswith("VULNERABLE:")]
    # pip-audit names a vulnerability by its CVE or PYSEC ID when it has one; the rest follow.
    assert vulnerable == [f"VULNERABLE: requests {REQUESTS_VERSION}: CVE-2099-0001 (fixed in 9999.0) "
                          f"also known as GHSA-test-0001"]
    assert "DEPENDENCY AUDIT FAILED: 1 known vulnerability in 1 of 2 locked packages" in proc.stdout
    assert "no known vulnerabilities" not in proc.stdout
    # pip-audit really asked the server about both locked packages, and nothing else.
    assert sorted((q["package"]["name"], q["version"]) for q in osv.queries) == \
        sorted([("idna", IDNA.split("==")[1]), ("requests", REQUESTS_VERSION)])


def test_osv_url_option_overrides_environment(osv: OsvServer, lock: Path) -> None:
    osv.vulns["idna"] = [osv_record("PYSEC-test-2", "idna", "0", "9999.1")]
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1/query"
    proc = run_audit(lock, dead, "--osv-url", osv.url)
    assert proc.returncode == 1
    assert re.search(r"^VULNERABLE: idna \S+: PYSEC-test-2 \(fixed in 9999\.1\)$", proc.stdout, re.M)


def test_clean_answer_passes(osv: OsvServer, lock: Path) -> None:
    proc = run_audit(lock, osv.url)
    assert proc.returncode == 0
    assert "Dependency audit: 2 locked packages checked, no known vulnerabilities" in proc.stdout
    assert "VULNERABLE" not in proc.stdout
    assert "INCOMPLETE" not in proc.stdout
    assert len(osv.queries) == 2


def test_server_error_is_not_a_pass(osv: OsvServer, lock: Path) -> None:
    osv.status = 500
    proc = run_audit(lock, osv.url)
    assert osv.queries, "pip-audit never asked the server"
    assert proc.returncode == 1
    assert_not_a_pass(proc)
    assert "DEPENDENCY AUDIT FAILED" in proc.stdout
    assert "500 Server Error" in proc.stdout  # the reason, not only a traceback on stderr


def test_unreachable_service_is_not_a_pass(lock: Path) -> None:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1/query"
    proc = run_audit(lock, dead)
    assert proc.returncode == 1
    assert_not_a_pass(proc)
    assert "Connection refused" in proc.stdout


def test_unreadable_vulnerability_record_is_not_a_pass(osv: OsvServer, lock: Path) -> None:
    # pip-audit skips, with a warning only, an OSV record without an "affected" list.
    record = osv_record("GHSA-test-0003", "requests", "0", "9999.0")
    del record["affected"]
    osv.vulns["requests"] = [record]
    proc = run_audit(lock, osv.url)
    assert proc.returncode == 1
    assert_not_a_pass(proc)
    assert "GHSA-test-0003" in proc.stdout
