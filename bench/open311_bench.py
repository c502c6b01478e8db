"""Open311 API benchmark: seeds cases into PostgreSQL, then measures GET and POST.

Targets (issue: foundation): GET requests p99 under 50 ms at 1,000,000 cases; POST
requests at least 300 per second on a 2-core machine.

    .venv/bin/python bench/open311_bench.py --cases 1000000

It serves the real app with gunicorn (as the Procfile does), measures GET latency
with a keep-alive client one request at a time (p50/p95/p99 per query shape), and GET
and POST throughput with wrk (Debian package `wrk`) when it is installed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from case_store import migrate  # noqa: E402
from case_store.apikeys import do_create_api_key  # noqa: E402
from case_store.catalog import read_default_catalog  # noqa: E402
from case_store.catalog.load import do_load_catalog  # noqa: E402
from case_store.db import make_engine, make_session_factory  # noqa: E402
from case_store.models import Service  # noqa: E402
from case_store.public_ids import format_public_id  # noqa: E402

OPEN = ["received", "routed", "in_queue", "onsite_attempt", "reopened"]
CLOSED = ["resolved", "closed", "duplicate"]
WORDS = "large deep hole near the corner broken light trash pile blocking sidewalk again since last week".split()


def reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()


def seed(url: str, count: int, now: datetime) -> str:
    """COPYs ``count`` cases spread over three years (recent ones more often open)."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        do_load_catalog(session, read_default_catalog())
        _, key = do_create_api_key(session, "benchmark")
        services = session.execute(sa.select(Service.id, Service.department, Service.sla_hours)).all()
    engine.dispose()
    rng = random.Random(311)
    span = timedelta(days=3 * 365).total_seconds()
    started = time.perf_counter()
    with psycopg.connect(_libpq(url)) as connection:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE cases DISABLE TRIGGER ALL")
            with cursor.copy(
                "COPY cases (id, public_id, service_id, status, status_notes, closure_reason, department,"
                " description, description_language, attributes, lat, lon, address, channel,"
                " requested_at, updated_at, expected_at, closed_at) FROM STDIN"
            ) as copy:
                for pk in range(1, count + 1):
                    service_id, department, sla = rng.choice(services)
                    requested = now - timedelta(seconds=span * (1 - (pk / count)) + rng.random() * 60)
                    age_days = (now - requested).days
                    closed = rng.random() < min(0.95, 0.2 + age_days / 60)
                    status = rng.choice(CLOSED) if closed else rng.choice(OPEN)
                    updated = requested + timedelta(hours=rng.randint(1, 200)) if closed else requested
                    copy.write_row(
                        (
                            pk,
                            format_public_id(pk),
                            service_id,
                            status,
                            "Routed",
                            "fixed" if closed else None,
                            department,
                            " ".join(rng.choices(WORDS, k=8)),
                            "en",
                            "{}",
                            42.38 + rng.random() * 0.03,
                            -71.12 + rng.random() * 0.04,
                            f"{rng.randint(1, 999)} Main St",
                            rng.choice(["sms", "web", "whatsapp", "open311"]),
                            requested,
                            updated,
                            requested + timedelta(hours=sla),
                            updated if closed else None,
                        )
                    )
            cursor.execute("ALTER TABLE cases ENABLE TRIGGER ALL")
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('cases', 'id'), {count})")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE cases")
    print(f"seeded {count:,} cases in {time.perf_counter() - started:.1f} s")
    return key


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(url: str, redis_url: str, port: int, workers: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "INTAKE_DATA_DIR": data_dir,
        "OPEN311_RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "bot.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def get_latency(port: int, paths: list[str], repeat: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    timings: list[float] = []
    for i in range(repeat):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"GET {path} -> {response.status}: {body[:300]!r}")
    connection.close()
    return timings


def summary(timings: list[float]) -> str:
    """p50, p95 and p99 in milliseconds, in the table's columns."""
    return f"{statistics.median(timings):8.1f} {percentile(timings, 95):8.1f} {percentile(timings, 99):8.1f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def query_shapes(now: datetime, count: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    codes = ["pothole", "streetlight", "graffiti", "illegal_dumping", "missed_collection"]

    def day(offset: int) -> str:
        return (now - timedelta(days=offset)).strftime("%Y-%m-%dT00:00:00Z")

    def path(**args: str | int) -> str:
        return "/open311/v2/requests.json?" + urlencode(args)

    return {
        "status=open, page_size=100": [path(status="open", page_size=100, page=p) for p in (1, 2, 3)],
        "service_code+status=closed, 30-day range, page 2 of 50": [
            path(
                service_code=c,
                status="closed",
                start_date=day(200 + 7 * i),
                end_date=day(170 + 7 * i),
                page=2,
                page_size=50,
            )
            for i, c in enumerate(codes)
        ],
        "7-day range, default 1,000 per page": [path(start_date=day(14 + i), end_date=day(7 + i)) for i in range(5)],
        "service_code (3 codes), status=open, page 5 of 100": [
            path(service_code=",".join(rng.sample(codes, 3)), status="open", page=5, page_size=100) for _ in range(5)
        ],
        "10 service_request_ids": [
            path(service_request_id=",".join(format_public_id(rng.randint(1, count)) for _ in range(10)))
            for _ in range(5)
        ],
        "no arguments (last 90 days, first 1,000), XML": [
            "/open311/v2/requests.xml",
            "/open311/v2/requests.xml?page=3",
        ],
    }


WRK_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
-- streetlight and tree carry their required attribute, so every request is valid
local codes = {"pothole", "streetlight&attribute[problem]=out", "graffiti", "litter",
               "tree&attribute[problem]=hanging_limb",
               "illegal_dumping&attribute[items][]=mattress&attribute[items][]=furniture"}
local n = 0
request = function()
  n = n + 1
  local body = "api_key=%s&service_code=" .. codes[(n %% #codes) + 1] ..
    "&lat=42.39" .. (n %% 97) .. "&long=-71.10" .. (n %% 89) ..
    "&address_string=" .. (n %% 999 + 1) .. "+Main+St&description=Benchmark+report+" .. n ..
    "&email=bench%%40example.org&first_name=Bench"
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
"""

WRK_GET = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def run_wrk(port: int, script: str, seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script + "\n" + WRK_REPORT)
        script_path = fh.name
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            script_path,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script_path)
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.status + e.connect + e.read + e.write + e.timeout
  io.write(string.format('JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "errors": %d, '
    .. '"p50_ms": %.2f, "p99_ms": %.2f}\\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def count_cases(url: str) -> int:
    with psycopg.connect(_libpq(url)) as connection:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/intake_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database if it has the cases")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (cores + 1 measured best here)")
    parser.add_argument("--repeat", type=int, default=300, help="GET requests per query shape")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", choices=["get", "post", "all"], default="all")
    args = parser.parse_args()

    now = datetime.now(UTC)
    _ensure_database(args.database_url)
    if args.reuse and _has_cases(args.database_url, args.cases):
        with psycopg.connect(_libpq(args.database_url)) as connection:
            connection.execute("DELETE FROM api_keys")
        engine = make_engine(args.database_url)
        with make_session_factory(engine).begin() as session:
            _, key = do_create_api_key(session, "benchmark")
        engine.dispose()
        print(f"reusing {count_cases(args.database_url):,} seeded cases")
    else:
        reset(args.database_url)
        key = seed(args.database_url, args.cases, now)

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="intake-bench-")
    server = start_gunicorn(args.database_url, args.redis_url, port, args.workers, data_dir)
    try:
        shapes = query_shapes(now, args.cases)
        get_latency(port, [p for paths in shapes.values() for p in paths], 50)  # warm the caches
        if args.only != "post":
            measure_get(port, shapes, args)
        if args.only != "get":
            measure_post(port, key, args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def measure_get(port: int, shapes: dict[str, list[str]], args: argparse.Namespace) -> None:
    print(
        f"\nGET latency, one request at a time ({args.repeat} per shape, {count_cases(args.database_url):,} cases, "
        f"{args.workers} gunicorn workers)"
    )
    print(f"{'query':58} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    everything: list[float] = []
    for name, paths in shapes.items():
        timings = get_latency(port, paths, args.repeat)
        everything.extend(timings)
        print(f"{name:58} {summary(timings)}")
    print(f"{'all shapes':58} {summary(everything)}")
    if shutil.which("wrk") is None:
        print("\nwrk is not installed (apt-get install wrk): skipping the throughput run")
        return
    listed = ", ".join(f'"{p}"' for paths in list(shapes.values())[:2] for p in paths)
    result = run_wrk(port, WRK_GET % listed, args.seconds, args.connections)
    print(
        f"\nGET throughput ({args.connections} connections, {args.seconds} s, filtered pages of 50-100): "
        f"{result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"errors {result['errors']:.0f}"
    )


def measure_post(port: int, key: str, args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        print("\nwrk is not installed (apt-get install wrk): skipping the POST run")
        return
    before = count_cases(args.database_url)
    result = run_wrk(port, WRK_POST % key, args.seconds, args.connections)
    time.sleep(1)  # requests still in flight when wrk stops also land
    created = count_cases(args.database_url) - before
    print(
        f"POST requests.json ({args.connections} connections, {args.seconds} s): {result['rps']:.0f} req/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, non-2xx {result['errors']:.0f}, "
        f"cases created {created:,} (wrk counted {result['requests']:.0f} completed requests)"
    )


def _ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = _libpq(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _has_cases(url: str, count: int) -> bool:
    try:
        return count_cases(url) >= count
    except psycopg.Error:
        return False


if __name__ == "__main__":
    main()
