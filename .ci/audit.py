"""Audit the locked dependencies (requirements.lock) for known vulnerabilities with pip-audit.

Fails (exit 1) when pip-audit reports a vulnerability, printing one
`VULNERABLE: name version: ID (fixed in ...)` line for each (pip-audit picks the
ID, preferring PYSEC and CVE ones; other IDs follow as "also known as"). Fails
too when pip-audit itself fails (the vulnerability service answering an error,
or not answering) or drops a record it cannot read: an audit that did not run
is never reported as a pass.

When the vulnerability service cannot be reached (a machine with only a package
mirror), pip-audit skips every package and says "No known vulnerabilities
found": that is not a pass either, so this script says loudly that the audit
did not run, and by how much ("DEPENDENCY AUDIT INCOMPLETE"), but exits 0 so
`make test` can run on such a machine.

By default pip-audit asks PyPI's vulnerability data. Set `AUDIT_OSV_URL` (or
pass `--osv-url`) to the address of an OSV query API the machine can reach
(e.g. `https://api.osv.dev/v1/query`, or a mirror of it) to audit against OSV.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "audit" / "bin" / "pip-audit"
TIMEOUT = 600


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=Path, default=ROOT / "requirements.lock",
                        help="pinned requirements file to audit (default: requirements.lock)")
    parser.add_argument("--osv-url", default=os.environ.get("AUDIT_OSV_URL") or None,
                        help="OSV query API address (e.g. https://api.osv.dev/v1/query); when given, audit "
                             "against OSV instead of PyPI (default: $AUDIT_OSV_URL)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="pip-audit's HTTP cache (default: a fresh temporary directory, so no stale "
                             "answer is reused)")
    parser.add_argument("--timeout", type=int, default=15, help="pip-audit's network timeout in seconds")
    return parser.parse_args(argv)


def run_pip_audit(args: argparse.Namespace, cache_dir: Path, out: Path) -> subprocess.CompletedProcess:
    cmd = [str(PIP_AUDIT), "-r", str(args.requirements), "--no-deps", "--disable-pip",
           "--progress-spinner", "off", "--format", "json", "-o", str(out),
           "--cache-dir", str(cache_dir), "--timeout", str(args.timeout)]
    if args.osv_url:
        cmd += ["--vulnerability-service", "osv", "--osv-url", args.osv_url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def errors_in(stderr: str) -> str:
    """What went wrong, from pip-audit's stderr: its ERROR lines, else the last exception with a message
    (e.g. the HTTP status the vulnerability service answered)."""
    lines = [line.strip() for line in stderr.splitlines()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    exceptions = [line for line in lines if re.match(r"[\w.]+(Error|Exception|Timeout)\w*: ", line)]
    return "; ".join(errors or exceptions[-1:])[:1000]


def fail(service: str, why: str, stderr: str = "") -> int:
    if stderr.strip():
        print(stderr.strip()[-2000:], file=sys.stderr)
        if errors := errors_in(stderr):
            why = f"{why} ({errors})"
    print(f"DEPENDENCY AUDIT FAILED: pip-audit could not complete the audit against {service}: {why}. "
          f"Nothing was checked; this is not a pass.")
    return 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    service = f"OSV at {args.osv_url}" if args.osv_url else "PyPI's vulnerability data"
    if not PIP_AUDIT.exists():
        return fail(service, f"{PIP_AUDIT} is missing (run `make audit` to install it)")
    if not args.requirements.is_file():
        return fail(service, f"no requirements file at {args.requirements}")

    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        out = Path(tmp) / "report.json"
        cache_dir = args.cache_dir or Path(tmp) / "cache"
        try:
            proc = run_pip_audit(args, cache_dir, out)
        except subprocess.TimeoutExpired:
            return fail(service, f"pip-audit did not finish within {TIMEOUT}s")
        try:
            report = json.loads(out.read_text())
        except (OSError, ValueError):
            report = None

    if not isinstance(report, dict) or not isinstance(report.get("dependencies"), list):
        # pip-audit writes its report only at the end: no report means it stopped
        # part-way, e.g. on a vulnerability service answering 500 or not answering.
        return fail(service, f"pip-audit exited {proc.returncode} without a report", proc.stderr)

    deps = report["dependencies"]
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            aliases = sorted(vuln.get("aliases") or [])
            print(f"VULNERABLE: {dep['name']} {dep.get('version')}: {vuln.get('id')} "
                  f"(fixed in {', '.join(vuln.get('fix_versions') or ['?'])})"
                  + (f" also known as {', '.join(aliases)}" if aliases else ""))
    if vulnerable:
        count = sum(len(d["vulns"]) for d in vulnerable)
        print(f"DEPENDENCY AUDIT FAILED: {count} known {'vulnerability' if count == 1 else 'vulnerabilities'} "
              f"in {len(vulnerable)} of {len(deps)} locked packages ({service}).")
        return 1
    if proc.returncode != 0:
        return fail(service, f"pip-audit exited {proc.returncode}", proc.stderr)
    # pip-audit drops, with only a warning, a vulnerability record it cannot read (an OSV
    # record without an "affected" list, or of an unknown schema version): not a pass either.
    dropped = [line.strip() for line in proc.stderr.splitlines() if line.startswith("WARNING:pip_audit._service")]
    if dropped:
        print("\n".join(dropped), file=sys.stderr)
        print(f"DEPENDENCY AUDIT FAILED: {service} answered vulnerability records pip-audit could not read "
              f"({len(dropped)}; first: {dropped[0]}); this is not a pass.")
        return 1

    audited = len(deps) - len(skipped)
    if skipped or not deps:
        print(f"DEPENDENCY AUDIT INCOMPLETE: {len(skipped)} of {len(deps)} locked packages could not be checked "
              f"(vulnerability service unreachable from this machine?); {audited} checked, none vulnerable. "
              f"Run `make audit` where pip-audit can reach PyPI's vulnerability data, or set AUDIT_OSV_URL "
              f"to an OSV query API this machine can reach.")
    else:
        print(f"Dependency audit: {audited} locked packages checked, no known vulnerabilities ({service}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
