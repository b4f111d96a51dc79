"""Every page of issue 16 under gunicorn with 20 concurrent clients, at two sizes.

    python bench/load.py [--seconds 8] [--clients 20] [--sizes 10x100,100x1000]
                         [--pages "documents list,inbox"]

For each size (PLANSxAGENCIES) a private PostgreSQL database is seeded (bench/seed.py, COPY),
gunicorn is started with deploy/gunicorn.conf.py on a free loopback port, each user logs in
through the real login form (CSRF), and each page is requested by CLIENTS threads for SECONDS
(after one warm-up request). Printed per page: p50/p95/p99 (ms), requests/s, errors, and SQL
queries per request (from the app's JSON request log). Then the ratio of p95 between the sizes,
and the memory of each gunicorn worker (RSS, PSS, USS, peak) at start and after the run.
Everything started is stopped; the databases are dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import seed  # noqa: E402

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
)

# page label → (user, path template)
PAGES = [
    ("dashboard (specialist)", "bench.chuyenvien", "/"),
    ("dashboard (agency)", "bench.baocao", "/"),
    ("plans list", "bench.chuyenvien", "/plans/"),
    ("plans search", "bench.chuyenvien", "/plans/?q=nhan+quyen"),
    ("consolidation page", "bench.chuyenvien", "/periods/{period_id}/consolidation"),
    ("inbox", "bench.baocao", "/inbox"),
    ("plan page", "bench.chuyenvien", "/plans/{plan_id}"),
    ("documents list", "bench.chuyenvien", "/documents/"),
    ("register (admin)", "bench.admin", "/documents/register"),
    ("review queue", "bench.chuyenvien", "/review"),
    ("API reports of a plan", "token", "/api/v1/reports?plan_id={plan_id}&per_page=100"),
    # the floor: a form page with the navigation, what every page pays before its own work
    ("floor: password page (specialist)", "bench.chuyenvien", "/auth/mat-khau"),
    ("floor: password page (reporter)", "bench.baocao", "/auth/mat-khau"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(base: str, username: str) -> requests.Session:
    s = requests.Session()
    page = s.get(base + "/auth/login", timeout=60).text
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    data = {"username": username, "password": seed.PASSWORD}
    if m:
        data["csrf_token"] = m.group(1)
    r = s.post(base + "/auth/login", data=data, timeout=60, allow_redirects=False)
    assert r.status_code == 302, (username, r.status_code, r.text[:300])
    return s


TIMEOUT = 120.0  # seconds a client waits for one answer (--timeout)


def hammer(sessions: list[requests.Session], url: str, seconds: float) -> tuple[list, int]:
    times: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(s: requests.Session) -> None:
        while time.monotonic() < stop:
            t = time.perf_counter()
            try:
                ok = s.get(url, timeout=TIMEOUT).status_code == 200
            except requests.RequestException:
                ok = False
            dt = (time.perf_counter() - t) * 1000
            with lock:
                times.append(dt)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors[0], time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def workers_memory(pid: int) -> list[dict[str, float]]:
    """Memory of each gunicorn worker (children of ``pid``), MB: ``rss`` (every page it maps,
    shared ones included: what ``ps`` and the issue's goal count), ``pss`` (shared pages divided
    among the processes sharing them: the workers' fair share, summing to the host's use),
    ``uss`` (pages only this worker has: what stopping it gives back, i.e. what one more worker
    costs), ``hwm`` (peak RSS over its life)."""
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            fields = {}
            for line in Path(f"/proc/{child}/smaps_rollup").read_text().splitlines()[1:]:
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0]) / 1024
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    fields["hwm"] = int(line.split()[1]) / 1024
        except OSError:
            continue
        out.append(
            {
                "rss": round(fields["Rss"], 1),
                "pss": round(fields["Pss"], 1),
                "uss": round(fields["Private_Clean"] + fields["Private_Dirty"], 1),
                "hwm": round(fields["hwm"], 1),
            }
        )
    return out


def show_memory(label: str, workers: list[dict[str, float]]) -> None:
    cells = ", ".join(
        f"RSS {w['rss']:.0f} / PSS {w['pss']:.0f} / USS {w['uss']:.0f} (peak RSS {w['hwm']:.0f})"
        for w in workers
    )
    print(f"  gunicorn workers {label}, MB: {cells}", flush=True)


def run_size(plans: int, agencies: int, seconds: float, clients: int) -> dict:
    name = f"kehoach_bench_{plans}x{agencies}_{os.getpid()}"
    url = seed.create_database(ADMIN_URL, name)
    info = seed.seed(url, plans, agencies)
    print(f"seeded {plans}×{agencies}: {info}", flush=True)
    from app import create_app
    from app.extensions import db
    from app.models import Agency
    from app.services import api_tokens

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        first = db.session.query(Agency).filter_by(code="BENCH-0001").one()
        _, token = api_tokens.create(first, "bench", ["reporter"], None)
        db.session.commit()
        db.engine.dispose()
    port = free_port()
    log = open(f"/tmp/kehoach-bench-{name}.log", "w+b")  # noqa: SIM115
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KEHOACH_SECRET_KEY": "b" * 64,
        "KEHOACH_INSTANCE": f"/tmp/kehoach-bench-{name}",
        "KEHOACH_REQUEST_LOG": "true",
        "PORT": str(port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "app.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        for _ in range(120):
            try:
                if requests.get(base + "/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        time.sleep(1)
        results["_memory_start"] = workers_memory(proc.pid)
        show_memory("at start", results["_memory_start"])
        users = {u for _, u, _ in PAGES if u != "token"}
        logged = {u: [login(base, u) for _ in range(clients)] for u in users}
        api = []
        for _ in range(clients):
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            api.append(s)
        logged["token"] = api
        ids = {"plan_id": info["plan_id"], "period_id": info["period_id"]}
        for label, user, path in PAGES:
            target = base + path.format(**ids)
            log.seek(0, 2)
            mark = log.tell()
            t = time.perf_counter()
            try:
                first_status = logged[user][0].get(target, timeout=TIMEOUT).status_code
            except requests.RequestException:
                first_status = 0
            single = (time.perf_counter() - t) * 1000
            log.flush()
            time.sleep(0.3)
            log.seek(mark)
            queries = [
                json.loads(line)["queries"]
                for line in log.read().splitlines()
                if b'"event": "request"' in line
            ][-1:]
            times, errors, elapsed = hammer(logged[user], target, seconds)
            results[label] = {
                "single_ms": single,
                "status": first_status,
                "p50": pct(times, 50),
                "p95": pct(times, 95),
                "p99": pct(times, 99),
                "rps": len(times) / elapsed,
                "n": len(times),
                "errors": errors,
                "queries": queries[0] if queries else None,
            }
            r = results[label]
            print(
                f"  {label:<24} {r['p50']:>8.0f} {r['p95']:>8.0f} {r['p99']:>8.0f} "
                f"{r['rps']:>7.1f} {r['queries']!s:>6} {errors:>4} (1 req: {single:.0f} ms)",
                flush=True,
            )
        results["_memory"] = workers_memory(proc.pid)
        results["_info"] = info
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        seed.drop_database(ADMIN_URL, name)
    return results


def main() -> None:
    # a stop (timeout, Ctrl-C) still stops gunicorn and drops the databases
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--sizes", default="10x100,100x1000")
    ap.add_argument("--timeout", type=float, default=120, help="client timeout per request (s)")
    ap.add_argument(
        "--pages", default="", help="only the pages whose label contains one of these (comma)"
    )
    args = ap.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        PAGES[:] = [p for p in PAGES if any(w in p[0] for w in wanted)]
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    all_results = {}
    for plans, agencies in sizes:
        print(
            f"\n{plans} plans × {agencies} agencies ({plans * agencies:,} reports), "
            f"{args.clients} clients × {args.seconds:.0f} s per page"
        )
        print(
            f"  {'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
            f"{'SQL':>6} {'err':>4}"
        )
        all_results[(plans, agencies)] = run_size(plans, agencies, args.seconds, args.clients)
        show_memory("after the run", all_results[(plans, agencies)]["_memory"])
    if len(sizes) == 2:
        small, big = (all_results[s] for s in sizes)
        print("\np95 ratio (large / small):")
        for label, _, _ in PAGES:
            print(f"  {label:<24} {big[label]['p95'] / small[label]['p95']:>6.2f}")
    out = ROOT / "bench" / "last-load.json"
    out.write_text(
        json.dumps({f"{p}x{a}": r for (p, a), r in all_results.items()}, indent=1, default=str)
    )


if __name__ == "__main__":
    main()
