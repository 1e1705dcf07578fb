"""The WSGI entry point gunicorn loads: the app, with its long-lived objects frozen for the GC."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_module_loads_the_app_and_freezes_what_lives_forever():
    script = (
        "import gc, marketplace.wsgi as w; "
        "print(callable(w.application), 'api.schema' in __import__('sys').modules, "
        "gc.get_freeze_count() > 50000, *gc.get_threshold())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
        check=True,
    )
    # Young collections every 50,000 allocations, not 700 (see the module).
    assert result.stdout.split() == ["True", "True", "True", "50000", "20", "10"]
