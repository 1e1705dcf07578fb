"""Serving and load for the storefront benchmark: gunicorn started and stopped, wrk driven with
its Lua scripts, and SQL queries per request counted in-process."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS = 2

LUA_COMMON = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
bad = 0
first_bad = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end
function done(summary, latency, requests)
  local bad_total, first = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
    local f = t:get("first_bad")
    if f ~= 0 then first = f end
  end
  io.write(string.format("BENCH p50=%d p90=%d p95=%d p99=%d max=%d requests=%d non2xx=%d "
    .. "first_status=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, summary.requests, bad_total, first,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


def lua_get(paths: list[str]) -> str:
    items = ",\n".join(json.dumps(p) for p in paths)
    return (
        LUA_COMMON
        + "local paths = {\n"
        + items
        + "\n}\nlocal i = 0\nfunction request()\n  i = i + 1\n"
        + '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )


def lua_post_json(path: str, body: str) -> str:
    return (
        LUA_COMMON
        + f'wrk.method = "POST"\nwrk.path = {json.dumps(path)}\n'
        + f"wrk.body = {json.dumps(body)}\n"
        + 'wrk.headers["Content-Type"] = "application/json"\n'
    )


# --- serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, *, body: bytes | None = None, timeout: float = 30) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- load ----------------------------------------------------------------------------------------

UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * UNIT[match.group(2)]


def run_wrk(base: str, script: str, args, workdir: Path, label: str) -> dict:
    path = workdir / f"{label}.lua"
    path.write_text(script, encoding="utf-8")
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}",
        "--timeout=30s",
        "--latency",
        f"--script={path}",
        base + "/",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"raw": output}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = to_ms(match.group(1)) if match else float("nan")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"^BENCH (.*)$", output, re.M)
    fields = dict(item.split("=") for item in match.group(1).split())
    result["p95"] = int(fields["p95"]) / 1000
    result["lua_p50"] = int(fields["p50"]) / 1000
    result["lua_p99"] = int(fields["p99"]) / 1000
    result["requests"] = int(fields["requests"])
    result["non2xx"] = int(fields["non2xx"])
    result["first_status"] = int(fields["first_status"])
    result["socket_errors"] = int(fields["socket_errors"])
    return result


def queries_per_request(targets: list[tuple[str, str, str | None]]) -> dict[str, tuple[int, int]]:
    """(status, number of SQL queries) of one in-process request per target, warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path, body in targets:
        for _ in range(2):  # the second run counts: no first-request caches
            with CaptureQueriesContext(connection) as captured:
                if body is None:
                    response = client.get(path)
                else:
                    response = client.post(path, data=body, content_type="application/json")
        counts[label] = (response.status_code, len(captured.captured_queries))
    return counts


def flush_redis(url: str) -> None:
    """Start the cached run from an empty cache (the benchmark's own Redis database)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def _gunicorn(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return subprocess.Popen(
        [
            gunicorn,
            app,
            f"--workers={WORKERS}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=120",
        ],
        cwd=cwd,
        env=env,
        start_new_session=True,  # its own process group, killed as one in stop()
    )


def serve_floor_and_measure(
    *, env, script, graphql_body, expected, args, workdir, listing_script=None, listing_page=None
) -> dict:
    """Serve the floor (``floor_app.py``, hand-written SQL) the same way, check its answer
    equals ``expected`` (the real endpoint's, parsed), warm up, then run wrk on it. With
    ``listing_script`` and ``listing_page`` (the real listing page's HTML), check the floor's
    listing shows the same cards, byte for byte, and run wrk on it too. Returns
    ``{"graphql": result, "listing": result}``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from floor_app import listing_cards

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = None
    try:
        process = _gunicorn("floor_app:application", port, env, ROOT / "benchmarks")
        wait_ready(base, process)
        status, body = fetch(base + "/graphql/", body=graphql_body.encode())
        if status != 200 or json.loads(body) != expected:
            raise SystemExit("the floor's answer differs from the real endpoint's")
        if listing_page is not None:
            status, body = fetch(base + "/san-pham/")
            if status != 200 or listing_cards(body.decode()) != listing_cards(listing_page):
                raise SystemExit("the floor's listing cards differ from the real page's")
        for _ in range(3 * WORKERS):
            fetch(base + "/graphql/", body=graphql_body.encode())
            fetch(base + "/san-pham/")
        measured = {"graphql": run_wrk(base, script, args, workdir, "floor")}
        if listing_script is not None:
            measured["listing"] = run_wrk(base, listing_script, args, workdir, "floor-listing")
        return measured
    finally:
        stop(process)


def serve_and_measure(*, env, targets, product_paths, graphql_body, args, workdir, answers=None):
    """Serve ``marketplace.wsgi`` with gunicorn under ``env``, check every target answers 200,
    warm up (connections, caches), then run wrk on each target in turn. ``answers``, a dict,
    receives the GraphQL answer (parsed)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = None
    try:
        process = _gunicorn("marketplace.wsgi", port, env, ROOT)
        wait_ready(base, process)
        status, body = fetch(base + "/graphql/", body=graphql_body.encode())
        payload = json.loads(body or b"{}")
        if answers is not None:
            answers["graphql"] = payload
            answers["listing"] = fetch(base + "/san-pham/")[1].decode()
        if payload.get("errors"):
            raise SystemExit(f"GraphQL errors: {payload['errors'][:2]}")
        for label, _script, path, request_body in targets:
            status, _ = fetch(base + path, body=request_body.encode() if request_body else None)
            if status != 200:
                raise SystemExit(f"{label} {path} answered {status}, expected 200")
        edges = payload["data"]["products"]["edges"]
        print(
            f"graphql: totalCount={payload['data']['products']['totalCount']}, "
            f"{len(edges)} edges, {sum(len(e['node'].get('offers') or []) for e in edges)} offers"
        )
        # Warm up: every worker opens its connection and fills its caches.
        for _ in range(3 * WORKERS):
            fetch(base + "/san-pham/")
            fetch(base + "/graphql/", body=graphql_body.encode())
        for path in product_paths:
            fetch(base + path)
        return [
            (label, run_wrk(base, script, args, workdir, f"target{index}"))
            for index, (label, script, _path, _body) in enumerate(targets)
        ]
    finally:
        stop(process)
