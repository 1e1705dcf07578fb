"""docker-compose.yml, the Dockerfile and README's configuration table stay true to the settings.

No container engine runs in CI, so the compose file is parsed (PyYAML) rather than started. The
variables the settings read are found by parsing marketplace/settings.py (every call to an
``env*`` helper or ``os.environ``/``os.getenv`` with a literal name), and cross-checked by
importing the settings in a subprocess that records every environment read.
"""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "marketplace" / "settings.py"
COMPOSE = ROOT / "docker-compose.yml"
README = ROOT / "README.md"
DOCKERFILE = ROOT / "Dockerfile"
# Read by the process runner, not by the settings: gunicorn takes its worker count from it.
RUNTIME_VARIABLES = {"WEB_CONCURRENCY"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def settings_variables() -> set[str]:
    """Names of the environment variables marketplace/settings.py reads."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    # The module's own readers: env(), env_bool(), env_list(), env_int()… (any def named env*).
    helpers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("env")
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            first = _literal(node.args[0])
            if first is None:
                continue
            helper = isinstance(func, ast.Name) and func.id in helpers
            environ_get = (
                isinstance(func, ast.Attribute)
                and func.attr in {"get", "setdefault", "pop"}
                and _is_os_environ(func.value)
            )
            getenv = (
                isinstance(func, ast.Attribute)
                and func.attr == "getenv"
                and isinstance(func.value, ast.Name)
                and func.value.id == "os"
            )
            if helper or environ_get or getenv:
                names.add(first)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            name = _literal(node.slice)
            if name is not None:
                names.add(name)
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            name = _literal(node.left)  # "X" in os.environ
            if name is not None:
                names.add(name)
    return names


RECORD_READS = """
import importlib, json, os, sys
# The package first: its __init__ creates the Celery app, and Celery reads variables of its own
# (CELERY_TRACE_APP, …) on import; only the settings module's reads are recorded.
import marketplace
seen = set()

class Recording(dict):
    def get(self, key, default=None):
        seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        seen.add(key)
        return super().__contains__(key)

os.environ = Recording(os.environ)
importlib.import_module("marketplace.settings")
print(json.dumps(sorted(seen)))
"""


def recorded_reads(**env: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", RECORD_READS],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def readme_configuration_table() -> dict[str, tuple[str, str]]:
    """README's configuration table: variable -> (default, meaning)."""
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|\n]*)\|([^|\n]*)\|\s*$", text, re.M)
    return {name: (default.strip(), meaning.strip()) for name, default, meaning in rows}


# -- the scanner itself ----------------------------------------------------------------------------


def test_scanner_finds_the_settings_variables():
    names = settings_variables()
    # A scanner that finds nothing would make every check below pass vacuously.
    for expected in (
        "MARKETPLACE_ENV",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "SECURE_SSL_REDIRECT",
        "STRIPE_SECRET_KEY",
    ):
        assert expected in names


def test_scanner_misses_no_read_the_settings_make():
    scanned = settings_variables()
    development = recorded_reads()
    production = recorded_reads(
        MARKETPLACE_ENV="production",
        SECRET_KEY="q7Vb1-pX9zLr4Tn0wKc8YfE2uHs6JdA3mGi5oRt_yNe7QaZv2BxWl9CkUhFp4SjD",
        ALLOWED_HOSTS="ocop.example.vn",
    )
    assert "SECURE_HSTS_SECONDS" in production
    assert (development | production) <= scanned


# -- docker-compose.yml ----------------------------------------------------------------------------


def test_compose_services():
    services = compose()["services"]
    assert {"web", "db", "redis", "migrate", "broker", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    # Elasticsearch is optional: only started with its profile.
    assert services["elasticsearch"]["profiles"] == ["search"]
    assert services["migrate"]["command"][-3:] == ["manage.py", "migrate", "--noinput"]
    web_depends = services["web"]["depends_on"]
    assert web_depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_runs_the_worker_and_beat_after_migrate():
    services = compose()["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "marketplace", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "marketplace", "beat"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["broker"]["condition"] == "service_healthy", name
        env = environment_of(services[name])
        assert env["CELERY_BROKER_URL"].startswith("${CELERY_BROKER_URL:-redis://broker:6379/")
    # The broker keeps its queue: persisted, and never evicting a task to make room.
    broker = " ".join(services["broker"]["command"])
    assert "--appendonly yes" in broker and "--maxmemory-policy noeviction" in broker
    assert "allkeys-lru" not in broker


def test_every_long_running_service_has_a_health_check():
    services = compose()["services"]
    one_shot = {name for name, s in services.items() if s.get("restart") == "no"}
    assert one_shot == {"migrate"}
    for name, service in services.items():
        if name in one_shot:
            continue
        check = service.get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("service", ["web", "migrate", "worker", "beat"])
def test_compose_sets_only_variables_the_settings_read(service):
    env = environment_of(compose()["services"][service])
    unknown = set(env) - settings_variables() - RUNTIME_VARIABLES
    assert not unknown, f"{service} sets variables no setting reads: {sorted(unknown)}"


def test_compose_web_environment_is_production():
    env = environment_of(compose()["services"]["web"])
    assert env["MARKETPLACE_ENV"] == "production"
    # Required-variable syntax: compose refuses to start without them rather than run keyless.
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", env[name]), env[name]
    assert re.fullmatch(
        r"postgres://ocop:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/ocop", env["DATABASE_URL"]
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379")


# -- README ----------------------------------------------------------------------------------------


def test_readme_documents_every_variable_the_settings_read():
    documented = readme_configuration_table()
    missing = settings_variables() - set(documented)
    assert not missing, f"README's configuration table lacks {sorted(missing)}"
    stale = set(documented) - settings_variables() - RUNTIME_VARIABLES
    assert not stale, f"README documents variables nothing reads: {sorted(stale)}"
    for name, (_default, meaning) in documented.items():
        assert meaning, f"{name} has no meaning in README"


def test_readme_keeps_both_command_blocks():
    text = README.read_text(encoding="utf-8")
    for marker in ("run-command", "test-command"):
        block = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```\n<!-- /{marker} -->", text)
        assert block, marker
        assert "\n" not in block.group(1)  # one line, as .ci/run extracts it


# -- Dockerfile ------------------------------------------------------------------------------------


def test_dockerfile():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    assert "pip install ." in text
    assert "collectstatic --noinput" in text
    assert "marketplace.wsgi" in text and "gunicorn" in text
    # Workers come from the environment (gunicorn reads WEB_CONCURRENCY), not a fixed flag.
    assert "--workers" not in text and "WEB_CONCURRENCY" in text
