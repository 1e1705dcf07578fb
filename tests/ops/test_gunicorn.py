"""gunicorn started as the Dockerfile starts it sends no ``Server: gunicorn`` banner."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_gunicorn_banner(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "marketplace.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            port = found and found[1]
        assert port, "gunicorn did not start"
        for _ in range(50):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt")
                break
            except urllib.error.HTTPError as error:
                response = error
                break
            except OSError:
                time.sleep(0.2)
        assert response.headers.get_all("Server") == ["ocop"]
    finally:
        process.terminate()
        process.wait(timeout=30)
