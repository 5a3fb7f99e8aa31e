"""Structure tests: the rules of the codebase hold by themselves."""

import ast
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "shop", "billing", "marketing", "privacy", "kinetogram", "contests")


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
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.ClassDef) and node.name == "Meta"):
                    continue
                for statement in node.body:
                    if not isinstance(statement, ast.Assign):
                        continue
                    names = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                    takes_all = isinstance(statement.value, ast.Constant) and statement.value.value == "__all__"
                    if "exclude" in names or ("fields" in names and takes_all):
                        offenders.append(f"{path.relative_to(ROOT)}:{statement.lineno}")
    assert offenders == []
