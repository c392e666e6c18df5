"""The issue ledger (issue 16). Run by hand:
python -m bench.bench_ledger [--quick] [--intake-only | --listing-only]

- event intake through HTTP (classify + upsert, POST /v1/events as NDJSON batches of 100 from
  6 concurrent clients, and one event per request from 6 clients) into `syncdoctor serve` with
  1 and 3 replicas, on SQLite and on PostgreSQL (target >= 1,000 events/s on PostgreSQL);
- listing 100 issues out of 1,000,000 rows of one tenant, with no filter, each filter and a
  deep cursor page (target <= 50 ms), measured through ``Ledger.issues`` (query + JSON).

PostgreSQL is a throwaway server started with the package's own tools (tests/pg.py) with its
durable defaults (fsync on), so the figures are what a real deployment pays.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from syncdoctor.ledger import Database, KeyStore, Ledger
from tests.pg import NoPostgres, PostgresServer, start_server
from tests.service.conftest import free_port, syncdoctor_command

DUPLICATE = ("Duplicate Document Number Error : You must specify a different number. This number has "
             "already been used. DocNumber={n} is assigned to TxnType=Invoice with TxnId=3188")
STALE = "Stale Object Error: Stale Object Error : You and Bob Smith were working on this at the same time."
EXPIRED = "message=AuthenticationFailed; errorCode=003200; statusCode=401: Token expired"


def events(n: int, seed: int = 0) -> list[dict[str, Any]]:
    out = []
    for k in range(n):
        message = (STALE, DUPLICATE.format(n=1000 + k % 50), EXPIRED)[k % 3] if k % 10 else STALE
        out.append({"client": f"firm-{k % 40}", "vendor": "quickbooks", "entity_id": f"inv-{seed}-{k % 2500}",
                    "outcome": "rejected", "report": {"message": message, "http_status": 400}})
    return out


class Replicas:
    def __init__(self, db: str, count: int, tmp: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCDOCTOR_")}
        env["SYNCDOCTOR_LOG_LEVEL"] = "warning"
        self.urls = []
        self.processes = []
        for n in range(count):
            port = free_port()
            log = (tmp / f"replica{n}.log").open("wb")
            self.processes.append(subprocess.Popen(syncdoctor_command("serve", "--port", str(port), "--db", db),
                                                   stdout=log, stderr=subprocess.STDOUT, env=env))
            self.urls.append(f"http://127.0.0.1:{port}")
        for url in self.urls:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} not ready; see {tmp}")
                time.sleep(0.05)

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            p.wait(timeout=30)


def _post_all(urls: list[str], key: str, bodies: list[bytes], ndjson: bool, clients: int = 6) -> float:
    """Send every body (round-robin over the replicas) from ``clients`` threads; seconds taken."""
    jobs = [(urls[i % len(urls)], body) for i, body in enumerate(bodies)]
    barrier = threading.Barrier(clients + 1)
    failures: list[str] = []
    media = "application/x-ndjson" if ndjson else "application/json"

    def client(worker: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {key}", "Content-Type": media}, timeout=300) as http:
            barrier.wait()
            for url, body in jobs[worker::clients]:
                r = http.post(url + "/v1/events", content=body)
                problems = [line for line in r.content.splitlines() if line.startswith(b'{"type"')]
                if r.status_code != 200 or problems:
                    failures.append(f"{r.status_code} {(problems or [r.content])[0][:300]!r}")

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client, w) for w in range(clients)]
        barrier.wait()
        start = time.perf_counter()
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return elapsed


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _postgres_pids(pg: PostgresServer | None) -> list[int]:
    """The postmaster and its children (the backends serving the replicas)."""
    if pg is None or pg.directory is None:
        return []
    try:
        master = int((pg.directory / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return []
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def intake(db_url: str, replicas: int, n_batch: int, n_single: int,
           pg: PostgresServer | None = None) -> dict[str, Any]:
    """Events/s through HTTP, and the CPU the servers spent per event: on a shared machine the
    CPU per event says what 2 dedicated cores would do (2 / CPU seconds per event)."""
    db = Database(db_url)
    db.upgrade()
    _, key = KeyStore(db).create("bench", "write")
    db.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        served = Replicas(db_url, replicas, Path(tmp))
        try:
            warm = [json.dumps(e).encode() for e in events(60, seed=99)]
            _post_all(served.urls, key, warm, ndjson=False)
            batch = events(n_batch, seed=replicas)
            bodies = [b"\n".join(json.dumps(e).encode() for e in batch[i:i + 100]) + b"\n"
                      for i in range(0, len(batch), 100)]
            pids = [p.pid for p in served.processes] + _postgres_pids(pg)
            cpu_before = _cpu_seconds(pids)
            batch_s = _post_all(served.urls, key, bodies, ndjson=True)
            # backends started during the run count whole (they did not exist before it)
            cpu_batch = _cpu_seconds(sorted(set(pids) | set(_postgres_pids(pg)))) - cpu_before
            single = [json.dumps(e).encode() for e in events(n_single, seed=replicas + 10)]
            single_s = _post_all(served.urls, key, single, ndjson=False)
        finally:
            served.stop()
    cpu_ms = cpu_batch / n_batch * 1000
    return {"replicas": replicas, "ndjson_events_per_s": round(n_batch / batch_s),
            "single_events_per_s": round(n_single / single_s),
            "ndjson_server_cpu_ms_per_event": round(cpu_ms, 2),
            "ndjson_events_per_s_on_2_dedicated_cores": round(2000 / cpu_ms) if cpu_ms else None}


def fill(db: Database, rows: int) -> float:
    """``rows`` issues in tenant "big" (and a few in another tenant), made by the database itself."""
    start = time.perf_counter()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with db.connect() as conn:
        conn.execute(text("INSERT INTO tenants (id, created_at) VALUES ('big', :t), ('small', :t)"),
                     {"t": now if db.dialect == "postgresql" else now.replace(tzinfo=None)})
        if db.dialect == "postgresql":
            source = "generate_series(1, :rows) AS g(i)"
            ts = "(TIMESTAMPTZ '2026-12-01 00:00:00+00' - (i || ' seconds')::interval)"
            ident = "'iss_' || lpad(i::text, 16, '0')"
            fp = "md5(i::text)"
            json_ = "CAST('{\"doc_number\": \"1781\"}' AS json)"
            diag = "CAST('{\"problem\": \"quickbooks.duplicate_document_number\", \"remediation\": {\"steps\": []}}' AS json)"
            flag = "false"
            sql_from = f"FROM {source}"
            prefix = ""
        else:
            prefix = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :rows) "
            ts = "(strftime('%Y-%m-%d %H:%M:%f', '2026-12-01 00:00:00', '-' || i || ' seconds') || '000')"
            ident = "'iss_' || printf('%016d', i)"
            fp = "printf('%064d', i)"
            json_ = "'{\"doc_number\": \"1781\"}'"
            diag = "'{\"problem\": \"quickbooks.duplicate_document_number\", \"remediation\": {\"steps\": []}}'"
            flag = "0"
            sql_from = "FROM g"
        statuses = "CASE i % 10 WHEN 0 THEN 'resolved' WHEN 1 THEN 'muted' WHEN 2 THEN 'skipped' ELSE 'open' END"
        conn.execute(text(
            prefix + "INSERT INTO issues (id, tenant, fingerprint, status, problem, vendor, client, entity, category, "
            "severity, params, title, first_seen, last_seen, count, regressed, escalated, opened_at_count, diagnosis, "
            f"updated_at) SELECT {ident}, CASE WHEN i % 1000 = 0 THEN 'small' ELSE 'big' END, {fp}, {statuses}, "
            "'quickbooks.p' || (i % 40), CASE i % 4 WHEN 0 THEN 'acd' ELSE 'quickbooks' END, 'firm-' || (i % 500), "
            f"'inv-' || i, 'Invoices', 'error', {json_}, 'Document number already used', {ts}, {ts}, 1, 0, {flag}, 1, "
            f"{diag}, {ts} {sql_from}"
        ), {"rows": rows})
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return time.perf_counter() - start


def listing(db_url: str, rows: int) -> dict[str, Any]:
    db = Database(db_url)
    db.upgrade()
    filled_s = fill(db, rows)
    ledger = Ledger(db)
    since = datetime(2026, 12, 1, tzinfo=UTC) - timedelta(hours=2)
    cases: dict[str, dict[str, Any]] = {
        "no filter": {},
        "status=open": {"status": "open"},
        "status=muted": {"status": "muted"},
        "vendor=acd": {"vendor": "acd"},
        "client=firm-42": {"client": "firm-42"},
        "problem=quickbooks.p7": {"problem": "quickbooks.p7"},
        "since 2 h": {"since": since},
        "client+problem": {"client": "firm-40", "problem": "quickbooks.p0"},
    }
    out: dict[str, Any] = {"rows": rows, "fill_s": round(filled_s, 1)}
    for name, filters in cases.items():
        times = []
        for _ in range(7):
            start = time.perf_counter()
            page = ledger.issues("big", limit=100, **filters)
            times.append(time.perf_counter() - start)
        assert len(page["items"]) == 100, (name, len(page["items"]))
        out[name] = f"{statistics.median(times) * 1000:.1f} ms"
    cursor = None
    for _ in range(50):  # page 51: the cursor does not get slower with depth
        cursor = ledger.issues("big", limit=100, cursor=cursor)["next_cursor"]
    times = []
    for _ in range(7):
        start = time.perf_counter()
        ledger.issues("big", limit=100, cursor=cursor)
        times.append(time.perf_counter() - start)
    out["page 51 (cursor)"] = f"{statistics.median(times) * 1000:.1f} ms"
    db.dispose()
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    do_intake = "--listing-only" not in sys.argv
    do_listing = "--intake-only" not in sys.argv
    n_batch, n_single, rows = (3000, 600, 100_000) if quick else (12_000, 3000, 1_000_000)
    results: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="minutes"), "cpus": os.cpu_count()}
    pg: PostgresServer | None = None
    try:
        pg = start_server(durable=True)
    except NoPostgres as exc:
        results["postgresql"] = f"not run: {exc}"
    with tempfile.TemporaryDirectory() as tmp:
        for replicas in (1, 3) if do_intake else ():
            results[f"intake sqlite x{replicas}"] = intake(f"sqlite:///{tmp}/intake{replicas}.db", replicas,
                                                           n_batch, n_single)
            print(json.dumps(results, indent=1), file=sys.stderr)
            if pg is not None:
                url = pg.create_database()
                results[f"intake postgresql x{replicas}"] = intake(url, replicas, n_batch, n_single, pg)
                pg.drop_database(url)
                print(json.dumps(results, indent=1), file=sys.stderr)
        if do_listing:
            results["listing sqlite"] = listing(f"sqlite:///{tmp}/listing.db", rows)
            print(json.dumps(results, indent=1), file=sys.stderr)
    if pg is not None and not do_listing:
        pg.stop()
    elif pg is not None:
        url = pg.create_database()
        try:
            results["listing postgresql"] = listing(url, rows)
        finally:
            pg.drop_database(url)
            pg.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
