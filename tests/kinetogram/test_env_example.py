import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("kinetogram", "accounts", "shop", "billing", "marketing", "privacy")
READ = re.compile(
    r"""(?:env(?:\.[a-z]+)?|os\.environ\.get|os\.getenv|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_every_environment_variable_is_listed_in_env_example():
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(READ.findall(path.read_text()))
    read -= {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    assert sorted(read - listed) == []
