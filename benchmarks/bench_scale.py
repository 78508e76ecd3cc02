"""The part of ``./scripts/bench`` that measures receivers scaled out: 1, 2 and 4 ``policy-site
receipts serve`` processes on one PostgreSQL database (a throwaway server on loopback, fsync on:
tests/pgserver.py), behind a real nginx with the ``upstream`` and location the build writes
(tests/service/test_nginx_receipts.py starts it as the tests do), and the database alone: the
store's own appends from as many threads as the most receivers, in batches the size a
receiver's group commit makes under this load, with no HTTP at all, which is the rate no number
of receivers can pass on this machine.

Each of three rounds runs every scale in turn, and the run of median rate is reported. Each run
sends receipts from ``bench_receipts.CLIENTS`` concurrent aiohttp clients in this process
after a warm-up, and records the CPU seconds each part used while it ran (from /proc): the
receivers, nginx, PostgreSQL's processes, and the client. Every part shares this machine's cores,
so the CPU columns say what the machine spent its time on.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_receipts import WARM_UP, ReceiverRun, _bodies, _send

__all__ = ["SCALES", "ScaleRun", "measure_scale_out"]

#: How many receivers each run puts behind nginx.
SCALES = (1, 2, 4)
#: Receipts per transaction in the database-alone run (what a receiver's group commit gathers
#: with 50 clients spread over a few receivers).
BATCH = 12
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ScaleRun:
    #: Receivers behind nginx; 0: the database alone, no HTTP.
    receivers: int
    run: ReceiverRun
    #: CPU seconds while it ran: receivers, nginx, postgres, client (this process).
    cpu: dict[str, float]
    #: The receipts table with its indexes, in bytes a row (measured on the database alone).
    row_bytes: float = 0.0


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _postgres() -> dict[int, float]:
    """Each PostgreSQL process's CPU seconds so far."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if name.startswith("postgres"):
                found[int(entry.name)] = _cpu_seconds(int(entry.name))
    return found


@contextmanager
def _cpu(parts: Mapping[str, Iterable[int]]) -> Iterator[dict[str, float]]:
    """CPU seconds of each part's processes, of PostgreSQL's, and of this process, while the
    block runs."""
    before = {name: sum(map(_cpu_seconds, pids)) for name, pids in parts.items()}
    database, own = _postgres(), time.process_time()
    spent: dict[str, float] = {}
    yield spent
    for name, pids in parts.items():
        spent[name] = sum(map(_cpu_seconds, pids)) - before[name]
    spent["postgres"] = sum(s - database.get(pid, 0.0) for pid, s in _postgres().items())
    spent["client"] = time.process_time() - own


def _behind_nginx(db: str, receivers: int, count: int) -> ScaleRun:
    from tests.service.conftest import start_receiver, stop
    from tests.service.test_nginx_receipts import nginx_before

    with ExitStack() as stack:
        running = []
        for _ in range(receivers):
            running.append(start_receiver(db))
            stack.callback(stop, running[-1])
        prefix = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(nginx_before(prefix, running))
        nginx = int((prefix / "nginx.pid").read_text())
        start = WARM_UP * (1 + receivers)  # the ids of each run's receipts are its own
        asyncio.run(_send(url, _bodies(WARM_UP, start - WARM_UP)))
        parts = {"receivers": [r.process.pid for r in running], "nginx": [nginx]}
        with _cpu(parts) as cpu:
            seconds, latencies = asyncio.run(_send(url, _bodies(count, start)))
    return ScaleRun(receivers, ReceiverRun("PostgreSQL", count, seconds, latencies), cpu)


def _database_alone(db: str, writers: int, count: int) -> ScaleRun:
    """``writers`` threads, each with its own store, appending BATCH receipts a transaction."""
    import psycopg

    from policy_site.consent.archive import read_releases
    from policy_site.receipts.opening import open_store
    from policy_site.receipts.store import stamp, utc_now
    from policy_site.receipts.validate import Releases, check_receipt, evidence, parse_receipt
    from tests.service.conftest import LEDGER
    from tests.service.test_load import _receipts

    releases = Releases.of(read_releases(LEDGER.parent))
    sent = [parse_receipt(json.dumps(r).encode(), "application/json") for r in _receipts(count, 7)]
    stored = [evidence(r, check_receipt(r, releases, utc_now())) for r in sent]
    batches = [stored[n : n + BATCH] for n in range(0, count - count % BATCH, BATCH)]
    stores = [open_store(db) for _ in range(writers)]
    latencies: list[float] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        for batch in batches[index::writers]:
            sent = time.perf_counter()
            stores[index].append(batch, stamp(utc_now()))
            with lock:
                latencies.append((time.perf_counter() - sent) * 1000)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    with _cpu({}) as cpu:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    for store in stores:
        store.close()
    with psycopg.connect(db) as connection:
        size = connection.execute("SELECT pg_total_relation_size('receipts')").fetchone()
        rows = connection.execute("SELECT count(*) FROM receipts").fetchone()
    run = ReceiverRun("PostgreSQL", len(batches) * BATCH, seconds, latencies)
    return ScaleRun(0, run, cpu, size[0] / rows[0] if size and rows else 0.0)


def measure_scale_out(count: int, repeats: int = 3) -> list[ScaleRun]:
    """Each of SCALES behind nginx, then the database alone with as many writers as the most
    receivers, each run on a new database of one throwaway PostgreSQL server: ``repeats``
    rounds, the scales taking turns so that a busy moment of the machine falls on all of them;
    of each, the run of median rate."""
    import psycopg

    from tests.pgserver import throwaway_postgres

    runs: dict[int, list[ScaleRun]] = {}
    with throwaway_postgres() as server:
        databases = itertools.count()

        def new_database() -> str:
            name = f"scale_{next(databases)}"
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {name}")
            return server.rpartition("/")[0] + "/" + name

        for _ in range(repeats):
            for receivers in SCALES:
                run = _behind_nginx(new_database(), receivers, count)
                runs.setdefault(receivers, []).append(run)
            runs.setdefault(0, []).append(_database_alone(new_database(), SCALES[-1], count))
    return [_median(runs[receivers]) for receivers in (*SCALES, 0)]


def _median(runs: list[ScaleRun]) -> ScaleRun:
    return sorted(runs, key=lambda run: run.run.per_second)[len(runs) // 2]
