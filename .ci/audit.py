"""Audit the locked dependencies (requirements.lock) for known vulnerabilities with pip-audit.

Fails (exit 1) when pip-audit reports a vulnerability. When the vulnerability
service cannot be reached (a machine with only a package mirror), pip-audit
skips every package and says "No known vulnerabilities found": that is not a
pass, so this script says loudly that the audit did not run, and by how much.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "audit" / "bin" / "pip-audit"


def main() -> int:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        proc = subprocess.run([str(PIP_AUDIT), "-r", str(ROOT / "requirements.lock"), "--no-deps", "--disable-pip",
                               "--progress-spinner", "off", "--format", "json", "-o", out.name],
                              capture_output=True, text=True, timeout=600)
        report = json.loads(Path(out.name).read_text() or "{}")
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            print(f"VULNERABLE: {dep['name']} {dep.get('version')}: {vuln.get('id')} "
                  f"(fixed in {', '.join(vuln.get('fix_versions') or ['?'])})")
    if vulnerable or (proc.returncode != 0 and not skipped):
        print(proc.stderr.strip()[-2000:], file=sys.stderr)
        return 1
    audited = len(deps) - len(skipped)
    if skipped:
        print(f"DEPENDENCY AUDIT INCOMPLETE: {len(skipped)} of {len(deps)} locked packages could not be checked "
              f"(vulnerability service unreachable from this machine?); {audited} checked, none vulnerable. "
              f"Run `make audit` where pip-audit can reach PyPI's vulnerability data.")
    else:
        print(f"Dependency audit: {audited} locked packages checked, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
