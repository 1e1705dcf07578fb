"""Settings are module-level, so each case runs Python in a subprocess with a controlled
environment (nothing inherited from the shell or CI but PATH)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Long, random-looking, not a "django-insecure" key: what production accepts.
REAL_KEY = "q7Vb1-pX9zLr4Tn0wKc8YfE2uHs6JdA3mGi5oRt_yNe7QaZv2BxWl9CkUhFp4SjD"
SETUP = "import django; django.setup()"
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'name': str(d['NAME']), 'host': d.get('HOST', ''), "
    "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'search': s.SEARCH_BACKEND, "
    "'cache': s.CACHES['default']['BACKEND']}))"
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**env: str) -> dict[str, str]:
    return {"MARKETPLACE_ENV": "production", **env}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (production(ALLOWED_HOSTS="ocop.example.vn"), "SECRET_KEY"),
        (
            production(
                SECRET_KEY="django-insecure-development-only-never-use-in-production",
                ALLOWED_HOSTS="ocop.example.vn",
            ),
            "SECRET_KEY",
        ),
        (
            production(SECRET_KEY="short-but-not-empty-key", ALLOWED_HOSTS="ocop.example.vn"),
            "SECRET_KEY",
        ),
        (production(SECRET_KEY=REAL_KEY), "ALLOWED_HOSTS"),
        ({"MARKETPLACE_ENV": "staging"}, "MARKETPLACE_ENV"),
    ],
    ids=["no-key", "development-key", "short-key", "no-hosts", "unknown-env"],
)
def test_production_refuses_to_start(env, message):
    result = run(["-c", SETUP], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.splitlines()[-1]


def test_production_passes_check_deploy(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production(
            SECRET_KEY=REAL_KEY,
            ALLOWED_HOSTS="ocop.example.vn",
            DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("blank", [False, True], ids=["unset", "set-but-empty"])
def test_development_defaults(blank):
    # .ci/run selects SQLite with `DATABASE_URL=`; compose's `${X:-}` passes empty values too.
    empty = {"DATABASE_URL": "", "REDIS_URL": "", "LOG_LEVEL": "", "GRAPHQL_MAX_DEPTH": ""}
    result = run(["-c", SHOW], **(empty if blank else {}))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["name"] == str(ROOT / "db.sqlite3")
    assert shown["debug"] is True
    assert "127.0.0.1" in shown["hosts"]
    assert shown["search"] == "database"
    assert shown["cache"].endswith("LocMemCache")


def test_database_url_and_redis_url_switch_backends():
    result = run(
        ["-c", SHOW],
        DATABASE_URL="postgres://ocop:secret@db.internal:5432/ocop",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["engine"] == "django.db.backends.postgresql"
    assert (shown["name"], shown["host"]) == ("ocop", "db.internal")
    assert shown["cache"].endswith("RedisCache")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (production(SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="ocop.example.vn"), False),
        (
            production(
                SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="ocop.example.vn", GRAPHQL_INTROSPECTION="1"
            ),
            True,
        ),
        ({}, True),
        ({"GRAPHQL_INTROSPECTION": "0"}, False),
    ],
    ids=["production", "production-opened", "development", "development-closed"],
)
def test_graphql_introspection_is_off_in_production_unless_opened(env, expected):
    result = run(
        ["-c", SETUP + "; from django.conf import settings; print(settings.GRAPHQL_INTROSPECTION)"],
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(expected)
