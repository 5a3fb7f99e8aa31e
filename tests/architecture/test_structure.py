"""Structure tests: the rules of the codebase hold by themselves."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "shop", "marketing", "privacy", "kinetogram")


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


def test_ac04_no_model_form_takes_every_field():
    """AC-04: mass assignment is blocked by listing form fields explicitly."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if re.search(r"fields\s*=\s*['\"]__all__['\"]", text) or re.search(r"^\s+exclude\s*=", text, re.M):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
