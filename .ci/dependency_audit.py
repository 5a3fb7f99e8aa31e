"""Check the pinned runtime dependencies (requirements.txt) against OSV's vulnerability
database with pip-audit. `make audit` runs it; so does .ci/run.

Prints one verdict line and exits:
  0  "dependency audit: passed"                  every package checked, nothing known
  0  "dependency audit: not run (no network)"    the database could not be reached, or
                                                  some package could not be checked
  1  "dependency audit: failed ..."              a known vulnerability, or pip-audit broke

Being offline is not a pass: the verdict says so, and CI reports it as not run. OSV is
asked rather than PyPI's JSON API because a registry mirror may answer that API without
vulnerability data, which pip-audit would report as "No known vulnerabilities found".
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_RUN = "dependency audit: not run (no network)"
UNREACHABLE = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "timed out",
    "Network is unreachable",
    "Connection refused",
)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "pip-audit.json"
        # Every runtime package is pinned in requirements.txt, so no resolution is needed:
        # --no-deps --disable-pip audits exactly the pinned versions without installing them.
        completed = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                str(ROOT / "requirements.txt"),
                "--no-deps",
                "--disable-pip",
                "--vulnerability-service",
                "osv",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        data = json.loads(report.read_text()) if report.exists() and report.stat().st_size else None

    if data is None:
        if any(marker in completed.stderr for marker in UNREACHABLE):
            print(NOT_RUN)
            print(f"  {completed.stderr.strip().splitlines()[-1][:300]}")
            return 0
        print(f"dependency audit: failed (pip-audit exited {completed.returncode} without a report)")
        print(completed.stderr.strip()[-2000:])
        return 1

    dependencies = data.get("dependencies", [])
    found = [(d["name"], d["version"], v) for d in dependencies for v in d.get("vulns", [])]
    unchecked = [d for d in dependencies if d.get("skip_reason")]
    for name, version, vuln in found:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
        print(f"  {name} {version}: {vuln['id']} (fixed in {fixes})")
    if found:
        print(f"dependency audit: failed ({len(found)} known vulnerabilities in {len(dependencies)} packages)")
        return 1
    if unchecked or not dependencies:
        for dependency in unchecked:
            print(f"  {dependency['skip_reason']}")
        print(NOT_RUN)
        return 0
    print(f"dependency audit: passed ({len(dependencies)} packages, no known vulnerabilities)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
