"""Benchmark: what refused GraphQL documents cost, and a normal request's latency while six
clients send them.

    .venv/bin/python benchmarks/abuse.py [--duration 20] [--clients 6] [--repeat 5]

Part 1, in-process (Django's test client, one thread): each abusive document of at most 128 KB —
3,500 fields, 3,000 operations, 5,000+ duplicate fields, 2,000+ repeated directives, a 5,000-digit
integer — is posted ``--repeat`` times; prints the status and the median wall and CPU time of the
refusal. Part 2, over HTTP: a throw-away SQLite database is migrated and given the demo catalogue
(``manage.py load_demo``), ``marketplace.wsgi`` is served by gunicorn (2 sync workers, DEBUG off,
catalogue cache off so the normal request does its work), and one client sends a normal
``products(first: 20)`` query back to back for ``--duration`` seconds, alone and then while
``--clients`` threads post the abusive documents in a loop; prints p50/p95/p99 of the normal
request and how many abusive requests were answered. Run and reported, never asserted (not under
tests/). Talks only to 127.0.0.1.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY_LIMIT = 128 * 1024
NORMAL = "{ products(first: 20) { totalCount edges { node { name slug } } } }"


def _fill(unit: str, head: str, tail: str) -> str:
    count = (BODY_LIMIT - 300 - len(head) - len(tail)) // (len(unit) + 1)
    return head + " ".join([unit] * count) + tail


def documents() -> dict[str, str]:
    docs = {
        "3,500 fields": "{ products(first: 1) { edges { node { "
        + " ".join(f"a{i}: name" for i in range(3_500))
        + " } } } }",
        "3,000 operations": "\n".join(f"query q{i} {{ __typename }}" for i in range(3_000)),
        "duplicate fields": _fill("__typename", "{ ", " }"),
        "repeated directives": _fill("@include(if: true)", "{ __typename ", " }"),
        "5,000-digit integer": "{ products(first: " + "9" * 5_000 + ") { totalCount } }",
    }
    for name, query in docs.items():
        assert len(json.dumps({"query": query})) <= BODY_LIMIT, name
    return docs


def part_one(repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection
    from django.test.utils import setup_databases

    setup_databases(verbosity=0, interactive=False)
    client = Client(raise_request_exception=False)
    client.post("/graphql/", json.dumps({"query": "{ __typename }"}), "application/json")
    print(f"Part 1 — one refused document, in-process (median of {repeat})")
    print(f"  {'document':<22} {'bytes':>7} {'status':>6} {'wall ms':>8} {'cpu ms':>7}")
    for name, query in documents().items():
        body = json.dumps({"query": query})
        walls, cpus, status = [], [], None
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/graphql/", body, "application/json")
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            status = response.status_code
        print(
            f"  {name:<22} {len(body):>7} {status:>6} "
            f"{statistics.median(walls):>8.1f} {statistics.median(cpus):>7.1f}"
        )
    connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: bytes, timeout: float = 120) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(url: str, seconds: float, abusers: int) -> tuple[list[float], int]:
    stop = threading.Event()
    refused = [0]
    bodies = [json.dumps({"query": q}).encode() for q in documents().values()]

    def abuse(offset: int):
        index = offset
        while not stop.is_set():
            with contextlib.suppress(OSError):
                post(url, bodies[index % len(bodies)])
                refused[0] += 1
            index += 1

    threads = [threading.Thread(target=abuse, args=(i,), daemon=True) for i in range(abusers)]
    for thread in threads:
        thread.start()
    time.sleep(1 if abusers else 0)
    normal = json.dumps({"query": NORMAL}).encode()
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        status = post(url, normal)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    stop.set()
    for thread in threads:
        thread.join(timeout=130)
    return latencies, refused[0]


def part_two(seconds: float, clients: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ocop-abuse-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "DEBUG": "0",
        "CATALOGUE_CACHE_TIMEOUT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(python).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "marketplace.wsgi",
            "--workers=2",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--log-level=error",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.3)
        for _ in range(10):
            post(url, json.dumps({"query": NORMAL}).encode())
        print(
            f"Part 2 — normal request over HTTP (gunicorn, 2 sync workers, {os.cpu_count()} CPUs "
            f"shared with the clients), {seconds:.0f} s each"
        )
        for abusers in (0, clients):
            latencies, refused = measure(url, seconds, abusers)
            print(
                f"  {abusers} abusive clients: {len(latencies)} normal requests, "
                f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} "
                f"ms, p99 {percentile(latencies, 0.99):.0f} ms; {refused} abusive answered"
            )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    args = parser.parse_args()
    if args.part in ("2", "both"):
        part_two(args.duration, args.clients)
    if args.part in ("1", "both"):
        part_one(args.repeat)


if __name__ == "__main__":
    main()
