"""The supported Python versions are stated once in pyproject.toml; README, ruff, the Dockerfile
and .ci/run follow it."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def supported_minors() -> list[int]:
    spec = PYPROJECT["project"]["requires-python"]
    # .ci/run parses exactly this shape.
    match = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec)
    assert match, spec
    return list(range(int(match.group(1)), int(match.group(2))))


def test_the_supported_versions_are_311_to_313():
    assert supported_minors() == [11, 12, 13]


def test_readme_names_the_supported_versions_and_runs_python3():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = ", ".join(f"3.{m}" for m in supported_minors()[:-1])
    assert f"## Run it (Python {names} or 3.{supported_minors()[-1]}, nothing else)" in text
    for marker in ("run-command", "test-command"):
        block = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```", text).group(1)
        assert block.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e ")


def test_ruff_targets_the_oldest_and_the_image_runs_a_supported_version():
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{supported_minors()[0]}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    image = re.search(r"^FROM python:3\.(\d+)-slim", dockerfile, re.M)
    assert image and int(image.group(1)) in supported_minors()


def test_ci_runs_the_readme_command_on_the_oldest_and_the_newest():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "requires-python" in script
    assert 'run "$oldest" "PostgreSQL"' in script and 'run "$oldest" "SQLite"' in script
    assert 'run "$newest" "PostgreSQL"' in script
