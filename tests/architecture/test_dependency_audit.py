"""The dependency audit's verdicts (.ci/dependency_audit.py): a known vulnerability fails,
and an audit that could not reach its database or check every package is never a pass."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("dependency_audit", ROOT / ".ci" / "dependency_audit.py")
dependency_audit = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dependency_audit)

OFFLINE = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
    "Max retries exceeded with url: /v1/query (Caused by NameResolutionError(...))\n"
)


@pytest.fixture
def pip_audit(monkeypatch):
    """Replaces the pip-audit run: set ``report`` (written as its JSON output, unless None),
    ``stderr`` and ``returncode``."""
    answer = {"report": None, "stderr": "", "returncode": 0}

    def run(command, **kwargs):
        answer["command"] = command
        if answer["report"] is not None:
            Path(command[command.index("--output") + 1]).write_text(json.dumps(answer["report"]))
        return subprocess.CompletedProcess(command, answer["returncode"], "", answer["stderr"])

    monkeypatch.setattr(dependency_audit.subprocess, "run", run)
    return answer


def clean(name, version="1.0"):
    return {"name": name, "version": version, "vulns": []}


def test_no_known_vulnerability_in_any_package_passes(pip_audit, capsys):
    pip_audit["report"] = {"dependencies": [clean("django"), clean("celery")], "fixes": []}

    assert dependency_audit.main() == 0
    assert capsys.readouterr().out == "dependency audit: passed (2 packages, no known vulnerabilities)\n"
    assert pip_audit["command"][pip_audit["command"].index("--vulnerability-service") + 1] == "osv"


def test_a_known_vulnerability_fails_and_names_it(pip_audit, capsys):
    vuln = {"id": "PYSEC-2030-1", "fix_versions": ["5.2.20"], "aliases": [], "description": ""}
    pip_audit["report"] = {"dependencies": [{**clean("django", "5.2.19"), "vulns": [vuln]}, clean("celery")]}
    pip_audit["returncode"] = 1

    assert dependency_audit.main() == 1
    assert capsys.readouterr().out.splitlines() == [
        "  django 5.2.19: PYSEC-2030-1 (fixed in 5.2.20)",
        "dependency audit: failed (1 known vulnerabilities in 2 packages)",
    ]


def test_an_unreachable_database_is_reported_as_not_run_without_failing(pip_audit, capsys):
    pip_audit["stderr"], pip_audit["returncode"] = OFFLINE, 1

    assert dependency_audit.main() == 0
    assert capsys.readouterr().out.splitlines()[0] == "dependency audit: not run (no network)"


def test_packages_the_database_could_not_check_make_the_audit_not_run_rather_than_passed(pip_audit, capsys):
    skipped = {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited: celery (5.7.0)"}
    pip_audit["report"] = {"dependencies": [clean("django"), skipped]}

    assert dependency_audit.main() == 0
    assert capsys.readouterr().out.splitlines() == [
        "  Dependency not found on PyPI and could not be audited: celery (5.7.0)",
        "dependency audit: not run (no network)",
    ]


def test_pip_audit_failing_for_another_reason_fails(pip_audit, capsys):
    pip_audit["stderr"], pip_audit["returncode"] = "ERROR: invalid requirement: 'Django=5.2'\n", 1

    assert dependency_audit.main() == 1
    assert capsys.readouterr().out.splitlines()[0] == "dependency audit: failed (pip-audit exited 1 without a report)"
