"""``make bench`` — throughput and latency figures on PostgreSQL, printed as one table.

    WANGGE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge python -m benchmarks.run

It drops and re-creates the database ``wangge_bench`` on that server, migrates it, and measures:

1. intake: cases created per second through ``POST /api/v1/cases/`` on gunicorn (gthread workers
   on 127.0.0.1, keep-alive), driven by a fixed number of kept-alive client connections from one
   selector loop on the same machine, with p50/p99;
2. one escalation sweep over 100,000 open cases of which 1,000 are due;
3. point → grid lookups per second over 20,000 polygons (``wangge.org.geo.GridIndex``);
4. the dashboard, case-list, search and rollup-refresh timings at 1,000,000 cases
   (``benchmarks/dashboard.py``, ``benchmarks/rollup.py``) — or at each size of
   ``WANGGE_BENCH_CASES=1000000,8000000`` with the growth between them (``benchmarks/scale.py``);
5. this machine's ``pgbench`` figure, so that tables from different machines compare.

The sweep's 100,000 cases are benchmark fixture data, copied from one real case with
``INSERT … SELECT generate_series``: that bypasses the actions on purpose (it is setup, not a
state change). Everything measured runs the real code paths.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import random
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import astuple, dataclass
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wangge"
BENCH_DB = os.environ.get("WANGGE_BENCH_DB", "wangge_bench")  # its own database, re-created each run
ROOT = Path(__file__).resolve().parent.parent

INTAKE_TARGET = 300  # cases per second
INTAKE_WORKERS = int(os.environ.get("WANGGE_BENCH_WORKERS", "3"))
# gthread workers keep the client's connection open between requests (sync workers close it
# after every answer); one thread each, since the GIL lets only one of them run at a time.
INTAKE_WORKER_CLASS = os.environ.get("WANGGE_BENCH_WORKER_CLASS", "gthread")
INTAKE_THREADS = int(os.environ.get("WANGGE_BENCH_THREADS", "1"))
INTAKE_CLIENTS = int(os.environ.get("WANGGE_BENCH_CLIENTS", "8"))
INTAKE_REQUESTS = int(os.environ.get("WANGGE_BENCH_REQUESTS", "12000"))
INTAKE_SECONDS = 30.0
SWEEP_OPEN, SWEEP_DUE, SWEEP_OVERDUE = 100_000, 1_000, 200  # of the due ones, overdue → escalated
SWEEP_TARGET = 2.0  # seconds
LOOKUP_GRIDS, LOOKUP_POINTS, LOOKUP_TARGET = 20_000, 100_000, 20_000


@dataclass
class Row:
    name: str
    target: str
    measured: str
    passed: bool | None  # None: information only

    @property
    def result(self) -> str:
        return "—" if self.passed is None else "pass" if self.passed else "FAIL"


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------


def recreate_database(url: str, name: str | None = None) -> str:
    """Drop and create the bench database (``wangge_bench``, or ``name``) on the server of
    ``url``; return its URL."""
    import psycopg

    name = name or BENCH_DB
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def run_alone(run, database: str) -> None:
    """One bench module on its own (``python -m benchmarks.<name>``): its own database (named by
    ``WANGGE_BENCH_DB`` or ``database``), re-created, and its rows as a table."""
    url = os.environ.get("WANGGE_BENCH_DATABASE_URL", DEFAULT_URL)
    setup_django(recreate_database(url, os.environ.get("WANGGE_BENCH_DB", database)))
    print_table(_as_rows(run(sys.stdout)))


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["WANGGE_DEBUG"] = "0"  # no query log, as in production
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------------------------
# 1. Intake over HTTP
# ---------------------------------------------------------------------------------------------


def _busy_cpu_seconds() -> float:
    """CPU seconds this machine has spent busy since boot, all processes (Linux ``/proc/stat``):
    the difference over a run, divided by its requests, is what one request cost the server,
    the database and the client together — steadier on a shared machine than the rate."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuUse:
    """CPU seconds spent during a run: by the whole machine, and by its three parties — the
    server (the gunicorn processes of its session), the database (the processes named
    ``postgres``) and the client (this process). Read from Linux ``/proc``; per request, it says
    where a request's cost goes, which the rate alone cannot."""

    machine: float
    server: float
    database: float
    client: float

    @classmethod
    def now(cls, session: int) -> "CpuUse":
        tick = os.sysconf("SC_CLK_TCK")
        parts = {"server": 0.0, "database": 0.0, "client": 0.0}
        me = os.getpid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # ended meanwhile
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()  # from field 3 (state) on: see proc(5)
            seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime, all threads
            if int(entry) == me:
                parts["client"] += seconds
            elif int(fields[3]) == session:
                parts["server"] += seconds
            elif name == "postgres":
                parts["database"] += seconds
        return cls(machine=_busy_cpu_seconds(), **parts)

    def __sub__(self, other: "CpuUse") -> "CpuUse":
        return CpuUse(*(mine - theirs for mine, theirs in zip(astuple(self), astuple(other))))

    def per_request_ms(self, requests: int) -> "CpuUse":
        return CpuUse(*(seconds / requests * 1000 for seconds in astuple(self)))

    def split(self) -> str:
        return f"server {self.server:.1f} + database {self.database:.1f} + client {self.client:.1f} ms/req"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _payloads(world, n: int, rng: random.Random) -> list[dict]:
    leaves = [leaf for leaf, _spec, _root in world.leaves]
    payloads = []
    for i in range(n):
        grid = rng.choice(world.grids)
        lng, lat = grid.random_point(rng)
        payloads.append({
            "channel": "hotline", "description": f"压测来电 {i}：小区门口有流动摊贩占道经营，影响通行。",
            "category": rng.choice(leaves).pk, "longitude": lng, "latitude": lat, "address": "和顺西街18号",
            "reporter_name": "张先生", "reporter_phone": f"138{rng.randrange(10**8):08d}",
        })
    return payloads


def _start_server(port: int, settings_module: str | None = None) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = dict(os.environ)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    command = [str(gunicorn), "config.wsgi:application", "--workers", str(INTAKE_WORKERS),
               "--worker-class", INTAKE_WORKER_CLASS, "--threads", str(INTAKE_THREADS), "--keep-alive", "30",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _wait_ready(client, url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            if client.get(url).status_code == 200:
                return
        except Exception:  # connection refused while the workers boot
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _request_bytes(port: int, headers: dict, payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "Host": f"127.0.0.1:{port}",
                                                   "Content-Length": str(len(body))}.items())
    return f"POST /api/v1/cases/ HTTP/1.1\r\n{head}\r\n".encode() + body


class _Client:
    """One kept-alive HTTP/1.1 connection sending one request at a time."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.sent_at = 0.0

    def response(self) -> tuple[int, bytes, bool] | None:
        """(status, body, server closes) once the whole answer is in the buffer."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _sep, v in (line.partition(":") for line in head[1:])}
        length = int(fields.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return None
        body = self.buffer[end + 4:end + 4 + length]
        self.buffer = self.buffer[end + 4 + length:]
        return int(head[0].split()[1]), body, fields.get("connection", "").lower() == "close"


def drive(port: int, queues: list, accepted, stop_at: float | None = None) -> tuple[list[float], list[str]]:
    """Send each queue's raw requests over its own kept-alive connection, one at a time, from one
    thread (a selector loop: the load generator shares the 2 CPUs with the server and the
    database, so it must cost as little as possible per request — client threads fighting over
    the GIL cost more than the server's work). Connections may share one iterator (a common pool
    of requests). ``accepted(status, body)`` says which answers count; returns their latencies
    and the errors."""

    latencies: list[float] = []
    errors: list[str] = []
    selector = selectors.DefaultSelector()

    def send(client: _Client, queue) -> None:
        request = next(queue, None) if stop_at is None or time.monotonic() < stop_at else None
        if request is None:
            selector.unregister(client.sock)
            client.sock.close()
            return
        client.sent_at = time.perf_counter()
        client.sock.setblocking(True)
        client.sock.sendall(request)
        client.sock.setblocking(False)

    def connect(queue) -> _Client:
        client = _Client(port)
        selector.register(client.sock, selectors.EVENT_READ, (client, queue))
        return client

    for queue in queues:
        send(connect(queue), queue)
    while selector.get_map():
        for key, _events in selector.select(timeout=30):
            client, queue = key.data
            chunk = client.sock.recv(65536)
            if not chunk:
                errors.append("connection closed by the server")
                selector.unregister(client.sock)
                client.sock.close()
                continue
            client.buffer += chunk
            answer = client.response()
            if answer is None:
                continue
            status, body, closes = answer
            if accepted(status, body):
                latencies.append(time.perf_counter() - client.sent_at)
            else:
                errors.append(f"{status} {body[:200]!r}")
            if closes:
                selector.unregister(client.sock)
                client.sock.close()
                client = connect(queue)
            send(client, queue)
    return latencies, errors


def _drive(port: int, requests: list[bytes], clients: int, stop_at: float) -> tuple[list[float], list[str]]:
    """The intake requests from one common pool over ``clients`` connections; 201 counts."""
    pending = iter(requests)
    return drive(port, [pending] * clients, lambda status, _body: status == 201, stop_at)


def bench_intake(world) -> list[Row]:
    import httpx

    from wangge.cases.models import Case
    from wangge.org.services import issue_api_token

    _token, token = issue_api_token(user=world.users["clerk"], name="bench")
    headers = {"Authorization": f"Token {token}", "Prefer": "return=minimal", "Accept-Language": "zh-hans"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(1)
    payloads = _payloads(world, INTAKE_REQUESTS + 200, rng)
    before = Case.objects.count()
    server = _start_server(port)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as probe:
            _wait_ready(probe, "/api/v1/sla-policies/", server)
            for payload in payloads[:100]:  # warm every worker: imports, grid index, connections
                response = probe.post("/api/v1/cases/", json=payload)
                if response.status_code != 201:
                    raise RuntimeError(f"intake answered {response.status_code}: {response.text[:300]}")
        post_headers = {**headers, "Content-Type": "application/json"}
        requests = [_request_bytes(port, post_headers, payload) for payload in payloads[100:]]
        started, cpu_started = time.perf_counter(), CpuUse.now(server.pid)
        latencies, errors = _drive(port, requests, INTAKE_CLIENTS, stop_at=time.monotonic() + INTAKE_SECONDS)
        seconds, used = time.perf_counter() - started, CpuUse.now(server.pid) - cpu_started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    created = Case.objects.count() - before - 100
    numbers_unique = Case.objects.values("number").distinct().count() == Case.objects.count()
    rate = len(latencies) / seconds
    intake_use = used.per_request_ms(len(latencies))
    quantiles = statistics.quantiles(latencies, n=100)
    p50, p99 = quantiles[49] * 1000, quantiles[98] * 1000
    log(f"intake: {len(latencies)} cases in {seconds:.1f} s, {len(errors)} errors, {created} rows, "
        f"numbers unique: {numbers_unique}")
    for error in errors[:5]:
        log(f"  error: {error}")
    ok = not errors and created == len(latencies) and numbers_unique
    rows = [Row(f"intake POST /api/v1/cases/ ({INTAKE_WORKERS} gunicorn {INTAKE_WORKER_CLASS} workers, "
                f"{INTAKE_CLIENTS} clients)",
                f"≥ {INTAKE_TARGET}/s", f"{rate:.0f}/s  p50 {p50:.0f} ms  p99 {p99:.0f} ms  cpu {intake_use.machine:.1f} ms/req",
                ok and rate >= INTAKE_TARGET)]
    rows.append(Row("  intake CPU per request, by party", "—", intake_use.split(), None))
    bare = _bare_rate(payloads[100:], headers)
    if bare is not None:
        bare_rate, bare_use = bare
        ratio = rate / bare_rate if bare_rate else 0.0
        rows.append(Row("bare DRF endpoint inserting one row (same gunicorn, same client)", "—",
                        f"{bare_rate:.0f}/s  cpu {bare_use.machine:.1f} ms/req", None))
        rows.append(Row("  bare endpoint CPU per request, by party", "—", bare_use.split(), None))
        rows.append(Row("intake ÷ bare endpoint (throughput; CPU per request, bare ÷ intake)", f"≥ {INTAKE_BARE_RATIO}",
                        f"{ratio:.2f}; {bare_use.machine / intake_use.machine:.2f}", ratio >= INTAKE_BARE_RATIO))
        # What the ratio asks of the intake's server, once its database and client parts are
        # paid: beside the bare endpoint's own server part (Django, DRF, gunicorn and one insert).
        budget = bare_use.machine / INTAKE_BARE_RATIO - intake_use.database - intake_use.client
        rows.append(Row(f"  server CPU the ratio {INTAKE_BARE_RATIO} leaves the intake (bare endpoint's server)", "—",
                        f"{budget:.1f} ms/req ({bare_use.server:.1f})", None))
        # The most the ratio could be, even if everything the intake does in Python beyond the bare
        # endpoint (token, checks, grid, resident, number, deadlines, event) cost nothing: its
        # server no dearer than the bare one, its database part as measured.
        ceiling = bare_use.machine / (intake_use.database + bare_use.server + intake_use.client)
        rows.append(Row("  ceiling: the ratio with the intake's server only as dear as the bare endpoint's", "—",
                        f"{ceiling:.2f}", None))
    return rows


INTAKE_BARE_RATIO = 0.5


def _bare_rate(payloads: list[dict], headers: dict) -> tuple[float, CpuUse] | None:
    """(requests per second, CPU ms per request) of ``benchmarks.bare`` driven exactly as the
    intake was."""
    import httpx
    from django.db import connection

    from benchmarks import bare

    with connection.cursor() as cursor:
        cursor.execute(bare.CREATE_TABLE)
    port = _free_port()
    server = _start_server(port, settings_module="benchmarks.bare_settings")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as probe:
            deadline = time.monotonic() + 60
            while True:  # warm every worker, as for the intake
                try:
                    if probe.post("/api/v1/cases/", json=payloads[0]).status_code == 201:
                        break
                except Exception:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log("bare endpoint did not start")
                    return None
                time.sleep(0.3)
            for payload in payloads[:100]:
                probe.post("/api/v1/cases/", json=payload)
        post_headers = {**headers, "Content-Type": "application/json"}
        requests = [_request_bytes(port, post_headers, payload) for payload in payloads]
        started, cpu_started = time.perf_counter(), CpuUse.now(server.pid)
        latencies, errors = _drive(port, requests, INTAKE_CLIENTS, stop_at=time.monotonic() + INTAKE_SECONDS)
        seconds, used = time.perf_counter() - started, CpuUse.now(server.pid) - cpu_started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log(f"bare endpoint: {len(latencies)} rows in {seconds:.1f} s, {len(errors)} errors")
    return (len(latencies) / seconds, used.per_request_ms(len(latencies))) if not errors else None


# ---------------------------------------------------------------------------------------------
# 2. The sweep
# ---------------------------------------------------------------------------------------------


def _template_case(world):
    """One real case, filed, accepted, dispatched to a department and claimed by the actions, on
    a deadline policy that escalates when overdue (the demo office lets its longer clocks only
    turn red: the bench measures the escalations too)."""
    from wangge.cases import actions
    from wangge.cases.models import SlaPolicy
    from wangge.core.localcache import invalidate_all

    clerk, officer = world.users["clerk"], world.users["chengguan"]
    leaf = next(leaf for leaf, spec, _root in world.leaves if spec.code == "weijian-sida")
    grid = world.grids[0]
    lng, lat = grid.random_point(random.Random(2))
    case = actions.create_case(actor=clerk, channel="hotline", description="私搭乱建，占用公共绿地。", category=leaf,
                               longitude=lng, latitude=lat, reporter_name="李女士", reporter_phone="13900001111")
    case = actions.accept_case(case=case, actor=clerk)
    case = actions.dispatch_case(case=case, actor=clerk,
                                 lead=actions.Target(department=world.departments["chengguan"]))
    SlaPolicy.objects.filter(pk=case.sla_policy_id).update(escalate_when_overdue=True)  # fixture setting
    invalidate_all()
    return actions.claim_case(case=case, actor=officer)


def insert_sweep_fixture(world, *, total: int = SWEEP_OPEN, due: int = SWEEP_DUE, overdue: int = SWEEP_OVERDUE,
                         prefix: str = "SW", template=None) -> tuple[float, object]:
    """``total`` open cases copied from a real one: ``due`` due now (of them ``overdue`` past
    their deadline, the rest turning amber), the others due for a look in the next 30 days.
    Numbers start with ``prefix``. Returns (seconds, the template case)."""
    from django.db import connection

    from wangge.cases.models import Case, CaseAssignment

    template = template or _template_case(world)
    t0 = time.perf_counter()
    overrides = {
        "number": f"'{prefix}' || lpad(g::text, 8, '0')",
        "tracking_token": f"md5('{prefix}' || g::text)",
        "light": "CASE WHEN g <= %(overdue)s THEN 'amber' ELSE 'green' END",
        "clock_started_at": "now() - CASE WHEN g <= %(overdue)s THEN interval '6 days' ELSE interval '108 hours' END",
        "resolve_due_at": "now() + CASE WHEN g <= %(overdue)s THEN interval '-1 hour' ELSE interval '12 hours' END",
        "next_check_at": "CASE WHEN g <= %(overdue)s THEN now() - interval '1 hour' "
                         "WHEN g <= %(due)s THEN now() - interval '1 minute' "
                         "ELSE now() + (g %% 43200 + 1) * interval '1 minute' END",
        "submitted_at": "now() - interval '6 days'",
        "updated_at": "now()",
    }
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    select = [overrides.get(c, f't."{c}"') for c in columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = (f"INSERT INTO {Case._meta.db_table} ({quoted}) "
           f'SELECT {", ".join(select)} FROM {Case._meta.db_table} t, generate_series(1, %(n)s) g WHERE t.id = %(id)s')
    a_columns = [f.column for f in CaseAssignment._meta.concrete_fields if f.column not in ("id", "case_id")]
    a_sql = (f'INSERT INTO {CaseAssignment._meta.db_table} (case_id, {", ".join(a_columns)}) '
             f'SELECT c.id, {", ".join("a." + col for col in a_columns)} FROM {Case._meta.db_table} c '
             f'JOIN {CaseAssignment._meta.db_table} a ON a.case_id = %(id)s AND a.active '
             f"WHERE c.number LIKE '{prefix}%%' AND c.next_check_at <= now()")
    params = {"n": total, "id": template.pk, "due": due, "overdue": overdue}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(a_sql, params)
        cursor.execute(f"VACUUM ANALYZE {Case._meta.db_table}")
    _checkpoint()
    return time.perf_counter() - t0, template


def _checkpoint() -> None:
    """Write the fixture's dirty pages out now, so that the checkpoint its inserts call for does not
    land inside the sweep being timed (needs a superuser or pg_checkpoint; skipped otherwise)."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


SWEEP_LARGE = int(os.environ.get("WANGGE_BENCH_SWEEP_LARGE", "1000000"))  # open cases at the second size
SWEEP_GROWTH_TARGET = 1.5


def _one_sweep(label: str) -> tuple[float, object]:
    from django.utils import timezone

    from wangge.cases.tasks import run_sweep

    t0 = time.perf_counter()
    result = run_sweep(now=timezone.now())
    elapsed = time.perf_counter() - t0
    log(f"sweep at {label}: examined {result.examined}, lights {result.lights}, escalated {result.escalated}, "
        f"{result.batches} batches in {elapsed:.2f} s")
    return elapsed, result


def bench_sweep(world) -> list[Row]:
    """The sweep at 100,000 open cases, then at SWEEP_LARGE with the same number due: its cost
    must follow what is due, not the table (issue: within 1.5× of each other)."""
    from wangge.cases.choices import OPEN_STATUSES
    from wangge.cases.models import Case

    seconds, template = insert_sweep_fixture(world)
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).count()
    log(f"sweep fixture: {open_cases:,} open cases inserted in {seconds:.1f} s")
    small, result = _one_sweep(f"{open_cases:,}")
    ok_small = result.examined >= SWEEP_DUE and result.escalated >= SWEEP_OVERDUE
    rows = [Row(f"one sweep over {open_cases:,} open cases, {SWEEP_DUE:,} due ({SWEEP_OVERDUE} escalated)",
                f"< {SWEEP_TARGET:.0f} s", f"{small:.2f} s", ok_small and small < SWEEP_TARGET)]
    if SWEEP_LARGE <= open_cases:
        return rows
    # The same 1,000 due again (new ones: the first sweep moved the old ones on), among many more.
    seconds, _ = insert_sweep_fixture(world, total=SWEEP_DUE, prefix="SX", template=template)
    seconds2, _ = insert_sweep_fixture(world, total=SWEEP_LARGE - open_cases - SWEEP_DUE, due=0, overdue=0,
                                       prefix="SY", template=template)
    large_open = Case.objects.filter(status__in=OPEN_STATUSES).count()
    log(f"sweep fixture: {large_open:,} open cases after {seconds + seconds2:.1f} s more inserting")
    large, result = _one_sweep(f"{large_open:,}")
    ok_large = result.examined >= SWEEP_DUE and result.escalated >= SWEEP_OVERDUE
    growth = large / small if small else float("inf")
    rows.append(Row(f"one sweep over {large_open:,} open cases, the same {SWEEP_DUE:,} due",
                    f"≤ {SWEEP_GROWTH_TARGET}× the sweep at {open_cases:,}",
                    f"{large:.2f} s (×{growth:.2f})", ok_large and growth <= SWEEP_GROWTH_TARGET))
    return rows


# ---------------------------------------------------------------------------------------------
# 3. Grid lookups
# ---------------------------------------------------------------------------------------------


def bench_lookups() -> list[Row]:
    from wangge.org.geo import GridIndex

    cols = 200
    rows_ = LOOKUP_GRIDS // cols
    size = 0.002
    x0, y0 = 116.0, 39.6
    rng = random.Random(3)
    grids = []
    for i in range(LOOKUP_GRIDS):
        c, r = i % cols, i // cols
        x, y = x0 + c * size, y0 + r * size
        grids.append((i + 1, {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size],
                                                                  [x, y + size], [x, y]]]}))
    t0 = time.perf_counter()
    index = GridIndex.build(grids)
    built = time.perf_counter() - t0
    points = [(x0 + rng.uniform(0, cols * size), y0 + rng.uniform(0, rows_ * size)) for _ in range(LOOKUP_POINTS)]
    lookup = index.lookup
    t0 = time.perf_counter()
    found = sum(1 for lng, lat in points if lookup(lng, lat) is not None)
    elapsed = time.perf_counter() - t0
    rate = LOOKUP_POINTS / elapsed
    log(f"grid index over {len(index):,} polygons built in {built:.2f} s; {found:,}/{LOOKUP_POINTS:,} points found")
    return [Row(f"grid lookups over {len(index):,} polygons (one process)", f"≥ {LOOKUP_TARGET:,}/s",
                f"{rate:,.0f}/s", rate >= LOOKUP_TARGET and found == LOOKUP_POINTS)]


# ---------------------------------------------------------------------------------------------
# 4. The dashboard's own bench (helper module, if present)
# ---------------------------------------------------------------------------------------------


# The benches whose cost may grow with the number of cases: run at each WANGGE_BENCH_CASES size.
SCALED_BENCHES = ["dashboard", "rollup"]


def _scaled_rows(name: str, size: int) -> list[Row]:
    """One scaled bench module at ``size`` cases (its log lines kept, its own table dropped)."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ImportError:
        return []
    module.N_CASES = size
    captured = io.StringIO()
    rows = _as_rows(module.run(captured))
    for line in captured.getvalue().splitlines():
        if line.startswith("name "):
            break  # its own table: the rows are merged into ours instead
        log(line.strip())
    return rows


def _growth(first: str, last: str) -> str:
    """"×1.2" from two measured cells that start with a number and a unit ("185 ms", "1.5 s")."""
    def value(cell: str) -> float | None:
        try:
            number, unit = cell.split()[:2]
            return float(number.replace(",", "")) * {"ms": 1.0, "s": 1000.0}.get(unit, 1.0)
        except ValueError:
            return None
    a, b = value(first), value(last)
    return f"×{b / a:.2f}" if a and b is not None else "—"


def bench_scaled() -> list[Row]:
    """The dashboard, list, search and rollup benches at every size of ``WANGGE_BENCH_CASES``;
    with two sizes or more, one row per figure: each size's figure and the growth."""
    from benchmarks.scale import case_sizes

    sizes = case_sizes()
    by_size = {size: [row for name in SCALED_BENCHES for row in _scaled_rows(name, size)] for size in sizes}
    if len(sizes) == 1:
        return by_size[sizes[0]]
    rows = []
    for index, row in enumerate(by_size[sizes[0]]):
        cells = [by_size[size][index] for size in sizes if index < len(by_size[size])]
        label = " / ".join(f"{size / 1e6:g}M" for size in sizes)
        measured = " / ".join(cell.measured for cell in cells) + f"  ({_growth(cells[0].measured, cells[-1].measured)})"
        rows.append(Row(f"{row.name} [{label}]", row.target, measured, all(c.passed is not False for c in cells)))
    return rows


# ---------------------------------------------------------------------------------------------
# The machine's own figure, so that tables from different machines can be compared
# ---------------------------------------------------------------------------------------------

PGBENCH_DB = "wangge_pgbench"


def bench_machine(url: str) -> list[Row]:
    """PostgreSQL's own ``pgbench`` on this server (scale 10, 2 clients, 10 s each): read-only
    and TPC-B-like transactions per second. Every other figure scales roughly with these."""
    import shutil

    if shutil.which("pgbench") is None:
        return [Row("pgbench (machine figure)", "—", "pgbench not installed", None)]
    db_url = recreate_database(url, PGBENCH_DB)
    figures = []
    try:
        subprocess.run(["pgbench", "-i", "-q", "-s", "10", db_url], check=True, capture_output=True, timeout=600)
        for label, extra in (("select-only", ["-S"]), ("TPC-B-like", [])):
            done = subprocess.run(["pgbench", *extra, "-c", "2", "-j", "2", "-T", "10", db_url], check=True,
                                  capture_output=True, text=True, timeout=120)
            tps = next(line.split("=")[1].split()[0] for line in done.stdout.splitlines() if line.startswith("tps"))
            figures.append(f"{label} {float(tps):,.0f} tps")
    except (subprocess.SubprocessError, StopIteration, IndexError, ValueError) as error:
        return [Row("pgbench (machine figure)", "—", f"failed: {error}"[:80], None)]
    return [Row("pgbench, scale 10, 2 clients (this machine's figure)", "—", ", ".join(figures), None)]


# ---------------------------------------------------------------------------------------------


# Benches in their own modules (benchmarks/<name>.py), each with ``run(out)`` returning rows of
# ``Row`` or ``(name, target, measured, result)`` with result "pass" / "fail" / "—".
MODULE_BENCHES = [
    "meetings",
    "duplicates",
    "wechat",
    "import12345",
    "credit",
    "keypersons",
    "neighbourhood",
    "patrols",
]


def _module_rows(name: str) -> list[Row]:
    return _as_rows(importlib.import_module(f"benchmarks.{name}").run(sys.stdout))


def _as_rows(results) -> list[Row]:
    """A bench module's rows: ``Row``s, or ``(name, target, measured, "pass" / "fail" / "—")``."""
    rows = []
    for row in results:
        if hasattr(row, "measured"):  # a Row (of benchmarks.run, or of __main__ under -m)
            row = Row(row.name, row.target, row.measured, row.passed)
        else:
            title, target, measured, result = row
            row = Row(title, target, measured, None if result in ("—", None) else result == "pass")
        rows.append(row)
    return rows


def print_table(rows: list[Row]) -> None:
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    header = Row("benchmark", "target", "measured", None)
    cells = [[r.name, r.target, r.measured, r.result] for r in rows]
    cells.insert(0, [header.name, header.target, header.measured, "result"])
    widths = [max(width(c[i]) for c in cells) for i in range(4)]
    lines = ["  ".join(c[i] + " " * (widths[i] - width(c[i])) for i in range(4)).rstrip() for c in cells]
    print()
    print(lines[0])
    print("-" * max(width(line) for line in lines))
    for line in lines[1:]:
        print(line)


def main() -> int:
    started = time.monotonic()
    url = os.environ.get("WANGGE_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        db_url = recreate_database(url)
    except Exception as exc:  # no server, no rights: say so plainly
        print(f"make bench needs PostgreSQL at {url}: {exc}", file=sys.stderr)
        return 2
    log(f"database {BENCH_DB} re-created; migrating")
    setup_django(db_url)

    from wangge.demo.builders import build_world

    world = build_world()
    # WANGGE_BENCH_ONLY=intake,sweep runs a subset (while working on one of them).
    only = {part.strip() for part in os.environ.get("WANGGE_BENCH_ONLY", "").split(",") if part.strip()}
    rows: list[Row] = []
    # The sweep runs before intake, so that the cases filed over HTTP are not due in it.
    benches = [("machine", lambda: bench_machine(url)), ("sweep", lambda: bench_sweep(world)),
               ("intake", lambda: bench_intake(world)),
               ("lookups", bench_lookups), ("dashboard", bench_scaled)]
    benches += [(name, lambda name=name: _module_rows(name)) for name in MODULE_BENCHES]
    for name, bench in benches:
        if not only or name in only:
            rows += bench()
    print_table(rows)
    print(f"\n(total {time.monotonic() - started:.0f} s on {os.cpu_count()} CPUs; database {BENCH_DB})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
